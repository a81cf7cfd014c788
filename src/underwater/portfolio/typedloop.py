"""The compiled pass of :mod:`underwater.portfolio.typed`: one number column's every rule in one
loop over its int64 values (numba), instead of one NumPy pass a rule.

Kept apart from :mod:`underwater.portfolio.typed` so that importing the schema never waits for
numba to load: a run's first rows are read while it does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from underwater.portfolio.compiled import jit

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["check_column"]


@jit
def check_column(
    raw: NDArray[np.int64],
    empty: NDArray[np.bool_],
    shift: int,
    upper: int,
    bounded: bool,
    minimum: int,
    default: int,
    defaulted: bool,
    values: NDArray[np.int64],
    broken: NDArray[np.bool_],
) -> None:
    """Into ``values`` and ``broken``, each row's value in the rule's units and whether it
    breaks the rule, from ``raw`` (the column's physical values, 0 where ``empty``).

    ``shift`` ≥ 0: the column has ``shift`` more decimals than kept, which must be zeros, and a
    value is ``raw`` ÷ 10**shift; ``shift`` < 0: it has fewer, and a value is ``raw`` × 10**−shift.
    ``upper`` is the largest ``raw`` allowed (checked only when ``bounded``: a limit past int64
    cannot be reached). A value under ``minimum`` breaks the rule; an empty row takes
    ``default`` and breaks nothing when ``defaulted``, else it breaks the rule.
    """
    unit = np.int64(1)
    for _ in range(abs(shift)):
        unit *= 10
    for i in range(raw.shape[0]):
        r = raw[i]
        bad = r < 0 or (bounded and r > upper)
        if shift >= 0:
            if unit > 1:
                bad |= r % unit != 0
                value = r // unit
            else:
                value = r
        else:
            value = 0 if bad else r * unit
        bad |= value < minimum
        if empty[i]:
            if defaulted:
                value = default
                bad = False
            else:
                bad = True
        values[i] = value
        broken[i] = bad
