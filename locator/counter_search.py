"""Find counters, open or closed, by name: "is Wimbledon police station open?"

Counter names are searched like place names (search.NameSearch: exact, prefix, typo), ignoring
the words every counter shares ("police station"). A counter also answers to its borough, more
weakly, so "Merton" lists the counters in Merton. Matches close to the best are all returned,
best first: here several answers are a list to show, not an ambiguity to resolve.
"""

from __future__ import annotations

from collections.abc import Sequence

from .counters import Counter
from .names import COUNTER_WORDS
from .search import Hit, NameSearch

# "Harrow" is the Harrow counter (1.0), not also Pinner, which is only in Harrow borough (0.85).
SCORE_MARGIN = 0.1
COUNTER_KINDS = ("counter",)


def find_counters(
    names: NameSearch, counters: Sequence[Counter], text: str
) -> list[tuple[Counter, Hit]]:
    by_id = {c.id: c for c in counters}
    best: dict[str, Hit] = {}
    for hit in names.search(text, COUNTER_KINDS, COUNTER_WORDS):
        counter_id = hit.entry.ref
        if counter_id in by_id and (counter_id not in best or hit.score > best[counter_id].score):
            best[counter_id] = hit
    if not best:
        return []
    top = max(hit.score for hit in best.values())
    found = [(by_id[i], hit) for i, hit in best.items() if hit.score >= top - SCORE_MARGIN]
    return sorted(found, key=lambda pair: (-pair[1].score, pair[0].name, pair[0].id))
