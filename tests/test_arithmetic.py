"""The arithmetic strategy without the model: the operation a question's wording asks for,
each operator's execution and rounding, operand choice and order over a small report's
tables (tests/reports/harbor-annual-2019.md, parsed and chunked as the index does),
counts, the working shown with its cited cells, and the check that an answer states no
number it neither cites nor computes."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

import pytest
from helpers import row

from qa.answer.arithmetic import Arithmetic, as_answer
from qa.answer.grid import table_grid
from qa.answer.operands import Words
from qa.answer.operators import (
    AVERAGE,
    CHANGE_RATIO,
    COUNT,
    DIFFERENCE,
    RATIO,
    SHARE,
    SUM,
    execute,
    operation,
    question_words,
)
from qa.answer.stated import unsupported_numbers
from qa.answer.types import Answer, Evidence
from qa.chunk import Chunk, chunk_document
from qa.parse import parse_document
from qa.retrieve import Hit

REPORT = Path(__file__).parent / "reports" / "harbor-annual-2019.md"


class Tables:
    """What the strategy reads of a corpus: the rows of a row's table (a stand-in for the
    Retriever over the report's chunks)."""

    version = "v-test"
    idf: ClassVar[dict[str, float]] = {}

    def __init__(self, chunks: list[Chunk]) -> None:
        self.chunks = chunks

    def table_of(self, chunk: Chunk) -> list[Chunk]:
        return [c for c in self.chunks if c.kind == "table_row" and c.table == chunk.table]


@pytest.fixture(scope="module")
def report() -> Tables:
    doc = parse_document(REPORT.name, REPORT.read_text(encoding="utf-8"))
    return Tables(chunk_document(doc))


def evidence(report: Tables) -> list[Evidence]:
    """Every chunk as evidence, the rows first (retrieval decides which tables are read;
    here every table is)."""
    ordered = sorted(report.chunks, key=lambda c: c.kind != "table_row")
    return [Evidence(Hit(c, 1.0, 1.0, 1.0), tuple(0.5 for _ in c.units())) for c in ordered]


def ask(report: Tables, question: str) -> Answer | None:
    found = Arithmetic().propose(question, evidence(report), report)
    return as_answer(found[0], report.version, question) if found else None


# --- the operation a question asks for -----------------------------------------------------


@pytest.mark.parametrize("question, op", [
    ("What was the percentage change in revenue from 2018 to 2019?", CHANGE_RATIO),
    ("What is the % change in revenue?", CHANGE_RATIO),
    ("By what percent did net income decrease in 2019?", CHANGE_RATIO),
    ("What was the change in revenue from 2018 to 2019?", DIFFERENCE),
    ("How much did operating expenses increase in 2019?", DIFFERENCE),
    ("What is the difference between the Atlantic and Pacific revenue in 2019?", DIFFERENCE),
    ("How much more revenue did Atlantic earn than Pacific in 2019?", DIFFERENCE),
    ("What is the average operating expenses from 2017 to 2019?", AVERAGE),
    ("What is the ratio of gross profit to revenue in 2019?", RATIO),
    ("What proportion of total revenue came from Atlantic in 2019?", SHARE),
    ("What is Atlantic revenue as a percentage of total revenue in 2019?", SHARE),
    ("What is the total revenue of Atlantic in 2018 and 2019?", SUM),
    ("How many years did revenue exceed $5,000 million?", COUNT),
])
def test_operation_from_the_words_of_arithmetic(question: str, op: str) -> None:
    asked = operation(question)
    assert asked is not None and asked.op == op


def test_no_operation_for_a_lookup() -> None:
    assert operation("What was revenue in 2019?") is None
    assert operation("Which segment had the higher revenue?") is None


def test_words_that_name_a_row_are_not_operators() -> None:
    # "Total" and "Change" belong to the row labels "Total revenue", "Change in fair value"
    assert operation("What was the total revenue in 2019?", ignore=frozenset({3})) is None
    assert operation("What was the change in fair value in 2019?",
                     ignore=frozenset({3})) is None


def test_share_and_distance_and_percent_flags() -> None:
    assert operation("What proportion of revenue is Atlantic?").share
    assert not operation("What is the ratio of Atlantic to Pacific?").share
    assert operation("What is Atlantic as a percentage of revenue?").percent
    assert operation("What is the difference between A and B?").distance
    assert not operation("What is the change in A?").distance


# --- execution and rounding ------------------------------------------------------------------


