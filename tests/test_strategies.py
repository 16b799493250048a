"""Each strategy alone on hand-built evidence (no model): what it proposes, and that it
proposes nothing where it does not apply."""

from __future__ import annotations

from dataclasses import replace

import pytest
from helpers import ASPECT, FOCUS, IMPACT, Chunks, ev, passage, row

from qa.answer.question import analyze, ground
from qa.answer.strategies import STRATEGIES, Plugged
from qa.answer.strategies.cells import NamedRows, OrdinalRow, ReverseLookup, TableCell
from qa.answer.strategies.sections import SectionSummary
from qa.answer.strategies.sentences import (
    ANSWER_CHARS,
    GATHERED,
    BestSentence,
    SeveralSentences,
    announces,
    gathered,
)
from qa.answer.strategies.table import Extremes, WholeTable, shows
from qa.answer.strategies.yesno import YesNo, denies, verdict
from qa.answer.tables import reverse_claim
from qa.answer.types import Candidate, Claim, Evidence

TRIPS = ("Route", "2021", "2022", "2023")
ROUTES = [row(5, TRIPS, cells, r, caption="Annual trips by route (thousands):") for r, cells in
          enumerate([("Harbor Line", "4,210", "5,380", "6,920"),
                     ("Northgate Express", "3,950", "4,470", "4,880"),
                     ("Airport Shuttle", "1,120", "1,460", "1,610"),
                     ("Total", "9,280", "11,310", "13,410")], start=1)]
HARBOR, NORTHGATE, SHUTTLE, TOTAL = ROUTES
MILITARY = row(1, ASPECT, ("Military", "Enhances missile and defense tech",
                           "Modernizes forces, shares intelligence",
                           "Escalates arms build-up, increases tensions"), 2)
ECONOMIC = row(1, ASPECT, ("Economic", "Seeking resources, sanctions evasion",
                           "Energy exports, market expansion",
                           "Disrupts supply chains, pressures South Korea & Japan"), 1)
ARMS = row(3, FOCUS, ("Arms Control", "Renew strategic arms reduction talks",
                      "Lowered military buildup"), 1)
CYBER = row(3, FOCUS, ("Cybersecurity", "Develop joint cyber threat protocols",
                       "Reduced risk of digital escalation"), 3)
FARES = passage("p-fares", "Fare revenue reached $41.2 million, covering 38 percent of "
                "operating costs. Operating costs rose by 6 percent, mainly because of higher "
                "wages and diesel prices. Moreover, the authority kept the standard adult fare "
                "at $2.50 for the fourth consecutive year.")
GRANT = passage("p-grant", "The board warned that the state operating grant is not "
                "guaranteed beyond 2024. The electric bus program does not only serve the "
                "city but also the townships.")
DELAYS = passage("p-delays", "The main causes of delay were:\n"
                 "- Driver shortage: about 40 positions stayed vacant.\n"
                 "- Road works: the reconstruction forced detours.\n"
                 "- Aging vehicles: a third of the fleet is old.")
CORPUS = Chunks([*ROUTES, MILITARY, ECONOMIC, ARMS, CYBER, FARES, GRANT, DELAYS])


def propose(strategy, question: str, evidence: list[Evidence]) -> list[Candidate]:
    """The strategy's candidates for the question over the evidence."""
    return strategy.propose(ground(analyze(question), evidence), evidence, CORPUS)


def texts(cands: list[Candidate]) -> list[str]:
    """Each candidate's claims, joined."""
    return [" | ".join(c.claims[i].text for i in range(len(c.claims))) for c in cands]


# --- table cell, named rows, reverse look-up ---------------------------------------------


def test_table_cell_gives_the_asked_column_of_the_named_row() -> None:
    cands = propose(TableCell(), "What is the regional impact of the military aspect?",
                    [ev(MILITARY, 1.0), ev(ECONOMIC, 0.8), ev(CYBER, 0.5)])
    assert texts(cands)[0] == ("For the Military aspect, Regional Impact: Escalates arms "
                               "build-up, increases tensions")
    assert cands[0].claims[0].highlight == (3,)
    assert all("Cybersecurity" not in t for t in texts(cands))  # a row it does not name
    assert cands[0].features["label_match"] == 1.0 and cands[0].features["column_match"] == 1.0


def test_a_question_joining_two_headers_gets_both_columns() -> None:
    loopholes = row(2, IMPACT, ("Economic Sanctions", "Loopholes exploited",
                                "Global sanction regimes weakened"), 3)
    # "short-term and long-term effects" holds all of "Short-Term Effect" and two thirds of
    # "Long-Term Outlook", whose own word "long" it writes too
    cands = propose(TableCell(), "What are the short-term and long-term effects on economic "
                    "sanctions?", [ev(loopholes, 1.0)])
    assert texts(cands)[0] == ("For the Economic Sanctions impact area, Short-Term Effect: "
                               "Loopholes exploited; Long-Term Outlook: Global sanction "
                               "regimes weakened")
    # without a join, the best-named column alone
    one = propose(TableCell(), "What is the short-term effect on economic sanctions in the "
                  "long run?", [ev(loopholes, 1.0)])
    assert texts(one)[0] == ("For the Economic Sanctions impact area, Short-Term Effect: "
                             "Loopholes exploited")


