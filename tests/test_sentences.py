"""The series a sentence writes its items in (`qa.text.sentences.series`): how a list
question is answered by one sentence of prose."""

from __future__ import annotations

import pytest

from qa.text.sentences import series


@pytest.mark.parametrize("sentence, members, lead", [
    ("The main building has a transit room, a library, a computing room and the dome tower.",
     4, "The main building has a transit room, "),
    # parallel clauses, the verb left out of the later ones
    ("The lens was ground in York, its mount was cast in Leeds and its drive built in Ashby.",
     3, "The lens was ground in York, "),
    ("A cottage was added in 1874 and a magnetic hut in 1882.", 2,
     "A cottage was added in 1874 and "),
    # a conjunction inside a member ("Hobday and Sons") ends no series
    ("The architect was Greaves, the masonry was by Hobday and Sons, and the dome by Crewe.",
     3, "The architect was Greaves, "),
])
def test_a_series_counts_its_members_and_knows_its_lead(sentence: str, members: int,
                                                        lead: str) -> None:
    n, second = series(sentence)
    assert n == members
    assert sentence[:second] == lead


def test_a_sentence_that_joins_nothing_is_a_series_of_one() -> None:
    text = "A crater on the Moon was named after her in 1970."
    assert series(text) == (1, len(text))


def test_a_series_runs_within_one_sentence_or_clause() -> None:
    # the commas of the first sentence are no members of the second's series
    text = ("After the war, in 1919, the society struggled. Smoke dimmed the sky and the bank "
            "called in its loan.")
    n, second = series(text)
    assert n == 2
    assert text[:second].endswith("Smoke dimmed the sky and ")
