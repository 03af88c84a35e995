"""Accuracy, emergency recall, false-emergency rate and a route confusion table."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from evaluation.labels import Example

EMERGENCY = "emergency"


@dataclass(frozen=True)
class Scores:
    n: int
    route_accuracy: float
    detail_accuracy: float
    emergency_recall: float
    false_emergency_rate: float
    missed_emergencies: list[str]
    false_emergencies: list[str]
    confusion: Counter

    def row(self, name: str) -> str:
        return (
            f"| {name} | {self.route_accuracy:.1%} | {self.detail_accuracy:.1%} | "
            f"{self.emergency_recall:.1%} | {self.false_emergency_rate:.1%} |"
        )


def score(gold: list[Example], predicted: list[tuple[str, str]]) -> Scores:
    route_ok = detail_ok = 0
    emergencies = non_emergencies = caught = false_alarms = 0
    missed, false = [], []
    confusion: Counter = Counter()
    for example, (route, detail) in zip(gold, predicted):
        confusion[(example.route, route or "none")] += 1
        route_ok += route == example.route
        detail_ok += route == example.route and (detail or "") == example.detail
        if example.route == EMERGENCY:
            emergencies += 1
            caught += route == EMERGENCY
            if route != EMERGENCY:
                missed.append(example.text)
        else:
            non_emergencies += 1
            false_alarms += route == EMERGENCY
            if route == EMERGENCY:
                false.append(example.text)
    n = len(gold)
    return Scores(
        n=n,
        route_accuracy=route_ok / n,
        detail_accuracy=detail_ok / n,
        emergency_recall=caught / emergencies if emergencies else 1.0,
        false_emergency_rate=false_alarms / non_emergencies if non_emergencies else 0.0,
        missed_emergencies=missed,
        false_emergencies=false,
        confusion=confusion,
    )


def confusion_table(confusion: Counter) -> str:
    routes = sorted({g for g, _ in confusion} | {p for _, p in confusion})
    lines = ["| gold \\ predicted | " + " | ".join(routes) + " |",
             "|---" * (len(routes) + 1) + "|"]
    for gold in sorted({g for g, _ in confusion}):
        cells = [str(confusion.get((gold, p), 0) or "") for p in routes]
        lines.append(f"| {gold} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
