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
``crossover_month`` = the month t in 0..remaining_payments from which owed ≤ value in every
later month of the term (0 when never under water; null when still under water at the end of
the term; a loan even today that dips later has not crossed over);
``first_under_water_month`` = the first month t with owed_t > value_t (null when never);
``peak_negative_equity`` = max over those t of
max(owed_t − value_t, 0) and ``peak_month`` the first month it is reached (null when the loan
is never under water); ``estimated_deficiency`` = what a surrender today would leave owed on
this loan's balance by :func:`underwater.deficiency.estimate_deficiency` (auction at 75 % of
value₀, default expenses, the state's rule with the balance as the unpaid balance at default
and value₀ as the fair market value: a bar on the balance gives 0, Massachusetts credits
value₀; null for a home).

**Exactness.** The balance recurrence runs in int64 cents with the rate as an integer number
of 1e-5 percent units, so interest = ⌊(2·b·u + D) / 2D⌋ with D = 100·100000·12 is the
half-away-from-zero rounding of b·u/D, exactly what :mod:`decimal` does. The level payment
and the values are computed in float64 and rounded half up; where the float lands within a
hair (a relative 1e-14) of a half cent, the rounding could go either way, so those few are
decided exactly: the payment by :func:`underwater.loan.level_payment`, a value by an integer
comparison in the compiled loop (see :mod:`underwater.portfolio.paths`) or, past that
comparison's range, by recomputing the loan with :func:`underwater.portfolio.exact.exact_loan`.
The month loop itself is compiled (:mod:`underwater.portfolio.paths`); everything per loan
around it is NumPy. Money leaves the kernel as int64 cents.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np

from underwater.money import from_cents, to_cents
from underwater.portfolio.defaults import CLTV_BUCKETS
from underwater.portfolio.loanrows import fill_rows, level_cents
from underwater.portfolio.paths import (
    COLUMNS,
    EXACT_LIMIT,
    FIGURES,
    SHOCK_SCALE,
    OutOfRangeError,
    loan_paths,
)
from underwater.portfolio.rollforward import MARK_EVERY, Rolled
from underwater.portfolio.scenarios import Scenarios
from underwater.portfolio.schema import (
    ASSET_CLASSES,
    MAX_PAYMENTS,
    RATE_UNITS,
    STATE_CODES,
    Book,
)
from underwater.portfolio.surrender import surrender_figures
from underwater.portfolio.tables import Tables, scenario_suffix, shock_suffix, tables

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from underwater.portfolio.stress import StressPath

__all__ = ["Result", "Scenario", "compute", "level_payments", "shock_suffix"]

I64 = np.int64
F64 = np.float64
_NO_CURVE = np.full(len(CLTV_BUCKETS), -1, dtype=I64)


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
    first_under_water_month: NDArray[np.int64]
    peak_negative_equity: NDArray[np.int64]
    peak_month: NDArray[np.int64]
    estimated_deficiency: NDArray[np.int64]
    expected_loss: NDArray[np.int64]
    """The loan's default probability × its estimated deficiency (−1 without either)."""


@dataclass(frozen=True, slots=True)
class Result:
    """The kernel's output for a :class:`Book`, in the book's order: the payment used (cents),
    owed today (cents), and one :class:`Scenario` per shock (the base case is shock 0)."""

    payment: NDArray[np.int64]
    owed: NDArray[np.int64]
    scenarios: dict[Decimal | str, Scenario]
    rolled: Rolled
    """The book month by month, in the order of ``scenarios``."""
    rechecked: int = 0
    """How many loans had a value within float error of a half cent beyond the compiled loop's
    integer check (see :data:`~underwater.portfolio.paths.EXACT_LIMIT`) and were recomputed
    with the exact library."""


def level_payments(
    balance: NDArray[np.int64], units: NDArray[np.int64], n: NDArray[np.int64]
) -> NDArray[np.int64]:
    """Level monthly payments in cents for balances in cents, rates in 1e-5 percent units and
    ``n`` payments: P·r / (1 − (1 + r)^−n) rounded half up (P / n at 0 %), exact to the cent
    (see :mod:`~underwater.portfolio.loanrows`).

    A $30,000 car loan at 9.5 % for 72 months pays 548.24 a month:

    >>> int(level_payments(np.array([3_000_000]), np.array([950_000]), np.array([72]))[0])
    54824
    """
    out = np.empty(len(balance), dtype=I64)
    doubtful = np.empty(len(balance), dtype=np.bool_)
    level_cents(balance.astype(I64), units.astype(I64), n.astype(I64), out, doubtful)
    for i in np.nonzero(doubtful)[0]:
        out[i] = _exact_payment(int(balance[i]), int(units[i]), int(n[i]))
    return out


def _exact_payment(balance: int, units: int, n: int) -> int:
    # The library's level payment (cents), for a float result too near a half cent to trust.
    from underwater.loan import level_payment

    return to_cents(level_payment(from_cents(balance), Decimal(units) / RATE_UNITS, n))


