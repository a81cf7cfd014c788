"""Run a whole loan book: read in chunks, validate, compute, write atomically, summarise.

:func:`run_portfolio` streams the book (CSV or Parquet) ``chunk_size`` rows at a time through
:func:`~underwater.portfolio.schema.validate` and :func:`~underwater.portfolio.kernel.compute`,
so peak memory depends on the chunk size, not on the book. Good rows go to the output file
(CSV or Parquet) in input order; bad rows go to the reject file (CSV: ``row``, ``loan_id``,
``field``, ``reason``, in row order), including CSV lines that are not rows at all (see
:mod:`underwater.portfolio.csvbook`) and rows whose ``loan_id`` repeats an earlier row's (see
:mod:`underwater.portfolio.ids`); rows in = rows out + rows rejected. Both files are written
atomically (temporary file, fsync, rename): an interrupted run leaves neither half written. No
file the run writes may be a file it reads or another file it writes
(:mod:`underwater.portfolio.files`). The same input and options give byte-identical output.

**Output columns** (money is Decimal(18, 2) dollars in Parquet, ``1234.56`` in CSV; months are
integers, null when there is none; ratios float64, null when the value is 0; ``asset_class``
and ``state`` are text from a fixed list, an Enum (dictionary-encoded) in Parquet):
``loan_id``, ``asset_class``, ``state``, ``balance``, ``other_liens``, ``owed`` (balance + other
liens), ``payment`` (the given or level monthly payment), ``value``, ``equity``,
``negative_equity``, ``ltv``, ``cltv``, ``crossover_month``, ``first_under_water_month``,
``peak_negative_equity``, ``peak_month``, ``estimated_deficiency`` (null for a home),
``expected_loss`` (the book's ``default_probability`` × ``estimated_deficiency``, rounded to the
cent; null where the book gives no probability: none is ever assumed); then for
each shock X: ``value_shock_X``, ``equity_shock_X``, ``negative_equity_shock_X``,
``ltv_shock_X``, ``cltv_shock_X``, ``crossover_month_shock_X``,
``first_under_water_month_shock_X``, ``peak_negative_equity_shock_X``, ``peak_month_shock_X``,
``estimated_deficiency_shock_X``, ``expected_loss_shock_X``; then for each stress path its
over-time columns only, ``crossover_month_stress_NAME``, ``first_under_water_month_stress_NAME``,
``peak_negative_equity_stress_NAME``, ``peak_month_stress_NAME``,
``estimated_deficiency_stress_NAME`` and ``expected_loss_stress_NAME`` (today's figures under a
path are the base case's; see :func:`~underwater.portfolio.tables.scenario_figures`).
Definitions: see :mod:`underwater.portfolio.kernel`.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import numpy as np
import polars as pl

from underwater.errors import InputError
from underwater.portfolio.files import check_distinct, check_writable
from underwater.portfolio.ids import LoanIds
from underwater.portfolio.io import (
    COMPRESSIONS,
    MONEY,
    BookFile,
    CsvWriter,
    book_format,
    count_rows,
    dollars,
    write_frames,
)
from underwater.portfolio.outputs import Outputs, atomic_path, clean_stale, directory_for
from underwater.portfolio.prefetch import prefetch
from underwater.portfolio.regab import LAYOUTS, check_regab_columns, from_regab, regab_names, regab_rejects
from underwater.portfolio.scenarios import Scenarios, shock_percent
from underwater.portfolio.schema import (
    ASSET_CLASSES,
    BOOK_COLUMNS,
    REJECT_COLUMNS,
    REQUIRED_COLUMNS,
    STATE_CODES,
    Book,
    check_columns,
    check_types,
    validate,
)
from underwater.portfolio.summary import Summary
from underwater.portfolio.tables import scenario_figures, scenario_suffix

if TYPE_CHECKING:
    from underwater.portfolio.kernel import Result

__all__ = [
    "CLASS_TYPE",
    "DEFAULT_CHUNK",
    "MAX_CHUNK",
    "MAX_THREADS",
    "STATE_TYPE",
    "Progress",
    "default_rejects_path",
    "default_threads",
    "load_compiled",
    "output_frame",
    "output_path",
    "output_schema",
    "parse_shocks",
    "process_chunk",
    "run_portfolio",
    "write_summary_json",
]

DEFAULT_CHUNK = 250_000
"""Rows per chunk: a few hundred megabytes of working memory at most."""
MAX_CHUNK = 1_000_000
"""The largest chunk accepted: a chunk's working memory is about a kilobyte a row, and three
chunks are in flight at once."""
MAX_THREADS = 256
"""The most threads a chunk is computed by (more than cores only adds overhead)."""

_SCENARIO_COLUMNS: tuple[tuple[str, pl.DataType], ...] = (
    ("value", MONEY),
    ("equity", MONEY),
    ("negative_equity", MONEY),
    ("ltv", pl.Float64()),
    ("cltv", pl.Float64()),
    ("crossover_month", pl.Int32()),
    ("first_under_water_month", pl.Int32()),
    ("peak_negative_equity", MONEY),
    ("peak_month", pl.Int32()),
    ("estimated_deficiency", MONEY),
    ("expected_loss", MONEY),
)
CLASS_TYPE = pl.Enum(ASSET_CLASSES)
"""The output's ``asset_class`` type: text from a fixed list (a dictionary-encoded column)."""
STATE_TYPE = pl.Enum(STATE_CODES)
"""The output's ``state`` type: a two-letter code from a fixed list, null for none."""
_CLASS_NAMES = pl.Series("asset_class", ASSET_CLASSES, dtype=CLASS_TYPE)
_STATE_NAMES = pl.Series("state", [None, *STATE_CODES], dtype=STATE_TYPE)


