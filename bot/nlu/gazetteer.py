"""Builds the project's spaCy pipeline: a blank English model with an entity ruler that tags
London place, borough and police-station names from the shipped gazetteer as `location`.

spaCy's pretrained pipelines cannot be downloaded here (TOOLCHAIN.md), and a gazetteer from our own
open data is exactly what the assistant needs. The pipeline is saved to disk and Rasa's SpacyNLP
loads it by path (config.yml).
"""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

from bot.settings import BUILD_DIR, ROOT

PIPELINE_DIR = BUILD_DIR / "spacy" / "london_gazetteer"
LABEL = "location"
EXCLUDE_FILE = Path(__file__).with_name("gazetteer_exclude.txt")
SOURCES = (
    "reference/geo/london_places.csv",
    "reference/geo/london_boroughs.csv",
    "reference/front_counters.csv",
    "reference/closed_front_counters.csv",
)


def _rows(root: Path, name: str) -> list[dict[str, str]]:
    with (root / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def place_names(root: Path = ROOT) -> list[str]:
    """Every name a Londoner might use for a place, minus everyday words."""
    names: set[str] = set()
    names.update(r["name"] for r in _rows(root, "reference/geo/london_places.csv"))
    for borough in _rows(root, "reference/geo/london_boroughs.csv"):
        names.add(borough["name"])
        names.update(a for a in borough["alt_names"].split("|") if a)
    for file in ("reference/front_counters.csv", "reference/closed_front_counters.csv"):
        for counter in _rows(root, file):
            names.add(counter["name"])
            # "Lewisham Police Station" → also "Lewisham"
            names.add(counter["name"].replace("Police Station", "").strip())
    excluded = {
        line.strip().lower()
        for line in EXCLUDE_FILE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    return sorted(n for n in names if n and n.lower() not in excluded and len(n) > 2)


def inputs_hash(root: Path = ROOT) -> str:
    digest = hashlib.sha256()
    for path in (*(root / s for s in SOURCES), EXCLUDE_FILE, Path(__file__)):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def ensure_pipeline(out_dir: Path = PIPELINE_DIR, root: Path = ROOT) -> Path:
    """Builds the pipeline unless the one on disk came from the same inputs."""
    stamp = out_dir / "inputs.sha256"
    wanted = inputs_hash(root)
    if stamp.exists() and stamp.read_text().strip() == wanted:
        print(f"[build] spaCy gazetteer pipeline up to date: {out_dir.relative_to(root)}")
        return out_dir
    import spacy  # slow import: only when a build is needed

    names = place_names(root)
    nlp = spacy.blank("en")
    nlp.meta["name"] = "london_gazetteer"
    nlp.meta["description"] = "Entity ruler for London places (OGL/OPL/CC BY data, see README)"
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns([{"label": LABEL, "pattern": name} for name in names])
    tmp = out_dir.with_name(out_dir.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(tmp)
    (tmp / "inputs.sha256").write_text(wanted + "\n")
    shutil.rmtree(out_dir, ignore_errors=True)
    tmp.rename(out_dir)
    where = out_dir.relative_to(root)
    print(f"[build] spaCy gazetteer pipeline: {len(names)} place names → {where}")
    return out_dir