def test_a_name_the_question_states_does_not_name_a_column_of_another_name() -> None:
    # "South Korea" shares "Korea" with the column "North Korea" but names another thing
    cands = propose(TableCell(), "How does the economic aspect affect South Korea?",
                    [ev(ECONOMIC, 1.0), ev(MILITARY, 0.8)])
    assert cands[0].claims[0].highlight != (1,)  # not the North Korea column alone
    assert "Regional Impact: Disrupts supply chains" in texts(cands)[0]
    # the column's whole name still names it
    cands = propose(TableCell(), "What does North Korea seek in the economic aspect?",
                    [ev(ECONOMIC, 1.0)])
    assert texts(cands)[0] == ("For the Economic aspect, North Korea: Seeking resources, "
                               "sanctions evasion")


def test_table_cell_names_a_year_column() -> None:
    cands = propose(TableCell(), "How many trips did the Harbor Line carry in 2022?",
                    [ev(HARBOR, 1.0), ev(NORTHGATE, 0.7)])
    assert texts(cands)[0] == "For the Harbor Line route, 2022: 5,380"


def test_table_cell_writes_the_percent_sign_its_row_or_column_states() -> None:
    margin = row(9, ("", "F19", "F18"), ("Gross margin (%)", "22.9", "23.1"), 1)
    weights = row(9, ("Currency", "Weightage (%)", "FY 2019"), ("USD", "53.6", "70.07"), 2)
    cands = propose(TableCell(), "What is the gross margin for F19?", [ev(margin, 1.0)])
    assert texts(cands)[0] == "For Gross margin (%), F19: 22.9%"
    # only the column that states it: the rate beside it is no percentage
    cands = propose(TableCell(), "What are the weightage and FY 2019 rate of the USD?",
                    [ev(weights, 1.0)])
    assert texts(cands)[0] == "For the USD currency, Weightage (%): 53.6%; FY 2019: 70.07"


def test_table_cell_proposes_nothing_for_a_question_naming_no_row() -> None:
    assert propose(TableCell(), "What does the weather do?", [ev(MILITARY, 1.0)]) == []


def test_named_rows_gives_each_row_the_question_names_in_table_order() -> None:
    cands = propose(NamedRows(), "How many trips did the Airport Shuttle and the Harbor Line "
                    "carry in 2023?", [ev(SHUTTLE, 1.0), ev(HARBOR, 0.9), ev(NORTHGATE, 0.5)])
    (c,) = cands
    assert [cl.chunk.id for cl in c.claims] == [HARBOR.id, SHUTTLE.id]
    assert texts(cands)[0] == ("For the Harbor Line route, 2023: 6,920 | "
                               "For the Airport Shuttle route, 2023: 1,610")


def test_a_cell_of_one_of_two_named_rows_says_what_it_leaves_out() -> None:
    both = propose(TableCell(), "How do the economic and military aspects differ in regional "
                   "impact?", [ev(MILITARY, 1.0), ev(ECONOMIC, 0.8)])
    assert [c.features["rows_left"] for c in both] == [0.5, 0.5]
    one = propose(TableCell(), "What is the regional impact of the military aspect?",
                  [ev(MILITARY, 1.0), ev(ECONOMIC, 0.8)])
    assert [c.features["rows_left"] for c in one] == [0.0]


def test_named_rows_needs_two_named_rows() -> None:
    assert propose(NamedRows(), "How many trips did the Harbor Line carry in 2023?",
                   [ev(HARBOR, 1.0), ev(SHUTTLE, 0.9)]) == []


def test_reverse_look_up_gives_the_label_of_the_row_found_by_its_value() -> None:
    cands = propose(ReverseLookup(), "Which focus area is expected to reduce the risk of "
                    "digital escalation?", [ev(CYBER, 1.0), ev(ARMS, 0.5)])
    assert texts(cands)[0] == ("Focus Area: Cybersecurity (Expected Outcome: Reduced risk of "
                               "digital escalation)")
    assert cands[0].features["value_match"] > 0.5


def test_reverse_look_up_gives_the_rest_of_the_row_when_no_column_is_asked() -> None:
    cands = propose(ReverseLookup(), "What is the aim of renewing strategic arms reduction "
                    "talks?", [ev(ARMS, 1.0), ev(CYBER, 0.5)])
    # the rest joined by semicolons, as the cells of a row are (a cell may hold commas)
    assert texts(cands)[0] == ("Focus Area: Arms Control (Recommended Measure: Renew strategic "
                               "arms reduction talks); Expected Outcome: Lowered military "
                               "buildup")
    rest = reverse_claim(ECONOMIC, 3, (), 1.0, rest=True).text
    assert rest == ("Aspect: Economic (Regional Impact: Disrupts supply chains, pressures South "
                    "Korea & Japan); North Korea: Seeking resources, sanctions evasion; Russia: "
                    "Energy exports, market expansion")
    # a question asking for the label is answered by it and the value alone
    label = propose(ReverseLookup(), "Which focus area renews strategic arms reduction "
                    "talks?", [ev(ARMS, 1.0), ev(CYBER, 0.5)])
    assert texts(label)[0] == ("Focus Area: Arms Control (Recommended Measure: Renew "
                               "strategic arms reduction talks)")


# --- whole table, superlatives ------------------------------------------------------------


PROGRAM = ("Program", "Lead Department", "Start")
PROGRAMS = [row(5, PROGRAM, cells, r) for r, cells in enumerate([
    ("Electric Bus Conversion", "Fleet Services", "2024"),
    ("Driver Academy", "Human Resources", "2024"),
    ("Harbor Line Extension", "Capital Projects", "2025")], start=1)]


