"""HTTP throughput and latency of GET /v1/counters/nearest?postcode=... against a floor.

The floor is a minimal aiohttp handler returning a constant JSON body. Both servers run the same
way (a separate process each, aiohttp's run_app, access log off, on 127.0.0.1) and are loaded
by the same generator in this process: an aiohttp client with 64 concurrent connections (on
uvloop when it is installed), alternating floor and locator for the same time. The locator's
requests rotate over 8 real London postcodes. Target: the locator serves at least 60% of the
floor's throughput.

Rotating 8 postcodes, most answers come from the locator's one-second response cache
(locator/response_cache.py). So a third run, for information, sends every request a different
postcode (20,000 of them, no repeats): that is the cost of geocoding plus exact geodesic
distances, with nothing reused.

Server CPU is read from /proc for both: if the floor's server is well under 100% of a core, the
load generator (not the server) was the limit, and the throughput ratio flatters the locator;
the CPU-per-request ratio is printed as well because it does not depend on the generator.

    .venv/bin/python bench/bench_http.py [--seconds 10] [--connections 64] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from _common import duration, locator_db, percentile, table

TARGET_RATIO = 0.60
POSTCODES = 8
DISTINCT_POSTCODES = 20_000
FLOOR_BODY = b'{"status": "ok", "counters": 27, "closed_counters": 10}'


# --- the servers (child processes) ----------------------------------------------------------


def serve(kind: str, port: int, db: str) -> None:
    from aiohttp import web

    from locator.app import create_app

    if kind == "floor":

        async def constant(request: web.Request) -> web.Response:
            return web.Response(body=FLOOR_BODY, content_type="application/json")

        app = web.Application()
        app.router.add_get("/floor", constant)
    else:
        app = create_app(db, online_geocoder=None)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(kind: str, db: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve", kind, "--port", str(port), "--db", str(db)],
        cwd=Path(__file__).resolve().parent,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process, port
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"the {kind} server did not start")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- the load generator ---------------------------------------------------------------------


@dataclass
class Run:
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    cpu: float = 0.0
    latencies: list[float] = field(default_factory=list)

    def add(self, other: Run) -> None:
        self.requests += other.requests
        self.errors += other.errors
        self.seconds += other.seconds
        self.cpu += other.cpu
        self.latencies += other.latencies


async def load(urls: list[str], seconds: float, connections: int, pid: int) -> Run:
    import aiohttp

    run = Run()
    connector = aiohttp.TCPConnector(limit=connections, force_close=False)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker(offset: int) -> None:
            i = offset * (len(urls) // connections)  # disjoint slices when urls are many
            while time.perf_counter() < stop:
                started = time.perf_counter()
                async with session.get(urls[i % len(urls)]) as response:
                    await response.read()
                    if response.status != 200:
                        run.errors += 1
                run.latencies.append(time.perf_counter() - started)
                i += 1

        cpu_before = cpu_seconds(pid)
        began = time.perf_counter()
        stop = began + seconds
        await asyncio.gather(*(worker(n) for n in range(connections)))
        run.seconds = time.perf_counter() - began
        run.cpu = cpu_seconds(pid) - cpu_before
    run.requests = len(run.latencies)
    return run


def sample_postcodes(db: Path, n: int, seed: int) -> list[str]:
    """n live postcodes in the Met's area (not the City of London, which answers 422)."""
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    rows = conn.execute(
        "SELECT postcode FROM postcodes WHERE in_greater_london = 1 AND la_code != 'E09000001' "
        "ORDER BY postcode_key"
    ).fetchall()
    conn.close()
    return [row[0] for row in random.Random(seed).sample(rows, n)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per server (default 10)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=2, help="alternations (default 2)")
    parser.add_argument("--serve", choices=["floor", "locator"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.db)
        return 0

    try:
        import uvloop

        uvloop.install()
        loop_name = "uvloop"
    except ImportError:
        loop_name = "asyncio"
    db = locator_db()
    postcodes = sample_postcodes(db, POSTCODES, 20260221)
    distinct = sample_postcodes(db, DISTINCT_POSTCODES, 1)
    floor, floor_port = start("floor", db)
    locator, locator_port = start("locator", db)
    try:
        from urllib.parse import quote

        def nearest(codes: list[str]) -> list[str]:
            return [f"http://127.0.0.1:{locator_port}/v1/counters/nearest?postcode={quote(p)}"
                    for p in codes]  # fmt: skip

        targets = {
            "floor (constant JSON)": (floor.pid, [f"http://127.0.0.1:{floor_port}/floor"]),
            f"locator nearest, {POSTCODES} postcodes": (locator.pid, nearest(postcodes)),
        }
        runs = {name: Run() for name in targets}
        for pid, urls in targets.values():  # warm up: imports, caches, connections
            asyncio.run(load(urls, 1.0, args.connections, pid))
        for _ in range(args.rounds):
            for name, (pid, urls) in targets.items():
                runs[name].add(
                    asyncio.run(load(urls, args.seconds / args.rounds, args.connections, pid))
                )
        cold = f"locator nearest, {DISTINCT_POSTCODES:,} distinct (info)"
        runs[cold] = asyncio.run(load(nearest(distinct), args.seconds, args.connections,
                                      locator.pid))  # fmt: skip
    finally:
        for process in (floor, locator):
            process.terminate()
            process.wait(10)

    print(f"GET over 127.0.0.1, {args.connections} connections, {args.seconds:g} s per server "
          f"in {args.rounds} alternating rounds; load generator: aiohttp client on {loop_name}, "
          f"{os.cpu_count()} cores.")  # fmt: skip
    print(f"Postcodes rotated: {', '.join(postcodes)}\n")
    rows = []
    for name, run in runs.items():
        rows.append([
            name, f"{run.requests:,}", run.errors, f"{run.requests / run.seconds:,.0f}",
            duration(percentile(run.latencies, 0.50)), duration(percentile(run.latencies, 0.99)),
            f"{100 * run.cpu / run.seconds:.0f}%", duration(run.cpu / max(run.requests, 1)),
        ])  # fmt: skip
    print(table(["target", "requests", "errors", "req/s", "p50", "p99", "server CPU",
                 "CPU/request"], rows))  # fmt: skip
    floor_run, locator_run, cold_run = runs.values()
    ratio = (locator_run.requests / locator_run.seconds) / (floor_run.requests / floor_run.seconds)
    cpu_ratio = (locator_run.cpu / max(locator_run.requests, 1)) / (
        floor_run.cpu / max(floor_run.requests, 1)
    )
    print(f"\nthroughput ratio locator/floor: {ratio:.2f} (target >= {TARGET_RATIO:.2f}) "
          f"{'PASS' if ratio >= TARGET_RATIO and not locator_run.errors else 'FAIL'}")
    print(f"server CPU per request, locator/floor: {cpu_ratio:.2f}x")
    cold_ratio = (cold_run.requests / cold_run.seconds) / (floor_run.requests / floor_run.seconds)
    print(f"distinct postcodes (nothing cached), locator/floor: {cold_ratio:.2f} (information)")
    if floor_run.cpu / floor_run.seconds < 0.85:
        print("note: the floor server was below 85% of a core, so the load generator limited it; "
              "the throughput ratio is then an upper bound, the CPU ratio is the fairer one.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
