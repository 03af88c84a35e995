"""Optional online geocoding (OpenStreetMap Nominatim through geopy) for addresses the offline
gazetteer does not know, like "10 Downing Street". OFF unless configured:

    LOCATOR_ONLINE_GEOCODER=nominatim
    LOCATOR_ONLINE_USER_AGENT="met-contact-assistant (ops@example.org)"   # required by Nominatim
    LOCATOR_ONLINE_TIMEOUT=5            # seconds per request (default 5)
    LOCATOR_ONLINE_CACHE_TTL=86400      # seconds an answer is reused (default one day)
    LOCATOR_ONLINE_DOMAIN=...           # a self-hosted Nominatim (default the public one)

Nominatim's usage policy allows at most one request a second with an identifying user agent:
geopy's RateLimiter spaces the calls, and answers (including "not found") are cached in memory.
geopy is blocking, so the app runs look-ups on one worker thread and gives up after a deadline.
Only the point is used: the borough and police force still come from the offline tables.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Callable, Protocol

from .names import search_key

ENV_GEOCODER = "LOCATOR_ONLINE_GEOCODER"
ENV_USER_AGENT = "LOCATOR_ONLINE_USER_AGENT"
ENV_TIMEOUT = "LOCATOR_ONLINE_TIMEOUT"
ENV_CACHE_TTL = "LOCATOR_ONLINE_CACHE_TTL"
ENV_DOMAIN = "LOCATOR_ONLINE_DOMAIN"
DEFAULT_TIMEOUT_S = 5.0
DEFAULT_TTL_S = 24 * 3600.0
CACHE_SIZE = 2048
MIN_DELAY_S = 1.0  # Nominatim: "an absolute maximum of 1 request per second"
# Greater London and its edges (west, south, east, north): preferred, not a hard limit, so an
# address just outside London is still found and then reported as outside the Met's area.
LONDON_VIEWBOX = ((51.24, -0.60), (51.78, 0.45))
_OFF = ("", "off", "none", "false", "0")


@dataclass(frozen=True)
class OnlinePlace:
    label: str
    lat: float
    lon: float


class OnlineGeocoder(Protocol):
    """Anything that turns free text into one point, or None. May block; may raise."""

    def geocode(self, query: str) -> OnlinePlace | None: ...


class CachedGeocoder:
    """LRU cache with a time to live in front of another geocoder; thread-safe."""

    def __init__(
        self, inner: OnlineGeocoder, ttl_s: float = DEFAULT_TTL_S, size: int = CACHE_SIZE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:  # fmt: skip
        self.inner = inner
        self.ttl_s = ttl_s
        self.size = size
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, OnlinePlace | None]] = OrderedDict()
        self._lock = threading.Lock()

    def geocode(self, query: str) -> OnlinePlace | None:
        key = search_key(query) or query
        now = self._clock()
        with self._lock:
            cached = self._entries.get(key)
            if cached is not None and cached[0] > now:
                self._entries.move_to_end(key)
                return cached[1]
        found = self.inner.geocode(query)  # errors propagate and are not cached
        with self._lock:
            self._entries[key] = (now + self.ttl_s, found)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return found


class NominatimGeocoder:
    """geopy's Nominatim behind geopy's RateLimiter (1 request a second, no retries)."""

    def __init__(
        self, user_agent: str, timeout_s: float = DEFAULT_TIMEOUT_S, domain: str | None = None,
        min_delay_s: float = MIN_DELAY_S,
    ) -> None:  # fmt: skip
        from geopy.extra.rate_limiter import RateLimiter
        from geopy.geocoders import Nominatim

        options: dict[str, Any] = {"user_agent": user_agent, "timeout": timeout_s}
        if domain:
            options["domain"] = domain
        self.nominatim = Nominatim(**options)
        # No retries: a person is waiting, and a failure is answered with the offline message.
        self.rate_limited = RateLimiter(
            self.nominatim.geocode, min_delay_seconds=min_delay_s, max_retries=0,
            swallow_exceptions=False,
        )  # fmt: skip

    def geocode(self, query: str) -> OnlinePlace | None:
        found = self.rate_limited(
            query, exactly_one=True, country_codes="gb", viewbox=LONDON_VIEWBOX, bounded=False
        )
        if found is None:
            return None
        return OnlinePlace(str(found.address), float(found.latitude), float(found.longitude))


class OnlineConfigError(ValueError):
    """The environment asks for an online geocoder but not in a usable way."""


def from_environment(env: Mapping[str, str]) -> OnlineGeocoder | None:
    """The configured online geocoder, or None (the default: offline only)."""
    name = env.get(ENV_GEOCODER, "").strip().lower()
    if name in _OFF:
        return None
    if name != "nominatim":
        raise OnlineConfigError(f"{ENV_GEOCODER}={name!r}: the only online geocoder is 'nominatim'")
    user_agent = env.get(ENV_USER_AGENT, "").strip()
    if not user_agent:
        raise OnlineConfigError(
            f"{ENV_GEOCODER}=nominatim needs {ENV_USER_AGENT} (Nominatim's usage policy asks for "
            "an application name and contact)"
        )
    try:
        timeout = float(env.get(ENV_TIMEOUT, DEFAULT_TIMEOUT_S))
        ttl = float(env.get(ENV_CACHE_TTL, DEFAULT_TTL_S))
    except ValueError as exc:
        raise OnlineConfigError(f"{ENV_TIMEOUT} and {ENV_CACHE_TTL} are seconds: {exc}") from None
    inner = NominatimGeocoder(user_agent, timeout, env.get(ENV_DOMAIN) or None)
    return CachedGeocoder(inner, ttl_s=ttl)
