"""Waiting for the bot's replies to reach a fake, and finding a person's conversation."""

from __future__ import annotations

import itertools
import sqlite3
import time
from typing import Callable

from bot.stack import Stack
from channels.store import pseudonym, read_pseudonym_key

SETTLE_TIMEOUT = 120.0


def wait_until(condition: Callable[[], bool], what: str, timeout: float = SETTLE_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def outbox_size(stack: Stack) -> int:
    with sqlite3.connect(f"file:{stack.run_dir / 'channels.sqlite'}?mode=ro", uri=True) as db:
        return int(db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0])


def settled(stack: Stack) -> None:
    """Every reply the bot queued so far has been accepted by a fake (or dropped for good)."""
    wait_until(lambda: outbox_size(stack) == 0, "the outbox to drain")


def sender_id(stack: Stack, channel: str, user: object) -> str:
    """The pseudonymous conversation id the bot gives this provider user."""
    return pseudonym(read_pseudonym_key(stack.run_dir / "channels.sqlite"), channel, user)


def bot_texts(stack: Stack, channel: str, user: object) -> list[str]:
    """The bot's messages in this person's conversation, as the tracker recorded them."""
    events = stack.tracker(sender_id(stack, channel, user))["events"]
    return [e.get("text") or "" for e in events if e["event"] == "bot"]


def user_turns(stack: Stack, channel: str, user: object) -> list[str]:
    events = stack.tracker(sender_id(stack, channel, user))["events"]
    return [e.get("text") or "" for e in events if e["event"] == "user"]


_numbers = itertools.count(100)


def new_phone() -> str:
    """A fresh number from Ofcom's drama range (07700 900000-900999): never a real person."""
    return f"+447700900{next(_numbers):03d}"


def new_chat_id() -> int:
    return 700_000_000 + next(_numbers)


def new_psid() -> str:
    return f"psid-{next(_numbers)}"
