"""What every messaging connector shares: taking a message in, and queueing the replies out.

A webhook call is handled in this order: signature checked (403 and nothing else on failure),
message id checked against redeliveries, the person's pseudonymous id looked up, an option number
or a location turned into what the assistant understands, the turn run, replies queued durably.
The provider's API is called only by channels.delivery, never while the turn runs, so a slow or
dead provider never holds up a webhook.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from rasa.core.channels.channel import OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.delivery import Delivery
from channels.replies import offered_buttons, resolve_option
from channels.store import ChannelStore

logger = logging.getLogger(__name__)

EMERGENCY_RESPONSE = "utter_emergency"
UNSUPPORTED_TEXT = (
    "Sorry, I can only read text messages. If you or someone else is in danger, call 999 now."
)
OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


@dataclass
class Inbound:
    """One message from a person, as the provider described it."""

    message_id: str
    address: dict[str, Any]  # where replies go; "user" identifies the person
    text: str | None  # None: nothing we can read (a photo, a sticker)
    is_payload: bool = False  # an option the provider already resolved (a tapped quick reply)
    extra: dict[str, Any] = field(default_factory=dict)


class _Runtime:
    """The store and the delivery workers, one per Rasa process, shared by all connectors."""

    def __init__(self) -> None:
        default = Path(os.environ.get("RUN_DIR", ".run")) / "channels.sqlite"
        self.store = ChannelStore(Path(os.environ.get("CHANNELS_DB") or default))
        self.delivery = Delivery(self.store, {})


_runtime: _Runtime | None = None


def runtime() -> _Runtime:
    global _runtime
    if _runtime is None:
        _runtime = _Runtime()
    return _runtime


class QueuedOutput(OutputChannel):
    """Rasa's output channel for a connector: renders each reply and puts it in the outbox."""

    def __init__(self, connector: Connector) -> None:
        self.connector = connector

    def name(self) -> str:  # type: ignore[override]
        return self.connector.name()

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        rt = runtime()
        address = rt.store.address(recipient_id)
        if address is None:
            logger.warning("channel %s: no address for a conversation; reply not sent",
                           self.connector.name())
            return
        requests = self.connector.render(address, dict(message))
        if not requests:
            return
        priority = 1 if message.get("utter_action") == EMERGENCY_RESPONSE else 0
        rt.store.enqueue(self.connector.name(), recipient_id, address, requests, priority)
        rt.delivery.kick(self.connector.name(), recipient_id)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})


class Connector:
    """Mixin for a Rasa InputChannel subclass; the subclass supplies the provider specifics."""

    numbered_options = False  # are options shown as "1. ..." (so a reply "1" picks one)?

    @classmethod
    def name(cls) -> str:
        raise NotImplementedError

    def render(self, address: dict[str, Any], message: dict[str, Any]) -> list[dict[str, Any]]:
        """One reply as the provider requests (one per part) that deliver() will send."""
        raise NotImplementedError

    def register(self) -> None:
        """Makes this connector's deliver() the way out for its channel."""
        runtime().delivery.add_transport(self.name(), self)  # type: ignore[arg-type]

    def get_output_channel(self) -> OutputChannel:
        return QueuedOutput(self)

    def webhook_blueprint(self) -> Blueprint:
        """The provider's blueprint with what every connector has: this connector as its
        channel's way out, replies resumed at start and flushed at stop, and a health route."""
        blueprint = Blueprint(f"met_{self.name()}_webhook", __name__)
        self.register()
        self.add_lifecycle(blueprint)

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        return blueprint

    def add_lifecycle(self, blueprint: Blueprint) -> None:
        @blueprint.listener("after_server_start")
        async def resume(app: Any, loop: Any) -> None:
            runtime().store.prune()
            runtime().delivery.resume()  # replies a previous run could not deliver

        @blueprint.listener("before_server_stop")
        async def stop(app: Any, loop: Any) -> None:
            await runtime().delivery.close()

    async def take_in(
        self, request: Request, on_new_message: OnNewMessage, messages: Iterable[Inbound]
    ) -> None:
        """Runs each new message through the assistant; raises if one could not be handled."""
        rt = runtime()
        output = self.get_output_channel()
        for inbound in messages:
            sender_id = rt.store.sender_id(self.name(), inbound.address)
            if not rt.store.first_time(self.name(), inbound.message_id):
                logger.info("channel %s: redelivered message ignored", self.name())
                continue
            if inbound.text is None:
                await output.send_response(sender_id, {"text": UNSUPPORTED_TEXT})
                continue
            text = inbound.text
            if not inbound.is_payload and not text.startswith("/"):
                buttons = await _offered_buttons(request, sender_id)
                text = resolve_option(text, buttons, self.numbered_options)
            try:
                await on_new_message(UserMessage(
                    text, output, sender_id, input_channel=self.name(),
                    metadata={"channel": self.name()},
                ))
            except Exception:
                rt.store.forget(self.name(), inbound.message_id)
                raise


async def _offered_buttons(request: Request, sender_id: str) -> list[dict[str, Any]]:
    """The options the bot offered last, from the conversation's own record (the tracker)."""
    agent = getattr(request.app.ctx, "agent", None)
    if agent is None or agent.tracker_store is None:
        return []
    tracker = await agent.tracker_store.retrieve(sender_id)
    if tracker is None:
        return []
    # Serialise lazily: only the events since the person last spoke are ever looked at.
    return offered_buttons(event.as_dict() for event in reversed(tracker.events))
