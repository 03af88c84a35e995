from __future__ import annotations

import sqlite3

import pytest

from locator import postcodes
from locator.geocode import (
    AmbiguousLocation,
    Geocoder,
    InvalidQuery,
    NotAPostcode,
    PlaceNotFound,
    PostcodeNotFound,
)


@pytest.fixture()
def geo(real_conn: sqlite3.Connection) -> Geocoder:
    return Geocoder(real_conn)


def test_postcode_helpers() -> None:
    assert postcodes.key(" se13  6aa ") == "SE136AA"
    assert postcodes.display("SE136AA") == "SE13 6AA"
    assert postcodes.display("E17") == "E17"
    assert postcodes.is_postcode_key("SW1A1AA") and not postcodes.is_postcode_key("SW1A")
    assert postcodes.is_outcode_key("SW1A") and not postcodes.is_outcode_key("SW1A1")
    assert postcodes.typo_variants("N1OYY") == ["N10YY"]
    assert postcodes.typo_variants("SE136AA") == []
    assert postcodes.typo_variants("E1O", postcodes.OUTCODE_KEY) == ["E10"]


@pytest.mark.parametrize("text", ["SE13 6AA", "se136aa", "  Se13   6aA ", "SE136AA"])
def test_full_postcode_any_spacing_or_case(geo: Geocoder, text: str) -> None:
    loc = geo.resolve(text)
    assert (loc.label, loc.kind) == ("SE13 6AA", "postcode")
    assert (loc.lat, loc.lon) == (51.46025, -0.010863)
    assert loc.la_name == "Lewisham" and loc.borough == "Lewisham"
    assert loc.in_london and loc.police_force == "Metropolitan Police Service"
    assert loc.corrected_from is None


def test_letter_o_typed_for_zero_is_corrected_only_when_it_exists(geo: Geocoder) -> None:
    loc = geo.resolve("N1 OYY")
    assert loc.label == "N1 0YY" and loc.corrected_from == "N1 OYY"
    assert loc.la_name == "Islington"
    with pytest.raises(PostcodeNotFound, match="SE13 6OA"):
        geo.resolve("SE13 6OA")


def test_terminated_postcode_still_resolves(geo: Geocoder, real_conn: sqlite3.Connection) -> None:
    live = real_conn.execute("SELECT 1 FROM postcodes WHERE postcode_key = 'SE135BE'").fetchone()
    assert live is None
    loc = geo.resolve("se13 5be")
    assert loc.kind == "terminated_postcode"
    assert loc.label == "SE13 5BE"
    assert loc.note is not None and "no longer in use" in loc.note
    assert loc.la_name == "Lewisham" and loc.in_london


@pytest.mark.parametrize(
    ("text", "label", "borough"),
    [("E17", "E17", "Waltham Forest"), ("sw1a", "SW1A", "Westminster"),
     ("SE13", "SE13", "Lewisham")],
)  # fmt: skip
def test_outcode(geo: Geocoder, text: str, label: str, borough: str) -> None:
    loc = geo.resolve(text)
    assert (loc.kind, loc.label, loc.la_name, loc.in_london) == ("outcode", label, borough, True)


def test_outcode_typo_is_corrected(geo: Geocoder) -> None:
    loc = geo.resolve("E1O")
    assert (loc.label, loc.corrected_from) == ("E10", "E1O")


@pytest.mark.parametrize(
    ("text", "borough"),
    [("RBKC", "Kensington and Chelsea"), ("kensington & chelsea", "Kensington and Chelsea"),
     ("Royal Borough of Greenwich", "Greenwich"), ("lbth", "Tower Hamlets"),
     ("H&F", "Hammersmith and Fulham"), ("lewisham", "Lewisham")],
)  # fmt: skip
def test_borough_names_and_aliases(geo: Geocoder, text: str, borough: str) -> None:
    loc = geo.resolve(text)
    assert (loc.kind, loc.label, loc.la_name) == ("borough", borough, borough)
    assert loc.police_force == "Metropolitan Police Service"


def test_place_name(geo: Geocoder) -> None:
    loc = geo.resolve("brixton")
    assert (loc.kind, loc.label, loc.la_name) == ("place", "Brixton, Lambeth", "Lambeth")
    assert loc.lat == pytest.approx(51.4634, abs=1e-3)
    assert loc.lon == pytest.approx(-0.1143, abs=1e-3)
    assert geo.resolve("Wood Green").la_name == "Haringey"


