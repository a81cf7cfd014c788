"""Tests for underwater.precomputed: Rule of 78s and actuarial rebates on early payoff."""

from __future__ import annotations

from decimal import Decimal

import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from underwater.errors import InputError
from underwater.money import round_cents
from underwater.precomputed import precomputed_payoff

D = Decimal


def test_easycalculation_rule_of_78_example() -> None:
    # easycalculation.com, "Rule of 78 loan": a 12-month contract with a $100.00 finance charge,
    # prepaid with 9 months unearned: refund = 9·10 / (12·13) × 100 = $57.69.
    # https://www.easycalculation.com/finance/learn-rule-78-loan.php
    quote = precomputed_payoff(1000, 100, 12, 3)
    assert quote.payments_remaining == 9
    assert quote.rule_of_78_rebate == D("57.69")


def test_textbook_unearned_interest_both_methods() -> None:
    # Business-math textbook exercise quoted at mathhelpforum.com, "Unearned Interest Actuarial and
    # Rule of 78": amount financed $3,310, 18 payments of $201.85, 6 remaining after payoff.
    # Book answers: $39.70 by the Rule of 78 and $41.29 by the actuarial method. The book's
    # actuarial figure is u = k·R·h / (100 + h) with h = 3.53 read from an APR table at 12 %;
    # the exact h at 12 % is 3.529 (6 × 0.1725484 − 1, per $100), which gives 41.28, as we do.
    # http://mathhelpforum.com/business-math/81287-unearned-interest-actuarial-rule-78-a.html
    by_table_apr = precomputed_payoff(3310, "323.30", 18, 12, actuarial_rate_percent=12)
    assert by_table_apr.finance_charge == D("323.30")
    assert by_table_apr.rule_of_78_rebate == D("39.70")
    table_h = D("3.53")
    book = round_cents(6 * D("201.85") * table_h / (100 + table_h))
    assert book == D("41.29")
    assert abs(by_table_apr.actuarial_rebate - book) == D("0.01")
    assert by_table_apr.actuarial_rebate == D("41.28")
    # With the loan's own exact yield (11.9996 %) the payoff agrees with numpy-financial's rate/pv.
    exact = precomputed_payoff(3310, "323.30", 18, 12)
    monthly = npf.rate(18, -201.85, 3310, 0)
    assert exact.actuarial_payoff == round_cents(D(str(npf.pv(monthly, 6, -201.85))))
    assert exact.actuarial_rebate == D("41.28")
    assert exact.actuarial_rate_percent.quantize(D("0.01")) == D("12.00")
    assert exact.rule_of_78_penalty == exact.actuarial_rebate - exact.rule_of_78_rebate


def test_smartsolve_rule_of_78_example() -> None:
    # SmartSolve worked answer: $3,200 financed, 18 payments of $190.73, 6 remaining:
    # finance charge 233.14, unearned interest 233.14 × 21/171 = $28.63.
    # https://smartsolve.ai/question/the-loan-given-below-was-paid-off-early-find-the-unearned-interest-by-a-the-actuarial-method-and-b-the-rule-of-1dfa40b0a7
    quote = precomputed_payoff(3200, "233.14", 18, 12)
    assert quote.scheduled_payment == D("190.73")
    assert quote.rule_of_78_rebate == D("28.63")


def test_add_on_rate_finance_charge() -> None:
    # jiskha.com Business Math: an 18-month installment loan for $1,700 at 12 % add-on has a total
    # finance charge of $306; month 1 earns 306 × 18/171 = 32.21, so paying off after the first
    # payment leaves 306 − 32.21 = 273.79 unearned.
    # https://www.jiskha.com/display.cgi?id=1200349435
    quote = precomputed_payoff(1700, None, 18, 1, add_on_rate_percent=12)
    assert quote.finance_charge == D("306.00")
    assert quote.rule_of_78_rebate == D("273.79")


def test_federal_reserve_car_loan_paid_off_halfway() -> None:
    # Federal Reserve Board, "Keys to Vehicle Leasing", Constant Yield (Actuarial) buying example:
    # $18,800 financed, 48 months, APR 9.00 %, $467.84 a month, full-term interest $3,656.32.
    # https://www.federalreserve.gov/pubs/leasing/resource/different/early_exp5.htm
    quote = precomputed_payoff(18800, "3656.32", 48, 24)
    assert quote.scheduled_payment == D("467.84")
    assert quote.actuarial_rate_percent.quantize(D("0.01")) == D("9.00")
    assert quote.remaining_payments_total == D("467.84") * 24
    # By hand: 3,656.32 × 24·25 / (48·49) = 932.7347 → 932.73.
    assert quote.rule_of_78_rebate == D("932.73")
    # Actuarial payoff = present value of the 24 payments left at the loan's own yield
    # (numpy-financial rate and pv as an independent check).
    monthly = npf.rate(48, -467.84, 18800, 0)
    assert quote.actuarial_payoff == round_cents(D(str(npf.pv(monthly, 24, -467.84))))
    assert quote.rule_of_78_penalty == quote.rule_of_78_payoff - quote.actuarial_payoff > 0


