"""The answerer: citation numbering, list condensing, clause windows and the abstention
decision on hand-built chunks (no model), then answers over the analysis with the real
model, each checked claim by claim against the chunk it cites."""

from __future__ import annotations

import json
import re

import pytest

from qa.answer import NOT_COVERED, Answer, Citation, Claim, Evidence, compose
from qa.answer.legacy import (
    MIN_SIMILARITY_MORE_MISSING,
    MIN_SIMILARITY_ONE_MISSING,
    MIN_SIMILARITY_ONE_UNKNOWN,
    _best_window,
    _cite,
    _condensed_list,
    is_supported,
    support_gaps,
)
from qa.chunk import Chunk, row_text
from qa.retrieve import Hit
from qa.service import QAService
from qa.text.tokens import tokenize

DOC = "north-korea-russia-alliance.md"
ASPECT = ("Aspect", "North Korea", "Russia", "Regional Impact")
IMPACT = ("Impact Area", "Short-Term Effect", "Long-Term Outlook")
FOCUS = ("Focus Area", "Recommended Measure", "Expected Outcome")


# --- hand-built parts --------------------------------------------------------------------


def row(table: int, header: tuple[str, ...], cells: tuple[str, ...], r: int) -> Chunk:
    """A table-row chunk as the chunker makes it (text = the row with its column names)."""
    return Chunk(id=f"t{table}r{r}", kind="table_row", doc="a.md", section="Tables",
                 text=row_text(header, cells), line_start=r, line_end=r, char_start=0,
                 char_end=1, header=header, cells=cells, table=table, row=r)


def passage(pid: str, text: str, section: str = "Body") -> Chunk:
    """A passage chunk."""
    return Chunk(id=pid, kind="passage", doc="a.md", section=section, text=text, line_start=1,
                 line_end=1, char_start=0, char_end=len(text))


def ev(chunk: Chunk, score: float, unit: float = 0.7) -> Evidence:
    """Evidence with the same similarity for every unit of the chunk."""
    return Evidence(Hit(chunk, score, score, score), tuple(unit for _ in chunk.units()))


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


# --- citations ---------------------------------------------------------------------------


def test_cite_numbers_chunks_in_order_of_first_use_each_once() -> None:
    claims = [Claim("Stakeholders balance deterrence.", STAKEHOLDERS, 0.9),
              Claim("Key components include energy.", COMPONENTS, 0.5),
              Claim("Dialogue matters.", STAKEHOLDERS, 0.4)]
    a = _cite(claims, "v7", "q?")
    assert a.answer == ("Stakeholders balance deterrence. [1] Key components include energy. [2] "
                        "Dialogue matters. [1]")
    assert [(c.n, c.chunk.id) for c in a.citations] == [(1, "p-stake"), (2, "p-comp")]
    assert a.citations[0].score == 0.9  # the first claim that cites a chunk gives its score
    assert a.grounded and a.version == "v7" and a.question == "q?"


def test_cite_joins_claims_without_end_punctuation_by_semicolons_and_keeps_highlights() -> None:
    claims = [Claim("For the Economic aspect, Russia: Energy exports, market expansion",
                    ECONOMIC, 0.8, (2,)),
              Claim("For the Military aspect, Russia: Modernizes forces, shares intelligence",
                    MILITARY, 0.7, (2,))]
    a = _cite(claims, "v", "q")
    assert a.answer == ("For the Economic aspect, Russia: Energy exports, market expansion [1]; "
                        "For the Military aspect, Russia: Modernizes forces, shares intelligence [2]")
    assert [c.highlight for c in a.citations] == [(2,), (2,)]


def test_compose_returns_only_the_cited_chunks() -> None:
    evidence = [ev(MILITARY, 1.0), ev(ECONOMIC, 0.6), ev(STAKEHOLDERS, 0.5), ev(CYBER, 0.3)]
    a = compose("What is the regional impact of the military aspect?", evidence, "v")
    assert a.grounded
    assert [c.chunk.id for c in a.citations] == [MILITARY.id]
    assert a.answer.endswith("[1]") and "[2]" not in a.answer


# --- condensing --------------------------------------------------------------------------


