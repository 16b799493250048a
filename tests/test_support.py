"""The support check: its features on hand-built chunks (no model), then its verdicts with
the real model over the analysis on clear cases (supported, paraphrased, near misses,
unknown names)."""

from __future__ import annotations

import math
from dataclasses import replace
from itertools import pairwise

import numpy as np
import pytest
from helpers import ASPECT, FOCUS, IMPACT, Chunks, row

from qa.answer.engine import accepted
from qa.answer.question import analyze
from qa.answer.support import (
    CACHED_CHUNKS,
    FEATURES,
    Features,
    Support,
    alignment,
    asked_of,
    check,
    claim_units,
    features,
    name_gaps,
    names,
    of_chunk,
    places_written,
    row_naming,
    substitutes,
)
from qa.answer.tables import cell_claim, reverse_claim
from qa.answer.types import Candidate, Claim, Evidence
from qa.chunk import Chunk
from qa.retrieve import Hit
from qa.service import ANSWER_CANDIDATES, QAService
from qa.text.sentences import sentences
from qa.text.tokens import tokenize


def passage(pid: str, text: str) -> Chunk:
    """A passage chunk of a hand-built corpus."""
    return Chunk(id=pid, kind="passage", doc="a.md", section="Body", text=text, line_start=1,
                 line_end=1, char_start=0, char_end=len(text))


SUPPLY = passage("p1", "Energy matters. Russia supplies critical fuel and energy resources to "
                 "North Korea, bridging gaps caused by international sanctions.")
TALKS = passage("p2", "Stakeholders in the region, including South Korea, Japan and China, "
                "face the challenge of balancing deterrence with dialogue in 2024.")
WAR = passage("p3", "The Korean Peninsula has been divided since the war ended.")


class Corpus:
    """A stand-in for the index's CorpusView over hand-built chunks (the real one needs
    vectors): the same vocabulary, IDF and nearness, computed the same way."""

    def __init__(self, chunks: list[Chunk]) -> None:
        self.version = "test"
        self.chunks = chunks
        docs = [tokenize(c.embed_text()) for c in chunks]
        self.vocabulary = tuple(sorted({w for d in docs for w in d}))
        df = {w: sum(w in d for d in docs) for w in self.vocabulary}
        self.idf = {w: math.log((len(docs) + 1) / (k + 0.5)) for w, k in df.items()}
        self._pairs = {frozenset(p) for d in docs for p in pairwise(d)}

    def near(self, a: str, b: str) -> bool:
        return frozenset((a, b)) in self._pairs

    def neighbours(self, question: str) -> dict[str, tuple[tuple[str, float], ...]]:
        return {}

    def stem_vectors(self, stems: tuple[str, ...]) -> list[None]:
        return [None] * len(stems)

    def table_of(self, chunk: Chunk) -> list[Chunk]:
        return []


CORPUS = Corpus([SUPPLY, TALKS, WAR])


def evidence(*chunks: Chunk, sim: float = 0.6) -> list[Evidence]:
    """Evidence in the given order, every unit of every chunk equally similar."""
    return [Evidence(Hit(c, 1.0 - i / 10, sim, 1.0), tuple(sim for _ in c.units()))
            for i, c in enumerate(chunks)]


def sentence(chunk: Chunk, n: int) -> Claim:
    """A claim quoting the n-th sentence of a chunk."""
    return Claim(sentences(chunk.text)[n], chunk, 1.0)


def feats(question: str, claim: Claim, *chunks: Chunk, scoped: bool = False) -> Features:
    return features(question, claim, evidence(*chunks), CORPUS, scoped)


def test_a_claim_quoting_a_sentence_is_that_unit() -> None:
    assert claim_units(sentence(SUPPLY, 1)) == [2]
    assert claim_units(Claim("… Russia supplies critical fuel and energy resources …",
                             SUPPLY, 1.0)) == [2]
    assert claim_units(Claim("Something else entirely", SUPPLY, 1.0)) == [0]


