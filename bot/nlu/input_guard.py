"""First pipeline step: make any text safe for the rest of the NLU pipeline.

People paste anything into a chat box: control characters, NUL bytes, a whole document. DIET's
transformer cost grows with the square of the token count, so an unbounded message could stall a
turn for everyone. This component strips control characters, collapses whitespace and caps the
length before tokenisation, and records on the message that it did so.
"""

import re
import unicodedata
from typing import Any, Dict, List, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

TRUNCATED = "input_truncated"
# When the text is cut, the safety net still screens this much of it for danger.
FULL_TEXT = "full_text"
SCREEN_CHARS = 20_000
_SPACES = re.compile(r"\s+")


def clean_text(text: str, max_chars: int) -> Tuple[str, bool]:
    """Returns the cleaned text and whether it was cut to `max_chars`."""
    # Drop control/format/unassigned characters (Cc, Cf, Cn, Co, Cs) but keep all letters and emoji.
    kept = "".join(
        ch if not unicodedata.category(ch).startswith("C") else " " for ch in text
    )
    cleaned = _SPACES.sub(" ", kept).strip()
    if len(cleaned) <= max_chars:
        return cleaned, False
    return cleaned[:max_chars].rsplit(" ", 1)[0] or cleaned[:max_chars], True


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False
)
class InputGuard(GraphComponent):
    """Cleans and bounds message text before tokenisation."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"max_chars": 1000}

    def __init__(self, config: Dict[str, Any]) -> None:
        self._max_chars = int(config["max_chars"])

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "InputGuard":
        return cls(config)

    def _guard(self, message: Message) -> None:
        text = message.get(TEXT)
        if not isinstance(text, str):
            return
        cleaned, truncated = clean_text(text, self._max_chars)
        message.set(TEXT, cleaned)
        if truncated:
            message.set(TRUNCATED, True, add_to_output=True)
            message.set(FULL_TEXT, clean_text(text, SCREEN_CHARS)[0])

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            self._guard(message)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._guard(message)
        return messages