@pytest.mark.parametrize("question, items", [
    ("Which programs start in 2024?", ["Electric Bus Conversion", "Driver Academy"]),
    ("Which programs does Capital Projects lead?", ["Harbor Line Extension"]),
    # a value no row holds, or every row: no filter
    ("Which programs start in 2030?", ["Electric Bus Conversion", "Driver Academy",
                                       "Harbor Line Extension"]),
    ("Which programs are listed?", ["Electric Bus Conversion", "Driver Academy",
                                    "Harbor Line Extension"]),
])
def test_whole_table_items_are_those_holding_what_the_question_states(
        question: str, items: list[str]) -> None:
    evidence = [ev(c, 1.0 - c.row / 10) for c in PROGRAMS]
    cands = WholeTable().propose(ground(analyze(question), evidence), evidence,
                                 Chunks(PROGRAMS))
    listed = next(c for c in cands if c.strategy == "table:items")
    assert [cl.text for cl in listed.claims] == items


def test_whole_table_gives_the_periods_it_covers() -> None:
    cands = propose(WholeTable(), "Which years does the ridership table cover?",
                    [ev(HARBOR, 1.0), ev(TOTAL, 0.8)])
    assert "The table gives figures for 2021, 2022, 2023" in texts(cands)
    periods = next(c for c in cands if c.strategy == "table:periods")
    assert periods.features["head_period"] == 1.0


def test_whole_table_reads_first_the_tables_the_question_names() -> None:
    # three tables retrieved; the one the question names by its section heading comes
    # third in retrieval, and only the first two tables are read
    results = row(7, ("", "2019", "2018", "2017"), ("Revenue", "$5,123", "$4,987", "$4,502"), 1,
                  caption="The following table shows the results of operations:")
    routes = [replace(c, id=f"ridership{c.row}", table=9, section="Ridership") for c in ROUTES]
    corpus = Chunks([*PROGRAMS, results, *routes])
    evidence = [ev(PROGRAMS[0], 1.0), ev(results, 0.9), ev(routes[-1], 0.8)]
    question = ground(analyze("Which years does the ridership table cover?"), evidence)
    periods = [c for c in WholeTable().propose(question, evidence, corpus)
               if c.strategy == "table:periods"]
    assert periods[0].claims[0].text == "The table gives figures for 2021, 2022, 2023"
    # the question names the table by its section: the table's own reading
    assert periods[0].features.get("table_reading") == 1.0


def test_whole_table_lists_its_items_without_the_total() -> None:
    cands = propose(WholeTable(), "What routes does the table list?", [ev(HARBOR, 1.0)])
    items = next(c for c in cands if c.strategy == "table:items")
    assert [cl.text for cl in items.claims] == ["Harbor Line", "Northgate Express",
                                                "Airport Shuttle"]
    assert items.features["head_label_header"] == 1.0
    caption = next(c for c in cands if c.strategy == "table:caption")
    assert caption.claims[0].text == "The table shows: Annual trips by route (thousands)"
    # written as its caption, which introduces the table itself (ranked as it was fitted)
    assert caption.claims[0].shown == "Annual trips by route (thousands)"


def test_a_caption_that_introduces_its_table_is_not_framed_twice() -> None:
    assert shows("The following table summarizes charges by segment (in millions):") == (
        "The following table summarizes charges by segment (in millions)")
    assert shows("Inventories consisted of the following: October 31,") == (
        "Inventories consisted of the following: October 31,")
    # a caption cut from a longer sentence introduced the table too
    assert shows("The pro-forma results of operations are presented …") == (
        "The pro-forma results of operations are presented …")
    # header notes alone say nothing of what the table shows
    assert shows("(Dollars in thousands)") == "The table shows: (Dollars in thousands)"


def test_whole_table_items_carry_the_column_the_question_asks_for() -> None:
    cands = propose(WholeTable(), "What are the expected outcomes of the recommendations?",
                    [ev(ARMS, 1.0), ev(CYBER, 0.9)])
    items = next(c for c in cands if c.strategy == "table:items")
    # ranked and checked as a list of labels (what the ranker learnt lists from) ...
    assert [cl.text for cl in items.claims] == ["Arms Control", "Cybersecurity"]
    # ... read out with the cell of the column the question names
    assert [cl.text for cl in items.said] == [
        "Arms Control: Lowered military buildup",
        "Cybersecurity: Reduced risk of digital escalation"]
    assert items.said[0].highlight == (0, 2)  # the label and the asked cell
    # a column of figures is not read out beside the items
    cands = propose(WholeTable(), "What routes does the table list for 2023?", [ev(HARBOR, 1.0)])
    assert next(c for c in cands if c.strategy == "table:items").said == ()


def test_whole_table_says_whether_the_asked_for_noun_is_a_period() -> None:
    def periods(question: str) -> Candidate:
        cands = propose(WholeTable(), question, [ev(HARBOR, 1.0)])
        return next(c for c in cands if c.strategy == "table:periods")

    asks_years = periods("Which years are listed in the table?").features
    assert asks_years["head_period"] == 1.0 and asks_years["head_other"] == 0.0
    asks_routes = periods("Which routes are listed in the table?").features
    assert asks_routes["head_period"] == 0.0 and asks_routes["head_other"] == 1.0


