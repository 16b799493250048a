"""The one number module: numbers as tables and prose write them, a table's scale, the
years a header names, and results written as readers expect."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qa.text.numbers import (
    Scale,
    format_number,
    is_number,
    numbers_in,
    parse_number,
    quarters_spelled,
    read_number,
    round_half_up,
    scale_of,
    spelled_numbers,
    years_in,
)


@pytest.mark.parametrize("text, value", [
    ("1,234.5", "1234.5"),
    ("1234", "1234"),
    (".5", "0.5"),
    ("(1,234)", "-1234"),
    ("$(12)", "-12"),
    ("($12.5)", "-12.5"),
    ("−298", "-298"),  # the minus sign
    ("– 7", "-7"),  # an en dash
    ("-2.7%", "-2.7"),
    ("(8)%", "-8"),
    ("$ 1,452.4", "1452.4"),
    ("€12", "12"),
    ("12.3 million", "12300000"),
    ("$ 12.3 million", "12300000"),
    ("4 bn", "4000000000"),
    ("2.5k", "2500"),
    ("7 %", "7"),
])
def test_reads_the_formats_tables_write(text: str, value: str) -> None:
    assert parse_number(text) == Decimal(value)


@pytest.mark.parametrize("text", ["n/a", "N/A", "—", "-", "–", "nil", "None", "", "Revenue",
                                  "2019 vs 2018", "1,2,3", "(12", "12)"])
def test_no_value_is_not_a_number(text: str) -> None:
    assert read_number(text) is None


def test_percent_and_scale_word_are_kept() -> None:
    assert read_number("(8)%").percent and not read_number("8").percent
    assert read_number("12.3 million").scale_word == "million"


def test_a_dash_is_a_value_cell_but_no_number() -> None:
    assert is_number("—") and is_number("12") and not is_number("Revenue")
    assert parse_number("—") is None


def test_numbers_in_prose() -> None:
    found = numbers_in("Revenue rose 12.3% to $1,234.5 million in 2019, from (1,234) a year "
                       "before; costs fell by −298 and (8)% respectively.")
    assert [(f.text, f.number.value, f.number.percent) for f in found] == [
        ("12.3%", Decimal("12.3"), True), ("$1,234.5 million", Decimal(1234500000), False),
        ("2019", Decimal(2019), False), ("(1,234)", Decimal(-1234), False),
        ("−298", Decimal(-298), False), ("(8)%", Decimal(-8), True)]


def test_numbers_in_working_a_minus_between_figures_subtracts() -> None:
    found = numbers_in("(5,123 - 4,987) / 4,987 = 2.73%; (-618) - (-3,908) = 3,290")
    assert [f.number.value for f in found] == [Decimal(5123), Decimal(4987), Decimal(4987),
                                               Decimal("2.73"), Decimal(-618), Decimal(-3908),
                                               Decimal(3290)]


def test_digits_glued_to_words_are_not_amounts() -> None:
    assert [f.text for f in numbers_in("Other(2) in Q4 and F19 for 2019-2020")] == [
        "2019", "2020"]


@pytest.mark.parametrize("texts, scale", [
    (("(in millions)",), Scale("million")),
    (("$ in thousands",), Scale("thousand")),
    (("In thousands, except per share data",), Scale("thousand")),
    (("(€ million)",), Scale("million")),
    (("(S$ million)",), Scale("million")),
    (("($000)",), Scale("thousand")),
    (("£'000",), Scale("thousand")),
    (("$m",), Scale("million")),
    (("Dollars in billions",), Scale("billion")),
    (("(%)",), Scale(percent=True)),
    (("The table below shows revenue.", "2019", "Year Ended 2018 (In millions)"),
     Scale("million")),
    (("Revenue by segment", "2019", "2018"), Scale()),
])
def test_scale_from_caption_or_header(texts: tuple[str, ...], scale: Scale) -> None:
    assert scale_of(*texts) == scale


def test_scale_describes_and_multiplies() -> None:
    assert Scale("million").describe() == "in millions"
    assert Scale("million").factor == Decimal(10) ** 6
    assert Scale(percent=True).describe() == "%" and Scale().describe() == ""


@pytest.mark.parametrize("text, years", [
    ("2019", [2019]), ("Fiscal 2018", [2018]), ("FY19", [2019]), ("F19 vs F18", [2019, 2018]),
    ("Year Ended June 30, 2019", [2019]), ("2017-2019", [2017, 2019]), ("Q4 2019", [2019]),
    ("2,019", []), ("$2019", []), ("2019.5", []), ("Revenue", []),
])
def test_years(text: str, years: list[int]) -> None:
    assert years_in(text) == years


@pytest.mark.parametrize("value, text", [
    ("2.7345", "2.73"), ("-2.735", "-2.74"), ("0.455", "0.46"), ("-35", "-35"),
    ("1234.5", "1,234.50"), ("1234567.891", "1,234,567.89"), ("-0.001", "0"), ("16.0", "16"),
])
def test_results_two_decimals_sign_kept_separators(value: str, text: str) -> None:
    assert format_number(Decimal(value)) == text


def test_rounding_half_away_from_zero() -> None:
    assert round_half_up(Decimal("2.745")) == Decimal("2.75")
    assert round_half_up(Decimal("-2.745")) == Decimal("-2.75")
    assert round_half_up(Decimal("2.744999"), 2) == Decimal("2.74")


def test_number_words_are_read_but_not_the_pronoun_one() -> None:
    assert spelled_numbers("Detours on Three routes; twelve years; thousands of riders") == [
        "three", "twelve", "thousands"]
    assert spelled_numbers("One of the routes is often late; someone waited") == []


def test_abbreviated_quarters_are_written_out_as_prose_writes_them() -> None:
    assert quarters_spelled("revenue for q2 2007") == "revenue for second quarter 2007"
    assert quarters_spelled("in 1q08 and 4q2019") == (
        "in first quarter 2008 and fourth quarter 2019")
    assert quarters_spelled("fiscal quarter 4 of 2008") == "fiscal fourth quarter of 2008"
    # not a quarter: a fifth "quarter", a word that only starts with q
    assert quarters_spelled("q5 and qatar q1x") == "q5 and qatar q1x"