def parse_shocks(values: Sequence[object]) -> tuple[Decimal, ...]:
    """Shocks in percent as typed (``"10"`` is a 10 % drop in value), 0 ≤ s < 100, in the order
    given without repeats; a repeat or the base case 0 is left out.

    >>> parse_shocks(["10", "20", "10"])
    (Decimal('10'), Decimal('20'))
    """
    shocks: list[Decimal] = []
    for value in values:
        shock = shock_percent(value)
        if shock != 0 and shock not in shocks:
            shocks.append(shock)
    return tuple(shocks)


def output_schema(scenarios: Scenarios) -> pl.Schema:
    """The output file's columns and types for the base case and these scenarios: eleven
    figures for the base case and each shock, the six over-time ones for a stress path, named
    by its name (see the module docstring and
    :func:`~underwater.portfolio.tables.scenario_figures`).

    >>> from underwater.portfolio.stress import stress_path
    >>> schema = output_schema(Scenarios((Decimal(10),), (stress_path("manheim_2007_09"),)))
    >>> schema.names()[18:20], schema.len()
    (['value_shock_10', 'equity_shock_10'], 35)
    >>> schema.names()[29:]  # doctest: +NORMALIZE_WHITESPACE
    ['crossover_month_stress_manheim_2007_09', 'first_under_water_month_stress_manheim_2007_09',
     'peak_negative_equity_stress_manheim_2007_09', 'peak_month_stress_manheim_2007_09',
     'estimated_deficiency_stress_manheim_2007_09', 'expected_loss_stress_manheim_2007_09']
    """
    columns: list[tuple[str, pl.DataType]] = [
        ("loan_id", pl.String()),
        ("asset_class", CLASS_TYPE),
        ("state", STATE_TYPE),
        ("balance", MONEY),
        ("other_liens", MONEY),
        ("owed", MONEY),
        ("payment", MONEY),
    ]
    types = dict(_SCENARIO_COLUMNS)
    for key in (Decimal(0), *scenarios.keys()):
        suffix = scenario_suffix(key)
        columns += [(name + suffix, types[name]) for name in scenario_figures(key, list(types))]
    return pl.Schema(columns)


