from bot.nlu.input_guard import clean_text


def test_control_characters_become_spaces_and_collapse() -> None:
    assert clean_text("help\x00me\x07 \n\t now", 100) == ("help me now", False)


def test_emoji_and_accents_are_kept() -> None:
    assert clean_text("vélo volé 🚲", 100) == ("vélo volé 🚲", False)


def test_long_text_is_cut_at_a_word_boundary() -> None:
    text, truncated = clean_text("stolen bike " * 500, 1000)
    assert truncated
    assert len(text) <= 1000
    assert text.endswith(("stolen", "bike"))


def test_one_huge_word_is_still_bounded() -> None:
    text, truncated = clean_text("a" * 5000, 1000)
    assert truncated and len(text) == 1000


def test_only_control_characters_gives_empty_text() -> None:
    assert clean_text("\x00\x01\x02", 10) == ("", False)
