"""The ranker's features that look beyond one claim: the sentence before it (where an
answer sentence often names its subject) and which candidate is first by a measure."""

from __future__ import annotations

from helpers import Chunks, ev, passage

from qa.answer.engine import candidates
from qa.answer.features import before, mark_tops
from qa.answer.question import analyze, ground

TOWER = passage("t1", "The Halden Tower stands on the north quay. It was finished in 1911 by "
                "the harbour board. Visitors climb it in summer.")
OTHER = passage("o1", "The harbour board also built a lighthouse on the south quay in 1890.")
CORPUS = Chunks([TOWER, OTHER])


def test_before_is_the_sentence_preceding_the_quoted_one() -> None:
    assert before(TOWER, "It was finished in 1911 by the harbour board.") == (
        "The Halden Tower stands on the north quay.")
    assert before(TOWER, "The Halden Tower stands on the north quay.") == ""
    assert before(TOWER, "… finished in 1911 …") == "The Halden Tower stands on the north quay."


def test_mark_tops_marks_every_candidate_tied_for_the_most() -> None:
    fs = [{"overlap": 0.5, "dense": 0.2}, {"overlap": 0.5, "dense": 0.6}, {"overlap": 0.1}]
    mark_tops(fs)
    assert [f["top:overlap"] for f in fs] == [1.0, 1.0, 0.0]
    assert [f["top:dense"] for f in fs] == [0.0, 1.0, 0.0]
    assert all(f["top:pairs"] == 0.0 for f in fs)  # nobody holds a pair: nobody is first


def test_a_sentence_naming_its_subject_only_before_gains_from_the_neighbour() -> None:
    evidence = [ev(TOWER, 1.0), ev(OTHER, 0.8)]
    q = ground(analyze("When was the Halden Tower finished?"), evidence)
    by_text = {c.claims[0].text: c.features for c in candidates(q, evidence, CORPUS)}
    answer = by_text["It was finished in 1911 by the harbour board."]
    assert answer["overlap_near"] > answer["overlap"]
    assert answer["top:overlap_near"] == 1.0
    lighthouse = by_text[OTHER.text]
    assert lighthouse["overlap_near"] == lighthouse["overlap"]  # first sentence: none before
