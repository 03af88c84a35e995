"""Report-a-crime flow: validate the form, then say exactly where the report must go.

The assistant does not file reports with the police. It captures the facts, keeps them for
contact-centre staff with a conversation reference, and hands the person the right channel for
the crime type (actions/report_routes.yml → agencies in the locator).
"""

from __future__ import annotations

import logging
import re
import sqlite3
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import locator_client, report_store
from actions.locator_client import LocationProblem, LocatorUnavailable
from actions.routing import retrieval_detail
from actions.signposting import signpost, utter_agencies

log = logging.getLogger(__name__)
ROUTES_FILE = Path(__file__).with_name("report_routes.yml")
FORM_SLOTS = (
    "crime_type", "still_happening", "anyone_hurt", "crime_when", "crime_where",
    "crime_description", "wants_anonymous", "contact_consent", "contact_details",
)
MAX_TEXT = 500  # longest free-text answer kept
SURE = 0.8  # model confidence above which an emergency reading of a free-text answer is trusted
SIDE_QUESTION_INTENTS = {"information", "police_contact", "complaint", "signpost", "bot_challenge"}
QUESTION = re.compile(
    r"^(what|how|can|could|is|are|do|does|did|where|when|who|why|will|should|would)\b|.*\?$"
)
# UK phone: +44 or 0, then 9-10 digits (spaces, dashes, brackets allowed); or an email address.
PHONE = re.compile(r"^\(?(?:\+44\s?|0)(?:[\s()-]*\d){9,10}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")


@lru_cache(maxsize=1)
def report_routes() -> dict[str, Any]:
    return yaml.safe_load(ROUTES_FILE.read_text(encoding="utf-8"))


def crime_types() -> set[str]:
    return set(report_routes()["by_type"])


def channels_for(crime_type: str, anonymous: bool) -> list[str]:
    routes = report_routes()
    if anonymous:
        return list(routes["anonymous"])
    return list(routes["by_type"].get(crime_type, routes["default"]))


def _short(value: Any) -> str | None:
    text = " ".join(str(value or "").split())
    return text[:MAX_TEXT] or None


def danger_in_latest_message(tracker: Tracker) -> bool:
    """Present danger the safety net saw (its patterns or its detector), or that the model is
    sure of."""
    message = tracker.latest_message or {}
    intent = message.get("intent") or {}
    if intent.get("name") != "emergency":
        return False
    if (message.get("safety_net") or {}).get("reasons"):
        return True
    return float(intent.get("confidence") or 0) >= SURE


