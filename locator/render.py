"""The JSON shapes the API returns (kept apart from routing so they can be documented/tested)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from . import hours, messages
from .counters import Counter
from .geocode import Location
from .nearest import Match


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
    body: dict[str, Any] = {
        "id": c.id,
        "name": c.name,
        "status": c.status,
        "address": c.address,
        "postcode": c.postcode,
        "borough": c.borough,
        "lat": c.lat,
        "lon": c.lon,
    }
    if match is not None:
        # Postcode centroids are good to tens of metres, so 10 m resolution is plenty.
        body["distance_km"] = round(match.distance_km, 2)
        body["distance_miles"] = round(match.distance_miles, 2)
    body.update(
        is_24_7=c.is_24_7,
        open_now=hours.is_open(c, at),
        today_hours=hours.today_hours(c, at),
        next_open=iso(hours.next_open(c, at)),
        closes_at=iso(hours.closes_at(c, at)),
        hours_note=messages.HOURS_NOTE if c.is_open_counter else None,
        hours_status=c.hours_status,
        confidence=c.confidence,
        closed_on=c.closed_on.isoformat() if c.closed_on else None,
        maps_url=maps_url(c.lat, c.lon),
        data_as_of=data_as_of,
    )
    return body


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
        "corrected_from": loc.corrected_from,
        "note": loc.note,
        "alternatives": [
            {"label": a.label, "lat": a.lat, "lon": a.lon, "borough": a.la_name}
            for a in loc.alternatives
        ],
    }


def excluded(c: Counter) -> dict[str, Any]:
    return {"id": c.id, "name": c.name, "postcode": c.postcode, "borough": c.borough}
