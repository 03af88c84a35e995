"""What each provider's webhook body means: who wrote, what, and which message it was."""

from __future__ import annotations

from channels.facebook import parse_messenger, render_messenger
from channels.replies import location_message
from channels.telegram import TelegramChannel, render_telegram
from channels.twilio import TwilioChannel

BUTTONS = [{"title": "Something was stolen from me today", "payload": "/inform"},
           {"title": "No", "payload": "/deny"}]


def test_twilio_text_and_whatsapp_location() -> None:
    sms = TwilioChannel.parse({"From": ["+447700900123"], "To": ["+447700900000"],
                               "Body": ["hi ¡ you"], "MessageSid": ["SM1"]})
    assert sms is not None
    assert (sms.message_id, sms.text) == ("SM1", "hi @ you")
    assert sms.address == {"user": "+447700900123", "from": "+447700900000"}
    pin = TwilioChannel.parse({"From": "whatsapp:+447700900123", "To": "whatsapp:+14155238886",
                               "Latitude": "51.5", "Longitude": "-0.12", "MessageSid": "SM2",
                               "Body": ""})
    assert pin is not None and pin.text == location_message(51.5, -0.12)
    photo = TwilioChannel.parse({"From": "+44", "To": "+44", "Body": "", "MessageSid": "SM3"})
    assert photo is not None and photo.text is None
    assert TwilioChannel.parse({"Body": "no sender"}) is None


def test_telegram_text_location_button_and_edits() -> None:
    text = TelegramChannel.parse({"update_id": 7, "message": {"chat": {"id": 42}, "text": "hi"}})
    assert text is not None and (text.message_id, text.address, text.text) == (
        "7", {"user": 42}, "hi")
    pin = TelegramChannel.parse({"update_id": 8, "message": {
        "chat": {"id": 42}, "location": {"latitude": 51.46, "longitude": -0.01}}})
    assert pin is not None and pin.text == location_message(51.46, -0.01)
    tap = TelegramChannel.parse({"update_id": 9, "callback_query": {
        "data": "/affirm", "message": {"chat": {"id": 42}}}})
    assert tap is not None and tap.is_payload and tap.text == "/affirm"
    assert TelegramChannel.parse({"update_id": 10, "edited_message": {
        "chat": {"id": 42}, "text": "edited"}}) is None
    sticker = TelegramChannel.parse({"update_id": 11, "message": {"chat": {"id": 42},
                                                                  "sticker": {}}})
    assert sticker is not None and sticker.text is None


def test_messenger_batch_quick_reply_location_and_echoes() -> None:
    payload = {"object": "page", "entry": [{"messaging": [
        {"sender": {"id": "1"}, "message": {"mid": "m1", "text": "hello"}},
        {"sender": {"id": "2"}, "message": {"mid": "m2", "text": "No",
                                            "quick_reply": {"payload": "/deny"}}},
        {"sender": {"id": "3"}, "message": {"mid": "m3", "attachments": [
            {"type": "location", "payload": {"coordinates": {"lat": 51.5, "long": -0.1}}}]}},
        {"sender": {"id": "page"}, "message": {"mid": "m4", "text": "ours", "is_echo": True}},
        {"sender": {"id": "1"}, "delivery": {"mids": ["m0"]}},
        {"sender": {"id": "4"}, "postback": {"mid": "m5", "payload": "/greet"}},
    ]}]}
    found = parse_messenger(payload)
    assert [(i.address["user"], i.text, i.is_payload) for i in found] == [
        ("1", "hello", False), ("2", "/deny", True), ("3", location_message(51.5, -0.1), False),
        ("4", "/greet", True)]
    assert [i.message_id for i in found] == ["m1", "m2", "m3", "m5"]


def test_telegram_and_messenger_render_options_on_the_last_part() -> None:
    message = {"text": "Question? " * 500, "buttons": BUTTONS}
    telegram = render_telegram({"user": 1}, message)
    assert len(telegram) == 2 and "reply_markup" not in telegram[0]
    assert telegram[-1]["reply_markup"]["keyboard"][1] == [{"text": "No"}]
    messenger = render_messenger({"user": "1"}, message)
    assert len(messenger) == 3 and all(len(p["text"]) <= 2000 for p in messenger)
    replies = messenger[-1]["quick_replies"]
    assert [r["payload"] for r in replies] == ["/inform", "/deny"]
    assert all(len(r["title"]) <= 20 for r in replies)
