from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Awaitable
from pathlib import Path
from typing import Any, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, make_mocked_request
from geopy.distance import geodesic

from locator import app as app_module
from locator.__main__ import main
from locator.app import PathOnlyAccessLogger, create_app
from locator.importer import run_import
from locator.store import LocatorStore
from tests.locator.locator_helpers import MakeSource, read_counter_rows

NOTICE = (
    "Hours come from public sources dated up to 21 February 2026. "
    "Check met.police.uk before you travel."
)
FORCE_FINDER = "https://www.police.uk/pu/find-your-local-police-force/"
COUNTER_KEYS = {
    "id", "name", "address", "postcode", "borough", "lat", "lon", "distance_km",
    "distance_miles", "is_24_7", "open_now", "today_hours", "next_open", "hours_note",
    "confidence", "maps_url", "data_as_of",
}  # fmt: skip
AiohttpClient = Callable[[web.Application], Awaitable[TestClient]]


@pytest.fixture()
async def client(aiohttp_client: AiohttpClient, real_db: Path) -> TestClient:
    return await aiohttp_client(create_app(str(real_db)))


async def problem(resp: Any, status: int, type_: str) -> dict[str, Any]:
    """Assert an RFC 9457 problem response and return its body."""
    assert resp.status == status, await resp.text()
    assert resp.content_type == "application/problem+json"
    body = await resp.json(content_type=None)
    assert body["status"] == status
    assert body["type"] == f"/problems/{type_}"
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    assert "Traceback" not in body["detail"]
    return body


async def test_healthz(client: TestClient) -> None:
    resp = await client.get("/healthz")
    assert resp.status == 200
    assert await resp.json() == {
        "status": "ok", "counters": 27, "closed_counters": 10, "data_as_of": "2026-02-21",
    }  # fmt: skip


async def test_nearest_for_se13_6aa(client: TestClient) -> None:
    resp = await client.get(
        "/v1/counters/nearest", params={"postcode": "se13 6aa", "at": "2026-11-23T09:00:00Z"}
    )
    assert resp.status == 200
    assert resp.content_type == "application/json"
    body = await resp.json()
    assert body["query"] == {
        "postcode": "se13 6aa", "limit": 3, "open_now": False, "is_24_7": False,
        "at": "2026-11-23T09:00:00+00:00",
    }  # fmt: skip
    loc = body["location"]
    assert (loc["label"], loc["kind"], loc["borough"]) == ("SE13 6AA", "postcode", "Lewisham")
    assert loc["police_force"] == "Metropolitan Police Service"
    assert body["data_as_of"] == "2026-02-21"
    assert body["notice"] == NOTICE
    assert body["excluded_without_coordinates"] == []
    counters = body["counters"]
    assert len(counters) == 3
    assert set(counters[0]) >= COUNTER_KEYS
    first = counters[0]
    assert first["id"] == "lewisham" and first["is_24_7"] and first["open_now"]
    assert first["today_hours"] == "open 24 hours" and first["next_open"] is None
    km = geodesic((loc["lat"], loc["lon"]), (first["lat"], first["lon"])).km
    assert first["distance_km"] == round(km, 2)
    assert first["distance_miles"] == round(km / 1.609344, 2)
    assert [c["distance_km"] for c in counters] == sorted(c["distance_km"] for c in counters)
    assert f"mlat={first['lat']:.6f}" in first["maps_url"]
    assert first["maps_url"].startswith("https://www.openstreetmap.org/")
    assert "Bank holiday" in first["hours_note"]
    # 09:00 on a Monday: the others open at 10:00 London time.
    second = counters[1]
    assert not second["open_now"] and second["today_hours"] == "10:00 to 22:00"
    assert second["next_open"] == "2026-11-23T10:00:00+00:00"
    assert body["nearest_24_7"]["id"] == "lewisham"
    assert set(body["nearest_24_7"]) >= COUNTER_KEYS


async def test_nearest_by_place_and_coordinates(client: TestClient) -> None:
    resp = await client.get("/v1/counters/nearest", params={"place": "Brixton", "limit": "1"})
    body = await resp.json()
    assert resp.status == 200
    assert body["location"]["kind"] == "place"
    assert [c["id"] for c in body["counters"]] == ["brixton"]
    resp = await client.get("/v1/counters/nearest", params={"lat": "51.4633", "lon": "-0.0098"})
    body = await resp.json()
    assert body["location"]["kind"] == "coordinates"
    assert body["counters"][0]["id"] == "lewisham"


