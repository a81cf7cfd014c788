"""The book month by month: how many loans are still open and under water, and how LTVs move.

For each scenario and each month t = 0..horizon (month 0 is today, month t just after the t-th
payment; the value and balance paths are the kernel's, see :mod:`underwater.portfolio.kernel`):

- ``loans_open``: loans not yet paid off (every loan at month 0; later, balance_t > 0);
- ``under_water``: open loans with balance_t + other liens > value_t;
- ``total_negative_equity``: the sum of balance_t + other liens − value_t over those (cents
  inside, dollars in JSON), and its average over them;

and the **LTV migration**: for every :data:`MARK_EVERY` months up to the horizon, how many loans
move from each LTV bucket today (balance ÷ value, the summary's buckets) to each bucket at that
month, or to ``closed`` when paid off by then. A :class:`Rolled` is added up chunk by chunk and
part by part (:meth:`Rolled.merge`), so a book of any size streams through it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np

from underwater.money import format_money, format_ratio, from_cents

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = [
    "BUCKETS",
    "CLOSED",
    "DEFAULT_HORIZON",
    "LTV_BOUNDS",
    "MARK_EVERY",
    "ROLLED",
    "Rolled",
    "ltv_bucket",
]

DEFAULT_HORIZON = 60
"""Months the roll-forward covers unless told otherwise (five years)."""
MARK_EVERY = 12
"""The LTV migration is counted every this many months (12, 24, …) up to the horizon."""
BUCKETS: tuple[str, ...] = ("le_80", "80_100", "100_120", "120_140", "gt_140", "no_value", "closed")
"""The migration's buckets, in code order: the summary's LTV buckets, then ``closed``."""
ROLLED = ("loans_open", "under_water", "total_negative_equity")
"""What :func:`~underwater.portfolio.paths.loan_paths` adds up per scenario and month, in order
(int64: counts, and cents)."""
LTV_BOUNDS = (80, 100, 120, 140)
"""Upper bounds (percent, inclusive) of the LTV buckets: ≤ 80, 80-100, 100-120, 120-140, > 140,
then no value (value 0) and, in the migration, :data:`CLOSED`."""
CLOSED = len(LTV_BOUNDS) + 2
"""The migration's bucket of a loan paid off by the month looked at."""
_OPEN, _UNDER, _NEGATIVE = range(len(ROLLED))


def ltv_bucket(balance_cents: int, value_cents: int) -> int:
    """The LTV bucket (an index of :data:`BUCKETS`) of a balance against a value, in cents;
    a bucket includes its upper bound.

    >>> [BUCKETS[ltv_bucket(b, 10_000)] for b in (8_000, 8_001, 14_001)], BUCKETS[ltv_bucket(1, 0)]
    (['le_80', '80_100', 'gt_140'], 'no_value')
    """
    if value_cents == 0:
        return len(LTV_BOUNDS) + 1
    return next(
        (k for k, bound in enumerate(LTV_BOUNDS) if 100 * balance_cents <= bound * value_cents),
        len(LTV_BOUNDS),
    )


@dataclass
class Rolled:
    """The roll-forward of some loans: ``months[s, t]`` = (loans open, under water, negative
    equity in cents) for scenario s and month t = 0..``horizon``; ``moves[s, k, a, b]`` = loans in
    bucket a today and bucket b (of :data:`BUCKETS`) at month ``marks[k]``."""

    horizon: int
    marks: NDArray[np.int64]
    months: NDArray[np.int64]
    moves: NDArray[np.int64]

    @classmethod
    def empty(cls, scenarios: int, horizon: int, marks: NDArray[np.int64]) -> Rolled:
        """Nothing counted yet, for ``scenarios`` scenarios over months 0..``horizon``."""
        return cls(
            horizon,
            marks,
            np.zeros((scenarios, horizon + 1, len(ROLLED)), dtype=np.int64),
            np.zeros((scenarios, len(marks), CLOSED, CLOSED + 1), dtype=np.int64),
        )

    def merge(self, other: Rolled) -> None:
        """Add ``other``'s counts (the same scenarios, horizon and marks) into these."""
        self.months += other.months
        self.moves += other.moves

    def add_loan(self, scenario: int, path: Sequence[tuple[int, int]], other_liens: int) -> None:
        """Add one loan's (balance, value) in cents at months 0, 1, … (at least to its last
        open month within the horizon) to ``scenario``'s counts."""
        last = min(self.horizon, len(path) - 1)
        open_until = next((t for t in range(1, last + 1) if path[t][0] <= 0), last + 1)
        for t in range(open_until):
            balance, value = path[t]
            self.months[scenario, t, _OPEN] += 1
            gap = balance + other_liens - value
            if gap > 0:
                self.months[scenario, t, _UNDER] += 1
                self.months[scenario, t, _NEGATIVE] += gap
        origin = ltv_bucket(*path[0])
        for k, mark in enumerate(self.marks):
            target = ltv_bucket(*path[mark]) if mark < open_until else CLOSED
            self.moves[scenario, k, origin, target] += 1

    def by_month(self, scenario: int) -> list[dict[str, Any]]:
        """``scenario``'s months as JSON: ``month``, ``loans_open``, ``under_water``,
        ``share_under_water`` (of the open loans), ``total_negative_equity`` and
        ``average_negative_equity`` (over the loans under water)."""
        rows = []
        for t in range(self.horizon + 1):
            loans, under, negative = (int(x) for x in self.months[scenario, t])
            rows.append(
                {
                    "month": t,
                    "loans_open": loans,
                    "under_water": under,
                    "share_under_water": format_ratio(Decimal(under) / loans) if loans else None,
                    "total_negative_equity": format_money(from_cents(negative)),
                    "average_negative_equity": format_money(from_cents(negative) / under) if under else None,
                }
            )
        return rows

    def migration(self, scenario: int) -> dict[str, dict[str, dict[str, int]]]:
        """``scenario``'s LTV migration as JSON: by mark month (``"12"``), by today's bucket
        (those with loans), the count in each bucket then (every bucket, ``closed`` last)."""
        return {
            str(int(mark)): {
                BUCKETS[a]: {BUCKETS[b]: int(self.moves[scenario, k, a, b]) for b in range(CLOSED + 1)}
                for a in range(CLOSED)
                if self.moves[scenario, k, a].any()
            }
            for k, mark in enumerate(self.marks)
        }
