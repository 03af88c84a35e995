"""Where first-message routing goes wrong, by 5-fold cross-validation: the assistant against the
TF-IDF baseline, and candidate changes to how a first message is routed.

The held-out sets only measure; changes are chosen here. Each fold trains, on the other four
fifths of the NLU data, what the pipeline trains (the router over every fine label, the emergency
detector) plus the baseline (routing examples only, route labels) and a router over routing
labels only. Every example of the fold's own fifth is then decided as a first message (no form
active) would be. Printed: route accuracy over routing examples, emergencies caught, false alarms,
and how many conversational examples of four words or more (an answer, a thank-you) a rule would
read again as a request, which is what widening the re-reading costs. Texts are never printed.

The assistant's decision, as the live stack makes it (bot/nlu, data/rules.yml, actions/routing.py):
the router's label (an unsure `emergency` gives way to the next), `nlu_fallback` under the
FallbackClassifier's threshold, then the safety net; an answer (`inform`) or a message not
understood, of four words or more, is read again as its best request unless that is out_of_scope;
any other conversational label (greet, thank, deny...) gets a reply and no route.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from joblib import Memory, Parallel, delayed
from sklearn.model_selection import StratifiedKFold

from actions.routing import REQUEST_MIN_WORDS as REREAD_MIN_WORDS
from bot.nlu import tfidf_classifier
from bot.nlu.danger import DangerCheck
from bot.nlu.safety_net import DETECTOR, EMERGENCY, NOT_EMERGENCY
from bot.settings import BUILD_DIR, ROOT
from evaluation import baseline
from evaluation.emergency_cv import FOLDS, Settings, _pipeline_settings
from evaluation.labels import INTENT_ROUTES, ROUTING_INTENTS, Example, nlu_data

NONE = "none"
# Out-of-fold outputs depend only on the data and the router's config: cached, so trying a new
# decision rule takes seconds, not ten minutes.
CACHE = Memory(BUILD_DIR / "cv_cache", verbose=0)


def route_of(label: str) -> str:
    """The route a fine label (or plain intent) leads to on a first message."""
    base = label.split("/", 1)[0]
    if base in INTENT_ROUTES:
        return INTENT_ROUTES[base][0]
    return base if base in ROUTING_INTENTS else NONE


def route_label(fine: str) -> str:
    """The baseline's label for a routing example: route/detail, as evaluation/labels.py."""
    base, _, detail = fine.partition("/")
    if base in INTENT_ROUTES:
        route, detail = INTENT_ROUTES[base]
        return f"{route}/{detail}" if detail else route
    return fine


@dataclass
class Fold:
    """Out-of-fold outputs for one example."""

    router: tuple[np.ndarray, np.ndarray]
    routing_router: tuple[np.ndarray, np.ndarray]
    detector: float
    baseline: str


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
    out = []
    rows = router.predict_proba(texts[test])
    routing_rows = routing_router.predict_proba(texts[test])
    detector_p = detector.predict_proba(texts[test])[:, column]
    base_labels = base.predict(texts[test])
    for k, index in enumerate(test):
        out.append((index, Fold((router.classes_, rows[k]),
                                (routing_router.classes_, routing_rows[k]),
                                float(detector_p[k]), str(base_labels[k]))))
    return out


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


def score_folds() -> tuple[np.ndarray, np.ndarray, list[Fold], np.ndarray, Settings]:
    texts_list, fine_list = tfidf_classifier.training_set(nlu_data(ROOT))
    texts, fine = np.array(texts_list, dtype=object), np.array(fine_list)
    bases = np.array([label.split("/", 1)[0] for label in fine])
    routing = np.isin(bases, sorted(ROUTING_INTENTS))
    settings = _pipeline_settings(ROOT)
    outputs = _all_folds(texts, fine, bases, routing, settings.router)
    check = DangerCheck.load()
    pattern = np.array([bool(check.reasons(t)) for t in texts])
    return texts, fine, outputs, pattern, settings


# A rule: (text, the example's outputs, whether a pattern fired, settings) -> the route decided.
Rule = Callable[[str, Fold, bool, Settings], str]


def _alarms(scores: tuple[np.ndarray, np.ndarray], out: Fold, pattern: bool,
            settings: Settings) -> dict[str, bool]:
    """Which of the safety net's checks call a message an emergency (bot/nlu/safety_net.py),
    with `scores` as the router's output."""
    label, confidence, top = _decision(scores, settings)
    return {"patterns": pattern, "router": label == EMERGENCY,
            "detector": out.detector >= settings.threshold,
            "not understood": confidence < settings.fallback and top == EMERGENCY}


def _request_reading(classes: np.ndarray, row: np.ndarray, requests: list[str]) -> str:
    allowed = np.array([c.split("/", 1)[0] in requests for c in classes])
    return str(classes[np.flatnonzero(allowed)[row[allowed].argmax()]])


def _decision(scores: tuple[np.ndarray, np.ndarray], settings: Settings) -> tuple[str, float, str]:
    """A router's decided label, its confidence as the FallbackClassifier judges it, and its
    likeliest label (bot/nlu/tfidf_classifier.py)."""
    classes, row = scores
    label = tfidf_classifier.decide(classes, row, settings.min_confidence)
    confidence = tfidf_classifier.intent_scores(classes, row)[label.split("/", 1)[0]]
    return label, confidence, str(classes[row.argmax()])