def test_whole_table_items_know_the_question_names_their_total() -> None:
    def items(question: str) -> Candidate:
        cands = propose(WholeTable(), question, [ev(TOTAL, 1.0), ev(HARBOR, 0.9)])
        return next(c for c in cands if c.strategy == "table:items")

    parts = items("What are the components of the total trips?")
    assert [cl.text for cl in parts.claims] == ["Harbor Line", "Northgate Express",
                                                "Airport Shuttle"]
    assert parts.features["total_named"] == 1.0
    assert items("What routes are listed in the table?").features["total_named"] == 0.0


@pytest.mark.parametrize("question, read", [
    # every word beyond what it asks for is one the table describes itself with
    ("What routes are listed in the table?", True),
    ("What are the components of the total trips?", True),  # the caption says trips
    ("What does the table show?", True),
    # a word the table does not write: the question is about something else
    ("What routes does the city plan to open?", False),
    # an item it names whole asks for that row, not for the items
    ("What are the Harbor Line trips in the table?", False),
])
def test_whole_table_readings_are_the_table_s_own_when_the_question_asks_of_it(
        question: str, read: bool) -> None:
    cands = propose(WholeTable(), question, [ev(TOTAL, 1.0), ev(HARBOR, 0.9)])
    assert cands
    assert all(bool(c.features.get("table_reading")) == read for c in cands)


def test_whole_table_only_for_list_summary_and_count_questions() -> None:
    assert propose(WholeTable(), "What is the 2023 figure of the Harbor Line?",
                   [ev(HARBOR, 1.0)]) == []


@pytest.mark.parametrize("question, answer", [
    ("Which route had the most trips in 2023?", "Harbor Line (2023: 6,920)"),
    ("Which route carried the fewest trips in 2021?", "Airport Shuttle (2021: 1,120)"),
    # an ordinal before the superlative asks for the item at that place
    ("Which route had the second most trips in 2023?", "Northgate Express (2023: 4,880)"),
    ("Which route carried the second fewest trips in 2021?", "Northgate Express (2021: 3,950)"),
])
def test_extremes_across_the_rows_of_a_named_column(question: str, answer: str) -> None:
    cands = propose(Extremes(), question, [ev(HARBOR, 1.0), ev(SHUTTLE, 0.8)])
    assert answer in texts(cands)


@pytest.mark.parametrize("question, read", [
    ("Which route carried the fewest trips in 2021?", 1.0),  # what it lists, and the column
    ("Which carried the fewest trips in 2021?", 0.0),  # not what the table lists
    ("Which ferry carried the fewest trips in 2021?", 0.0),
])
def test_an_extreme_is_the_table_s_reading_when_the_question_names_items_and_column(
        question: str, read: float) -> None:
    cands = propose(Extremes(), question, [ev(c, 1.0) for c in ROUTES])
    assert cands and cands[0].features["table_reading"] == read


def test_extremes_across_the_columns_of_a_named_row() -> None:
    cands = propose(Extremes(), "In which year did the Northgate Express carry the most trips?",
                    [ev(NORTHGATE, 1.0)])
    across = [c for c in cands if c.strategy == "extreme:columns"]
    assert across[0].claims[0].text.startswith("2023 (Northgate Express: 2021: 3,950")
    assert across[0].claims[0].highlight == (0, 3)


def test_extremes_across_periods_know_a_period_is_asked_for() -> None:
    def across(question: str) -> Candidate:
        cands = propose(Extremes(), question, [ev(NORTHGATE, 1.0)])
        return next(c for c in cands if c.strategy == "extreme:columns")

    year = across("In which year did the Northgate Express carry the most trips?")
    assert year.features["head_period"] == 1.0 and year.features["head_other"] == 0.0
    route = across("Which route carried the most trips, the Northgate Express?")
    assert route.features["head_period"] == 0.0 and route.features["head_other"] == 1.0


def test_extremes_only_with_a_superlative_or_comparative() -> None:
    assert propose(Extremes(), "How many trips did the Harbor Line carry in 2023?",
                   [ev(HARBOR, 1.0)]) == []


# --- sentences ----------------------------------------------------------------------------


def test_best_sentence_proposes_each_sentence_without_a_dangling_connective() -> None:
    cands = propose(BestSentence(), "What fare did the authority keep?", [ev(FARES, 1.0)])
    got = texts(cands)
    assert "The authority kept the standard adult fare at $2.50 for the fourth consecutive " \
           "year." in got
    assert not any(t.startswith("Moreover") for t in got)
    assert len(got) == 3


def test_best_sentence_adds_the_next_sentence_for_a_reason_question() -> None:
    cands = propose(BestSentence(), "Why did fare revenue cover 38 percent?", [ev(FARES, 1.0)])
    assert any(c.strategy == "sentence:next" and len(c.claims[0].text) < ANSWER_CHARS
               for c in cands)


COMETS = passage("p-comets", "Three comets were discovered at the observatory. The first was "
                 "found by Lusk in 1879 and the second by Oldroyd in 1887. The comets were "
                 "faint.")


def test_best_sentence_adds_the_next_sentence_that_gives_what_the_first_announces() -> None:
    # "who" asks a person: the first sentence names none, the next names two
    cands = propose(BestSentence(), "Who discovered comets at the observatory?",
                    [ev(COMETS, 1.0)])
    pairs = [c.claims[0].text for c in cands if c.strategy == "sentence:then"]
    assert pairs == [("Three comets were discovered at the observatory. The first was found "
                      "by Lusk in 1879 and the second by Oldroyd in 1887.")]
    # a question asking no kind of value gets no such pair
    assert not any(c.strategy == "sentence:then" for c in propose(
        BestSentence(), "What was discovered at the observatory?", [ev(COMETS, 1.0)]))


