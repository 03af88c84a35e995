"""Stored crime reports: staff only, and the CSV export never runs what the public typed."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from actions.report_store import CrimeReport, save
from bot.staff.accounts import StaffStore
from bot.staff.reports import COLUMNS, safe_cell
from tests.staff.conftest import Signed

FORMULAS = ["=1+2", "+SUM(A1:A2)", "-2+3", "@cmd", "\t=1", "\r=1",
            "=HYPERLINK(\"http://evil.example\",\"click\")"]


@pytest.fixture
def stored(run_dir: Path) -> list[str]:
    refs = []
    for i, text in enumerate(FORMULAS):
        save(CrimeReport(
            reference=f"MET-TEST-{i:04d}", conversation_id=f"c{i}", crime_type="theft",
            crime_where=text, description=f"<script>alert({i})</script>", contact_consent=True,
            contact_details=text,
        ), run_dir / "reports.sqlite")
        refs.append(f"MET-TEST-{i:04d}")
    return refs


@pytest.mark.parametrize("value", FORMULAS)
def test_formula_cells_are_neutralised(value: str) -> None:
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["theft", "07700 900123", "a=b", "", None, 3])
def test_ordinary_cells_are_untouched(value: object) -> None:
    assert safe_cell(value) == ("" if value is None else str(value))


async def test_reports_need_sign_in(console: TestClient, stored: list[str]) -> None:
    for path in ("/staff/reports", "/staff/reports.csv"):
        response = await console.get(path, allow_redirects=False)
        assert response.status == 303 and "MET-TEST" not in await response.text()


async def test_csv_export_is_safe_and_audited(amy: Signed, stored: list[str],
                                              run_dir: Path) -> None:
    response = await amy.get("/staff/reports.csv")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(await response.text())))
    assert sorted(r["reference"] for r in rows) == stored
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), row
    audit = StaffStore(run_dir / "staff.sqlite").audit_entries()
    assert ("amy", "export_reports") in [(a["actor"], a["action"]) for a in audit]


async def test_report_list_escapes_html(amy: Signed, stored: list[str]) -> None:
    text = await (await amy.get("/staff/reports")).text()
    assert "MET-TEST-0000" in text and "<script>alert" not in text


async def test_no_reports_yet_is_an_empty_list(amy: Signed) -> None:
    response = await amy.get("/staff/reports.csv")
    assert (await response.text()).splitlines() == [",".join(f'"{c}"' for c in COLUMNS)]
