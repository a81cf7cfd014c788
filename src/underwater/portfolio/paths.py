"""The compiled inner loop: each loan's balance path against its value path, month by month.

This is the one place the portfolio does per-month work, so it is compiled to machine code
with numba (``nogil``: threads run slices of a chunk in parallel) and cached on disk after the
first compile. Nothing the size of loans × months is ever held: the balance recurrence runs
:data:`LANES` loans of similar term side by side (its steps depend on each other, so one loan
alone would leave the processor waiting), then each loan's values are walked against its
balances, stopping once no later month can change the answer.

For loan i and scenario s, with money in int64 cents:

- balance: b₀ = balance; b_t = max(b_{t−1} + ⌊(2·b_{t−1}·u + D) / 2D⌋ − payment, 0) with u the
  rate in 1e-5 percent units and D = 100 · 100000 · 12 (interest rounded half away from zero,
  exactly), and b_n = 0: the last payment clears the loan;
- value: v₀ given (computed exactly by the caller); v_t = the exact value·f_{s,t}·R[a + t] / R[a]
  rounded half up, with R the class's retention by age in months as an integer number of
  1e-12 units (retention is given to 12 decimal places) and f_{s,t} = F_{s,t} / 10⁶ the
  scenario's value factor in month t (1 − s/100 every month for a shock of s %; an index
  path's level ÷ 100). It is
  worked in float64 as x = r[a + t] · f_{s,t} · (value / r[a]) and rounded ⌊x + ½⌋; float64 is
  good to about 1e-15 of x, so only where x lies within :data:`TOLERANCE` · x of a half cent
  k + ½ can the rounding be in doubt. There the exact sign of 2·value·F_s·R[a + t] −
  (2k + 1)·10⁶·R[a] decides, computed in 64-bit integers modulo 2⁶⁴: the true difference is
  at most 4·10⁶ · TOLERANCE · R[a] · x in size, far below 2⁶³ while R[a] · x ≤
  :data:`EXACT_LIMIT`, so the wrapped result is the exact one. Past that limit (an appreciating
  home worth hundreds of millions) the loan is flagged ``doubt`` and the caller recomputes it
  with the exact library;
- gap_t = b_t + other liens − v_t; ``crossover`` = the month from which gap_t ≤ 0 in every
  later month to n (one past the last month under water; 0 when never under; −1 when still
  under at n), the single-loan engine's definition: a loan even today that dips later has not
  crossed over; ``first_under`` = the first month with gap_t > 0 (−1 when none); ``peak`` =
  the largest gap_t, ``peak_month`` its first month (0 and −1 when no gap_t > 0). Balances
  never rise (a payment always exceeds the interest), so the figures stop at a month above
  water from which no later month can go under again: once the scenario's factor is steady,
  on a curve that never rises (trend 1) no later gap exceeds b_t + liens − v_n (that month is
  found by a binary search on the balances alone, before any value is worked out), and on one
  that never falls (trend −1) none exceeds gap_t (found on the way). Over the months up to
  it the figures are reductions (a largest gap, a first and a last month under water) that
  the compiler turns into vector instructions;
- the roll-forward (:mod:`underwater.portfolio.rollforward`): for months 0..horizon while the
  loan is open, counts of loans open and under water and their negative equity, and the LTV
  bucket at every mark month against today's, added into per-thread totals. A loan's open
  months are the same in every scenario, so it is counted once, at the month it closes.

The loops read every array by index and never through a row's view: numba counts references
to a view with atomic instructions, which it cannot leave out around a loop, and two threads
updating the same count wait on each other (measured: a quarter of the kernel's time). In the
month loops the index is unsigned (``u = np.uint64(t)``): numba reads a negative index from the
end of an array, and the check for one, month by month, kept the compiler from loading
consecutive months as one vector (it gathered them one by one instead).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from underwater.portfolio.compiled import inline, jit
from underwater.portfolio.rollforward import CLOSED, LTV_BOUNDS, ROLLED
from underwater.portfolio.schema import MAX_AGE_MONTHS, MAX_MONEY_CENTS, MAX_PAYMENTS, RATE_UNITS
from underwater.portfolio.tables import AGES

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = [
    "CLOSED",
    "COLUMNS",
    "DIVISOR",
    "EXACT_LIMIT",
    "FIGURES",
    "LTV_BOUNDS",
    "ROLLED",
    "TOLERANCE",
    "OutOfRangeError",
    "loan_paths",
    "ltv_bucket",
]

COLUMNS = ("balance", "rate_units", "payment", "months", "other_liens", "value", "base", "trend")
"""The columns of the loans matrix :func:`loan_paths` takes, in order (int64): money in cents,
the rate in 1e-5 percent units, ``base`` = class × ages + age (the retention tables' flat
index of today), ``trend`` = the class curve's direction (1 never rises, −1 never falls, 0)."""
FIGURES = ("crossover_month", "first_under_water_month", "peak_negative_equity", "peak_month")
"""What :func:`loan_paths` fills in per loan and scenario, in order (int64, −1 for none)."""
(_BALANCE, _UNITS, _PAYMENT, _MONTHS, _LIENS, _VALUE, _BASE, _TREND) = range(len(COLUMNS))
(_OPEN, _UNDER, _NEGATIVE) = range(len(ROLLED))
(_CROSSOVER, _FIRST_UNDER, _PEAK, _PEAK_MONTH) = range(len(FIGURES))

