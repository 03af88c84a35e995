"""Rule-based detection of present danger, from the patterns in emergency_patterns.yml.

Pure Python (no Rasa), so the same check can run in the NLU pipeline, in tests, and anywhere a
message must be screened before the model answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

PATTERNS_FILE = Path(__file__).with_name("emergency_patterns.yml")
# English never repeats a letter 3 times, people in a hurry do: "heeeelp" → "help".
_REPEATS = re.compile(r"(\w)\1{2,}")
_WORD = re.compile(r"[\w']+")
_CURLY = str.maketrans({"\u2019": "'", "\u2018": "'"})


def _any(regexes: list[str]) -> re.Pattern[str]:
    # Whole words, also where a pattern starts or ends with punctuation ("help!!!").
    return re.compile("|".join(rf"(?<!\w)(?:{r})(?!\w)" for r in regexes))


@dataclass(frozen=True)
class DangerCheck:
    """Compiled patterns; `reasons(text)` lists why a message signals danger now (empty: none)."""

    normalise: dict[str, str]
    always: dict[str, re.Pattern[str]]
    terms: re.Pattern[str]
    now: re.Pattern[str]
    present: re.Pattern[str]
    past: re.Pattern[str]
    safe: re.Pattern[str]
    hypothetical: re.Pattern[str]
    context_sensitive: frozenset[str]

    @classmethod
    def from_dict(cls, spec: dict[str, Any]) -> DangerCheck:
        when = spec["when_present"]
        return cls(
            normalise={str(k).lower(): str(v) for k, v in spec["normalise"].items()},
            always={name: _any(regexes) for name, regexes in spec["always"].items()},
            terms=_any(when["terms"]),
            now=_any(when["now"]),
            present=_any(when["present"]),
            past=_any(when["past"]),
            safe=_any(when["safe"]),
            hypothetical=_any(when["hypothetical"]),
            context_sensitive=frozenset(spec.get("context_sensitive", ())),
        )

    @classmethod
    def load(cls, path: Path = PATTERNS_FILE) -> DangerCheck:
        return cls.from_dict(load_spec(path))

    def normalised(self, text: str) -> str:
        text = _REPEATS.sub(r"\1", text.lower().translate(_CURLY))
        return _WORD.sub(lambda m: self.normalise.get(m.group(0), m.group(0)), text)

    def reasons(self, text: str) -> list[str]:
        plain = self.normalised(text)
        elsewhere = self._elsewhere(plain)
        clearly_now = bool(self.now.search(plain)) and not self.safe.search(plain)
        found = [
            name for name, pattern in self.always.items()
            if pattern.search(plain)
            and not (name in self.context_sensitive and elsewhere and not clearly_now)
        ]
        if self.terms.search(plain) and self.present.search(plain) and (
            clearly_now or not elsewhere
        ):
            found.append("happening_now")
        return found


    def about_the_past(self, text: str) -> bool:
        """The message places events in the past or in general, with no clear sign of "now"."""
        plain = self.normalised(text)
        return self._elsewhere(plain) and not self.now.search(plain)

    def _elsewhere(self, plain: str) -> bool:
        patterns = (self.past, self.hypothetical, self.safe)
        return any(p.search(plain) for p in patterns)


def load_spec(path: Path = PATTERNS_FILE) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))
