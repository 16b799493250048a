"""The text layer's word tokens: stems, British spellings, irregular forms read as lemmas."""

from __future__ import annotations

from qa.chunk import chunk_document
from qa.lexicon import Lexicon
from qa.parse import parse_document
from qa.text.tokens import irregular_lemma, stem, tokenize


def test_irregular_verb_and_noun_forms_stem_as_their_lemma() -> None:
    # The stemmer alone keeps these apart from the forms a question writes.
    for form, lemma in (("began", "begin"), ("built", "build"), ("won", "win"),
                        ("wrote", "write"), ("written", "write"), ("children", "child"),
                        ("women", "woman"), ("taught", "teach")):
        assert irregular_lemma(form) == lemma
        assert stem(form) == stem(lemma), form
    assert tokenize("Work began on the towers") == tokenize("work begin tower")


def test_forms_with_another_reading_or_a_regular_stem_stay_as_written() -> None:
    # "found" may be "find" or "found", "left" a direction, "largest" not "large";
    # regular forms already stem together; British spellings still fold.
    for word in ("found", "left", "fell", "born", "largest", "higher", "data"):
        assert irregular_lemma(word) is None, word
    assert irregular_lemma("walked") is None and stem("walked") == stem("walk")
    assert tokenize("programming programmes") == tokenize("programming programs")


def test_bm25_finds_the_past_tense_for_the_present_tense() -> None:
    doc = ("# Works\n\nConstruction was slowed by ice on the river in the winter.\n\n"
           "Work began on 3 April 1883 at the quay.\n")
    chunks = chunk_document(parse_document("works.md", doc), 60)
    scores = Lexicon.build(chunks).scores(tokenize("When did it begin?"))
    assert [c.text for c, s in zip(chunks, scores) if s > 0] == ["Work began on 3 April 1883 at the quay."]


def test_a_quarter_abbreviated_meets_the_quarter_written_out() -> None:
    # "Q2 2007" in a question, "second quarter" in a report: the same words to BM25 and
    # to the support check's names
    assert tokenize("revenue for Q2 2007") == tokenize("revenue for the second quarter of 2007")
    assert tokenize("1Q08") == tokenize("first quarter 2008")
