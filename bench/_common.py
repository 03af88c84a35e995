"""Shared by the locator benchmarks: a database to run against, timing and table helpers."""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from locator import paths  # noqa: E402
from locator.importer import SCHEMA_VERSION, run_import  # noqa: E402

_TEMP: list[tempfile.TemporaryDirectory[str]] = []


def locator_db() -> Path:
    """build/locator.sqlite if it is current, else a fresh import into a temporary folder."""
    db = paths.DEFAULT_DB
    if db.is_file():
        try:
            conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            conn.close()
            if version == SCHEMA_VERSION:
                return db
        except sqlite3.Error:
            pass
    folder = tempfile.TemporaryDirectory(prefix="locator-bench-")
    _TEMP.append(folder)  # removed when the process exits
    print(f"(importing {paths.DEFAULT_SOURCE} into a temporary database...)", flush=True)
    return run_import(paths.DEFAULT_SOURCE, Path(folder.name) / "locator.sqlite").db_path


def per_call(fn: Callable[[], object], repeat: int) -> float:
    """Mean seconds per call of fn over `repeat` calls."""
    started = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - started) / repeat


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def duration(seconds: float) -> str:
    """Human units: '12.3 us', '4.56 ms', '7.8 s'."""
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.1f} s"


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(row, widths)) for row in cells]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)
