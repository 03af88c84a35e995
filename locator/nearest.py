"""The open front counters nearest a point, by exact geodesic distance, through a spatial index.

CounterIndex is built once per database snapshot. Searches go through spatial.nearest, so they
measure only the counters that can be among the answer, and give exactly what measuring every
counter would (tests/locator/test_locator_spatial.py checks that against brute force).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache

from . import hours
from .counters import Counter
from .geodesy import geodesic_km
from .spatial import GridIndex, nearest

KM_PER_MILE = 1.609344
MAX_LIMIT = 10
# People's postcodes repeat: recent answers are kept per (point, k, filters, UTC minute for
# open_now), and distances per (point, counter), since a geodesic costs ~70 us.
DISTANCE_CACHE_SIZE = 65_536
ANSWER_CACHE_SIZE = 8192


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


class CounterIndex:
    """Open counters with a location, indexed; those without one are listed, never ranked."""

    def __init__(self, counters: Sequence[Counter]) -> None:
        located = [c for c in counters if c.is_open_counter and c.has_coordinates]
        self._open: GridIndex[Counter] = GridIndex((c.id, c.lat, c.lon, c) for c in located)
        self._all_day: GridIndex[Counter] = GridIndex(
            (c.id, c.lat, c.lon, c) for c in located if c.is_24_7
        )
        self.excluded = [c for c in counters if c.is_open_counter and not c.has_coordinates]
        self._measure = lru_cache(maxsize=DISTANCE_CACHE_SIZE)(geodesic_km)
        self._answers = lru_cache(maxsize=ANSWER_CACHE_SIZE)(self._search)

    def nearest(
        self, origin: tuple[float, float], k: int, *, at: datetime | None = None,
        only_24_7: bool = False,
    ) -> list[Match]:  # fmt: skip
        """The k nearest open counters; only those open at `at` if given; ties by id."""
        # Which counters are open changes only on whole minutes (see hours.hours_now).
        minute = (
            hours.to_london(at).astimezone(timezone.utc).replace(second=0, microsecond=0)
            if at is not None else None
        )  # fmt: skip
        return list(self._answers(origin[0], origin[1], k, only_24_7, minute))

    def _search(
        self, lat: float, lon: float, k: int, only_24_7: bool, minute: datetime | None
    ) -> tuple[Match, ...]:
        index = self._all_day if only_24_7 else self._open
        accept = (lambda c: hours.hours_now(c, minute).open_now) if minute is not None else None
        found = nearest(index, lat, lon, k, accept=accept, measure=self._measure)
        return tuple(Match(n.payload, n.distance_km) for n in found)


def find_nearest(
    counters: CounterIndex | Sequence[Counter],
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
    index = counters if isinstance(counters, CounterIndex) else CounterIndex(counters)
    chosen = index.nearest(origin, limit, at=at if open_now else None, only_24_7=only_24_7)
    all_day = index.nearest(origin, 1, only_24_7=True)
    return NearestResult(chosen, all_day[0] if all_day else None, list(index.excluded))
