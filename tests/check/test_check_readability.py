"""Readability scoring: textstat with the shipped CMU dictionary, never a download; grades move right."""

from __future__ import annotations

import pytest

from leaflet_builder.check import syllables
from leaflet_builder.check.prose import Sentence, split_sentences
from leaflet_builder.check.readability import measure


def _sentences(text: str) -> list[Sentence]:
    return [Sentence(s, 1, "", 0) for s in split_sentences(text)]


def _grade(text: str, plain: frozenset[str] = frozenset()) -> float:
    grade = measure(_sentences(text), plain).grade
    assert grade is not None
    return grade


def test_syllables_come_from_the_shipped_dictionary_without_any_download(monkeypatch) -> None:
    import nltk
    import textstat

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("textstat tried to download its dictionary at run time")

    monkeypatch.setattr(nltk, "download", refuse)
    monkeypatch.setattr(nltk.data, "find", lambda *a, **k: (_ for _ in ()).throw(LookupError()))
    syllables._textstat.cache_clear()
    textstat.backend.counts.count_syllables.cache_clear()
    textstat.backend.utils.get_cmudict.cache_clear()
    # "area" is 3 syllables in the CMU dictionary but 1 by hyphenation rules alone
    assert syllables.count_syllables("area") == 3
    assert syllables.count_syllables("idea", "en_US") == 3
    assert syllables.count_syllables("cat") == 1


def test_textstat_is_the_pinned_version_with_the_seam_we_patch() -> None:
    import importlib

    import textstat

    assert textstat.__version__ == (0, 7, 13)
    assert hasattr(importlib.import_module(syllables._SEAM), "get_cmudict")


def test_our_grade_is_textstats_flesch_kincaid_on_plain_sentences() -> None:
    import textstat

    text = ("The doctor will see you in the clinic next week. She will ask how you have been "
            "feeling since your last treatment. Bring a list of your medicines with you.")
    syllables._textstat()  # the shipped dictionary in place for textstat too
    expected = textstat.backend.metrics.flesch_kincaid_grade(text, "en_GB")  # unrounded
    assert _grade(text) == pytest.approx(expected, abs=0.01)


def test_grades_rise_with_longer_sentences_and_longer_words() -> None:
    easy = "You may feel tired. Rest when you can. Drink lots of water. Call us if you feel ill."
    longer = ("You may feel tired, so rest when you can and drink lots of water, and call us "
              "straight away if you feel ill or worried about anything.")
    harder = ("Fatigue frequently accompanies immunological treatment; consequently, "
              "individuals should prioritise recuperation, adequate hydration, and immediate "
              "communication regarding deteriorating symptoms.")
    assert _grade(easy) < _grade(longer) < _grade(harder)


def test_plain_terms_count_as_short_words() -> None:
    text = "Pembrolizumab and nivolumab are given as a drip. Ipilimumab is given the same way."
    plain = frozenset({"pembrolizumab", "nivolumab", "ipilimumab"})
    assert _grade(text, plain) < _grade(text) - 2


def test_smog_needs_thirty_sentences() -> None:
    assert measure(_sentences("A short one here. " * 29)).smog is None
    assert measure(_sentences("A short one here. " * 30)).smog is not None


def test_sentences_split_at_full_stops_but_not_after_abbreviations() -> None:
    assert split_sentences("Take it with food, e.g. toast. Then rest! Is it sore? (Tell us.) Ok") \
        == ["Take it with food, e.g. toast.", "Then rest!", "Is it sore?", "(Tell us.)", "Ok"]
