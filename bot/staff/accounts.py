"""Staff accounts, sessions, sign-in throttling and the audit trail, in RUN_DIR/staff.sqlite.

Passwords are hashed with Argon2id (argon2-cffi defaults). Session tokens are random and only
their SHA-256 is stored, so a copy of the database does not let anyone sign in. Every staff
action is written to `audit` (who, what, which entry, when); the audit never holds what a
member of the public said.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import sqlite3
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from bot.staff import sqlite

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
MIN_PASSWORD = 12
SESSION_HOURS = 8  # one shift
IDLE_MINUTES = 60
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20

SCHEMA = """
CREATE TABLE IF NOT EXISTS staff_users (
    name TEXT PRIMARY KEY, password_hash TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS staff_sessions (
    token_hash TEXT PRIMARY KEY, name TEXT NOT NULL, csrf TEXT NOT NULL,
    created_at TEXT NOT NULL, last_seen TEXT NOT NULL, expires_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS signin_failures (key TEXT NOT NULL, at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS signin_failures_key ON signin_failures (key, at);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT NULL,
    action TEXT NOT NULL, target TEXT, detail TEXT
);
"""


class AccountError(ValueError):
    pass


@dataclass(frozen=True)
class Session:
    name: str
    csrf: str


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class StaffStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._hasher = PasswordHasher()
        # Verifying against this when the name is unknown keeps the timing the same.
        self._dummy = self._hasher.hash(secrets.token_urlsafe(16))
        sqlite.create(path, SCHEMA)
        path.chmod(0o600)

    def _db(self) -> AbstractContextManager[sqlite3.Connection]:
        return sqlite.connect(self.path)

    # --- accounts --------------------------------------------------------------------------------
    def add_user(self, name: str, password: str) -> None:
        if not USERNAME.match(name):
            raise AccountError("Use 2-32 lower-case letters, digits, dots, dashes or underscores.")
        if len(password) < MIN_PASSWORD:
            raise AccountError(f"The password must be at least {MIN_PASSWORD} characters.")
        with self._db() as db:
            try:
                db.execute(
                    "INSERT INTO staff_users (name, password_hash, created_at) VALUES (?, ?, ?)",
                    (name, self._hasher.hash(password), _iso(_now())),
                )
            except sqlite3.IntegrityError:
                raise AccountError(f"There is already an account called {name}.") from None

    def users(self) -> list[str]:
        with self._db() as db:
            return [r[0] for r in db.execute("SELECT name FROM staff_users ORDER BY name")]

    def verify(self, name: str, password: str) -> bool:
        with self._db() as db:
            row = db.execute(
                "SELECT password_hash FROM staff_users WHERE name = ?", (name,)
            ).fetchone()
        try:
            return self._hasher.verify(row[0] if row else self._dummy, password) and bool(row)
        except (VerificationError, InvalidHashError):
            return False

    # --- sign-in throttling ----------------------------------------------------------------------
    @staticmethod
    def _keys(name: str, address: str) -> tuple[str, str]:
        # Hashed: a mistyped username can be a password or someone's name.
        return (f"user:{_hash_token(name)}", f"addr:{_hash_token(address)}")

    def throttled(self, name: str, address: str) -> bool:
        since = _iso(_now() - THROTTLE_WINDOW)
        with self._db() as db:
            def count(key: str) -> int:
                return db.execute(
                    "SELECT COUNT(*) FROM signin_failures WHERE key = ? AND at >= ?", (key, since)
                ).fetchone()[0]
            user, addr = self._keys(name, address)
            return (count(user) >= MAX_FAILURES_PER_ACCOUNT
                    or count(addr) >= MAX_FAILURES_PER_ADDRESS)

    def record_failure(self, name: str, address: str) -> None:
        stamp = _iso(_now())
        with self._db() as db:
            db.executemany(
                "INSERT INTO signin_failures (key, at) VALUES (?, ?)",
                [(key, stamp) for key in self._keys(name, address)],
            )

    def clear_failures(self, name: str) -> None:
        with self._db() as db:
            db.execute("DELETE FROM signin_failures WHERE key = ?", (self._keys(name, "")[0],))

    # --- sessions --------------------------------------------------------------------------------
    def create_session(self, name: str) -> str:
        token = secrets.token_urlsafe(32)
        now = _now()
        with self._db() as db:
            db.execute(
                "INSERT INTO staff_sessions VALUES (?, ?, ?, ?, ?, ?)",
                (_hash_token(token), name, secrets.token_urlsafe(32), _iso(now), _iso(now),
                 _iso(now + timedelta(hours=SESSION_HOURS))),
            )
        return token

    def session(self, token: str | None) -> Session | None:
        if not token:
            return None
        now = _now()
        with self._db() as db:
            row = db.execute(
                "SELECT name, csrf, last_seen, expires_at FROM staff_sessions"
                " WHERE token_hash = ?", (_hash_token(token),),
            ).fetchone()
            if row is None:
                return None
            idle = datetime.fromisoformat(row["last_seen"]) + timedelta(minutes=IDLE_MINUTES)
            if now >= datetime.fromisoformat(row["expires_at"]) or now >= idle:
                db.execute("DELETE FROM staff_sessions WHERE token_hash = ?",
                           (_hash_token(token),))
                return None
            db.execute("UPDATE staff_sessions SET last_seen = ? WHERE token_hash = ?",
                       (_iso(now), _hash_token(token)))
        return Session(row["name"], row["csrf"])

    def end_session(self, token: str) -> None:
        with self._db() as db:
            db.execute("DELETE FROM staff_sessions WHERE token_hash = ?", (_hash_token(token),))

    @staticmethod
    def csrf_ok(session: Session, sent: str | None) -> bool:
        return bool(sent) and hmac.compare_digest(session.csrf, str(sent))

    # --- audit -----------------------------------------------------------------------------------
    def audit(self, actor: str, action: str, target: str | None = None,
              detail: str | None = None) -> None:
        with self._db() as db:
            db.execute(
                "INSERT INTO audit (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)",
                (_iso(_now()), actor, action, target, detail),
            )

    def audit_entries(self, limit: int = 200) -> list[dict[str, str]]:
        with self._db() as db:
            rows = db.execute("SELECT * FROM audit ORDER BY id DESC LIMIT ?", (limit,))
            return [dict(r) for r in rows]

    # --- retention -------------------------------------------------------------------------------
    def purge(self, audit_before: datetime) -> dict[str, int]:
        now = _iso(_now())
        with self._db() as db:
            sessions = db.execute(
                "DELETE FROM staff_sessions WHERE expires_at < ?", (now,)).rowcount
            failures = db.execute(
                "DELETE FROM signin_failures WHERE at < ?",
                (_iso(_now() - THROTTLE_WINDOW),)).rowcount
            audit = db.execute(
                "DELETE FROM audit WHERE at < ?", (_iso(audit_before),)).rowcount
        return {"sessions": sessions, "signin_failures": failures, "audit": audit}
