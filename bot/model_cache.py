"""Train the Rasa model only when its inputs change: the model file is named by their hash."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from bot.nlu import gazetteer
from bot.settings import MODELS_DIR, ROOT

# Everything that changes what `rasa train` produces. Custom NLU components and the spaCy
# gazetteer builder are code in bot/nlu; the gazetteer is built from reference data.
INPUT_FILES = ("config.yml", "domain.yml", *gazetteer.SOURCES)
INPUT_DIRS = ("data", "bot/nlu")


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
    subprocess.run(
        [
            sys.executable, "-m", "rasa", "train",
            "--config", "config.yml", "--domain", "domain.yml", "--data", "data",
            "--out", str(target.parent), "--fixed-model-name", target.name[: -len(".tar.gz")],
        ],
        cwd=root,
        check=True,
    )
    if not target.exists():
        raise SystemExit(f"rasa train finished but {target} was not written")
    # Keep the directory small: older models are never used again by this checkout.
    for old in target.parent.glob("met-*.tar.gz"):
        if old != target:
            old.unlink()
    return target
