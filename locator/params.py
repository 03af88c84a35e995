"""Query-string parameters: parsed strictly, with a message a person can act on when wrong."""

from __future__ import annotations

import math
import re
from datetime import datetime

from aiohttp import web

from .hours import LONDON, to_london
from .nearest import MAX_LIMIT
from .problems import Problem

DEFAULT_LIMIT = 3
# When a request arrived (set by the response cache), so that "now" is one instant per request.
REQUEST_TIME = "locator_request_time"
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
# "+01:00" arrives as " 01:00" when a client forgets to percent-encode the plus sign.
_SPACED_OFFSET = re.compile(r"^(.*\d) (\d{2}(:?\d{2})?)$")


def param(request: web.Request, name: str) -> str | None:
    values = request.query.getall(name, [])
    if len(values) > 1:
        raise Problem("invalid-parameter", f"Give '{name}' only once.")
    return values[0] if values else None


def coordinate(raw: str, name: str, limit: float) -> float:
    text = raw.strip()
    value = float(text) if _NUMBER.match(text) else math.nan
    if not -limit <= value <= limit:  # also false for NaN
        raise Problem(
            "invalid-parameter",
            f"'{name}' must be a decimal number between -{limit:g} and {limit:g}, "
            f"like 51.4633 for lat or -0.0098 for lon.",
        )
    return value


def point(request: web.Request) -> tuple[float, float] | None:
    """lat and lon together, or None if neither is given."""
    lat_raw, lon_raw = param(request, "lat"), param(request, "lon")
    if lat_raw is None and lon_raw is None:
        return None
    if lat_raw is None or lon_raw is None:
        raise Problem("invalid-parameter", "Give both 'lat' and 'lon', or neither.")
    return coordinate(lat_raw, "lat", 90), coordinate(lon_raw, "lon", 180)


def flag(request: web.Request, name: str) -> bool:
    raw = param(request, name)
    if raw is None or raw.strip() == "":
        return False
    value = raw.strip().lower()
    if value in ("true", "1", "yes"):
        return True
    if value in ("false", "0", "no"):
        return False
    raise Problem("invalid-parameter", f"'{name}' must be true or false.")


def limit(request: web.Request) -> int:
    raw = param(request, "limit")
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


def at(request: web.Request) -> datetime:
    raw = param(request, "at")
    if raw is None and REQUEST_TIME in request:
        return datetime.fromtimestamp(request[REQUEST_TIME], LONDON)
    return parse_at(raw)