def test_names_are_capitalised_words_inside_the_question_and_numbers() -> None:
    assert names("What does Iran supply to North Korea in 2019?") == ["Iran", "North Korea",
                                                                       "2019"]
    assert names("Which stakeholders balance deterrence?") == []


def test_the_figure_a_comparison_sets_is_no_name() -> None:
    # the reader chooses the threshold; the documents need not state it
    assert names("Which years had revenue greater than $8,200 thousand in 2019?") == ["2019"]
    assert names("In which years was Teekay LNG revenue less than 600,000?") == ["Teekay LNG"]
    # without a comparison every figure is a name
    assert names("What were the 3 largest items of Teekay LNG in 2019?") == [
        "Teekay LNG", "3", "2019"]


def test_the_question_s_words_in_the_claim_and_chunk() -> None:
    f = feats("What does Russia supply to North Korea?", sentence(SUPPLY, 1), SUPPLY, TALKS)
    assert f.claim_recall == 1.0 and f.chunk_recall == 1.0
    assert f.unknown_names == 0 and f.absent_names == 0 and f.unknown_words == 0
    assert f.rank == 1.0 and f.scoped == 0.0
    # a word the claim's chunk lacks lowers both shares and shows as the rarest missing
    g = feats("What does Russia supply to Japan?", sentence(SUPPLY, 1), SUPPLY, TALKS)
    assert g.chunk_recall < 1.0 and g.missing_top > 0 and g.absent_names == 1


class Synonyms(Corpus):
    """The stand-in corpus with one question word's neighbour given, as the model's word
    table would give it (a scripted similarity: the test needs an exact one): the
    unwritten "furnishes" stands near the corpus's "supplies" at 0.7."""

    def neighbours(self, question: str) -> dict[str, tuple[tuple[str, float], ...]]:
        return {"furnish": (("suppli", 0.7),)} if "furnishes" in question else {}


def test_a_word_the_claim_lacks_counts_by_its_neighbour_it_holds() -> None:
    question = "What fuel does Russia furnishes to North Korea?"
    claim = sentence(SUPPLY, 1)
    plain = features(question, claim, evidence(SUPPLY), CORPUS, False)
    near = features(question, claim, evidence(SUPPLY), Synonyms([SUPPLY, TALKS, WAR]), False)
    assert near.claim_recall > plain.claim_recall
    assert near.chunk_recall > plain.chunk_recall
    assert near.plain_missing < plain.plain_missing
    assert near.claim_missing_top < plain.claim_missing_top
    # the neighbour counts by its similarity, not as the word itself
    assert near.claim_recall < 1.0
    # a claim without the neighbour gains nothing
    other = sentence(TALKS, 0)
    assert features(question, other, evidence(TALKS), Synonyms([SUPPLY, TALKS, WAR]),
                    False).claim_recall == features(question, other, evidence(TALKS), CORPUS,
                                                    False).claim_recall


def test_a_name_or_number_the_corpus_never_states_is_unknown() -> None:
    f = feats("What does Iran supply to North Korea?", sentence(SUPPLY, 1), SUPPLY)
    assert f.unknown_names == 1 and f.unknown_words > 0
    # both words are in the corpus, never together
    g = feats("What ended the Korean War?", sentence(WAR, 0), WAR)
    assert g.unknown_names == 1
    h = feats("What did Russia supply in 2019?", sentence(SUPPLY, 1), SUPPLY)
    assert h.unknown_names == 1
    known = feats("Who faces the challenge in 2024?", sentence(TALKS, 0), TALKS, SUPPLY)
    assert known.unknown_names == 0 and known.absent_names == 0