DIVISOR = 100 * RATE_UNITS * 12
"""Monthly interest in cents is balance × rate units / DIVISOR."""
TOLERANCE = 1e-14
"""Relative distance from a half cent below which a float64 value is not trusted to round."""
EXACT_LIMIT = 1e26
"""Largest R[a] · x (retention units × cents) for which the integer tie check is exact."""
LANES = 8
"""Loans walked side by side in the balance loop."""
BLOCK = 16
"""Months of values worked out at once, as a vector, in the walk against the balances."""
WINDOW = 512
"""Loans sorted by term at a time: a window's inputs stay in the processor's cache."""
SHOCK_SCALE = 10**6
"""Value factors (a shock's 1 − s/100, an index path's level ÷ 100) are whole numbers of
millionths (at most 4 decimals in percent or index points)."""
MAX_FACTOR = 10 * SHOCK_SCALE
"""The largest value factor, in millionths: an index at most ten times today's level."""


class OutOfRangeError(RuntimeError):
    """An input outside the ranges :func:`~underwater.portfolio.schema.validate` enforces
    reached the compiled loop: a bug in the code before it, never bad input (which is a
    reject). The loop indexes arrays by these numbers and does not check them itself."""


# Bounds of each column of the loans matrix, inclusive; a level payment can exceed the
# balance by a month's interest (at most 100 % / 12 of it), so payments get twice the room.
_BOUNDS = {
    "balance": (0, MAX_MONEY_CENTS),
    "rate_units": (0, 100 * RATE_UNITS),
    "payment": (0, 2 * MAX_MONEY_CENTS),
    "months": (1, MAX_PAYMENTS),
    "other_liens": (0, MAX_MONEY_CENTS),
    "value": (0, MAX_MONEY_CENTS),
    "trend": (-1, 1),
}


def _guard(
    loans: NDArray[np.int64],
    retention: NDArray[np.float64],
    units: NDArray[np.int64],
    scenarios: int,
    today: NDArray[np.int64],
    out: NDArray[np.int64],
    doubt: NDArray[np.bool_],
) -> None:
    """The loans, tables and per-loan outputs (see :func:`_guard_scenarios` for the rest)."""
    # Cheap (a min and a max a column) next to the loop, and it turns what would be a wild
    # memory access into a clear error.
    count = loans.shape[0]
    if loans.ndim != 2 or loans.shape[1] != len(COLUMNS) or loans.dtype != np.int64:
        raise OutOfRangeError(f"loans must be an int64 matrix of {len(COLUMNS)} columns")
    if (
        today.shape != (scenarios, count)
        or out.shape != (scenarios, len(FIGURES), count)
        or doubt.shape != (count,)
    ):
        raise OutOfRangeError(
            "doubt must have a loan a row, today a scenario a row, out scenarios × figures × loans"
        )
    if retention.shape != units.shape or retention.ndim != 1:
        raise OutOfRangeError("retention tables must be flat and of the same size")
    if not count:
        return
    # Every column's least and largest in one compiled pass over the rows (NumPy would scan
    # each strided column of the row-major matrix on its own).
    least, most, oldest = _extremes(loans)
    for name, (low, high) in _BOUNDS.items():
        k = COLUMNS.index(name)
        if least[k] < low or most[k] > high:
            raise OutOfRangeError(f"{name} outside {low}..{high} reached the compiled loop")
    if least[_BASE] < 0 or most[_BASE] >= retention.shape[0] or oldest > MAX_AGE_MONTHS:
        raise OutOfRangeError("an asset class or age outside the retention tables reached the compiled loop")
    if today.min() < 0 or today.max() > MAX_MONEY_CENTS * MAX_FACTOR // SHOCK_SCALE:
        raise OutOfRangeError("a value today outside its range reached the compiled loop")


