"""Reading a book in chunks and writing results, as CSV or Parquet.

**Reading** streams: :func:`read_chunks` (or a :class:`BookFile`'s chunks) yields
:class:`~underwater.portfolio.csvbook.Chunk`s of at most ``chunk_size`` rows, so memory stays
bounded whatever the size of the book. A CSV book is read record by record by
:mod:`underwater.portfolio.csvbook` (cells as text, so that a number that is not a number, or a
line that is not a row, becomes a reject rather than a failed file); a Parquet book by polars'
streaming engine. A book must be a regular file: a directory, a FIFO, a device or a socket is
refused before anything opens it, and a CSV book is opened once. A file that cannot be read at
all (missing, unreadable, not Parquet inside) is an :class:`~underwater.errors.InputError`
naming the book.

**Writing** is atomic: :func:`write_atomic` streams frames into a temporary file in the
destination's directory, and :mod:`underwater.portfolio.outputs` puts it in place (fsync, the
umask's mode, rename), alone or with the run's other files (:func:`write_frames` into an
:class:`~underwater.portfolio.outputs.Outputs` file). An interrupted run (an exception, Ctrl-C,
SIGTERM: see :mod:`underwater.portfolio.signals`) removes the temporary file and leaves the
destination as it was: never half written. A write that fails (a full disk, a file-size limit)
is an :class:`~underwater.errors.InputError` naming the option. Parquet is written with fixed
settings (fixed row groups, no timestamps in the metadata), so the same frames give the same
bytes. Text cells of a CSV file are made formula-safe (:func:`formula_safe`), and a reject
file's control characters written as escapes; Parquet keeps them exactly.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Literal

import numpy as np
import polars as pl

from underwater.errors import InputError, escaped
from underwater.portfolio.csvbook import Chunk, read_header, read_records, reject_frame
from underwater.portfolio.outputs import (
    atomic_path,
    file_mode,
    problem_text,
    remove_temporaries,
    temporary_directory,
    writing_error,
)

__all__ = [
    "COMPRESSIONS",
    "MONEY",
    "BookFile",
    "CsvWriter",
    "atomic_path",
    "book_format",
    "columns_of",
    "count_rows",
    "dollars",
    "file_mode",
    "formula_safe",
    "read_chunks",
    "remove_temporaries",
    "schema_of",
    "temporary_directory",
    "write_atomic",
    "write_frames",
]

MONEY = pl.Decimal(18, 2)
"""Money in output files: a decimal with two places (exact cents)."""
ROW_GROUP = 262_144
Compression = Literal["snappy", "zstd", "lz4", "uncompressed"]
_CODECS: dict[str, Compression] = {
    "snappy": "snappy",
    "zstd": "zstd",
    "lz4": "lz4",
    "uncompressed": "uncompressed",
}
COMPRESSIONS: tuple[str, ...] = tuple(_CODECS)
"""Parquet compressions for output; the first is the default."""
ZSTD_LEVEL = 1
"""zstd level for Parquet output: level 1 writes a third faster than the default level and the
files come out within 1 % of the size (measured on a 10-million-loan output)."""

Format = Literal["csv", "parquet"]


def book_format(path: str | Path, field: str = "book") -> Format:
    """``"csv"`` or ``"parquet"`` from a file name's extension; anything else is refused.

    >>> book_format("loans.PARQUET"), book_format("out.csv")
    ('parquet', 'csv')
    """
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in {".parquet", ".pq"}:
        return "parquet"
    raise InputError(field, "must be a .csv or .parquet file", got=str(path))


@contextlib.contextmanager
def _reading(path: str | Path) -> Iterator[None]:
    # Whatever stops a file being read is a one-line refusal of the book, not a traceback.
    try:
        yield
    except (OSError, pl.exceptions.PolarsError) as error:
        raise InputError("book", f"could not be read: {problem_text(error)}", got=str(path)) from error


def _not_regular(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "is a directory (a directory of Parquet parts runs with `workers` or `scheduler`)"
    if stat.S_ISFIFO(mode):
        kind = "a named pipe (FIFO)"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "a device"
    elif stat.S_ISSOCK(mode):
        kind = "a socket"
    else:  # pragma: no cover - no other kind of file exists on Linux
        kind = "not a file"
    return f"must be a regular file, not {kind}"


def _regular(path: str | Path, field: str = "book") -> None:
    """Refuse a book that is not a regular file (symbolic links followed), before anything
    opens it: a FIFO would block the open, a device read forever."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise InputError(field, "no such file", got=str(path)) from None
    except OSError as error:
        raise InputError(field, f"could not be read: {problem_text(error)}", got=str(path)) from error
    if not stat.S_ISREG(mode):
        raise InputError(field, _not_regular(mode), got=str(path))


