"""The ranker's features that look beyond one claim: the sentence before it (where an
answer sentence often names its subject) and which candidate is first by a measure."""

from __future__ import annotations

from helpers import Chunks, ev, passage

from qa.answer.engine import candidates
from qa.answer.features import (
    Measures,
    asked_names,
    before,
    generic,
    gives_asked,
    leads,
    mark_tops,
    sentence_before,
    stated_numbers,
    typed_near,
    values_in,
)
from qa.answer.match import nearest_share, shared, tokens_of, weighted_share, words_of
from qa.answer.question import analyze, ground
from qa.answer.types import Candidate, Claim
from qa.chunk import Chunk

TOWER = passage("t1", "The Halden Tower stands on the north quay. It was finished in 1911 by "
                "the harbour board. Visitors climb it in summer.")
OTHER = passage("o1", "The harbour board also built a lighthouse on the south quay in 1890.")
CORPUS = Chunks([TOWER, OTHER])


def test_before_is_the_sentence_preceding_the_quoted_one() -> None:
    assert before(TOWER, "It was finished in 1911 by the harbour board.") == (
        "The Halden Tower stands on the north quay.")
    assert before(TOWER, "The Halden Tower stands on the north quay.") == ""
    assert before(TOWER, "… finished in 1911 …") == "The Halden Tower stands on the north quay."


def test_sentence_before_reads_the_passage_text_alone() -> None:
    text = "Ships dock here. They unload grain. Trains take it inland."
    assert sentence_before(text, "They unload grain.") == "Ships dock here."
    assert sentence_before(text, "Ships dock here.") == ""  # the first has none before it
    assert sentence_before(text, "No such sentence.") == ""
    assert sentence_before(text, "") == ""


def test_values_in_reads_the_numbers_names_and_dates_a_text_writes() -> None:
    numbers, names, dates = values_in("In March 1911 the Halden Tower cost 4,500 crowns.")
    assert numbers == {"1911", "4,500"}
    assert names == {"March", "Halden", "Tower"}  # "In", the first word, is no name
    assert dates == {"March", "1911"}
    assert values_in("nothing here.") == (frozenset(), frozenset(), frozenset())


def test_mark_tops_marks_every_candidate_tied_for_the_most() -> None:
    fs = [{"overlap": 0.5, "dense": 0.2}, {"overlap": 0.5, "dense": 0.6}, {"overlap": 0.1}]
    mark_tops(fs)
    assert [f["top:overlap"] for f in fs] == [1.0, 1.0, 0.0]
    assert [f["top:dense"] for f in fs] == [0.0, 1.0, 0.0]
    assert all(f["top:pairs"] == 0.0 for f in fs)  # nobody holds a pair: nobody is first
    assert [f["rank:overlap"] for f in fs] == [1.0, 1.0, 1 / 3]  # two hold more than the last
    assert [f["rank:dense"] for f in fs] == [0.5, 1.0, 1 / 3]


def test_a_sentence_naming_its_subject_only_before_gains_from_the_neighbour() -> None:
    evidence = [ev(TOWER, 1.0), ev(OTHER, 0.8)]
    q = ground(analyze("When was the Halden Tower finished?"), evidence)
    by_text = {c.claims[0].text: c.features for c in candidates(q, evidence, CORPUS)}
    answer = by_text["It was finished in 1911 by the harbour board."]
    assert answer["overlap_near"] > answer["overlap"]
    assert answer["top:overlap_near"] == 1.0
    lighthouse = by_text[OTHER.text]
    assert lighthouse["overlap_near"] == lighthouse["overlap"]  # first sentence: none before


def test_nearest_share_counts_the_question_words_held_close_together() -> None:
    q = frozenset(tokens_of("Who repaired the old clock tower?"))
    close = tokens_of("The old clock tower was repaired by Anna Berg in the spring of that year.")
    apart = tokens_of("Repairs began in May; the town spent its money on roads and schools "
                      "before the tower got a new clock, an old one.")
    assert nearest_share(q, close, None, 4) == 1.0
    assert nearest_share(q, apart, None, 4) == 0.5
    assert nearest_share(q, apart, None, 60) == 1.0  # a window as long as the text: all of it
    assert nearest_share(q, (), None, 4) == 0.0


def _features(question: str, text: str, chunk=TOWER) -> dict[str, float]:
    evidence = [ev(chunk, 1.0), ev(OTHER, 0.8)]
    q = ground(analyze(question), evidence)
    cand = Candidate("sentence", (Claim(text, chunk, 1.0),), 0.0)
    return generic(q, cand, evidence, CORPUS)


def test_the_answer_kind_asked_for_meets_what_the_claim_newly_gives() -> None:
    dated = "It was finished in 1911 by the harbour board."
    assert _features("In what year was the Halden Tower finished?", dated)[
        "expects=date&date"] == 1.0
    assert _features("In what year was the Halden Tower finished?", "Visitors climb it in "
                     "summer.")["expects=date&date"] == 0.0
    # a year the question itself writes is no answer to it
    assert _features("What happened to the tower in 1911?", dated).get(
        "expects=date&date", 0.0) == 0.0
    assert _features("Who built the lighthouse?", OTHER.text, OTHER)[
        "expects=person&name"] == 0.0  # it names no one the question does not
    assert _features("How tall is the Halden Tower?", dated)["expects=number&number"] == 1.0


