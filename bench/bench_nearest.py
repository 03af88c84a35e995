"""Nearest-k search through the spatial index vs a brute-force geodesic scan, in one run.

Data sets: the real open front counters (nearest 5) and the real live postcodes (nearest 1, the
reverse-geocoding look-up) from the locator database; synthetic points spread uniformly over
the London box, 10,000 and 1,000,000 of them (nearest 5), each in an in-memory grid
(GridIndex) and an SQLite R*Tree (RTreeIndex). Queries are random points in the same box.
Index latency is the mean over many queries; brute force measures every point with the same
exact geodesic, so it is timed on a few queries only (about 70 s each at 1,000,000 points), and
those queries also check that both index kinds give the same answer as brute force. Target: at
1,000,000 points the index is at least 100x faster than brute force. About 3 minutes, most of it
the brute-force scans.

    .venv/bin/python bench/bench_nearest.py [--brute-1m 2]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from _common import duration, locator_db, table

from locator.counters import load_counters
from locator.spatial import GridIndex, Neighbour, Point, RTreeIndex, brute_force, nearest

LONDON = (51.28, 51.70, -0.52, 0.34)
TARGET_SPEEDUP = 100
SEED = 20260221


def queries(rnd: random.Random, n: int) -> list[tuple[float, float]]:
    return [(rnd.uniform(LONDON[0], LONDON[1]), rnd.uniform(LONDON[2], LONDON[3]))
            for _ in range(n)]  # fmt: skip


def synthetic(n: int, seed: int) -> list[Point[int]]:
    rnd = random.Random(seed)
    return [(i, rnd.uniform(LONDON[0], LONDON[1]), rnd.uniform(LONDON[2], LONDON[3]), i)
            for i in range(n)]  # fmt: skip


def rtree_of(points: Sequence[Point[Any]]) -> RTreeIndex:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE r USING rtree(id, min_lat, max_lat, min_lon, max_lon)")
    conn.execute("CREATE TABLE p (id INTEGER PRIMARY KEY, lat REAL, lon REAL)")
    conn.executemany("INSERT INTO p VALUES (?, ?, ?)", ((p[0], p[1], p[2]) for p in points))
    conn.execute("INSERT INTO r SELECT id, lat, lat, lon, lon FROM p")
    conn.commit()
    return RTreeIndex(conn, "r", "SELECT p.id, p.lat, p.lon FROM r JOIN p ON p.id = r.id")


def timed(build: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    built = build()
    return built, time.perf_counter() - started


def keys(found: list[Neighbour[Any]]) -> list[tuple[Any, float]]:
    return [(n.key, n.distance_km) for n in found]


class Brute:
    """Brute-force answers and their mean time, computed once per data set and query list."""

    def __init__(self, points: Sequence[Point[Any]], k: int, at: list[tuple[float, float]]):
        self.answers: list[tuple[tuple[float, float], list[Neighbour[Any]]]] = []
        started = time.perf_counter()
        for lat, lon in at:
            self.answers.append(((lat, lon), brute_force(points, lat, lon, k)))
        self.per_query = (time.perf_counter() - started) / len(at)


def measure(
    name: str, points: Sequence[Point[Any]], kind: str, index: Any, build_s: float, k: int,
    index_queries: list[tuple[float, float]], brute: Brute,
) -> dict[str, Any]:  # fmt: skip
    started = time.perf_counter()
    for lat, lon in index_queries:
        nearest(index, lat, lon, k)
    per_index = (time.perf_counter() - started) / len(index_queries)
    same = all(keys(nearest(index, lat, lon, k)) == keys(expected)
               for (lat, lon), expected in brute.answers)  # fmt: skip
    per_brute = brute.per_query
    print(f"  {name} / {kind}: index {duration(per_index)}, brute {duration(per_brute)}",
          flush=True)  # fmt: skip
    return {
        "name": name, "points": len(points), "kind": kind, "k": k, "build": build_s,
        "index": per_index, "index_n": len(index_queries), "brute": per_brute,
        "brute_n": len(brute.answers), "speedup": per_brute / per_index, "same": same,
    }  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--brute-1m", type=int, default=2,
                        help="brute-force queries timed at 1,000,000 points (~70 s each)")
    args = parser.parse_args()
    rnd = random.Random(SEED)
    began = time.perf_counter()
    rows = []

    db = locator_db()
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    counters = [c for c in load_counters(conn) if c.is_open_counter and c.has_coordinates]
    points = [(c.id, c.lat, c.lon, c) for c in counters]
    index, build_s = timed(lambda: GridIndex(points))
    rows.append(measure("front counters (real)", points, "grid", index, build_s, 5,
                        queries(rnd, 5000), Brute(points, 5, queries(rnd, 300))))  # fmt: skip

    postcode_points = [
        (row[0], row[1], row[2], None)
        for row in conn.execute("SELECT postcode_key, lat, lon FROM postcodes")
    ]
    postcodes = RTreeIndex(
        conn, "postcode_rtree", "SELECT p.postcode_key, p.lat, p.lon FROM postcode_rtree AS r "
        "JOIN postcodes AS p ON p.rowid = r.id",
    )  # fmt: skip
    rows.append(measure("live postcodes (real)", postcode_points, "R*Tree (import)", postcodes,
                        0.0, 1, queries(rnd, 2000),
                        Brute(postcode_points, 1, queries(rnd, 1))))  # fmt: skip

    for n, brute_n in ((10_000, 5), (1_000_000, args.brute_1m)):
        data = synthetic(n, SEED + n)
        name = f"synthetic {n:,}"
        print(f"  {name}: brute force on {brute_n} queries...", flush=True)
        brute = Brute(data, 5, queries(rnd, brute_n))
        for kind, make in (("grid", GridIndex), ("R*Tree", rtree_of)):
            index, build_s = timed(lambda make=make, data=data: make(data))
            rows.append(measure(name, data, kind, index, build_s, 5, queries(rnd, 2000), brute))
            del index

    print()
    print(table(
        ["data set", "points", "k", "index", "build", "index/query", "brute force/query",
         "speed-up", "same answers"],
        [[r["name"], f"{r['points']:,}", r["k"], r["kind"],
          duration(r["build"]) if r["build"] else "(in the db)",
          f"{duration(r['index'])} (n={r['index_n']})",
          f"{duration(r['brute'])} (n={r['brute_n']})", f"{r['speedup']:,.0f}x",
          "yes" if r["same"] else "NO"] for r in rows],
    ))  # fmt: skip
    print()
    for r in rows:
        if r["points"] == 1_000_000:
            ok = r["speedup"] >= TARGET_SPEEDUP and r["same"]
            print(f"1,000,000 points, {r['kind']}: {r['speedup']:,.0f}x faster than brute force "
                  f"(target >= {TARGET_SPEEDUP}x) {'PASS' if ok else 'FAIL'}")
    print(f"\nwhole run: {time.perf_counter() - began:.0f} s")
    return 0 if all(r["same"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
