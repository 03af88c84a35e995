"""Where first-message routing goes wrong, by 5-fold cross-validation: the assistant against the
TF-IDF baseline, and candidate changes to how a first message is routed.

The held-out sets only measure; changes are chosen here. With the out-of-fold outputs of
evaluation/cv_folds.py (the router, the emergency detector, the baseline, a router over routing
labels only), every example is decided as a first message (no form active) would be. Printed:
route accuracy over routing examples, emergencies caught, false alarms, and how many
conversational examples of four words or more (an answer, a thank-you) a rule would read again
as a request, which is what widening the re-reading costs. Texts are never printed.

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

import numpy as np

from actions.routing import REQUEST_MIN_WORDS as REREAD_MIN_WORDS
from bot.nlu import tfidf_classifier
from bot.nlu.safety_net import EMERGENCY
from evaluation.cv_folds import Fold, Settings, score_folds
from evaluation.labels import INTENT_ROUTES, ROUTING_INTENTS

NONE = "none"


def route_of(label: str) -> str:
    """The route a fine label (or plain intent) leads to on a first message."""
    base = label.split("/", 1)[0]
    if base in INTENT_ROUTES:
        return INTENT_ROUTES[base][0]
    return base if base in ROUTING_INTENTS else NONE


# A rule: (text, the example's outputs, whether a pattern fired, settings) -> the route decided.
Rule = Callable[[str, Fold, bool, Settings], str]


def alarms(scores: tuple[np.ndarray, np.ndarray], out: Fold, pattern: bool,
            settings: Settings) -> dict[str, bool]:
    """Which of the safety net's checks call a message an emergency (bot/nlu/safety_net.py),
    with `scores` as the router's output."""
    label, confidence, top = _decision(scores, settings)
    return {"patterns": pattern, "router": label == EMERGENCY,
            "detector": out.detector >= settings.threshold,
            "not understood": (settings.not_understood and confidence < settings.fallback
                               and top == EMERGENCY),
            "unsure router + detector": (label != EMERGENCY and top == EMERGENCY
                                         and scores[1].max() >= settings.unsure_router_min
                                         and out.detector >= settings.unsure_detector_min)}


def _request_reading(classes: np.ndarray, row: np.ndarray, requests: list[str]) -> str:
    return tfidf_classifier.request_label(classes, row,
                                          tfidf_classifier.request_indices(classes, requests))


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
        if any(alarms(out.router, out, pattern, settings).values()):
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
    if any(alarms(out.routing_router, out, pattern, settings).values()):
        return EMERGENCY
    return route_of(_decision(out.routing_router, settings)[0])


def alarm_sources(outputs: list[Fold], pattern: np.ndarray, settings: Settings,
                  gold: np.ndarray) -> str:
    """Which of the shipped emergency checks raise each alarm, and which raise it alone."""
    raised = [alarms(out.router, out, hit, settings) for out, hit in zip(outputs, pattern)]
    fired = {name: np.array([a[name] for a in raised]) for name in raised[0]}
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
    data = score_folds()
    texts, fine, outputs, pattern, settings = (data.texts, data.fine, data.outputs, data.pattern,
                                               data.settings)
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
