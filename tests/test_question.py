"""Question analysis (no model): what is asked, read from the structure of the question,
on wordings the analysis was not written for as well as on the analysis's own; and the
table rows and columns a question names, read against hand-built evidence."""

from __future__ import annotations

import pytest
from helpers import ASPECT, FOCUS, ev, row

from qa.answer.question import analyze, ground, is_elliptical, mentions, split_parts
from qa.text.tokens import tokenize


@pytest.mark.parametrize("question, ask", [
    # yes/no: an auxiliary first
    ("Does Russia supply energy to North Korea?", "yesno"),
    ("Is the state grant guaranteed beyond 2024?", "yesno"),
    ("Were the Vikings Christian by 1100?", "yesno"),
    ("Can the board cut fares?", "yesno"),
    # counts
    ("How many trips did the Harbor Line carry?", "count"),
    # superlatives and comparatives
    ("Which route had the most trips in 2023?", "compare"),
    ("Which segment had the highest revenue in 2019?", "compare"),
    ("In which year was the net income larger?", "compare"),
    ("What was the smallest expense?", "compare"),
    # lists: a plural thing asked for, or a request to list
    ("What are the key components of the alliance?", "list"),
    ("Which programs did the board approve?", "list"),
    ("What routes does the ridership table list?", "list"),
    ("Who are the stakeholders?", "list"),
    ("List the causes of delay.", "list"),
    ("Name the members of the council.", "list"),
    # summaries
    ("Summarize the outlook.", "summary"),
    ("Give an overview of the finances.", "summary"),
    ("What is the report about?", "summary"),
    ("What does the conclusion say?", "summary"),
    ("Describe the ridership trend.", "summary"),
    # reasons and manner
    ("Why did operating costs rise?", "reason"),
    ("How does the alliance affect the region?", "reason"),
    # facts
    ("What is the regional impact of the military aspect?", "fact"),
    ("Which focus area aims to stabilize vulnerable populations?", "fact"),
    ("Which impact area sees loopholes exploited?", "fact"),
    ("What does Russia supply?", "fact"),
    ("Who founded the company?", "fact"),
    ("When was the treaty signed?", "fact"),
    ("How much does the monthly pass cost?", "fact"),
])
def test_what_is_asked(question: str, ask: str) -> None:
    assert analyze(question).ask == ask


@pytest.mark.parametrize("question, wh, head, ask", [
    ("The tower was finished in what year?", "what", ("year",), "fact"),
    ("After the merger, how many stores did the company close?", "how many", (), "count"),
    ("The ferry that sails when it rains goes to what town?", "what", ("town",), "fact"),
    ("The ferry leaves from where?", "where", (), "fact"),
    ("Is the ferry free when it rains?", "", (), "yesno"),  # a yes/no question stays one
    ("The ferry leaves at noon.", "", (), "fact"),
])
def test_a_question_word_inside_the_question(question: str, wh: str, head: tuple[str, ...],
                                             ask: str) -> None:
    q = analyze(question)
    assert (q.wh, q.head, q.ask) == (wh, head, ask)


@pytest.mark.parametrize("question, expects", [
    ("When did the ferry first sail?", "date"),
    ("In which year was the quay rebuilt?", "date"),
    ("The mill burned down in what century?", "date"),
    ("How many looms did the mill run?", "number"),
    ("How long is the northern pier?", "number"),
    ("How old was the keeper when he retired?", "number"),
    ("What percentage of the catch was herring?", "number"),
    ("Who painted the harbour mural?", "person"),
    ("Whose boat won the regatta?", "person"),
    ("Where did the keeper live?", "place"),
    ("What did the keeper keep in the shed?", ""),
    ("Why did the mill close?", ""),
    ("How did the fire start?", ""),  # manner, not a measure
    ("Did the mill reopen?", ""),
])
def test_the_kind_of_answer_the_interrogative_asks_for(question: str, expects: str) -> None:
    assert analyze(question).expects == expects


