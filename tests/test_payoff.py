"""Tests for underwater.payoff: simple-interest payoff quotes with a per diem."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from underwater.dates import DayCount
from underwater.errors import InputError
from underwater.payoff import payoff_quote

D = Decimal


def test_cfpb_closing_disclosure_prints_the_per_diem_times_the_days() -> None:
    # The CFPB's sample Closing Disclosure (form H-25(B)): a $162,000 loan at 3.875 %, closing
    # 4/15/13, "Prepaid Interest ($17.44 per day from 4/15/13 to 5/1/13)": 162,000 × 3.875 % /
    # 360 = 17.4375, printed 17.44, times the 16 days = 279.04 (the form's own figure; exact
    # accrual would give 279.00, so the letter would not multiply out).
    # https://www.consumerfinance.gov/owning-a-home/closing-disclosure/
    quote = payoff_quote(162000, "3.875", date(2013, 4, 15), date(2013, 5, 1), day_count=DayCount.ACT_360)
    assert (quote.per_diem, quote.days, quote.accrued_interest) == (D("17.44"), 16, D("279.04"))
    assert quote.interest_convention == "per_diem"
    exact = payoff_quote(
        162000,
        "3.875",
        date(2013, 4, 15),
        date(2013, 5, 1),
        day_count=DayCount.ACT_360,
        interest_convention="exact",
    )
    assert exact.accrued_interest == D("279.00")


def test_santander_per_diem_example() -> None:
    # Santander Consumer USA FAQ "What is simple interest and how is it computed?":
    # "($10,000 x 18%) / 365 = $4.93 daily interest"
    # https://santanderconsumerusa.com/support/faqs/what-is-simple-interest-and-how-is-it-computed
    quote = payoff_quote(10000, 18, date(2025, 3, 1), date(2025, 3, 31))
    assert quote.per_diem == D("4.93")
    # Thirty days of it, as the letter multiplies it: 30 × 4.93 = 147.90 (worked exactly,
    # 10,000 × 0.18 × 30 / 365 = 147.945… → 147.95).
    assert quote.days == 30
    assert quote.accrued_interest == D("147.90")
    assert quote.payoff == D("10147.90")
    exact = payoff_quote(10000, 18, date(2025, 3, 1), date(2025, 3, 31), interest_convention="exact")
    assert exact.accrued_interest == D("147.95")
    # Each day after the quoted date adds the printed per diem.
    assert quote.payoff_after(3) == D("10147.90") + 3 * D("4.93")


def test_brechner_exact_and_ordinary_interest() -> None:
    # Brechner, Contemporary Mathematics for Business and Consumers, 8th ed., chapter 10, review
    # exercise 7: $45,000 at 13 % for 100 days, exact interest (365 days) $1,602.74, ordinary
    # interest (360 days) $1,625.00.
    # https://www.bartleby.com/solution-answer/chapter-10i-problem-7re-contemporary-mathematics-for-business-and-consumers-8th-edition/9781305585447/use-the-exact-interest-method-365-days-and-the-ordinary-interest-method-360-days-to-compare-the/6a205b51-6785-11e9-8385-02ee952b546e
    start = date(2025, 1, 1)
    exact = payoff_quote(45000, 13, start, start + timedelta(days=100), interest_convention="exact")
    ordinary = payoff_quote(
        45000, 13, start, start + timedelta(days=100), day_count=DayCount.ACT_360, interest_convention="exact"
    )
    assert exact.accrued_interest == D("1602.74")
    assert ordinary.accrued_interest == D("1625.00")
    # A letter's per diem (16.03 a day) times 100 days charges 1,603.00.
    letter = payoff_quote(45000, 13, start, start + timedelta(days=100))
    assert letter.accrued_interest == exact.per_diem * 100 == D("1603.00")


def test_interest_handout_exact_dating() -> None:
    # "Interest Formula: Days" handout (scribd.com/document/3301814): Cindy borrows $5,000 at 5 %
    # for 180 days: $125 with ordinary interest dating, $123.29 with exact interest dating.
    start = date(2025, 1, 1)
    end = start + timedelta(days=180)
    exact = payoff_quote(5000, 5, start, end, interest_convention="exact")
    assert exact.accrued_interest == D("123.29")
    assert payoff_quote(
        5000, 5, start, end, day_count=DayCount.ACT_360, interest_convention="exact"
    ).accrued_interest == D("125.00")
    # A per diem of 0.68 times 180 days is 122.40: 89 cents short of exact accrual.
    assert exact.per_diem == D("0.68") and payoff_quote(5000, 5, start, end).accrued_interest == D("122.40")


def test_per_diem_on_a_360_day_year() -> None:
    # reviewforloans.com, "How is auto loan per diem calculated": 7 % divided by 360 times $10,000
    # is a per diem of $1.94.
    # https://www.reviewforloans.com/post/how-is-auto-loan-per-diem-calculated-1f5306fc/
    quote = payoff_quote(10000, 7, date(2025, 1, 1), date(2025, 1, 11), day_count=DayCount.ACT_360)
    assert quote.per_diem == D("1.94")
    # Ten days of the letter's per diem: 19.40 (exactly, 10,000 × 0.07 × 10 / 360 = 19.444… → 19.44).
    assert quote.accrued_interest == D("19.40")


def test_ehow_day_count() -> None:
    # eHow, "How to figure auto per diem on a loan": $12,000 at 7 % on a 360-day year, last payment
    # November 1, payoff good until December 15: "44 days (29 days in November and 15 days in
    # December)". (The page's dollar figures use a daily rate cut to .0001944 and are not ours;
    # by our rule: 12,000 × 7 / 36,000 = 2.3333 → per diem 2.33; 44 × 2.33 = 102.52; exactly,
    # 12,000 × 0.07 × 44 / 360 = 102.666… → 102.67.)
    # http://www.ehow.com/how_5672095_figure-auto-per-diem-loan.html
    quote = payoff_quote(12000, 7, date(2024, 11, 1), date(2024, 12, 15), day_count=DayCount.ACT_360)
    assert quote.days == 44
    assert (quote.per_diem, quote.accrued_interest, quote.payoff) == (D("2.33"), D("102.52"), D("12102.52"))


def test_leap_day_counts_and_fees() -> None:
    quote = payoff_quote("18000.00", "6.9", date(2024, 2, 15), date(2024, 3, 15), fees="25.00")
    # 2024 is a leap year: 29 days, still over a 365-day year. 18,000 × 6.9 / 36,500 = 3.4027 →
    # 3.40; 29 × 3.40 = 98.60.
    assert quote.days == 29
    assert (quote.per_diem, quote.accrued_interest) == (D("3.40"), D("98.60"))
    assert quote.payoff == D("18000.00") + D("98.60") + D("25.00")


def test_same_day_payoff_has_no_interest() -> None:
    quote = payoff_quote(5000, 9, date(2025, 6, 1), date(2025, 6, 1))
    assert (quote.days, quote.accrued_interest, quote.payoff) == (0, D("0.00"), D("5000.00"))


def test_to_json() -> None:
    data = payoff_quote(10000, 18, date(2025, 3, 1), date(2025, 3, 11), fees="15").to_json()
    assert data == {
        "balance": "10000.00",
        "rate_percent": "18",
        "day_count": "actual/365",
        "last_payment_date": "2025-03-01",
        "payoff_date": "2025-03-11",
        "days": 10,
        "per_diem": "4.93",
        "interest_convention": "per_diem",
        "accrued_interest": "49.30",
        "fees": "15.00",
        "payoff": "10064.30",
    }


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"payoff_date": date(2025, 2, 28)}, "payoff_date"),
        ({"day_count": 366}, "day_count"),
        ({"day_count": "actual/365"}, "day_count"),
        ({"balance": "-1"}, "balance"),
        ({"rate_percent": "-0.5"}, "rate_percent"),
        ({"fees": "-3"}, "fees"),
        ({"last_payment_date": "2025-03-01"}, "last_payment_date"),
        ({"interest_convention": "banker"}, "interest_convention"),
    ],
)
def test_bad_input_names_the_field(kwargs: dict[str, object], field: str) -> None:
    args: dict[str, object] = {
        "balance": 1000,
        "rate_percent": 6,
        "last_payment_date": date(2025, 3, 1),
        "payoff_date": date(2025, 3, 20),
    }
    args.update(kwargs)
    with pytest.raises(InputError) as caught:
        payoff_quote(**args)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_extra_days_must_be_a_count() -> None:
    quote = payoff_quote(1000, 6, date(2025, 3, 1), date(2025, 3, 20))
    assert quote.payoff_after(0) == quote.payoff
    for bad in (-1, True, 1.5):
        with pytest.raises(InputError) as caught:
            quote.payoff_after(bad)  # type: ignore[arg-type]
        assert caught.value.field == "extra_days"


def test_actual_actual_charges_each_day_against_its_own_year() -> None:
    # 11 days of 2023 at 1/365 and 9 days of 2024 at 1/366 (ISDA actual/actual): $36,500 at
    # 10 % earns 10.00 a day in 2023 and 9.97 (9.9727 rounded) a day in 2024.
    quote = payoff_quote(36500, 10, date(2023, 12, 21), date(2024, 1, 10), day_count=DayCount.ACT_ACT)
    assert (quote.days, quote.accrued_interest, quote.per_diem) == (
        20,
        D("11") * 10 + 9 * D("9.97"),
        D("9.97"),
    )
    exact = payoff_quote(
        36500,
        10,
        date(2023, 12, 21),
        date(2024, 1, 10),
        day_count=DayCount.ACT_ACT,
        interest_convention="exact",
    )
    # 110 + 9 × 3650 / 366 = 199.754… → 199.75
    assert exact.accrued_interest == D("199.75")


@settings(max_examples=150)
@given(
    st.decimals(min_value=D("0"), max_value=D("5000000"), places=2),
    st.decimals(min_value=D("0"), max_value=D("36"), places=3),
    st.integers(0, 400),
    st.sampled_from([DayCount.ACT_360, DayCount.ACT_365F]),
)
def test_payoff_adds_up(balance: Decimal, rate: Decimal, days: int, count: DayCount) -> None:
    basis = count.year_days(date(2024, 1, 1))
    start = date(2024, 1, 10)
    quote = payoff_quote(balance, rate, start, start + timedelta(days=days), day_count=count, fees="10")
    per_day = Fraction(balance) * Fraction(rate) / (100 * basis)
    assert abs(Fraction(quote.per_diem) - per_day) <= Fraction(1, 200)
    # The letter's interest is the rounded per diem times the days: it drifts from the true
    # interest by at most half a cent a day; exact accrual stays within half a cent in all.
    assert quote.accrued_interest == quote.per_diem * days
    assert abs(Fraction(quote.accrued_interest) - per_day * days) <= Fraction(days, 200)
    exact = payoff_quote(
        balance, rate, start, start + timedelta(days=days), day_count=count, interest_convention="exact"
    )
    assert abs(Fraction(exact.accrued_interest) - per_day * days) <= Fraction(1, 200)
    assert quote.payoff == balance + quote.accrued_interest + D("10.00")
    later = payoff_quote(balance, rate, start, start + timedelta(days=days + 1), day_count=count)
    assert later.accrued_interest >= quote.accrued_interest
    assert quote.payoff_after(1) == quote.payoff + quote.per_diem


@settings(max_examples=100)
@given(
    st.integers(0, 100_000_000_000),
    st.integers(0, 36_000),
    st.integers(0, 109_000),
    st.sampled_from([DayCount.ACT_360, DayCount.ACT_365F]),
)
def test_a_half_cent_rounds_up_once(cents: int, rate_thousandths: int, days: int, count: DayCount) -> None:
    basis = count.year_days(date(2024, 1, 1))
    # The true interest as an exact fraction, rounded half up: what the quote must say.
    balance, rate = D(cents) / 100, D(rate_thousandths) / 1000
    start = date(1900, 1, 1)
    quote = payoff_quote(
        balance, rate, start, start + timedelta(days=days), day_count=count, interest_convention="exact"
    )
    true = Fraction(cents, 100) * Fraction(rate_thousandths, 1000) * days / (100 * basis)
    expected = (true * 200 + 1) // 2  # half up, in cents, for a non-negative amount
    assert Fraction(quote.accrued_interest) == Fraction(expected, 100)
