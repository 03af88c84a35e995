from __future__ import annotations

import gzip
import hashlib
import sqlite3
from pathlib import Path

import pytest

from locator.__main__ import main
from locator.importer import DATA_AS_OF, SCHEMA_VERSION, ImportFailed, ImportReport, run_import
from tests.locator.locator_helpers import REFERENCE, MakeSource, read_counter_rows


def _scalar(conn: sqlite3.Connection, sql: str, *args: object) -> object:
    return conn.execute(sql, args).fetchone()[0]


def test_real_import_counts(real_import: ImportReport, real_conn: sqlite3.Connection) -> None:
    counts = real_import.counts
    assert counts["front_counters"] == 27
    assert counts["closed_front_counters"] == 10
    assert counts["postcodes"] == 217_347
    assert counts["terminated_postcodes"] == 175_005
    assert counts["agencies"] == 57
    assert counts["boroughs"] == 33
    assert _scalar(real_conn, "SELECT count(*) FROM postcodes WHERE in_greater_london = 1") == (
        180_587
    )
    assert _scalar(real_conn, "SELECT count(*) FROM counters WHERE status = 'open'") == 27
    assert _scalar(real_conn, "SELECT count(*) FROM counters WHERE is_24_7 = 1") == 2
    closed = real_conn.execute(
        "SELECT DISTINCT closed_on FROM counters WHERE status = 'closed'"
    ).fetchall()
    assert closed == [("2026-02-28",)]
    # The two closed counters without a postcode are kept, just without a location.
    assert real_import.without_coordinates == []
    assert sorted(real_import.closed_without_coordinates) == ["church-street", "royalty-studios"]
    # Generous bound: about 5 s on the development machine (the R*Tree adds ~1.5 s).
    assert real_import.seconds < 30


def test_metadata_records_each_source(real_conn: sqlite3.Connection) -> None:
    rows = {
        r[0]: r[1:]
        for r in real_conn.execute(
            "SELECT dataset, source_file, sha256, row_count, data_as_of, imported_at FROM metadata"
        )
    }
    assert set(rows) == {
        "front_counters", "closed_front_counters", "agencies", "postcodes",
        "terminated_postcodes", "outcodes", "postcode_sectors", "boroughs", "places",
    }  # fmt: skip
    source_file, sha, count, as_of, imported_at = rows["front_counters"]
    assert source_file == "front_counters.csv"
    assert sha == hashlib.sha256((REFERENCE / "front_counters.csv").read_bytes()).hexdigest()
    assert count == 27
    assert as_of == DATA_AS_OF == "2026-02-21"
    assert imported_at.endswith("+00:00")
    postcode_sha = rows["postcodes"][1]
    raw = (REFERENCE / "geo/london_postcodes.csv.gz").read_bytes()
    assert postcode_sha == hashlib.sha256(raw).hexdigest()
    assert rows["postcodes"][2] == 217_347
    assert rows["postcodes"][3] is None  # no date is invented for the gazetteer


def test_declared_schema_and_indexes(real_conn: sqlite3.Connection) -> None:
    assert _scalar(real_conn, "PRAGMA user_version") == SCHEMA_VERSION
    columns = {r[1]: r for r in real_conn.execute("PRAGMA table_info(counters)")}
    assert columns["id"][5] == 1  # primary key
    assert columns["name"][2] == "TEXT" and columns["name"][3] == 1  # NOT NULL
    assert columns["lat"][2] == "REAL" and columns["lat"][3] == 0
    sql = _scalar(real_conn, "SELECT sql FROM sqlite_master WHERE name = 'postcodes'")
    assert "STRICT" in str(sql)
    plan = " ".join(
        str(r[3])
        for r in real_conn.execute(
            "EXPLAIN QUERY PLAN SELECT lat FROM postcodes WHERE postcode_key = 'SE136AA'"
        )
    )
    assert "USING INDEX" in plan or "PRIMARY KEY" in plan
    plan = " ".join(
        str(r[3])
        for r in real_conn.execute("EXPLAIN QUERY PLAN SELECT * FROM postcodes WHERE outcode='E17'")
    )
    assert "idx_postcodes_outcode" in plan
    # Keys are normalised without spaces; the display form keeps one.
    assert real_conn.execute(
        "SELECT postcode, outcode FROM postcodes WHERE postcode_key = 'SE136AA'"
    ).fetchone() == ("SE13 6AA", "SE13")
    not_null = {r[1] for r in real_conn.execute("PRAGMA table_info(postcodes)") if r[3]}
    assert {"postcode", "lat", "lon", "la_code", "in_greater_london"} <= not_null


