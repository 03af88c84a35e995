"""Retire held-out sets into the NLU training data.

A set whose results have steered changes no longer measures blind; the first messages in it
were still written by someone who never saw the training data, which is what the data most lacks
(evaluation/set_cv.py measures what they teach). Each labelled message is appended, under a
comment naming its source, to the topic file of its route as an example of the intent and crime
type the router learns (evaluation/labels.py's `fine_label`). Texts already in the data are
skipped (Rasa rejects one example under two intents), and so are texts of the sets still judging
(evaluation/heldout_*.csv): short messages recur word for word between authors. Then any training
example that is word for word a judging set's message is removed (tests/unit/
test_heldout_sets.py fails on one). Texts are never printed.

    python -m evaluation.retire "written for held-out sets ..." evaluation/retired/heldout_x.csv
    python -m evaluation.retire   # only remove training examples that are judging messages
"""

from __future__ import annotations

import re
import sys
import textwrap
from collections import defaultdict
from pathlib import Path

from bot.nlu.tfidf_classifier import REPORT
from bot.settings import ROOT
from evaluation.labels import Example, fine_label, heldout, key, nlu_data

NLU = ROOT / "data" / "nlu"
TOPIC_FILES = {"emergency": "emergency", "report_crime": "crime", "front_counter": "front_counter",
               "signpost": "signpost", "police_contact": "police_contact",
               "complaint": "complaint", "information": "information", "handoff": "chitchat",
               "out_of_scope": "out_of_scope"}


JUDGING = sorted((ROOT / "evaluation").glob("heldout_*.csv"))
# An example line in data/nlu, and entity markup within it: "[Brixton](location)", "[x]{...}".
EXAMPLE_LINE = re.compile(r"^\s+- (?P<text>.+)$")
MARKUP = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def judging_texts() -> set[str]:
    return {key(e.text) for path in JUDGING for e in heldout(path)}


def remove_judging_texts() -> int:
    """Delete every training example line that is word for word a judging set's message."""
    judging, removed = judging_texts(), 0
    for path in sorted(NLU.glob("*.yml")):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        kept = [line for line in lines if not _is_judging(line, judging)]
        if len(kept) != len(lines):
            removed += len(lines) - len(kept)
            path.write_text("".join(kept), encoding="utf-8")
    return removed


def _is_judging(line: str, judging: set[str]) -> bool:
    match = EXAMPLE_LINE.match(line)
    return bool(match) and key(MARKUP.sub(r"\1", match["text"])) in judging


def block(label: str, texts: list[str]) -> list[str]:
    """One intent block: `report_crime/theft` becomes `report_crime` with its crime type."""
    base, _, detail = label.partition("/")
    lines = [f"  - intent: {label if base != REPORT else REPORT}"]
    if base == REPORT and detail != "other":
        lines += ["    metadata:", f"      crime_type: {detail}"]
    lines.append("    examples: |")
    return lines + [f"      - {text}" for text in texts]


def retire(examples: list[Example], source: str) -> dict[str, int]:
    known = {key(str(m.get("text"))) for m in nlu_data().intent_examples} | judging_texts()
    by_file: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for example in examples:
        text = " ".join(example.text.split())
        if key(text) in known:
            continue
        known.add(key(text))
        by_file[TOPIC_FILES[example.route]][fine_label(example)].append(text)
    added = {}
    for name, labels in sorted(by_file.items()):
        lines = ["", *(f"  # {line}" for line in textwrap.wrap(source, 94))]
        for label, texts in sorted(labels.items()):
            lines += block(label, texts)
        path = NLU / f"{name}.yml"
        path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n" +
                        "\n".join(lines) + "\n", encoding="utf-8")
        added[name] = sum(len(t) for t in labels.values())
    return added


def main(argv: list[str]) -> int:
    if len(argv) == 1:
        print(__doc__)
        return 2
    if argv:
        source, paths = argv[0], [Path(p) for p in argv[1:]]
        examples = [e for path in paths for e in heldout(path)]
        added = retire(examples, source)
        print(f"{sum(added.values())} of {len(examples)} messages added: {dict(added)}")
    print(f"{remove_judging_texts()} training examples that are judging messages removed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
