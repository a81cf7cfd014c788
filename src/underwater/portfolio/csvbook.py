"""Reading a CSV book record by record, so that one broken record is a reject and never the end of a run.

**Records and rows.** A record is a line, or several when a quoted cell holds a line break
(RFC 4180: ``"…"``, a quote inside doubled as ``""``, commas and line breaks inside the quotes
belong to the cell, as spreadsheets export a cell of two lines). A line ends at LF, CRLF or a
lone CR (the last line may have no end). The first line is the header; every later record is
one data row, numbered from 1, including an empty line, which is rejected as empty. So *rows
in* is the number of records after the header (the number of lines when no cell holds a line
break), and rows in = rows out + rows rejected always holds. A UTF-8 byte-order mark before the
header is skipped.

**A quote left open** cannot swallow the file: read on to its closing quote (at most
:data:`MAX_LINE_BYTES` on), the lines it spans must make one well-formed record with the
header's number of fields; otherwise only the line it opened on is rejected ("a quoted cell is
not closed") and the next line starts the next record.

**Broken records** are rejected with their row number, ``field`` ``line``, an empty
``loan_id`` and the reason, while the good records go on: an empty line; a different number of
fields from the header; a quote left open, a quote inside an unquoted cell, or text after a
closing quote; a NUL byte; bytes that are not UTF-8 (a Latin-1 ``é``, say); a record longer
than :data:`MAX_LINE_BYTES`. The header itself (one line) must be readable (UTF-8, well quoted,
no repeated names; checked in one pass, whatever the number of columns), or the whole file is
refused with :class:`~underwater.errors.InputError`.

**How.** The file is read once, from one open handle, in blocks of :data:`BLOCK_BYTES` that end
at a line end; a record still in quotes at a block's end waits for the next block. A compiled
loop (:mod:`underwater.portfolio.csvscan`) walks each block once, finding every record's
bounds, counting its fields outside quotes and checking its quoting; Python's strict UTF-8
decoder checks the block's text. The good records — the whole block, untouched, when every
record is good — go to polars' CSV reader with every cell as text. Memory is bounded by the block and the chunk size, whatever the file.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

import numpy as np
import polars as pl

from underwater.errors import InputError

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = [
    "BLOCK_BYTES",
    "MAX_LINE_BYTES",
    "Chunk",
    "csv_chunks",
    "read_header",
    "read_records",
    "reject_frame",
]

BLOCK_BYTES = 4 << 20
"""Bytes read at a time (a block then runs to its last complete line)."""
MAX_LINE_BYTES = 1 << 20
"""The longest line accepted, in bytes (a loan's row is about a hundred)."""

_CR = 13
# Line states found by the compiled loop (:mod:`underwater.portfolio.csvscan`; 0: good), then by
# Python (UTF-8).
LINE_OK, LINE_EMPTY, LINE_FIELDS, LINE_OPEN, LINE_STRAY, LINE_AFTER, LINE_NUL, LINE_LONG, LINE_UTF8 = range(9)
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class Chunk:
    """Rows read from a book: ``frame`` holds the readable rows' cells (text, for CSV) and
    ``rows`` their 1-based row numbers; ``broken`` are rejects (:data:`REJECT_COLUMNS`) for the
    rows that could not be read as rows at all. Rows in = ``len(rows)`` + ``broken.height``."""

    frame: pl.DataFrame
    rows: NDArray[np.int64]
    broken: pl.DataFrame

    @property
    def rows_in(self) -> int:
        """How many rows of the book this chunk accounts for."""
        return len(self.rows) + self.broken.height


def reject_frame(rows: list[int], reasons: list[str], field: str = "line") -> pl.DataFrame:
    """Rejects with no ``loan_id`` (:data:`REJECT_COLUMNS`), e.g. for broken lines."""
    return pl.DataFrame(
        {"row": rows, "loan_id": [None] * len(rows), "field": [field] * len(rows), "reason": reasons},
        schema={"row": pl.Int64, "loan_id": pl.String, "field": pl.String, "reason": pl.String},
    )


def _reason(state: int, count: int, fields: int, detail: str) -> str:
    if state == LINE_EMPTY:
        return "the line is empty"
    if state == LINE_FIELDS:
        return f"has {count} fields; the header has {fields}"
    if state == LINE_OPEN:
        return (
            "a quoted cell is not closed: read on to a closing quote, the lines after it make "
            f"no record of {fields} fields"
        )
    if state == LINE_STRAY:
        return "has a quote inside an unquoted cell (quote the whole cell and double the quote)"
    if state == LINE_AFTER:
        return "has text after a closing quote (a quoted cell ends at a comma or the line's end)"
    if state == LINE_NUL:
        return "contains a NUL byte"
    if state == LINE_LONG:
        return f"is longer than {MAX_LINE_BYTES:,} bytes"
    return f"is not UTF-8 text ({detail})"


def _line_end(data: bytes | bytearray, start: int = 0) -> int:
    """Index of the first LF or CR at or after ``start``, or -1."""
    ends = [p for p in (data.find(b"\n", start), data.find(b"\r", start)) if p >= 0]
    return min(ends) if ends else -1


def read_header(handle: IO[bytes], source: str = "book") -> tuple[list[str], bytes]:
    """The column names on the first line, and the bytes read after that line (the start of
    the data). An unreadable header refuses the whole file."""
    data = handle.read(MAX_LINE_BYTES + 2)
    data = data.removeprefix(_BOM)
    if not data:
        raise InputError(source, "is empty: a CSV book needs a header line naming its columns")
    end = _line_end(data)
    if end < 0:
        if len(data) > MAX_LINE_BYTES:
            raise InputError(source, f"has a header line longer than {MAX_LINE_BYTES:,} bytes")
        end = len(data)
    after = end + (2 if data[end : end + 2] == b"\r\n" else 1)
    if data[end : end + 1] == b"\r" and end + 1 == len(data):
        data += handle.read(1)  # a CR at the edge of what was read: is an LF next?
        after = end + (2 if data[end : end + 2] == b"\r\n" else 1)
    raw = data[:end]
    if b"\x00" in raw:
        raise InputError(source, "has a NUL byte in its header line")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            source, f"has a header line that is not UTF-8 text (byte {error.start + 1})"
        ) from None
    try:
        names = next(csv.reader([text], strict=True))
    except (csv.Error, StopIteration) as error:
        raise InputError(source, f"has a header line that is not valid CSV ({error})") from None
    repeated = sorted(name for name, times in Counter(names).items() if times > 1)
    if repeated:
        raise InputError(
            source, f"names a column more than once in its header: {', '.join(map(repr, repeated))}"
        )
    return names, data[after:]


