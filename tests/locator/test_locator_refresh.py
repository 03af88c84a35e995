from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from locator.__main__ import main
from locator.refresh import RefreshFailed, refresh_reference


def _upstream(root: Path) -> Path:
    up = root / "upstream"
    (up / "geo").mkdir(parents=True)
    (up / "front_counters.csv").write_text("id,name\na,A\n")
    (up / "geo" / "london_postcodes.csv").write_text("postcode,lat\nSE13 6AA,51.46\n" * 50)
    (up / "geo" / "london_postcodes_terminated.csv.gz").write_bytes(gzip.compress(b"x", mtime=0))
    return up


def test_refresh_copies_and_gzips_deterministically(tmp_path: Path) -> None:
    up, dest = _upstream(tmp_path), tmp_path / "reference"
    report = refresh_reference(up, dest)
    assert sorted(report.updated) == [
        "front_counters.csv", "geo/london_postcodes.csv.gz",
        "geo/london_postcodes_terminated.csv.gz",
    ]  # fmt: skip
    gz = dest / "geo" / "london_postcodes.csv.gz"
    data = gz.read_bytes()
    assert data[:2] == b"\x1f\x8b"
    assert data[4:8] == b"\0\0\0\0"  # mtime 0
    assert data[3] & 0x08 == 0  # no original file name stored
    assert gzip.decompress(data) == (up / "geo" / "london_postcodes.csv").read_bytes()
    assert not (dest / "geo" / "london_postcodes.csv").exists()
    assert (dest / "front_counters.csv").read_text() == "id,name\na,A\n"

    # Unchanged content: nothing rewritten, bytes identical.
    again = refresh_reference(up, dest)
    assert again.updated == []
    assert gz.read_bytes() == data

    # Changed upstream content is picked up; re-gzipping the same content is byte-identical.
    (up / "front_counters.csv").write_text("id,name\nb,B\n")
    assert refresh_reference(up, dest).updated == ["front_counters.csv"]
    gz.unlink()
    refresh_reference(up, dest)
    assert gz.read_bytes() == data


def test_refresh_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    up = _upstream(tmp_path)
    dest = tmp_path / "reference"
    assert main(["refresh-reference", "--from", str(up), "--to", str(dest)]) == 0
    assert "3 updated, 0 unchanged" in capsys.readouterr().out
    assert main(["refresh-reference", "--from", str(tmp_path / "missing"), "--to", str(dest)]) == 1
    assert "upstream reference folder not found" in capsys.readouterr().err


def test_refresh_rejects_empty_upstream(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(RefreshFailed):
        refresh_reference(tmp_path / "empty", tmp_path / "dest")
