"""The optional online geocoder: off by default, wired in only when configured, and never called
over the network here (a local fake stands in for Nominatim, the edge of the world)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from pathlib import Path
from typing import Any, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from locator import online
from locator.app import ONLINE, create_app
from locator.online import (
    CachedGeocoder,
    NominatimGeocoder,
    OnlineConfigError,
    OnlinePlace,
    from_environment,
)
from tests.locator.test_locator_api import problem

AiohttpClient = Callable[[web.Application], Awaitable[TestClient]]
DOWNING_STREET = OnlinePlace("10 Downing Street, London SW1A 2AA", 51.50336, -0.12767)


class FakeGeocoder:
    def __init__(self, answer: OnlinePlace | None = DOWNING_STREET, error: bool = False) -> None:
        self.answer, self.error = answer, error
        self.queries: list[str] = []

    def geocode(self, query: str) -> OnlinePlace | None:
        self.queries.append(query)
        if self.error:
            raise TimeoutError(f"service timed out for {query}")
        return self.answer


def test_off_by_default(real_db: Path) -> None:
    assert from_environment({}) is None
    assert from_environment({online.ENV_GEOCODER: "off"}) is None
    assert from_environment({online.ENV_GEOCODER: ""}) is None
    assert ONLINE not in create_app(str(real_db))  # the environment is cleared by conftest
    assert ONLINE not in create_app(str(real_db), environ={})


def test_half_configured_is_an_error_at_startup(real_db: Path) -> None:
    with pytest.raises(OnlineConfigError, match=online.ENV_USER_AGENT):
        create_app(str(real_db), environ={online.ENV_GEOCODER: "nominatim"})
    with pytest.raises(OnlineConfigError, match="only online geocoder"):
        from_environment({online.ENV_GEOCODER: "google"})
    with pytest.raises(OnlineConfigError, match="seconds"):
        from_environment({online.ENV_GEOCODER: "nominatim", online.ENV_USER_AGENT: "t",
                          online.ENV_TIMEOUT: "soon"})  # fmt: skip


def test_configured_nominatim_is_cached_and_rate_limited() -> None:
    made = from_environment({
        online.ENV_GEOCODER: "Nominatim", online.ENV_USER_AGENT: "met-locator-tests",
        online.ENV_TIMEOUT: "3", online.ENV_CACHE_TTL: "60",
    })  # fmt: skip
    assert isinstance(made, CachedGeocoder) and made.ttl_s == 60
    inner = made.inner
    assert isinstance(inner, NominatimGeocoder)
    assert inner.nominatim.timeout == 3
    assert inner.nominatim.headers["User-Agent"] == "met-locator-tests"
    assert inner.rate_limited.min_delay_seconds == 1.0  # Nominatim's usage policy
    assert inner.rate_limited.max_retries == 0


def test_nominatim_wrapper_asks_for_one_uk_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    geocoder = NominatimGeocoder("met-locator-tests", min_delay_s=0.0)
    seen: list[tuple[str, dict[str, Any]]] = []

    class Found:
        address, latitude, longitude = "Somewhere, London", 51.5, -0.1

    def fake_geocode(query: str, **kwargs: Any) -> Found:
        seen.append((query, kwargs))
        return Found()

    monkeypatch.setattr(geocoder.rate_limited, "func", fake_geocode)  # no network
    assert geocoder.geocode("10 Downing Street") == OnlinePlace("Somewhere, London", 51.5, -0.1)
    query, kwargs = seen[0]
    assert query == "10 Downing Street"
    assert kwargs["exactly_one"] is True and kwargs["country_codes"] == "gb"


def test_cache_keeps_answers_for_their_time_to_live() -> None:
    now = [1000.0]
    fake = FakeGeocoder()
    cached = CachedGeocoder(fake, ttl_s=60, size=2, clock=lambda: now[0])
    assert cached.geocode("10 Downing St") == DOWNING_STREET
    assert cached.geocode("10  downing st") == DOWNING_STREET  # same key: spacing and case
    assert len(fake.queries) == 1
    now[0] += 61
    cached.geocode("10 Downing St")
    assert len(fake.queries) == 2
    cached.geocode("a")
    cached.geocode("b")  # size 2: the oldest ("10 downing st") is dropped
    cached.geocode("10 Downing St")
    assert len(fake.queries) == 5
    failing = CachedGeocoder(FakeGeocoder(error=True), clock=lambda: now[0])
    for _ in range(2):
        with pytest.raises(TimeoutError):
            failing.geocode("x")
    assert len(failing.inner.queries) == 2  # errors are not cached


async def test_unknown_address_goes_to_the_injected_geocoder(
    aiohttp_client: AiohttpClient, real_db: Path
) -> None:
    fake = FakeGeocoder()
    client = await aiohttp_client(create_app(str(real_db), online_geocoder=fake))
    resp = await client.get("/v1/geocode", params={"q": "10  Downing Street"})
    body = await resp.json()
    assert resp.status == 200 and fake.queries == ["10 Downing Street"]
    location = body["location"]
    assert (location["kind"], location["match"]) == ("address", "online")
    assert location["label"] == DOWNING_STREET.label
    assert location["borough"] == "Westminster"  # from the offline tables
    assert "OpenStreetMap" in location["note"]
    resp = await client.get("/v1/counters/nearest", params={"place": "10 Downing Street"})
    assert resp.status == 200
    assert (await resp.json())["counters"][0]["id"] == "charing-cross"


async def test_offline_answers_never_reach_the_online_geocoder(
    aiohttp_client: AiohttpClient, real_db: Path
) -> None:
    fake = FakeGeocoder()
    client = await aiohttp_client(create_app(str(real_db), online_geocoder=fake))
    for q in ("SE13 6AA", "Lewisahm", "Alexandra Park", "ZZ1 1ZZ", "E17", "%00"):
        resp = await client.get(f"/v1/geocode?q={q}")
        assert resp.status < 500
    await client.get("/v1/counters/nearest", params={"postcode": "SW1A 9ZZ"})
    assert fake.queries == []


async def test_online_failures_are_answered_as_not_found(
    aiohttp_client: AiohttpClient, real_db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    for fake in (FakeGeocoder(error=True), FakeGeocoder(answer=None)):
        client = await aiohttp_client(create_app(str(real_db), online_geocoder=fake))
        with caplog.at_level(logging.WARNING, logger="locator"):
            resp = await client.get("/v1/geocode", params={"q": "1 Secret Lane"})
        await problem(resp, 404, "location-not-found")
        assert fake.queries == ["1 Secret Lane"]
    assert "TimeoutError" in caplog.text and "Secret" not in caplog.text


async def test_an_online_answer_outside_london_is_outside_the_met_area(
    aiohttp_client: AiohttpClient, real_db: Path
) -> None:
    manchester = FakeGeocoder(OnlinePlace("Piccadilly, Manchester", 53.4808, -2.2426))
    client = await aiohttp_client(create_app(str(real_db), online_geocoder=manchester))
    resp = await client.get("/v1/counters/nearest", params={"place": "Piccadilly Manchester"})
    body = await problem(resp, 422, "outside-met-area")
    assert body["location"]["kind"] == "address"