async def test_open_now_and_24_7_filters(client: TestClient) -> None:
    sunday_evening = "2026-11-22T20:00:00"  # no offset: London time
    resp = await client.get(
        "/v1/counters/nearest",
        params={"postcode": "W3 9BH", "open_now": "true", "at": sunday_evening, "limit": "10"},
    )
    body = await resp.json()
    assert [c["id"] for c in body["counters"]] == ["charing-cross", "lewisham"]
    assert all(c["open_now"] for c in body["counters"])
    resp = await client.get("/v1/counters/nearest", params={"place": "Acton", "is_24_7": "yes"})
    body = await resp.json()
    assert {c["id"] for c in body["counters"]} == {"charing-cross", "lewisham"}


async def test_at_with_unencoded_plus_offset(client: TestClient) -> None:
    resp = await client.get("/v1/counters/nearest?postcode=W3+9BH&at=2026-03-29T09:30:00+01:00")
    body = await resp.json()
    assert body["query"]["at"] == "2026-03-29T09:30:00+01:00"
    acton = next(c for c in body["counters"] if c["id"] == "acton")
    assert acton["open_now"] and acton["today_hours"] == "09:00 to 19:00"


@pytest.mark.parametrize(
    ("query", "status", "type_", "text"),
    [
        ("", 400, "invalid-parameter", "give 'postcode'"),
        ("?postcode=SE13+6AA&place=Lewisham", 400, "conflicting-parameters", "only one"),
        ("?postcode=SE13+6AA&lat=51.5&lon=0", 400, "conflicting-parameters", "only one"),
        ("?lat=51.5", 400, "invalid-parameter", "both 'lat' and 'lon'"),
        ("?lat=91&lon=0", 400, "invalid-parameter", "'lat' must be"),
        ("?lat=51.5&lon=abc", 400, "invalid-parameter", "'lon' must be"),
        ("?lat=nan&lon=0", 400, "invalid-parameter", "'lat' must be"),
        ("?postcode=E17&at=yesterday", 400, "invalid-parameter", "'at' must be"),
        ("?postcode=E17&at=9999-12-31T23:59", 400, "invalid-parameter", "between 2000"),
        ("?postcode=E17&limit=0", 400, "invalid-parameter", "'limit'"),
        ("?postcode=E17&limit=11", 400, "invalid-parameter", "'limit'"),
        ("?postcode=E17&limit=2.5", 400, "invalid-parameter", "'limit'"),
        ("?postcode=E17&open_now=maybe", 400, "invalid-parameter", "'open_now'"),
        ("?postcode=E17&postcode=E18", 400, "invalid-parameter", "only once"),
        ("?postcode=hello", 400, "invalid-postcode", "doesn't look like a postcode"),
        ("?place=", 400, "invalid-location", "empty"),
        ("?postcode=ZZ1+1ZZ", 404, "postcode-not-found",
         "We couldn't find the postcode 'ZZ1 1ZZ'. Check it and try again, "
         "or give a town or borough name."),
        ("?place=Atlantis", 404, "location-not-found", "couldn't find a place called 'Atlantis'"),
        ("?postcode=BR6+7NZ", 422, "outside-met-area", FORCE_FINDER),
        ("?lat=53.48&lon=-2.24", 422, "outside-met-area", "outside Greater London"),
        ("?postcode=DA1", 422, "outside-met-area", "partly in Greater London"),
    ],
)  # fmt: skip
async def test_nearest_errors(
    client: TestClient, query: str, status: int, type_: str, text: str
) -> None:
    body = await problem(await client.get(f"/v1/counters/nearest{query}"), status, type_)
    assert text.lower() in body["detail"].lower()


async def test_city_of_london_is_referred_to_its_own_force(client: TestClient) -> None:
    resp = await client.get("/v1/counters/nearest", params={"postcode": "EC2V 8AG"})
    body = await problem(resp, 422, "city-of-london")
    assert "City of London Police" in body["detail"]
    assert "101" in body["detail"] and "https://www.cityoflondon.police.uk/" in body["detail"]
    assert body["police_force"] == "City of London Police"
    assert body["non_emergency_phone"] == "101"
    assert body["location"]["police_force"] == "City of London Police"