def _guard_scenarios(
    factors: NDArray[np.float64],
    millionths: NDArray[np.int64],
    steady: NDArray[np.int64],
    marks: NDArray[np.int64],
    rolled: NDArray[np.int64],
    moves: NDArray[np.int64],
) -> None:
    scenarios = factors.shape[0]
    if factors.shape != (scenarios, MAX_PAYMENTS + 1) or millionths.shape != factors.shape:
        raise OutOfRangeError(f"factors and millionths must be scenarios × {MAX_PAYMENTS + 1} months")
    if steady.shape != (scenarios,) or (scenarios and (steady.min() < 0 or steady.max() > MAX_PAYMENTS)):
        raise OutOfRangeError("steady must be one month 0..600 per scenario")
    if scenarios and (millionths.min() < 1 or millionths.max() > MAX_FACTOR):
        raise OutOfRangeError(f"a value factor outside 1..{MAX_FACTOR} millionths reached the compiled loop")
    months = rolled.shape[1] if rolled.ndim == 3 else 0
    if rolled.shape != (scenarios, months, len(ROLLED)) or not 1 <= months <= MAX_PAYMENTS + 1:
        raise OutOfRangeError("rolled must be scenarios × (horizon + 1) months × figures")
    if marks.ndim != 1 or (len(marks) and (marks.min() < 0 or marks.max() >= months)):
        raise OutOfRangeError("marks must be months within the horizon")
    if moves.shape != (scenarios, len(marks), CLOSED, CLOSED + 1):
        raise OutOfRangeError("moves must be scenarios × marks × buckets × buckets")


@jit
def _extremes(loans: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int64], np.int64]:
    # Each column's least and largest value, and the largest age (base % AGES), in one pass.
    least = loans[0].copy()
    most = loans[0].copy()
    oldest = np.int64(0)
    for i in range(loans.shape[0]):
        for k in range(loans.shape[1]):
            least[k] = min(least[k], loans[i, k])
            most[k] = max(most[k], loans[i, k])
        oldest = max(oldest, loans[i, _BASE] % AGES)
    return least, most, oldest


@inline
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


@jit
def _by_term(months: NDArray[np.int64], order: NDArray[np.int64]) -> None:
    # Positions 0..len-1 ordered by remaining term (a stable counting sort).
    starts = np.zeros(MAX_PAYMENTS + 2, dtype=np.int64)
    for i in range(months.shape[0]):
        starts[months[i] + 1] += 1
    for n in range(1, MAX_PAYMENTS + 2):
        starts[n] += starts[n - 1]
    for i in range(months.shape[0]):
        order[starts[months[i]]] = i
        starts[months[i]] += 1


