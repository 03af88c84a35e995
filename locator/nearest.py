"""Rank open front counters by geodesic distance from a point.

Brute force over the ~27 open counters is sub-millisecond. `candidates()` is the one place that
chooses which counters are measured, so a spatial index can replace it without touching ranking
or filtering.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from geopy.distance import geodesic

from . import hours
from .counters import Counter

KM_PER_MILE = 1.609344
MAX_LIMIT = 10


@dataclass(frozen=True)
class Match:
    counter: Counter
    distance_km: float  # unrounded; round when presenting

    @property
    def distance_miles(self) -> float:
        return self.distance_km / KM_PER_MILE


@dataclass
class NearestResult:
    matches: list[Match]
    nearest_24_7: Match | None
    # Open counters that cannot be ranked because their location is unknown.
    excluded_without_coordinates: list[Counter] = field(default_factory=list)


def candidates(counters: Iterable[Counter], origin: tuple[float, float]) -> list[Counter]:
    """Counters worth measuring from `origin`: every open counter with a location (for now)."""
    del origin  # unused until a spatial index narrows the search
    return [c for c in counters if c.is_open_counter and c.has_coordinates]


def rank(counters: Iterable[Counter], origin: tuple[float, float]) -> list[Match]:
    """Closest first; equal distances are ordered by id so results are repeatable."""
    matches = [
        Match(c, geodesic(origin, (c.lat, c.lon)).km)  # WGS-84 ellipsoid
        for c in candidates(counters, origin)
    ]
    return sorted(matches, key=lambda m: (m.distance_km, m.counter.id))


def find_nearest(
    counters: Sequence[Counter],
    origin: tuple[float, float],
    at: datetime,
    limit: int = 3,
    open_now: bool = False,
    only_24_7: bool = False,
) -> NearestResult:
    """The `limit` nearest open counters (optionally only those open at `at`, or only 24/7),
    plus the nearest 24/7 counter regardless of those filters."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")
    ranked = rank(counters, origin)
    chosen = [
        m for m in ranked
        if (not open_now or hours.is_open(m.counter, at))
        and (not only_24_7 or m.counter.is_24_7)
    ]  # fmt: skip
    nearest_24_7 = next((m for m in ranked if m.counter.is_24_7), None)
    excluded = [c for c in counters if c.is_open_counter and not c.has_coordinates]
    return NearestResult(chosen[:limit], nearest_24_7, excluded)
