"""The loans matrix the month loop reads, built in one compiled pass a slice a thread.

Each row is a loan's :data:`~underwater.portfolio.paths.COLUMNS`: its balance, rate, payment,
remaining payments, other liens and value as the book gives them (int64 cents, 1e-5 percent
units, months), the flat index of its age in the retention tables and its class curve's trend.
Where the book gives no payment (−1) the level payment is worked out here,
P·r / (1 − (1 + r)^−n) rounded half up (P / n at 0 %; 0 for a balance of 0), in float64: a
result within float error of a half cent is flagged ``doubtful`` and the caller works it out
again with the exact library (:func:`underwater.loan.level_payment`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from underwater.portfolio.compiled import inline, jit
from underwater.portfolio.paths import COLUMNS, DIVISOR, TOLERANCE
from underwater.portfolio.tables import AGES

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["fill_rows", "level_cents"]

(_BALANCE, _UNITS, _PAYMENT, _MONTHS, _LIENS, _VALUE, _BASE, _TREND) = (
    COLUMNS.index(name)
    for name in ("balance", "rate_units", "payment", "months", "other_liens", "value", "base", "trend")
)


@inline
def _level(balance: int, units: int, n: int) -> tuple[np.int64, bool]:
    # A level payment in cents, and whether its rounding is in doubt (see the module docstring).
    if balance <= 0:
        return np.int64(0), False
    if units == 0:
        return np.int64((2 * balance + n) // (2 * n)), False
    r = units / DIVISOR
    grown = math.expm1(n * math.log1p(r))
    exact = balance * r * (grown + 1.0) / grown
    shifted = exact + 0.5
    whole = math.floor(shifted)
    return np.int64(whole), abs(shifted - whole - 0.5) > 0.5 - (TOLERANCE * abs(exact) + 1e-9)


@jit
def level_cents(
    balance: NDArray[np.int64],
    units: NDArray[np.int64],
    n: NDArray[np.int64],
    out: NDArray[np.int64],
    doubtful: NDArray[np.bool_],
) -> None:
    """Fill ``out`` with the level payment (cents) of each balance (cents) at ``units`` (1e-5
    percent a year) over ``n`` months, and ``doubtful`` where it must be worked out again."""
    for i in range(balance.shape[0]):
        out[i], doubtful[i] = _level(balance[i], units[i], n[i])


@jit
def fill_rows(
    balance: NDArray[np.int64],
    units: NDArray[np.int64],
    given: NDArray[np.int64],
    months: NDArray[np.int64],
    liens: NDArray[np.int64],
    value: NDArray[np.int64],
    asset_class: NDArray[np.int64],
    age: NDArray[np.int64],
    trend: NDArray[np.int64],
    loans: NDArray[np.int64],
    payment: NDArray[np.int64],
    doubtful: NDArray[np.bool_],
) -> None:
    """Fill ``loans`` (loans × COLUMNS) and ``payment`` (cents: ``given`` where it is 0 or
    more, else the level payment; 0 for a balance of 0) from a book's columns, ``trend`` being
    the trend of each asset class; ``doubtful`` marks a level payment to work out again."""
    for i in range(balance.shape[0]):
        b = balance[i]
        paid = given[i]
        doubt = False
        if b <= 0:
            paid = 0
        elif paid < 0:
            paid, doubt = _level(b, units[i], months[i])
        payment[i] = paid
        doubtful[i] = doubt
        loans[i, _BALANCE] = b
        loans[i, _UNITS] = units[i]
        loans[i, _PAYMENT] = paid
        loans[i, _MONTHS] = months[i]
        loans[i, _LIENS] = liens[i]
        loans[i, _VALUE] = value[i]
        loans[i, _BASE] = asset_class[i] * AGES + age[i]
        loans[i, _TREND] = trend[asset_class[i]]
