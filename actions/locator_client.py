"""Thin async client for the locator service (the single source of truth for front counters,
places and agencies)."""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp

# A full UK postcode, any spacing or case.
POSTCODE = re.compile(r"^\s*[A-Za-z]{1,2}[0-9][A-Za-z0-9]?\s*[0-9][A-Za-z]{2}\s*$")
TIMEOUT = aiohttp.ClientTimeout(total=float(os.environ.get("LOCATOR_TIMEOUT", "5")))


class LocatorUnavailable(Exception):
    """The locator could not be reached or answered with a server error."""


@dataclass(frozen=True)
class LocationProblem(Exception):
    """The locator understood the request but cannot answer it (RFC 9457 problem details)."""

    status: int
    detail: str
    body: dict[str, Any] = field(default_factory=dict, compare=False)


def base_url() -> str:
    return os.environ.get("LOCATOR_URL", "http://127.0.0.1:8001").rstrip("/")


# The action server's one session (and so one pool of keep-alive connections to the locator),
# open while that server runs, instead of a new session, connector and TCP connection per call.
_shared: aiohttp.ClientSession | None = None


async def _open_shared_session(app: Any, loop: Any) -> None:
    global _shared
    _shared = aiohttp.ClientSession(timeout=TIMEOUT)


async def _close_shared_session(app: Any, loop: Any) -> None:
    global _shared
    session, _shared = _shared, None
    if session is not None:
        await session.close()


def _share_a_session_while_the_action_server_runs() -> None:
    """rasa_sdk creates its Sanic app before it imports the actions, so the session can open
    and close with that server (an unclosed one would log an asyncio ERROR at shutdown)."""
    from sanic import Sanic
    from sanic.exceptions import SanicException

    try:
        app = Sanic.get_app("rasa_sdk")
    except SanicException:
        return  # not inside the action server (tests, scripts): a session per call
    app.register_listener(_open_shared_session, "before_server_start")
    app.register_listener(_close_shared_session, "after_server_stop")


_share_a_session_while_the_action_server_runs()


@asynccontextmanager
async def _session() -> AsyncIterator[aiohttp.ClientSession]:
    if _shared is not None and not _shared.closed:
        yield _shared
    else:
        async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
            yield session


async def _fetch(path: str, params: dict[str, str] | list[tuple[str, str]]) -> tuple[int, Any]:
    async with _session() as session, session.get(base_url() + path, params=params) as response:
        if response.status >= 500:
            raise LocatorUnavailable(f"locator answered {response.status}")
        return response.status, await response.json(content_type=None)


async def _get(path: str, params: dict[str, str] | list[tuple[str, str]]) -> dict[str, Any]:
    try:
        try:
            status, body = await _fetch(path, params)
        except aiohttp.ServerDisconnectedError:
            # A kept-alive connection the locator had just closed: a GET is safe to send again
            # once, on a new connection (a fresh session per call never met this).
            status, body = await _fetch(path, params)
    # asyncio.TimeoutError is not the built-in TimeoutError before Python 3.11: a locator that
    # accepts the connection and never answers raises it.
    except (aiohttp.ClientError, asyncio.TimeoutError, TimeoutError, ValueError) as error:
        raise LocatorUnavailable(str(error)) from error
    if status >= 400:
        detail = str(body.get("detail") or body.get("title"))
        raise LocationProblem(status, detail, body)
    return body


def _location_params(query: str) -> dict[str, str]:
    key = "postcode" if POSTCODE.match(query) else "place"
    return {key: query.strip()}


async def geocode(query: str) -> dict[str, Any]:
    """Resolves what a person typed to a location, or raises LocationProblem."""
    return await _get("/v1/geocode", {"q": query.strip()})


async def nearest(query: str, limit: int = 3) -> dict[str, Any]:
    """Nearest open counters to a place or postcode, with the nearest 24/7 counter."""
    return await _get("/v1/counters/nearest", {**_location_params(query), "limit": str(limit)})


async def nearest_to_point(lat: float, lon: float, limit: int = 3) -> dict[str, Any]:
    return await _get(
        "/v1/counters/nearest", {"lat": str(lat), "lon": str(lon), "limit": str(limit)}
    )


async def counters_named(name: str) -> list[dict[str, Any]]:
    """Counters (open or closed) whose name matches what the person typed."""
    return (await _get("/v1/counters", {"q": name.strip()}))["counters"]


async def counter(counter_id: str) -> dict[str, Any]:
    return await _get(f"/v1/counters/{counter_id}", {})


async def agencies_for_need(need: str) -> list[dict[str, Any]]:
    return (await _get("/v1/agencies", {"need": need}))["agencies"]


async def agencies_by_id(ids: list[str]) -> list[dict[str, Any]]:
    """Agencies in the order asked for."""
    found = (await _get("/v1/agencies", [("id", i) for i in ids]))["agencies"]
    by_id = {a["id"]: a for a in found}
    return [by_id[i] for i in ids if i in by_id]