def test_a_sentence_announces_what_the_next_gives_only_when_it_gives_none_itself() -> None:
    def names(text: str) -> bool:
        return "Lusk" in text
    assert announces("Three comets were found.", "The first by Lusk.", names)
    assert not announces("Lusk found three comets.", "The first by Lusk.", names)
    assert not announces("Three comets were found.", "They were faint.", names)
    assert not announces("Three comets were found.", "The first by Lusk.", None)


def _single(text: str, chunk, score: float) -> Candidate:
    return Candidate("sentence", (Claim(text, chunk, 1.0),), score, features={"dense": 0.5})


def test_gathered_takes_the_ranker_s_best_single_sentences_in_reading_order() -> None:
    first = ("Operating costs rose by 6 percent, mainly because of higher wages and diesel "
             "prices.")
    second = "Fare revenue reached $41.2 million, covering 38 percent of operating costs."
    ranked = [_single(first, FARES, 3.0), _single(first, FARES, 2.5),  # said twice: once
              Candidate("sentences:top", (Claim("x", FARES, 1.0), Claim("y", FARES, 1.0)), 2.0),
              _single(second, FARES, 1.0)]
    order = {first: (0, 60), second: (0, 0)}
    got = gathered(analyze("What happened to the authority's costs?"), ranked,
                   lambda cl: order[cl.text])
    assert got is None  # a fact question: one answer is asked for
    got = gathered(analyze("What were the authority's results?"), ranked,
                   lambda cl: order[cl.text])
    assert got is not None and got.strategy == GATHERED
    assert [cl.text for cl in got.claims] == [second, first]  # the passage's order
    assert got.features["pieces"] == 2 / 5
    # one piece is no list
    assert gathered(analyze("What were the authority's results?"), ranked[:2],
                    lambda cl: order[cl.text]) is None
    # the best piece a whole list of the source: that list is the answer, not a gathering
    whole = Candidate("sentence", (Claim("A; B; C.", DELAYS, 1.0),), 4.0,
                      features={"whole_list": 1.0})
    assert gathered(analyze("What were the authority's results?"), [whole, *ranked],
                    lambda cl: order[cl.text]) is None


def test_several_sentences_for_a_list_question_cite_each_piece_within_the_limit() -> None:
    cands = propose(SeveralSentences(), "What were the main causes of delay?",
                    [ev(DELAYS, 1.0), ev(FARES, 0.5)])
    assert cands
    for c in cands:
        assert 2 <= len(c.claims) <= 5
        assert sum(len(cl.text) + 5 for cl in c.claims) <= ANSWER_CHARS
    top = next(c for c in cands if c.strategy == "sentences:chunk")
    assert [cl.text.split(":")[0] for cl in top.claims] == [
        "Driver shortage", "Road works", "Aging vehicles"]


def test_several_sentences_not_for_a_fact_question() -> None:
    assert propose(SeveralSentences(), "What did fare revenue reach?", [ev(FARES, 1.0)]) == []


# --- yes/no -------------------------------------------------------------------------------


def test_yes_when_the_sentence_states_it() -> None:
    cands = propose(YesNo(), "Did fare revenue cover 38 percent of operating costs?",
                    [ev(FARES, 1.0)])
    assert cands and cands[0].preface == "Yes."
    assert cands[0].claims[0].text.startswith("Fare revenue reached $41.2 million")


def test_no_when_the_sentence_denies_it() -> None:
    cands = propose(YesNo(), "Is the state operating grant guaranteed beyond 2024?",
                    [ev(GRANT, 1.0)])
    assert cands and cands[0].preface == "No."


def test_no_verdict_when_the_sentence_does_not_state_it() -> None:
    assert propose(YesNo(), "Did the authority raise the fare for seniors?",
                   [ev(FARES, 1.0)]) == []


def test_yes_for_a_row_that_states_it() -> None:
    cands = propose(YesNo(), "Is arms control expected to lower the military buildup?",
                    [ev(ARMS, 1.0)])
    assert cands and cands[0].preface == "Yes."
    assert cands[0].claims[0].chunk.id == ARMS.id


def test_not_only_denies_nothing_the_question_asks() -> None:
    assert not denies(analyze("Does the program serve the townships?").words,
                      "The program serves not only the city but also the townships.")
    assert denies(analyze("Does the program serve only the city?").words,
                  "The program serves not only the city but also the townships.")


def test_verdict_needs_most_of_the_question() -> None:
    q = analyze("Is the grant guaranteed?")
    assert verdict(q, "The state operating grant is not guaranteed beyond 2024.", CORPUS.idf)[0] \
        == "No"
    assert verdict(q, "Fare revenue reached $41.2 million.", CORPUS.idf)[0] == ""


SUPPLY = passage("p-supply", "Energy cooperation: Russia supplies critical fuel and energy "
                 "resources to North Korea.")


@pytest.mark.parametrize("question, said", [
    ("Does Russia supply fuel to North Korea?", "Yes"),
    # a name the sentence does not write: it confirms nothing about it
    ("Does China supply fuel to North Korea?", ""),
    ("Does Russia supply fuel to South Korea?", ""),  # "Korea" alone is not "South Korea"
    # the two names the other way round around the word that links them
    ("Does North Korea supply fuel to Russia?", ""),
])
def test_a_verdict_needs_the_question_s_names_in_their_roles(question: str, said: str) -> None:
    assert verdict(analyze(question), SUPPLY.text, CORPUS.idf)[0] == said


