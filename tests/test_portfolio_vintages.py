"""Vintages and liens: summaries by origination quarter, CLTV buckets beside LTV buckets, both
checked against the per-loan output grouped by polars."""

from __future__ import annotations

import datetime

import numpy as np
import polars as pl
import pytest

from underwater.portfolio.frames import run_frame
from underwater.portfolio.synth import synth_book


def _book(rows: int = 900, seed: int = 17) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    days = rng.integers(0, 3 * 365, rows)
    dates = [
        None if k % 9 == 0 else str(datetime.date(2021, 1, 1) + datetime.timedelta(days=int(d)))
        for k, d in enumerate(days)
    ]
    liens = [f"{v:.2f}" if k % 4 == 0 else "0" for k, v in enumerate(rng.uniform(0, 9000, rows))]
    return synth_book(rows, seed=seed).with_columns(
        pl.Series("origination_date", dates), pl.Series("other_liens", liens)
    )


def test_by_origination_quarter_is_the_per_loan_output_grouped_by_polars() -> None:
    frame = _book()
    run = run_frame(frame, shocks=[20], chunk_size=250)
    loans = run.loans.with_columns(
        quarter=pl.Series(frame["origination_date"])
        .str.to_date()
        .map_elements(lambda d: f"{d.year}Q{(d.month - 1) // 3 + 1}", return_dtype=pl.String)
    ).filter(pl.col("quarter").is_not_null())
    for scenario, suffix in zip(run.summary["scenarios"], ("", "_shock_20"), strict=True):
        grouped = loans.group_by("quarter").agg(
            loans=pl.len(),
            under_water=(pl.col("negative_equity" + suffix) > 0).sum(),
            total=pl.col("negative_equity" + suffix).sum(),
        )
        expected = {q: (n, u, f"{t:.2f}") for q, n, u, t in grouped.iter_rows()}
        got = {
            q: (g["loans"], g["under_water"], g["total_negative_equity"])
            for q, g in scenario["by_origination_quarter"].items()
        }
        assert got == expected
        assert sum(g["loans"] for g in scenario["by_origination_quarter"].values()) == 800
    assert list(run.summary["scenarios"][0]["by_origination_quarter"])[:2] == ["2021Q1", "2021Q2"]


def test_cltv_buckets_count_owed_over_value_beside_the_ltv_buckets() -> None:
    run = run_frame(_book(), shocks=[20])
    bounds = [("le_80", 0.8), ("80_100", 1.0), ("100_120", 1.2), ("120_140", 1.4)]
    for scenario, suffix in zip(run.summary["scenarios"], ("", "_shock_20"), strict=True):
        owed = run.loans["owed"].cast(pl.Float64).to_numpy()
        value = run.loans["value" + suffix].cast(pl.Float64).to_numpy()
        # Integer comparison, as the engine does it (100 × owed ≤ bound × value, in cents).
        owed_cents, value_cents = np.rint(owed * 100).astype(np.int64), np.rint(value * 100).astype(np.int64)
        counts = {}
        remaining = value_cents > 0
        for name, bound in bounds:
            inside = remaining & (100 * owed_cents <= round(bound * 100) * value_cents)
            counts[name] = int(inside.sum())
            remaining &= ~inside
        counts["gt_140"] = int(remaining.sum())
        counts["no_value"] = int((value_cents == 0).sum())
        assert scenario["cltv_buckets"] == counts
        assert scenario["cltv_buckets"] != scenario["ltv_buckets"]
        assert sum(scenario["cltv_buckets"].values()) == 900


@pytest.mark.parametrize(
    "cell", ["2023-02-30", "15/04/2023", "2023-4-5", "1899-12-31", "٢٠٢٣-٠١-٠١", "2023-01-01T00:00"]
)
def test_a_bad_origination_date_is_a_reject(cell: str) -> None:
    frame = synth_book(2, seed=1).with_columns(pl.Series("origination_date", ["2023-01-31", cell]))
    run = run_frame(frame)
    assert run.rejects.select("row", "field").rows() == [(2, "origination_date")]
    assert run.rejects["reason"][0].startswith("must be a date such as 2023-04-15")


def test_a_parquet_date_column_and_no_column_at_all() -> None:
    frame = synth_book(3, seed=1).with_columns(
        pl.Series("origination_date", [datetime.date(2024, 12, 31), None, datetime.date(1900, 1, 1)])
    )
    quarters = run_frame(frame).summary["scenarios"][0]["by_origination_quarter"]
    assert {q: g["loans"] for q, g in quarters.items()} == {"1900Q1": 1, "2024Q4": 1}
    assert run_frame(synth_book(3, seed=1)).summary["scenarios"][0]["by_origination_quarter"] == {}
