"""Getting replies to the provider: one ordered queue per person, retried with back-off.

Guarantee (also in the README): a reply is written to the outbox before the webhook answers and
is removed only when the provider accepted it, so a provider that is down, refuses (429/5xx) or
drops the connection gets the reply later, once, in order. A reply is re-sent only if no answer
came back: a provider that accepted it but whose answer never arrived within the send timeout
(CHANNEL_SEND_TIMEOUT, 20 s) gets it twice, because none of these APIs (Twilio Messages, Telegram
sendMessage, Messenger Send API) takes an idempotency key. We choose a rare duplicate over a lost
999 message. A reply still refused after CHANNEL_SEND_MAX_AGE (1 day) is dropped and logged.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from typing import Any, Protocol

import aiohttp
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, wait_exponential_jitter

from channels.store import ChannelStore, Pending

logger = logging.getLogger(__name__)


def _seconds(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


class RetryLater(Exception):
    """The provider did not take the message (down, busy, no answer): send it again later."""

    def __init__(self, reason: str, retry_after: float = 0.0) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class Rejected(Exception):
    """The provider refused the message for good (bad request, blocked bot): never resend."""


class Transport(Protocol):
    async def deliver(self, session: aiohttp.ClientSession, address: dict[str, Any],
                      request: dict[str, Any]) -> None:
        """Sends one message; raises RetryLater or Rejected unless the provider accepted it."""


def classify(status: int, retry_after: float = 0.0) -> None:
    """Raises for an HTTP status that did not accept the message."""
    if 200 <= status < 300:
        return
    if status in (408, 409, 425, 429) or status >= 500:
        raise RetryLater(f"HTTP {status}", retry_after)
    raise Rejected(f"HTTP {status}")


class Delivery:
    """Drains the outbox: a worker per person, so one slow conversation never holds up another."""

    def __init__(self, store: ChannelStore, transports: dict[str, Transport]) -> None:
        self.store = store
        self.transports = transports
        self.timeout = _seconds("CHANNEL_SEND_TIMEOUT", 20.0)
        self.first_wait = _seconds("CHANNEL_RETRY_INITIAL", 1.0)
        self.longest_wait = _seconds("CHANNEL_RETRY_MAX", 60.0)
        self.max_age = _seconds("CHANNEL_SEND_MAX_AGE", 24 * 3600.0)
        self._workers: dict[tuple[str, str], asyncio.Task[None]] = {}
        self._session: aiohttp.ClientSession | None = None

    def add_transport(self, channel: str, transport: Transport) -> None:
        self.transports[channel] = transport

    def kick(self, channel: str, sender_id: str) -> None:
        """Makes sure someone is draining this person's queue (call after enqueueing)."""
        key = (channel, sender_id)
        if key not in self._workers:
            self._workers[key] = asyncio.get_running_loop().create_task(self._drain(key))

    def resume(self) -> None:
        """After a restart: pick up every reply that was still waiting."""
        for channel, sender_id in self.store.pending_senders():
            if channel in self.transports:
                self.kick(channel, sender_id)

    async def idle(self) -> None:
        while self._workers:
            await asyncio.gather(*list(self._workers.values()), return_exceptions=True)

    async def close(self) -> None:
        for task in self._workers.values():
            task.cancel()
        if self._session:
            await self._session.close()

    def client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                connector=aiohttp.TCPConnector(limit=32),
            )
        return self._session

    def _wait(self, state: RetryCallState) -> float:
        backoff = wait_exponential_jitter(initial=self.first_wait, max=self.longest_wait)(state)
        error = state.outcome.exception() if state.outcome else None
        hint = getattr(error, "retry_after", 0.0) or 0.0
        return max(backoff, min(hint, self.longest_wait * 5))

    async def _drain(self, key: tuple[str, str]) -> None:
        channel, sender_id = key
        try:
            while True:
                # Reading the queue and leaving the worker table happen without an await in
                # between, so a reply enqueued meanwhile always finds a worker.
                if self.store.next_pending(channel, sender_id) is None:
                    return
                retrying = AsyncRetrying(
                    wait=self._wait, retry=retry_if_exception_type(RetryLater), reraise=True,
                )
                async for attempt in retrying:
                    with attempt:
                        # Re-read on every attempt: a 999 message written while we wait goes first.
                        item = self.store.next_pending(channel, sender_id)
                        if item is not None:
                            await self._send_once(item)
        except asyncio.CancelledError:
            raise
        except Exception:  # never let one person's worker die silently with replies queued
            logger.exception("channel %s: delivery worker failed", channel)
        finally:
            self._workers.pop(key, None)

    async def _send_once(self, item: Pending) -> None:
        transport = self.transports[item.channel]
        self.store.attempted(item.id)
        try:
            await transport.deliver(self.client(), item.address, item.request)
        except RetryLater as error:
            if time.time() - item.created > self.max_age:
                logger.error("channel %s: reply %s dropped after %s attempts (%s)",
                             item.channel, item.id, item.attempts + 1, error)
                self.store.done(item.id)
                return
            logger.warning("channel %s: reply %s not accepted yet (%s); will retry",
                           item.channel, item.id, error)
            raise
        except Rejected as error:
            logger.error("channel %s: provider refused reply %s (%s)", item.channel, item.id, error)
            self.store.done(item.id)
            return
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            # Down, reset or no answer in time. Not knowing is treated as "not sent".
            logger.warning("channel %s: reply %s: %s; will retry", item.channel, item.id,
                           type(error).__name__)
            raise RetryLater(type(error).__name__) from None
        self.store.done(item.id)