@pytest.mark.parametrize("intro, items, expected", [
    ("Key components include:",
     ["Energy cooperation: Russia supplies fuel.", "Military coordination: Shared intelligence."],
     "Key components include: Energy cooperation; Military coordination."),
    # one item is not "Label: description": nothing is cut, trailing periods are dropped
    ("Key actions:", ["Enhancing intelligence-sharing.", "Establishing monitoring: in zones"],
     "Key actions: Enhancing intelligence-sharing; Establishing monitoring: in zones."),
    ("", ["Arms control: talks", "Cybersecurity: protocols"], "Arms control; Cybersecurity."),
    # a colon far into an item is not a label's
    ("X:", ["An item that runs on for more than sixty characters before a colon: here", "b: c"],
     "X: An item that runs on for more than sixty characters before a colon: here; b: c."),
])
def test_condensed_list(intro: str, items: list[str], expected: str) -> None:
    assert _condensed_list(intro, items) == expected


LONG = ("Stakeholders in the region-including South Korea, Japan, China, and the US-face the "
        "daunting challenge of balancing deterrence with dialogue, which strains budgets, "
        "complicates planning, and unsettles markets across the wider region.")


def test_best_window_leaves_a_sentence_within_the_limit_alone() -> None:
    q = set(tokenize("What strains budgets?"))
    assert _best_window(LONG, q, len(LONG)) == LONG


@pytest.mark.parametrize("question, wanted, starts_cut, ends_cut", [
    ("What strains budgets?", "which strains budgets,", True, True),
    ("What unsettles markets?", "and unsettles markets across the wider region.", True, False),
    ("Who is in the region including South Korea?", "Stakeholders in the region-including", False,
     True),
])
def test_best_window_keeps_the_matching_clauses_and_marks_cuts(
        question: str, wanted: str, starts_cut: bool, ends_cut: bool) -> None:
    out = _best_window(LONG, set(tokenize(question)), 80)
    assert wanted in out
    assert len(out) <= 80 + 4  # the window fits; the two marks are extra
    assert out.startswith("… ") == starts_cut and out.endswith(" …") == ends_cut
    assert out.strip("… ") in LONG  # a verbatim run of the sentence
    assert "balancing deterrence" not in out or "deterrence" in question


# --- the abstention decision -------------------------------------------------------------


VOCAB = tuple(sorted(set(tokenize(STAKEHOLDERS.text + " " + COMPONENTS.text + " North Korea"))))


def test_quantity_question_without_a_number_is_unsupported() -> None:
    q = "How many nuclear warheads does North Korea have?"
    lacks_number, _, _ = support_gaps(q, [COMPONENTS], VOCAB)
    assert lacks_number
    assert not is_supported(q, [COMPONENTS], 0.99, VOCAB)
    counted = passage("p-n", "North Korea has 50 nuclear warheads.")
    assert not support_gaps(q, [counted], VOCAB)[0]
    assert is_supported(q, [counted], 0.99, VOCAB)


def test_unknown_capitalised_name_is_unsupported_even_when_scoped() -> None:
    q = "What does Pyongyang supply to Russia?"
    _, names, _ = support_gaps(q, [COMPONENTS], VOCAB)
    assert names == ["Pyongyang"]
    assert not is_supported(q, [COMPONENTS], 0.99, VOCAB)
    assert not is_supported(q, [COMPONENTS], 0.99, VOCAB, scoped=True)


def test_name_the_corpus_knows_is_not_held_against_the_evidence() -> None:
    # "Japan" is in the vocabulary (another chunk) though not in the cited one
    _, names, _ = support_gaps("What does Japan supply?", [COMPONENTS], VOCAB)
    assert names == []


def test_a_name_whose_words_the_corpus_never_writes_together_is_unsupported() -> None:
    known_pairs = {("korea", "north"), ("korea", "south")}

    def near(a: str, b: str) -> bool:
        return (min(a, b), max(a, b)) in known_pairs

    vocab = tuple(sorted(set(VOCAB) | {"korean", "war"}))
    q = "What did the Korean War armistice settle?"
    assert support_gaps(q, [COMPONENTS], vocab, near)[1] == ["Korean War"]
    assert not is_supported(q, [COMPONENTS], 0.99, vocab, scoped=True, near=near)
    assert support_gaps("What does North Korea supply?", [COMPONENTS], vocab, near)[1] == []