def compute(book: Book, scenarios: Scenarios = Scenarios(), *, threads: int = 1) -> Result:
    """Run the kernel over ``book`` for the base case and ``scenarios``
    (:class:`~underwater.portfolio.scenarios.Scenarios`): each shock (percent, 0 ≤ s < 100) and
    each stress path (:mod:`underwater.portfolio.stress`; its scenario is keyed by its name);
    the roll-forward covers months 0..its ``horizon`` (0 to 600) with the LTV migration every
    :data:`MARK_EVERY` months; its ``default_by_ltv`` gives the loans without a default
    probability of their own one by CLTV bucket (:mod:`~underwater.portfolio.defaults`).
    ``threads`` slices of the book run in parallel.

    A $18,000 balance at 6.9 % with 60 payments on a $15,000 car: 3,000.00 under water today.

    >>> from underwater.portfolio.schema import validate
    >>> import polars as pl
    >>> book, _ = validate(pl.DataFrame({"loan_id": ["A"], "balance": ["18000"],
    ...     "rate_percent": ["6.9"], "remaining_payments": ["60"], "value": ["15000"]}))
    >>> base = compute(book).scenarios[Decimal(0)]
    >>> int(base.negative_equity[0]), int(base.crossover_month[0])
    (300000, 33)
    """
    shocks, paths, horizon = scenarios.shocks, scenarios.paths, scenarios.horizon
    t = tables()
    if len(book) and not (
        0 <= book.asset_class.min() <= book.asset_class.max() < len(ASSET_CLASSES)
        and 0 <= book.state.min() <= book.state.max() <= len(STATE_CODES)
    ):
        # Codes index lookup tables here and in the summary's compiled loop (which does not
        # check them); the rest is checked just before the month loop.
        raise OutOfRangeError("an asset class or state code outside its table reached the kernel")
    specs: tuple[Decimal | StressPath, ...] = (Decimal(0), *[s for s in shocks if s != 0], *paths)
    owed = book.balance + book.other_liens
    count = len(book)
    millionths = np.stack([_millionths(spec) for spec in specs])
    factors = millionths / SHOCK_SCALE
    steady = _steady(millionths)
    probe = np.array([0 if isinstance(spec, Decimal) else spec.trough_month for spec in specs], dtype=I64)
    # Month 0 is today's value times the factor: exact in integers, no curve involved.
    today = (2 * millionths[:, 0, None] * book.value[None, :] + SHOCK_SCALE) // (2 * SHOCK_SCALE)
    marks = np.arange(MARK_EVERY, horizon + 1, MARK_EVERY, dtype=I64)
    # The loans matrix and the payments, a slice a thread; a level payment too near a half
    # cent for float64 is worked out again exactly.
    loans = np.empty((count, len(COLUMNS)), dtype=I64)
    payment = np.empty(count, dtype=I64)
    doubtful = np.empty(count, dtype=np.bool_)
    step = -(-count // max(threads, 1)) if count else 1
    parts = [slice(start, start + step) for start in range(0, count, step)]

    def rows(k: int) -> None:
        part = parts[k]
        fill_rows(
            book.balance[part],
            book.rate_units[part],
            book.payment[part],
            book.remaining_payments[part],
            book.other_liens[part],
            book.value[part],
            book.asset_class[part],
            book.asset_age_months[part],
            t.trend,
            loans[part],
            payment[part],
            doubtful[part],
        )

    _in_parallel([functools.partial(rows, k) for k in range(len(parts))])
    for i in np.nonzero(doubtful)[0]:
        payment[i] = loans[i, COLUMNS.index("payment")] = _exact_payment(
            int(book.balance[i]), int(book.rate_units[i]), int(book.remaining_payments[i])
        )
    out = np.empty((len(specs), len(FIGURES), count), dtype=I64)
    probed = np.empty((count, len(specs), 2), dtype=I64)
    doubt = np.zeros(count, dtype=np.bool_)
    tallies = [Rolled.empty(len(specs), horizon, marks) for _ in parts]

    def walk(k: int) -> None:
        part = parts[k]
        loan_paths(
            loans[part],
            t.retention.ravel(),
            t.retention_units.ravel(),
            factors,
            millionths,
            steady,
            today[:, part],
            out[:, :, part],
            doubt[part],
            marks,
            tallies[k].months,
            tallies[k].moves,
            probe,
            probed[part],
            EXACT_LIMIT,
        )

    _in_parallel([functools.partial(walk, k) for k in range(len(parts))])
    rolled = Rolled.empty(len(specs), horizon, marks)
    for tally in tallies:
        rolled.merge(tally)
    rechecked = np.nonzero(doubt)[0]
    for i in rechecked:
        _recheck(book, int(i), specs, out, probed, rolled)
    curve = _NO_CURVE if scenarios.default_by_ltv is None else scenarios.default_by_ltv.millionths()
    finishing = [
        _Finish(today[k], out[k], book, owed, t, probed[:, k], spec, curve) for k, spec in enumerate(specs)
    ]
    # Each scenario's surrender figures, a slice of the loans a thread (the values and probes
    # are read in place, a column of the loans × scenarios matrices: no copy).
    _in_parallel([functools.partial(finish.run, part) for finish in finishing for part in parts])
    figures = {_key(spec): finish.scenario() for spec, finish in zip(specs, finishing, strict=True)}
    return Result(payment=payment, owed=owed, scenarios=figures, rolled=rolled, rechecked=len(rechecked))


def _in_parallel(tasks: list[Callable[[], None]]) -> None:
    # Run the tasks on a thread each at once (the compiled loops release the global lock).
    if len(tasks) == 1:
        tasks[0]()
    elif tasks:
        with ThreadPoolExecutor(max_workers=len(tasks)) as pool:
            for done in [pool.submit(task) for task in tasks]:
                done.result()


def _key(spec: Decimal | StressPath) -> Decimal | str:
    return spec if isinstance(spec, Decimal) else spec.name


def _millionths(spec: Decimal | StressPath) -> NDArray[np.int64]:
    # A scenario's value factor for months 0..600 in millionths: 1 − s/100 every month for a
    # shock, index ÷ 100 (= index × 10⁴ millionths) for a path, held after its last month.
    if isinstance(spec, Decimal):
        return np.full(MAX_PAYMENTS + 1, int((1 - spec / 100) * SHOCK_SCALE), dtype=I64)
    return np.array([int(spec.level(t) * 10_000) for t in range(MAX_PAYMENTS + 1)], dtype=I64)


def _steady(millionths: NDArray[np.int64]) -> NDArray[np.int64]:
    # Per scenario, the first month from which the factor stays what it is at the last month.
    changed = millionths != millionths[:, -1:]
    last_change = np.where(
        changed.any(axis=1), changed.shape[1] - 1 - np.argmax(changed[:, ::-1], axis=1), -1
    )
    return (last_change + 1).astype(I64)


def _recheck(
    book: Book,
    i: int,
    specs: tuple[Decimal | StressPath, ...],
    out: NDArray[np.int64],
    probed: NDArray[np.int64],
    rolled: Rolled,
) -> None:
    """Recompute loan ``i``'s paths with the exact library, and add it to the roll-forward: a
    value of it landed within float error of a half cent and was too large for the kernel's
    integer check (see :data:`~underwater.portfolio.paths.EXACT_LIMIT`)."""
    from underwater.portfolio.exact import exact_inputs, exact_loan, exact_months, exact_probe

    loan = exact_inputs(book, i)
    row = exact_loan(loan, specs[1:])
    for k, spec in enumerate(specs):
        months = exact_months(loan, spec, rolled.horizon)
        rolled.add_loan(k, [(to_cents(b), to_cents(v)) for b, v in months], to_cents(loan.other_liens))
        balance, value = exact_probe(loan, spec)
        probed[i, k] = (to_cents(balance), to_cents(value))
        suffix = scenario_suffix(_key(spec))
        for f, name in enumerate(FIGURES):
            figure = row[name + suffix]
            if name == "peak_negative_equity":
                out[k, f, i] = to_cents(figure)
            else:
                out[k, f, i] = -1 if figure is None else figure


class _Finish:
    """One scenario's figures after the walk: a surrender in its probe month (today; a stress
    path's trough), worked out a slice of the loans at a time (see surrender_figures)."""

    def __init__(
        self,
        value: NDArray[np.int64],
        figures: NDArray[np.int64],
        book: Book,
        owed: NDArray[np.int64],
        t: Tables,
        probed: NDArray[np.int64],
        spec: Decimal | StressPath,
        curve: NDArray[np.int64],
    ) -> None:
        share = Fraction(t.share_numerator, t.share_denominator)
        if not isinstance(spec, Decimal):
            share *= Fraction(spec.recovery_percent) / 100
        self.value, self.figures, self.book, self.owed = value, figures, book, owed
        self.tables, self.probed, self.curve, self.share = t, probed, curve, share
        self.paid_off_is_nil = not isinstance(spec, Decimal) and spec.trough_month > 0
        self.ratios = np.empty((2, len(value)), dtype=F64)
        self.money = np.empty((4, len(value)), dtype=I64)

    def run(self, part: slice) -> None:
        book, t = self.book, self.tables
        surrender_figures(
            self.value[part],
            book.balance[part],
            self.owed[part],
            self.probed[part],
            book.asset_class[part],
            book.state[part],
            book.default_probability[part],
            self.curve,
            t.expenses,
            t.bar_cents,
            t.bar_inclusive,
            t.fair_value,
            self.share.numerator,
            self.share.denominator,
            self.paid_off_is_nil,
            self.ratios[:, part],
            self.money[:, part],
        )

    def scenario(self) -> Scenario:
        money, ratios, figures = self.money, self.ratios, self.figures
        return Scenario(
            value=self.value,
            equity=money[0],
            negative_equity=money[1],
            ltv=ratios[0],
            cltv=ratios[1],
            crossover_month=figures[FIGURES.index("crossover_month")],
            first_under_water_month=figures[FIGURES.index("first_under_water_month")],
            peak_negative_equity=figures[FIGURES.index("peak_negative_equity")],
            peak_month=figures[FIGURES.index("peak_month")],
            estimated_deficiency=money[2],
            expected_loss=money[3],
        )
