"""Number columns a Parquet book holds as integers or decimals, checked in one compiled pass.

:func:`~underwater.portfolio.schema.validate` checks a column of text through polars
expressions (the text is taken apart, then each rule is a column of its own). A column that is
already an integer or a decimal needs none of that: its physical values are whole numbers in
known units, so each rule of the table in :mod:`~underwater.portfolio.schema` is one
comparison of an ``int64`` value, all of a column's made in one loop
(:mod:`~underwater.portfolio.typedloop`). :func:`typed_fields` does those comparisons for every number
column whose type allows it and says, per row, whether the row broke any of them; the rows
that did are handed back to the polars checks, which name the rule (the two agree on which
rows break a rule: tested on random and hostile columns).

A type qualifies when its every value fits ``int64`` exactly: the signed integers, the
unsigned ones up to 32 bits, and decimals of at most 18 digits (a Parquet ``Decimal(18, 2)``
stores cents as one). A column of nulls only (``pl.Null``) qualifies too. Anything else (text,
floats, wider integers and decimals) goes through the polars checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["NumberRule", "typed_field", "typed_fields"]

_INTEGERS = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32)
_DECIMAL_DIGITS = 18  # a decimal of at most 18 digits has an int64 physical value


@dataclass(frozen=True, slots=True)
class NumberRule:
    """What a number column must hold: ``places`` decimals kept (the value is stored × 10**places),
    from ``minimum`` to ``maximum`` in those units; an empty cell takes ``default`` (``None``:
    an empty cell breaks the rule)."""

    places: int
    minimum: int
    maximum: int
    default: int | None


def _qualifies(dtype: pl.DataType) -> bool:
    if dtype == pl.Null or any(dtype == integer for integer in _INTEGERS):
        return True
    return isinstance(dtype, pl.Decimal) and (dtype.precision or 38) <= _DECIMAL_DIGITS


def typed_field(column: pl.Series, rule: NumberRule) -> tuple[NDArray[np.int64], NDArray[np.bool_]] | None:
    """The column's values in the rule's units (int64; anything where the row breaks the rule)
    and, per row, whether it breaks the rule; ``None`` when the column's type does not
    qualify (see the module docstring).

    Whole dollars 18,000 are 1,800,000 cents; -5 breaks "must not be negative":

    >>> values, broken = typed_field(pl.Series([18000, -5]), NumberRule(2, 0, 10**11, None))
    >>> values.tolist()[0], broken.tolist()
    (1800000, [False, True])
    """
    dtype = column.dtype
    if not _qualifies(dtype):
        return None
    count = column.len()
    if dtype == pl.Null:
        empty = np.ones(count, dtype=np.bool_)
        raw = np.zeros(count, dtype=np.int64)
    else:
        physical = column.to_physical() if isinstance(dtype, pl.Decimal) else column
        empty = physical.is_null().to_numpy() if physical.null_count() else np.zeros(count, dtype=np.bool_)
        # Every qualifying type's values fit int64 (see the module docstring), so the cast
        # cannot wrap: telling polars so spares it a bounds check of every value.
        raw = physical.fill_null(0).cast(pl.Int64, wrap_numerical=True).to_numpy()
    shift = (dtype.scale or 0) - rule.places if isinstance(dtype, pl.Decimal) else -rule.places
    # shift > 0: the column has more decimals than kept (they must be zeros); shift < 0: fewer.
    # Each bound is compared in the column's own units, before any product, so nothing
    # overflows; a value within them is within the rule's maximum once scaled.
    upper = rule.maximum * 10**shift if shift >= 0 else rule.maximum // 10**-shift
    values = np.empty(count, dtype=np.int64)
    broken = np.empty(count, dtype=np.bool_)
    # The compiled loop loads numba on first use, not with this module.
    from underwater.portfolio.typedloop import check_column

    check_column(
        np.ascontiguousarray(raw, dtype=np.int64),
        np.ascontiguousarray(empty, dtype=np.bool_),
        shift,
        min(upper, 2**63 - 1),
        upper < 2**63,
        rule.minimum,
        0 if rule.default is None else rule.default,
        rule.default is not None,
        values,
        broken,
    )
    return values, broken


def typed_fields(
    frame: pl.DataFrame, rules: dict[str, NumberRule]
) -> dict[str, tuple[NDArray[np.int64], NDArray[np.bool_]]]:
    """:func:`typed_field` of every column of ``frame`` named in ``rules`` whose type
    qualifies, by name (absent columns and columns that do not qualify are left out)."""
    found: dict[str, tuple[NDArray[np.int64], NDArray[np.bool_]]] = {}
    for name, rule in rules.items():
        if name in frame.columns:
            field = typed_field(frame[name], rule)
            if field is not None:
                found[name] = field
    return found
