"""The staff console's calls to Rasa's HTTP API (needs the API token).

Replies go in with `POST /conversations/{id}/trigger_intent?output_channel=latest`: Rasa sends
what the action utters to the channel the person last wrote from. The socketio channel pushes
it to the person's open chat (Rasa emits to the room named after the session id); the REST
channel cannot push, so Rasa collects the messages into this API response instead and the person
only sees them in the tracker (rasa/server.py `_get_output_channel`; REST's
`get_output_channel` is None).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import aiohttp

from bot.staff.events import applied

PUSH_CHANNELS = {"socketio"}  # input channels whose output channel can push to the person


class RasaUnavailable(RuntimeError):
    pass


class RasaAPI:
    def __init__(self, base_url: str, token: str | None, http: aiohttp.ClientSession) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.http = http

    def _url(self, conversation_id: str, what: str) -> str:
        # The id is percent-encoded as one path segment: it can never reach another endpoint.
        return f"{self.base_url}/conversations/{quote(conversation_id, safe='')}/{what}"

    async def _call(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        if not self.token:
            raise RasaUnavailable("no Rasa API token (RASA_AUTH_TOKEN or RUN_DIR/rasa_token)")
        params = {"token": self.token, **kwargs.pop("params", {})}
        try:
            async with self.http.request(method, url, params=params, **kwargs) as response:
                if response.status != 200:
                    raise RasaUnavailable(f"Rasa answered {response.status}")
                return await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            raise RasaUnavailable(type(error).__name__) from None

    async def tracker(self, conversation_id: str) -> dict[str, Any]:
        return await self._call(
            "GET", self._url(conversation_id, "tracker"), params={"include_events": "ALL"},
        )

    async def staff_update(
        self, conversation_id: str, event: str, text: str | None = None
    ) -> dict[str, Any]:
        entities = [{"entity": "staff_event", "value": event}]
        if text is not None:
            entities.append({"entity": "staff_text", "value": text})
        return await self._call(
            "POST", self._url(conversation_id, "trigger_intent"),
            params={"output_channel": "latest", "include_events": "NONE"},
            json={"name": "staff_update", "entities": entities},
        )


def transcript(tracker: dict[str, Any]) -> list[dict[str, str]]:
    """Who said what, in order: the person, the assistant, and staff (sent through the bot)."""
    lines: list[dict[str, str]] = []
    for event in applied(tracker.get("events") or []):
        kind = event.get("event")
        stamp = str(event.get("timestamp") or "")
        if kind == "user":
            text = str(event.get("text") or "")
            if text.startswith("EXTERNAL:"):
                continue  # the console's own trigger; what staff wrote shows as the bot's turn
            lines.append({"who": "person", "text": text, "at": stamp})
        elif kind == "bot" and event.get("text"):
            response = (event.get("metadata") or {}).get("utter_action")
            who = "staff" if response == "utter_staff_message" else "assistant"
            lines.append({"who": who, "text": str(event["text"]), "at": stamp})
        elif kind == "restart":
            lines.append({"who": "system", "text": "The person started again.", "at": stamp})
    return lines
