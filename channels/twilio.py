"""SMS and WhatsApp through Twilio: Rasa's TwilioInput, signed, queued, adapted to plain text.

credentials.yml section `channels.twilio.TwilioChannel` (account_sid, auth_token). Optional
environment: TWILIO_API_BASE (default https://api.twilio.com; tests point it at a local fake) and
TWILIO_WEBHOOK_URL (the public URL registered with Twilio, which is what Twilio signs, when Rasa
sits behind a proxy that changes it).
"""

from __future__ import annotations

import logging
import os
from typing import Any
from urllib.parse import parse_qs

import aiohttp
from rasa.core.channels.twilio import TwilioInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.base import Connector, Inbound, OnNewMessage
from channels.delivery import classify
from channels.formatting import LIMITS, numbered_options, plain_links, split_message
from channels.replies import location_message
from channels.signatures import twilio_valid

logger = logging.getLogger(__name__)

# An empty TwiML answer: Twilio sends nothing itself; our replies go through the Messages API.
_EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _form(request: Request) -> dict[str, list[str]]:
    """The POST fields, empty ones included: Twilio signs them all (a location has Body=)."""
    if "application/x-www-form-urlencoded" not in request.headers.get("content-type", ""):
        return {}
    return parse_qs((request.body or b"").decode("utf-8", "replace"), keep_blank_values=True)


def _first(form: Any, key: str) -> str | None:
    values = form.get(key) if hasattr(form, "get") else None
    if isinstance(values, list):
        return values[0] if values else None
    return values


def render_twilio(address: dict[str, Any], message: dict[str, Any]) -> list[dict[str, Any]]:
    """Buttons as numbered options, plain links, split under the SMS or WhatsApp limit."""
    text = plain_links(str(message.get("text") or ""))
    text = numbered_options(text, message.get("buttons") or message.get("quick_replies") or [])
    if message.get("image"):
        text = f"{text}\n{message['image']}".strip()
    kind = "whatsapp" if str(address.get("user", "")).startswith("whatsapp:") else "sms"
    return [{"Body": part} for part in split_message(text, LIMITS[kind])]


class TwilioChannel(Connector, TwilioInput):
    numbered_options = True

    @classmethod
    def name(cls) -> str:
        return "twilio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TwilioChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(
            str(credentials.get("account_sid") or ""), str(credentials.get("auth_token") or ""),
            os.environ.get("TWILIO_API_BASE") or "https://api.twilio.com",
            os.environ.get("TWILIO_WEBHOOK_URL") or None,
        )

    def __init__(self, account_sid: str, auth_token: str, api_base: str,
                 webhook_url: str | None) -> None:
        super().__init__(account_sid, auth_token, None, debug_mode=False)
        self.api_base = api_base.rstrip("/")
        self.webhook_url = webhook_url

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = self.webhook_blueprint()

        @webhook.route("/webhook", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            form = _form(request)
            signature = request.headers.get("X-Twilio-Signature")
            if not twilio_valid(self.auth_token or "", self.webhook_url or request.url, form,
                                signature):
                logger.warning("twilio: rejected a request without a valid signature")
                return response.text("forbidden", status=403)
            inbound = self.parse(form)
            if inbound is not None:
                await self.take_in(request, on_new_message, [inbound])
            return response.text(_EMPTY_TWIML, content_type="text/xml")

        return webhook

    @staticmethod
    def parse(form: Any) -> Inbound | None:
        sender, ours, sid = _first(form, "From"), _first(form, "To"), _first(form, "MessageSid")
        if not sender or not ours or not sid:
            return None
        text = _first(form, "Body")
        latitude, longitude = _first(form, "Latitude"), _first(form, "Longitude")
        if latitude and longitude:  # a WhatsApp location pin
            text = location_message(latitude, longitude)
        elif text is not None:
            text = text.replace("¡", "@")  # some carriers turn @ into ¡ in SMS
        return Inbound(sid, {"user": sender, "from": ours}, text or None)

    def render(self, address: dict[str, Any], message: dict[str, Any]) -> list[dict[str, Any]]:
        return render_twilio(address, message)

    async def deliver(self, session: aiohttp.ClientSession, address: dict[str, Any],
                      request: dict[str, Any]) -> None:
        url = f"{self.api_base}/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        form = {"To": address["user"], "From": address["from"], "Body": request["Body"]}
        auth = aiohttp.BasicAuth(self.account_sid or "", self.auth_token or "")
        async with session.post(url, data=form, auth=auth) as answer:
            await answer.read()
            classify(answer.status, _retry_after(answer.headers.get("Retry-After")))


def _retry_after(value: str | None) -> float:
    try:
        return float(value or 0)
    except ValueError:
        return 0.0
