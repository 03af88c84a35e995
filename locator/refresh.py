"""Copy the upstream reference files into the repository's own reference/ folder.

The big live-postcode CSV is stored gzipped (about 19 MB -> 3.4 MB). The gzip header carries no
file name and mtime 0 (like `gzip -n`), so the output depends only on the content; and a file
whose content is unchanged is not rewritten at all, so a no-op refresh leaves git clean.
"""

from __future__ import annotations

import filecmp
import gzip
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Callable

# Stored compressed in the repository: upstream relative path -> repository relative path.
COMPRESS = {"geo/london_postcodes.csv": "geo/london_postcodes.csv.gz"}
_CHUNK = 1 << 20


class RefreshFailed(Exception):
    pass


@dataclass
class RefreshReport:
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _write_atomically(target: Path, write: Callable[[BinaryIO], None]) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; reference files are ordinary data
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _same_content(plain: Path, compressed: Path) -> bool:
    if not compressed.is_file():
        return False
    try:
        with plain.open("rb") as a, gzip.open(compressed, "rb") as b:
            while True:
                chunk_a, chunk_b = a.read(_CHUNK), b.read(_CHUNK)
                if chunk_a != chunk_b:
                    return False
                if not chunk_a:
                    return True
    except (OSError, EOFError):
        return False  # a corrupt copy is simply replaced


def gzip_deterministic(source: Path, target: Path) -> None:
    def write(out: BinaryIO) -> None:
        # filename="" and mtime=0: no name or timestamp in the header (like `gzip -n`).
        with source.open("rb") as src, gzip.GzipFile(
            filename="", mode="wb", fileobj=out, compresslevel=9, mtime=0
        ) as gz:
            shutil.copyfileobj(src, gz, _CHUNK)

    _write_atomically(target, write)


def refresh_reference(upstream: Path, dest: Path) -> RefreshReport:
    upstream, dest = Path(upstream), Path(dest)
    if not upstream.is_dir():
        raise RefreshFailed(f"upstream reference folder not found: {upstream}")
    files = sorted(p for p in upstream.rglob("*") if p.is_file())
    if not files:
        raise RefreshFailed(f"upstream reference folder is empty: {upstream}")
    report = RefreshReport()
    for path in files:
        rel = path.relative_to(upstream).as_posix()
        if rel in COMPRESS:
            target = dest / COMPRESS[rel]
            if _same_content(path, target):
                report.unchanged.append(COMPRESS[rel])
            else:
                gzip_deterministic(path, target)
                report.updated.append(COMPRESS[rel])
            continue
        target = dest / rel
        if target.is_file() and filecmp.cmp(path, target, shallow=False):
            report.unchanged.append(rel)
            continue

        def copy(out: BinaryIO, src: Path = path) -> None:
            with src.open("rb") as handle:
                shutil.copyfileobj(handle, out, _CHUNK)

        _write_atomically(target, copy)
        report.updated.append(rel)
    return report
