"""Helpers shared by the locator tests."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Callable

REFERENCE = Path(__file__).resolve().parents[2] / "reference"

# make_source(counters=None, closed=None) -> a complete small source folder
MakeSource = Callable[..., Path]


def read_counter_rows(name: str = "front_counters.csv") -> list[dict[str, str]]:
    with open(REFERENCE / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