def output_frame(book: Book, result: Result, scenarios: Scenarios) -> pl.DataFrame:
    """The output rows for a chunk computed with ``scenarios``, with :func:`output_schema`'s
    columns."""
    arrays: dict[str, np.ndarray] = {
        "balance": book.balance,
        "other_liens": book.other_liens,
        "owed": result.owed,
        "payment": result.payment,
    }
    names = [name for name, _ in _SCENARIO_COLUMNS]
    for key in (Decimal(0), *scenarios.keys()):
        figures = result.scenarios[key]
        for name in scenario_figures(key, names):  # a stress path's today figures are left out
            arrays[name + scenario_suffix(key)] = getattr(figures, name)
    schema = output_schema(scenarios)
    raw = pl.DataFrame(
        [
            book.loan_id.alias("loan_id").cast(pl.String),
            _CLASS_NAMES.gather(book.asset_class),
            _STATE_NAMES.gather(book.state),
            *[pl.Series(name, array) for name, array in arrays.items()],
        ]
    )
    # One select converts every column at once, in parallel, by its output type: cents →
    # Decimal(18, 2) dollars, -1 → null for months (and for the deficiency of a home and an
    # expected loss without a probability), NaN → null for ratios.
    expressions: list[pl.Expr] = []
    for name, dtype in schema.items():
        column = pl.col(name)
        if name not in arrays:
            expressions.append(column)
        elif dtype == MONEY:
            converted = dollars(column)
            if name.startswith(("estimated_deficiency", "expected_loss")):
                converted = pl.when(column >= 0).then(converted)
            expressions.append(converted.alias(name))
        elif dtype == pl.Int32:
            expressions.append(pl.when(column >= 0).then(column).cast(pl.Int32).alias(name))
        else:
            expressions.append(column.fill_nan(None).alias(name))
    return raw.select(expressions)


def process_chunk(
    raw: pl.DataFrame, first_row: int, scenarios: Scenarios, threads: int = 1
) -> tuple[pl.DataFrame, pl.DataFrame, Book, Result]:
    """Validate and compute one chunk (its first row numbered ``first_row``) for ``scenarios``
    on ``threads`` threads: (output rows, rejects, the good loans, their result)."""
    from underwater.portfolio.kernel import compute

    book, rejects = validate(raw, first_row)
    result = compute(book, scenarios, threads=threads)
    return output_frame(book, result, scenarios), rejects, book, result


class Progress:
    """A one-line progress bar on a terminal (stderr by default); silent when not a terminal.
    ``total`` rows, when known (a run fills it in from the book when it is None)."""

    def __init__(self, total: int | None, *, stream: TextIO | None = None, enabled: bool = True) -> None:
        self._stream = sys.stderr if stream is None else stream
        self._enabled = enabled and self._stream.isatty()
        self._total = total
        self._done = 0
        self._start = time.monotonic()
        self._shown = 0.0

    @property
    def wants_total(self) -> bool:
        """Whether the bar is shown and its total not known yet."""
        return self._enabled and self._total is None

    def set_total(self, total: int) -> None:
        """How many rows the bar counts to."""
        self._total = total

    def update(self, rows: int) -> None:
        """Count ``rows`` more rows done and redraw (at most five times a second)."""
        self._done += rows
        now = time.monotonic()
        if self._enabled and (now - self._shown > 0.2 or self._done == self._total):
            self._shown = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        rate = self._done / max(now - self._start, 1e-9)
        if self._total:
            part = min(self._done / self._total, 1.0)
            bar = "#" * int(part * 30)
            text = f"\r[{bar:<30}] {part * 100:5.1f} %  {self._done:,}/{self._total:,} loans  {rate:,.0f}/s"
        else:
            text = f"\r{self._done:,} loans  {rate:,.0f}/s"
        self._stream.write(text)
        self._stream.flush()

    def close(self) -> None:
        """End the bar's line."""
        if self._enabled and self._done:
            self._draw(time.monotonic())
            self._stream.write("\n")
            self._stream.flush()


