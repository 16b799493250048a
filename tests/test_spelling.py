"""Spelling correction against a corpus's own words (no model)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.text.spelling import Speller

ANALYSIS = Path(__file__).resolve().parent.parent / "corpus" / "north-korea-russia-alliance.md"


@pytest.fixture(scope="module")
def speller() -> Speller:
    """A speller over the analysis."""
    return Speller([ANALYSIS.read_text(encoding="utf-8")])


def test_misspelled_words_are_corrected_against_the_corpus(speller: Speller) -> None:
    assert (speller.correct("Wat is the regonal impakt of the militery aspect?")
            == "What is the regional impact of the military aspect?")
    assert (speller.correct("What is the expected outcome of humanitarain aid?")
            == "What is the expected outcome of humanitarian aid?")


def test_a_misspelled_name_becomes_the_name_the_corpus_writes(speller: Speller) -> None:
    assert speller.correct("What does Rusia suply to North Korea?") == \
        "What does Russia supply to North Korea?"


def test_names_and_real_words_are_never_corrected_into_others(speller: Speller) -> None:
    # Iran is one edit from nothing the analysis writes, but Kim is one from "him", and
    # "grade" one from the analysis's "trade": each is a real word, kept as it is.
    for q in ("What does Iran supply to North Korea?",
              "What did Kim Jong Un say about the partnership?",
              "What grade does the aide give the embargo?",
              "What does NATO recommend for arms control?"):
        assert speller.correct(q) == q


def test_known_words_and_punctuation_are_kept(speller: Speller) -> None:
    q = "What is North Korea's military aspect (2019), and Russia’s?"
    assert speller.correct(q) == q
    assert speller.correct("") == ""


def test_casing_follows_the_word_replaced(speller: Speller) -> None:
    assert speller.correct("MILITERY") == "MILITARY"
    assert speller.correct("Militery aspect") == "Military aspect"


def test_a_word_is_not_corrected_into_a_name_nor_a_name_into_a_word(speller: Speller) -> None:
    # "Jong" is one edit from the analysis's "Long-Term"; "chine" one from its "China"
    assert speller.correct("What did Kim Jong Un say?") == "What did Kim Jong Un say?"
    assert speller.correct("What does the chine mean?") == "What does the chine mean?"
    # a rare real word stays, though a much commoner one is one typo away
    assert speller.correct("Who won the war?") == "Who won the war?"
