"""Messages fit for each app: numbered options, plain links, parts under the size limit."""

from __future__ import annotations

import pytest
import yaml

from bot.settings import ROOT
from channels.formatting import LIMITS, numbered_options, plain_links, split_message
from channels.twilio import render_twilio

EMERGENCY = yaml.safe_load((ROOT / "domain.yml").read_text())["responses"]["utter_emergency"][0][
    "text"]
BUTTONS = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]


def test_numbered_options_list_every_button_in_order() -> None:
    text = numbered_options("Is anyone hurt?", BUTTONS)
    assert text.startswith("Is anyone hurt?\n\n1. Yes\n2. No\n")
    assert numbered_options("Plain", []) == "Plain"


def test_links_are_plain() -> None:
    assert plain_links("See [Report Fraud](https://www.reportfraud.police.uk).") == (
        "See Report Fraud: https://www.reportfraud.police.uk.")
    assert plain_links("Go to <https://met.police.uk>") == "Go to https://met.police.uk"


def test_short_text_is_one_part() -> None:
    assert split_message("Hello.", 1600) == ["Hello."]
    assert split_message("   ", 1600) == []


@pytest.mark.parametrize("limit", [*sorted(set(LIMITS.values())), 120])
def test_long_text_splits_at_boundaries_under_the_limit(limit: int) -> None:
    paragraph = " ".join(f"Sentence number {i} says something useful." for i in range(40))
    text = "\n\n".join([paragraph, "Line one\nLine two", paragraph * 3])
    parts = split_message(text, limit)
    assert all(0 < len(p) <= limit for p in parts)
    # Nothing lost or reordered: the words read the same once the parts are put together.
    assert " ".join(" ".join(parts).split()) == " ".join(text.split())
    # Cuts fall between sentences (each part ends a sentence or a line), never mid-word.
    assert all(p.endswith((".", "two")) for p in parts)


def test_the_999_message_is_first_and_whole_even_in_a_long_reply() -> None:
    long_tail = "\n\n".join(["More help is below. " * 30] * 10)
    for limit in LIMITS.values():
        parts = split_message(EMERGENCY + "\n\n" + long_tail, limit)
        assert parts[0].startswith(EMERGENCY)
        assert "999" in parts[0] and "55" in parts[0] and "18000" in parts[0]


def test_sms_and_whatsapp_limits() -> None:
    text = "A sentence of words. " * 200  # 4,200 characters
    sms = render_twilio({"user": "+447700900123"}, {"text": text})
    whatsapp = render_twilio({"user": "whatsapp:+447700900123"}, {"text": text})
    assert len(sms) == 3 and all(len(p["Body"]) <= 1600 for p in sms)
    assert len(whatsapp) == 2 and all(len(p["Body"]) <= 4096 for p in whatsapp)