class _Lines:
    """Turns blocks of the file into readable rows and broken-line rejects."""

    def __init__(self, names: list[str], wanted: list[str]) -> None:
        self.names = names
        self.wanted = wanted
        self.schema = {name: pl.String for name in names}
        where = {name: k for k, name in enumerate(names)}
        self.positions = [where[name] for name in wanted]
        self.row = 0  # the last row (record) consumed; row 1 is the first record after the header

    def rows(
        self, block: bytes, eof: bool = True
    ) -> tuple[pl.DataFrame, NDArray[np.int64], list[int], list[str], int]:
        """The block's readable rows (cells as text), their numbers, the broken ones', and how
        many bytes of the block they take (a record still open at its end waits for more)."""
        # The compiled loops (numba) load on first use: a Parquet book never needs them.
        from underwater.portfolio.csvscan import compact, scan

        view = np.frombuffer(block, dtype=np.uint8)
        most = block.count(b"\n") + block.count(b"\r") + 1
        starts = np.empty(most, dtype=np.int64)
        ends = np.empty(most, dtype=np.int64)
        states = np.empty(most, dtype=np.int8)
        counts = np.empty(most, dtype=np.int64)
        lines, lone_cr, used = scan(view, len(self.names), MAX_LINE_BYTES, eof, starts, ends, states, counts)
        starts, ends, states, counts = starts[:lines], ends[:lines], states[:lines], counts[:lines]
        if used < len(block):
            block = block[:used]
            view = view[:used]
        details = self._check_text(block, starts, ends, states)
        good = states == LINE_OK
        numbers = self.row + 1 + np.arange(lines, dtype=np.int64)
        self.row += lines
        bad = np.nonzero(~good)[0]
        broken_rows = [int(numbers[k]) for k in bad]
        reasons = [
            _reason(int(states[k]), int(counts[k]), len(self.names), details.get(int(k), "")) for k in bad
        ]
        if good.all() and not lone_cr:
            data = block
        else:
            out = np.empty(len(block) + lines, dtype=np.uint8)
            data = out[: compact(view, starts, ends, good, out)].tobytes()
        kept = int(good.sum())
        frame = self._parse(data, kept)
        return frame, numbers[good], broken_rows, reasons, used

    @staticmethod
    def _check_text(
        block: bytes, starts: NDArray[np.int64], ends: NDArray[np.int64], states: NDArray[np.int8]
    ) -> dict[int, str]:
        # Python's strict decoder over the whole block at once; from the first line that fails,
        # line by line (so a file of Latin-1 text costs one decode a line, not one a byte).
        details: dict[int, str] = {}
        try:
            block.decode("utf-8")
            return details
        except UnicodeDecodeError as error:
            first = min(int(np.searchsorted(ends, error.start, side="left")), len(starts) - 1)
        for k in range(first, len(starts)):
            start = int(starts[k])
            try:
                block[start : int(ends[k])].decode("utf-8")
            except UnicodeDecodeError as error:
                if states[k] == LINE_OK:
                    states[k] = LINE_UTF8
                    details[k] = (
                        f"byte 0x{block[start + error.start]:02X} at byte {error.start + 1} of the line"
                    )
        return details

    def _parse(self, data: bytes, kept: int) -> pl.DataFrame:
        if not kept:
            return pl.DataFrame(schema=dict.fromkeys(self.wanted, pl.String))
        frame = pl.read_csv(
            data,
            has_header=False,
            schema=self.schema,
            columns=self.positions,
            quote_char='"',
            infer_schema=False,
            raise_if_empty=False,
            truncate_ragged_lines=False,
        )
        if frame.height != kept:  # pragma: no cover - the scan and polars disagree: a bug
            raise AssertionError(f"polars read {frame.height} rows of {kept} good lines")
        return frame


