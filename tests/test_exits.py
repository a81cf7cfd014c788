"""Exits side by side: the seeds' truck, hand-checked deals, same payoff everywhere, ranking, bad input."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from underwater.deficiency import default_expenses
from underwater.errors import InputError
from underwater.exits import CREDIT_LEVELS, EXIT_NAMES, RANK_CRITERIA, compare_exits

D = Decimal
AS_OF = date(2026, 12, 1)


def truck(**kwargs: object) -> object:
    # FreightWaves, "Upside Down and Under Pressure" (selling a truck you owe more on):
    # loan balance $80,000, resale value $60,000, buyer's offer $58,000.
    base: dict[str, object] = {
        "rate_percent": 9,
        "remaining_payments": 48,
        "offer": 58000,
        "asset_class": "class8_sleeper",
        "age_months": 24,
        "as_of": AS_OF,
    }
    base.update(kwargs)
    return compare_exits(80000, 60000, **base)  # type: ignore[arg-type]


def test_truck_pay_the_gap_is_22000() -> None:
    # "That leaves you with a $22,000 gap to cover" ... "you'd pay $22,000 to close the gap".
    exit_ = truck().exit("pay_the_gap")
    assert exit_.cash_needed_now == D("22000.00")
    assert exit_.debt_left_after == D("0.00")
    assert exit_.credit_consequence.level == "none"


def test_truck_trade_in_tacks_20000_onto_the_new_loan() -> None:
    # "if you owe $20,000 more than the truck's worth, they tack that $20,000 onto your new
    # financing": 80,000 owed − 60,000 allowed. At 0 % with no tax or fees the new loan is the
    # next truck's price + 20,000 and the rolled amount adds 20,000 / 60 = 333.33 a month.
    trade = truck(next_price=120000, new_rate_percent=0, new_term_months=60).exit("trade_in")
    assert trade.detail("negative_equity_rolled") == D("20000.00")
    assert trade.detail("new_loan_amount") == D("140000.00")
    assert trade.detail("extra_monthly_payment_from_rolled") == D("2333.33") - D("2000.00")
    assert trade.detail("extra_interest_from_rolled") == D("0.00")
    assert trade.new_loan_ltv == D("140000") / D("120000")
    assert trade.months_under_water is not None and trade.months_under_water > 0


def test_trade_in_with_tax_credit_fees_rebates_and_down_payment() -> None:
    # By hand: owe 25,000 on a car worth 20,000 (5,000 rolled); next car 30,000 with 6 % tax on
    # the price less the trade-in (10,000 → 600.00), 500 fees, 1,000 rebate, 2,000 down:
    # 30,000 + 600 + 500 − 1,000 − 2,000 + 5,000 = 33,100.00; LTV 33,100 / 30,000 = 1.1033.
    common = {
        "rate_percent": 7,
        "remaining_payments": 36,
        "next_price": 30000,
        "sales_tax_percent": 6,
        "dealer_fees": 500,
        "rebates": 1000,
        "next_down_payment": 2000,
        "new_rate_percent": 8,
        "new_term_months": 72,
        "as_of": AS_OF,
    }
    trade = compare_exits(25000, 20000, **common).exit("trade_in")  # type: ignore[arg-type]
    assert trade.detail("sales_tax") == D("600.00")
    assert trade.detail("new_loan_amount") == D("33100.00")
    assert trade.cash_needed_now == D("2000.00")
    assert trade.to_json()["new_loan_ltv"] == "1.1033"
    # Without the credit the whole price is taxed: 1,800.00, and the loan is 1,200 larger.
    no_credit = compare_exits(25000, 20000, trade_in_tax_credit=False, **common).exit("trade_in")  # type: ignore[arg-type]
    assert no_credit.detail("sales_tax") == D("1800.00")
    assert no_credit.detail("new_loan_amount") == D("34300.00")


def test_short_sale_settlement_and_plan_by_hand() -> None:
    c = truck(plan_months=24, plan_rate_percent=0, settlement_percent=40, marginal_tax_rate_percent=22)
    short = c.exit("short_sale")
    assert short.detail("forgiven_debt") == D("22000.00")
    assert short.detail("estimated_tax_on_forgiven") == D("4840.00")  # 22 % of 22,000
    assert any("1099-C" in caveat for caveat in short.caveats)
    settle = c.exit("settlement")
    assert settle.cash_needed_now == D("8800.00")  # 40 % of 22,000
    assert settle.detail("forgiven_debt") == D("13200.00")
    assert settle.total_paid_over_horizon == D("8800.00") + D("2904.00")  # + 22 % of 13,200
    assert settle.credit_consequence.level == "major"
    assert "settled for less than owed" in settle.credit_consequence.reason
    plan = c.exit("payment_plan")
    assert plan.detail("plan_payment") == D("916.67")  # 22,000 / 24 at 0 %
    assert plan.total_paid_over_horizon == D("22000.00")  # the plan ends inside 48 months


def test_short_sale_needs_an_offer() -> None:
    c = compare_exits(80000, 60000, rate_percent=9, remaining_payments=48, as_of=AS_OF)
    short = c.exit("short_sale")
    assert not short.available and "offer" in (short.why_not or "")
    assert short.cash_needed_now is None and short.rank is None
    assert c.exit("pay_the_gap").cash_needed_now == D("20000.00")  # sold at the value


def test_refinance_at_zero_rates_costs_exactly_the_fees() -> None:
    # Both loans at 0 % over the same 48 months: the only extra cost of refinancing is the
    # 500.00 of fees, financed into the loan.
    c = compare_exits(
        24000, 20000, rate_percent=0, remaining_payments=48, refi_rate_percent=0, refi_fees=500, as_of=AS_OF
    )
    refi = c.exit("refinance")
    assert refi.detail("new_loan_amount") == D("24500.00")
    assert refi.detail("interest_difference_vs_keeping") == D("500.00")
    assert refi.cash_needed_now == D("0.00")
    paid_now = compare_exits(
        24000,
        20000,
        rate_percent=0,
        remaining_payments=48,
        refi_rate_percent=0,
        refi_fees=500,
        refi_fees_financed=False,
        as_of=AS_OF,
    ).exit("refinance")
    assert paid_now.cash_needed_now == D("500.00")


def test_surrender_and_repossession_differ_by_the_retaking_fee() -> None:
    c = truck(state="TX")
    surrender, repo = c.exit("voluntary_surrender"), c.exit("repossession")
    fee = default_expenses("class8_sleeper").expenses.retaking
    assert repo.debt_left_after is not None and surrender.debt_left_after is not None
    assert repo.debt_left_after - surrender.debt_left_after == fee
    assert surrender.credit_consequence.level == "major"
    assert repo.credit_consequence.level == "severe"
    assert any("no rule on file for Texas" in caveat for caveat in repo.caveats)


def test_home_cannot_be_repossessed() -> None:
    c = compare_exits(
        300000, 280000, rate_percent="6.5", remaining_payments=300, asset_class="home", as_of=AS_OF
    )
    assert not c.exit("repossession").available
    assert not c.exit("voluntary_surrender").available


def test_total_loss_with_and_without_gap() -> None:
    # Insurer pays 60,000 actual cash value − 1,000 deductible = 59,000; 21,000 left on 80,000.
    c = truck(deductible=1000)
    without, with_gap = c.exit("total_loss_without_gap"), c.exit("total_loss_with_gap")
    assert without.cash_needed_now == D("21000.00")
    assert with_gap.cash_needed_now == D("0.00")
    assert with_gap.detail("gap_coverage_pays") == D("21000.00")
    assert without.kind == with_gap.kind == "scenario" and without.rank is None


def test_keep_to_crossover_by_hand() -> None:
    # The zero-rate projection of tests/test_projection.py: 12,000 at 0 % over 12, worth 10,000
    # losing 12 % a year, surfaces in month 3 owing 9,000.00 on 9,685.47. Three payments of
    # 1,000.00, then a sale hands back 685.47: 3,000 − 685.47 = 2,314.53 paid, net −2,314.53.
    c = compare_exits(
        12000, 10000, rate_percent=0, remaining_payments=12, depreciation_rate_percent=12, as_of=AS_OF
    )
    keep = c.exit("keep_to_crossover")
    assert keep.detail("sale_month") == 3
    assert keep.total_paid_over_horizon == D("2314.53")
    assert keep.net_position_at_horizon == D("-2314.53")
    assert keep.months_under_water == 3


def test_every_exit_listed_and_ranked_by_each_criterion() -> None:
    for criterion in RANK_CRITERIA:
        c = truck(
            rank_by=criterion,
            next_price=120000,
            new_rate_percent=9,
            new_term_months=60,
            plan_months=24,
            settlement_percent=50,
            refi_rate_percent=8,
        )
        assert sorted(e.name for e in c.exits) == sorted(EXIT_NAMES)
        ranked = [e for e in c.exits if e.rank is not None]
        assert [e.rank for e in ranked] == list(range(1, len(ranked) + 1))
        assert c.exits[: len(ranked)] == tuple(ranked)
        if criterion == "cash_now":
            keys = [e.cash_needed_now for e in ranked]
            assert keys == sorted(keys)  # type: ignore[type-var]
        elif criterion == "total_cost":
            keys = [e.total_paid_over_horizon for e in ranked]
            assert keys == sorted(keys)  # type: ignore[type-var]
        elif criterion == "net_position":
            keys = [e.net_position_at_horizon for e in ranked]
            assert keys == sorted(keys, reverse=True)  # type: ignore[type-var]
        else:
            levels = [CREDIT_LEVELS.index(e.credit_consequence.level) for e in ranked]
            assert levels == sorted(levels)


@settings(max_examples=40)
@given(
    payoff=st.decimals(D("1000"), D("200000"), places=2),
    value_share=st.decimals(D("0.3"), D("1.3"), places=2),
    offer_share=st.decimals(D("0.5"), D("1.1"), places=2),
    rate=st.decimals(D("0"), D("15"), places=2),
    remaining=st.integers(6, 84),
    asset_class=st.sampled_from(["car", "pickup", "class8_daycab", "rv", "boat", "home"]),
)
def test_every_exit_starts_from_the_same_payoff(
    payoff: Decimal,
    value_share: Decimal,
    offer_share: Decimal,
    rate: Decimal,
    remaining: int,
    asset_class: str,
) -> None:
    value = round(payoff * value_share, 2)
    c = compare_exits(
        payoff,
        value,
        rate_percent=rate,
        remaining_payments=remaining,
        asset_class=asset_class,
        offer=round(value * offer_share, 2),
        next_price=round(value * 2, 2) + 1,
        new_rate_percent=rate,
        new_term_months=60,
        plan_months=12,
        settlement_percent=50,
        refi_rate_percent=rate,
        as_of=AS_OF,
    )
    assert {e.starting_payoff for e in c.exits} == {c.payoff} == {payoff}
    gap = c.exit("pay_the_gap")
    assert gap.cash_needed_now == max(payoff - c.sale_price, D(0))
    for item in c.exits:
        if item.available:
            assert item.net_position_at_horizon is not None and item.cash_needed_now is not None
            assert item.cash_needed_now >= 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"offer": "-1"}, "offer"),
        ({"settlement_percent": 101}, "settlement_percent"),
        ({"settlement_percent": 0}, "settlement_percent"),
        ({"sales_tax_percent": 150}, "sales_tax_percent"),
        ({"marginal_tax_rate_percent": 120}, "marginal_tax_rate_percent"),
        ({"state": "XX"}, "state"),
        ({"asset_class": "tractor"}, "asset_class"),
        ({"next_asset_class": "tractor"}, "next_asset_class"),
        ({"rank_by": "vibes"}, "rank_by"),
        ({"horizon_months": 0}, "horizon_months"),
        ({"age_months": 700}, "age_months"),
        ({"new_term_months": 0}, "new_term_months"),
        ({"deductible": "1.005"}, "deductible"),
    ],
)
def test_bad_exit_input_names_the_field(kwargs: dict, field: str) -> None:
    base = {"rate_percent": 9, "remaining_payments": 48, "as_of": AS_OF}
    base.update(kwargs)
    with pytest.raises(InputError) as caught:
        compare_exits(80000, 60000, **base)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_payoff_must_be_positive() -> None:
    with pytest.raises(InputError) as caught:
        compare_exits(0, 60000, rate_percent=9, remaining_payments=48)
    assert caught.value.field == "payoff"
