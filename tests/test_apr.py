"""Tests for underwater.apr: the actuarial APR of Regulation Z, Appendix J.

Golden values: 12 CFR part 1026, Appendix J, paragraph (c) "Examples for the actuarial method"
(https://www.consumerfinance.gov/rules-policy/regulations/1026/j/ and the GPO print CFR,
https://www.govinfo.gov/content/pkg/CFR-2024-title12-vol9/pdf/CFR-2024-title12-vol9-part1026-appJ.pdf).
Appendix J states each example's APR to two decimals; each test names its paragraph. The
examples print amounts, dates, counts and the t and f of the general equation; where an example
prints only t and f (parts of (c)(5) and (c)(6)), the test says how the dates follow from them.
Tolerances: 12 CFR 1026.22(a)(2)-(3) (https://www.consumerfinance.gov/rules-policy/regulations/1026/22/).
"""

from __future__ import annotations

import doctest
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import numpy_financial as npf
import pytest
from hypothesis import given
from hypothesis import strategies as st

import underwater.apr
from underwater.apr import (
    UnitPeriods,
    apr_percent,
    apr_percent_from_unit_periods,
    is_apr_accurate,
    loan_apr,
    loan_apr_percent,
    payment_dates,
    solve_apr,
    unit_period_for,
    unit_periods_between,
)
from underwater.errors import InputError, NoSolutionError
from underwater.limits import FIRST_DATE, LAST_DATE


