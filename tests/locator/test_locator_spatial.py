"""The spatial index must give exactly what a brute-force geodesic scan gives, without scanning."""

from __future__ import annotations

import math
import random
import sqlite3
from typing import Any

import pytest
from geopy.distance import geodesic
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from locator.geodesy import box_around, geodesic_km, lower_bound_km
from locator.spatial import GridIndex, Point, RTreeIndex, brute_force, nearest

# The synthetic sets live in the box that the reference postcodes cover.
LONDON = (51.28, 51.70, -0.52, 0.34)

latitudes = st.floats(-89.9, 89.9, allow_nan=False)
longitudes = st.floats(-179.9, 179.9, allow_nan=False)
london_lat = st.floats(LONDON[0], LONDON[1])
london_lon = st.floats(LONDON[2], LONDON[3])


def london_points(rnd: random.Random, n: int) -> list[Point[int]]:
    points: list[Point[int]] = [
        (i, rnd.uniform(LONDON[0], LONDON[1]), rnd.uniform(LONDON[2], LONDON[3]), i)
        for i in range(n)
    ]
    # Exact duplicates and a tight cluster: distance ties must be broken by key, as brute force.
    if n >= 4:
        points += [(n + j, points[0][1], points[0][2], n + j) for j in range(3)]
        points += [(n + 3 + j, points[1][1] + j * 1e-7, points[1][2], n + 3 + j) for j in range(3)]
    return points


def rtree_index(points: list[Point[int]]) -> RTreeIndex:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE r USING rtree(id, min_lat, max_lat, min_lon, max_lon)")
    conn.execute("CREATE TABLE p (id INTEGER PRIMARY KEY, lat REAL, lon REAL)")
    conn.executemany("INSERT INTO p VALUES (?, ?, ?)", [(p[0], p[1], p[2]) for p in points])
    conn.execute("INSERT INTO r SELECT id, lat, lat, lon, lon FROM p")
    return RTreeIndex(conn, "r", "SELECT p.id, p.lat, p.lon, p.id FROM r JOIN p ON p.id = r.id")


def same(found: list[Any], expected: list[Any]) -> None:
    assert [(n.key, n.distance_km) for n in found] == [(n.key, n.distance_km) for n in expected]


def test_geodesic_km_is_geopys_geodesic() -> None:
    rnd = random.Random(1)
    for _ in range(200):
        a = (rnd.uniform(-89, 89), rnd.uniform(-179, 179))
        b = (rnd.uniform(-89, 89), rnd.uniform(-179, 179))
        assert geodesic_km(*a, *b) == geodesic(a, b).km


@settings(max_examples=300, deadline=None)
@given(latitudes, longitudes, latitudes, longitudes)
def test_lower_bound_never_exceeds_the_geodesic(
    lat1: float, lon1: float, lat2: float, lon2: float
) -> None:
    exact = geodesic_km(lat1, lon1, lat2, lon2)
    bound = lower_bound_km(lat1, lon1, lat2, lon2)
    assert bound <= exact
    assert bound >= exact * 0.985 - 1e-5  # and it is tight enough to prune with


@settings(max_examples=300, deadline=None)
@given(latitudes, longitudes, st.floats(0.001, 3000), latitudes, longitudes)
def test_every_point_outside_the_box_is_farther_than_the_radius(
    lat: float, lon: float, radius: float, plat: float, plon: float
) -> None:
    box = box_around(lat, lon, radius)
    if box is None:  # reaches a pole or the antimeridian: the search then takes every point
        return
    assert box.contains(lat, lon)
    if not box.contains(plat, plon):
        assert geodesic_km(lat, lon, plat, plon) > radius


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.sampled_from([0, 1, 2, 5, 30, 300, 1000]),
    k=st.integers(1, 12),
    far=st.booleans(),
    qlat=latitudes,
    qlon=longitudes,
    near_lat=london_lat,
    near_lon=london_lon,
)
def test_grid_nearest_equals_brute_force(
    seed: int, n: int, k: int, far: bool, qlat: float, qlon: float, near_lat: float,
    near_lon: float,
) -> None:  # fmt: skip
    points = london_points(random.Random(seed), n)
    lat, lon = (qlat, qlon) if far else (near_lat, near_lon)
    same(nearest(GridIndex(points), lat, lon, k), brute_force(points, lat, lon, k))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.sampled_from([1, 5, 40, 500]),
    k=st.integers(1, 6),
    lat=latitudes,
    lon=longitudes,
    near=st.booleans(),
    max_km=st.sampled_from([math.inf, 0.5, 3.0, 50.0]),
    modulus=st.sampled_from([1, 3, 7]),
)
def test_rtree_nearest_with_filter_and_radius_equals_brute_force(
    seed: int, n: int, k: int, lat: float, lon: float, near: bool, max_km: float, modulus: int
) -> None:
    rnd = random.Random(seed)
    points = london_points(rnd, n)
    if near:
        lat, lon = rnd.uniform(LONDON[0], LONDON[1]), rnd.uniform(LONDON[2], LONDON[3])

    def accept(payload: Any) -> bool:
        # The R*Tree index hands over its extra columns as a tuple: here just (id,).
        return (payload[0] if isinstance(payload, tuple) else payload) % modulus == 0

    expected = brute_force(points, lat, lon, k, accept=accept, max_km=max_km)
    found = nearest(rtree_index(points), lat, lon, k, accept=accept, max_km=max_km)
    same(found, expected)
    same(nearest(GridIndex(points), lat, lon, k, accept=accept, max_km=max_km), expected)


