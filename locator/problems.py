"""RFC 9457 problem details: every error the API returns has this JSON shape.

    {"type": "/problems/postcode-not-found", "title": "Postcode not found",
     "status": 404, "detail": "We couldn't find the postcode 'ZZ1 1ZZ'. ..."}

`type` is a URI reference resolved against the service (GET it for a description); extension
members (e.g. `location`, `links`) are added where a client can act on them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from aiohttp import web

CONTENT_TYPE = "application/problem+json"


@dataclass(frozen=True)
class ProblemType:
    slug: str
    title: str
    status: int
    description: str

    @property
    def uri(self) -> str:
        # "about:blank" is RFC 9457's type for "nothing beyond the HTTP status".
        return "about:blank" if self.slug == "about:blank" else f"/problems/{self.slug}"


_TYPES = (
    ProblemType("invalid-parameter", "Invalid parameter", 400,
                "A query parameter is missing, malformed, out of range or given twice."),
    ProblemType("conflicting-parameters", "Conflicting parameters", 400,
                "Give exactly one location: postcode, place, or lat and lon together."),
    ProblemType("invalid-location", "Location not readable", 400,
                "The location text is empty, too long or contains characters that are not text."),
    ProblemType("invalid-postcode", "Not a postcode", 400,
                "The postcode parameter does not have the shape of a UK postcode or district."),
    ProblemType("query-too-long", "Query too long", 414,
                "The query string is longer than the service accepts."),
    ProblemType("postcode-not-found", "Postcode not found", 404,
                "The text looks like a postcode or postcode district but is not in our list."),
    ProblemType("location-not-found", "Location not found", 404,
                "The text is not a known postcode, district, borough or London place name."),
    ProblemType("counter-not-found", "Counter not found", 404,
                "There is no front counter with that id."),
    ProblemType("unknown-need", "Unknown need", 404,
                "The need category is not one the agency list uses; `needs` lists those it does."),
    ProblemType("ambiguous-location", "Location is ambiguous", 409,
                "The name fits several places far apart. Choose one of `candidates` and send its "
                "`label` back as the place."),
    ProblemType("not-found", "Not found", 404, "There is nothing at this address."),
    ProblemType("method-not-allowed", "Method not allowed", 405,
                "This address does not accept that HTTP method."),
    ProblemType("outside-met-area", "Outside the Metropolitan Police area", 422,
                "The location is outside Greater London; another police force covers it."),
    ProblemType("city-of-london", "Policed by the City of London Police", 422,
                "The City of London has its own police force, not the Metropolitan Police."),
    ProblemType("internal-error", "Internal error", 500,
                "Something went wrong on our side. The error has been logged."),
    ProblemType("unavailable", "Service unavailable", 503,
                "The locator database is not available."),
)  # fmt: skip
PROBLEM_TYPES: dict[str, ProblemType] = {t.slug: t for t in _TYPES}


class Problem(Exception):
    """Raise from a handler; the middleware turns it into a problem+json response."""

    def __init__(
        self, slug: str, detail: str, status: int | None = None, **extensions: Any
    ) -> None:
        self.type = PROBLEM_TYPES[slug]
        self.status = status or self.type.status
        self.detail = detail
        self.extensions = extensions
        super().__init__(detail)

    @classmethod
    def from_status(cls, status: int, detail: str) -> Problem:
        """For HTTP errors with no more specific type (e.g. raised by aiohttp itself)."""
        problem = cls.__new__(cls)
        Exception.__init__(problem, detail)
        problem.type = ProblemType("about:blank", HTTPStatus(status).phrase, status, "")
        problem.status, problem.detail, problem.extensions = status, detail, {}
        return problem

    def body(self) -> dict[str, Any]:
        return {
            "type": self.type.uri,
            "title": self.type.title,
            "status": self.status,
            "detail": self.detail,
            **self.extensions,
        }

    def response(self, headers: dict[str, str] | None = None) -> web.Response:
        return web.Response(
            status=self.status,
            text=json.dumps(self.body(), ensure_ascii=False),
            content_type=CONTENT_TYPE,
            headers=headers,
        )
