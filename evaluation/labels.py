"""Route-contract labels: from the held-out CSV, and derived from the NLU training data."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.settings import ROOT

if TYPE_CHECKING:
    from rasa.shared.nlu.training_data.training_data import TrainingData

HELDOUT = Path(__file__).with_name("heldout_tenth.csv")
# Intents that decide a route on their own (the rest come from retrieval keys or entities).
INTENT_ROUTES = {
    "emergency": ("emergency", ""),
    "find_front_counter": ("front_counter", "nearest"),
    "ask_counter_hours": ("front_counter", "opening_hours"),
    "request_human": ("handoff", "requested"),
    "out_of_scope": ("out_of_scope", ""),
}
RETRIEVAL_ROUTES = ("signpost", "police_contact", "complaint", "information")
REPORT = "report_crime"
# Intents that decide a first message's route (the rest answer questions or make small talk).
ROUTING_INTENTS = frozenset({*INTENT_ROUTES, *RETRIEVAL_ROUTES, REPORT})


@dataclass(frozen=True)
class Example:
    text: str
    route: str
    detail: str

    @property
    def label(self) -> str:
        return f"{self.route}/{self.detail}" if self.detail else self.route


def key(text: str) -> str:
    """A text as compared across sets and training data: spacing and case ignored."""
    return " ".join(text.split()).casefold()


def fine_label(example: Example) -> str:
    """The router's training label for a labelled first message (INTENT_ROUTES, reversed)."""
    for intent, (route, detail) in INTENT_ROUTES.items():
        if (example.route, example.detail) == (route, detail):
            return intent
    return example.label


def heldout(path: Path = HELDOUT) -> list[Example]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = csv.DictReader(handle)
        return [Example(r["text"], r["route"], r["route_detail"] or "") for r in rows]


def nlu_data(root: Path = ROOT) -> TrainingData:
    """The NLU training data as Rasa reads it for training (Rasa imported only when needed)."""
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_config(
        str(root / "config.yml"), str(root / "domain.yml"), [str(root / "data")]
    )
    return importer.get_nlu_data()


def training_examples(root: Path = ROOT) -> list[Example]:
    """The NLU training data with the route each example should lead to (routing intents only)."""
    from bot.nlu.tfidf_classifier import labelled_crime_type

    data = nlu_data(root)
    examples = []
    for message in data.intent_examples:
        intent, text = message.get("intent"), message.get("text")
        if intent in INTENT_ROUTES:
            examples.append(Example(text, *INTENT_ROUTES[intent]))
        elif intent in RETRIEVAL_ROUTES:
            key = message.get("intent_response_key") or ""
            examples.append(Example(text, intent, key.partition("/")[2]))
        elif intent == REPORT:
            crime_type = labelled_crime_type(message, data.entity_synonyms)
            examples.append(Example(text, REPORT, crime_type or "other"))
    return examples
