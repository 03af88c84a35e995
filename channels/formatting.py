"""The bot's messages made fit for a messaging app: plain links, numbered options, size limits."""

from __future__ import annotations

import re
from typing import Any

# Longest message each channel accepts, in characters.
LIMITS = {"sms": 1600, "whatsapp": 4096, "telegram": 4096, "facebook": 2000}

_MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")
_ANGLE_LINK = re.compile(r"<(https?://[^>\s]+)>")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def plain_links(text: str) -> str:
    """'[Report online](https://x)' → 'Report online: https://x'. Apps link bare URLs themselves."""
    text = _MARKDOWN_LINK.sub(lambda m: f"{m.group(1)}: {m.group(2)}", text)
    return _ANGLE_LINK.sub(r"\1", text)


def numbered_options(text: str, buttons: list[dict[str, Any]]) -> str:
    """Buttons as a numbered list under the text, for channels without buttons (SMS, WhatsApp)."""
    if not buttons:
        return text
    lines = [f"{i}. {b.get('title', '')}" for i, b in enumerate(buttons, start=1)]
    return f"{text}\n\n" + "\n".join(lines) + "\n\nReply with a number or the words."


def split_message(text: str, limit: int) -> list[str]:
    """Parts of at most `limit` characters, cut at paragraphs, then lines, then sentences.

    Only a part that cannot be cut at a boundary is cut between words (or, for one endless word,
    anywhere). A short paragraph such as the 999 message always travels whole.
    """
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    return [p for p in _pack(text, limit, ("\n\n", "\n", "sentence", " ")) if p.strip()]


def _pieces(text: str, separator: str) -> list[str]:
    if separator == "sentence":
        return _SENTENCE_END.split(text)
    return text.split(separator)


def _joiner(separator: str) -> str:
    return " " if separator == "sentence" else separator


def _pack(text: str, limit: int, separators: tuple[str, ...]) -> list[str]:
    if len(text) <= limit:
        return [text]
    if not separators:
        return [text[i:i + limit] for i in range(0, len(text), limit)]
    separator, finer = separators[0], separators[1:]
    joiner = _joiner(separator)
    parts: list[str] = []
    current = ""
    for piece in _pieces(text, separator):
        candidate = f"{current}{joiner}{piece}" if current else piece
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        if len(piece) <= limit:
            current = piece
        else:
            *whole, current = _pack(piece, limit, finer)
            parts.extend(whole)
    if current:
        parts.append(current)
    return [p.strip() for p in parts]
