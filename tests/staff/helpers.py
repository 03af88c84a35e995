"""Helpers shared by the staff console's in-process, end-to-end and browser tests."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import requests

from bot.settings import ROOT

PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
ENTRY_LINK = re.compile(r'href="/staff/conversations/([A-Za-z0-9_-]+)"')


def csrf_of(page: str) -> str:
    match = CSRF.search(page)
    assert match, "no CSRF token on the page"
    return html.unescape(match.group(1))


def session_cookie(set_cookies: list[str]) -> str:
    """The `name=value` of the session cookie, after checking its security attributes."""
    for header in set_cookies:
        if header.startswith("staff_session="):
            attributes = {a.strip().split("=")[0].lower() for a in header.split(";")[1:]}
            assert {"secure", "httponly", "samesite", "path"} <= attributes, header
            assert "samesite=strict" in header.lower().replace(" ", ""), header
            return header.split(";")[0]
    raise AssertionError(f"no session cookie in {set_cookies}")


def add_staff_user(run_dir: Path, name: str) -> None:
    """Through the real CLI, as an administrator would."""
    subprocess.run(
        [sys.executable, "-m", "bot", "staff", "add-user", name, "--password-stdin"],
        input=PASSWORD + "\n", text=True, check=True, cwd=ROOT,
        env={"RUN_DIR": str(run_dir), "PATH": "/usr/bin:/bin"},
        capture_output=True,
    )


class StaffBrowser:
    """A member of staff using the console over HTTP (requests; cookies handled by hand because
    requests, rightly, does not send Secure cookies over plain http)."""

    def __init__(self, web_url: str) -> None:
        self.web = web_url
        self.cookie = ""
        self.csrf = ""

    def sign_in(self, name: str) -> None:
        page = requests.get(f"{self.web}/staff/signin", timeout=30)
        response = requests.post(
            f"{self.web}/staff/signin",
            data={"name": name, "password": PASSWORD, "csrf": csrf_of(page.text)},
            headers={"Cookie": f"staff_signin_csrf={page.cookies['staff_signin_csrf']}"},
            allow_redirects=False, timeout=30,
        )
        assert response.status_code == 303, response.text
        self.cookie = session_cookie(response.raw.headers.getlist("Set-Cookie"))
        self.csrf = csrf_of(self.get("/staff/").text)

    def get(self, path: str) -> requests.Response:
        return requests.get(f"{self.web}{path}", headers={"Cookie": self.cookie},
                            allow_redirects=False, timeout=120)

    def post(self, path: str, data: dict | None = None) -> requests.Response:
        return requests.post(f"{self.web}{path}", data={**(data or {}), "csrf": self.csrf},
                             headers={"Cookie": self.cookie}, allow_redirects=False, timeout=120)

    def entry_for(self, first_message: str) -> dict:
        rows = self.get("/staff/api/queue").json()["entries"]
        matches = [r for r in rows if r["first_message"] == first_message]
        assert len(matches) == 1, rows
        return matches[0]
