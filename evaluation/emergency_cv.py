"""How the emergency decision trades recall for false alarms, by 5-fold cross-validation.

The held-out sets only measure; settings are chosen here. With the out-of-fold outputs of the
router and the emergency detector (evaluation/cv_folds.py, trained exactly as the pipeline trains
them), every routing example is decided as the pipeline would: the router's best label (an
`emergency` under `emergency_min_confidence` gives way to the next label), then the safety net
(patterns, the detector at `detector_threshold`, or a message the FallbackClassifier would not
understand whose likeliest reading is `emergency`). Printed: emergencies caught and false alarms
for the shipped settings and their neighbours. Texts are never printed.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.nlu import tfidf_classifier
from bot.nlu.safety_net import EMERGENCY
from bot.settings import ROOT
from evaluation.cv_folds import pipeline_settings
from evaluation.cv_folds import score_folds as fold_data
from evaluation.labels import ROUTING_INTENTS

MIN_CONFIDENCES = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 1.01)  # 1.01: no detector


@dataclass
class FoldScores:
    """Per routing example, out of fold: its intent, the router's labels and probabilities,
    the detector's probability, and whether a pattern fired."""

    gold: np.ndarray
    router: list[tuple[np.ndarray, np.ndarray]]
    detector: np.ndarray
    pattern: np.ndarray


def score_folds(root: Path = ROOT) -> FoldScores:
    data = fold_data(root)
    bases = data.bases
    routing = np.flatnonzero(np.isin(bases, sorted(ROUTING_INTENTS)))
    return FoldScores(bases[routing], [data.outputs[i].router for i in routing],
                      np.array([data.outputs[i].detector for i in routing]), data.pattern[routing])


def decide(scores: FoldScores, min_confidence: float, threshold: float,
           fallback: float) -> np.ndarray:
    """True where the pipeline would route the message as an emergency: the router's decision
    (bot/nlu/tfidf_classifier.decide), then the safety net's patterns, detector, and a message
    not understood (its decision under the `fallback` confidence) whose best label is
    `emergency`."""
    routed = []
    for classes, row in scores.router:
        label = tfidf_classifier.decide(classes, row, min_confidence)
        confidence = tfidf_classifier.intent_scores(classes, row)[label.split("/", 1)[0]]
        not_understood = confidence < fallback and classes[row.argmax()] == EMERGENCY
        routed.append(label == EMERGENCY or not_understood)
    return np.array(routed) | scores.pattern | (scores.detector >= threshold)


def table(scores: FoldScores, shipped: tuple[float, float], fallback: float) -> str:
    is_emergency = scores.gold == EMERGENCY
    lines = [f"{is_emergency.sum()} emergencies, {(~is_emergency).sum()} other routing examples",
             "", "| router min confidence | detector threshold | emergencies caught | "
             "false alarms |", "|---|---|---|---|"]
    for min_confidence in MIN_CONFIDENCES:
        for threshold in THRESHOLDS:
            flagged = decide(scores, min_confidence, threshold, fallback)
            mark = " (shipped)" if (min_confidence, threshold) == shipped else ""
            lines.append(f"| {min_confidence}{mark} | {'off' if threshold > 1 else threshold} | "
                         f"{(flagged & is_emergency).sum()} | {(flagged & ~is_emergency).sum()} |")
    return "\n".join(lines)


def main() -> int:
    started = time.monotonic()
    scores = score_folds(ROOT)
    settings = pipeline_settings(ROOT)
    print(table(scores, (settings.min_confidence, settings.threshold), settings.fallback))
    print(f"\n({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
