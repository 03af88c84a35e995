"""aiohttp app serving the public web chat.

The page talks to Rasa's socket.io channel through a same-origin proxy (`socket_proxy.py`: only
`/socket.io/` is forwarded, so the Rasa HTTP API is never reachable from the page). The older
JSON relay to Rasa's REST channel, `POST /api/messages`, stays for scripts and tests: it bounds
the message size and turns any Rasa failure into a calm message that still says "call 999".
Assets built from the npm registry (`scripts/web_setup.sh`) are served from `dist/` at /assets/.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

import aiohttp
from aiohttp import web

from bot.staff.app import mount as mount_staff
from bot.web.fallback import UNAVAILABLE
from bot.web.socket_proxy import add_socketio_proxy

STATIC = Path(__file__).parent / "static"
DIST = Path(__file__).parent / "dist"  # built by scripts/web_setup.sh; git-ignored
# Quick exit goes to a neutral page (GOV.UK's "Exit this page" default); a deployment may choose
# another, e.g. the host site's own weather or news page.
DEFAULT_EXIT_URL = "https://www.bbc.co.uk/weather"
MAX_MESSAGE_CHARS = 2000
SENDER = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
RASA_TIMEOUT = aiohttp.ClientTimeout(total=60)
TOO_LONG = f"That message is too long. Please keep it under {MAX_MESSAGE_CHARS} characters."

RASA_URL = web.AppKey("rasa_url", str)
HTTP = web.AppKey("http", aiohttp.ClientSession)
PAGES = web.AppKey("pages", dict)


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def _exit_url() -> str:
    url = os.environ.get("QUICK_EXIT_URL", DEFAULT_EXIT_URL).strip()
    return url if url.startswith(("https://", "http://")) else DEFAULT_EXIT_URL


def _render_pages() -> dict[bool, str]:
    """The chat page, full and embedded (`?embed=1`), rendered once at start-up."""
    template = (STATIC / "index.html").read_text(encoding="utf-8")
    exit_url = html.escape(_exit_url(), quote=True)
    return {
        embed: template.replace("{{exit_url}}", exit_url).replace(
            "{{html_class}}", "govuk-template met-embed" if embed else "govuk-template"
        )
        for embed in (False, True)
    }


async def index(request: web.Request) -> web.Response:
    embed = request.query.get("embed") == "1"
    return web.Response(
        text=request.app[PAGES][embed], content_type="text/html",
        headers={
            # Scripts, styles and connections from our own origin only; no inline script.
            "Content-Security-Policy": (
                "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                "form-action 'self'"
            ),
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


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
    app[PAGES] = _render_pages()
    app.router.add_get("/", index)
    app.router.add_get("/healthz", healthz)
    app.router.add_post("/api/messages", messages)
    add_socketio_proxy(app, rasa_url)
    app.router.add_static("/static", STATIC)
    if DIST.is_dir():  # missing only before the first set-up; the page then says so
        app.router.add_static("/assets", DIST)
    # Other sub-apps (e.g. the staff console at /staff) are added here.
    mount_staff(app, rasa_url)  # the staff console at /staff/ (bot/staff/app.py)
    return app
