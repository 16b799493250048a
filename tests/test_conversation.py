"""Follow-up questions made standalone: on hand-built rows like the analysis's three
tables (no model), then through the real service with a conversation history."""

from __future__ import annotations

import pytest
from helpers import assert_abstains, assert_well_cited

from qa.chunk import Chunk, row_text
from qa.conversation import TableRow, is_followup, listed, resolve, standalone, table_rows
from qa.service import QAService

ASPECT_COLUMNS = ("North Korea", "Russia", "Regional Impact")
IMPACT_COLUMNS = ("Short-Term Effect", "Long-Term Outlook")
FOCUS_COLUMNS = ("Recommended Measure", "Expected Outcome")

# The analysis's tables as follow-ups see them; "Economic Sanctions" is a row of two.
ROWS = (
    [TableRow(label, "Aspect", ASPECT_COLUMNS) for label in ("Economic", "Military",
                                                              "Diplomatic")]
    + [TableRow(label, "Impact Area", IMPACT_COLUMNS)
       for label in ("Security Alliances", "Diplomatic Engagement", "Economic Sanctions")]
    + [TableRow(label, "Focus Area", FOCUS_COLUMNS)
       for label in ("Arms Control", "Economic Sanctions", "Cybersecurity", "Humanitarian Aid")]
)

ECONOMIC_IMPACT = "What is the regional impact of the economic aspect?"
MILITARY_IMPACT = "What is the regional impact of the military aspect?"
CYBER_MEASURE = "What is the recommended measure for cybersecurity?"


def names(text: str, *present: str, absent: tuple[str, ...] = ()) -> bool:
    """Whether the text names each of `present` and none of `absent` (case-insensitive)."""
    low = text.lower()
    return all(p.lower() in low for p in present) and not any(a.lower() in low for a in absent)


# --- is_followup -------------------------------------------------------------------------


@pytest.mark.parametrize("question", [
    "And for the military aspect?", "What about Russia?", "What outcome is expected from it?",
    "How about the diplomatic one?", "As for cybersecurity?", "Same for economic?", "Why?",
    "And its long-term outlook?",
])
def test_followups_are_recognised(question: str) -> None:
    assert is_followup(question)


@pytest.mark.parametrize("question", [
    MILITARY_IMPACT,
    "Which focus area is expected to reduce the risk of digital escalation?",
    "Who won the 2022 football World Cup?",
    "Andorra and Russia trade what?",  # starts with "and" only as part of a word
    "Sometimes Russia supplies energy: which kind?",
])
def test_full_questions_are_not_followups(question: str) -> None:
    assert not is_followup(question)


# --- table_rows --------------------------------------------------------------------------


def _row(table: int, header: tuple[str, ...], cells: tuple[str, ...], r: int) -> Chunk:
    return Chunk(id=f"t{table}r{r}", kind="table_row", doc="a.md", section="S",
                 text=row_text(header, cells), line_start=r, line_end=r, char_start=0,
                 char_end=1, header=header, cells=cells, table=table, row=r)


def test_table_rows_names_each_distinct_row_with_its_label_column_and_columns() -> None:
    impact = ("Impact Area", *IMPACT_COLUMNS)
    focus = ("Focus Area", *FOCUS_COLUMNS)
    chunks = [
        _row(2, impact, ("Economic Sanctions", "Loopholes exploited", "weakened"), 1),
        _row(3, focus, ("Economic Sanctions", "Coordinate", "Pressure"), 1),
        _row(3, focus, ("Economic Sanctions", "Coordinate", "Pressure"), 1),  # a duplicate
        _row(4, ("", "Year", "Value"), ("", "Revenue", "12"), 1),  # no first cell
        Chunk(id="p", kind="passage", doc="a.md", section="S", text="Economic Sanctions.",
              line_start=1, line_end=1, char_start=0, char_end=1),
    ]
    assert table_rows(chunks) == [
        TableRow("Economic Sanctions", "Impact Area", IMPACT_COLUMNS),
        TableRow("Economic Sanctions", "Focus Area", FOCUS_COLUMNS),
        TableRow("Revenue", "Year", ("Value",)),
    ]


