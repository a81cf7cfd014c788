"""A loan book as a DataFrame, for a notebook: the CLI's validation, kernel and summary, in memory.

:func:`run_frame` takes a polars (or pandas) DataFrame with the book's columns (see
:mod:`underwater.portfolio.schema`) and returns a :class:`BookRun`: the per-loan frame (the
columns ``underwater portfolio`` writes, money as ``Decimal(18, 2)`` dollars), the rejects frame
(``row``, ``loan_id``, ``field``, ``reason``: the reject file's columns, the text as it is) and the
summary (the keys of ``--summary-json``). Rows go through the same steps as a run of the CLI, a
chunk at a time: :func:`~underwater.portfolio.schema.validate` (a repeated ``loan_id`` included),
:func:`~underwater.portfolio.kernel.compute`, :func:`~underwater.portfolio.engine.output_frame`
and :class:`~underwater.portfolio.summary.Summary`, so the frames are the ones the CLI would write.

A pandas frame is read column by column as it holds its cells: a numeric column's ``NaN`` is
pandas' missing value, so it becomes an empty cell (in a polars frame, ``NaN`` is a reject: "must
be a finite number"). Nothing is written to disk.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from underwater.errors import InputError
from underwater.portfolio.defaults import DefaultCurve, parse_default_curve
from underwater.portfolio.engine import (
    DEFAULT_CHUNK,
    check_options,
    default_threads,
    output_frame,
    parse_shocks,
)
from underwater.portfolio.ids import LoanIds
from underwater.portfolio.kernel import compute
from underwater.portfolio.regab import LAYOUTS, from_regab, regab_names, regab_rejects
from underwater.portfolio.rollforward import DEFAULT_HORIZON
from underwater.portfolio.scenarios import Scenarios
from underwater.portfolio.schema import (
    BOOK_COLUMNS,
    REJECT_COLUMNS,
    check_columns,
    check_types,
    validate,
)
from underwater.portfolio.stress import StressPath, stress_path
from underwater.portfolio.summary import Summary

__all__ = ["BookRun", "as_polars", "run_frame"]


@dataclass(frozen=True, slots=True)
class BookRun:
    """What a run of a book gives: ``loans`` (one row per good loan, in the book's order),
    ``rejects`` (one row per bad row, in row order) and ``summary`` (the ``--summary-json``
    keys without ``output`` and ``rejects``: money as strings of dollars, shares as strings)."""

    loans: pl.DataFrame
    rejects: pl.DataFrame
    summary: dict[str, Any]


def as_polars(frame: object) -> pl.DataFrame:
    """The book as a polars DataFrame: a polars frame as it is; a pandas frame column by column,
    its missing cells (``None``, ``NaN``, ``NA``) as nulls.

    >>> as_polars(pl.DataFrame({"loan_id": ["A"]})).columns
    ['loan_id']
    """
    if isinstance(frame, pl.DataFrame):
        return frame
    if type(frame).__module__.split(".")[0] == "pandas" and hasattr(frame, "columns"):
        return pl.DataFrame([_pandas_column(str(name), frame[name]) for name in frame.columns])  # type: ignore[index]
    raise InputError("book", "must be a polars or pandas DataFrame", got=type(frame).__name__)


def _pandas_column(name: str, column: Any) -> pl.Series:
    dtype = column.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iufb":
        return pl.Series(name, column.to_numpy(), nan_to_null=True)
    # Text, objects and pandas' own nullable types: the cells as Python objects, missing as None.
    cells = column.to_numpy(dtype=object, na_value=None).tolist()
    cells = [None if isinstance(cell, float) and cell != cell else cell for cell in cells]
    return pl.Series(name, cells, strict=False)


def _listed(field: str, given: object, rule: str) -> tuple[Any, ...]:
    # A list or tuple as given (None: none). One number or name alone is not read as its
    # letters, nor a mapping as its keys.
    if given is None:
        return ()
    if isinstance(given, (str, bytes)) or not isinstance(given, Sequence):
        raise InputError(field, "must be " + rule, got=given)
    return tuple(given)


def run_frame(
    book: object,
    *,
    shocks: Sequence[object] = (),
    chunk_size: int = DEFAULT_CHUNK,
    threads: int | None = 1,
    horizon: int | None = None,
    stress: Sequence[str | StressPath] = (),
    layout: str = "book",
    default_by_ltv: str | Mapping[str, object] | DefaultCurve | None = None,
    scenarios: Scenarios | None = None,
) -> BookRun:
    """Run every loan of ``book`` (a polars or pandas DataFrame with the book's columns; other
    columns are ignored) as ``underwater portfolio`` does, in chunks of ``chunk_size`` rows
    (1 to :data:`~underwater.portfolio.engine.MAX_CHUNK`) on ``threads`` threads (None: the
    cores this process may use). ``shocks`` are
    one-time market drops in percent as typed (``"10"`` or ``10`` is a 10 % fall in every value);
    the summary follows the book month by month to ``horizon`` (0 to 600 months; none given:
    :data:`~underwater.portfolio.rollforward.DEFAULT_HORIZON`, 60); ``stress``
    adds stress paths: a preset's name (:func:`~underwater.portfolio.stress.preset_paths`) or a
    :class:`~underwater.portfolio.stress.StressPath`. ``layout="regab"`` reads a frame in Reg AB
    II field names (:mod:`~underwater.portfolio.regab`). ``default_by_ltv`` gives the loans
    without a ``default_probability`` of their own one by CLTV bucket, for the expected loss:
    ``{"le_80": "0.01", "gt_140": "0.06"}`` or ``"le_80=0.01,gt_140=0.06"``
    (:mod:`~underwater.portfolio.defaults`). These four are read here, as typed, into one
    :class:`~underwater.portfolio.scenarios.Scenarios`, the value
    :func:`~underwater.portfolio.engine.run_portfolio` takes; a notebook that has one passes it
    as ``scenarios`` instead of the four (both at once is an
    :class:`~underwater.errors.InputError`).
    A book without a required column raises :class:`~underwater.errors.InputError`; a bad row is
    a row of ``rejects``.

    An $18,000 balance at 6.9 % over 60 payments on a $15,000 car is $3,000.00 under water:

    >>> book = pl.DataFrame({"loan_id": ["A", "B"], "balance": ["18000", "x"],
    ...     "rate_percent": ["6.9", "6.9"], "remaining_payments": ["60", "60"],
    ...     "value": ["15000", "15000"]})
    >>> run = run_frame(book, shocks=[10])
    >>> str(run.loans["negative_equity"][0]), run.loans["crossover_month"][0]
    ('3000.00', 33)
    >>> run.rejects.row(0)
    (2, 'B', 'balance', 'must be an amount of dollars such as 18000.50')
    >>> run.summary["scenarios"][1]["shock_percent"], run.summary["rows_rejected"]
    ('10', 1)
    >>> from decimal import Decimal
    >>> run_frame(book, scenarios=Scenarios((Decimal(10),))).summary == run.summary
    True
    """
    frame = as_polars(book)
    shocks = _listed("shock", shocks, "a list of percents, such as [10, 20]")
    stress = _listed("stress", stress, "a list of path names or StressPaths, such as ['manheim_2007_09']")
    if scenarios is not None and (
        len(shocks) or len(stress) or horizon is not None or default_by_ltv is not None
    ):
        raise InputError(
            "scenarios", "give either scenarios or shocks, stress, horizon and default_by_ltv, not both"
        )
    if scenarios is None:
        scenarios = Scenarios(
            parse_shocks(list(shocks)),
            tuple(stress_path(path) if isinstance(path, str) else path for path in stress),
            DEFAULT_HORIZON if horizon is None else horizon,
            None if default_by_ltv is None else parse_default_curve(default_by_ltv),
        )
    check_options(chunk_size, threads)
    threads = default_threads() if threads is None else threads
    if layout not in LAYOUTS:
        raise InputError("layout", "must be one of " + ", ".join(LAYOUTS), got=layout)
    names = frame.columns
    if layout == "regab":
        frame = from_regab(frame.select(regab_names(names)))
    check_columns(frame.columns)
    check_types(frame.schema)
    frame = frame.select([name for name in frame.columns if name in BOOK_COLUMNS])
    summary = Summary(scenarios)
    ids = LoanIds(frame.height)
    loans: list[pl.DataFrame] = []
    rejects: list[pl.DataFrame] = []
    for start in range(0, max(frame.height, 1), chunk_size):
        good, bad = validate(frame.slice(start, chunk_size), start + 1, ids=ids)
        result = compute(good, scenarios, threads=threads)
        summary.add(good, result, bad.height)
        loans.append(output_frame(good, result, scenarios))
        rejects.append(bad if layout == "book" else regab_rejects(bad, names))
    return BookRun(
        loans=pl.concat(loans),
        rejects=pl.concat(rejects).select(REJECT_COLUMNS),
        summary=summary.to_json(),
    )
