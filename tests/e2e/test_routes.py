"""Signposting, police contact, complaints, information, front counters, repair: one conversation
per route through the live stack, checking the route contract on the deciding turn."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Stack, text_of


@pytest.mark.parametrize(
    ("message", "route", "detail", "says"),
    [
        ("I've been feeling really low and I keep thinking about ending it all",
         "signpost", "suicidal_thoughts", "116 123"),
        ("my neighbours play really loud music every single night",
         "signpost", "noise_nuisance", "council"),
        ("there's a man sleeping rough in the doorway by my flat, who can help him",
         "signpost", "homelessness", "StreetLink"),
        ("what's the non emergency number for the police", "police_contact",
         "non_emergency_101", "101"),
        ("I'm deaf, how can I contact the police", "police_contact", "accessibility", "18000"),
        ("I want to complain about how an officer spoke to me", "complaint",
         "officer_conduct", "complain"),
        ("I think a police officer is taking bribes", "complaint", "corruption", "0800"),
        ("what are my rights during a stop and search", "information", "stop_and_search",
         "search"),
        ("how do I join the met as a police officer", "information", "recruitment", "met"),
        ("I want to speak to a real person not a bot", "handoff", "requested", "101"),
        ("what's the weather going to be like tomorrow", "out_of_scope", None, "999"),
    ],
)
def test_route_and_reply(stack: Stack, message: str, route: str, detail: str | None,
                         says: str) -> None:
    sender, replies = stack.say(message)
    assert says.lower() in text_of(replies).lower(), text_of(replies)
    slots = stack.slots(sender)
    assert (slots["route"], slots["route_detail"]) == (route, detail)


def test_suicidal_feelings_are_not_treated_as_an_emergency_but_name_999(stack: Stack) -> None:
    sender, replies = stack.say("i dont want to be here anymore, i think about it most days")
    text = text_of(replies)
    assert "999" in text and "116 123" in text
    assert stack.slots(sender)["route"] == "signpost"


def test_signposting_shows_only_verified_contact_details(stack: Stack) -> None:
    _, replies = stack.say("I'm worried my elderly neighbour is being taken advantage of")
    text = text_of(replies)
    assert "Phone:" in text or "check" in text.lower()


def test_closed_counter_says_when_it_closed_and_where_to_go(stack: Stack) -> None:
    sender, replies = stack.say("is wimbledon police station open")
    text = text_of(replies)
    assert "closed on 28 February 2026" in text
    assert "nearest open counter" in text
    slots = stack.slots(sender)
    assert (slots["route"], slots["route_detail"]) == ("front_counter", "opening_hours")


def test_open_counter_hours(stack: Stack) -> None:
    _, replies = stack.say("what time does brixton police station open")
    text = text_of(replies)
    assert "Brixton Police Station" in text
    assert "10:00" in text and "22:00" in text


def test_browser_location_finds_the_nearest_counter(stack: Stack) -> None:
    sender, replies = stack.say('/share_location{"latitude": 51.4603, "longitude": -0.0109}')
    assert "Lewisham Police Station" in text_of(replies)
    assert (stack.slots(sender)["route"], stack.slots(sender)["route_detail"]) == (
        "front_counter", "nearest")


def test_a_place_name_with_a_typo_is_understood(stack: Stack) -> None:
    sender, _ = stack.say("where is the nearest police station")
    _, replies = stack.say("Lewisahm", sender)
    assert "Lewisham Police Station" in text_of(replies)


def test_two_misunderstandings_offer_a_person(stack: Stack) -> None:
    # The NLU's own low-confidence intent, sent directly: this checks the dialogue's repair
    # ladder, whatever the model makes of any particular string.
    sender, first = stack.say("/nlu_fallback")
    assert "didn't understand" in text_of(first)
    _, second = stack.say("/nlu_fallback", sender)
    text = text_of(second)
    assert "talk to a person" in text.lower()
    assert any(b["payload"] == "/request_human" for r in second for b in r.get("buttons", []))


def test_start_again_resets_the_conversation(stack: Stack) -> None:
    sender, _ = stack.say("my phone was stolen")
    _, replies = stack.say("start again", sender)
    assert "start again" in text_of(replies).lower()
    tracker = stack.tracker(sender)
    assert not tracker["active_loop"]
    assert tracker["slots"]["crime_type"] is None


@pytest.mark.parametrize("gibberish", ["blorp zzkx qwerty", "asdfghjkl", "???", "🤷🤷"])
def test_gibberish_gets_a_calm_reply_and_no_route(stack: Stack, gibberish: str) -> None:
    sender, replies = stack.say(gibberish)
    assert replies and "Traceback" not in text_of(replies)
    assert stack.slots(sender)["route"] in (None, "out_of_scope")


def _user_intents(stack: Stack, sender: str) -> list[str]:
    return [e["parse_data"]["intent"]["name"] for e in stack.tracker(sender)["events"]
            if e["event"] == "user"]


def test_a_description_sent_first_is_read_again_as_a_report(stack: Stack) -> None:
    # Worded like an answer to "what happened?" (the model reads it as `inform`; if a data change
    # makes it read as a report at once, pick another such message: this tests the re-reading).
    text = "he had a grey hoodie and a scar on his cheek"
    sender, replies = stack.say(text)
    assert _user_intents(stack, sender) == ["inform", "report_crime"]
    assert stack.slots(sender)["route"] == "report_crime"
    assert "didn't understand" not in text_of(replies)
    assert stack.tracker(sender)["active_loop"]["name"] == "crime_report_form"


def test_a_short_answer_to_nothing_is_asked_again(stack: Stack) -> None:
    sender, replies = stack.say("near Brixton")
    assert _user_intents(stack, sender) == ["inform"]
    assert "didn't understand" in text_of(replies)
    assert stack.slots(sender)["route"] is None
