"""Starts the whole stack once per test session, through the same launcher as `make run`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.stack import TURN_TIMEOUT, Stack, running_stack, text_of

__all__ = ["TURN_TIMEOUT", "Stack", "text_of"]


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    # Teardown raises StackError if SIGTERM leaves a process behind or the launcher fails.
    with running_stack(tmp_path_factory.mktemp("run")) as running:
        yield running
