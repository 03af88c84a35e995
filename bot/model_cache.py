"""Train the Rasa model only when its inputs change: the model file is named by their hash."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

from bot.nlu import gazetteer
from bot.settings import MODELS_DIR, ROOT

# Everything that changes what `rasa train` produces. Custom NLU components and the spaCy
# gazetteer builder are code in bot/nlu; the gazetteer is built from reference data.
INPUT_FILES = ("config.yml", "domain.yml", *gazetteer.SOURCES)
INPUT_DIRS = ("data", "bot/nlu")
KEEP_MODELS = 3


def input_paths(root: Path = ROOT) -> list[Path]:
    paths = [root / name for name in INPUT_FILES]
    for folder in INPUT_DIRS:
        paths += sorted(
            p for p in (root / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts
        )
    return paths


def inputs_hash(root: Path = ROOT) -> str:
    digest = hashlib.sha256(f"rasa=={version('rasa')}\n".encode())
    for path in input_paths(root):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def model_path(root: Path = ROOT) -> Path:
    return MODELS_DIR / f"met-{inputs_hash(root)}.tar.gz"


def ensure_model(root: Path = ROOT) -> Path:
    """Returns the trained model for the current inputs, training it first if there is none."""
    target = model_path(root)
    if target.exists():
        print(f"[build] model up to date: {target.relative_to(root)}", flush=True)
        return target
    print("[build] training the Rasa model (config, domain or data changed)...", flush=True)
    name = target.name[: -len(".tar.gz")]
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".training-") as out:
        subprocess.run(
            [
                sys.executable, "-m", "rasa", "train",
                "--config", "config.yml", "--domain", "domain.yml", "--data", "data",
                "--out", out, "--fixed-model-name", name,
            ],
            cwd=root,
            check=True,
        )
        trained = Path(out) / target.name
        if not trained.exists():
            raise SystemExit(f"rasa train finished but {trained} was not written")
        # Appears complete or not at all, for a stack reading the models folder meanwhile.
        os.replace(trained, target)
    # Keep the folder small, but spare the newest few: a stack started from a sibling
    # edit of the data may still be about to load one.
    models = sorted(target.parent.glob("met-*.tar.gz"), key=lambda p: p.stat().st_mtime)
    for old in models[:-KEEP_MODELS]:
        old.unlink(missing_ok=True)
    return target
