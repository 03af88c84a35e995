"""The held-out sets measure what they claim: labels from the route contract, and no message the
assistant was trained on. Failures report counts, never texts, so a blind set stays blind."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import ROOT
from evaluation.labels import heldout, nlu_data, training_examples

SETS = sorted(ROOT.glob("evaluation/heldout_*.csv"))


@pytest.fixture(scope="module")
def training() -> tuple[set[str], set[str]]:
    """Every training text (any intent, answers and chit-chat too) and every route label."""
    texts = {m.get("text").casefold().strip() for m in nlu_data().intent_examples}
    return texts, {e.label for e in training_examples()}


def test_there_are_held_out_sets() -> None:
    assert len(SETS) >= 2


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.name)
def test_every_label_is_one_the_assistant_can_give(path: Path,
                                                   training: tuple[set[str], set[str]]) -> None:
    _, labels = training
    unknown = [e.label for e in heldout(path) if e.label not in labels]
    assert not unknown, f"{len(unknown)} labels outside the route contract: {sorted(set(unknown))}"


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.name)
def test_no_held_out_message_is_training_data(path: Path,
                                             training: tuple[set[str], set[str]]) -> None:
    texts, _ = training
    examples = heldout(path)
    assert len(examples) >= 300
    leaked = sum(e.text.casefold().strip() in texts for e in examples)
    assert leaked == 0, f"{leaked} of {len(examples)} held-out messages are in the training data"