def output_path(book: str | Path, output: str | Path) -> Path:
    """The file a run writes for ``output``: ``output`` itself, or, for a directory (one that
    exists, or a name ending in ``/``), the book's own file name in it.

    >>> output_path("data/book.parquet", "runs/").as_posix(), output_path("b.csv", "o.csv").as_posix()
    ('runs/book.parquet', 'o.csv')
    """
    text = os.fspath(output)
    if text.endswith(("/", os.sep)) or os.path.isdir(text):
        return Path(text) / Path(book).name
    return Path(text)


def default_rejects_path(output: str | Path) -> Path:
    """Where rejects go when no reject file is named: beside the output, ``OUT.rejects.csv``.

    >>> default_rejects_path("runs/book_out.parquet").as_posix()
    'runs/book_out.rejects.csv'
    """
    path = Path(output)
    if not path.stem or path.name in {".", ".."}:
        raise InputError("output", "must name a .parquet or .csv file", got=str(output))
    return path.with_name(path.stem + ".rejects.csv")


def check_options(chunk_size: int, threads: int | None = None, compression: str = COMPRESSIONS[0]) -> None:
    """Refuse a chunk size outside 1..:data:`MAX_CHUNK`, threads outside 1..:data:`MAX_THREADS`
    (None: the cores this process may use) or an unknown compression, before any work (the
    horizon is the scenarios' own rule: :class:`~underwater.portfolio.scenarios.Scenarios`)."""
    for name, count in (("chunk_size", chunk_size), ("threads", threads)):
        unset = name == "threads" and count is None
        if not unset and (isinstance(count, bool) or not isinstance(count, int)):
            raise InputError(name, "must be a whole number", got=count)
    if not 1 <= chunk_size <= MAX_CHUNK:
        raise InputError("chunk_size", f"must be 1 to {MAX_CHUNK:,} rows", got=chunk_size)
    if threads is not None and not 1 <= threads <= MAX_THREADS:
        raise InputError("threads", f"must be 1 to {MAX_THREADS}", got=threads)
    if compression not in COMPRESSIONS:
        raise InputError("compression", "must be one of " + ", ".join(COMPRESSIONS), got=compression)


def check_outputs(
    reads: Sequence[tuple[str, str | Path]],
    output: str | Path | None,
    rejects: str | Path,
    summary_json: str | Path | None = None,
    parts: Sequence[tuple[str, str | Path]] = (),
) -> None:
    """Refuse files to write that are unusable (a directory, no such directory, a wrong
    extension) or that clash with each other or with a file read (``reads``: option, path;
    ``parts``: the files of an output directory, option and path)."""
    writes: list[tuple[str, str | Path]] = list(parts)
    if output is not None:
        check_writable("output", output)
        book_format(output, "output")
        writes.append(("output", output))
    check_writable("rejects", rejects)
    if Path(rejects).suffix.lower() != ".csv":
        raise InputError("rejects", "must be a .csv file", got=str(rejects))
    writes.append(("rejects", rejects))
    if summary_json is not None:
        check_writable("summary_json", summary_json)
        writes.append(("summary_json", summary_json))
    check_distinct(reads, writes)


def write_summary_json(
    path: str | Path,
    summary: Summary,
    output: str | Path,
    rejects: str | Path,
    *,
    temporary: str | None = None,
) -> None:
    """Write the summary as JSON (its keys, plus ``output`` and ``rejects``), atomically, or
    into ``temporary`` (an :class:`~underwater.portfolio.outputs.Outputs` file, put in place
    with the run's others)."""
    data: dict[str, Any] = summary.to_json() | {"output": str(output), "rejects": str(rejects)}
    if temporary is None:
        with atomic_path(path, "summary_json") as own:
            write_summary_json(path, summary, output, rejects, temporary=own)
        return
    try:
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2)
            handle.write("\n")
    except OSError as error:
        raise InputError("summary_json", f"could not be written: {error.strerror}", got=str(path)) from error


