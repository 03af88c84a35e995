"""Crime reports captured by the assistant, kept in SQLite for contact-centre staff.

Nothing here files anything with the police: a stored report is what the person told the
assistant, kept so staff can see it (and purge it under the retention policy). Contact details are
stored only when the person consented.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

# Crockford's base32 without I, L, O, U: easy to read out over the phone.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TABLE = "crime_reports"


def new_reference() -> str:
    """A reference like MET-7F3K-9Q2D: 40 random bits, not guessable, easy to read aloud."""
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"MET-{chars[:4]}-{chars[4:]}"


@dataclass
class CrimeReport:
    reference: str
    conversation_id: str
    crime_type: str
    crime_when: str | None = None
    crime_where: str | None = None
    description: str | None = None
    still_happening: bool | None = None
    anyone_hurt: bool | None = None
    anonymous: bool | None = None
    contact_consent: bool | None = None
    contact_details: str | None = None
    channels: str = ""
    status: str = "captured"  # captured | emergency: never "filed", nothing is sent anywhere
    created_at: str = field(
        default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds")
    )

    def __post_init__(self) -> None:
        if not self.contact_consent:
            self.contact_details = None  # no consent, nothing kept


def db_path() -> Path:
    run_dir = Path(os.environ.get("RUN_DIR", Path(__file__).resolve().parent.parent / ".run"))
    return Path(os.environ.get("REPORTS_DB", run_dir / "reports.sqlite"))


def save(report: CrimeReport, path: Path | None = None) -> None:
    path = path or db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path, timeout=10) as connection:
        db = sqlite_utils.Database(connection)
        if not db[TABLE].exists():
            db[TABLE].create(
                {name: type(value) if value is not None else str
                 for name, value in asdict(report).items()},
                pk="reference",
                not_null={"reference", "conversation_id", "crime_type", "created_at", "status"},
            )
            db[TABLE].create_index(["created_at"])
        db[TABLE].insert(asdict(report))


def load(reference: str, path: Path | None = None) -> dict | None:
    path = path or db_path()
    if not path.exists():
        return None
    with sqlite3.connect(path) as connection:
        table = sqlite_utils.Database(connection)[TABLE]
        rows = list(table.rows_where("reference = ?", [reference]))
    return rows[0] if rows else None