def test_a_name_run_together_is_known_as_the_corpus_writes_it_apart() -> None:
    rule = passage("p9", "Leases under IFRS 16 replaced the old standard in 2019.")
    corpus = Corpus([rule])
    claim = sentence(rule, 0)
    f = features("What did IFRS16 replace?", claim, evidence(rule), corpus, False)
    assert f.unknown_names == 0 and f.absent_names == 0
    # letters and digits the corpus does not write stay unknown
    f = features("What did IFRS17 replace?", claim, evidence(rule), corpus, False)
    assert f.unknown_names == 1


def test_a_quantity_asked_of_a_claim_without_a_number() -> None:
    assert feats("How much fuel does Russia supply?", sentence(SUPPLY, 1), SUPPLY).number_gap
    assert not feats("What does Russia supply?", sentence(SUPPLY, 1), SUPPLY).number_gap
    assert not feats("When do stakeholders face the challenge?", sentence(TALKS, 0),
                     TALKS).number_gap


def test_a_number_written_in_words_is_a_number() -> None:
    # "How old ...?" asks for a quantity; "twelve years" gives one, in words
    old = Claim("A third of the fleet is more than twelve years old.", SUPPLY, 1.0)
    f = feats("How old is the fleet?", old, SUPPLY)
    assert f.number_gap == 0.0 and f.type_gap == 0.0
    # a number word the question itself writes brings nothing new
    assert feats("How many of the three talks failed?",
                 Claim("The three talks went on.", TALKS, 1.0), TALKS).type_gap == 1.0


def test_a_negated_question_against_a_claim_that_is_not() -> None:
    assert feats("What does Russia not supply?", sentence(SUPPLY, 1), SUPPLY).negation_gap
    assert feats("What doesn't Russia supply?", sentence(SUPPLY, 1), SUPPLY).negation_gap
    assert not feats("What does Russia supply?", sentence(SUPPLY, 1), SUPPLY).negation_gap


def test_the_question_s_names_and_numbers_against_the_claim() -> None:
    # a name the chunk states but the claim's sentence does not
    f = feats("What does Russia supply in Energy matters?", sentence(SUPPLY, 0), SUPPLY)
    assert f.names_off_claim == pytest.approx(0.5)  # Russia is not in "Energy matters."
    assert feats("What does Russia supply to North Korea?", sentence(SUPPLY, 1),
                 SUPPLY).names_off_claim == 0.0
    # a year the corpus states, but not in the cited chunk
    assert feats("What did Russia supply in 2024?", sentence(SUPPLY, 1),
                 SUPPLY, TALKS).numbers_off_chunk == 1.0
    assert feats("Who faces the challenge in 2024?", sentence(TALKS, 0),
                 TALKS).numbers_off_chunk == 0.0


def test_the_asked_for_kind_beyond_the_question_s_own_words() -> None:
    # a date asked of a claim whose only figure is the question's own
    assert feats("When did the region face the challenge in 2024?", sentence(TALKS, 0),
                 TALKS).type_gap == 1.0
    # who: the claim brings names the question lacks (South Korea, Japan, China)
    assert feats("Who faces the challenge of balancing deterrence?", sentence(TALKS, 0),
                 TALKS).type_gap == 0.0
    # who, of a claim whose only name is the question's own
    assert feats("Who supplies North Korea?", Claim("North Korea gets fuel.", SUPPLY, 1.0),
                 SUPPLY).type_gap == 1.0
    # a question asking for neither has no gap
    assert feats("What does Russia supply?", sentence(SUPPLY, 1), SUPPLY).type_gap == 0.0


def test_plain_missing_words_and_what_the_claim_adds() -> None:
    f = feats("What does Russia supply to North Korea?", sentence(SUPPLY, 1), SUPPLY)
    assert f.plain_missing == 0.0 and 0.0 < f.novel < 1.0
    g = feats("What does Russia sell to North Korea?", sentence(SUPPLY, 1), SUPPLY)
    assert g.plain_missing == pytest.approx(1 / 4)  # "sell" of russia, sell, north, korea
    # the claim is negated, the question is not
    neg = Claim("Russia does not supply weapons to North Korea.", SUPPLY, 1.0)
    assert feats("What does Russia supply?", neg, SUPPLY).claim_negated == 1.0
    assert feats("What does Russia not supply?", neg, SUPPLY).claim_negated == 0.0