# --- resolve -----------------------------------------------------------------------------


@pytest.mark.parametrize("earlier, question, present, absent", [
    (ECONOMIC_IMPACT, "And for the military aspect?", ("Regional Impact", "Military"),
     ("Economic",)),
    (ECONOMIC_IMPACT, "What about Russia?", ("Russia", "Economic"), ("Regional Impact",)),
    (ECONOMIC_IMPACT, "Same for economic?", ("Regional Impact", "Economic"), ()),
    (CYBER_MEASURE, "What outcome is expected?", ("Expected Outcome", "Cybersecurity"),
     ("Recommended Measure",)),
    (CYBER_MEASURE, "What outcome is expected from it?", ("Expected Outcome", "Cybersecurity"),
     ("Recommended Measure",)),
    ("What is the long-term outlook for security alliances?", "What about the short-term effect?",
     ("Short-Term Effect", "Security Alliances"), ("Long-Term Outlook",)),
    # the row label is in two tables: the column of the earlier question decides which
    ("What is the long-term outlook for security alliances?", "And economic sanctions?",
     ("Long-Term Outlook", "Economic Sanctions", "Impact Area"), ("Focus Area",)),
    ("What is the expected outcome of arms control?", "And economic sanctions?",
     ("Expected Outcome", "Economic Sanctions", "Focus Area"), ("Impact Area",)),
    ("What does Russia do in the military aspect?", "How about the diplomatic one?",
     ("Russia", "Diplomatic"), ("Military",)),
    # one word of a column is enough when no other column shares as many
    ("What is the short-term effect on diplomatic engagement?", "What about in the long run?",
     ("Long-Term Outlook", "Diplomatic Engagement"), ("Short-Term Effect",)),
    (MILITARY_IMPACT, "And what does that aspect mean for Russia?", ("Russia", "Military"),
     ("Regional Impact",)),
])
def test_followup_takes_the_row_or_column_it_names_and_keeps_the_other(
        earlier: str, question: str, present: tuple[str, ...], absent: tuple[str, ...]) -> None:
    resolved = resolve(question, earlier, ROWS)
    assert resolved != question
    assert names(resolved, *present, absent=absent), resolved


@pytest.mark.parametrize("question", [
    "What is the population of Pyongyang?",
    "Which impact area sees loopholes exploited?",
    "What is the long-term outlook for economic sanctions?",  # names a row and a column
    pytest.param("Which area has realignment of partnerships as its short-term effect?"),
])
def test_a_new_full_question_stays_as_it_is(question: str) -> None:
    assert resolve(question, MILITARY_IMPACT, ROWS) == question


def test_followup_asking_something_else_of_the_row_drops_the_earlier_column() -> None:
    resolved = resolve("And what does it lead to?",
                       "Which measure is recommended for humanitarian aid?", ROWS)
    assert names(resolved, "Humanitarian Aid", absent=("Recommended Measure", "measure"))


def test_followup_naming_a_row_the_table_lacks_does_not_borrow_the_earlier_row() -> None:
    question = "And what is the regional impact of the cultural aspect?"
    assert resolve(question, MILITARY_IMPACT, ROWS) == question


def test_followup_naming_no_row_or_column_is_searched_with_the_earlier_question() -> None:
    earlier = "Which stakeholders must balance deterrence with dialogue?"
    resolved = resolve("Why?", earlier, ROWS)
    assert "Why?" in resolved and earlier in resolved


@pytest.mark.parametrize("question, earlier, resolved", [
    ("By how much?", "Did ridership grow in 2023?", "By how much did ridership grow in 2023?"),
    ("Why?", "Did net income fall in 2019?", "Why did net income fall in 2019?"),
    ("Since when?", "Has the fare stayed at $2.50?", "Since when has the fare stayed at $2.50?"),
])
def test_asking_words_alone_after_a_yes_no_question_ask_what_it_leaves_open(
        question: str, earlier: str, resolved: str) -> None:
    assert resolve(question, earlier, ROWS) == resolved


