"""Front-counter route: where the person is → the nearest counters, open now and 24/7."""

from __future__ import annotations

from datetime import date
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import locator_client
from actions.locator_client import LocationProblem, LocatorUnavailable

LOCATION_FORM = "counter_location_form"


def long_date(iso: str | None) -> str:
    """'2026-02-21' → '21 February 2026' (plain English; falls back to the raw value)."""
    try:
        day = date.fromisoformat(str(iso))
    except ValueError:
        return str(iso)
    return f"{day.day} {day:%B %Y}"


def weekly_text(weekly: list[dict[str, str]] | str | None) -> str:
    """[{day, hours}, ...] → 'Monday to Friday 10:00 to 22:00, Saturday and Sunday 09:00 to 19:00'.
    """
    if not isinstance(weekly, list):
        return str(weekly or "")
    runs: list[tuple[str, str, str]] = []  # (first day, last day, hours)
    for entry in weekly:
        if runs and runs[-1][2] == entry["hours"]:
            runs[-1] = (runs[-1][0], entry["day"], entry["hours"])
        else:
            runs.append((entry["day"], entry["day"], entry["hours"]))
    if len(runs) == 1 and len(weekly) == len(_DAYS):
        return f"every day, {runs[0][2]}"
    parts = []
    for first, last, hours in runs:
        joiner = "and" if _next(first) == last else "to"
        days = first if first == last else f"{first} {joiner} {last}"
        parts.append(f"{days} {hours}")
    return ", ".join(parts)


_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _next(day: str) -> str | None:
    return _DAYS[_DAYS.index(day) + 1] if day in _DAYS[:-1] else None


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


def _utter_problem(dispatcher: CollectingDispatcher, problem: LocationProblem, place: str) -> None:
    if problem.status == 404:
        dispatcher.utter_message(response="utter_location_not_found", place=place[:60])
    elif problem.status == 409 and problem.body.get("candidates"):
        buttons = [
            {"title": c["label"], "payload": f'/inform{{"location": "{c["label"]}"}}'}
            for c in problem.body["candidates"][:5]
        ]
        dispatcher.utter_message(response="utter_location_ambiguous", place=place[:60],
                                 buttons=buttons)
    else:  # outside the Met's area, City of London: the locator says where to go instead
        dispatcher.utter_message(response="utter_outside_met_area", detail=problem.detail)


def utter_nearest(dispatcher: CollectingDispatcher, result: dict[str, Any], place: str) -> None:
    counters = result.get("counters") or []
    if not counters:
        dispatcher.utter_message(response="utter_locator_unavailable")
        return
    first = counters[0]
    dispatcher.utter_message(
        response="utter_nearest_counter",
        place=(result.get("location") or {}).get("label", place),
        today_hours=first["today_hours"],
        open_now=_open_now_text(first),
        **_counter_fields(first),
    )
    all_day = result.get("nearest_24_7")
    if not first.get("open_now"):
        open_now = next((c for c in counters[1:] if c.get("open_now")), None)
        if open_now and (not all_day or open_now["id"] != all_day["id"]):
            dispatcher.utter_message(response="utter_nearest_open_now", **_counter_fields(open_now))
    if all_day and all_day["id"] != first["id"]:
        dispatcher.utter_message(response="utter_nearest_24_7", **_counter_fields(all_day))
    dispatcher.utter_message(
        response="utter_counter_data_notice", data_as_of=long_date(result.get("data_as_of"))
    )
    dispatcher.utter_message(response="utter_counter_services")


class ValidateCounterLocationForm(FormValidationAction):
    def name(self) -> str:
        return "validate_counter_location_form"

    async def validate_location(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        text = str(slot_value or "").strip()
        if not text:
            return {"location": None}
        try:
            await locator_client.geocode(text)
        except LocationProblem as problem:
            if problem.status in (404, 409):
                _utter_problem(dispatcher, problem, text)
                return {"location": None}
            # Understood but outside the Met's area: keep it, the lookup explains.
        except LocatorUnavailable:
            pass  # keep the answer; the lookup step gives the offline alternatives
        return {"location": text}


class ActionFindFrontCounter(Action):
    """Nearest counters to the location slot, or to coordinates shared by the browser."""

    def name(self) -> str:
        return "action_find_front_counter"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        lat, lon = tracker.get_slot("latitude"), tracker.get_slot("longitude")
        query = str(tracker.get_slot("location") or "").strip()
        try:
            if lat is not None and lon is not None and tracker.get_intent_of_latest_message() in (
                "share_location",
            ):
                result = await locator_client.nearest_to_point(float(lat), float(lon))
                place = "your location"
            else:
                result = await locator_client.nearest(query)
                place = query
        except LocatorUnavailable:
            dispatcher.utter_message(response="utter_locator_unavailable")
            return []
        except LocationProblem as problem:
            _utter_problem(dispatcher, problem, query or "your location")
            return [SlotSet("location", None)]
        utter_nearest(dispatcher, result, place)
        return []


class ActionCounterHours(Action):
    """'Is Wimbledon police station open?': a named counter's hours, or that it has closed."""

    def name(self) -> str:
        return "action_counter_hours"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        named = next(tracker.get_latest_entity_values("location"), None)
        if not named:
            # No station named: find the nearest, with its hours.
            return [FollowupAction(LOCATION_FORM)]
        try:
            matches = await locator_client.counters_named(named)
            if not matches:
                dispatcher.utter_message(response="utter_counter_name_not_found", place=named[:60])
                return [FollowupAction(LOCATION_FORM)]
            counter = await locator_client.counter(matches[0]["id"])
        except LocatorUnavailable:
            dispatcher.utter_message(response="utter_locator_unavailable")
            return []
        except LocationProblem:
            dispatcher.utter_message(response="utter_counter_name_not_found", place=named[:60])
            return []
        if counter.get("status") == "closed":
            nearest = counter.get("nearest_open") or {}
            dispatcher.utter_message(
                response="utter_counter_closed",
                name=counter["name"],
                closed_on=long_date(counter.get("closed_on")),
                nearest_name=nearest.get("name", "not known"),
                nearest_address=nearest.get("address", ""),
                nearest_postcode=nearest.get("postcode", ""),
            )
        else:
            dispatcher.utter_message(
                response="utter_counter_hours",
                name=counter["name"],
                address=counter["address"],
                postcode=counter["postcode"],
                weekly_hours=weekly_text(counter.get("weekly_hours")),
                today_hours=counter.get("today_hours", ""),
                open_now=_open_now_text(counter),
            )
        dispatcher.utter_message(
            response="utter_counter_data_notice", data_as_of=long_date(counter.get("data_as_of"))
        )
        return []
