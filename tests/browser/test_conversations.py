"""A full conversation for each main route, in a real browser through the real stack, checking
what the person sees and what the assistant decided (the route contract, read from Rasa)."""

from __future__ import annotations

import re

from tests.browser.conftest import Chat

REFERENCE = re.compile(r"MET-[0-9A-Z]{4}-[0-9A-Z]{4}")
LEWISHAM = {"latitude": 51.4603, "longitude": -0.0109}


def test_crime_report_with_buttons_to_the_end(chat: Chat) -> None:
    chat.open()
    chat.say("I want to report a crime", expect="What happened?")
    assert chat.reply_button("Something was stolen").is_visible()
    chat.click("Something was stolen", expect="still happening")
    # The person sees the button's title, not its payload.
    assert chat.user.last.inner_text().endswith("Something was stolen")
    chat.click("No", expect="anyone hurt")
    chat.click("No", expect="When did it happen")
    chat.say("yesterday evening", expect="Where did it happen")
    chat.say("outside Brixton station", expect="what happened")
    chat.click("Skip", expect="anonymous")
    chat.click("No", expect="contact you")
    final = chat.click("No", expect="have not sent this to the police")
    assert REFERENCE.search(final), final
    assert not chat.banner.is_visible()
    slots = chat.slots()
    assert (slots["route"], slots["route_detail"]) == ("report_crime", "theft")
    # Links in replies are real, safe links that open in a new tab.
    link = chat.page.locator("#conversation a[href*='met.police.uk']").first
    assert link.get_attribute("target") == "_blank"
    assert set(link.get_attribute("rel").split()) >= {"noopener", "noreferrer"}
    assert link.get_attribute("href").startswith("https://")


def test_front_counter_by_place_name(chat: Chat) -> None:
    chat.open()
    chat.click("Find a police station", expect="postcode")
    chat.say("Lewisham", expect="Lewisham Police Station")
    assert (chat.slots()["route"], chat.slots()["route_detail"]) == ("front_counter", "nearest")


def test_front_counter_by_browser_location_after_consent(context_for, stack) -> None:
    context = context_for(permissions=["geolocation"], geolocation=LEWISHAM)
    chat = Chat(context.new_page(), stack).open()
    use = chat.page.get_by_role("button", name="Use my location to find a front counter")
    use.click()
    consent = chat.page.locator("#location-consent")
    assert consent.is_visible() and "nearest to you" in consent.inner_text()
    assert use.get_attribute("aria-expanded") == "true"
    chat._turn(lambda: chat.page.get_by_role("button", name="Share my location").click(),
               expect="Lewisham Police Station")
    assert "My location" in chat.user.last.inner_text()
    assert (chat.slots()["route"], chat.slots()["route_detail"]) == ("front_counter", "nearest")


def test_refused_location_says_what_to_do_instead(context_for, stack) -> None:
    chat = Chat(context_for(permissions=[]).new_page(), stack).open()
    chat.page.get_by_role("button", name="Use my location to find a front counter").click()
    chat.page.get_by_role("button", name="Share my location").click()
    chat.page.get_by_text("Your location was not shared").wait_for()
    assert chat.page.evaluate("() => window.metChat.pending") == 0  # nothing was sent


def test_signposting(chat: Chat) -> None:
    chat.open()
    chat.say("my neighbours play really loud music every single night", expect="council")
    assert chat.slots()["route"] == "signpost"
    assert not chat.banner.is_visible()


def test_emergency_shows_the_999_banner_at_once(chat: Chat) -> None:
    chat.open()
    assert not chat.banner.is_visible()
    chat.say("someone is breaking into my house right now", expect="Call 999")
    assert chat.banner.is_visible()
    assert "999" in chat.banner.inner_text() and "55" in chat.banner.inner_text()
    assert chat.banner.get_by_role("link", name="Call 999").get_attribute("href") == "tel:999"
    assert chat.slots()["route"] == "emergency"


def test_emergency_typed_in_the_middle_of_a_crime_report(chat: Chat) -> None:
    chat.open()
    chat.say("my bike was stolen yesterday", expect="still happening")
    assert not chat.banner.is_visible()
    chat.say("he's back and he's got a knife", expect="Call 999")
    assert chat.banner.is_visible()
    assert chat.slots()["route"] == "emergency"
    # The banner stays as the conversation goes on, and scrolls with the page (sticky).
    chat.say("where is the nearest police station", expect="postcode")
    chat.page.mouse.wheel(0, 2000)
    assert chat.banner.is_visible()
    box = chat.banner.bounding_box()
    assert box is not None and 0 <= box["y"] < chat.page.viewport_size["height"], box
    chat.screenshot("emergency-desktop")