def _cut(buffer: bytearray, eof: bool) -> int:
    """How much of ``buffer`` ends at a complete line end (all of it at the end of the file)."""
    if eof:
        return len(buffer)
    after_lf = buffer.rfind(b"\n") + 1
    cr = buffer.rfind(b"\r", 0, len(buffer) - 1)  # a CR with a byte after it is a whole line end
    return max(after_lf, cr + 1)


def csv_chunks(path: str | Path, chunk_size: int, wanted: list[str] | None = None) -> Iterator[Chunk]:
    """The CSV book's rows in :class:`Chunk`s of at most ``chunk_size`` readable rows, in
    file order; only the columns ``wanted`` are kept (default: every column)."""
    with open(path, "rb") as handle:
        names, start = read_header(handle)
        yield from read_records(handle, names, start, chunk_size, wanted)


def read_records(
    handle: IO[bytes], names: list[str], start: bytes, chunk_size: int, wanted: list[str] | None = None
) -> Iterator[Chunk]:
    """:func:`csv_chunks` from a handle whose header :func:`read_header` has read (``names``,
    and ``start``: the bytes it read past the header), so a book is opened and read once."""
    chosen = None if wanted is None else set(wanted)
    lines = _Lines(names, [name for name in names if chosen is None or name in chosen])
    pieces: list[tuple[pl.DataFrame, NDArray[np.int64]]] = []
    held = 0
    broken_rows: list[int] = []
    reasons: list[str] = []
    for frame, numbers, bad_rows, bad_reasons in _blocks(handle, start, lines):
        broken_rows += bad_rows
        reasons += bad_reasons
        if frame.height:
            pieces.append((frame, numbers))
            held += frame.height
        while held >= chunk_size:
            chunk, pieces, held = _take(pieces, chunk_size)
            last = int(chunk.rows[-1])
            split = next((k for k, row in enumerate(broken_rows) if row > last), len(broken_rows))
            yield Chunk(chunk.frame, chunk.rows, reject_frame(broken_rows[:split], reasons[:split]))
            broken_rows, reasons = broken_rows[split:], reasons[split:]
    if held or broken_rows:
        frames = [frame for frame, _ in pieces]
        frame = pl.concat(frames) if frames else pl.DataFrame(schema=dict.fromkeys(lines.wanted, pl.String))
        rows = np.concatenate([numbers for _, numbers in pieces]) if pieces else np.zeros(0, dtype=np.int64)
        yield Chunk(frame, rows, reject_frame(broken_rows, reasons))


def _take(
    pieces: list[tuple[pl.DataFrame, NDArray[np.int64]]], size: int
) -> tuple[Chunk, list[tuple[pl.DataFrame, NDArray[np.int64]]], int]:
    frame = pl.concat([piece for piece, _ in pieces], rechunk=True)
    rows = np.concatenate([numbers for _, numbers in pieces])
    rest = frame.slice(size)
    left = [(rest, rows[size:])] if rest.height else []
    return Chunk(frame.slice(0, size), rows[:size], reject_frame([], [])), left, rest.height


def _blocks(
    handle: IO[bytes], start: bytes, lines: _Lines
) -> Iterator[tuple[pl.DataFrame, NDArray[np.int64], list[int], list[str]]]:
    buffer = bytearray(start)
    eof = False
    skipping = False  # inside a line too long to hold: drop bytes up to its end
    while True:
        if not eof:
            data = handle.read(BLOCK_BYTES)
            eof = not data
            buffer += data
        if skipping:
            end = _line_end(buffer)
            if end < 0 or (end == len(buffer) - 1 and buffer[end] == _CR and not eof):
                del buffer[: len(buffer) - (1 if buffer.endswith(b"\r") else 0)]
                if eof:
                    return
                continue
            del buffer[: end + (2 if buffer[end : end + 2] == b"\r\n" else 1)]
            skipping = False
        cut = _cut(buffer, eof)
        if cut == 0 and len(buffer) > MAX_LINE_BYTES:
            lines.row += 1
            yield (
                lines._parse(b"", 0),
                np.zeros(0, dtype=np.int64),
                [lines.row],
                [_reason(LINE_LONG, 0, 0, "")],
            )
            buffer.clear()
            skipping = True
            continue
        if cut:
            frame, numbers, broken, reasons, used = lines.rows(
                bytes(buffer[:cut]), eof and cut == len(buffer)
            )
            del buffer[:used]
            yield frame, numbers, broken, reasons
            if used == 0 and eof:  # pragma: no cover - at the end of the file every record is read
                raise AssertionError("a record at the end of the file was left unread")
        if eof and not buffer:
            return
