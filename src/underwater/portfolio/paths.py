"""The compiled inner loop: each loan's balance path against its value path, month by month.

This is the one place the portfolio does per-month work, so it is compiled to machine code
with numba (``nogil``: threads run slices of a chunk in parallel) and cached on disk after the
first compile. It walks one loan at a time, so nothing the size of loans × months is ever
held, and stops at the loan's own last payment.

For loan i and scenario s, with money in int64 cents:

- balance: b₀ = balance; b_t = max(b_{t−1} + ⌊(2·b_{t−1}·u + D) / 2D⌋ − payment, 0) with u the
  rate in 1e-5 percent units and D = 100 · 100000 · 12 (interest rounded half away from zero,
  exactly), and b_n = 0: the last payment clears the loan;
- value: v₀ given (computed exactly by the caller); v_t = the exact value·f_s·R[a + t] / R[a]
  rounded half up, with R the class's retention by age in months as an integer number of
  1e-12 units (retention is given to 12 decimal places) and f_s = F_s / 10⁶ = 1 − s/100. It is
  worked in float64 as x = r[a + t] · (value · f_s / r[a]) and rounded ⌊x + ½⌋; float64 is
  good to about 1e-15 of x, so only where x lies within :data:`TOLERANCE` · x of a half cent
  k + ½ can the rounding be in doubt. There the exact sign of 2·value·F_s·R[a + t] −
  (2k + 1)·10⁶·R[a] decides, computed in 64-bit integers modulo 2⁶⁴: the true difference is
  at most 4·10⁶ · TOLERANCE · R[a] · x in size, far below 2⁶³ while R[a] · x ≤
  :data:`EXACT_LIMIT`, so the wrapped result is the exact one. Past that limit (an appreciating
  home worth hundreds of millions) the loan is flagged ``doubt`` and the caller recomputes it
  with the exact library;
- gap_t = b_t + other liens − v_t; ``crossover`` = first t ≤ n with gap_t ≤ 0 (−1 if none);
  ``peak`` = the largest gap_t, ``peak_month`` its first month (0 and −1 when no gap_t > 0).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

import numba
import numpy as np

from underwater.portfolio.schema import MAX_PAYMENTS, RATE_UNITS

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["DIVISOR", "EXACT_LIMIT", "TOLERANCE", "loan_paths"]

DIVISOR = 100 * RATE_UNITS * 12
"""Monthly interest in cents is balance × rate units / DIVISOR."""
TOLERANCE = 1e-14
"""Relative distance from a half cent below which a float64 value is not trusted to round."""
EXACT_LIMIT = 1e26
"""Largest R[a] · x (retention units × cents) for which the integer tie check is exact."""
LANES = 8
"""Loans walked side by side in the balance loop."""
WINDOW = 512
"""Loans sorted by term at a time: a window's inputs stay in the processor's cache."""
SHOCK_SCALE = 10**6
"""Shock factors 1 − s/100 are whole numbers of millionths (s has at most 4 decimals)."""


_F = TypeVar("_F", bound=Callable[..., Any])


def _jit(function: _F) -> _F:
    # Compiled on first call (about a second), then loaded from numba's on-disk cache.
    return cast(_F, numba.njit(nogil=True, cache=True, error_model="numpy")(function))


@_jit
def _round_value(x: float, value: int, millionths: int, then: int, today: int, limit: float) -> np.int64:
    """value · (millionths / 10⁶) · then / today in cents, rounded half up, given its float64
    estimate ``x``. When x was near a half cent and ``today · x`` exceeded ``limit`` (the
    integer check is then not to be trusted) the result is −1 − cents instead: negative."""
    cents = np.int64(math.floor(x + 0.5))
    if abs(x - cents) <= 0.5 - TOLERANCE * x:
        return cents
    # x is within float error of k + 1/2: compare 2·value·F·R[then] with (2k + 1)·10⁶·R[today]
    # modulo 2**64; the difference is small enough that its wrapped sign is the true sign.
    k = np.int64(math.floor(x))
    left = np.uint64(2) * np.uint64(value) * np.uint64(millionths) * np.uint64(then)
    right = np.uint64(2 * k + 1) * np.uint64(SHOCK_SCALE) * np.uint64(today)
    cents = k + 1 if np.int64(left - right) >= 0 else k
    return -1 - cents if x * today > limit else cents


@_jit
def _by_term(months: NDArray[np.int64], start: int, stop: int, order: NDArray[np.int64]) -> None:
    # Positions start..stop-1 ordered by remaining term into order[0..stop-start] (a stable
    # counting sort): loans walked side by side then need about the same number of months.
    counts = np.zeros(MAX_PAYMENTS + 2, dtype=np.int64)
    for i in range(start, stop):
        counts[months[i] + 1] += 1
    for n in range(1, MAX_PAYMENTS + 2):
        counts[n] += counts[n - 1]
    for i in range(start, stop):
        order[counts[months[i]]] = i
        counts[months[i]] += 1


@_jit
def _walk(
    balance: NDArray[np.int64],
    units: NDArray[np.int64],
    payment: NDArray[np.int64],
    months: NDArray[np.int64],
    liens: NDArray[np.int64],
    value: NDArray[np.int64],
    base: NDArray[np.int64],
    retention: NDArray[np.float64],
    units_table: NDArray[np.int64],
    factors: NDArray[np.float64],
    millionths: NDArray[np.int64],
    today: NDArray[np.int64],
    crossover: NDArray[np.int64],
    peak: NDArray[np.int64],
    peak_month: NDArray[np.int64],
    doubt: NDArray[np.bool_],
    limit: float,
) -> None:
    count = balance.shape[0]
    order = np.empty(WINDOW, dtype=np.int64)
    paths = np.empty((LANES, MAX_PAYMENTS + 1), dtype=np.int64)
    owed = np.zeros(LANES, dtype=np.int64)
    rate = np.zeros(LANES, dtype=np.uint64)
    pay = np.zeros(LANES, dtype=np.int64)
    for window in range(0, count, WINDOW):
        size = min(WINDOW, count - window)
        _by_term(months, window, window + size, order)
        for first in range(0, size, LANES):
            _lanes(
                first,
                min(LANES, size - first),
                order,
                balance,
                units,
                payment,
                months,
                liens,
                value,
                base,
                retention,
                units_table,
                factors,
                millionths,
                today,
                crossover,
                peak,
                peak_month,
                doubt,
                limit,
                paths,
                owed,
                rate,
                pay,
            )


@_jit
def _lanes(
    first: int,
    lanes: int,
    order: NDArray[np.int64],
    balance: NDArray[np.int64],
    units: NDArray[np.int64],
    payment: NDArray[np.int64],
    months: NDArray[np.int64],
    liens: NDArray[np.int64],
    value: NDArray[np.int64],
    base: NDArray[np.int64],
    retention: NDArray[np.float64],
    units_table: NDArray[np.int64],
    factors: NDArray[np.float64],
    millionths: NDArray[np.int64],
    today: NDArray[np.int64],
    crossover: NDArray[np.int64],
    peak: NDArray[np.int64],
    peak_month: NDArray[np.int64],
    doubt: NDArray[np.bool_],
    limit: float,
    paths: NDArray[np.int64],
    owed: NDArray[np.int64],
    rate: NDArray[np.uint64],
    pay: NDArray[np.int64],
) -> None:
    longest = 0
    for g in range(lanes):
        i = order[first + g]
        owed[g] = balance[i]
        rate[g] = np.uint64(2 * units[i])
        pay[g] = payment[i]
        paths[g, 0] = balance[i]
        longest = max(longest, months[i])
    # The balance recurrence is a chain of dependent steps: walking LANES loans side by
    # side lets the processor overlap them. A lane past its loan's term runs on unread.
    for t in range(1, longest):
        for g in range(LANES):
            b = owed[g]
            b = b + np.int64((np.uint64(b) * rate[g] + np.uint64(DIVISOR)) // np.uint64(2 * DIVISOR)) - pay[g]
            if b < 0:
                b = 0
            owed[g] = b
            paths[g, t] = b
    for g in range(lanes):
        i = order[first + g]
        paths[g, months[i]] = 0
        _scenarios(
            i,
            paths[g],
            months[i],
            liens[i],
            value[i],
            base[i],
            retention,
            units_table,
            factors,
            millionths,
            today,
            crossover,
            peak,
            peak_month,
            doubt,
            limit,
        )


@_jit
def _scenarios(
    i: int,
    path: NDArray[np.int64],
    n: int,
    lien: int,
    worth: int,
    start: int,
    retention: NDArray[np.float64],
    units_table: NDArray[np.int64],
    factors: NDArray[np.float64],
    millionths: NDArray[np.int64],
    today: NDArray[np.int64],
    crossover: NDArray[np.int64],
    peak: NDArray[np.int64],
    peak_month: NDArray[np.int64],
    doubt: NDArray[np.bool_],
    limit: float,
) -> None:
    # Loan i's balances (path[0..n], cents) against its value in each scenario.
    for s in range(factors.shape[0]):
        scale = worth * factors[s] / retention[start]
        gap = path[0] + lien - today[i, s]
        best = gap
        best_month = 0
        first = 0 if gap <= 0 else -1
        for t in range(1, n + 1):
            x = retention[start + t] * scale
            cents = _round_value(x, worth, millionths[s], units_table[start + t], units_table[start], limit)
            if cents < 0:
                doubt[i] = True
                cents = -1 - cents
            gap = path[t] + lien - cents
            if gap > best:
                best = gap
                best_month = t
            if first < 0 and gap <= 0:
                first = t
        crossover[i, s] = first
        if best > 0:
            peak[i, s] = best
            peak_month[i, s] = best_month
        else:
            peak[i, s] = 0
            peak_month[i, s] = -1


def loan_paths(*arrays: Any) -> None:
    """Run the compiled loop over one slice of loans: the arguments are :func:`_walk`'s
    (inputs per loan, the retention tables, the shock factors, today's values per shock, the
    outputs ``crossover``, ``peak``, ``peak_month`` (loans × scenarios) and ``doubt``, which it
    fills in, and :data:`EXACT_LIMIT`)."""
    _walk(*arrays)
