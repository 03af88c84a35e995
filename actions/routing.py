"""Route-contract helpers that slot mappings cannot express."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict


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
