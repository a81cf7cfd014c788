"""The ``underwater portfolio`` command: runs, synth, help, and one-line errors with exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from underwater import cli
from underwater.portfolio.cli import SUMMARY, adder


@pytest.fixture(autouse=True)
def _registered(monkeypatch: pytest.MonkeyPatch) -> None:
    # The lead registers the command in underwater.cli; register it the same way here.
    monkeypatch.setitem(cli._EXTRA_COMMANDS, "portfolio", (SUMMARY, adder))


def test_synth_then_run_with_shocks_and_summary_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = tmp_path / "book.parquet"
    assert cli.main(["portfolio", "synth", "2000", "-o", str(book), "--seed", "3"]) == 0
    assert pl.read_parquet(book).height == 2000
    out = tmp_path / "out.parquet"
    summary = tmp_path / "summary.json"
    status = cli.main(
        [
            "portfolio",
            str(book),
            "-o",
            str(out),
            "--shock",
            "10",
            "--shock",
            "20",
            "--summary-json",
            str(summary),
        ]
    )
    assert status == 0
    data = json.loads(summary.read_text())
    assert data["rows_in"] == 2000 == data["rows_out"] + data["rows_rejected"]
    assert [s["shock_percent"] for s in data["scenarios"]] == ["0", "10", "20"]
    assert "negative_equity_shock_10" in pl.read_parquet(out).columns
    printed = capsys.readouterr().out
    assert "rows in 2,000" in printed and "shock 20 %" in printed


def test_a_curve_by_bucket_gives_the_book_an_expected_loss(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = tmp_path / "book.parquet"
    assert cli.main(["portfolio", "synth", "500", "-o", str(book), "--seed", "4"]) == 0
    out, summary = tmp_path / "out.parquet", tmp_path / "summary.json"
    curve = "le_80=0.004,80_100=0.012,100_120=0.03,120_140=0.055,gt_140=0.09,no_value=0.2"
    arguments = ["portfolio", str(book), "-o", str(out), "--summary-json", str(summary), "--no-progress"]
    assert cli.main([*arguments, "--default-by-ltv", curve]) == 0
    data = json.loads(summary.read_text())
    loans = pl.read_parquet(out)
    base = data["scenarios"][0]
    assert data["default_by_ltv"]["gt_140"] == "0.09"
    assert base["loans_with_expected_loss"] == loans["expected_loss"].is_not_null().sum() > 0
    assert base["total_expected_loss"] == f"{loans['expected_loss'].sum():.2f}"
    assert "else by CLTV bucket: le_80 0.004" in capsys.readouterr().out


def test_help_has_examples(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["portfolio", "--help"]) == 0
    text = capsys.readouterr().out
    assert "examples:" in text
    examples = text.split("examples:")[1].strip().splitlines()
    assert examples and all(line.strip().startswith("underwater portfolio") for line in examples)


@pytest.mark.parametrize(
    ("arguments", "option"),
    [
        (["missing.parquet", "-o", "out.parquet"], "BOOK"),
        (["book.xlsx", "-o", "out.parquet"], "BOOK"),
        (["book.csv", "-o", "out.json"], "--output"),
        (["book.csv", "-o", "out.csv", "--shock", "120"], "--shock"),
        (["book.csv", "-o", "out.csv", "--shock", "-1"], "--shock"),
        (["book.csv", "-o", "out.csv", "--chunk-size", "0"], "--chunk-size"),
        (["book.csv", "-o", "out.csv", "--compression", "gzip"], "--compression"),
        (["book.csv", "-o", "out.csv", "--threads", "0"], "--threads"),
        (["book.csv", "-o", "out.csv", "--default-by-ltv", "le_80=2"], "--default-by-ltv"),
        (["book.csv", "-o", "out.csv", "--default-by-ltv", "under=0.1"], "--default-by-ltv"),
        (["synth", "ten", "-o", "book.parquet"], "N"),
        (["synth", "-o", "book.parquet"], "N"),
    ],
)
def test_bad_input_is_one_line_naming_the_option(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    arguments: list[str],
    option: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "book.csv").write_text("loan_id,balance,rate_percent,remaining_payments,value\nA,1,1,1,1\n")
    assert cli.main(["portfolio", *arguments]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and option in err and "Traceback" not in err
    assert not (tmp_path / "out.csv").exists()


def test_missing_output_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["portfolio", "book.csv"]) == 2
    assert "-o/--output" in capsys.readouterr().err


def test_help_names_every_compression(capsys: pytest.CaptureFixture[str]) -> None:
    from underwater.portfolio.io import COMPRESSIONS

    assert cli.main(["portfolio", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert all(name in text for name in COMPRESSIONS)
    assert f"[default: {COMPRESSIONS[0]}]" in text
