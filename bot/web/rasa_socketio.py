"""Rasa's socket.io channel, with session persistence that works on python-socketio >= 5.10.

Rasa 3.6 calls `sio.enter_room(...)` without `await` (RasaHQ/rasa#13027; the fix, #13148, was
never released). Since python-socketio 5.10 that method is a coroutine, so the socket never joins
the conversation's room and, with `session_persistence: true`, every reply goes to an empty room:
the web chat would never see an answer. This subclass re-registers only the `session_request`
handler, with the await; everything else is Rasa's own code. `install()` makes the `socketio:`
section of credentials.yml use it; the Rasa wrapper (bot/rasa_server.py) calls it before Rasa
reads that file, in the same process.
"""

from __future__ import annotations

import inspect
import re
import uuid
from collections.abc import Awaitable
from typing import Any, Callable

from rasa.core.channels import BUILTIN_CHANNELS
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from sanic import Blueprint

# The web page makes 32 hex digits; anything that is not a plausible id gets a fresh one.
SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class SocketIOInput(RasaSocketIOInput):
    """Rasa's SocketIOInput (still named "socketio") with rooms joined properly."""

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        sio = self.sio
        assert sio is not None  # set by super().blueprint

        async def session_request(sid: str, data: Any) -> None:
            asked = data.get("session_id") if isinstance(data, dict) else None
            session_id = asked if isinstance(asked, str) and SESSION_ID.match(asked) else None
            session_id = session_id or uuid.uuid4().hex
            if self.session_persistence:
                joined = sio.enter_room(sid, session_id, namespace=self.namespace)
                if inspect.isawaitable(joined):  # a coroutine since python-socketio 5.10
                    await joined
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        # Replaces the handler Rasa registered under the same event and namespace.
        sio.on("session_request", handler=session_request, namespace=self.namespace)
        return blueprint


def install() -> None:
    """Makes credentials.yml's `socketio:` section build this channel instead of Rasa's."""
    BUILTIN_CHANNELS[SocketIOInput.name()] = SocketIOInput
