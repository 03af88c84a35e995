"""The staff console at /staff/ on the web port.

Not an aiohttp sub-application, though that was the plan: with the locked aiohttp 3.9.5 and
yarl 1.25, a sub-app's prefix match reads `request.url`, which fails for every request whose Host
header carries a port (aio-libs/aiohttp#9435; fixed in later aiohttp). So `mount()` adds the
console's routes, all under /staff/, to the web app, and each handler is wrapped by `guarded`,
which does what a sub-app middleware would have done, for these routes only.

Security model: every page but sign-in needs a server-side session (random token in a Secure,
HttpOnly, SameSite=Strict cookie, only its hash stored); every POST needs the session's CSRF
token (sign-in: a double-submit cookie) and, when the browser sends one, a same-origin Origin
header. Unauthenticated: pages redirect to sign-in, API calls and POSTs get 401.
"""

from __future__ import annotations

import functools
import logging
import os
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import yaml
from aiohttp import web

from bot.settings import Settings
from bot.staff import pages, reports
from bot.staff.accounts import Session, StaffStore
from bot.staff.queue import CLAIMED, HANDED_BACK, HandoffQueue, QueueConflict, SQLiteQueue
from bot.staff.rasa_api import PUSH_CHANNELS, RasaAPI, RasaUnavailable, transcript

log = logging.getLogger(__name__)
STATIC = Path(__file__).with_name("static")
OUTCOMES_FILE = Path(__file__).with_name("outcomes.yml")
SESSION_COOKIE = "staff_session"
SIGNIN_COOKIE = "staff_signin_csrf"
COOKIE_PATH = "/staff"
MAX_REPLY = 2000
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Not no-referrer: with it Chromium sends "Origin: null" on the console's own form posts.
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@dataclass(frozen=True)
class StaffConfig:
    run_dir: Path
    rasa_url: str
    rasa_token: str | None

    @classmethod
    def from_env(cls, rasa_url: str) -> StaffConfig:
        """Same RUN_DIR and token as the launcher; reads the token file, never creates one."""
        run_dir = Settings.from_env().run_dir
        token = os.environ.get("RASA_AUTH_TOKEN", "").strip() or None
        token_file = run_dir / "rasa_token"
        if token is None and token_file.exists():
            token = token_file.read_text().strip() or None
        return cls(run_dir=run_dir, rasa_url=rasa_url, rasa_token=token)

    @property
    def reports_db(self) -> Path:
        """Where actions/report_store.py keeps reports (REPORTS_DB overrides, as there)."""
        return Path(os.environ.get("REPORTS_DB", self.run_dir / "reports.sqlite"))


CONFIG = web.AppKey("staff_config", StaffConfig)
STORE = web.AppKey("staff_store", StaffStore)
QUEUE = web.AppKey("staff_queue", HandoffQueue)
HTTP = web.AppKey("staff_http", aiohttp.ClientSession)
SESSION = "staff_session"  # request key for the signed-in Session


def outcomes() -> dict[str, str]:
    return yaml.safe_load(OUTCOMES_FILE.read_text(encoding="utf-8"))["outcomes"]


def _html(text: str, status: int = 200) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/html")


def _same_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    if origin is None:
        return True  # not every client sends it; the CSRF token is the real check
    return origin in (f"http://{request.host}", f"https://{request.host}")


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def guarded(handler: Handler, public: bool = False) -> Handler:
    """Sign-in, CSRF and same-origin checks in front of one console handler."""

    @functools.wraps(handler)
    async def check(request: web.Request) -> web.StreamResponse:
        store = request.app[STORE]
        session = store.session(request.cookies.get(SESSION_COOKIE))
        if session is None and not public:
            if request.method == "GET" and not request.path.startswith("/staff/api/"):
                raise web.HTTPSeeOther("/staff/signin")
            raise web.HTTPUnauthorized(text="Sign in first.")
        if request.method not in ("GET", "HEAD"):
            if not _same_origin(request):
                raise web.HTTPForbidden(text="Cross-site request refused.")
            form = await request.post()
            sent = request.headers.get("X-CSRF-Token") or form.get("csrf")
            if session is not None:
                if not store.csrf_ok(session, sent if isinstance(sent, str) else None):
                    raise web.HTTPForbidden(text="The form has expired. Reload the page.")
            elif not _signin_csrf_ok(request, sent):
                raise web.HTTPForbidden(text="The form has expired. Reload the page.")
        request[SESSION] = session
        return await handler(request)

    return check


