"""Reading a book in chunks and writing results atomically, as CSV or Parquet.

**Reading** streams: :func:`read_chunks` yields :class:`~underwater.portfolio.csvbook.Chunk`s
of at most ``chunk_size`` rows, so memory stays bounded whatever the size of the book. A CSV
book is read line by line by :mod:`underwater.portfolio.csvbook` (cells as text, so that a
number that is not a number, or a line that is not a row, becomes a reject rather than a
failed file); a Parquet book by polars' streaming engine. A file that cannot be read at all
(missing, a directory, unreadable, not Parquet inside) is an
:class:`~underwater.errors.InputError` naming the book.

**Writing** is atomic: :func:`write_atomic` streams frames into a temporary file in the
destination's directory, flushes it to disk (fsync) and renames it over the destination with
:func:`os.replace`. An interrupted run (an exception, Ctrl-C, SIGTERM: see
:mod:`underwater.portfolio.signals`) removes the temporary file and leaves the destination as
it was: never half written. A file written takes the mode the process's umask gives a new file
(``0644`` under the usual ``022``), not the ``0600`` of a temporary file. A write that fails (a
full disk, a file-size limit) is an :class:`~underwater.errors.InputError` naming the option.
Parquet is written with fixed settings (fixed row groups, no timestamps in the metadata), so
the same frames give the same bytes. Text cells of a CSV file are made formula-safe
(:func:`formula_safe`); Parquet keeps them exactly.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Literal

import numpy as np
import polars as pl

from underwater.errors import InputError
from underwater.portfolio.csvbook import Chunk, csv_chunks, read_header, reject_frame

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = [
    "COMPRESSIONS",
    "MONEY",
    "CsvWriter",
    "atomic_path",
    "book_format",
    "columns_of",
    "count_rows",
    "file_mode",
    "formula_safe",
    "money_series",
    "read_chunks",
    "remove_temporaries",
    "schema_of",
    "temporary_directory",
    "write_atomic",
]

MONEY = pl.Decimal(18, 2)
"""Money in output files: a decimal with two places (exact cents)."""
_CENT = pl.Series([Decimal("0.01")]).cast(pl.Decimal(18, 2))
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


def _problem(error: BaseException) -> str:
    """The useful part of an I/O or polars error, on one line."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text.rpartition("IO error: ")[2] if "IO error: " in text else text


@contextlib.contextmanager
def _reading(path: str | Path) -> Iterator[None]:
    # Whatever stops a file being read is a one-line refusal of the book, not a traceback.
    try:
        yield
    except (OSError, pl.exceptions.PolarsError) as error:
        raise InputError("book", f"could not be read: {_problem(error)}", got=str(path)) from error


def _readable(path: str | Path) -> None:
    if os.path.isdir(path):
        raise InputError(
            "book",
            "is a directory (a directory of Parquet parts runs with `workers` or `scheduler`)",
            got=str(path),
        )
    if not os.path.exists(path):
        raise InputError("book", "no such file", got=str(path))


def count_rows(path: str | Path) -> int:
    """Data rows in a book: from Parquet metadata, or the lines after a CSV file's header
    counted in one pass over its bytes (for a progress bar's total)."""
    _readable(path)
    with _reading(path):
        if book_format(path) == "parquet":
            return int(pl.scan_parquet(path).select(pl.len()).collect().item())
        lines, last = 0, b""
        with open(path, "rb") as handle:
            while block := handle.read(1 << 22):
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


def schema_of(path: str | Path) -> pl.Schema:
    """The columns of a book and their types (every CSV column is text). A file that is not
    a readable book — no such file, a directory, a CSV header that cannot be read, a file that
    is not Parquet inside — refuses the book."""
    _readable(path)
    with _reading(path):
        if book_format(path) == "csv":
            with open(path, "rb") as handle:
                return pl.Schema(dict.fromkeys(read_header(handle)[0], pl.String))
        return pl.scan_parquet(path).collect_schema()


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
    _readable(path)
    wanted = None if columns is None else list(columns)
    if book_format(path) == "csv":
        with _reading(path):
            yield from csv_chunks(path, chunk_size, wanted)
        return
    first_row = offset + 1
    with _reading(path):
        lazy = pl.scan_parquet(path)
        if wanted is not None:
            lazy = lazy.select([name for name in lazy.collect_schema().names() if name in wanted])
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


def money_series(name: str, cents: NDArray[np.int64]) -> pl.Series:
    """Cents as an exact Decimal(18, 2) column of dollars."""
    series = pl.Series(name, cents).cast(pl.Decimal(18, 0)) * _CENT
    return series.cast(MONEY).alias(name)


