"""Typo-tolerant name search: edit distance, the trigram filter, and what people actually type."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from locator.counter_search import find_counters
from locator.counters import load_counters
from locator.fuzzy import TrigramIndex, allowed_edits, edit_distance
from locator.geocode import AmbiguousLocation, Geocoder, PlaceNotFound
from locator.names import counter_search_names, search_key


def reference_distance(a: str, b: str) -> int:
    """Textbook optimal-string-alignment distance, full table, no shortcuts."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


short_words = st.text(alphabet="abcde ", max_size=9)


@settings(max_examples=400, deadline=None)
@given(short_words, short_words, st.integers(0, 4))
def test_edit_distance_matches_the_reference(a: str, b: str, limit: int) -> None:
    assert edit_distance(a, b, limit) == min(reference_distance(a, b), limit + 1)


@settings(max_examples=150, deadline=None)
@given(st.lists(short_words, min_size=1, max_size=40), short_words)
def test_trigram_filter_never_loses_a_match(keys: list[str], query: str) -> None:
    edits = allowed_edits(len(query))
    expected = sorted(
        (reference_distance(query, k), k) for k in set(keys)
        if reference_distance(query, k) <= edits
    )  # fmt: skip
    assert TrigramIndex(keys).within(query, edits) == expected


def test_search_keys() -> None:
    assert search_key("Elephant & Castle") == search_key("elephant and castle") == (
        "elephant castle"
    )
    assert search_key("Saint John's Wood") == search_key("St. Johns  Wood") == "st johns wood"
    assert search_key("Ealing!!") == "ealing"
    assert search_key("Côte") == "cote"
    assert search_key("🙂") == ""
    assert counter_search_names("Stratford Police Station (Newham counter)", "Newham") == [
        ("stratford", 1.0), ("newham", 1.0),
    ]  # fmt: skip
    assert counter_search_names("Wimbledon", "Merton") == [("wimbledon", 1.0), ("merton", 0.85)]


@pytest.fixture()
def geo(real_conn: sqlite3.Connection) -> Geocoder:
    return Geocoder(real_conn)


@pytest.mark.parametrize(
    ("typed", "kind", "label", "match"),
    [
        ("Lewisahm", "borough", "Lewisham", "typo"),
        ("Walthamstowe", "place", "Walthamstow, Waltham Forest", "typo"),
        ("Elephant", "place", "Elephant, Southwark", "exact"),
        ("Elephant and Castle", "place", "Elephant & Castle, Southwark", "exact"),
        ("Elefant and Castle", "place", "Elephant & Castle, Southwark", "typo"),
        ("Eleph", "place", "Elephant, Southwark", "prefix"),
        ("Wimbeldon", "place", "Wimbledon, Merton", "typo"),
        ("Wimb", "place", "Wimbledon, Merton", "prefix"),
        ("Hamersmith", "borough", "Hammersmith and Fulham", "typo"),
        ("Tower Hamlets", "borough", "Tower Hamlets", "exact"),
        ("Tower Hamlet", "borough", "Tower Hamlets", "prefix"),
        ("Kensington", "borough", "Kensington and Chelsea", "prefix"),
        ("Streatam Hill", "place", "Streatham Hill, Lambeth", "typo"),
        ("Saint John's Wood", "place", "St John's Wood, Westminster", "exact"),
        ("Cheam High Street", "place", "Cheam High Street, Sutton", "exact"),
        ("Hounslow High St", "place", "Hounslow High Street, Hounslow", "prefix"),
        ("Wimbledon police station", "place", "Wimbledon, Merton", "exact"),
    ],
)  # fmt: skip
def test_names_people_type(geo: Geocoder, typed: str, kind: str, label: str, match: str) -> None:
    loc = geo.resolve(typed)
    assert (loc.kind, loc.label, loc.match) == (kind, label, match)
    assert loc.corrected_from == (typed if match == "typo" else None)
    assert loc.in_london and loc.police_force == "Metropolitan Police Service"


@pytest.mark.parametrize(
    ("typed", "labels"),
    [
        ("Hayes", ["Hayes, Bromley", "Hayes, Hillingdon"]),
        ("Manor House", ["Manor House, Hackney", "Manor House, Lewisham"]),
        # A typo that fits two real places equally well is not silently corrected either.
        ("Kensingtn", ["Kensington and Chelsea", "Kennington, Lambeth"]),
    ],
)
def test_ambiguous_names_give_candidates(geo: Geocoder, typed: str, labels: list[str]) -> None:
    with pytest.raises(AmbiguousLocation) as ambiguous:
        geo.resolve(typed)
    assert [c.label for c in ambiguous.value.candidates] == labels


def test_a_short_prefix_lists_at_most_five_candidates(geo: Geocoder) -> None:
    with pytest.raises(AmbiguousLocation) as ambiguous:
        geo.resolve("Wal")
    candidates = ambiguous.value.candidates
    assert 2 <= len(candidates) <= 5
    assert [c.score for c in candidates] == sorted((c.score for c in candidates), reverse=True)
    assert len({c.la_name for c in candidates}) == len(candidates)  # far apart, not repeats


def test_neighbourhood_split_by_a_borough_boundary_is_one_place(geo: Geocoder) -> None:
    # Kennington is in Lambeth and in Southwark, about 1 km apart: one place, not a choice.
    assert geo.resolve("Kennington").kind == "place"
    assert geo.resolve("Chiswick").kind == "place"


def test_every_candidate_label_resolves_to_that_candidate(
    geo: Geocoder, real_conn: sqlite3.Connection
) -> None:
    names = [row[0] for row in real_conn.execute(
        "SELECT min(name) FROM places GROUP BY name_key HAVING count(*) > 1"
    )]  # fmt: skip
    ambiguous = 0
    for name in [*names, "Wal", "Kensingtn", "Park"]:
        try:
            geo.resolve(name)
        except AmbiguousLocation as exc:
            ambiguous += 1
            for candidate in exc.candidates:
                chosen = geo.resolve(candidate.label)
                assert (chosen.lat, chosen.lon) == (candidate.lat, candidate.lon), candidate
                assert chosen.la_name == candidate.la_name
    assert ambiguous >= 10


@pytest.mark.parametrize("typed", ["Atlantis", "asdfgh", "qwertyuiop", "Oxford Circus!!", "zz"])
def test_nonsense_is_not_forced_onto_a_place(geo: Geocoder, typed: str) -> None:
    with pytest.raises(PlaceNotFound):
        geo.resolve(typed)


@pytest.mark.parametrize(
    ("typed", "ids"),
    [
        ("Wimbledon police station", ["wimbledon"]),
        ("wimbeldon", ["wimbledon"]),
        ("Lewsham police station", ["lewisham"]),
        ("Newham", ["stratford"]),
        ("Harrow", ["harrow"]),
        ("South Harrow", ["harrow"]),
        ("Merton", ["mitcham", "wimbledon"]),
        ("Kentish", ["kentish-town"]),
        ("police station", []),
        ("Atlantis", []),
    ],
)
def test_counter_search(real_conn: sqlite3.Connection, typed: str, ids: list[str]) -> None:
    geo = Geocoder(real_conn)
    found = find_counters(geo.names, load_counters(real_conn), typed)
    assert [c.id for c, _ in found] == ids