PROGRAMS_REPLY = "Electric Bus Conversion [1]; Driver Academy [2]; Fare Capping [3]"


@pytest.mark.parametrize("question, resolved", [
    ("Tell me more about the first one.", "Tell me more about Electric Bus Conversion."),
    ("What is the goal of the last one?", "What is the goal of Fare Capping?"),
    ("And the second?", "And Driver Academy?"),
    # an ordinal that names something of its own is no item of the reply
    ("What is the first priority?", "What is the first priority?"),
])
def test_an_item_of_the_reply_named_by_its_place_is_put_in(question: str, resolved: str) -> None:
    assert resolve(question, "Which programs start in 2024?", [], PROGRAMS_REPLY) == resolved


RESULTS = [TableRow(label, "", ("2019", "2018")) for label in ("Revenue", "Net income")]


def test_a_pronoun_for_the_cell_asked_before_is_put_in_beside_another_column() -> None:
    resolved = resolve("How does that compare with 2018?", "What was net income in 2019?",
                       RESULTS)
    assert names(resolved, "compare", "Net income", "2019", "2018"), resolved
    # a determiner of what the table names is no such pronoun: "that aspect" is the row
    assert names(resolve("And what does that aspect mean for Russia?", MILITARY_IMPACT, ROWS),
                 "Military", "Russia", absent=("Regional Impact",))


@pytest.mark.parametrize("question, resolved", [
    ("Which one starts last?", "Which program starts last?"),
    ("And which ones start in 2024?", "And which programs start in 2024?"),
    ("Which program costs the most?", "Which program costs the most?"),  # no pronoun "one"
])
def test_which_one_stands_for_what_the_earlier_question_asked(question: str,
                                                             resolved: str) -> None:
    assert resolve(question, "What programs did the board approve?", []) == resolved
    assert resolve("Which one is largest?", "Which focus areas does the table list?",
                   []) == "Which focus area is largest?"


def test_the_items_of_a_reply_are_read_past_its_lead() -> None:
    assert listed("Key components include: Energy cooperation; Military coordination. [1]") == [
        "Energy cooperation", "Military coordination"]
    assert listed("Russia supplies fuel. [1]") == []


# --- standalone --------------------------------------------------------------------------


def test_without_history_the_question_is_unchanged() -> None:
    assert standalone("What about Russia?", [], ROWS) == "What about Russia?"


def test_assistant_turns_are_ignored() -> None:
    # an assistant turn worded like a question does not become the earlier question
    assert standalone("What about Russia?", [("assistant", ECONOMIC_IMPACT)], ROWS) == \
        "What about Russia?"
    history = [("user", ECONOMIC_IMPACT),
               ("assistant", "For the Cybersecurity focus area, Expected Outcome: ... [1]"),
               ("user", "   ")]  # a blank user turn is no question either
    resolved = standalone("What about Russia?", history, ROWS)
    assert names(resolved, "Russia", "Economic", absent=("Cybersecurity", "Expected Outcome"))


def test_a_reply_naming_no_row_is_replaced_by_answering_the_earlier_question() -> None:
    asked: list[str] = []

    def reply_to(earlier: str) -> str:
        asked.append(earlier)
        return "Focus Area: Cybersecurity (Expected Outcome: Reduced risk of digital escalation)"

    reverse = "Which focus area is expected to reduce the risk of digital escalation?"
    for history in ([("user", reverse)], [("user", reverse), ("assistant", "See [1].")]):
        asked.clear()
        resolved = standalone("What measure does it recommend?", history, ROWS, reply_to)
        assert asked == [reverse]
        assert names(resolved, "Cybersecurity", "Recommended Measure")


def test_an_earlier_question_naming_its_row_is_not_answered_again() -> None:
    def reply_to(earlier: str) -> str:
        raise AssertionError("the earlier question names its row")

    resolved = standalone("What about Russia?", [("user", ECONOMIC_IMPACT)], ROWS, reply_to)
    assert names(resolved, "Russia", "Economic")


