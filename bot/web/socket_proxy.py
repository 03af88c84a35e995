"""Same-origin reverse proxy for Rasa's socket.io channel: `/socket.io/` and nothing else.

Why a proxy rather than the page connecting to Rasa's port: the page then talks only to its own
origin (no CORS, one public port), and only the socket.io endpoint is reachable through it — the
Rasa HTTP API (trackers, events, model; token-protected) stays on the private port, which never
needs to be exposed. Both Engine.IO transports pass through: long-polling over plain HTTP (the
first contact, and the fallback where a network blocks WebSockets) and WebSocket.
"""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import urlencode, urlsplit

import aiohttp
from aiohttp import WSMsgType, web

from bot.web.fallback import UNAVAILABLE

# Engine.IO's own query parameters; anything else a client adds is dropped.
ENGINEIO_QUERY = ("EIO", "transport", "sid", "t")
# A chat message is at most 2,000 characters (the page enforces it); a frame this big is not chat.
MAX_FRAME_BYTES = 16 * 1024
# Longer than Engine.IO's ping interval (25 s): a long-poll GET may wait that long for a packet.
POLL_TIMEOUT = aiohttp.ClientTimeout(total=60, sock_connect=5)

PROXY_HTTP = web.AppKey("socketio_proxy_http", aiohttp.ClientSession)
RASA_SOCKETIO = web.AppKey("rasa_socketio_url", str)


def _same_origin(request: web.Request) -> bool:
    """A browser always sends Origin on these requests; another site's page must not use ours."""
    origin = request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc == request.host


def _upstream(request: web.Request, websocket: bool) -> str:
    query = {k: request.query[k] for k in ENGINEIO_QUERY if k in request.query}
    base = request.app[RASA_SOCKETIO]
    if websocket:
        base = "ws" + base.removeprefix("http")
    return f"{base}?{urlencode(query)}"


async def _pump(source, target) -> None:
    async for message in source:
        if message.type == WSMsgType.TEXT:
            await target.send_str(message.data)
        elif message.type == WSMsgType.BINARY:
            await target.send_bytes(message.data)
        else:  # close or error (e.g. an oversized frame): end both sides
            return


async def _websocket(request: web.Request) -> web.StreamResponse:
    try:
        upstream = await request.app[PROXY_HTTP].ws_connect(
            _upstream(request, websocket=True), autoping=True, max_msg_size=MAX_FRAME_BYTES * 4
        )
    except (aiohttp.ClientError, asyncio.TimeoutError):
        raise web.HTTPBadGateway(text=UNAVAILABLE) from None
    browser = web.WebSocketResponse(max_msg_size=MAX_FRAME_BYTES, autoping=True)
    await browser.prepare(request)
    pumps = [
        asyncio.ensure_future(_pump(browser, upstream)),
        asyncio.ensure_future(_pump(upstream, browser)),
    ]
    try:
        await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for pump in pumps:
            pump.cancel()
        for pump in pumps:
            with contextlib.suppress(asyncio.CancelledError, aiohttp.ClientError, ConnectionError):
                await pump
        await upstream.close()
        await browser.close()
    return browser


async def _polling(request: web.Request) -> web.Response:
    body = await request.read() if request.method == "POST" else None
    headers = {}
    if "Content-Type" in request.headers:
        headers["Content-Type"] = request.headers["Content-Type"]
    try:
        async with request.app[PROXY_HTTP].request(
            request.method, _upstream(request, websocket=False), data=body, headers=headers,
            timeout=POLL_TIMEOUT,
        ) as response:
            payload = await response.read()
            return web.Response(
                status=response.status, body=payload,
                content_type=response.content_type, charset=response.charset,
                headers={"Cache-Control": "no-store"},
            )
    except (aiohttp.ClientError, asyncio.TimeoutError):
        raise web.HTTPBadGateway(text=UNAVAILABLE) from None


async def socketio(request: web.Request) -> web.StreamResponse:
    if not _same_origin(request):
        raise web.HTTPForbidden(text="Cross-origin use of the chat connection is not allowed.")
    if request.headers.get("Upgrade", "").lower() == "websocket":
        return await _websocket(request)
    return await _polling(request)


def add_socketio_proxy(app: web.Application, rasa_url: str) -> None:
    """Routes /socket.io/ to Rasa's socket.io channel at `rasa_url` (Rasa's default path)."""
    app[RASA_SOCKETIO] = rasa_url.rstrip("/") + "/socket.io/"

    async def http_session(app: web.Application):
        # No total timeout: a proxied WebSocket lives as long as the conversation.
        app[PROXY_HTTP] = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=5)
        )
        yield
        await app[PROXY_HTTP].close()

    app.cleanup_ctx.append(http_session)
    app.router.add_route("GET", "/socket.io/", socketio)
    app.router.add_route("POST", "/socket.io/", socketio)
