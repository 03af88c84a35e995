"""The locator web service (aiohttp): nearest front counters, counter details, geocoding.

Privacy: queries carry people's postcodes, so neither the access log nor error logs contain
query strings, and unexpected errors are logged without the exception message.
"""

from __future__ import annotations

import json
import logging
import math
import re
import traceback
from collections.abc import Awaitable
from datetime import datetime
from functools import partial
from typing import Any, Callable

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from . import messages, render
from .geocode import (
    GeocodeError,
    InvalidQuery,
    Location,
    NotAPostcode,
    PostcodeNotFound,
    shown,
)
from .hours import LONDON, to_london
from .nearest import MAX_LIMIT, find_nearest, rank
from .problems import PROBLEM_TYPES, Problem
from .store import DatabaseUnavailable, LocatorStore, Snapshot

log = logging.getLogger("locator")

STORE = web.AppKey("locator_store", LocatorStore)
# Longer than any honest request (a postcode and a few flags); protects the parsers and logs.
MAX_QUERY_STRING = 2048
DEFAULT_LIMIT = 3
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_COUNTER_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
# "+01:00" arrives as " 01:00" when a client forgets to percent-encode the plus sign.
_SPACED_OFFSET = re.compile(r"^(.*\d) (\d{2}(:?\d{2})?)$")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
dumps = partial(json.dumps, ensure_ascii=False)


# --- parameters ------------------------------------------------------------------------------


def _param(request: web.Request, name: str) -> str | None:
    values = request.query.getall(name, [])
    if len(values) > 1:
        raise Problem("invalid-parameter", f"Give '{name}' only once.")
    return values[0] if values else None


def _coordinate(raw: str, name: str, limit: float) -> float:
    text = raw.strip()
    value = float(text) if _NUMBER.match(text) else math.nan
    if not -limit <= value <= limit:  # also false for NaN
        raise Problem(
            "invalid-parameter",
            f"'{name}' must be a decimal number between -{limit:g} and {limit:g}, "
            f"like 51.4633 for lat or -0.0098 for lon.",
        )
    return value


def _flag(request: web.Request, name: str) -> bool:
    raw = _param(request, name)
    if raw is None or raw.strip() == "":
        return False
    value = raw.strip().lower()
    if value in ("true", "1", "yes"):
        return True
    if value in ("false", "0", "no"):
        return False
    raise Problem("invalid-parameter", f"'{name}' must be true or false.")


def _limit(request: web.Request) -> int:
    raw = _param(request, "limit")
    if raw is None:
        return DEFAULT_LIMIT
    text = raw.strip()
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_LIMIT:
        raise Problem(
            "invalid-parameter", f"'limit' must be a whole number from 1 to {MAX_LIMIT}."
        )
    return int(text)


def parse_at(raw: str | None) -> datetime:
    """ISO 8601 date-time; no offset means London time. Default: now."""
    if raw is None:
        return datetime.now(LONDON)
    text = raw.strip()
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    spaced = _SPACED_OFFSET.match(text)
    if spaced and "T" in text.upper():
        text = f"{spaced.group(1)}+{spaced.group(2)}"
    try:
        if len(text) > 40:
            raise ValueError
        value = datetime.fromisoformat(text)
    except ValueError:
        raise Problem(
            "invalid-parameter",
            "'at' must be an ISO 8601 date and time, like 2026-03-29T09:30:00+01:00 "
            "(without an offset it is taken as London time).",
        ) from None
    if not 2000 <= value.year <= 2100:
        raise Problem("invalid-parameter", "'at' must be a date between 2000 and 2100.")
    return to_london(value)


def _geocode(snapshot: Snapshot, request: web.Request) -> tuple[Location, dict[str, Any]]:
    """Exactly one of postcode, place, or lat+lon; returns the location and the echoed query."""
    postcode, place = _param(request, "postcode"), _param(request, "place")
    lat_raw, lon_raw = _param(request, "lat"), _param(request, "lon")
    has_point = lat_raw is not None or lon_raw is not None
    given = [name for name, present in
             (("postcode", postcode is not None), ("place", place is not None),
              ("lat/lon", has_point)) if present]  # fmt: skip
    if not given:
        raise Problem(
            "invalid-parameter",
            "Say where you are: give 'postcode' (like SE13 6AA or E17), 'place' (a town, "
            "area or borough) or 'lat' and 'lon'.",
        )
    if len(given) > 1:
        raise Problem(
            "conflicting-parameters",
            f"Give only one location, not {' and '.join(given)}.",
        )
    try:
        if postcode is not None:
            return snapshot.geocoder.resolve_postcode(postcode), {"postcode": postcode}
        if place is not None:
            return snapshot.geocoder.resolve(place), {"place": place}
    except GeocodeError as exc:
        raise _geocode_problem(exc) from None
    if lat_raw is None or lon_raw is None:
        raise Problem("invalid-parameter", "Give both 'lat' and 'lon', or neither.")
    lat, lon = _coordinate(lat_raw, "lat", 90), _coordinate(lon_raw, "lon", 180)
    return snapshot.geocoder.reverse(lat, lon), {"lat": lat, "lon": lon}