def test_a_number_the_corpus_never_states_is_unsupported() -> None:
    q = "Which energy did Russia supply in 2019?"
    assert support_gaps(q, [COMPONENTS], VOCAB)[1] == ["2019"]
    assert not is_supported(q, [COMPONENTS], 0.99, VOCAB, scoped=True)
    with_year = tuple(sorted(set(VOCAB) | {"2019"}))
    assert support_gaps(q, [COMPONENTS], with_year)[1] == []


def test_missing_content_words_against_the_calibrated_similarity() -> None:
    one_known = "What energy does Russia supply in dialogue?"  # "dialogue": known elsewhere
    assert support_gaps(one_known, [COMPONENTS], VOCAB)[2] == ["dialog"]
    assert is_supported(one_known, [COMPONENTS], MIN_SIMILARITY_ONE_MISSING, VOCAB)
    assert not is_supported(one_known, [COMPONENTS], MIN_SIMILARITY_ONE_MISSING - 0.01, VOCAB)
    # A name the chunk lacks weighs as two missing words: "Japan" for "Russia" is another
    # subject, however alike the sentences are.
    a_name = "What energy does Japan supply?"
    assert support_gaps(a_name, [COMPONENTS], VOCAB)[2] == ["japan"]
    assert not is_supported(a_name, [COMPONENTS], MIN_SIMILARITY_MORE_MISSING - 0.01, VOCAB)
    assert is_supported(a_name, [COMPONENTS], MIN_SIMILARITY_MORE_MISSING, VOCAB)
    one_unknown = "What energy does Russia barter?"  # "barter": never in the corpus
    assert support_gaps(one_unknown, [COMPONENTS], VOCAB)[2] == ["barter"]
    assert not is_supported(one_unknown, [COMPONENTS], MIN_SIMILARITY_ONE_UNKNOWN - 0.01, VOCAB)
    assert is_supported(one_unknown, [COMPONENTS], MIN_SIMILARITY_ONE_UNKNOWN, VOCAB)
    several = "What weather and climate does Russia supply?"
    assert len(support_gaps(several, [COMPONENTS], VOCAB)[2]) >= 2
    assert not is_supported(several, [COMPONENTS], MIN_SIMILARITY_MORE_MISSING - 0.01, VOCAB)


def test_doc_scoped_question_is_lenient_on_missing_words_only() -> None:
    q = "What weather and climate does Russia supply?"
    assert not is_supported(q, [COMPONENTS], 0.2, VOCAB)
    assert is_supported(q, [COMPONENTS], 0.2, VOCAB, scoped=True)
    assert not is_supported("How much fuel does Russia supply?", [COMPONENTS], 0.2, VOCAB,
                            scoped=True)  # a missing number still refutes it


# --- compose on hand-built evidence ------------------------------------------------------


def test_no_evidence_abstains_without_citations() -> None:
    a = compose("What is the population of Pyongyang?", [], "v3")
    assert a.answer == NOT_COVERED
    assert not a.grounded and a.citations == ()
    assert a.to_dict()["citations"] == [] and a.version == "v3"


@pytest.mark.parametrize("evidence", [
    [ev(MILITARY, 1.0), ev(ECONOMIC, 0.5), ev(DIPLOMATIC, 0.4)],
    [ev(MILITARY, 1.0), ev(ECONOMIC, 0.5), ev(DIPLOMATIC, 0.4), ev(STAKEHOLDERS, 0.2)],
], ids=["rows-only", "prose-only-after-three-rows"])
def test_rows_without_a_passage_answer_from_the_best_row(evidence: list[Evidence]) -> None:
    # Regression: a why-question over rows with no passage among the first three used to
    # raise IndexError (no prose to answer from).
    a = compose("Why does the military aspect escalate tensions?", evidence, "v")
    assert a.grounded
    assert [c.chunk.id for c in a.citations] == [MILITARY.id]
    assert "Escalates arms build-up, increases tensions" in a.answer


def test_table_question_answers_the_cell_of_the_column_asked_for() -> None:
    evidence = [ev(MILITARY, 1.0), ev(ECONOMIC, 0.7), ev(DIPLOMATIC, 0.6)]
    a = compose("What does Russia do in the military aspect?", evidence, "v")
    assert "Modernizes forces, shares intelligence [1]" in a.answer
    assert "Enhances missile" not in a.answer  # the North Korea column was not asked for
    assert a.citations[0].highlight == (2,)


