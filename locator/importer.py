"""Build the locator's SQLite database from the reference CSVs.

The database is built in a new file beside the target and moved into place with os.replace, so a
failed import leaves the previous database untouched and a running service never sees a
half-built file. Every row is validated; the first bad row stops the import with the file name,
line number and reason (ImportFailed).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import itertools
import math
import os
import re
import sqlite3
import time
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import sqlite_utils

from . import postcodes
from .hours import HoursFormatError, WeeklySchedule
from .names import counter_search_names, name_key, search_key

# Latest dated source for the counters' status and hours: "Latest dated source: about 21 Feb 2026"
# in reference/FRONT_COUNTERS_SOURCES.md. The CSVs carry no per-row verification date.
DATA_AS_OF = "2026-02-21"

# Bumped whenever the table layout changes; the service refuses a database of another version.
# 2: postcode_rtree (spatial index) and name_search (FTS5 over place, borough and counter names).
SCHEMA_VERSION = 2

# Every file covers Greater London and the edges of the surrounding postcode areas
# (51.24-51.78 N, 0.60 W-0.45 E per geo/LICENCE_AND_SOURCES.md). Anything outside this box is a
# swapped or mistyped coordinate, not a London place.
LAT_RANGE = (51.2, 51.85)
LON_RANGE = (-0.7, 0.6)

BATCH_SIZE = 20_000
CONFIDENCE_VALUES = ("high", "medium", "low")
_COUNTER_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_AGENCY_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_LA_CODE = re.compile(r"^E0[6-9]\d{6}$")
_SECTOR = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ([0-9])$")


class ImportFailed(Exception):
    """A problem with the source data; the message names the file, the line and the reason."""

    def __init__(self, file: str, reason: str, line: int | None = None) -> None:
        self.file, self.reason, self.line = file, reason, line
        where = f"{file}, line {line}" if line is not None else file
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True)
class Source:
    dataset: str  # also the table name
    path: str  # relative to the source folder
    columns: tuple[str, ...]  # columns that must be in the header
    alternatives: tuple[str, ...] = ()  # other accepted names, e.g. the uncompressed upstream file
    data_as_of: str | None = None


COUNTER_COLUMNS = (
    "id", "name", "borough", "address", "postcode", "latitude", "longitude", "hours_status",
    "weekday_hours", "weekend_hours", "is_24_7", "notes", "source_urls", "confidence",
)  # fmt: skip
CLOSED_COLUMNS = (
    "id", "name", "borough", "address", "postcode", "latitude", "longitude", "closed_on",
    "hours_before", "notes", "corroboration",
)  # fmt: skip

SOURCES = {
    s.dataset: s
    for s in (
        Source("front_counters", "front_counters.csv", COUNTER_COLUMNS, data_as_of=DATA_AS_OF),
        Source(
            "closed_front_counters", "closed_front_counters.csv", CLOSED_COLUMNS,
            data_as_of=DATA_AS_OF,
        ),
        Source(
            "agencies", "agencies.csv",
            ("id", "name", "need_categories", "what_for", "phone", "text_or_other", "web",
             "hours", "scope", "notes", "source_urls", "verified"),
        ),
        Source(
            "postcodes", "geo/london_postcodes.csv.gz",
            ("postcode", "outcode", "sector", "lat", "lon", "easting", "northing",
             "positional_quality", "la_code", "la_name", "in_greater_london", "la_source"),
            alternatives=("geo/london_postcodes.csv",),
        ),
        Source(
            "terminated_postcodes", "geo/london_postcodes_terminated.csv.gz",
            ("postcode", "outcode", "sector", "lat", "lon", "la_code", "la_name",
             "in_greater_london", "nearest_live_postcode_m"),
            alternatives=("geo/london_postcodes_terminated.csv",),
        ),
        Source(
            "outcodes", "geo/london_outcodes.csv",
            ("outcode", "postcode_area", "postcode_count", "lat", "lon", "la_code", "la_name",
             "la_share", "london_share", "la_breakdown"),
        ),
        Source(
            "postcode_sectors", "geo/london_postcode_sectors.csv",
            ("sector", "outcode", "postcode_count", "lat", "lon", "la_code", "la_name",
             "la_share", "london_share", "la_breakdown"),
        ),
        Source(
            "boroughs", "geo/london_boroughs.csv",
            ("la_code", "name", "official_name", "la_type", "lat", "lon",
             "nearest_postcode_to_mean", "nearest_postcode_lat", "nearest_postcode_lon",
             "live_postcode_count", "alt_names", "territorial_police_force"),
        ),
        Source(
            "places", "geo/london_places.csv",
            ("name", "name_type", "location_basis", "lat", "lon", "la_code", "la_name",
             "msoa11_codes", "member_spread_m", "source_names"),
        ),
    )
}  # fmt: skip

# Declared schema: explicit types, NOT NULL where the service relies on a value, primary keys.
TABLES: dict[str, dict[str, Any]] = {
    "counters": dict(
        columns={
            "id": str, "name": str, "status": str, "borough": str, "address": str,
            "postcode": str, "postcode_key": str, "lat": float, "lon": float,
            "coord_source": str, "weekday_hours": str, "weekend_hours": str, "is_24_7": int,
            "hours_status": str, "hours_before": str, "closed_on": str, "confidence": str,
            "notes": str, "source_urls": str, "corroboration": str, "source_file": str,
            "source_line": int,
        },
        pk="id",
        not_null=["name", "status", "borough", "is_24_7", "source_file", "source_line"],
    ),
    "postcodes": dict(
        columns={
            "postcode_key": str, "postcode": str, "outcode": str, "sector": str, "lat": float,
            "lon": float, "easting": int, "northing": int, "positional_quality": int,
            "la_code": str, "la_name": str, "in_greater_london": int, "la_source": str,
        },
        pk="postcode_key",
        not_null=["postcode", "outcode", "sector", "lat", "lon", "la_code", "la_name",
                  "in_greater_london"],
    ),
    "terminated_postcodes": dict(
        columns={
            "postcode_key": str, "postcode": str, "outcode": str, "sector": str, "lat": float,
            "lon": float, "la_code": str, "la_name": str, "in_greater_london": int,
            "nearest_live_postcode_m": int,
        },
        pk="postcode_key",
        not_null=["postcode", "outcode", "sector", "lat", "lon", "la_code", "la_name",
                  "in_greater_london"],
    ),
    "outcodes": dict(
        columns={
            "outcode": str, "postcode_area": str, "postcode_count": int, "lat": float,
            "lon": float, "la_code": str, "la_name": str, "la_share": float,
            "london_share": float, "la_breakdown": str,
        },
        pk="outcode",
        not_null=["postcode_area", "lat", "lon", "la_code", "la_name", "london_share"],
    ),
    "postcode_sectors": dict(
        columns={
            "sector": str, "outcode": str, "postcode_count": int, "lat": float, "lon": float,
            "la_code": str, "la_name": str, "la_share": float, "london_share": float,
            "la_breakdown": str,
        },
        pk="sector",
        not_null=["outcode", "lat", "lon", "la_code", "la_name", "london_share"],
    ),
    "boroughs": dict(
        columns={
            "la_code": str, "name": str, "official_name": str, "la_type": str, "lat": float,
            "lon": float, "nearest_postcode_to_mean": str, "nearest_postcode_lat": float,
            "nearest_postcode_lon": float, "live_postcode_count": int, "alt_names": str,
            "territorial_police_force": str,
        },
        pk="la_code",
        not_null=["name", "lat", "lon", "territorial_police_force"],
    ),
    "borough_names": dict(
        columns={"name_key": str, "la_code": str, "name": str},
        pk="name_key",
        not_null=["la_code", "name"],
    ),
    "places": dict(
        columns={
            "id": int, "name": str, "name_key": str, "name_type": str, "location_basis": str,
            "lat": float, "lon": float, "la_code": str, "la_name": str, "msoa11_codes": str,
            "member_spread_m": int, "source_names": str,
        },
        pk="id",
        not_null=["name", "name_key", "lat", "lon", "la_code", "la_name"],
    ),
    "agencies": dict(
        columns={
            "id": str, "name": str, "need_categories": str, "what_for": str, "phone": str,
            "text_or_other": str, "web": str, "hours": str, "scope": str, "notes": str,
            "source_urls": str, "verified": int,
        },
        pk="id",
        not_null=["name", "verified"],
    ),
    "metadata": dict(
        columns={
            "dataset": str, "source_file": str, "sha256": str, "row_count": int,
            "data_as_of": str, "imported_at": str,
        },
        pk="dataset",
        not_null=["source_file", "sha256", "row_count", "imported_at"],
    ),
}  # fmt: skip

INDEXES: dict[str, list[list[str]]] = {
    "counters": [["status"]],
    "postcodes": [["outcode"]],
    "terminated_postcodes": [["outcode"]],
    "postcode_sectors": [["outcode"]],
    "borough_names": [["la_code"]],
    "places": [["name_key"], ["la_code"]],
}


@dataclass
class ImportReport:
    db_path: Path
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    # Counters whose coordinates came from the postcode table, and those left without any
    # (open ones are then listed by the API as excluded_without_coordinates).
    geocoded: list[str] = field(default_factory=list)
    without_coordinates: list[str] = field(default_factory=list)
    closed_without_coordinates: list[str] = field(default_factory=list)


# Virtual tables (SQLite modules, not sqlite-utils tables): built after the data is in.
# postcode_rtree: one zero-size box per live postcode (id = postcodes.rowid) for nearest-postcode
# look-ups. name_search: every searchable name in its names.search_key form; `kind` says which
# table `ref` points into (place: places.id, borough: la_code, counter: counters.id).
VIRTUAL_TABLES = (
    "CREATE VIRTUAL TABLE postcode_rtree USING rtree(id, min_lat, max_lat, min_lon, max_lon)",
    "CREATE VIRTUAL TABLE name_search USING fts5(text, kind UNINDEXED, ref UNINDEXED, "
    "name UNINDEXED, weight UNINDEXED, tokenize = 'unicode61 remove_diacritics 2')",
)


# --- reading and validating ------------------------------------------------------------------


class Row:
    """One CSV record with typed, validated accessors that fail with file and line."""

    __slots__ = ("fields", "file", "index", "line")

    def __init__(self, file: str, line: int, index: dict[str, int], fields: list[str]) -> None:
        self.file, self.line, self.index, self.fields = file, line, index, fields

    def raw(self, column: str) -> str:
        return self.fields[self.index[column]]

    def fail(self, reason: str) -> ImportFailed:
        return ImportFailed(self.file, reason, self.line)

    def text(self, column: str, required: bool = False) -> str | None:
        value = self.fields[self.index[column]].strip()
        if not value:
            if required:
                raise self.fail(f"'{column}' is missing")
            return None
        return value

    def required(self, column: str) -> str:
        value = self.text(column, required=True)
        assert value is not None
        return value

    def number(
        self, column: str, required: bool = True, lo: float = -math.inf, hi: float = math.inf
    ) -> float | None:
        raw = self.text(column, required=required)
        if raw is None:
            return None
        try:
            value = float(raw)
        except ValueError:
            raise self.fail(f"'{column}' is not a number: {raw!r}") from None
        if not math.isfinite(value) or not lo <= value <= hi:
            raise self.fail(f"'{column}' {raw} is out of range ({lo:g} to {hi:g})")
        return value

    def integer(self, column: str, required: bool = True) -> int | None:
        raw = self.text(column, required=required)
        if raw is None:
            return None
        try:
            return int(raw)
        except ValueError:
            raise self.fail(f"'{column}' is not a whole number: {raw!r}") from None

    def flag(self, column: str) -> bool:
        raw = self.required(column).lower()
        if raw in ("true", "yes", "1"):
            return True
        if raw in ("false", "no", "0"):
            return False
        raise self.fail(f"'{column}' must be true or false, not {raw!r}")

    def iso_date(self, column: str) -> date:
        raw = self.required(column)
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise self.fail(f"'{column}' is not a date like 2026-02-28: {raw!r}") from None

    def point(self, lat_col: str, lon_col: str, required: bool) -> tuple[float | None, ...]:
        """Latitude/longitude: both or neither, in range, and in the London area."""
        lat = self.number(lat_col, required=required, lo=-90, hi=90)
        lon = self.number(lon_col, required=required, lo=-180, hi=180)
        if (lat is None) != (lon is None):
            raise self.fail(f"only one of '{lat_col}' and '{lon_col}' is given")
        if lat is not None and lon is not None and not _in_london_area(lat, lon):
            raise self.fail(
                f"'{lat_col}','{lon_col}' = {lat:g},{lon:g} is not in the London area "
                f"({LAT_RANGE[0]} to {LAT_RANGE[1]} N, {LON_RANGE[0]} to {LON_RANGE[1]} E); "
                "are they swapped or mistyped?"
            )
        return lat, lon

    def postcode(self, column: str, required: bool) -> str | None:
        raw = self.text(column, required=required)
        if raw is None:
            return None
        k = postcodes.key(raw)
        if not postcodes.is_postcode_key(k):
            raise self.fail(f"'{column}' {raw!r} is not a UK postcode")
        return k


def _in_london_area(lat: float, lon: float) -> bool:
    return LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]


def read_rows(path: Path, name: str, columns: Sequence[str]) -> Iterator[Row]:
    """Yield validated-shape records; the header is line 1, blank lines are skipped."""
    line = 1
    try:
        opener: Any = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, strict=True)
            header = next(reader, None)
            if header is None:
                raise ImportFailed(name, "the file is empty", 1)
            header = [h.strip() for h in header]
            missing = [c for c in columns if c not in header]
            if missing:
                raise ImportFailed(name, f"missing column(s): {', '.join(missing)}", 1)
            index = {name: i for i, name in enumerate(header)}
            previous = reader.line_num
            for values in reader:
                line, previous = previous + 1, reader.line_num
                if not values or values == [""]:
                    continue
                if len(values) != len(header):
                    raise ImportFailed(
                        name, f"expected {len(header)} fields, found {len(values)}", line
                    )
                yield Row(name, line, index, values)
    except UnicodeDecodeError:
        raise ImportFailed(name, "is not valid UTF-8 text", line + 1) from None
    except csv.Error as exc:
        raise ImportFailed(name, f"is not valid CSV ({exc})", line + 1) from None
    except (OSError, EOFError, zlib.error) as exc:
        raise ImportFailed(name, f"could not be read ({exc})") from None


def locate_source(folder: Path, source: Source) -> Path:
    for rel in (source.path, *source.alternatives):
        candidate = folder / rel
        if candidate.is_file():
            return candidate
    raise ImportFailed(source.path, f"not found in {folder}")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --- per-dataset row conversion ----------------------------------------------------------------


def _counter_id(row: Row, seen: dict[str, str]) -> str:
    counter_id = row.required("id")
    if not _COUNTER_ID.match(counter_id):
        raise row.fail(f"'id' {counter_id!r} must be lower-case letters, digits and hyphens")
    if counter_id in seen:
        raise row.fail(f"duplicate id {counter_id!r} (first seen at {seen[counter_id]})")
    seen[counter_id] = f"{row.file} line {row.line}"
    return counter_id


def open_counter(row: Row, seen: dict[str, str]) -> dict[str, Any]:
    counter_id = _counter_id(row, seen)
    weekday, weekend = row.required("weekday_hours"), row.required("weekend_hours")
    try:
        schedule = WeeklySchedule.weekday_weekend(weekday, weekend)
    except HoursFormatError as exc:
        raise row.fail(f"malformed hours: {exc}") from None
    is_24_7 = row.flag("is_24_7")
    if is_24_7 != schedule.is_24_7:
        raise row.fail(
            f"'is_24_7' is {str(is_24_7).lower()} but the hours are {weekday} / {weekend}"
        )
    confidence = row.required("confidence").lower()
    if confidence not in CONFIDENCE_VALUES:
        raise row.fail(f"'confidence' must be one of {', '.join(CONFIDENCE_VALUES)}")
    lat, lon = row.point("latitude", "longitude", required=False)
    k = row.postcode("postcode", required=True)
    assert k is not None
    return {
        "id": counter_id, "name": row.required("name"), "status": "open",
        "borough": row.required("borough"), "address": row.text("address"),
        "postcode": postcodes.display(k), "postcode_key": k, "lat": lat, "lon": lon,
        "coord_source": "source" if lat is not None else None,
        "weekday_hours": weekday, "weekend_hours": weekend, "is_24_7": int(is_24_7),
        "hours_status": row.text("hours_status"), "hours_before": None, "closed_on": None,
        "confidence": confidence, "notes": row.text("notes"),
        "source_urls": row.text("source_urls"), "corroboration": None,
        "source_file": row.file, "source_line": row.line,
    }  # fmt: skip


def closed_counter(row: Row, seen: dict[str, str]) -> dict[str, Any]:
    counter_id = _counter_id(row, seen)
    lat, lon = row.point("latitude", "longitude", required=False)
    k = row.postcode("postcode", required=False)
    return {
        "id": counter_id, "name": row.required("name"), "status": "closed",
        "borough": row.required("borough"), "address": row.text("address"),
        "postcode": postcodes.display(k) if k else None, "postcode_key": k,
        "lat": lat, "lon": lon, "coord_source": "source" if lat is not None else None,
        "weekday_hours": None, "weekend_hours": None, "is_24_7": 0,
        "hours_status": None, "hours_before": row.text("hours_before"),
        "closed_on": row.iso_date("closed_on").isoformat(), "confidence": None,
        "notes": row.text("notes"), "source_urls": None,
        "corroboration": row.text("corroboration"),
        "source_file": row.file, "source_line": row.line,
    }  # fmt: skip


def agency(row: Row, seen: dict[str, str]) -> dict[str, Any]:
    agency_id = row.required("id")
    if not _AGENCY_ID.match(agency_id):
        raise row.fail(f"'id' {agency_id!r} must be lower-case letters, digits, '_' or '-'")
    if agency_id in seen:
        raise row.fail(f"duplicate id {agency_id!r} (first seen at {seen[agency_id]})")
    seen[agency_id] = f"line {row.line}"
    values = {c: row.text(c) for c in TABLES["agencies"]["columns"] if c not in ("verified",)}
    values.update(id=agency_id, name=row.required("name"), verified=int(row.flag("verified")))
    return values


def _la(row: Row) -> tuple[str, str]:
    la_code = row.required("la_code")
    if not _LA_CODE.match(la_code):
        raise row.fail(f"'la_code' {la_code!r} is not an ONS local authority code")
    return la_code, row.required("la_name")


def _share(row: Row, column: str) -> float | None:
    return row.number(column, required=False, lo=0, hi=1)


def _fast_postcode_row(row: Row, seen: set[str], terminated: bool) -> tuple[Any, ...] | None:
    """The common case without per-field method calls; None means "validate the slow way".

    217k + 175k rows make per-field validation the bulk of the import time, so the happy path is
    inlined here and any anomaly is handed to postcode_row's precise checks for the error message.
    """
    f, ix = row.fields, row.index
    k = f[ix["postcode"]].replace(" ", "").upper()
    outcode = f[ix["outcode"]]
    in_london = f[ix["in_greater_london"]]
    la_code, la_name = f[ix["la_code"]], f[ix["la_name"]]
    if (
        k in seen
        or outcode != k[:-3]
        or in_london not in ("0", "1")
        or not la_name
        or not _POSTCODE_KEY_MATCH(k)
        or not _LA_CODE_MATCH(la_code)
    ):
        return None
    try:
        lat, lon = float(f[ix["lat"]]), float(f[ix["lon"]])
        if not (LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]):
            return None
        sector = f[ix["sector"]]
        if not sector:
            return None
        seen.add(k)
        common = (k, f"{outcode} {k[-3:]}", outcode, sector, lat, lon)
        if terminated:
            metres = f[ix["nearest_live_postcode_m"]]
            return (*common, la_code, la_name, int(in_london), int(metres) if metres else None)
        east, north, pqi = f[ix["easting"]], f[ix["northing"]], f[ix["positional_quality"]]
        return (
            *common, int(east) if east else None, int(north) if north else None,
            int(pqi) if pqi else None, la_code, la_name, int(in_london),
            f[ix["la_source"]] or None,
        )  # fmt: skip
    except ValueError:
        seen.discard(k)
        return None


_POSTCODE_KEY_MATCH = postcodes.POSTCODE_KEY.match
_LA_CODE_MATCH = _LA_CODE.match


def postcode_row(row: Row, seen: set[str], terminated: bool) -> tuple[Any, ...]:
    fast = _fast_postcode_row(row, seen, terminated)
    if fast is not None:
        return fast
    k = row.postcode("postcode", required=True)
    assert k is not None
    if k in seen:
        raise row.fail(f"duplicate postcode {postcodes.display(k)!r}")
    outcode = row.required("outcode").upper()
    if outcode != k[:-3]:
        raise row.fail(f"'outcode' {outcode!r} does not match postcode {postcodes.display(k)!r}")
    lat, lon = row.point("lat", "lon", required=True)
    la_code, la_name = _la(row)
    in_london = row.flag("in_greater_london")
    seen.add(k)
    common = (k, postcodes.display(k), outcode, row.required("sector"), lat, lon)
    if terminated:
        return (*common, la_code, la_name, int(in_london),
                row.integer("nearest_live_postcode_m", required=False))  # fmt: skip
    return (
        *common, row.integer("easting", False), row.integer("northing", False),
        row.integer("positional_quality", False), la_code, la_name, int(in_london),
        row.text("la_source"),
    )  # fmt: skip


def outcode_row(row: Row, seen: set[str]) -> dict[str, Any]:
    outcode = postcodes.key(row.required("outcode"))
    if not postcodes.is_outcode_key(outcode):
        raise row.fail(f"'outcode' {outcode!r} is not a postcode district")
    if outcode in seen:
        raise row.fail(f"duplicate outcode {outcode!r}")
    seen.add(outcode)
    lat, lon = row.point("lat", "lon", required=True)
    la_code, la_name = _la(row)
    return {
        "outcode": outcode, "postcode_area": row.required("postcode_area"),
        "postcode_count": row.integer("postcode_count", False), "lat": lat, "lon": lon,
        "la_code": la_code, "la_name": la_name, "la_share": _share(row, "la_share"),
        "london_share": _share(row, "london_share"), "la_breakdown": row.text("la_breakdown"),
    }  # fmt: skip


def sector_row(row: Row, seen: set[str]) -> dict[str, Any]:
    sector = " ".join(row.required("sector").upper().split())
    if not _SECTOR.match(sector):
        raise row.fail(f"'sector' {sector!r} is not a postcode sector like 'SE13 6'")
    if sector in seen:
        raise row.fail(f"duplicate sector {sector!r}")
    seen.add(sector)
    lat, lon = row.point("lat", "lon", required=True)
    la_code, la_name = _la(row)
    return {
        "sector": sector, "outcode": row.required("outcode").upper(),
        "postcode_count": row.integer("postcode_count", False), "lat": lat, "lon": lon,
        "la_code": la_code, "la_name": la_name, "la_share": _share(row, "la_share"),
        "london_share": _share(row, "london_share"), "la_breakdown": row.text("la_breakdown"),
    }  # fmt: skip


def borough_row(row: Row, seen: set[str]) -> dict[str, Any]:
    la_code = row.required("la_code")
    if not _LA_CODE.match(la_code) or not la_code.startswith("E09"):
        raise row.fail(f"'la_code' {la_code!r} is not a London borough code (E09...)")
    if la_code in seen:
        raise row.fail(f"duplicate la_code {la_code!r}")
    seen.add(la_code)
    lat, lon = row.point("lat", "lon", required=True)
    near_lat, near_lon = row.point("nearest_postcode_lat", "nearest_postcode_lon", False)
    return {
        "la_code": la_code, "name": row.required("name"),
        "official_name": row.text("official_name"), "la_type": row.text("la_type"),
        "lat": lat, "lon": lon, "nearest_postcode_to_mean": row.text("nearest_postcode_to_mean"),
        "nearest_postcode_lat": near_lat, "nearest_postcode_lon": near_lon,
        "live_postcode_count": row.integer("live_postcode_count", False),
        "alt_names": row.text("alt_names"),
        "territorial_police_force": row.required("territorial_police_force"),
    }  # fmt: skip


def borough_names(row: Row, borough: dict[str, Any], owners: dict[str, str]) -> list[dict]:
    """Every way of naming a borough (name, official name, aliases) under one look-up key."""
    aliases = (borough["alt_names"] or "").split("|")
    names = [borough["name"], borough["official_name"] or "", *aliases]
    result = []
    for name in names:
        k = name_key(name)
        if not k:
            continue
        owner = owners.get(k)
        if owner is not None and owner != borough["la_code"]:
            raise row.fail(f"borough name {name!r} is also used by {owner}")
        if owner is None:
            owners[k] = borough["la_code"]
            result.append({"name_key": k, "la_code": borough["la_code"], "name": name.strip()})
    return result


def place_row(row: Row) -> dict[str, Any]:
    lat, lon = row.point("lat", "lon", required=True)
    la_code, la_name = _la(row)
    name = row.required("name")
    return {
        "id": row.line, "name": name, "name_key": name_key(name),
        "name_type": row.text("name_type"), "location_basis": row.text("location_basis"),
        "lat": lat, "lon": lon, "la_code": la_code, "la_name": la_name,
        "msoa11_codes": row.text("msoa11_codes"),
        "member_spread_m": row.integer("member_spread_m", False),
        "source_names": row.text("source_names"),
    }  # fmt: skip


# --- building the database -----------------------------------------------------------------


def _create_schema(db: sqlite_utils.Database) -> None:
    for table, spec in TABLES.items():
        db.create_table(table, spec["columns"], pk=spec["pk"], not_null=spec["not_null"],
                        strict=True)  # fmt: skip


def _create_indexes(db: sqlite_utils.Database) -> None:
    for table, indexes in INDEXES.items():
        for columns in indexes:
            db[table].create_index(columns)


def _search_rows(
    places: list[dict[str, Any]], names: list[dict[str, Any]], counters: list[dict[str, Any]]
) -> Iterator[tuple[str, str, str, str, float]]:
    """(text, kind, ref, name, weight) rows for name_search; names with no letters are skipped."""
    for place in places:
        text = search_key(place["name"])
        if text:
            yield text, "place", str(place["id"]), place["name"], 1.0
    for borough in names:
        text = search_key(borough["name"])
        if text:
            yield text, "borough", borough["la_code"], borough["name"], 1.0
    for counter in counters:
        for text, weight in counter_search_names(counter["name"], counter["borough"]):
            yield text, "counter", counter["id"], counter["name"], weight


def _create_virtual_tables(
    conn: sqlite3.Connection, search_rows: Iterable[tuple[str, str, str, str, float]]
) -> None:
    for sql in VIRTUAL_TABLES:
        try:
            conn.execute(sql)
        except sqlite3.OperationalError as exc:  # "no such module: rtree" / "fts5"
            raise ImportFailed(
                "sqlite3", f"this Python's SQLite cannot build the locator's indexes ({exc}); "
                "it needs the R*Tree and FTS5 modules (standard in CPython's builds)",
            ) from None
    with conn:
        # Postcode order already groups neighbours (by district), which keeps R*Tree nodes tight.
        conn.execute("INSERT INTO postcode_rtree SELECT rowid, lat, lat, lon, lon FROM postcodes")
        conn.executemany("INSERT INTO name_search VALUES (?, ?, ?, ?, ?)", search_rows)


def _insert_tuples(
    conn: sqlite3.Connection, table: str, columns: Iterable[str], rows: Iterable[tuple]
) -> int:
    """Fast path for the large postcode tables: executemany in batches."""
    cols = list(columns)
    sql = f"INSERT INTO [{table}] ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    total = 0
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, BATCH_SIZE)):
        conn.executemany(sql, batch)
        total += len(batch)
    return total


def _fill_counter_coordinates(
    conn: sqlite3.Connection, counters: list[dict[str, Any]], report: ImportReport
) -> None:
    """Counters without coordinates take their postcode's centroid; never a guess."""
    for counter in counters:
        if counter["lat"] is not None:
            continue
        missing = (
            report.without_coordinates if counter["status"] == "open"
            else report.closed_without_coordinates
        )  # fmt: skip
        if not counter["postcode_key"]:
            missing.append(counter["id"])
            continue
        for table, source in (("postcodes", "postcode"), ("terminated_postcodes", "terminated")):
            hit = conn.execute(
                f"SELECT lat, lon FROM {table} WHERE postcode_key = ?", (counter["postcode_key"],)
            ).fetchone()
            if hit:
                counter["lat"], counter["lon"] = hit
                counter["coord_source"] = f"{source}_centroid"
                report.geocoded.append(counter["id"])
                break
        else:
            missing.append(counter["id"])