def test_each_operator_computes_from_unrounded_operands() -> None:
    d = [Decimal(5123), Decimal(4987)]
    assert execute(DIFFERENCE, d).value == Decimal(136)
    assert execute(CHANGE_RATIO, d).value.quantize(Decimal("0.0001")) == Decimal("2.7271")
    assert execute(RATIO, d).value.quantize(Decimal("0.0001")) == Decimal("1.0273")
    assert execute(RATIO, d, percent=True).value.quantize(Decimal("0.01")) == Decimal("102.73")
    assert execute(SUM, d).value == Decimal(10110)
    # a share is of magnitudes: a deduction shown negative is still a part of its whole
    assert execute(SHARE, [Decimal(-111), Decimal(372)], percent=True).expression == \
        "111 / 372 = 29.84%"
    avg = execute(AVERAGE, [Decimal(1402), Decimal(1350), Decimal(1287)])
    assert avg.value.quantize(Decimal("0.01")) == Decimal("1346.33")
    assert avg.expression == "(1,402 + 1,350 + 1,287) / 3 = 1,346.33"


def test_working_shows_operands_as_figures_and_the_result_to_two_decimals() -> None:
    r = execute(CHANGE_RATIO, [Decimal(5123), Decimal(4987)])
    assert r.expression == "(5,123 - 4,987) / 4,987 = 2.73%"
    neg = execute(DIFFERENCE, [Decimal(-618), Decimal(-3908)])
    assert neg.expression == "(-618) - (-3,908) = 3,290"


def test_no_result_for_a_division_by_zero_or_too_few_operands() -> None:
    assert execute(CHANGE_RATIO, [Decimal(5), Decimal(0)]) is None
    assert execute(RATIO, [Decimal(5), Decimal(0)]) is None
    assert execute(AVERAGE, [Decimal(5)]) is None


# --- operands over the report -----------------------------------------------------------------


def test_percentage_change_divides_by_the_earlier_year(report: Tables) -> None:
    a = ask(report, "What was the percentage change in revenue from 2018 to 2019?")
    assert a is not None and a.value == Decimal("2.73")
    assert "(5,123 - 4,987) / 4,987 = 2.73%" in a.answer
    assert [o.value for o in a.derivation.operands] == [Decimal(5123), Decimal(4987)]


def test_a_sentence_stating_the_result_is_quoted_and_cited(report: Tables) -> None:
    a = ask(report, "What was the percentage change in revenue from 2018 to 2019?")
    assert 'the report states 2.7%: "Revenue grew 2.7% in 2019' in a.answer
    assert [c.chunk.kind for c in a.citations] == ["table_row", "passage"]
    b = ask(report, "What was the change in revenue from 2018 to 2019?")  # 136 is stated nowhere
    assert "the report states" not in b.answer


@pytest.mark.parametrize("question", [
    "What was the change in net income from 2018 to 2019?",
    "What was the change in net income in 2019 from 2018?",
    "What was the change in net income between 2018 and 2019?",
    "What was the change in net income in 2019?",  # the year before is implied
])
def test_change_is_later_minus_earlier_and_a_decrease_keeps_its_sign(report: Tables,
                                                                    question: str) -> None:
    a = ask(report, question)
    assert a is not None and a.value == Decimal(-23), a and a.answer
    assert "534 (2018) to 511 (2019)" in a.answer


def test_difference_between_two_items_is_how_far_apart(report: Tables) -> None:
    a = ask(report, "What is the difference between the Atlantic and Pacific revenue in 2019?")
    assert a is not None and a.value == Decimal(1077)
    assert {c.chunk.cells[0] for c in a.citations} == {"Atlantic", "Pacific"}


def test_average_over_a_named_range_and_over_every_year(report: Tables) -> None:
    a = ask(report, "What is the average operating expenses from 2017 to 2019?")
    assert a is not None and a.value == Decimal("1346.33")
    b = ask(report, "What is the average net income?")
    assert b is not None and b.value == Decimal("482.33")


def test_ratio_of_two_rows_in_one_column_cites_both(report: Tables) -> None:
    a = ask(report, "What is the ratio of gross profit to revenue in 2019?")
    assert a is not None and a.value == Decimal("0.41")
    assert [c.chunk.cells[0] for c in a.citations] == ["Gross profit", "Revenue"]
    assert all(1 in c.highlight for c in a.citations)  # the 2019 column of each row


def test_share_of_a_total_divides_by_the_total(report: Tables) -> None:
    a = ask(report, "What percentage of total revenue came from the Atlantic segment in 2019?")
    assert a is not None and a.value == Decimal("60.51")
    assert a.derivation.operands[1].chunk.cells[0] == "Total"


