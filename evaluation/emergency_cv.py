"""How the emergency decision trades recall for false alarms, by 5-fold cross-validation.

The held-out sets only measure; settings are chosen here. Each fold trains the router and the
emergency detector exactly as the pipeline does (bot/nlu) on the other four fifths of the NLU
data, then decides every routing example of its own fifth as the pipeline would: the router's
best label (an `emergency` under `emergency_min_confidence` gives way to the next label), then the
safety net (patterns, or the detector at `detector_threshold`). Printed: emergencies caught and
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

FOLDS = 5
# Intents that decide a first message's route (the rest answer questions or make small talk).
ROUTING = {"emergency", "report_crime", "signpost", "find_front_counter", "ask_counter_hours",
           "police_contact", "complaint", "information", "request_human", "out_of_scope"}
MIN_CONFIDENCES = (0.3, 0.35, 0.4, 0.5, 0.6)
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 1.01)  # 1.01: no detector


@dataclass
class FoldScores:
    """Per example, out of fold: the router's two best labels and probabilities, the detector's
    probability, and whether a pattern fired."""

    gold: np.ndarray
    first: np.ndarray
    second: np.ndarray
    p_first: np.ndarray
    detector: np.ndarray
    pattern: np.ndarray


def _pipeline_settings(root: Path) -> tuple[dict, float, float]:
    config = yaml.safe_load((root / "config.yml").read_text())
    parts = {step["name"].rsplit(".", 1)[-1]: step for step in config["pipeline"]}
    router = {**tfidf_classifier.TfidfIntentClassifier.get_default_config(),
              **parts["TfidfIntentClassifier"]}
    return (router, float(router["emergency_min_confidence"]),
            float(parts["SafetyNet"]["detector_threshold"]))


def score_folds(root: Path = ROOT) -> FoldScores:
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_config(
        str(root / "config.yml"), str(root / "domain.yml"), [str(root / "data")])
    texts_list, labels_list = tfidf_classifier.training_set(importer.get_nlu_data())
    texts, labels = np.array(texts_list, dtype=object), np.array(labels_list)
    bases = np.array([label.split("/", 1)[0] for label in labels])
    router_config, _, _ = _pipeline_settings(root)
    first, second = np.empty(len(texts), dtype=object), np.empty(len(texts), dtype=object)
    p_first, detector = np.zeros(len(texts)), np.zeros(len(texts))
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=0)
    for train, test in folds.split(texts, bases):
        router = tfidf_classifier.build_pipeline(router_config).fit(texts[train], labels[train])
        probabilities = router.predict_proba(texts[test])
        order = np.argsort(-probabilities, axis=1)
        first[test], second[test] = router.classes_[order[:, 0]], router.classes_[order[:, 1]]
        p_first[test] = probabilities[np.arange(len(test)), order[:, 0]]
        binary = np.where(labels[train] == EMERGENCY, EMERGENCY, NOT_EMERGENCY)
        model = tfidf_classifier.build_pipeline(DETECTOR).fit(texts[train], binary)
        column = list(model.classes_).index(EMERGENCY)
        detector[test] = model.predict_proba(texts[test])[:, column]
    check = DangerCheck.load()
    pattern = np.array([bool(check.reasons(text)) for text in texts])
    routing = np.isin(bases, sorted(ROUTING))
    return FoldScores(bases[routing], first[routing], second[routing], p_first[routing],
                      detector[routing], pattern[routing])


def decide(scores: FoldScores, min_confidence: float, threshold: float) -> np.ndarray:
    """True where the pipeline would route the message as an emergency."""
    unsure = (scores.first == EMERGENCY) & (scores.p_first < min_confidence)
    label = np.where(unsure, scores.second, scores.first)
    return (label == EMERGENCY) | scores.pattern | (scores.detector >= threshold)


def table(scores: FoldScores, shipped: tuple[float, float]) -> str:
    is_emergency = scores.gold == EMERGENCY
    lines = [f"{is_emergency.sum()} emergencies, {(~is_emergency).sum()} other routing examples",
             "", "| router min confidence | detector threshold | emergencies caught | "
             "false alarms |", "|---|---|---|---|"]
    for min_confidence in MIN_CONFIDENCES:
        for threshold in THRESHOLDS:
            flagged = decide(scores, min_confidence, threshold)
            mark = " (shipped)" if (min_confidence, threshold) == shipped else ""
            lines.append(f"| {min_confidence}{mark} | {'off' if threshold > 1 else threshold} | "
                         f"{(flagged & is_emergency).sum()} | {(flagged & ~is_emergency).sum()} |")
    return "\n".join(lines)


def main() -> int:
    started = time.monotonic()
    _, min_confidence, threshold = _pipeline_settings(ROOT)
    print(table(score_folds(ROOT), (min_confidence, threshold)))
    print(f"\n({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
