"""Read-only access to the locator database for the web service.

One sqlite3 connection, opened read-only and used only from the event-loop thread (sqlite3
connections must not be shared across threads; every query here is sub-millisecond, so running
them inline is cheaper than a thread pool). The small tables (counters, agencies, names, metadata)
are held in memory, with the counters in a spatial index.
When `python -m locator import` swaps in a new file, the next request notices the changed inode
and reopens, so a refresh needs no restart.
"""

from __future__ import annotations

import math
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from .agencies import Agency, load_agencies
from .counters import Counter, load_counters
from .geocode import Geocoder
from .importer import SCHEMA_VERSION
from .nearest import CounterIndex


class DatabaseUnavailable(Exception):
    """The database file is missing, unreadable or from another schema version."""


@dataclass(frozen=True)
class Snapshot:
    """Everything derived from one database file, replaced as a whole on reload."""

    conn: sqlite3.Connection
    geocoder: Geocoder
    counters: tuple[Counter, ...]
    counter_index: CounterIndex
    agencies: tuple[Agency, ...]
    data_as_of: str | None
    imported_at: str | None
    identity: tuple[int, int, int]

    def counter(self, counter_id: str) -> Counter | None:
        return next((c for c in self.counters if c.id == counter_id), None)


def _identity(path: Path) -> tuple[int, int, int]:
    st = os.stat(path)
    return st.st_dev, st.st_ino, st.st_mtime_ns


def _open(path: Path) -> Snapshot:
    try:
        identity = _identity(path)
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except (OSError, sqlite3.Error) as exc:
        raise DatabaseUnavailable(f"cannot open {path}: {exc}") from None
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version != SCHEMA_VERSION:
            raise DatabaseUnavailable(
                f"{path} has schema version {version}, expected {SCHEMA_VERSION}; "
                "run `python -m locator import` again"
            )
        as_of = conn.execute(
            "SELECT data_as_of, imported_at FROM metadata WHERE dataset = 'front_counters'"
        ).fetchone()
        counters = tuple(load_counters(conn))
        return Snapshot(
            conn=conn,
            geocoder=Geocoder(conn),
            counters=counters,
            counter_index=CounterIndex(counters),
            agencies=load_agencies(conn),
            data_as_of=as_of[0] if as_of else None,
            imported_at=as_of[1] if as_of else None,
            identity=identity,
        )
    except sqlite3.Error as exc:
        conn.close()
        raise DatabaseUnavailable(f"{path} is not a locator database ({exc})") from None
    except DatabaseUnavailable:
        conn.close()
        raise


class LocatorStore:
    def __init__(self, db_path: str | os.PathLike[str], recheck_s: float = 0.0) -> None:
        """`recheck_s`: look for a replaced file at most this often (0: on every call)."""
        self.path = Path(db_path)
        self.recheck_s = recheck_s
        self._snapshot: Snapshot | None = None
        self._checked = -math.inf

    def open(self) -> None:
        self._snapshot = _open(self.path)

    def close(self) -> None:
        if self._snapshot is not None:
            self._snapshot.conn.close()
            self._snapshot = None

    def current(self) -> Snapshot:
        """The snapshot for this request, reopening if the file was replaced since."""
        snapshot = self._snapshot
        now = time.monotonic()
        if snapshot is not None and now - self._checked < self.recheck_s:
            return snapshot
        self._checked = now
        try:
            changed = snapshot is None or _identity(self.path) != snapshot.identity
        except OSError:
            changed = False  # file briefly missing: keep serving what we have
        if changed or snapshot is None:
            fresh = _open(self.path) if snapshot is None else self._try_reload(snapshot)
            self._snapshot = snapshot = fresh
        return snapshot

    def _try_reload(self, old: Snapshot) -> Snapshot:
        try:
            fresh = _open(self.path)
        except DatabaseUnavailable:
            return old  # a broken replacement must not take the service down
        old.conn.close()
        return fresh
