"""The compiled loops of :mod:`underwater.portfolio.csvbook` (numba): finding every record of
a block of CSV text, its field count and its first problem, and packing the good records.

Kept apart from :mod:`underwater.portfolio.csvbook` so that reading a Parquet book, and
everything a run does before its first row is read, never waits for numba to load.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from underwater.portfolio.compiled import jit
from underwater.portfolio.csvbook import (
    LINE_AFTER,
    LINE_EMPTY,
    LINE_FIELDS,
    LINE_LONG,
    LINE_NUL,
    LINE_OPEN,
    LINE_STRAY,
)

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["compact", "scan"]

_LF, _CR, _QUOTE, _COMMA = 10, 13, 34, 44


@jit
def scan(
    block: NDArray[np.uint8],
    fields: int,
    limit: int,
    eof: bool,
    starts: NDArray[np.int64],
    ends: NDArray[np.int64],
    states: NDArray[np.int8],
    counts: NDArray[np.int64],
) -> tuple[int, bool, int]:
    """Every record of the block, into ``starts``, ``ends``, ``states`` (a ``LINE_`` state of
    :mod:`~underwater.portfolio.csvbook`) and ``counts`` (fields). Returns the number of
    records, whether a lone CR ended any (polars only knows LF and CRLF), and how many bytes
    they take: a record still in quotes at the end of the block (not of the file) is left for
    the next block."""
    size = block.shape[0]
    i = 0
    record = 0
    lone_cr = False
    while i < size:
        start = i
        count = 1
        where = 0  # 0 at a cell's start, 1 in an unquoted cell, 2 in quotes, 3 just after a quote in quotes
        problem = 0
        first_break = -1  # where the first line break inside quotes is, and the line after it
        second_line = -1
        while i < size:
            c = block[i]
            if c in (_LF, _CR):
                if where != 2 or problem != 0 or i - start > limit:
                    break
                # RFC 4180: a line break inside quotes is part of the cell (CRLF as one).
                step = 2 if c == _CR and i + 1 < size and block[i + 1] == _LF else 1
                if first_break < 0:
                    first_break, second_line = i, i + step
                i += step
                continue
            if problem == 0:
                if c == 0:
                    problem = LINE_NUL
                elif where == 0:
                    if c == _QUOTE:
                        where = 2
                    elif c == _COMMA:
                        count += 1
                    else:
                        where = 1
                elif where == 1:
                    if c == _COMMA:
                        count += 1
                        where = 0
                    elif c == _QUOTE:
                        problem = LINE_STRAY
                elif where == 2:
                    if c == _QUOTE:
                        where = 3
                elif c == _QUOTE:  # where == 3: a doubled quote stands for one
                    where = 2
                elif c == _COMMA:
                    count += 1
                    where = 0
                else:
                    problem = LINE_AFTER
            i += 1
        end = i
        if i == size and where == 2 and problem == 0 and not eof and end - start <= limit:
            return record, lone_cr, start  # in quotes at the block's end: the next block has the rest
        if end - start > limit:
            problem = LINE_LONG
        elif end == start:
            problem = LINE_EMPTY
        elif problem == 0 and where == 2:
            problem = LINE_OPEN
        elif problem == 0 and count != fields:
            problem = LINE_FIELDS
        if first_break >= 0 and problem != 0:
            # Read to its closing quote the record is no row: the quote was left open, and only
            # its first line is spoiled; the next line starts the next record.
            end, i, problem = first_break, second_line, LINE_OPEN
        elif i < size:
            if block[i] == _CR and i + 1 < size and block[i + 1] == _LF:
                i += 2
            else:
                lone_cr = lone_cr or block[i] == _CR
                i += 1
        starts[record] = start
        ends[record] = end
        states[record] = problem
        counts[record] = count
        record += 1
    return record, lone_cr, size


@jit
def compact(
    block: NDArray[np.uint8],
    starts: NDArray[np.int64],
    ends: NDArray[np.int64],
    keep: NDArray[np.bool_],
    out: NDArray[np.uint8],
) -> int:
    """The kept lines, each ended by LF, packed into ``out``; returns the bytes used."""
    used = 0
    for k in range(starts.shape[0]):
        if keep[k]:
            for i in range(starts[k], ends[k]):
                out[used] = block[i]
                used += 1
            out[used] = _LF
            used += 1
    return used
