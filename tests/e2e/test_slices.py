"""The three thin slices of the foundation, through the real running stack."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.e2e import expected
from tests.e2e.conftest import Stack, text_of


def test_nearest_front_counter_by_postcode(stack: Stack) -> None:
    sender, replies = stack.say("where's the nearest police station to SE13 6AA")
    text = text_of(replies)
    counter = expected.nearest_counter("SE13 6AA")
    assert counter["name"] in text
    assert counter["address"] in text
    assert counter["postcode"] in text
    # Today's hours, from the data file, for today in London.
    today = datetime.now(ZoneInfo("Europe/London"))
    hours = counter["weekday_hours"] if today.weekday() < 5 else counter["weekend_hours"]
    if counter["is_24_7"] == "true":
        assert "24 hours" in text
    else:
        opens, closes = hours.split("-")
        assert opens in text and closes in text
    # The data's verified-on date (latest dated source, reference/FRONT_COUNTERS_SOURCES.md).
    assert "21 February 2026" in text
    assert "check" in text.lower()
    slots = stack.slots(sender)
    assert slots["route"] == "front_counter"
    assert slots["route_detail"] == "nearest"


def test_emergency_gets_999_first(stack: Stack) -> None:
    sender, replies = stack.say("someone is breaking into my house right now")
    assert replies, "no reply to an emergency"
    first = replies[0]["text"]
    assert first.startswith("Call 999")
    for must in ("55", "18000", "999 BSL"):
        assert must in first
    slots = stack.slots(sender)
    assert slots["route"] == "emergency"
    assert slots["route_detail"] is None


def test_report_stolen_phone_starts_crime_route(stack: Stack) -> None:
    sender, replies = stack.say("I want to report my phone stolen")
    # The report starts with the safety question; where to report comes at the end
    # (tests/e2e/test_crime_report.py drives it there).
    assert "still happening" in text_of(replies)
    slots = stack.slots(sender)
    assert slots["route"] == "report_crime"
    assert slots["route_detail"] == "theft"
    assert stack.tracker(sender)["active_loop"]["name"] == "crime_report_form"


def test_route_is_set_before_the_follow_up_question(stack: Stack) -> None:
    sender, replies = stack.say("where is the nearest police station")
    assert "postcode" in text_of(replies).lower()
    slots = stack.slots(sender)
    assert (slots["route"], slots["route_detail"]) == ("front_counter", "nearest")

    _, replies = stack.say("SE13 6AA", sender)
    assert expected.nearest_counter("SE13 6AA")["name"] in text_of(replies)


def test_emergency_interrupts_the_location_question(stack: Stack) -> None:
    sender, _ = stack.say("where is the nearest police station")
    _, replies = stack.say("a man with a knife is outside my door", sender)
    assert replies[0]["text"].startswith("Call 999")
    tracker = stack.tracker(sender)
    assert tracker["slots"]["route"] == "emergency"
    assert tracker["slots"]["route_detail"] is None
    assert not tracker["active_loop"], "the form must stop after an emergency"