@pytest.mark.parametrize("question, chunk, cell", [
    ("What is the long-term outlook for economic sanctions?", SANCTIONS_IMPACT,
     "Global sanction regimes weakened"),
    ("What is the recommended measure for economic sanctions?", SANCTIONS_FOCUS,
     "Coordinate targeted sanctions with humanitarian exemptions"),
])
def test_a_row_label_in_two_tables_is_decided_by_the_column(question: str, chunk: Chunk,
                                                            cell: str) -> None:
    for order in ([SANCTIONS_IMPACT, SANCTIONS_FOCUS], [SANCTIONS_FOCUS, SANCTIONS_IMPACT]):
        a = compose(question, [ev(order[0], 1.0), ev(order[1], 0.9)], "v")
        assert [c.chunk.id for c in a.citations] == [chunk.id]
        assert f"{cell} [1]" in a.answer


def test_reverse_look_up_answers_the_row_label() -> None:
    evidence = [ev(CYBER, 1.0), ev(ARMS, 0.3), ev(MILITARY, 0.2)]
    a = compose("Which focus area is expected to reduce the risk of digital escalation?",
                evidence, "v")
    assert "Cybersecurity" in a.answer
    assert a.citations[0].chunk.id == CYBER.id and 0 in a.citations[0].highlight


def test_row_found_by_its_value_answers_the_column_asked_for() -> None:
    aid = row(3, FOCUS, ("Humanitarian Aid", "Expand cross-border assistance programs",
                         "Stabilize vulnerable populations"), 4)
    evidence = [ev(aid, 1.0), ev(ARMS, 0.3), ev(CYBER, 0.2)]
    a = compose("What is the expected outcome of expanding cross-border assistance programs?",
                evidence, "v")
    assert "Stabilize vulnerable populations" in a.answer and "Humanitarian Aid" in a.answer
    assert [c.chunk.id for c in a.citations] == [aid.id]
    assert set(a.citations[0].highlight) == {0, 1, 2}


def test_reverse_look_up_beats_a_row_whose_label_is_a_word_of_the_value() -> None:
    evidence = [ev(ARMS, 1.0), ev(CYBER, 0.3), ev(MILITARY, 0.2)]
    a = compose("Which focus area should lead to lowered military buildup?", evidence, "v")
    assert "Arms Control" in a.answer
    assert [c.chunk.id for c in a.citations] == [ARMS.id]


def test_a_row_the_table_lacks_abstains() -> None:
    evidence = [ev(MILITARY, 1.0), ev(ECONOMIC, 0.9), ev(DIPLOMATIC, 0.8)]
    a = compose("What is the regional impact of the cultural aspect?", evidence, "v")
    assert not a.grounded and a.citations == ()


def test_single_sentence_passage_answer_does_not_carry_the_section_heading() -> None:
    one = passage("p-one", "Analysts will be closely watching how this alliance influences "
                  "the strategic calculations of key players.", section="To Conclude")
    a = compose("What will analysts be watching?", [ev(one, 1.0)], "v")
    assert a.grounded
    assert "To Conclude" not in a.answer and "\n" not in a.answer


def test_a_clause_that_matches_best_answers_with_its_whole_sentence() -> None:
    intro = passage("p-intro", "The burgeoning partnership between North Korea and Russia is "
                    "reshaping geopolitical dynamics in Northeast Asia, reigniting Cold War-era "
                    "divisions that have long defined the region's security landscape. Moscow "
                    "seeks a strategic foothold.")
    end = passage("p-end", "Echoes of Cold War divisions once confined to history shape East "
                  "Asia. Analysts watch closely.")
    units = intro.units()
    assert len(units) > intro.searched_units()  # the long sentence has clause units
    # Only the clause about reigniting divisions is close to the question; the sentences of
    # the other passage are closer than any whole sentence of this one.
    near = tuple(0.8 if u.startswith("reigniting") else 0.3 for u in units)
    a = compose("Which divisions does the partnership reignite?",
                [Evidence(Hit(intro, 1.0, 1.0, 1.0), near), ev(end, 0.9, unit=0.6)], "v")
    assert a.grounded
    assert a.answer == (intro.text.split(" Moscow")[0] + " [1]")
    assert [c.chunk.id for c in a.citations] == ["p-intro"]


