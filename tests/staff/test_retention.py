"""Retention: old conversations (Rasa's own SQL tracker store), queue entries and reports go;
recent ones stay; the purge is audited."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from actions.report_store import CrimeReport, load, save
from bot.settings import ROOT
from bot.staff.accounts import StaffStore
from bot.staff.queue import SQLiteQueue
from bot.staff.retention import purge

DAY = 24 * 3600


async def _save_conversation(store: SQLTrackerStore, sender: str, at: float) -> None:
    tracker = DialogueStateTracker.from_events(sender, [
        ActionExecuted("action_listen", timestamp=at),
        UserUttered("my name is Jo Bloggs", {"name": "greet"}, timestamp=at),
    ])
    await store.save(tracker)


@pytest.fixture
def tracker_store(tmp_path: Path) -> SQLTrackerStore:
    return SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "tracker.sqlite"))


async def test_purges_only_what_is_older_than_the_period(
    tmp_path: Path, tracker_store: SQLTrackerStore
) -> None:
    now = time.time()
    await _save_conversation(tracker_store, "old", now - 40 * DAY)
    await _save_conversation(tracker_store, "recent", now - 2 * DAY)
    save(CrimeReport(reference="MET-OLD0-0000", conversation_id="old", crime_type="theft",
                     created_at=(datetime.now(timezone.utc) - timedelta(days=40)).isoformat()),
         tmp_path / "reports.sqlite")
    save(CrimeReport(reference="MET-NEW0-0000", conversation_id="recent", crime_type="theft"),
         tmp_path / "reports.sqlite")
    SQLiteQueue(tmp_path / "handoff.sqlite").enqueue(
        {"conversation_id": "recent", "priority": {"level": 3}})

    counts = purge(tmp_path, days=30)

    assert (counts["conversations"], counts["crime_reports"], counts["queue_entries"]) == (1, 1, 0)
    assert await tracker_store.retrieve("old") is None
    assert (await tracker_store.retrieve("recent")).latest_message.text == "my name is Jo Bloggs"
    assert load("MET-OLD0-0000", tmp_path / "reports.sqlite") is None
    assert load("MET-NEW0-0000", tmp_path / "reports.sqlite") is not None
    audit = StaffStore(tmp_path / "staff.sqlite").audit_entries()
    assert audit[0]["actor"] == "retention" and "conversations 1" in audit[0]["detail"]

    # Forty days on, everything stored today is past a 30-day period too.
    later = purge(tmp_path, days=30, now=datetime.now(timezone.utc) + timedelta(days=40))
    assert (later["conversations"], later["crime_reports"], later["queue_entries"]) == (1, 1, 1)


def test_nonsense_periods_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        purge(tmp_path, days=0)
    with pytest.raises(ValueError):
        purge(tmp_path, days=30, audit_days=7)


def test_the_command_runs_on_an_empty_run_dir(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "retention", "--days", "7"], cwd=ROOT, text=True,
        env={"RUN_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}, capture_output=True, check=True,
    )
    assert result.stdout.startswith("purged: conversations 0")
