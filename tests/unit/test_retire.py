"""Retiring a held-out set teaches the router what the set's labels say, and keeps the judging
sets' messages out of the training data."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

from bot.nlu.tfidf_classifier import training_label
from evaluation.cv_folds import route_label
from evaluation.labels import Example, fine_label, key, training_examples
from evaluation.retire import MARKUP, _is_judging, block
from evaluation.set_cv import Tally, tally


def test_every_route_label_maps_back_to_the_label_the_router_learns() -> None:
    labels = {e.label for e in training_examples()}
    for label in labels:
        route, _, detail = label.partition("/")
        assert route_label(fine_label(Example("x", route, detail))) == label


@pytest.mark.parametrize(("label", "learned"), [
    ("report_crime/theft", "report_crime/theft"),
    ("report_crime/other", "report_crime/other"),
    ("signpost/homelessness", "signpost/homelessness"),
    ("emergency", "emergency"),
])
def test_a_retired_block_is_read_by_rasa_as_its_label(label: str, learned: str) -> None:
    text = "\n".join(['version: "3.1"', "nlu:", *block(label, ["first message", "a second one"])])
    data = RasaYAMLReader().reads(text)
    examples = data.intent_examples
    assert [m.get("text") for m in examples] == ["first message", "a second one"]
    assert {training_label(m, data.entity_synonyms) for m in examples} == {learned}


def test_a_training_line_with_entity_markup_is_matched_by_its_plain_text() -> None:
    judging = {key("Is  Brixton police station OPEN")}
    assert _is_judging("      - is [Brixton](location) police station open\n", judging)
    assert _is_judging('      - is [Brixton]{"entity": "location"} police station open', judging)
    assert not _is_judging("      - is Brixton police station open today", judging)
    assert not _is_judging("  - intent: find_front_counter", judging)
    assert MARKUP.sub(r"\1", "[a](b) and [c]{d}") == "a and c"


def test_set_totals_count_emergencies_and_false_alarms() -> None:
    gold = ["emergency", "emergency", "signpost", "report_crime"]
    routes = ["emergency", "report_crime", "emergency", "report_crime"]
    total = tally(gold, routes) + Tally()
    assert (total.right, total.n, total.caught, total.emergencies) == (2, 4, 1, 2)
    assert (total.false_alarms, total.others) == (1, 2)
