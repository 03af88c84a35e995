"""Exact k-nearest search by geodesic distance over a spatial index.

The search never measures every point. It asks the index for the points in a lat/lon box that is
guaranteed to hold everything within r km (geodesy.box_around), grows r until the box holds k
acceptable points, then, if the k-th of them is farther than r, widens r to that distance once
more: every point outside the box is then farther than the k-th, so the answer is exact.
Inside the box, points are measured in order of a cheap lower bound and measuring stops as soon
as the bound exceeds the k-th best exact distance found.

Two indexes share the search: GridIndex (in memory: counters, synthetic sets) and RTreeIndex
(SQLite R*Tree: the 217k postcodes, which stay on disk).
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Callable, Generic, Protocol, TypeVar

from .geodesy import Box, box_around, geodesic_km, lower_bound_km

T = TypeVar("T")
# (key, lat, lon, payload); the key breaks distance ties and must be orderable and unique.
Point = tuple[Hashable, float, float, T]
Measure = Callable[[float, float, float, float], float]

_MIN_START_KM = 0.05
_POINTS_PER_CELL = 4


@dataclass(frozen=True)
class Neighbour(Generic[T]):
    distance_km: float
    key: Any
    payload: T


class SpatialIndex(Protocol[T]):
    def in_box(self, box: Box) -> Iterable[Point[T]]: ...

    def everything(self) -> Iterable[Point[T]]: ...

    def covered_by(self, box: Box) -> bool:
        """True if the box holds every point (so the box query is the whole set)."""

    def start_radius_km(self, k: int) -> float: ...


class GridIndex(Generic[T]):
    """Points bucketed into square lat/lon cells sized for a few points per cell."""

    def __init__(self, points: Iterable[Point[T]], cell_deg: float | None = None) -> None:
        self._points = list(points)
        self.count = len(self._points)
        if not self._points:
            self.bounds = None
            self._cell = 1.0
            self._cells: dict[tuple[int, int], list[Point[T]]] = {}
            return
        lats = [p[1] for p in self._points]
        lons = [p[2] for p in self._points]
        self.bounds = Box(min(lats), max(lats), min(lons), max(lons))
        if cell_deg is None:
            area = max((self.bounds.north - self.bounds.south)
                       * (self.bounds.east - self.bounds.west), 1e-8)  # fmt: skip
            cell_deg = max(math.sqrt(area * _POINTS_PER_CELL / self.count), 1e-4)
        self._cell = cell_deg
        cells: dict[tuple[int, int], list[Point[T]]] = {}
        for point in self._points:
            cell = (math.floor(point[1] / cell_deg), math.floor(point[2] / cell_deg))
            bucket = cells.get(cell)
            if bucket is None:
                cells[cell] = [point]
            else:
                bucket.append(point)
        self._cells = cells
        self._density_per_km2 = self.count / _area_km2(self.bounds)

    def everything(self) -> list[Point[T]]:
        return self._points

    def covered_by(self, box: Box) -> bool:
        return self.bounds is None or box.contains_box(self.bounds)

    def start_radius_km(self, k: int) -> float:
        if self.bounds is None:
            return _MIN_START_KM
        # The radius of a disc expected to hold k points at the average density.
        return max(math.sqrt(k / (math.pi * self._density_per_km2)), _MIN_START_KM)

    def in_box(self, box: Box) -> Iterator[Point[T]]:
        if self.bounds is None:
            return
        # Clip to the occupied area first, so a huge box never walks millions of empty cells.
        south, north = max(box.south, self.bounds.south), min(box.north, self.bounds.north)
        west, east = max(box.west, self.bounds.west), min(box.east, self.bounds.east)
        if south > north or west > east:
            return
        size, cells = self._cell, self._cells
        for i in range(math.floor(south / size), math.floor(north / size) + 1):
            for j in range(math.floor(west / size), math.floor(east / size) + 1):
                for point in cells.get((i, j), ()):
                    if box.south <= point[1] <= box.north and box.west <= point[2] <= box.east:
                        yield point


class RTreeIndex:
    """Points in a SQLite R*Tree (id, min_lat, max_lat, min_lon, max_lon) joined to their rows.

    The R*Tree keeps 32-bit floats rounded outwards, so a box query can return a few points just
    outside the box (measured and discarded by exact distance) but never misses one inside.
    `select` must yield (key, lat, lon, payload...) rows with the exact coordinates and name the
    R*Tree `r` in its FROM clause; payload is the tuple of the remaining columns.
    """

    def __init__(
        self, conn: sqlite3.Connection, rtree: str, select: str, start_km: float | None = None
    ) -> None:
        """`start_km`: the first search radius for k = 1; by default estimated (once, with a scan
        of the R*Tree) from the number of points and the area they cover."""
        self._conn = conn
        self._rtree = rtree
        self._select = select
        self._start_km = start_km
        self._bounds: Box | None = None
        self._bounds_known = False

    def _rows(self, where: str, args: tuple[float, ...]) -> list[Point[Any]]:
        return [
            (row[0], row[1], row[2], row[3:])
            for row in self._conn.execute(f"{self._select} {where}", args)
        ]

    def in_box(self, box: Box) -> list[Point[Any]]:
        return self._rows(
            "WHERE r.min_lat <= ? AND r.max_lat >= ? AND r.min_lon <= ? AND r.max_lon >= ?",
            (box.north, box.south, box.east, box.west),
        )

    def everything(self) -> list[Point[Any]]:
        return self._rows("", ())

    @property
    def bounds(self) -> Box | None:
        if not self._bounds_known:  # one scan, only once a search grows that wide
            row = self._conn.execute(
                "SELECT min(min_lat), max(max_lat), min(min_lon), max(max_lon) "
                f"FROM {self._rtree}"
            ).fetchone()
            self._bounds = Box(*row) if row and row[0] is not None else None
            self._bounds_known = True
        return self._bounds

    def covered_by(self, box: Box) -> bool:
        bounds = self.bounds
        return bounds is None or box.contains_box(bounds)

    def start_radius_km(self, k: int) -> float:
        if self._start_km is None:
            bounds = self.bounds
            count = self._conn.execute(f"SELECT count(*) FROM {self._rtree}").fetchone()[0]
            density = count / _area_km2(bounds) if bounds is not None and count else 1.0
            self._start_km = max(math.sqrt(1 / (math.pi * density)), _MIN_START_KM)
        return self._start_km * math.sqrt(k)


def _area_km2(box: Box) -> float:
    mid = math.radians((box.south + box.north) / 2)
    height = max(box.north - box.south, 1e-3) * 111.2
    width = max(box.east - box.west, 1e-3) * 111.3 * max(math.cos(mid), 0.01)
    return height * width


def _top_k(
    lat: float, lon: float, points: Iterable[Point[T]], k: int, measure: Measure,
    known: dict[Hashable, float],
) -> list[Neighbour[T]]:  # fmt: skip
    """The k closest by (exact distance, key), measuring in lower-bound order until it can stop."""
    bounded = sorted(
        ((lower_bound_km(lat, lon, p[1], p[2]), p) for p in points), key=lambda item: item[0]
    )
    best: list[tuple[float, Any, T]] = []  # sorted, at most k long
    for bound, (key, plat, plon, payload) in bounded:
        if len(best) == k and bound > best[-1][0]:
            break  # this and every later point is farther than the k-th found
        km = known.get(key)
        if km is None:
            km = known[key] = measure(lat, lon, plat, plon)
        entry = (km, key, payload)
        if len(best) < k or entry[:2] < best[-1][:2]:
            _insort(best, entry)
            del best[k:]
    return [Neighbour(km, key, payload) for km, key, payload in best]


def _insort(best: list[tuple[float, Any, Any]], entry: tuple[float, Any, Any]) -> None:
    # k is at most a few dozen; payloads need not be orderable, so compare (km, key) only.
    i = len(best)
    while i > 0 and entry[:2] < best[i - 1][:2]:
        i -= 1
    best.insert(i, entry)


def nearest(
    index: SpatialIndex[T],
    lat: float,
    lon: float,
    k: int,
    *,
    accept: Callable[[T], bool] | None = None,
    max_km: float = math.inf,
    measure: Measure = geodesic_km,
) -> list[Neighbour[T]]:
    """The k points closest to (lat, lon), closest first, ties by key; exactly what measuring
    every point would give. `accept` filters points by payload; `max_km` drops farther points."""
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise ValueError("the search point must have finite coordinates")
    if k < 1:
        return []
    known: dict[Hashable, float] = {}
    radius = min(index.start_radius_km(k), max_km)
    while True:
        box = box_around(lat, lon, radius)
        complete = box is None or index.covered_by(box)
        found = index.everything() if box is None or complete else index.in_box(box)
        points = [p for p in found if accept is None or accept(p[3])]
        if len(points) >= k or complete or radius >= max_km:
            best = _top_k(lat, lon, points, k, measure, known)
            best = [n for n in best if n.distance_km <= max_km]
            # Every point outside the box is farther than `radius`: done if the k-th is closer.
            if complete or radius >= max_km or (len(best) == k and best[-1].distance_km <= radius):
                return best
            if len(best) == k:
                radius = min(best[-1].distance_km, max_km)
                continue
        radius = min(radius * 2, max_km)


def brute_force(
    points: Iterable[Point[T]], lat: float, lon: float, k: int,
    accept: Callable[[T], bool] | None = None, max_km: float = math.inf,
) -> list[Neighbour[T]]:  # fmt: skip
    """The reference answer: measure every point (tests and benchmarks compare against it)."""
    measured = [
        Neighbour(geodesic_km(lat, lon, p[1], p[2]), p[0], p[3])
        for p in points
        if accept is None or accept(p[3])
    ]
    measured.sort(key=lambda n: (n.distance_km, n.key))
    return [n for n in measured if n.distance_km <= max_km][:k]
