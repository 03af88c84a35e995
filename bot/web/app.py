"""aiohttp app serving the chat page and relaying messages to Rasa's REST channel.

Relaying (instead of the browser calling Rasa directly) keeps Rasa's port private, lets us bound
the message size, and turns any Rasa failure into a calm message that still says "call 999".
"""

from __future__ import annotations

import re
from pathlib import Path

import aiohttp
from aiohttp import web

STATIC = Path(__file__).parent / "static"
MAX_MESSAGE_CHARS = 2000
SENDER = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
RASA_TIMEOUT = aiohttp.ClientTimeout(total=60)
TOO_LONG = f"That message is too long. Please keep it under {MAX_MESSAGE_CHARS} characters."
UNAVAILABLE = (
    "Sorry, the assistant isn't answering right now. If you are in danger, call 999. "
    "Otherwise call 101 or visit met.police.uk."
)

RASA_URL = web.AppKey("rasa_url", str)
HTTP = web.AppKey("http", aiohttp.ClientSession)


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html")


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def messages(request: web.Request) -> web.Response:
    try:
        body = await request.json()
    except web.HTTPRequestEntityTooLarge:
        return _error(413, TOO_LONG)
    except ValueError:
        return _error(400, "Send JSON like {\"sender\": \"...\", \"message\": \"...\"}.")
    if not isinstance(body, dict):
        return _error(400, "Send JSON like {\"sender\": \"...\", \"message\": \"...\"}.")
    sender, text = body.get("sender"), body.get("message")
    if not isinstance(sender, str) or not SENDER.match(sender):
        return _error(400, "The conversation id is missing or not valid. Reload the page.")
    if not isinstance(text, str) or not text.strip():
        return _error(400, "Please type a message.")
    if len(text) > MAX_MESSAGE_CHARS:
        return _error(413, TOO_LONG)
    try:
        async with request.app[HTTP].post(
            request.app[RASA_URL], json={"sender": sender, "message": text}
        ) as response:
            if response.status != 200:
                return _error(502, UNAVAILABLE)
            replies = await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, ValueError):
        return _error(502, UNAVAILABLE)
    return web.json_response({"messages": replies})


def create_app(rasa_url: str) -> web.Application:
    app = web.Application(client_max_size=64 * 1024)
    app[RASA_URL] = rasa_url.rstrip("/") + "/webhooks/rest/webhook"

    async def http_session(app: web.Application):
        app[HTTP] = aiohttp.ClientSession(timeout=RASA_TIMEOUT)
        yield
        await app[HTTP].close()

    app.cleanup_ctx.append(http_session)
    app.router.add_get("/", index)
    app.router.add_get("/healthz", healthz)
    app.router.add_post("/api/messages", messages)
    app.router.add_static("/static", STATIC)
    return app
