"""The cross-validation's model of a first message decides as the live stack does (rules, fallback
re-reading, safety net), so the settings it chooses are the ones that ship."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from evaluation.cv_folds import Fold, Settings, route_label
from evaluation.emergency_cv import FoldScores, decide
from evaluation.route_cv import NONE, alarm_sources, route_of, shipped

CLASSES = np.array(["emergency", "find_front_counter", "greet", "inform", "out_of_scope",
                    "report_crime/theft", "signpost/homelessness"])
SETTINGS = Settings(router={"request_intents": ["report_crime", "find_front_counter", "signpost",
                                                "out_of_scope"]},
                    min_confidence=0.2, threshold=0.5, fallback=0.08)


def fold(*probabilities: float, detector: float = 0.0) -> Fold:
    row = np.array(probabilities, dtype=float)
    scores = (CLASSES, row / row.sum())
    return Fold(scores, scores, detector, "")


@pytest.mark.parametrize(("label", "route"), [
    ("emergency", "emergency"), ("find_front_counter", "front_counter"),
    ("ask_counter_hours", "front_counter"), ("request_human", "handoff"),
    ("signpost/homelessness", "signpost"), ("report_crime/theft", "report_crime"),
    ("inform", NONE), ("greet", NONE),
])
def test_each_label_leads_to_its_route(label: str, route: str) -> None:
    assert route_of(label) == route


def test_the_baseline_learns_route_labels() -> None:
    assert route_label("find_front_counter") == "front_counter/nearest"
    assert route_label("emergency") == "emergency"
    assert route_label("signpost/homelessness") == "signpost/homelessness"


def test_a_confident_label_routes() -> None:
    assert shipped()("my bike was nicked", fold(0, 0, 0, 0, 0, 9, 1), False, SETTINGS) \
        == "report_crime"


def test_a_long_answer_to_nothing_is_read_again_as_its_best_request() -> None:
    out = fold(0, 1, 0, 6, 0.5, 3, 0)
    assert shipped()("outside the tesco on the high road", out, False, SETTINGS) \
        == "report_crime"
    assert shipped()("near Brixton", out, False, SETTINGS) == NONE


def test_a_reading_that_we_cannot_help_is_not_taken() -> None:
    out = fold(0, 0, 0, 6, 3, 1, 0)
    assert shipped()("what is the weather like", out, False, SETTINGS) == NONE


def test_chit_chat_gets_no_route_unless_asked_to_read_it_again() -> None:
    out = fold(0, 1, 6, 0, 0, 3, 0)
    assert shipped()("hello there my friend", out, False, SETTINGS) == NONE
    assert shipped(reread_all_chat=True)("hello there my friend", out, False, SETTINGS) \
        == "report_crime"


def test_an_unsure_emergency_gives_way_unless_the_net_catches_it() -> None:
    def unsure(detector: float = 0.0) -> Fold:
        return fold(0.19, 0.18, 0.13, 0.13, 0.13, 0.12, 0.12, detector=detector)

    assert shipped()("is the station open", unsure(), False, SETTINGS) == "front_counter"
    assert shipped()("is the station open", unsure(), True, SETTINGS) == "emergency"
    assert shipped()("is the station open", unsure(0.6), False, SETTINGS) == "emergency"


def test_not_understood_with_danger_likeliest_is_an_emergency() -> None:
    flat = fold(*[1.0] * len(CLASSES))  # every label 1/7: under no confidence threshold here
    settings = Settings(SETTINGS.router, 0.2, 0.5, fallback=0.5)
    assert shipped()("help", flat, False, settings) == "emergency"  # argmax: first, emergency
    settings_off = Settings(SETTINGS.router, 0.2, 0.5, fallback=0.5, not_understood=False)
    assert shipped()("help", flat, False, settings_off) == NONE  # a short message not understood


def test_an_unsure_emergency_the_detector_backs_is_an_emergency() -> None:
    unsure = fold(0.19, 0.18, 0.13, 0.13, 0.13, 0.12, 0.12, detector=0.2)
    def floors(router: float, detector: float) -> Settings:
        return replace(SETTINGS, unsure_router_min=router, unsure_detector_min=detector)

    assert shipped()("is the station open", unsure, False, floors(0.15, 0.2)) == "emergency"
    # The detector, or the router, under its floor.
    for router, detector in ((0.15, 0.21), (0.2, 0.2)):
        assert shipped()("is the station open", unsure, False, floors(router, detector)) \
            == "front_counter"


def test_the_alarm_table_and_the_emergency_trade_off_read_the_same_checks() -> None:
    outputs = [fold(0.19, 0.18, 0.13, 0.13, 0.13, 0.12, 0.12, detector=0.6),  # the detector
               fold(0, 0, 0, 0, 0, 9, 1)]  # a pattern on a crime report: a false alarm
    pattern, gold = np.array([False, True]), np.array(["emergency", "report_crime"])
    table = alarm_sources(outputs, pattern, SETTINGS, gold)
    assert "| detector | 1 | 0 | 1 | 0 |" in table
    assert "| patterns | 0 | 1 | 0 | 1 |" in table
    assert "| router | 0 | 0 | 0 | 0 |" in table
    assert decide(FoldScores(gold, outputs, pattern), SETTINGS).tolist() == [True, True]
