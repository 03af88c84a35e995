"""SMS and WhatsApp through the whole stack, with a local fake of Twilio's Messages API."""

from __future__ import annotations

import itertools

import yaml

from bot.settings import ROOT
from bot.stack import Stack
from tests.channels.fakes import TWILIO_SID, TWILIO_TOKEN, Fakes, twilio_post
from tests.channels.helpers import bot_texts, new_phone, sender_id, settled, user_turns

OURS = "+447700900999"
EMERGENCY = yaml.safe_load((ROOT / "domain.yml").read_text())["responses"]["utter_emergency"][0][
    "text"]
_sids = itertools.count(1)


def sms(stack: Stack, user: str, body: str, **extra: str) -> None:
    ours = f"whatsapp:{OURS}" if user.startswith("whatsapp:") else OURS
    params = {"From": user, "To": ours, "Body": body, "AccountSid": TWILIO_SID,
              "MessageSid": f"SM{next(_sids):032d}", **extra}
    answer = twilio_post(stack.rasa, params)
    assert answer.status_code == 200, answer.text
    settled(stack)


def test_replies_arrive_in_order_and_a_number_or_words_pick_an_option(
        stack: Stack, provider_fakes: Fakes) -> None:
    user = new_phone()
    sms(stack, user, "I want to report a crime")
    sent, said = provider_fakes.twilio.texts(user), bot_texts(stack, "twilio", user)
    assert len(sent) == len(said) >= 2
    assert all(s.startswith(b) for s, b in zip(sent, said))  # same messages, same order
    assert "\n1. Something was stolen\n2. Break-in at a home\n" in sent[-1]

    sms(stack, user, "1")
    slots = stack.slots(sender_id(stack, "twilio", user))
    assert slots["crime_type"] == "theft"
    assert "\n1. Yes\n2. No\n" in provider_fakes.twilio.texts(user)[-1]

    sms(stack, user, "No")  # the option's words work as well as its number
    assert stack.slots(sender_id(stack, "twilio", user))["still_happening"] is False
    # Every reply went back from our number to this person only.
    assert {r.raw["From"] for r in provider_fakes.twilio.received(user)} == {OURS}


def test_an_emergency_mid_report_gets_the_999_message_first_and_whole(
        stack: Stack, provider_fakes: Fakes) -> None:
    user = new_phone()
    sms(stack, user, "I want to report a crime")
    sms(stack, user, "1")
    before = len(provider_fakes.twilio.texts(user))
    sms(stack, user, "he's back and he's got a knife")
    new = provider_fakes.twilio.texts(user)[before:]
    assert new and new[0] == EMERGENCY
    assert stack.slots(sender_id(stack, "twilio", user))["route"] == "emergency"


def test_a_whatsapp_location_finds_the_nearest_counter(stack: Stack, provider_fakes: Fakes
                                                       ) -> None:
    user = f"whatsapp:{new_phone()}"
    sms(stack, user, "", Latitude="51.4603", Longitude="-0.0109")
    text = "\n".join(provider_fakes.twilio.texts(user))
    assert "Lewisham Police Station" in text
    slots = stack.slots(sender_id(stack, "twilio", user))
    assert (slots["route"], slots["route_detail"]) == ("front_counter", "nearest")
    assert {r.raw["From"] for r in provider_fakes.twilio.received(user)} == {f"whatsapp:{OURS}"}


def test_unsigned_or_tampered_requests_are_refused_and_not_processed(
        stack: Stack, provider_fakes: Fakes) -> None:
    from twilio.request_validator import RequestValidator

    user = new_phone()
    url = f"{stack.rasa}/webhooks/twilio/webhook"
    params = {"From": user, "To": OURS, "Body": "hello", "MessageSid": "SM" + "a" * 32}
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, params)
    tampered = {**params, "Body": "someone is breaking in"}
    assert twilio_post(stack.rasa, tampered, signature).status_code == 403
    assert twilio_post(stack.rasa, params, "").status_code == 403
    wrong_key = RequestValidator("not-the-token").compute_signature(url, params)
    assert twilio_post(stack.rasa, params, wrong_key).status_code == 403
    settled(stack)
    assert user_turns(stack, "twilio", user) == []
    assert provider_fakes.twilio.texts(user) == []


def test_a_redelivered_message_is_answered_once(stack: Stack, provider_fakes: Fakes) -> None:
    user = new_phone()
    params = {"From": user, "To": OURS, "Body": "hello", "MessageSid": "SM" + "b" * 32}
    for _ in range(2):  # Twilio retrying a webhook it thinks failed
        assert twilio_post(stack.rasa, params).status_code == 200
    settled(stack)
    assert user_turns(stack, "twilio", user) == ["hello"]
    assert len(provider_fakes.twilio.texts(user)) == len(bot_texts(stack, "twilio", user))