def test_to_json_keys() -> None:
    data = precomputed_payoff(3310, "323.30", 18, 12).to_json()
    assert data == {
        "amount_financed": "3310.00",
        "finance_charge": "323.30",
        "n_payments": 18,
        "payments_made": 12,
        "payments_remaining": 6,
        "scheduled_payment": "201.85",
        "final_payment": "201.85",
        "remaining_payments_total": "1211.10",
        "actuarial_rate_percent": data["actuarial_rate_percent"],
        "rule_of_78_rebate": "39.70",
        "rule_of_78_payoff": "1171.40",
        "actuarial_rebate": "41.28",
        "actuarial_payoff": "1169.82",
        "rule_of_78_penalty": "1.58",
    }
    assert data["actuarial_rate_percent"].startswith("11.99")


def test_ends_of_the_term() -> None:
    fresh = precomputed_payoff(1000, 100, 12, 0)
    assert fresh.rule_of_78_rebate == D("100.00")
    assert fresh.actuarial_payoff == D("1000.00")
    done = precomputed_payoff(1000, 100, 12, 12)
    assert (done.rule_of_78_payoff, done.actuarial_payoff, done.rule_of_78_penalty) == (
        D("0.00"),
        D("0.00"),
        D("0.00"),
    )


@pytest.mark.parametrize(
    ("args", "kwargs", "field"),
    [
        ((0, 100, 12, 3), {}, "amount_financed"),
        ((1000, 100, 0, 0), {}, "n_payments"),
        ((1000, 100, 12, 13), {}, "payments_made"),
        ((1000, 100, 12, -1), {}, "payments_made"),
        ((1000, None, 12, 3), {}, "finance_charge"),
        ((1000, 100, 12, 3), {"add_on_rate_percent": 5}, "finance_charge"),
        ((1000, "-1", 12, 3), {}, "finance_charge"),
        ((1000, None, 12, 3), {"add_on_rate_percent": "-2"}, "add_on_rate_percent"),
        ((1000, 100, 12, 3), {"actuarial_rate_percent": "-2"}, "actuarial_rate_percent"),
    ],
)
def test_bad_input_names_the_field(args: tuple[object, ...], kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as caught:
        precomputed_payoff(*args, **kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field


@settings(max_examples=150)
@given(
    st.decimals(min_value=D("500"), max_value=D("200000"), places=2),
    st.decimals(min_value=D("0.5"), max_value=D("25"), places=2),
    st.integers(2, 84),
    st.data(),
)
def test_rule_of_78_never_beats_actuarial(
    amount: Decimal, add_on: Decimal, n: int, data: st.DataObject
) -> None:
    made = data.draw(st.integers(0, n))
    quote = precomputed_payoff(amount, None, n, made, add_on_rate_percent=add_on)
    assert quote.rule_of_78_payoff + quote.rule_of_78_rebate == quote.remaining_payments_total
    assert quote.actuarial_payoff + quote.actuarial_rebate == quote.remaining_payments_total
    assert 0 <= quote.rule_of_78_rebate <= quote.finance_charge
    # Front-loading the interest always favours the lender (a cent of rounding aside).
    assert quote.rule_of_78_penalty >= D("-0.01")
    if made < n:
        later = precomputed_payoff(amount, None, n, made + 1, add_on_rate_percent=add_on)
        assert later.actuarial_payoff < quote.actuarial_payoff
        # Under the Rule of 78s the next payment earns the lender finance charge × m / (n(n+1)/2)
        # (m = payments left before it), and only the rest of the payment lowers the payoff.
        paid = quote.final_payment if made == n - 1 else quote.scheduled_payment
        earned = quote.finance_charge * quote.payments_remaining * 2 / (n * (n + 1))
        drop = quote.rule_of_78_payoff - later.rule_of_78_payoff
        assert abs(drop - (paid - earned)) <= D("0.01")


def test_rule_of_78_can_raise_the_payoff_on_a_long_loan() -> None:
    # On a long, costly precomputed loan the Rule of 78s books more interest in month 1 than the
    # payment (571.90 × 84 / 3570 = 13.46 against a 12.76 payment), so the payoff after the first
    # payment exceeds the amount financed: one reason 15 U.S.C. § 1615 bars the Rule of 78s on
    # consumer credit of more than 61 months.
    # https://www.law.cornell.edu/uscode/text/15/1615
    fresh = precomputed_payoff(500, None, 84, 0, add_on_rate_percent="16.34")
    after_one = precomputed_payoff(500, None, 84, 1, add_on_rate_percent="16.34")
    assert fresh.finance_charge == D("571.90")  # 500 × 16.34 % × 7 years
    assert fresh.scheduled_payment == D("12.76")
    assert after_one.rule_of_78_payoff > fresh.rule_of_78_payoff == D("500.00")
    assert after_one.actuarial_payoff < D("500.00")