def test_place_in_two_distant_boroughs_is_ambiguous(geo: Geocoder) -> None:
    with pytest.raises(AmbiguousLocation) as ambiguous:
        geo.resolve("Alexandra Park")
    candidates = ambiguous.value.candidates
    assert [c.label for c in candidates] == ["Alexandra Park, Haringey", "Alexandra Park, Harrow"]
    assert {c.la_name for c in candidates} == {"Haringey", "Harrow"}
    assert all(c.kind == "place" and c.score == 1.0 for c in candidates)
    assert "Alexandra Park, Harrow" in ambiguous.value.detail
    # Sending a candidate's label back picks it.
    loc = geo.resolve("Alexandra Park, Harrow")
    assert (loc.label, loc.la_name) == ("Alexandra Park, Harrow", "Harrow")
    assert (loc.lat, loc.lon) == (candidates[1].lat, candidates[1].lon)


def test_outside_london_postcode(geo: Geocoder, real_conn: sqlite3.Connection) -> None:
    flag = real_conn.execute(
        "SELECT in_greater_london FROM postcodes WHERE postcode_key = 'BR67NZ'"
    ).fetchone()
    assert flag == (0,)
    loc = geo.resolve("BR6 7NZ")
    assert loc.kind == "postcode" and not loc.in_london
    assert loc.la_name == "Sevenoaks" and loc.borough is None and loc.police_force is None


def test_outcode_mostly_outside_london(geo: Geocoder) -> None:
    loc = geo.resolve("DA1")
    assert not loc.in_london
    assert loc.note is not None and "partly in Greater London" in loc.note


@pytest.mark.parametrize("text", ["EC2V 8AG", "City of London", "the city", "Square Mile"])
def test_city_of_london_has_its_own_force(geo: Geocoder, text: str) -> None:
    loc = geo.resolve(text)
    assert loc.in_london and loc.in_city_of_london
    assert loc.police_force == "City of London Police"


def test_unknown_postcodes(geo: Geocoder, real_conn: sqlite3.Connection) -> None:
    for table in ("postcodes", "terminated_postcodes"):
        hit = real_conn.execute(f"SELECT 1 FROM {table} WHERE postcode_key = 'SE139ZZ'")
        assert hit.fetchone() is None
    with pytest.raises(PostcodeNotFound) as in_area:
        geo.resolve("SE13 9ZZ")
    assert "couldn't find the postcode 'SE13 9ZZ'" in in_area.value.detail
    assert "police.uk" not in in_area.value.detail
    with pytest.raises(PostcodeNotFound) as elsewhere:
        geo.resolve("ZZ1 1ZZ")
    assert elsewhere.value.detail.startswith(
        "We couldn't find the postcode 'ZZ1 1ZZ'. Check it and try again, "
        "or give a town or borough name."
    )
    assert "https://www.police.uk/pu/find-your-local-police-force/" in elsewhere.value.detail
    with pytest.raises(PostcodeNotFound, match="district 'M1'"):
        geo.resolve("M1")


@pytest.mark.parametrize("text", ["asdfgh", "🙂", "Atlantis", "Oxford Circus!!", "12345"])
def test_not_understood(geo: Geocoder, text: str) -> None:
    with pytest.raises(PlaceNotFound, match="couldn't find a place"):
        geo.resolve(text)


@pytest.mark.parametrize("text", ["", "   ", "a\x00b", "\ufffd\ufffd", "x" * 101, "\x1b[31m"])
def test_unreadable_input(geo: Geocoder, text: str) -> None:
    with pytest.raises(InvalidQuery):
        geo.resolve(text)


def test_postcode_parameter_accepts_only_postcodes(geo: Geocoder) -> None:
    assert geo.resolve_postcode("e17").kind == "outcode"
    assert geo.resolve_postcode("se13 6aa").kind == "postcode"
    with pytest.raises(NotAPostcode, match="doesn't look like a postcode"):
        geo.resolve_postcode("Brixton")
    with pytest.raises(PostcodeNotFound):
        geo.resolve_postcode("SE13 9ZZ")


def test_reverse_geocoding(geo: Geocoder) -> None:
    loc = geo.reverse(51.4633, -0.0098)
    assert (loc.kind, loc.la_name, loc.in_london) == ("coordinates", "Lewisham", True)
    city = geo.reverse(51.515, -0.09)
    assert city.in_city_of_london and city.police_force == "City of London Police"
    manchester = geo.reverse(53.48, -2.24)
    assert not manchester.in_london and manchester.la_name is None