def test_a_chain_of_followups_resolves_from_the_resolved_earlier_question() -> None:
    history = [("user", ECONOMIC_IMPACT), ("assistant", "... [1]"),
               ("user", "And for the military aspect?"), ("assistant", "... [1]")]
    third = standalone("What about Russia?", history, ROWS)
    assert names(third, "Russia", "Military", absent=("Economic", "Regional Impact"))
    history += [("user", "What about Russia?"), ("assistant", "... [1]")]
    fourth = standalone("And for the diplomatic aspect?", history, ROWS)
    assert names(fourth, "Russia", "Diplomatic", absent=("Military", "Regional Impact"))


def test_a_chain_keeps_the_column_a_followup_switched_to() -> None:
    history = [("user", CYBER_MEASURE), ("assistant", "... [1]"),
               ("user", "What outcome is expected from it?"), ("assistant", "... [1]")]
    resolved = standalone("And for arms control?", history, ROWS)
    assert names(resolved, "Expected Outcome", "Arms Control",
                 absent=("Cybersecurity", "Recommended Measure"))


# --- through the service -----------------------------------------------------------------


def conversation(*turns: str) -> list[tuple[str, str]]:
    """User turns, each followed by an assistant turn (ignored when resolving)."""
    out: list[tuple[str, str]] = []
    for t in turns:
        out += [("user", t), ("assistant", "An earlier answer [1]")]
    return out


@pytest.mark.parametrize("turns, question, answer_holds, row", [
    ((MILITARY_IMPACT,), "And for the diplomatic aspect?",
     "Complicates multilateral negotiations", "Diplomatic"),
    ((CYBER_MEASURE,), "What outcome is expected from it?",
     "Reduced risk of digital escalation", "Cybersecurity"),
    (("Which measure is recommended for humanitarian aid?",), "And what does it lead to?",
     "Stabilize vulnerable populations", "Humanitarian Aid"),
    ((ECONOMIC_IMPACT,), "What about Russia?", "Energy exports, market expansion", "Economic"),
    ((ECONOMIC_IMPACT, "And for the military aspect?"), "What about Russia?",
     "Modernizes forces, shares intelligence", "Military"),
    ((CYBER_MEASURE, "What outcome is expected from it?"), "And for arms control?",
     "Lowered military buildup", "Arms Control"),
    (("What is the recommended measure for economic sanctions?",), "And the long-term outlook?",
     "Global sanction regimes weakened", "Economic Sanctions"),
    (("What is the expected outcome of arms control?",), "And economic sanctions?",
     "Pressure without civilian harm", "Economic Sanctions"),
    # paraphrased follow-ups
    (("What does Russia do in the military aspect?",), "How about North Korea?",
     "Enhances missile and defense tech", "Military"),
    (("What is the short-term effect on security alliances?",), "And its long-term outlook?",
     "Entrenched bloc divisions", "Security Alliances"),
    (("What is the recommended measure for humanitarian aid?",), "And the expected outcome?",
     "Stabilize vulnerable populations", "Humanitarian Aid"),
    ((MILITARY_IMPACT,), "What about the diplomatic side?",
     "Complicates multilateral negotiations", "Diplomatic"),
    ((MILITARY_IMPACT,), "And what does Russia do there?",
     "Modernizes forces, shares intelligence", "Military"),
    # the earlier question is a reverse look-up that names no row: the row (Cybersecurity)
    # is in its answer, which the history here does not give (a placeholder reply)
    (("Which focus area is expected to reduce the risk of digital escalation?",),
     "What measure does it recommend?", "Develop joint cyber threat protocols", "Cybersecurity"),
    pytest.param(("What is the long-term outlook for economic sanctions?",),
                 "And in the short term?", "Loopholes exploited", "Economic Sanctions"),
])
def test_followups_through_the_service(service: QAService, turns: tuple[str, ...],
                                       question: str, answer_holds: str, row: str) -> None:
    a = service.ask(question, conversation(*turns))
    assert_well_cited(a)
    assert answer_holds in a.answer
    assert a.citations[0].chunk.cells[0] == row
    assert row.lower() in a.question.lower()  # the question as answered names the row


