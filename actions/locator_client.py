"""Thin async client for the locator service (the single source of truth for front counters)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
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


def base_url() -> str:
    return os.environ.get("LOCATOR_URL", "http://127.0.0.1:8001").rstrip("/")


async def _get(path: str, params: dict[str, str]) -> dict[str, Any]:
    try:
        async with aiohttp.ClientSession(timeout=TIMEOUT) as session, session.get(
            base_url() + path, params=params
        ) as response:
            if response.status >= 500:
                raise LocatorUnavailable(f"locator answered {response.status}")
            body = await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
        raise LocatorUnavailable(str(error)) from error
    if response.status >= 400:
        raise LocationProblem(response.status, str(body.get("detail") or body.get("title")))
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
