"""Bad input through the HTTP stack: a calm reply or a clear 4xx, never a crash or a trace."""

from __future__ import annotations

import requests

from tests.e2e import expected
from tests.e2e.conftest import TURN_TIMEOUT, Stack, text_of

TRACE_MARKERS = ("Traceback", "Exception", "Error:", 'File "')



def _assert_calm(replies: list[dict]) -> None:
    for marker in TRACE_MARKERS:
        assert marker not in text_of(replies)


def test_unknown_postcode_gets_a_calm_retry(stack: Stack) -> None:
    sender, replies = stack.say("nearest police station to ZZ99 9ZZ")
    text = text_of(replies)
    _assert_calm(replies)
    assert "couldn't find" in text
    assert "postcode" in text.lower()
    assert stack.slots(sender)["route"] == "front_counter"


def test_place_outside_london_is_told_so(stack: Stack) -> None:
    outside = expected.first_postcode_outside_london()
    _, replies = stack.say(f"nearest police station to {outside}")
    text = text_of(replies)
    _assert_calm(replies)
    assert "London" in text
    assert "police.uk" in text


def test_empty_message_does_not_break_the_conversation(stack: Stack) -> None:
    sender, replies = stack.say("")
    _assert_calm(replies)
    _, replies = stack.say("someone is breaking into my house right now", sender)
    assert replies[0]["text"].startswith("Call 999")


def test_huge_message_gets_a_reply(stack: Stack) -> None:
    sender, replies = stack.say("my bike was stolen " * 6000)  # ~110 KB
    assert replies, "a very long message must still get an answer"
    _assert_calm(replies)
    _, replies = stack.say("hello", sender)
    assert replies


def test_binary_and_emoji_get_a_calm_reply(stack: Stack) -> None:
    _, replies = stack.say("\x00\x01\x02\ufffd 🚓🚓🚓 \udcff"[:-1] + " ÿþ")
    assert replies
    _assert_calm(replies)


def test_tracker_api_needs_the_token(stack: Stack) -> None:
    sender, _ = stack.say("hello")
    response = requests.get(f"{stack.rasa}/conversations/{sender}/tracker", timeout=TURN_TIMEOUT)
    assert response.status_code == 401
    wrong = requests.get(
        f"{stack.rasa}/conversations/{sender}/tracker",
        params={"token": "not-the-token"},
        timeout=TURN_TIMEOUT,
    )
    assert wrong.status_code == 401


def test_web_page_relays_and_bounds_messages(stack: Stack) -> None:
    page = requests.get(f"{stack.web}/", timeout=TURN_TIMEOUT)
    assert page.status_code == 200 and "999" in page.text
    ok = requests.post(
        f"{stack.web}/api/messages",
        json={"sender": "web-test-0001", "message": "I want to report my phone stolen"},
        timeout=TURN_TIMEOUT,
    )
    assert ok.status_code == 200
    assert "still happening" in text_of(ok.json()["messages"])
    too_long = requests.post(
        f"{stack.web}/api/messages",
        json={"sender": "web-test-0001", "message": "x" * 100_000},
        timeout=TURN_TIMEOUT,
    )
    assert too_long.status_code in (400, 413)
    assert "too long" in too_long.json()["error"] or "too large" in too_long.json()["error"]


def test_logs_keep_no_secrets_or_personal_data(stack: Stack) -> None:
    stack.say("where's the nearest police station to SE13 6AA")
    log = stack.log()
    assert stack.token not in log
    assert "SE13 6AA" not in log and "se13 6aa" not in log.lower()


def test_conversations_are_kept_in_the_sqlite_tracker_store(stack: Stack) -> None:
    sender, _ = stack.say("hello")
    assert stack.tracker(sender)["events"]
    db = stack.run_dir / "tracker.sqlite"
    assert db.exists() and db.stat().st_size > 0
    assert sender.encode() in db.read_bytes()
