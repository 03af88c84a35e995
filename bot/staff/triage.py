"""The triage summary staff read instead of a transcript: built from a conversation's events.

Pure functions over Rasa's event dicts (as the action server and the tracker API give them), so
the same code serves the handoff action now and a broker consumer in the scale-out mode.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from bot.staff import priority
from bot.staff.events import applied

MAX_FACT = 300  # characters of free text kept per fact
MAX_TOLD = 12  # bot messages summarised
HANDOFF_ROUTE = "handoff"
FALLBACK_INTENT = "nlu_fallback"
# Slots that are facts staff need, in the order the console shows them. Contact details are never
# copied here: they stay in the stored report, and only when the person consented.
FACT_SLOTS = (
    "crime_type", "still_happening", "anyone_hurt", "crime_when", "crime_where",
    "crime_description", "wants_anonymous", "contact_consent", "report_reference", "location",
)


def _short(value: Any) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= MAX_FACT else text[: MAX_FACT - 1] + "…"


@lru_cache(maxsize=1)
def _text_patterns() -> dict[str, re.Pattern[str]]:
    return {
        flag: re.compile(pattern, re.IGNORECASE)
        for flag, pattern in priority.load_rules().get("flags_from_text", {}).items()
    }


def _user_events(events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    # External events (a staff update, a reminder) are not the person speaking.
    return [
        e for e in applied(events)
        if e.get("event") == "user" and not str(e.get("text") or "").startswith("EXTERNAL:")
    ]


def _intent(event: dict[str, Any]) -> str | None:
    return ((event.get("parse_data") or {}).get("intent") or {}).get("name")


def route_before_handoff(events: Iterable[dict[str, Any]]) -> tuple[str | None, str | None]:
    """The last route decision that was not the handoff itself."""
    route = detail = None
    before: tuple[str | None, str | None] = (None, None)
    for event in applied(events):
        if event.get("event") == "restart":
            route = detail = None
            before = (None, None)
        if event.get("event") != "slot":
            continue
        if event.get("name") == "route":
            route = event.get("value")
        elif event.get("name") == "route_detail":
            detail = event.get("value")
        else:
            continue
        if route and route != HANDOFF_ROUTE:
            before = (route, detail)
    return before


def consecutive_fallbacks(events: list[dict[str, Any]]) -> int:
    count = 0
    for event in reversed(_user_events(events)):
        if _intent(event) != FALLBACK_INTENT:
            break
        count += 1
    return count


def flags(events: list[dict[str, Any]], slots: dict[str, Any]) -> set[str]:
    """Risk and vulnerability flags (names used by triage_priority.yml)."""
    rules = priority.load_rules()
    found: set[str] = set()
    users = _user_events(events)
    for event in users:
        if _intent(event) == "emergency":
            found.add("emergency_said")
        if ((event.get("parse_data") or {}).get("safety_net") or {}).get("reasons"):
            found.add("danger_words")
        text = str(event.get("text") or "")
        found.update(flag for flag, rx in _text_patterns().items() if rx.search(text))
    if slots.get("still_happening") is True:
        found.add("still_happening")
    if slots.get("anyone_hurt") is True:
        found.add("someone_hurt")
    details = {
        e.get("value") for e in applied(events)
        if e.get("event") == "slot" and e.get("name") in ("route_detail", "crime_type")
    }
    found.update(
        flag for detail, flag in rules.get("flags_from_details", {}).items() if detail in details
    )
    fallbacks = sum(1 for e in users if _intent(e) == FALLBACK_INTENT)
    if consecutive_fallbacks(events) >= 2 or fallbacks >= 3:
        found.add("not_understood")
    return found


def told(events: Iterable[dict[str, Any]]) -> list[dict[str, str]]:
    """What the assistant already said, one line per response, latest last."""
    seen: dict[str, str] = {}
    for event in applied(events):
        if event.get("event") == "restart":
            seen.clear()
        if event.get("event") != "bot" or not event.get("text"):
            continue
        name = (event.get("metadata") or {}).get("utter_action") or "message"
        seen.pop(name, None)
        seen[name] = _short(event["text"])
    return [{"response": n, "text": t} for n, t in list(seen.items())[-MAX_TOLD:]]


def summarise(
    conversation_id: str,
    events: list[dict[str, Any]],
    slots: dict[str, Any],
    reason: str,
    channel: str | None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The triage summary for one conversation; `reason` is requested or escalated."""
    route, detail = route_before_handoff(events)
    raised = flags(events, slots)
    users = _user_events(events)
    facts = {
        name: _short(slots[name]) if isinstance(slots[name], str) else slots[name]
        for name in FACT_SLOTS if slots.get(name) is not None
    }
    if slots.get("contact_consent") and slots.get("contact_details"):
        facts["contact_details"] = "given, with consent (in the stored report)"
    suggested = priority.suggest(priority.TriageFacts(
        route=route, detail=detail, flags=frozenset(raised), escalated=reason == "escalated",
    ))
    return {
        "conversation_id": conversation_id,
        "reason": reason,
        "channel": channel,
        "route": route,
        "route_detail": detail,
        "location": facts.get("location") or facts.get("crime_where"),
        "flags": sorted(raised),
        "safety_net_reasons": sorted({
            r for e in users
            for r in ((e.get("parse_data") or {}).get("safety_net") or {}).get("reasons") or []
        }),
        "facts": facts,
        "first_message": _short(users[0].get("text") or "") if users else None,
        "last_message": _short(users[-1].get("text") or "") if users else None,
        "told": told(events),
        "priority": suggested.as_dict(),
        "created_at": (now or datetime.now(timezone.utc)).isoformat(timespec="seconds"),
    }
