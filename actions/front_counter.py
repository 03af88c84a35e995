"""Front-counter route: validate where the person is, then name the nearest counters."""

from __future__ import annotations

from datetime import date
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import locator_client
from actions.locator_client import LocationProblem, LocatorUnavailable


def _long_date(iso: str) -> str:
    """'2026-02-21' → '21 February 2026' (plain English; falls back to the raw value)."""
    try:
        day = date.fromisoformat(iso)
    except (TypeError, ValueError):
        return str(iso)
    return f"{day.day} {day:%B %Y}"


def _open_now_text(counter: dict[str, Any]) -> str:
    """' (open now)' / ' (closed now)'; nothing for a 24/7 counter, whose hours already say it."""
    if counter.get("is_24_7"):
        return ""
    return " (open now)" if counter.get("open_now") else " (closed now)"


def _counter_fields(counter: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": counter["name"],
        "address": counter["address"],
        "postcode": counter["postcode"],
        "distance": f"{counter['distance_miles']:.1f}",
    }


class ValidateCounterLocationForm(FormValidationAction):
    def name(self) -> str:
        return "validate_counter_location_form"

    async def validate_location(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        text = str(slot_value or "").strip()
        if not text:
            return {"location": None}
        try:
            await locator_client.geocode(text)
        except LocationProblem as problem:
            if problem.status == 404:
                dispatcher.utter_message(response="utter_location_not_found", place=text[:60])
                return {"location": None}
            # Understood but outside the Met's area: keep it, the lookup explains.
            return {"location": text}
        except LocatorUnavailable:
            # Keep the answer; the lookup step gives the offline alternatives.
            return {"location": text}
        return {"location": text}


class ActionFindFrontCounter(Action):
    def name(self) -> str:
        return "action_find_front_counter"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        query = str(tracker.get_slot("location") or "").strip()
        events = [SlotSet("route", "front_counter"), SlotSet("route_detail", "nearest")]
        try:
            result = await locator_client.nearest(query)
        except LocatorUnavailable:
            dispatcher.utter_message(response="utter_locator_unavailable")
            return events
        except LocationProblem as problem:
            if problem.status == 404:
                dispatcher.utter_message(response="utter_location_not_found", place=query[:60])
            else:
                dispatcher.utter_message(response="utter_outside_met_area", detail=problem.detail)
            return [*events, SlotSet("location", None)]

        counters = result.get("counters") or []
        if not counters:
            dispatcher.utter_message(response="utter_locator_unavailable")
            return events
        first = counters[0]
        dispatcher.utter_message(
            response="utter_nearest_counter",
            place=result.get("location", {}).get("label", query),
            today_hours=first["today_hours"],
            open_now=_open_now_text(first),
            **_counter_fields(first),
        )
        all_day = result.get("nearest_24_7")
        if all_day and all_day["id"] != first["id"]:
            dispatcher.utter_message(response="utter_nearest_24_7", **_counter_fields(all_day))
        dispatcher.utter_message(
            response="utter_counter_data_notice", data_as_of=_long_date(result.get("data_as_of"))
        )
        return events
