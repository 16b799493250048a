"""The answer engine: citation numbering, condensing, and the engine's choices on
hand-built evidence (no model; retrieval is a stand-in that returns the given evidence),
then answers with the real model over the analysis and over a second corpus the
answerer was not written for (tests/reports/), each checked claim by claim against the
chunk it cites."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

import pytest
from helpers import (
    ASPECT,
    FOCUS,
    IMPACT,
    Chunks,
    assert_abstains,
    assert_passage_claim_supported,
    assert_well_cited,
    ev,
    passage,
    row,
)

from qa.answer import (
    NOT_COVERED,
    Answer,
    Candidate,
    Citation,
    Claim,
    Evidence,
    answer,
    engine,
    support,
)
from qa.answer.cite import cite
from qa.answer.engine import candidates, hedge
from qa.answer.features import gives_asked
from qa.answer.match import words_of
from qa.answer.passages import (
    WINDOW_ASKED,
    condensed_list,
    item_text,
    window,
    without_connective,
)
from qa.answer.question import analyze, ground
from qa.answer.strategies.sentences import GATHERED, MAX_PIECES
from qa.answer.tables import cell_claim, reverse_claim
from qa.answer.types import Derivation, Operand
from qa.chunk import Chunk
from qa.service import QAService
from qa.text.tokens import tokenize

DOC = "north-korea-russia-alliance.md"

MILITARY = row(1, ASPECT, ("Military", "Enhances missile and defense tech",
                           "Modernizes forces, shares intelligence",
                           "Escalates arms build-up, increases tensions"), 2)
ECONOMIC = row(1, ASPECT, ("Economic", "Seeking resources, sanctions evasion",
                           "Energy exports, market expansion",
                           "Disrupts supply chains, pressures South Korea & Japan"), 1)
DIPLOMATIC = row(1, ASPECT, ("Diplomatic", "Leverages Russia’s UN veto power",
                             "Pushes anti-Western policies",
                             "Complicates multilateral negotiations"), 3)
SANCTIONS_IMPACT = row(2, IMPACT, ("Economic Sanctions", "Loopholes exploited",
                                   "Global sanction regimes weakened"), 3)
ARMS = row(3, FOCUS, ("Arms Control", "Renew strategic arms reduction talks",
                      "Lowered military buildup"), 1)
SANCTIONS_FOCUS = row(3, FOCUS, ("Economic Sanctions",
                                 "Coordinate targeted sanctions with humanitarian exemptions",
                                 "Pressure without civilian harm"), 2)
CYBER = row(3, FOCUS, ("Cybersecurity", "Develop joint cyber threat protocols",
                       "Reduced risk of digital escalation"), 3)
STAKEHOLDERS = passage("p-stake", "Diplomatic engagement must evolve with strategic clarity. "
                       "Stakeholders in the region-including South Korea, Japan, China, and the "
                       "US-face the daunting challenge of balancing deterrence with dialogue.")
COMPONENTS = passage("p-comp", "Key components of this alliance include:\n"
                     "- Energy cooperation: Russia supplies critical fuel and energy resources.\n"
                     "- Military coordination: Shared intelligence and joint training exercises.\n"
                     "- Diplomatic outreach: Coordinated positions in international forums.")
CORPUS = Chunks([ECONOMIC, MILITARY, DIPLOMATIC, SANCTIONS_IMPACT, ARMS, SANCTIONS_FOCUS, CYBER,
                 STAKEHOLDERS, COMPONENTS])


def given(*evidence: Evidence, by_text: dict[str, list[Evidence]] | None = None):
    """A retrieval stand-in (the engine's choices need exact evidence): the same evidence
    for every text, or the evidence of the first key the text contains."""
    def search(text: str) -> Sequence[Evidence]:
        for key, found in (by_text or {}).items():
            if key in text:
                return found
        return list(evidence)
    return search


def ask(question: str, *evidence: Evidence, **kw) -> Answer:
    """The engine's answer over the given evidence."""
    return answer(question, given(*evidence), CORPUS, **kw)


# --- citations ---------------------------------------------------------------------------


def test_cite_numbers_chunks_in_order_of_first_use_each_once() -> None:
    c = Candidate("s", (Claim("Stakeholders balance deterrence.", STAKEHOLDERS, 0.9),
                        Claim("Key components include energy.", COMPONENTS, 0.5),
                        Claim("Dialogue matters.", STAKEHOLDERS, 0.4)), 1.0)
    a = cite([c], "v7", "q?")
    assert a.answer == ("Stakeholders balance deterrence. [1] Key components include energy. [2] "
                        "Dialogue matters. [1]")
    assert [(c.n, c.chunk.id) for c in a.citations] == [(1, "p-stake"), (2, "p-comp")]
    assert a.citations[0].score == 0.9  # the first claim that cites a chunk gives its score
    assert a.grounded and a.version == "v7" and a.question == "q?"


def test_cite_marks_a_run_of_consecutive_sentences_of_one_passage_once() -> None:
    first, second = STAKEHOLDERS.text.split(". ", 1)
    run = Candidate("s", (Claim(first + ".", STAKEHOLDERS, 0.9),
                          Claim(second, STAKEHOLDERS, 0.8)), 1.0)
    assert cite([run], "v", "q?").answer == f"{first}. {second} [1]"
    # the same sentences the other way round are no run: each is cited where it stands
    back = Candidate("s", (Claim(second, STAKEHOLDERS, 0.8),
                           Claim(first + ".", STAKEHOLDERS, 0.9)), 1.0)
    assert cite([back], "v", "q?").answer == f"{second} [1] {first}. [1]"


def test_cite_joins_fragments_by_semicolons_and_keeps_highlights() -> None:
    c = Candidate("s", (Claim("For the Economic aspect, Russia: Energy exports, market expansion",
                              ECONOMIC, 0.8, (2,)),
                        Claim("For the Military aspect, Russia: Modernizes forces, shares "
                              "intelligence", MILITARY, 0.7, (2,))), 1.0)
    a = cite([c], "v", "q")
    assert a.answer == (
        "For the Economic aspect, Russia: Energy exports, market expansion [1]; "
        "For the Military aspect, Russia: Modernizes forces, shares intelligence [2]")
    assert [c.highlight for c in a.citations] == [(2,), (2,)]


def test_cite_closes_a_fragment_that_a_sentence_or_another_part_follows() -> None:
    cells = Claim("For the Economic aspect, Russia: Energy exports, market expansion",
                  ECONOMIC, 0.8, (2,))
    sentence = Claim("Russia supplies fuel.", COMPONENTS, 0.5)
    # a fragment beside a sentence: no "[1]; Russia ..." nor "[1] Russia ..." run-on
    mixed = cite([Candidate("s", (cells, sentence), 1.0)], "v", "q").answer
    assert mixed == ("For the Economic aspect, Russia: Energy exports, market expansion. [1] "
                     "Russia supplies fuel. [2]")
    sentence_first = cite([Candidate("s", (sentence, cells), 1.0)], "v", "q").answer
    assert sentence_first == ("Russia supplies fuel. [1] For the Economic aspect, Russia: "
                              "Energy exports, market expansion. [2]")
    # one part's fragment before the next part's claim
    parts = cite([Candidate("s", (cells,), 1.0),
                  Candidate("s", (Claim("For the Military aspect, Russia: Modernizes forces",
                                        MILITARY, 0.7, (2,)),), 1.0)], "v", "q").answer
    assert parts == ("For the Economic aspect, Russia: Energy exports, market expansion. [1] "
                     "For the Military aspect, Russia: Modernizes forces [2]")
    # a sentence that ends inside its closing quote is no fragment; an intro keeps its colon
    quoted = Claim("See the table under “Tables.”", STAKEHOLDERS, 0.5)
    intro = Claim("Key components of this alliance include:", COMPONENTS, 0.5)
    assert cite([Candidate("s", (quoted, intro, cells), 1.0)], "v", "q").answer == (
        "See the table under “Tables.” [1] Key components of this alliance include: [2] "
        "For the Economic aspect, Russia: Energy exports, market expansion. [3]")
    # nor is one that ends with the source's note mark after its full stop (quoted without)
    noted = Claim("Dialogue matters.[b]", STAKEHOLDERS, 0.5)
    assert cite([Candidate("s", (noted, cells), 1.0)], "v", "q").answer.startswith(
        "Dialogue matters. [1] For the Economic")
    # a claim that goes on from the one before it (lower-case) follows a semicolon
    states = Claim("the report states fuel: “Russia supplies fuel.”", COMPONENTS, 0.5)
    assert cite([Candidate("s", (cells, states), 1.0)], "v", "q").answer == (
        "For the Economic aspect, Russia: Energy exports, market expansion [1]; the report "
        "states fuel: “Russia supplies fuel.” [2]")


def test_cite_gives_a_hedge_of_one_passage_in_the_passage_s_order() -> None:
    first, second = STAKEHOLDERS.text.split(". ", 1)
    chosen = Claim(second, STAKEHOLDERS, 0.9)  # the ranker's pick, the passage's second
    hedged = Candidate("sentence", (chosen, Claim(first + ".", STAKEHOLDERS, 0.4)), 1.0,
                       features={"hedged": 1.0})
    a = cite([hedged], "v", "q?")
    assert a.answer == f"{first}. {second} [1]"  # read as the passage runs, cited once
    assert a.citations[0].score == 0.9  # the chosen claim still gives the citation's score
    # a hedge that opens with a pronoun does not go first
    it = passage("p-it", "It was founded in 1958. The trust collected 9,000 signatures.")
    leaning = Candidate("sentence", (Claim("The trust collected 9,000 signatures.", it, 0.9),
                                     Claim("It was founded in 1958.", it, 0.4)), 1.0,
                        features={"hedged": 1.0})
    assert cite([leaning], "v", "q?").answer == ("The trust collected 9,000 signatures. [1] It "
                                                 "was founded in 1958. [1]")
    # not hedged: the claims stand as chosen
    plain = replace(hedged, features={})
    assert cite([plain], "v", "q?").answer == f"{second} [1] {first}. [1]"


def test_cite_quotes_the_source_without_its_artefacts_and_cites_it_as_written() -> None:
    wiki = passage("p-wiki", "Chopin was born in 1810.[citation needed] He left Warsaw in "
                   "1830.[a] Jones writes, \"[t]he real mad dog\" lives on [her] street.")
    sentences = [Claim(t, wiki, 0.5) for t in ("Chopin was born in 1810.[citation needed]",
                                               "He left Warsaw in 1830.[a]")]
    a = cite([Candidate("s", tuple(sentences), 1.0)], "v", "q")
    assert a.answer == "Chopin was born in 1810. He left Warsaw in 1830. [1]"
    assert a.citations[0].chunk.text == wiki.text  # the citation stays the exact source
    # a bracket the source edits a quotation with, spaced off, or a transcription: kept
    for kept in ('Jones writes, "[t]he real mad dog" lives on [her] street.',
                 'Müller wrote: "[His] playing was always noble."',
                 "Chopin (French pronunciation: \u200b[ʃɔ.pɛ̃]) was born in 1810."):
        assert cite([Candidate("s", (Claim(kept, wiki, 0.5),), 1.0)], "v",
                    "q").answer == f"{kept} [1]"
    # a bullet glyph of a list flattened into a paragraph; a footnote's opening mark
    bullets = passage("p-bul", "Key changes were: • Cost of revenue increased 12%. "
                      "(1) Represents the write-off of spare parts.")
    a = cite([Candidate("s", (Claim("• Cost of revenue increased 12%.", bullets, 0.5),
                              Claim("(1) Represents the write-off of spare parts.", bullets,
                                    0.4)), 1.0)], "v", "q")
    assert a.answer == ("Cost of revenue increased 12%. Represents the write-off of spare "
                        "parts. [1]")
    # a row's footnote marks (label, header) and a full stop left alone by a dropped cell;
    # a figure in brackets is a figure
    header = ("", "2019 (1)", "2018")
    other = row(4, header, ("Other assets (1)", "(1)", "22,510"), 1)
    total = row(4, header, ("Total .", "$229,199", "$223,785"), 2)
    a = cite([Candidate("cell", (cell_claim(other, (1,), 0.5), cell_claim(total, (1,), 0.4)),
                        1.0)], "v", "q")
    assert a.answer == "For Other assets, 2019: (1) [1]; For Total, 2019: $229,199 [2]"
    assert a.citations[0].chunk.cells[0] == "Other assets (1)"
    # in a row's claim no lone full stop ends a sentence, a capital after it or not
    revenue = row(5, ("", "Quarters Ended"), ("Revenue .", "$13,428"), 1)
    assert cite([Candidate("cell", (Claim("Revenue . Quarters Ended: $13,428", revenue, 0.5),),
                           1.0)], "v", "q").answer == "Revenue Quarters Ended: $13,428 [1]"


def test_cite_follows_a_claim_that_introduces_what_follows_by_a_space() -> None:
    text = ("The decrease was primarily due to: a $572 million decrease in Blizzard net "
            "bookings; and lower net bookings from Hearthstone.")
    due = passage("p-due", text)
    intro = Claim("The decrease was primarily due to:", due, 0.5)
    item = Claim("a $572 million decrease in Blizzard net bookings …", due, 0.4)
    # of one passage: cited once, after what it introduces
    assert cite([Candidate("s", (intro, item), 1.0)], "v", "q").answer == (
        "The decrease was primarily due to: a $572 million decrease in Blizzard net bookings "
        "… [1]")
    # of two: each cited, but no semicolon after the colon
    other = Claim("a $572 million decrease in Blizzard net bookings …", STAKEHOLDERS, 0.4)
    assert cite([Candidate("s", (intro, other), 1.0)], "v", "q").answer == (
        "The decrease was primarily due to: [1] a $572 million decrease in Blizzard net "
        "bookings … [2]")


def test_a_hedge_that_opens_with_a_pronoun_comes_with_the_sentence_it_leans_on() -> None:
    text = ("The main restoration took place between 2004 and 2007. It cost £7.2 million. "
            "Visitors come daily.")
    dome = passage("p-dome", text)
    it = Claim("It cost £7.2 million.", dome, 0.4)
    chosen = Claim("Visitors come daily.", dome, 0.9)
    read = engine.with_antecedent(it, chosen, 400)
    assert read.text == "The main restoration took place between 2004 and 2007. It cost £7.2 million."
    # cited as the passage runs, once, the hedge first
    hedged = Candidate("sentence", (chosen, read), 1.0, features={"hedged": 1.0})
    assert cite([hedged], "v", "q").answer == f"{text} [1]"
    # the answer gives the sentence it leans on already; too little room; a cut sentence
    after = Claim("The main restoration took place between 2004 and 2007.", dome, 0.9)
    assert engine.with_antecedent(it, after, 400) is it
    assert engine.with_antecedent(it, chosen, 40) is it
    cut = Claim("… it cost £7.2 million.", dome, 0.4)
    assert engine.with_antecedent(cut, chosen, 400) is cut
    # nor a piece the sentence splitter cut off after an abbreviation
    opus = passage("p-op", "He wrote his Variations, Op. 2 (on an aria) for piano. He returned "
                   "to Warsaw in 1829. Visitors come daily.")
    returned = Claim("He returned to Warsaw in 1829.", opus, 0.4)
    assert engine.with_antecedent(returned, Claim("Visitors come daily.", opus, 0.9),
                                  400) is returned


def test_cite_highlights_the_cells_a_computation_read_and_keeps_its_value() -> None:
    operands = (Operand(MILITARY, 1, "4", Decimal(4)), Operand(MILITARY, 3, "1", Decimal(1)))
    d = Derivation("difference", operands, "4 - 1", Decimal(3))
    c = Candidate("arithmetic", (Claim("The difference is 3", MILITARY, 0.5, (0,)),), 1.0,
                  value=Decimal(3), derivation=d)
    a = cite([c], "v", "q")
    assert a.citations[0].highlight == (0, 1, 3)
    assert a.value == Decimal(3) and a.derivation is d


def test_cite_puts_a_preface_before_the_claims_and_plain_sentences_between() -> None:
    yes = Candidate("yesno", (Claim("Russia supplies fuel.", COMPONENTS, 0.5),), 1.0,
                    preface="Yes.")
    a = cite([yes, "On “why?”: The documents do not cover this."], "v", "q")
    assert a.answer == ("Yes. Russia supplies fuel. [1] On “why?”: The documents do not cover "
                        "this.")


# --- condensing ----------------------------------------------------------------------------


@pytest.mark.parametrize("intro, items, expected", [
    ("Key components include:",
     ["Energy cooperation: Russia supplies fuel.", "Military coordination: Shared intelligence."],
     "Key components include: Energy cooperation; Military coordination."),
    ("Key actions:", ["Enhancing intelligence-sharing.", "Establishing monitoring: in zones"],
     "Key actions: Enhancing intelligence-sharing; Establishing monitoring: in zones."),
    ("", ["Arms control: talks", "Cybersecurity: protocols"], "Arms control; Cybersecurity."),
    ("X:", ["An item that runs on for more than sixty characters before a colon: here", "b: c"],
     "X: An item that runs on for more than sixty characters before a colon: here; b: c."),
])
def test_condensed_list(intro: str, items: list[str], expected: str) -> None:
    assert condensed_list(intro, items) == expected


# A list written as one sentence: its items close with ";", "; and" and a full stop.
ONE_SENTENCE_LIST = ("Its principal instruments were:\n- the Tarrant refractor, installed in "
                     "1871;\n- a transit circle, used to keep the town's time; and\n"
                     "- a spectroscope lent by the Royal Society.")


def test_a_list_written_as_one_sentence_is_condensed_without_doubled_punctuation() -> None:
    intro, items = Chunk("c", "passage", "d.md", "", ONE_SENTENCE_LIST, 1, 4, 0, 0).list_parts()
    assert condensed_list(intro, items) == (
        "Its principal instruments were: the Tarrant refractor, installed in 1871; a transit "
        "circle, used to keep the town's time; a spectroscope lent by the Royal Society.")


@pytest.mark.parametrize("unit, expected", [
    (2, "The Tarrant refractor, installed in 1871."),
    (3, "A transit circle, used to keep the town's time."),
    (4, "A spectroscope lent by the Royal Society."),
])
def test_an_item_quoted_alone_reads_as_a_sentence(unit: int, expected: str) -> None:
    chunk = Chunk("c", "passage", "d.md", "", ONE_SENTENCE_LIST, 1, 4, 0, 0)
    assert item_text(chunk, unit) == expected
    assert_passage_claim_supported(expected, chunk)


def test_an_item_that_is_a_sentence_of_its_own_is_quoted_as_written() -> None:
    chunk = Chunk("c", "passage", "d.md", "", "- iPhone sales grew.\n- Margins fell", 1, 2, 0, 0)
    assert [item_text(chunk, u) for u in (1, 2)] == ["iPhone sales grew.", "Margins fell"]


LONG = ("Stakeholders in the region-including South Korea, Japan, China, and the US-face the "
        "daunting challenge of balancing deterrence with dialogue, which strains budgets, "
        "complicates planning, and unsettles markets across the wider region.")


def test_window_leaves_a_sentence_within_the_limit_alone() -> None:
    assert window(LONG, set(tokenize("What strains budgets?")), len(LONG)) == LONG


@pytest.mark.parametrize("question, wanted, starts_cut, ends_cut", [
    ("What strains budgets?", "which strains budgets …", True, True),  # no comma before …
    ("What unsettles markets?", "and unsettles markets across the wider region.", True, False),
    ("Who is in the region including South Korea?", "Stakeholders in the region-including", False,
     True),
])
def test_window_keeps_the_matching_clauses_and_marks_cuts(
        question: str, wanted: str, starts_cut: bool, ends_cut: bool) -> None:
    out = window(LONG, set(tokenize(question)), 80)
    assert wanted in out
    assert len(out) <= 80 + 4  # the window fits; the two marks are extra
    assert out.startswith("… ") == starts_cut and out.endswith(" …") == ends_cut
    assert out.strip("… ") in LONG  # a verbatim run of the sentence
    assert not re.search(r"[,;:] …$", out)  # a cut clause does not end on its comma


def test_window_keeps_the_value_the_question_asks_for() -> None:
    lead = ("Frédéric François Chopin (22 February or 1 March 1810 – 17 October 1849), born "
            "Fryderyk Franciszek Chopin, was a Polish composer and a virtuoso pianist of the "
            "Romantic era, who wrote primarily for the solo piano.")
    question = analyze("When was Chopin born?")
    words = set(tokenize(question.text))
    assert "1810" not in window(lead, words, 120)  # by the question's words: "born Fryderyk"
    out = window(lead, words, 120, gives_asked(question))
    assert "1810" in out and out.strip("… ") in lead
    assert gives_asked(analyze("Why did Chopin leave?")) is None  # no kind of value asked


def _window_plainly(sentence: str, q: set[str], limit: int, gives) -> str:
    """`window` as first written: every run's words read from its whole text."""
    if len(sentence) <= limit:
        return sentence
    clauses = re.split(r"(?<=[,;:])\s+", sentence)
    best, best_score = sentence[:limit], -1.0
    for a in range(len(clauses)):
        text = ""
        for b in range(a, len(clauses)):
            nxt = f"{text} {clauses[b]}".strip()
            if len(nxt) > limit - 2:
                break
            text = nxt
            if text.endswith(":"):
                continue
            score = len(q & words_of(text)) - 0.001 * len(text)
            if gives is not None and gives(text):
                score += WINDOW_ASKED
            if score > best_score:
                best, best_score = text, score
    prefix = "" if sentence.startswith(best) else "… "
    if sentence.endswith(best):
        return f"{prefix}{best}"
    return f"{prefix}{best.rstrip(',;:')} …"


@pytest.mark.parametrize("question", [
    "When was Chopin born?", "How many quarters, Q2 or Q4, did the centre report?",
    "Who is in the region including South Korea?", "What strains budgets?"])
@pytest.mark.parametrize("limit", [60, 90, 140])
def test_window_reads_each_clause_once_and_chooses_as_every_run_read_whole(
        question: str, limit: int) -> None:
    chopin = ("Frédéric François Chopin (22 February or 1 March 1810 – 17 October 1849), born "
              "Fryderyk Franciszek Chopin, was a Polish composer and a virtuoso pianist of the "
              "Romantic era, who wrote primarily for the solo piano.")
    quarters = ("Sales rose in Q2, quarter 4 and 1Q08, the harbour centre said; its colour, "
                "labour and defence programmes grew: by twelve percent, 3.5 million, in 2019.")
    q = analyze(question)
    words = set(tokenize(question))
    for text in (LONG, chopin, quarters):
        for gives in (None, gives_asked(q)):
            assert window(text, words, limit, gives) == _window_plainly(text, words, limit,
                                                                         gives)


def test_window_never_ends_on_a_clause_introducing_the_rest() -> None:
    listed = ("Key actions should include: enhancing intelligence-sharing among regional "
              "actors, establishing joint monitoring in contested zones, and promoting "
              "inclusive security dialogues.")
    out = window(listed, set(tokenize("Which policy recommendations?")), 80)
    assert out.strip("… ") in listed
    assert out.strip("… ").rstrip(":") != "Key actions should include"  # an item, not the lead


@pytest.mark.parametrize("text, expected", [
    ("Moreover, tailored strategies help.", "Tailored strategies help."),
    ("However, the grant ends.", "The grant ends."),
    ("In addition, fares rose.", "Fares rose."),
    ("In 2023, fares rose.", "In 2023, fares rose."),  # a time, not a connective
    ("Moreover the grant ends.", "Moreover the grant ends."),
    ("However, iPods can also play music.", "iPods can also play music."),  # not "IPods"
])
def test_no_answer_begins_with_a_dangling_connective(text: str, expected: str) -> None:
    assert without_connective(text) == expected


# --- the engine on hand-built evidence ------------------------------------------------------


def test_no_evidence_abstains_with_the_wording_given() -> None:
    a = ask("What is the population of Pyongyang?")
    assert a.answer == NOT_COVERED == "The documents do not cover this."
    assert not a.grounded and a.citations == () and a.to_dict()["citations"] == []
    other = ask("What is the population of Pyongyang?", not_covered="The analysis does not "
                "cover this.")
    assert other.answer == "The analysis does not cover this."


def test_the_answer_cites_only_the_chunks_it_uses() -> None:
    a = ask("What is the regional impact of the military aspect?",
            ev(MILITARY, 1.0), ev(ECONOMIC, 0.6), ev(STAKEHOLDERS, 0.5), ev(CYBER, 0.3))
    assert_well_cited(a)
    assert [c.chunk.id for c in a.citations] == [MILITARY.id]
    assert "Escalates arms build-up, increases tensions [1]" in a.answer
    assert a.citations[0].highlight == (3,)


def test_candidates_of_every_strategy_are_ranked_on_one_score() -> None:
    evidence = [ev(MILITARY, 1.0), ev(ECONOMIC, 0.6), ev(STAKEHOLDERS, 0.5)]
    q = ground(analyze("What is the regional impact of the military aspect?"), evidence)
    ranked = candidates(q, evidence, CORPUS)
    assert {c.strategy.split(":")[0] for c in ranked} >= {"cell", "sentence"}
    assert [c.score for c in ranked] == sorted((c.score for c in ranked), reverse=True)
    assert all("dense" in c.features and "overlap" in c.features for c in ranked)
    assert ranked[0].strategy == "cell"


def test_a_list_question_gets_the_ranker_s_best_pieces_gathered_in_reading_order() -> None:
    works = passage("p-works", "Work started in 2001. The dome was re-clad in copper. The "
                    "transit room became an exhibition hall. The cottage became a cafe.")
    evidence = [ev(works, 1.0)]
    q = ground(analyze("What works were done on the buildings?"), evidence)
    ranked = candidates(q, evidence, Chunks([works]))
    got = next(c for c in ranked if c.strategy == GATHERED)
    texts = [cl.text for cl in got.claims]
    assert 2 <= len(texts) <= MAX_PIECES
    places = [works.text.index(t) for t in texts]
    assert places == sorted(places)  # the passage's order, whatever the ranker's
    # a fact question gets no gathering
    fact = ground(analyze("When did work start?"), evidence)
    assert not any(c.strategy == GATHERED for c in candidates(fact, evidence, Chunks([works])))


def test_two_named_rows_are_both_answered_though_one_is_retrieved_first() -> None:
    # one row would answer only half: the ranker weighs the named rows it leaves out
    a = ask("How do the economic and military aspects differ in regional impact?",
            ev(MILITARY, 1.0), ev(ECONOMIC, 0.8), ev(STAKEHOLDERS, 0.5))
    assert_well_cited(a)
    assert {c.chunk.id for c in a.citations} == {MILITARY.id, ECONOMIC.id}
    assert "Disrupts supply chains" in a.answer and "Escalates arms build-up" in a.answer


@pytest.mark.parametrize("question, chunk, cell", [
    ("What is the long-term outlook for economic sanctions?", SANCTIONS_IMPACT,
     "Global sanction regimes weakened"),
    ("What is the recommended measure for economic sanctions?", SANCTIONS_FOCUS,
     "Coordinate targeted sanctions with humanitarian exemptions"),
])
def test_a_row_label_in_two_tables_is_decided_by_the_column(question: str, chunk: Chunk,
                                                            cell: str) -> None:
    for order in ([SANCTIONS_IMPACT, SANCTIONS_FOCUS], [SANCTIONS_FOCUS, SANCTIONS_IMPACT]):
        a = ask(question, ev(order[0], 1.0), ev(order[1], 0.9))
        assert [c.chunk.id for c in a.citations] == [chunk.id]
        assert f"{cell} [1]" in a.answer


def test_reverse_look_up_answers_the_row_label() -> None:
    a = ask("Which focus area is expected to reduce the risk of digital escalation?",
            ev(CYBER, 1.0), ev(ARMS, 0.3), ev(MILITARY, 0.2))
    assert "Cybersecurity" in a.answer
    assert a.citations[0].chunk.id == CYBER.id and 0 in a.citations[0].highlight


def test_a_multi_part_question_answers_each_part_from_its_own_retrieval() -> None:
    search = given(by_text={"military": [ev(MILITARY, 1.0), ev(ECONOMIC, 0.5)],
                            "cyber": [ev(CYBER, 1.0), ev(ARMS, 0.5)]})
    a = answer("What is the regional impact of the military aspect, and what is the expected "
               "outcome of cybersecurity?", search, CORPUS)
    assert_well_cited(a)
    assert [c.chunk.id for c in a.citations] == [MILITARY.id, CYBER.id]
    assert a.answer.index("Escalates arms build-up") < a.answer.index("digital escalation")


def test_a_part_the_documents_do_not_cover_is_said_not_dropped() -> None:
    search = given(by_text={"military": [ev(MILITARY, 1.0)], "weather": []})
    a = answer("What is the regional impact of the military aspect, and what is the weather "
               "in Seoul?", search, CORPUS)
    assert_well_cited(a)
    assert "Escalates arms build-up" in a.answer
    assert "On “What is the weather in Seoul?”: The documents do not cover this." in a.answer


FORUMS = passage("p-forums", "Strengthening existing institutions such as the United Nations "
                 "and the ASEAN Regional Forum can provide essential platforms for sustained "
                 "diplomatic engagement, enabling early identification of conflict triggers and "
                 "giving smaller states a voice in the negotiations that concern them.")
ECHOES = passage("p-echoes", "As the alliance gains renewed momentum, echoes of Cold War "
                 "divisions once thought to be confined to history are increasingly shaping the "
                 "geopolitical landscape of East Asia, from the Korean Peninsula to the Sea of "
                 "Japan, in ways that few observers expected a decade ago.")


def test_the_parts_of_a_question_share_one_answer_length() -> None:
    search = given(by_text={"divisions": [ev(ECHOES, 1.0)], "institutions": [ev(FORUMS, 1.0)]})
    question = ("Which historical divisions does the alliance revive, and which institutions "
                "should be strengthened?")
    alone = [answer(part, search, CORPUS).answer for part in
             ("Which historical divisions does the alliance revive?",
              "Which institutions should be strengthened?")]
    assert sum(map(len, alone)) > 400  # each part alone fits; together they would not
    a = answer(question, search, CORPUS)
    assert_well_cited(a)
    assert len(a.answer) <= 400
    assert "Cold War divisions" in a.answer and "United Nations" in a.answer
    assert [c.chunk.id for c in a.citations] == [ECHOES.id, FORUMS.id]


CONCLUSION = [passage("p-end1", "As the alliance gains momentum, echoes of Cold War divisions "
                      "are shaping East Asia. This partnership complicates efforts toward "
                      "denuclearization.", section="Analysis > To Conclude"),
              passage("p-end2", "Analysts will be watching how the alliance influences the "
                      "calculations of key players.", section="Analysis > To Conclude")]
SECTIONED = Chunks([*CONCLUSION, STAKEHOLDERS, COMPONENTS])


@pytest.mark.parametrize("question", ["What does the conclusion say?",
                                      "Summarize the conclusions."])
def test_a_question_naming_a_section_gets_its_leading_sentences(question: str) -> None:
    # retrieval brings the section's second passage only: the heading leads to the first
    a = answer(question, given(ev(CONCLUSION[1], 1.0), ev(STAKEHOLDERS, 0.9)), SECTIONED)
    assert_well_cited(a)
    assert a.answer.startswith("As the alliance gains momentum, echoes of Cold War")
    assert a.citations[0].chunk.id == CONCLUSION[0].id


DECLINE = [passage("p-dec1", "After the war the observatory struggled. Smoke from the mills of "
                   "the valley dimmed the sky, the society's membership fell from 412 in 1910 "
                   "to 96 in 1930, and the savings bank called in its loan in 1926. The "
                   "university took over the site in 1931 and used it for teaching, but its "
                   "astronomers preferred the new observatory at Malham Ridge.",
                   section="Observatory > Decline and closure"),
           passage("p-dec2", "The last observations were made in 1958. The buildings stood "
                   "empty for forty years.", section="Observatory > Decline and closure")]
DECLINING = Chunks([*DECLINE, STAKEHOLDERS])


def test_a_section_of_several_paragraphs_is_summarised_by_their_openings() -> None:
    # the first paragraph alone would fill the answer; the second's opening says how it ended
    a = answer("Summarize the decline and closure of the observatory.",
               given(ev(DECLINE[0], 1.0), ev(STAKEHOLDERS, 0.5)), DECLINING)
    assert_well_cited(a)
    assert a.answer.startswith("After the war the observatory struggled.")
    assert "The last observations were made in 1958." in a.answer
    assert len(a.answer) <= 400


def test_a_list_question_names_a_section_with_words_the_corpus_never_writes_set_aside() -> None:
    # "reasons" is no word of the corpus; "decline" is the heading's: the section answers
    a = answer("What were the reasons for the observatory's decline?",
               given(ev(STAKEHOLDERS, 1.0), ev(DECLINE[0], 0.9)), DECLINING)
    assert_well_cited(a)
    assert "Smoke from the mills of the valley dimmed the sky" in a.answer
    assert a.citations[0].chunk.id == "p-dec1"


RESEARCH = [passage("p-res0", "The Halden Observatory is a former observatory on the fell.",
                    section="Halden Observatory"),
            passage("p-res1", "Under its first director the observatory studied double stars. "
                    "Her assistants measured 2,600 pairs.",
                    section="Halden Observatory > Research"),
            passage("p-res2", "The observatory reopened in 2004 as a museum.",
                    section="Halden Observatory > Restoration")]
RESEARCHED = Chunks(RESEARCH)


def test_a_summary_names_a_section_with_words_the_corpus_never_writes_set_aside() -> None:
    # "done" stands in no heading (nor anywhere in the corpus), "Halden" in every one
    a = answer("Summarize the research done at Halden.",
               given(ev(RESEARCH[0], 1.0), ev(RESEARCH[2], 0.8), ev(RESEARCH[1], 0.7)),
               RESEARCHED)
    assert_well_cited(a)
    assert a.answer.startswith("Under its first director the observatory studied double stars.")
    assert a.citations[0].chunk.id == "p-res1"


TITLE = "Lakeside Transit Authority: Annual Report"
FINANCES = passage("p-fin", "Fare revenue reached $41.2 million. Operating costs rose by 6 "
                   "percent.", section=f"{TITLE} > Finances")
PROGRAMS = [row(7, ("Program", "Lead Department"), cells, r, doc="a.md") for r, cells in
            enumerate([("Electric Bus Conversion", "Fleet Services"),
                       ("Driver Academy", "Human Resources")], start=1)]
PROGRAMS = [replace(c, section=f"{TITLE} > Programs approved by the board") for c in PROGRAMS]
TRANSIT = Chunks([FINANCES, *PROGRAMS, STAKEHOLDERS])


def test_the_headings_above_a_section_count_for_its_topic() -> None:
    a = answer("Give an overview of the authority's finances.",
               given(ev(FINANCES, 1.0), ev(STAKEHOLDERS, 0.9)), TRANSIT)
    assert_well_cited(a)
    assert a.answer.startswith("Fare revenue reached $41.2 million. Operating costs")


def test_a_list_question_about_a_section_with_a_table_gets_its_items() -> None:
    a = answer("Which programs did the board approve?",
               given(ev(PROGRAMS[1], 1.0), ev(STAKEHOLDERS, 0.9)), TRANSIT)
    assert_well_cited(a)
    assert a.answer == "Electric Bus Conversion [1]; Driver Academy [2]"


def test_a_question_about_a_detail_of_a_section_is_no_question_about_the_section() -> None:
    a = answer("What does the conclusion say about Japan?",
               given(ev(CONCLUSION[1], 1.0), ev(STAKEHOLDERS, 0.9)), SECTIONED)
    assert not a.answer.startswith("As the alliance gains momentum")


def test_two_parts_answered_by_one_sentence_give_it_once() -> None:
    a = ask("Which countries are named as stakeholders, and what challenge do they face?",
            ev(STAKEHOLDERS, 1.0))
    assert_well_cited(a)
    assert a.answer.count("daunting challenge") == 1


def test_the_largest_of_a_column_and_items_the_question_names_needs_no_similarity() -> None:
    header = ("Route", "2021", "2022")
    routes = [row(7, header, cells, r, doc="t.md", caption="Annual trips by route:")
              for r, cells in enumerate([("Harbor Line", "4,210", "5,380"),
                                         ("Airport Shuttle", "1,120", "1,460")], start=1)]
    table = Chunks(routes)
    a = answer("Which route carried the fewest trips in 2021?",
               given(*(ev(c, 1.0, unit=0.2) for c in routes)), table)
    assert_well_cited(a)
    assert a.answer.startswith("Airport Shuttle (2021: 1,120)")
    # a thing the table does not list is no reading of it
    other = answer("Which ferry carried the fewest trips in 2021?",
                   given(*(ev(c, 1.0, unit=0.2) for c in routes)), table)
    assert not other.answer.startswith("Airport Shuttle")


def test_the_items_of_a_table_the_question_asks_of_need_no_similarity() -> None:
    header = ("", "2019", "2018")
    pay = [row(8, header, cells, r, doc="p.md", caption="Aggregate emoluments of the directors:")
           for r, cells in enumerate([("Salaries and fees", "4", "4"),
                                      ("Incentive schemes", "2", "3"),
                                      ("Other benefits", "1", "1"), ("", "7", "8")], start=1)]
    table = Chunks(pay)
    a = answer("What are the financial items listed in the table?",
               given(*(ev(c, 0.3, unit=0.0) for c in pay)), table)
    assert_well_cited(a)
    assert all(item in a.answer for item in ("Salaries and fees", "Incentive schemes",
                                             "Other benefits"))


def test_a_cell_answer_quotes_the_sentence_that_states_its_figure() -> None:
    header = ("", "2018", "2019")
    rows = [row(9, header, cells, r, doc="g.md", caption="Related party balances:")
            for r, cells in enumerate([("Amounts due to related parties", "169", "200"),
                                       ("Ship management creditors", "260", "1,111")], start=1)]
    said = passage("p-due", "Amounts due to related parties of $200 (December 31, 2018: $169) "
                   "are expenses paid by a related party on behalf of the Group.")
    other = passage("p-other", "Ship management creditors hold cash collected from a "
                    "customer.")
    corpus = Chunks([*rows, said, other])
    a = answer("What was the amount due to related parties in 2018?",
               given(ev(rows[0], 1.0), ev(said, 0.4, unit=0.1), ev(rows[1], 0.6), ev(other, 0.3)),
               corpus)
    assert_well_cited(a)
    assert a.answer.startswith("For Amounts due to related parties, 2018: 169")
    assert "$169" in a.answer  # the report's own words, with the unit
    assert [c.chunk.id for c in a.citations] == [rows[0].id, said.id]
    # a sentence that states no figure of the cell is not quoted
    b = answer("What was the amount due to ship management creditors in 2019?",
               given(ev(rows[1], 1.0), ev(other, 0.8)), corpus)
    assert [c.chunk.id for c in b.citations] == [rows[1].id]


def test_a_bare_follow_up_asks_what_it_refers_to() -> None:
    a = ask("And for Russia?", ev(MILITARY, 1.0), ev(ECONOMIC, 0.9))
    assert not a.grounded and a.citations == ()
    assert "earlier question" in a.answer and "Russia" in a.answer
    # after an earlier turn (which the service resolves it against) it is answered
    later = ask("And for Russia?", ev(MILITARY, 1.0), alone=False)
    assert "earlier question" not in later.answer


def test_a_yes_no_question_gets_a_verdict_only_when_stated() -> None:
    yes = ask("Does Russia supply critical fuel and energy resources?", ev(COMPONENTS, 1.0))
    assert_well_cited(yes)
    assert yes.answer.startswith("Yes. ")
    unstated = ask("Does Russia supply weapons to Japan?", ev(COMPONENTS, 1.0))
    assert not unstated.answer.startswith(("Yes", "No"))
    # every word but a name stated: the sentence says nothing of China, and a verdict on
    # it would be invented
    other = ask("Does China supply critical fuel and energy resources?", ev(COMPONENTS, 1.0))
    assert not other.answer.startswith(("Yes", "No"))
    # the row says the other change of what is asked ("increases tensions"): it states "No"
    eased = ask("Does the military aspect ease tensions?", ev(MILITARY, 1.0))
    assert eased.answer.startswith("No. ")
    assert_well_cited(eased)
    raised = ask("Does the military aspect raise tensions?", ev(MILITARY, 1.0))
    assert raised.answer.startswith("Yes. ")
    # a question as short as its name: the sentence that writes it states it
    named = ask("Is China mentioned in the analysis?", ev(STAKEHOLDERS, 1.0), ev(MILITARY, 0.5))
    assert_well_cited(named)
    assert named.answer.startswith("Yes. Stakeholders")


# --- JSON shape ----------------------------------------------------------------------------


def test_citation_to_dict_rows_carry_header_cells_and_highlight_passages_do_not() -> None:
    r = Citation(1, MILITARY, 0.1234567891, (3,)).to_dict()
    assert r["n"] == 1 and r["id"] == MILITARY.id and r["kind"] == "table_row"
    assert r["header"] == list(ASPECT) and r["cells"] == list(MILITARY.cells)
    assert r["highlight"] == [3] and r["score"] == 0.123457
    assert r["cells"][r["highlight"][0]] == "Escalates arms build-up, increases tensions"
    p = Citation(2, STAKEHOLDERS, 0.5).to_dict()
    assert p["n"] == 2 and p["kind"] == "passage" and p["text"] == STAKEHOLDERS.text
    for key in ("header", "cells", "highlight", "caption", "group", "table", "row"):
        assert key not in p


def test_answer_to_dict_is_json_ready() -> None:
    a = Answer("x [1]", True, (Citation(1, MILITARY, 0.5, (3,)),), "v2", "q?")
    d = json.loads(json.dumps(a.to_dict()))
    assert d == {"answer": "x [1]", "grounded": True, "question": "q?", "version": "v2",
                 "citations": [Citation(1, MILITARY, 0.5, (3,)).to_dict()]}


def test_the_checker_rejects_a_claim_the_row_does_not_hold() -> None:
    def one(text: str, chunk: Chunk) -> Answer:
        return cite([Candidate("s", (Claim(text, chunk, 1.0),), 1.0)], "v", "q")

    assert_well_cited(one("For the Military aspect, Regional Impact: Escalates arms build-up, "
                          "increases tensions", MILITARY))
    for text, chunk in [
        ("For the Military aspect, Regional Impact: Escalates nuclear war", MILITARY),
        ("For the Economic aspect, Regional Impact: Escalates arms build-up, increases tensions",
         MILITARY),
        ("Stakeholders include Russia and the US.", STAKEHOLDERS),
    ]:
        with pytest.raises(AssertionError):
            assert_well_cited(one(text, chunk))
    with pytest.raises(AssertionError):  # a marker that points nowhere
        assert_well_cited(Answer("Escalates arms build-up [2]", True,
                                 (Citation(1, MILITARY, 1.0),), "v", "q"))


# --- answers over the analysis, with the real model ---------------------------------------


def test_table_question_answers_the_military_regional_impact(service: QAService) -> None:
    a = service.ask("What is the regional impact of the military aspect?")
    assert_well_cited(a)
    assert "Escalates arms build-up, increases tensions [1]" in a.answer
    assert len(a.citations) == 1
    cited = a.citations[0].chunk
    assert cited.kind == "table_row" and cited.doc == DOC and cited.cells[0] == "Military"
    assert "Regional Impact" in [cited.header[j] for j in a.citations[0].highlight]


def test_economic_sanctions_rows_of_two_tables_are_told_apart(service: QAService) -> None:
    outlook = service.ask("What is the long-term outlook for economic sanctions?")
    measure = service.ask("What measure is recommended for economic sanctions?")
    for a in (outlook, measure):
        assert_well_cited(a)
        assert a.citations[0].chunk.cells[0] == "Economic Sanctions"
    assert "Global sanction regimes weakened" in outlook.answer
    assert "Coordinate targeted sanctions with humanitarian exemptions" in measure.answer
    assert outlook.citations[0].chunk.table != measure.citations[0].chunk.table


def test_stakeholders_question_cites_the_passage_naming_them(service: QAService) -> None:
    a = service.ask("Which stakeholders must balance deterrence with dialogue?")
    assert_well_cited(a)
    cited = a.citations[0].chunk
    assert cited.kind == "passage"
    for name in ("South Korea", "Japan", "China", "the US"):
        assert name in cited.text and name in a.answer


# Questions over the analysis (question, text the answer must hold, text the first cited
# chunk must hold).
ANALYSIS = [
    ("How does the military partnership affect the region?",
     "Escalates arms build-up, increases tensions", "Aspect: Military"),
    ("What is the military regional impact?",
     "Escalates arms build-up, increases tensions", "Aspect: Military"),
    pytest.param("What effect does the diplomatic cooperation have on the region?",
                 "Complicates multilateral negotiations", "Aspect: Diplomatic",
                 marks=pytest.mark.xfail(strict=True, reason=(
                     "ranker: the Diplomatic Engagement row (retrieved first; 'effect' names "
                     "its Short-Term Effect column) outranks the Diplomatic row, whose "
                     "Regional Impact the question paraphrases"))),
    ("What does Russia gain economically?", "Energy exports, market expansion",
     "Aspect: Economic"),
    ("What does North Korea leverage diplomatically?", "Leverages Russia’s UN veto power",
     "Aspect: Diplomatic"),
    ("Which aspect pushes anti-Western policies?", "Diplomatic", "Aspect: Diplomatic"),
    ("Which impact area sees loopholes exploited?", "Economic Sanctions", "Loopholes exploited"),
    ("Which focus area aims to stabilize vulnerable populations?", "Humanitarian Aid",
     "Stabilize vulnerable populations"),
    ("What is expected to result from joint cyber threat protocols?",
     "Reduced risk of digital escalation", "Focus Area: Cybersecurity"),
    ("What's the long-term outlook for diplomatic engagement?",
     "Potential stalemate in peace talks", "Impact Area: Diplomatic Engagement"),
    ("What is the short-term consequence for diplomatic engagement?",
     "Reduced trust in negotiations", "Impact Area: Diplomatic Engagement"),
    ("Which countries face the challenge of balancing deterrence with dialogue?",
     "South Korea, Japan, China, and the US", "balancing deterrence with dialogue"),
    ("What components make up the alliance?", "Military coordination", "Energy cooperation"),
    ("What does Russia supply to North Korea?", "critical fuel and energy resources",
     "Energy cooperation"),
    ("Which institutions should be strengthened?", "ASEAN Regional Forum", "United Nations"),
    ("What does the collaboration raise concerns about?", "nuclear proliferation",
     "arms trafficking"),
    ("What are the key parts of the North Korea-Russia alliance?",
     "Energy cooperation; Military coordination; Diplomatic outreach", "Energy cooperation"),
    ("Which focus area should lead to lowered military buildup?", "Arms Control",
     "Lowered military buildup"),
    ("Whom does the economic aspect put pressure on?", "South Korea & Japan", "Aspect: Economic"),
    ("What does failure to adapt diplomatic initiatives risk?",
     "igniting an arms race", "Failure to adapt diplomatic initiatives"),
    ("How is South Korea affected economically?", "pressures South Korea & Japan",
     "Aspect: Economic"),
    # a list of a table's items, each with the cell of the column the question names
    ("What are the short-term effects on diplomacy?",
     "Diplomatic Engagement: Reduced trust in negotiations", "Short-Term Effect"),
    ("What measures does the analysis recommend in its policy table?",
     "Cybersecurity: Develop joint cyber threat protocols", "Focus Area: Arms Control"),
    # new kinds: lists, summaries, yes/no, several parts
    ("What key actions should conflict prevention include?", "joint monitoring",
     "Enhancing intelligence-sharing"),
    ("Does Russia supply energy to North Korea?", "Yes.", "Energy cooperation"),
    ("What does the conclusion say?", "Cold War", "As the North Korea-Russia alliance gains"),
    (("What is the regional impact of the military aspect, and what does Russia push "
     "diplomatically?"), "Pushes anti-Western policies", "Aspect: Military"),
]


@pytest.mark.parametrize("question, answer_holds, cited_holds", ANALYSIS)
def test_answers_over_the_analysis(service: QAService, question: str, answer_holds: str,
                                   cited_holds: str) -> None:
    a = service.ask(question)
    assert_well_cited(a)
    assert answer_holds in a.answer
    assert cited_holds in a.citations[0].chunk.text


def test_a_part_answered_by_a_row_an_earlier_part_quoted_adds_only_its_new_cells(
        service: QAService) -> None:
    a = service.ask("How do North Korea and Russia cooperate militarily, and what does it "
                    "mean for the region?")
    assert_well_cited(a)
    assert [c.chunk.cells[:1] for c in a.citations] == [("Military",)]
    for cell in MILITARY.cells[1:]:
        assert a.answer.count(cell) == 1, a.answer


def test_a_multi_part_answer_cites_each_part(service: QAService) -> None:
    a = service.ask("What is the short-term effect on diplomatic engagement and what is its "
                    "long-term outlook?")
    assert_well_cited(a)
    assert "Reduced trust in negotiations" in a.answer
    assert "Potential stalemate in peace talks" in a.answer
    assert a.answer.count("Diplomatic Engagement") == 1, a.answer  # the row named once


def test_parts_answered_by_cells_of_one_row_read_as_one_claim() -> None:
    parts = [analyze("What is North Korea's military role?"), analyze("What is Russia's?"),
             analyze("What does Russia push diplomatically?")]
    north = Candidate("cell", (cell_claim(MILITARY, (1,), 0.8),), 1.0)
    russia = Candidate("cell", (cell_claim(MILITARY, (2,), 0.9),), 1.0)
    other = Candidate("cell", (cell_claim(DIPLOMATIC, (2,), 0.7),), 1.0)
    replies, kept = engine.joined_rows([north, russia, other], parts)
    assert [r.claims[0].text for r in replies] == [
        ("For the Military aspect, North Korea: Enhances missile and defense tech; Russia: "
        "Modernizes forces, shares intelligence"),
        "For the Diplomatic aspect, Russia: Pushes anti-Western policies"]
    assert replies[0].claims[0].highlight == (1, 2) and kept == [parts[0], parts[2]]
    # a row found by its value, then a cell of it: the cell joins the value's reading
    found = Candidate("reverse", (reverse_claim(SANCTIONS_FOCUS, 2, (), 0.8),), 1.0)
    measure = Candidate("cell", (cell_claim(SANCTIONS_FOCUS, (1,), 0.7),), 1.0)
    assert [r.claims[0].text for r in engine.joined_rows([found, measure], parts[:2])[0]] == [
        ("Focus Area: Economic Sanctions (Expected Outcome: Pressure without civilian harm); "
        "Recommended Measure: Coordinate targeted sanctions with humanitarian exemptions")]
    # a reply that is no row's cells as they read (a computation, a hedge) stays apart
    computed = replace(russia, value=Decimal(1))
    assert len(engine.joined_rows([north, computed], parts[:2])[0]) == 2


# Known misses of the fitted support check (README, "Abstention"): it is fitted for at most
# 5% false abstention on SQuAD and 3% on the analysis, where it refuses a fifth of the
# unanswerable questions; these it accepts.
CHECK_LENIENCY = "support check: {}"


@pytest.mark.parametrize("question", [
    "What is the population of Pyongyang?",
    pytest.param("What does China supply to North Korea?", marks=pytest.mark.xfail(
        strict=True, reason=CHECK_LENIENCY.format(
            "China is named in the analysis, not in Russia's supply sentence; the name "
            "signals weigh less than the sentence's similarity"))),
    "Who won the 2022 football World Cup?",
    "How many nuclear warheads does North Korea have?",
    "What is the GDP of North Korea?",
    "When was the alliance signed?",
    pytest.param("What is the capital of Russia?", marks=pytest.mark.xfail(
        strict=True, reason=CHECK_LENIENCY.format("a row naming Russia is similar enough"))),
    "What did Putin say at the summit?",
    "How many joint exercises were held in 2023?",
    "What is the weather in Seoul?",
])
def test_questions_the_analysis_does_not_answer_abstain(service: QAService,
                                                        question: str) -> None:
    assert_abstains(service.ask(question))


@pytest.mark.parametrize("question", [
    "Who won the 2022 football World Cup?",
    "How many nuclear warheads does North Korea have?",
    "What did Putin say at the summit?",
])
def test_abstention_holds_when_scoped_to_the_analysis(service: QAService,
                                                      question: str) -> None:
    assert_abstains(service.ask(question, [], DOC))


def test_scoped_table_question_answers_as_unscoped(service: QAService) -> None:
    q = "What is the regional impact of the military aspect?"
    assert service.ask(q, [], DOC).answer == service.ask(q).answer


def test_a_bare_follow_up_over_the_service_asks_what_it_refers_to(service: QAService) -> None:
    a = service.ask("And for Russia?")
    assert not a.grounded and a.citations == () and "earlier question" in a.answer


# --- answers over a second corpus (tests/reports/), with the real model -------------------

REPORT = [
    ("How many trips did the Riverside Loop carry in 2022?", "3,140", "Riverside Loop"),
    ("Which program aims to replace diesel buses with battery-electric models?",
     "Electric Bus Conversion", "Electric Bus Conversion"),
    ("Which route had the most trips in 2023?", "Harbor Line", "Harbor Line"),
    # the table's own reading: the question names its items (routes) and the column (2021)
    ("Which route carried the fewest trips in 2021?", "Airport Shuttle", "Airport Shuttle"),
    ("What were the main causes of delay?", "Road works", "Driver shortage"),
    # the section "Programs approved by the board" lists them in its table
    ("Which programs did the board approve?", "Fare Capping", "Program"),
    ("Give an overview of the authority's finances.", "38 percent", "Fare revenue"),
    ("Is the state operating grant guaranteed beyond 2024?", "No.", "not guaranteed"),
    ("Is the electric bus program funded by a federal grant?", "Yes.", "federal grant"),
    ("What is the standard adult fare and how much does the monthly pass cost?", "$90",
     "$2.50"),
    ("Why did operating costs rise?", "higher wages and diesel prices", "Operating costs rose"),
]


@pytest.mark.slow
@pytest.mark.parametrize("question, answer_holds, cited_holds", REPORT)
def test_answers_over_a_report_the_answerer_was_not_written_for(
        report_service: QAService, question: str, answer_holds: str, cited_holds: str) -> None:
    a = report_service.ask(question)
    assert_well_cited(a)
    assert answer_holds in a.answer
    assert any(cited_holds in c.chunk.text for c in a.citations)


# summaries over an article of prose whose sections the questions name in their own words
ARTICLE = [
    # "done" is no word of the article: the section "Research" is named all the same
    ("Summarize the research done at Calder Fell.", "double stars", "Under Pennyfeather"),
    # the section's two paragraphs each give their opening: how it struggled, how it ended
    ("Summarize the decline and closure of the observatory.", "1958", "First World War"),
    # a list question that names the section "Decline and closure" in its own words
    ("What were the reasons for the observatory's decline?", "savings bank", "First World War"),
]


@pytest.mark.slow
@pytest.mark.parametrize("question, answer_holds, cited_holds", ARTICLE)
def test_summaries_of_an_article_s_sections(article_service: QAService, question: str,
                                            answer_holds: str, cited_holds: str) -> None:
    a = article_service.ask(question)
    assert_well_cited(a)
    assert answer_holds in a.answer
    assert cited_holds in a.citations[0].chunk.text


# list and summary questions over a second article, each item of the answer cited
MINE = [
    # "who" asks for people: the sentence naming both founders
    ("Who founded the Ravensgill Mining Heritage Society?", ("Gillespie", "Pryce")),
    # a request "about" something asks for a summary: the wages, not the first sentence alone
    ("Tell me about the miners' wages.", ("£42",)),
    # the items of a sentence that lists them
    ("What do the volunteers do today?", ("tours", "archive")),
]


@pytest.mark.slow
@pytest.mark.parametrize("question, holds", MINE)
def test_lists_and_summaries_over_a_second_article(mine_service: QAService, question: str,
                                                   holds: tuple[str, ...]) -> None:
    a = mine_service.ask(question)
    assert_well_cited(a)
    for item in holds:
        assert item in a.answer


@pytest.mark.slow
def test_follow_ups_over_the_report(report_service: QAService) -> None:
    first = "How many trips did the Riverside Loop carry in 2023?"
    a = report_service.ask("And in 2021?", [("user", first), ("assistant", "3,390 [1]")])
    assert_well_cited(a)
    assert "2,730" in a.answer
    bare = report_service.ask("What about 2022?")
    assert not bare.grounded and bare.citations == ()


@pytest.mark.slow
@pytest.mark.parametrize("question", [
    pytest.param("Who is the mayor of Lakeside?", marks=pytest.mark.xfail(
        strict=True, reason=CHECK_LENIENCY.format(
            "the sentence on the city of Lakeside is similar enough; the fit gives the word "
            "the corpus never uses ('mayor') no weight, as SQuAD's unanswerable questions "
            "reuse their article's words"))),
    pytest.param("How many ferries does the authority run?", marks=pytest.mark.xfail(
        strict=True, reason=CHECK_LENIENCY.format(
            "since the refit on the merged engine (threshold 0.39) it accepts 'Total ridership "
            "rose to 18.4 million trips' for a count of ferries, a word the report never uses; "
            "a signal for an asked-for noun the corpus never writes was tried and fitted to 0 "
            "(SQuAD's unanswerable questions name things their article does speak of)"))),
])
def test_the_report_does_not_answer_what_it_does_not_say(report_service: QAService,
                                                         question: str) -> None:
    assert_abstains(report_service.ask(question))


def test_answers_never_begin_with_a_connective(service: QAService) -> None:
    a = service.ask("What should inform tailored conflict prevention strategies?")
    assert_well_cited(a)
    assert not re.match(r"(Moreover|However|Furthermore)\b", a.answer)
    assert "robust data analysis" in a.answer


# --- the hedge: a second sentence beside an unsure first -------------------------------

FIRST = passage("p-first", "The alliance was signed in Pyongyang in June 2024 by both "
                "leaders after a summit that lasted two days and drew wide attention from "
                "governments across the region and beyond, who read it as a turning point "
                "for the security order of East Asia and for the sanctions regime.")
SECOND = passage("p-second", "Observers in Seoul, Tokyo and Washington, who had followed "
                 "the talks closely for months, concluded that the treaty commits each side "
                 "to immediate military assistance if the other is attacked, a clause that "
                 "goes beyond anything the two states had agreed before, and that it will "
                 "shape the planning of every army in the region for years to come.")
HEDGED = Chunks([FIRST, SECOND])


def _sentence(chunk: Chunk, score: float) -> Candidate:
    return Candidate("sentence", (Claim(chunk.text, chunk, 1.0),), score)


def _hedged(question: str, unit: float) -> Candidate:
    """The hedge over the two passages, the first chosen as its best candidate (the
    ranker unsure of it: HEDGE above any probability)."""
    q = analyze(question)
    evidence = [ev(FIRST, 1.0), ev(SECOND, 0.9, unit)]
    chosen, second = _sentence(FIRST, 1.0), _sentence(SECOND, 0.9)
    return engine.hedge(q, chosen, [chosen, second], evidence, HEDGED, False)


def test_a_second_sentence_too_long_to_fit_whole_is_given_condensed(monkeypatch) -> None:
    monkeypatch.setattr(engine, "HEDGE", 1.01)
    monkeypatch.setattr(engine, "HEDGE_SUPPORT", 0.0)
    question = "What does the treaty commit each side to if the other is attacked?"
    assert len(FIRST.text) + len(SECOND.text) > 400  # the two do not fit whole
    monkeypatch.setattr(engine, "HEDGE_ROOM", 400)  # never condensed: no second sentence
    assert len(_hedged(question, 0.9).claims) == 1
    monkeypatch.setattr(engine, "HEDGE_ROOM", 40)
    got = _hedged(question, 0.9)
    assert [c.chunk.id for c in got.claims] == [FIRST.id, SECOND.id]
    second = got.claims[1].text
    assert "…" in second and "immediate military assistance" in second
    assert second.strip("… ") in SECOND.text
    assert len(cite([got], "v1", question).answer) <= 400


def test_a_second_sentence_the_check_refuses_needs_hedge_support(monkeypatch) -> None:
    monkeypatch.setattr(engine, "HEDGE", 1.01)
    monkeypatch.setattr(engine, "HEDGE_ROOM", 40)
    question = "Where was the alliance signed?"
    monkeypatch.setattr(engine, "HEDGE_SUPPORT", 0.0)  # any second sentence
    second = _hedged(question, 0.0).claims[1]
    assert second.chunk.id == SECOND.id
    # the second passage neither says it nor is like the question: the check refuses it
    refused = support.check(question, second, [ev(FIRST, 1.0), ev(SECOND, 0.9, 0.0)],
                            HEDGED, False)
    assert not refused.ok
    monkeypatch.setattr(engine, "HEDGE_SUPPORT", 1.01)  # only the check's own verdict
    assert len(_hedged(question, 0.0).claims) == 1
    monkeypatch.setattr(engine, "HEDGE_SUPPORT", refused.score)  # weak, but enough
    assert [c.chunk.id for c in _hedged(question, 0.0).claims] == [FIRST.id, SECOND.id]


def test_a_second_sentence_that_only_repeats_the_first_is_not_given(monkeypatch) -> None:
    monkeypatch.setattr(engine, "HEDGE", 1.01)
    monkeypatch.setattr(engine, "HEDGE_SUPPORT", 0.0)
    q = analyze("Where was the alliance signed?")
    short = FIRST.text.split(" after ")[0] + "."
    chosen = Candidate("sentence", (Claim(short, FIRST, 1.0),), 1.0)
    # the same sentence as another candidate read it, condensed to what the first says
    again = Candidate("sentence", (Claim(f"… {short.rstrip('.')} …", FIRST, 0.9),), 0.9)
    other = _sentence(SECOND, 0.8)
    evidence = [ev(FIRST, 1.0), ev(SECOND, 0.9)]
    got = engine.hedge(q, chosen, [chosen, again, other], evidence, HEDGED, False)
    assert [c.chunk.id for c in got.claims] == [FIRST.id, SECOND.id]
    assert engine.repeats(f"… {short} …", FIRST.text)
    assert not engine.repeats("… the talks closely …", FIRST.text)


TRIPS = [row(8, ("Route", "2021", "2022", "2023"), cells, r, doc="t.md")
         for r, cells in enumerate([("Harbor Line", "4,210", "5,380", "6,920"),
                                    ("Airport Shuttle", "1,120", "1,460", "1,610")], start=1)]
RIDERSHIP = passage("p-riders", "In 2023 the authority carried more passengers than in any "
                    "year since the pandemic.")


def test_a_hedge_beside_a_sentence_is_a_row_s_cells_not_what_the_table_covers() -> None:
    corpus = Chunks([RIDERSHIP, *TRIPS])
    evidence = [ev(RIDERSHIP, 1.0), ev(TRIPS[0], 0.9), ev(TRIPS[1], 0.8)]
    question = ground(analyze("How many trips did the Harbor Line carry in 2023?"), evidence)
    sentence = Candidate("sentence", (Claim(RIDERSHIP.text, RIDERSHIP, 1.0),), 2.0)
    periods = Candidate("table:periods", (Claim("The table gives figures for 2021, 2022, "
                                                "2023", TRIPS[0], 0.9, (1, 2, 3)),), 1.9)
    cell = Candidate("cell", (Claim("For the Harbor Line route, 2023: 6,920", TRIPS[0], 0.9,
                                    (3,)),), 1.8)
    got = hedge(question, sentence, [sentence, periods, cell], evidence, corpus, False)
    assert [c.text for c in got.claims] == [RIDERSHIP.text,
                                             "For the Harbor Line route, 2023: 6,920"]


OPENING = [replace(passage("p-open", "The partnership is reshaping Northeast Asia. It revives "
                           "Cold War divisions.", section="Analysis"), char_start=0, char_end=80),
           replace(STAKEHOLDERS, char_start=100, char_end=260),
           replace(CONCLUSION[0], char_start=300, char_end=420)]


@pytest.mark.parametrize("question", ["Summarize the analysis.", "Give me a summary",
                                      "What is the document about?"])
def test_a_summary_of_the_whole_document_gets_its_opening_sentences(question: str) -> None:
    # nothing named but the document: its opening, wherever retrieval landed
    a = answer(question, given(ev(OPENING[2], 1.0), ev(OPENING[1], 0.9)), Chunks(OPENING))
    assert_well_cited(a)
    assert a.answer.startswith("The partnership is reshaping Northeast Asia.")


def test_a_summary_of_one_of_several_documents_is_left_to_the_ranked_strategies() -> None:
    other = replace(FINANCES, doc="b.md")
    a = answer("Summarize the report.", given(ev(other, 1.0), ev(OPENING[1], 0.9)),
               Chunks([*OPENING, other]))
    assert not a.answer.startswith("The partnership is reshaping")


def test_a_summary_of_a_topic_is_no_summary_of_the_document() -> None:
    a = answer("Summarize the challenges for stakeholders.",
               given(ev(OPENING[1], 1.0), ev(OPENING[2], 0.9)), Chunks(OPENING))
    assert not a.answer.startswith("The partnership is reshaping")


# --- a roll-forward table: the movement rows of each period -------------------------------

ROLLFORWARD = (
    "# Restricted stock\n\nRestricted stock unit activity was as follows:\n\n"
    "| | Number of Shares | Weighted Average Grant Date Fair Value |\n| --- | --- | --- |\n"
    "| Nonvested at January 1, 2017 | 98 | $23.52 |\n| Granted | 132 | 19.74 |\n"
    "| Vested | (43) | 20.44 |\n| Forfeited | (19) | — |\n"
    "| Nonvested at January 1, 2018 | 168 | 21.56 |\n| Granted | 110 | 11.90 |\n"
    "| Vested | (77) | 19.18 |\n| Forfeited | (18) | — |\n"
    "| Nonvested at December 30, 2018 | 183 | 17.22 |\n| Granted | 353 | 10.77 |\n"
    "| Vested | (118) | 14.48 |\n| Forfeited | (41) | — |\n"
    "| Nonvested at December 29, 2019 | 377 | $12.55 |\n")


@pytest.fixture(scope="module")
def rollforward_service(tmp_path_factory: pytest.TempPathFactory, exported) -> QAService:
    """A started service over one document holding a roll-forward table."""
    from qa.config import get_settings

    base = tmp_path_factory.mktemp("rollforward")
    (base / "corpus").mkdir()
    (base / "corpus" / "stock.md").write_text(ROLLFORWARD, encoding="utf-8")
    svc = QAService(get_settings(corpus=base / "corpus", index=base / "index"))
    svc.start(build_if_needed=True)
    return svc


@pytest.mark.parametrize("question, figure, others", [
    ("How many shares were granted in 2019?", "353", ("132", "110")),
    ("How many shares were forfeited in 2017?", "(19)", ("(18)", "(41)")),
])
def test_a_repeated_row_of_a_roll_forward_table_is_read_in_its_period(
        rollforward_service: QAService, question: str, figure: str, others: tuple[str, ...]
) -> None:
    a = rollforward_service.ask(question)
    assert figure in a.answer and not any(o in a.answer for o in others), a.answer


def test_longest_shown_bounds_the_text_cite_writes() -> None:
    """`within_length` skips writing out a candidate whose `longest_shown` fits: that bound
    is never below the length of the text `cite` writes (marks taken out, closing stops,
    markers and separators put in), for sentences, fragments, rows with footnote marks,
    a preface and a claim written otherwise than it is read."""
    p = passage("p1", "The tower was finished in 1911.[3] • It cost £7 .")
    q = passage("p2", "the board paid for it; Key changes were:")
    r = row(1, ("Item", "2019 (1)", "2020"), ("Other assets (1)", "5", "6"), 1)
    claims = [Claim(p.text, p, 1.0), Claim("the board paid for it;", q, 1.0),
              Claim("Key changes were:", q, 1.0), cell_claim(r, (1, 2), 1.0),
              Claim("Fleet Services,", r, 1.0, shown="Fleet Services, Lead Department:")]
    for n in range(1, len(claims) + 1):
        for first in range(len(claims)):
            picked = tuple(claims[first:] + claims[:first])[:n]
            for preface in ("", "Yes."):
                c = Candidate("sentence", picked, 0.0, preface=preface)
                written = engine._shown(c, picked)
                assert engine.longest_shown(c) >= len(written), written
                assert engine.longest_shown(c) >= len(engine._shown(c, picked, True))
    assert engine.within_length(Candidate("sentence", (claims[0],), 0.0)) is not None


def test_a_row_s_label_is_its_first_cell_that_is_no_number_read_once_per_cells() -> None:
    from qa.answer.tables import _label_at, label_at

    header = ("", "Item", "2019")
    assert label_at(row(1, header, ("", "Other assets (1)", "5"), 1)) == 1
    assert label_at(row(1, header, ("12", "5", "6"), 2)) == 0  # every cell a number
    assert label_at(row(2, header, ("12", "5", "6"), 2)) == _label_at(("12", "5", "6"))
    assert label_at(row(1, header, ("", "", "Total"), 3)) == 2
