"""Leave-one-set-out: how first-message routing generalises to people who never saw the data.

Random folds over the NLU data flatter whatever was tuned on it: examples written in one sitting
resemble each other. Here each fold is a whole set of first messages written blind by another
author (retired held-out sets, evaluation/retired/, named on the command line). For each set,
the models are trained as the pipeline trains them (bot/nlu) on the NLU data without any of the
sets ("data only": evaluation/retire.py has since added them to it) and on that plus the other
sets ("data + other sets"), and every message of the set is decided as the
live stack decides a first message (evaluation/route_cv.py's `shipped` rule), beside the TF-IDF
baseline. Printed: route accuracy, emergencies caught, false alarms; texts never.

    python -m evaluation.set_cv evaluation/retired/heldout_*.csv
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed

from bot.nlu import tfidf_classifier
from bot.nlu.danger import DangerCheck
from bot.nlu.safety_net import DETECTOR, EMERGENCY, NOT_EMERGENCY
from evaluation import baseline
from evaluation.cv_folds import CACHE, Fold, Settings, pipeline_settings, route_label
from evaluation.labels import ROUTING_INTENTS, Example, fine_label, heldout, key, nlu_data
from evaluation.route_cv import routing_only, shipped


@dataclass(frozen=True)
class Tally:
    right: int = 0
    n: int = 0
    caught: int = 0
    emergencies: int = 0
    false_alarms: int = 0
    others: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(*(a + b for a, b in zip(vars(self).values(), vars(other).values())))

    def cells(self) -> str:
        return (f"{self.right / self.n:.1%} | {self.caught}/{self.emergencies} | "
                f"{self.false_alarms}/{self.others} ({self.false_alarms / self.others:.1%})")


def tally(gold: list[str], routes: list[str]) -> Tally:
    pairs = list(zip(gold, routes))
    return Tally(
        right=sum(g == r for g, r in pairs), n=len(pairs),
        caught=sum(g == r == EMERGENCY for g, r in pairs),
        emergencies=sum(g == EMERGENCY for g in gold),
        false_alarms=sum(g != EMERGENCY and r == EMERGENCY for g, r in pairs),
        others=sum(g != EMERGENCY for g in gold))


def _outputs(texts: list[str], fine: list[str], test_texts: list[str],
             router_config: dict) -> list[Fold]:
    """Train what the pipeline trains (the router, the emergency detector), a router over routing
    labels only and the baseline, on `texts`; their outputs for each test message."""
    texts_a, fine_a = np.array(texts, dtype=object), np.array(fine)
    router = tfidf_classifier.build_pipeline(router_config).fit(texts_a, fine_a)
    routing = np.array([f.split("/", 1)[0] in ROUTING_INTENTS for f in fine])
    routing_router = tfidf_classifier.build_pipeline(router_config).fit(texts_a[routing],
                                                                         fine_a[routing])
    binary = np.where(fine_a == EMERGENCY, EMERGENCY, NOT_EMERGENCY)
    detector = tfidf_classifier.build_pipeline(DETECTOR).fit(texts_a, binary)
    base = baseline.train([Example(t, *route_label(f).partition("/")[::2])
                           for t, f in zip(texts_a[routing], fine_a[routing])])
    rows, routing_rows = router.predict_proba(test_texts), routing_router.predict_proba(test_texts)
    column = list(detector.classes_).index(EMERGENCY)
    detector_p = detector.predict_proba(test_texts)[:, column]
    return [Fold((router.classes_, row), (routing_router.classes_, routing_row), float(p), label)
            for row, routing_row, p, label in zip(rows, routing_rows, detector_p,
                                                   base.predict(test_texts))]


@CACHE.cache
def _all_outputs(jobs: list[tuple[list[str], list[str], list[str]]],
                 router_config: dict) -> list[list[Fold]]:
    """Every job's outputs, two fits at a time (cached in this process, as in cv_folds.py)."""
    return Parallel(n_jobs=2)(delayed(_outputs)(texts, fine, test, router_config)
                              for texts, fine, test in jobs)


# A decision: (text, outputs, whether a pattern fired, shipped settings) -> route.
Decision = Callable[[str, Fold, bool, Settings], str]


def variants() -> dict[str, Decision]:
    """The assistant as shipped, the settings next to it, and the baseline."""
    rule = shipped()

    def setting(**changes: object) -> Decision:
        return lambda text, out, hit, s: rule(text, out, hit, replace(s, **changes))

    return {
        "assistant as shipped": rule,
        "an unsure router emergency (0.3-0.5) alone raises it": setting(
            min_confidence=0.3, unsure_detector_min=1.01),
        "unsure router emergency backed by detector 0.1": setting(unsure_detector_min=0.1),
        "unsure router emergency backed by detector 0.2": setting(unsure_detector_min=0.2),
        "unsure router emergency backed by detector 0.3": setting(unsure_detector_min=0.3),
        "no unsure router emergency": setting(unsure_detector_min=1.01),
        "detector threshold 0.6": setting(threshold=0.6),
        "detector threshold 0.7": setting(threshold=0.7),
        "no detector": setting(threshold=1.01),
        "no 'not understood' alarm": setting(not_understood=False),
        "routing-only router decides (upper bound)": lambda text, out, hit, s: routing_only(
            out, hit, s),
        "baseline": lambda text, out, hit, s: out.baseline.split("/", 1)[0],
    }


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__)
        return 2
    started = time.monotonic()
    settings = pipeline_settings()
    sets = {Path(p).stem.removeprefix("heldout_"): heldout(Path(p)) for p in argv}
    in_sets = {key(e.text) for rows in sets.values() for e in rows}
    pairs = [(t, f) for t, f in zip(*tfidf_classifier.training_set(nlu_data()))
             if key(t) not in in_sets]
    data_texts, data_fine = [t for t, _ in pairs], [f for _, f in pairs]
    jobs = []
    for name, test in sets.items():
        others = [e for other, rows in sets.items() if other != name for e in rows]
        jobs.append((name, "data only", data_texts, data_fine, test))
        jobs.append((name, "data + other sets", data_texts + [e.text for e in others],
                     data_fine + [fine_label(e) for e in others], test))
    trained = {name: settings.router[name] for name in tfidf_classifier.PIPELINE_KEYS}
    fitted = _all_outputs([(texts, fine, [e.text for e in test])
                           for _, _, texts, fine, test in jobs], trained)
    check = DangerCheck.load()
    totals: dict[tuple[str, str], Tally] = {}
    print("| set | trained on | assistant: route, emergencies, false alarms | "
          "baseline: route, emergencies, false alarms |")
    print("|---|---|---|---|")
    for (name, trained_on, _, _, test), outputs in zip(jobs, fitted):
        gold = [e.route for e in test]
        hits = [bool(check.reasons(e.text)) for e in test]
        for variant, decide in variants().items():
            routes = [decide(e.text, out, hit, settings)
                      for e, out, hit in zip(test, outputs, hits)]
            totals[(variant, trained_on)] = totals.get((variant, trained_on), Tally()) + tally(
                gold, routes)
            if variant == "assistant as shipped":
                mine = tally(gold, routes)
            if variant == "baseline":
                print(f"| {name} | {trained_on} | {mine.cells()} | {tally(gold, routes).cells()} |")
    print("\n| decision | trained on | route | emergencies | false alarms |\n|---|---|---|---|---|")
    for (variant, trained_on), total in totals.items():
        print(f"| {variant} | {trained_on} | {total.cells()} |")
    print(f"\n({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
