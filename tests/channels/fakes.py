"""Local fakes of the Twilio, Telegram and Messenger APIs, and the provider's side of a webhook.

Each fake is a real aiohttp server on loopback (in a thread of the test process) that the bot is
pointed at by its API base URL variable. It records every message it accepted, in order, and can
be told to misbehave for one recipient: refuse (503), drop the connection, answer slowly, or
accept and then not answer in time. The signing helpers sign webhook calls the way each provider
documents it, independently of the code under test (Twilio's own validator library, hmac).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import threading
from collections import Counter, defaultdict, deque
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

import requests
from aiohttp import web
from twilio.request_validator import RequestValidator

SLOW_SECONDS = 1.0  # well inside the bot's send timeout in the test stack
STALL_SECONDS = 8.0  # well beyond it: the bot gives up waiting and sends again
# What the test stack runs with: a short send timeout and quick retries keep the suite fast.
DELIVERY_ENV = {
    "CHANNEL_SEND_TIMEOUT": "4", "CHANNEL_RETRY_INITIAL": "0.2", "CHANNEL_RETRY_MAX": "1",
}

TWILIO_SID, TWILIO_TOKEN = "AC" + "0" * 32, "twilio-test-auth-token"
TELEGRAM_TOKEN, TELEGRAM_SECRET = "123456:test-bot-token", "telegram-test-secret_1"
FB_VERIFY, FB_SECRET, FB_PAGE_TOKEN = "fb-verify", "fb-app-secret", "fb-page-token"


@dataclass
class Received:
    recipient: str
    text: str
    raw: dict[str, Any]


class FakeProvider:
    """Base: an aiohttp app in its own thread and event loop; thread-safe records."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self._faults: dict[str, deque[str]] = defaultdict(deque)
        self._down: set[str] = set()
        self.attempts: Counter[str] = Counter()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self.url = ""

    def routes(self) -> list[web.RouteDef]:
        raise NotImplementedError

    # --- lifecycle --------------------------------------------------------------------------
    def start(self) -> FakeProvider:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=30)
        return self

    async def _start(self) -> None:
        app = web.Application()
        app.add_routes(self.routes())
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        if self._runner:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=30)

    # --- what tests see and control ---------------------------------------------------------
    def texts(self, recipient: str) -> list[str]:
        with self._lock:
            return [r.text for r in self._received if r.recipient == str(recipient)]

    def received(self, recipient: str) -> list[Received]:
        with self._lock:
            return [r for r in self._received if r.recipient == str(recipient)]

    def misbehave(self, recipient: str, *faults: str) -> None:
        """The next requests for `recipient` fail like this, one fault each: 'refuse' (503,
        not accepted), 'drop' (connection closed, not accepted), 'slow' (accepted after
        SLOW_SECONDS), 'stall' (accepted, answered only after STALL_SECONDS)."""
        with self._lock:
            self._faults[str(recipient)].extend(faults)

    def set_down(self, recipient: str, down: bool) -> None:
        """While down, every request for `recipient` is refused with 503."""
        with self._lock:
            (self._down.add if down else self._down.discard)(str(recipient))

    # --- the API side -----------------------------------------------------------------------
    async def accept(self, request: web.Request, recipient: str, text: str,
                     raw: dict[str, Any], ok: web.Response) -> web.StreamResponse:
        recipient = str(recipient)
        with self._lock:
            self.attempts[recipient] += 1
            fault = "refuse" if recipient in self._down else (
                self._faults[recipient].popleft() if self._faults[recipient] else None)
        if fault == "refuse":
            return web.json_response({"error": "unavailable"}, status=503)
        if fault == "drop":
            assert request.transport is not None
            request.transport.close()
            return ok
        if fault == "slow":
            await asyncio.sleep(SLOW_SECONDS)
        with self._lock:
            self._received.append(Received(recipient, text, raw))
        if fault == "stall":
            await asyncio.sleep(STALL_SECONDS)
        return ok