@jit
def _walk(
    loans: NDArray[np.int64],
    retention: NDArray[np.float64],
    units: NDArray[np.int64],
    factors: NDArray[np.float64],
    millionths: NDArray[np.int64],
    steady: NDArray[np.int64],
    today: NDArray[np.int64],
    out: NDArray[np.int64],
    doubt: NDArray[np.bool_],
    limit: float,
    marks: NDArray[np.int64],
    rolled: NDArray[np.int64],
    moves: NDArray[np.int64],
    probe: NDArray[np.int64],
    probed: NDArray[np.int64],
) -> None:
    count = loans.shape[0]
    order = np.empty(WINDOW, dtype=np.int64)
    values = np.empty((factors.shape[0], MAX_PAYMENTS + 1), dtype=np.int64)
    paths = np.empty((LANES, MAX_PAYMENTS + 1), dtype=np.int64)
    owed = np.zeros(LANES, dtype=np.int64)
    # The roll-forward's counts, month by month (contiguous: see _roll); added to rolled at the end.
    months = rolled.shape[1]
    closes = np.zeros(months + 1, dtype=np.int64)
    under = np.zeros((factors.shape[0], months), dtype=np.int64)
    negative = np.zeros((factors.shape[0], months), dtype=np.int64)
    rate = np.zeros(LANES, dtype=np.uint64)
    pay = np.zeros(LANES, dtype=np.int64)
    for window in range(0, count, WINDOW):
        size = min(WINDOW, count - window)
        # Within a window (small enough to stay in cache) loans go by term, so that the loans
        # walked side by side need about the same number of months.
        _by_term(loans[window : window + size, _MONTHS], order)
        for first in range(0, size, LANES):
            lanes = min(LANES, size - first)
            longest = 0
            for g in range(lanes):
                i = window + order[first + g]
                owed[g] = loans[i, _BALANCE]
                rate[g] = np.uint64(2 * loans[i, _UNITS])
                pay[g] = loans[i, _PAYMENT]
                paths[g, 0] = loans[i, _BALANCE]
                longest = max(longest, loans[i, _MONTHS])
            # A lane past its loan's term (or left over from the last group) runs on unread.
            for t in range(1, longest):
                for g in range(LANES):
                    b = owed[g]
                    interest = (np.uint64(b) * rate[g] + np.uint64(DIVISOR)) // np.uint64(2 * DIVISOR)
                    b = max(b + np.int64(interest) - pay[g], 0)
                    owed[g] = b
                    paths[g, t] = b
            for g in range(lanes):
                i = window + order[first + g]
                paths[g, loans[i, _MONTHS]] = 0
                doubt[i] = _scenarios(
                    loans,
                    i,
                    paths,
                    g,
                    retention,
                    units,
                    factors,
                    millionths,
                    steady,
                    today,
                    out,
                    limit,
                    values,
                    months - 1,
                    probe,
                    probed,
                )
                if not doubt[i]:
                    _roll(loans, i, paths, g, values, marks, closes, under, negative, moves)
    still = np.int64(0)
    for t in range(months - 1, -1, -1):
        # Open at month t: the loans first paid off after it.
        still += closes[t + 1]
        for s in range(factors.shape[0]):
            rolled[s, t, _OPEN] += still
            rolled[s, t, _UNDER] += under[s, t]
            rolled[s, t, _NEGATIVE] += negative[s, t]


@inline
def _first_at_most(paths: NDArray[np.int64], g: int, low: int, high: int, bound: int) -> int:
    # The first month t in low..high with paths[g, t] ≤ bound, given that paths[g, high] is
    # (balances never rise, so the months that are form a run to the end).
    while low < high:
        middle = (low + high) // 2
        if paths[g, middle] <= bound:
            high = middle
        else:
            low = middle + 1
    return low