def _signin_csrf_ok(request: web.Request, sent: object) -> bool:
    cookie = request.cookies.get(SIGNIN_COOKIE)
    return bool(cookie) and isinstance(sent, str) and secrets.compare_digest(cookie, sent)


async def _headers(request: web.Request, response: web.StreamResponse) -> None:
    if not request.path.startswith("/staff"):
        return  # the public pages set their own
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)


def _set_cookie(response: web.StreamResponse, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, path=COOKIE_PATH, secure=True, httponly=True,
                        samesite="Strict", max_age=max_age)


# --- sign-in -------------------------------------------------------------------------------------
async def signin_page(request: web.Request) -> web.Response:
    if request[SESSION] is not None:
        raise web.HTTPSeeOther("/staff/")
    token = secrets.token_urlsafe(32)
    response = _html(pages.signin(token))
    _set_cookie(response, SIGNIN_COOKIE, token, 3600)
    return response


async def signin(request: web.Request) -> web.Response:
    store = request.app[STORE]
    form = await request.post()
    name = str(form.get("name") or "").strip().lower()[:64]
    password = str(form.get("password") or "")[:1024]
    address = request.remote or "unknown"
    if store.throttled(name, address):
        token = request.cookies.get(SIGNIN_COOKIE) or ""
        response = _html(pages.signin(token, "Too many attempts. Wait 15 minutes, then try "
                                             "again, or ask a supervisor."), 429)
        response.headers["Retry-After"] = "900"
        return response
    if not store.verify(name, password):
        store.record_failure(name, address)
        if name in store.users():  # only real accounts: a typo'd name may be personal data
            store.audit(name, "signin_failed")
        token = request.cookies.get(SIGNIN_COOKIE) or ""
        return _html(pages.signin(token, "That username and password do not match."), 401)
    store.clear_failures(name)
    token = store.create_session(name)
    store.audit(name, "signin")
    response = web.HTTPSeeOther("/staff/")
    _set_cookie(response, SESSION_COOKIE, token, 8 * 3600)
    response.del_cookie(SIGNIN_COOKIE, path=COOKIE_PATH)
    raise response


async def signout(request: web.Request) -> web.Response:
    session: Session = request[SESSION]
    request.app[STORE].end_session(request.cookies.get(SESSION_COOKIE, ""))
    request.app[STORE].audit(session.name, "signout")
    response = web.HTTPSeeOther("/staff/signin")
    response.del_cookie(SESSION_COOKIE, path=COOKIE_PATH)
    raise response


# --- queue ---------------------------------------------------------------------------------------
async def queue_page(request: web.Request) -> web.Response:
    session: Session = request[SESSION]
    rows = [pages.queue_row(e) for e in request.app[QUEUE].open_entries()]
    return _html(pages.queue(rows, session.name, session.csrf))


async def queue_api(request: web.Request) -> web.Response:
    rows = [pages.queue_row(e) for e in request.app[QUEUE].open_entries()]
    return web.json_response({"entries": rows})


def _entry(request: web.Request):
    entry = request.app[QUEUE].get(request.match_info["entry_id"])
    if entry is None:
        raise web.HTTPNotFound(text="No such conversation in the queue.")
    return entry


def _rasa(request: web.Request) -> RasaAPI:
    config = request.app[CONFIG]
    return RasaAPI(config.rasa_url, config.rasa_token, request.app[HTTP])


