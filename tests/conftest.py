"""Shared fixtures. One stack (the whole assistant, started through the same launcher as
`make run`, on free ports) per test session, used by both the end-to-end and the browser tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.stack import Stack, running_stack
from tests.channels.fakes import Fakes, running_fakes


@pytest.fixture(scope="session")
def provider_fakes() -> Iterator[Fakes]:
    """Local fakes of the Twilio, Telegram and Messenger APIs, started before the stack so its
    messaging channels are switched on and pointed at them (tests/channels)."""
    with running_fakes() as fakes:
        yield fakes


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, provider_fakes: Fakes) -> Iterator[Stack]:
    # Teardown raises StackError if SIGTERM leaves a process behind or the launcher fails.
    with running_stack(tmp_path_factory.mktemp("run"), provider_fakes.env) as running:
        yield running