def test_the_sentence_against_the_whole_chunk() -> None:
    # unit 0 is the whole chunk in context; the claim's sentence is unit 2
    ev = [Evidence(Hit(SUPPLY, 1.0, 0.7, 1.0), (0.5, 0.2, 0.8))]
    f = features("What does Russia supply?", sentence(SUPPLY, 1), ev, CORPUS, False)
    assert f.sentence_gain == pytest.approx(0.3)
    # one unit holds every word of the question
    assert f.best_unit_recall == pytest.approx(1.0)


def test_similarity_and_margin_come_from_the_evidence() -> None:
    ev = [Evidence(Hit(SUPPLY, 1.0, 0.7, 1.0), (0.5, 0.2, 0.8)),
          Evidence(Hit(TALKS, 0.5, 0.4, 0.5), (0.6,))]
    f = features("What does Russia supply?", sentence(SUPPLY, 1), ev, CORPUS, False)
    assert f.claim_sim == pytest.approx(0.8) and f.chunk_sim == pytest.approx(0.8)
    assert f.sim_margin == pytest.approx(0.2) and f.dense == pytest.approx(0.7)
    g = features("What does Russia supply?", sentence(SUPPLY, 0), ev, CORPUS, False)
    assert g.claim_sim == pytest.approx(0.2)


def test_a_number_the_claim_gives_differently() -> None:
    assert feats("What did stakeholders face in 2023?", sentence(TALKS, 0),
                 TALKS).number_other == 1.0
    assert feats("What did stakeholders face in 2024?", sentence(TALKS, 0),
                 TALKS).number_other == 0.0
    # a claim with no number does not give it differently
    assert feats("What did Russia supply in 2023?", sentence(SUPPLY, 1),
                 SUPPLY).number_other == 0.0


def test_a_near_miss_holds_most_words_but_lacks_a_rare_one() -> None:
    whole = feats("What does Russia supply to North Korea?", sentence(SUPPLY, 1), SUPPLY, TALKS)
    assert whole.near_miss == 0.0 and whole.names_near_miss == 0.0
    # one rare word edited in ("deterrence"): most words still there, the rare one not
    edited = feats("What deterrence does Russia supply to North Korea?", sentence(SUPPLY, 1),
                   SUPPLY, TALKS)
    assert edited.near_miss > 0.5
    # a name swapped ("Japan" for "North Korea"): most words kept, a stated name lacking
    swapped = feats("What does Russia supply to Japan?", sentence(SUPPLY, 1), SUPPLY, TALKS)
    assert swapped.names_near_miss > 0.0
    # a claim that shares little with the question is no near miss however rare the gap
    far = feats("What deterrence does Russia supply to North Korea?", sentence(SUPPLY, 0),
                SUPPLY, TALKS)
    assert far.near_miss < edited.near_miss


def toy_vectors(table: dict[str, tuple[float, float]]):
    """Unit vectors in two dimensions for a few stems (a scripted stand-in for the model's
    word table: the test needs exact cosines), None for any other."""
    def vectors(stems: tuple[str, ...]) -> list[np.ndarray | None]:
        return [None if s not in table else np.array(table[s]) / np.hypot(*table[s])
                for s in stems]
    return vectors


# "major" and "minor" stand close (cosine 0.8), "knee" far from both (0)
TOY = toy_vectors({"major": (0.8, 0.6), "minor": (1.0, 0.0), "knee": (0.0, 1.0),
                   "surgeri": (0.6, 0.8)})


def test_alignment_of_a_question_written_whole_in_the_claim() -> None:
    rarity = {"craig": 0.9, "surgeri": 0.6, "knee": 0.7}
    got = alignment(rarity, set(rarity), frozenset(rarity), TOY)
    assert got == (1.0, 1.0, 1.0, 0.0, 0.0)


