"""Shared fixtures: the real database (built once per session) and small source folders."""

from __future__ import annotations

import csv
import gzip
import io
import shutil
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Callable

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
# pytest puts the repository root on sys.path (tests/ is a package); this guard also covers
# --import-mode=importlib, since the repository is not an installed package.
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from locator.importer import ImportReport, run_import  # noqa: E402
from tests.locator.locator_helpers import REFERENCE, MakeSource, write_csv  # noqa: E402

SMALL_FILES = (
    "front_counters.csv",
    "closed_front_counters.csv",
    "agencies.csv",
    "geo/london_outcodes.csv",
    "geo/london_postcode_sectors.csv",
    "geo/london_boroughs.csv",
    "geo/london_places.csv",
)
# Districts kept in the small postcode files: enough for the counters used in tests.
MINI_OUTCODES = {"SE13", "SE17", "WC2N", "E17", "EC2V", "BR6", "N1", "W8"}


@pytest.fixture(scope="session")
def real_import(tmp_path_factory: pytest.TempPathFactory) -> ImportReport:
    """The real reference data imported once for the whole session."""
    db = tmp_path_factory.mktemp("real") / "locator.sqlite"
    return run_import(REFERENCE, db)


@pytest.fixture(scope="session")
def real_db(real_import: ImportReport) -> Path:
    return real_import.db_path


@pytest.fixture()
def real_conn(real_db: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(f"{real_db.as_uri()}?mode=ro", uri=True)
    yield conn
    conn.close()


def _subset_gz(path: Path, keep: Callable[[dict[str, str]], bool]) -> bytes:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as src:
        reader = csv.DictReader(src)
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=reader.fieldnames or [], lineterminator="\n")
        writer.writeheader()
        writer.writerows(row for row in reader if keep(row))
    return gzip.compress(out.getvalue().encode("utf-8"), mtime=0)


@pytest.fixture(scope="session")
def mini_geo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Small versions of the two big postcode files (a few districts only)."""
    with open(REFERENCE / "front_counters.csv", encoding="utf-8", newline="") as handle:
        counter_postcodes = {row["postcode"] for row in csv.DictReader(handle)}

    def keep(row: dict[str, str]) -> bool:
        return row["outcode"] in MINI_OUTCODES or row["postcode"] in counter_postcodes

    return {
        "geo/london_postcodes.csv.gz": _subset_gz(
            REFERENCE / "geo/london_postcodes.csv.gz", keep
        ),
        "geo/london_postcodes_terminated.csv.gz": _subset_gz(
            REFERENCE / "geo/london_postcodes_terminated.csv.gz",
            lambda row: row["outcode"] == "SE13",
        ),
    }


@pytest.fixture()
def make_source(tmp_path: Path, mini_geo: dict[str, bytes]) -> MakeSource:
    """A complete, small source folder; pass replacement rows for the counter files."""
    made = 0

    def make(
        counters: list[dict[str, str]] | None = None,
        closed: list[dict[str, str]] | None = None,
    ) -> Path:
        nonlocal made
        made += 1
        folder = tmp_path / f"source{made}"
        (folder / "geo").mkdir(parents=True)
        for rel in SMALL_FILES:
            shutil.copyfile(REFERENCE / rel, folder / rel)
        for rel, data in mini_geo.items():
            (folder / rel).write_bytes(data)
        if counters is not None:
            write_csv(folder / "front_counters.csv", counters)
        if closed is not None:
            write_csv(folder / "closed_front_counters.csv", closed)
        return folder

    return make


@pytest.fixture(autouse=True)
def _offline_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may reach the online geocoder, whatever the developer's environment says."""
    from locator import online

    for name in (online.ENV_GEOCODER, online.ENV_USER_AGENT, online.ENV_DOMAIN):
        monkeypatch.delenv(name, raising=False)
