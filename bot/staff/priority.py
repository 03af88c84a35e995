"""Suggested priority for a waiting conversation, from the rules in triage_priority.yml.

Pure: facts in, a priority with its reasons out. The member of staff decides; this only orders
the queue and says why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

RULES_FILE = Path(__file__).with_name("triage_priority.yml")


@dataclass(frozen=True)
class TriageFacts:
    route: str | None = None  # the route before the handoff
    detail: str | None = None
    flags: frozenset[str] = frozenset()
    escalated: bool = False


@dataclass(frozen=True)
class Reason:
    rule: str
    thrive: str
    priority: int
    text: str


@dataclass(frozen=True)
class Priority:
    level: int
    name: str
    meaning: str
    reasons: tuple[Reason, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": self.level, "name": self.name, "meaning": self.meaning,
            "reasons": [r.__dict__ for r in self.reasons],
        }


@lru_cache(maxsize=4)
def load_rules(path: Path = RULES_FILE) -> dict[str, Any]:
    rules = yaml.safe_load(path.read_text(encoding="utf-8"))
    levels = {int(k): v for k, v in rules["levels"].items()}
    if int(rules["default"]) not in levels:
        raise ValueError(f"{path}: default priority {rules['default']} is not a level")
    for rule in rules["rules"]:
        if int(rule["priority"]) not in levels:
            raise ValueError(f"{path}: rule {rule['id']} has unknown priority {rule['priority']}")
        unknown = set(rule["when"]) - {"flags_any", "routes_any", "details_any", "escalated"}
        if unknown:
            raise ValueError(f"{path}: rule {rule['id']} has unknown conditions {unknown}")
    return {**rules, "levels": levels}


def _matches(when: dict[str, Any], facts: TriageFacts) -> bool:
    checks: list[bool] = []
    if "flags_any" in when:
        checks.append(bool(facts.flags & set(when["flags_any"])))
    if "routes_any" in when:
        checks.append(facts.route in when["routes_any"])
    if "details_any" in when:
        checks.append(facts.detail in when["details_any"])
    if "escalated" in when:
        checks.append(facts.escalated is bool(when["escalated"]))
    return bool(checks) and all(checks)


def suggest(facts: TriageFacts, rules: dict[str, Any] | None = None) -> Priority:
    """The most urgent level among the matching rules (or the default), with every reason."""
    rules = rules or load_rules()
    reasons = tuple(
        Reason(rule["id"], rule["thrive"], int(rule["priority"]), rule["reason"])
        for rule in rules["rules"] if _matches(rule["when"], facts)
    )
    level = min((r.priority for r in reasons), default=int(rules["default"]))
    info = rules["levels"][level]
    ordered = tuple(sorted(reasons, key=lambda r: r.priority))
    return Priority(level, info["name"], info["meaning"], ordered)


def level_names(rules: dict[str, Any] | None = None) -> Iterable[tuple[int, str]]:
    rules = rules or load_rules()
    return sorted((level, info["name"]) for level, info in rules["levels"].items())
