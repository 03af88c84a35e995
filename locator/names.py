"""Normalising free-text names so that look-ups are case- and spacing-insensitive."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})


def name_key(text: str) -> str:
    """'  Kensington  &  Chelsea ' -> 'kensington & chelsea'; curly apostrophes made straight."""
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES)
    return _SPACES.sub(" ", text).strip().casefold()
