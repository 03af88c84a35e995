"""The outbox against a local fake Telegram API: retried, ordered, 999 first, kept over a restart.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Callable

import pytest

from channels.delivery import Delivery
from channels.store import ChannelStore
from channels.telegram import TelegramChannel
from tests.channels.fakes import TELEGRAM_SECRET, TELEGRAM_TOKEN, FakeTelegram


@pytest.fixture()
def fake() -> Iterator[FakeTelegram]:
    provider = FakeTelegram().start()
    yield provider
    provider.stop()


@pytest.fixture()
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHANNEL_SEND_TIMEOUT", "2")
    monkeypatch.setenv("CHANNEL_RETRY_INITIAL", "0.05")
    monkeypatch.setenv("CHANNEL_RETRY_MAX", "0.2")


def delivery(path: Path, fake: FakeTelegram, token: str = TELEGRAM_TOKEN) -> Delivery:
    channel = TelegramChannel(token, TELEGRAM_SECRET, fake.url, None)
    return Delivery(ChannelStore(path), {"telegram": channel})


async def until(condition: Callable[[], bool], what: str) -> None:
    for _ in range(600):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def put(out: Delivery, user: int, *texts: str, priority: int = 0) -> None:
    sender = out.store.sender_id("telegram", {"user": user})
    out.store.enqueue("telegram", sender, {"user": user}, [{"text": t} for t in texts], priority)
    out.kick("telegram", sender)


async def test_refused_and_dropped_sends_are_retried_once_each_in_order(
        tmp_path: Path, fake: FakeTelegram, quick: None) -> None:
    out = delivery(tmp_path / "c.sqlite", fake)
    fake.misbehave("5", "refuse", "drop", "refuse", "slow")
    put(out, 5, "one", "two", "three")
    await out.idle()
    assert fake.texts("5") == ["one", "two", "three"]
    assert fake.attempts["5"] == 6
    assert out.store.pending_count() == 0
    await out.close()


async def test_a_999_message_overtakes_replies_still_waiting(
        tmp_path: Path, fake: FakeTelegram, quick: None) -> None:
    out = delivery(tmp_path / "c.sqlite", fake)
    fake.set_down("6", True)
    put(out, 6, "earlier reply", "earlier reply 2")
    await until(lambda: fake.attempts["6"] >= 2, "a refused attempt")
    put(out, 6, "Call 999 now", priority=1)
    fake.set_down("6", False)
    await out.idle()
    assert fake.texts("6") == ["Call 999 now", "earlier reply", "earlier reply 2"]
    await out.close()


async def test_replies_survive_a_restart_and_go_out_once(
        tmp_path: Path, fake: FakeTelegram, quick: None) -> None:
    first = delivery(tmp_path / "c.sqlite", fake)
    fake.set_down("7", True)
    put(first, 7, "kept", "kept too")
    await until(lambda: fake.attempts["7"] >= 1, "an attempt")
    await first.close()  # the process stops with both replies undelivered
    fake.set_down("7", False)
    second = delivery(tmp_path / "c.sqlite", fake)
    second.resume()
    await second.idle()
    assert fake.texts("7") == ["kept", "kept too"]
    await second.close()


async def test_a_refused_request_is_dropped_not_retried_forever(
        tmp_path: Path, fake: FakeTelegram, quick: None) -> None:
    out = delivery(tmp_path / "c.sqlite", fake, token="999:wrong")  # the fake answers 401
    put(out, 8, "never accepted")
    await out.idle()
    assert fake.texts("8") == [] and out.store.pending_count() == 0
    await out.close()


async def test_people_do_not_wait_for_each_other(
        tmp_path: Path, fake: FakeTelegram, quick: None) -> None:
    out = delivery(tmp_path / "c.sqlite", fake)
    fake.set_down("9", True)
    put(out, 9, "stuck")
    put(out, 10, "flows")
    await until(lambda: fake.texts("10") == ["flows"], "the other person's reply")
    fake.set_down("9", False)
    await out.idle()
    assert fake.texts("9") == ["stuck"]
    await out.close()
