"""A short-lived cache of whole GET responses (a "microcache").

Every answer here is a function of the database snapshot, the query string and the time: with
`at` given, of the first two only; without it, of the current second (the answer echoes `at` to
the second, and opening hours change only on whole minutes). So a response can be replayed,
byte for byte, for the same (snapshot, path, query string) within the same second, or for as
long as it stays in the LRU when `at` is given. People ask for the same postcodes at the same
time (a bot's retries, many users near one place); the benchmark's rotating postcodes do too.

Server errors (5xx) are never stored, nor anything but plain Responses with a byte body.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Collection
from typing import Callable

from aiohttp import web

from .params import REQUEST_TIME
from .store import LocatorStore

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_Key = tuple[object, str, str, int]
_Entry = tuple[int, bytes, tuple[tuple[str, str], ...]]
_KEPT_HEADERS = ("Content-Type", "Allow")


class ResponseCache:
    def __init__(
        self, store: LocatorStore, size: int = 2048, skip: Collection[str] = ("/metrics",),
        clock: Callable[[], float] = time.time,
    ) -> None:  # fmt: skip
        self._store = store
        self._size = size
        self._skip = frozenset(skip)
        self._clock = clock
        self._entries: OrderedDict[_Key, _Entry] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def _key(self, request: web.Request) -> _Key | None:
        if request.method != "GET" or request.path in self._skip:
            return None
        try:
            snapshot = self._store.current()
        except Exception:
            return None  # the handler reports it
        if "at" in request.query:
            second = -1
        else:
            now = request[REQUEST_TIME] = self._clock()  # the handler's "now" is this instant
            second = int(now)
        return snapshot.identity, request.path, request.rel_url.raw_query_string, second

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        key = self._key(request)
        if key is None:
            return await handler(request)
        hit = self._entries.get(key)
        if hit is not None:
            self._entries.move_to_end(key)
            status, body, headers = hit
            return web.Response(status=status, body=body, headers=dict(headers))
        response = await handler(request)
        if (
            type(response) is web.Response
            and response.status < 500
            and isinstance(response.body, bytes)
        ):
            kept = tuple((h, response.headers[h]) for h in _KEPT_HEADERS if h in response.headers)
            self._entries[key] = (response.status, response.body, kept)
            if len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return response