def _fsync(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(directory: str) -> None:
    with contextlib.suppress(OSError):  # some file systems cannot sync a directory
        _fsync(directory)


def file_mode() -> int:
    """The mode a new file gets under this process's umask (``0o644`` under ``022``).

    Read from ``/proc/self/status`` where it can be: setting the umask to read it back would
    change it for every thread at that instant.
    """
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("Umask:"):
                return 0o666 & ~int(line.split()[1], 8)
    mask = os.umask(0o022)  # pragma: no cover - a system without /proc
    os.umask(mask)  # pragma: no cover
    return 0o666 & ~mask  # pragma: no cover


# Temporary files and directories being written, so that a signal handler can remove them
# (see underwater.portfolio.signals); once closing, no temporary file may be renamed into place.
_LOCK = threading.Lock()
_LIVE: set[str] = set()
_LIVE_DIRECTORIES: set[str] = set()
_closing = False


class Interrupted(BaseException):
    """The process is being stopped by a signal: no file may be put in place any more."""


def remove_temporaries() -> list[str]:
    """Remove every temporary file and directory this process is writing, and refuse to put
    any more in place; returns what was removed. Safe to call from any thread (a signal's)."""
    import shutil

    global _closing
    with _LOCK:
        _closing = True
        removed = sorted(_LIVE | _LIVE_DIRECTORIES)
        for path in _LIVE:
            with contextlib.suppress(OSError):
                os.remove(path)
        for path in _LIVE_DIRECTORIES:
            shutil.rmtree(path, ignore_errors=True)
        _LIVE.clear()
        _LIVE_DIRECTORIES.clear()
    return removed


def _writing(field: str, destination: str | Path, error: BaseException) -> InputError:
    return InputError(field, f"could not be written: {_problem(error)}", got=str(destination))


@contextlib.contextmanager
def temporary_directory(near: str | Path, field: str = "output") -> Iterator[str]:
    """A new hidden directory in the directory of ``near``, removed on leaving the block, on
    an error or on a signal."""
    import shutil

    parent = os.path.dirname(os.path.abspath(near))
    try:
        with _LOCK:
            if _closing:
                raise Interrupted
            path = tempfile.mkdtemp(prefix=".underwater-parts-", dir=parent)
            _LIVE_DIRECTORIES.add(path)
    except OSError as error:
        raise _writing(field, near, error) from error
    try:
        yield path
    finally:
        with _LOCK:
            _LIVE_DIRECTORIES.discard(path)
        shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def atomic_path(destination: str | Path, field: str = "output") -> Iterator[str]:
    """A temporary path beside ``destination`` to write to; on leaving the ``with`` block it is
    fsynced, given :func:`file_mode` and renamed over ``destination``, or removed if the block
    raised. A file-system error is an :class:`~underwater.errors.InputError` naming ``field``."""
    target = os.path.abspath(destination)
    directory = os.path.dirname(target)
    try:
        with _LOCK:
            if _closing:
                raise Interrupted
            fd, temporary = tempfile.mkstemp(
                prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=directory
            )
            _LIVE.add(temporary)
        os.close(fd)
    except OSError as error:
        raise _writing(field, destination, error) from error
    try:
        yield temporary
        _fsync(temporary)
        os.chmod(temporary, file_mode())
        with _LOCK:
            if _closing:
                raise Interrupted
            os.replace(temporary, target)
            _LIVE.discard(temporary)
        _fsync_dir(directory)
    except BaseException as error:
        with _LOCK:
            _LIVE.discard(temporary)
            with contextlib.suppress(FileNotFoundError):
                os.remove(temporary)
        if isinstance(error, OSError):
            raise _writing(field, destination, error) from error
        raise


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
    from polars.io.plugins import register_io_source

    kind = book_format(path, "output")
    codec = _CODECS.get(compression)
    if codec is None:
        raise InputError("compression", "must be one of " + ", ".join(COMPRESSIONS), got=compression)

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
    with atomic_path(path, field) as temporary:
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
            raise _writing(field, path, error) from error


class CsvWriter:
    """Append DataFrames with the same columns to one CSV file, atomically on leaving the
    ``with`` block (the header is written even when no rows are); text cells are made
    formula-safe (:func:`formula_safe`). Errors name ``field``."""

    def __init__(self, path: str | Path, columns: Sequence[str], field: str = "rejects") -> None:
        self._context = atomic_path(path, field)
        self._columns = list(columns)
        self._temporary = ""
        self._path = path
        self._field = field

    def __enter__(self) -> CsvWriter:
        self._temporary = self._context.__enter__()
        try:
            with open(self._temporary, "wb") as handle:
                handle.write((",".join(self._columns) + "\n").encode())
        except OSError as error:
            self._context.__exit__(type(error), error, error.__traceback__)
            raise _writing(self._field, self._path, error) from error
        return self

    def write(self, frame: pl.DataFrame) -> None:
        """Append the rows of ``frame`` (columns in the order given at creation)."""
        if frame.height:
            chosen = frame.select(self._columns)
            try:
                with open(self._temporary, "ab") as handle:
                    chosen.with_columns(_safe_text(chosen.schema)).write_csv(handle, include_header=False)
            except (OSError, pl.exceptions.PolarsError) as error:
                raise _writing(self._field, self._path, error) from error

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._context.__exit__(kind, error, trace)
