"""The CLI: seed examples through the command line, JSON keys, one-line errors, help examples."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from clitools import run
from underwater.cli import build_parser
from underwater.ops import operations


def test_done_when_example(capsys: pytest.CaptureFixture[str]) -> None:
    # The foundation issue's "done when": two liens 150,000 + 30,000 on a home worth 170,000.
    code, out, _ = run(
        ["equity", "--owed", "150000", "--owed", "30000", "--value", "170000", "--json"], capsys
    )
    data = json.loads(out)
    assert code == 0
    assert data["negative_equity"] == "10000.00"
    assert data["cltv"] == "1.0588"
    assert data["status"] == "underwater"


@pytest.mark.parametrize(
    ("args", "negative_equity", "positive_equity"),
    [
        (["--owed", "18000", "--value", "15000"], "3000.00", "0.00"),
        (["--owed", "200000", "--value", "175000"], "25000.00", "0.00"),
        (["--owed", "10000", "--value", "10000"], "0.00", "0.00"),
        (["--owed", "150000", "--value", "180000"], "0.00", "30000.00"),
        (["--owed", "30000", "--value", "28000"], "2000.00", "0.00"),
        (["--owed", "65000", "--value", "58000"], "7000.00", "0.00"),
        (["--owed", "45000", "--value", "50000"], "0.00", "5000.00"),
        (
            ["--lien", "first mortgage=150000", "--lien", "HELOC=30000", "--value", "170000"],
            "10000.00",
            "0.00",
        ),
        (["--owed", "7500", "--value", "6000", "--value-source", "offer"], "1500.00", "0.00"),
        (["--owed", "36000", "--value", "34000"], "2000.00", "0.00"),
        (["--owed", "19000", "--value", "15500"], "3500.00", "0.00"),
        (["--owed", "$90,000", "--value", "$65,000"], "25000.00", "0.00"),
    ],
)
def test_seed_examples_through_the_cli(
    args: list[str], negative_equity: str, positive_equity: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["equity", *args, "--json"], capsys)
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["negative_equity"] == negative_equity
    assert data["positive_equity"] == positive_equity


def test_truck_gap_table_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["equity", "--owed", "80000", "--value", "60000", "--offer", "58000"], capsys)
    assert code == 0
    assert out.splitlines()[0] == "Position"
    assert "  gap to bring to closing   22,000.00" in out
    assert "  negative equity           20,000.00" in out
    assert "  status                   underwater" in out


def test_exact_table_for_the_glossary_car(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["equity", "--owed", "19000", "--value", "15500"], capsys)
    assert code == 0
    assert out == (
        "Position\n"
        "  owed: loan        19,000.00\n"
        "  value (market)    15,500.00\n"
        "  equity            -3,500.00\n"
        "  negative equity    3,500.00\n"
        "  positive equity        0.00\n"
        "  LTV                  1.2258\n"
        "  CLTV                 1.2258\n"
        "  status           underwater\n"
    )


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["--owed", "18000", "--value", "-5"], "--value"),
        (["--owed", "abc", "--value", "15000"], "--owed"),
        (["--owed", "1.005", "--value", "15000"], "--owed"),
        (["--owed", "18000"], "--value"),
        (["--value", "15000"], "--owed"),
        (["--owed", "18000", "--value", "15000", "--offer", "x"], "--offer"),
        (["--lien", "=5", "--value", "15000"], "--lien"),
        (["--owed", "18000", "--value", "15000", "--value-source", "guess"], "--value-source"),
        (["--owed", "18000", "--value"], "--value"),
        (["--owed", "18000", "--value", "1", "--bogus", "2"], "--bogus"),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_field(
    args: list[str], flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["equity", *args], capsys)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert flag in err
    assert "Traceback" not in err


TRUCK = ["--owed", "80000", "--value", "60000", "--rate-percent", "9", "--remaining-payments", "48"]


@pytest.mark.parametrize(
    ("args", "flag", "rule"),
    [
        ([*TRUCK, "--cash-available", "-5"], "--cash-available", "must not be negative"),
        ([*TRUCK, "--monthly-budget", "2,5"], "--monthly-budget", "dot for cents"),
        ([*TRUCK, "--months-behind", "-1"], "--months-behind", "at least 0"),
        ([*TRUCK, "--months-behind", "1.5"], "--months-behind", "whole number"),
        ([*TRUCK, "--credit-tier", "gold"], "--credit-tier", "must be one of"),
        ([*TRUCK, "--stage", "repossessed"], "--repo-sale-price", "required after a repossession"),
        ([*TRUCK, "--repo-sale-price", "5000"], "--repo-sale-price", "applies after a repossession"),
        (["--owed", "80000", "--value", "60000"], "--rate-percent", "is required"),
        ([*TRUCK, "--opportunity-rate-percent", "1001"], "--opportunity-rate-percent", "at most"),
    ],
)
def test_options_bad_means_and_stages_exit_2_naming_the_option(
    args: list[str], flag: str, rule: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["options", *args], capsys)
    assert code == 2 and out == "" and "Traceback" not in err
    assert err.startswith(f"underwater options: error: {flag}") and rule in err, err


@pytest.mark.parametrize(
    "args",
    [
        ["equity", "--value", "-5", "--owed", "1"],
        ["equity", "--owed", "abc", "--value", "1"],
        ["equity", "--owed", "1.005", "--value", "1"],
        ["equity", "--owed", "1"],
        ["equity", "--owed", "1", "--value"],
        ["equity", "--nope"],
    ],
)
def test_bad_input_in_a_real_process(args: list[str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "underwater", *args], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("underwater")


def test_version() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "underwater", "--version"], capture_output=True, text=True, check=True
    )
    assert proc.stdout.startswith("underwater ")


def test_every_command_help_shows_an_example() -> None:
    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in subparsers.choices.items():
        examples = sub.format_help().split("examples:")
        assert len(examples) == 2, f"{name} --help has no examples section"
        assert f"underwater {name}" in examples[1], name
    for name, op in operations().items():
        help_text = subparsers.choices[name].format_help()
        assert "examples:" in help_text
        for example in op.examples:
            assert example in help_text


@pytest.mark.parametrize("command", ["portfolio", "serve"])
def test_a_command_that_is_not_a_job_parses_alone_as_in_the_whole_parser(command: str) -> None:
    # main builds only that command's parser: its help and every parse must be the same.
    whole = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    alone = next(a for a in build_parser(command)._actions if isinstance(a, argparse._SubParsersAction))
    assert list(alone.choices) == [command]
    assert alone.choices[command].format_help() == whole.choices[command].format_help()
    samples = {
        "portfolio": [
            ["portfolio", "book.parquet", "-o", "out.parquet", "--shock", "10", "--horizon", "12"],
            ["portfolio", "synth", "1000", "-o", "abs.parquet", "--layout", "regab"],
            ["portfolio", "book.csv", "-o", "out.csv", "--stress", "manheim_2007_09", "--no-progress"],
        ],
        "serve": [["serve", "--port", "8001"], ["serve"]],
    }
    for words in samples[command]:
        first, second = vars(build_parser().parse_args(words)), vars(build_parser(command).parse_args(words))
        assert first.pop("_parser").prog == second.pop("_parser").prog
        assert first == second


def test_a_book_run_imports_no_job_module(tmp_path: Path) -> None:
    book = tmp_path / "book.csv"
    book.write_text("loan_id,balance,rate_percent,remaining_payments,value\nA,18000,6.9,60,15000\n")
    code = (
        "import sys; from underwater.cli import main; "
        f"main(['portfolio', {str(book)!r}, '-o', {str(tmp_path / 'out.csv')!r}, '--no-progress']); "
        "print(sorted(m for m in sys.modules if m.startswith('underwater.ops.')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_an_unusual_but_allowed_value_is_a_warning_not_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    # A 500 % rate is legal (up to 1,000 %) but far above the 36 % many states cap consumer loans at.
    args = [
        "options",
        "--owed",
        "8000",
        "--value",
        "6000",
        "--rate-percent",
        "500",
        "--remaining-payments",
        "12",
    ]
    code, out, err = run(args, capsys)
    assert code == 0 and out
    assert err == (
        "underwater options: warning: --rate-percent: is 500, far above the usual (at most 36): "
        "check it was typed right\n"
    )


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["loan", "--principal", "18800", "--rate-percent", "500", "--n-payments", "72"], "--rate-percent"),
        (
            [
                "payoff",
                "--balance",
                "1000",
                "--rate-percent",
                "240",
                "--last-payment-date",
                "2026-11-01",
                "--payoff-date",
                "2026-11-21",
            ],
            "--rate-percent",
        ),
        (
            [
                "rebate",
                "--amount-financed",
                "3000",
                "--add-on-rate-percent",
                "40",
                "--n-payments",
                "24",
                "--payments-made",
                "12",
            ],
            "--add-on-rate-percent",
        ),
    ],
)
def test_every_job_warns_of_a_rate_far_above_the_usual(
    args: list[str], flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # The same rule on every rate a person types, not only the exits' (36 %: see situation._rate).
    code, out, err = run(args, capsys)
    assert code == 0 and out
    assert err.startswith(f"underwater {args[0]}: warning: {flag}: is ") and "at most 36" in err
    assert err.count("\n") == 1


def test_json_output_carries_the_warning_too(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        ["loan", "--principal", "18800", "--rate-percent", "500", "--n-payments", "72", "--json"], capsys
    )
    assert code == 0 and "warning:" in err
    assert json.loads(out)["input_warnings"] == [
        {
            "field": "rate_percent",
            "rule": "is 500, far above the usual (at most 36): check it was typed right",
        }
    ]
    code, out, _ = run(
        ["loan", "--principal", "18800", "--rate-percent", "6", "--n-payments", "72", "--json"], capsys
    )
    assert code == 0 and "input_warnings" not in json.loads(out)
