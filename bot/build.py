"""Build step: the locator database from reference/ and the Rasa model, each only when stale."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from filelock import FileLock

from bot import model_cache
from bot.nlu import gazetteer
from bot.settings import LOCATOR_DB, ROOT

LOCATOR_INPUTS = ("reference", "locator")
BUILD_LOCK = ROOT / "build" / ".build.lock"


def _tree_hash(root: Path, folders: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(root).as_posix().encode() + b"\0")
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def ensure_locator_db(db: Path = LOCATOR_DB, root: Path = ROOT) -> Path:
    """Imports reference data into SQLite unless the database was built from the same inputs."""
    stamp = db.with_suffix(".inputs")
    wanted = _tree_hash(root, LOCATOR_INPUTS)
    if db.exists() and stamp.exists() and stamp.read_text().strip() == wanted:
        print(f"[build] locator database up to date: {db.relative_to(root)}", flush=True)
        return db
    print("[build] importing reference data into the locator database...", flush=True)
    db.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "locator", "import", "--source", str(root / "reference"),
         "--db", str(db)],
        cwd=root,
        check=True,
    )
    stamp.write_text(wanted + "\n")
    return db


def build() -> Path:
    """Builds everything the stack needs; returns the model path.

    One builder at a time per checkout: test sessions, `make run` and evaluations may start
    together, and two trainings of the same inputs would waste minutes and race on the files.
    """
    BUILD_LOCK.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(BUILD_LOCK):
        ensure_locator_db()
        gazetteer.ensure_pipeline()  # config.yml's SpacyNLP loads it by path
        return model_cache.ensure_model()
