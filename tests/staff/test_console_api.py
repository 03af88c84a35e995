"""Every staff endpoint: sign-in required, CSRF required, injection inert (in-process console on
a temporary RUN_DIR; the handoff through the real stack is in tests/e2e/test_handoff.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from bot.staff.accounts import MAX_FAILURES_PER_ACCOUNT, StaffStore
from bot.staff.queue import SQLiteQueue
from tests.staff.conftest import Signed, sign_in
from tests.staff.helpers import PASSWORD, csrf_of

GET_PAGES = ["/staff/", "/staff/conversations/ENTRY", "/staff/reports", "/staff/reports.csv",
             "/staff/audit"]
GET_API = ["/staff/api/queue", "/staff/api/conversations/ENTRY/transcript"]
POSTS = [
    ("/staff/conversations/ENTRY/claim", {}),
    ("/staff/conversations/ENTRY/reply", {"text": "hello"}),
    ("/staff/conversations/ENTRY/handback", {}),
    ("/staff/conversations/ENTRY/close", {"outcome": "advice_given"}),
    ("/staff/signout", {}),
]
INJECTIONS = [
    "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "'; DROP TABLE audit; --",
    "' OR '1'='1", "=HYPERLINK(\"http://evil\")", "{{7*7}}", "../../etc/passwd",
]


def summary(conversation: str, level: int = 3, **extra: object) -> dict:
    return {"conversation_id": conversation, "reason": "requested",
            "priority": {"level": level, "name": "Standard", "meaning": "", "reasons": []},
            **extra}


@pytest.fixture
def entry_id(queue: SQLiteQueue) -> str:
    return queue.enqueue(summary("conv-1")).id


@pytest.mark.parametrize("path", GET_PAGES)
async def test_pages_redirect_to_sign_in(console: TestClient, entry_id: str, path: str) -> None:
    response = await console.get(path.replace("ENTRY", entry_id), allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == "/staff/signin"


@pytest.mark.parametrize("path", GET_API)
async def test_api_needs_sign_in(console: TestClient, entry_id: str, path: str) -> None:
    response = await console.get(path.replace("ENTRY", entry_id), allow_redirects=False)
    assert response.status == 401


@pytest.mark.parametrize(("path", "data"), POSTS)
async def test_actions_need_sign_in(console: TestClient, entry_id: str, queue: SQLiteQueue,
                                    path: str, data: dict) -> None:
    response = await console.post(path.replace("ENTRY", entry_id), data=data,
                                  allow_redirects=False)
    assert response.status == 401
    assert queue.get(entry_id).status == "waiting"


@pytest.mark.parametrize("csrf", [None, "", "wrong-token"])
@pytest.mark.parametrize(("path", "data"), POSTS)
async def test_actions_need_the_sessions_csrf_token(
    amy: Signed, entry_id: str, queue: SQLiteQueue, path: str, data: dict, csrf: str | None,
) -> None:
    response = await amy.post(path.replace("ENTRY", entry_id), data, csrf=csrf)
    assert response.status == 403
    assert queue.get(entry_id).status == "waiting"
    assert (await amy.get("/staff/")).status == 200  # still signed in: signout refused too


async def test_another_sessions_csrf_token_is_refused(console: TestClient, entry_id: str,
                                                      queue: SQLiteQueue) -> None:
    amy, bob = await sign_in(console, "amy"), await sign_in(console, "bob")
    response = await amy.post(f"/staff/conversations/{entry_id}/claim", csrf=bob.csrf)
    assert response.status == 403 and queue.get(entry_id).status == "waiting"


async def test_cross_site_origin_is_refused(amy: Signed, entry_id: str) -> None:
    response = await amy.client.post(
        f"/staff/conversations/{entry_id}/claim", data={"csrf": amy.csrf},
        headers={"Cookie": amy.cookie, "Origin": "https://evil.example"}, allow_redirects=False,
    )
    assert response.status == 403


async def test_sign_in_needs_its_csrf_cookie(console: TestClient) -> None:
    page = await console.get("/staff/signin")
    response = await console.post(
        "/staff/signin",
        data={"name": "amy", "password": PASSWORD, "csrf": csrf_of(await page.text())},
        headers={"Cookie": "staff_signin_csrf=something-else"}, allow_redirects=False,
    )
    assert response.status == 403


async def test_wrong_password_then_throttled(console: TestClient, run_dir: Path) -> None:
    page = await console.get("/staff/signin")
    cookie = f"staff_signin_csrf={page.cookies['staff_signin_csrf'].value}"
    form = {"name": "amy", "password": "not the password", "csrf": csrf_of(await page.text())}

    async def attempt(password: str) -> int:
        response = await console.post("/staff/signin", data={**form, "password": password},
                                      headers={"Cookie": cookie}, allow_redirects=False)
        return response.status

    assert [await attempt("nope") for _ in range(MAX_FAILURES_PER_ACCOUNT)] == [401] * 5
    assert await attempt(PASSWORD) == 429  # even the right password, until the window passes
    actions = [e["action"] for e in StaffStore(run_dir / "staff.sqlite").audit_entries()]
    assert actions.count("signin_failed") == MAX_FAILURES_PER_ACCOUNT


async def test_session_cookie_and_security_headers(amy: Signed) -> None:
    response = await amy.get("/staff/")
    assert response.status == 200
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["Cache-Control"] == "no-store"


async def test_sign_out_ends_the_session_server_side(amy: Signed) -> None:
    assert (await amy.post("/staff/signout")).status == 303
    assert (await amy.get("/staff/api/queue")).status == 401  # the old cookie is worthless


async def test_queue_sorted_by_priority_then_wait(amy: Signed, queue: SQLiteQueue) -> None:
    queue.enqueue(summary("a", 3))
    queue.enqueue(summary("b", 1))
    queue.enqueue(summary("c", 2))
    queue.enqueue(summary("d", 1))
    rows = (await (await amy.get("/staff/api/queue")).json())["entries"]
    assert [r["priority"] for r in rows] == [1, 1, 2, 3]
    ids = {queue.open_for_conversation(c).id: c for c in "abcd"}
    assert [ids[r["id"]] for r in rows] == ["b", "d", "c", "a"]


async def test_unknown_entry_is_404(amy: Signed) -> None:
    assert (await amy.get("/staff/conversations/not-an-entry")).status == 404
    assert (await amy.post("/staff/conversations/not-an-entry/claim")).status == 404


async def test_claim_is_first_come_and_audited(console: TestClient, entry_id: str,
                                               queue: SQLiteQueue, run_dir: Path) -> None:
    amy, bob = await sign_in(console, "amy"), await sign_in(console, "bob")
    # Rasa is not reachable here: the claim stands, and staff are told the person was not.
    first = await amy.post(f"/staff/conversations/{entry_id}/claim")
    assert first.status == 200 and "not told" in await first.text()
    assert queue.get(entry_id).claimed_by == "amy"
    assert (await bob.post(f"/staff/conversations/{entry_id}/claim")).status == 409
    assert (await bob.post(f"/staff/conversations/{entry_id}/reply", {"text": "hi"})).status \
        == 409
    audit = StaffStore(run_dir / "staff.sqlite").audit_entries()
    assert ("amy", "claim", entry_id) in [(a["actor"], a["action"], a["target"]) for a in audit]


async def test_close_needs_a_listed_outcome(amy: Signed, entry_id: str,
                                            queue: SQLiteQueue) -> None:
    bad = await amy.post(f"/staff/conversations/{entry_id}/close", {"outcome": "made_up"})
    assert bad.status == 400 and queue.get(entry_id).status == "waiting"
    good = await amy.post(f"/staff/conversations/{entry_id}/close", {"outcome": "duplicate"})
    assert good.status == 303 and queue.get(entry_id).outcome == "duplicate"


@pytest.mark.parametrize("payload", INJECTIONS)
async def test_injection_in_every_field_is_inert(console: TestClient, queue: SQLiteQueue,
                                                 run_dir: Path, payload: str) -> None:
    # Sign-in fields: a failed sign-in, nothing more.
    page = await console.get("/staff/signin")
    cookie = f"staff_signin_csrf={page.cookies['staff_signin_csrf'].value}"
    for form in ({"name": payload, "password": "x"}, {"name": "amy' --", "password": payload}):
        response = await console.post(
            "/staff/signin", data={**form, "csrf": csrf_of(await page.text())},
            headers={"Cookie": cookie}, allow_redirects=False)
        assert response.status == 401
        assert payload not in await response.text()
    # Everything a member of the public can put into a summary, shown to staff.
    entry = queue.enqueue(summary(
        payload, route=payload, route_detail=payload, location=payload, flags=[payload],
        first_message=payload, facts={"crime_description": payload},
        told=[{"response": payload, "text": payload}],
    ))
    amy = await sign_in(console, "amy")
    for path in ("/staff/", f"/staff/conversations/{entry.id}"):
        text = await (await amy.get(path)).text()
        assert "<script>alert" not in text and "<img src=x" not in text
    rows = (await (await amy.get("/staff/api/queue")).json())["entries"]
    assert rows[0]["route"].startswith(payload)  # JSON carries it as data, staff.js as text
    for path, data in [(f"/staff/conversations/{entry.id}/close", {"outcome": payload}),
                       (f"/staff/conversations/{payload}/claim", {})]:
        assert (await amy.post(path, data)).status in (400, 404)
    # The stores are intact.
    assert StaffStore(run_dir / "staff.sqlite").users() == ["amy", "bob"]
    assert queue.get(entry.id).conversation_id == payload


async def test_a_mistyped_username_is_not_stored(console: TestClient, run_dir: Path) -> None:
    typed = "Jo Bloggs my password is hunter2"
    page = await console.get("/staff/signin")
    response = await console.post(
        "/staff/signin", data={"name": typed, "password": "x", "csrf": csrf_of(await page.text())},
        headers={"Cookie": f"staff_signin_csrf={page.cookies['staff_signin_csrf'].value}"},
        allow_redirects=False)
    assert response.status == 401
    with sqlite3.connect(run_dir / "staff.sqlite") as db:
        stored = " ".join(str(v) for table in ("signin_failures", "audit")
                          for row in db.execute(f"SELECT * FROM {table}") for v in row)
    assert "hunter2" not in stored and "bloggs" not in stored.lower()