def test_sum_of_named_years(report: Tables) -> None:
    a = ask(report, "What is the total revenue of the Atlantic segment in 2018 and 2019?")
    assert a is not None and a.value == Decimal(6050)


def test_a_year_the_table_lacks_gives_no_computation(report: Tables) -> None:
    assert ask(report, "What was the percentage change in revenue from 2015 to 2019?") is None
    assert ask(report, "What was the change in dividends from 2018 to 2019?") is None
    assert ask(report, "What was revenue in 2019?") is None


def test_a_row_that_states_the_figure_is_looked_up_not_computed(report: Tables) -> None:
    assert ask(report, "What was the net increase in cash in 2019?") is None
    a = ask(report, "What was the change in cash at end of year from 2018 to 2019?")
    assert a is not None and a.value == Decimal(150)


def test_scale_follows_the_table(report: Tables) -> None:
    a = ask(report, "What was the change in revenue from 2018 to 2019?")
    assert a is not None and a.derivation.unit == "in millions"
    assert "136 (in millions)" in a.answer


# --- counts -----------------------------------------------------------------------------------


def test_count_of_years_past_a_threshold(report: Tables) -> None:
    a = ask(report, "How many years did revenue exceed $4,900 million?")
    assert a is not None and a.value == 2
    assert a.derivation.op == COUNT
    assert {o.cell for o in a.derivation.operands} == {1, 2}  # 2019 and 2018


def test_count_of_items_a_total_sums(report: Tables) -> None:
    a = ask(report, "How many segments are there?")
    assert a is not None and a.value == 2
    assert "Atlantic" in a.answer and "Pacific" in a.answer


def test_count_of_the_items_of_a_table_of_words() -> None:
    text = ("# Plan\n\n| Focus Area | Recommended Measure |\n|---|---|\n"
            "| Arms Control | Renew talks |\n| Cybersecurity | Joint protocols |\n"
            "| Humanitarian Aid | Expand assistance |\n")
    words = Tables(chunk_document(parse_document("plan.md", text)))
    a = ask(words, "How many focus areas does the table list?")
    assert a is not None and a.value == 3 and a.derivation.op == COUNT
    assert [o.text for o in a.derivation.operands] == ["Arms Control", "Cybersecurity",
                                                      "Humanitarian Aid"]
    assert unsupported_numbers(a) == []


# --- the working, the citations and the stated numbers ----------------------------------------


def test_the_answer_cites_every_operand_cell(report: Tables) -> None:
    a = ask(report, "What was the percentage change in revenue from 2018 to 2019?")
    c = a.citations[0]
    assert c.chunk.cells[0] == "Revenue" and set(c.highlight) >= {0, 1, 2}
    for o in a.derivation.operands:
        assert any(c.chunk.id == o.chunk.id and o.cell in c.highlight for c in a.citations)
    body = a.to_dict()
    assert body["value"] == "2.73" and body["derivation"]["op"] == CHANGE_RATIO
    assert body["citations"][0]["highlight"] == [0, 1, 2]


@pytest.mark.parametrize("question", [
    "What was the percentage change in revenue from 2018 to 2019?",
    "What was the change in net income in 2019?",
    "What is the average operating expenses from 2017 to 2019?",
    "What is the ratio of gross profit to revenue in 2019?",
    "What percentage of total revenue came from the Atlantic segment in 2019?",
    "How many years did revenue exceed $4,900 million?",
    "How many segments are there?",
])
def test_every_number_stated_is_cited_or_computed(report: Tables, question: str) -> None:
    a = ask(report, question)
    assert a is not None
    assert unsupported_numbers(a) == []


def test_a_made_up_number_is_caught(report: Tables) -> None:
    a = ask(report, "What was the percentage change in revenue from 2018 to 2019?")
    doctored = replace(a, answer=a.answer.replace("= 2.73%", "= 2.73%, about 3,000 more"))
    assert unsupported_numbers(doctored) == ["3,000"]
    wrong = replace(a, answer=a.answer.replace("2.73%", "2.9%"))
    assert unsupported_numbers(wrong) == ["2.9%"]


# --- small tables the tests write -------------------------------------------------------------


def tables(markdown: str) -> Tables:
    """The strategy's view of a one-table report written by the test."""
    return Tables(chunk_document(parse_document("small.md", markdown)))


OBLIGATIONS = """Contractual obligations (in thousands)

| Obligations | Less than 1 year | 1-3 years | Total |
| --- | --- | --- | --- |
| Financing obligations | 1,000 | 3,000 | 4,000 |
| Purchase obligations | 2,000 | 6,000 | 8,000 |
| Total | 3,000 | 9,000 | 12,000 |
"""