def test_alignment_of_one_word_swapped_for_a_near_one() -> None:
    # "Craig underwent major surgery" against a sentence of "minor surgery" on his knee
    rarity = {"craig": 0.9, "major": 0.5, "surgeri": 0.6}
    text = frozenset({"craig", "minor", "surgeri", "knee"})
    weakest, second, mean, gap, swap = alignment(rarity, {"craig", "surgeri"}, text, TOY)
    assert weakest == pytest.approx(0.96)  # "major" to "surgery" (0.96), not to "minor" (0.8)
    assert second == 1.0
    assert mean == pytest.approx((0.9 + 0.5 * 0.96 + 0.6) / 2.0)
    assert gap == pytest.approx(0.5 * 0.04)
    assert swap == pytest.approx(0.96)  # the others align whole
    # without the word table the swapped word does not align at all
    assert alignment(rarity, {"craig", "surgeri"}, text, None)[0] == 0.0


def test_alignment_of_a_word_without_a_vector_or_a_near_word() -> None:
    rarity = {"craig": 0.9, "2005": 0.8, "surgeri": 0.6}
    text = frozenset({"craig", "2015", "surgeri"})
    weakest, second, _, gap, swap = alignment(rarity, {"craig", "surgeri"}, text, TOY)
    assert weakest == 0.0 and second == 1.0 and gap == pytest.approx(0.8)
    assert swap == 0.0  # a number has no vector: no substitute, only a gap
    # two words the claim lacks: the second weakest is the other one
    far = alignment({"craig": 0.9, "knee": 0.5, "major": 0.4}, {"craig"},
                    frozenset({"craig", "minor"}), TOY)
    assert far[0] == pytest.approx(0.0) and far[1] == pytest.approx(0.8)
    assert far[4] == 0.0  # the weakest ("knee") has nothing near in the claim


def test_a_word_written_in_place_of_the_question_s() -> None:
    # "Morocco" stands where the question has "Mexico", between the words either side of it
    asked = tokenize("An explosion filmed in Mexico holds the Guinness World Record for what?")
    edited = tokenize("An explosion filmed in Morocco holds a Guinness World Record for the "
                      "largest film stunt explosion.")
    assert substitutes(asked, edited, frozenset({"mexico"})) == (1.0, 1.0)
    # the same edit of a plain word ("major" surgery against "minor" surgery) is no name
    assert substitutes(tokenize("Craig underwent major surgery in what city?"),
                       tokenize("Craig was flown to New York to undergo minor surgery."),
                       frozenset({"craig"})) == (0.0, 0.0)  # "underwent" is not "undergo"
    assert substitutes(tokenize("Craig underwent major surgery in what city?"),
                       tokenize("Craig underwent minor surgery in New York."),
                       frozenset({"craig"})) == (1.0, 0.0)
    # the sentence itself, a word only dropped, or the neighbours too far apart: no edit
    assert substitutes(asked, asked, frozenset({"mexico"})) == (0.0, 0.0)
    assert substitutes(asked, tokenize("An explosion filmed holds the Guinness World Record."),
                       frozenset({"mexico"})) == (0.0, 0.0)
    far = tokenize("An explosion filmed in the desert of southern Morocco at night holds it.")
    assert substitutes(asked, far, frozenset({"mexico"})) == (0.0, 0.0)
    # a question word between the neighbours is no replacement (the words moved around)
    stunt = tokenize("Who filmed the stunt explosion?")
    assert substitutes(stunt, tokenize("They filmed the dramatic explosion."),
                       frozenset()) == (1.0, 0.0)
    assert substitutes(stunt, tokenize("They filmed the dramatic film explosion."),
                       frozenset()) == (0.0, 0.0)