@pytest.mark.parametrize("question, whole", [
    ("What are the parts of the energy alliance?", True),  # asks for the parts
    ("What does the energy alliance supply?", False),  # asks what one item says
])
def test_a_question_for_the_parts_gets_the_list_whole(question: str, whole: bool) -> None:
    units = COMPONENTS.units()  # whole, intro, then the three items (each with the intro)
    near = tuple(0.8 if "Energy cooperation" in u and u != units[0] else 0.4 for u in units)
    a = compose(question, [Evidence(Hit(COMPONENTS, 1.0, 1.0, 1.0), near)], "v")
    assert a.grounded and [c.chunk.id for c in a.citations] == ["p-comp"]
    listed = "Energy cooperation; Military coordination; Diplomatic outreach."
    assert (listed in a.answer) is whole
    assert ("Russia supplies critical fuel" in a.answer) is not whole


# --- JSON shape --------------------------------------------------------------------------


def test_citation_to_dict_rows_carry_header_cells_and_highlight_passages_do_not() -> None:
    r = Citation(1, MILITARY, 0.1234567891, (3,)).to_dict()
    assert r["n"] == 1 and r["id"] == MILITARY.id and r["kind"] == "table_row"
    assert r["header"] == list(ASPECT) and r["cells"] == list(MILITARY.cells)
    assert r["highlight"] == [3] and r["score"] == 0.123457
    assert r["cells"][r["highlight"][0]] == "Escalates arms build-up, increases tensions"
    p = Citation(2, STAKEHOLDERS, 0.5).to_dict()
    assert p["n"] == 2 and p["kind"] == "passage" and p["text"] == STAKEHOLDERS.text
    assert p["doc"] == "a.md" and p["section"] == "Body"
    for key in ("header", "cells", "highlight", "caption", "group", "table", "row"):
        assert key not in p


def test_answer_to_dict_is_json_ready() -> None:
    a = Answer("x [1]", True, (Citation(1, MILITARY, 0.5, (3,)),), "v2", "q?")
    d = json.loads(json.dumps(a.to_dict()))
    assert d == {"answer": "x [1]", "grounded": True, "question": "q?", "version": "v2",
                 "citations": [Citation(1, MILITARY, 0.5, (3,)).to_dict()]}


# --- checking an answer against its citations -------------------------------------------


def _flat(text: str) -> str:
    """A chunk's text as an answer may quote it: list markers dropped, spaces collapsed."""
    return " ".join(text.replace("\n- ", " ").removeprefix("- ").split())


def claims_of(a: Answer) -> list[tuple[str, Citation]]:
    """Each claim of an answer with the citation its `[n]` points to; fails on a claim
    without a marker or a marker that points nowhere."""
    out = []
    parts = re.split(r"\s*\[(\d+)\]", a.answer)
    assert parts[-1].strip() == "", f"text after the last citation: {parts[-1]!r}"
    for text, n in zip(parts[0::2], parts[1::2]):
        assert 1 <= int(n) <= len(a.citations), f"[{n}] points past the citations"
        claims = text.strip().removeprefix(";").strip()
        assert claims, f"[{n}] cites nothing"
        out.append((claims, a.citations[int(n) - 1]))
    return out


def assert_row_claim_supported(claim: str, chunk: Chunk) -> None:
    """A table-row claim: the framing names the row, every other piece is a column name or
    a cell of the cited row, and the cells are quoted verbatim."""
    framing = re.match(r"For (?:the )?([^,]+), ", claim)
    body = claim
    if framing:
        subject = set(tokenize(framing.group(1)))
        names = set(tokenize(" ".join([*chunk.cells[:1], chunk.header[0], chunk.group])))
        assert subject <= names, f"framing {framing.group(0)!r} names another row"
        body = claim[framing.end():]
    header = {h.lower() for h in chunk.header}
    cells = {c for c in chunk.cells if c}
    for piece in re.split(r"\s*\(|\)\s*|;\s+|:\s+", body):
        piece = piece.strip().rstrip(".")
        if not piece:
            continue
        name = re.sub(r"^the |\s+(is|are)$", "", piece.lower())
        assert piece in cells or name in header, f"{piece!r} is neither a cell nor a column"
    assert any(c in claim for c in cells), f"no cell of the row quoted in {claim!r}"


