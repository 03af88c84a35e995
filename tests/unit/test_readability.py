"""Every response stays readable at a reading age of 9 to 11 (evaluation/readability.py)."""

import pytest

from evaluation import readability

RESPONSES = [
    (name, text) for name, texts in readability.responses().items() for text in texts
]


def test_every_response_was_found() -> None:
    names = {name for name, _ in RESPONSES}
    assert "utter_emergency" in names
    assert any(n.startswith("utter_signpost/") for n in names)


@pytest.mark.parametrize(("name", "text"), RESPONSES, ids=[n for n, _ in RESPONSES])
def test_response_reading_age_is_11_or_under(name: str, text: str) -> None:
    assert readability.grade(text) <= readability.MAX_GRADE, readability.prose(text)


def test_the_measure_can_fail() -> None:
    hard = ("Notwithstanding the aforementioned considerations, individuals experiencing "
            "victimisation are encouraged to contemporaneously document circumstances.")
    assert readability.grade(hard) > readability.MAX_GRADE
