"""The OpenAPI 3.0 description served at GET /openapi.json, written by hand as data.

Response objects are closed (additionalProperties: false) so that tests/locator/
test_locator_schema.py, which checks live responses against this document, catches any field
added to render.py but not described here. Problem types and location kinds are taken from the
code's own tables, so they cannot drift.

Known gap, outside the application: aiohttp's HTTP parser rejects a request line longer than
8190 bytes with a plain-text 400 before any handler runs; it is still a client error.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from . import __version__
from .geocode import KINDS, MATCHES, MAX_QUERY_LENGTH
from .nearest import MAX_LIMIT
from .params import DEFAULT_LIMIT
from .problems import CONTENT_TYPE as PROBLEM_CONTENT_TYPE
from .problems import PROBLEM_TYPES
from .search import EXACT, PREFIX, TYPO

# fmt: off
# (hand-laid-out data: the formatter would spread it over twice the lines)
JSON = "application/json"
Schema = dict[str, Any]

DESCRIPTION = """\
Nearest Metropolitan Police front counter, counter details and search, an offline London
gazetteer, and signposting agencies.

**Errors** are RFC 9457 problem details (`application/problem+json`): `type` is a URI reference
(GET it for a description), `detail` says what to do. Every problem type is listed under
`components.schemas.Problem`. No input produces a 5xx; 503 means the database is unavailable.

**Ambiguous names.** A name that fits several places far apart (e.g. "Alexandra Park", in
Haringey and in Harrow) is never guessed. `GET /v1/geocode` answers 200 with
`"status": "ambiguous"`, `"location": null` and `candidates`; `GET /v1/counters/nearest`
answers 409 (`/problems/ambiguous-location`) with the same `candidates`. Send a candidate's
`label` (e.g. "Alexandra Park, Harrow") back as `place` or `q` to choose it.

**Typos** in place, borough and counter names are tolerated (`"Lewisahm"` -> Lewisham); the
answer's `match` says how the text was understood and `corrected_from` echoes what was typed.