class FakeTwilio(FakeProvider):
    def routes(self) -> list[web.RouteDef]:
        return [web.post("/2010-04-01/Accounts/{sid}/Messages.json", self.create_message)]

    async def create_message(self, request: web.Request) -> web.StreamResponse:
        expected = "Basic " + base64.b64encode(f"{TWILIO_SID}:{TWILIO_TOKEN}".encode()).decode()
        if request.match_info["sid"] != TWILIO_SID or request.headers.get(
                "Authorization") != expected:
            return web.json_response({"code": 20003, "message": "Authenticate"}, status=401)
        form = dict(await request.post())
        ok = web.json_response({"sid": "SM" + "f" * 32, "status": "queued"}, status=201)
        return await self.accept(request, str(form.get("To")), str(form.get("Body")),
                                 {k: str(v) for k, v in form.items()}, ok)


class FakeTelegram(FakeProvider):
    def routes(self) -> list[web.RouteDef]:
        return [web.post("/bot{token}/{method}", self.call)]

    async def call(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != TELEGRAM_TOKEN:
            return web.json_response({"ok": False, "error_code": 401}, status=401)
        body = await request.json()
        if request.match_info["method"] != "sendMessage":
            return web.json_response({"ok": True, "result": True})
        ok = web.json_response({"ok": True, "result": {"message_id": 1}})
        return await self.accept(request, str(body.get("chat_id")), str(body.get("text")),
                                 body, ok)


class FakeMessenger(FakeProvider):
    def routes(self) -> list[web.RouteDef]:
        return [web.post("/me/messages", self.send)]

    async def send(self, request: web.Request) -> web.StreamResponse:
        if request.query.get("access_token") != FB_PAGE_TOKEN:
            return web.json_response({"error": {"code": 190}}, status=400)
        body = await request.json()
        recipient = str((body.get("recipient") or {}).get("id"))
        ok = web.json_response({"recipient_id": recipient, "message_id": "m_1"})
        return await self.accept(request, recipient, str(body["message"].get("text")), body, ok)


@dataclass
class Fakes:
    twilio: FakeTwilio
    telegram: FakeTelegram
    messenger: FakeMessenger

    @property
    def env(self) -> dict[str, str]:
        """What the stack needs to switch the three channels on, pointed at these fakes."""
        return {
            "TWILIO_ACCOUNT_SID": TWILIO_SID, "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "TWILIO_API_BASE": self.twilio.url,
            "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN, "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET,
            "TELEGRAM_API_BASE": self.telegram.url,
            "MESSENGER_VERIFY_TOKEN": FB_VERIFY, "MESSENGER_APP_SECRET": FB_SECRET,
            "MESSENGER_PAGE_ACCESS_TOKEN": FB_PAGE_TOKEN, "MESSENGER_API_BASE": self.messenger.url,
            **DELIVERY_ENV,
        }


@contextmanager
def running_fakes() -> Iterator[Fakes]:
    with ExitStack() as stack:
        fakes = []
        for kind in (FakeTwilio, FakeTelegram, FakeMessenger):
            fake = kind().start()
            stack.callback(fake.stop)
            fakes.append(fake)
        yield Fakes(*fakes)


# --- the provider's side: signed webhook calls to the bot --------------------------------------
WEBHOOK_TIMEOUT = 180


def twilio_post(rasa: str, params: dict[str, str], signature: str | None = None
                ) -> requests.Response:
    url = f"{rasa}/webhooks/twilio/webhook"
    if signature is None:
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, params)
    return requests.post(url, data=params, headers={"X-Twilio-Signature": signature},
                         timeout=WEBHOOK_TIMEOUT)


def telegram_post(rasa: str, update: dict[str, Any], secret: str | None = TELEGRAM_SECRET
                  ) -> requests.Response:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    return requests.post(f"{rasa}/webhooks/telegram/webhook", json=update, headers=headers,
                         timeout=WEBHOOK_TIMEOUT)


def messenger_sign(body: bytes, secret: str = FB_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def messenger_post(rasa: str, payload: dict[str, Any], signature: str | None = None
                   ) -> requests.Response:
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json",
               "X-Hub-Signature-256": signature or messenger_sign(body)}
    return requests.post(f"{rasa}/webhooks/facebook/webhook", data=body, headers=headers,
                         timeout=WEBHOOK_TIMEOUT)