def test_total_before_a_named_row_qualifies_it_and_names_no_total() -> None:
    # "total financing obligations": the row's own total, not the Total row added as a part
    a = ask(tables(OBLIGATIONS), "What is the total financing obligations as a percentage "
                                 "of total purchase obligations?")
    assert a is not None and a.derivation.op == SHARE
    assert [o.text for o in a.derivation.operands] == ["4,000", "8,000"]
    assert a.value == Decimal("50.00")


RECEIVABLES = """Accounts receivable (in thousands)

|  | Gross | Allowance | Net |
| --- | --- | --- | --- |
| December 31, 2019 |  |  |  |
| Product | 12,000 | (200) | 11,800 |
| Services | 7,000 | — | 7,000 |
| Total | 19,000 | (200) | 18,800 |
| December 31, 2018 |  |  |  |
| Product | 9,000 | (100) | 8,900 |
| Services | 900 | — | 900 |
| Total | 9,900 | (100) | 9,800 |
"""


def test_count_of_years_reads_the_total_row_under_each_year() -> None:
    # one Total row per year group: "total net receivables" counts those, not the items
    a = ask(tables(RECEIVABLES), "How many years did the total net receivables exceed "
                                 "$10,000 thousand?")
    assert a is not None and a.derivation.op == COUNT and a.value == 1
    assert [o.text for o in a.derivation.operands] == ["18,800"]
    assert "December 31, 2019" in a.answer
    items = ask(tables(RECEIVABLES), "How many items of net receivables exceeded $5,000 "
                                     "thousand?")
    assert items is not None and items.value == 3  # 11,800, 7,000 and 8,900: no totals


FEES = """Fees billed by the auditor

|  | 2018 | 2019 |
| --- | --- | --- |
| Audit fees | $50,000 | $60,000 |
| Tax fees | 30,000 | 20,000 |
| Total fees | $80,000 | $80,000 |
"""


def test_a_repeated_word_names_each_label_at_its_own_place() -> None:
    # "fees" twice: "total fees" is the second "fees" with "total", not the first one
    a = ask(tables(FEES), "What is the percentage of audit fees in total fees in 2019?")
    assert a is not None and a.derivation.op == SHARE
    assert [o.text for o in a.derivation.operands] == ["$60,000", "$80,000"]
    assert a.value == Decimal("75.00")


CASH = """Cash flows

|  | 2019 | 2018 |
| --- | --- | --- |
| Net decrease in cash and cash equivalents | (472.7) | (7.4) |
| Cash and cash equivalents at beginning of period | 901.3 | 908.7 |
| Cash and cash equivalents at end of period | 428.6 | 901.3 |
"""


def test_a_row_stating_the_figure_is_found_whichever_place_names_it() -> None:
    # "cash" twice in the question: the row that states the decrease is still looked up
    assert ask(tables(CASH), "What was the net decrease in cash and cash equivalents "
                             "in 2019?") is None


ORDERS = """Highlights

| $ million | 2019 | 2018 | Change (%) |
| --- | --- | --- | --- |
| Order intake | 532.0 | 470.0 | 13.2 |
| Revenue | 503.6 | 476.9 | 5.6 |
"""


def test_a_column_the_question_names_is_given_beside_the_computation() -> None:
    # "the change (%)": the row's figure under "Change (%)" is what the table states
    a = ask(tables(ORDERS), "What is the change (%) for order intake between 2018 and 2019?")
    assert a is not None and "Change (%): 13.2" in a.answer
    assert set(a.citations[0].highlight) >= {1, 2, 3}
    assert unsupported_numbers(a) == []
    plain = ask(tables(ORDERS), "What is the average revenue in 2018 and 2019?")
    assert plain is not None and "5.6" not in plain.answer  # only a named column is given


COSTS = """Cost of revenue (in thousands)

|  | 2019 | 2018 | 2017 |
| --- | --- | --- | --- |
| Hardware | 30,000 | 28,000 | 25,000 |
| Services | 18,000 | 22,000 | 20,000 |
| Total cost of revenue | 48,000 | 50,000 | 45,000 |
"""


def test_total_naming_the_row_sums_it_over_the_years_the_question_names() -> None:
    t = tables(COSTS)
    a = ask(t, "What is the total cost of revenue from 2017 to 2019?")
    assert a is not None and a.derivation.op == SUM and a.value == Decimal(143000)
    b = ask(t, "What is the total cost of revenue in 2019 and 2018?")
    assert b is not None and b.derivation.op == SUM and b.value == Decimal(98000)
    assert ask(t, "What was the total cost of revenue in 2019?") is None  # a look-up


