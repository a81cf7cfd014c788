"""The project and options commands: JSON keys, hand-checked figures, help examples, one-line errors."""

from __future__ import annotations

import json

import pytest

from clitools import run

ZERO_RATE = [
    "project",
    "--owed",
    "12000",
    "--rate-percent",
    "0",
    "--remaining-payments",
    "12",
    "--value",
    "10000",
    "--depreciation-rate-percent",
    "12",
    "--start-date",
    "2026-12-01",
]


def test_project_json_matches_the_hand_example(capsys: pytest.CaptureFixture[str]) -> None:
    # 12,000 at 0 % over 12 (1,000 a month) on a 10,000 car losing 12 % a year: surfaces in
    # month 3 owing 9,000.00 on 9,685.47 (worked out in tests/test_projection.py).
    code, out, _ = run([*ZERO_RATE, "--json"], capsys)
    data = json.loads(out)
    assert code == 0
    assert data["crossover_month"] == 3 and data["crossover_date"] == "2027-03-01"
    assert data["peak_negative_equity"] == "2000.00" and data["peak_month"] == 0
    assert data["months_under_water"] == 3
    assert data["status_today"] == "underwater" and data["negative_equity_today"] == "2000.00"
    assert data["months"][3] == {
        "month": 3,
        "date": "2027-03-01",
        "balance": "9000.00",
        "owed": "9000.00",
        "value": "9685.47",
        "equity": "685.47",
        "negative_equity": "0.00",
        "interest": "0.00",
    }
    assert data["extra_to_surface"] is None and data["prevention"] is None and data["attribution"] is None


def test_project_target_month(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([*ZERO_RATE, "--target-month", "1", "--json"], capsys)
    assert code == 0
    assert json.loads(out)["extra_to_surface"] == {"target_month": 1, "extra_monthly": "1105.96"}


def test_project_purchase_gives_prevention_and_attribution(capsys: pytest.CaptureFixture[str]) -> None:
    # The seed's low-down-payment example: 40,000 with 1,000 down, 0 % over 156 months (250.00 a
    # month), a year later worth 34,000: owed 36,000, gap 2,000, all of it depreciation.
    args = [
        "project",
        "--price",
        "40000",
        "--down-payment",
        "1000",
        "--rate-percent",
        "0",
        "--term-months",
        "156",
        "--months-elapsed",
        "12",
        "--value",
        "34000",
        "--json",
    ]
    code, out, _ = run(args, capsys)
    data = json.loads(out)
    assert code == 0
    assert data["months"][0]["balance"] == "36000.00"
    assert data["negative_equity_today"] == "2000.00"
    assert data["attribution"]["gap"] == "2000.00"
    assert data["attribution"]["depreciation_beyond_amortization"] == "2000.00"
    assert data["prevention"]["amount_financed"] == "39000.00"
    assert data["horizon_months"] == 144


def test_project_csv_has_every_month(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([*ZERO_RATE, "--csv"], capsys)
    lines = out.strip().splitlines()
    assert code == 0
    assert lines[0] == "month,date,balance,owed,value,equity,negative_equity,interest"
    assert len(lines) == 14
    assert lines[4] == "3,2027-03-01,9000.00,9000.00,9685.47,685.47,0.00,0.00"


def test_options_truck_gap_and_rolled_amount(capsys: pytest.CaptureFixture[str]) -> None:
    # FreightWaves: owe 80,000, worth 60,000, offer 58,000 → a 22,000 check to sell; a trade-in
    # at the truck's worth tacks the 20,000 of negative equity onto the next loan.
    args = [
        "options",
        "--owed",
        "80000",
        "--value",
        "60000",
        "--offer",
        "58000",
        "--rate-percent",
        "9",
        "--remaining-payments",
        "48",
        "--asset-class",
        "class8_sleeper",
        "--age-months",
        "24",
        "--next-price",
        "120000",
        "--new-rate-percent",
        "9",
        "--new-term-months",
        "60",
        "--trade-in-value",
        "60000",
        "--as-of",
        "2026-12-01",
        "--json",
    ]
    code, out, _ = run(args, capsys)
    data = json.loads(out)
    assert code == 0
    exits = {item["name"]: item for item in data["exits"]}
    assert exits["pay_the_gap"]["cash_needed_now"] == "22000.00"
    assert exits["trade_in"]["details"]["negative_equity_rolled"] == "20000.00"
    assert exits["trade_in"]["details"]["new_loan_amount"] == "140000.00"
    assert {item["starting_payoff"] for item in data["exits"]} == {"80000.00"}
    assert data["gap"] == "22000.00" and data["rank_by"] == "present_value"
    assert set(exits["settlement"]) >= {
        "cash_needed_now",
        "debt_left_after",
        "total_paid_over_horizon",
        "net_position_at_horizon",
        "new_loan_ltv",
        "months_under_water",
        "credit_consequence",
        "caveats",
        "available",
        "why_not",
        "rank",
    }
    assert exits["settlement"]["available"] is False


@pytest.mark.parametrize("command", ["project", "options"])
def test_help_has_examples(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([command, "--help"], capsys)
    assert code == 0
    assert "examples:" in out
    assert f"  underwater {command} --" in out


PROJECT = [
    "project",
    "--owed",
    "12000",
    "--rate-percent",
    "5",
    "--remaining-payments",
    "24",
    "--value",
    "9000",
]
OPTIONS = [
    "options",
    "--owed",
    "80000",
    "--value",
    "60000",
    "--rate-percent",
    "9",
    "--remaining-payments",
    "48",
]


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (
            [*PROJECT, "--age-months", "601"],
            "--age-months",
        ),
        (
            [*PROJECT, "--horizon-months", "0"],
            "--horizon-months",
        ),
        (
            [*PROJECT, "--asset-class", "tractor"],
            "--asset-class",
        ),
        (
            ["project", "--owed", "12000", "--rate-percent", "5", "--remaining-payments", "24"],
            "--value",
        ),
        (["project", "--rate-percent", "5", "--value", "9000"], "--owed"),
        (["project", "--owed", "1", "--price", "2", "--rate-percent", "5"], "--price"),
        (
            [
                "project",
                "--price",
                "20000",
                "--rate-percent",
                "5",
                "--term-months",
                "60",
                "--months-elapsed",
                "60",
            ],
            "--months-elapsed",
        ),
        (
            [*OPTIONS, "--offer", "-1"],
            "--offer",
        ),
        (
            [*OPTIONS, "--state", "XX"],
            "--state",
        ),
        (
            [*OPTIONS, "--settlement-percent", "120"],
            "--settlement-percent",
        ),
        (
            [*OPTIONS, "--rank-by", "luck"],
            "--rank-by",
        ),
    ],
)
def test_bad_input_is_one_line_naming_the_flag(
    args: list[str], flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(args, capsys)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert f"error: {flag}:" in err


def test_no_solution_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "project",
        "--owed",
        "1000",
        "--rate-percent",
        "5",
        "--remaining-payments",
        "12",
        "--value",
        "10000",
        "--other-liens",
        "50000",
        "--target-month",
        "6",
    ]
    code, _, err = run(args, capsys)
    assert code == 1
    assert "no solution: --target-month:" in err