def test_a_place_gives_no_person_but_answers_where() -> None:
    who, where = analyze("Who built the lighthouse?"), analyze("Where was the lighthouse built?")
    assert who.expects == "person" and where.expects == "place"
    placed = "The lighthouse was built in Sweden by Dutch engineers."
    assert asked_names(who, placed) == frozenset()  # a country and a demonym: places
    assert asked_names(where, placed) == frozenset({"Sweden", "Dutch"})
    assert not gives_asked(who)(placed) and gives_asked(where)(placed)
    named = "The lighthouse was built in Sweden by Anna Berg."
    assert asked_names(who, named) == frozenset({"Anna", "Berg"})
    assert gives_asked(who)(named)


def test_the_asked_for_noun_of_a_which_phrase_in_the_claim() -> None:
    f = _features("Which board finished the Halden Tower?", "It was finished in 1911 by the "
                  "harbour board.")
    assert f["head"] == 1.0
    assert _features("Which board finished the Halden Tower?", "Visitors climb it in "
                     "summer.")["head"] == 0.0
    assert _features("Who finished the Halden Tower?", "It was finished in 1911 by the "
                     "harbour board.")["head"] == 0.0  # no wh-phrase: nothing to hold


def test_the_sentence_before_and_the_chunk_as_a_whole_are_measured() -> None:
    f = _features("When was the Halden Tower finished?", "It was finished in 1911 by the "
                  "harbour board.")
    assert f["dense_before"] == 0.7  # `ev` gives every unit the same similarity
    assert f["dense_chunk"] == 0.0
    first = _features("When was the Halden Tower finished?",
                      "The Halden Tower stands on the north quay.")
    assert first["dense_before"] == 0.0  # the first sentence has none before it


def test_the_ranker_prefers_the_sentence_giving_the_kind_of_answer_asked_for() -> None:
    # two sentences of one passage hold the question's words alike; only one gives a year
    mill = passage("m1", "The Osterby mill was rebuilt by the weavers' guild after a long "
                   "quarrel. The Osterby mill was rebuilt in 1887 with stone walls.")
    evidence = [ev(mill, 1.0), ev(OTHER, 0.5)]
    q = ground(analyze("In what year was the Osterby mill rebuilt?"), evidence)
    assert q.wh == "what" and q.expects == "date"  # no "when": the wh-phrase's noun says it
    best = candidates(q, evidence, Chunks([mill, OTHER]))[0]
    assert "1887" in best.claims[0].text


def test_typed_near_reads_whether_the_new_value_stands_by_the_question_words() -> None:
    q = analyze("When did the harbour board finish the Halden Tower?")
    # the year stands by "finished ... harbour board": the date of the asked thing
    by = typed_near(q, "The harbour board finished the tower in 1911.", "date", None, 4)
    # the year is of something else the sentence says, far from the question's words
    apart = typed_near(q, "The harbour board finished the Halden Tower after repairs that "
                       "went on for years while fishermen, merchants and many sailors of "
                       "the north quay waited, and ferries resumed in 1920.", "date", None, 4)
    assert by > apart
    assert apart == 0.0
    assert typed_near(q, "The harbour board finished the tower.", "date", None, 4) == 0.0
    # a year the question writes is what it asks about, not an answer
    asked = analyze("What did the harbour board finish in 1911?")
    assert typed_near(asked, "The harbour board finished the tower in 1911.", "date", None,
                      4) == 0.0
    # a month is a date's word; a number and a new name are read alike
    assert typed_near(q, "The harbour board finished it in March.", "date", None, 4) > 0
    assert typed_near(analyze("How many men did the board hire?"),
                      "The board hired 40 men.", "number", None, 4) == 0.75  # all but "many"
    who = analyze("Who designed the Halden Tower?")
    assert typed_near(who, "The Halden Tower was designed by Anna Berg.", "name", None, 4) > 0
    assert typed_near(who, "The Halden Tower was designed well.", "name", None, 4) == 0.0


def test_the_lead_sentence_of_a_document_section_and_passage() -> None:
    head = passage("h1", "The Halden Tower is a lighthouse. It stands on the quay.", "Tower")
    later = Chunk(id="h2", kind="passage", doc="a.md", section="Tower",
                  text="Its lamp was lit in 1911. Ships see it.", line_start=3, line_end=3,
                  char_start=60, char_end=100)
    other = Chunk(id="h3", kind="passage", doc="a.md", section="History",
                  text="The board met in 1890. It chose the site.", line_start=5, line_end=5,
                  char_start=120, char_end=160)
    corpus = Chunks([head, later, other])
    assert leads(head, "The Halden Tower is a lighthouse.", corpus) == (1.0, 1.0, 1.0)
    assert leads(head, "It stands on the quay.", corpus) == (0.0, 0.0, 0.0)
    assert leads(later, "Its lamp was lit in 1911.", corpus) == (0.0, 0.0, 1.0)
    assert leads(other, "The board met in 1890.", corpus) == (0.0, 1.0, 1.0)
    f = generic(analyze("What is the Halden Tower?"),
                Candidate("sentence", (Claim("The Halden Tower is a lighthouse.", head, 1.0),),
                          0.0), [ev(head, 1.0)], corpus)
    assert f["lead_doc"] == f["lead_section"] == f["lead_chunk"] == 1.0


