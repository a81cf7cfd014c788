"""The book month by month (:mod:`underwater.portfolio.rollforward`): the compiled roll-forward
agrees with the exact Decimal engine's month paths summed by polars, to the cent.

Reference: :func:`underwater.portfolio.exact.exact_months`, which asks
``underwater.contracts.AmortizingLoan`` and ``underwater.valuepath.ValuePath`` loan by loan.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from underwater.errors import InputError
from underwater.money import format_money, from_cents, to_cents
from underwater.portfolio import kernel
from underwater.portfolio.exact import exact_inputs, exact_months
from underwater.portfolio.frames import run_frame
from underwater.portfolio.kernel import compute
from underwater.portfolio.rollforward import BUCKETS, Rolled
from underwater.portfolio.scenarios import Scenarios
from underwater.portfolio.schema import validate
from underwater.portfolio.synth import synth_book

SHOCK = Decimal(15)
HORIZON = 30


def _exact_long_frame(frame: pl.DataFrame, shocks: tuple[Decimal, ...], horizon: int) -> pl.DataFrame:
    """Every loan's (balance, value) by month from the exact engine, one row per loan, scenario
    and month the loan may be open."""
    book, rejects = validate(frame)
    assert rejects.height == 0
    rows = []
    for i in range(len(book)):
        loan = exact_inputs(book, i)
        for scenario, shock in enumerate(shocks):
            for month, (balance, value) in enumerate(exact_months(loan, shock, horizon)):
                rows.append(
                    (i, scenario, month, to_cents(balance), to_cents(value), to_cents(loan.other_liens))
                )
    return pl.DataFrame(
        rows, schema=["loan", "scenario", "month", "balance", "value", "liens"], orient="row"
    ).filter((pl.col("month") == 0) | (pl.col("balance") > 0))


def _bucket_expr() -> pl.Expr:
    expr = pl.when(pl.col("value") == 0).then(pl.lit("no_value"))
    for bound, name in zip((80, 100, 120, 140), BUCKETS, strict=False):
        expr = expr.when(100 * pl.col("balance") <= bound * pl.col("value")).then(pl.lit(name))
    return expr.otherwise(pl.lit("gt_140"))


def test_roll_forward_agrees_with_the_exact_engine_summed_by_polars() -> None:
    frame = synth_book(300, seed=5)
    run = run_frame(frame, shocks=[SHOCK], horizon=HORIZON, chunk_size=70)
    long = _exact_long_frame(frame, (Decimal(0), SHOCK), HORIZON).with_columns(
        gap=pl.col("balance") + pl.col("liens") - pl.col("value")
    )
    months = (
        long.group_by("scenario", "month")
        .agg(
            loans_open=pl.len(),
            under_water=(pl.col("gap") > 0).sum(),
            negative=pl.when(pl.col("gap") > 0).then(pl.col("gap")).otherwise(0).sum(),
        )
        .sort("scenario", "month")
    )
    assert months.height == 2 * (HORIZON + 1)
    for scenario, data in enumerate(run.summary["scenarios"]):
        expected = months.filter(pl.col("scenario") == scenario)
        got = data["by_month"]
        assert [row["month"] for row in got] == list(range(HORIZON + 1))
        assert [row["loans_open"] for row in got] == expected["loans_open"].to_list()
        assert [row["under_water"] for row in got] == expected["under_water"].to_list()
        assert [row["total_negative_equity"] for row in got] == [
            format_money(from_cents(int(cents))) for cents in expected["negative"]
        ]
        # Month 0 is today: the headline figures of the same scenario.
        assert got[0]["under_water"] == data["under_water"]
        assert got[0]["total_negative_equity"] == data["total_negative_equity"]
        assert got[0]["loans_open"] == data["loans"] == 300
    # The LTV migration: today's bucket against the bucket at month 12 and 24, closed when gone.
    buckets = long.with_columns(bucket=_bucket_expr())
    today = buckets.filter(pl.col("month") == 0).select("loan", "scenario", origin="bucket")
    for mark in (12, 24):
        then = buckets.filter(pl.col("month") == mark).select("loan", "scenario", "bucket")
        moved = today.join(then, on=["loan", "scenario"], how="left").with_columns(
            pl.col("bucket").fill_null("closed")
        )
        for scenario, data in enumerate(run.summary["scenarios"]):
            counts = moved.filter(pl.col("scenario") == scenario).group_by("origin", "bucket").len()
            expected = {(a, b): n for a, b, n in counts.iter_rows()}
            got = {
                (a, b): n for a, row in data["ltv_migration"][str(mark)].items() for b, n in row.items() if n
            }
            assert got == expected, (mark, scenario)
    assert list(run.summary["scenarios"][0]["ltv_migration"]) == ["12", "24"]


def test_crossover_distribution_is_the_per_loan_column_counted_by_polars() -> None:
    run = run_frame(synth_book(2000, seed=8), shocks=[SHOCK], chunk_size=333)
    for data, column in zip(
        run.summary["scenarios"], ("crossover_month", "crossover_month_shock_15"), strict=True
    ):
        counts = run.loans.group_by(column).len()
        expected = {("none" if m is None else str(m)): n for m, n in counts.iter_rows()}
        assert data["crossover_months"] == expected
        assert sum(data["crossover_months"].values()) == 2000


def test_the_roll_forward_does_not_depend_on_chunks_or_threads() -> None:
    frame = synth_book(1500, seed=9)
    one = run_frame(frame, shocks=[10], horizon=100, chunk_size=1500, threads=1).summary
    many = run_frame(frame, shocks=[10], horizon=100, chunk_size=211, threads=3).summary
    assert one == many
    assert len(one["scenarios"][1]["by_month"]) == 101
    assert list(one["scenarios"][1]["ltv_migration"]) == [str(m) for m in range(12, 97, 12)]


def test_loans_recomputed_exactly_are_rolled_forward_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    book, _ = validate(synth_book(800, seed=12))
    normal = compute(book, Scenarios((SHOCK,), horizon=48))
    monkeypatch.setattr(kernel, "EXACT_LIMIT", 0.0)
    rechecked = compute(book, Scenarios((SHOCK,), horizon=48))
    assert rechecked.rechecked > 0
    assert np.array_equal(normal.rolled.months, rechecked.rolled.months)
    assert np.array_equal(normal.rolled.moves, rechecked.rolled.moves)


loans = st.fixed_dictionaries(
    {
        "balance": st.integers(0, 20_000_000),
        "rate": st.integers(0, 3_000_000),
        "term": st.integers(1, 90),
        "value": st.integers(0, 25_000_000),
        "liens": st.sampled_from([0, 0, 150_000]),
        "age": st.integers(0, 120),
        "asset_class": st.sampled_from(["car", "rv", "home", "class8_sleeper", "ev"]),
    }
)


@settings(max_examples=40, deadline=None)
@given(st.lists(loans, min_size=1, max_size=6), st.integers(0, 100), st.sampled_from([0, 5, 37.5]))
def test_random_loans_roll_forward_to_the_cent(
    drawn: list[dict[str, object]], horizon: int, shock: float
) -> None:
    frame = pl.DataFrame(
        {
            "loan_id": [str(k) for k in range(len(drawn))],
            "balance": [str(from_cents(int(d["balance"]))) for d in drawn],  # type: ignore[call-overload]
            "rate_percent": [str(Decimal(int(d["rate"])) / 100_000) for d in drawn],  # type: ignore[call-overload]
            "remaining_payments": [str(d["term"]) for d in drawn],
            "value": [str(from_cents(int(d["value"]))) for d in drawn],  # type: ignore[call-overload]
            "other_liens": [str(from_cents(int(d["liens"]))) for d in drawn],  # type: ignore[call-overload]
            "asset_age_months": [str(d["age"]) for d in drawn],
            "asset_class": [str(d["asset_class"]) for d in drawn],
        }
    )
    book, rejects = validate(frame)
    shocks = () if shock == 0 else (Decimal(str(shock)),)
    result = compute(book, Scenarios(shocks, horizon=horizon))
    expected = Rolled.empty(1 + len(shocks), horizon, result.rolled.marks)
    for i in range(len(book)):
        loan = exact_inputs(book, i)
        for k, s in enumerate((Decimal(0), *shocks)):
            path = [(to_cents(b), to_cents(v)) for b, v in exact_months(loan, s, horizon)]
            expected.add_loan(k, path, to_cents(loan.other_liens))
    assert np.array_equal(result.rolled.months, expected.months)
    assert np.array_equal(result.rolled.moves, expected.moves)
    assert rejects.height + len(book) == len(drawn)


def test_a_horizon_outside_0_to_600_is_refused() -> None:
    with pytest.raises(InputError, match="horizon"):
        run_frame(synth_book(2), horizon=601)
    book, _ = validate(synth_book(2))
    with pytest.raises(InputError, match="horizon"):
        compute(book, Scenarios(horizon=-1))
    assert len(run_frame(synth_book(2), horizon=0).summary["scenarios"][0]["by_month"]) == 1
