"""Reading ease of every response the assistant can send (domain + data/responses).

Target: a reading age of 9 to 11. Reading age is the Flesch-Kincaid grade + 5 (UK convention), so
every response must score grade <= 6. Web addresses, phone numbers and {placeholders} are left out:
they are not prose.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import textstat
import yaml

from bot.settings import ROOT

MAX_GRADE = 6.0
_NOT_PROSE = re.compile(r"https?://\S+|\S+\.(?:uk|org|com)\S*|\{[^}]*\}|\b\d[\d ]{2,}\d\b")


def responses(root: Path = ROOT) -> dict[str, list[str]]:
    files = [root / "domain.yml", *sorted((root / "data" / "responses").glob("*.yml"))]
    found: dict[str, list[str]] = {}
    for file in files:
        for name, variants in (yaml.safe_load(file.read_text()) or {}).get("responses", {}).items():
            found[name] = [v["text"] for v in variants if v.get("text")]
    return found


def prose(text: str) -> str:
    return _NOT_PROSE.sub(" ", text).replace("\n", " ")


def grade(text: str) -> float:
    return textstat.flesch_kincaid_grade(prose(text))


def ease(text: str) -> float:
    return textstat.flesch_reading_ease(prose(text))


def report(root: Path = ROOT) -> tuple[str, list[tuple[str, float]]]:
    rows = [(name, text) for name, texts in responses(root).items() for text in texts]
    grades = [(name, grade(text)) for name, text in rows if prose(text).strip()]
    eases = [ease(text) for _, text in rows if prose(text).strip()]
    too_hard = sorted(((n, g) for n, g in grades if g > MAX_GRADE), key=lambda x: -x[1])
    summary = (
        f"{len(grades)} responses: Flesch reading ease mean {sum(eases) / len(eases):.0f} "
        f"(min {min(eases):.0f}); Flesch-Kincaid grade mean "
        f"{sum(g for _, g in grades) / len(grades):.1f}, max {max(g for _, g in grades):.1f}; "
        f"{len(grades) - len(too_hard)}/{len(grades)} at reading age 11 or under"
    )
    return summary, too_hard


def main() -> int:
    summary, too_hard = report()
    print(summary)
    for name, g in too_hard:
        print(f"  too hard (grade {g:.1f}): {name}")
    return 1 if too_hard else 0


if __name__ == "__main__":
    sys.exit(main())