def _open_regular(path: str | Path, field: str = "book") -> IO[bytes]:
    """``path`` opened for reading, checked on the open file to be a regular one (so a name
    swapped for a FIFO after :func:`_regular` cannot block: the open does not wait)."""
    _regular(path, field)
    with _reading(path):
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            os.close(fd)
            raise InputError(field, _not_regular(mode), got=str(path))
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")


def _count_lines(fd: int) -> int:
    """Lines after the header, counted in one pass over the file's bytes read at offsets (the
    handle's own position is not moved)."""
    lines, last, offset = 0, b"", 0
    while block := os.pread(fd, 1 << 22, offset):
        offset += len(block)
        joined = last + block
        lines += (
            joined.count(b"\n")
            + joined.count(b"\r")
            - joined.count(b"\r\n")
            - (last.count(b"\n") + last.count(b"\r"))
        )
        last = block[-1:]
    ends_open = bool(last) and last not in (b"\n", b"\r")
    return max(lines + ends_open - 1, 0)


def count_rows(path: str | Path) -> int:
    """Data rows in a book: from Parquet metadata, or the lines after a CSV file's header
    (the rows, when no quoted cell holds a line break; for a progress bar's total)."""
    with BookFile(path) as book:
        return book.count_rows()


def schema_of(path: str | Path) -> pl.Schema:
    """The columns of a book and their types (every CSV column is text). A file that is not
    a readable book — no such file, a directory, a FIFO or a device, a CSV header that cannot
    be read, a file that is not Parquet inside — refuses the book."""
    with BookFile(path) as book:
        return book.schema


def columns_of(path: str | Path) -> list[str]:
    """Column names of a book (see :func:`schema_of`)."""
    return list(schema_of(path).names())


def read_chunks(
    path: str | Path,
    chunk_size: int,
    columns: Sequence[str] | None = None,
    *,
    offset: int = 0,
    length: int | None = None,
) -> Iterator[Chunk]:
    """The book's rows as :class:`~underwater.portfolio.csvbook.Chunk`s of at most
    ``chunk_size`` readable rows, in file order; only ``columns`` are kept (default: all). A
    Parquet book can be read from row ``offset`` (0-based) for ``length`` rows; row numbers
    count from the file's first row."""
    with BookFile(path) as book:
        yield from book.chunks(chunk_size, columns, offset=offset, length=length)


