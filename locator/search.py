"""Name search over places, boroughs and counters: exact, then prefix (FTS5), then typos.

Every name is held in the name_search table in its names.search_key form. A query is scored
against it as follows (times the name's weight, e.g. 0.85 for a counter's borough):

    exact key            1.0   "elephant and castle" = "Elephant & Castle"
    word prefixes (FTS5) 0.6 + 0.3 * share of the name typed (+0.05 if it starts the name)
                               "eleph" -> "Elephant", "Elephant & Castle"
    typo                 0.9 * (1 - edits / length)     "lewisahm" -> "Lewisham"
    typo, then prefix    prefix score * (1 - edits / length), fixing words that start no name:
                               "hamersmith" -> "Hammersmith & Fulham", "Hammersmith Broadway"

The tiers are tried in that order and the first with any hit is the answer (the two typo tiers
are merged): text whose every word starts a real name is taken as typed, so "Kensington" is
Kensington and Chelsea, never a misspelt "Kennington".
Scores only rank hits; deciding between a clear winner and an ambiguous answer is the caller's
(see geocode.Geocoder and the counter search), because what "the same place" means differs.
"""

from __future__ import annotations

import bisect
import sqlite3
from collections.abc import Collection
from dataclasses import dataclass

from .fuzzy import TrigramIndex, allowed_edits
from .names import search_key

EXACT, PREFIX, TYPO = "exact", "prefix", "typo"
MIN_PREFIX_LETTERS = 3  # "wa" would match half of London
MAX_PREFIX_HITS = 200
MAX_QUERY_WORDS = 8


@dataclass(frozen=True)
class NameEntry:
    key: str  # names.search_key form
    name: str  # as written in the source
    kind: str  # "place" | "borough" | "counter"
    ref: str  # places.id, boroughs.la_code or counters.id
    weight: float


@dataclass(frozen=True)
class Hit:
    entry: NameEntry
    score: float
    how: str  # EXACT, PREFIX or TYPO


class NameSearch:
    """The ~1,700 searchable names, held in memory for exact and typo matching."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._by_rowid: dict[int, NameEntry] = {}
        self._by_key: dict[str, list[NameEntry]] = {}
        rows = conn.execute("SELECT rowid, text, kind, ref, name, weight FROM name_search")
        for rowid, key, kind, ref, name, weight in rows:
            entry = NameEntry(key, name, kind, ref, float(weight))
            self._by_rowid[rowid] = entry
            self._by_key.setdefault(key, []).append(entry)
        self._trigrams = TrigramIndex(self._by_key)
        self._words = sorted({word for key in self._by_key for word in key.split()})
        self._word_trigrams = TrigramIndex(self._words)

    def search(
        self, text: str, kinds: Collection[str], ignore: frozenset[str] = frozenset()
    ) -> list[Hit]:
        """Hits of the given kinds, best first; ties by kind order, then name."""
        key = search_key(text, ignore)
        if not key:
            return []
        exact = [Hit(e, e.weight, EXACT) for e in self._by_key.get(key, ()) if e.kind in kinds]
        if exact:
            return _ranked(exact, kinds)
        best: dict[NameEntry, Hit] = {}
        prefix = self._prefix_hits(key, kinds)
        if prefix:
            return _ranked(prefix, kinds)
        for hit in (*self._typo_hits(key, kinds), *self._corrected_prefix_hits(key, kinds)):
            if hit.entry not in best or hit.score > best[hit.entry].score:
                best[hit.entry] = hit
        return _ranked(list(best.values()), kinds)

    def _starts_a_word(self, prefix: str) -> bool:
        i = bisect.bisect_left(self._words, prefix)
        return i < len(self._words) and self._words[i].startswith(prefix)

    def _corrected_prefix_hits(self, key: str, kinds: Collection[str]) -> list[Hit]:
        """Prefix hits after fixing typos word by word ("hamersmith" -> "hammersmith")."""
        words, total = [], 0
        for word in key.split():
            if self._starts_a_word(word):
                words.append(word)
                continue
            close = self._word_trigrams.within(word, allowed_edits(len(word)))
            if not close:
                return []
            distance, fixed = close[0]
            words.append(fixed)
            total += distance
        if total == 0:
            return []
        factor = max(1 - total / len(key), 0.0)
        return [
            Hit(h.entry, h.score * factor, TYPO) for h in self._prefix_hits(" ".join(words), kinds)
        ]

    def _prefix_hits(self, key: str, kinds: Collection[str]) -> list[Hit]:
        words = key.split()
        if len(key.replace(" ", "")) < MIN_PREFIX_LETTERS or len(words) > MAX_QUERY_WORDS:
            return []
        # Words are letters and digits only (search_key), so quoting each is always valid FTS5.
        expression = " ".join(f'"{word}"*' for word in words)
        try:
            rowids = self._conn.execute(
                "SELECT rowid FROM name_search WHERE name_search MATCH ? LIMIT ?",
                (f"text: ({expression})", MAX_PREFIX_HITS),
            ).fetchall()
        except sqlite3.OperationalError:
            return []  # e.g. a token FTS5 splits differently: prefix search just finds nothing
        hits = []
        for (rowid,) in rowids:
            entry = self._by_rowid.get(rowid)
            if entry is None or entry.kind not in kinds:
                continue
            share = min(len(key) / max(len(entry.key), 1), 1.0)
            bonus = 0.05 if entry.key.startswith(key) else 0.0
            hits.append(Hit(entry, (0.6 + 0.3 * share + bonus) * entry.weight, PREFIX))
        return hits

    def _typo_hits(self, key: str, kinds: Collection[str]) -> list[Hit]:
        edits = allowed_edits(len(key))
        if edits == 0:
            return []
        hits = []
        for distance, found in self._trigrams.within(key, edits):
            similarity = 1 - distance / max(len(key), len(found))
            for entry in self._by_key[found]:
                if entry.kind in kinds:
                    hits.append(Hit(entry, 0.9 * similarity * entry.weight, TYPO))
        return hits


def _ranked(hits: list[Hit], kinds: Collection[str]) -> list[Hit]:
    order = {kind: i for i, kind in enumerate(kinds)}
    return sorted(hits, key=lambda h: (-h.score, order.get(h.entry.kind, 99), h.entry.name,
                                       h.entry.ref))  # fmt: skip
