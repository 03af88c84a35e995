"""How the emergency decision trades recall for false alarms, by 5-fold cross-validation.

The held-out sets only measure; settings are chosen here. With the out-of-fold outputs of the
router and the emergency detector (evaluation/cv_folds.py, trained exactly as the pipeline trains
them), every routing example is decided as the pipeline would: the router's best label (an
`emergency` under `emergency_min_confidence` gives way to the next label), then the safety net
(patterns, the detector at `detector_threshold`, a message the FallbackClassifier would not
understand whose likeliest reading is `emergency`, or an unsure `emergency` guess the detector
backs). Printed: emergencies caught and false alarms
for the shipped settings and their neighbours. Texts are never printed.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from bot.nlu.safety_net import EMERGENCY
from bot.settings import ROOT
from evaluation.cv_folds import Fold, Settings, pipeline_settings
from evaluation.cv_folds import score_folds as fold_data
from evaluation.labels import ROUTING_INTENTS
from evaluation.route_cv import alarms

MIN_CONFIDENCES = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 1.01)  # 1.01: no detector
UNSURE_ROUTER_FLOORS = (0.2, 0.3, 0.4)
UNSURE_DETECTOR_FLOORS = (0.0, 0.1, 0.15, 0.2, 0.3, 1.01)  # 0.0: the router guess alone


@dataclass
class FoldScores:
    """Per routing example, out of fold: its intent, the models' outputs, whether a pattern
    fired."""

    gold: np.ndarray
    outputs: list[Fold]
    pattern: np.ndarray


def score_folds(root: Path = ROOT) -> FoldScores:
    data = fold_data(root)
    routing = np.flatnonzero(np.isin(data.bases, sorted(ROUTING_INTENTS)))
    return FoldScores(data.bases[routing], [data.outputs[i] for i in routing],
                      data.pattern[routing])


def decide(scores: FoldScores, settings: Settings) -> np.ndarray:
    """True where the pipeline would route the message as an emergency: any of the router's and
    the safety net's checks, as evaluation/route_cv.py models the live rules."""
    return np.array([any(alarms(out.router, out, hit, settings).values())
                     for out, hit in zip(scores.outputs, scores.pattern)])


def _row(flagged: np.ndarray, is_emergency: np.ndarray) -> str:
    return f"{(flagged & is_emergency).sum()} | {(flagged & ~is_emergency).sum()} |"


def table(scores: FoldScores, settings: Settings) -> str:
    is_emergency = scores.gold == EMERGENCY
    unsure = (settings.unsure_router_min, settings.unsure_detector_min)
    shipped = (settings.min_confidence, settings.threshold)
    lines = [f"{is_emergency.sum()} emergencies, {(~is_emergency).sum()} other routing examples",
             "", f"With the shipped unsure-router floors {unsure}:", "",
             "| router min confidence | detector threshold | emergencies caught | "
             "false alarms |", "|---|---|---|---|"]
    for min_confidence in MIN_CONFIDENCES:
        for threshold in THRESHOLDS:
            flagged = decide(scores, replace(settings, min_confidence=min_confidence,
                                             threshold=threshold))
            mark = " (shipped)" if (min_confidence, threshold) == shipped else ""
            lines.append(f"| {min_confidence}{mark} | {'off' if threshold > 1 else threshold} | "
                         + _row(flagged, is_emergency))
    lines += ["", f"With the shipped router min confidence and detector threshold {shipped}, an "
              "unsure router emergency (at least the router floor) raised when the detector "
              "reaches its floor:", "",
              "| router floor | detector floor | emergencies caught | false alarms |",
              "|---|---|---|---|"]
    for floors in [(r, d) for r in UNSURE_ROUTER_FLOORS for d in UNSURE_DETECTOR_FLOORS]:
        flagged = decide(scores, replace(settings, unsure_router_min=floors[0],
                                         unsure_detector_min=floors[1]))
        mark = " (shipped)" if floors == unsure else ""
        lines.append(f"| {floors[0]}{mark} | {'off' if floors[1] > 1 else floors[1]} | "
                     + _row(flagged, is_emergency))
    return "\n".join(lines)


def main() -> int:
    started = time.monotonic()
    scores = score_folds(ROOT)
    settings = pipeline_settings(ROOT)
    print(table(scores, settings))
    print(f"\n({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
