"""End-to-end tests talk to the whole stack; its session-wide `stack` fixture is in
tests/conftest.py, shared with the browser tests so that one pytest run starts one stack."""

from __future__ import annotations

from bot.stack import TURN_TIMEOUT, Stack, text_of

__all__ = ["TURN_TIMEOUT", "Stack", "text_of"]
