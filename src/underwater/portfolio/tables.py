"""Lookup tables the vectorised kernel needs, read once from the exact library.

Nothing here re-derives a rule: every number is asked of the library.

- **Retention**: for each asset class, the class's default depreciation curve
  (:func:`underwater.depreciation.default_preset`) evaluated at every whole month of age from
  0 to 1,200, as float64, and exactly as whole numbers of 1e-12 (the library gives retention
  to 12 decimal places). The kernel scales today's value by ``r(age + t) / r(age)``.
- **Deficiency expenses**: for each asset class and state (or none), the total of the default
  repossession and sale expenses :func:`underwater.deficiency.estimate_deficiency` charges
  (the state matters: Massachusetts lets only repossession and storage costs be added), in
  cents. A home has none: a foreclosure deficiency is not modelled.
- **Auction share**: the percent of market value a repossession sale is assumed to bring
  (:func:`underwater.deficiency.default_auction_share_percent`), as an exact fraction.
- **State rules a book can apply**: for each state, a bar measured on the unpaid balance at
  default (the loan's balance: Wisconsin, Massachusetts, Florida), in cents with whether the
  bound is inclusive, and whether the state credits the fair market value instead of the sale
  price (Massachusetts: the value today). A bar measured on the cash price or the amount
  financed needs figures a book does not carry, so the estimate is shown without it (as the
  deficiency worksheet does when a measure is missing).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

import numpy as np

from underwater.assets import AssetClass
from underwater.deficiency import default_auction_share_percent, estimate_deficiency
from underwater.depreciation import RETENTION_PLACES, default_preset
from underwater.money import to_cents
from underwater.portfolio.schema import ASSET_CLASSES, MAX_AGE_MONTHS, MAX_PAYMENTS, STATE_CODES
from underwater.state_rules import state_rule

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["AGES", "TODAY_FIGURES", "Tables", "scenario_figures", "scenario_suffix", "shock_suffix", "tables"]

AGES = MAX_AGE_MONTHS + MAX_PAYMENTS + 1
"""Ages 0..1,200 months: the oldest asset today plus the longest remaining term."""


@dataclass(frozen=True, slots=True)
class Tables:
    """``retention[class, age]`` (float64) and ``retention_units[class, age]`` (the same ratio
    exactly, in 1e-12 units, int64); ``trend[class]``: 1 when the class's curve never rises with
    age, −1 when it never falls, 0 otherwise; ``expenses[class, state]`` in cents (state index 0
    is none, i + 1 is ``STATE_CODES[i]``; -1 for a home: not modelled); the auction share as
    ``share_numerator / share_denominator`` of the value (75 % → 75 / 100)."""

    retention: NDArray[np.float64]
    retention_units: NDArray[np.int64]
    trend: NDArray[np.int64]
    expenses: NDArray[np.int64]
    share_numerator: int
    share_denominator: int
    bar_cents: NDArray[np.int64]
    """``bar_cents[state]``: the unpaid balance at or under which a deficiency is barred (-1: no
    bar on the balance); ``bar_inclusive[state]`` whether the bound includes it."""
    bar_inclusive: NDArray[np.bool_]
    fair_value: NDArray[np.bool_]
    """``fair_value[state]``: the state credits the fair market value (the value today)."""


@functools.cache
def tables() -> Tables:
    """The tables, computed from the library once per process (about a second).

    >>> t = tables()
    >>> float(t.retention[ASSET_CLASSES.index("car"), 12])
    0.8
    """
    retention = np.empty((len(ASSET_CLASSES), AGES), dtype=np.float64)
    units = np.empty((len(ASSET_CLASSES), AGES), dtype=np.int64)
    for k, name in enumerate(ASSET_CLASSES):
        curve = default_preset(name)
        ratios = [curve.retention(age) for age in range(AGES)]
        retention[k] = [float(ratio) for ratio in ratios]
        units[k] = [int(ratio.scaleb(RETENTION_PLACES)) for ratio in ratios]
    expenses = np.full((len(ASSET_CLASSES), len(STATE_CODES) + 1), -1, dtype=np.int64)
    for k, name in enumerate(ASSET_CLASSES):
        if name == AssetClass.HOME:
            continue
        for s, state in enumerate((None, *STATE_CODES)):
            sheet = estimate_deficiency("0", "0", name, state=state, as_of="2000-01-01")
            expenses[k, s] = to_cents(sheet.expenses_total)
    share = default_auction_share_percent()
    numerator, denominator = _fraction(share / 100)
    steps = np.diff(units, axis=1)
    trend = np.where((steps <= 0).all(axis=1), 1, np.where((steps >= 0).all(axis=1), -1, 0)).astype(np.int64)
    bar_cents = np.full(len(STATE_CODES) + 1, -1, dtype=np.int64)
    bar_inclusive = np.zeros(len(STATE_CODES) + 1, dtype=np.bool_)
    fair_value = np.zeros(len(STATE_CODES) + 1, dtype=np.bool_)
    for s, state in enumerate(STATE_CODES, start=1):
        rule = state_rule(state)
        if rule is None or not rule.verified:
            continue
        fair_value[s] = rule.fair_market_value_rule
        if rule.bar is not None and rule.bar.measure == "unpaid_balance_at_default":
            bar_cents[s] = to_cents(rule.bar.threshold)
            bar_inclusive[s] = rule.bar.inclusive
    return Tables(
        retention, units, trend, expenses, numerator, denominator, bar_cents, bar_inclusive, fair_value
    )


def _fraction(share: Decimal) -> tuple[int, int]:
    sign, digits, exponent = share.as_tuple()
    assert isinstance(exponent, int)
    numerator = int("".join(map(str, digits)) or "0") * (-1 if sign else 1)
    if exponent >= 0:
        return numerator * 10**exponent, 1
    return numerator, 10**-exponent


def shock_suffix(shock: Decimal) -> str:
    """Column suffix of a shock: ``_shock_10`` for 10 %, ``_shock_12p5`` for 12.5 %.

    >>> shock_suffix(Decimal("10")), shock_suffix(Decimal("12.50"))
    ('_shock_10', '_shock_12p5')
    """
    text = format(shock.normalize(), "f")
    return "_shock_" + text.replace(".", "p")


def scenario_suffix(key: Decimal | str) -> str:
    """Column suffix of a scenario: a shock's (:func:`shock_suffix`) or a stress path's,
    ``_stress_NAME``; none for the base case (a shock of 0).

    >>> scenario_suffix(Decimal(0)), scenario_suffix(Decimal(10)), scenario_suffix("manheim_2007_09")
    ('', '_shock_10', '_stress_manheim_2007_09')
    """
    if isinstance(key, str):
        return "_stress_" + key
    return "" if key == 0 else shock_suffix(key)


TODAY_FIGURES = ("value", "equity", "negative_equity", "ltv", "cltv")
"""A scenario's figures for today; the over-time ones are ``crossover_month``,
``first_under_water_month``, ``peak_negative_equity``, ``peak_month``,
``estimated_deficiency`` and ``expected_loss``."""


def scenario_figures(key: Decimal | str, names: Sequence[str]) -> list[str]:
    """The figures of ``names`` (in their order) a scenario's output columns hold: all of
    them for the base case and a shock; for a stress path (a ``str`` key) the over-time ones
    only. A path changes values over the months ahead: today, where every preset stands at
    100, its value, equity, negative equity and ratios would repeat the base case's column for
    column (for a path of one's own that starts away from 100, month 0 of its roll-forward in
    the summary gives them; a one-time drop per loan is a shock's).

    >>> names = ("value", "negative_equity", "crossover_month", "estimated_deficiency")
    >>> scenario_figures(Decimal(10), names), scenario_figures("manheim_2007_09", names)
    (['value', 'negative_equity', 'crossover_month', 'estimated_deficiency'], ['crossover_month', 'estimated_deficiency'])
    """
    if isinstance(key, str):
        return [name for name in names if name not in TODAY_FIGURES]
    return list(names)
