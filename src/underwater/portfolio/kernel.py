"""The vectorised kernel: every loan's path of balance against value, exact to the cent.

**Semantics** (the same in :mod:`underwater.portfolio.exact`, which asks the library loan by
loan). Month 0 is today: owed₀ = balance + other_liens, value₀ = value. Month t ≥ 1 is just
after the t-th monthly payment:

- balance_t follows the amortization recurrence of :mod:`underwater.loan`: interest is
  balance × rate_percent / 100 / 12 rounded to the cent (half away from zero); the payment is
  the given ``payment`` or the level payment over ``remaining_payments``; the last payment (or
  any that would overshoot) clears the balance exactly. Other liens stay constant.
- value_t = value × (1 − s/100) × r(age + t) / r(age), rounded to the cent, with r the asset
  class's default retention curve and s a market shock in percent (0 for the base case).

Per loan and scenario: equity = value₀ − owed₀ (signed), negative_equity = max(owed₀ −
value₀, 0), ltv = balance / value₀ and cltv = owed₀ / value₀ (null when value₀ = 0);
``crossover_month`` = the first t in 0..remaining_payments with owed_t ≤ value_t (0 when above
water today; null when never within the term); ``peak_negative_equity`` = max over those t of
max(owed_t − value_t, 0) and ``peak_month`` the first month it is reached (null when the loan
is never under water); ``estimated_deficiency`` = what a surrender today would leave owed on
this loan's balance by :func:`underwater.deficiency.estimate_deficiency` (auction at 75 % of
value₀, default expenses, the state's rule; null for a home).

**Exactness.** The balance recurrence runs in int64 cents with the rate as an integer number
of 1e-5 percent units, so interest = ⌊(2·b·u + D) / 2D⌋ with D = 100·100000·12 is the
half-away-from-zero rounding of b·u/D, exactly what :mod:`decimal` does. The level payment
and the values are computed in float64 and rounded half up; where the float lands within a
hair (a relative 1e-11) of a half cent, the rounding could go either way, so those few
figures are recomputed exactly (:func:`underwater.loan.level_payment`;
:func:`underwater.depreciation.value_path`'s product ``value × (1 − s/100) × (r(age + t) /
r(age))`` in :mod:`decimal` at its 34-digit precision). Money leaves the kernel as int64 cents.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import TYPE_CHECKING, Any

import numpy as np

from underwater.money import from_cents, to_cents
from underwater.portfolio.schema import ASSET_CLASSES, RATE_UNITS, Book
from underwater.portfolio.tables import AGES, Tables, _fraction, tables

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["BLOCK", "Result", "Scenario", "compute", "level_payments", "shock_suffix"]

BLOCK = 4096
"""Loans per block of the month loop: a block's month-by-loan matrices stay in cache."""

_DIVISOR = 100 * RATE_UNITS * 12
_DECIMAL_PRECISION = 34  # underwater.depreciation's working precision
_TOLERANCE = 1e-14  # relative distance from a half cent below which float rounding is not trusted

I64 = np.int64
F64 = np.float64


def shock_suffix(shock: Decimal) -> str:
    """Column suffix of a shock: ``_shock_10`` for 10 %, ``_shock_12p5`` for 12.5 %.

    >>> shock_suffix(Decimal("10")), shock_suffix(Decimal("12.50"))
    ('_shock_10', '_shock_12p5')
    """
    text = format(shock.normalize(), "f")
    return "_shock_" + text.replace(".", "p")


@dataclass(frozen=True, slots=True)
class Scenario:
    """One scenario's per-loan figures: money in cents (int64), months as int64 with -1 for
    null, ratios float64 with NaN for null."""

    value: NDArray[np.int64]
    equity: NDArray[np.int64]
    negative_equity: NDArray[np.int64]
    ltv: NDArray[np.float64]
    cltv: NDArray[np.float64]
    crossover_month: NDArray[np.int64]
    peak_negative_equity: NDArray[np.int64]
    peak_month: NDArray[np.int64]
    estimated_deficiency: NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Result:
    """The kernel's output for a :class:`Book`, in the book's order: the payment used (cents),
    owed today (cents), and one :class:`Scenario` per shock (the base case is shock 0)."""

    payment: NDArray[np.int64]
    owed: NDArray[np.int64]
    scenarios: dict[Decimal, Scenario]


