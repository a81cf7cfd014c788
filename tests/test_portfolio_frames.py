"""The DataFrame API (:mod:`underwater.portfolio.frames`) gives the CLI's frames, exactly."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import polars as pl
import pytest
from polars.testing import assert_frame_equal

import underwater.portfolio
from underwater import cli
from underwater.errors import InputError
from underwater.portfolio.cli import SUMMARY, adder
from underwater.portfolio.frames import run_frame
from underwater.portfolio.schema import REJECT_COLUMNS
from underwater.portfolio.synth import synth_book


@pytest.fixture(autouse=True)
def _registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(cli._EXTRA_COMMANDS, "portfolio", (SUMMARY, adder))


def _book_with_bad_rows(rows: int = 600) -> pl.DataFrame:
    book = synth_book(rows, seed=11).with_columns(pl.col("balance").cast(pl.String))
    bad = book.head(3).with_columns(
        pl.Series("loan_id", ["bad-balance", book["loan_id"][5], "bad-term"]),
        pl.Series("balance", ["-5", "100", "100"]),
        pl.Series("remaining_payments", [60, 60, 0], dtype=book.schema["remaining_payments"]),
    )
    return pl.concat([book.head(250), bad, book.slice(250)])


def test_the_dataframe_api_gives_the_cli_frames(tmp_path: Path) -> None:
    frame = _book_with_bad_rows()
    book = tmp_path / "book.parquet"
    frame.write_parquet(book)
    out, rejects, summary = tmp_path / "out.parquet", tmp_path / "rejects.csv", tmp_path / "s.json"
    argv = ["portfolio", str(book), "-o", str(out), "--shock", "20", "--shock", "12.5"]
    argv += ["--rejects", str(rejects), "--summary-json", str(summary), "--no-progress", "--chunk-size", "97"]
    assert cli.main(argv) == 0
    # A different chunk size: the frames do not depend on how the book is cut.
    run = run_frame(frame, shocks=["20", "12.5"], chunk_size=250, threads=2)
    assert_frame_equal(run.loans, pl.read_parquet(out))
    written = pl.read_csv(rejects, schema=dict.fromkeys(REJECT_COLUMNS, pl.String) | {"row": pl.Int64})
    assert_frame_equal(run.rejects, written)
    assert run.rejects["row"].to_list() == [251, 252, 253]
    assert run.rejects["field"].to_list() == ["balance", "loan_id", "remaining_payments"]
    expected = json.loads(summary.read_text())
    del expected["output"], expected["rejects"]
    assert run.summary == expected
    assert run.summary["rows_in"] == frame.height == run.loans.height + run.rejects.height


def test_a_pandas_frame_gives_the_same_run_as_polars() -> None:
    frame = _book_with_bad_rows(120).with_columns(pl.all().cast(pl.String))
    frame = frame.with_columns(pl.when(pl.int_range(pl.len()) % 7 == 0).then(None).otherwise(pl.col("state")))
    table = pd.DataFrame({name: frame[name].to_list() for name in frame.columns})
    from_pandas = run_frame(table, shocks=[10])
    from_polars = run_frame(frame, shocks=[10])
    assert_frame_equal(from_pandas.loans, from_polars.loans)
    assert_frame_equal(from_pandas.rejects, from_polars.rejects)
    assert from_pandas.summary == from_polars.summary


def test_a_pandas_nan_is_a_missing_cell_and_a_polars_nan_a_reject() -> None:
    cells = {
        "loan_id": ["A"],
        "balance": [18000.0],
        "rate_percent": [6.9],
        "remaining_payments": [60],
        "value": [15000.0],
        "other_liens": [float("nan")],
    }
    assert run_frame(pd.DataFrame(cells)).loans["other_liens"].cast(pl.String).to_list() == ["0.00"]
    rejected = run_frame(pl.DataFrame(cells)).rejects
    assert rejected.select("field", "reason").row(0) == ("other_liens", "must be a finite number")


def test_what_is_not_a_book_is_refused_naming_the_field() -> None:
    with pytest.raises(InputError, match="book: must be a polars or pandas DataFrame"):
        run_frame({"loan_id": ["A"]})
    with pytest.raises(InputError, match="has no column value"):
        run_frame(
            pl.DataFrame(
                {"loan_id": ["A"], "balance": ["1"], "rate_percent": ["1"], "remaining_payments": ["1"]}
            )
        )
    with pytest.raises(InputError, match="chunk_size"):
        run_frame(synth_book(3), chunk_size=0)
    with pytest.raises(InputError, match="shock"):
        run_frame(synth_book(3), shocks=["100"])


@pytest.mark.parametrize(
    ("keywords", "message"),
    [
        # A string is a list of its letters to Python: "10" ran as shocks of 1 % and 0 %.
        ({"shocks": "10"}, r"^shock: must be a list of percents"),
        ({"stress": "manheim_2007_09"}, r"^stress: must be a list of path names"),
        ({"shocks": [10.5]}, r"^shock: .*not a float"),
        ({"threads": True}, r"^threads: must be a whole number"),
        ({"chunk_size": 2.5}, r"^chunk_size: must be a whole number"),
        ({"horizon": 24.0}, r"^horizon: must be a whole number"),
        ({"default_by_ltv": 5}, r"^default_by_ltv: must be bucket=probability pairs or a mapping"),
        ({"stress": [5]}, r"^stress: must be a tuple of StressPath values"),
    ],
)
def test_a_keyword_of_the_wrong_kind_names_its_field(keywords: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        run_frame(synth_book(3), **keywords)  # type: ignore[arg-type]


def test_an_empty_book_gives_empty_frames_with_the_columns() -> None:
    run = run_frame(synth_book(0))
    assert run.loans.height == 0 and run.rejects.columns == list(REJECT_COLUMNS)
    assert run.summary["rows_in"] == 0


def test_the_package_exports_the_api_without_loading_polars() -> None:
    assert underwater.portfolio.run_frame is run_frame
    assert underwater.portfolio.preset_paths()["manheim_2007_09"].name == "manheim_2007_09"
    assert sorted(underwater.portfolio.__all__) == underwater.portfolio.__all__
    with pytest.raises(AttributeError):
        _ = underwater.portfolio.nothing_here  # type: ignore[attr-defined]
    code = "import sys, underwater.portfolio\nassert 'polars' not in sys.modules\n"
    subprocess.run([sys.executable, "-c", code], check=True)
