"""Tests for underwater.trade_in_tax: the cited, dated table of trade-in sales-tax credits.

Each published figure is written out beside the page it comes from (a state's statute,
regulation or revenue department), so a change to the data file or the arithmetic that drifts
from the source fails here.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from importlib import resources
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from underwater.errors import InputError
from underwater.state_rules import STATE_NAMES
from underwater.trade_in_tax import (
    CREDIT_KINDS,
    TradeInRule,
    taxable_price,
    trade_in_rule,
    trade_in_rules_as_of,
)

D = Decimal


def _raw() -> dict[str, Any]:
    text = resources.files("underwater.data").joinpath("trade_in_tax_credit.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


# --- published examples ---------------------------------------------------------------------


def test_massachusetts_dor_example_full_credit() -> None:
    # Massachusetts DOR Taxpayer Advocate, "Buying a vehicle out-of-state? A tip from DOR's
    # Taxpayer Advocate": a $30,000 car with a $10,000 trade-in owes $1,250 at 6.25 % when the
    # dealer is registered with DOR (tax on $20,000), $1,875 when not (on the full $30,000).
    # https://blog.mass.gov/revenue/current-affairs-2/buying-a-vehicle-out-of-state-a-tip-from-dors-taxpayer-advocate/
    # M.G.L. c. 64H s. 26.
    rule = trade_in_rule("MA")
    assert (rule.credit, rule.confidence, rule.dealer_only) == ("full", "V", True)
    result = taxable_price("30000", "10000", rule)
    assert (result.credit, result.taxable, result.basis) == (D("10000.00"), D("20000.00"), "rule")
    assert result.taxable * D("0.0625") == D("1250.00")
    # The dealer not registered with DOR: the user says the credit does not apply.
    unregistered = taxable_price("30000", "10000", rule, override=False)
    assert unregistered.taxable * D("0.0625") == D("1875.00")
    assert any("registered as a vendor" in caveat for caveat in result.caveats)


def test_virginia_dmv_example_no_credit() -> None:
    # Virginia DMV, "Sales and Use Tax": the 4.15 % motor vehicle sales and use tax is on the
    # gross sales price, not reduced for a trade-in; a $40,000 car with a $5,000 trade-in has a
    # gross sales price of $40,000.  https://dmv.virginia.gov/vehicles/taxes-fees/sut
    rule = trade_in_rule("Virginia")
    assert (rule.credit, rule.confidence) == ("none", "V")
    result = taxable_price("40000", "5000", rule)
    assert (result.credit, result.taxable, result.taxed) == (D("0.00"), D("40000.00"), True)
    assert "before any trade-in" in result.reason


@pytest.mark.parametrize(
    ("delivered", "cap", "credit"),
    [
        # Michigan Auto Dealers Association, "New Year Reminders and Updates": from 1 January
        # 2025 the trade-in credit is limited to $11,000.
        # https://www.michiganada.org/new-year-reminders-and-updates
        (date(2025, 3, 1), D("11000.00"), D("11000.00")),
        # MADA, "Partial trade-in sales tax credit increases, max $9,000" (1 January 2023).
        # https://www.michiganada.org/partial-trade-in-sales-tax-credit-increases-max-9000/
        (date(2023, 7, 4), D("9000.00"), D("9000.00")),
        # The cap rises $1,000 each 1 January (PA 1 and 2 of 2018, as MADA reports), so
        # 2026 is $12,000; from 2029 it would pass $14,000 and the full value counts (UHY's
        # summary of PA 160 of 2013): derived, V-d.
        (date(2026, 12, 1), D("12000.00"), D("12000.00")),
        (date(2029, 1, 1), None, D("20000.00")),
    ],
)
def test_michigan_capped_credit_by_delivery_date(
    delivered: date, cap: Decimal | None, credit: Decimal
) -> None:
    rule = trade_in_rule("MI", on=delivered)
    assert (rule.credit, rule.cap, rule.effective) == ("capped", cap, delivered)
    result = taxable_price("45000", "20000", rule)
    assert (result.credit, result.taxable) == (credit, D("45000.00") - credit)
    if cap is not None:
        assert f"up to ${cap:,}" in result.reason
    # A trade-in under the cap is credited in full.
    assert taxable_price("45000", "8000.50", rule).credit == D("8000.50")


def test_michigan_before_its_schedule_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        trade_in_rule("MI", on=date(2019, 5, 1))
    assert caught.value.field == "on"
    assert "before 2023-01-01" in str(caught.value)


def test_utah_rule_example() -> None:
    # Utah Admin. Code R865-19S-72: a car sold for $8,500 with $6,500 allowed for the used car
    # traded in is taxed on $2,000.  https://www.law.cornell.edu/regulations/utah/Utah-Admin-Code-R865-19S-72
    rule = trade_in_rule("UT")
    assert (rule.credit, rule.dealer_only) == ("full", False)
    assert taxable_price("8500", "6500", rule).taxable == D("2000.00")
    # A trade in a private sale counts in Utah (R865-19S-30(C)).
    assert taxable_price("8500", "6500", rule, seller_is_dealer=False).taxable == D("2000.00")


def test_idaho_rule_example_and_private_sales() -> None:
    # IDAPA 35.01.02.044: a $4,000 car with a $1,500 trade-in taken by the retailer: tax on
    # $2,500; no trade-in credit between private parties.
    # https://regulations.justia.com/states/idaho/35/35-01-02/section-35-01-02-044
    rule = trade_in_rule("ID")
    assert taxable_price("4000", "1500", rule).taxable == D("2500.00")
    private = taxable_price("4000", "1500", rule, seller_is_dealer=False)
    assert (private.credit, private.taxable) == (D("0.00"), D("4000.00"))
    assert "only when a dealer" in private.reason


@pytest.mark.parametrize(
    ("state", "is_new", "taxable"),
    [
        # Ohio Adm. Code 5703-9-36: a new vehicle at $27,000 less a $5,000 trade-in is taxed
        # on $22,000; a used vehicle at $27,000 with the same trade-in is taxed on $27,000.
        # Ohio Department of Taxation FAQ: a trade-in reduces the price only for a new vehicle.
        # https://tax.ohio.gov/wps/portal/gov/tax/help-center/faqs/vehicle-taxability-compliance-dealers/motor-vehicle-taxability-dealers
        ("OH", True, D("22000.00")),
        ("OH", False, D("27000.00")),
        # KRS 138.4603: the usage tax on a new vehicle (and the kinds the section lists) is on
        # the retail price less the trade-in allowance.
        # https://www.legalfix.com/statutes/state-codes/kentucky/chapter-138/section-138-4603
        ("KY", True, D("22000.00")),
        ("KY", False, D("27000.00")),
    ],
)
def test_new_vehicles_only(state: str, is_new: bool, taxable: Decimal) -> None:
    rule = trade_in_rule(state)
    assert rule.new_vehicles_only
    assert taxable_price("27000", "5000", rule, purchase_is_new=is_new).taxable == taxable


def test_new_vehicles_only_needs_to_know() -> None:
    with pytest.raises(InputError) as caught:
        taxable_price("27000", "5000", trade_in_rule("OH"))
    assert caught.value.field == "purchase_is_new"
    assert "new vehicle" in str(caught.value)


def test_oklahoma_and_california_tax_the_price_before_the_trade() -> None:
    # 68 O.S. 2104(B): the excise tax value is the actual sales price before any discount or
    # credit for a trade-in. Cal. Code Regs. tit. 18, 1654(b)(1): the trade-in allowance is
    # part of the measure of tax.
    for state in ("OK", "CA"):
        assert taxable_price("25000", "9000", trade_in_rule(state)).taxable == D("25000.00")


def test_north_carolina_highway_use_tax_counts_a_private_trade() -> None:
    # G.S. 105-187.3: retail value is the price less any allowance for a vehicle taken in trade;
    # for a seller who is not a retailer, the market value less the trade allowance.
    # https://www3.ncleg.gov/EnactedLegislation/Statutes/HTML/BySection/Chapter_105/GS_105-187.3.html
    rule = trade_in_rule("NC")
    assert rule.dealer_only is False
    assert taxable_price("18000", "6000", rule, seller_is_dealer=False).taxable == D("12000.00")


def test_no_vehicle_sales_tax_states() -> None:
    for state in ("AK", "MT", "NH"):
        rule = trade_in_rule(state)
        assert rule.credit == "no_tax"
        result = taxable_price("30000", "5000", rule, override=True)
        assert (result.taxed, result.credit, result.taxable) == (False, D("0.00"), D("0.00"))


def test_private_seller_where_the_table_does_not_say() -> None:
    # Texas's entry does not say whether a trade-in to a private seller counts: no guess.
    with pytest.raises(InputError) as caught:
        taxable_price("20000", "4000", trade_in_rule("TX"), seller_is_dealer=False)
    assert caught.value.field == "seller_is_dealer"
    assert "`override`" in caught.value.rule
    assert taxable_price(
        "20000", "4000", trade_in_rule("TX"), seller_is_dealer=False, override=True
    ).taxable == D("16000.00")


# --- the table ------------------------------------------------------------------------------


def test_every_state_and_dc_is_on_file_with_a_source() -> None:
    raw = _raw()
    rules = raw["rules"]
    assert isinstance(rules, dict)
    assert set(rules) == set(STATE_NAMES)
    assert len(rules) == 51
    labels = set(raw["confidence_labels"])
    for code in STATE_NAMES:
        rule = trade_in_rule(code)
        assert isinstance(rule, TradeInRule)
        assert rule.state == code and rule.name == STATE_NAMES[code]
        assert rule.credit in CREDIT_KINDS
        assert rule.sources and all(s.startswith(("http://", "https://")) for s in rule.sources)
        assert rule.citation and rule.summary and rule.tax
        assert rule.confidence in labels and rule.confidence != "R"
        if rule.confidence != "V":
            assert rule.confidence_note, f"{code} is {rule.confidence} without saying why"
        assert rule.as_of <= trade_in_rules_as_of()
        assert (rule.credit == "capped") == (code == "MI")


def test_a_territory_has_no_rule_on_file() -> None:
    with pytest.raises(InputError) as caught:
        trade_in_rule("PR")
    assert caught.value.field == "state"
    assert "no trade-in tax rule on file for PR" in str(caught.value)


def test_a_bad_state_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        trade_in_rule("Atlantis")
    assert caught.value.field == "state"


def test_south_carolina_caps_the_tax_at_500() -> None:
    # S.C. Code 56-3-627: the infrastructure maintenance fee is 5 % of the sales price, never more
    # than $500 (https://law.justia.com/codes/south-carolina/2021/title-56/chapter-3/section-56-3-627/).
    # A $30,000 truck with a $10,000 trade-in: 5 % of 20,000 is 1,000.00, capped to 500.00; a
    # $7,000 car with a $1,000 trade-in: 5 % of 6,000 = 300.00, under the cap.
    rule = trade_in_rule("SC")
    assert rule.tax_cap == D("500.00") and rule.to_json()["tax_cap"] == "500.00"
    taxed = taxable_price("30000", "10000", rule)
    assert taxed.taxable == D("20000.00") and rule.capped_tax(taxed.taxable * 5 / 100) == D("500.00")
    assert rule.capped_tax(taxable_price("7000", "1000", rule).taxable * 5 / 100) == D("300.00")
    assert trade_in_rule("MA").tax_cap is None


def test_rule_and_result_json() -> None:
    result = taxable_price("30000", "10000", trade_in_rule("MA"))
    data = result.to_json()
    assert (data["price"], data["credit"], data["taxable"]) == ("30000.00", "10000.00", "20000.00")
    assert data["rule"]["state"] == "MA" and data["rule"]["cap"] is None
    assert json.loads(json.dumps(data)) == data
    assert trade_in_rule("MI", on=date(2025, 1, 1)).to_json()["cap"] == "11000.00"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"price": "-1", "trade_in_value": "0"}, "price"),
        ({"price": "100", "trade_in_value": "1.005"}, "trade_in_value"),
        ({"price": "100", "trade_in_value": "1", "override": "yes"}, "override"),
        ({"price": "100", "trade_in_value": "1", "seller_is_dealer": None}, "seller_is_dealer"),
    ],
)
def test_bad_input_names_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as caught:
        taxable_price(rule=trade_in_rule("TX"), **kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field


# --- properties -----------------------------------------------------------------------------

cents = st.integers(min_value=0, max_value=10**9).map(lambda n: D(n).scaleb(-2))


@settings(max_examples=300, deadline=None)
@given(
    price=cents,
    trade=cents,
    state=st.sampled_from(sorted(STATE_NAMES)),
    override=st.sampled_from([None, True, False]),
    is_new=st.booleans(),
    on=st.dates(min_value=date(2023, 1, 1), max_value=date(2031, 12, 31)),
)
def test_the_credit_never_makes_the_taxable_price_negative_or_larger(
    price: Decimal, trade: Decimal, state: str, override: bool | None, is_new: bool, on: date
) -> None:
    result = taxable_price(
        price, trade, trade_in_rule(state, on=on), override=override, purchase_is_new=is_new
    )
    assert D("0.00") <= result.credit <= min(price, trade)
    assert D("0.00") <= result.taxable <= price
    if result.taxed:
        assert result.taxable + result.credit == price
    if override is False:
        assert result.taxable == (price if result.taxed else D("0.00"))
    if override is True and result.taxed:
        assert result.taxable == max(price - trade, D("0.00"))


@settings(max_examples=100, deadline=None)
@given(price=cents, trade=cents, on=st.dates(min_value=date(2023, 1, 1), max_value=date(2031, 12, 31)))
def test_a_cap_only_lowers_the_credit(price: Decimal, trade: Decimal, on: date) -> None:
    capped = taxable_price(price, trade, trade_in_rule("MI", on=on))
    full = taxable_price(price, trade, trade_in_rule("MI", on=on), override=True)
    assert capped.credit <= full.credit
    assert capped.taxable >= full.taxable
