"""The front-counter record, as read back from the database."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date

from .hours import WeeklySchedule

OPEN = "open"
CLOSED = "closed"


# eq=False: a counter is identified by the object (one per database snapshot), which makes it a
# cheap key for the per-counter caches in render and nearest.
@dataclass(frozen=True, eq=False)
class Counter:
    id: str
    name: str
    status: str  # OPEN or CLOSED
    borough: str
    address: str | None
    postcode: str | None
    lat: float | None
    lon: float | None
    coord_source: str | None
    is_24_7: bool
    weekday_hours: str | None
    weekend_hours: str | None
    hours_status: str | None
    hours_before: str | None
    closed_on: date | None
    confidence: str | None
    notes: str | None
    source_urls: tuple[str, ...]
    schedule: WeeklySchedule

    @property
    def is_open_counter(self) -> bool:
        """Still in service (says nothing about the time of day)."""
        return self.status == OPEN

    @property
    def has_coordinates(self) -> bool:
        return self.lat is not None and self.lon is not None


def _counter(row: sqlite3.Row) -> Counter:
    closed_on = date.fromisoformat(row["closed_on"]) if row["closed_on"] else None
    if row["status"] == OPEN and row["weekday_hours"] and row["weekend_hours"]:
        schedule = WeeklySchedule.weekday_weekend(
            row["weekday_hours"], row["weekend_hours"], closed_on
        )
    else:
        schedule = WeeklySchedule.never_open(closed_on)
    return Counter(
        id=row["id"], name=row["name"], status=row["status"], borough=row["borough"],
        address=row["address"], postcode=row["postcode"], lat=row["lat"], lon=row["lon"],
        coord_source=row["coord_source"], is_24_7=bool(row["is_24_7"]),
        weekday_hours=row["weekday_hours"], weekend_hours=row["weekend_hours"],
        hours_status=row["hours_status"], hours_before=row["hours_before"],
        closed_on=closed_on, confidence=row["confidence"], notes=row["notes"],
        source_urls=tuple((row["source_urls"] or "").split()), schedule=schedule,
    )  # fmt: skip


def load_counters(conn: sqlite3.Connection) -> list[Counter]:
    """All counters, open first, then by name (a stable order for listings)."""
    previous = conn.row_factory
    conn.row_factory = sqlite3.Row
    try:
        rows = conn.execute(
            "SELECT * FROM counters ORDER BY status = 'closed', name, id"
        ).fetchall()
    finally:
        conn.row_factory = previous
    return [_counter(row) for row in rows]
