"""Agencies for signposting, as imported from reference/agencies.csv (57 rows, kept in memory).

The need categories are whatever the data says (the `need_categories` column, separated by
semicolons): adding a category to the CSV adds it to the API, with no code change.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class Agency:
    id: str
    name: str
    needs: tuple[str, ...]
    what_for: str | None
    phone: str | None
    text_or_other: str | None
    web: str | None
    hours: str | None
    scope: str | None
    notes: str | None
    source_urls: tuple[str, ...]
    verified: bool


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (text or "").split(";") if part.strip())


def load_agencies(conn: sqlite3.Connection) -> tuple[Agency, ...]:
    rows = conn.execute(
        "SELECT id, name, need_categories, what_for, phone, text_or_other, web, hours, scope, "
        "notes, source_urls, verified FROM agencies ORDER BY rowid"
    ).fetchall()
    return tuple(
        Agency(
            id=row[0], name=row[1], needs=_split(row[2]), what_for=row[3], phone=row[4],
            text_or_other=row[5], web=row[6], hours=row[7], scope=row[8], notes=row[9],
            source_urls=_split(row[10]), verified=bool(row[11]),
        )
        for row in rows
    )


def all_needs(agencies: tuple[Agency, ...]) -> list[str]:
    return sorted({need for agency in agencies for need in agency.needs})
