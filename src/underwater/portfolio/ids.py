"""Repeated loan ids across a whole book, found chunk by chunk in bounded memory per loan.

A book is read in chunks, so a repeat can be millions of rows from the loan it repeats.
:class:`LoanIds` remembers every ``loan_id`` seen so far as a fingerprint, not as text: two
64-bit hashes of the text (polars' ``hash`` with two seeds), kept as 88 bits together with the
row number (40 bits) in one slot of 16 bytes of an open-addressing table that is at most 70 %
full, its size a power of two: 23 to 46 bytes a loan (256 MiB for ten million), whatever the
length of the ids. Two different ids share a fingerprint with a chance of about n² / 2⁸⁹ for n loans
(2·10⁻¹³ for ten million), far below the rate of hardware memory errors; the table is exact
about everything else.

The first row with an id claims it, whether or not that row passes the other rules (so a
fix elsewhere in the first row never turns a later row into a repeat); every later row with
the same id is a repeat and is told the first row's number.

The table's compiled loops are in :mod:`underwater.portfolio.idtable`, imported when first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["MAX_ROW", "SEEDS", "KnownRepeats", "LoanIds"]

SEEDS = (0x5EED_0001, 0x5EED_0002)
"""The two seeds of polars' ``hash`` that make a fingerprint (fixed: runs are reproducible)."""
MAX_ROW = (1 << 40) - 1
"""The largest row number a slot can hold (about 10¹², far past any book)."""
_LOAD = 0.7
_SMALLEST = 1 << 12


def _table(capacity: int) -> NDArray[np.uint64]:
    # Zeroed memory is handed out untouched; its pages are then faulted in at random, one miss
    # at a time, by the first inserts (measured: twice the inserts' own time at ten million).
    # Writing the zeros once, in order, faults them in at memory speed.
    table = np.empty((capacity, 2), dtype=np.uint64)
    table.fill(0)
    return table


class LoanIds:
    """The loan ids seen so far in a book, as fingerprints (see the module docstring).

    ``expected`` loans are room made at once (a good guess saves regrowing the table). The
    table is made on the first :meth:`repeats`, in the thread that checks the first chunk, so
    that a run reads its first rows without waiting for the table's pages (0.15 s at ten
    million loans).

    >>> import polars as pl
    >>> ids = LoanIds()
    >>> first, second = LoanIds.fingerprints(pl.Series(["A", "B", "A"]))
    >>> ids.repeats(first, second, np.array([1, 2, 3]), np.ones(3, dtype=np.bool_)).tolist()
    [0, 0, 1]
    """

    def __init__(self, expected: int = 0) -> None:
        self._count = 0
        capacity = _SMALLEST
        while capacity * _LOAD < expected:
            capacity *= 2
        self._capacity = capacity
        self._table: NDArray[np.uint64] | None = None

    def __len__(self) -> int:
        return self._count

    @property
    def nbytes(self) -> int:
        """Memory the table takes (made at the first :meth:`repeats`), in bytes."""
        return self._capacity * 16

    @staticmethod
    def fingerprints(loan_ids: object) -> tuple[NDArray[np.uint64], NDArray[np.uint64]]:
        """The two 64-bit hashes of each id of a polars String Series."""
        import polars as pl

        assert isinstance(loan_ids, pl.Series)
        text = loan_ids.cast(pl.String)
        return (
            text.hash(seed=SEEDS[0]).to_numpy().astype(np.uint64, copy=False),
            text.hash(seed=SEEDS[1]).to_numpy().astype(np.uint64, copy=False),
        )

    def repeats(
        self,
        first: NDArray[np.uint64],
        second: NDArray[np.uint64],
        rows: NDArray[np.int64],
        present: NDArray[np.bool_],
    ) -> NDArray[np.int64]:
        """For each row (in order), the row number of the earlier row with the same id, or 0;
        rows where ``present`` is False (no usable id) are skipped. New ids are remembered."""
        # The compiled loops (numba) load on first use, not with this module: a run reads its
        # first rows while they load.
        from underwater.portfolio.idtable import claim, rehash

        count = len(rows)
        if count and (rows.min() < 1 or rows.max() > MAX_ROW):
            raise ValueError(f"row numbers must be 1 to {MAX_ROW}")
        if self._table is None:
            self._table = _table(self._capacity)
        while (self._count + count) > self._capacity * _LOAD:
            self._capacity *= 2
            grown = _table(self._capacity)
            rehash(self._table, grown)
            self._table = grown
        out = np.empty(count, dtype=np.int64)
        self._count += claim(
            self._table,
            np.ascontiguousarray(first, dtype=np.uint64),
            np.ascontiguousarray(second, dtype=np.uint64),
            np.ascontiguousarray(rows, dtype=np.int64),
            np.ascontiguousarray(present, dtype=np.bool_),
            out,
        )
        return out


class KnownRepeats:
    """Repeats found beforehand (a cluster's pass over the ``loan_id`` column): ``rows`` and,
    for each, the earlier row with the same id. It answers :meth:`LoanIds.repeats` for the
    rows it holds, so the task of each part rejects what a local run would.

    >>> known = KnownRepeats(np.array([3, 9]), np.array([1, 2]))
    >>> known.repeats(np.zeros(3, np.uint64), np.zeros(3, np.uint64), np.array([2, 3, 9]),
    ...     np.ones(3, dtype=np.bool_)).tolist()
    [0, 1, 2]
    """

    def __init__(
        self, rows: NDArray[np.int64] | None = None, firsts: NDArray[np.int64] | None = None
    ) -> None:
        self.rows = np.zeros(0, dtype=np.int64) if rows is None else np.asarray(rows, dtype=np.int64)
        self.firsts = np.zeros(0, dtype=np.int64) if firsts is None else np.asarray(firsts, dtype=np.int64)
        order = np.argsort(self.rows, kind="stable")
        self.rows, self.firsts = self.rows[order], self.firsts[order]

    def within(self, first_row: int, count: int) -> KnownRepeats:
        """Those of rows ``first_row`` .. ``first_row + count - 1``."""
        low, high = np.searchsorted(self.rows, [first_row, first_row + count])
        return KnownRepeats(self.rows[low:high], self.firsts[low:high])

    def repeats(
        self,
        first: NDArray[np.uint64],
        second: NDArray[np.uint64],
        rows: NDArray[np.int64],
        present: NDArray[np.bool_],
    ) -> NDArray[np.int64]:
        """For each row, the earlier row it repeats (0 if none or not ``present``)."""
        out = np.zeros(len(rows), dtype=np.int64)
        if not len(self.rows) or not len(rows):
            return out
        where = np.minimum(np.searchsorted(self.rows, rows), len(self.rows) - 1)
        hit = (self.rows[where] == rows) & present
        out[hit] = self.firsts[where[hit]]
        return out
