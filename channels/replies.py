"""What a person's message means to the assistant: an offered option, a shared location, or text.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from typing import Any

_NUMBER = re.compile(r"^\s*(?:option\s*)?(\d{1,2})\s*[.)]?\s*$", re.IGNORECASE)
_NOT_WORD = re.compile(r"[^\w]+")


def _words(text: str) -> str:
    return _NOT_WORD.sub(" ", text.lower()).strip()


def resolve_option(text: str, buttons: list[dict[str, Any]], numbered: bool) -> str:
    """The payload of the option the reply picks ('1', or the option's words), else the text.

    Numbers only count where the options were shown numbered, so a bare "2" elsewhere stays text.
    """
    if not buttons:
        return text
    if numbered:
        match = _NUMBER.match(text)
        if match:
            index = int(match.group(1)) - 1
            if 0 <= index < len(buttons):
                return str(buttons[index].get("payload") or text)
            return text
    said = _words(text)
    for button in buttons:
        if said and said == _words(str(button.get("title", ""))):
            return str(button.get("payload") or text)
    return text


def offered_buttons(newest_first: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The options of the bot's latest turn: its last message with buttons since the person spoke.

    `newest_first` is the conversation's events (as Rasa serialises them), latest first.
    """
    for event in newest_first:
        if event.get("event") == "user":
            return []
        if event.get("event") == "bot":
            data = event.get("data") or {}
            buttons = data.get("buttons") or data.get("quick_replies")
            if buttons:
                return list(buttons)
    return []


def location_message(latitude: Any, longitude: Any) -> str | None:
    """Coordinates as the same message the web chat sends for the browser's location.

    None for anything that is not a real point on Earth, so junk never reaches the locator.
    """
    try:
        lat, lon = float(latitude), float(longitude)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    entities = json.dumps({"latitude": round(lat, 6), "longitude": round(lon, 6)})
    return f"/share_location{entities}"
