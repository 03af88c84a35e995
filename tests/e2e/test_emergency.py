"""The emergency path, tested hardest: messy messages, mid-flow interruptions, every one → 999."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Stack
from tests.unit.test_danger import MUST_FIRE


def _assert_999_first(stack: Stack, sender: str, replies: list[dict]) -> None:
    assert replies, "no reply"
    first = replies[0]["text"]
    assert first.startswith("Call 999"), first
    assert "55" in first and "18000" in first and "999 BSL" in first
    assert stack.slots(sender)["route"] == "emergency"


@pytest.mark.parametrize("text", MUST_FIRE)
def test_messy_emergencies_get_999(stack: Stack, text: str) -> None:
    sender, replies = stack.say(text)
    _assert_999_first(stack, sender, replies)


@pytest.mark.parametrize(
    "text",
    ["sum1 tryna break in", "HEEELP", "guy with a kinfe outside", "im bein followed"],
)
def test_emergency_in_the_middle_of_the_location_question(stack: Stack, text: str) -> None:
    sender, replies = stack.say("where is the nearest police station")
    assert "postcode" in replies[-1]["text"].lower()
    _, replies = stack.say(text, sender)
    _assert_999_first(stack, sender, replies)
    tracker = stack.tracker(sender)
    assert not tracker["active_loop"]
    assert tracker["slots"]["location"] is None, "the emergency must not be taken as a place"


def test_emergency_after_a_crime_report_replaces_the_route(stack: Stack) -> None:
    sender, _ = stack.say("my bike was stolen last week")
    assert stack.slots(sender)["route"] == "report_crime"
    _, replies = stack.say("hes back and hes got a knife", sender)
    _assert_999_first(stack, sender, replies)
    assert stack.slots(sender)["route_detail"] is None


def test_safety_net_reasons_are_recorded_for_triage(stack: Stack) -> None:
    sender, _ = stack.say("a man has a knife")
    parse = stack.tracker(sender)["latest_message"]
    assert parse["intent"]["name"] == "emergency"
    assert "weapon" in parse["safety_net"]["reasons"]


def test_danger_at_the_end_of_a_very_long_message_is_still_seen(stack: Stack) -> None:
    text = "I want to ask about something. " * 200 + "Someone is breaking in right now."
    sender, replies = stack.say(text)
    _assert_999_first(stack, sender, replies)


@pytest.mark.parametrize("opening", [None, "my bike was stolen last week"])
def test_after_999_the_way_on_for_someone_not_in_danger(stack: Stack, opening: str | None) -> None:
    """A false alarm is not a dead end: after the 999 facts, the menu; choosing from it routes
    on as usual, also when the emergency closed a crime report."""
    sender = stack.say(opening)[0] if opening else None
    sender, replies = stack.say("a man has a knife", sender)
    _assert_999_first(stack, sender, replies)
    way_on = replies[-1]
    assert "No one in danger now?" in way_on["text"]
    assert "Report a crime" in [b["title"] for b in way_on.get("buttons", [])]
    _, replies = stack.say("/report_crime", sender)
    assert stack.slots(sender)["route"] == "report_crime"
    assert replies, "no reply to the menu choice"
