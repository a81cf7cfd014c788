"""The calendar: month arithmetic against the standard library, day counts against QuantLib's
day counters (a reference nobody here wrote), payment dates against the loan and APR series."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from fractions import Fraction

import pytest
import QuantLib as ql
from hypothesis import given
from hypothesis import strategies as st

from underwater.dates import DayCount, add_months, month_days, months_between, payment_date
from underwater.loan import payment_dates

DATES = st.dates(min_value=date(1901, 1, 1), max_value=date(2150, 12, 31))

QL = {
    DayCount.ACT_365F: ql.Actual365Fixed(),
    DayCount.ACT_ACT: ql.ActualActual(ql.ActualActual.ISDA),
    DayCount.ACT_360: ql.Actual360(),
    DayCount.THIRTY_360: ql.Thirty360(ql.Thirty360.BondBasis),
}


def _ql(day: date) -> ql.Date:
    return ql.Date(day.day, day.month, day.year)


@given(DATES, st.integers(-600, 600))
def test_add_months_agrees_with_the_calendar_module(start: date, months: int) -> None:
    moved = add_months(start, months)
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    assert moved == date(year, month + 1, min(start.day, calendar.monthrange(year, month + 1)[1]))
    assert months_between(start, moved) == months


@given(st.integers(1900, 2199), st.integers(1, 12))
def test_month_days_agrees_with_the_calendar_module(year: int, month: int) -> None:
    assert month_days(year, month) == calendar.monthrange(year, month)[1]


@pytest.mark.parametrize("count", list(DayCount))
@given(start=DATES, length=st.integers(0, 3000))
def test_day_counts_agree_with_quantlib(count: DayCount, start: date, length: int) -> None:
    end = start + timedelta(days=length)
    reference = QL[count]
    assert count.days(start, end) == reference.dayCount(_ql(start), _ql(end))
    assert float(count.year_fraction(start, end)) == pytest.approx(
        reference.yearFraction(_ql(start), _ql(end)), rel=1e-12, abs=1e-15
    )


@given(DATES, st.integers(1, 3000))
def test_actual_actual_pieces_cover_every_day_once(start: date, length: int) -> None:
    end = start + timedelta(days=length)
    pieces = DayCount.ACT_ACT.pieces(start, end)
    assert sum(days for days, _ in pieces) == length
    assert all(days > 0 and year in (365, 366) for days, year in pieces)


def test_a_calendar_year_is_one_year_in_every_actual_count() -> None:
    for year in (2023, 2024, 2100):
        start, end = date(year, 1, 1), date(year + 1, 1, 1)
        assert DayCount.ACT_ACT.year_fraction(start, end) == 1
        assert DayCount.THIRTY_360.year_fraction(start, end) == 1
    assert DayCount.ACT_365F.year_fraction(date(2024, 1, 1), date(2025, 1, 1)) == Fraction(366, 365)


@given(st.integers(1, 28), st.integers(1900, 2100), st.integers(1, 12), st.integers(1, 120))
def test_thirty_360_counts_thirty_days_a_month_on_a_due_day_up_to_the_28th(
    day: int, year: int, month: int, months: int
) -> None:
    start = date(year, month, day)
    assert DayCount.THIRTY_360.days(start, add_months(start, months)) == 30 * months


@given(DATES, st.integers(0, 200), st.sampled_from(["monthly", "semi-monthly", "biweekly", "weekly"]))
def test_the_loan_series_is_the_calendar_series(first: date, count: int, frequency: str) -> None:
    assert payment_dates(first, count, frequency) == tuple(
        payment_date(first, k, frequency) for k in range(count)
    )


def test_names_read_as_contracts_write_them() -> None:
    assert DayCount.read("Actual/365") is DayCount.ACT_365F
    assert DayCount.read("act/360") is DayCount.ACT_360
    assert DayCount.read("30/360") is DayCount.THIRTY_360
    assert DayCount.read(" Actual / Actual ") is DayCount.ACT_ACT
    with pytest.raises(ValueError, match="unknown day count"):
        DayCount.read("actual/364")