class BookFile:
    """A book to read, checked first to be a regular file (a FIFO, a device or a directory is
    refused in one line, never opened). A CSV book is opened once, here, and everything is read
    from that handle: its header now, its rows once by :meth:`chunks`, its lines for a count by
    reads at offsets. A Parquet book is read by polars from its path (it needs to seek; a
    regular file, it is read the same each time). Close it, or use it as a context manager."""

    def __init__(self, path: str | Path, field: str = "book") -> None:
        self.path = path
        self.format: Format = book_format(path, field)
        self._handle: IO[bytes] | None = None
        self._names: list[str] = []
        self._start = b""
        if self.format == "parquet":
            _regular(path, field)
            return
        self._handle = _open_regular(path, field)
        try:
            with _reading(path):
                self._names, self._start = read_header(self._handle)
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> BookFile:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the CSV book's handle."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    @property
    def schema(self) -> pl.Schema:
        """The book's columns and types (every CSV column is text)."""
        if self.format == "csv":
            return pl.Schema(dict.fromkeys(self._names, pl.String))
        with _reading(self.path):
            return pl.scan_parquet(self.path).collect_schema()

    @property
    def size(self) -> int:
        """The book's size in bytes."""
        if self._handle is not None:
            return os.fstat(self._handle.fileno()).st_size
        return os.stat(self.path).st_size

    def count_rows(self) -> int:
        """Data rows: Parquet metadata, or a CSV book's lines after its header."""
        with _reading(self.path):
            if self._handle is None:
                return int(pl.scan_parquet(self.path).select(pl.len()).collect().item())
            return _count_lines(self._handle.fileno())

    def chunks(
        self,
        chunk_size: int,
        columns: Sequence[str] | None = None,
        *,
        offset: int = 0,
        length: int | None = None,
    ) -> Iterator[Chunk]:
        """The rows in :class:`~underwater.portfolio.csvbook.Chunk`s (see :func:`read_chunks`);
        a CSV book's once only."""
        wanted = None if columns is None else list(columns)
        if self._handle is not None:
            start, self._start = self._start, b""
            with _reading(self.path):
                yield from read_records(self._handle, self._names, start, chunk_size, wanted)
            return
        first_row = offset + 1
        with _reading(self.path):
            lazy = pl.scan_parquet(self.path)
            if wanted is not None:
                chosen = set(wanted)
                lazy = lazy.select([name for name in lazy.collect_schema().names() if name in chosen])
            if offset or length is not None:
                lazy = lazy.slice(offset, length)
            for frame in _rebatch(lazy.collect_batches(chunk_size=chunk_size), chunk_size):
                rows = np.arange(first_row, first_row + frame.height, dtype=np.int64)
                first_row += frame.height
                yield Chunk(frame, rows, reject_frame([], []))


def _rebatch(batches: Iterator[pl.DataFrame], chunk_size: int) -> Iterator[pl.DataFrame]:
    buffered: list[pl.DataFrame] = []
    held = 0
    for batch in batches:
        buffered.append(batch)
        held += batch.height
        while held >= chunk_size:
            joined = pl.concat(buffered, rechunk=True)
            yield joined.slice(0, chunk_size)
            rest = joined.slice(chunk_size)
            buffered, held = ([rest], rest.height) if rest.height else ([], 0)
    if held:
        yield pl.concat(buffered, rechunk=True)


def dollars(cents: pl.Expr) -> pl.Expr:
    """An integer column of cents as exact Decimal(18, 2) dollars: the cents are a decimal's
    unscaled integer, so they are widened to Int128 and read as dollars (no multiplication).

    >>> pl.select(dollars(pl.lit(-1234567))).item()
    Decimal('-12345.67')
    """
    return cents.cast(pl.Int128).reinterpret(dtype=MONEY)


def formula_safe(column: pl.Expr) -> pl.Expr:
    """A text column with :func:`underwater.csvsafe.safe_cell`'s rule applied to every cell: a
    leading ``'`` on a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a CR, unless
    it is a plain number (``-3000.00`` stays a number). Nulls stay null."""
    risky = column.str.contains(r"^[=+\-@\t\r]") & ~column.str.contains(
        r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$"
    )
    return pl.when(risky).then(pl.lit("'") + column).otherwise(column)


def _safe_text(schema: pl.Schema) -> list[pl.Expr]:
    return [formula_safe(pl.col(name)).alias(name) for name, dtype in schema.items() if dtype == pl.String]


def write_atomic(
    path: str | Path,
    frames: Callable[[], Iterator[pl.DataFrame]],
    schema: pl.Schema,
    compression: str = COMPRESSIONS[0],
    field: str = "output",
) -> None:
    """Stream the frames ``frames()`` yields into ``path`` (CSV or Parquet by extension),
    atomically: the file appears complete or not at all. ``compression`` is one of
    :data:`COMPRESSIONS` (Parquet only). An error raised by ``frames()`` comes out as it was
    raised; a failure to write is an :class:`~underwater.errors.InputError` naming ``field``."""
    book_format(path, "output")
    _codec(compression)
    with atomic_path(path, field) as temporary:
        write_frames(temporary, frames, schema, compression, field, path)


def _codec(compression: str) -> Compression:
    codec = _CODECS.get(compression)
    if codec is None:
        raise InputError("compression", "must be one of " + ", ".join(COMPRESSIONS), got=compression)
    return codec


