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
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

import numpy as np

from underwater.assets import AssetClass
from underwater.deficiency import default_auction_share_percent, estimate_deficiency
from underwater.depreciation import RETENTION_PLACES, default_preset
from underwater.money import to_cents
from underwater.portfolio.schema import ASSET_CLASSES, MAX_AGE_MONTHS, MAX_PAYMENTS, STATE_CODES

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["AGES", "Tables", "shock_suffix", "tables"]

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
    return Tables(retention, units, trend, expenses, numerator, denominator)


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
