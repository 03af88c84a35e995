"""Telegram: Rasa's TelegramInput with the webhook secret checked and replies queued.

credentials.yml section `channels.telegram.TelegramChannel` (access_token, secret_token).
Optional environment: TELEGRAM_API_BASE (default https://api.telegram.org; tests point it at a
local fake) and TELEGRAM_WEBHOOK_URL (if set, the bot registers that URL with Telegram at start,
with the secret token, so Telegram signs every call).
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

import aiohttp
from rasa.core.channels.telegram import TelegramInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.base import Connector, Inbound, OnNewMessage, runtime
from channels.delivery import RetryLater, classify
from channels.formatting import LIMITS, plain_links, split_message
from channels.replies import location_message
from channels.signatures import telegram_valid

logger = logging.getLogger(__name__)


def render_telegram(address: dict[str, Any], message: dict[str, Any]) -> list[dict[str, Any]]:
    """Plain text (no parse mode, so nothing is read as markup); options as a one-time keyboard.

    A reply keyboard sends the option's words back, which map to its payload like typed words;
    inline buttons would carry the payload, but Telegram caps that at 64 bytes.
    """
    text = plain_links(str(message.get("text") or ""))
    if message.get("image"):
        text = f"{text}\n{message['image']}".strip()
    parts = split_message(text, LIMITS["telegram"])
    requests: list[dict[str, Any]] = [{"text": part} for part in parts]
    buttons = message.get("buttons") or message.get("quick_replies") or []
    if buttons and requests:
        requests[-1]["reply_markup"] = {
            "keyboard": [[{"text": str(b.get("title", ""))}] for b in buttons],
            "one_time_keyboard": True, "resize_keyboard": True,
        }
    return requests


class TelegramChannel(Connector, TelegramInput):
    @classmethod
    def name(cls) -> str:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TelegramChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(
            str(credentials.get("access_token") or ""), str(credentials.get("secret_token") or ""),
            os.environ.get("TELEGRAM_API_BASE") or "https://api.telegram.org",
            os.environ.get("TELEGRAM_WEBHOOK_URL") or None,
        )

    def __init__(self, access_token: str, secret_token: str, api_base: str,
                 webhook_url: str | None) -> None:
        super().__init__(access_token, None, webhook_url, debug_mode=False)
        self.secret_token = secret_token
        self.api_base = api_base.rstrip("/")

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = self.webhook_blueprint()

        @webhook.listener("after_server_start")
        async def register_webhook(app: Any, loop: Any) -> None:
            if self.webhook_url:
                await self.set_webhook()

        @webhook.route("/webhook", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            header = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
            if not telegram_valid(self.secret_token, header):
                logger.warning("telegram: rejected a request without the secret token")
                return response.text("forbidden", status=403)
            update = request.json if isinstance(request.json, dict) else {}
            inbound = self.parse(update)
            if inbound is not None:
                await self.take_in(request, on_new_message, [inbound])
            return response.json({"ok": True})

        return webhook

    @staticmethod
    def parse(update: dict[str, Any]) -> Inbound | None:
        """A new message or a tapped inline button; edits are ignored (the first version counted).
        """
        update_id = update.get("update_id")
        callback = update.get("callback_query")
        if callback and isinstance(callback.get("message"), dict):
            chat = callback["message"].get("chat") or {}
            if "id" in chat and callback.get("data"):
                return Inbound(str(update_id), {"user": chat["id"]}, str(callback["data"]),
                               is_payload=True)
            return None
        message = update.get("message")
        if update_id is None or not isinstance(message, dict):
            return None
        chat = message.get("chat") or {}
        if "id" not in chat:
            return None
        text = message.get("text")
        location = message.get("location")
        if isinstance(location, dict):
            text = location_message(location.get("latitude"), location.get("longitude"))
        return Inbound(str(update_id), {"user": chat["id"]}, text or None)

    def render(self, address: dict[str, Any], message: dict[str, Any]) -> list[dict[str, Any]]:
        return render_telegram(address, message)

    async def deliver(self, session: aiohttp.ClientSession, address: dict[str, Any],
                      request: dict[str, Any]) -> None:
        body = {"chat_id": address["user"], "disable_web_page_preview": True, **request}
        await self._call(session, "sendMessage", body)

    async def _call(self, session: aiohttp.ClientSession, method: str,
                    body: dict[str, Any]) -> None:
        # The token is part of the URL: never log the URL.
        async with session.post(f"{self.api_base}/bot{self.access_token}/{method}",
                                json=body) as answer:
            try:
                payload = await answer.json(content_type=None)
            except ValueError:
                payload = {}
            wait = ((payload or {}).get("parameters") or {}).get("retry_after", 0)
            classify(answer.status, float(wait or 0))

    async def set_webhook(self) -> None:
        """Tells Telegram where to call and which secret to send (tried until it works)."""
        body = {"url": self.webhook_url, "secret_token": self.secret_token,
                "allowed_updates": ["message", "callback_query"]}
        session = runtime().delivery.client()
        for _ in range(5):
            try:
                await self._call(session, "setWebhook", body)
                logger.info("telegram: webhook registered")
                return
            except (RetryLater, aiohttp.ClientError, asyncio.TimeoutError) as error:
                logger.warning("telegram: setWebhook failed (%s); retrying", type(error).__name__)
                await asyncio.sleep(2.0)
            except Exception as error:
                logger.error("telegram: setWebhook refused (%s)", type(error).__name__)
                return
