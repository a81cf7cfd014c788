"""A deferral (skip-a-pay, extension, re-age): nothing paid for the months skipped, interest still
accruing and paid first when payments resume, the term extended by as many; as a contract and
as a way out the lender may agree to."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from underwater.contracts import AmortizingLoan
from underwater.exits import compare_exits
from underwater.simple_interest import SimpleInterestLoan
from underwater.situation import Asset, Borrower, Interest, Loan, Situation, Stage, Workout

D = Decimal


def test_the_first_payment_after_goes_to_the_interest_first() -> None:
    # Copper State CU, "Skip-A-Payment": "interest and other charges will continue to accrue …
    # Your next monthly payment will be applied to finance charges, including the finance charge
    # for the payment you skip"; the schedule is "extended beyond your original final payment
    # date by one or more months". $12,000 at 12 %: 120.00 accrues in the skipped month; the
    # next payment pays it and that month's 120.00 before any principal.
    loan = AmortizingLoan(D(12000), D(12), 24)
    skipped = loan.deferred(1)
    months = skipped.months(skipped.term_months)
    assert (months[1].paid, months[1].interest, months[1].balance) == (D(0), D("120.00"), D("12120.00"))
    assert months[2].paid == loan.regular_payment
    assert months[2].balance == D(12000) - (loan.regular_payment - D(240))
    assert skipped.term_months == 25 and months[-1].balance == 0 and months[-1].month == 25


@settings(max_examples=60, deadline=None)
@given(
    st.decimals(D(1000), D(150000), places=2),
    st.decimals(D(0), D(25), places=2),
    st.integers(6, 84),
    st.integers(1, 6),
)
def test_a_deferral_adds_up_and_costs_more_the_longer_it_is(
    principal: Decimal, rate: Decimal, term: int, months: int
) -> None:
    loan = AmortizingLoan(principal, rate, term)
    plain = loan.deferred(months)
    capitalized = loan.deferred(months, capitalize=True)
    for contract in (plain, capitalized):
        rows = contract.months(contract.term_months)
        for before, m in itertools.pairwise(rows):
            assert m.balance == before.balance + m.interest - m.paid
        assert rows[-1].balance == 0 and all(m.paid == 0 for m in rows[1 : months + 1])
    interest = sum(m.interest for m in plain.months(plain.term_months))
    assert interest >= loan.total_interest
    # Interest added to the balance earns interest too: never cheaper.
    assert sum(m.interest for m in capitalized.months(capitalized.term_months)) >= interest
    longer = loan.deferred(months + 1)
    assert sum(m.interest for m in longer.months(longer.term_months)) >= interest


def test_a_daily_loans_deferral_moves_every_due_date_on() -> None:
    loan = SimpleInterestLoan(D(12000), D(12), 24, date(2026, 1, 1))
    skipped = loan.deferred(2)
    assert skipped.due_dates[0] == date(2026, 4, 1) and skipped.due_dates[-1] == date(2028, 3, 1)
    first = skipped.postings[0]
    # 90 days of interest on the principal, paid before any principal; none added to it.
    assert first.interest == 90 * D("3.95") and first.to_interest == first.interest
    assert skipped.total_interest > loan.total_interest


def _situation(**workout: object) -> Situation:
    return Situation(
        Loan(owed=28000, rate_percent=9, remaining_payments=60),
        Asset(value=24000, asset_class="car"),
        stage=Stage(months_behind=2),
        workout=Workout(**workout),  # type: ignore[arg-type]
        borrower=Borrower(as_of=date(2026, 12, 7)),
    )


def test_a_deferral_is_a_way_out_the_lender_agrees_to() -> None:
    c = compare_exits(_situation())
    e = c.exit("deferral")
    assert e.books is not None
    e.books.check()
    # Two payments behind: the default defers both (a re-age) and charges the $30 fee today.
    assert e.detail("deferral_months") == 2 and e.cash_needed_now == D(30)
    assert "deferral_fee" in e.assumes and e.consent.needed
    keep = c.exit("keep_paying")
    assert e.detail("extra_interest") > 0 and keep.cash_needed_now > e.cash_needed_now
    given = compare_exits(_situation(deferral_months=3, deferral_fee=0)).exit("deferral")
    assert given.detail("deferral_months") == 3 and given.cash_needed_now == 0 and not given.assumes


def test_a_daily_loan_is_deferred_the_daily_way() -> None:
    s = Situation(
        Loan(owed=28000, rate_percent=9, remaining_payments=60),
        Asset(value=24000, asset_class="car"),
        interest=Interest(interest_method="daily"),
        workout=Workout(deferral_capitalized=True),
        borrower=Borrower(as_of=date(2026, 12, 7)),
    )
    e = compare_exits(s).exit("deferral")
    assert e.detail("capitalized") is False
    assert any("never adds interest" in c for c in e.caveats)
