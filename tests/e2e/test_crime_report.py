"""Report a crime, driven to the end through the live stack (action server and locator too)."""

from __future__ import annotations

import re
import sqlite3

import pytest

from tests.e2e.conftest import Stack, text_of

REFERENCE = re.compile(r"MET-[0-9A-Z]{4}-[0-9A-Z]{4}")



def _stored(stack: Stack, reference: str) -> dict:
    with sqlite3.connect(stack.run_dir / "reports.sqlite") as db:
        db.row_factory = sqlite3.Row
        row = db.execute("select * from crime_reports where reference = ?", [reference]).fetchone()
    assert row is not None, f"report {reference} was not stored"
    return dict(row)


def _answer(stack: Stack, sender: str, text: str, expect: str) -> list[dict]:
    _, replies = stack.say(text, sender)
    assert expect.lower() in text_of(replies).lower(), (text, text_of(replies))
    return replies


def test_full_report_with_consent(stack: Stack) -> None:
    sender, replies = stack.say("my bike was stolen yesterday")
    assert "still happening" in text_of(replies)  # type and time were in the first message
    slots = stack.slots(sender)
    assert (slots["route"], slots["route_detail"]) == ("report_crime", "theft")
    assert slots["crime_when"] == "yesterday"
    _answer(stack, sender, "no", "anyone hurt")
    _answer(stack, sender, "no", "where did it happen")
    _answer(stack, sender, "outside Brixton station", "what happened")
    _answer(stack, sender, "a blue bike was taken from the railings", "anonymous")
    _answer(stack, sender, "no", "contact you")
    _answer(stack, sender, "yes", "phone number or email")
    replies = _answer(stack, sender, "07700 900123", "have not sent this to the police")
    text = text_of(replies)
    reference = REFERENCE.search(text).group(0)
    assert "101" in text and "met.police.uk" in text
    report = _stored(stack, reference)
    assert report["crime_type"] == "theft"
    assert report["crime_when"] == "yesterday"
    assert report["crime_where"] == "outside Brixton station"
    assert report["contact_details"] == "07700 900123"
    assert report["status"] == "captured"
    slots = stack.slots(sender)
    assert slots["report_reference"] == reference
    assert slots["crime_type"] is None, "the form must be cleared for a next report"
    assert (slots["route"], slots["route_detail"]) == ("report_crime", "theft")


def test_anonymous_report_goes_to_crimestoppers_and_keeps_no_contact(stack: Stack) -> None:
    sender, _ = stack.say("I want to report people dealing drugs on my estate")
    assert stack.slots(sender)["route_detail"] == "drugs"
    for answer in ("no", "no", "last week", "Peckham", "skip"):
        stack.say(answer, sender)
    _, replies = stack.say("yes", sender)  # anonymous
    text = text_of(replies)
    assert "Crimestoppers" in text and "0800 555 111" in text
    report = _stored(stack, REFERENCE.search(text).group(0))
    assert report["anonymous"] == 1 and report["contact_details"] is None


def test_no_consent_means_no_contact_question(stack: Stack) -> None:
    sender, _ = stack.say("someone keyed my car last night")
    for answer in ("no", "no", "Croydon", "scratches all down the side", "no"):
        stack.say(answer, sender)
    _, replies = stack.say("no", sender)  # no contact
    text = text_of(replies)
    assert "phone number or email" not in text
    report = _stored(stack, REFERENCE.search(text).group(0))
    assert report["contact_consent"] == 0 and report["contact_details"] is None


def test_fraud_goes_to_report_fraud(stack: Stack) -> None:
    sender, _ = stack.say("I've been scammed out of 300 pounds by a fake seller")
    assert stack.slots(sender)["route_detail"] == "fraud"
    for answer in ("no", "no", "last month", "online", "skip", "no"):
        stack.say(answer, sender)
    _, replies = stack.say("no", sender)
    text = text_of(replies)
    assert "Report Fraud" in text and "0300 123 2040" in text


@pytest.mark.parametrize("answer", ["yes", "yes he's still outside"])
def test_still_happening_means_999_now(stack: Stack, answer: str) -> None:
    sender, replies = stack.say("i want to report a burglary")
    assert "still happening" in text_of(replies)
    _, replies = stack.say(answer, sender)
    assert replies[0]["text"].startswith("Call 999")
    tracker = stack.tracker(sender)
    assert tracker["slots"]["route"] == "emergency"
    assert not tracker["active_loop"]


def test_emergency_typed_mid_report_interrupts_it(stack: Stack) -> None:
    sender, _ = stack.say("my phone was stolen on the bus")
    stack.say("no", sender)
    _, replies = stack.say("wait hes back and hes got a knife", sender)
    assert replies[0]["text"].startswith("Call 999")
    tracker = stack.tracker(sender)
    assert tracker["slots"]["route"] == "emergency"
    assert tracker["slots"]["route_detail"] is None
    assert not tracker["active_loop"]


def test_skip_correction_and_bad_contact_details(stack: Stack) -> None:
    sender, _ = stack.say("my car was broken into")
    stack.say("no", sender)
    stack.say("no", sender)
    _answer(stack, sender, "I don't know", "where did it happen")
    assert stack.slots(sender)["crime_when"] == "not known"
    stack.say("no, it was on Tuesday", sender)
    assert stack.slots(sender)["crime_when"].lower() == "on tuesday"
    stack.say("Hackney", sender)
    stack.say("they smashed the window", sender)
    stack.say("no", sender)
    stack.say("yes", sender)
    _answer(stack, sender, "call me maybe", "doesn't look like")
    _answer(stack, sender, "someone@example.com", "have not sent this to the police")


def test_question_in_the_middle_is_answered_then_the_report_goes_on(stack: Stack) -> None:
    sender, _ = stack.say("I want to report criminal damage")
    stack.say("no", sender)
    _, replies = stack.say("what are my rights if the police stop and search me", sender)
    text = text_of(replies)
    assert "stop" in text.lower()
    assert "anyone hurt" in text.lower(), "the report must carry on where it was"
    assert stack.tracker(sender)["active_loop"]["name"] == "crime_report_form"


def test_stop_ends_the_report(stack: Stack) -> None:
    sender, _ = stack.say("i want to report a crime")
    _, replies = stack.say("stop", sender)
    assert "stopped" in text_of(replies)
    assert not stack.tracker(sender)["active_loop"]


def test_danger_typed_at_the_contact_question_still_gets_999(stack: Stack) -> None:
    sender, _ = stack.say("my phone was stolen")
    for answer in ("no", "no", "today", "Camden", "skip", "no"):
        stack.say(answer, sender)
    _, replies = stack.say("yes", sender)  # consent
    assert "phone number or email" in text_of(replies)
    _, replies = stack.say("he's back and he's got a knife", sender)
    assert replies[0]["text"].startswith("Call 999")
    tracker = stack.tracker(sender)
    assert tracker["slots"]["route"] == "emergency"
    assert not tracker["active_loop"]
    assert tracker["slots"]["contact_details"] is None


def test_crime_type_buttons_carry_clean_payloads_and_log_no_errors(stack: Stack) -> None:
    # Rasa fills {placeholders} in button payloads; an unescaped JSON payload made it log an
    # ERROR per button per turn, which buries real errors in the operator's log.
    _, replies = stack.say("I want to report a crime")
    buttons = [b for r in replies for b in r.get("buttons") or []]
    assert '/inform{"crime_type": "theft"}' in [b["payload"] for b in buttons]
    assert "rasa.core.nlg.interpolator" not in stack.log_path.read_text(errors="replace")