# --- a list written in one sentence -------------------------------------------------------

PARTS = passage("r1", "The lens of the refractor was ground in York, its mount was cast in "
                "Leeds and its clock drive was built in Ashby. A crater was named after the "
                "refractor's maker in 1970.")
REVIEW = passage("r2", "This report reviews ridership, finances and service quality, and sets "
                 "out the programs the board approved.")
LISTS = Chunks([PARTS, REVIEW])


def _series_of(question: str, chunk: Chunk, text: str) -> float:
    q = analyze(question)
    cand = Candidate("sentence", (Claim(text, chunk, 1.0),), 0.0)
    return generic(q, cand, [ev(chunk, 1.0)], LISTS)["list&series_lead"]


def test_a_sentence_listing_items_after_the_question_s_words_is_a_list_claim() -> None:
    question = "Which towns made the parts of the refractor?"
    listing = _series_of(question, PARTS, "The lens of the refractor was ground in York, its "
                         "mount was cast in Leeds and its clock drive was built in Ashby.")
    single = _series_of(question, PARTS, "A crater was named after the refractor's maker in 1970.")
    assert listing > 0.1
    assert single == 0.0


def test_a_series_of_other_things_before_the_question_s_words_is_no_list_claim() -> None:
    text = REVIEW.text
    assert _series_of("Which programs did the board approve?", REVIEW, text) == 0.0


def test_only_a_list_question_reads_a_sentence_as_a_list() -> None:
    text = PARTS.text.split(". ")[0] + "."
    assert _series_of("Where was the lens of the refractor ground?", PARTS, text) == 0.0


def test_the_numbers_a_question_states_bare() -> None:
    q = analyze("Did revenue rise by 12% to $8,200 in 2019, three years on?")
    got = stated_numbers(q.numbers, q.years, q.text)
    assert {"12", "8,200", "2019", "three"} <= got
    assert not any(n.endswith(("%", ",", ".")) or n.startswith("$") for n in got)
    assert stated_numbers(q.numbers, q.years, q.text) is got  # once per question


def test_typed_near_is_the_best_share_of_the_runs_about_the_new_values() -> None:
    """Read from where the question's words stand, `typed_near` is the largest
    `weighted_share` of the question's words in the words within `width` of a new value."""
    q = analyze("When did the harbour board finish the historical Halden Tower?")
    text = ("The harbour board of Halden, historians say, finished the tower in 1911 and "
            "its histories were written in 1920 by the board's clerk in March.")
    idf = {"harbour": 2.0, "board": 1.0, "finish": 1.5, "tower": 0.5, "halden": 3.0}
    tokens = tokens_of(text)
    for width in (1, 2, 4, 8):
        spots = [i for i, t in enumerate(tokens) if t[:1].isdigit() or t == "march"]
        want = max(weighted_share(q.words, frozenset(tokens[max(0, i - width):i + width + 1]),
                                  idf) for i in spots)
        assert abs(typed_near(q, text, "date", idf, width) - want) < 1e-12


def test_novel_is_the_share_of_the_claim_s_words_shared_does_not_find() -> None:
    """`Measures.novel` reads each word against the question's prefixes: the same words as
    `shared(said, question.words)` finds."""
    q = ground(analyze("Which historians wrote of the harbour towers built in 1911?"),
               [ev(TOWER, 1.0)])
    m = Measures(q, [ev(TOWER, 1.0)], CORPUS)
    for text in ("The historical harbour tower was built in 1911 by a historian.",
                 "Histories of towns: tow, harb, harbourmaster, towering builders.",
                 "Nothing here.", ""):
        said = words_of(text)
        want = len(said - shared(said, q.words)) / len(said) if said else 0.0
        assert m.novel(said) == want, text


def test_measures_share_is_weighted_share() -> None:
    q = ground(analyze("Which historians wrote of the harbour towers built in 1911?"),
               [ev(TOWER, 1.0)])
    m = Measures(q, [ev(TOWER, 1.0)], CORPUS)
    for text in ("The historical harbour tower was built in 1911.", "Nothing here.", ""):
        said = words_of(text)
        assert m.share(said) == weighted_share(q.words, said, CORPUS.idf)
        assert m.found(said) is m.found(said)


def test_the_names_of_a_strategy_s_features_are_made_once() -> None:
    from qa.answer.features import PER_STRATEGY, _names

    got = _names("sentence:then", "fact", "who")
    assert got[:8] == ("s=sentence", "s=sentence:then", "ask=fact&s=sentence",
                       "ask=fact&number", "wh=who&number", "wh=who&name", "wh=who&date",
                       "wh=who&row")
    assert got[8] == tuple(f"sentence:then&{k}" for k in PER_STRATEGY)
    assert _names("sentence:then", "fact", "who") is got
