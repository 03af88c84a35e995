"""User-facing wording and links, in one place so that they can be reviewed and changed together.

Only facts stated by the reference data belong here (see reference/police_contact.md and
reference/FRONT_COUNTERS_SOURCES.md); nothing here is a new claim about the Met.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

MET_WEBSITE = "met.police.uk"
FORCE_FINDER_URL = "https://www.police.uk/pu/find-your-local-police-force/"
CITY_OF_LONDON_POLICE = "City of London Police"
CITY_OF_LONDON_POLICE_URL = "https://www.cityoflondon.police.uk/"
NON_EMERGENCY_NUMBER = "101"
EMERGENCY_NUMBER = "999"

NOTICE_TEMPLATE = (
    "Hours come from public sources dated up to {as_of}. Check {site} before you travel."
)
NOTICE_UNDATED = "Hours come from public sources. Check {site} before you travel."

# The source data says bank-holiday hours were not found for any counter: say so, invent nothing.
HOURS_NOTE = "Bank holiday hours may differ; they are not in our data."


def human_date(value: date) -> str:
    """'21 February 2026' (no leading zero, portable across platforms)."""
    return f"{value.day} {value:%B %Y}"


@lru_cache(maxsize=16)
def notice(data_as_of: str | None) -> str:
    if not data_as_of:
        return NOTICE_UNDATED.format(site=MET_WEBSITE)
    try:
        as_of = human_date(date.fromisoformat(data_as_of))
    except ValueError:
        as_of = data_as_of
    return NOTICE_TEMPLATE.format(as_of=as_of, site=MET_WEBSITE)


# --- problem details (RFC 9457) -------------------------------------------------------------

def postcode_not_found(shown: str, covered_area: bool) -> str:
    text = (
        f"We couldn't find the postcode '{shown}'. Check it and try again, "
        "or give a town or borough name."
    )
    if not covered_area:
        text += (
            " Our postcode list covers London only: if you are outside London, find your "
            f"local police force at {FORCE_FINDER_URL}"
        )
    return text


def outcode_not_found(shown: str) -> str:
    return (
        f"We couldn't find the postcode district '{shown}' in London. Check it and try again, "
        "or give a full postcode, a town or a borough name. If you are outside London, find "
        f"your local police force at {FORCE_FINDER_URL}"
    )


def place_not_found(shown: str) -> str:
    return (
        f"We couldn't find a place called '{shown}' in London. Try a postcode "
        "(like 'SE13 6AA'), a postcode district (like 'E17') or a London borough name."
    )


def unknown_need(shown: str, needs: list[str]) -> str:
    return (
        f"There is no need category called '{shown}'. Use one of: {', '.join(needs)}."
    )


def not_a_postcode(shown: str) -> str:
    return (
        f"'{shown}' doesn't look like a postcode. A full postcode looks like 'SE13 6AA' and a "
        "district like 'E17'. To search by a town or borough, use the 'place' parameter."
    )


def outside_met_area(label: str, la_name: str | None) -> str:
    where = f" ({la_name})" if la_name else ""
    return (
        f"{label}{where} is outside Greater London, so it is not in the Metropolitan Police "
        f"area. Find your local police force at {FORCE_FINDER_URL}. In an emergency call "
        f"{EMERGENCY_NUMBER}."
    )


def city_of_london(label: str) -> str:
    return (
        f"{label} is in the City of London, which is policed by the {CITY_OF_LONDON_POLICE}, "
        f"not the Metropolitan Police. For non-emergencies call {NON_EMERGENCY_NUMBER} or go "
        f"to {CITY_OF_LONDON_POLICE_URL}. In an emergency call {EMERGENCY_NUMBER}."
    )


def partly_in_london(outcode: str, london_share: float) -> str:
    share = "under 1%" if london_share < 0.01 else f"about {round(london_share * 100)}%"
    return (
        f"Postcode district {outcode} is only partly in Greater London ({share} of its "
        "postcodes). A full postcode gives a better answer."
    )


# The second sentence of "empty" / "too long" messages, by what was being asked for.
EXAMPLES = {
    "location": "Give a postcode, a town or a borough name.",
    "counter name": "Give the name of a police station, like Wimbledon or Charing Cross.",
}

TERMINATED_NOTE = (
    "This postcode is no longer in use; we used the location it had when it was in use."
)
APPROXIMATE_PLACE_NOTE = "This place name's location is approximate (it may be about 1 km off)."
ONLINE_NOTE = (
    "Found by an online address search (OpenStreetMap Nominatim), not in our London gazetteer."
)
# reference/README.md: show unverified agency rows only as "check the agency's website".
UNVERIFIED_AGENCY_NOTE = (
    "We could not confirm these contact details. Check the agency's website for how to contact "
    "them."
)


def ambiguous_location(shown: str, labels: list[str]) -> str:
    return (
        f"'{shown}' could mean more than one place: {'; '.join(labels)}. Say which one you mean "
        "(as written here), or give a postcode."
    )
