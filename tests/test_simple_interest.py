"""Daily simple interest: lenders' published worked examples, and the properties a daily ledger
must keep (paying earlier never costs more; on 30/360 paid on the due dates it is the level
schedule; every month adds up)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from underwater.contracts import AmortizingLoan
from underwater.dates import DayCount
from underwater.errors import InputError
from underwater.exits import compare_exits
from underwater.simple_interest import (
    ORDERS,
    ROUNDINGS,
    Conventions,
    Habit,
    LateFee,
    Payment,
    SimpleInterestLoan,
    accrue,
    per_diem,
    post,
)
from underwater.situation import Asset, Borrower, Interest, Loan, Situation

D = Decimal


# --------------------------------------------------------------------------- published examples


def test_ford_credit_per_diem_to_three_decimals() -> None:
    # Ford Credit, "Simple Interest Financing" (ford.com/finance/articles/simple-interest-financing):
    # $10,000 at 12 %, "(10,000 X 0.12) / 365 = $3.287 per day"; with a $300 payment, "Days between
    # payments 15 30 45 / Accrued finance charges $49.31 $98.61 $147.92 / Amount applied to
    # principal $250.69 $201.39 $152.08". The per diem is cut to 3 decimals (3.28767 → 3.287),
    # then the days' interest is rounded half up to the cent (3.287 × 15 = 49.305 → 49.31).
    ford = Conventions(per_diem_places=3, per_diem_rounding="down")
    start = date(2025, 1, 1)
    assert per_diem(D(10000), D(12), start, ford) == D("3.287")
    for days, interest, principal in (
        (15, "49.31", "250.69"),
        (30, "98.61", "201.39"),
        (45, "147.92", "152.08"),
    ):
        (row,) = post(D(10000), D(12), start, [Payment(start + timedelta(days=days), D(300))], ford)
        assert (row.to_interest, row.to_principal) == (D(interest), D(principal))


def test_toyota_financial_two_payment_cycles() -> None:
    # Toyota Financial Services, "Finance Charges on Simple Interest Contracts" (as re-hosted):
    # $19,737.71 at 9 %, $415.17 a payment; per diem "$4.8668"; 28 days: "$136.27 ($4.8668 x
    # 28)", principal $278.90, new balance "$19,458.81"; then "$4.7981" for 31 days: "$148.74",
    # principal $266.43. The per diem is kept to 4 decimals.
    tfs = Conventions(per_diem_places=4)
    start = date(2025, 2, 1)
    rows = post(
        D("19737.71"),
        D(9),
        start,
        [Payment(start + timedelta(days=28), D("415.17")), Payment(start + timedelta(days=59), D("415.17"))],
        tfs,
    )
    assert [(r.to_interest, r.to_principal, r.principal) for r in rows] == [
        (D("136.27"), D("278.90"), D("19458.81")),
        (D("148.74"), D("266.43"), D("19192.38")),
    ]
    assert per_diem(D("19737.71"), D(9), start, tfs) == D("4.8668")
    assert per_diem(D("19458.81"), D(9), start, tfs) == D("4.7981")


def test_southeast_toyota_finance_exact_interest() -> None:
    # Southeast Toyota Finance, "Simple Interest Explanation" (setf.com/financial-tools/simple-
    # interest): $20,000 at 5 %, a $377 payment; 30 days: "$82.19" of interest, $294.81 of
    # principal; 25 days (paid early): "$68.49", $308.51. Those two rows are the interest worked
    # exactly (2.739726… × 30 = 82.19); the page's 35-day row uses the rounded $2.74 instead, so
    # it is not one convention with the other two and is left out.
    exact = Conventions(per_diem_places=None)
    start = date(2025, 3, 1)
    for days, interest, principal in ((30, "82.19", "294.81"), (25, "68.49", "308.51")):
        (row,) = post(D(20000), D(5), start, [Payment(start + timedelta(days=days), D(377))], exact)
        assert (row.to_interest, row.to_principal) == (D(interest), D(principal))


def test_printed_per_diems() -> None:
    # Santander Consumer USA FAQ: "($10,000 x 18%) / 365 = $4.93 daily interest"; SAFCO FAQ
    # (2024-05-31): "$12,000 x .22 ÷ 365 = $7.23 (your daily interest charge, also called per diem)".
    assert per_diem(D(10000), D(18), date(2025, 1, 1), Conventions()) == D("4.93")
    assert per_diem(D(12000), D(22), date(2025, 1, 1), Conventions()) == D("7.23")


def test_a_payment_short_of_the_interest_leaves_it_unpaid_and_never_compounds() -> None:
    # Tex. Fin. Code §353.016: a partial payment is applied first to the time-price differential,
    # and accrued unpaid differential is not added to the principal or compounded.
    start = date(2025, 1, 1)
    rows = post(
        D(10000),
        D(18),
        start,
        [Payment(date(2025, 1, 31), D(100)), Payment(date(2025, 3, 2), D(400))],
    )
    # 30 days × 4.93 = 147.90: 100 paid, 47.90 carried; the principal does not move.
    assert (rows[0].to_interest, rows[0].principal, rows[0].unpaid_interest) == (D(100), D(10000), D("47.90"))
    # Another 30 days on the same principal (not on 10,047.90): 147.90 more.
    assert rows[1].interest == D("147.90")
    assert (rows[1].to_interest, rows[1].to_principal) == (D("195.80"), D("204.20"))


def test_fees_come_first_by_default_and_the_order_can_change() -> None:
    start = date(2025, 1, 1)
    pay = [Payment(date(2025, 1, 11), D(60), charged=D(15))]
    (first,) = post(D(10000), D(18), start, pay)
    assert (first.to_fees, first.to_interest, first.to_principal) == (D(15), D("45.00"), D(0))
    (later,) = post(D(10000), D(18), start, pay, Conventions(order=("interest", "principal", "fees")))
    assert (later.to_fees, later.to_interest, later.to_principal, later.unpaid_fees) == (
        D(0),
        D("49.30"),
        D("10.70"),
        D(15),
    )


# --------------------------------------------------------------------------- the loan from today


def test_thirty_360_on_time_is_the_level_schedule() -> None:
    loan = SimpleInterestLoan(
        D(25000), D("7.5"), 60, date(2025, 1, 15), conventions=Conventions(DayCount.THIRTY_360, None)
    )
    level = AmortizingLoan(D(25000), D("7.5"), 60)
    assert loan.months(60) == level.months(60)


@settings(max_examples=60, deadline=None)
@given(
    st.decimals(D(100), D(200000), places=2),
    st.decimals(D(0), D(30), places=2),
    st.integers(1, 96),
    st.integers(1, 28),
)
def test_thirty_360_on_time_equals_amortization(
    principal: Decimal, rate: Decimal, term: int, day: int
) -> None:
    loan = SimpleInterestLoan(
        principal, rate, term, date(2026, 3, day), conventions=Conventions(DayCount.THIRTY_360, None)
    )
    assert loan.months(term) == AmortizingLoan(principal, rate, term).months(term)


CONVENTIONS = st.builds(
    Conventions,
    st.sampled_from(list(DayCount)),
    st.sampled_from([2, 3, 4, None]),
    st.sampled_from(ROUNDINGS),
    st.sampled_from(ROUNDINGS),
    st.sampled_from(ORDERS),
)


ACTUAL_DAYS = st.builds(
    Conventions,
    st.sampled_from([DayCount.ACT_365F, DayCount.ACT_ACT, DayCount.ACT_360]),
    st.sampled_from([2, 3, 4, None]),
    st.sampled_from(ROUNDINGS),
    st.sampled_from(ROUNDINGS),
    st.sampled_from(ORDERS),
)


# Under 30/360 a payment moved from the 30th to the 31st adds no day of interest while the next
# period loses one, so a later payment can cost a cent less: the property holds for actual days.
@settings(max_examples=80, deadline=None)
@given(
    st.decimals(D(500), D(150000), places=2),
    st.decimals(D("0.5"), D(30), places=2),
    st.integers(2, 84),
    st.integers(-20, 40),
    st.integers(0, 30),
    ACTUAL_DAYS,
    st.dates(date(2020, 1, 1), date(2030, 12, 31)),
)
def test_paying_earlier_never_costs_more_interest(
    principal: Decimal, rate: Decimal, term: int, late: int, more: int, c: Conventions, start: date
) -> None:
    sooner = SimpleInterestLoan(principal, rate, term, start, habit=Habit(days_late=late), conventions=c)
    later = SimpleInterestLoan(
        principal, rate, term, start, habit=Habit(days_late=late + more), conventions=c
    )
    assert sooner.total_interest <= later.total_interest
    twice = SimpleInterestLoan(
        principal, rate, term, start, habit=Habit(days_late=late, twice_monthly=True), conventions=c
    )
    # Half a payment 15 days early pays less interest, but each extra posting rounds its own
    # interest to the cent: at most a cent more per payment, never more than that.
    assert twice.total_interest <= sooner.total_interest + D("0.01") * term


@settings(max_examples=80, deadline=None)
@given(
    st.decimals(D(500), D(150000), places=2),
    st.decimals(D(0), D(30), places=2),
    st.integers(1, 84),
    st.integers(-20, 40),
    st.booleans(),
    st.decimals(D(0), D(300), places=2),
    st.one_of(st.none(), st.decimals(D(1), D(40), places=2)),
    CONVENTIONS,
)
def test_every_month_adds_up_and_the_loan_ends_at_zero(
    principal: Decimal,
    rate: Decimal,
    term: int,
    late: int,
    twice: bool,
    extra: Decimal,
    fee: Decimal | None,
    c: Conventions,
) -> None:
    loan = SimpleInterestLoan(
        principal,
        rate,
        term,
        date(2026, 1, 31),
        habit=Habit(late, twice, extra),
        conventions=c,
        late_fee=None if fee is None else LateFee(10, fee),
    )
    months = loan.months(term + 2)
    for before, m in itertools.pairwise(months):
        assert m.balance == before.balance + m.interest + m.fees - m.paid
        assert m.paid >= 0 and m.balance >= 0
    assert months[-1].balance == 0 and months[0].balance == principal
    assert sum(m.paid for m in months) == principal + loan.total_interest + loan.total_fees
    assert loan.payoff_date is not None and loan.payoff_date <= loan.due_dates[-1] + timedelta(
        days=max(late, 0)
    )
    if fee is not None and late > 10:
        assert loan.total_fees > 0


def test_payoff_on_a_day_adds_the_interest_since_the_last_payment() -> None:
    loan = SimpleInterestLoan(D(10000), D(18), 24, date(2025, 3, 1))
    assert loan.payoff_on(date(2025, 3, 11)) == D("10049.30")
    first = loan.postings[0]
    assert loan.payoff_on(first.on + timedelta(days=1)) == first.owed + D(
        first.principal * 18 / 36500
    ).quantize(D("0.01"))
    assert loan.payoff_on(date(2099, 1, 1)) == 0


def test_accrue_with_no_days_is_nothing() -> None:
    assert accrue(D(10000), D(18), date(2025, 3, 1), date(2025, 3, 1), Conventions()) == 0


# --------------------------------------------------------------------------- in a situation


def _situation(**interest: object) -> Situation:
    return Situation(
        Loan(owed=28000, rate_percent=9, remaining_payments=60),
        Asset(value=24000, asset_class="car"),
        interest=Interest(**interest),  # type: ignore[arg-type]
        borrower=Borrower(as_of=date(2026, 12, 7)),
    )


def test_paying_late_costs_more_in_every_way_out_that_keeps_the_loan() -> None:
    on_time = compare_exits(_situation(interest_method="daily"))
    late = compare_exits(_situation(interest_method="daily", days_late=12, late_fee=25))
    keep = {e.name: e for e in on_time.exits}["keep_paying"]
    keep_late = {e.name: e for e in late.exits}["keep_paying"]
    assert keep_late.figures and keep.figures and keep_late.books and keep.books
    assert keep_late.figures.total_paid_over_horizon > keep.figures.total_paid_over_horizon
    assert keep_late.books.debts["loan"].total("charged") > keep.books.debts["loan"].total("charged")


@pytest.mark.parametrize("name", ["day_count", "days_late", "late_fee", "next_due_date", "pay_twice_monthly"])
def test_daily_fields_need_a_daily_loan(name: str) -> None:
    value: object = {
        "day_count": "actual/360",
        "days_late": 3,
        "late_fee": 25,
        "next_due_date": date(2027, 1, 1),
        "pay_twice_monthly": True,
    }[name]
    with pytest.raises(Exception) as caught:
        Interest(**{name: value})  # type: ignore[arg-type]
    assert getattr(caught.value, "field", None) == name
    assert "interest_method" in str(caught.value)


def test_dates_are_held_to_the_librarys_range() -> None:
    # Issue 16's rule for every entry point that takes a date: InputError naming the argument.
    with pytest.raises(InputError) as caught:
        SimpleInterestLoan(D(1000), D(12), 12, date(9999, 12, 31))
    assert caught.value.field == "last_paid"
    with pytest.raises(InputError) as caught:
        SimpleInterestLoan(D(1000), D(12), 12, date(2026, 1, 1), first_due=date(2025, 12, 1))
    assert caught.value.field == "first_due"
