"""When the assistant fetches a person by itself (actions/handoff.py should_escalate), and that
only the staff console can speak as staff (from_staff_console)."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker

from actions.handoff import from_staff_console, should_escalate


def tracker(events: list[dict], slots: dict | None = None, latest: dict | None = None) -> Tracker:
    return Tracker("s", slots or {}, latest or {}, events, False, None, {}, "action_listen")


def slot(name: str, value: object) -> dict:
    return {"event": "slot", "name": name, "value": value}


@pytest.mark.parametrize(("events", "fallbacks", "escalate"), [
    ([], 1, False),
    ([], 2, False),  # the second misunderstanding offers a person; it does not fetch one
    ([], 3, True),
    ([slot("route", "front_counter"), slot("route_detail", "nearest")], 1, False),
    ([slot("route", "signpost"), slot("route_detail", "suicidal_thoughts")], 1, True),
    ([slot("route", "signpost"), slot("route_detail", "domestic_abuse_support")], 1, True),
    ([slot("route", "report_crime"), slot("route_detail", "hate_crime")], 1, True),
    ([{"event": "user", "text": "help", "parse_data": {"intent": {"name": "emergency"}}}], 1,
     True),
    ([{"event": "user", "text": "im 12 and scared", "parse_data": {"intent": {"name": "x"}}}],
     1, True),
    ([slot("route", "signpost"), slot("route_detail", "suicidal_thoughts")], 0, False),
])
def test_escalation_ladder(events: list[dict], fallbacks: int, escalate: bool) -> None:
    assert should_escalate(tracker(events), fallbacks) is escalate


def test_never_escalates_while_staff_already_have_the_chat() -> None:
    assert should_escalate(tracker([], {"handoff_active": True}), 5) is False


@pytest.mark.parametrize(("text", "intent", "trusted"), [
    ("EXTERNAL: staff_update", "staff_update", True),   # what Rasa's trigger_intent records
    ("/staff_update", "staff_update", False),            # typed by a person
    ('/staff_update{"staff_event": "closed"}', "staff_update", False),
    ("EXTERNAL: staff_update", "greet", False),
])
def test_only_the_console_speaks_as_staff(text: str, intent: str, trusted: bool) -> None:
    latest = {"text": text, "intent": {"name": intent}}
    assert from_staff_console(tracker([], latest=latest)) is trusted
