"""The channels' durable state, in one SQLite file: who is who, what came in, what must go out.

- contacts: a pseudonymous conversation id per person (so phone numbers never become Rasa sender
  ids, log lines or tracker keys) and the provider address the replies go to;
- inbound: provider message ids already taken in, so a provider's redelivery is not answered twice;
- outbox: replies not yet accepted by the provider, in order, surviving a restart.

One process owns the file (the embedded default runs one Rasa); calls are short and synchronous.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

INBOUND_KEEP_SECONDS = 7 * 24 * 3600

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS contacts (
    sender_id TEXT PRIMARY KEY, channel TEXT NOT NULL, address TEXT NOT NULL, seen REAL NOT NULL);
CREATE TABLE IF NOT EXISTS inbound (
    channel TEXT NOT NULL, message_id TEXT NOT NULL, received REAL NOT NULL,
    PRIMARY KEY (channel, message_id));
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT, channel TEXT NOT NULL, sender_id TEXT NOT NULL,
    address TEXT NOT NULL, request TEXT NOT NULL, priority INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL, attempts INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS outbox_next ON outbox (channel, sender_id, priority DESC, id);
"""


def pseudonym(key: bytes, channel: str, user: Any) -> str:
    """'twilio-<32 hex>': HMAC of the provider's user id, so it cannot be reversed or guessed."""
    who = json.dumps([channel, str(user)])
    return f"{channel}-{hmac.new(key, who.encode(), hashlib.sha256).hexdigest()[:32]}"


def read_pseudonym_key(path: Path) -> bytes:
    """The store's key, read without writing (for tools and tests that look a person up)."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        row = db.execute("SELECT value FROM meta WHERE name = 'pseudonym_key'").fetchone()
    if row is None:
        raise LookupError(f"no pseudonym key in {path}")
    return bytes.fromhex(row[0])


@dataclass(frozen=True)
class Pending:
    id: int
    channel: str
    sender_id: str
    address: dict[str, Any]
    request: dict[str, Any]
    created: float
    attempts: int


class ChannelStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")  # an accepted reply must survive a crash
        self._db.executescript(_SCHEMA)
        path.chmod(0o600)  # it holds provider addresses (phone numbers)
        self._key = self._pseudonym_key()

    def _pseudonym_key(self) -> bytes:
        row = self._db.execute("SELECT value FROM meta WHERE name = 'pseudonym_key'").fetchone()
        if row:
            return bytes.fromhex(row[0])
        key = secrets.token_bytes(32)
        self._db.execute("INSERT OR IGNORE INTO meta VALUES ('pseudonym_key', ?)", (key.hex(),))
        return self._pseudonym_key()

    # --- contacts ---------------------------------------------------------------------------
    def sender_id(self, channel: str, address: dict[str, Any]) -> str:
        """The person's conversation id: stable, unguessable, and no phone number in it."""
        sender = pseudonym(self._key, channel, address.get("user"))
        self._db.execute(
            "INSERT INTO contacts VALUES (?, ?, ?, ?) ON CONFLICT(sender_id) DO UPDATE SET "
            "address = excluded.address, seen = excluded.seen",
            (sender, channel, json.dumps(address), time.time()),
        )
        return sender

    def address(self, sender_id: str) -> dict[str, Any] | None:
        row = self._db.execute(
            "SELECT address FROM contacts WHERE sender_id = ?", (sender_id,)
        ).fetchone()
        return json.loads(row[0]) if row else None

    # --- inbound ----------------------------------------------------------------------------
    def first_time(self, channel: str, message_id: str) -> bool:
        """True once per provider message id: a redelivered webhook is acknowledged, not re-run."""
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO inbound VALUES (?, ?, ?)", (channel, message_id, time.time())
        )
        return cursor.rowcount == 1

    def forget(self, channel: str, message_id: str) -> None:
        """The message could not be handled: let the provider's redelivery try again."""
        self._db.execute(
            "DELETE FROM inbound WHERE channel = ? AND message_id = ?", (channel, message_id)
        )

    def prune(self) -> None:
        self._db.execute(
            "DELETE FROM inbound WHERE received < ?", (time.time() - INBOUND_KEEP_SECONDS,)
        )

    # --- outbox -----------------------------------------------------------------------------
    def enqueue(
        self, channel: str, sender_id: str, address: dict[str, Any],
        requests: list[dict[str, Any]], priority: int = 0,
    ) -> None:
        now = time.time()
        with self._db:  # all parts of one message, or none
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT INTO outbox (channel, sender_id, address, request, priority, created) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(channel, sender_id, json.dumps(address), json.dumps(r), priority, now)
                 for r in requests],
            )

    def next_pending(self, channel: str, sender_id: str) -> Pending | None:
        """The next reply for one person: an emergency first, otherwise in the order written."""
        row = self._db.execute(
            "SELECT id, channel, sender_id, address, request, created, attempts FROM outbox "
            "WHERE channel = ? AND sender_id = ? ORDER BY priority DESC, id LIMIT 1",
            (channel, sender_id),
        ).fetchone()
        if row is None:
            return None
        return Pending(row[0], row[1], row[2], json.loads(row[3]), json.loads(row[4]), row[5],
                       row[6])

    def pending_senders(self) -> list[tuple[str, str]]:
        return [tuple(r) for r in self._db.execute(
            "SELECT DISTINCT channel, sender_id FROM outbox"
        ).fetchall()]

    def attempted(self, item_id: int) -> None:
        self._db.execute("UPDATE outbox SET attempts = attempts + 1 WHERE id = ?", (item_id,))

    def done(self, item_id: int) -> None:
        self._db.execute("DELETE FROM outbox WHERE id = ?", (item_id,))

    def pending_count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0])

    def close(self) -> None:
        self._db.close()
