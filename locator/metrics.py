"""Prometheus metrics for GET /metrics.

Requests are labelled by route template ("/v1/counters/{counter_id}"), never by raw path or
query string: those carry people's postcodes and would make the label set unbounded. Paths no
route matches share the label "unmatched". Each app has its own registry, so tests (and several
apps in one process) never share counts.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Iterator
from datetime import date, datetime, timezone
from typing import Any, Callable

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector

from .store import DatabaseUnavailable, Snapshot

UNMATCHED = "unmatched"
# Handlers answer in well under a millisecond to a few milliseconds; the top buckets catch
# event-loop stalls.
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def route_label(request: web.Request) -> str:
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else UNMATCHED


def _age_seconds(value: str | None, now: datetime) -> float | None:
    """Seconds since an ISO date or date-time (a bare date means its UTC midnight)."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return None
        moment = datetime(day.year, day.month, day.day)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return (now - moment).total_seconds()


class SnapshotCollector(Collector):
    """Gauges read from the database in service at scrape time."""

    def __init__(self, snapshot: Callable[[], Snapshot]) -> None:
        self._snapshot = snapshot

    def collect(self) -> Iterator[Metric]:
        try:
            snapshot = self._snapshot()
        except DatabaseUnavailable:
            return
        loaded = GaugeMetricFamily(
            "locator_counters_loaded", "Front counters in the database in service.",
            labels=["status"],
        )  # fmt: skip
        open_count = sum(c.is_open_counter for c in snapshot.counters)
        loaded.add_metric(["open"], open_count)
        loaded.add_metric(["closed"], len(snapshot.counters) - open_count)
        yield loaded
        now = datetime.now(timezone.utc)
        for name, value, text in (
            ("locator_data_age_seconds", snapshot.data_as_of,
             "Seconds since the front-counter data's as-of date (its latest dated source)."),
            ("locator_database_age_seconds", snapshot.imported_at,
             "Seconds since the database in service was built by `python -m locator import`."),
        ):  # fmt: skip
            age = _age_seconds(value, now)
            if age is not None:
                yield GaugeMetricFamily(name, text, value=age)


class Metrics:
    def __init__(self, snapshot: Callable[[], Snapshot]) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "locator_http_requests", "HTTP requests answered, by route template and status.",
            ["route", "method", "status"], registry=self.registry,
        )  # fmt: skip
        self.latency = Histogram(
            "locator_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template and status.",
            ["route", "method", "status"], buckets=LATENCY_BUCKETS, registry=self.registry,
        )  # fmt: skip
        self.registry.register(SnapshotCollector(snapshot))
        # Label sets are few (routes x methods x statuses): keep each one's children at hand.
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def observe(self, request: web.Request, status: int, seconds: float) -> None:
        key = (route_label(request), request.method, status)
        children = self._children.get(key)
        if children is None:
            labels = (key[0], key[1], str(status))
            children = self._children[key] = (
                self.requests.labels(*labels), self.latency.labels(*labels)
            )
        children[0].inc()
        children[1].observe(seconds)

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        started = time.perf_counter()
        try:
            response = await handler(request)
        except web.HTTPException as exc:  # redirects and the like pass through the problem layer
            self.observe(request, exc.status, time.perf_counter() - started)
            raise
        self.observe(request, response.status, time.perf_counter() - started)
        return response

    async def handle(self, request: web.Request) -> web.Response:
        encoder, content_type = choose_encoder(request.headers.get("Accept", ""))
        return web.Response(body=encoder(self.registry), headers={"Content-Type": content_type})