def _build(folder: Path, target: Path, imported_at: str) -> ImportReport:
    report = ImportReport(db_path=target)
    files = {name: locate_source(folder, source) for name, source in SOURCES.items()}

    def rows(dataset: str) -> Iterator[Row]:
        return read_rows(files[dataset], SOURCES[dataset].path, SOURCES[dataset].columns)

    # Small files first: a bad counter row fails in milliseconds, before the big tables load.
    seen_ids: dict[str, str] = {}
    counters = [open_counter(r, seen_ids) for r in rows("front_counters")]
    n_open = len(counters)
    counters += [closed_counter(r, seen_ids) for r in rows("closed_front_counters")]
    seen_agencies: dict[str, str] = {}
    agencies = [agency(r, seen_agencies) for r in rows("agencies")]
    seen: set[str] = set()
    outcodes = [outcode_row(r, seen) for r in rows("outcodes")]
    seen = set()
    sectors = [sector_row(r, seen) for r in rows("postcode_sectors")]
    seen, owners = set(), {}
    boroughs, names = [], []
    for r in rows("boroughs"):
        borough = borough_row(r, seen)
        boroughs.append(borough)
        names += borough_names(r, borough, owners)
    places = [place_row(r) for r in rows("places")]

    db = sqlite_utils.Database(str(target))
    try:
        conn = db.conn
        # The file is private until os.replace, so durability during the build is pointless.
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        _create_schema(db)
        counts: dict[str, int] = {}
        live_cols = list(TABLES["postcodes"]["columns"])
        term_cols = list(TABLES["terminated_postcodes"]["columns"])
        with conn:
            live_seen: set[str] = set()
            counts["postcodes"] = _insert_tuples(
                conn, "postcodes", live_cols,
                (postcode_row(r, live_seen, False) for r in rows("postcodes")),
            )  # fmt: skip
            del live_seen
            term_seen: set[str] = set()
            counts["terminated_postcodes"] = _insert_tuples(
                conn, "terminated_postcodes", term_cols,
                (postcode_row(r, term_seen, True) for r in rows("terminated_postcodes")),
            )  # fmt: skip
            del term_seen
            _fill_counter_coordinates(conn, counters, report)
        for table, records in (
            ("counters", counters), ("agencies", agencies), ("outcodes", outcodes),
            ("postcode_sectors", sectors), ("boroughs", boroughs), ("borough_names", names),
            ("places", places),
        ):  # fmt: skip
            db[table].insert_all(records, batch_size=500)
        counts.update(
            front_counters=n_open, closed_front_counters=len(counters) - n_open,
            agencies=len(agencies), outcodes=len(outcodes), postcode_sectors=len(sectors),
            boroughs=len(boroughs), places=len(places),
        )  # fmt: skip
        _create_indexes(db)
        _create_virtual_tables(conn, _search_rows(places, names, counters))
        db["metadata"].insert_all(
            {
                "dataset": dataset,
                "source_file": source.path,
                "sha256": sha256_file(files[dataset]),
                "row_count": counts[dataset],
                "data_as_of": source.data_as_of,
                "imported_at": imported_at,
            }
            for dataset, source in SOURCES.items()
        )
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("ANALYZE")
        conn.commit()
        report.counts = counts
    finally:
        db.close()
    return report


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def run_import(source: Path, db_path: Path, now: datetime | None = None) -> ImportReport:
    """Build `db_path` from the reference folder `source`; raises ImportFailed on bad data."""
    started = time.perf_counter()
    source, db_path = Path(source), Path(db_path)
    if not source.is_dir():
        raise ImportFailed(str(source), "source folder not found")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    imported_at = (now or datetime.now(timezone.utc)).isoformat(timespec="seconds")
    building = db_path.with_name(f".{db_path.name}.{os.getpid()}.building")
    building.unlink(missing_ok=True)
    try:
        report = _build(source, building, imported_at)
        _fsync(building)
        os.replace(building, db_path)
    except BaseException:
        building.unlink(missing_ok=True)
        raise
    report.db_path = db_path
    report.seconds = time.perf_counter() - started
    return report
