"""Stored crime reports (actions/report_store.py) for staff: list and CSV export."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path
from typing import Any

from actions import report_store

COLUMNS = [
    "reference", "created_at", "crime_type", "status", "crime_when", "crime_where",
    "description", "still_happening", "anyone_hurt", "anonymous", "contact_consent",
    "contact_details", "channels", "conversation_id",
]
LIST_COLUMNS = ["reference", "created_at", "crime_type", "status", "crime_when", "crime_where",
                "anonymous", "contact_consent"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def load(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    connection.row_factory = sqlite3.Row
    try:
        sql = f"SELECT * FROM {report_store.TABLE} ORDER BY created_at DESC"
        rows = connection.execute(sql + (" LIMIT ?" if limit else ""),
                                  (limit,) if limit else ()).fetchall()
    except sqlite3.OperationalError:  # no report stored yet: the table does not exist
        return []
    finally:
        connection.close()
    return [dict(r) for r in rows]


def safe_cell(value: Any) -> str:
    """A spreadsheet must never run what a member of the public typed: a cell that would start a
    formula gets a leading apostrophe (OWASP CSV injection guidance)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def to_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([safe_cell(row.get(c)) for c in COLUMNS])
    return out.getvalue()
