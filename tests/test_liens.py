"""A second loan on the same asset (a second mortgage or a home equity line) as a contract of
its own: its months, its place in the projection and in every exit's books, and the errors
that name its fields.

References: the negative-equity calculator this project started from (``../shared/seeds``,
example 8: a $150,000 first mortgage and a $30,000 HELOC on a home worth $170,000 are $10,000
under water, "looking at total debt vs. value"); Regulation Z, 12 CFR 1026.40(d)(5), which
describes a line's draw period and repayment period and a minimum payment that may cover only
interest while drawing.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuzzscale import examples
from underwater.contracts import AmortizingLoan, HelocLine
from underwater.errors import InputError
from underwater.exits import compare_exits
from underwater.ledger import OTHER_LIENHOLDERS
from underwater.position import position
from underwater.projection import project_contract
from underwater.situation import Asset, Borrower, Loan, Replacement, Sale, SecondLien, Situation
from underwater.valuepath import ValuePath, pick_curve

D = Decimal
AS_OF = date(2026, 12, 1)


# ----------------------------------------------------------------------------- the line's months


@settings(max_examples=examples(60), deadline=None)
@given(
    balance=st.decimals(min_value=D(0), max_value=D(500000), places=2),
    rate=st.decimals(min_value=D(0), max_value=D(25), places=3),
    draw=st.integers(0, 120),
    repay=st.integers(1, 360),
)
def test_a_line_pays_interest_only_while_drawing_then_amortizes(
    balance: Decimal, rate: Decimal, draw: int, repay: int
) -> None:
    line = HelocLine(balance, rate, draw, repay)
    months = line.months(draw + repay + 2)
    for before, m in itertools.pairwise(months):
        # Every month adds up: last balance + interest − paid = this balance.
        assert before.balance + m.interest - m.paid == m.balance
    interest_only = (balance * rate / 1200).quantize(D("0.01"))
    for m in months[1 : draw + 1]:
        assert (m.paid, m.balance) == (interest_only if balance else D(0), balance)
    # After the draw period it is the level-payment loan on the same balance.
    level = AmortizingLoan(balance, rate, repay).months(repay)
    for m, expected in zip(months[draw + 1 :], level[1:], strict=False):
        assert (m.paid, m.interest, m.balance) == (expected.paid, expected.interest, expected.balance)
    assert months[-1].balance == 0
    assert line.payoff_at(draw) == balance


def test_the_second_loan_counts_in_the_crossover_with_its_own_payments() -> None:
    # A $30,000 line drawing for 12 more months behind a loan that is paid down: while the line
    # only pays interest, the combined balance falls by the first loan's principal alone.
    path = ValuePath(
        D(170000), pick_curve(Asset(value=1, asset_class="home").kind, depreciation_rate_percent=D(0))
    )
    first = AmortizingLoan(D(150000), D(6), 360)
    line = HelocLine(D(30000), D(9), 12, 120)
    p = project_contract(first, path, 400, other_liens=line)
    first_months, line_months = first.months(400), line.months(400)
    assert all(row.owed == first_months[t].balance + line_months[t].balance for t, row in enumerate(p.rows))
    held = project_contract(first, path, 400, other_liens=D(30000))
    # Held constant, the line never shrinks; paid as agreed, it surfaces sooner.
    assert p.crossover_month is not None and held.crossover_month is not None
    assert p.crossover_month < held.crossover_month


# ----------------------------------------------------------------------------- the seed's example


def _home(**second: object) -> Situation:
    return Situation(
        Loan(owed=150000, rate_percent=D("6.5"), remaining_payments=300),
        Asset(value=170000, asset_class="home"),
        second_lien=SecondLien(
            **{"owed": 30000, "kind": "heloc", "rate_percent": D("8.5"), "remaining_payments": 240, **second}
        ),
        borrower=Borrower(as_of=AS_OF),
    )


def test_seed_example_8_a_mortgage_and_a_heloc_are_10000_under_water() -> None:
    p = position([150000, 30000], 170000)
    assert p.negative_equity == D(10000) and p.to_json()["cltv"] == "1.0588"
    c = compare_exits(_home(draw_months=36, limit=50000))
    data = c.to_json()
    assert data["cltv"] == "1.0588" and data["ltv"] == "0.8824"
    # A sale also pays the agents and the closing: 5.5 % + 1.5 % of $170,000 by default.
    assert (data["selling_costs"], data["gap"]) == ("11900.00", "21900.00")
    assert data["liens"][1] == {"lien": "second", "kind": "heloc", "owed": "30000.00", "ltv": "0.1765"}


def test_keeping_the_home_pays_the_line_as_agreed_and_a_sale_pays_it_off() -> None:
    s = _home(draw_months=36)
    c = compare_exits(s)
    line = s.second_lien.contract()
    h = c.horizon_months
    keep = c.exit("keep_paying").books
    assert keep is not None
    paid = sum((m.paid for m in line.months(h)[1:]), D(0))
    assert sum((f.amount for f in keep.flows_to(OTHER_LIENHOLDERS) if f.month <= h), D(0)) == paid
    gap = c.exit("pay_the_gap").books
    assert gap is not None and gap.debts["other_liens"].owed_at(0) == 0
    assert gap.received(OTHER_LIENHOLDERS) == D(30000)


@settings(max_examples=examples(25), deadline=None)
@given(
    share=st.decimals(min_value=D("0.6"), max_value=D("1.3"), places=2),
    draw=st.integers(0, 60),
    needed=st.booleans(),
)
def test_a_second_loan_never_leaves_the_borrower_better_off(share: Decimal, draw: int, needed: bool) -> None:
    value = (D(180000) * share).quantize(D("0.01"))

    def situation(second: SecondLien) -> Situation:
        return Situation(
            Loan(owed=150000, rate_percent=D("6.5"), remaining_payments=300),
            Asset(value=value, asset_class="home"),
            second_lien=second,
            sale=Sale(selling_costs=D(9000)),
            replacement=Replacement(needed=needed),
            borrower=Borrower(as_of=AS_OF),
        )

    with_line = compare_exits(
        situation(
            SecondLien(owed=30000, kind="heloc", rate_percent=D(8), remaining_payments=240, draw_months=draw)
        )
    )
    without = compare_exits(situation(SecondLien()))
    for e in with_line.exits:
        if e.name == "settlement" or e.figures is None:
            continue
        other = without.exit(e.name)
        if other.figures is None:
            continue
        assert e.figures.net_position_at_horizon <= other.figures.net_position_at_horizon, e.name


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: SecondLien(owed=60000, kind="heloc", limit=50000), "lien2_owed"),
        (lambda: SecondLien(owed=6000, draw_months=12), "lien2_draw_months"),
        (lambda: SecondLien(owed=6000, limit=9000), "lien2_limit"),
        (lambda: SecondLien(rate_percent=8), "lien2_rate_percent"),
        (lambda: _home(rate_percent=None).behind, "lien2_rate_percent"),
        (
            lambda: Situation(
                Loan(owed=0, rate_percent=5, remaining_payments=12),
                Asset(value=900),
                second_lien=SecondLien(owed=500, rate_percent=5, remaining_payments=12),
            ),
            "lien2_owed",
        ),
    ],
)
def test_liens_that_do_not_add_up_name_the_field(build: object, field: str) -> None:
    with pytest.raises(InputError) as caught:
        build()  # type: ignore[operator]
    assert caught.value.problems[0].field == field


def test_the_cli_says_a_line_above_its_limit_in_one_line() -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "underwater",
            "project",
            "--owed",
            "150000",
            "--rate-percent",
            "6",
            "--remaining-payments",
            "300",
            "--value",
            "170000",
            "--asset-class",
            "home",
            "--lien2-owed",
            "60000",
            "--lien2-kind",
            "heloc",
            "--lien2-limit",
            "50000",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr.strip().count("\n") == 0 and "--lien2-owed" in run.stderr and "50,000.00" in run.stderr


def test_a_third_lien_held_as_it_is_sits_beside_the_second() -> None:
    # A first mortgage, a HELOC and a $5,000 judgment lien: every lien counts, each its own way.
    s = Situation(
        Loan(owed=150000, rate_percent=D("6.5"), remaining_payments=300, other_liens=5000),
        Asset(value=170000, asset_class="home"),
        second_lien=SecondLien(owed=30000, kind="heloc", rate_percent=D("8.5"), remaining_payments=240),
        borrower=Borrower(as_of=AS_OF),
    )
    c = compare_exits(s)
    assert [(r["lien"], r["owed"]) for r in c.to_json()["liens"]] == [
        ("first", "150000.00"),
        ("second", "30000.00"),
        ("other", "5000.00"),
    ]
    assert c.to_json()["cltv"] == "1.0882"
    keep = c.exit("keep_paying").books
    assert keep is not None and keep.debts["other_liens"].owed_at(c.horizon_months) == D(5000)
