"""Facebook Messenger through the whole stack, with a local fake of the Send API."""

from __future__ import annotations

import itertools
import json

import requests

from bot.stack import Stack
from tests.channels.fakes import FB_VERIFY, Fakes, messenger_post, messenger_sign
from tests.channels.helpers import bot_texts, new_psid, sender_id, settled, user_turns

_mids = itertools.count(1)


def event(psid: str, **message: object) -> dict:
    return {"object": "page", "entry": [{"id": "page", "time": 1, "messaging": [
        {"sender": {"id": psid}, "recipient": {"id": "page"}, "timestamp": 1,
         "message": {"mid": f"m_{next(_mids)}", **message}}]}]}


def say(stack: Stack, body: dict) -> None:
    answer = messenger_post(stack.rasa, body)
    assert answer.status_code == 200, answer.text
    settled(stack)


def test_the_subscription_check_needs_the_verify_token(stack: Stack) -> None:
    url = f"{stack.rasa}/webhooks/facebook/webhook"
    ok = requests.get(url, params={"hub.mode": "subscribe", "hub.verify_token": FB_VERIFY,
                                   "hub.challenge": "1158201444"}, timeout=30)
    assert (ok.status_code, ok.text) == (200, "1158201444")
    bad = requests.get(url, params={"hub.mode": "subscribe", "hub.verify_token": "guess",
                                    "hub.challenge": "1"}, timeout=30)
    assert bad.status_code == 403


def test_replies_in_order_with_quick_replies_that_carry_the_payload(
        stack: Stack, provider_fakes: Fakes) -> None:
    psid = new_psid()
    say(stack, event(psid, text="I want to report a crime"))
    sent = provider_fakes.messenger.received(psid)
    assert [r.text for r in sent] == bot_texts(stack, "facebook", psid)
    quick = sent[-1].raw["message"]["quick_replies"]
    assert quick[0]["payload"] == '/inform{"crime_type": "theft"}'
    say(stack, event(psid, text=quick[0]["title"], quick_reply={"payload": quick[0]["payload"]}))
    assert stack.slots(sender_id(stack, "facebook", psid))["crime_type"] == "theft"


def test_a_location_attachment_finds_the_nearest_counter(stack: Stack, provider_fakes: Fakes
                                                         ) -> None:
    psid = new_psid()
    say(stack, event(psid, attachments=[{"type": "location", "payload": {
        "coordinates": {"lat": 51.4603, "long": -0.0109}}}]))
    assert "Lewisham Police Station" in "\n".join(provider_fakes.messenger.texts(psid))


def test_a_tampered_body_is_refused_and_not_processed(stack: Stack, provider_fakes: Fakes
                                                      ) -> None:
    psid = new_psid()
    body = json.dumps(event(psid, text="hello")).encode()
    signature = messenger_sign(body)
    tampered = json.loads(body.replace(b"hello", b"hellO"))
    assert messenger_post(stack.rasa, tampered, signature).status_code == 403
    assert messenger_post(stack.rasa, tampered, "sha256=" + "0" * 64).status_code == 403
    unsigned = requests.post(f"{stack.rasa}/webhooks/facebook/webhook", data=body,
                             headers={"Content-Type": "application/json"}, timeout=30)
    assert unsigned.status_code == 403
    settled(stack)
    assert user_turns(stack, "facebook", psid) == []
    assert provider_fakes.messenger.texts(psid) == []