def test_the_resolved_question_is_reported(service: QAService) -> None:
    a = service.ask("And for the diplomatic aspect?", conversation(MILITARY_IMPACT))
    assert names(a.question, "Regional Impact", "Diplomatic", absent=("Military",))
    assert a.to_dict()["question"] == a.question


def test_real_assistant_answers_in_history_do_not_mislead(service: QAService) -> None:
    first = service.ask(CYBER_MEASURE)
    history = [("user", CYBER_MEASURE), ("assistant", first.answer)]
    a = service.ask("What outcome is expected from it?", history)
    assert "Reduced risk of digital escalation" in a.answer
    assert "Develop joint cyber threat protocols" not in a.answer


@pytest.mark.parametrize("question, answer_holds", [
    ("Which impact area sees loopholes exploited?", "Economic Sanctions"),
    ("Which stakeholders must balance deterrence with dialogue?", "South Korea, Japan, China"),
    pytest.param("Which area has realignment of partnerships as its short-term effect?",
                 "Security Alliances"),
])
def test_a_new_question_in_a_conversation_is_answered_on_its_own(
        service: QAService, question: str, answer_holds: str) -> None:
    a = service.ask(question, conversation(MILITARY_IMPACT))
    assert_well_cited(a)
    assert answer_holds in a.answer
    assert "Escalates arms build-up" not in a.answer


def test_an_unanswerable_question_in_a_conversation_abstains(service: QAService) -> None:
    assert_abstains(service.ask("What is the population of Pyongyang?",
                                conversation(MILITARY_IMPACT)))
    assert_abstains(service.ask("And what is the regional impact of the cultural aspect?",
                                conversation(MILITARY_IMPACT)))


# --- pronouns over prose -----------------------------------------------------------------


@pytest.mark.parametrize("turns, question, expected", [
    # the pronoun stands for what the earlier question is about, not for what it asked
    (("How many people died in the Sichuan earthquake?",), "What was its magnitude?",
     "What was the Sichuan earthquake's magnitude?"),
    (("Who directed Spectre?",), "How much did it earn?", "How much did Spectre earn?"),
    (("When did the summit road of Tindfjell Observatory close to private cars?",),
     "How long is it?", "How long is the summit road of Tindfjell Observatory?"),
    # "they" agrees with a plural; "her" with a name
    (("How many double stars did Arthur Lusk and Mary Oldroyd measure?",),
     "When was their catalogue published?",
     "When was Arthur Lusk and Mary Oldroyd's catalogue published?"),
    (("When did Ingrid Halvorsen retire?",), "Who succeeded her?",
     "Who succeeded Ingrid Halvorsen?"),
    # an earlier question that mentions nothing: the one before it
    (("Who was the architect of Calder Fell Observatory?", "When did building begin?"),
     "When did it open?", "When did Calder Fell Observatory open?"),
    # a conversation of three pronoun turns keeps to its subject
    (("Who was Anders Brekke?", "How much did he pledge?"), "When was his name made public?",
     "When was Anders Brekke's name made public?"),
])
def test_a_pronoun_stands_for_the_earlier_question_s_subject(
        turns: tuple[str, ...], question: str, expected: str) -> None:
    assert standalone(question, conversation(*turns), []) == expected


def test_a_pronoun_for_the_person_asked_for_is_not_the_subject() -> None:
    # "he" is the architect found, not Tindfjell Observatory
    q = standalone("Where had he settled?",
                   conversation("Who designed the buildings of Tindfjell Observatory?"), [])
    assert "Tindfjell Observatory" not in q.split("?")[0]
    # "it" with nothing the earlier question mentions: searched together with it
    q = standalone("When did it open?", conversation("When did building begin?"), [])
    assert q == "When did it open? When did building begin?"


def test_a_determiner_is_no_pronoun() -> None:
    q = standalone("What happened in that year?",
                   conversation("When did the Sichuan earthquake strike?"), [])
    assert "the Sichuan earthquake year" not in q and "that year" in q
