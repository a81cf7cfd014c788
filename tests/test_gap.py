"""Tests for underwater.gap: published GAP and loan/lease payoff examples, exclusions, caps, invariants."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from underwater.errors import InputError
from underwater.gap import GAP_SOURCES, GapContract, gap_payout

D = Decimal

NO_LIMITS = GapContract(name="plain GAP", ltv_cap_percent=None)
"""A GAP that pays the whole difference (deductible included, up to $1,000), no LTV cap."""


# --- published worked examples ------------------------------------------------------------


def test_the_balance_loan_lease_payoff_example() -> None:
    # The Balance, "What is Loan/Lease Payoff Insurance?": a $28,000 truck, ACV $21,000, coverage
    # of 25 % beyond the ACV ($5,250); "The insurance company will pay $26,150 after subtracting a
    # $100 deductible", and the owner is "responsible for the $1,850 remaining".
    # https://www.thebalance.com/loan-lease-payoff-527210 (the 25 % cap: Progressive's FAQ,
    # http://www.progressive.com/shop/loanlease/)
    s = gap_payout("28000", "21000", "100", GapContract.loan_lease_payoff())
    assert s.insurer_pays + s.gap_pays == D("26150.00")
    assert (s.gap_pays, s.capped_by, s.borrower_owes) == (D("5250.00"), "acv_cap", D("1850.00"))
    assert [(e.item, e.amount) for e in s.exclusions] == [("deductible", D("100.00"))]


def test_service_first_fcu_gap_covers_the_deductible() -> None:
    # Service First FCU, "Guaranteed Asset Protection": loan balance $15,000, market value
    # $11,000, less the $1,000 deductible: a $10,000 settlement; owed without GAP $5,000, with
    # GAP $0 ("GAP may also cover up to $1,000 of your deductible").
    # https://servicefirstfcu.org/index.php/guaranteed-asset-protection
    s = gap_payout("15000", "11000", "1000", NO_LIMITS)
    assert s.insurer_pays == D("10000.00")
    assert s.owed_after_insurance == D("5000.00")
    assert (s.gap_pays, s.borrower_owes, s.exclusions) == (D("5000.00"), D("0.00"), ())


def test_coggin_toyota_gap_and_gap_plus() -> None:
    # Coggin Toyota, "Total Loss Protection": $20,000 owed, ACV $16,000, a $500 deductible: "a
    # $4,000 difference + $500 insurance deductible = $4,500". GAP pays the balance after the
    # insurer and the borrower pays the deductible; GAP Plus also covers the deductible up to $500.
    # https://www.coggintoyota.com/loss-protection.htm
    gap = GapContract(name="GAP", covers_deductible=False, deductible_limit=None, ltv_cap_percent=None)
    plus = GapContract(name="GAP Plus", deductible_limit="500", ltv_cap_percent=None)
    without = gap_payout("20000", "16000", "500", gap)
    assert (without.owed_after_insurance, without.gap_pays, without.borrower_owes) == (
        D("4500.00"),
        D("4000.00"),
        D("500.00"),
    )
    assert (
        gap_payout("20000", "16000", "500", plus).gap_pays,
        gap_payout("20000", "16000", "500", plus).borrower_owes,
    ) == (
        D("4500.00"),
        D("0.00"),
    )
    # A $1,000 deductible under GAP Plus: $500 of it is still the borrower's.
    bigger = gap_payout("20000", "16000", "1000", plus)
    assert (bigger.gap_pays, bigger.borrower_owes) == (D("4500.00"), D("500.00"))


@pytest.mark.parametrize(
    ("payoff", "settlement", "gap", "source"),
    [
        # Rowlands-Hames, "GAP Insurance - Claims Examples", example 2 (finance GAP): finance
        # outstanding £16,173.40, total loss valuation £14,050, GAP claim payment £2,123.40.
        ("16173.40", "14050", "2123.40", "https://rowlands-hames.co.uk/gap-insurance-claims-examples/"),
        # Gupton Motors, "GAP Coverage": balance $20,000, insurance settlement $14,000, GAP pays $6,000.
        ("20000", "14000", "6000", "https://guptonmotors.com/gap-coverage"),
        # Hughes Federal Credit Union, "GAP Plus": loan $18,000, settlement $15,000, GAP pays $3,000.
        ("18000", "15000", "3000", "https://myhhfcu.org/gap-plus/"),
    ],
)
def test_published_gap_differences(payoff: str, settlement: str, gap: str, source: str) -> None:
    assert source
    s = gap_payout(payoff, settlement, "0", NO_LIMITS)
    assert (s.gap_pays, s.borrower_owes) == (D(gap), D("0.00"))


# --- the default contract's exclusions and caps (TruStage terms, amounts of our own) ----------


def test_default_terms_are_the_published_waiver() -> None:
    # America's Credit Union's TruStage GAP waiver: the deductible up to $1,000; excludes
    # refundable additions, delinquent payments, late charges or fees added after inception, and
    # any portion of the loan over 150 % of MSRP / retail book value.
    terms = GapContract()
    assert (terms.covers_deductible, terms.deductible_limit, terms.ltv_cap_percent) == (
        True,
        D("1000.00"),
        D(150),
    )
    assert terms.excludes_past_due and terms.excludes_late_fees and terms.excludes_addons
    assert not terms.excludes_rolled_negative_equity and terms.max_benefit is None
    assert {url for _, url, _ in GAP_SOURCES} >= set(terms.sources)
    assert all(label in {"V", "S"} for _, _, label in GAP_SOURCES)


def test_each_exclusion_is_itemised_and_left_to_the_borrower() -> None:
    # $20,000 owed, of which $400 is past due, $50 late charges and $1,500 the unearned part of a
    # financed service contract; ACV $15,000 and a $500 deductible (covered). Insurer 14,500;
    # owed after it 5,500; excluded 1,950; GAP pays 3,550; the service contract's refund of
    # $1,500 is credited: the borrower owes the $450 of arrears and charges.
    s = gap_payout(
        "20000",
        "15000",
        "500",
        GapContract(),
        past_due="400",
        late_fees="50",
        addons="1500",
        addon_refunds="1500",
    )
    assert [(e.item, e.amount) for e in s.exclusions] == [
        ("past_due", D("400.00")),
        ("late_fees", D("50.00")),
        ("addons", D("1500.00")),
    ]
    assert (s.insurer_pays, s.covered, s.gap_pays) == (D("14500.00"), D("3550.00"), D("3550.00"))
    assert (s.refunds_credited, s.borrower_owes) == (D("1500.00"), D("450.00"))
    assert any("loan-to-value cap was not checked" in c for c in s.caveats)
    assert any("missed payments" in c for c in s.caveats)


def test_rolled_negative_equity_when_the_contract_excludes_it() -> None:
    # Elephant's loan/lease payoff does not pay "carry over balances from other loans".
    plain = gap_payout("30000", "22000", "0", NO_LIMITS, rolled_negative_equity="3000")
    excluding = GapContract(name="no carry-over", ltv_cap_percent=None, excludes_rolled_negative_equity=True)
    strict = gap_payout("30000", "22000", "0", excluding, rolled_negative_equity="3000")
    assert (plain.gap_pays, plain.borrower_owes) == (D("8000.00"), D("0.00"))
    assert (strict.gap_pays, strict.borrower_owes) == (D("5000.00"), D("3000.00"))
    assert strict.exclusions[0].item == "rolled_negative_equity"


def test_the_150_percent_ltv_cap_leaves_the_excess_at_signing() -> None:
    # $33,000 financed on a car worth $20,000 at signing: 150 % is $30,000, so $3,000 of the loan
    # is outside the waiver.
    s = gap_payout("28000", "18000", "500", GapContract(), value_at_signing="20000", amount_financed="33000")
    assert s.ltv_checked
    assert [(e.item, e.amount) for e in s.exclusions] == [("ltv_excess", D("3000.00"))]
    assert (s.gap_pays, s.borrower_owes) == (D("7500.00"), D("3000.00"))
    within = gap_payout(
        "28000", "18000", "500", GapContract(), value_at_signing="20000", amount_financed="30000"
    )
    assert within.ltv_checked and within.exclusions == () and within.borrower_owes == 0


def test_a_dollar_cap() -> None:
    # Executive Insurance Agency's GAP: "The maximum amount, which can be waived, is $50,000."
    # http://www.executiveinsuranceagency.com/GAPPFAQ.html
    capped = GapContract(name="$50,000 cap", max_benefit="50000", ltv_cap_percent=None)
    s = gap_payout("130000", "70000", "0", capped)
    assert (s.gap_pays, s.capped_by, s.borrower_owes) == (D("50000.00"), "max_benefit", D("10000.00"))


def test_a_deductible_above_the_valuation_takes_only_the_valuation() -> None:
    s = gap_payout("3000", "400", "500", GapContract())
    assert (s.insurer_pays, s.owed_after_insurance, s.gap_pays, s.borrower_owes) == (
        D("0.00"),
        D("3000.00"),
        D("3000.00"),
        D("0.00"),
    )


def test_the_insurer_alone_can_pay_more_than_is_owed() -> None:
    s = gap_payout("9000", "12000", "500", GapContract())
    assert (s.insurer_pays, s.gap_pays, s.borrower_owes, s.surplus) == (
        D("11500.00"),
        D("0.00"),
        D("0.00"),
        D("2500.00"),
    )


def test_json_shape() -> None:
    data = gap_payout("20000", "15000", "500", GapContract(), past_due="100").to_json()
    # Insurer 14,500; owed after it 5,500; the $100 past due is left out: GAP pays 5,400.
    assert data["gap_pays"] == "5400.00" and data["borrower_owes"] == "100.00"
    assert data["exclusions"] == [
        {"item": "past_due", "amount": "100.00", "reason": "past-due payments are the borrower's"}
    ]
    assert data["contract"]["ltv_cap_percent"] == "150" and data["contract"]["deductible_limit"] == "1000.00"
    assert isinstance(data["caveats"], list) and data["caveats"]


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"payoff": "-1"}, "payoff"),
        ({"actual_cash_value": "abc"}, "actual_cash_value"),
        ({"deductible": "1.005"}, "deductible"),
        ({"past_due": "30000"}, "payoff"),
        ({"value_at_signing": "20000"}, "amount_financed"),
        ({"amount_financed": "20000"}, "value_at_signing"),
        ({"contract": "gap"}, "contract"),
    ],
)
def test_bad_input_names_the_field(kwargs: dict[str, object], field: str) -> None:
    args: dict[str, object] = {
        "payoff": "20000",
        "actual_cash_value": "15000",
        "deductible": "500",
        "contract": GapContract(),
    }
    args.update(kwargs)
    with pytest.raises(InputError) as caught:
        gap_payout(**args)  # type: ignore[arg-type]
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"deductible_limit": "-5"}, "deductible_limit"),
        ({"acv_cap_percent": "0"}, "acv_cap_percent"),
        ({"ltv_cap_percent": "-150"}, "ltv_cap_percent"),
        ({"max_benefit": 1.5}, "max_benefit"),
        ({"covers_deductible": "yes"}, "covers_deductible"),
        ({"name": " "}, "name"),
    ],
)
def test_bad_terms_name_the_field(terms: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as caught:
        GapContract(**terms)  # type: ignore[arg-type]
    assert caught.value.field == field


# --- invariants ----------------------------------------------------------------------------

money = st.integers(min_value=0, max_value=20_000_000).map(lambda cents: D(cents) / 100)


@st.composite
def contracts(draw: st.DrawFn) -> GapContract:
    return GapContract(
        name="drawn",
        covers_deductible=draw(st.booleans()),
        deductible_limit=draw(st.one_of(st.none(), money)),
        acv_cap_percent=draw(st.one_of(st.none(), st.integers(1, 200).map(D))),
        ltv_cap_percent=draw(st.one_of(st.none(), st.integers(100, 200).map(D))),
        max_benefit=draw(st.one_of(st.none(), money)),
        excludes_rolled_negative_equity=draw(st.booleans()),
        excludes_past_due=draw(st.booleans()),
        excludes_late_fees=draw(st.booleans()),
        excludes_addons=draw(st.booleans()),
    )


@settings(max_examples=150)
@given(
    contracts(),
    money,
    money,
    money,
    money,
    money,
    money,
    money,
    st.one_of(st.none(), st.tuples(money, money)),
)
def test_the_money_adds_up_and_the_caps_hold(
    contract: GapContract,
    payoff: Decimal,
    acv: Decimal,
    deductible: Decimal,
    rolled: Decimal,
    past_due: Decimal,
    refunds: Decimal,
    addons: Decimal,
    signing: tuple[Decimal, Decimal] | None,
) -> None:
    payoff = payoff + past_due + addons  # the payoff holds the arrears and add-ons it is said to
    acv = acv + deductible  # a deductible above the ACV is only the ACV (below)
    value, financed = signing if signing is not None else (None, None)
    s = gap_payout(
        payoff,
        acv,
        deductible,
        contract,
        rolled_negative_equity=rolled,
        past_due=past_due,
        addons=addons,
        addon_refunds=refunds,
        value_at_signing=value,
        amount_financed=financed,
    )
    for figure in (s.insurer_pays, s.gap_pays, s.refunds_credited, s.borrower_owes, s.surplus):
        assert figure >= 0
    assert s.gap_pays <= s.covered <= s.owed_after_insurance
    if contract.max_benefit is not None:
        assert s.gap_pays <= contract.max_benefit
    if contract.acv_cap_percent is not None:
        assert s.gap_pays <= acv * contract.acv_cap_percent / 100 + D("0.005")
    if s.insurer_pays <= payoff:
        assert s.insurer_pays + s.gap_pays + s.refunds_credited + s.borrower_owes == payoff
    # Whatever GAP leaves out, the borrower's share is at least what the contract excludes and
    # the caps cut, never more than what the insurer left.
    assert s.borrower_owes <= s.owed_after_insurance
    # A higher valuation never leaves the borrower owing more.
    richer = gap_payout(
        payoff,
        acv + 1000,
        deductible,
        contract,
        rolled_negative_equity=rolled,
        past_due=past_due,
        addons=addons,
        addon_refunds=refunds,
        value_at_signing=value,
        amount_financed=financed,
    )
    assert richer.borrower_owes <= s.borrower_owes