COSTS = passage("p-costs", "Operating costs rose by 6 percent, mainly because of higher wages, "
                "while net income fell.")


@pytest.mark.parametrize("question, said", [
    # the same change in the text's own word ("rose" is no stem of "rise")
    ("Did operating costs rise because of higher wages?", "Yes"),
    ("Did operating costs increase?", "Yes"),
    # the other change of what is asked, or none where one is asked: the text denies it
    ("Did operating costs fall?", "No"),
    ("Were operating costs kept?", "No"),
    # the change nearest the question's words is what is said of them: income fell
    ("Did net income rise?", "No"),
    ("Did net income decline?", "Yes"),
    # the opposite of a word the question asks of something the text does not name
    ("Did operating costs for seniors fall?", ""),
])
def test_a_verdict_reads_the_change_the_text_says(question: str, said: str) -> None:
    assert verdict(analyze(question), COSTS.text, CORPUS.idf)[0] == said


@pytest.mark.parametrize("question, said", [
    ("Will the extension open in 2025?", "Yes"),
    ("Will the extension open in 2024?", ""),  # another year in its place
    ("Will the extension open in 2025 with 2 stations?", "Yes"),
])
def test_a_verdict_needs_the_question_s_year_not_another(question: str, said: str) -> None:
    text = "The extension will open in 2025 and add 2 stations."
    assert verdict(analyze(question), text, CORPUS.idf)[0] == said


@pytest.mark.parametrize("question, said", [
    ("Did weekend ridership grow faster than weekday ridership?", "Yes"),
    ("Did weekday ridership grow faster than weekend ridership?", ""),  # the other way round
])
def test_a_verdict_needs_the_comparison_the_right_way_round(question: str, said: str) -> None:
    text = "Weekend ridership grew faster than weekday ridership for the second year running."
    assert verdict(analyze(question), text, CORPUS.idf)[0] == said


PROPOSAL = passage("p-proposal", "In 1905 the guild submitted a second proposal to the city "
                   "council. It was approved in March 1906, after a merchant pledged the money.")


def test_a_sentence_opening_with_a_pronoun_is_read_with_the_one_naming_its_subject() -> None:
    # the sentence that names the proposal does not say it was approved: no verdict on it
    # alone; the one that says so ("It was approved") is cited, with the one it leans on
    q = analyze("Was the second proposal approved?")
    assert verdict(q, "In 1905 the guild submitted a second proposal to the city council.",
                   CORPUS.idf)[0] == ""
    cands = propose(YesNo(), "Was the second proposal approved?", [ev(PROPOSAL, 1.0)])
    assert cands and all(c.preface == "Yes." for c in cands)
    assert all("It was approved in March 1906" in c.claims[0].text for c in cands)
    assert cands[0].claims[0].text in PROPOSAL.text  # one span of the cited passage


PLAN = passage("p-plan", "Vos joined the university in 1896. He put the plan to the senate "
               "in 1902. It was turned down because the road was too costly.")


def test_a_pronoun_may_lean_on_a_sentence_that_opens_with_one_too() -> None:
    cands = propose(YesNo(), "Was Vos's plan turned down?", [ev(PLAN, 1.0)])
    assert cands and cands[0].preface == "Yes."
    # quoted with the sentence it leans on; the name two sentences back only read
    assert cands[0].claims[0].text == ("He put the plan to the senate in 1902. It was turned "
                                       "down because the road was too costly.")


@pytest.mark.parametrize("question, said", [
    ("Did Pieter Vos join the university in 1896?", "Yes"),  # the surname, after the name
    ("Did Anna Vos join the university in 1896?", "Yes"),  # (no text tells them apart)
    ("Did North Vos join the university in 1896?", ""),  # "South Vos" is not written alone
])
def test_a_text_names_a_person_by_the_last_word_of_the_name(question: str, said: str) -> None:
    text = "South Vos joined the university in 1896."
    if said:
        text = "Vos joined the university in 1896."
    assert verdict(analyze(question), text, CORPUS.idf)[0] == said


def test_a_word_with_a_negating_prefix_denies_the_word_without_it() -> None:
    text = "The new grant will stabilize the district budget."
    assert verdict(analyze("Will the new grant destabilize the district budget?"), text,
                   CORPUS.idf)[0] == "No"
    assert verdict(analyze("Will the new grant stabilize the district budget?"), text,
                   CORPUS.idf)[0] == "Yes"


def test_a_place_is_named_by_its_demonym() -> None:
    text = "The hall was designed by the Dutch-born architect Emil Hofer."
    assert verdict(analyze("Was the architect born in the Netherlands?"), text,
                   CORPUS.idf)[0] == "Yes"
    assert verdict(analyze("Was the architect born in Belgium?"), text, CORPUS.idf)[0] == ""


@pytest.mark.parametrize("text", [
    "The telescope was left in its dome rather than moved to the new site.",
    "The telescope stayed in its dome instead of being moved to the new site.",
])
def test_a_contrastive_connective_denies_what_follows_it(text: str) -> None:
    assert verdict(analyze("Was the telescope moved to the new site?"), text,
                   CORPUS.idf)[0] == "No"


def test_a_negation_denies_the_noun_phrase_after_it() -> None:
    text = ("The listing covers the main block and the dome, but not the later garages or "
            "the bus shelter.")
    assert verdict(analyze("Does the listing cover the bus shelter?"), text, CORPUS.idf)[0] == "No"
    assert verdict(analyze("Does the listing cover the dome?"), text, CORPUS.idf)[0] == "Yes"