def test_search_and_spatial_tables(real_conn: sqlite3.Connection) -> None:
    # One R*Tree entry per live postcode, at its exact point (to 32-bit float precision).
    assert _scalar(real_conn, "SELECT count(*) FROM postcode_rtree") == 217_347
    lat, lon, min_lat, max_lat, min_lon, max_lon = real_conn.execute(
        "SELECT p.lat, p.lon, r.min_lat, r.max_lat, r.min_lon, r.max_lon FROM postcodes p "
        "JOIN postcode_rtree r ON r.id = p.rowid WHERE p.postcode_key = 'SE136AA'"
    ).fetchone()
    assert min_lat <= lat <= max_lat and min_lon <= lon <= max_lon
    assert max_lat - min_lat < 1e-5 and max_lon - min_lon < 1e-5
    # Every place and borough name, and each counter's names, in the FTS5 name index.
    kinds = dict(real_conn.execute("SELECT kind, count(*) FROM name_search GROUP BY kind"))
    assert kinds["place"] == 1505
    assert kinds["borough"] == _scalar(real_conn, "SELECT count(*) FROM borough_names")
    assert _scalar(real_conn, "SELECT count(DISTINCT ref) FROM name_search "
                              "WHERE kind = 'counter'") == 37  # fmt: skip
    hits = real_conn.execute(
        "SELECT name FROM name_search WHERE name_search MATCH 'text: \"eleph\"*' ORDER BY name"
    ).fetchall()
    assert hits == [("Elephant",), ("Elephant & Castle",)]


def _bad_counters(case: str) -> list[dict[str, str]]:
    rows = read_counter_rows()
    row = rows[3]  # line 5 of the file (header is line 1)
    if case == "missing id":
        row["id"] = ""
    elif case == "missing name":
        row["name"] = " "
    elif case == "missing postcode":
        row["postcode"] = ""
    elif case == "bad postcode":
        row["postcode"] = "NOT A PC"
    elif case == "malformed hours":
        row["weekday_hours"] = "10am-10pm"
    elif case == "lat out of range":
        row["latitude"] = "95.5"
    elif case == "swapped lat/lon":
        row["latitude"], row["longitude"] = row["longitude"], row["latitude"]
    elif case == "half a coordinate":
        row["longitude"] = ""
    elif case == "duplicate id":
        row["id"] = rows[0]["id"]
    elif case == "24/7 mismatch":
        row["is_24_7"] = "true"
    return rows


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("missing id", "'id' is missing"),
        ("missing name", "'name' is missing"),
        ("missing postcode", "'postcode' is missing"),
        ("bad postcode", "is not a UK postcode"),
        ("malformed hours", "malformed hours"),
        ("lat out of range", "out of range"),
        ("swapped lat/lon", "not in the London area"),
        ("half a coordinate", "only one of"),
        ("duplicate id", "duplicate id 'acton'"),
        ("24/7 mismatch", "'is_24_7' is true"),
    ],
)
def test_bad_row_fails_with_file_line_and_reason(
    make_source: MakeSource, tmp_path: Path, case: str, reason: str
) -> None:
    source = make_source(counters=_bad_counters(case))
    with pytest.raises(ImportFailed) as failed:
        run_import(source, tmp_path / "out.sqlite")
    assert failed.value.file == "front_counters.csv"
    assert failed.value.line == 5
    assert reason in failed.value.reason
    assert str(failed.value).startswith("front_counters.csv, line 5: ")
    assert not (tmp_path / "out.sqlite").exists()