async def test_outside_london_points_to_force_finder(client: TestClient) -> None:
    resp = await client.get("/v1/counters/nearest", params={"postcode": "BR6 7NZ"})
    body = await problem(resp, 422, "outside-met-area")
    assert body["links"] == [{"rel": "force-finder", "href": FORCE_FINDER}]
    assert body["location"]["in_london"] is False


async def test_huge_query_string_is_a_client_error(client: TestClient) -> None:
    resp = await client.get("/v1/counters/nearest?postcode=" + "A" * 100_000)
    assert 400 <= resp.status < 500  # rejected by the HTTP parser before any handler
    resp = await client.get("/v1/counters/nearest", params={"place": "A" * 5_000})
    await problem(resp, 414, "query-too-long")
    resp = await client.get("/v1/counters/nearest", params={"place": "A" * 500})
    await problem(resp, 400, "invalid-location")


@pytest.mark.parametrize(
    ("query", "status", "type_"),
    [
        ("?place=%FF%FE%00", 400, "invalid-location"),
        ("?place=%00", 400, "invalid-location"),
        ("?place=%C3%28", 400, "invalid-location"),
        ("?place=%F0%9F%99%82", 404, "location-not-found"),
        ("?postcode=%F0%9F%99%82", 400, "invalid-postcode"),
        ("?lat=%F0%9F%99%82&lon=1", 400, "invalid-parameter"),
        ("?postcode=E17&at=%FF", 400, "invalid-parameter"),
        ("?postcode=E17&limit=%EF%BC%93", 400, "invalid-parameter"),  # fullwidth digit 3
    ],
)
async def test_binary_and_emoji_input(
    client: TestClient, query: str, status: int, type_: str
) -> None:
    await problem(await client.get(f"/v1/counters/nearest{query}"), status, type_)


async def test_geocode_endpoint(client: TestClient) -> None:
    resp = await client.get("/v1/geocode", params={"q": "RBKC"})
    assert resp.status == 200
    body = await resp.json()
    assert body["location"]["kind"] == "borough"
    assert body["location"]["label"] == "Kensington and Chelsea"
    resp = await client.get("/v1/geocode", params={"q": "BR6 7NZ"})
    body = await resp.json()
    assert resp.status == 200 and body["location"]["in_london"] is False
    await problem(await client.get("/v1/geocode"), 400, "invalid-parameter")
    await problem(await client.get("/v1/geocode?q=qwertyuiop"), 404, "location-not-found")
    await problem(await client.get("/v1/geocode?q=SE13+9ZZ"), 404, "postcode-not-found")


async def test_list_counters(client: TestClient) -> None:
    resp = await client.get("/v1/counters", params={"at": "2026-11-23T12:00:00Z"})
    body = await resp.json()
    assert resp.status == 200
    counters = body["counters"]
    assert len(counters) == 37
    assert sum(c["status"] == "open" for c in counters) == 27
    closed = [c for c in counters if c["status"] == "closed"]
    assert {c["closed_on"] for c in closed} == {"2026-02-28"}
    assert not any(c["open_now"] for c in closed)
    assert body["notice"] == NOTICE


async def test_open_counter_detail(client: TestClient) -> None:
    resp = await client.get("/v1/counters/acton")
    body = await resp.json()
    assert resp.status == 200
    assert body["status"] == "open" and body["closed_on"] is None
    assert len(body["weekly_hours"]) == 7
    assert body["weekly_hours"][0] == {"day": "Monday", "hours": "10:00 to 22:00"}
    assert body["source_urls"] and all(" " not in u for u in body["source_urls"])


async def test_closed_counter_points_to_nearest_open(client: TestClient) -> None:
    resp = await client.get("/v1/counters/kensington")
    body = await resp.json()
    assert resp.status == 200
    assert body["status"] == "closed" and body["closed_on"] == "2026-02-28"
    assert body["open_now"] is False and body["next_open"] is None
    assert body["message"] == "This counter closed on 28 February 2026."
    nearest = body["nearest_open"]
    assert nearest["status"] == "open" and nearest["id"] != "kensington"
    assert nearest["distance_km"] > 0
    assert body["nearest_open_measured_from"] == "closed counter location"
    # No postcode for this one: measured from its borough instead.
    body = await (await client.get("/v1/counters/church-street")).json()
    assert body["nearest_open"]["id"] == "charing-cross"
    assert body["nearest_open_measured_from"] == "Westminster borough centre"