def test_yes_no_only_for_yes_no_questions() -> None:
    assert propose(YesNo(), "What is the state operating grant?", [ev(GRANT, 1.0)]) == []


# --- the registry -------------------------------------------------------------------------


def test_every_strategy_has_a_name_and_a_function_plugs_in_with_one_line() -> None:
    assert len({s.name for s in STRATEGIES}) == len(STRATEGIES)

    def propose_nothing(question, evidence, corpus):
        return [Candidate("plugged", (), 0.0)] if question.text else []

    plugged = Plugged("plugged", propose_nothing)
    assert plugged.propose(analyze("What?"), [], CORPUS)[0].strategy == "plugged"


# --- report tables: rows without a label, years as rows, row groups ----------------------

EPS = [row(7, ("", "2019", "2018"), cells, r, doc="r.md", group="Diluted earnings per share")
       for r, cells in enumerate([("Continuing operations", "123.1", "110.0"),
                                  ("Discontinued operations", "9.2", "8.1"),
                                  ("", "132.3", "118.1")], start=1)]
LEASES = [row(8, ("", "Payments"), cells, r, doc="r.md")
          for r, cells in enumerate([("2020", "1,200"), ("2021", "900"),
                                     ("Thereafter", "3,000"), ("Total", "5,100")], start=1)]
COST = row(9, ("", "2019 Amount", "2019 % of total revenue", "2018 Amount",
               "2018 % of total revenue"), ("License and subscription", "$ 64,798", "9%",
                                            "$ 35,452", "5%"), 1, doc="r.md",
           group="Cost of revenue:")
DEBTORS = [row(10, ("", "2019", "2018"), cells, r, doc="r.md", group=group)
           for r, (group, cells) in enumerate([
               ("Amounts falling due within one year", ("Trade debtors", "183", "163")),
               ("Amounts falling due within one year", ("Other debtors", "60", "58")),
               ("Amounts falling due after more than one year", ("Derivatives", "3,439", "2,449")),
               ("Amounts falling due after more than one year", ("Deferred tax", "–", "31"))],
               start=1)]
REPORT = Chunks([*EPS, *LEASES, COST, *DEBTORS])


def propose_report(strategy, question: str, evidence: list[Evidence]) -> list[Candidate]:
    """The strategy's candidates over the report's tables."""
    return strategy.propose(ground(analyze(question), evidence), evidence, REPORT)


def test_a_row_without_a_label_is_its_groups_total() -> None:
    cands = propose_report(TableCell(), "What is the total diluted earnings per share in 2019?",
                           [ev(c, 1.0 - i / 10) for i, c in enumerate(EPS)])
    assert cands[0].claims[0].text == "For Diluted earnings per share, Total, 2019: 132.3"


def test_years_that_label_rows_are_items_of_the_table() -> None:
    cands = propose_report(WholeTable(), "Which periods does the table show?",
                           [ev(LEASES[0], 1.0)])
    items = next(c for c in cands if c.strategy == "table:items")
    assert [cl.text for cl in items.claims] == ["2020", "2021", "Thereafter"]


def test_the_words_naming_a_row_do_not_name_a_column() -> None:
    cands = propose_report(TableCell(), "What was the License and subscription revenue in "
                           "2019 and 2018 respectively?", [ev(COST, 1.0)])
    text = cands[0].claims[0].text
    assert "2019 Amount: $ 64,798" in text and "2018 Amount: $ 35,452" in text


def test_a_comparative_the_rows_write_names_a_group_and_compares_nothing() -> None:
    question = "What items does amounts falling due after more than one year consist of?"
    evidence = [ev(DEBTORS[2], 1.0), ev(DEBTORS[0], 0.8)]
    assert propose_report(Extremes(), question, evidence) == []
    items = next(c for c in propose_report(WholeTable(), question, evidence)
                 if c.strategy == "table:items")
    assert [cl.text for cl in items.claims] == ["Derivatives", "Deferred tax"]


def test_a_superlative_is_not_answered_by_the_total() -> None:
    cands = propose(TableCell(), "Which route had the highest total trips in 2023?",
                    [ev(TOTAL, 1.0), ev(HARBOR, 0.9)])
    assert all(cl.chunk.id != TOTAL.id for c in cands for cl in c.claims)
    best = propose(Extremes(), "Which route had the highest total trips in 2023?",
                   [ev(TOTAL, 1.0), ev(HARBOR, 0.9)])
    assert "Harbor Line (2023: 6,920)" in texts(best)


def test_a_question_naming_no_year_reads_the_latest_period_group() -> None:
    header = ("", "First", "Second")
    quarters = Chunks([row(11, header, ("Net sales", "117,625", "120,684"), 1, group="2019"),
                       row(11, header, ("Net sales", "113,530", "118,021"), 2, group="2018")])
    evidence = [ev(quarters.chunks[1], 1.0), ev(quarters.chunks[0], 0.9)]
    question = "What were the net sales in the second quarter?"
    cands = TableCell().propose(ground(analyze(question), evidence), evidence, quarters)
    assert [c.claims[0].text for c in cands] == ["For 2019, Net sales, Second: 120,684"]
    in_2018 = "What were the net sales in the second quarter of 2018?"
    cands = TableCell().propose(ground(analyze(in_2018), evidence), evidence, quarters)
    assert "For 2018, Net sales, Second: 118,021" in [c.claims[0].text for c in cands]


# --- a row by its place -------------------------------------------------------------------

