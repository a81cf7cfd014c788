"""Expected loss (``default_probability`` × estimated deficiency): only where the book gives a
probability per loan, exact to the cent against the Decimal engine, validated as 0..1."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import polars as pl
import pytest

from underwater.portfolio.exact import exact_inputs, exact_loan
from underwater.portfolio.frames import run_frame
from underwater.portfolio.schema import validate
from underwater.portfolio.stress import stress_path
from underwater.portfolio.synth import synth_book


def _with_probabilities(rows: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    chance = [None if k % 5 == 0 else f"{rng.integers(0, 1_000_001) / 1_000_000:.6f}" for k in range(rows)]
    return synth_book(rows, seed=seed).with_columns(pl.Series("default_probability", chance, dtype=pl.String))


def test_expected_loss_agrees_with_the_exact_engine_and_sums_in_the_summary() -> None:
    frame = _with_probabilities(400, 31)
    run = run_frame(frame, shocks=[15], stress=["fitch_prime_severe_recovery"])
    book, _ = validate(frame)
    specs = (Decimal(15), stress_path("fitch_prime_severe_recovery"))
    columns = ["expected_loss", "expected_loss_shock_15", "expected_loss_stress_fitch_prime_severe_recovery"]
    for i, row in enumerate(run.loans.select(columns).rows()):
        exact = exact_loan(exact_inputs(book, i), specs)
        assert list(row) == [exact[c] for c in columns], i
    assert run.summary["loans_with_default_probability"] == 320
    for scenario, column in zip(run.summary["scenarios"], columns, strict=True):
        total = run.loans[column].sum()
        assert scenario["total_expected_loss"] == f"{total:.2f}"
    # Where a row gives no probability there is no expected loss, whatever its deficiency.
    missing = run.loans.filter(pl.Series(frame["default_probability"].is_null()))
    assert missing["expected_loss"].null_count() == missing.height == 80
    assert run.loans.filter(pl.col("asset_class") == "home")["expected_loss"].null_count() > 0


def test_without_the_column_no_loss_is_invented() -> None:
    run = run_frame(synth_book(200, seed=2), shocks=[10])
    assert run.loans["expected_loss"].null_count() == 200
    assert run.summary["loans_with_default_probability"] == 0
    assert all(s["total_expected_loss"] is None for s in run.summary["scenarios"])


def test_a_one_probability_loses_the_whole_deficiency_and_zero_none() -> None:
    chance = ["1", "0", "0.5"] * 16 + ["1", "1"]
    frame = synth_book(50, seed=5).with_columns(pl.Series("default_probability", chance))
    loans = run_frame(frame).loans.with_columns(pl.Series("chance", chance))
    loans = loans.filter(pl.col("estimated_deficiency").is_not_null())
    ones, zeros = loans.filter(pl.col("chance") == "1"), loans.filter(pl.col("chance") == "0")
    assert ones.height and zeros.height
    assert ones["expected_loss"].to_list() == ones["estimated_deficiency"].to_list()
    assert set(zeros["expected_loss"].to_list()) == {Decimal(0)}


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("1.5", "must be at most 1 (a probability)"),
        ("-0.1", "must not be negative"),
        ("0.1234567", "must have at most 6 decimal places"),
        ("2%", "must be a probability from 0 to 1 such as 0.02"),
        ("1e-3", "must be a probability from 0 to 1 such as 0.02"),
    ],
)
def test_a_bad_probability_is_a_reject_naming_the_field(cell: str, reason: str) -> None:
    frame = synth_book(2, seed=1).with_columns(pl.Series("default_probability", ["0.02", cell]))
    run = run_frame(frame)
    assert run.rejects.select("row", "field", "reason").rows() == [(2, "default_probability", reason)]


def test_a_float_probability_in_parquet_is_read_exactly_and_nan_is_a_reject() -> None:
    frame = synth_book(3, seed=1).with_columns(
        pl.Series("default_probability", [0.02, 0.000001, float("nan")])
    )
    run = run_frame(frame)
    book, _ = validate(frame)
    assert book.default_probability.tolist() == [20000, 1]
    assert run.rejects.select("field", "reason").rows() == [
        ("default_probability", "must be a finite number")
    ]
