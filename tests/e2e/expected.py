"""Independent oracle for the front-counter slice, computed straight from the shipped CSVs.

It deliberately does not use the locator's code: a brute-force geodesic scan over
reference/front_counters.csv from the postcode's coordinates in reference/geo.
"""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

from geopy.distance import geodesic

REFERENCE = Path(__file__).resolve().parents[2] / "reference"


def postcode_row(postcode: str) -> dict[str, str]:
    wanted = postcode.replace(" ", "").upper()
    with gzip.open(REFERENCE / "geo" / "london_postcodes.csv.gz", "rt", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["postcode"].replace(" ", "") == wanted:
                return row
    raise KeyError(postcode)


def first_postcode_outside_london() -> str:
    with gzip.open(REFERENCE / "geo" / "london_postcodes.csv.gz", "rt", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["in_greater_london"] == "0":
                return row["postcode"]
    raise LookupError("no postcode outside London in the data")


def counters() -> list[dict[str, str]]:
    with (REFERENCE / "front_counters.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def nearest_counter(postcode: str) -> dict[str, str]:
    here = postcode_row(postcode)
    point = (float(here["lat"]), float(here["lon"]))
    located = [c for c in counters() if c["latitude"] and c["longitude"]]

    def distance_km(counter: dict[str, str]) -> float:
        return geodesic(point, (float(counter["latitude"]), float(counter["longitude"]))).km

    return min(located, key=distance_km)
