"""Signposting: the right agency for a need that is not (only) a police matter.

The lead-in for each need is a retrieval response (data/responses/signpost.yml); the agencies,
their numbers, web addresses and hours come from the locator (reference/agencies.csv).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import locator_client
from actions.locator_client import LocationProblem, LocatorUnavailable
from actions.routing import retrieval_detail

MAX_AGENCIES = 3  # more than three options is hard to take in, especially in distress


def is_verified(agency: dict[str, Any]) -> bool:
    """The locator flags rows no source confirmed; their numbers are never shown."""
    return not agency.get("check_website_only", True)


def contact_line(agency: dict[str, Any]) -> str:
    parts = []
    if agency.get("phone"):
        parts.append(f"Phone: {agency['phone']}")
    if agency.get("text_or_other"):
        parts.append(str(agency["text_or_other"]))
    if agency.get("web"):
        parts.append(str(agency["web"]))
    if agency.get("hours"):
        parts.append(f"Open: {agency['hours']}")
    return "\n".join(parts)


def utter_agencies(dispatcher: CollectingDispatcher, agencies: list[dict[str, Any]]) -> None:
    """One message per agency. Unverified numbers are never shown (reference/README.md)."""
    for agency in agencies[:MAX_AGENCIES]:
        fields = {"name": agency["name"], "what_for": agency.get("what_for", "")}
        if is_verified(agency):
            dispatcher.utter_message(
                response="utter_signpost_agency", contact=contact_line(agency), **fields
            )
        else:
            dispatcher.utter_message(response="utter_signpost_agency_unverified", **fields)


class ActionSignpost(Action):
    def name(self) -> str:
        return "action_signpost"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        need = retrieval_detail(tracker)
        if need is None:
            # "Get support" button, or the selector could not tell: ask, don't guess.
            dispatcher.utter_message(response="utter_ask_support_need")
            return [SlotSet("route_detail", None)]
        await signpost(dispatcher, need)
        return [SlotSet("route_detail", need)]


async def signpost(dispatcher: CollectingDispatcher, need: str) -> None:
    """The lead-in for the need, then the agencies that help with it (from the locator)."""
    dispatcher.utter_message(response=f"utter_signpost/{need}")
    try:
        agencies = await locator_client.agencies_for_need(need)
    except (LocatorUnavailable, LocationProblem):
        dispatcher.utter_message(response="utter_signpost_unavailable")
    else:
        utter_agencies(dispatcher, agencies)
