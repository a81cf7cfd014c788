"""The deficiency command: a worksheet added up by hand, an estimate, a state bar, bad input."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from clitools import run


def test_worksheet_adds_up_line_by_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        [
            "deficiency",
            "--owed",
            "12000",
            "--as-of",
            "2026-11-21",
            "--proceeds",
            "7500",
            "--retaking",
            "450",
            "--storage-days",
            "30",
            "--storage-per-day",
            "30",
            "--transport",
            "150",
            "--reconditioning",
            "300",
            "--sale-fees",
            "250",
            "--title-admin",
            "50",
            "--credit",
            "gap_refund=300",
            "--json",
        ],
        capsys,
    )
    data = json.loads(out)
    assert code == 0
    # By hand: 12,000 − 7,500 = 4,500; expenses 450 + 30×30 + 150 + 300 + 250 + 50 = 2,100;
    # credits 300; 4,500 + 2,100 − 300 = 6,300 owed by the borrower.
    assert data["obligations_after_proceeds"] == "4500.00"
    assert data["expenses_total"] == "2100.00"
    assert data["credits_total"] == "300.00"
    assert data["deficiency"] == "6300.00"
    assert data["surplus"] == "0.00"
    assert "Not legal advice" in data["disclaimer"]


def test_estimate_uses_cited_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["deficiency", "--owed", "15000", "--value", "12000", "--as-of", "2026-11-21", "--json"],
        capsys,
    )
    data = json.loads(out)
    assert code == 0
    assert data["proceeds"] == "9000.00"  # 75 % of 12,000
    assert Decimal(data["deficiency"]) == Decimal("15000") - Decimal("9000") + Decimal(data["expenses_total"])
    assert data["estimate"]["auction_share_percent"] in {"75", "75.00", "75.0"}


def test_given_expense_overrides_one_default(capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "deficiency",
        "--owed",
        "15000",
        "--value",
        "12000",
        "--as-of",
        "2026-11-21",
        "--json",
    ]
    _, out, _ = run(args, capsys)
    base = json.loads(out)
    _, out, _ = run([*args, "--retaking", "600"], capsys)
    more = json.loads(out)
    assert Decimal(more["expenses_total"]) - Decimal(base["expenses_total"]) == Decimal("150.00")


def test_colorado_bar_names_the_rule(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        [
            "deficiency",
            "--owed",
            "2800",
            "--value",
            "1000",
            "--state",
            "CO",
            "--cash-price",
            "2500",
            "--as-of",
            "2026-11-21",
        ],
        capsys,
    )
    assert code == 0
    assert "Result: no deficiency may be collected" in out
    assert "C.R.S. 5-5-103" in out


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["--owed", "1000", "--proceeds", "5"], "--as-of"),
        (["--owed", "1000"], "--proceeds"),
        (["--owed", "1000", "--value", "5", "--state", "XX"], "--state"),
        (
            ["--owed", "1000", "--value", "5", "--auction-share-percent", "101"],
            "--auction-share-percent",
        ),
        (["--owed", "1000", "--value", "5", "--asset-class", "yacht"], "--asset-class"),
        (["--owed", "1000", "--as-of", "2026-11-21", "--proceeds", "-5"], "--proceeds"),
    ],
)
def test_bad_input(args: list[str], flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["deficiency", *args], capsys)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and flag in err, err