def test_the_word_by_word_features_are_worked_out_only_when_weighed(monkeypatch) -> None:
    from qa.answer import weights

    question = "What does Russia supply to South Korea?"  # "North" edited to "South"
    claim = sentence(SUPPLY, 1)
    monkeypatch.setattr(weights, "SUPPORT_WORD_BY_WORD", False)
    off = feats(question, claim, SUPPLY)
    assert (off.substitute, off.align_min, off.align_mean) == (0.0, 0.0, 0.0)
    monkeypatch.setattr(weights, "SUPPORT_WORD_BY_WORD", True)
    on = feats(question, claim, SUPPLY)
    # "south" is missing (no vectors here: it aligns at 0), the other words are written
    assert on.align_min == 0.0 and on.align_second == 1.0 and 0.0 < on.align_mean < 1.0
    assert on.substitute == 0.0  # "supplies critical fuel ... to North Korea": too far apart
    near = feats("What does Russia supply to South Korea?",
                 Claim("Russia supplies North Korea.", SUPPLY, 1.0), SUPPLY)
    assert near.substitute == 1.0 and near.name_substitute == 1.0


ECONOMIC = row(1, ASPECT, ("Economic", "Gains sanctions relief", "Gains labour and goods",
                          "Disrupts supply chains, pressures South Korea & Japan"), 2)
CYBER = row(2, FOCUS, ("Cybersecurity", "Joint monitoring", "Reduced risk of attacks"), 1)


@pytest.fixture
def row_naming_on(monkeypatch) -> None:
    """The table-row features worked out (as a fit reads them; off while no weight does)."""
    from qa.answer import weights

    monkeypatch.setattr(weights, "SUPPORT_ROW_NAMING", True)


def test_how_the_question_names_a_row_s_label_and_cited_column(row_naming_on) -> None:
    question = "How does the economic side of the alliance affect the region?"
    cell = cell_claim(ECONOMIC, (3,), 1.0)  # "For the Economic aspect, Regional Impact: ..."
    got = row_naming(question, cell, ())
    # the label "Economic" whole; of the header "Regional Impact", "region" but not "impact"
    assert got["row_label"] == 1.0 and got["row_column"] == 0.5
    assert got["row_cell"] == 0.5 and got["row_value"] == 0.0
    # the same row cited by another column the question does not name
    assert row_naming(question, cell_claim(ECONOMIC, (1,), 1.0), ())["row_column"] == 0.0
    # a question that names neither the row nor the column
    assert row_naming("What does Iran export by sea?", cell, ()) == dict.fromkeys(
        ("row_label", "row_column", "row_value", "row_cell", "row_label_lead"), 0.0)


def test_the_row_the_question_names_against_one_sharing_a_word_with_it(row_naming_on) -> None:
    question = "How does the economic side of the alliance affect the region?"
    sanctions = row(3, IMPACT, ("Economic Sanctions", "Loopholes exploited", "Weaker regime"), 1)
    rows = evidence(sanctions, ECONOMIC)
    # "Economic" named whole, "Economic Sanctions" by half its label
    assert row_naming(question, cell_claim(ECONOMIC, (3,), 1.0), rows)["row_label_lead"] == 0.5
    assert row_naming(question, cell_claim(sanctions, (1,), 1.0), rows)["row_label_lead"] == -0.5


def test_how_the_question_names_a_row_by_its_value(row_naming_on) -> None:
    claim = reverse_claim(CYBER, 2, (), 1.0)  # "Focus Area: Cybersecurity (Expected ...)"
    got = row_naming("Which focus area aims at a reduced risk of attacks?", claim, ())
    assert got["row_value"] == 1.0 and got["row_label"] == 0.0


def test_a_passage_s_claim_names_no_row(row_naming_on) -> None:
    f = feats("How does the economic side affect the region?", sentence(SUPPLY, 1), SUPPLY)
    assert (f.row_label, f.row_column, f.row_value, f.row_cell) == (0.0, 0.0, 0.0, 0.0)
    on_row = feats("How does the economic side affect the region?",
                   cell_claim(ECONOMIC, (3,), 1.0), ECONOMIC)
    assert on_row.row_label == 1.0 and on_row.row_column == 0.5


