"""The endpoints added for issue 3: agencies, counter search, ambiguity, metrics, OpenAPI."""

from __future__ import annotations

import csv
import re
from collections.abc import Awaitable
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from locator import app as app_module
from locator import hours, params, render
from locator.app import create_app
from locator.counters import load_counters
from locator.hours import LONDON
from locator.problems import PROBLEM_TYPES
from locator.response_cache import ResponseCache
from locator.spatial import brute_force
from locator.store import LocatorStore
from tests.locator.locator_helpers import REFERENCE
from tests.locator.test_locator_api import problem

AiohttpClient = Callable[[web.Application], Awaitable[TestClient]]


@pytest.fixture()
async def client(aiohttp_client: AiohttpClient, real_db: Path) -> TestClient:
    return await aiohttp_client(create_app(str(real_db), online_geocoder=None))


def agency_rows() -> list[dict[str, str]]:
    with open(REFERENCE / "agencies.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def needs_of(row: dict[str, str]) -> set[str]:
    return {n.strip() for n in row["need_categories"].split(";") if n.strip()}


# --- agencies ---------------------------------------------------------------------------------


async def test_agencies_for_a_need_come_from_the_data(client: TestClient) -> None:
    rows = agency_rows()
    all_needs = sorted(set().union(*(needs_of(r) for r in rows)))
    for need in ("fraud_support", "domestic_abuse_support", "adult_safeguarding"):
        resp = await client.get("/v1/agencies", params={"need": need})
        assert resp.status == 200
        body = await resp.json()
        assert body["needs"] == all_needs
        expected = [r["id"] for r in rows if need in needs_of(r)]
        assert [a["id"] for a in body["agencies"]] == expected and expected
        for agency in body["agencies"]:
            assert need in agency["needs"]
            assert set(agency) >= {"name", "what_for", "phone", "text_or_other", "web", "hours",
                                   "scope", "notes", "verified", "source_urls"}  # fmt: skip
            assert all(url.startswith("http") for url in agency["source_urls"])


async def test_unverified_agencies_say_check_the_website(client: TestClient) -> None:
    body = await (await client.get("/v1/agencies")).json()
    assert len(body["agencies"]) == 57
    unverified = [a for a in body["agencies"] if not a["verified"]]
    expected = {r["id"] for r in agency_rows() if r["verified"] != "yes"}
    assert {a["id"] for a in unverified} == expected and len(expected) == 7
    for agency in body["agencies"]:
        assert agency["check_website_only"] is (not agency["verified"])
        if agency["verified"]:
            assert agency["display_note"] is None
        else:
            assert "Check the agency's website" in agency["display_note"]


async def test_unknown_need_lists_the_valid_ones(client: TestClient) -> None:
    body = await problem(await client.get("/v1/agencies?need=astrology"), 404, "unknown-need")
    assert "astrology" in body["detail"] and "fraud_support" in body["detail"]
    assert "fraud_support" in body["needs"] and len(body["needs"]) == 26


async def test_agencies_by_id_and_bad_ids(client: TestClient) -> None:
    resp = await client.get("/v1/agencies?id=shelter&id=police_999&id=no_such_agency")
    assert [a["id"] for a in (await resp.json())["agencies"]] == ["police_999", "shelter"]
    await problem(await client.get("/v1/agencies?id=Bad%20Id"), 400, "invalid-parameter")


# --- counters by name -------------------------------------------------------------------------


async def test_is_wimbledon_police_station_open(client: TestClient) -> None:
    resp = await client.get(
        "/v1/counters", params={"q": "Wimbeldon police station", "at": "2026-11-23T12:00:00Z"}
    )
    body = await resp.json()
    assert resp.status == 200
    [found] = body["counters"]
    assert found["id"] == "wimbledon" and found["status"] == "closed"
    assert found["closed_on"] == "2026-02-28" and found["open_now"] is False
    assert found["match"] == {"matched_name": "Wimbledon", "how": "typo", "score": 0.84}
    assert found["message"] == "This counter closed on 28 February 2026."
    nearest_open = found["nearest_open"]
    assert nearest_open["status"] == "open" and nearest_open["distance_km"] > 0
    assert found["nearest_open_measured_from"] == "closed counter location"


async def test_counter_search_finds_open_ones_too_and_may_find_none(client: TestClient) -> None:
    body = await (await client.get("/v1/counters?q=lewisham")).json()
    assert [c["id"] for c in body["counters"]] == ["lewisham"]
    assert "nearest_open" not in body["counters"][0]
    body = await (await client.get("/v1/counters?q=Atlantis")).json()
    assert body["counters"] == [] and body["query"] == {"q": "Atlantis"}
    await problem(await client.get("/v1/counters?q=%00"), 400, "invalid-parameter")
    detail = (await problem(await client.get("/v1/counters?q=+"), 400, "invalid-parameter"))
    assert "counter name is empty" in detail["detail"]


# --- ambiguity --------------------------------------------------------------------------------


async def test_geocode_ambiguous_name_lists_candidates(client: TestClient) -> None:
    resp = await client.get("/v1/geocode", params={"q": "Alexandra Park"})
    assert resp.status == 200
    body = await resp.json()
    assert body["status"] == "ambiguous" and body["location"] is None
    labels = [c["label"] for c in body["candidates"]]
    assert labels == ["Alexandra Park, Haringey", "Alexandra Park, Harrow"]
    assert "Alexandra Park, Harrow" in body["message"]
    # Choosing one: send its label back.
    body = await (await client.get("/v1/geocode", params={"q": labels[1]})).json()
    assert body["status"] == "found" and body["location"]["borough"] == "Harrow"
    assert body["candidates"] == []


async def test_nearest_with_an_ambiguous_place_is_409(client: TestClient) -> None:
    resp = await client.get("/v1/counters/nearest", params={"place": "Hayes"})
    body = await problem(resp, 409, "ambiguous-location")
    assert [c["label"] for c in body["candidates"]] == ["Hayes, Bromley", "Hayes, Hillingdon"]
    assert "Hayes, Bromley" in body["detail"]
    resp = await client.get("/v1/counters/nearest", params={"place": "Hayes, Hillingdon"})
    assert resp.status == 200
    assert (await resp.json())["counters"][0]["id"] == "hayes"


async def test_typo_is_understood_and_said(client: TestClient) -> None:
    body = await (await client.get("/v1/geocode", params={"q": "Lewisahm"})).json()
    assert body["location"]["label"] == "Lewisham"
    assert body["location"]["match"] == "typo"
    assert body["location"]["corrected_from"] == "Lewisahm"
    body = await (await client.get("/v1/geocode", params={"lat": "51.4633", "lon": "-0.0098"}))\
        .json()
    assert body["location"]["kind"] == "coordinates" and body["location"]["borough"] == "Lewisham"
    await problem(await client.get("/v1/geocode?q=E17&lat=51.5&lon=0"), 400,
                  "conflicting-parameters")  # fmt: skip


# --- filters against an independent brute force -----------------------------------------------


@pytest.mark.parametrize("when", ["2026-11-22T20:00:00", "2026-11-23T09:30:00",
                                  "2026-07-04T18:59:00", "2026-03-29T01:30:00"])  # fmt: skip
@pytest.mark.parametrize("where", [{"postcode": "SE13 6AA"}, {"place": "Acton"},
                                   {"lat": "51.6", "lon": "0.1"}])  # fmt: skip
async def test_open_now_and_24_7_filters_match_brute_force(
    client: TestClient, real_conn: Any, when: str, where: dict[str, str]
) -> None:
    at = datetime.fromisoformat(when).replace(tzinfo=LONDON)
    counters = [c for c in load_counters(real_conn) if c.is_open_counter]
    points = [(c.id, c.lat, c.lon, c) for c in counters]
    for flags, accept in (
        ({"open_now": "true"}, lambda c: hours.is_open(c, at)),
        ({"is_24_7": "true"}, lambda c: c.is_24_7),
        ({"open_now": "true", "is_24_7": "true"}, lambda c: c.is_24_7 and hours.is_open(c, at)),
        ({}, None),
    ):
        resp = await client.get(
            "/v1/counters/nearest", params={**where, **flags, "at": when, "limit": "10"}
        )
        body = await resp.json()
        origin = (body["location"]["lat"], body["location"]["lon"])
        expected = brute_force(points, *origin, 10, accept=accept)
        assert [c["id"] for c in body["counters"]] == [n.key for n in expected]
        assert [c["distance_km"] for c in body["counters"]] == [
            round(n.distance_km, 2) for n in expected
        ]
        if "open_now" in flags:
            assert all(c["open_now"] for c in body["counters"])
        all_day = brute_force(points, *origin, 1, accept=lambda c: c.is_24_7)
        assert body["nearest_24_7"]["id"] == all_day[0].key


# --- metrics ------------------------------------------------------------------------------------


async def test_metrics_by_route_template_without_paths_or_queries(client: TestClient) -> None:
    await client.get("/v1/counters/nearest", params={"postcode": "SE13 6AA"})
    await client.get("/v1/counters/lewisham")
    await client.get("/v1/counters/kensington")
    await client.get("/v1/counters/no-such-counter")
    await client.get("/no/such/page")
    resp = await client.get("/metrics")
    assert resp.status == 200 and resp.content_type == "text/plain"
    text = await resp.text()

    def sample(name: str, **labels: str) -> float:
        wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
        match = re.search(rf"^{re.escape(name)}\{{{re.escape(wanted)}\}} (\S+)$", text, re.M)
        assert match, (name, wanted)
        return float(match.group(1))

    route = "/v1/counters/{counter_id}"
    assert sample("locator_http_requests_total", method="GET", route=route, status="200") == 2
    assert sample("locator_http_requests_total", method="GET", route=route, status="404") == 1
    assert sample("locator_http_requests_total", method="GET", route="unmatched",
                  status="404") == 1  # fmt: skip
    assert sample("locator_http_request_duration_seconds_count", method="GET", route=route,
                  status="200") == 2  # fmt: skip
    assert sample("locator_http_request_duration_seconds_bucket", le="+Inf", method="GET",
                  route="/v1/counters/nearest", status="200") == 1  # fmt: skip
    assert sample("locator_counters_loaded", status="open") == 27
    assert sample("locator_counters_loaded", status="closed") == 10
    age = float(re.search(r"^locator_data_age_seconds (\S+)$", text, re.M).group(1))
    assert age > 0
    for private in ("SE13", "postcode", "lewisham", "kensington", "no-such", "/no/such"):
        assert private not in text


# --- OpenAPI document -----------------------------------------------------------------------


async def test_openapi_document_lists_every_problem_type(client: TestClient) -> None:
    resp = await client.get("/openapi.json")
    doc = await resp.json()
    assert doc["openapi"].startswith("3.0")
    problem_types = doc["components"]["schemas"]["Problem"]["properties"]["type"]["enum"]
    assert set(problem_types) >= {t.uri for t in PROBLEM_TYPES.values()}
    for slug in PROBLEM_TYPES:
        assert f"/problems/{slug}" in doc["components"]["schemas"]["Problem"]["description"]
    assert "8190" in doc["info"]["description"]  # the HTTP parser's limit is documented
    nearest = doc["paths"]["/v1/counters/nearest"]["get"]
    assert set(nearest["responses"]) == {"200", "400", "404", "409", "414", "422", "503"}
    assert {p["name"] for p in nearest["parameters"]} == {
        "postcode", "place", "lat", "lon", "limit", "open_now", "is_24_7", "at",
    }  # fmt: skip


# --- response cache -------------------------------------------------------------------------


async def test_identical_requests_are_answered_from_the_cache(
    aiohttp_client: AiohttpClient, real_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    real = app_module.find_nearest

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(app_module, "find_nearest", counting)
    client = await aiohttp_client(create_app(str(real_db), online_geocoder=None))
    url = "/v1/counters/nearest?postcode=SE13+6AA&at=2026-11-23T09:00:00Z"
    first = await (await client.get(url)).read()
    second = await (await client.get(url)).read()
    assert first == second and len(calls) == 1
    await client.get(url.replace("09:00", "09:01"))
    assert len(calls) == 2


def test_render_caches_do_not_change_answers(real_conn: Any) -> None:
    counters = load_counters(real_conn)
    for minute in range(0, 24 * 60, 7):
        at = datetime(2026, 3, 29, minute // 60, minute % 60, 31, tzinfo=LONDON)
        for c in counters:
            body = render.counter(c, at, "2026-02-21")
            assert body["open_now"] == hours.is_open(c, at)
            assert body["next_open"] == render.iso(hours.next_open(c, at))
            assert body["closes_at"] == render.iso(hours.closes_at(c, at))
            assert body["today_hours"] == hours.today_hours(c, at)


async def test_response_cache_lasts_one_second_without_at(
    aiohttp_client: AiohttpClient, real_db: Path
) -> None:
    now = [1_790_000_000.2]
    store = LocatorStore(real_db)
    cache = ResponseCache(store, clock=lambda: now[0])
    calls: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        calls.append(request.path)
        if request.path == "/boom":
            return web.Response(status=500)
        return web.json_response({"at": params.at(request).isoformat()})

    app = web.Application(middlewares=[cache.middleware])
    app.router.add_get("/now", handler)
    app.router.add_get("/boom", handler)
    app.router.add_get("/metrics", handler)
    client = await aiohttp_client(app)
    first = await (await client.get("/now")).json()
    assert first["at"] == datetime.fromtimestamp(now[0], LONDON).isoformat()
    now[0] += 0.7  # same second: replayed
    assert await (await client.get("/now")).json() == first
    now[0] += 0.2  # the next second: computed again
    assert await (await client.get("/now")).json() != first
    for _ in range(2):
        await client.get("/boom")
        await client.get("/metrics")
    assert calls == ["/now", "/now", "/boom", "/metrics", "/boom", "/metrics"]
    store.close()
