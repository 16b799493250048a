"""Tests for qa.rollforward: the period of each row of a roll-forward table."""

from __future__ import annotations

from qa.rollforward import row_periods

STOCK = ["Nonvested at December 31, 2017", "Granted", "Vested", "Forfeited",
         "Nonvested at December 31, 2018", "Granted", "Vested", "Forfeited",
         "Nonvested at December 31, 2019"]


def test_movements_take_the_period_between_their_balances() -> None:
    assert row_periods(STOCK) == [
        "", *["From December 31, 2017 to December 31, 2018"] * 3,
        "", *["From December 31, 2018 to December 31, 2019"] * 3, ""]


def test_rows_outside_the_balances_take_one_end() -> None:
    labels = ["Additions", "Balance at June 30, 2018", "Additions", "Balance at June 30, 2019",
              "Additions", "Disposals"]
    assert row_periods(labels) == ["To June 30, 2018", "",
                                   "From June 30, 2018 to June 30, 2019", "",
                                   "From June 30, 2019", "From June 30, 2019"]


def test_a_row_naming_its_own_period_takes_none() -> None:
    labels = ["Balances at Sept 30, 2017", "Reassignment on October 1, 2017", "Acquisitions",
              "Balances at Sept 30, 2018", "Acquisitions", "Balances at Sept 30, 2019"]
    assert row_periods(labels) == ["", "", "From Sept 30, 2017 to Sept 30, 2018", "",
                                   "From Sept 30, 2018 to Sept 30, 2019", ""]


def test_years_alone_name_periods() -> None:
    labels = ["Balance, 2018", "Charges", "Payments", "Balance, 2019", "Charges", "Payments",
              "Balance, 2020"]
    assert row_periods(labels)[1:3] == ["From 2018 to 2019"] * 2
    assert row_periods(labels)[4:6] == ["From 2019 to 2020"] * 2


def test_other_tables_take_no_period() -> None:
    # No label repeated: one block of movements is read as it is.
    assert set(row_periods(["Balance at Dec 31, 2018", "Granted", "Balance at Dec 31, 2019"])) == {""}
    # Labels repeated but no two balances of one label with different periods.
    assert set(row_periods(["Revenue", "Other", "Costs", "Other", "Total 2019"])) == {""}
    # Different labels, each with a year: a table by year, not a roll-forward.
    assert set(row_periods(["Sales 2019", "Other", "Costs 2018", "Other"])) == {""}
    assert row_periods([]) == []
