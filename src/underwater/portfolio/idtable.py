"""The compiled loops of :class:`~underwater.portfolio.ids.LoanIds`' table (numba): claiming
fingerprints in an open-addressing table of 16-byte slots, and moving them to a larger table.

Kept apart from :mod:`underwater.portfolio.ids` so that making a table, and everything a run
does before its first row is read, never waits for numba to load.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from underwater.portfolio.compiled import jit, prefetch
from underwater.portfolio.ids import MAX_ROW

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["claim", "rehash"]

_AHEAD = 16  # rows between asking for a slot and reading it


@jit
def _slot(key: np.uint64, capacity: int) -> np.int64:
    # Lemire's multiply-shift: the top 32 bits of the key spread over any capacity < 2**32.
    # (Signed and unsigned integers never meet in one expression: numba would make a float.)
    return np.int64(((key >> np.uint64(32)) * np.uint64(capacity)) >> np.uint64(32))


@jit
def claim(
    table: NDArray[np.uint64],
    first: NDArray[np.uint64],
    second: NDArray[np.uint64],
    rows: NDArray[np.int64],
    present: NDArray[np.bool_],
    out: NDArray[np.int64],
) -> int:
    """For each present row in order, into ``out``: the row that claimed its fingerprint before
    (0 if none), claiming it now if it is new. Returns how many fingerprints were added. A slot
    is (key, tag | row), key 0 meaning empty."""
    capacity = table.shape[0]
    count = rows.shape[0]
    tag_mask = np.uint64(~MAX_ROW & 0xFFFF_FFFF_FFFF_FFFF)
    slots = np.empty(count, dtype=np.int64)
    for i in range(count):
        slots[i] = _slot(first[i] | np.uint64(1), capacity)
    added = 0
    for i in range(count):
        # The table is far larger than the cache and the probe below branches on what it
        # reads: without asking ahead, every row would wait for its slot in turn.
        if i + _AHEAD < count:
            prefetch(table, slots[i + _AHEAD])
        out[i] = 0
        if not present[i]:
            continue
        key = first[i] | np.uint64(1)
        tag = second[i] & tag_mask
        slot = slots[i]
        while True:
            held = table[slot, 0]
            if held == 0:
                table[slot, 0] = key
                table[slot, 1] = tag | np.uint64(rows[i])
                added += 1
                break
            if held == key and (table[slot, 1] & tag_mask) == tag:
                out[i] = np.int64(table[slot, 1] & np.uint64(MAX_ROW))
                break
            slot = slot + np.int64(1)
            if slot == capacity:
                slot = np.int64(0)
    return added


@jit
def rehash(table: NDArray[np.uint64], grown: NDArray[np.uint64]) -> None:
    """Move every slot of ``table`` into ``grown`` (empty, larger)."""
    capacity = grown.shape[0]
    for old in range(table.shape[0]):
        key = table[old, 0]
        if key == 0:
            continue
        slot = _slot(key, capacity)
        while grown[slot, 0] != 0:
            slot = slot + np.int64(1)
            if slot == capacity:
                slot = np.int64(0)
        grown[slot, 0] = key
        grown[slot, 1] = table[old, 1]
