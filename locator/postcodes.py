"""UK postcode syntax: normalising, formatting and the common O/0 typo.

Keys are upper case without spaces ("SE136AA"); the display form has one space before the
three-character inward code ("SE13 6AA").
"""

from __future__ import annotations

import itertools
import re

# Outward code: area (1-2 letters) + district (digit, then an optional digit or letter).
# Inward code: sector digit + two unit letters.
POSTCODE_KEY = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")
OUTCODE_KEY = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
_SPACES = re.compile(r"\s+")
# Typing the letter O for zero (or the reverse) is common; try swaps at no more than this many
# positions so a long garbage string cannot fan out into thousands of look-ups.
_MAX_TYPO_POSITIONS = 4


def key(text: str) -> str:
    """'se13 6aa' -> 'SE136AA'."""
    return _SPACES.sub("", text).upper()


def is_postcode_key(k: str) -> bool:
    return bool(POSTCODE_KEY.match(k))


def is_outcode_key(k: str) -> bool:
    return bool(OUTCODE_KEY.match(k))


def display(k: str) -> str:
    """'SE136AA' -> 'SE13 6AA'; outcodes are returned unchanged."""
    return f"{k[:-3]} {k[-3:]}" if is_postcode_key(k) else k


def area(k: str) -> str:
    """The leading letters: 'SE136AA' -> 'SE'."""
    match = re.match(r"^[A-Z]{1,2}", k)
    return match.group(0) if match else ""


def typo_variants(k: str, pattern: re.Pattern[str] | None = None) -> list[str]:
    """Well-formed keys that differ from `k` only by O<->0 swaps (not `k` itself).

    "N1OYY" -> ["N10YY"]. Only the variants that match `pattern` (default: a full postcode) are
    returned; the caller decides which of them exist.
    """
    pattern = pattern or POSTCODE_KEY
    positions = [i for i, ch in enumerate(k) if ch in "O0"]
    if not positions or len(positions) > _MAX_TYPO_POSITIONS:
        return []
    variants = []
    for flips in itertools.product((False, True), repeat=len(positions)):
        if not any(flips):
            continue
        chars = list(k)
        for pos, flip in zip(positions, flips):
            if flip:
                chars[pos] = "0" if chars[pos] == "O" else "O"
        candidate = "".join(chars)
        if pattern.match(candidate):
            variants.append(candidate)
    return variants
