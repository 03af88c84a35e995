"""Telegram through the whole stack, with a local fake of the Bot API."""

from __future__ import annotations

import itertools

from bot.stack import Stack
from tests.channels.fakes import Fakes, telegram_post
from tests.channels.helpers import bot_texts, new_chat_id, sender_id, settled, user_turns

_updates = itertools.count(1)


def update(chat: int, **message: object) -> dict:
    return {"update_id": next(_updates), "message": {"message_id": 1, "chat": {"id": chat},
                                                     **message}}


def say(stack: Stack, body: dict) -> None:
    answer = telegram_post(stack.rasa, body)
    assert answer.status_code == 200, answer.text
    settled(stack)


def test_replies_arrive_in_order_with_options_as_a_keyboard(stack: Stack, provider_fakes: Fakes
                                                            ) -> None:
    chat = new_chat_id()
    say(stack, update(chat, text="I want to report a crime"))
    sent = provider_fakes.telegram.received(str(chat))
    assert [r.text for r in sent] == bot_texts(stack, "telegram", chat)
    keyboard = sent[-1].raw["reply_markup"]["keyboard"]
    assert keyboard[0] == [{"text": "Something was stolen"}]
    assert "parse_mode" not in sent[-1].raw  # plain text: nothing is read as markup

    say(stack, update(chat, text="Something was stolen"))  # what the keyboard sends back
    assert stack.slots(sender_id(stack, "telegram", chat))["crime_type"] == "theft"


def test_a_shared_location_finds_the_nearest_counter(stack: Stack, provider_fakes: Fakes
                                                     ) -> None:
    chat = new_chat_id()
    say(stack, update(chat, text="where is the nearest police station"))
    say(stack, update(chat, location={"latitude": 51.4603, "longitude": -0.0109}))
    assert "Lewisham Police Station" in "\n".join(provider_fakes.telegram.texts(str(chat)))
    slots = stack.slots(sender_id(stack, "telegram", chat))
    assert (slots["route"], slots["route_detail"]) == ("front_counter", "nearest")


def test_without_the_secret_token_nothing_is_processed(stack: Stack, provider_fakes: Fakes
                                                       ) -> None:
    chat = new_chat_id()
    for secret in (None, "", "telegram-test-secret_2"):
        answer = telegram_post(stack.rasa, update(chat, text="hello"), secret=secret)
        assert answer.status_code == 403
    settled(stack)
    assert user_turns(stack, "telegram", chat) == []
    assert provider_fakes.telegram.texts(str(chat)) == []


def test_a_redelivered_update_is_answered_once(stack: Stack, provider_fakes: Fakes) -> None:
    chat = new_chat_id()
    body = update(chat, text="hello")
    say(stack, body)
    say(stack, body)
    assert user_turns(stack, "telegram", chat) == ["hello"]
    assert provider_fakes.telegram.texts(str(chat)) == bot_texts(stack, "telegram", chat)