def test_the_row_features_are_worked_out_only_when_weighed(monkeypatch) -> None:
    from qa.answer import weights

    monkeypatch.setattr(weights, "SUPPORT_ROW_NAMING", False)
    off = feats("How does the economic side affect the region?",
                cell_claim(ECONOMIC, (3,), 1.0), ECONOMIC)
    assert (off.row_label, off.row_column, off.row_cell) == (0.0, 0.0, 0.0)


def test_features_follow_the_model_s_order() -> None:
    f = feats("What does Russia supply?", sentence(SUPPLY, 1), SUPPLY)
    assert len(f.vector()) == len(FEATURES)
    assert dict(zip(FEATURES, f.vector()))["claim_recall"] == f.claim_recall


def test_an_unknown_name_is_refused_with_its_reason() -> None:
    s = check("What does Iran supply to North Korea?", sentence(SUPPLY, 1), evidence(SUPPLY),
              CORPUS, False)
    assert isinstance(s, Support) and 0.0 <= s.score <= 1.0
    assert not s.ok
    assert any("Iran" in r for r in s.reasons)


# --- the real model over the analysis ------------------------------------------------------


def checked(service: QAService, question: str, quoting: str) -> Support:
    """The check of the claim quoting the analysis's sentence (or list item, or row) that
    holds `quoting`, against the evidence retrieved for the question as `ask` retrieves it."""
    r, ev = service.evidence(question, None, ANSWER_CANDIDATES)
    chunk = next(c for c in r.chunks if quoting in c.text)
    text = next((q for q in chunk.quotes() if quoting in q), chunk.text)
    return check(question, Claim(text, chunk, 1.0), ev, r, False)


@pytest.mark.parametrize(("question", "quoting"), [
    ("What does Russia supply to North Korea?", "Russia supplies critical fuel"),
    ("What is the expected outcome of the arms control measure?", "Lowered military buildup"),
    ("Which stakeholders face the challenge of balancing deterrence with dialogue?",
     "South Korea, Japan, China, and the US"),
])
def test_a_claim_that_answers_is_supported(service: QAService, question: str,
                                           quoting: str) -> None:
    s = checked(service, question, quoting)
    assert s.ok and s.reasons == ()


@pytest.mark.parametrize(("question", "quoting"), [
    # the reader's words are not the article's: oil and power for fuel and energy
    ("Which oil and power resources does Russia send to North Korea?",
     "Russia supplies critical fuel"),
    ("Which countries must weigh deterrence against dialogue?",
     "South Korea, Japan, China, and the US"),
])
def test_a_paraphrase_is_supported(service: QAService, question: str, quoting: str) -> None:
    assert checked(service, question, quoting).ok


@pytest.mark.parametrize(("question", "quoting", "reason"), [
    ("What does Russia not supply to North Korea?", "Russia supplies critical fuel",
     "negated"),
    ("In what year did Russia begin supplying fuel to North Korea?",
     "Russia supplies critical fuel", "number"),
])
def test_a_near_miss_is_refused(service: QAService, question: str, quoting: str,
                                reason: str) -> None:
    s = checked(service, question, quoting)
    assert not s.ok
    assert any(reason in r for r in s.reasons)


def test_a_name_the_documents_never_state_is_refused(service: QAService) -> None:
    s = checked(service, "What does Iran supply to North Korea?", "Russia supplies critical fuel")
    assert not s.ok
    assert "the documents never name 'Iran'" in s.reasons
    # the same claim for the country the analysis names is supported, and more likely
    assert s.score < checked(service, "What does Russia supply to North Korea?",
                             "Russia supplies critical fuel").score


