"""The staff stores' SQLite files: one way to open them, shared by the web and action processes."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def connect(path: Path) -> Iterator[sqlite3.Connection]:
    """Autocommit (each statement or explicit BEGIN is its own transaction), rows by name,
    waiting up to 10 s for the other process's write lock."""
    connection = sqlite3.connect(path, timeout=10, isolation_level=None)
    connection.row_factory = sqlite3.Row
    try:
        yield connection
    finally:
        connection.close()


def create(path: Path, schema: str) -> None:
    """Creates the file and its tables if missing; WAL so readers never wait for a writer."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(schema)
