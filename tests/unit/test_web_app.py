"""The web relay's own checks. Rasa itself is exercised in tests/e2e; here it is unreachable."""

from __future__ import annotations

import socket

import pytest

from bot.web.app import MAX_MESSAGE_CHARS, create_app


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
async def client(aiohttp_client):
    return await aiohttp_client(create_app(f"http://127.0.0.1:{_closed_port()}"))


async def test_page_and_health(client) -> None:
    page = await client.get("/")
    assert page.status == 200
    assert "999" in await page.text()
    assert (await client.get("/healthz")).status == 200


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({"sender": "abcdefgh1", "message": ""}, 400, "type a message"),
        ({"sender": "abcdefgh1", "message": "   "}, 400, "type a message"),
        ({"sender": "../../etc", "message": "hi"}, 400, "conversation id"),
        ({"sender": "short", "message": "hi"}, 400, "conversation id"),
        ({"message": "hi"}, 400, "conversation id"),
        ({"sender": "abcdefgh1", "message": 42}, 400, "type a message"),
        ([1, 2, 3], 400, "JSON"),
        ({"sender": "abcdefgh1", "message": "x" * (MAX_MESSAGE_CHARS + 1)}, 413, "too long"),
        ({"sender": "abcdefgh1", "message": "x" * 200_000}, 413, "too long"),
    ],
)
async def test_bad_requests_get_a_clear_json_error(client, body, status, says) -> None:
    response = await client.post("/api/messages", json=body)
    assert response.status == status
    assert says in (await response.json())["error"]


async def test_not_json_gets_a_clear_error(client) -> None:
    response = await client.post("/api/messages", data=b"\xff\xfe\x00binary")
    assert response.status == 400
    assert "JSON" in (await response.json())["error"]


async def test_rasa_down_gives_a_calm_message_that_names_999(client) -> None:
    response = await client.post("/api/messages", json={"sender": "abcdefgh1", "message": "hi"})
    assert response.status == 502
    error = (await response.json())["error"]
    assert "999" in error and "Traceback" not in error