async def conversation_page(request: web.Request, notice: str | None = None) -> web.Response:
    session: Session = request[SESSION]
    entry = _entry(request)
    request.app[STORE].audit(session.name, "view_conversation", entry.id)
    try:
        tracker = await _rasa(request).tracker(entry.conversation_id)
    except RasaUnavailable as error:
        log.warning("tracker not available for entry %s: %s", entry.id, error)
        down = "The transcript is not available right now (the assistant is not answering)."
        tracker, notice = {}, f"{notice} {down}" if notice else down
    channel = tracker.get("latest_input_channel")
    return _html(pages.conversation(
        entry, transcript(tracker), channel, channel in PUSH_CHANNELS, outcomes(),
        session.name, session.csrf, notice,
    ))


async def transcript_api(request: web.Request) -> web.Response:
    # Not audited per poll: opening the conversation was (conversation_page).
    entry = _entry(request)
    try:
        tracker = await _rasa(request).tracker(entry.conversation_id)
    except RasaUnavailable:
        raise web.HTTPBadGateway(text="The assistant is not answering.") from None
    lines = [{**line, "at": pages.london_time(line["at"])} for line in transcript(tracker)]
    return web.json_response({"status": entry.status, "lines": lines})


async def _tell_person(request: web.Request, conversation_id: str, event: str,
                       text: str | None = None) -> str | None:
    """Sends a staff update into the chat; returns a notice for staff if it failed."""
    try:
        await _rasa(request).staff_update(conversation_id, event, text)
    except RasaUnavailable as error:
        log.warning("staff update %s not delivered: %s", event, error)
        return "The assistant is not answering, so the person was not told. Try again."
    return None


def _back(entry_id: str) -> web.HTTPSeeOther:
    return web.HTTPSeeOther(f"/staff/conversations/{entry_id}")


def _conflict(session: Session, text: str) -> web.Response:
    return _html(pages.message("Someone else has this", text, session.name, session.csrf), 409)


async def claim(request: web.Request) -> web.Response:
    session: Session = request[SESSION]
    entry = _entry(request)
    try:
        request.app[QUEUE].claim(entry.id, session.name)
    except QueueConflict:
        return _conflict(session, "Another member of staff claimed this conversation first.")
    request.app[STORE].audit(session.name, "claim", entry.id)
    failed = await _tell_person(request, entry.conversation_id, "joined")
    if failed:
        return await conversation_page(request, failed)
    raise _back(entry.id)


def _mine(request: web.Request, session: Session):
    entry = _entry(request)
    if entry.status != CLAIMED or entry.claimed_by != session.name:
        raise web.HTTPConflict(text="Claim this conversation first.")
    return entry


async def reply(request: web.Request) -> web.Response:
    session: Session = request[SESSION]
    entry = _mine(request, session)
    text = str((await request.post()).get("text") or "").strip()
    if not text or len(text) > MAX_REPLY:
        raise web.HTTPBadRequest(text=f"Write a reply of 1 to {MAX_REPLY} characters.")
    failed = await _tell_person(request, entry.conversation_id, "message", text)
    request.app[STORE].audit(session.name, "reply", entry.id,
                             "not delivered" if failed else f"{len(text)} characters")
    if failed:
        return await conversation_page(request, failed)
    raise _back(entry.id)


async def hand_back(request: web.Request) -> web.Response:
    session: Session = request[SESSION]
    entry = _mine(request, session)
    request.app[QUEUE].hand_back(entry.id, session.name)
    request.app[STORE].audit(session.name, "hand_back", entry.id)
    failed = await _tell_person(request, entry.conversation_id, "handback")
    if failed:
        return await conversation_page(request, failed)
    raise _back(entry.id)