ACCRUED = """Accrued liabilities (in thousands)

|  | 2019 | 2018 |
| --- | --- | --- |
| Compensation | $1,600 | $1,400 |
| Warranty reserve | 500 | 520 |
| Other | 400 | 560 |
|  | $2,500 | $2,480 |
"""


def test_share_in_the_total_divides_by_the_columns_total_row() -> None:
    # the total row has no label: "the total accrued liabilities" asks for it
    a = ask(tables(ACCRUED), "In 2019, what is the percentage of warranty reserve among "
                             "the total accrued liabilities?")
    assert a is not None and a.derivation.op == SHARE
    assert [o.text for o in a.derivation.operands] == ["500", "$2,500"]
    assert a.value == Decimal("20.00")
    assert "Total (2019): $2,500" in a.answer


def test_a_row_without_a_label_is_the_total_the_question_names() -> None:
    a = ask(tables(ACCRUED), "What was the change in the total accrued liabilities from "
                             "2018 to 2019?")
    assert a is not None and a.derivation.op == DIFFERENCE
    assert [o.text for o in a.derivation.operands] == ["$2,500", "$2,480"]
    assert a.value == Decimal(20)


def test_a_negating_prefix_makes_another_word() -> None:
    assert question_words("shares non-vested at year end") == [
        "shares", "nonvested", "at", "year", "end"]
    t = tables("""Restricted shares

|  | Shares |
| --- | --- |
| Non-vested at January 1, 2019 | 1,000 |
| Granted | 400 |
| Vested | (300) |
| Non-vested at December 31, 2019 | 1,100 |
""")
    # "non-vested" names the balances, never the "Vested" row
    a = ask(t, "What is the percentage of shares granted as a percentage of the total "
               "non-vested shares at December 31, 2019?")
    assert a is not None and a.derivation.op == SHARE
    assert [o.text for o in a.derivation.operands] == ["400", "1,100"]


ASSUMPTIONS = """# Options

The following assumptions were used:

| Assumptions | 2019 | 2018 |
|---|---|---|
| Dividend yield | 4.5% | 4.6% |
| Expected volatility | 28.3% | 28.7% |
"""


def test_a_result_computed_from_percentages_is_written_as_one() -> None:
    tables = Tables(chunk_document(parse_document("options.md", ASSUMPTIONS)))
    a = ask(tables, "What was the average dividend yield in 2019 and 2018?")
    assert a is not None and a.answer.split(" [")[0].endswith("= 4.55%"), a and a.answer


def test_the_difference_of_two_percentages_is_in_percentage_points() -> None:
    tables = Tables(chunk_document(parse_document("options.md", ASSUMPTIONS)))
    a = ask(tables, "What was the difference in expected volatility between 2018 and 2019?")
    assert a is not None and a.derivation.op == DIFFERENCE, a and a.answer
    assert a.answer.split(" [")[0].endswith("= 0.40 percentage points"), a.answer



def test_a_question_s_words_matching_a_label_stem() -> None:
    q = Words.of("What was the change in historical revenue from 2018 to 2019 for services?")
    for s in ("histori", "histor", "historiograph", "revenu", "servic", "total", "2019", "to"):
        want = tuple(i for i, t in enumerate(q.stems)
                     if t and (t == s or (len(t) >= 5 and len(s) >= 5
                                          and (t.startswith(s) or s.startswith(t)))))
        assert q.matching(s) == want, s
    assert q.matching("histori") == (q.stems.index("histor"),)
    assert q.matching("total") == ()


def test_a_table_s_grid_is_read_once_and_never_served_for_a_rebuilt_index() -> None:
    header = ("Item", "2019", "2018")
    rows = [row(1, header, ("Revenue", "120", "100"), 0), row(1, header, ("Costs", "80", "70"), 1)]
    grid = table_grid(rows)
    assert table_grid(rows) is grid  # the index's list of the table: read once
    assert [c.value for c in grid.row_lines[0].cells] == [Decimal(120), Decimal(100)]
    # the same table in a rebuilt index (a new list, a figure changed) is read afresh
    rebuilt = [row(1, header, ("Revenue", "125", "100"), 0), rows[1]]
    assert [c.value for c in table_grid(rebuilt).row_lines[0].cells] == [Decimal(125),
                                                                        Decimal(100)]
    assert table_grid(tuple(rows)) is not table_grid(tuple(rows))  # not the index's list