def _geocode_problem(exc: GeocodeError) -> Problem:
    if isinstance(exc, InvalidQuery):
        return Problem("invalid-location", exc.detail)
    if isinstance(exc, NotAPostcode):
        return Problem("invalid-postcode", exc.detail)
    if isinstance(exc, PostcodeNotFound):
        return Problem("postcode-not-found", exc.detail)
    return Problem("location-not-found", exc.detail)


def _require_met_area(location: Location) -> None:
    """The Met covers Greater London except the City of London: say who to contact instead."""
    body = render.location(location)
    if not location.in_london:
        detail = messages.outside_met_area(location.label, location.la_name)
        if location.note:
            detail = f"{detail} {location.note}"
        raise Problem(
            "outside-met-area", detail, location=body,
            links=[{"rel": "force-finder", "href": messages.FORCE_FINDER_URL}],
        )  # fmt: skip
    if location.in_city_of_london:
        raise Problem(
            "city-of-london", messages.city_of_london(location.label), location=body,
            police_force=messages.CITY_OF_LONDON_POLICE,
            non_emergency_phone=messages.NON_EMERGENCY_NUMBER,
            links=[{"rel": "police-force", "href": messages.CITY_OF_LONDON_POLICE_URL}],
        )  # fmt: skip


# --- handlers -------------------------------------------------------------------------------


def _snapshot(request: web.Request) -> Snapshot:
    return request.app[STORE].current()


def _json(body: Any, status: int = 200) -> web.Response:
    return web.json_response(body, status=status, dumps=dumps)


async def healthz(request: web.Request) -> web.Response:
    snapshot = _snapshot(request)
    open_count = sum(c.is_open_counter for c in snapshot.counters)
    return _json({
        "status": "ok",
        "counters": open_count,
        "closed_counters": len(snapshot.counters) - open_count,
        "data_as_of": snapshot.data_as_of,
    })  # fmt: skip


async def nearest_counters(request: web.Request) -> web.Response:
    snapshot = _snapshot(request)
    limit = _limit(request)
    open_now, only_24_7 = _flag(request, "open_now"), _flag(request, "is_24_7")
    at = parse_at(_param(request, "at"))
    location, query = _geocode(snapshot, request)
    _require_met_area(location)
    result = find_nearest(
        snapshot.counters, (location.lat, location.lon), at,
        limit=limit, open_now=open_now, only_24_7=only_24_7,
    )  # fmt: skip
    as_of = snapshot.data_as_of
    query.update(limit=limit, open_now=open_now, is_24_7=only_24_7, at=render.iso(at))
    return _json({
        "query": query,
        "location": render.location(location),
        "counters": [render.counter(m.counter, at, as_of, m) for m in result.matches],
        "nearest_24_7": (
            render.counter(result.nearest_24_7.counter, at, as_of, result.nearest_24_7)
            if result.nearest_24_7 else None
        ),
        "data_as_of": as_of,
        "excluded_without_coordinates": [
            render.excluded(c) for c in result.excluded_without_coordinates
        ],
        "notice": messages.notice(as_of),
    })  # fmt: skip


async def list_counters(request: web.Request) -> web.Response:
    snapshot = _snapshot(request)
    at = parse_at(_param(request, "at"))
    as_of = snapshot.data_as_of
    return _json({
        "counters": [render.counter(c, at, as_of) for c in snapshot.counters],
        "data_as_of": as_of,
        "notice": messages.notice(as_of),
    })  # fmt: skip