def assert_passage_claim_supported(claim: str, chunk: Chunk) -> None:
    """A passage claim: each run between cut marks ("…") and list joins ("; ") appears
    verbatim in the cited passage."""
    source = _flat(chunk.text)
    for piece in re.split(r"…|;\s+", claim):
        piece = " ".join(piece.split()).rstrip(".").strip()
        if piece:
            assert piece in source, f"{piece!r} is not in the cited passage {chunk.id}"


def assert_well_cited(a: Answer) -> None:
    """Every grounded answer: markers point into the citations, citations are numbered
    1..N in order of first appearance and all used, the answer is short, and every claim
    is supported by the chunk it cites."""
    assert a.grounded and a.citations
    assert len(a.answer) <= 400, f"{len(a.answer)} characters"
    assert [c.n for c in a.citations] == list(range(1, len(a.citations) + 1))
    used = [int(n) for n in re.findall(r"\[(\d+)\]", a.answer)]
    first_use = list(dict.fromkeys(used))
    assert first_use == list(range(1, len(a.citations) + 1)), f"order of first use: {used}"
    assert len({c.chunk.id for c in a.citations}) == len(a.citations)
    for claim, citation in claims_of(a):
        if citation.chunk.kind == "table_row":
            assert_row_claim_supported(claim, citation.chunk)
        else:
            assert_passage_claim_supported(claim, citation.chunk)


def assert_abstains(a: Answer) -> None:
    """No claim, no citation, and a plain statement that the analysis does not cover it."""
    assert not a.grounded and a.citations == ()
    assert "[" not in a.answer
    assert re.search(r"analysis (does not|doesn't) (cover|contain|say|answer)", a.answer,
                     re.IGNORECASE), a.answer


def test_the_checker_rejects_a_claim_the_row_does_not_hold() -> None:
    honest = _cite([Claim("For the Military aspect, Regional Impact: Escalates arms build-up, "
                          "increases tensions", MILITARY, 1.0, (3,))], "v", "q")
    assert_well_cited(honest)
    for text, chunk in [
        ("For the Military aspect, Regional Impact: Escalates nuclear war", MILITARY),
        ("For the Economic aspect, Regional Impact: Escalates arms build-up, increases tensions",
         MILITARY),
        ("Stakeholders include Russia and the US.", STAKEHOLDERS),
    ]:
        with pytest.raises(AssertionError):
            assert_well_cited(_cite([Claim(text, chunk, 1.0)], "v", "q"))
    with pytest.raises(AssertionError):  # a marker that points nowhere
        assert_well_cited(Answer("Escalates arms build-up [2]", True,
                                 (Citation(1, MILITARY, 1.0),), "v", "q"))


# --- answers over the analysis, with the real model --------------------------------------


def test_table_question_answers_the_military_regional_impact(service: QAService) -> None:
    a = service.ask("What is the regional impact of the military aspect?")
    assert_well_cited(a)
    assert "Escalates arms build-up, increases tensions [1]" in a.answer
    assert "Military" in a.answer and re.search(r"regional impact", a.answer, re.IGNORECASE)
    assert len(a.citations) == 1
    cited = a.citations[0].chunk
    assert cited.kind == "table_row" and cited.doc == DOC and cited.cells[0] == "Military"
    assert "Regional Impact" in [cited.header[j] for j in a.citations[0].highlight]
    d = a.to_dict()["citations"][0]
    assert d["header"] == list(ASPECT) and d["cells"][0] == "Military"


def test_reverse_look_up_over_the_analysis(service: QAService) -> None:
    a = service.ask("Which focus area is expected to reduce the risk of digital escalation?")
    assert_well_cited(a)
    assert "Cybersecurity" in a.answer
    assert a.citations[0].chunk.cells[0] == "Cybersecurity"
    assert "Humanitarian" not in a.answer and "Arms Control" not in a.answer


def test_economic_sanctions_rows_of_two_tables_are_told_apart(service: QAService) -> None:
    outlook = service.ask("What is the long-term outlook for economic sanctions?")
    measure = service.ask("What measure is recommended for economic sanctions?")
    for a in (outlook, measure):
        assert_well_cited(a)
        assert a.citations[0].chunk.cells[0] == "Economic Sanctions"
    assert "Global sanction regimes weakened" in outlook.answer
    assert "Coordinate targeted sanctions with humanitarian exemptions" in measure.answer
    assert outlook.citations[0].chunk.header == IMPACT
    assert measure.citations[0].chunk.header == FOCUS
    assert outlook.citations[0].chunk.table != measure.citations[0].chunk.table


