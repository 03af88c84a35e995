"""Browser tests: Debian's Chromium driven by Playwright against the whole running stack.

Every wait is for a condition in the page (a message count, the outbox emptied by the server's
acknowledgement, a URL), never a fixed sleep. Screenshots and axe reports are written to
tests/artifacts/browser/ (git-ignored).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, sync_playwright

from bot.settings import ROOT
from bot.stack import Stack

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
# Without the background-networking flags Chromium keeps trying Google's hosts, which this
# closed network refuses.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = ROOT / "tests" / "artifacts" / "browser"
AXE_JS = ROOT / "bot" / "web" / "node_modules" / "axe-core" / "axe.min.js"
EXIT_URL = "https://www.bbc.co.uk/weather"  # the page's default quick-exit destination
TURN_MS = 90_000  # one turn of the real assistant; generous because other tests share 2 cores
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 375, "height": 812}


# Per module, not per session: the sync API keeps an event loop running in this thread until it
# stops, and the asyncio tests collected after this package need the thread's loop free.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `bash scripts/web_setup.sh chromium` (as root)")
    if not AXE_JS.exists():
        pytest.fail("the web chat's npm packages are missing: run `scripts/web_setup.sh assets`")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        launched.close()


class Chat:
    """The chat page as a person uses it, with waits on the page's own state."""

    def __init__(self, page: Page, stack: Stack) -> None:
        self.page = page
        self.stack = stack
        self.external_requests: list[str] = []
        page.on("request", self._note_request)

    def _note_request(self, request) -> None:
        if not request.url.startswith((self.stack.web, "data:")):
            self.external_requests.append(request.url)

    # --- navigation and state ----------------------------------------------------------------
    def open(self, query: str = "") -> Chat:
        self.page.goto(f"{self.stack.web}/{query}")
        self.wait_connected()
        return self

    def wait_connected(self) -> None:
        self.page.wait_for_function("() => window.metChat && window.metChat.connected")

    def wait_idle(self) -> None:
        """Every message the person sent has been acknowledged: the server finished the turn
        (Rasa acknowledges after the whole turn, and its replies arrive before the ack)."""
        self.page.wait_for_function("() => window.metChat.pending === 0", timeout=TURN_MS)

    @property
    def session_id(self) -> str:
        return self.page.evaluate("() => window.metChat.sessionId")

    @property
    def bot(self) -> Locator:
        return self.page.locator("#conversation .met-msg--bot")

    @property
    def user(self) -> Locator:
        return self.page.locator("#conversation .met-msg--user")

    @property
    def input(self) -> Locator:
        return self.page.locator("#message")

    @property
    def banner(self) -> Locator:
        return self.page.locator("#emergency")

    def reply_button(self, title: str) -> Locator:
        return self.page.locator("#quick-replies").get_by_role("button", name=title, exact=True)

    def bot_texts(self) -> list[str]:
        return self.bot.all_inner_texts()

    # --- talking -----------------------------------------------------------------------------
    def _turn(self, act, expect: str | None) -> str:
        seen_bot, seen_user = self.bot.count(), self.user.count()
        act()
        self.page.wait_for_function(
            "n => document.querySelectorAll('#conversation .met-msg--user').length > n",
            arg=seen_user,
        )
        self.wait_idle()
        texts = self.bot_texts()
        # The welcome message (not from the assistant) gives way to the first user message.
        new = "\n".join(texts[seen_bot if seen_user else 0:])
        if expect is not None:
            assert expect.lower() in new.lower(), f"expected {expect!r} in the reply:\n{new}"
        return new

    def say(self, text: str, expect: str | None = None) -> str:
        """Types a message and presses Enter; returns the assistant's replies to it."""

        def act() -> None:
            self.input.fill(text)
            self.input.press("Enter")

        return self._turn(act, expect)

    def click(self, title: str, expect: str | None = None) -> str:
        """Selects one of the assistant's quick-reply buttons."""
        return self._turn(lambda: self.reply_button(title).click(), expect)

    def slots(self) -> dict:
        """The assistant's own record of the conversation (Rasa's tracker, by the page's id)."""
        return self.stack.slots(self.session_id)

    # --- artefacts ---------------------------------------------------------------------------
    def screenshot(self, name: str, full_page: bool = True) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def axe(self, name: str) -> list[dict]:
        """Runs axe-core (from node_modules, injected over the DevTools protocol, so the page's
        Content-Security-Policy stays on); returns serious and critical violations."""
        if not self.page.evaluate("() => typeof window.axe === 'object'"):
            self.page.evaluate(AXE_JS.read_text(encoding="utf-8"))
        result = self.page.evaluate(
            """async () => await axe.run(document, {runOnly: {type: 'tag', values:
                ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})"""
        )
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        summary = [
            {"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]]}
            for v in result["violations"]
        ]
        (ARTIFACTS / f"axe-{name}.json").write_text(
            json.dumps({"violations": summary, "passes": len(result["passes"])}, indent=2)
        )
        return [v for v in summary if v["impact"] in ("serious", "critical")]


def _neutral_site(route) -> None:
    route.fulfill(
        status=200, content_type="text/html",
        body="<!doctype html><html lang='en'><title>Weather</title><h1>Weather</h1></html>",
    )


@pytest.fixture
def context_for(browser: Browser):
    """Makes browser contexts (fresh storage each) and closes them after the test."""
    made = []

    def make(**options):
        context = browser.new_context(
            locale="en-GB", timezone_id="Europe/London", **{"viewport": DESKTOP, **options}
        )
        # The quick-exit destination is on the internet, which this machine cannot reach.
        context.route("https://www.bbc.co.uk/**", _neutral_site)
        context.set_default_timeout(30_000)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


@pytest.fixture
def chat(context_for, stack: Stack) -> Chat:
    return Chat(context_for().new_page(), stack)