def run_portfolio(
    book: str | Path,
    output: str | Path,
    *,
    scenarios: Scenarios = Scenarios(),
    rejects: str | Path | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    threads: int | None = None,
    progress: Progress | None = None,
    compression: str = COMPRESSIONS[0],
    summary_json: str | Path | None = None,
    layout: str = "book",
) -> Summary:
    """Run every loan of ``book`` (CSV or Parquet) and write ``output`` (CSV or Parquet; in a
    directory, :func:`output_path`); rejects go to ``rejects`` (default
    :func:`default_rejects_path`) and, if asked, the summary to ``summary_json``. ``scenarios``
    (:class:`~underwater.portfolio.scenarios.Scenarios`) are run beside the base case: its
    shocks are market drops in percent (10 is a 10 % drop) and its paths stress paths
    (:mod:`~underwater.portfolio.stress`); its ``default_by_ltv`` gives loans without a default
    probability of their own one by CLTV bucket (:mod:`~underwater.portfolio.defaults`); the
    summary follows the book month by month to its ``horizon`` (0 to 600 months,
    :mod:`~underwater.portfolio.rollforward`); ``layout`` ``"regab"`` reads a book in Reg AB II
    field names (:mod:`~underwater.portfolio.regab`); ``threads`` compute slices of a chunk in
    parallel (default :func:`default_threads`). The next chunk is read and computed while the
    last is written. A Parquet output is compressed with ``compression`` (see
    :data:`~underwater.portfolio.io.COMPRESSIONS`). Every option and path is checked before
    any work (:func:`check_options`, :func:`check_outputs`); the book must be a regular file,
    and a CSV book is opened and read once. The files written are put in place together, or
    none is (:class:`~underwater.portfolio.outputs.Outputs`); this tool's temporary files left
    in their directories by a run that died are removed first
    (:func:`~underwater.portfolio.outputs.clean_stale`). Returns the
    :class:`~underwater.portfolio.summary.Summary`.

    A book with the example loan of :func:`~underwater.portfolio.kernel.compute`, run with a
    10 % drop in value:

    >>> import shutil, tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> pl.DataFrame({"loan_id": ["A"], "balance": ["18000"], "rate_percent": ["6.9"],
    ...     "remaining_payments": ["60"], "value": ["15000"]}).write_csv(folder / "book.csv")
    >>> summary = run_portfolio(folder / "book.csv", folder / "out.csv",
    ...     scenarios=Scenarios((Decimal(10),)), threads=1)
    >>> [s["total_negative_equity"] for s in summary.to_json()["scenarios"]]
    ['3000.00', '4500.00']
    >>> shutil.rmtree(folder)
    """
    check_options(chunk_size, threads, compression)
    if layout not in LAYOUTS:
        raise InputError("layout", "must be one of " + ", ".join(LAYOUTS), got=layout)
    book_format(book, "book")
    target = output_path(book, output)
    with directory_for(target, "output") if target != Path(output) else contextlib.nullcontext():
        check_writable("output", target)
        rejects_path = default_rejects_path(target) if rejects is None else Path(rejects)
        check_outputs([("book", book)], target, rejects_path, summary_json)
        with BookFile(book) as source:
            schema = source.schema
            if layout == "regab":
                check_regab_columns(schema.names())
            else:
                check_columns(schema.names())
                check_types(schema)
            written = [target, rejects_path, *([] if summary_json is None else [summary_json])]
            clean_stale(written)
            with Outputs() as outputs:
                output_temporary = outputs.reserve(target, "output")
                rejects_temporary = outputs.reserve(rejects_path, "rejects")
                summary_temporary = (
                    None if summary_json is None else outputs.reserve(summary_json, "summary_json")
                )
                summary = _run(
                    source,
                    target,
                    scenarios,
                    chunk_size,
                    threads,
                    progress,
                    compression,
                    output_temporary,
                    rejects_path,
                    rejects_temporary,
                    layout,
                )
                if summary_json is not None:
                    write_summary_json(
                        summary_json, summary, target, rejects_path, temporary=summary_temporary
                    )
                outputs.commit()
    if progress is not None:
        progress.close()
    return summary


