"""Handoff to contact-centre staff: queue the conversation with a triage summary, stay quiet
while a person has it (except for the 999 safety net), and deliver what staff send.

The summary and suggested priority come from bot/staff/triage.py and triage_priority.yml; the
queue is bot/staff/queue.py (SQLite in RUN_DIR now; see there for the scale-out design). Logs
carry conversation ids and counts only, never what anyone said.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.staff import priority, triage
from bot.staff.queue import open_queue

log = logging.getLogger(__name__)
REQUESTED, ESCALATED = "requested", "escalated"
ESCALATE_AFTER = 3  # misunderstandings in a row before the assistant fetches a person itself
ESCALATE_AT_RISK_AFTER = 1  # ... and when the person may be at risk or vulnerable
AT_RISK_LEVEL = 2  # suggested priority at or above which (1 = most urgent) "at risk" applies
STAFF_INTENT = "staff_update"
EXTERNAL_TEXT = f"EXTERNAL: {STAFF_INTENT}"  # what Rasa's trigger_intent endpoint records
MAX_STAFF_TEXT = 2000


def _summary(tracker: Tracker, reason: str) -> dict[str, Any]:
    return triage.summarise(
        tracker.sender_id, list(tracker.events), dict(tracker.slots), reason,
        tracker.get_latest_input_channel(),
    )


def _enqueue(summary: dict[str, Any]) -> bool:
    try:
        entry = open_queue().enqueue(summary)
    except (sqlite3.Error, OSError) as error:
        log.error("handoff queue unavailable: %s", type(error).__name__)
        return False
    log.info("handoff queued: entry %s priority %s", entry.id, entry.priority)
    return True


def start_handoff(
    dispatcher: CollectingDispatcher, tracker: Tracker, reason: str
) -> list[dict[str, Any]]:
    """Queues the conversation and tells the person honestly what happens next."""
    summary = _summary(tracker, reason)
    if not _enqueue(summary):
        dispatcher.utter_message(response="utter_handoff_unavailable")
        return []
    dispatcher.utter_message(
        response="utter_handoff_escalated" if reason == ESCALATED else "utter_handoff_queued"
    )
    dispatcher.utter_message(response="utter_handoff_meanwhile")
    events: list[dict[str, Any]] = [
        SlotSet("handoff_active", True),
        SlotSet("handoff_reason", reason),
        # In the tracker too, so the event broker can feed the queue in the scale-out mode.
        SlotSet("handoff_summary", summary),
        SlotSet("route", "handoff"),
        SlotSet("route_detail", reason),
    ]
    if tracker.active_loop.get("name"):
        events += [ActiveLoop(None), SlotSet("requested_slot", None)]
    return events


def should_escalate(tracker: Tracker, fallbacks: int) -> bool:
    """Repeated misunderstanding escalates; sooner when risk or vulnerability was seen."""
    if tracker.get_slot("handoff_active"):
        return False
    if fallbacks >= ESCALATE_AFTER:
        return True
    if fallbacks < ESCALATE_AT_RISK_AFTER:
        return False
    events, slots = list(tracker.events), dict(tracker.slots)
    route, detail = triage.route_before_handoff(events)
    suggested = priority.suggest(priority.TriageFacts(
        route=route, detail=detail, flags=frozenset(triage.flags(events, slots)),
    ))
    return suggested.level <= AT_RISK_LEVEL


class ActionHandoff(Action):
    """The person asked for a person."""

    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        return start_handoff(dispatcher, tracker, REQUESTED)


class ActionHandoffListen(Action):
    """While staff have the conversation the assistant says nothing: the message is already in
    the tracker for staff; the queue notes it, and the route stays the handoff."""

    def name(self) -> str:
        return "action_handoff_listen"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        try:
            open_queue().record_person_message(tracker.sender_id)
        except (sqlite3.Error, OSError) as error:
            log.error("handoff queue unavailable: %s", type(error).__name__)
        reason = tracker.get_slot("handoff_reason") or REQUESTED
        return [SlotSet("route", "handoff"), SlotSet("route_detail", reason)]


class ActionHandoffRisk(Action):
    """An emergency while waiting for staff: the 999 message has gone; re-triage the entry so it
    rises to the top of the queue with the reason shown."""

    def name(self) -> str:
        return "action_handoff_risk"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        summary = _summary(tracker, tracker.get_slot("handoff_reason") or REQUESTED)
        if _enqueue(summary):
            open_queue().record_person_message(tracker.sender_id)
        return [SlotSet("handoff_summary", summary)]


def _entity(tracker: Tracker, name: str) -> str | None:
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == name and isinstance(entity.get("value"), str):
            return entity["value"]
    return None


def from_staff_console(tracker: Tracker) -> bool:
    """True only for the console's trigger_intent call. A person can type "/staff_update", but
    Rasa records typed text as typed; only the HTTP API (which needs the token) records this."""
    message = tracker.latest_message or {}
    return (
        (message.get("intent") or {}).get("name") == STAFF_INTENT
        and message.get("text") == EXTERNAL_TEXT
    )


class ActionStaffUpdate(Action):
    """Delivers what the staff console sent into the person's chat (joined, a message, handed
    back to the assistant, closed)."""

    def name(self) -> str:
        return "action_staff_update"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        if not from_staff_console(tracker):
            log.warning("staff_update not from the console in %s: ignored", tracker.sender_id)
            return []
        kind = _entity(tracker, "staff_event")
        if kind == "joined":
            dispatcher.utter_message(response="utter_handoff_staff_joined")
            return [SlotSet("handoff_active", True)]
        if kind == "message":
            text = (_entity(tracker, "staff_text") or "").strip()[:MAX_STAFF_TEXT]
            if text:
                dispatcher.utter_message(response="utter_staff_message", staff_text=text)
            return []
        if kind == "handback":
            dispatcher.utter_message(response="utter_handoff_handback")
            return [SlotSet("handoff_active", False), SlotSet("handoff_reason", None)]
        if kind == "closed":
            dispatcher.utter_message(response="utter_handoff_closed")
            return [SlotSet("handoff_active", False), SlotSet("handoff_reason", None)]
        return []
