"""The JSON shapes the API returns (kept apart from routing so they can be documented/tested)."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from . import hours, messages
from .agencies import Agency
from .counters import Counter
from .geocode import Candidate, Location
from .nearest import Match
from .search import Hit


def iso(value: datetime | None) -> str | None:
    """London-local ISO 8601 with the UTC offset, e.g. '2026-03-29T09:00:00+01:00'."""
    return hours.to_london(value).isoformat(timespec="seconds") if value else None


def maps_url(lat: float | None, lon: float | None) -> str | None:
    if lat is None or lon is None:
        return None
    return (
        f"https://www.openstreetmap.org/?mlat={lat:.6f}&mlon={lon:.6f}"
        f"#map=17/{lat:.6f}/{lon:.6f}"
    )


def counter(
    c: Counter, at: datetime, data_as_of: str | None, match: Match | None = None
) -> dict[str, Any]:
    """One counter as seen at time `at` (its open/closed state depends on it)."""
    head, tail = _fixed_fields(c)
    body = dict(head)
    if match is not None:
        # Postcode centroids are good to tens of metres, so 10 m resolution is plenty.
        body["distance_km"] = round(match.distance_km, 2)
        body["distance_miles"] = round(match.distance_miles, 2)
    body["is_24_7"] = c.is_24_7
    body.update(_hours_fields(hours.hours_now(c, at)))
    body.update(tail)
    body["data_as_of"] = data_as_of
    return body


# The parts of a counter's JSON that never change, and those that change only with the minute,
# are built once (the nearest-counter answer is served thousands of times a second).
@lru_cache(maxsize=1024)
def _fixed_fields(c: Counter) -> tuple[dict[str, Any], dict[str, Any]]:
    head = {
        "id": c.id, "name": c.name, "status": c.status, "address": c.address,
        "postcode": c.postcode, "borough": c.borough, "lat": c.lat, "lon": c.lon,
    }  # fmt: skip
    tail = {
        "hours_note": messages.HOURS_NOTE if c.is_open_counter else None,
        "hours_status": c.hours_status,
        "confidence": c.confidence,
        "closed_on": c.closed_on.isoformat() if c.closed_on else None,
        "maps_url": maps_url(c.lat, c.lon),
    }
    return head, tail


@lru_cache(maxsize=8192)
def _hours_fields(now: hours.HoursNow) -> dict[str, Any]:
    return {
        "open_now": now.open_now,
        "today_hours": now.today_hours,
        "next_open": iso(now.next_open),
        "closes_at": iso(now.closes_at),
    }


def counter_detail(c: Counter, at: datetime, data_as_of: str | None) -> dict[str, Any]:
    """Everything about one counter, including its week and where the facts come from."""
    body = counter(c, at, data_as_of)
    body.update(
        weekly_hours=hours.weekly_hours(c) if c.is_open_counter else None,
        hours_before=c.hours_before,
        notes=c.notes,
        source_urls=list(c.source_urls),
        coordinates_source=c.coord_source,
    )
    return body


def location(loc: Location) -> dict[str, Any]:
    return {
        "label": loc.label,
        "kind": loc.kind,
        "lat": loc.lat,
        "lon": loc.lon,
        "borough": loc.borough,
        "la_name": loc.la_name,
        "in_london": loc.in_london,
        "police_force": loc.police_force,
        "match": loc.match,
        "corrected_from": loc.corrected_from,
        "note": loc.note,
    }


def candidate(c: Candidate) -> dict[str, Any]:
    return {
        "label": c.label, "kind": c.kind, "matched_name": c.name, "borough": c.la_name,
        "lat": c.lat, "lon": c.lon, "score": c.score,
    }  # fmt: skip


def name_match(hit: Hit) -> dict[str, Any]:
    return {"matched_name": hit.entry.name, "how": hit.how, "score": round(hit.score, 2)}


def agency(a: Agency) -> dict[str, Any]:
    return {
        "id": a.id, "name": a.name, "needs": list(a.needs), "what_for": a.what_for,
        "phone": a.phone, "text_or_other": a.text_or_other, "web": a.web, "hours": a.hours,
        "scope": a.scope, "notes": a.notes, "source_urls": list(a.source_urls),
        "verified": a.verified,
        # Unverified rows: clients show only "check the agency's website" (reference/README.md).
        "check_website_only": not a.verified,
        "display_note": None if a.verified else messages.UNVERIFIED_AGENCY_NOTE,
    }  # fmt: skip


def excluded(c: Counter) -> dict[str, Any]:
    return {"id": c.id, "name": c.name, "postcode": c.postcode, "borough": c.borough}