async def get_counter(request: web.Request) -> web.Response:
    snapshot = _snapshot(request)
    counter_id = request.match_info["counter_id"]
    found = snapshot.counter(counter_id) if _COUNTER_ID.match(counter_id) else None
    if found is None:
        raise Problem(
            "counter-not-found",
            f"There is no front counter with the id '{shown(counter_id, 40)}'. "
            "GET /v1/counters lists them all.",
        )
    at = parse_at(_param(request, "at"))
    as_of = snapshot.data_as_of
    body = render.counter_detail(found, at, as_of)
    if not found.is_open_counter:
        # Point people at the open counter nearest to the one that closed.
        origin, basis = None, None
        if found.has_coordinates:
            origin, basis = (found.lat, found.lon), "closed counter location"
        else:
            borough = snapshot.geocoder.borough(found.borough)
            if borough is not None:
                origin, basis = (borough.lat, borough.lon), f"{borough.label} borough centre"
        nearest = rank(snapshot.counters, origin)[:1] if origin else []
        body["message"] = (
            f"This counter closed on {messages.human_date(found.closed_on)}."
            if found.closed_on else "This counter has closed."
        )  # fmt: skip
        body["nearest_open"] = render.counter(nearest[0].counter, at, as_of, nearest[0]) \
            if nearest else None
        body["nearest_open_measured_from"] = basis
    body["notice"] = messages.notice(as_of)
    return _json(body)


async def geocode(request: web.Request) -> web.Response:
    snapshot = _snapshot(request)
    q = _param(request, "q")
    if q is None:
        raise Problem("invalid-parameter", "Give 'q': a postcode, district, borough or place.")
    try:
        location = snapshot.geocoder.resolve(q)
    except GeocodeError as exc:
        raise _geocode_problem(exc) from None
    return _json({"query": {"q": q}, "location": render.location(location)})


async def problem_type(request: web.Request) -> web.Response:
    found = PROBLEM_TYPES.get(request.match_info["slug"])
    if found is None:
        raise web.HTTPNotFound()
    return _json({
        "type": found.uri, "title": found.title, "status": found.status,
        "description": found.description,
    })  # fmt: skip


# --- errors, logging, app factory -------------------------------------------------------------


@web.middleware
async def problem_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        if len(request.rel_url.raw_query_string) > MAX_QUERY_STRING:
            raise Problem(
                "query-too-long",
                f"The query is too long (the limit is {MAX_QUERY_STRING} characters). "
                "Give a postcode, a town or a borough name.",
            )
        return await handler(request)
    except Problem as problem:
        return problem.response()
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        if exc.status == 404:
            return Problem(
                "not-found",
                f"There is nothing at {shown(request.path, 80)}. Try "
                "GET /v1/counters/nearest?postcode=SE13+6AA or GET /healthz.",
            ).response()
        if exc.status == 405:
            allow = exc.headers.get("Allow", "")
            return Problem(
                "method-not-allowed", f"{request.method} is not allowed here; use {allow}."
            ).response(headers={"Allow": allow})
        return Problem.from_status(exc.status, exc.text or exc.reason).response()
    except DatabaseUnavailable:
        log.error("locator database unavailable for %s %s", request.method, request.path)
        return Problem(
            "unavailable", "The front-counter data is not available right now. Try again soon."
        ).response()
    except Exception as exc:
        # No exception message or query string: either may contain a person's postcode.
        log.error(
            "unhandled %s on %s %s (message omitted)\n%s",
            type(exc).__name__, request.method, request.path,
            "".join(traceback.format_tb(exc.__traceback__)),
        )  # fmt: skip
        return Problem(
            "internal-error", "Something went wrong on our side. Please try again later."
        ).response()


class PathOnlyAccessLogger(AbstractAccessLogger):
    """Access log without query strings (they hold postcodes) or client addresses."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            '"%s %s" %s %.1fms', request.method, request.path, response.status, time * 1000
        )


class DropExceptionDetails(logging.Filter):
    """aiohttp logs malformed requests with an exception that can quote the request line."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info, record.exc_text = None, None
        return True


async def _open_store(app: web.Application) -> None:
    app[STORE].open()  # in the event-loop thread, where every later query runs


async def _close_store(app: web.Application) -> None:
    app[STORE].close()


def create_app(db_path: str) -> web.Application:
    app = web.Application(middlewares=[problem_middleware])
    app[STORE] = LocatorStore(db_path)
    app.on_startup.append(_open_store)
    app.on_cleanup.append(_close_store)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/v1/counters/nearest", nearest_counters)
    app.router.add_get("/v1/counters", list_counters)
    app.router.add_get("/v1/counters/{counter_id}", get_counter)
    app.router.add_get("/v1/geocode", geocode)
    app.router.add_get("/problems/{slug}", problem_type)
    return app