async def test_unknown_routes_and_methods(client: TestClient) -> None:
    await problem(await client.get("/v1/counters/nowhere"), 404, "counter-not-found")
    await problem(await client.get("/v1/counters/%F0%9F%99%82"), 404, "counter-not-found")
    await problem(await client.get("/no/such/page"), 404, "not-found")
    resp = await client.post("/v1/counters/nearest", data=b"\x00\xff")
    body = await problem(resp, 405, "method-not-allowed")
    assert "GET" in resp.headers["Allow"] and "GET" in body["detail"]
    resp = await client.get("/problems/city-of-london")
    assert resp.status == 200 and (await resp.json())["status"] == 422


async def test_unexpected_error_is_500_without_details(
    aiohttp_client: AiohttpClient,
    real_db: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def explode(counters: object, origin: tuple[float, float], *args: object, **kw: object) -> None:
        # The message carries the person's location, as a real error message could.
        raise RuntimeError(f"secret location {origin}")

    monkeypatch.setattr(app_module, "find_nearest", explode)
    client = await aiohttp_client(create_app(str(real_db)))
    with caplog.at_level(logging.ERROR, logger="locator"):
        resp = await client.get("/v1/counters/nearest", params={"postcode": "SE13 6AA"})
    body = await problem(resp, 500, "internal-error")
    assert "51.46025" not in body["detail"] and "RuntimeError" not in body["detail"]
    logged = caplog.text
    assert "RuntimeError" in logged and "/v1/counters/nearest" in logged
    # Neither the query string nor the exception message (with the location) is logged.
    assert "SE13" not in logged and "51.46025" not in logged


def test_access_log_has_no_query_string(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.access")
    access = PathOnlyAccessLogger(logger, "")
    request = make_mocked_request("GET", "/v1/counters/nearest?postcode=SE13+6AA")
    with caplog.at_level(logging.INFO, logger="test.access"):
        access.log(request, web.Response(status=200), 0.0123)
    assert '"GET /v1/counters/nearest" 200' in caplog.text
    assert "SE13" not in caplog.text and "postcode" not in caplog.text


async def test_excluded_counters_are_reported(
    aiohttp_client: AiohttpClient, make_source: MakeSource, tmp_path: Path
) -> None:
    rows = read_counter_rows()
    for row in rows:
        if row["id"] == "walworth":
            row["latitude"] = row["longitude"] = ""
            row["postcode"] = "SE17 9ZZ"  # unknown: cannot be located
    db = tmp_path / "mini.sqlite"
    run_import(make_source(counters=rows), db)
    client = await aiohttp_client(create_app(str(db)))
    body = await (await client.get("/v1/counters/nearest?postcode=SE17+3BB&limit=10")).json()
    assert body["excluded_without_coordinates"] == [
        {"id": "walworth", "name": "Walworth Police Station", "postcode": "SE17 9ZZ",
         "borough": "Southwark"},
    ]  # fmt: skip
    assert "walworth" not in {c["id"] for c in body["counters"]}


def test_store_reloads_after_a_new_import(make_source: MakeSource, tmp_path: Path) -> None:
    db = tmp_path / "live.sqlite"
    run_import(make_source(), db)
    store = LocatorStore(db)
    store.open()
    assert sum(c.is_open_counter for c in store.current().counters) == 27
    rows = [r for r in read_counter_rows() if r["id"] != "acton"]
    run_import(make_source(counters=rows), db)
    os.utime(db, ns=(1, 1))  # make sure the identity changes even on coarse clocks
    assert sum(c.is_open_counter for c in store.current().counters) == 26
    # A broken replacement keeps the last good data in service.
    shutil.copyfile(db, tmp_path / "good.sqlite")
    db.write_bytes(b"not a database")
    assert sum(c.is_open_counter for c in store.current().counters) == 26
    store.close()


def test_serve_without_database_exits_with_advice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--db", str(tmp_path / "missing.sqlite")]) == 1
    err = capsys.readouterr().err
    assert "python -m locator import" in err and "missing.sqlite" in err
