"""A provider API that is down, slow or silent, and a burst of people, through the whole stack."""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor

import yaml

from bot.settings import ROOT
from bot.stack import Stack
from tests.channels.fakes import Fakes, messenger_post, telegram_post, twilio_post
from tests.channels.helpers import (
    bot_texts,
    new_chat_id,
    new_phone,
    new_psid,
    settled,
    user_turns,
)

EMERGENCY = yaml.safe_load((ROOT / "domain.yml").read_text())["responses"]["utter_emergency"][0][
    "text"]
_ids = itertools.count(10_000)


def telegram(stack: Stack, chat: int, text: str) -> None:
    body = {"update_id": next(_ids), "message": {"chat": {"id": chat}, "text": text}}
    answer = telegram_post(stack.rasa, body)
    assert answer.status_code == 200, answer.text


def test_a_provider_that_refuses_or_drops_gets_every_reply_once_in_order(
        stack: Stack, provider_fakes: Fakes) -> None:
    fake, chat = provider_fakes.telegram, new_chat_id()
    fake.misbehave(str(chat), "refuse", "drop", "refuse", "refuse", "drop")
    telegram(stack, chat, "I want to report a crime")
    settled(stack)
    said = bot_texts(stack, "telegram", chat)
    assert fake.texts(str(chat)) == said
    assert fake.attempts[str(chat)] == len(said) + 5  # each fault cost exactly one retry


def test_a_slow_provider_is_waited_for_not_sent_twice(stack: Stack, provider_fakes: Fakes
                                                      ) -> None:
    fake, chat = provider_fakes.telegram, new_chat_id()
    fake.misbehave(str(chat), "slow", "slow", "slow")
    telegram(stack, chat, "I want to report a crime")
    settled(stack)
    assert fake.texts(str(chat)) == bot_texts(stack, "telegram", chat)
    assert fake.attempts[str(chat)] == len(fake.texts(str(chat)))


def test_a_send_accepted_but_never_answered_is_the_one_case_sent_twice(
        stack: Stack, provider_fakes: Fakes) -> None:
    """The documented limit: no provider API takes an idempotency key, so after a timeout the
    bot cannot know whether the provider took the message; it sends again rather than risk
    losing it. The person sees that one message twice, and nothing else changes."""
    fake, chat = provider_fakes.telegram, new_chat_id()
    fake.misbehave(str(chat), "stall")
    telegram(stack, chat, "I want to report a crime")
    settled(stack)
    said = bot_texts(stack, "telegram", chat)
    assert fake.texts(str(chat)) == [said[0], *said]


def test_the_999_message_overtakes_replies_stuck_behind_a_down_provider(
        stack: Stack, provider_fakes: Fakes) -> None:
    fake, phone = provider_fakes.twilio, new_phone()
    fake.set_down(phone, True)
    ours = "+447700900999"
    for sid, body in (("SM" + "c" * 32, "I want to report a crime"),
                      ("SM" + "d" * 32, "he's back and he's got a knife")):
        answer = twilio_post(stack.rasa, {"From": phone, "To": ours, "Body": body,
                                          "MessageSid": sid})
        assert answer.status_code == 200
    fake.set_down(phone, False)
    settled(stack)
    sent = fake.texts(phone)
    assert sent[0] == EMERGENCY
    assert len(sent) == len(bot_texts(stack, "twilio", phone))  # nothing lost, nothing twice


BURST = ["hello", "where is the nearest police station to SE1 7PB",
         "I want to report a crime", "someone is breaking into my house right now",
         "what time does brixton police station open"]


def test_a_burst_of_100_people_each_get_their_own_replies(stack: Stack, provider_fakes: Fakes
                                                          ) -> None:
    people = []
    for i in range(100):
        channel = ("telegram", "twilio", "facebook")[i % 3]
        user = {"telegram": new_chat_id, "twilio": new_phone, "facebook": new_psid}[channel]()
        people.append((channel, user, BURST[i % len(BURST)]))

    def send(person: tuple[str, object, str]) -> int:
        channel, user, text = person
        if channel == "telegram":
            body = {"update_id": next(_ids), "message": {"chat": {"id": user}, "text": text}}
            return telegram_post(stack.rasa, body).status_code
        if channel == "twilio":
            return twilio_post(stack.rasa, {"From": str(user), "To": "+447700900999",
                                            "Body": text, "MessageSid": f"SM{next(_ids):032d}"}
                               ).status_code
        return messenger_post(stack.rasa, {"object": "page", "entry": [{"messaging": [
            {"sender": {"id": user}, "message": {"mid": f"m_{next(_ids)}", "text": text}}]}]}
        ).status_code

    with ThreadPoolExecutor(max_workers=25) as pool:
        assert set(pool.map(send, people)) == {200}
    settled(stack)
    fakes = {"telegram": provider_fakes.telegram, "twilio": provider_fakes.twilio,
             "facebook": provider_fakes.messenger}
    for channel, user, text in people:
        assert user_turns(stack, channel, user) == [text]
        said = bot_texts(stack, channel, user)
        sent = fakes[channel].texts(str(user))
        # This person's own replies, every one, in order (SMS adds numbered options after).
        assert len(sent) == len(said) > 0, (channel, text)
        assert all(s.startswith(b) for s, b in zip(sent, said)), (channel, text)