def _round_half_up(x: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.floor(x + 0.5)


def _near_half(x: NDArray[np.float64]) -> NDArray[np.bool_]:
    shifted = x + 0.5
    distance = np.abs(shifted - np.floor(shifted) - 0.5)
    return distance > 0.5 - (_TOLERANCE * np.abs(x) + 1e-9)


def level_payments(
    balance: NDArray[np.int64], units: NDArray[np.int64], n: NDArray[np.int64]
) -> NDArray[np.int64]:
    """Level monthly payments in cents for balances in cents, rates in 1e-5 percent units and
    ``n`` payments: P·r / (1 − (1 + r)^−n) rounded half up (P / n at 0 %).

    A $30,000 car loan at 9.5 % for 72 months pays 548.24 a month:

    >>> int(level_payments(np.array([3_000_000]), np.array([950_000]), np.array([72]))[0])
    54824
    """
    out = np.zeros(len(balance), dtype=I64)
    zero = units == 0
    out[zero] = (2 * balance[zero] + n[zero]) // (2 * n[zero])
    rated = ~zero & (balance > 0)
    if rated.any():
        p = balance[rated].astype(F64)
        r = units[rated].astype(F64) / _DIVISOR
        grown = np.expm1(n[rated] * np.log1p(r))
        exact = p * r * (grown + 1.0) / grown
        out[rated] = _round_half_up(exact).astype(I64)
        doubtful = _near_half(exact)
        if doubtful.any():
            from underwater.loan import level_payment

            where = np.nonzero(rated)[0][doubtful]
            for i in where:
                rate = Decimal(int(units[i])) / RATE_UNITS
                out[i] = to_cents(level_payment(from_cents(int(balance[i])), rate, int(n[i])))
    return out


@functools.cache
def _retention(asset_class: int, age: int) -> Decimal:
    from underwater.depreciation import default_preset

    return default_preset(ASSET_CLASSES[asset_class]).retention(age)


def _exact_value(value: int, asset_class: int, age: int, months: int, shock: Decimal) -> int:
    # Only for a float that lands within a hair of a half cent: the same product as
    # underwater.depreciation.value_path, in Decimal at its precision, decides the rounding.
    with localcontext() as ctx:
        ctx.prec = _DECIMAL_PRECISION
        shocked = from_cents(value) * (1 - shock / 100)
        exact = shocked * (_retention(asset_class, age + months) / _retention(asset_class, age))
    return to_cents(exact)


def compute(book: Book, shocks: Sequence[Decimal] = (), *, threads: int = 1) -> Result:
    """Run the kernel over ``book`` for the base case and each shock (percent, 0 ≤ s < 100).

    A $18,000 balance at 6.9 % with 60 payments on a $15,000 car: 3,000.00 under water today.

    >>> from underwater.portfolio.schema import validate
    >>> import polars as pl
    >>> book, _ = validate(pl.DataFrame({"loan_id": ["A"], "balance": ["18000"],
    ...     "rate_percent": ["6.9"], "remaining_payments": ["60"], "value": ["15000"]}))
    >>> base = compute(book).scenarios[Decimal(0)]
    >>> int(base.negative_equity[0]), int(base.crossover_month[0])
    (300000, 33)
    """
    t = tables()
    all_shocks = (Decimal(0), *[s for s in shocks if s != 0])
    payment = np.where(
        book.payment >= 0,
        book.payment,
        level_payments(book.balance, book.rate_units, book.remaining_payments),
    )
    payment = np.where(book.balance > 0, payment, 0)
    owed = book.balance + book.other_liens
    count = len(book)
    order = np.argsort(-book.remaining_payments, kind="stable")
    outputs = {s: _empty_scenario(count) for s in all_shocks}
    blocks = [order[start : start + BLOCK] for start in range(0, count, BLOCK)]

    size = BLOCK * (int(book.remaining_payments.max(initial=0)) + 1)
    local = threading.local()

    def run(index: NDArray[np.int64]) -> None:
        if not hasattr(local, "space"):
            local.space = _Workspace(size)
        _block(book, payment, index, all_shocks, t, outputs, local.space)

    if threads > 1 and len(blocks) > 1:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(run, blocks))
    else:
        for index in blocks:
            run(index)
    scenarios = {s: _finish(outputs[s], book, owed, s, t) for s in all_shocks}
    return Result(payment=payment, owed=owed, scenarios=scenarios)


def _empty_scenario(count: int) -> dict[str, NDArray[np.int64]]:
    return {
        "value": np.zeros(count, dtype=I64),
        "crossover_month": np.zeros(count, dtype=I64),
        "peak_negative_equity": np.zeros(count, dtype=I64),
        "peak_month": np.zeros(count, dtype=I64),
    }


class _Workspace:
    """Scratch matrices reused block after block: fresh large arrays would cost a page fault
    per 4 KiB on every operation."""

    def __init__(self, size: int) -> None:
        self.balance = np.empty(size, dtype=I64)
        self.owed = np.empty(size, dtype=F64)
        self.retention = np.empty(size, dtype=F64)
        self.raw = np.empty(size, dtype=F64)
        self.values = np.empty(size, dtype=F64)
        self.beyond = np.empty(size, dtype=np.bool_)
        self.flags = np.empty(size, dtype=np.bool_)

    def take(self, name: str, rows: int, columns: int) -> NDArray[Any]:
        buffer: NDArray[Any] = getattr(self, name)
        return buffer[: rows * columns].reshape(rows, columns)