async def answered_side_question(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """A question asked instead of an answer ("what are my rights?") is answered, and the form
    asks its own question again; anything else typed while a question waits is the answer."""
    message = tracker.latest_message or {}
    intent = (message.get("intent") or {}).get("name")
    text = str(message.get("text") or "").strip().lower()
    if intent not in SIDE_QUESTION_INTENTS or not QUESTION.match(text):
        return False
    if intent == "bot_challenge":
        dispatcher.utter_message(response="utter_iamabot")
        return True
    detail = retrieval_detail(tracker)
    if detail is None:
        return False
    if intent == "signpost":
        await signpost(dispatcher, detail)
    else:
        dispatcher.utter_message(response=f"utter_{intent}/{detail}")
    return True


class ValidateCrimeReportForm(FormValidationAction):
    def name(self) -> str:
        return "validate_crime_report_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """Drops questions that no longer apply: none after danger, no contact if anonymous."""
        danger = ("still_happening", "anyone_hurt")
        if any(tracker.get_slot(s) for s in danger):
            # 999 has been given; the report ends here. The answered danger slots stay listed
            # because rasa_sdk only validates (and so acts on) slots that are still required.
            return [s for s in danger if tracker.get_slot(s) is not None]
        slots = list(domain_slots)
        if tracker.get_slot("wants_anonymous"):
            slots = [s for s in slots if s not in ("contact_consent", "contact_details")]
        elif tracker.get_slot("contact_consent") is False:
            slots = [s for s in slots if s != "contact_details"]
        return slots

    async def validate_crime_type(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        if await answered_side_question(dispatcher, tracker):
            return {"crime_type": None}
        value = str(slot_value or "").strip().lower()
        detail = value if value in crime_types() else "other"
        return {"crime_type": detail, "route_detail": detail}

    async def _danger_answer(
        self, slot: str, slot_value: Any, dispatcher: CollectingDispatcher
    ) -> dict[str, Any]:
        if slot_value is True:
            # Present danger: 999 first, and the route changes on this very turn.
            dispatcher.utter_message(response="utter_emergency")
            return {slot: True, "route": "emergency", "route_detail": None}
        if slot_value is False:
            return {slot: False}
        dispatcher.utter_message(response="utter_answer_not_understood")
        return {slot: None}

    async def validate_still_happening(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        return await self._danger_answer("still_happening", slot_value, dispatcher)

    async def validate_anyone_hurt(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        return await self._danger_answer("anyone_hurt", slot_value, dispatcher)

    async def validate_crime_when(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        if await answered_side_question(dispatcher, tracker):
            return {"crime_when": None}
        return {"crime_when": _short(slot_value) or "not known"}

    async def validate_crime_where(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        if await answered_side_question(dispatcher, tracker):
            return {"crime_where": None}
        return {"crime_where": _short(slot_value) or "not known"}

    async def validate_crime_description(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        if danger_in_latest_message(tracker):
            answer = await self._danger_answer("still_happening", True, dispatcher)
            return {**answer, "crime_description": None}
        if await answered_side_question(dispatcher, tracker):
            return {"crime_description": None}
        return {"crime_description": _short(slot_value) or "not given"}

    async def validate_contact_details(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        value = str(slot_value or "").strip()
        if PHONE.match(value) or EMAIL.match(value):
            return {"contact_details": value}
        if danger_in_latest_message(tracker):
            # Not a contact detail, and it reads as danger: 999 first, and the report ends
            # here like any other answer about present danger.
            answer = await self._danger_answer("still_happening", True, dispatcher)
            return {**answer, "contact_details": None}
        dispatcher.utter_message(response="utter_contact_details_invalid")
        return {"contact_details": None}


class ActionSubmitCrimeReport(Action):
    """Stores what the person said and tells them exactly where the report must go."""

    def name(self) -> str:
        return "action_submit_crime_report"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        slot = tracker.get_slot
        in_danger = bool(slot("still_happening") or slot("anyone_hurt"))
        crime_type = slot("crime_type") or "other"
        anonymous = bool(slot("wants_anonymous"))
        channels = channels_for(crime_type, anonymous)
        report = report_store.CrimeReport(
            reference=report_store.new_reference(),
            conversation_id=tracker.sender_id,
            crime_type=crime_type,
            crime_when=slot("crime_when"),
            crime_where=slot("crime_where"),
            description=slot("crime_description"),
            still_happening=slot("still_happening"),
            anyone_hurt=slot("anyone_hurt"),
            anonymous=anonymous,
            contact_consent=slot("contact_consent"),
            contact_details=slot("contact_details"),
            channels=",".join(channels),
            status="emergency" if in_danger else "captured",
        )
        saved = True
        try:
            report_store.save(report)
        except (sqlite3.Error, OSError) as error:
            # The person still gets where to report; staff lose this copy, so say so loudly.
            log.error("could not store crime report: %s", type(error).__name__)
            saved = False

        if in_danger:
            if saved:
                dispatcher.utter_message(
                    response="utter_report_emergency_saved", report_reference=report.reference
                )
        else:
            if saved:
                dispatcher.utter_message(
                    response="utter_report_saved", report_reference=report.reference
                )
            else:
                dispatcher.utter_message(response="utter_report_store_unavailable")
            if anonymous:
                dispatcher.utter_message(response="utter_report_anonymous")
            await _utter_channels(dispatcher, channels)
            dispatcher.utter_message(response="utter_report_next_steps")
        # Clear the form so a second report in the same conversation starts fresh.
        events = [SlotSet(name, None) for name in FORM_SLOTS]
        return [*events, SlotSet("report_reference", report.reference if saved else None)]


async def _utter_channels(dispatcher: CollectingDispatcher, channels: list[str]) -> None:
    try:
        agencies = await locator_client.agencies_by_id(channels)
    except (LocatorUnavailable, LocationProblem):
        dispatcher.utter_message(response="utter_signpost_unavailable")
        return
    utter_agencies(dispatcher, agencies)