@inline
def _scenarios(
    loans: NDArray[np.int64],
    i: int,
    paths: NDArray[np.int64],
    g: int,
    retention: NDArray[np.float64],
    units: NDArray[np.int64],
    factors: NDArray[np.float64],
    millionths: NDArray[np.int64],
    steady: NDArray[np.int64],
    today: NDArray[np.int64],
    out: NDArray[np.int64],
    limit: float,
    values: NDArray[np.int64],
    horizon: int,
    probe: NDArray[np.int64],
    probed: NDArray[np.int64],
) -> bool:
    # Loan i's balances (paths[g, 0..n], cents) against its value in each scenario; True when
    # a value was beyond the exact check. values[s, t] holds the value of each month worked
    # out (at least every month the roll-forward reads: t ≤ min(horizon, n − 1)). Arrays are
    # read by index, never through a view (see the module docstring).
    doubt = False
    n = loans[i, _MONTHS]
    lien = loans[i, _LIENS]
    worth = loans[i, _VALUE]
    start = loans[i, _BASE]
    trend = loans[i, _TREND]
    kept = min(horizon, n - 1)
    scale = worth / retention[start]
    for s in range(factors.shape[0]):
        values[s, 0] = today[s, i]
        low = max(steady[s], 1)
        reach = max(kept, min(probe[s], n))
        # The last month whose gap can change the figures (every later month is above water):
        # on a curve that never rises, the first month from ``low`` whose balance + liens is
        # at most v_n (the value no later month falls below once the factor is steady); on one
        # that never falls, the first month from ``low`` above water, found on the way; else n.
        end = n
        found = trend != -1
        if trend == 1 and low <= n:
            x = retention[start + n] * factors[s, n] * scale
            lowest = _round_value(x, worth, millionths[s, n], units[start + n], units[start], limit)
            if lowest < 0:
                doubt = True
                lowest = -1 - lowest
            if paths[g, n] + lien <= lowest:
                # Balances never rise: a binary search finds the first such month.
                end = _first_at_most(paths, g, low, n, lowest - lien)
        need = n if not found else max(end, reach)
        first = 1
        while first <= need:
            last = min(first + BLOCK - 1, n)
            # A block of months' values at once, in a loop the compiler turns into vector
            # instructions; a value near a half cent (rare) is decided again exactly.
            near = False
            for t in range(first, last + 1):
                u = np.uint64(t)
                x = retention[np.uint64(start) + u] * factors[s, u] * scale
                whole = np.floor(x + 0.5)
                values[s, u] = np.int64(whole)
                near |= abs(x - whole) > 0.5 - TOLERANCE * x
            if near or not found:
                for t in range(first, last + 1):
                    if t > need:
                        break
                    if near:
                        x = retention[start + t] * factors[s, t] * scale
                        cents = _round_value(
                            x, worth, millionths[s, t], units[start + t], units[start], limit
                        )
                        if cents < 0:
                            doubt = True
                            cents = -1 - cents
                        values[s, t] = cents
                    if not found and t >= low and paths[g, t] + lien - values[s, t] <= 0:
                        # Above water from a steady month on a curve that never falls.
                        found = True
                        end = t
                        need = max(end, reach)
            first = last + 1
        # The balance and value in the probe month (the month a deficiency is estimated for):
        # a balance of 0 once the loan is paid off.
        month = probe[s]
        probed[i, s, 0] = paths[g, month] if month <= n else 0
        probed[i, s, 1] = values[s, month] if month <= n else today[s, i]
        # The figures over months 0..end, as reductions the compiler turns into vector
        # instructions: the largest gap, and the first and last months under water.
        best = paths[g, 0] + lien - values[s, 0]
        first_under = 0 if best > 0 else n + 1
        last_under = 0 if best > 0 else -1
        for t in range(1, end + 1):
            u = np.uint64(t)
            gap = paths[g, u] + lien - values[s, u]
            best = max(best, gap)
            first_under = min(first_under, t if gap > 0 else n + 1)
            last_under = max(last_under, t if gap > 0 else -1)
        best_month = -1
        if best > 0:
            best_month = 0
            while paths[g, best_month] + lien - values[s, best_month] != best:
                best_month += 1
        # Surfaced for good the month after the last one under water; still under at the end: none.
        out[s, _CROSSOVER, i] = last_under + 1 if last_under < n else -1
        out[s, _FIRST_UNDER, i] = first_under if first_under <= n else -1
        out[s, _PEAK, i] = max(best, 0)
        out[s, _PEAK_MONTH, i] = best_month
    return doubt


@inline
def ltv_bucket(balance: np.int64, value: np.int64) -> np.int64:
    """In compiled code, the LTV bucket of ``balance`` ÷ ``value`` (cents): the index of the
    first of :data:`LTV_BOUNDS` it is at or under, exact in integers (≤ b % ⇔ 100·balance ≤
    b·value); ``len(LTV_BOUNDS)`` above the last; ``len(LTV_BOUNDS) + 1`` when the value is 0."""
    if value == 0:
        return np.int64(len(LTV_BOUNDS) + 1)
    for k in range(len(LTV_BOUNDS)):
        if 100 * balance <= LTV_BOUNDS[k] * value:
            return np.int64(k)
    return np.int64(len(LTV_BOUNDS))