def _block(
    book: Book,
    payment: NDArray[np.int64],
    index: NDArray[np.int64],
    shocks: tuple[Decimal, ...],
    t: Tables,
    outputs: dict[Decimal, dict[str, NDArray[np.int64]]],
    space: _Workspace,
) -> None:
    n = book.remaining_payments[index]
    months = int(n[0]) + 1 if len(n) else 1
    width = len(index)
    balance = space.take("balance", months, width)
    balance[0] = book.balance[index]
    twice_rate = 2 * book.rate_units[index]
    pay = payment[index]
    # Loans are sorted by term, longest first: at month m only the first `active[m]` still pay,
    # and those whose last payment is month m sit at positions active[m + 1]..active[m].
    active = np.searchsorted(-n, -np.arange(months + 1), side="right")
    for m in range(1, months):
        k = int(active[m])
        previous = balance[m - 1, :k]
        row = balance[m, :k]
        np.multiply(previous, twice_rate[:k], out=row)
        row += _DIVISOR
        row //= 2 * _DIVISOR
        row += previous
        row -= pay[:k]
        np.maximum(row, 0, out=row)
        row[int(active[m + 1]) : k] = 0
        balance[m, k:] = 0
    # From here on loans are rows and months columns, so that per-loan reductions are contiguous.
    month_numbers = np.arange(months)
    beyond = space.take("beyond", width, months)
    np.greater(month_numbers[None, :], n[:, None], out=beyond)
    owed = space.take("owed", width, months)
    np.add(balance.T, book.other_liens[index][:, None], out=owed)
    # Months after a loan's last payment count as surfaced and never as a peak.
    np.copyto(owed, -np.inf, where=beyond)
    cls = book.asset_class[index]
    base_index = cls * AGES + book.asset_age_months[index]
    flat = t.retention.ravel()
    ratio_today = flat[base_index]
    retention = space.take("retention", width, months)
    np.take(flat, base_index[:, None] + month_numbers[None, :], out=retention)
    largest = float(np.max(t.max_ratio[cls])) * float(np.max(book.value[index])) if width else 0.0
    value = book.value[index].astype(F64)
    rows = np.arange(width)
    raw = space.take("raw", width, months)
    values = space.take("values", width, months)
    flags = space.take("flags", width, months)
    for shock in shocks:
        factor = float(1 - shock / 100)
        np.multiply(retention, (value * factor / ratio_today)[:, None], out=raw)
        # Half up; then flag the figures within float error of a half cent.
        np.add(raw, 0.5, out=values)
        np.floor(values, out=values)
        np.subtract(raw, values, out=raw)
        np.abs(raw, out=raw)
        np.greater(raw, 0.5 - (_TOLERANCE * largest * factor + 1e-9), out=flags)
        # Month 0 is today's value times (1 − s/100): exact in integers, no curve involved.
        numerator, denominator = _fraction(1 - shock / 100)
        values[:, 0] = (2 * book.value[index] * numerator + denominator) // (2 * denominator)
        flags[:, 0] = False
        if flags.any():
            for j, m in zip(*np.nonzero(flags & ~beyond), strict=True):
                i = int(index[j])
                values[j, m] = _exact_value(
                    int(book.value[i]), int(book.asset_class[i]), int(book.asset_age_months[i]), int(m), shock
                )
        under = np.subtract(owed, values, out=raw)
        peak_month = np.argmax(under, axis=1)
        peak = under[rows, peak_month]
        surfaced = np.less_equal(under, 0, out=flags)
        crossover = np.argmax(surfaced, axis=1)
        crossover = np.where(surfaced[rows, crossover] & (crossover <= n), crossover, -1)
        out = outputs[shock]
        out["value"][index] = values[:, 0].astype(I64)
        never_under = peak <= 0
        out["peak_negative_equity"][index] = np.where(never_under, 0, peak).astype(I64)
        out["peak_month"][index] = np.where(never_under, -1, peak_month)
        out["crossover_month"][index] = crossover


def _finish(
    raw: dict[str, NDArray[np.int64]], book: Book, owed: NDArray[np.int64], shock: Decimal, t: Tables
) -> Scenario:
    value = raw["value"]
    equity = value - owed
    with np.errstate(divide="ignore", invalid="ignore"):
        zero = value == 0
        ltv = np.where(zero, np.nan, book.balance / np.where(zero, 1, value))
        cltv = np.where(zero, np.nan, owed / np.where(zero, 1, value))
    # Proceeds at the auction share, half up; then UCC 9-615 line 6 floored at 0.
    proceeds = (2 * value * t.share_numerator + t.share_denominator) // (2 * t.share_denominator)
    expenses = t.expenses[book.asset_class, book.state]
    deficiency = np.maximum(book.balance - proceeds + expenses, 0)
    deficiency = np.where(expenses < 0, -1, deficiency)
    return Scenario(
        value=value,
        equity=equity,
        negative_equity=np.maximum(-equity, 0),
        ltv=ltv,
        cltv=cltv,
        crossover_month=raw["crossover_month"],
        peak_negative_equity=raw["peak_negative_equity"],
        peak_month=raw["peak_month"],
        estimated_deficiency=deficiency,
    )