def test_closed_counter_reusing_an_open_id_fails(make_source: MakeSource, tmp_path: Path) -> None:
    closed = read_counter_rows("closed_front_counters.csv")
    closed[1]["id"] = "lewisham"
    source = make_source(closed=closed)
    with pytest.raises(ImportFailed, match=r"closed_front_counters.csv, line 3: duplicate id"):
        run_import(source, tmp_path / "out.sqlite")


def test_failed_import_leaves_previous_database_untouched(
    make_source: MakeSource, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "build" / "locator.sqlite"
    assert main(["import", "--source", str(make_source()), "--db", str(db)]) == 0
    assert "Imported 27 open and 10 closed counters" in capsys.readouterr().out
    before = db.read_bytes()

    bad = make_source(counters=_bad_counters("malformed hours"))
    assert main(["import", "--source", str(bad), "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert "front_counters.csv, line 5: malformed hours" in err
    assert "Traceback" not in err
    assert db.read_bytes() == before
    assert sorted(p.name for p in db.parent.iterdir()) == ["locator.sqlite"]  # no leftovers


def test_missing_source_file_is_reported(make_source: MakeSource, tmp_path: Path) -> None:
    source = make_source()
    (source / "geo/london_boroughs.csv").unlink()
    with pytest.raises(ImportFailed, match=r"geo/london_boroughs\.csv: not found"):
        run_import(source, tmp_path / "out.sqlite")


def test_bad_postcode_row_in_big_file_names_the_line(
    make_source: MakeSource, tmp_path: Path
) -> None:
    source = make_source()
    path = source / "geo/london_postcodes.csv.gz"
    lines = gzip.decompress(path.read_bytes()).decode().splitlines()
    fields = lines[10].split(",")
    fields[3] = "151.5"  # latitude
    lines[10] = ",".join(fields)
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    with pytest.raises(ImportFailed) as failed:
        run_import(source, tmp_path / "out.sqlite")
    assert failed.value.file == "geo/london_postcodes.csv.gz"
    assert failed.value.line == 11
    assert "'lat' 151.5 is out of range" in failed.value.reason


def test_duplicate_postcode_fails(make_source: MakeSource, tmp_path: Path) -> None:
    source = make_source()
    path = source / "geo/london_postcodes.csv.gz"
    lines = gzip.decompress(path.read_bytes()).decode().splitlines()
    lines.insert(5, lines[2])
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    with pytest.raises(ImportFailed, match=r"line 6: duplicate postcode"):
        run_import(source, tmp_path / "out.sqlite")


def test_counters_without_coordinates_are_geocoded_or_excluded(
    make_source: MakeSource, tmp_path: Path
) -> None:
    rows = read_counter_rows()
    by_id = {r["id"]: r for r in rows}
    by_id["walworth"]["latitude"] = by_id["walworth"]["longitude"] = ""  # SE17 3BB is known
    by_id["bromley"]["latitude"] = by_id["bromley"]["longitude"] = ""
    by_id["bromley"]["postcode"] = "SE13 9ZZ"  # well-formed, in no table
    report = run_import(make_source(counters=rows), tmp_path / "out.sqlite")
    assert report.geocoded == ["walworth"]
    assert report.without_coordinates == ["bromley"]
    conn = sqlite3.connect(tmp_path / "out.sqlite")
    walworth = conn.execute(
        "SELECT c.lat, c.lon, c.coord_source, p.lat, p.lon FROM counters c "
        "JOIN postcodes p ON p.postcode_key = c.postcode_key WHERE c.id = 'walworth'"
    ).fetchone()
    assert walworth[0:2] == walworth[3:5]
    assert walworth[2] == "postcode_centroid"
    bromley = conn.execute(
        "SELECT lat, lon, status FROM counters WHERE id = 'bromley'"
    ).fetchone()
    assert bromley == (None, None, "open")
    conn.close()


def test_cli_import_error_for_missing_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "--source", str(tmp_path / "nope"), "--db", str(tmp_path / "x")]) == 1
    assert "source folder not found" in capsys.readouterr().err