def monthly(first: date, count: int, every: int = 1) -> list[date]:
    """Due dates one or more months apart on the same day (the examples use days up to 28)."""
    dates = []
    for k in range(count):
        index = first.year * 12 + first.month - 1 + every * k
        dates.append(date(index // 12, index % 12 + 1, first.day))
    return dates


def every_days(first: date, count: int, days: int) -> list[date]:
    return [first + timedelta(days=days * k) for k in range(count)]


def flows(dates: list[date], amounts: list[str]) -> list[tuple[date, str]]:
    return list(zip(dates, amounts, strict=True))


def at(full: int, fraction: Fraction | int = 0) -> UnitPeriods:
    return UnitPeriods(full, Fraction(fraction))


# ---------------------------------------------------------------------------------------------
# Appendix J (c)(1): single advance, with or without an odd first period, otherwise regular


def test_c1_i_monthly_regular_first_period() -> None:
    # (c)(1)(i): $5,000 advanced 1-10-78; 24 payments of $230 from 2-10-78; t = 0, f = 0 -> 9.69 %.
    advance = [(date(1978, 1, 10), "5000")]
    payments = flows(monthly(date(1978, 2, 10), 24), ["230"] * 24)
    assert apr_percent(advances=advance, payments=payments, unit_period="month") == Decimal("9.69")
    assert loan_apr_percent("5000", "230", 24, date(1978, 1, 10), date(1978, 2, 10)) == Decimal("9.69")


def test_c1_ii_monthly_long_first_period() -> None:
    # (c)(1)(ii): $6,000 advanced 2-10-78; 36 payments of $200 from 4-1-78; t = 1, f = 19/30 -> 11.82 %.
    payments = flows(monthly(date(1978, 4, 1), 36), ["200"] * 36)
    assert apr_percent([(date(1978, 2, 10), "6000")], payments) == Decimal("11.82")
    assert unit_periods_between(date(1978, 2, 10), date(1978, 4, 1)) == UnitPeriods(1, Fraction(19, 30))


def test_c1_iii_semimonthly_short_first_period() -> None:
    # (c)(1)(iii): $5,000 advanced 2-23-78; 24 payments of $219.17 on the 1st and 16th from 3-1-78;
    # unit-period a semimonth (24 a year); t = 0, f = 6/15 -> 10.34 %.
    dates = [
        date(1978 + (2 + k // 2) // 12, (2 + k // 2) % 12 + 1, 1 if k % 2 == 0 else 16) for k in range(24)
    ]
    assert dates[:3] == [date(1978, 3, 1), date(1978, 3, 16), date(1978, 4, 1)]
    payments = flows(dates, ["219.17"] * 24)
    assert apr_percent([(date(1978, 2, 23), "5000")], payments, "semimonth") == Decimal("10.34")
    assert unit_periods_between(date(1978, 2, 23), date(1978, 3, 1), "semimonth") == at(0, Fraction(2, 5))
    assert payment_dates(date(1978, 3, 1), 24, "semimonth") == dates


def test_c1_iv_quarterly_long_first_period() -> None:
    # (c)(1)(iv): $10,000 advanced 5-23-78; 40 quarterly payments of $385 from 10-1-78;
    # t = 1, f = 39/90 -> 8.97 %.
    payments = flows(monthly(date(1978, 10, 1), 40, every=3), ["385"] * 40)
    assert apr_percent([(date(1978, 5, 23), "10000")], payments, "quarter") == Decimal("8.97")
    assert unit_periods_between(date(1978, 5, 23), date(1978, 10, 1), "quarter") == UnitPeriods(
        1, Fraction(39, 90)
    )


def test_c1_v_weekly_long_first_period() -> None:
    # (c)(1)(v): $500 advanced 3-20-78; 30 weekly payments of $17.60 from 4-21-78; t = 4, f = 4/7 -> 14.96 %.
    payments = flows(every_days(date(1978, 4, 21), 30, 7), ["17.60"] * 30)
    assert apr_percent([(date(1978, 3, 20), "500")], payments, "week") == Decimal("14.96")
    assert unit_periods_between(date(1978, 3, 20), date(1978, 4, 21), "week") == UnitPeriods(
        4, Fraction(4, 7)
    )


# ---------------------------------------------------------------------------------------------
# Appendix J (c)(2): odd first payment


def test_c2_i_monthly_irregular_first_payment() -> None:
    # (c)(2)(i): $5,000 advanced 1-10-78; first payment $250 on 2-10-78, then 23 of $230 -> 10.08 %.
    payments = flows(monthly(date(1978, 2, 10), 24), ["250"] + ["230"] * 23)
    assert apr_percent([(date(1978, 1, 10), "5000")], payments) == Decimal("10.08")


def test_c2_ii_four_weekly_long_first_period_and_irregular_first_payment() -> None:
    # (c)(2)(ii): $400 advanced 3-18-78; $39.50 on 4-20-78, then 11 of $38.31 every 4 weeks;
    # unit-period 4 weeks (13 a year); t = 1, f = 5/28 -> 28.50 %.
    payments = flows(every_days(date(1978, 4, 20), 12, 28), ["39.50"] + ["38.31"] * 11)
    assert apr_percent([(date(1978, 3, 18), "400")], payments, "4 weeks") == Decimal("28.50")
    assert unit_periods_between(date(1978, 3, 18), date(1978, 4, 20), "4 weeks") == UnitPeriods(
        1, Fraction(5, 28)
    )


# ---------------------------------------------------------------------------------------------
# Appendix J (c)(3): odd final payment


def test_c3_i_monthly_irregular_final_payment() -> None:
    # (c)(3)(i): $5,000 advanced 1-10-78; 23 payments of $230 from 2-10-78, a final $280 -> 10.50 %.
    payments = flows(monthly(date(1978, 2, 10), 24), ["230"] * 23 + ["280"])
    assert apr_percent([(date(1978, 1, 10), "5000")], payments) == Decimal("10.50")
    assert loan_apr_percent(
        "5000", "230", 24, date(1978, 1, 10), date(1978, 2, 10), final_payment="280"
    ) == Decimal("10.50")


def test_c3_ii_biweekly_short_first_period_and_irregular_final_payment() -> None:
    # (c)(3)(ii): $200 advanced 4-3-78; 19 payments of $9.50 every 2 weeks from 4-11-78, then $30;
    # unit-period 2 weeks (26 a year); t = 0, f = 8/14 -> 12.22 %.
    payments = flows(every_days(date(1978, 4, 11), 20, 14), ["9.50"] * 19 + ["30"])
    assert apr_percent([(date(1978, 4, 3), "200")], payments, "2 weeks") == Decimal("12.22")
    assert loan_apr_percent(
        "200", "9.50", 20, date(1978, 4, 3), date(1978, 4, 11), unit_period="2 weeks", final_payment="30"
    ) == Decimal("12.22")


# ---------------------------------------------------------------------------------------------
# Appendix J (c)(4): odd first and final payments


def test_c4_i_monthly_irregular_first_and_final_payments() -> None:
    # (c)(4)(i): $5,000 advanced 1-10-78; $250 on 2-10-78, 22 of $230, a final $280 -> 10.90 %.
    payments = flows(monthly(date(1978, 2, 10), 24), ["250"] + ["230"] * 22 + ["280"])
    assert apr_percent([(date(1978, 1, 10), "5000")], payments) == Decimal("10.90")


def test_c4_ii_two_monthly_short_first_period_irregular_first_and_final() -> None:
    # (c)(4)(ii): $8,000 advanced 1-10-78; $449.36 on 3-1-78, 18 of $465 every 2 months, a final
    # $200; unit-period 2 months (6 a year); t = 0, f = 52/60 -> 7.30 %.
    payments = flows(monthly(date(1978, 3, 1), 20, every=2), ["449.36"] + ["465"] * 18 + ["200"])
    assert apr_percent([(date(1978, 1, 10), "8000")], payments, "2 months") == Decimal("7.30")
    assert unit_periods_between(date(1978, 1, 10), date(1978, 3, 1), "2 months") == UnitPeriods(
        0, Fraction(52, 60)
    )


# ---------------------------------------------------------------------------------------------
# Appendix J (c)(5): single advance, single payment


def test_c5_i_term_under_a_year_in_days() -> None:
    # (c)(5)(i): $1,000 advanced 1-3-78, $1,080 repaid 9-15-78: a 255-day unit-period,
    # 365/255 unit-periods a year -> 11.45 %.
    result = solve_apr([(date(1978, 1, 3), "1000")], [(date(1978, 9, 15), "1080")], "term")
    assert result.apr_percent == Decimal("11.45")
    assert abs(result.unit_periods_per_year - Decimal(365) / Decimal(255)) < Decimal("1e-20")


# (c)(5)(ii)-(iv) print the amounts, the term (6 months; 1 year and 6 months; 2 years) and t and
# f; the dates below are any dates that make that term, chosen here.


def test_c5_ii_term_under_a_year_in_whole_months() -> None:
    # (c)(5)(ii): $1,000, $1,044 after 6 months: unit-period 6 months, 2 a year -> 8.80 %.
    assert apr_percent_from_unit_periods([("1000", at(0))], [("1044", at(1))], 2) == Decimal("8.80")
    result = solve_apr([(date(1978, 1, 15), "1000")], [(date(1978, 7, 15), "1044")], "term")
    assert (result.apr_percent, result.unit_periods_per_year) == (Decimal("8.80"), Decimal(2))


def test_c5_iii_term_over_a_year_fraction_in_months() -> None:
    # (c)(5)(iii): $1,000, $1,135.19 after 1 year and 6 months: unit-period a year;
    # t = 1, f = 6/12 -> 8.76 %.
    published = apr_percent_from_unit_periods([("1000", at(0))], [("1135.19", at(1, Fraction(1, 2)))], 1)
    assert published == Decimal("8.76")
    assert apr_percent([(date(1978, 1, 15), "1000")], [(date(1979, 7, 15), "1135.19")], "term") == Decimal(
        "8.76"
    )
    assert unit_periods_between(date(1978, 1, 15), date(1979, 7, 15), "year") == at(1, Fraction(1, 2))


def test_c5_iv_term_of_whole_years() -> None:
    # (c)(5)(iv): $1,000, $1,240 after exactly 2 years: t = 2, f = 0 -> 11.36 %.
    assert apr_percent_from_unit_periods([("1000", at(0))], [("1240", at(2))], 1) == Decimal("11.36")
    assert apr_percent([(date(1978, 1, 15), "1000")], [(date(1980, 1, 15), "1240")], "term") == Decimal(
        "11.36"
    )


# ---------------------------------------------------------------------------------------------
# Appendix J (c)(6): complex single advance transactions


C6_I_SERIES = [(0, 26, 9), (10, 12, 6), (16, 26, 6), (23, 12, 3)]
"""(c)(6)(i): series of $100 payments as (t of the first payment, f in 28ths, number)."""


C6_II_DATED = [
    (date(1978, 9, 15), "1000"),
    (date(1978, 10, 15), "1000"),
    (date(1978, 11, 15), "1000"),
    (date(1979, 3, 15), "2000"),
    (date(1979, 9, 15), "750"),
    (date(1979, 10, 15), "750"),
    (date(1979, 11, 15), "750"),
    (date(1980, 2, 1), "1000"),
]
"""(c)(6)(ii)'s payments on their dates (see the test below for how they follow from t and f)."""


def test_c6_i_skipped_payments_every_four_weeks() -> None:
    # (c)(6)(i): $2,135 advanced 1-25-78; 24 payments of $100, unit-period 4 weeks (13 a year),
    # in four series with t, f = (0, 26/28) x 9, (10, 12/28) x 6, (16, 26/28) x 6, (23, 12/28) x 3
    # -> 12.00 %. Under (b)(5)(iv) a payment t + f unit-periods out is 28t + 28f days after the
    # advance, which fixes the dates.
    published = [
        ("100", at(start + k, Fraction(f, 28))) for start, f, count in C6_I_SERIES for k in range(count)
    ]
    assert apr_percent_from_unit_periods([("2135", at(0))], published, 13) == Decimal("12.00")
    advanced = date(1978, 1, 25)
    dated = [
        (advanced + timedelta(days=28 * (start + k) + f), "100")
        for start, f, count in C6_I_SERIES
        for k in range(count)
    ]
    assert apr_percent([(advanced, "2135")], dated, "4 weeks") == Decimal("12.00")


def test_c6_ii_skipped_payments_and_single_payments() -> None:
    # (c)(6)(ii): $7,350 advanced 3-3-78; $1,000 on 9-15, 10-15 and 11-15-78 (t = 6, f = 12/30),
    # $2,000 at t = 12, f = 12/30 (3-15-79), $750 on 9-15, 10-15, 11-15-79 (t = 18), and $1,000 at
    # t = 22, f = 29/30 (2-1-80, 22 months after 4-1-78, 29 days after the advance) -> 10.22 %.
    f12 = Fraction(12, 30)
    published = [
        ("1000", at(6, f12)),
        ("1000", at(7, f12)),
        ("1000", at(8, f12)),
        ("2000", at(12, f12)),
        ("750", at(18, f12)),
        ("750", at(19, f12)),
        ("750", at(20, f12)),
        ("1000", at(22, Fraction(29, 30))),
    ]
    assert apr_percent_from_unit_periods([("7350", at(0))], published, 12) == Decimal("10.22")
    dated = C6_II_DATED
    assert apr_percent([(date(1978, 3, 3), "7350")], dated) == Decimal("10.22")
    assert unit_periods_between(date(1978, 3, 3), date(1980, 2, 1)) == UnitPeriods(22, Fraction(29, 30))


# ---------------------------------------------------------------------------------------------
# Appendix J (b)(4): the unit-period chosen from the dates. Each (c) example names its
# unit-period; left out, the dates must give the same one, and so the same APR.


def c_examples() -> list[tuple[str, list[tuple[date, str]], list[tuple[date, str]], str, str]]:
    """(paragraph, advances, payments, the unit-period Appendix J uses, its published APR)."""
    semimonthly = [
        date(1978 + (2 + k // 2) // 12, (2 + k // 2) % 12 + 1, 1 if k % 2 == 0 else 16) for k in range(24)
    ]
    advanced = date(1978, 1, 25)
    c6_i = [
        (advanced + timedelta(days=28 * (start + k) + f), "100")
        for start, f, count in C6_I_SERIES
        for k in range(count)
    ]
    return [
        (
            "(c)(1)(i)",
            [(date(1978, 1, 10), "5000")],
            flows(monthly(date(1978, 2, 10), 24), ["230"] * 24),
            "month",
            "9.69",
        ),
        (
            "(c)(1)(ii)",
            [(date(1978, 2, 10), "6000")],
            flows(monthly(date(1978, 4, 1), 36), ["200"] * 36),
            "month",
            "11.82",
        ),
        (
            "(c)(1)(iii)",
            [(date(1978, 2, 23), "5000")],
            flows(semimonthly, ["219.17"] * 24),
            "semimonth",
            "10.34",
        ),
        (
            "(c)(1)(iv)",
            [(date(1978, 5, 23), "10000")],
            flows(monthly(date(1978, 10, 1), 40, every=3), ["385"] * 40),
            "quarter",
            "8.97",
        ),
        (
            "(c)(1)(v)",
            [(date(1978, 3, 20), "500")],
            flows(every_days(date(1978, 4, 21), 30, 7), ["17.60"] * 30),
            "week",
            "14.96",
        ),
        (
            "(c)(2)(ii)",
            [(date(1978, 3, 18), "400")],
            flows(every_days(date(1978, 4, 20), 12, 28), ["39.50"] + ["38.31"] * 11),
            "4 weeks",
            "28.50",
        ),
        (
            "(c)(3)(ii)",
            [(date(1978, 4, 3), "200")],
            flows(every_days(date(1978, 4, 11), 20, 14), ["9.50"] * 19 + ["30"]),
            "2 weeks",
            "12.22",
        ),
        (
            "(c)(4)(ii)",
            [(date(1978, 1, 10), "8000")],
            flows(monthly(date(1978, 3, 1), 20, every=2), ["449.36"] + ["465"] * 18 + ["200"]),
            "2 months",
            "7.30",
        ),
        ("(c)(5)(i)", [(date(1978, 1, 3), "1000")], [(date(1978, 9, 15), "1080")], "term", "11.45"),
        ("(c)(6)(i)", [(advanced, "2135")], c6_i, "4 weeks", "12.00"),
        ("(c)(6)(ii)", [(date(1978, 3, 3), "7350")], C6_II_DATED, "month", "10.22"),
    ]


@pytest.mark.parametrize("example", c_examples(), ids=[e[0] for e in c_examples()])
def test_appendix_j_examples_choose_their_own_unit_period(
    example: tuple[str, list[tuple[date, str]], list[tuple[date, str]], str, str],
) -> None:
    _, advances, payments, unit, published = example
    assert unit_period_for([d for d, _ in advances], [d for d, _ in payments]) == unit
    result = solve_apr(advances, payments)
    assert (result.unit_period, result.unit_period_chosen, result.apr_percent) == (
        unit,
        True,
        Decimal(published),
    )


def test_yearly_payments_are_counted_in_years() -> None:
    # $10,000 advanced 1 March 2025, five payments of $2,500 every 1 March from 2026: the only
    # period is a year, so the unit-period is a year (one a year). By (b)(1) the APR is the
    # yearly rate i with 10,000 = 2,500 × (1 - (1 + i)^-5) / i: numpy-financial's RATE, 7.93 %.
    advance = [(date(2025, 3, 1), "10000")]
    payments = [(date(2026 + k, 3, 1), "2500") for k in range(5)]
    result = solve_apr(advance, payments)
    assert (result.unit_period, result.unit_periods_per_year) == ("year", Decimal(1))
    expected = Decimal(repr(float(npf.rate(5, -2500, 10000, 0)))) * 100
    assert abs(result.apr_percent_unrounded - expected) < Decimal("1e-9")
    assert result.apr_percent == Decimal("7.93")
    # Counted in months instead (the old default), the same cash flows said 12 × the monthly
    # rate that compounds to the same year: a lower nominal APR.
    assert solve_apr(advance, payments, "month").apr_percent < result.apr_percent


def test_yearly_payments_after_an_odd_first_period() -> None:
    # Payments every 15 June from 2026 on an advance of 1 March 2025: the first period (1 year,
    # 3 months, 14 days) is not a year, the three after it are: a year is the common period.
    advance = [(date(2025, 3, 1), "10000")]
    payments = [(date(2026 + k, 6, 15), "3000") for k in range(4)]
    assert unit_period_for([date(2025, 3, 1)], [d for d, _ in payments]) == "year"
    assert solve_apr(advance, payments).unit_period == "year"


def test_irregular_intervals_use_the_nearest_standard_interval_to_the_average() -> None:
    # Payments 29, 33 and 31 days apart after a first period of 30 days (1 Jan to 31 Jan is not a
    # whole month): no period repeats, the average is 30.75 days, nearest a month (30.42 days)
    # rather than four weeks (28) or five (35).
    start = date(2025, 1, 1)
    dates = [start + timedelta(days=d) for d in (30, 59, 92, 123)]
    assert unit_period_for([start], dates) == "month"
    # Periods of 9, 10, 12 and 11 days: the average, 10.5 days, lies exactly halfway between a
    # week and two weeks, and the shorter is taken.
    halfway = [start + timedelta(days=d) for d in (9, 19, 31, 42)]
    assert unit_period_for([start], halfway) == "week"
    # An average of 20 days is nearest three weeks, a standard interval too (52 / 3 a year).
    three = [start + timedelta(days=d) for d in (19, 40, 60)]
    result = solve_apr([(start, "900")], [(d, "310") for d in three])
    assert result.unit_period == "3 weeks"
    assert abs(result.unit_periods_per_year - Decimal(52) / 3) < Decimal("1e-20")


def test_ties_go_to_the_shorter_common_period() -> None:
    # Periods of 14 days, 14 days, then 29 Jan to 28 Feb and 28 Feb to 28 Mar, each a month
    # ((b)(3)(iv): a series on the 29th uses February's last day). Two weeks and a month occur
    # twice each: the shorter, two weeks ((b)(4)(i)(A)).
    start = date(2025, 1, 1)
    dates = [date(2025, 1, 15), date(2025, 1, 29), date(2025, 2, 28), date(2025, 3, 28)]
    assert unit_period_for([start], dates) == "2 weeks"
    # One more month and the month is the most frequent.
    assert unit_period_for([start], [*dates, date(2025, 4, 28)]) == "month"


def test_february_counts_for_four_weeks_and_a_month_alike() -> None:
    # A monthly series: 1 Feb to 1 Mar 2025 is 28 days, four weeks as well as a month; months
    # still win by number.
    start = date(2025, 1, 1)
    assert unit_period_for([start], [date(2025, m, 1) for m in range(2, 8)]) == "month"


def test_named_multiples_of_weeks_and_months() -> None:
    for text, unit in (
        ("3 weeks", "3 weeks"),
        ("6 months", "half year"),
        ("12 months", "year"),
        ("1 week", "week"),
    ):
        assert solve_apr([(A_DAY, "1000")], [(date(2025, 3, 15), "1100")], text).unit_period == unit
    assert payment_dates(date(2025, 1, 1), 3, "5 months") == [
        date(2025, 1, 1),
        date(2025, 6, 1),
        date(2025, 11, 1),
    ]
    assert payment_dates(date(2025, 1, 1), 2, "3 weeks") == [date(2025, 1, 1), date(2025, 1, 22)]
    for bad in ("53 weeks", "12 weeks and a day", "0 months"):
        with pytest.raises(InputError) as caught:
            solve_apr([(A_DAY, "1000")], [(A_MONTH_LATER, "1100")], bad)
        assert caught.value.field == "unit_period"


# ---------------------------------------------------------------------------------------------
# Multiple advances and other counted cases (derived by hand, not published)


def test_multiple_advances_discounted_from_the_first() -> None:
    # $1,000 on 15 Jan and $1,000 on 15 Feb, repaid by one payment on 15 Mar. At 1 % a month
    # the first grows to 1,020.10 and the second to 1,010.00: 2,030.10 repays both, so the APR
    # is exactly 12 %.
    result = solve_apr(
        [(date(2025, 1, 15), "1000"), (date(2025, 2, 15), "1000")], [(date(2025, 3, 15), "2030.10")], "month"
    )
    assert result.apr_percent == Decimal("12.00")
    assert abs(result.apr_percent_unrounded - 12) < Decimal("1e-20")
    assert (result.amount_financed, result.advance_count) == (Decimal("2000.00"), 2)


def test_construction_style_draws_with_interest_only_payments() -> None:
    # Three draws of $10,000 a month apart at 0.5 % a month: interest-only payments of
    # 50, 100, 150 then the 30,000 principal with the last 150 of interest. The balance is paid
    # exactly, so the APR is 6 %.
    advances = [(date(2025, 1, 1), "10000"), (date(2025, 2, 1), "10000"), (date(2025, 3, 1), "10000")]
    payments = [(date(2025, 2, 1), "50"), (date(2025, 3, 1), "100"), (date(2025, 4, 1), "150")]
    payments += [(date(2025, 5, 1), "30150")]
    assert abs(solve_apr(advances, payments).apr_percent_unrounded - 6) < Decimal("1e-20")


def test_month_end_series_counts_whole_months() -> None:
    # (b)(3)(iv): a series on the last day of the month counts last day to last day, and a
    # series on the 30th uses 28 February. Either way the (c)(1)(i) loan keeps its rate.
    on_the_10th = solve_apr(
        [(date(1978, 1, 10), "5000")], flows(monthly(date(1978, 2, 10), 24), ["230"] * 24)
    )
    month_ends = [date(1978 + (1 + k) // 12, (1 + k) % 12 + 1, 1) - timedelta(days=1) for k in range(1, 25)]
    assert month_ends[:2] == [date(1978, 2, 28), date(1978, 3, 31)]
    at_month_end = solve_apr([(date(1978, 1, 31), "5000")], flows(month_ends, ["230"] * 24))
    assert at_month_end.apr_percent_unrounded == on_the_10th.apr_percent_unrounded
    on_the_30th = payment_dates(date(1978, 2, 28), 24, day_of_month=30)
    assert on_the_30th[:3] == [date(1978, 2, 28), date(1978, 3, 30), date(1978, 4, 30)]
    at_30th = solve_apr([(date(1978, 1, 30), "5000")], flows(on_the_30th, ["230"] * 24))
    assert at_30th.apr_percent_unrounded == on_the_10th.apr_percent_unrounded
    assert unit_periods_between(date(1978, 1, 31), date(1978, 2, 28)) == at(1)
    assert unit_periods_between(date(1978, 1, 30), date(1978, 2, 28), day_of_month=30) == at(1)
    assert unit_periods_between(date(1978, 1, 31), date(1978, 3, 31)) == at(2)


def test_a_single_payment_on_a_short_month_end_follows_the_scheduled_day() -> None:
    # $1,000 on 31 Jan, $1,010 on 28 Feb: with the series on the 31st that is one whole month,
    # 1 % a month, 12 %; read as the 28th it would be 28 days (28/30 of a month).
    one = [(date(2025, 1, 31), "1000")]
    pay = [(date(2025, 2, 28), "1010")]
    assert solve_apr(one, pay, "month", day_of_month=31).apr_percent == Decimal("12.00")
    assert solve_apr(one, pay, "month").apr_percent == Decimal(
        "12.86"
    )  # 1 % over 28/30 of a month: 12 x 30/28
    assert loan_apr_percent(
        "1000", "1010", 1, date(2025, 1, 31), date(2025, 2, 28), day_of_month=31
    ) == Decimal("12.00")
    # As a whole-term single payment, a term from the 31st to the last day of February is a month.
    term = solve_apr(one, pay, "term")
    assert (term.apr_percent, term.unit_periods_per_year) == (Decimal("12.00"), Decimal(12))
    # 28 Jan to 31 Mar is 2 months and 3 days, not whole months: 365/62 unit-periods a year.
    uneven = solve_apr([(date(2025, 1, 28), "1000")], [(date(2025, 3, 31), "1010")], "term")
    assert abs(uneven.unit_periods_per_year - Decimal(365) / 62) < Decimal("1e-20")
    with pytest.raises(InputError) as caught:
        solve_apr(one, pay, day_of_month=32)
    assert caught.value.field == "day_of_month"


def test_year_unit_period_leftover_not_whole_months_counts_days() -> None:
    # (b)(5)(v)(B): a year back from 13 Jan 1980 is 13 Jan 1979; from 15 Nov 1978 to there is
    # 59 days, not a whole number of months, so the fraction is 59/365.
    assert unit_periods_between(date(1978, 11, 15), date(1980, 1, 13), "year") == UnitPeriods(
        1, Fraction(59, 365)
    )


def test_payments_equal_to_advances_give_zero() -> None:
    assert loan_apr_percent("1200", "100", 12, date(2025, 1, 15), date(2025, 2, 15)) == Decimal("0.00")


def test_payments_short_of_the_advance_are_refused() -> None:
    # Payments of $80 for 12 months on $1,000 return $960: a negative APR (npf.rate finds one),
    # which no credit contract has; the payments are named and the borrower told what to check.
    assert npf.rate(12, -80, 1000, 0) < 0
    with pytest.raises(InputError) as caught:
        loan_apr("1000", "80", 12, date(2025, 1, 15), date(2025, 2, 15))
    assert caught.value.field == "payment"
    assert "960.00, less than the amount financed" in caught.value.rule
    assert "`n_payments`" in caught.value.rule
    with pytest.raises(InputError) as dated:
        apr_percent([(date(2025, 1, 15), "1000")], flows(monthly(date(2025, 2, 15), 12), ["80"] * 12))
    assert dated.value.field == "payments"
    assert "check each payment" in dated.value.rule
    with pytest.raises(InputError) as timed:
        apr_percent_from_unit_periods([("1000", at(0))], [("999", at(1))], 12)
    assert timed.value.field == "payments"
    # A prepaid finance charge lowers the amount financed: $960 then repays $950.
    assert (
        loan_apr(
            "1000", "80", 12, date(2025, 1, 15), date(2025, 2, 15), prepaid_finance_charge="50"
        ).apr_percent
        > 0
    )


def test_unsolvable_schedule_raises_no_solution() -> None:
    # A same-day payment larger than the advance: the advances never catch up at any rate.
    with pytest.raises(NoSolutionError) as caught:
        apr_percent([(date(2025, 1, 1), "1000")], [(date(2025, 1, 1), "2000"), (date(2025, 2, 1), "100")])
    assert caught.value.field == "payments"


def test_extreme_terms_settle_without_hanging() -> None:
    # $1 repaid by $1,000,000 about 110,000 days later (the first and last dates taken), a day
    # per unit-period: the daily rate solves (1 + i)^days = 1,000,000, i = exp(ln(1e6) / days) - 1.
    start, end = FIRST_DATE, LAST_DATE
    result = solve_apr([(start, "1")], [(end, "1000000")], "day")
    days = (end - start).days
    expected = (Decimal("1e6").ln() / days).exp() - 1
    assert abs(result.apr_percent_unrounded - expected * 365 * 100) < Decimal("1e-12")
    # A rate per unit-period beyond a million (here 1e9 in a day's fraction of a year) is not
    # looked for: no answer, not a hang.
    with pytest.raises(NoSolutionError):
        apr_percent([(date(2000, 1, 1), "1")], [(date(2000, 1, 2), "1000000000")], "year")


# ---------------------------------------------------------------------------------------------
# Tolerance, 12 CFR 1026.22(a)(2)-(3)


def test_tolerance_is_an_eighth_of_a_point_for_regular_transactions() -> None:
    # (a)(2): "not more than 1/8 of 1 percentage point above or below".
    assert is_apr_accurate("9.815", "9.69")
    assert is_apr_accurate("9.565", "9.69")
    assert not is_apr_accurate("9.82", "9.69")
    assert not is_apr_accurate("9.56", "9.69")


def test_tolerance_is_a_quarter_of_a_point_for_irregular_transactions() -> None:
    # (a)(3): "not more than 1/4 of 1 percentage point above or below" in an irregular transaction.
    assert is_apr_accurate("10.47", "10.22", irregular=True)
    assert not is_apr_accurate("10.48", "10.22", irregular=True)
    assert not is_apr_accurate("10.47", "10.22")


def test_tolerance_reads_percentages_strictly() -> None:
    with pytest.raises(InputError) as caught:
        is_apr_accurate(9.69, "9.69")  # type: ignore[arg-type]
    assert caught.value.field == "disclosed_percent"


# ---------------------------------------------------------------------------------------------
# Input validation


A_DAY = date(2025, 1, 15)
A_MONTH_LATER = date(2025, 2, 15)


@pytest.mark.parametrize(
    ("advances", "payments", "unit_period", "field"),
    [
        ([], [(A_MONTH_LATER, "100")], "month", "advances"),
        ([(A_DAY, "1000")], [], "month", "payments"),
        ([(A_DAY, "0")], [(A_MONTH_LATER, "100")], "month", "advances"),
        ([(A_DAY, "1000")], [(A_MONTH_LATER, "-5")], "month", "payments"),
        ([(A_DAY, "1000")], [(A_MONTH_LATER, "0.00")], "month", "payments"),
        ([(A_DAY, "1000")], [(A_MONTH_LATER, 100.0)], "month", "payments"),
        ([(A_DAY, "1000")], [(date(2025, 1, 14), "1100")], "month", "payments"),
        ([(A_DAY, "1000")], [(A_MONTH_LATER, "1100")], "fortnightly-ish", "unit_period"),
        ([(A_DAY, "1000")], [(A_MONTH_LATER, "1100")], 12, "unit_period"),
        ([("2025-01-15", "1000")], [(A_MONTH_LATER, "1100")], "month", "advances"),
        ([(datetime(2025, 1, 15, 9), "1000")], [(A_MONTH_LATER, "1100")], "month", "advances"),
        ([(A_DAY, "1000")], [(A_MONTH_LATER, "600"), (date(2025, 3, 15), "600")], "term", "unit_period"),
        ([(A_DAY, "1000")], [(A_MONTH_LATER, "999.99")], "month", "payments"),
        ([(A_DAY, "1000")], [(A_DAY, "1100")], "term", "payments"),
        ("1000", [(A_MONTH_LATER, "1100")], "month", "advances"),
        ([(A_DAY,)], [(A_MONTH_LATER, "1100")], "month", "advances"),
    ],
)
def test_bad_input_names_the_field(
    advances: object, payments: object, unit_period: object, field: str
) -> None:
    with pytest.raises(InputError) as caught:
        apr_percent(advances, payments, unit_period)  # type: ignore[arg-type]
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"n_payments": 0}, "n_payments"),
        ({"n_payments": True}, "n_payments"),
        ({"prepaid_finance_charge": "20000"}, "prepaid_finance_charge"),
        ({"payment": "0"}, "payment"),
        ({"final_payment": "0"}, "final_payment"),
        ({"first_payment_date": A_DAY}, "first_payment_date"),
        ({"unit_period": "term"}, "n_payments"),
        ({"principal": "20,000.005"}, "principal"),
    ],
)
def test_loan_input_names_the_field(changes: dict[str, object], field: str) -> None:
    arguments: dict[str, object] = {
        "principal": "20000",
        "payment": "386.66",
        "n_payments": 60,
        "loan_date": A_DAY,
        "first_payment_date": A_MONTH_LATER,
    }
    arguments.update(changes)
    with pytest.raises(InputError) as caught:
        loan_apr(**arguments)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_unit_period_names_people_use_are_understood() -> None:
    payments = flows(every_days(date(1978, 4, 11), 20, 14), ["9.50"] * 19 + ["30"])
    for spelling in ("2 weeks", "biweekly", "2-weeks", " 2_Weeks "):
        assert apr_percent([(date(1978, 4, 3), "200")], payments, spelling) == Decimal("12.22")


# ---------------------------------------------------------------------------------------------
# Results, JSON and schedules


def test_result_json_keys_and_shapes() -> None:
    result = solve_apr([(date(1978, 1, 3), "1000")], [(date(1978, 9, 15), "1080")], "term")
    assert result.to_json() == {
        "apr_percent": "11.45",
        "apr_percent_unrounded": "11.450980",
        "unit_period": "term",
        "unit_period_chosen": False,
        "unit_periods_per_year": "1.431373",
        "unit_period_rate_percent": "8.00000000",
        "term_start": "1978-01-03",
        "term_end": "1978-09-15",
        "amount_financed": "1000.00",
        "total_of_payments": "1080.00",
        "finance_charge": "80.00",
        "advance_count": 1,
        "payment_count": 1,
    }
    monthly_result = loan_apr("5000", "230", 24, date(1978, 1, 10), date(1978, 2, 10))
    assert monthly_result.to_json()["unit_periods_per_year"] == "12"


def test_payment_dates_follow_the_unit_period() -> None:
    assert payment_dates(date(2025, 1, 31), 4) == [
        date(2025, 1, 31),
        date(2025, 2, 28),
        date(2025, 3, 31),
        date(2025, 4, 30),
    ]
    assert payment_dates(date(2024, 1, 30), 3) == [date(2024, 1, 30), date(2024, 2, 29), date(2024, 3, 30)]
    assert payment_dates(date(2025, 2, 15), 4, "semimonth") == [
        date(2025, 2, 15),
        date(2025, 2, 28),
        date(2025, 3, 15),
        date(2025, 3, 30),
    ]
    assert payment_dates(date(2025, 1, 20), 3, "semimonth") == [
        date(2025, 1, 20),
        date(2025, 2, 5),
        date(2025, 2, 20),
    ]
    assert payment_dates(date(2025, 1, 1), 3, "2 weeks") == [
        date(2025, 1, 1),
        date(2025, 1, 15),
        date(2025, 1, 29),
    ]
    assert payment_dates(date(2025, 3, 31), 3, "half year") == [
        date(2025, 3, 31),
        date(2025, 9, 30),
        date(2026, 3, 31),
    ]


def test_module_docstring_examples_run() -> None:
    failures, attempted = doctest.testmod(underwater.apr, optionflags=doctest.ELLIPSIS)
    assert attempted > 0
    assert failures == 0


# ---------------------------------------------------------------------------------------------
# Properties

rate_hundredths = st.integers(min_value=1, max_value=3000).map(lambda n: Decimal(n) / 100)
loan_dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))
payments_in_cents = st.integers(min_value=5000, max_value=500000).map(lambda c: Decimal(c) / 100)


def _present_value(payment: Decimal, months: int, rate_percent: Decimal) -> Decimal:
    """What level monthly payments are worth one month before the first, at rate_percent a year."""
    monthly_rate = rate_percent / 1200
    factor = (1 - (1 + monthly_rate) ** -months) / monthly_rate
    return (payment * factor).quantize(Decimal("0.01"))


@given(
    rate=rate_hundredths,
    months=st.integers(min_value=12, max_value=360),
    payment=payments_in_cents,
    start=loan_dates,
)
def test_level_payments_with_regular_first_period_give_the_note_rate(
    rate: Decimal, months: int, payment: Decimal, start: date
) -> None:
    # Borrow exactly what the payments are worth at the note rate (to the cent); the APR is the
    # note rate to the hundredth. Rounding the loan to the cent moves the rate by at most about
    # 1200 x 0.005 / (loan x average months to a payment), well under 0.005 for these loans.
    # Payments fall on the loan date's day of the month, month ends included.
    principal = _present_value(payment, months, rate)
    first = payment_dates(start, 2)[1]
    assert loan_apr_percent(principal, payment, months, start, first, day_of_month=start.day) == rate


@given(
    months=st.integers(min_value=1, max_value=120),
    payment=payments_in_cents,
    cover=st.integers(min_value=50, max_value=100),
    fee=st.integers(min_value=1, max_value=5000),
    start=loan_dates,
    days_to_first=st.integers(min_value=1, max_value=60),
)
def test_a_prepaid_finance_charge_never_lowers_the_apr(
    months: int, payment: Decimal, cover: int, fee: int, start: date, days_to_first: int
) -> None:
    principal = (payment * months * cover / 100).quantize(Decimal("0.01"))
    fee_dollars = min(Decimal(fee), principal / 2).quantize(Decimal("0.01"))
    first = start + timedelta(days=days_to_first)
    plain = loan_apr(principal, payment, months, start, first)
    with_fee = loan_apr(principal, payment, months, start, first, prepaid_finance_charge=fee_dollars)
    assert with_fee.apr_percent_unrounded > plain.apr_percent_unrounded
    assert with_fee.apr_percent >= plain.apr_percent


@given(
    months=st.integers(min_value=1, max_value=120),
    payment=payments_in_cents,
    cover=st.integers(min_value=50, max_value=100),
    start=loan_dates,
    unit_period=st.sampled_from(["month", "semimonth", "week", "2 weeks", "4 weeks", "quarter", "year"]),
)
def test_one_more_payment_for_the_same_advance_raises_the_apr(
    months: int, payment: Decimal, cover: int, start: date, unit_period: str
) -> None:
    principal = (payment * months * cover / 100).quantize(Decimal("0.01"))
    first = start + timedelta(days=20)
    fewer = loan_apr(principal, payment, months, start, first, unit_period=unit_period)
    more = loan_apr(principal, payment, months + 1, start, first, unit_period=unit_period)
    assert more.apr_percent_unrounded > fewer.apr_percent_unrounded


@given(
    rate=st.integers(min_value=50, max_value=3000).map(lambda n: Decimal(n) / 100),
    months=st.integers(min_value=1, max_value=360),
    principal=st.integers(min_value=1000_00, max_value=1_000_000_00).map(lambda c: Decimal(c) / 100),
    start=loan_dates,
)
def test_regular_monthly_loans_agree_with_numpy_financial_rate(
    rate: Decimal, months: int, principal: Decimal, start: date
) -> None:
    # numpy-financial's RATE is an independent (float) solver for the same equation when the
    # first period is regular (t = 1, f = 0). Near a zero rate its float Newton step is noise,
    # hence rates from 0.5 %.
    monthly_rate = rate / 1200
    payment = (principal * monthly_rate / (1 - (1 + monthly_rate) ** -months)).quantize(Decimal("0.01"))
    first = payment_dates(start, 2)[1]
    ours = loan_apr(principal, payment, months, start, first, day_of_month=start.day).apr_percent_unrounded
    theirs = Decimal(str(npf.rate(months, -float(payment), float(principal), 0.0, tol=1e-11, maxiter=500)))
    assert abs(ours - theirs * 1200) < Decimal("1e-6")


@given(
    amounts=st.lists(payments_in_cents, min_size=1, max_size=30),
    gaps=st.lists(st.integers(min_value=1, max_value=90), min_size=30, max_size=30),
    split=st.integers(min_value=1, max_value=99),
    start=loan_dates,
)
def test_order_of_payments_and_splitting_an_advance_change_nothing(
    amounts: list[Decimal], gaps: list[int], split: int, start: date
) -> None:
    dates = []
    when = start
    for gap in gaps[: len(amounts)]:
        when += timedelta(days=gap)
        dates.append(when)
    payments = list(zip(dates, amounts, strict=True))
    advance = (sum(amounts) * Decimal("0.9")).quantize(Decimal("0.01"))
    part = (advance * split / 100).quantize(Decimal("0.01"))
    whole = solve_apr([(start, advance)], payments)
    reordered = solve_apr([(start, part), (start, advance - part)], payments[::-1])
    # The same APR to 20 significant digits: the solver works at 34, and at an APR of hundreds of
    # percent the two orders of summation can part in the 21st digit (772 % differed by 3.6e-20).
    apr = whole.apr_percent_unrounded
    assert abs(apr - reordered.apr_percent_unrounded) <= Decimal("1e-20") * max(Decimal(1), abs(apr))
