"""Keeps the crime-type synonyms and lookup table in step with each other and the route contract."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
# The route contract's report_crime details (shared SPEC).
REPORT_CRIME_DETAILS = {
    "theft", "burglary", "robbery", "vehicle_crime", "criminal_damage", "assault", "fraud",
    "cybercrime", "hate_crime", "domestic_abuse", "sexual_offence", "stalking_harassment",
    "antisocial_behaviour", "drugs", "road_traffic", "online_child_abuse", "weapons", "other",
}


def _items(block: str) -> list[str]:
    lines = (line.strip() for line in block.splitlines())
    return [line[2:].strip() for line in lines if line.startswith("- ")]


def _crime_types() -> list[dict]:
    return yaml.safe_load((ROOT / "data/nlu/crime_types.yml").read_text())["nlu"]


def test_every_synonym_is_a_route_contract_detail() -> None:
    canonical = {e["synonym"] for e in _crime_types() if "synonym" in e}
    assert canonical <= REPORT_CRIME_DETAILS


def test_every_synonym_word_is_in_the_lookup_table() -> None:
    entries = _crime_types()
    lookup = set(_items(next(e["examples"] for e in entries if e.get("lookup") == "crime_type")))
    for entry in entries:
        if "synonym" in entry:
            missing = set(_items(entry["examples"])) - lookup
            assert not missing, f"{entry['synonym']}: {sorted(missing)} not in the lookup table"


def test_no_word_maps_to_two_crime_types() -> None:
    seen: dict[str, str] = {}
    for entry in _crime_types():
        for word in _items(entry.get("examples", "")) if "synonym" in entry else []:
            assert word not in seen, f"{word!r} maps to {seen[word]} and {entry['synonym']}"
            seen[word] = entry["synonym"]


def test_every_crime_type_in_example_metadata_is_a_route_contract_detail() -> None:
    # A typo here would silently train a label the route contract does not have.
    found = set()
    for path in (ROOT / "data/nlu").glob("*.yml"):
        for entry in yaml.safe_load(path.read_text())["nlu"]:
            crime_type = (entry.get("metadata") or {}).get("crime_type")
            if crime_type:
                found.add(crime_type)
    assert found and found <= REPORT_CRIME_DETAILS, sorted(found - REPORT_CRIME_DETAILS)
