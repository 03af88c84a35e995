"""Out-of-fold outputs of the pipeline's models, shared by the cross-validation reports
(evaluation/emergency_cv.py, evaluation/route_cv.py) so `make eval` trains each fold once.

Each of 5 stratified folds trains, on the other four fifths of the NLU data, what the pipeline
trains (the router over every fine label, the emergency detector) plus the TF-IDF baseline
(routing examples only, route labels) and a router over routing labels only, and scores its own
fifth. The outputs depend only on the data and the router's config, so they are cached in
build/cv_cache: trying a new decision rule takes seconds, not ten minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from joblib import Memory, Parallel, delayed
from sklearn.model_selection import StratifiedKFold

from bot.nlu import tfidf_classifier
from bot.nlu.danger import DangerCheck
from bot.nlu.safety_net import DETECTOR, EMERGENCY, NOT_EMERGENCY, SafetyNet
from bot.settings import BUILD_DIR, ROOT
from evaluation import baseline
from evaluation.labels import INTENT_ROUTES, ROUTING_INTENTS, Example, nlu_data

FOLDS = 5
# The cache lives in the main process: joblib's cache inside worker processes wrote results
# that later failed to load.
CACHE = Memory(BUILD_DIR / "cv_cache", verbose=0)


@dataclass(frozen=True)
class Settings:
    """What config.yml ships: the router's config, its emergency min confidence, the detector
    threshold and the FallbackClassifier's threshold, whether a message not understood whose
    likeliest reading is an emergency raises the alarm, and the floors at which an unsure router
    emergency guess and the detector together raise it (over 1: off)."""

    router: dict
    min_confidence: float
    threshold: float
    fallback: float
    not_understood: bool = True
    unsure_router_min: float = 1.01
    unsure_detector_min: float = 1.01


def pipeline_settings(root: Path = ROOT) -> Settings:
    config = yaml.safe_load((root / "config.yml").read_text())
    parts = {step["name"].rsplit(".", 1)[-1]: step for step in config["pipeline"]}
    router = {**tfidf_classifier.TfidfIntentClassifier.get_default_config(),
              **parts["TfidfIntentClassifier"]}
    net = {**SafetyNet.get_default_config(), **parts["SafetyNet"]}
    return Settings(router, float(router["emergency_min_confidence"]),
                    float(net["detector_threshold"]),
                    float(parts["FallbackClassifier"]["threshold"]),
                    bool(net["when_not_understood"]), float(net["unsure_router_min"]),
                    float(net["unsure_detector_min"]))


@dataclass
class Fold:
    """Out-of-fold outputs for one example: the router's and the routing-only router's classes
    and probabilities, the detector's emergency probability, the baseline's label."""

    router: tuple[np.ndarray, np.ndarray]
    routing_router: tuple[np.ndarray, np.ndarray]
    detector: float
    baseline: str


@dataclass
class FoldData:
    """Every NLU example's text, fine label (bot/nlu/tfidf_classifier.training_label),
    out-of-fold outputs and whether a safety-net pattern fires, with the shipped settings."""

    texts: np.ndarray
    fine: np.ndarray
    outputs: list[Fold]
    pattern: np.ndarray
    settings: Settings

    @property
    def bases(self) -> np.ndarray:
        return np.array([label.split("/", 1)[0] for label in self.fine])


def route_label(fine: str) -> str:
    """The baseline's label for a routing example: route/detail, as evaluation/labels.py."""
    base, _, detail = fine.partition("/")
    if base in INTENT_ROUTES:
        route, detail = INTENT_ROUTES[base]
        return f"{route}/{detail}" if detail else route
    return fine


def _one_fold(texts: np.ndarray, fine: np.ndarray, routing: np.ndarray, train: np.ndarray,
              test: np.ndarray, router_config: dict) -> list[tuple[int, Fold]]:
    router = tfidf_classifier.build_pipeline(router_config).fit(texts[train], fine[train])
    train_routing = train[routing[train]]
    routing_router = tfidf_classifier.build_pipeline(router_config).fit(
        texts[train_routing], fine[train_routing])
    binary = np.where(fine[train] == EMERGENCY, EMERGENCY, NOT_EMERGENCY)
    detector = tfidf_classifier.build_pipeline(DETECTOR).fit(texts[train], binary)
    column = list(detector.classes_).index(EMERGENCY)
    examples = [Example(t, *route_label(f).partition("/")[::2]) for t, f in
                zip(texts[train_routing], fine[train_routing])]
    base = baseline.train(examples)
    rows = router.predict_proba(texts[test])
    routing_rows = routing_router.predict_proba(texts[test])
    detector_p = detector.predict_proba(texts[test])[:, column]
    base_labels = base.predict(texts[test])
    return [(index, Fold((router.classes_, rows[k]), (routing_router.classes_, routing_rows[k]),
                         float(detector_p[k]), str(base_labels[k])))
            for k, index in enumerate(test)]


@CACHE.cache
def _all_folds(texts: np.ndarray, fine: np.ndarray, bases: np.ndarray, routing: np.ndarray,
               router_config: dict) -> list[Fold]:
    """Every example's out-of-fold outputs (two folds at a time, one per core)."""
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=0)
    results = Parallel(n_jobs=2)(
        delayed(_one_fold)(texts, fine, routing, train, test, router_config)
        for train, test in folds.split(texts, bases))
    outputs: list = [None] * len(texts)
    for fold in results:
        for index, value in fold:
            outputs[index] = value
    return outputs


def score_folds(root: Path = ROOT) -> FoldData:
    texts_list, fine_list = tfidf_classifier.training_set(nlu_data(root))
    texts, fine = np.array(texts_list, dtype=object), np.array(fine_list)
    bases = np.array([label.split("/", 1)[0] for label in fine])
    routing = np.isin(bases, sorted(ROUTING_INTENTS))
    settings = pipeline_settings(root)
    # Only what training depends on keys the cache: a decision setting reuses the folds.
    trained = {key: settings.router[key] for key in tfidf_classifier.PIPELINE_KEYS}
    outputs = _all_folds(texts, fine, bases, routing, trained)
    check = DangerCheck.load()
    pattern = np.array([bool(check.reasons(t)) for t in texts])
    return FoldData(texts, fine, outputs, pattern, settings)