def test_a_candidate_stands_by_its_best_supported_claim(service: QAService) -> None:
    # the engine accepts a reading (rows a question names, items of a list) when the check
    # accepts one of its claims, whichever comes first in table order
    question = "What does Russia supply to North Korea?"
    r, ev = service.evidence(question, None, ANSWER_CANDIDATES)
    right = next(c for c in r.chunks if "Russia supplies critical fuel" in c.text)
    other = next(c for c in r.chunks if c.id != right.id and "Russia" not in c.text)
    good = Claim(next(q for q in right.quotes() if "Russia supplies" in q), right, 1.0)
    bad = Claim(other.quotes()[-1], other, 1.0)
    q = analyze(question)
    assert not accepted(q, Candidate("x", (bad,), 0.0), ev, r, False)
    assert accepted(q, Candidate("x", (bad, good), 0.0), ev, r, False)


def test_a_place_the_corpus_names_by_its_demonym_is_neither_unknown_nor_absent() -> None:
    hall = passage("p-hall", "The hall was designed by the Dutch-born architect Emil Hofer.")
    corpus = Chunks([hall])
    text = tuple(tokenize(hall.text))
    assert name_gaps("Was Hofer born in the Netherlands?", text, corpus) == ([], [])
    # a country the corpus names in no way stays unknown
    assert name_gaps("Was Hofer born in Belgium?", text, corpus) == (["Belgium"], [])


def test_the_places_a_corpus_names_by_demonym_follow_its_vocabulary() -> None:
    dutch = tuple(sorted(tokenize("a Dutch firm built the hall")))
    swiss = tuple(sorted(tokenize("a Swiss firm built the hall")))
    assert ("netherland",) in places_written(dutch)
    assert places_written(dutch) is places_written(dutch)  # worked out once per vocabulary
    # a rebuilt index's vocabulary is read afresh, never served the last one's places
    assert ("switzerland",) in places_written(swiss)
    assert ("netherland",) not in places_written(swiss)
    rebuilt = tuple(sorted(tokenize("a Swiss firm built the new hall")))
    assert ("netherland",) not in places_written(rebuilt)
    assert ("netherland",) in places_written(tuple(dutch))


def test_a_chunk_is_read_once_per_question_and_anew_when_it_is_another_object() -> None:
    """The check reads the question against a claim's chunk as a whole once (`of_chunk`,
    kept in the question's `Asked`) for every claim on it: the features are those of a
    fresh reading; a chunk of the same id that is another object (a rebuilt index's) is
    read anew; a new corpus object (another index version) starts with nothing kept; at
    most CACHED_CHUNKS are kept."""
    question = "Which country supplies energy resources to North Korea?"
    first, second = sentence(SUPPLY, 0), sentence(SUPPLY, 1)
    corpus = Corpus([SUPPLY, TALKS, WAR])
    asked = asked_of(question, corpus)
    got = [features(question, c, evidence(SUPPLY, TALKS), corpus, False)
           for c in (first, second)]
    kept = asked.chunks[SUPPLY.id]
    assert kept[0] is SUPPLY and len(asked.chunks) == 1
    assert of_chunk(question, asked, SUPPLY, corpus, 1.0) is kept[1]
    fresh = Corpus([SUPPLY, TALKS, WAR])  # another version: nothing carried over
    assert asked_of(question, fresh) is not asked and not asked_of(question, fresh).chunks
    assert [features(question, c, evidence(SUPPLY, TALKS), fresh, False)
            for c in (first, second)] == got
    rebuilt = replace(SUPPLY, text="Energy matters. Nothing is supplied to anyone.")
    new = of_chunk(question, asked, rebuilt, corpus, 1.0)
    assert new is not kept[1] and new.recall < kept[1].recall
    assert asked.chunks[SUPPLY.id][0] is rebuilt
    for i in range(CACHED_CHUNKS + 5):
        of_chunk(question, asked, replace(TALKS, id=f"t{i}"), corpus, 1.0)
    assert len(asked.chunks) <= CACHED_CHUNKS