def write_frames(
    temporary: str | Path,
    frames: Callable[[], Iterator[pl.DataFrame]],
    schema: pl.Schema,
    compression: str = COMPRESSIONS[0],
    field: str = "output",
    destination: str | Path | None = None,
) -> None:
    """Stream the frames ``frames()`` yields into ``temporary``, as the file ``destination``
    will be (CSV or Parquet by its extension; default: ``temporary``'s): see
    :func:`write_atomic`, whose writing this is, for a file put in place by
    :class:`~underwater.portfolio.outputs.Outputs`."""
    from polars.io.plugins import register_io_source

    shown = temporary if destination is None else destination
    kind = book_format(shown, "output")
    codec = _codec(compression)
    raised: list[BaseException] = []

    def source(
        with_columns: list[str] | None, predicate: pl.Expr | None, n_rows: int | None, batch_size: int | None
    ) -> Iterator[pl.DataFrame]:
        try:
            yield from frames()
        except BaseException as error:  # the reader's own error, not the writer's
            raised.append(error)
            raise

    lazy = register_io_source(source, schema=schema)
    try:
        if kind == "parquet":
            lazy.sink_parquet(
                temporary,
                compression=codec,
                compression_level=ZSTD_LEVEL if codec == "zstd" else None,
                statistics=False,
                row_group_size=ROW_GROUP,
            )
        else:
            lazy.with_columns(_safe_text(schema)).sink_csv(temporary)
    except (OSError, pl.exceptions.PolarsError) as error:
        if raised:
            raise raised[0] from None
        raise writing_error(field, shown, error) from error


class CsvWriter:
    """Append DataFrames with the same columns to one CSV file (the header is written even
    when no rows are); text cells are made formula-safe (:func:`formula_safe`), and with
    ``escape`` control characters are written as escapes (``\\x00``, ``\\n``), so a cell
    stays on its line whatever it holds. The file is written atomically on leaving the ``with``
    block, or into ``temporary`` (a file of an :class:`~underwater.portfolio.outputs.Outputs`,
    put in place with the run's others). Errors name ``field``."""

    def __init__(
        self,
        path: str | Path,
        columns: Sequence[str],
        field: str = "rejects",
        *,
        temporary: str | None = None,
        escape: bool = False,
    ) -> None:
        self._context = atomic_path(path, field) if temporary is None else None
        self._columns = list(columns)
        self._temporary = temporary or ""
        self._path = path
        self._field = field
        self._escape = escape

    def __enter__(self) -> CsvWriter:
        if self._context is not None:
            self._temporary = self._context.__enter__()
        try:
            with open(self._temporary, "wb") as handle:
                handle.write((",".join(self._columns) + "\n").encode())
        except OSError as error:
            if self._context is not None:
                self._context.__exit__(type(error), error, error.__traceback__)
            raise writing_error(self._field, self._path, error) from error
        return self

    def write(self, frame: pl.DataFrame) -> None:
        """Append the rows of ``frame`` (columns in the order given at creation)."""
        if frame.height:
            chosen = frame.select(self._columns)
            if self._escape:
                chosen = _escape_controls(chosen)
            try:
                with open(self._temporary, "ab") as handle:
                    chosen.with_columns(_safe_text(chosen.schema)).write_csv(handle, include_header=False)
            except (OSError, pl.exceptions.PolarsError) as error:
                raise writing_error(self._field, self._path, error) from error

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._context is not None:
            self._context.__exit__(kind, error, trace)


_CONTROL = r"[\x00-\x1f\x7f-\x9f]"


def _escape_controls(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text cell with its control characters written as escapes
    (:func:`underwater.errors.escaped`); only the cells that hold one are touched."""
    columns = []
    for name, dtype in frame.schema.items():
        column = frame[name]
        if dtype == pl.String:
            found = column.str.contains(_CONTROL).fill_null(False)
            if found.any():
                values = column.to_list()
                for k in found.arg_true().to_list():
                    values[k] = escaped(values[k], None)
                column = pl.Series(name, values, dtype=pl.String)
        columns.append(column)
    return pl.DataFrame(columns)
