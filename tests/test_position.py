"""underwater.position against every worked example in the seed articles, and its invariants."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from strategies import amounts, positive_amounts
from underwater.errors import InputError
from underwater.position import Status, position

D = Decimal

# Seed 002, "Negative Equity Calculator": Examples 1-10 (owed, value, negative equity, positive equity).
CALCULATOR_EXAMPLES = [
    pytest.param(["18000"], "15000", "3000", "0", id="ex1-car-loan"),
    pytest.param(["200000"], "175000", "25000", "0", id="ex2-mortgage-market-decline"),
    pytest.param(["10000"], "10000", "0", "0", id="ex3-zero-equity"),
    pytest.param(["150000"], "180000", "0", "30000", id="ex4-mortgage-positive-equity"),
    pytest.param(["30000"], "28000", "2000", "0", id="ex5-rolled-over-negative-equity"),
    pytest.param(["65000"], "58000", "7000", "0", id="ex6-rv-loan"),
    pytest.param(["45000"], "50000", "0", "5000", id="ex7-boat-loan"),
    pytest.param(["150000", "30000"], "170000", "10000", "0", id="ex8-first-mortgage-and-heloc"),
    pytest.param(["7500"], "6000", "1500", "0", id="ex9-quick-sale"),
    pytest.param(["36000"], "34000", "2000", "0", id="ex10-low-down-payment"),
    # Seed 001 (glossary): owes $19,000 on a car worth $15,500 -> $3,500 negative equity.
    pytest.param(["19000"], "15500", "3500", "0", id="glossary-car"),
    # Seed 000 (FreightWaves): owing $90,000 on a truck worth $65,000 on the open market.
    pytest.param(["90000"], "65000", "25000", "0", id="truck-90k-65k"),
]


@pytest.mark.parametrize(("owed", "value", "negative", "positive"), CALCULATOR_EXAMPLES)
def test_seed_worked_examples(owed: list[str], value: str, negative: str, positive: str) -> None:
    p = position(owed, value)
    assert p.negative_equity == D(negative)
    assert p.positive_equity == D(positive)
    assert p.equity == D(value) - sum(D(o) for o in owed)


def test_example_3_is_even_and_example_4_is_above_water() -> None:
    assert position("10000", "10000").status is Status.EVEN
    assert position("150000", "180000").status is Status.ABOVE_WATER
    assert position("18000", "15000").status is Status.UNDERWATER


def test_example_10_arithmetic_from_the_purchase() -> None:
    # Seed 002 example 10: bought for $40,000 with $1,000 down; $3,000 of principal repaid.
    initial_loan = D(40000) - D(1000)
    assert initial_loan == D(39000)
    p = position(initial_loan - D(3000), "34000")
    assert p.negative_equity == D(2000)


def test_truck_sale_gap_from_seed_000() -> None:
    # Loan balance $80,000, resale value $60,000, buyer's offer $58,000 -> a $22,000 gap to close.
    p = position("80000", "60000", offer="58000")
    assert p.negative_equity == D(20000)
    assert p.gap == D(22000)
    assert p.to_json()["gap"] == "22000.00"


def test_selling_costs_add_to_the_gap_and_cash_at_closing() -> None:
    assert position("80000", "60000", offer="58000", selling_costs="1500").gap == D(23500)
    above = position("10000", "15000", offer="14000", selling_costs="500")
    assert above.gap == 0
    assert above.cash_at_closing == D(3500)


def test_heloc_ltv_and_cltv() -> None:
    p = position(liens=[("first mortgage", "150000"), ("HELOC", "30000")], value="170000")
    data = p.to_json()
    assert data["negative_equity"] == "10000.00"
    assert data["cltv"] == "1.0588"
    assert data["ltv"] == "0.8824"
    assert [lien["name"] for lien in data["liens"]] == ["first mortgage", "HELOC"]


def test_zero_value_makes_ratios_undefined_not_an_error() -> None:
    p = position("5000", "0")
    assert p.ltv is None and p.cltv is None
    data = p.to_json()
    assert data["ltv"] is None and data["cltv"] is None
    assert "undefined" in data["notes"][0]
    assert p.negative_equity == D(5000)


def test_json_keys() -> None:
    data = position("18000", "15000").to_json()
    for key in (
        "total_owed",
        "value",
        "equity",
        "negative_equity",
        "positive_equity",
        "ltv",
        "cltv",
        "status",
    ):
        assert key in data
    assert "gap" not in data
    assert data["ltv"] == "1.2000"
    assert data["equity"] == "-3000.00"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"owed": "18000", "value": "-5"}, "value"),
        ({"owed": "abc", "value": "5"}, "owed"),
        ({"owed": "1.005", "value": "5"}, "owed"),
        ({"owed": "5"}, "value"),
        ({"value": "5"}, "owed"),
        ({"owed": "5", "value": "5", "offer": "-1"}, "offer"),
        ({"owed": "5", "value": "5", "value_source": "guess"}, "value_source"),
        ({"owed": 18000.0, "value": "5"}, "owed"),
    ],
)
def test_bad_input_names_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as caught:
        position(**kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field


@given(st.lists(amounts, min_size=1, max_size=5), amounts)
def test_equity_is_value_minus_owed(liens: list[Decimal], value: Decimal) -> None:
    p = position(liens, value)
    assert p.equity == value - sum(liens)
    assert p.equity == p.positive_equity - p.negative_equity


@given(st.lists(amounts, min_size=1, max_size=5), amounts)
def test_negative_and_positive_equity_never_both_nonzero(liens: list[Decimal], value: Decimal) -> None:
    p = position(liens, value)
    assert p.negative_equity == 0 or p.positive_equity == 0
    assert p.negative_equity >= 0 and p.positive_equity >= 0


@given(st.lists(amounts, min_size=1, max_size=6), positive_amounts, st.randoms())
def test_lien_order_does_not_change_cltv(liens: list[Decimal], value: Decimal, rng: object) -> None:
    shuffled = list(liens)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    assert position(liens, value).cltv == position(shuffled, value).cltv
    assert position(liens, value).to_json()["cltv"] == position(shuffled, value).to_json()["cltv"]


@given(amounts, positive_amounts, amounts, amounts)
def test_gap_is_what_closes_the_sale(owed: Decimal, value: Decimal, offer: Decimal, costs: Decimal) -> None:
    p = position(owed, value, offer=offer, selling_costs=costs)
    assert p.gap is not None and p.cash_at_closing is not None
    # The offer plus the cash brought covers the payoff and costs, with what is left going to the seller.
    assert offer + p.gap == owed + costs + p.cash_at_closing