def test_stakeholders_question_cites_the_passage_naming_them(service: QAService) -> None:
    a = service.ask("Which stakeholders must balance deterrence with dialogue?")
    assert_well_cited(a)
    cited = a.citations[0].chunk
    assert cited.kind == "passage"
    for name in ("South Korea", "Japan", "China", "the US"):
        assert name in cited.text and name in a.answer


def test_key_components_name_energy_military_and_diplomatic(service: QAService) -> None:
    a = service.ask("What are the key components of the alliance?")
    assert_well_cited(a)
    for word in ("energy", "military", "diplomatic"):
        assert word in a.answer.lower()
    assert "Energy cooperation" in a.citations[0].chunk.text


# Paraphrases the service has not been tuned on: (question, text the answer must hold,
# text the first cited chunk must hold).
PARAPHRASES = [
    ("How does the military partnership affect the region?",
     "Escalates arms build-up, increases tensions", "Aspect: Military"),
    ("What is the military regional impact?",
     "Escalates arms build-up, increases tensions", "Aspect: Military"),
    ("What effect does the diplomatic cooperation have on the region?",
     "Complicates multilateral negotiations", "Aspect: Diplomatic"),
    ("What is Russia doing militarily?", "Modernizes forces, shares intelligence",
     "Aspect: Military"),
    ("What does Russia gain economically?", "Energy exports, market expansion",
     "Aspect: Economic"),
    ("What does North Korea leverage diplomatically?", "Leverages Russia’s UN veto power",
     "Aspect: Diplomatic"),
    ("Which aspect pushes anti-Western policies?", "Diplomatic", "Aspect: Diplomatic"),
    ("Which impact area sees loopholes exploited?", "Economic Sanctions", "Loopholes exploited"),
    ("Which impact area leads to entrenched bloc divisions?", "Security Alliances",
     "Entrenched bloc divisions"),
    ("Which focus area aims to stabilize vulnerable populations?", "Humanitarian Aid",
     "Stabilize vulnerable populations"),
    ("What is expected to result from joint cyber threat protocols?",
     "Reduced risk of digital escalation", "Focus Area: Cybersecurity"),
    ("What is the expected result of coordinating targeted sanctions?",
     "Pressure without civilian harm", "Focus Area: Economic Sanctions"),
    ("What's the long-term outlook for diplomatic engagement?",
     "Potential stalemate in peace talks", "Impact Area: Diplomatic Engagement"),
    ("What is the long-term prospect for economic sanctions?",
     "Global sanction regimes weakened", "Impact Area: Economic Sanctions"),
    ("What happens to sanction regimes in the long run?", "Global sanction regimes weakened",
     "Impact Area: Economic Sanctions"),
    ("What is the short-term consequence for diplomatic engagement?",
     "Reduced trust in negotiations", "Impact Area: Diplomatic Engagement"),
    ("Which measure targets arms control?", "Renew strategic arms reduction talks",
     "Focus Area: Arms Control"),
    ("Which countries face the challenge of balancing deterrence with dialogue?",
     "South Korea, Japan, China, and the US", "balancing deterrence with dialogue"),
    ("Who must balance deterrence and dialogue?", "South Korea, Japan, China, and the US",
     "balancing deterrence with dialogue"),
    ("What components make up the alliance?", "Military coordination", "Energy cooperation"),
    ("What does the alliance consist of?", "Diplomatic outreach", "Energy cooperation"),
    ("What does Russia supply to North Korea?", "critical fuel and energy resources",
     "Energy cooperation"),
    ("Which institutions should be strengthened?", "ASEAN Regional Forum", "United Nations"),
    ("What does the collaboration raise concerns about?", "nuclear proliferation",
     "arms trafficking"),
    ("What could prove pivotal in managing the unpredictability?",
     "confidence-building measures", "reinvigorating existing regional forums"),
    # Two words missing from the passage; its clause "Stakeholders ... face the daunting
    # challenge of balancing deterrence with dialogue" is close enough in meaning.
    ("Who has to weigh deterrence against dialogue?",
     "South Korea, Japan, China, and the US", "balancing deterrence with dialogue"),
    pytest.param("What are the main elements of the partnership?", "Military coordination",
                 "Energy cooperation", marks=pytest.mark.xfail(strict=True, reason=(
                     "abstains: retrieval puts the Security Alliances row first (its cell "
                     "'Realignment of partnerships'); 'element' is missing from it"))),
    # asks for the parts: the list as a whole, not its first item
    ("What are the key parts of the North Korea-Russia alliance?",
     "Energy cooperation; Military coordination; Diplomatic outreach", "Energy cooperation"),
    pytest.param("Which focus area should lead to lowered military buildup?", "Arms Control",
                 "Lowered military buildup"),
    pytest.param("Which aspect disrupts supply chains?", "Economic", "Aspect: Economic"),
    ("Whom does the economic aspect put pressure on?", "South Korea & Japan", "Aspect: Economic"),
    pytest.param("What does failure to adapt diplomatic initiatives risk?",
                 "igniting an arms race", "Failure to adapt diplomatic initiatives"),
]


