"""Schemathesis against a live locator: every operation in /openapi.json, generated requests,
and every check (no 5xx, documented status codes and content types, bodies matching the
schemas). The document itself is validated against the OpenAPI 3.0 meta-schema on loading."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import schemathesis
from aiohttp import web
from hypothesis import HealthCheck, given, settings
from schemathesis.models import APIOperation

from locator.app import create_app

EXAMPLES_PER_OPERATION = 40


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def live_locator(real_db: Path) -> Iterator[str]:
    """create_app served over real TCP from a background thread with its own event loop."""
    port = _free_port()
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(create_app(str(real_db), online_geocoder=None))
    ready = threading.Event()

    async def start() -> None:
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        ready.set()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start())
        loop.run_forever()

    thread = threading.Thread(target=serve, name="live-locator", daemon=True)
    thread.start()
    assert ready.wait(30), "the locator did not start"
    yield f"http://127.0.0.1:{port}"
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(30)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(30)
    loop.close()


@pytest.fixture(scope="module")
def operations(live_locator: str) -> list[APIOperation]:
    schema = schemathesis.from_uri(f"{live_locator}/openapi.json", validate_schema=True)
    return [result.ok() for result in schema.get_all_operations()]


def test_every_route_is_documented(operations: list[APIOperation], real_db: Path) -> None:
    documented = {(op.method.upper(), op.path) for op in operations}
    routes = {
        (route.method, route.resource.canonical)
        for route in create_app(str(real_db), online_geocoder=None).router.routes()
        if route.resource is not None and route.method != "HEAD"
    }
    assert documented == routes


def test_openapi_conformance(operations: list[APIOperation], live_locator: str) -> None:
    session = requests.Session()
    seen: dict[str, set[int]] = {}

    def run(operation: APIOperation) -> None:
        @settings(
            max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
            suppress_health_check=list(HealthCheck),
        )  # fmt: skip
        @given(case=operation.as_strategy())
        def check(case: schemathesis.Case) -> None:
            response = case.call(base_url=live_locator, session=session, timeout=30)
            case.validate_response(response)  # all checks, not_a_server_error included
            seen.setdefault(operation.verbose_name, set()).add(response.status_code)

        check()

    for operation in operations:
        run(operation)
    assert set(seen) == {op.verbose_name for op in operations}
    assert all(status < 500 for statuses in seen.values() for status in statuses)


# Generated requests mostly get 400s (random optional parameters conflict), so the answers
# people actually get are checked against the document here, each status the API can give.
KNOWN_CASES = [
    ("GET /v1/counters/nearest", {"postcode": "SE13 6AA"}, {}, 200),
    ("GET /v1/counters/nearest", {"place": "Lewisahm", "open_now": "true", "limit": "10",
                                  "at": "2026-11-22T20:00:00Z"}, {}, 200),
    ("GET /v1/counters/nearest", {"lat": "51.4633", "lon": "-0.0098", "is_24_7": "true"}, {}, 200),
    ("GET /v1/counters/nearest", {"place": "Alexandra Park"}, {}, 409),
    ("GET /v1/counters/nearest", {"postcode": "BR6 7NZ"}, {}, 422),
    ("GET /v1/counters/nearest", {"postcode": "EC2V 8AG"}, {}, 422),
    ("GET /v1/counters/nearest", {"postcode": "ZZ1 1ZZ"}, {}, 404),
    ("GET /v1/counters/nearest", {"place": "x" * 3000}, {}, 414),
    ("GET /v1/counters", {}, {}, 200),
    ("GET /v1/counters", {"q": "wimbeldon police station"}, {}, 200),
    ("GET /v1/counters", {"q": "Merton"}, {}, 200),
    ("GET /v1/counters/{counter_id}", {}, {"counter_id": "acton"}, 200),
    ("GET /v1/counters/{counter_id}", {}, {"counter_id": "church-street"}, 200),
    ("GET /v1/counters/{counter_id}", {}, {"counter_id": "nowhere"}, 404),
    ("GET /v1/geocode", {"q": "Walthamstowe"}, {}, 200),
    ("GET /v1/geocode", {"q": "Hayes"}, {}, 200),
    ("GET /v1/geocode", {"lat": "53.48", "lon": "-2.24"}, {}, 200),
    ("GET /v1/geocode", {"q": "Atlantis"}, {}, 404),
    ("GET /v1/agencies", {"need": "fraud_support"}, {}, 200),
    ("GET /v1/agencies", {"id": ["police_999", "shelter"]}, {}, 200),
    ("GET /v1/agencies", {"need": "astrology"}, {}, 404),
    ("GET /problems/{slug}", {}, {"slug": "ambiguous-location"}, 200),
    ("GET /healthz", {}, {}, 200),
    ("GET /metrics", {}, {}, 200),
    ("GET /openapi.json", {}, {}, 200),
]  # fmt: skip


def test_known_answers_match_the_document(
    operations: list[APIOperation], live_locator: str
) -> None:
    by_name = {op.verbose_name: op for op in operations}
    for name, query, path, status in KNOWN_CASES:
        case = by_name[name].make_case(query=query or None, path_parameters=path or None)
        response = case.call(base_url=live_locator, timeout=30)
        assert response.status_code == status, (name, query, response.text[:300])
        case.validate_response(response)