@pytest.mark.parametrize("question, direction", [
    ("Which route had the most trips?", 1),
    ("Which route carried the fewest trips?", -1),
    ("Which segment had the lowest margin?", -1),
    ("In which year were sales higher?", 1),
    ("Which is the biggest item?", 1),
    ("What is the earliest date given?", -1),
    ("What is the interest expense in 2019?", 0),  # -est, but no superlative
    ("What was the latest outlook?", 1),
    ("What does the table show?", 0),
])
def test_superlative_and_comparative_direction(question: str, direction: int) -> None:
    assert analyze(question).direction == direction


@pytest.mark.parametrize("text, parts", [
    ("What is X, and how does Y work?", ["What is X?", "How does Y work?"]),
    ("What is the fare and how much does the pass cost?",
     ["What is the fare?", "How much does the pass cost?"]),
    ("What is the impact of the military aspect? And of the economic aspect?",
     ["What is the impact of the military aspect?", "And of the economic aspect?"]),
    ("Which department leads it; when does it start?",
     ["Which department leads it?", "When does it start?"]),
    ("What does Russia supply and why?", ["What does Russia supply?", "Why does Russia supply?"]),
    # one question: a coordination of noun phrases, a relative clause
    ("What are the outcomes of arms control and of cybersecurity?",
     ["What are the outcomes of arms control and of cybersecurity?"]),
    ("Who sells energy, which the region lacks?", ["Who sells energy, which the region lacks?"]),
    ("What do South Korea and Japan face?", ["What do South Korea and Japan face?"]),
])
def test_split_parts(text: str, parts: list[str]) -> None:
    assert split_parts(text) == parts


def test_several_questions_are_one_multi_question_with_its_parts() -> None:
    q = analyze("Who must balance deterrence with dialogue, and what could prove pivotal?")
    assert q.ask == "multi"
    assert q.parts == ("Who must balance deterrence with dialogue?", "What could prove pivotal?")


@pytest.mark.parametrize("question, plural, head", [
    ("Which focus areas does the table cover?", True, ("focus", "areas")),
    ("Which focus area aims to stabilize populations?", False, ("focus", "area")),
    ("Which impact area sees loopholes exploited?", False, ("impact", "area")),
    ("What concerns does the collaboration escalate?", True, ("concerns",)),
    ("Which countries face the challenge?", True, ("countries",)),
    ("What were the main causes of delay?", True, ("main", "causes")),
    ("Which department leads the academy?", False, ("department",)),
])
def test_plural_heads(question: str, plural: bool, head: tuple[str, ...]) -> None:
    q = analyze(question)
    assert q.plural is plural
    assert q.head == head


def test_names_numbers_and_years() -> None:
    q = analyze("How many trips did the Harbor Line carry in 2023, up from 15.9 million?")
    assert "Harbor Line" in q.names
    assert q.years == ("2023",)
    assert "15.9" in q.numbers


@pytest.mark.parametrize("question, elliptical", [
    ("And for Russia?", True),
    ("What about the long-term outlook?", True),
    ("And why?", True),
    ("And its goal?", True),
    ("Why?", True),
    ("And what is the regional impact of the cultural aspect?", False),
    ("What outcome is expected from it?", False),
    ("Andorra and Russia trade what?", False),
])
def test_fragments_that_lean_on_an_earlier_question(question: str, elliptical: bool) -> None:
    assert is_elliptical(question) is elliptical
    assert analyze(question).elliptical is elliptical


def test_negation_is_noticed() -> None:
    assert analyze("Isn't the grant guaranteed?").negated
    assert analyze("Does the program not depend on fares?").negated
    assert not analyze("Does the program depend on fares?").negated


# --- the rows and columns a question names, read against the evidence --------------------

MILITARY = row(1, ASPECT, ("Military", "Enhances missile and defense tech",
                           "Modernizes forces, shares intelligence",
                           "Escalates arms build-up, increases tensions"), 2)
CYBER = row(3, FOCUS, ("Cybersecurity", "Develop joint cyber threat protocols",
                       "Reduced risk of digital escalation"), 3)
SALES = row(4, ("", "2019", "2018"), ("Total sales", "$1,496.5", "$1,202.9"), 1)


