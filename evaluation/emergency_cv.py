"""How the emergency decision trades recall for false alarms, by 5-fold cross-validation.

The held-out sets only measure; settings are chosen here. Each fold trains the router and the
emergency detector exactly as the pipeline does (bot/nlu) on the other four fifths of the NLU
data, then decides every routing example of its own fifth as the pipeline would: the router's
best label (an `emergency` under `emergency_min_confidence` gives way to the next label), then the
safety net (patterns, the detector at `detector_threshold`, or a message the FallbackClassifier
would not understand whose likeliest reading is `emergency`). Printed: emergencies caught and
false alarms for the shipped settings and their neighbours. Texts are never printed.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from sklearn.model_selection import StratifiedKFold

from bot.nlu import tfidf_classifier
from bot.nlu.danger import DangerCheck
from bot.nlu.safety_net import DETECTOR, EMERGENCY, NOT_EMERGENCY
from bot.settings import ROOT
from evaluation.labels import ROUTING_INTENTS, nlu_data

FOLDS = 5
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


@dataclass(frozen=True)
class Settings:
    """What config.yml ships: the router's config, its emergency min confidence, the detector
    threshold and the FallbackClassifier's threshold."""

    router: dict
    min_confidence: float
    threshold: float
    fallback: float


def _pipeline_settings(root: Path) -> Settings:
    config = yaml.safe_load((root / "config.yml").read_text())
    parts = {step["name"].rsplit(".", 1)[-1]: step for step in config["pipeline"]}
    router = {**tfidf_classifier.TfidfIntentClassifier.get_default_config(),
              **parts["TfidfIntentClassifier"]}
    return Settings(router, float(router["emergency_min_confidence"]),
                    float(parts["SafetyNet"]["detector_threshold"]),
                    float(parts["FallbackClassifier"]["threshold"]))


def score_folds(root: Path = ROOT) -> FoldScores:
    texts_list, labels_list = tfidf_classifier.training_set(nlu_data(root))
    texts, labels = np.array(texts_list, dtype=object), np.array(labels_list)
    bases = np.array([label.split("/", 1)[0] for label in labels])
    router_config = _pipeline_settings(root).router
    router_out: list = [None] * len(texts)
    detector = np.zeros(len(texts))
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=0)
    for train, test in folds.split(texts, bases):
        router = tfidf_classifier.build_pipeline(router_config).fit(texts[train], labels[train])
        for index, row in zip(test, router.predict_proba(texts[test])):
            router_out[index] = (router.classes_, row)
        binary = np.where(labels[train] == EMERGENCY, EMERGENCY, NOT_EMERGENCY)
        model = tfidf_classifier.build_pipeline(DETECTOR).fit(texts[train], binary)
        column = list(model.classes_).index(EMERGENCY)
        detector[test] = model.predict_proba(texts[test])[:, column]
    check = DangerCheck.load()
    routing = np.flatnonzero(np.isin(bases, sorted(ROUTING_INTENTS)))
    return FoldScores(bases[routing], [router_out[i] for i in routing], detector[routing],
                      np.array([bool(check.reasons(texts[i])) for i in routing]))


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
    settings = _pipeline_settings(ROOT)
    print(table(score_folds(ROOT), (settings.min_confidence, settings.threshold),
                settings.fallback))
    print(f"\n({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
