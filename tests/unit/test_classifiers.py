"""The router's and the safety net's learned parts, trained on small data made here."""

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.safety_net import SafetyNet
from bot.nlu.tfidf_classifier import TfidfIntentClassifier, training_set

NLU = """
version: "3.1"
nlu:
  - intent: emergency
    examples: |
      - a man is kicking my door in right now
      - my friend is not breathing
      - someone is attacking my mum now please come
      - there is a fire and people are trapped
  - intent: report_crime
    examples: |
      - my bike was [stolen](crime_type:theft) last week
      - I want to report a crime
  - intent: report_crime
    metadata:
      crime_type: fraud
    examples: |
      - a fake landlord took my deposit for a flat that does not exist
  - intent: report_crime
    examples:
      - text: |
          the online shop took my money and never sent the sofa
        metadata:
          crime_type: fraud
  - intent: signpost/lost_property
    examples: |
      - I left my phone on the bus
      - lost my wallet on the tube yesterday
"""


def _data():
    return RasaYAMLReader().reads(NLU)


def test_crime_type_comes_from_the_annotation_or_the_metadata() -> None:
    texts, labels = training_set(_data())
    by_text = dict(zip(texts, labels))
    assert by_text["my bike was stolen last week"] == "report_crime/theft"
    assert by_text["I want to report a crime"] == "report_crime/other"
    assert by_text["a fake landlord took my deposit for a flat that does not exist"] == \
        "report_crime/fraud"
    assert by_text["the online shop took my money and never sent the sofa"] == \
        "report_crime/fraud"
    assert by_text["I left my phone on the bus"] == "signpost/lost_property"


class _Stub:
    """A fitted pipeline's face: fixed classes and probabilities."""

    def __init__(self, classes: list[str], probabilities: list[float]) -> None:
        self.classes_ = np.array(classes)
        self._p = np.array([probabilities])

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        return self._p


@pytest.mark.parametrize(("p_emergency", "intent"), [(0.39, "report_crime"), (0.41, "emergency")])
def test_an_unsure_emergency_guess_routes_by_the_next_label(p_emergency: float,
                                                            intent: str) -> None:
    config = {**TfidfIntentClassifier.get_default_config(), "emergency_min_confidence": 0.4}
    # `emergency` is the best label either way; only its confidence differs.
    stub = _Stub(["emergency", "greet", "report_crime/theft"],
                 [p_emergency, 0.65 - p_emergency, 0.35])
    classifier = TfidfIntentClassifier(config, None, None, stub)  # type: ignore[arg-type]
    message = Message.build("they took my bike last night")
    classifier.process([message])
    assert message.get("intent")["name"] == intent
    ranking = message.get("intent_ranking")
    assert ranking[0]["name"] == intent
    assert ranking[0]["confidence"] == message.get("intent")["confidence"]
    assert {r["name"] for r in ranking} == {"emergency", "greet", "report_crime"}


def _trained_net(tmp_path: Path, threshold: float, **settings: Any) -> SafetyNet:
    config = {**SafetyNet.get_default_config(), "detector_threshold": threshold, **settings}
    tmp_path.mkdir(parents=True, exist_ok=True)
    storage = LocalModelStorage(tmp_path)
    net = SafetyNet(config, storage, Resource("safety_net"))
    resource = net.train(_data())
    return SafetyNet.load(config, storage, resource, None)  # type: ignore[arg-type]


def _classified(text: str, *ranking: tuple[str, float]) -> Message:
    """A message as the classifiers leave it: the first of `ranking` decided."""
    message = Message.build(text)
    readings = [{"name": name, "confidence": p} for name, p in ranking]
    message.set("intent", readings[0])
    message.set("intent_ranking", readings)
    return message


def _parsed(text: str, intent: str) -> Message:
    return _classified(text, (intent, 0.6))


def test_the_detector_raises_the_flag_at_its_threshold(tmp_path: Path) -> None:
    net = _trained_net(tmp_path, threshold=0.3)
    text = "someone is kicking my door in please come"
    assert net.emergency_probability(text) > net.emergency_probability("I left my wallet")
    flagged = _parsed(text, "report_crime")
    net.process([flagged])
    assert flagged.get("intent")["name"] == "emergency"
    assert "detector" in flagged.get("safety_net")["reasons"]
    assert flagged.get("safety_net")["overrode"] == "report_crime"
    calm = _parsed("lost my wallet on the bus", "signpost")
    net.process([calm])
    assert calm.get("intent")["name"] == "signpost"
    assert calm.get("safety_net") is None


def test_the_threshold_decides(tmp_path: Path) -> None:
    text = "my bike was stolen"
    strict = _trained_net(tmp_path / "strict", threshold=1.0)
    lenient = _trained_net(tmp_path / "lenient", threshold=0.0)
    assert 0.0 < strict.emergency_probability(text) < 1.0
    for net, intent in ((strict, "report_crime"), (lenient, "emergency")):
        message = _parsed(text, "report_crime")
        net.process([message])
        assert message.get("intent")["name"] == intent


