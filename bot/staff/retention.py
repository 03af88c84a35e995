"""Retention: purge conversations, queue entries and crime reports older than the period.

A conversation is purged whole (every tracker event of it) once its *latest* event is older than
the cutoff: deleting only old events would leave a broken tracker behind. The audit trail is
kept longer (its own period): it names staff, not members of the public.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

from actions import report_store
from bot.staff.accounts import StaffStore
from bot.staff.queue import SQLiteQueue

DEFAULT_DAYS = 30
DEFAULT_AUDIT_DAYS = 365


def _purge_tracker(path: Path, cutoff: datetime) -> int:
    """Deletes conversations (Rasa SQLTrackerStore table `events`) idle since before cutoff."""
    if not path.exists():
        return 0
    with sqlite3.connect(path, timeout=30) as db:
        if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'events'").fetchone():
            return 0
        old = [r[0] for r in db.execute(
            "SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < ?",
            (cutoff.timestamp(),),
        )]
        db.executemany("DELETE FROM events WHERE sender_id = ?", [(s,) for s in old])
    return len(old)


def _purge_reports(path: Path, cutoff: datetime) -> int:
    if not path.exists():
        return 0
    with sqlite3.connect(path, timeout=30) as db:
        if not db.execute("SELECT 1 FROM sqlite_master WHERE name = ?",
                          (report_store.TABLE,)).fetchone():
            return 0
        return db.execute(
            f"DELETE FROM {report_store.TABLE} WHERE created_at < ?",
            (cutoff.isoformat(timespec="seconds"),),
        ).rowcount


def purge(run_dir: Path, days: int, audit_days: int = DEFAULT_AUDIT_DAYS,
          now: datetime | None = None) -> dict[str, int]:
    if days < 1 or audit_days < days:
        raise ValueError("days must be at least 1, and the audit period at least as long")
    now = now or datetime.now(timezone.utc)
    cutoff = now - timedelta(days=days)
    counts = {
        "conversations": _purge_tracker(run_dir / "tracker.sqlite", cutoff),
        "queue_entries": SQLiteQueue(run_dir / "handoff.sqlite").purge_before(cutoff),
        "crime_reports": _purge_reports(
            Path(os.environ.get("REPORTS_DB", run_dir / "reports.sqlite")), cutoff),
    }
    store = StaffStore(run_dir / "staff.sqlite")
    counts.update(store.purge(now - timedelta(days=audit_days)))
    store.audit("retention", "purge", None,
                f"older than {days} days: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return counts