@pytest.mark.parametrize("question, answer_holds, cited_holds", PARAPHRASES)
def test_paraphrases(service: QAService, question: str, answer_holds: str,
                     cited_holds: str) -> None:
    a = service.ask(question)
    assert_well_cited(a)
    assert answer_holds in a.answer
    assert cited_holds in a.citations[0].chunk.text


# The support check (qa.answer.support) is fitted for at most 5% false abstention on
# SQuAD; at that operating point it answers these three (README, "Abstention").
CHECK_LENIENCY = ("known limitation of the fitted support check at SQuAD's operating point: "
                  "{}")


@pytest.mark.parametrize("question", [
    pytest.param("What is the population of Pyongyang?", marks=pytest.mark.xfail(
        strict=True, reason=CHECK_LENIENCY.format("the intro names Pyongyang; 'population' "
                                                  "weighs as one missing word"))),
    pytest.param("What does China supply to North Korea?", marks=pytest.mark.xfail(
        strict=True, reason=CHECK_LENIENCY.format("China is named in the analysis, not in "
                                                  "Russia's supply sentence"))),
    "And what is the regional impact of the cultural aspect?",
    "Who won the 2022 football World Cup?",
    "How many nuclear warheads does North Korea have?",
    "What is the GDP of North Korea?",
    "When was the alliance signed?",
    pytest.param("What is the capital of Russia?", marks=pytest.mark.xfail(
        strict=True, reason=CHECK_LENIENCY.format("the Diplomatic row names Russia"))),
    "What did Putin say at the summit?",
    "How many joint exercises were held in 2023?",
    "What is the weather in Seoul?",
])
def test_questions_the_analysis_does_not_answer_abstain(service: QAService,
                                                        question: str) -> None:
    assert_abstains(service.ask(question))


SCOPED_LENIENCY = (
    "with doc set, compose(scoped=True) accepts any evidence that lacks only content words; "
    "the name is in the analysis, so nothing refutes it and the answer is a chunk that "
    "does not answer the question")


@pytest.mark.parametrize("question", [
    pytest.param("What is the population of Pyongyang?", marks=pytest.mark.xfail(
        strict=True, reason=("known limitation: a question scoped to a document abstains only "
                             "on a missing number or unknown name; the intro names Pyongyang"))),
    pytest.param("What is the capital of Russia?", marks=pytest.mark.xfail(
        strict=True, reason=SCOPED_LENIENCY + " (the Diplomatic row, Russia column)")),
    "Who won the 2022 football World Cup?",
    pytest.param("How many nuclear warheads does North Korea have?", marks=pytest.mark.xfail(
        strict=True, reason=CHECK_LENIENCY.format(
            "scoped, the threshold is the one TAT-QA's false abstention allows"))),
    "What did Putin say at the summit?",
])
def test_abstention_holds_when_scoped_to_the_analysis(service: QAService,
                                                      question: str) -> None:
    assert_abstains(service.ask(question, [], DOC))


def test_scoped_table_question_answers_as_unscoped(service: QAService) -> None:
    q = "What is the regional impact of the military aspect?"
    assert service.ask(q, [], DOC).answer == service.ask(q).answer
