"""Synthetic loan books: realistic, seeded, vectorised (ten million rows in seconds).

The book mixes a consumer and a small commercial book: cars, SUVs and pickups dominate, with a
few EVs, hybrids, motorcycles, Class 8 trucks, RVs, boats and homes. For each loan:

- an original term (36-96 months for vehicles, weighted towards 60-84 as in today's auto
  lending; 120-240 for RVs and boats; 360 for homes) and how much of it has run;
- a yearly rate by class, prime or subprime (about 4-25 %), to three decimals;
- the asset's age at purchase (most vehicles new, some used) and a price new by class;
- the value at purchase from the class's default depreciation curve, and today's value the
  same curve on with a little market noise;
- the amount financed as a loan-to-value at purchase (taxes, fees, add-ons and rolled-in
  negative equity push it above 100 % for many vehicle loans), amortized to today;
- sometimes a given payment (a little above the level one), other liens, and a state.

Calibration target: roughly a quarter to a third of the vehicle book under water today, like
Edmunds' share of new-vehicle trade-ins with negative equity (26.6 % in Q2 2025, 28.1 % in Q3
2025, 29.3 % in Q4 2025; /work/shared/research/domain-data.md §5.2, V).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from underwater.portfolio.schema import ASSET_CLASSES, STATE_CODES
from underwater.portfolio.tables import tables

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["synth_book", "write_synth_book"]

# Share of the book, price new (dollars, median), rate mean (percent, prime), used share.
_CLASS_MIX: dict[str, tuple[float, float, float, float]] = {
    "car": (0.36, 31_000, 7.5, 0.40),
    "suv": (0.25, 40_000, 7.5, 0.40),
    "pickup": (0.14, 50_000, 7.5, 0.35),
    "ev": (0.04, 48_000, 6.5, 0.25),
    "hybrid": (0.04, 34_000, 6.5, 0.30),
    "motorcycle": (0.03, 15_000, 10.0, 0.40),
    "class8_sleeper": (0.03, 175_000, 9.5, 0.50),
    "class8_daycab": (0.02, 140_000, 9.5, 0.50),
    "rv": (0.04, 60_000, 8.5, 0.40),
    "boat": (0.03, 45_000, 8.5, 0.40),
    "home": (0.02, 380_000, 6.5, 1.00),
}
_VEHICLE_TERMS = np.array([36, 48, 60, 72, 84, 96])
_VEHICLE_TERM_WEIGHTS = np.array([0.05, 0.10, 0.25, 0.33, 0.22, 0.05])


def synth_book(rows: int, seed: int | tuple[int, int] = 0) -> pl.DataFrame:
    """A synthetic book of ``rows`` loans with the input schema of
    :mod:`underwater.portfolio.schema` (money as Decimal(18, 2), the rate as Decimal(8, 3)).

    The same ``seed`` gives the same book.

    >>> book = synth_book(1000, seed=7)
    >>> book.height, book.columns[:3]
    (1000, ['loan_id', 'balance', 'rate_percent'])
    """
    rng = np.random.default_rng(seed)
    names = list(_CLASS_MIX)
    weights = np.array([_CLASS_MIX[k][0] for k in names])
    kind = rng.choice(len(names), size=rows, p=weights / weights.sum())
    code = np.array([ASSET_CLASSES.index(k) for k in names])[kind]
    price_new = np.array([_CLASS_MIX[k][1] for k in names])[kind] * rng.lognormal(0.0, 0.25, rows)
    rate_mean = np.array([_CLASS_MIX[k][2] for k in names])[kind]
    used_share = np.array([_CLASS_MIX[k][3] for k in names])[kind]
    is_home = code == ASSET_CLASSES.index("home")
    is_long = np.isin(code, [ASSET_CLASSES.index("rv"), ASSET_CLASSES.index("boat")])

    term = rng.choice(_VEHICLE_TERMS, size=rows, p=_VEHICLE_TERM_WEIGHTS)
    term = np.where(is_long, rng.choice(np.array([120, 180, 240]), size=rows), term)
    term = np.where(is_home, 360, term)
    elapsed = np.floor(rng.random(rows) * term).astype(np.int64)
    remaining = term - elapsed

    subprime = rng.random(rows) < 0.22
    rate = rate_mean + rng.normal(0.0, 1.5, rows) + np.where(subprime, rng.uniform(5.0, 13.0, rows), 0.0)
    rate_thousandths = np.round(np.clip(rate, 3.9, 25.0) * 1000).astype(np.int64)

    used = rng.random(rows) < used_share
    age_at_purchase = np.where(used, rng.integers(12, 97, rows), 0)
    age_at_purchase = np.where(is_home, rng.integers(0, 361, rows), age_at_purchase)
    age_today = np.minimum(age_at_purchase + elapsed, 600)

    retention = tables().retention
    at_purchase = retention[code, age_at_purchase]
    now = retention[code, age_today]
    value_then = price_new * at_purchase
    value_now = value_then * (now / at_purchase) * rng.lognormal(0.0, 0.10, rows)

    ltv_then = np.where(is_home, rng.uniform(0.75, 0.97, rows), rng.lognormal(np.log(0.98), 0.12, rows))
    principal = value_then * ltv_then
    r = rate_thousandths / 1000 / 1200
    grown_term = (1 + r) ** term
    level = principal * r * grown_term / (grown_term - 1)
    grown = (1 + r) ** elapsed
    balance = principal * grown - level * (grown - 1) / r
    balance_cents = np.maximum(np.round(balance * 100), 100).astype(np.int64)
    value_cents = np.round(value_now * 100).astype(np.int64)

    # A payment on file for one loan in five, a little above the level payment today.
    r_now = rate_thousandths / 1000 / 1200
    grown_left = (1 + r_now) ** remaining
    level_now = balance_cents * r_now * grown_left / (grown_left - 1)
    given = rng.random(rows) < 0.2
    payment_cents = np.ceil(level_now * rng.uniform(1.0, 1.1, rows)).astype(np.int64)

    liens = np.where(
        rng.random(rows) < np.where(is_home, 0.12, 0.03),
        np.round(rng.uniform(500, 5000, rows) * np.where(is_home, 10, 1)) * 100,
        0,
    ).astype(np.int64)
    state_pick = rng.integers(0, len(STATE_CODES), rows)
    has_state = rng.random(rows) < 0.9

    ids = pl.int_range(0, rows, eager=True).cast(pl.String).str.pad_start(9, "0")
    return pl.DataFrame(
        {
            "loan_id": "L" + ids,
            "balance": _money(balance_cents),
            "rate_percent": _decimal(rate_thousandths, 3, 8),
            "remaining_payments": pl.Series(remaining, dtype=pl.Int32),
            "value": _money(value_cents),
            "payment": _money(payment_cents).set(pl.Series(~given), None),
            "asset_class": pl.Series(np.array(ASSET_CLASSES)[code], dtype=pl.String),
            "asset_age_months": pl.Series(age_today, dtype=pl.Int32),
            "other_liens": _money(liens),
            "state": pl.Series(np.array(STATE_CODES)[state_pick]).set(pl.Series(~has_state), None),
        }
    )


def _decimal(scaled: NDArray[np.int64], scale: int, precision: int) -> pl.Series:
    # The scaled integers are the decimals' unscaled values: widened and read as decimals.
    return pl.Series(scaled).cast(pl.Int128).reinterpret(dtype=pl.Decimal(precision, scale))


def _money(cents: NDArray[np.int64]) -> pl.Series:
    return _decimal(cents, 2, 18)


def write_synth_book(
    path: str | Path, rows: int, seed: int = 0, *, chunk: int = 1_000_000, layout: str = "book"
) -> int:
    """Write a synthetic book of ``rows`` loans to ``path`` (``.parquet`` or ``.csv``),
    generated and written chunk by chunk (atomically); returns the number of rows. With
    ``layout="regab"`` the columns are Reg AB II elements (:func:`~underwater.portfolio.regab.to_regab`:
    the fields that have one).

    Chunk k is drawn with the seed sequence ``(seed, k)``, so the book depends only on
    ``seed``, ``rows`` and ``chunk``.
    """
    from underwater.portfolio.io import write_atomic
    from underwater.portfolio.regab import to_regab

    shape = (lambda frame: frame) if layout == "book" else to_regab
    schema = shape(synth_book(1, seed=0)).schema

    def frames() -> Iterator[pl.DataFrame]:
        for k, start in enumerate(range(0, rows, chunk)):
            part = synth_book(min(chunk, rows - start), seed=(seed, k))
            ids = pl.int_range(start, start + part.height, eager=True).cast(pl.String).str.pad_start(9, "0")
            yield shape(part.with_columns(("L" + ids).alias("loan_id")))

    write_atomic(path, frames, schema)
    return rows
