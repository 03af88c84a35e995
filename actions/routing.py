"""Route-contract helpers that slot mappings cannot express, and the fallback ladder."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.handoff import ESCALATED, should_escalate, start_handoff

FALLBACK_INTENT = "nlu_fallback"


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


class ActionFallback(Action):
    """First misunderstanding: ask again with the menu. Second in a row: offer a person. Third
    (or the first, when risk or vulnerability was seen): fetch a person (actions/handoff.py)."""

    def name(self) -> str:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        count = consecutive_fallbacks(tracker)
        if should_escalate(tracker, count):
            return start_handoff(dispatcher, tracker, ESCALATED)
        if count >= 2:
            dispatcher.utter_message(response="utter_offer_human")
        else:
            dispatcher.utter_message(response="utter_default")
        return []
