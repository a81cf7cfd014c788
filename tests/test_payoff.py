"""Tests for underwater.payoff: simple-interest payoff quotes with a per diem."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from underwater.errors import InputError
from underwater.payoff import payoff_quote

D = Decimal


def test_santander_per_diem_example() -> None:
    # Santander Consumer USA FAQ "What is simple interest and how is it computed?":
    # "($10,000 x 18%) / 365 = $4.93 daily interest"
    # https://santanderconsumerusa.com/support/faqs/what-is-simple-interest-and-how-is-it-computed
    quote = payoff_quote(10000, 18, date(2025, 3, 1), date(2025, 3, 31))
    assert quote.per_diem == D("4.93")
    # Credit Concepts, "Understanding your simple interest auto loan": the per diem times the days
    # elapsed between payments (https://creditconcepts.com/education/understanding-your-simple-interest-auto-loan/).
    assert quote.days == 30
    assert quote.accrued_interest == D("147.90")
    assert quote.payoff == D("10147.90")


def test_per_diem_on_a_360_day_year() -> None:
    # reviewforloans.com, "How is auto loan per diem calculated": 7 % divided by 360 times $10,000
    # is a per diem of $1.94.
    # https://www.reviewforloans.com/post/how-is-auto-loan-per-diem-calculated-1f5306fc/
    quote = payoff_quote(10000, 7, date(2025, 1, 1), date(2025, 1, 11), day_basis=360)
    assert quote.per_diem == D("1.94")
    assert quote.accrued_interest == D("19.40")


def test_ehow_day_count() -> None:
    # eHow, "How to figure auto per diem on a loan": $12,000 at 7 % on a 360-day year, last payment
    # November 1, payoff good until December 15: "44 days (29 days in November and 15 days in
    # December)". (The page's dollar figures use a daily rate cut to .0001944 and are not ours;
    # by our rule: 12,000 × 7 / 36,000 = 2.3333 → per diem 2.33; 2.33 × 44 = 102.52.)
    # http://www.ehow.com/how_5672095_figure-auto-per-diem-loan.html
    quote = payoff_quote(12000, 7, date(2024, 11, 1), date(2024, 12, 15), day_basis=360)
    assert quote.days == 44
    assert (quote.per_diem, quote.accrued_interest, quote.payoff) == (D("2.33"), D("102.52"), D("12102.52"))


def test_leap_day_counts_and_fees() -> None:
    quote = payoff_quote("18000.00", "6.9", date(2024, 2, 15), date(2024, 3, 15), fees="25.00")
    # 2024 is a leap year: 29 days. 18,000 × 6.9 / 36,500 = 3.4027 → 3.40; 3.40 × 29 = 98.60.
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
        "day_basis": 365,
        "last_payment_date": "2025-03-01",
        "payoff_date": "2025-03-11",
        "days": 10,
        "per_diem": "4.93",
        "accrued_interest": "49.30",
        "fees": "15.00",
        "payoff": "10064.30",
    }


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"payoff_date": date(2025, 2, 28)}, "payoff_date"),
        ({"day_basis": 366}, "day_basis"),
        ({"day_basis": True}, "day_basis"),
        ({"balance": "-1"}, "balance"),
        ({"rate_percent": "-0.5"}, "rate_percent"),
        ({"fees": "-3"}, "fees"),
        ({"last_payment_date": "2025-03-01"}, "last_payment_date"),
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


@settings(max_examples=150)
@given(
    st.decimals(min_value=D("0"), max_value=D("5000000"), places=2),
    st.decimals(min_value=D("0"), max_value=D("36"), places=3),
    st.integers(0, 400),
    st.sampled_from([360, 365]),
)
def test_payoff_adds_up(balance: Decimal, rate: Decimal, days: int, basis: int) -> None:
    start = date(2024, 1, 10)
    quote = payoff_quote(balance, rate, start, start + timedelta(days=days), day_basis=basis, fees="10")
    exact = balance * rate / (100 * basis)
    assert abs(quote.per_diem - exact) <= D("0.005")
    assert quote.accrued_interest == quote.per_diem * days
    assert quote.payoff == balance + quote.accrued_interest + D("10.00")
    later = payoff_quote(balance, rate, start, start + timedelta(days=days + 1), day_basis=basis)
    assert later.accrued_interest >= quote.accrued_interest
