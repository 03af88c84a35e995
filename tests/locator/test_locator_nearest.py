from __future__ import annotations

import dataclasses
import sqlite3
from datetime import datetime

import pytest
from geopy.distance import geodesic

from locator import hours
from locator.counters import Counter, load_counters
from locator.geocode import Geocoder
from locator.hours import LONDON
from locator.nearest import CounterIndex, find_nearest

MONDAY_NOON = datetime(2026, 11, 23, 12, 0, tzinfo=LONDON)
SUNDAY_EVENING = datetime(2026, 11, 22, 20, 0, tzinfo=LONDON)


@pytest.fixture()
def counters(real_conn: sqlite3.Connection) -> list[Counter]:
    return load_counters(real_conn)


@pytest.fixture()
def se13(real_conn: sqlite3.Connection) -> tuple[float, float]:
    loc = Geocoder(real_conn).resolve("SE13 6AA")
    return loc.lat, loc.lon


def test_nearest_to_se13_is_lewisham(counters: list[Counter], se13: tuple[float, float]) -> None:
    result = find_nearest(counters, se13, MONDAY_NOON, limit=5)
    assert result.matches[0].counter.id == "lewisham"
    assert len(result.matches) == 5
    distances = [m.distance_km for m in result.matches]
    assert distances == sorted(distances)
    for match in result.matches:
        expected = geodesic(se13, (match.counter.lat, match.counter.lon))
        assert match.distance_km == pytest.approx(expected.km, abs=1e-9)
        assert match.distance_miles == pytest.approx(expected.miles, abs=1e-9)
    assert result.matches[0].distance_km == pytest.approx(0.34, abs=0.01)
    assert result.nearest_24_7 is not None
    assert result.nearest_24_7.counter.id == "lewisham"
    assert result.excluded_without_coordinates == []


def test_closed_counters_never_appear(
    counters: list[Counter], real_conn: sqlite3.Connection
) -> None:
    kensington = Geocoder(real_conn).resolve("W8 6EQ")  # the closed Kensington counter
    ranked = CounterIndex(counters).nearest((kensington.lat, kensington.lon), 100)
    assert len(ranked) == 27
    assert all(m.counter.status == "open" for m in ranked)
    assert "kensington" not in {m.counter.id for m in ranked}
    closed = [c for c in counters if c.status == "closed"]
    assert len(closed) == 10 and CounterIndex(closed).nearest((51.5, -0.1), 5) == []


def test_open_now_filter_on_sunday_evening(
    counters: list[Counter], se13: tuple[float, float]
) -> None:
    result = find_nearest(counters, se13, SUNDAY_EVENING, limit=10, open_now=True)
    ids = [m.counter.id for m in result.matches]
    assert ids == ["lewisham", "charing-cross"]  # only the 24/7 counters at 20:00 on Sunday
    assert all(hours.is_open(m.counter, SUNDAY_EVENING) for m in result.matches)


def test_only_24_7(counters: list[Counter], se13: tuple[float, float]) -> None:
    result = find_nearest(counters, se13, MONDAY_NOON, limit=10, only_24_7=True)
    assert {m.counter.id for m in result.matches} == {"lewisham", "charing-cross"}


def test_nearest_24_7_from_far_west(counters: list[Counter], real_conn: sqlite3.Connection) -> None:
    hayes = Geocoder(real_conn).resolve("UB4")
    result = find_nearest(counters, (hayes.lat, hayes.lon), MONDAY_NOON)
    assert result.matches[0].counter.id == "hayes"
    assert result.nearest_24_7 is not None
    assert result.nearest_24_7.counter.id == "charing-cross"
    assert result.nearest_24_7.distance_km > result.matches[-1].distance_km


def test_counters_without_location_are_reported(
    counters: list[Counter], se13: tuple[float, float]
) -> None:
    edited = [
        dataclasses.replace(c, lat=None, lon=None) if c.id == "lewisham" else c for c in counters
    ]
    result = find_nearest(edited, se13, MONDAY_NOON)
    assert "lewisham" not in {m.counter.id for m in result.matches}
    assert [c.id for c in result.excluded_without_coordinates] == ["lewisham"]
    assert result.nearest_24_7 is not None and result.nearest_24_7.counter.id == "charing-cross"


@pytest.mark.parametrize("limit", [0, 11, -1])
def test_limit_is_bounded(counters: list[Counter], limit: int) -> None:
    with pytest.raises(ValueError):
        find_nearest(counters, (51.5, -0.1), MONDAY_NOON, limit=limit)


def test_counter_objects_work_with_hours_functions(counters: list[Counter]) -> None:
    by_id = {c.id: c for c in counters}
    assert hours.is_open(by_id["lewisham"], SUNDAY_EVENING)
    assert not hours.is_open(by_id["acton"], SUNDAY_EVENING)
    assert hours.next_open(by_id["acton"], SUNDAY_EVENING) == datetime(
        2026, 11, 23, 10, 0, tzinfo=LONDON
    )
    assert not hours.is_open(by_id["wimbledon"], MONDAY_NOON)  # closed 28 Feb 2026
    assert hours.today_hours(by_id["wimbledon"], MONDAY_NOON).startswith("closed permanently")
