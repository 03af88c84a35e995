"""Normalising free-text names so that look-ups are case- and spacing-insensitive.

`name_key` is the exact-match key of the borough_names and places tables. `search_key` is looser,
for the name search (FTS5 + typo matching): it also ignores accents, punctuation and the words
"and"/"the"/"of", so "Elephant and Castle", "elephant & castle" and "Elephant & Castle!" agree.
The importer stores search keys in the database, so changing them needs a new SCHEMA_VERSION.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})
_IGNORED_WORDS = frozenset({"and", "the", "of"})
_SAME_WORDS = {"saint": "st"}
# Words every counter name shares ("Acton Police Station"): they say nothing about which one.
COUNTER_WORDS = frozenset({"police", "station", "front", "counter", "desk"})
_PARENTHESES = re.compile(r"\(([^)]*)\)")


def name_key(text: str) -> str:
    """'  Kensington  &  Chelsea ' -> 'kensington & chelsea'; curly apostrophes made straight."""
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES)
    return _SPACES.sub(" ", text).strip().casefold()


def search_tokens(text: str, ignore: frozenset[str] = frozenset()) -> list[str]:
    """'St. John's Wood & Lords' -> ['st', 'johns', 'wood', 'lords']: letters and digits only."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    chars = []
    for ch in decomposed.casefold():
        if ch.isalnum():
            chars.append(ch)
        elif ch == "'" or unicodedata.combining(ch):
            continue  # "John's" -> "johns", "é" -> "e"
        else:
            chars.append(" ")
    words = (_SAME_WORDS.get(w, w) for w in "".join(chars).split())
    return [w for w in words if w not in _IGNORED_WORDS and w not in ignore]


def search_key(text: str, ignore: frozenset[str] = frozenset()) -> str:
    return " ".join(search_tokens(text, ignore))


def counter_search_names(name: str, borough: str) -> list[tuple[str, float]]:
    """Search keys for a counter with their weights: its name, any bracketed alternative name
    ("Stratford Police Station (Newham counter)" -> "stratford", "newham") and, weaker, its
    borough, so "Merton" finds the counters in Merton."""
    keys: list[tuple[str, float]] = []
    for text, weight in (
        (_PARENTHESES.sub(" ", name), 1.0),
        *((inner, 1.0) for inner in _PARENTHESES.findall(name)),
        (borough, BOROUGH_WEIGHT),
    ):
        key = search_key(text, COUNTER_WORDS)
        if key and key not in {k for k, _ in keys}:
            keys.append((key, weight))
    return keys


# A counter found through its borough ranks below one found by its own name.
BOROUGH_WEIGHT = 0.85
