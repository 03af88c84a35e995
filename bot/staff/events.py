"""A conversation's events as Rasa applies them.

A `rewind` undoes the latest user message and everything after it; the assistant re-reads a
request that way (actions/routing.py), so the raw events hold that message twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def applied(events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events without those a later `rewind` undid."""
    kept: list[dict[str, Any]] = []
    for event in events:
        if event.get("event") != "rewind":
            kept.append(event)
            continue
        while kept and kept.pop().get("event") != "user":
            pass
    return kept
