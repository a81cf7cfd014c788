"""Each loan's figures after its walk, in one compiled pass: equity, LTV and CLTV today, and
what a surrender in the scenario's probe month would leave owed (the estimated deficiency)
and its expected loss.

The rules are those of :mod:`underwater.portfolio.kernel` (see its docstring): proceeds at the
auction share of the value then (times a stress path's recovery), rounded half up, or the
whole value where the state credits the fair market value; the deficiency is UCC 9-615's line
6 floored at 0, nil under a state's bar on the balance or once the loan is paid off by a later
probe month, and null (−1) for a home; the expected loss is a default probability
(millionths: the loan's own, else its CLTV bucket's in the probe month from a
:class:`~underwater.portfolio.defaults.DefaultCurve`) × the deficiency, half up, and null
without either. Integer arithmetic is exact
in int64 for every value validation lets through; ratios are float64 divisions, NaN when the
value is 0.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from underwater.portfolio.compiled import jit
from underwater.portfolio.paths import ltv_bucket
from underwater.portfolio.schema import PROBABILITY_UNITS

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["surrender_figures"]


@jit
def surrender_figures(
    value: NDArray[np.int64],
    balance: NDArray[np.int64],
    owed: NDArray[np.int64],
    probed: NDArray[np.int64],
    asset_class: NDArray[np.int64],
    state: NDArray[np.int64],
    chance: NDArray[np.int64],
    curve: NDArray[np.int64],
    expenses: NDArray[np.int64],
    bar_cents: NDArray[np.int64],
    bar_inclusive: NDArray[np.bool_],
    fair_value: NDArray[np.bool_],
    share_numerator: int,
    share_denominator: int,
    paid_off_is_nil: bool,
    ratios: NDArray[np.float64],
    money: NDArray[np.int64],
) -> None:
    """Fill ``ratios`` (2 × loans: LTV = balance ÷ value, CLTV = owed ÷ value today; NaN at a
    value of 0) and ``money`` (4 × loans, cents: equity = value − owed, negative equity,
    estimated deficiency, expected loss; −1 for none) from today's ``value``, ``balance`` and
    ``owed`` (cents) and ``probed`` (loans × 2: the balance and the value in the probe month).
    ``chance`` is each loan's own default probability (millionths, −1: none given), and
    ``curve[bucket]`` the probability of a CLTV bucket in the probe month for a loan without one
    (−1: none; see :mod:`~underwater.portfolio.defaults`). ``expenses[class, state]`` (−1: not modelled), ``bar_cents``, ``bar_inclusive`` and
    ``fair_value`` by state are the kernel's tables; the auction share is
    ``share_numerator / share_denominator`` of the value; ``paid_off_is_nil`` (a stress path
    probed at its trough) makes a loan paid off by then owe nothing."""
    half = 2 * share_denominator
    for i in range(value.shape[0]):
        worth = value[i]
        equity = worth - owed[i]
        if worth == 0:
            ratios[0, i] = np.nan
            ratios[1, i] = np.nan
        else:
            ratios[0, i] = balance[i] / worth
            ratios[1, i] = owed[i] / worth
        money[0, i] = equity
        money[1, i] = max(-equity, 0)
        then_balance = probed[i, 0]
        then_value = probed[i, 1]
        where = state[i]
        if fair_value[where]:
            proceeds = then_value
        else:
            proceeds = (2 * then_value * share_numerator + share_denominator) // half
        cost = expenses[asset_class[i], where]
        deficiency = max(then_balance - proceeds + cost, 0)
        bar = bar_cents[where]
        if bar >= 0 and (then_balance <= bar if bar_inclusive[where] else then_balance < bar):
            deficiency = 0
        if paid_off_is_nil and then_balance == 0:
            deficiency = 0
        if cost < 0:
            deficiency = -1
        money[2, i] = deficiency
        likely = chance[i]
        if likely < 0:
            likely = curve[ltv_bucket(then_balance + owed[i] - balance[i], then_value)]
        if likely >= 0 and deficiency >= 0:
            money[3, i] = (2 * deficiency * likely + PROBABILITY_UNITS) // (2 * PROBABILITY_UNITS)
        else:
            money[3, i] = -1
