"""Typo tolerance: edit distance with adjacent swaps, and a trigram index to pick whom to compare.

Comparing a query with all ~1,700 names by edit distance would cost tens of milliseconds in pure
Python; the trigram index narrows that to a few dozen names sharing letter triples with it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable


def allowed_edits(length: int) -> int:
    """How many typos a query of this length may carry: none for 1-3 letters ("Bow" must not
    become "Bor"), one for 4-5, two for 6-9, three from 10."""
    if length <= 3:
        return 0
    if length <= 5:
        return 1
    return 2 if length <= 9 else 3


def letters_apart(a: str, b: str) -> int:
    """A lower bound on edit_distance: letters one has that the other lacks (counted with
    repeats). Each edit changes that count by at most one; a swap does not change it."""
    extra, missing = Counter(a), Counter(b)
    extra.subtract(missing)
    return max(sum(v for v in extra.values() if v > 0), -sum(v for v in extra.values() if v < 0))


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (insert, delete, substitute, swap two neighbours);
    any value above `limit` is reported as limit + 1, which lets it stop early. Only cells
    within `limit` of the diagonal can stay within `limit`, so only those are computed."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    if a == b:
        return 0
    over = limit + 1
    n = len(b)
    previous2: list[int] = []
    previous = [j if j <= limit else over for j in range(n + 1)]
    for i in range(1, len(a) + 1):
        current = [over] * (n + 1)
        if i <= limit:
            current[0] = i
        row_best = current[0]
        for j in range(max(1, i - limit), min(n, i + limit) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, previous2[j - 2] + 1)
            current[j] = min(value, over)
            row_best = min(row_best, current[j])
        if row_best > limit:
            return over
        previous2, previous = previous, current
    return previous[n]


def trigrams(text: str) -> set[str]:
    padded = f"  {text} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


class TrigramIndex:
    """Keys that could be within a few edits of a query, found by shared letter triples."""

    def __init__(self, keys: Iterable[str]) -> None:
        self._postings: dict[str, list[str]] = {}
        for key in sorted(set(keys)):
            for gram in trigrams(key):
                self._postings.setdefault(gram, []).append(key)

    def within(self, query: str, edits: int) -> list[tuple[int, str]]:
        """(distance, key) for every key at most `edits` edits from `query`, closest first.

        One edit touches at most four of the query's trigrams (a swap spans two letters), so a
        key within `edits` edits shares at least len(trigrams) - 4 * edits of them: keys sharing
        fewer are skipped without missing any match.
        """
        grams = trigrams(query)
        shared: Counter[str] = Counter()
        for gram in grams:
            shared.update(self._postings.get(gram, ()))
        needed = max(len(grams) - 4 * edits, 1)
        found = []
        for key, count in shared.items():
            if (
                count >= needed
                and abs(len(key) - len(query)) <= edits
                and letters_apart(query, key) <= edits
            ):
                distance = edit_distance(query, key, edits)
                if distance <= edits:
                    found.append((distance, key))
        return sorted(found)