**Limits.** Query strings over 2048 characters get 414. aiohttp itself rejects request lines
over 8190 bytes with a plain-text 400 before the service sees them.
"""


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: Schema) -> Schema:
    if "$ref" in schema:
        return {"allOf": [schema], "nullable": True}
    return {**schema, "nullable": True}


def _object(
    properties: dict[str, Schema], required: list[str] | None = None, closed: bool = True,
    description: str | None = None,
) -> Schema:
    schema: Schema = {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
    }
    if closed:
        schema["additionalProperties"] = False
    if description:
        schema["description"] = description
    return schema


STRING: Schema = {"type": "string"}
TEXT: Schema = _nullable(STRING)
NUMBER: Schema = {"type": "number"}
BOOLEAN: Schema = {"type": "boolean"}
DATE_TIME: Schema = _nullable({"type": "string", "format": "date-time"})
DATE: Schema = _nullable({"type": "string", "format": "date"})

_COUNTER_FIELDS: dict[str, Schema] = {
    "id": STRING,
    "name": STRING,
    "status": {"type": "string", "enum": ["open", "closed"],
               "description": "closed: the counter has shut for good (see closed_on)."},
    "address": TEXT,
    "postcode": TEXT,
    "borough": STRING,
    "lat": _nullable(NUMBER),
    "lon": _nullable(NUMBER),
    "distance_km": {"type": "number", "description": "Geodesic (WGS-84), rounded to 10 m."},
    "distance_miles": NUMBER,
    "is_24_7": BOOLEAN,
    "open_now": {"type": "boolean", "description": "Open at `at` (default now), London time."},
    "today_hours": {"type": "string", "example": "10:00 to 22:00"},
    "next_open": DATE_TIME,
    "closes_at": DATE_TIME,
    "hours_note": TEXT,
    "hours_status": TEXT,
    "confidence": _nullable({"type": "string", "enum": ["high", "medium", "low"]}),
    "closed_on": DATE,
    "maps_url": TEXT,
    "data_as_of": DATE,
}
_DISTANCES = ("distance_km", "distance_miles")
_COUNTER_REQUIRED = [k for k in _COUNTER_FIELDS if k not in _DISTANCES]
_CLOSED_FIELDS: dict[str, Schema] = {
    "message": {"type": "string", "description": "Only for closed counters."},
    "nearest_open": _nullable(_ref("RankedCounter")),
    "nearest_open_measured_from": TEXT,
}
_DETAIL_FIELDS: dict[str, Schema] = {
    "weekly_hours": _nullable({
        "type": "array",
        "items": _object({"day": STRING, "hours": STRING}),
    }),
    "hours_before": TEXT,
    "notes": TEXT,
    "source_urls": {"type": "array", "items": STRING},
    "coordinates_source": TEXT,
    "notice": STRING,
}


def _schemas() -> dict[str, Schema]:
    problem_types = sorted(PROBLEM_TYPES.values(), key=lambda t: (t.status, t.slug))
    return {
        "Problem": _object(
            {
                "type": {"type": "string",
                         "enum": [t.uri for t in problem_types] + ["about:blank"]},
                "title": STRING,
                "status": {"type": "integer"},
                "detail": {"type": "string", "description": "What went wrong and what to do."},
                "location": _ref("Location"),
                "links": {"type": "array", "items": _object({"rel": STRING, "href": STRING})},
                "police_force": STRING,
                "non_emergency_phone": STRING,
                "candidates": {"type": "array", "items": _ref("Candidate")},
                "needs": {"type": "array", "items": STRING},
            },
            required=["type", "title", "status", "detail"], closed=False,
            description="RFC 9457 problem details. Types:\n\n" + "\n".join(
                f"- `{t.uri}` ({t.status}) {t.title}: {t.description}" for t in problem_types
            ),
        ),
        "Location": _object({
            "label": STRING,
            "kind": {"type": "string", "enum": list(KINDS),
                     "description": "What the point is; this is also how precise it is."},
            "lat": NUMBER,
            "lon": NUMBER,
            "borough": TEXT,
            "la_name": TEXT,
            "in_london": BOOLEAN,
            "police_force": TEXT,
            "match": {"type": "string", "enum": list(MATCHES),
                      "description": "How the text was understood."},
            "corrected_from": TEXT,
            "note": TEXT,
        }),
        "Candidate": _object({
            "label": {"type": "string", "description": "Send back as `place` or `q`."},
            "kind": {"type": "string", "enum": ["borough", "place"]},
            "matched_name": STRING,
            "borough": STRING,
            "lat": NUMBER,
            "lon": NUMBER,
            "score": {"type": "number", "minimum": 0, "maximum": 1},
        }),
        "Counter": _object(
            {k: v for k, v in _COUNTER_FIELDS.items() if k not in _DISTANCES},
        ),
        "RankedCounter": _object(_COUNTER_FIELDS, required=list(_COUNTER_FIELDS)),
        "CounterDetail": _object(
            {**_COUNTER_FIELDS, **_DETAIL_FIELDS, **_CLOSED_FIELDS},
            required=_COUNTER_REQUIRED + list(_DETAIL_FIELDS),
        ),
        "FoundCounter": _object(
            {
                **_COUNTER_FIELDS,
                "match": _object({
                    "matched_name": STRING,
                    "how": {"type": "string", "enum": [EXACT, PREFIX, TYPO]},
                    "score": {"type": "number", "minimum": 0, "maximum": 1},
                }),
                **_CLOSED_FIELDS,
            },
            required=[*_COUNTER_REQUIRED, "match"],
        ),
        "Agency": _object({
            "id": STRING,
            "name": STRING,
            "needs": {"type": "array", "items": STRING},
            "what_for": TEXT,
            "phone": TEXT,
            "text_or_other": TEXT,
            "web": TEXT,
            "hours": TEXT,
            "scope": TEXT,
            "notes": TEXT,
            "source_urls": {"type": "array", "items": STRING},
            "verified": BOOLEAN,
            "check_website_only": {
                "type": "boolean",
                "description": "True when not verified: show only \"check the agency's "
                               "website\" (display_note), not the phone or other details.",
            },
            "display_note": TEXT,
        }),
    }


def _param(name: str, description: str, schema: Schema, where: str = "query",
           required: bool = False, **extra: Any) -> Schema:
    return {"name": name, "in": where, "required": required, "description": description,
            "schema": schema, **extra}


TEXT_PARAM: Schema = {"type": "string", "maxLength": MAX_QUERY_LENGTH}
AT = _param(
    "at", "ISO 8601 date-time to evaluate opening hours at; without an offset it is London "
    "time. Default: now. Years 2000-2100.", {"type": "string", "format": "date-time"},
)
LOCATION_PARAMS = [
    _param("postcode", "A full postcode (any spacing or case; O for 0 is fixed) or a district "
           "like E17.", TEXT_PARAM),
    _param("place", "A borough, place, high street or area name; typos tolerated. "
           "'Name, Borough' picks one of several.", TEXT_PARAM),
    _param("lat", "Latitude (WGS-84), with lon.", {"type": "number", "minimum": -90,
                                                   "maximum": 90}),
    _param("lon", "Longitude (WGS-84), with lat.", {"type": "number", "minimum": -180,
                                                    "maximum": 180}),
]


def _json(schema: Schema, description: str) -> Schema:
    return {"description": description, "content": {JSON: {"schema": schema}}}


def _problem(description: str) -> Schema:
    return {"description": description,
            "content": {PROBLEM_CONTENT_TYPE: {"schema": _ref("Problem")}}}


def _problems(*statuses: int) -> dict[str, Schema]:
    by_status: dict[int, list[str]] = {}
    for t in PROBLEM_TYPES.values():
        by_status.setdefault(t.status, []).append(t.slug)
    texts = {
        400: "Invalid or conflicting parameters.",
        404: "Not found.",
        409: "Ambiguous location: choose one of `candidates`.",
        414: "The query string is longer than 2048 characters.",
        422: "Outside the Metropolitan Police area (or in the City of London).",
        503: "The database is not available.",
    }
    return {
        str(s): _problem(f"{texts[s]} Types: {', '.join(sorted(by_status.get(s, [])))}.")
        for s in statuses
    }


_QUERY_ECHO = {"type": "object", "description": "The parameters as understood."}


def _paths() -> dict[str, Schema]:
    counters_list = _object({
        "query": _QUERY_ECHO,
        "counters": {"type": "array", "items": {"oneOf": [_ref("Counter"), _ref("FoundCounter")]}},
        "data_as_of": DATE,
        "notice": STRING,
    }, required=["counters", "data_as_of", "notice"])
    return {
        "/healthz": {"get": {
            "operationId": "health", "summary": "Liveness and what is loaded.",
            "responses": {
                "200": _json(_object({"status": {"type": "string", "enum": ["ok"]},
                                      "counters": {"type": "integer"},
                                      "closed_counters": {"type": "integer"},
                                      "data_as_of": DATE}), "Healthy."),
                **_problems(414, 503),
            },
        }},
        "/metrics": {"get": {
            "operationId": "metrics",
            "summary": "Prometheus metrics: requests and latency by route template and status, "
                       "counters loaded, data age.",
            "responses": {
                "200": {"description": "Prometheus text format (OpenMetrics if asked for).",
                        "content": {"text/plain": {"schema": STRING},
                                    "application/openmetrics-text": {"schema": STRING}}},
                **_problems(414),
            },
        }},
        "/openapi.json": {"get": {
            "operationId": "openapi", "summary": "This document.",
            "responses": {"200": _json({"type": "object"}, "OpenAPI 3.0 document."),
                          **_problems(414)},
        }},
        "/v1/counters/nearest": {"get": {
            "operationId": "nearestCounters",
            "summary": "The open front counters nearest a postcode, place or point.",
            "description": "Give exactly one of `postcode`, `place`, or `lat` with `lon`.",
            "parameters": [
                *LOCATION_PARAMS,
                _param("limit", f"How many counters (default {DEFAULT_LIMIT}).",
                       {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}),
                _param("open_now", "Only counters open at `at`.", BOOLEAN),
                _param("is_24_7", "Only counters open 24 hours a day, 7 days a week.", BOOLEAN),
                AT,
            ],
            "responses": {
                "200": _json(_object({
                    "query": _QUERY_ECHO,
                    "location": _ref("Location"),
                    "counters": {"type": "array", "items": _ref("RankedCounter")},
                    "nearest_24_7": _nullable(_ref("RankedCounter")),
                    "data_as_of": DATE,
                    "excluded_without_coordinates": {"type": "array", "items": _object(
                        {"id": STRING, "name": STRING, "postcode": TEXT, "borough": STRING})},
                    "notice": STRING,
                }), "Nearest first; nearest_24_7 ignores the open_now and is_24_7 filters."),
                **_problems(400, 404, 409, 414, 422, 503),
            },
        }},
        "/v1/counters": {"get": {
            "operationId": "listCounters",
            "summary": "All counters, or those whose name matches `q` (open and closed).",
            "description": "With `q` each result has `match`, and closed ones say when they "
                           "closed and which open counter is nearest (`nearest_open`).",
            "parameters": [
                _param("q", "A counter name, like 'Wimbledon police station'; typos "
                       "tolerated.", TEXT_PARAM),
                AT,
            ],
            "responses": {"200": _json(counters_list, "Counters."), **_problems(400, 414, 503)},
        }},
        "/v1/counters/{counter_id}": {"get": {
            "operationId": "getCounter", "summary": "One counter, with its week of hours.",
            "parameters": [
                _param("counter_id", "The counter's id, like 'lewisham'.", STRING,
                       where="path", required=True),
                AT,
            ],
            "responses": {"200": _json(_ref("CounterDetail"), "The counter."),
                          **_problems(400, 404, 414, 503)},
        }},
        "/v1/geocode": {"get": {
            "operationId": "geocode",
            "summary": "Resolve text (or lat/lon) to a London point, or to candidates.",
            "parameters": [
                _param("q", "Postcode, district, borough, place or area name.", TEXT_PARAM),
                LOCATION_PARAMS[2], LOCATION_PARAMS[3],
            ],
            "responses": {
                "200": _json(_object({
                    "query": _QUERY_ECHO,
                    "status": {"type": "string", "enum": ["found", "ambiguous"]},
                    "location": _nullable(_ref("Location")),
                    "candidates": {"type": "array", "items": _ref("Candidate")},
                    "message": TEXT,
                }), "found: `location` is set. ambiguous: choose one of `candidates`."),
                **_problems(400, 404, 414, 503),
            },
        }},
        "/v1/agencies": {"get": {
            "operationId": "listAgencies",
            "summary": "Agencies and contact routes for a need (signposting).",
            "parameters": [
                _param("need", "A need category (the response's `needs` lists them all).",
                       {"type": "string", "maxLength": 64}),
                _param("id", "Agency ids to return (repeatable).",
                       {"type": "array", "items": {"type": "string", "maxLength": 64},
                        "maxItems": 20}, style="form", explode=True),
            ],
            "responses": {
                "200": _json(_object({
                    "query": _QUERY_ECHO,
                    "needs": {"type": "array", "items": STRING},
                    "agencies": {"type": "array", "items": _ref("Agency")},
                }), "Agencies in the source's order."),
                **_problems(400, 404, 414, 503),
            },
        }},
        "/problems/{slug}": {"get": {
            "operationId": "problemType", "summary": "What a problem type means.",
            "parameters": [_param("slug", "e.g. outside-met-area", STRING, where="path",
                                  required=True)],
            "responses": {
                "200": _json(_object({"type": STRING, "title": STRING,
                                      "status": {"type": "integer"}, "description": STRING}),
                             "The problem type."),
                **_problems(404, 414),
            },
        }},
    }


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "Met front-counter locator", "version": __version__,
                 "description": DESCRIPTION},
        "paths": _paths(),
        "components": {"schemas": _schemas()},
    }
# fmt: on