def counted(calls: list[int]) -> Any:
    def measure(*args: float) -> float:
        calls.append(1)
        return geodesic_km(*args)

    return measure


@pytest.mark.parametrize("make_index", [GridIndex, rtree_index])
def test_search_measures_a_few_points_not_all(make_index: Any) -> None:
    rnd = random.Random(7)
    points = london_points(rnd, 20_000)
    index = make_index(points)
    for i in range(20):
        lat, lon = rnd.uniform(51.35, 51.65), rnd.uniform(-0.4, 0.2)
        calls: list[int] = []
        found = nearest(index, lat, lon, 5, measure=counted(calls))
        assert len(calls) < 60  # of 20,006 points
        if i == 0:  # a full scan costs ~1.5 s: the property tests above cover correctness
            same(found, brute_force(points, lat, lon, 5))


def test_box_size_in_london() -> None:
    box = box_around(51.5, -0.1, 10.0)
    assert box is not None
    # 10 km is about 0.09 degrees of latitude and 0.14 of longitude at London's latitude; the
    # box is conservative (a little larger), never smaller.
    assert 0.0899 < (box.north - box.south) / 2 < 0.0906
    assert 0.1440 < (box.east - box.west) / 2 < 0.1460
    assert box_around(89.99, 0.0, 5.0) is None
    assert box_around(0.0, 179.99, 5.0) is None


def test_an_empty_index_finds_nothing() -> None:
    assert nearest(GridIndex([]), 51.5, -0.1, 3) == []
    assert nearest(GridIndex([(1, 51.5, -0.1, None)]), 51.5, -0.1, 0) == []


def full_scan(
    conn: sqlite3.Connection, lat: float, lon: float, max_km: float
) -> tuple[float, str] | None:
    """Nearest postcode by reading the whole table: every row's lower bound (cheap, and proven
    above), then exact distances in that order until the bound passes the best found."""
    rows = conn.execute("SELECT postcode_key, lat, lon FROM postcodes").fetchall()
    bounded = sorted((lower_bound_km(lat, lon, plat, plon), key, plat, plon)
                     for key, plat, plon in rows)  # fmt: skip
    best: tuple[float, str] | None = None
    for bound, key, plat, plon in bounded:
        if best is not None and bound > best[0]:
            break
        candidate = (geodesic_km(lat, lon, plat, plon), key)
        best = candidate if best is None else min(best, candidate)
    return best if best is not None and best[0] <= max_km else None


def test_nearest_postcode_matches_a_full_scan_of_the_real_table(
    real_conn: sqlite3.Connection,
) -> None:
    index = RTreeIndex(
        real_conn, "postcode_rtree",
        "SELECT p.postcode_key, p.lat, p.lon, p.la_code FROM postcode_rtree AS r "
        "JOIN postcodes AS p ON p.rowid = r.id",
    )  # fmt: skip
    rnd = random.Random(3)
    queries = [(51.4633, -0.0098), (51.75, 0.5), (53.48, -2.24)]
    queries += [(rnd.uniform(51.3, 51.7), rnd.uniform(-0.5, 0.3)) for _ in range(2)]
    for lat, lon in queries:
        found = nearest(index, lat, lon, 1, max_km=3.0)
        expected = full_scan(real_conn, lat, lon, 3.0)
        assert [(n.distance_km, n.key) for n in found] == ([expected] if expected else [])