def shipped(reread_all_chat: bool = False, routing_model: bool = False) -> Rule:
    """The live decision; `reread_all_chat` also reads greet/thank/deny... of 4+ words again as
    a request; `routing_model` takes the request reading from a router trained on routing
    labels only."""

    def rule(text: str, out: Fold, pattern: bool, settings: Settings) -> str:
        if any(_alarms(out.router, out, pattern, settings).values()):
            return EMERGENCY
        label, confidence, _ = _decision(out.router, settings)
        base = label.split("/", 1)[0]
        understood = confidence >= settings.fallback
        route = route_of(label)
        needs_reread = (not understood or base == "inform"
                        or (reread_all_chat and route == NONE))
        if not needs_reread:
            return route
        if len(text.split()) < REREAD_MIN_WORDS:
            return NONE
        if routing_model:
            r_classes, r_row = out.routing_router
            reading = tfidf_classifier.decide(r_classes, r_row, settings.min_confidence)
            if reading.split("/", 1)[0] == EMERGENCY:  # the net already said no
                reading = _request_reading(r_classes, r_row, settings.router["request_intents"])
        else:
            reading = _request_reading(*out.router, settings.router["request_intents"])
        return NONE if route_of(reading) == "out_of_scope" else route_of(reading)

    return rule


def routing_only(out: Fold, pattern: bool, settings: Settings) -> str:
    """Upper bound of a first-message router: the routing-only model's label, then the net."""
    if any(_alarms(out.routing_router, out, pattern, settings).values()):
        return EMERGENCY
    return route_of(_decision(out.routing_router, settings)[0])


def alarm_sources(outputs: list[Fold], pattern: np.ndarray, settings: Settings,
                  gold: np.ndarray) -> str:
    """Which of the shipped emergency checks raise each alarm, and which raise it alone."""
    alarms = [_alarms(out.router, out, hit, settings) for out, hit in zip(outputs, pattern)]
    fired = {name: np.array([a[name] for a in alarms]) for name in alarms[0]}
    is_emergency, other = gold == EMERGENCY, (gold != EMERGENCY) & (gold != NONE)
    lines = ["| check (shipped settings) | emergencies | false alarms | emergencies, this check "
             "alone | false alarms, this check alone |", "|---|---|---|---|---|"]
    for name, hits in fired.items():
        alone = hits & ~np.any([v for n, v in fired.items() if n != name], axis=0)
        lines.append(f"| {name} | {(hits & is_emergency).sum()} | {(hits & other).sum()} | "
                     f"{(alone & is_emergency).sum()} | {(alone & other).sum()} |")
    return "\n".join(lines)


def main() -> int:
    started = time.monotonic()
    texts, fine, outputs, pattern, settings = score_folds()
    gold = np.array([route_of(f) for f in fine])
    routing = gold != NONE
    chat_long = ~routing & np.array([len(t.split()) >= REREAD_MIN_WORDS for t in texts])
    variants: dict[str, Callable[[int], str]] = {
        "baseline (routing labels, top label)": lambda i: outputs[i].baseline.split("/", 1)[0],
        "assistant as shipped": lambda i: shipped()(texts[i], outputs[i], pattern[i], settings),
        "re-read any chat label of 4+ words": lambda i: shipped(True)(
            texts[i], outputs[i], pattern[i], settings),
        "re-read with a routing-only model": lambda i: shipped(False, True)(
            texts[i], outputs[i], pattern[i], settings),
        "both": lambda i: shipped(True, True)(texts[i], outputs[i], pattern[i], settings),
        "routing-only model decides (upper bound)": lambda i: routing_only(
            outputs[i], pattern[i], settings),
    }
    is_emergency = gold == EMERGENCY
    print(f"{routing.sum()} routing examples ({is_emergency.sum()} emergencies), "
          f"{chat_long.sum()} conversational examples of {REREAD_MIN_WORDS}+ words\n")
    print("| variant | route accuracy | emergencies caught | false alarms | no route | "
          "chat re-read as a request |")
    print("|---|---|---|---|---|---|")
    for name, decide in variants.items():
        routes = np.array([decide(i) for i in range(len(texts))])
        right = (routes == gold)[routing]
        caught = (routes == EMERGENCY)[is_emergency].sum()
        false_alarms = ((routes == EMERGENCY) & routing & ~is_emergency).sum()
        none = (routes == NONE)[routing].sum()
        reread = (routes != NONE)[chat_long].sum() if "baseline" not in name else "-"
        print(f"| {name} | {right.mean():.1%} | {caught} | {false_alarms} | {none} | {reread} |")
    print("\n" + alarm_sources(outputs, pattern, settings, gold))
    errors = Counter()
    for i in np.flatnonzero(routing):
        routed = shipped()(texts[i], outputs[i], pattern[i], settings)
        if routed != gold[i]:
            errors[(gold[i], routed)] += 1
    print("\nAssistant as shipped, most common (gold -> routed) errors:")
    for (want, got), n in errors.most_common(15):
        print(f"  {want} -> {got}: {n}")
    print(f"\n({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