def _not_understood(text: str, readings: list[tuple[str, float]]) -> Message:
    """As the FallbackClassifier leaves a message: `nlu_fallback` first, the router's readings
    after it."""
    return _classified(text, ("nlu_fallback", 0.92), *readings)


@pytest.mark.parametrize(("readings", "intent", "when_not_understood"), [
    ([("report_crime", 0.07), ("emergency", 0.19), ("greet", 0.05)], "emergency", True),
    ([("report_crime", 0.07), ("emergency", 0.19)], "nlu_fallback", False),
    ([("signpost", 0.07), ("emergency", 0.05)], "nlu_fallback", True),
])
def test_a_message_not_understood_whose_likeliest_reading_is_danger_is_an_emergency(
        tmp_path: Path, readings: list[tuple[str, float]], intent: str,
        when_not_understood: bool) -> None:
    # The detector alone never decides here.
    net = _trained_net(tmp_path, threshold=1.01, when_not_understood=when_not_understood)
    message = _not_understood("zzz qqq", readings)
    net.process([message])
    assert message.get("intent")["name"] == intent
    if intent == "emergency":
        assert message.get("safety_net")["reasons"] == ["not_understood"]


def _routed_past(text: str, emergency: float) -> Message:
    """As the router leaves a message whose unsure `emergency` guess gave way to the next label."""
    return _classified(text, ("report_crime", 0.2), ("emergency", emergency))


@pytest.mark.parametrize(("emergency", "detector_floor", "intent"), [
    (0.35, 0.0, "emergency"),      # unsure guess, detector floor met
    (0.35, 1.0, "report_crime"),   # the detector does not back it
    (0.25, 0.0, "report_crime"),   # under the router floor
    (0.15, 0.0, "report_crime"),   # not even the likeliest reading
])
def test_an_unsure_emergency_guess_raises_the_flag_only_when_the_detector_backs_it(
        tmp_path: Path, emergency: float, detector_floor: float, intent: str) -> None:
    net = _trained_net(tmp_path, threshold=1.01, unsure_router_min=0.3,
                       unsure_detector_min=detector_floor)
    message = _routed_past("zzz qqq", emergency)  # no pattern fires
    net.process([message])
    assert message.get("intent")["name"] == intent
    if intent == "emergency":
        assert message.get("safety_net")["reasons"] == ["unsure_router_and_detector"]
    else:
        assert message.get("safety_net") is None


def test_the_detectors_probability_meets_the_floor_or_not(tmp_path: Path) -> None:
    text = "my bike was stolen"  # no pattern fires
    probability = _trained_net(tmp_path, threshold=1.01).emergency_probability(text)
    assert 0.0 < probability < 1.0
    for floor, intent in ((probability - 1e-6, "emergency"), (probability + 1e-6, "report_crime")):
        net = _trained_net(tmp_path / str(floor), threshold=1.01, unsure_router_min=0.3,
                           unsure_detector_min=floor)
        message = _routed_past(text, 0.35)
        net.process([message])
        assert message.get("intent")["name"] == intent


def test_every_message_carries_its_best_reading_as_a_request() -> None:
    config = {**TfidfIntentClassifier.get_default_config(),
              "request_intents": ["report_crime", "signpost"]}
    stub = _Stub(["greet", "inform", "report_crime/theft", "signpost/lost_property"],
                 [0.5, 0.3, 0.05, 0.15])
    classifier = TfidfIntentClassifier(config, None, None, stub)  # type: ignore[arg-type]
    message = Message.build("hello I left my bag on the 38 bus this morning")
    classifier.process([message])
    assert message.get("intent")["name"] == "greet"
    reading = message.get("request_reading")
    assert reading["intent"] == {"name": "signpost", "confidence": 0.15}
    assert reading["intent_ranking"][0]["name"] == "signpost"
    selected = reading["response_selector"]["signpost"]["response"]
    assert selected["intent_response_key"] == "signpost/lost_property"
    assert selected["utter_action"] == "utter_signpost/lost_property"


@pytest.mark.parametrize(("label", "crime_type"), [
    ("report_crime/domestic_abuse", "domestic_abuse"), ("report_crime/other", "fraud")])
def test_the_models_crime_type_wins_over_a_crime_word_unless_it_says_other(
        label: str, crime_type: str) -> None:
    stub = _Stub([label, "greet"], [0.9, 0.1])
    classifier = TfidfIntentClassifier(TfidfIntentClassifier.get_default_config(), None, None,
                                       stub)  # type: ignore[arg-type]
    message = Message.build("he keeps my bank card and gives me 20 quid a week")
    word = {"entity": "crime_type", "value": "fraud", "start": 12, "end": 21,
            "extractor": "RegexEntityExtractor"}
    place = {"entity": "location", "value": "Brixton", "start": 0, "end": 1}
    message.set("entities", [word, place])
    classifier.process([message])
    types = [e["value"] for e in message.get("entities") if e["entity"] == "crime_type"]
    assert types == [crime_type]
    assert place in message.get("entities")
