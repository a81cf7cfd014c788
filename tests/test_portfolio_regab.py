"""Books in SEC Regulation AB II auto-loan field names (:mod:`underwater.portfolio.regab`): a
round trip through ``synth --layout regab`` gives the figures of the same book in the tool's own
names; a missing required element is one line naming it; rejects name the element."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from underwater import cli
from underwater.errors import InputError
from underwater.portfolio.cli import SUMMARY, adder
from underwater.portfolio.frames import run_frame
from underwater.portfolio.regab import REGAB_FIELDS, from_regab, to_regab
from underwater.portfolio.schema import validate
from underwater.portfolio.synth import synth_book

MAPPED = [column for column in REGAB_FIELDS if column != "origination_date"]


@pytest.fixture(autouse=True)
def _registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(cli._EXTRA_COMMANDS, "portfolio", (SUMMARY, adder))


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_synth_regab_round_trip_gives_the_same_figures(tmp_path: Path, suffix: str) -> None:
    book = tmp_path / f"abs{suffix}"
    assert cli.main(["portfolio", "synth", "700", "-o", str(book), "--layout", "regab", "--seed", "5"]) == 0
    written = pl.read_parquet(book) if suffix == ".parquet" else pl.read_csv(book, infer_schema=False)
    assert written.columns[:2] == ["assetNumber", "reportingPeriodActualEndBalanceAmount"]
    out = tmp_path / "out.parquet"
    argv = ["portfolio", str(book), "-o", str(out), "--layout", "regab", "--shock", "10", "--no-progress"]
    assert cli.main(argv) == 0
    # The same loans in the tool's own names, the fields Reg AB II has (the rest at their defaults).
    # (write_synth_book draws its one chunk with the seed sequence (seed, 0) and numbers the ids.)
    native = synth_book(700, seed=(5, 0)).with_columns(
        ("L" + pl.int_range(0, 700).cast(pl.String).str.pad_start(9, "0")).alias("loan_id")
    )
    expected = run_frame(native.select(MAPPED), shocks=[10]).loans
    assert_frame_equal(pl.read_parquet(out), expected)


def test_from_regab_undoes_to_regab() -> None:
    book = synth_book(500, seed=8).with_columns(pl.lit("2024-03-15").alias("origination_date"))
    there, _ = validate(book.select(*MAPPED, "origination_date"))
    back, rejects = validate(from_regab(to_regab(book)))
    assert rejects.height == 0
    for name in ("balance", "rate_units", "remaining_payments", "value", "payment", "state"):
        assert np.array_equal(getattr(there, name), getattr(back, name)), name
    assert set(back.origination_quarter.tolist()) == {(2024 - 1900) * 4}  # MM/YYYY keeps the quarter


def test_a_missing_required_field_is_one_line_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = tmp_path / "abs.parquet"
    to_regab(synth_book(5)).drop("remainingTermToMaturityNumber").write_parquet(book)
    assert cli.main(["portfolio", str(book), "-o", str(tmp_path / "o.parquet"), "--layout", "regab"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "has no Reg AB II field remainingTermToMaturityNumber" in err
    with pytest.raises(
        InputError, match="reportingPeriodInterestRatePercentage or originalInterestRatePercentage"
    ):
        run_frame(to_regab(synth_book(5)).drop("reportingPeriodInterestRatePercentage"), layout="regab")


def test_rejects_name_the_element_and_the_original_rate_stands_in() -> None:
    frame = pl.DataFrame(
        {
            "assetNumber": ["A", "B", "C"],
            "reportingPeriodActualEndBalanceAmount": ["18000", "-1", "18000"],
            "originalInterestRatePercentage": ["0.069", "0.069", "6.9%"],
            "remainingTermToMaturityNumber": ["60", "60", "60"],
            "vehicleValueAmount": ["15000", "15000", "15000"],
            "originationDate": ["04/2023", "04-15-2023", "2023"],
        }
    )
    run = run_frame(frame, layout="regab")
    assert run.rejects.select("row", "field").rows() == [
        (2, "reportingPeriodActualEndBalanceAmount"),
        (3, "originalInterestRatePercentage"),
    ]
    assert str(run.loans["negative_equity"][0]) == "3000.00" and run.loans["crossover_month"][0] == 33
    assert run.summary["scenarios"][0]["by_origination_quarter"] == {
        "2023Q2": {
            "loans": 1,
            "under_water": 1,
            "share_under_water": "1.0000",
            "total_negative_equity": "3000.00",
        }
    }
