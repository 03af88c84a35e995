"""The locator web service (aiohttp): nearest front counters, counter details and search,
geocoding, agencies, metrics and the OpenAPI document (GET /openapi.json describes every route).

Privacy: queries carry people's postcodes, so neither the access log nor error logs contain
query strings, and unexpected errors are logged without the exception message.

A name that fits several places far apart is never guessed: GET /v1/geocode answers 200 with
"status": "ambiguous" and `candidates`; GET /v1/counters/nearest answers 409 (problem type
ambiguous-location) with the same `candidates`. Each candidate's `label` resolves uniquely when
sent back as `place` or `q`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import os
import re
import traceback
from collections.abc import Awaitable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from functools import partial
from typing import Any, Callable

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from . import messages, online, params, render
from .agencies import all_needs
from .counter_search import find_counters
from .counters import Counter
from .geocode import (
    AmbiguousLocation,
    GeocodeError,
    InvalidQuery,
    Location,
    NotAPostcode,
    PlaceNotFound,
    PostcodeNotFound,
    clean_query,
    shown,
)
from .metrics import Metrics
from .nearest import find_nearest
from .openapi import openapi_document
from .problems import PROBLEM_TYPES, Problem
from .response_cache import ResponseCache
from .store import DatabaseUnavailable, LocatorStore, Snapshot

log = logging.getLogger("locator")

STORE = web.AppKey("locator_store", LocatorStore)
METRICS = web.AppKey("locator_metrics", Metrics)
ONLINE = web.AppKey("locator_online_geocoder", object)
ONLINE_EXECUTOR = web.AppKey("locator_online_executor", ThreadPoolExecutor)
# Longer than any honest request (a postcode and a few flags); protects the parsers and logs.
MAX_QUERY_STRING = 2048
# How long a request waits for the online geocoder, queueing behind its 1 request/s included.
ONLINE_DEADLINE_S = 10.0
# A replaced database file is picked up within this many seconds (one stat() per interval).
RECHECK_S = 1.0
MAX_AGENCY_IDS = 20
_COUNTER_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_AGENCY_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
dumps = partial(json.dumps, ensure_ascii=False)
_FROM_ENVIRONMENT: Any = object()


# --- locations ------------------------------------------------------------------------------


def _geocode_problem(exc: GeocodeError) -> Problem:
    if isinstance(exc, AmbiguousLocation):
        return Problem(
            "ambiguous-location", exc.detail,
            candidates=[render.candidate(c) for c in exc.candidates],
        )  # fmt: skip
    if isinstance(exc, InvalidQuery):
        return Problem("invalid-location", exc.detail)
    if isinstance(exc, NotAPostcode):
        return Problem("invalid-postcode", exc.detail)
    if isinstance(exc, PostcodeNotFound):
        return Problem("postcode-not-found", exc.detail)
    return Problem("location-not-found", exc.detail)


async def _resolve_text(request: web.Request, snapshot: Snapshot, text: str) -> Location:
    """Offline first; the online geocoder (if configured) only for names nobody knows."""
    try:
        return snapshot.geocoder.resolve(text)
    except PlaceNotFound as not_found:
        found = await _online(request, not_found.query)
        if found is None:
            raise
        return found


async def _online(request: web.Request, query: str) -> Location | None:
    geocoder = request.app.get(ONLINE)
    if geocoder is None:
        return None
    loop = asyncio.get_running_loop()
    try:
        place = await asyncio.wait_for(
            loop.run_in_executor(request.app[ONLINE_EXECUTOR], geocoder.geocode, query),
            ONLINE_DEADLINE_S,
        )
    except Exception as exc:  # timeouts, network, service errors: answer as "not found"
        log.warning("online geocoder failed: %s (query omitted)", type(exc).__name__)
        return None
    if place is None:
        return None
    # The database may have been swapped (and the old connection closed) while we waited.
    located = _snapshot(request).geocoder.reverse(place.lat, place.lon)
    return dataclasses.replace(
        located, label=shown(place.label, 120), kind="address", match="online",
        note=messages.ONLINE_NOTE,
    )  # fmt: skip


async def _location(
    request: web.Request, snapshot: Snapshot
) -> tuple[Location, dict[str, Any]]:
    """Exactly one of postcode, place, or lat+lon; returns the location and the echoed query."""
    postcode, place = params.param(request, "postcode"), params.param(request, "place")
    has_point = "lat" in request.query or "lon" in request.query
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
            return await _resolve_text(request, snapshot, place), {"place": place}
    except GeocodeError as exc:
        raise _geocode_problem(exc) from None
    point = params.point(request)
    assert point is not None
    return snapshot.geocoder.reverse(*point), {"lat": point[0], "lon": point[1]}


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
    limit = params.limit(request)
    open_now, only_24_7 = params.flag(request, "open_now"), params.flag(request, "is_24_7")
    at = params.at(request)
    location, query = await _location(request, snapshot)
    _require_met_area(location)
    result = find_nearest(
        snapshot.counter_index, (location.lat, location.lon), at,
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


def _closed_details(snapshot: Snapshot, found: Counter, at: datetime) -> dict[str, Any]:
    """For a closed counter: when it closed and the open counter nearest to it."""
    origin, basis = None, None
    if found.has_coordinates:
        origin, basis = (found.lat, found.lon), "closed counter location"
    else:
        borough = snapshot.geocoder.borough(found.borough)
        if borough is not None:
            origin, basis = (borough.lat, borough.lon), f"{borough.label} borough centre"
    nearest = snapshot.counter_index.nearest(origin, 1) if origin else []
    as_of = snapshot.data_as_of
    return {
        "message": (
            f"This counter closed on {messages.human_date(found.closed_on)}."
            if found.closed_on else "This counter has closed."
        ),
        "nearest_open": render.counter(nearest[0].counter, at, as_of, nearest[0])
        if nearest else None,
        "nearest_open_measured_from": basis,
    }  # fmt: skip


async def list_counters(request: web.Request) -> web.Response:
    snapshot = _snapshot(request)
    at = params.at(request)
    q = params.param(request, "q")
    as_of = snapshot.data_as_of
    if q is None:
        return _json({
            "counters": [render.counter(c, at, as_of) for c in snapshot.counters],
            "data_as_of": as_of,
            "notice": messages.notice(as_of),
        })  # fmt: skip
    try:
        text = clean_query(q, "counter name")
    except InvalidQuery as exc:
        raise Problem("invalid-parameter", exc.detail) from None
    counters = []
    for counter, hit in find_counters(snapshot.geocoder.names, snapshot.counters, text):
        body = render.counter(counter, at, as_of)
        body["match"] = render.name_match(hit)
        if not counter.is_open_counter:
            body.update(_closed_details(snapshot, counter, at))
        counters.append(body)
    return _json({
        "query": {"q": q},
        "counters": counters,
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
            "GET /v1/counters lists them all; GET /v1/counters?q=<name> finds one by name.",
        )
    at = params.at(request)
    as_of = snapshot.data_as_of
    body = render.counter_detail(found, at, as_of)
    if not found.is_open_counter:
        body.update(_closed_details(snapshot, found, at))
    body["notice"] = messages.notice(as_of)
    return _json(body)


async def geocode(request: web.Request) -> web.Response:
    snapshot = _snapshot(request)
    q = params.param(request, "q")
    point = params.point(request)
    if (q is None) == (point is None):
        raise Problem(
            "invalid-parameter" if q is None else "conflicting-parameters",
            "Give 'q' (a postcode, district, borough or place) or 'lat' and 'lon', not both."
            if q is not None else
            "Give 'q': a postcode, district, borough or place (or 'lat' and 'lon').",
        )  # fmt: skip
    query: dict[str, Any]
    if point is not None:
        location, query = snapshot.geocoder.reverse(*point), {"lat": point[0], "lon": point[1]}
    else:
        assert q is not None
        query = {"q": q}
        try:
            location = await _resolve_text(request, snapshot, q)
        except AmbiguousLocation as exc:
            return _json({
                "query": query, "status": "ambiguous", "location": None,
                "candidates": [render.candidate(c) for c in exc.candidates],
                "message": exc.detail,
            })  # fmt: skip
        except GeocodeError as exc:
            raise _geocode_problem(exc) from None
    return _json({
        "query": query, "status": "found", "location": render.location(location),
        "candidates": [], "message": None,
    })  # fmt: skip


async def list_agencies(request: web.Request) -> web.Response:
    snapshot = _snapshot(request)
    need = params.param(request, "need")
    ids = request.query.getall("id", [])
    needs = all_needs(snapshot.agencies)
    if len(ids) > MAX_AGENCY_IDS or not all(_AGENCY_ID.match(i) for i in ids):
        raise Problem(
            "invalid-parameter",
            f"'id' must be an agency id like police_999 (lower-case letters, digits, '_' or '-'), "
            f"given at most {MAX_AGENCY_IDS} times.",
        )
    if need is not None and need.strip() not in needs:
        raise Problem("unknown-need", messages.unknown_need(shown(need, 40), needs), needs=needs)
    chosen = [
        a for a in snapshot.agencies
        if (need is None or need.strip() in a.needs) and (not ids or a.id in ids)
    ]  # fmt: skip
    return _json({
        "query": {"need": need, "id": ids},
        "needs": needs,
        "agencies": [render.agency(a) for a in chosen],
    })  # fmt: skip


async def problem_type(request: web.Request) -> web.Response:
    found = PROBLEM_TYPES.get(request.match_info["slug"])
    if found is None:
        raise web.HTTPNotFound()
    return _json({
        "type": found.uri, "title": found.title, "status": found.status,
        "description": found.description,
    })  # fmt: skip


async def openapi_json(request: web.Request) -> web.Response:
    return _json(openapi_document())


async def metrics(request: web.Request) -> web.Response:
    return await request.app[METRICS].handle(request)


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
                "GET /v1/counters/nearest?postcode=SE13+6AA, GET /healthz or GET /openapi.json.",
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
    executor = app.get(ONLINE_EXECUTOR)
    if executor is not None:
        executor.shutdown(wait=False)


def create_app(
    db_path: str,
    *,
    online_geocoder: online.OnlineGeocoder | None = _FROM_ENVIRONMENT,
    environ: Mapping[str, str] | None = None,
) -> web.Application:
    """The service over the database at `db_path`.

    The online geocoder is off unless `online_geocoder` is given or the environment configures
    one (see locator.online); raises online.OnlineConfigError for a half-done configuration.
    """
    if online_geocoder is _FROM_ENVIRONMENT:
        online_geocoder = online.from_environment(os.environ if environ is None else environ)
    store = LocatorStore(db_path, recheck_s=RECHECK_S)
    app_metrics = Metrics(store.current)
    cache = ResponseCache(store)
    app = web.Application(
        middlewares=[app_metrics.middleware, cache.middleware, problem_middleware]
    )
    app[STORE] = store
    app[METRICS] = app_metrics
    if online_geocoder is not None:
        app[ONLINE] = online_geocoder
        # One thread: requests to the service are serialised anyway by its rate limit.
        app[ONLINE_EXECUTOR] = ThreadPoolExecutor(1, thread_name_prefix="locator-online")
    app.on_startup.append(_open_store)
    app.on_cleanup.append(_close_store)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/openapi.json", openapi_json)
    app.router.add_get("/v1/counters/nearest", nearest_counters)
    app.router.add_get("/v1/counters", list_counters)
    app.router.add_get("/v1/counters/{counter_id}", get_counter)
    app.router.add_get("/v1/geocode", geocode)
    app.router.add_get("/v1/agencies", list_agencies)
    app.router.add_get("/problems/{slug}", problem_type)
    return app
