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
    text = await page.text()
    assert "999" in text and "{{" not in text
    assert 'class="govuk-template"' in text
    assert 'data-exit-url="https://www.bbc.co.uk/weather"' in text
    # No inline script may run, and no other site is needed.
    assert "script-src" not in page.headers["Content-Security-Policy"]
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert page.headers["Cache-Control"] == "no-store"  # nothing of the chat in the back cache
    assert (await client.get("/healthz")).status == 200


async def test_embed_mode_is_a_class_on_the_same_page(client) -> None:
    text = await (await client.get("/?embed=1")).text()
    assert 'class="govuk-template met-embed"' in text
    assert (await client.get("/static/embed.js")).status == 200


async def test_socketio_proxy_refuses_other_sites(client) -> None:
    response = await client.get(
        "/socket.io/?EIO=4&transport=polling", headers={"Origin": "https://evil.example"}
    )
    assert response.status == 403


async def test_socketio_proxy_with_rasa_down_names_999(client) -> None:
    response = await client.get("/socket.io/?EIO=4&transport=polling")
    assert response.status == 502
    text = await response.text()
    assert "999" in text and "Traceback" not in text


async def test_only_socketio_is_proxied_never_the_rasa_api(client) -> None:
    for path in ("/conversations/x/tracker", "/model/parse", "/webhooks/rest/webhook", "/status"):
        assert (await client.get(path)).status == 404, path


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
