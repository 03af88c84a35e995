"""Facebook Messenger: Rasa's FacebookInput with X-Hub-Signature-256 checked and replies queued.

credentials.yml section `channels.facebook.MessengerChannel` (verify, secret, page-access-token,
the same keys as Rasa's own). Optional environment: MESSENGER_API_BASE (default
https://graph.facebook.com/v19.0; tests point it at a local fake).
"""

from __future__ import annotations

import logging
import os
from typing import Any

import aiohttp
from rasa.core.channels.facebook import FacebookInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.base import Connector, Inbound, OnNewMessage
from channels.delivery import RetryLater, classify
from channels.formatting import LIMITS, plain_links, split_message
from channels.replies import location_message
from channels.signatures import messenger_valid, secret_matches

logger = logging.getLogger(__name__)

QUICK_REPLY_TITLE = 20  # Messenger's limits for quick replies
QUICK_REPLIES_MAX = 13
# Graph API error codes that mean "busy, try later" (rate limits, temporary outage).
_TRANSIENT_CODES = {1, 2, 4, 17, 32, 613}


def _title(text: str) -> str:
    return text if len(text) <= QUICK_REPLY_TITLE else text[: QUICK_REPLY_TITLE - 1] + "…"


def render_messenger(address: dict[str, Any], message: dict[str, Any]) -> list[dict[str, Any]]:
    """Plain text under 2,000 characters a part; options as quick replies on the last part."""
    text = plain_links(str(message.get("text") or ""))
    if message.get("image"):
        text = f"{text}\n{message['image']}".strip()
    requests: list[dict[str, Any]] = [
        {"text": part} for part in split_message(text, LIMITS["facebook"])
    ]
    buttons = (message.get("buttons") or message.get("quick_replies") or [])[:QUICK_REPLIES_MAX]
    if buttons and requests:
        requests[-1]["quick_replies"] = [
            {"content_type": "text", "title": _title(str(b.get("title", ""))),
             "payload": str(b.get("payload") or b.get("title", ""))}
            for b in buttons
        ]
    return requests


def parse_messenger(payload: dict[str, Any]) -> list[Inbound]:
    """Every person's message in one webhook call (Messenger batches them)."""
    found = []
    for entry in payload.get("entry") or []:
        for event in entry.get("messaging") or []:
            inbound = _one_event(event)
            if inbound is not None:
                found.append(inbound)
    return found


def _one_event(event: dict[str, Any]) -> Inbound | None:
    sender = (event.get("sender") or {}).get("id")
    if not sender:
        return None
    address = {"user": str(sender)}
    fallback_id = f"{sender}:{event.get('timestamp')}"
    if isinstance(event.get("postback"), dict):  # a tapped button
        postback = event["postback"]
        return Inbound(str(postback.get("mid") or fallback_id), address,
                       str(postback.get("payload") or postback.get("title") or "") or None,
                       is_payload=True)
    message = event.get("message")
    if not isinstance(message, dict) or message.get("is_echo"):
        return None  # delivery and read receipts, our own messages echoed back
    mid = str(message.get("mid") or fallback_id)
    quick_reply = message.get("quick_reply") or {}
    if quick_reply.get("payload"):
        return Inbound(mid, address, str(quick_reply["payload"]), is_payload=True)
    if message.get("text"):
        return Inbound(mid, address, str(message["text"]))
    for attachment in message.get("attachments") or []:
        if attachment.get("type") == "location":
            point = (attachment.get("payload") or {}).get("coordinates") or {}
            return Inbound(mid, address, location_message(point.get("lat"), point.get("long")))
    return Inbound(mid, address, None)


class MessengerChannel(Connector, FacebookInput):
    @classmethod
    def name(cls) -> str:
        return "facebook"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> MessengerChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(
            str(credentials.get("verify") or ""), str(credentials.get("secret") or ""),
            str(credentials.get("page-access-token") or ""),
            os.environ.get("MESSENGER_API_BASE") or "https://graph.facebook.com/v19.0",
        )

    def __init__(self, fb_verify: str, fb_secret: str, fb_access_token: str,
                 api_base: str) -> None:
        super().__init__(fb_verify, fb_secret, fb_access_token)
        self.api_base = api_base.rstrip("/")

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = self.webhook_blueprint()

        @webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            """Messenger's subscription check: echo the challenge if the verify token matches."""
            token = request.args.get("hub.verify_token") or ""
            if (request.args.get("hub.mode") == "subscribe" and self.fb_verify
                    and secret_matches(self.fb_verify, token)):
                return response.text(request.args.get("hub.challenge") or "")
            return response.text("forbidden", status=403)

        @webhook.route("/webhook", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            signature = request.headers.get("X-Hub-Signature-256")
            if not messenger_valid(self.fb_secret, request.body or b"", signature):
                logger.warning("facebook: rejected a request without a valid signature")
                return response.text("forbidden", status=403)
            payload = request.json if isinstance(request.json, dict) else {}
            await self.take_in(request, on_new_message, parse_messenger(payload))
            return response.text("EVENT_RECEIVED")

        return webhook

    def render(self, address: dict[str, Any], message: dict[str, Any]) -> list[dict[str, Any]]:
        return render_messenger(address, message)

    async def deliver(self, session: aiohttp.ClientSession, address: dict[str, Any],
                      request: dict[str, Any]) -> None:
        body = {"recipient": {"id": address["user"]}, "messaging_type": "RESPONSE",
                "message": request}
        # The page token goes in the query string, as the Graph API wants: never log the URL.
        async with session.post(f"{self.api_base}/me/messages",
                                params={"access_token": self.fb_access_token},
                                json=body) as answer:
            try:
                payload = await answer.json(content_type=None)
            except ValueError:
                payload = {}
            error = (payload or {}).get("error") or {}
            if answer.status >= 400 and (error.get("is_transient")
                                         or error.get("code") in _TRANSIENT_CODES):
                raise RetryLater(f"HTTP {answer.status} code {error.get('code')}")
            classify(answer.status)