@inline
def _roll(
    loans: NDArray[np.int64],
    i: int,
    paths: NDArray[np.int64],
    g: int,
    values: NDArray[np.int64],
    marks: NDArray[np.int64],
    closes: NDArray[np.int64],
    under: NDArray[np.int64],
    negative: NDArray[np.int64],
    moves: NDArray[np.int64],
) -> None:
    # Add loan i (balances paths[g]) to the roll-forward: open at month t when t = 0 or its
    # balance is above 0 (t < n), counted once in ``closes`` at the first month it is not (the
    # same in every scenario); under water when balance + liens > value; and its LTV bucket at
    # each mark month against today's (CLOSED once paid off).
    n = loans[i, _MONTHS]
    lien = loans[i, _LIENS]
    last = min(under.shape[1] - 1, n - 1)
    shut = last + 1
    if last >= 1 and paths[g, last] <= 0:
        # Balances never rise: a binary search finds the first month paid off.
        shut = _first_at_most(paths, g, 1, last, 0)
    closes[shut] += 1
    for s in range(values.shape[0]):
        # Branch-free, so that the compiler works several months at once.
        for t in range(shut):
            u = np.uint64(t)
            gap = paths[g, u] + lien - values[s, u]
            under[s, u] += np.int64(gap > 0)
            negative[s, u] += max(gap, 0)
        origin = ltv_bucket(paths[g, 0], values[s, 0])
        for k in range(marks.shape[0]):
            m = marks[k]
            to = np.int64(CLOSED)
            if m < shut:
                to = ltv_bucket(paths[g, m], values[s, m])
            moves[s, k, origin, to] += 1


def loan_paths(
    loans: NDArray[np.int64],
    retention: NDArray[np.float64],
    units: NDArray[np.int64],
    factors: NDArray[np.float64],
    millionths: NDArray[np.int64],
    steady: NDArray[np.int64],
    today: NDArray[np.int64],
    out: NDArray[np.int64],
    doubt: NDArray[np.bool_],
    marks: NDArray[np.int64],
    rolled: NDArray[np.int64],
    moves: NDArray[np.int64],
    probe: NDArray[np.int64],
    probed: NDArray[np.int64],
    limit: float = EXACT_LIMIT,
) -> None:
    """Walk every loan of ``loans`` (loans × :data:`COLUMNS`) through each scenario and fill
    in ``out`` (scenarios × :data:`FIGURES` × loans: each figure of a scenario one contiguous
    row, as the summary and the output read it) and ``doubt`` (loans: True where a value
    was beyond the exact check, see :data:`EXACT_LIMIT`; the caller recomputes those loans),
    and add every loan not in doubt to the roll-forward: ``rolled`` (scenarios × months
    0..horizon × :data:`ROLLED`) and ``moves`` (scenarios × ``marks`` months × today's LTV
    bucket × the bucket at the mark, :data:`CLOSED` once paid off). ``probe`` gives per
    scenario a month whose balance and value (cents) go into ``probed`` (loans × scenarios × 2;
    a balance of 0 when the loan is paid off by then).

    ``retention`` and ``units`` are the flat retention tables (float64 and exact 1e-12 units,
    class × ages + age); ``factors`` and ``millionths`` (scenarios × months 0..600) each
    scenario's value factor by month (a shock's 1 − s/100 every month; an index path's level ÷
    100), as float64 and in millionths; ``steady`` per scenario the first month from which its
    factor no longer changes; ``today`` (scenarios × loans) each loan's value at month 0 per
    scenario in cents. Releases Python's global lock: threads may walk separate slices at once,
    each with its own ``rolled`` and ``moves``. Inputs outside the ranges validation enforces
    raise :class:`OutOfRangeError` before the loop.
    """
    _guard(loans, retention, units, factors.shape[0], today, out, doubt)
    _guard_scenarios(factors, millionths, steady, marks, rolled, moves)
    scenarios = factors.shape[0]
    if probe.shape != (scenarios,) or (scenarios and (probe.min() < 0 or probe.max() > MAX_PAYMENTS)):
        raise OutOfRangeError("probe must be one month 0..600 per scenario")
    if probed.shape != (loans.shape[0], scenarios, 2):
        raise OutOfRangeError("probed must be loans × scenarios × 2")
    _walk(
        loans,
        retention,
        units,
        factors,
        millionths,
        steady,
        today,
        out,
        doubt,
        limit,
        marks,
        rolled,
        moves,
        probe,
        probed,
    )
