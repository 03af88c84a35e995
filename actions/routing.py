"""Route-contract helpers that slot mappings cannot express, and the fallback ladder."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SlotSet, UserUtteranceReverted, UserUttered
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.handoff import ESCALATED, should_escalate, start_handoff

FALLBACK_INTENT = "nlu_fallback"
REQUEST_READING = "request_reading"
# Shorter messages are answers or chit-chat ("near Brixton", "no thanks"), not requests.
REQUEST_MIN_WORDS = 4
# Read again as "not something we can help with", a misunderstood report would be turned away:
# asking again costs less.
NOT_A_REREAD = "out_of_scope"


def retrieval_detail(tracker: Tracker) -> str | None:
    """'homelessness' for a message the response selector put under signpost/homelessness."""
    message = tracker.latest_message or {}
    intent = (message.get("intent") or {}).get("name")
    selectors = message.get("response_selector") or {}
    selector = selectors.get(intent) or selectors.get("default") or {}
    key = (selector.get("response") or {}).get("intent_response_key") or ""
    base, _, detail = key.partition("/")
    return detail if base == intent and detail else None


class ActionClearRouteDetail(Action):
    """Routes without a detail (emergency, out_of_scope) must not keep an earlier route's detail.

    Rasa's from_intent mappings cannot set a slot to null, so this runs right after the reply.
    """

    def name(self) -> str:
        return "action_clear_route_detail"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        return [SlotSet("route_detail", None)]


class ActionSetRouteDetail(Action):
    """For retrieval intents (complaint/corruption, information/recruitment...): the detail is
    the sub-intent the response selector chose, which slot mappings cannot read."""

    def name(self) -> str:
        return "action_set_route_detail"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        return [SlotSet("route_detail", retrieval_detail(tracker) or "other")]


def consecutive_fallbacks(tracker: Tracker) -> int:
    """How many user messages in a row, ending with the latest, the NLU did not understand."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        if (event.get("parse_data") or {}).get("intent", {}).get("name") != FALLBACK_INTENT:
            break
        count += 1
    return count


def read_as_request(tracker: Tracker) -> list[dict[str, Any]] | None:
    """A request the NLU read as an answer (`inform`) or did not understand, when no question
    was waiting: the message again, as its best request reading (bot/nlu/tfidf_classifier.py).
    Rasa then fills the slots from it as from any message (route, route_detail, location) and
    the rules answer the request. None when the message is short, a form is asking, or the best
    reading is that we cannot help."""
    message = tracker.latest_message or {}
    text = str(message.get("text") or "")
    reading = message.get(REQUEST_READING)
    if tracker.active_loop.get("name") or not reading or len(text.split()) < REQUEST_MIN_WORDS:
        return None
    if reading["intent"]["name"] == NOT_A_REREAD:
        return None
    parse = {key: value for key, value in message.items() if key != REQUEST_READING}
    channel = tracker.get_latest_input_channel()
    # Rasa's rewind also drops the `action_listen` before the message; it goes back, as in
    # Rasa's own two-stage fallback, so the re-read message starts a turn like any other.
    return [UserUtteranceReverted(),
            ActionExecuted("action_listen"),
            UserUttered(text, {**parse, **reading}, input_channel=channel),
            # Policies judge the re-read message by its intent, as Rasa does for any message.
            {"event": "user_featurization", "use_text_for_featurization": False}]


class ActionFallback(Action):
    """A long message read as an answer to nothing, or not understood, is read again as a
    request. Otherwise, first misunderstanding: ask again with the menu. Second in a row: offer a
    person. Third (or the first, when risk or vulnerability was seen): fetch a person
    (actions/handoff.py)."""

    def name(self) -> str:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        reread = read_as_request(tracker)
        if reread:
            return reread
        count = consecutive_fallbacks(tracker)
        if should_escalate(tracker, count):
            return start_handoff(dispatcher, tracker, ESCALATED)
        if count >= 2:
            dispatcher.utter_message(response="utter_offer_human")
        else:
            dispatcher.utter_message(response="utter_default")
        return []
