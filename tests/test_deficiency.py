"""Tests for underwater.deficiency: the UCC 9-615 / 9-616 deficiency worksheet and state rules.

Expected amounts are hand calculations written beside each test. The layout follows UCC 9-616
(Vermont 9A §9-616, https://legislature.vermont.gov/statutes/section/09a/009/00616 ; NY UCC
9-616, https://www.nysenate.gov/legislation/laws/UCC/9-616): line 3 = line 1 − line 2 and
line 6 = line 3 + line 4 − line 5. The order of application is UCC 9-615(a) (Va. Code
8.9A-615, http://www.laws9.com/statutes/virginia/title-8-9a/part-6/8-9a-615). State thresholds
come from the research notes (domain-data.md §2.1) with the statute named beside each.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from underwater.deficiency import (
    DISCLAIMER,
    Expenses,
    default_auction_share_percent,
    default_expenses,
    deficiency_worksheet,
    estimate_deficiency,
)
from underwater.errors import InputError
from underwater.state_rules import STATES

D = Decimal
AS_OF = date(2025, 3, 1)

# The brief's light-vehicle default costs: 450 + 30 × 30 + 150 + 300 + 250 + 50 = 2,100.00
STANDARD = Expenses(
    retaking=D("450"),
    storage_days=30,
    storage_per_day=D("30"),
    transport=D("150"),
    reconditioning=D("300"),
    sale_fees=D("250"),
    title_admin=D("50"),
)


def amounts(sheet_json: dict[str, Any], key: str) -> dict[str, str]:
    lines = sheet_json[key]
    assert isinstance(lines, list)
    return {line["type"]: line["amount"] for line in lines}


# --- the worksheet, by hand -------------------------------------------------------------------


def test_worksheet_added_up_by_hand() -> None:
    # line 1: 12,000.00 owed on 2025-03-01
    # line 2: 7,500.00 from the auction
    # line 3: 12,000.00 − 7,500.00 = 4,500.00
    # line 4: 450 + 900 + 150 + 300 + 250 + 50 = 2,100.00
    # line 5: 300.00 service-contract refund
    # line 6: 4,500.00 + 2,100.00 − 300.00 = 6,300.00 deficiency
    sheet = deficiency_worksheet(
        D("12000.00"), AS_OF, D("7500.00"), STANDARD, {"service contract refund": D("300.00")}
    )
    assert sheet.obligations_secured == D("12000.00")
    assert sheet.proceeds == D("7500.00")
    assert sheet.obligations_after_proceeds == D("4500.00")
    assert sheet.expenses_total == D("2100.00")
    assert sheet.credits_total == D("300.00")
    assert sheet.surplus_or_deficiency == D("6300.00")
    assert sheet.deficiency == D("6300.00")
    assert sheet.surplus == D("0.00")

    payload = sheet.to_json()
    assert payload["as_of"] == "2025-03-01"
    assert payload["obligations_secured"] == "12000.00"
    assert payload["proceeds"] == "7500.00"
    assert payload["obligations_after_proceeds"] == "4500.00"
    assert amounts(payload, "expenses") == {
        "retaking": "450.00",
        "storage": "900.00",
        "transport": "150.00",
        "reconditioning": "300.00",
        "sale_fees": "250.00",
        "title_admin": "50.00",
        "attorney_fees": "0.00",
        "other": "0.00",
    }
    assert payload["expenses_total"] == "2100.00"
    assert payload["credits"] == [{"type": "service contract refund", "amount": "300.00"}]
    assert payload["credits_total"] == "300.00"
    assert payload["surplus_or_deficiency"] == "6300.00"
    assert payload["deficiency"] == "6300.00"
    assert payload["surplus"] == "0.00"


def test_the_explanation_runs_in_the_9_616_order() -> None:
    sheet = deficiency_worksheet("12000", AS_OF, "7500", STANDARD, [("GAP refund", "300")])
    rows = sheet.explanation()
    numbers = [row[0] for row in rows]
    assert numbers == sorted(numbers)  # 1, 2, 3, 4…, 5…, 6
    assert rows[0] == ("1", "Obligations secured as of 2025-03-01", D("12000.00"))
    assert rows[-1][0] == "6" and rows[-1][2] == D("6300.00")


def test_seed_003_sale_price_subtracted_then_costs_added() -> None:
    # Seed 003 (SoFi, "What Is a Deficiency Balance on an Auto Loan?", 2025-10-20): the lender
    # subtracts the sale price from the loan balance, then adds the costs of repossessing,
    # storing and selling the vehicle; the result is the deficiency.
    # Balance 15,000.00 − sale price 9,000.00 = 6,000.00;
    # + repossessing 400.00 + storing 20 days × 25.00 = 500.00 + selling 300.00 = 7,200.00.
    costs = Expenses(retaking=D("400"), storage_days=20, storage_per_day=D("25"), sale_fees=D("300"))
    sheet = deficiency_worksheet("15000", AS_OF, "9000", costs)
    assert sheet.obligations_after_proceeds == D("6000.00")
    assert sheet.expenses_total == D("1200.00")
    assert sheet.deficiency == D("7200.00")


def test_surplus_is_owed_to_the_borrower() -> None:
    # 5,000.00 owed, the car sold for 8,000.00, 1,000.00 of costs:
    # 9-616: 5,000 − 8,000 = −3,000; + 1,000 = −2,000 → surplus 2,000.00.
    # 9-615(a): 1,000 to expenses, 5,000 to the obligation, 2,000 left over.
    costs = Expenses(retaking=D("600"), sale_fees=D("400"))
    sheet = deficiency_worksheet("5000", AS_OF, "8000", costs)
    assert sheet.obligations_after_proceeds == D("-3000.00")
    assert sheet.surplus_or_deficiency == D("-2000.00")
    assert sheet.surplus == D("2000.00")
    assert sheet.deficiency == D("0.00")
    flow = sheet.waterfall
    assert flow.applied_to_expenses == D("1000.00")
    assert flow.applied_to_obligation == D("5000.00")
    assert flow.left_over == D("2000.00")
    payload = sheet.to_json()
    assert payload["surplus_or_deficiency"] == "-2000.00"
    assert payload["surplus"] == "2000.00"
    assert payload["deficiency"] == "0.00"
    assert any("surplus belongs to the borrower" in note for note in sheet.notes)


def test_waterfall_when_proceeds_do_not_cover_expenses() -> None:
    # 800.00 of proceeds against 2,100.00 of expenses: all 800 go to expenses, 1,300 stay unpaid,
    # nothing reaches the 12,000 − 300 = 11,700 obligation. 1,300 + 11,700 = 13,000.00 deficiency.
    sheet = deficiency_worksheet("12000", AS_OF, "800", STANDARD, {"GAP refund": "300"})
    flow = sheet.waterfall
    assert flow.applied_to_expenses == D("800.00")
    assert flow.expenses_unpaid == D("1300.00")
    assert flow.applied_to_obligation == D("0.00")
    assert flow.obligation_unpaid == D("11700.00")
    assert flow.surplus_or_deficiency == sheet.surplus_or_deficiency == D("13000.00")


def test_expenses_lines_and_total() -> None:
    lines = STANDARD.lines()
    assert [line.type for line in lines] == [
        "retaking",
        "storage",
        "transport",
        "reconditioning",
        "sale_fees",
        "title_admin",
        "attorney_fees",
        "other",
    ]
    storage = lines[1]
    assert storage.amount == D("900.00")
    assert storage.category == "holding"
    assert storage.detail == "30 days × 30.00 per day"
    assert STANDARD.total == D("2100.00")
    assert Expenses().total == D("0.00")


def test_expenses_accept_what_people_type() -> None:
    costs = Expenses(retaking="$450", storage_days="30", storage_per_day="30.00", attorney_fees=500)  # type: ignore[arg-type]
    assert costs.retaking == D("450.00")
    assert costs.storage_days == 30
    assert costs.total == D("1850.00")


def test_result_json_keys_and_disclaimer() -> None:
    payload = deficiency_worksheet("12000", AS_OF, "7500", STANDARD, state="CO").to_json()
    assert set(payload) == {
        "as_of",
        "obligations_secured",
        "proceeds",
        "proceeds_basis",
        "obligations_after_proceeds",
        "expenses",
        "expenses_total",
        "credits",
        "credits_total",
        "surplus_or_deficiency",
        "deficiency",
        "surplus",
        "deficiency_barred",
        "consumer",
        "state",
        "state_rule",
        "limitation_period",
        "waterfall_9_615a",
        "estimate",
        "notes",
        "disclaimer",
    }
    assert payload["disclaimer"] == DISCLAIMER
    assert str(payload["disclaimer"]).startswith("Not legal advice")
    assert payload["proceeds_basis"] == "disposition"
    assert payload["estimate"] is None
    assert set(payload["state_rule"]) >= {"rule", "citation", "confidence", "as_of", "effect"}


def test_no_state_means_no_state_rule_and_no_period() -> None:
    payload = deficiency_worksheet("12000", AS_OF, "7500", STANDARD).to_json()
    assert payload["state"] is None
    assert payload["state_rule"] is None
    assert payload["limitation_period"] is None


# --- state bars: at, just below and just above each threshold ---------------------------------

# (state, measure parameter, threshold, inclusive) — domain-data.md §2.1
BARS = [
    ("CO", "cash_price", "3000.00", True),  # C.R.S. 5-5-103
    ("WI", "unpaid_balance_at_default", "1000.00", True),  # Wis. Stat. 425.209(2)
    ("KS", "cash_price", "1000.00", True),  # K.S.A. 16a-5-103
    ("IN", "cash_price", "4000.00", True),  # IC 24-4.5-5-103
    ("ME", "amount_financed", "2800.00", True),  # 9-A M.R.S. 5-103
    ("MA", "unpaid_balance_at_default", "2000.00", True),  # M.G.L. c.255B s.20B(d)
    ("CT", "cash_price", "2000.00", True),  # Conn. Gen. Stat. 36a-785
    ("AL", "cash_price", "1000.00", True),  # Ala. Code 5-19-13
    ("AZ", "cash_price", "1000.00", True),  # A.R.S. 44-5501
    ("DC", "cash_price", "2000.00", True),  # D.C. Code 28-3812(e)
    ("FL", "unpaid_balance_at_default", "2000.00", False),  # Fla. Stat. 516.31: less than $2,000
    ("MD", "cash_price", "2000.00", True),  # Nolo chart (partial)
]
CENT = D("0.01")


def _small_loan(state: str, measure: str, amount: Decimal) -> dict[str, Any]:
    # A small loan that still leaves a deficiency: 1,500.00 owed, sold for 600.00, 450.00 of costs
    # → 1,500 − 600 + 450 = 1,350.00 before any state rule.
    measure_kwargs: dict[str, Any] = {measure: amount}
    sheet = deficiency_worksheet(
        "1500", AS_OF, "600", Expenses(retaking=D("450")), state=state, **measure_kwargs
    )
    assert sheet.surplus_or_deficiency == D("1350.00")
    return sheet.to_json()


@pytest.mark.parametrize(("state", "measure", "threshold", "inclusive"), BARS)
def test_bar_at_the_threshold(state: str, measure: str, threshold: str, inclusive: bool) -> None:
    payload = _small_loan(state, measure, D(threshold))
    assert payload["deficiency_barred"] is inclusive
    assert payload["deficiency"] == ("0.00" if inclusive else "1350.00")
    assert payload["state_rule"]["outcome"] == ("barred" if inclusive else "not_barred")


@pytest.mark.parametrize(("state", "measure", "threshold", "inclusive"), BARS)
def test_bar_just_below_the_threshold(state: str, measure: str, threshold: str, inclusive: bool) -> None:
    payload = _small_loan(state, measure, D(threshold) - CENT)
    assert payload["deficiency_barred"] is True
    assert payload["deficiency"] == "0.00"
    assert payload["surplus"] == "0.00"
    assert payload["surplus_or_deficiency"] == "1350.00"  # line 6 still shows the arithmetic
    rule = payload["state_rule"]
    assert isinstance(rule, dict)
    assert rule["outcome"] == "barred"
    assert rule["effect"].startswith("deficiency barred by ")
    assert any("barred" in note for note in payload["notes"])


@pytest.mark.parametrize(("state", "measure", "threshold", "inclusive"), BARS)
def test_bar_just_above_the_threshold(state: str, measure: str, threshold: str, inclusive: bool) -> None:
    payload = _small_loan(state, measure, D(threshold) + CENT)
    assert payload["deficiency_barred"] is False
    assert payload["deficiency"] == "1350.00"
    assert payload["state_rule"]["outcome"] == "not_barred"


def test_a_bar_does_not_touch_a_surplus() -> None:
    # Colorado, cash price 2,500 ≤ 3,000; but the sale covered everything: 2,000 − 2,600 = −600.
    sheet = deficiency_worksheet("2000", AS_OF, "2600", Expenses(), state="CO", cash_price="2500")
    assert sheet.surplus == D("600.00")
    assert sheet.deficiency == D("0.00")
    assert sheet.deficiency_barred is False


@pytest.mark.parametrize(("state", "measure", "threshold", "inclusive"), BARS)
def test_missing_measure_is_flagged_not_guessed(
    state: str, measure: str, threshold: str, inclusive: bool
) -> None:
    sheet = deficiency_worksheet("1500", AS_OF, "600", Expenses(retaking=D("450")), state=state)
    assert sheet.deficiency == D("1350.00")  # computed without the bar
    assert sheet.deficiency_barred is False
    assert sheet.state_rule is not None
    assert sheet.state_rule.outcome == "undecided"
    sign = "≤" if inclusive else "<"
    assert f"{sign} {threshold}" in sheet.state_rule.effect
    assert f"give `{measure}` to decide" in sheet.state_rule.effect
    assert any(f"may be barred by {sheet.state_rule.rule.citation}" in note for note in sheet.notes)


def test_colorado_flag_wording() -> None:
    sheet = deficiency_worksheet("12000", AS_OF, "7500", STANDARD, state="co")
    assert sheet.state == "CO"
    assert sheet.state_rule is not None
    assert sheet.state_rule.effect.startswith("may be barred by C.R.S. 5-5-103 if cash price ≤ 3000.00")


def test_measures_for_other_states_are_ignored() -> None:
    # Maine measures the amount financed; a cash price does not decide it.
    sheet = deficiency_worksheet("1500", AS_OF, "600", Expenses(), state="ME", cash_price="100")
    assert sheet.state_rule is not None
    assert sheet.state_rule.outcome == "undecided"


# --- Massachusetts: fair market value, repossession and storage only ---------------------------


def test_massachusetts_credits_fair_market_value_and_limits_expenses() -> None:
    # M.G.L. c.255B s.20B(e); Williams v. American Honda Finance, 479 Mass. 656 (2018).
    # Unpaid balance 10,000.00; auction 5,000.00; fair market value 7,000.00.
    # Chargeable: repossession 450.00 + storage 10 × 30.00 = 300.00 → 750.00;
    # reconditioning 500.00 and auction fee 250.00 may not be added.
    # 10,000 − 7,000 + 750 = 3,750.00.
    costs = Expenses(
        retaking=D("450"),
        storage_days=10,
        storage_per_day=D("30"),
        reconditioning=D("500"),
        sale_fees=D("250"),
    )
    sheet = deficiency_worksheet(
        "10000", AS_OF, "5000", costs, state="MA", unpaid_balance_at_default="10000", fair_market_value="7000"
    )
    assert sheet.proceeds == D("7000.00")
    assert sheet.proceeds_basis == "fair_market_value"
    assert sheet.expenses_total == D("750.00")
    assert sheet.deficiency == D("3750.00")
    payload = sheet.to_json()
    assert amounts(payload, "expenses")["reconditioning"] == "0.00"
    assert any("750.00 of other expenses is left out" in n for n in sheet.notes)
    assert any("fair market value 7000.00" in n and "5000.00" in n for n in sheet.notes)

    # The same facts in Texas (no rule on file): 10,000 − 5,000 + 1,500 = 6,500.00.
    texas = deficiency_worksheet("10000", AS_OF, "5000", costs, state="TX", fair_market_value="7000")
    assert texas.deficiency == D("6500.00")


def test_massachusetts_without_fair_market_value_is_flagged() -> None:
    # Sale price used, but only repossession and storage added: 12,000 − 7,500 + 450 + 900 = 5,850.00.
    sheet = deficiency_worksheet(
        "12000", AS_OF, "7500", STANDARD, state="MA", unpaid_balance_at_default="11000"
    )
    assert sheet.proceeds_basis == "disposition"
    assert sheet.deficiency == D("5850.00")
    assert any("give `fair_market_value`" in note for note in sheet.notes)
    assert sheet.state_rule is not None
    assert "may overstate" in sheet.state_rule.effect


def test_massachusetts_small_balance_bar_wins_over_fair_market_value() -> None:
    sheet = deficiency_worksheet(
        "1900", AS_OF, "500", Expenses(retaking=D("450")), state="MA",
        unpaid_balance_at_default="1900", fair_market_value="600",
    )  # fmt: skip
    assert sheet.surplus_or_deficiency == D("1750.00")  # 1,900 − 600 + 450
    assert sheet.deficiency == D("0.00")
    assert sheet.deficiency_barred


# --- other states ----------------------------------------------------------------------------


def test_no_rule_on_file() -> None:
    sheet = deficiency_worksheet("12000", AS_OF, "7500", STANDARD, state="TX")
    payload = sheet.to_json()
    assert payload["state"] == "TX"
    assert payload["state_rule"] == "no rule on file"
    assert any(note.startswith("no rule on file for TX") for note in sheet.notes)
    assert payload["deficiency"] == "6600.00"  # 12,000 − 7,500 + 2,100: UCC rules only
    assert payload["limitation_period"]["years_written_contract"] == 4


def test_new_york_note_on_unearned_finance_charge() -> None:
    sheet = deficiency_worksheet("12000", AS_OF, "7500", STANDARD, state="NY")
    assert sheet.state_rule is not None
    assert sheet.state_rule.outcome == "caveat"
    assert "Pers. Prop. Law 422" in sheet.state_rule.rule.citation
    assert any("unearned finance charge refund as a credit" in note for note in sheet.notes)
    assert sheet.deficiency == D("6600.00")  # a note, not an invented refund
    period = sheet.to_json()["limitation_period"]
    assert isinstance(period, dict) and "214-i" in period["note"]


def test_california_note_on_the_15_day_notice() -> None:
    sheet = deficiency_worksheet("12000", AS_OF, "7500", STANDARD, state="CA")
    assert sheet.state_rule is not None
    assert sheet.state_rule.outcome == "caveat"
    assert any("15-day notice" in note for note in sheet.notes)


@pytest.mark.parametrize("state", ["IA", "OK", "SC", "UT", "WY"])
def test_unverified_rules_are_named_without_a_number(state: str) -> None:
    sheet = deficiency_worksheet("1500", AS_OF, "600", Expenses(), state=state, cash_price="500")
    assert sheet.state_rule is not None
    assert sheet.state_rule.outcome == "unverified"
    assert sheet.state_rule.rule.confidence == "R"
    assert sheet.deficiency == D("900.00")
    assert "not verified" in sheet.state_rule.effect


def test_commercial_transaction_skips_consumer_rules() -> None:
    sheet = deficiency_worksheet(
        "1500", AS_OF, "600", Expenses(), state="CO", consumer=False, cash_price="500"
    )
    assert sheet.state_rule is not None
    assert sheet.state_rule.outcome == "not_applied"
    assert sheet.deficiency == D("900.00")
    assert any("9-626(a)" in note for note in sheet.notes)


# --- the 9-615(a) waterfall and the 9-616 layout agree -----------------------------------------

money = st.integers(min_value=0, max_value=10**9).map(lambda cents: D(cents).scaleb(-2))
expenses_strategy = st.builds(
    Expenses,
    retaking=money,
    storage_days=st.integers(min_value=0, max_value=120),
    storage_per_day=st.integers(min_value=0, max_value=20_000).map(lambda cents: D(cents).scaleb(-2)),
    transport=money,
    reconditioning=money,
    sale_fees=money,
    title_admin=money,
    attorney_fees=money,
    other=money,
)
credits_strategy = st.lists(
    st.tuples(st.sampled_from(["GAP refund", "rebate", "insurance"]), money), max_size=3
)


@settings(max_examples=150, deadline=None)
@given(owed=money, proceeds=money, costs=expenses_strategy, credits=credits_strategy)
def test_waterfall_equals_the_9_616_layout(
    owed: Decimal, proceeds: Decimal, costs: Expenses, credits: list[tuple[str, Decimal]]
) -> None:
    sheet = deficiency_worksheet(owed, AS_OF, proceeds, costs, credits)
    credit_total = sum((amount for _, amount in credits), D(0))
    line6 = owed + costs.total - credit_total - proceeds
    assert sheet.surplus_or_deficiency == line6
    assert sheet.waterfall.surplus_or_deficiency == line6
    assert not (sheet.deficiency > 0 and sheet.surplus > 0)
    assert sheet.deficiency - sheet.surplus == line6
    flow = sheet.waterfall
    # Expenses are paid before the obligation: nothing reaches the obligation while expenses are unpaid.
    assert flow.applied_to_obligation == 0 or flow.expenses_unpaid == 0
    assert flow.applied_to_expenses + flow.applied_to_obligation + flow.left_over == proceeds
    assert min(flow.applied_to_expenses, flow.applied_to_obligation, flow.left_over) >= 0


@settings(max_examples=150, deadline=None)
@given(
    owed=money,
    proceeds=money,
    costs=expenses_strategy,
    state=st.sampled_from(STATES),
    measure=st.one_of(st.none(), money),
    fmv=st.one_of(st.none(), money),
)
def test_deficiency_and_surplus_never_both_positive_under_state_rules(
    owed: Decimal,
    proceeds: Decimal,
    costs: Expenses,
    state: str,
    measure: Decimal | None,
    fmv: Decimal | None,
) -> None:
    sheet = deficiency_worksheet(
        owed, AS_OF, proceeds, costs, state=state, cash_price=measure, amount_financed=measure,
        unpaid_balance_at_default=measure, fair_market_value=fmv,
    )  # fmt: skip
    assert sheet.deficiency >= 0 and sheet.surplus >= 0
    assert not (sheet.deficiency > 0 and sheet.surplus > 0)
    assert sheet.waterfall.surplus_or_deficiency == sheet.surplus_or_deficiency
    if not sheet.deficiency_barred:
        assert sheet.deficiency - sheet.surplus == sheet.surplus_or_deficiency


# --- estimate before a sale --------------------------------------------------------------------


def test_estimate_with_light_vehicle_defaults() -> None:
    # Market value 10,000.00 × 75 % = 7,500.00 proceeds; light-vehicle defaults (domain-data.md §5.1):
    # 450 + 30 × 30 + 150 + 300 + 250 + 50 + 0 = 2,100.00; 12,000 − 7,500 + 2,100 = 6,600.00.
    sheet = estimate_deficiency("12000", "10000", "car", as_of=AS_OF)
    assert sheet.proceeds == D("7500.00")
    assert sheet.proceeds_basis == "estimate"
    assert sheet.expenses_total == D("2100.00")
    assert sheet.deficiency == D("6600.00")
    payload = sheet.to_json()
    estimate = payload["estimate"]
    assert isinstance(estimate, dict)
    assert estimate["auction_share_percent"] == "75.00"
    assert estimate["auction_share"]["confidence"] == "R/V-d"
    defaults = {item["type"]: item for item in estimate["expense_defaults"]}
    assert defaults["retaking"]["amount"] == "450.00" and defaults["retaking"]["confidence"] == "S"
    assert defaults["storage_days"]["amount"] == 30 and defaults["storage_days"]["confidence"] == "R"
    assert defaults["storage_per_day"]["amount"] == "30.00"
    assert defaults["sale_fees"]["amount"] == "250.00" and defaults["sale_fees"]["confidence"] == "R"
    assert all(item["cost_group"] == "light_vehicle" for item in defaults.values())


def test_default_auction_share_is_75_percent() -> None:
    assert default_auction_share_percent() == D("75")


@pytest.mark.parametrize(
    ("asset_class", "retaking", "per_day"),
    [
        # domain-data.md §5.1: heavy truck / RV / boat recovery 1,500 / 1,000 / 1,000 (R);
        # presets.json storage per day 60 / 50 / 40 (R)
        ("class8_sleeper", "1500.00", "60.00"),
        ("class8_daycab", "1500.00", "60.00"),
        ("rv", "1000.00", "50.00"),
        ("boat", "1000.00", "40.00"),
        ("motorcycle", "450.00", "30.00"),
    ],
)
def test_cost_group_defaults(asset_class: str, retaking: str, per_day: str) -> None:
    defaults = default_expenses(asset_class)
    assert defaults.expenses.retaking == D(retaking)
    assert defaults.expenses.storage_per_day == D(per_day)
    assert defaults.expenses.storage_days == 30
    assert defaults.expenses.transport == D("150.00")  # light-vehicle figure
    fallback_noted = any("light-vehicle figures are used" in note for note in defaults.notes)
    assert fallback_noted is (defaults.cost_group.value != "light_vehicle")


def test_heavy_truck_estimate_by_hand() -> None:
    # 1,500 + 30 × 60 + 150 + 300 + 250 + 50 = 4,050.00 of costs; 80 % of 100,000.00 = 80,000.00.
    # 90,000 − 80,000 + 4,050 = 14,050.00.
    sheet = estimate_deficiency("90000", "100000", "class8_daycab", auction_share_percent="80", as_of=AS_OF)
    assert sheet.proceeds == D("80000.00")
    assert sheet.expenses_total == D("4050.00")
    assert sheet.deficiency == D("14050.00")
    assert any("business loan (`commercial`)" in note for note in sheet.notes)


def test_estimate_rounds_proceeds_half_up() -> None:
    # 100.02 × 75 % = 75.015 → 75.02 (halves away from zero)
    sheet = estimate_deficiency("1000", "100.02", "car", expenses=Expenses(), as_of=AS_OF)
    assert sheet.proceeds == D("75.02")
    assert sheet.estimate is not None and sheet.estimate.expense_defaults is None


def test_estimate_applies_state_rules() -> None:
    # Colorado, cash price 2,900 ≤ 3,000: a small car loan's estimated deficiency is barred.
    sheet = estimate_deficiency("2500", "1000", "car", state="CO", cash_price="2900", as_of=AS_OF)
    assert sheet.surplus_or_deficiency == D("3850.00")  # 2,500 − 750 + 2,100
    assert sheet.deficiency == D("0.00")
    assert sheet.deficiency_barred


def test_estimate_defaults_to_today() -> None:
    sheet = estimate_deficiency("12000", "10000", "suv")
    assert sheet.as_of == date.today()


def test_home_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        estimate_deficiency("300000", "250000", "home")
    assert caught.value.field == "asset_class"
    assert caught.value.rule.startswith("home: a deficiency after foreclosure is not modelled")


# --- bad input names the field ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: deficiency_worksheet("12000", AS_OF, "-1", STANDARD), "proceeds"),
        (lambda: deficiency_worksheet("-12000", AS_OF, "1", STANDARD), "obligation"),
        (lambda: deficiency_worksheet(12000.0, AS_OF, "1", STANDARD), "obligation"),  # type: ignore[arg-type]
        (lambda: deficiency_worksheet("12000", "March 1", "1", STANDARD), "as_of"),
        (lambda: deficiency_worksheet("12000", AS_OF, "1", STANDARD, state="XX"), "state"),
        (lambda: deficiency_worksheet("12000", AS_OF, "1", STANDARD, state="PR"), "state"),
        (lambda: deficiency_worksheet("12000", AS_OF, "1", STANDARD, {"GAP": "-5"}), "credits"),
        (lambda: deficiency_worksheet("12000", AS_OF, "1", STANDARD, {" ": "5"}), "credits"),
        (lambda: deficiency_worksheet("12000", AS_OF, "1", STANDARD, "GAP"), "credits"),  # type: ignore[arg-type]
        (lambda: deficiency_worksheet("12000", AS_OF, "1", {"retaking": 450}), "expenses"),  # type: ignore[arg-type]
        (lambda: deficiency_worksheet("12000", AS_OF, "1", STANDARD, cash_price="-1"), "cash_price"),
        (
            lambda: deficiency_worksheet("12000", AS_OF, "1", STANDARD, fair_market_value="x"),
            "fair_market_value",
        ),
        (lambda: deficiency_worksheet("12000", AS_OF, "1", STANDARD, consumer="yes"), "consumer"),  # type: ignore[arg-type]
        (lambda: Expenses(retaking=D("-450")), "retaking"),
        (lambda: Expenses(storage_days=-1), "storage_days"),
        (lambda: Expenses(storage_days="2.5"), "storage_days"),  # type: ignore[arg-type]
        (lambda: Expenses(storage_per_day=D("30.005")), "storage_per_day"),
        (lambda: estimate_deficiency("12000", "-1", "car"), "market_value"),
        (lambda: estimate_deficiency("12000", "10000", "tractor"), "asset_class"),
        (lambda: estimate_deficiency("12000", "10000", "car", as_of="2025-02-30"), "as_of"),
    ],
)
def test_bad_input_names_the_field(call: object, field: str) -> None:
    assert callable(call)
    with pytest.raises(InputError) as caught:
        call()
    assert caught.value.field == field


@pytest.mark.parametrize("share", ["100.01", "0", "-5", "150"])
def test_auction_share_out_of_range(share: str) -> None:
    with pytest.raises(InputError) as caught:
        estimate_deficiency("12000", "10000", "car", auction_share_percent=share)
    assert caught.value.field == "auction_share_percent"
    assert caught.value.rule == "must be between 0 and 100 percent"


def test_auction_share_of_100_percent_is_allowed() -> None:
    sheet = estimate_deficiency("12000", "10000", "car", auction_share_percent=100, as_of=AS_OF)
    assert sheet.proceeds == D("10000.00")
