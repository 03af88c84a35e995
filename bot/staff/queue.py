"""The handoff queue: conversations waiting for (or with) a member of staff.

One interface, two deployments:

* Embedded default (now): `SQLiteQueue` in RUN_DIR/handoff.sqlite. The handoff action writes to
  it directly and the staff console reads it; both run on the same machine.
* Scale-out (a later issue, not implemented): the action server writes nothing here. The handoff
  action already records its summary in the tracker (slot `handoff_summary`), so Rasa's RabbitMQ
  event broker carries every input the queue needs: a consumer calls `enqueue` for each
  `handoff_summary` slot event and `record_person_message` for each user event of a conversation
  in handoff, on a PostgreSQL implementation of the same `HandoffQueue` protocol that the
  console reads. Claims there must stay atomic across console replicas (UPDATE ... WHERE status
  = 'waiting', as here), and `enqueue` must stay idempotent because a broker redelivers.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol

from bot.staff import sqlite

WAITING, CLAIMED, HANDED_BACK, CLOSED = "waiting", "claimed", "handed_back", "closed"
OPEN_STATUSES = (WAITING, CLAIMED, HANDED_BACK)


class QueueConflict(Exception):
    """The entry is not in a state that allows this (e.g. someone else claimed it first)."""


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class QueueEntry:
    id: str
    conversation_id: str
    status: str
    reason: str  # requested | escalated
    priority: int
    summary: dict[str, Any]
    created_at: str
    updated_at: str
    claimed_by: str | None = None
    closed_by: str | None = None
    outcome: str | None = None
    person_messages: int = 0  # messages the person sent while waiting or with staff
    last_person_message_at: str | None = None

    def waiting_seconds(self, now: datetime | None = None) -> int:
        start = datetime.fromisoformat(self.created_at)
        return max(0, int(((now or datetime.now(timezone.utc)) - start).total_seconds()))


class HandoffQueue(Protocol):
    def enqueue(self, summary: dict[str, Any]) -> QueueEntry:
        """Adds a conversation, or re-triages its open entry (idempotent per conversation)."""

    def record_person_message(self, conversation_id: str, at: str | None = None) -> None: ...

    def open_entries(self) -> list[QueueEntry]:
        """Open entries, most urgent first, then longest waiting first."""

    def get(self, entry_id: str) -> QueueEntry | None: ...

    def open_for_conversation(self, conversation_id: str) -> QueueEntry | None: ...

    def claim(self, entry_id: str, staff: str) -> QueueEntry: ...

    def hand_back(self, entry_id: str, staff: str) -> QueueEntry: ...

    def close(self, entry_id: str, staff: str, outcome: str) -> QueueEntry: ...

    def purge_before(self, cutoff: datetime) -> int:
        """Deletes entries last updated before `cutoff`; returns how many."""


SCHEMA = """
CREATE TABLE IF NOT EXISTS handoff_queue (
    id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL,
    priority INTEGER NOT NULL,
    summary TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    claimed_by TEXT,
    closed_by TEXT,
    outcome TEXT,
    person_messages INTEGER NOT NULL DEFAULT 0,
    last_person_message_at TEXT
);
CREATE INDEX IF NOT EXISTS handoff_queue_conversation ON handoff_queue (conversation_id, status);
CREATE INDEX IF NOT EXISTS handoff_queue_updated ON handoff_queue (updated_at);
"""


class SQLiteQueue:
    """`HandoffQueue` in one SQLite file, shared by the action server and the web process."""

    def __init__(self, path: Path) -> None:
        self.path = path
        sqlite.create(path, SCHEMA)

    def _db(self) -> AbstractContextManager[sqlite3.Connection]:
        return sqlite.connect(self.path)

    @staticmethod
    def _entry(row: sqlite3.Row | None) -> QueueEntry | None:
        if row is None:
            return None
        data = dict(row)
        data["summary"] = json.loads(data["summary"])
        return QueueEntry(**data)

    def _open_row(self, db: sqlite3.Connection, conversation_id: str) -> sqlite3.Row | None:
        marks = ",".join("?" * len(OPEN_STATUSES))
        return db.execute(
            f"SELECT * FROM handoff_queue WHERE conversation_id = ? AND status IN ({marks})"
            " ORDER BY created_at DESC LIMIT 1",
            (conversation_id, *OPEN_STATUSES),
        ).fetchone()

    def enqueue(self, summary: dict[str, Any]) -> QueueEntry:
        conversation_id = str(summary["conversation_id"])
        level = int(summary["priority"]["level"])
        reason = str(summary.get("reason") or "requested")
        stamp = now_iso()
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            row = self._open_row(db, conversation_id)
            if row is None:
                entry_id = secrets.token_urlsafe(16)  # not guessable, unlike a row number
                db.execute(
                    "INSERT INTO handoff_queue (id, conversation_id, status, reason, priority,"
                    " summary, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (entry_id, conversation_id, WAITING, reason, level,
                     json.dumps(summary), stamp, stamp),
                )
            else:
                entry_id = row["id"]
                # Asked again after a hand-back: back in the queue. Re-triage never lowers the
                # priority staff already saw: risk said earlier still counts.
                status = WAITING if row["status"] == HANDED_BACK else row["status"]
                db.execute(
                    "UPDATE handoff_queue SET summary = ?, priority = MIN(priority, ?),"
                    " status = ?, updated_at = ? WHERE id = ?",
                    (json.dumps(summary), level, status, stamp, entry_id),
                )
            db.execute("COMMIT")
            return self._entry(
                db.execute("SELECT * FROM handoff_queue WHERE id = ?", (entry_id,)).fetchone()
            )

    def record_person_message(self, conversation_id: str, at: str | None = None) -> None:
        marks = ",".join("?" * len(OPEN_STATUSES))
        with self._db() as db:
            db.execute(
                "UPDATE handoff_queue SET person_messages = person_messages + 1,"
                " last_person_message_at = ?, updated_at = ?"
                f" WHERE conversation_id = ? AND status IN ({marks})",
                (at or now_iso(), now_iso(), conversation_id, *OPEN_STATUSES),
            )

    def open_entries(self) -> list[QueueEntry]:
        marks = ",".join("?" * len(OPEN_STATUSES))
        with self._db() as db:
            rows = db.execute(
                f"SELECT * FROM handoff_queue WHERE status IN ({marks})"
                " ORDER BY priority ASC, created_at ASC, rowid ASC",
                OPEN_STATUSES,
            ).fetchall()
        return [e for e in map(self._entry, rows) if e is not None]

    def get(self, entry_id: str) -> QueueEntry | None:
        with self._db() as db:
            row = db.execute("SELECT * FROM handoff_queue WHERE id = ?", (entry_id,)).fetchone()
        return self._entry(row)

    def open_for_conversation(self, conversation_id: str) -> QueueEntry | None:
        with self._db() as db:
            return self._entry(self._open_row(db, conversation_id))

    def _transition(
        self, entry_id: str, allowed: tuple[str, ...], assignments: str, values: tuple[Any, ...],
        staff: str | None = None,
    ) -> QueueEntry:
        """One atomic UPDATE guarded by the current status (and claimant when `staff` is set)."""
        marks = ",".join("?" * len(allowed))
        guard = f"id = ? AND status IN ({marks})"
        params: tuple[Any, ...] = (entry_id, *allowed)
        if staff is not None:
            guard += " AND (claimed_by IS NULL OR claimed_by = ?)"
            params += (staff,)
        with self._db() as db:
            changed = db.execute(
                f"UPDATE handoff_queue SET {assignments}, updated_at = ? WHERE {guard}",
                (*values, now_iso(), *params),
            ).rowcount
        entry = self.get(entry_id)
        if entry is None:
            raise KeyError(entry_id)
        if not changed:
            raise QueueConflict(entry.status if entry.claimed_by is None else entry.claimed_by)
        return entry

    def claim(self, entry_id: str, staff: str) -> QueueEntry:
        return self._transition(
            entry_id, (WAITING, HANDED_BACK), "status = ?, claimed_by = ?", (CLAIMED, staff),
        )

    def hand_back(self, entry_id: str, staff: str) -> QueueEntry:
        return self._transition(entry_id, (CLAIMED,), "status = ?", (HANDED_BACK,), staff=staff)

    def close(self, entry_id: str, staff: str, outcome: str) -> QueueEntry:
        return self._transition(
            entry_id, OPEN_STATUSES, "status = ?, closed_by = ?, outcome = ?",
            (CLOSED, staff, outcome), staff=staff,
        )

    def purge_before(self, cutoff: datetime) -> int:
        with self._db() as db:
            return db.execute(
                "DELETE FROM handoff_queue WHERE updated_at < ?",
                (cutoff.isoformat(timespec="seconds"),),
            ).rowcount


def queue_path() -> Path:
    run_dir = Path(os.environ.get("RUN_DIR", Path(__file__).resolve().parents[2] / ".run"))
    return Path(os.environ.get("HANDOFF_QUEUE_DB", run_dir / "handoff.sqlite"))


def open_queue() -> HandoffQueue:
    """The configured queue. HANDOFF_QUEUE=sqlite (default); the scale-out backend is designed
    (module docstring) but not built yet, so asking for it fails loudly rather than silently."""
    backend = os.environ.get("HANDOFF_QUEUE", "sqlite")
    if backend == "sqlite":
        return SQLiteQueue(queue_path())
    raise SystemExit(f"HANDOFF_QUEUE={backend!r} is not available yet; use 'sqlite'")
