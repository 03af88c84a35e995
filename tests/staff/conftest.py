"""Staff console fixtures: an in-process console on a temporary RUN_DIR (auth, CSRF, injection)
and a sign-in helper that handles the Secure cookies by hand, as a browser on HTTPS would."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from bot.staff.accounts import StaffStore
from bot.staff.app import StaffConfig, create_staff_app
from bot.staff.queue import SQLiteQueue
from tests.staff.helpers import PASSWORD, csrf_of, session_cookie

# Nothing listens here: these tests never need Rasa to answer (auth and CSRF come first).
NO_RASA = "http://127.0.0.1:9"


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    store = StaffStore(tmp_path / "staff.sqlite")
    store.add_user("amy", PASSWORD)
    store.add_user("bob", PASSWORD)
    return tmp_path


@pytest.fixture
def queue(run_dir: Path) -> SQLiteQueue:
    return SQLiteQueue(run_dir / "handoff.sqlite")


@pytest.fixture
async def console(run_dir: Path, aiohttp_client) -> TestClient:
    app = create_staff_app(NO_RASA, StaffConfig(run_dir, NO_RASA, "t0ken"))
    return await aiohttp_client(app)


class Signed:
    """A signed-in member of staff: the session cookie and the session's CSRF token."""

    def __init__(self, client: TestClient, cookie: str, csrf: str) -> None:
        self.client, self.cookie, self.csrf = client, cookie, csrf

    async def get(self, path: str, **kwargs):
        return await self.client.get(path, headers={"Cookie": self.cookie}, allow_redirects=False,
                                     **kwargs)

    async def post(self, path: str, data: dict | None = None, csrf: str | None = "session"):
        form = dict(data or {})
        if csrf is not None:
            form["csrf"] = self.csrf if csrf == "session" else csrf
        return await self.client.post(path, data=form, headers={"Cookie": self.cookie},
                                      allow_redirects=False)


async def sign_in(client: TestClient, name: str = "amy") -> Signed:
    page = await client.get("/staff/signin")
    signin_cookie = page.cookies["staff_signin_csrf"].value
    response = await client.post(
        "/staff/signin", data={"name": name, "password": PASSWORD,
                               "csrf": csrf_of(await page.text())},
        headers={"Cookie": f"staff_signin_csrf={signin_cookie}"}, allow_redirects=False,
    )
    assert response.status == 303, await response.text()
    cookie = session_cookie(response.headers.getall("Set-Cookie"))
    queue_page = await client.get("/staff/", headers={"Cookie": cookie})
    return Signed(client, cookie, csrf_of(await queue_page.text()))


@pytest.fixture
async def amy(console: TestClient) -> Signed:
    return await sign_in(console, "amy")
