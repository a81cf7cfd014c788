"""Tests for underwater.state_rules: the dated, cited table of state deficiency rules.

Expected figures are written out by hand from the project's research notes
(/work/shared/research/domain-data.md §2.1 and §3), each beside its statute and source, so a
change to the data file that drifts from the research fails here.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from underwater.errors import InputError
from underwater.state_rules import (
    STATE_NAMES,
    STATES,
    ThresholdBar,
    limitation_period,
    parse_state,
    state_rule,
    state_rules_as_of,
)

# (state, measure, threshold, inclusive, citation, confidence) — domain-data.md §2.1
BARS = [
    # C.R.S. 5-5-103, https://colorado.public.law/statutes/crs_5-5-103
    ("CO", "cash_price", "3000.00", True, "C.R.S. 5-5-103", "V"),
    # Wis. Stat. 425.209(2), https://docs.legis.wisconsin.gov/document/statutes/2021/425.209(2)
    ("WI", "unpaid_balance_at_default", "1000.00", True, "Wis. Stat. 425.209", "V"),
    # K.S.A. 16a-5-103, https://ksrevisor.org/statutes/chapters/ch16a/016a_005_0103.html
    ("KS", "cash_price", "1000.00", True, "K.S.A. 16a-5-103", "V"),
    # IC 24-4.5-5-103
    ("IN", "cash_price", "4000.00", True, "IC 24-4.5-5-103", "V"),
    # 9-A M.R.S. 5-103
    ("ME", "amount_financed", "2800.00", True, "9-A M.R.S. 5-103", "V"),
    # M.G.L. c.255B s.20B(d)
    ("MA", "unpaid_balance_at_default", "2000.00", True, "c.255B s.20B", "V/S"),
    # Conn. Gen. Stat. 36a-785 (Nolo chart)
    ("CT", "cash_price", "2000.00", True, "36a-785", "S"),
    # Nolo chart, http://www.nolo.com/legal-encyclopedia/state-limits-the-collection-deficiency-balances.html
    ("AL", "cash_price", "1000.00", True, "Ala. Code 5-19-13", "S"),
    ("AZ", "cash_price", "1000.00", True, "A.R.S. 44-5501", "S"),
    ("DC", "cash_price", "2000.00", True, "D.C. Code 28-3812(e)", "S"),
    # Fla. Stat. 516.31: "less than $2,000" (Nolo update)
    ("FL", "unpaid_balance_at_default", "2000.00", False, "Fla. Stat. 516.31", "S"),
    # Nolo update, entry cut off in the copy read
    ("MD", "cash_price", "2000.00", True, "Md.", "S (partial)"),
]

# Believed to exist, thresholds not verified: research says "do not ship numbers" (§2.1, §6).
UNVERIFIED = ["IA", "ID", "MN", "MO", "NE", "OK", "SC", "UT", "WY"]

# Rules that change what to check but carry no threshold (§2.1).
CAVEATS = {"CA": "15-day", "NY": "unearned finance charge", "LA": "executory process", "WV": "price-guide"}

LABELS = {"V", "V-d", "S", "R", "V/S", "S (partial)"}


def test_states_are_the_fifty_states_and_dc() -> None:
    assert len(STATES) == 51
    assert "DC" in STATES
    assert "PR" not in STATES
    assert STATE_NAMES["MA"] == "Massachusetts"


@pytest.mark.parametrize(
    ("text", "code"),
    [("co", "CO"), (" Co ", "CO"), ("Colorado", "CO"), ("district of columbia", "DC"), ("NEW  york", "NY")],
)
def test_parse_state_reads_codes_and_names(text: str, code: str) -> None:
    assert parse_state(text) == code


@pytest.mark.parametrize("bad", ["XX", "PR", "", "C", 5, None, "Colorad"])
def test_parse_state_names_the_field(bad: object) -> None:
    with pytest.raises(InputError) as caught:
        parse_state(bad)
    assert caught.value.field == "state"
    assert "US state or DC" in caught.value.rule


def test_parse_state_uses_the_callers_field_name() -> None:
    with pytest.raises(InputError) as caught:
        parse_state("ZZ", field="borrower_state")
    assert caught.value.field == "borrower_state"


def test_lookups_reject_unknown_states() -> None:
    with pytest.raises(InputError):
        state_rule("ZZ")
    with pytest.raises(InputError):
        limitation_period("ZZ")


@pytest.mark.parametrize(("state", "measure", "threshold", "inclusive", "citation", "confidence"), BARS)
def test_threshold_bars_match_the_research(
    state: str, measure: str, threshold: str, inclusive: bool, citation: str, confidence: str
) -> None:
    rule = state_rule(state)
    assert rule is not None and rule.verified
    assert rule.bar is not None
    assert rule.bar.measure == measure
    assert rule.bar.threshold == Decimal(threshold)
    assert rule.bar.inclusive is inclusive
    assert citation in rule.citation
    assert rule.confidence == confidence
    assert rule.sources and all(url.startswith("http") for url in rule.sources)


def test_only_massachusetts_measures_against_fair_market_value() -> None:
    with_fmv = [
        code for code in STATES if (rule := state_rule(code)) is not None and rule.fair_market_value_rule
    ]
    assert with_fmv == ["MA"]


@pytest.mark.parametrize("state", UNVERIFIED)
def test_unverified_rules_carry_no_number(state: str) -> None:
    rule = state_rule(state)
    assert rule is not None
    assert rule.verified is False
    assert rule.bar is None
    assert rule.confidence == "R"
    assert "not verified" in rule.name
    assert "$" not in rule.summary


@pytest.mark.parametrize(("state", "phrase"), sorted(CAVEATS.items()))
def test_caveat_rules_have_no_threshold(state: str, phrase: str) -> None:
    rule = state_rule(state)
    assert rule is not None and rule.verified
    assert rule.bar is None
    assert phrase in rule.summary


def test_every_state_is_on_file_or_absent_by_design() -> None:
    on_file = {code for code in STATES if state_rule(code) is not None}
    expected = {row[0] for row in BARS} | set(UNVERIFIED) | set(CAVEATS)
    assert on_file == expected
    assert state_rule("TX") is None  # not in the research table: never guessed


def test_every_rule_is_dated_and_labelled() -> None:
    for code in STATES:
        rule = state_rule(code)
        if rule is None:
            continue
        assert rule.state == code
        assert rule.as_of == date(2026, 11, 21)
        assert rule.confidence in LABELS
        assert rule.citation
        payload = rule.to_json()
        assert payload["as_of"] == "2026-11-21"
        assert set(payload) == {
            "state",
            "rule",
            "summary",
            "citation",
            "sources",
            "confidence",
            "as_of",
            "scope",
            "bar",
            "fair_market_value_rule",
            "verified",
            "advice",
        }
    assert state_rules_as_of() == date(2026, 11, 21)


def test_bar_json_keeps_threshold_as_money_and_bound() -> None:
    rule = state_rule("FL")
    assert rule is not None
    assert rule.to_json()["bar"] == {
        "measure": "unpaid_balance_at_default",
        "threshold": "2000.00",
        "bound": "exclusive",
    }


def test_threshold_bar_inclusive_and_exclusive() -> None:
    at_most = ThresholdBar("cash_price", Decimal("3000.00"), inclusive=True)
    below = ThresholdBar("unpaid_balance_at_default", Decimal("2000.00"), inclusive=False)
    assert at_most.bars(Decimal("3000.00"))
    assert not at_most.bars(Decimal("3000.01"))
    assert not below.bars(Decimal("2000.00"))
    assert below.bars(Decimal("1999.99"))
    assert at_most.condition == "cash price ≤ 3000.00"
    assert below.condition == "unpaid balance at default < 2000.00"


# (state, written contract years, UCC 2-725 years) — domain-data.md §3 table
PERIODS = [
    ("AL", 6, 4),
    ("AK", 3, 4),
    ("CA", 4, 4),
    ("IL", 10, 4),
    ("MD", 3, 4),
    ("MT", 8, 4),
    ("PA", 4, 4),
    ("TX", 4, 4),
    ("WY", 10, 4),
    # non-uniform 2-725 periods (R): WI 6, MS 6, SC 6, OK 5
    ("WI", 6, 6),
    ("MS", 3, 6),
    ("SC", 3, 6),
    ("OK", 5, 5),
    # Ohio SB 13: 6 years for claims accruing on/after 2021-06-14 (V)
    ("OH", 6, 4),
]


@pytest.mark.parametrize(("state", "written", "sale_of_goods"), PERIODS)
def test_limitation_periods_match_the_research(state: str, written: int, sale_of_goods: int) -> None:
    period = limitation_period(state)
    assert period is not None
    assert (period.years_written_contract, period.years_ucc_2_725) == (written, sale_of_goods)
    assert "2-725" in period.note
    assert "retail installment" in period.note


def test_every_state_has_a_limitation_period_on_file() -> None:
    for code in STATES:
        period = limitation_period(code)
        assert period is not None, code
        assert period.as_of == date(2026, 11, 21)
        assert period.confidence


def test_limitation_notes_carry_the_verified_changes() -> None:
    ohio = limitation_period("OH")
    new_york = limitation_period("NY")
    louisiana = limitation_period("LA")
    maryland = limitation_period("MD")
    assert ohio is not None and new_york is not None and louisiana is not None and maryland is not None
    assert ohio.confidence == "V"
    assert "2021-06-14" in ohio.note
    # CPLR 214-i: 3 years for consumer credit actions, in force 2022-04-07
    assert "3 years" in new_york.note and "214-i" in new_york.note
    assert louisiana.years_ucc_2_725 is None
    assert "2-725" not in louisiana.note  # no UCC Article 2 in Louisiana
    assert "Scott" in maryland.note


def test_limitation_period_json() -> None:
    period = limitation_period("CA")
    assert period is not None
    payload = period.to_json()
    assert payload["years_written_contract"] == 4
    assert payload["years_ucc_2_725"] == 4
    assert payload["confidence"] == "S/R"
    assert payload["as_of"] == "2026-11-21"
    assert "Casaulong" in payload["note"]
    assert set(payload) == {
        "years_written_contract",
        "years_ucc_2_725",
        "note",
        "confidence",
        "as_of",
        "sources",
    }