def _run(
    source: BookFile,
    output: Path,
    scenarios: Scenarios,
    chunk_size: int,
    threads: int | None,
    progress: Progress | None,
    compression: str,
    output_temporary: str,
    rejects: Path,
    rejects_temporary: str,
    layout: str,
) -> Summary:
    """Read, check, compute and write every chunk of ``source`` into the two temporary files."""
    parquet = source.format == "parquet"
    summary = Summary(scenarios)
    meter = progress if progress is not None else Progress(None, enabled=False)
    if meter.wants_total:
        meter.set_total(source.count_rows())
    # Room for every id at once when the count is known (Parquet metadata); a CSV book's
    # table grows from a guess of about 64 bytes a line.
    ids = LoanIds(source.count_rows() if parquet else source.size // 64)

    workers = default_threads() if threads is None else threads
    # Importing numba and loading the compiled loops (about a second) overlaps reading the
    # first chunks: nothing before this imports numba. Started any earlier, the import would
    # slow the imports before it (measured: the first row 0.5 s later).
    loader = threading.Thread(target=load_compiled, name="underwater-load", daemon=True)
    loader.start()
    with CsvWriter(
        rejects, REJECT_COLUMNS, "rejects", temporary=rejects_temporary, escape=True
    ) as reject_writer:

        def checked() -> Iterator[tuple[int, Book, pl.DataFrame]]:
            names = source.schema.names()
            columns = BOOK_COLUMNS if layout == "book" else regab_names(names)
            for chunk in source.chunks(chunk_size, columns):
                if layout == "book":
                    good, bad = validate(chunk.frame, rows=chunk.rows, ids=ids)
                else:
                    good, bad = validate(from_regab(chunk.frame), rows=chunk.rows, ids=ids)
                    bad = regab_rejects(bad, names)
                if chunk.broken.height:
                    bad = pl.concat([chunk.broken, bad]).sort("row")
                yield chunk.rows_in, good, bad

        def computed() -> Iterator[pl.DataFrame]:
            # The first chunks are read and checked while the compiled loops load.
            for rows, good, bad in prefetch(checked):
                loader.join()
                from underwater.portfolio.kernel import compute  # loaded by the loader

                result = compute(good, scenarios, threads=workers)
                reject_writer.write(bad)
                summary.add(good, result, bad.height)
                meter.update(rows)
                yield output_frame(good, result, scenarios)

        # Three stages overlap: reading and validating chunk k + 2, computing chunk k + 1 and
        # writing chunk k.
        write_frames(
            output_temporary,
            lambda: prefetch(computed),
            output_schema(scenarios),
            compression,
            "output",
            output,
        )
    return summary


def load_compiled() -> None:
    """Import numba and compile the loops of the loan ids' table, the typed checks, the kernel and
    the summary, or load them from numba's cache: once per process, by running them on one loan."""
    from underwater.portfolio.kernel import compute

    book, _ = validate(pl.DataFrame({name: ["1"] for name in REQUIRED_COLUMNS}), ids=LoanIds())
    # Number columns held as integers or decimals go through a compiled check of their own.
    validate(pl.DataFrame({name: ["1"] if name == "loan_id" else [1] for name in REQUIRED_COLUMNS}))
    Summary().add(book, compute(book), 0)
    # With more than one scenario the surrender figures read a column of a matrix in place: a
    # second compiled form of that loop.
    compute(book, Scenarios((Decimal(10),)))


def default_threads() -> int:
    """Threads computing a chunk when none are asked for: the cores this process may use."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # pragma: no cover - not on Linux
        return max(os.cpu_count() or 1, 1)


def book_rows(book: str | Path) -> int:
    """How many data rows a book has (for a progress bar's total)."""
    return count_rows(book)
