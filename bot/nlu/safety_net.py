"""Emergency safety net: checks that run on every message after the classifiers.

It never replaces the learned `emergency` intent; it adds to it. The intent becomes `emergency`,
with the reasons recorded on the message (`safety_net`) for the tracker and for triage, when
- the patterns in emergency_patterns.yml see present danger (a typo, slang, low confidence, a
  message in the middle of a form);
- the detector says so: a model trained for this one question (emergency or not, TF-IDF words and
  characters, logistic regression) whose probability is judged against `detector_threshold`.
  The router answers "which of ~70 labels?" and routes an unsure emergency guess elsewhere (see
  tfidf_classifier.py); both numbers are chosen together, recall first, from the table that
  evaluation/emergency_cv.py prints;
- the message was not understood (the FallbackClassifier's `nlu_fallback`) and the router's
  likeliest reading of it is still `emergency`: low confidence must never hide danger;
- the router's likeliest label is `emergency` but unsure (at least `unsure_router_min`, under the
  router's own `emergency_min_confidence`) and the detector weakly agrees (at least
  `unsure_detector_min`): two unsure models that agree. Alone, such a router guess was the largest
  source of false alarms, mostly past crimes told with dramatic words.
The patterns and the detector are stored in the model, so a model is self-contained.
"""

import hashlib
from pathlib import Path
from typing import Any, Dict, List, Optional

import joblib
import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME as FALLBACK
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.pipeline import Pipeline

from bot.nlu import tfidf_classifier
from bot.nlu.danger import PATTERNS_FILE, DangerCheck, load_spec
from bot.nlu.input_guard import FULL_TEXT

EMERGENCY = "emergency"
OUTPUT_KEY = "safety_net"
SPEC_FILE = "emergency_patterns.yml"
DETECTOR_FILE = "emergency_detector.joblib"
# Word and character TF-IDF, unweighted classes, no length features: on cross-validation over
# first messages, class weights and extra features each bought precision with missed emergencies.
DETECTOR = {"C": 10.0, "word_ngrams": [1, 2], "char_ngrams": [2, 4], "random_state": 1,
            "class_weight": None, "length_weight": 0.0}
NOT_EMERGENCY = "not_emergency"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True
)
class SafetyNet(GraphComponent):
    """Sets the intent to `emergency` when a message shows present danger."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"emergency_intent": EMERGENCY, "detector_threshold": 0.5,
                "when_not_understood": True, "unsure_router_min": 1.01,
                "unsure_detector_min": 1.01}

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        spec: Optional[Dict[str, Any]] = None,
        detector: Optional[Pipeline] = None,
    ) -> None:
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self._check = DangerCheck.from_dict(spec) if spec else None
        self._detector = detector

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        # Rasa reuses a cached trained component when its config and training data are
        # unchanged; the patterns and the code reading them are inputs too, or an edit to them
        # would ship the old patterns.
        digest = hashlib.sha256(PATTERNS_FILE.read_bytes())
        for code in ("danger.py", "tfidf_classifier.py", "safety_net.py"):
            digest.update(Path(__file__).with_name(code).read_bytes())
        return digest.hexdigest()

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SafetyNet":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        spec = load_spec(PATTERNS_FILE)
        DangerCheck.from_dict(spec)  # fail the training, not a live turn, on a bad pattern
        texts, labels = tfidf_classifier.training_set(training_data)
        wanted = self._config["emergency_intent"]
        binary = [wanted if label == wanted else NOT_EMERGENCY for label in labels]
        detector = tfidf_classifier.build_pipeline(DETECTOR).fit(texts, binary)
        with self._storage.write_to(self._resource) as directory:
            (directory / SPEC_FILE).write_text(yaml.safe_dump(spec), encoding="utf-8")
            joblib.dump(detector, directory / DETECTOR_FILE)
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "SafetyNet":
        with model_storage.read_from(resource) as directory:
            spec = yaml.safe_load((directory / SPEC_FILE).read_text(encoding="utf-8"))
            detector = joblib.load(directory / DETECTOR_FILE)
        return cls(config, model_storage, resource, spec, detector)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        if self._check is None:
            return messages
        for message in messages:
            text = message.get(FULL_TEXT) or message.get(TEXT)
            if not isinstance(text, str) or not text:
                continue
            reasons = self._check.reasons(text)
            probability = self.emergency_probability(message.get(TEXT) or "")
            if probability >= self._config["detector_threshold"]:
                reasons.append("detector")
            if self._config["when_not_understood"] and self._unsure_danger(message):
                reasons.append("not_understood")
            if self._unsure_agreement(message, probability):
                reasons.append("unsure_router_and_detector")
            if reasons:
                self._raise_flag(message, reasons)
        return messages

    def emergency_probability(self, text: str) -> float:
        """The detector's probability that `text` reports an emergency (0 without a detector)."""
        if self._detector is None or not isinstance(text, str) or not text.strip():
            return 0.0
        classes = list(self._detector.classes_)
        return float(self._detector.predict_proba([text])[0][classes.index(
            self._config["emergency_intent"])])

    @staticmethod
    def _best_reading(message: Message) -> Dict[str, Any]:
        """The router's likeliest intent, whatever was decided (the FallbackClassifier's aside)."""
        readings = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != FALLBACK]
        return max(readings, key=lambda r: r.get("confidence") or 0.0, default={})

    def _unsure_danger(self, message: Message) -> bool:
        """Not understood, and the likeliest reading is an emergency."""
        if (message.get(INTENT) or {}).get("name") != FALLBACK:
            return False
        return self._best_reading(message).get("name") == self._config["emergency_intent"]

    def _unsure_agreement(self, message: Message, probability: float) -> bool:
        """The router's likeliest reading is an unsure emergency the detector weakly backs."""
        wanted = self._config["emergency_intent"]
        if (message.get(INTENT) or {}).get("name") == wanted:
            return False  # the router was sure enough to decide it
        best = self._best_reading(message)
        return (best.get("name") == wanted
                and (best.get("confidence") or 0.0) >= self._config["unsure_router_min"]
                and probability >= self._config["unsure_detector_min"])

    def _raise_flag(self, message: Message, reasons: List[str]) -> None:
        wanted = self._config["emergency_intent"]
        intent = message.get(INTENT) or {}
        overridden = intent.get("name") != wanted
        message.set(
            OUTPUT_KEY,
            {"reasons": reasons, "overrode": intent.get("name") if overridden else None},
            add_to_output=True,
        )
        if overridden:
            flagged = {"name": wanted, "confidence": 1.0}
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != wanted]
            message.set(INTENT, flagged, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [flagged, *ranking], add_to_output=True)
