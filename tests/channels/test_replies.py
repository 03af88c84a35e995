"""A reply picks an offered option by number or words; a shared location becomes a message."""

from __future__ import annotations

import json

import pytest

from channels.replies import location_message, offered_buttons, resolve_option

BUTTONS = [
    {"title": "Something was stolen", "payload": '/inform{"crime_type": "theft"}'},
    {"title": "Break-in at a home", "payload": '/inform{"crime_type": "burglary"}'},
]


@pytest.mark.parametrize("reply", ["1", " 1 ", "1.", "1)", "option 1"])
def test_a_number_picks_the_option(reply: str) -> None:
    assert resolve_option(reply, BUTTONS, numbered=True) == BUTTONS[0]["payload"]


@pytest.mark.parametrize(
    "reply", ["break-in at a home", "Break in at a home!", "BREAK-IN AT A HOME"]
)
def test_the_options_words_pick_it(reply: str) -> None:
    assert resolve_option(reply, BUTTONS, numbered=True) == BUTTONS[1]["payload"]
    assert resolve_option(reply, BUTTONS, numbered=False) == BUTTONS[1]["payload"]


@pytest.mark.parametrize("reply", ["3", "0", "my bike was stolen", "1 man had a knife"])
def test_anything_else_stays_as_typed(reply: str) -> None:
    assert resolve_option(reply, BUTTONS, numbered=True) == reply


def test_numbers_only_where_options_were_numbered() -> None:
    assert resolve_option("1", BUTTONS, numbered=False) == "1"
    assert resolve_option("1", [], numbered=True) == "1"


def test_offered_buttons_are_from_the_bots_latest_turn_only() -> None:
    asked = {"event": "bot", "text": "What happened?", "data": {"buttons": BUTTONS}}
    after = {"event": "bot", "text": "You can say stop.", "data": {}}
    user = {"event": "user", "text": "hi"}
    assert offered_buttons(reversed([user, asked, after])) == BUTTONS
    assert offered_buttons(reversed([asked, user])) == []
    assert offered_buttons([]) == []


def test_location_becomes_the_web_chats_share_location_message() -> None:
    message = location_message("51.4603", -0.0109)
    assert message is not None and message.startswith("/share_location{")
    assert json.loads(message[len("/share_location"):]) == {"latitude": 51.4603,
                                                            "longitude": -0.0109}


@pytest.mark.parametrize("lat,lon", [("x", 0), (None, 0), (91, 0), (0, 181), ("nan", 0)])
def test_junk_coordinates_are_not_a_location(lat: object, lon: object) -> None:
    assert location_message(lat, lon) is None
