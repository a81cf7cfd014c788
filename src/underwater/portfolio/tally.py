"""The summary's compiled loop (numba): one pass over a chunk's figures, counting loans under
water by class, state and LTV and CLTV bucket for :meth:`~underwater.portfolio.summary.Summary.add`.

Kept apart from :mod:`underwater.portfolio.summary` so that making a summary, and everything a
run does before its first row is read, never waits for numba to load.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from underwater.portfolio.compiled import jit
from underwater.portfolio.paths import ltv_bucket

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["tally"]


@jit
def tally(
    classes: NDArray[np.int64],
    states: NDArray[np.int64],
    balance: NDArray[np.int64],
    owed: NDArray[np.int64],
    value: NDArray[np.int64],
    negative: NDArray[np.int64],
    deficiency: NDArray[np.int64],
    total: tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]],
    by_class: tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]],
    by_state: tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]],
    buckets: NDArray[np.int64],
    cltv_buckets: NDArray[np.int64],
    deficiency_total: NDArray[np.int64],
) -> None:
    """One pass over a chunk, added into the arrays given: loans, loans under water and
    negative equity (cents) in total, by class and by state; the LTV and CLTV buckets (balance,
    and owed with other liens, ÷ value), exact in integers (balance / value ≤ b % ⇔
    100·balance ≤ b·value); and the total of the deficiencies (−1 is none)."""
    for i in range(balance.shape[0]):
        under = 1 if negative[i] > 0 else 0
        for counts, key in ((total, 0), (by_class, classes[i]), (by_state, states[i])):
            counts[0][key] += 1
            counts[1][key] += under
            counts[2][key] += negative[i]
        buckets[ltv_bucket(balance[i], value[i])] += 1
        cltv_buckets[ltv_bucket(owed[i], value[i])] += 1
        if deficiency[i] > 0:
            deficiency_total[0] += deficiency[i]
