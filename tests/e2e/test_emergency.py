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
