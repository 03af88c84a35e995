"""The socket.io channel fix: a session_request must really put the socket in the room."""

from __future__ import annotations

from unittest.mock import AsyncMock

from rasa.core.channels import BUILTIN_CHANNELS

from bot.web.rasa_socketio import SocketIOInput, install


def _channel() -> SocketIOInput:
    channel = SocketIOInput.from_credentials({"session_persistence": True})
    channel.blueprint(AsyncMock())
    channel.sio.enter_room = AsyncMock()
    channel.sio.emit = AsyncMock()
    return channel


def _handler(channel: SocketIOInput):
    return channel.sio.handlers["/"]["session_request"]


async def test_session_request_joins_the_room_and_confirms() -> None:
    channel = _channel()
    await _handler(channel)("sid-1", {"session_id": "abcdef0123456789"})
    channel.sio.enter_room.assert_awaited_once_with("sid-1", "abcdef0123456789", namespace=None)
    channel.sio.emit.assert_awaited_once_with(
        "session_confirm", "abcdef0123456789", room="sid-1", namespace=None
    )


async def test_an_implausible_session_id_gets_a_fresh_one() -> None:
    channel = _channel()
    await _handler(channel)("sid-2", {"session_id": {"$ne": None}})
    room = channel.sio.enter_room.await_args.args[1]
    assert isinstance(room, str) and len(room) == 32


def test_install_replaces_rasas_socketio_channel_under_the_same_name() -> None:
    install()
    assert BUILTIN_CHANNELS["socketio"] is SocketIOInput
    assert SocketIOInput.name() == "socketio"  # channel-specific responses still match