def test_a_row_named_by_label_and_a_column_by_header() -> None:
    q = ground(analyze("What is the regional impact of the military aspect?"),
               [ev(MILITARY, 1.0), ev(CYBER, 0.5)])
    military, cyber = q.rows
    assert military.label_match == 1.0 and military.columns == (3,)
    assert military.column_match == 1.0 and military.asks_label
    assert cyber.label_match == 0.0 and not cyber.names_row


def test_a_year_names_a_column() -> None:
    (sales,) = ground(analyze("What is the amount of total sales in 2019?"), [ev(SALES, 1.0)]).rows
    assert sales.label_match == 1.0 and sales.columns == (1,)


def test_a_row_named_by_one_of_its_values() -> None:
    (cyber,) = ground(analyze("Which focus area is expected to reduce the risk of digital "
                              "escalation?"), [ev(CYBER, 1.0)]).rows
    assert cyber.reverse == 2 and cyber.value_match > 0.5
    assert cyber.asks_label and cyber.label_match == 0.0


@pytest.mark.parametrize("question, topic", [
    ("Summarize the policy recommendations.", "policy recommendations"),
    ("Sum up the article's conclusion.", "conclusion"),
    ("Give me a brief overview of the finances.", "finances"),
    ("What does the analysis say about sanctions?", "sanctions"),
])
def test_the_topic_leaves_out_the_words_a_request_is_phrased_with(question: str,
                                                                  topic: str) -> None:
    assert analyze(question).topic == frozenset(tokenize(topic))


def test_an_ordinal_word_asks_for_a_place() -> None:
    assert analyze("How many boats were hired in the second month?").ordinal == 2
    assert analyze("How many boats were hired in May?").ordinal == 0


@pytest.mark.parametrize("question, topic", [
    ("Is the bus program funded by a state grant?", {"bus", "program", "fund", "state", "grant"}),
    ("Does the report state the fare?", {"fare"}),
    ("Is China mentioned in the analysis?", {"china"}),
    ("What does the table show?", {"tabl"}),
])
def test_a_reporting_verb_asks_only_beside_the_document_or_at_the_end(
        question: str, topic: set[str]) -> None:
    assert analyze(question).topic == topic


# --- mentions ------------------------------------------------------------------------------


@pytest.mark.parametrize("question, expected", [
    ("How many people died in the Sichuan earthquake?", ["the Sichuan earthquake"]),
    ("Who directed Spectre?", ["Spectre"]),
    # the verb after the subject of do-support or a passive is no part of it
    ("When did the observatory formally open?", ["the observatory"]),
    ("When was the Calder Fell Trust formed?", ["the Calder Fell Trust"]),
    ("What did Halvorsen's auroral station record?", ["Halvorsen's auroral station"]),
    # "of" joins one phrase; the wh-phrase ("the income") is what is asked, not the subject
    ("How much did the restoration of Calder Fell Observatory cost?",
     ["the restoration of Calder Fell Observatory"]),
    ("What is the income of the Calder Fell Trust in 2022?", ["the Calder Fell Trust"]),
    ("When did the University of Harrowgate take over Calder Fell Observatory?",
     ["the University of Harrowgate", "Calder Fell Observatory"]),
    ("What is the Tarrant refractor?", ["the Tarrant refractor"]),
    ("Which focus area aims to stabilize vulnerable populations?", []),
])
def test_mentions_are_the_noun_phrases_a_question_is_about(question: str,
                                                           expected: list[str]) -> None:
    assert [m.text for m in mentions(question)] == expected


def test_mentions_know_names_and_number() -> None:
    (pair,) = mentions("How many double stars did Arthur Lusk and Mary Oldroyd measure?")
    assert pair.text == "Arthur Lusk and Mary Oldroyd" and pair.plural and pair.named
    (road,) = mentions("How long are the summit roads?")
    assert road.plural and not road.named


@pytest.mark.parametrize("text, ask", [
    ("Tell me about the miners' wages.", "summary"),
    ("Tell us more about the restoration.", "summary"),
    ("Give me details about the smelt mill.", "summary"),
    ("Tell me who built the water wheel.", "fact"),  # an interrogative asks a person
    ("Tell me the price of a ticket.", "fact"),  # no "about": a thing asked for
])
def test_a_request_about_something_asks_for_a_summary(text: str, ask: str) -> None:
    assert analyze(text).ask == ask