MONTHS = Chunks([row(12, ("Period", "Boats hired", "Average fee"), cells, r, doc="m.md")
                 for r, cells in enumerate([("1 May - 31 May", "140", "$ 35"),
                                            ("1 June - 30 June", "215", "$ 38"),
                                            ("1 July - 31 July", "260", "$ 41"),
                                            ("Total", "615", "$ 38")], start=1)])


def propose_months(question: str) -> list[Candidate]:
    evidence = [ev(MONTHS.chunks[3], 1.0), ev(MONTHS.chunks[0], 0.9)]
    return OrdinalRow().propose(ground(analyze(question), evidence), evidence, MONTHS)


def test_an_ordinal_asks_for_the_row_at_its_place() -> None:
    (cand,) = propose_months("How many boats were hired in the second month?")
    assert cand.claims[0].text.startswith("For the 1 June - 30 June period, Boats hired: 215")
    (third,) = propose_months("What was the average fee in the third month?")
    assert third.claims[0].text == "For the 1 July - 31 July period, Average fee: $ 41"


def test_no_row_by_place_beyond_the_table_or_when_the_table_writes_the_ordinal() -> None:
    assert propose_months("What was the average fee in the fifth month?") == []
    # "the second highest" places a superlative, not a row
    assert propose_months("Which month had the second highest average fee?") == []
    # a question that names a row by its label is the cell strategy's
    assert propose_months("What was the average fee in May, the first month?") == []
    quarters = Chunks([row(13, ("", "First Quarter", "Second Quarter"), cells, r, doc="q.md")
                       for r, cells in enumerate([("Revenue", "90", "95"),
                                                  ("Costs", "60", "62")], start=1)])
    evidence = [ev(quarters.chunks[0], 1.0)]
    question = ground(analyze("What was the figure in the second quarter?"), evidence)
    assert OrdinalRow().propose(question, evidence, quarters) == []


# --- lists in prose, sections a summary names in other words ----------------------------

RESEARCH = [passage("p-res1", "Under its first director the observatory studied double stars. "
                    "Her assistants measured 2,600 pairs.", section="Observatory > Research"),
            passage("p-res2", "Three comets were discovered there. Weather records were also "
                    "kept.", section="Observatory > Research")]
ACCESS = passage("p-access", "The observatory opens on Fridays. Admission is free. Research "
                 "talks are held monthly.", section="Observatory > Public access")
OBSERVATORY = Chunks([*RESEARCH, ACCESS])


def test_section_summary_proposes_each_retrieved_section_by_its_paragraphs_openings() -> None:
    q = analyze("Summarize the research done at the observatory.")
    cands = SectionSummary().propose(q, [ev(ACCESS, 1.0), ev(RESEARCH[1], 0.8)], OBSERVATORY)
    by_section = {c.claims[0].chunk.section: c for c in cands}
    assert set(by_section) == {"Observatory > Research", "Observatory > Public access"}
    research = by_section["Observatory > Research"]
    # each paragraph's opening first: the second paragraph's is in, though it was not retrieved
    # first and the first paragraph goes on
    texts_ = [cl.text for cl in research.claims]
    assert texts_[0].startswith("Under its first director")
    assert "Three comets were discovered there." in texts_
    # the topic's words are the heading's ("research" and the title's "observatory")
    assert research.features["topic_near"] == 1.0
    assert by_section["Observatory > Public access"].features["topic_near"] < 1.0


def test_section_summary_only_for_summary_questions() -> None:
    q = analyze("Who were the director's assistants?")
    assert SectionSummary().propose(q, [ev(RESEARCH[0], 1.0)], OBSERVATORY) == []


def test_a_cell_claim_names_its_row_without_repeating_the_label_column() -> None:
    from qa.answer.tables import cell_claim
    revenues = row(9, ("Operating revenues", "Q4 2019"), ("Total BCE operating revenues",
                                                          "6,316"), 1)
    assert cell_claim(revenues, (1,), 1.0).text == "For Total BCE operating revenues, Q4 2019: 6,316"
    allowance = row(9, ("Allowance at December 31:", "2019"), ("Specific", "177"), 1)
    assert cell_claim(allowance, (1,), 1.0).text == "For the Specific allowance at december 31, 2019: 177"
    assert cell_claim(MILITARY, (3,), 1.0).text == (
        "For the Military aspect, Regional Impact: Escalates arms build-up, increases tensions")


def test_a_cell_claim_writes_its_row_s_column_as_the_source_does() -> None:
    from qa.answer.cite import cite
    from qa.answer.tables import cell_claim
    allowance = row(9, ("Allowance at December 31:", "2019"), ("Specific", "177"), 1)
    claim = cell_claim(allowance, (1,), 1.0)
    # read lower-cased, as the ranker was fitted; written as the header is
    assert claim.shown == "For the Specific Allowance at December 31, 2019: 177"
    assert cite([Candidate("cell", (claim,), 1.0)], "v", "q").answer == (
        "For the Specific Allowance at December 31, 2019: 177 [1]")
    assert cite([Candidate("cell", (cell_claim(MILITARY, (3,), 1.0),), 1.0)], "v",
                "q").answer.startswith("For the Military Aspect, Regional Impact: Escalates")
    # a label that ends with its column's words already is written as it is
    revenues = row(9, ("Operating revenues", "Q4 2019"), ("Total BCE operating revenues",
                                                          "6,316"), 1)
    assert cell_claim(revenues, (1,), 1.0).shown == ""
