"""The SQLite handoff queue: ordering, idempotent enqueue, atomic claims, purging."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.staff.queue import CLAIMED, CLOSED, HANDED_BACK, WAITING, QueueConflict, SQLiteQueue


def summary(conversation: str, level: int) -> dict:
    return {"conversation_id": conversation, "reason": "requested", "priority": {"level": level}}


@pytest.fixture
def queue(tmp_path: Path) -> SQLiteQueue:
    return SQLiteQueue(tmp_path / "handoff.sqlite")


def test_sorted_by_priority_then_waiting_time(queue: SQLiteQueue) -> None:
    queue.enqueue(summary("a", 3))
    queue.enqueue(summary("b", 1))
    queue.enqueue(summary("c", 3))
    assert [e.conversation_id for e in queue.open_entries()] == ["b", "a", "c"]


def test_enqueue_again_retriages_the_same_entry_and_never_lowers_it(queue: SQLiteQueue) -> None:
    first = queue.enqueue(summary("a", 2))
    second = queue.enqueue(summary("a", 3))
    third = queue.enqueue(summary("a", 1))
    assert first.id == second.id == third.id
    assert (second.priority, third.priority) == (2, 1)
    assert len(queue.open_entries()) == 1


def test_entry_ids_are_random_not_sequential(queue: SQLiteQueue) -> None:
    ids = [queue.enqueue(summary(f"c{i}", 3)).id for i in range(5)]
    assert len(set(ids)) == 5 and all(len(i) >= 22 for i in ids)


def test_only_one_member_of_staff_can_claim(queue: SQLiteQueue) -> None:
    entry = queue.enqueue(summary("a", 3))
    assert queue.claim(entry.id, "amy").status == CLAIMED
    with pytest.raises(QueueConflict):
        queue.claim(entry.id, "bob")
    with pytest.raises(QueueConflict):
        queue.hand_back(entry.id, "bob")
    assert queue.hand_back(entry.id, "amy").status == HANDED_BACK
    # Asking again after a hand-back puts it back in the queue.
    assert queue.enqueue(summary("a", 3)).status == WAITING


def test_close_records_outcome_and_leaves_the_queue(queue: SQLiteQueue) -> None:
    entry = queue.enqueue(summary("a", 3))
    closed = queue.close(entry.id, "amy", "advice_given")
    assert (closed.status, closed.outcome, closed.closed_by) == (CLOSED, "advice_given", "amy")
    assert queue.open_entries() == []
    assert queue.enqueue(summary("a", 3)).id != entry.id  # a new request is a new entry


def test_person_messages_are_counted(queue: SQLiteQueue) -> None:
    queue.enqueue(summary("a", 3))
    queue.record_person_message("a")
    queue.record_person_message("a")
    assert queue.open_for_conversation("a").person_messages == 2
    assert queue.open_for_conversation("b") is None


def test_purge_removes_only_old_entries(queue: SQLiteQueue) -> None:
    queue.enqueue(summary("a", 3))
    assert queue.purge_before(datetime.now(timezone.utc) - timedelta(days=1)) == 0
    assert queue.purge_before(datetime.now(timezone.utc) + timedelta(seconds=5)) == 1
    assert queue.open_entries() == []