async def close(request: web.Request) -> web.Response:
    session: Session = request[SESSION]
    entry = _entry(request)
    outcome = str((await request.post()).get("outcome") or "")
    if outcome not in outcomes():
        raise web.HTTPBadRequest(text="Choose an outcome from the list.")
    try:
        request.app[QUEUE].close(entry.id, session.name, outcome)
    except QueueConflict:
        return _conflict(session, "Another member of staff has this conversation.")
    request.app[STORE].audit(session.name, "close", entry.id, outcome)
    if entry.status != HANDED_BACK:  # after a hand-back the assistant is already talking again
        await _tell_person(request, entry.conversation_id, "closed")
    raise web.HTTPSeeOther("/staff/")


# --- reports and audit ---------------------------------------------------------------------------
async def reports_page(request: web.Request) -> web.Response:
    session: Session = request[SESSION]
    request.app[STORE].audit(session.name, "view_reports")
    rows = reports.load(request.app[CONFIG].reports_db, limit=500)
    intro = ('<p>What people told the assistant. Nothing here has been sent to the police. '
             '<a href="/staff/reports.csv">Download all as CSV</a></p>')
    return _html(pages.table("Crime reports", reports.LIST_COLUMNS, rows, session.name,
                             session.csrf, intro))


async def reports_csv(request: web.Request) -> web.Response:
    session: Session = request[SESSION]
    rows = reports.load(request.app[CONFIG].reports_db)
    request.app[STORE].audit(session.name, "export_reports", None, f"{len(rows)} rows")
    return web.Response(
        text=reports.to_csv(rows), content_type="text/csv", charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="crime_reports.csv"'},
    )


async def audit_page(request: web.Request) -> web.Response:
    session: Session = request[SESSION]
    rows = request.app[STORE].audit_entries()
    return _html(pages.table("Audit", ["at", "actor", "action", "target", "detail"], rows,
                             session.name, session.csrf, "<p>The latest 200 staff actions.</p>"))


def _install(app: web.Application, config: StaffConfig) -> None:
    app[CONFIG] = config
    app[STORE] = StaffStore(config.run_dir / "staff.sqlite")
    app[QUEUE] = SQLiteQueue(config.run_dir / "handoff.sqlite")

    async def http_session(app: web.Application):
        app[HTTP] = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        yield
        await app[HTTP].close()

    async def to_console(request: web.Request) -> web.Response:
        raise web.HTTPMovedPermanently("/staff/")

    app.cleanup_ctx.append(http_session)
    app.on_response_prepare.append(_headers)
    r = app.router
    r.add_get("/staff", to_console)
    r.add_get("/staff/signin", guarded(signin_page, public=True))
    r.add_post("/staff/signin", guarded(signin, public=True))
    for method, path, handler in ROUTES:
        r.add_route(method, "/staff" + path, guarded(handler))
    r.add_static("/staff/static", STATIC)


ROUTES: list[tuple[str, str, Handler]] = [
    ("POST", "/signout", signout),
    ("GET", "/", queue_page),
    ("GET", "/api/queue", queue_api),
    ("GET", "/conversations/{entry_id}", conversation_page),
    ("GET", "/api/conversations/{entry_id}/transcript", transcript_api),
    ("POST", "/conversations/{entry_id}/claim", claim),
    ("POST", "/conversations/{entry_id}/reply", reply),
    ("POST", "/conversations/{entry_id}/handback", hand_back),
    ("POST", "/conversations/{entry_id}/close", close),
    ("GET", "/reports", reports_page),
    ("GET", "/reports.csv", reports_csv),
    ("GET", "/audit", audit_page),
]


def mount(app: web.Application, rasa_url: str, config: StaffConfig | None = None) -> None:
    """The one line the web app needs: the console at /staff/."""
    _install(app, config or StaffConfig.from_env(rasa_url))


def create_staff_app(rasa_url: str, config: StaffConfig | None = None) -> web.Application:
    """The console alone, e.g. on an internal-only port: `web.run_app(create_staff_app(...))`."""
    app = web.Application(client_max_size=64 * 1024)
    mount(app, rasa_url, config)
    return app
