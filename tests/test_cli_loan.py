"""The loan, payoff and rebate commands through the CLI: JSON keys, CSV, solvers and errors."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest

from clitools import run


def test_car_loan_payment(capsys: pytest.CaptureFixture[str]) -> None:
    # $30,000 at 9.5 % for 72 months: 548.24 a month (numpy-financial/Excel PMT give -548.2407…).
    code, out, _ = run(
        ["loan", "--principal", "30000", "--rate-percent", "9.5", "--n-payments", "72", "--json"], capsys
    )
    data = json.loads(out)
    assert code == 0
    assert data["payment"] == "548.24"
    assert data["n_payments"] == 72
    assert len(data["schedule"]) == 72
    assert data["schedule"][-1]["balance"] == "0.00"
    assert Decimal(data["total_principal"]) == Decimal("30000.00")
    assert Decimal(data["total_paid"]) == Decimal(data["total_interest"]) + Decimal("30000")
    assert data["solved_for"] is None


def test_solves_the_term_and_the_rate(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(
        ["loan", "--principal", "10000", "--rate-percent", "6", "--payment", "500", "--json"], capsys
    )
    data = json.loads(out)
    assert (data["solved_for"], data["n_payments"]) == ("n_payments", 22)
    # Federal Reserve consumer handbook example: $18,800 over 48 months at 467.84 is a 9 % loan.
    _, out, _ = run(
        ["loan", "--principal", "18800", "--n-payments", "48", "--payment", "467.84", "--json"], capsys
    )
    data = json.loads(out)
    assert data["solved_for"] == "rate_percent"
    assert Decimal(data["rate_percent"]).quantize(Decimal("0.01")) == Decimal("9.00")


def test_schedule_csv(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        [
            "loan",
            "--principal",
            "1000",
            "--rate-percent",
            "12",
            "--n-payments",
            "2",
            "--csv",
            "--first-payment-date",
            "2026-01-31",
        ],
        capsys,
    )
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 0
    assert rows == [
        ["number", "date", "payment", "interest", "principal", "extra", "balance"],
        ["1", "2026-01-31", "507.51", "10.00", "497.51", "0.00", "502.49"],
        ["2", "2026-02-28", "507.51", "5.02", "502.49", "0.00", "0.00"],
    ]


def test_extra_payments_shorten_the_term(capsys: pytest.CaptureFixture[str]) -> None:
    base = ["loan", "--principal", "200000", "--rate-percent", "6.5", "--n-payments", "360", "--json"]
    _, out, _ = run(base, capsys)
    plain = json.loads(out)
    _, out, _ = run([*base, "--extra", "200", "--extra-once", "12=5000"], capsys)
    faster = json.loads(out)
    assert plain["payment"] == "1264.14"
    assert faster["n_payments"] < plain["n_payments"]
    assert Decimal(faster["total_interest"]) < Decimal(plain["total_interest"])
    assert faster["schedule"][11]["extra"] == "5200.00"


def test_payoff_quote(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        [
            "payoff",
            "--balance",
            "10000",
            "--rate-percent",
            "18",
            "--last-payment-date",
            "2025-03-01",
            "--payoff-date",
            "2025-03-11",
            "--fees",
            "25",
            "--json",
        ],
        capsys,
    )
    data = json.loads(out)
    assert code == 0
    # 10,000 × 18 % / 365 = 4.9315… → 4.93 a day; 10 days of it, as a letter prints it: 49.30;
    # plus the 25.00 fee.
    assert (data["per_diem"], data["days"], data["accrued_interest"]) == ("4.93", 10, "49.30")
    assert data["payoff"] == "10074.30" and data["interest_convention"] == "per_diem"


def test_rebate_side_by_side(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        [
            "rebate",
            "--amount-financed",
            "3310",
            "--finance-charge",
            "323.30",
            "--n-payments",
            "18",
            "--payments-made",
            "12",
            "--json",
        ],
        capsys,
    )
    data = json.loads(out)
    assert code == 0
    # Rule of 78s: 323.30 × (6·7)/(18·19) = 39.70.
    assert data["rule_of_78_rebate"] == "39.70"
    assert Decimal(data["rule_of_78_penalty"]) == Decimal(data["rule_of_78_payoff"]) - Decimal(
        data["actuarial_payoff"]
    )


PAYOFF = ["payoff", "--balance", "100", "--rate-percent", "5", "--last-payment-date", "2026-03-01"]


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["loan", "--principal", "1000", "--rate-percent", "-1", "--n-payments", "12"], "--rate-percent"),
        (["loan", "--principal", "1000", "--rate-percent", "5", "--n-payments", "0"], "--n-payments"),
        (["loan", "--principal", "12000", "--rate-percent", "6", "--payment", "50"], "--payment"),
        (["loan", "--principal", "1000", "--rate-percent", "5"], "--n-payments"),
        (
            [
                "loan",
                "--principal",
                "1000",
                "--rate-percent",
                "5",
                "--n-payments",
                "12",
                "--first-payment-date",
                "2026-02-30",
            ],
            "--first-payment-date",
        ),
        (
            [
                "loan",
                "--principal",
                "1000",
                "--rate-percent",
                "5",
                "--n-payments",
                "12",
                "--extra-once",
                "x=5",
            ],
            "--extra-once",
        ),
        (
            [*PAYOFF, "--payoff-date", "2026-02-01"],
            "--payoff-date",
        ),
        (
            [*PAYOFF, "--payoff-date", "2026-04-01", "--day-count", "actual/364"],
            "--day-count",
        ),
        (
            ["rebate", "--amount-financed", "100", "--n-payments", "12", "--payments-made", "1"],
            "--finance-charge",
        ),
        (
            [
                "rebate",
                "--amount-financed",
                "100",
                "--finance-charge",
                "10",
                "--n-payments",
                "12",
                "--payments-made",
                "13",
            ],
            "--payments-made",
        ),
    ],
)
def test_bad_input_names_the_option(args: list[str], flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(args, capsys)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and flag in err, err


def test_payment_too_small_message(capsys: pytest.CaptureFixture[str]) -> None:
    _, _, err = run(["loan", "--principal", "12000", "--rate-percent", "6", "--payment", "50"], capsys)
    assert "50.00 does not cover the first month's interest 60.00" in err
