"""The typed checks (:mod:`underwater.portfolio.typed`) agree with the polars checks they stand
in for: on random and hostile integer and decimal columns, a book validated with them keeps the
same loans with the same values and rejects the same rows for the same rules as one validated
through polars alone (the reference: the checks as they were before the typed ones)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from underwater.portfolio import schema
from underwater.portfolio.ids import LoanIds
from underwater.portfolio.schema import MAX_MONEY_CENTS, number_rules, validate
from underwater.portfolio.typed import NumberRule, typed_field

_INTEGER_TYPES = [pl.Int8(), pl.Int16(), pl.Int32(), pl.Int64(), pl.UInt8(), pl.UInt16(), pl.UInt32()]
_DECIMAL_TYPES = [
    pl.Decimal(18, 2),
    pl.Decimal(18, 0),
    pl.Decimal(12, 4),
    pl.Decimal(9, 7),
    pl.Decimal(18, 9),
]
# Values near every field's bounds, in the field's own units, and a few wild ones.
_EDGES = [0, 1, -1, 5, 60, 600, 601, 99, 100, 127, 255, 10**6, 10**6 + 1, 10**7, 10**9, 10**9 + 1]


def _integer_cells(dtype: pl.DataType) -> st.SearchStrategy[list[int | None]]:
    info = np.iinfo(str(dtype).lower())
    cell = st.one_of(
        st.none(),
        st.sampled_from([e for e in _EDGES if info.min <= e <= info.max] + [int(info.min), int(info.max)]),
        st.integers(int(info.min), int(info.max)),
    )
    return st.lists(cell, min_size=1, max_size=12)


def _decimal_cells(dtype: pl.Decimal) -> st.SearchStrategy[list[Decimal | None]]:
    scale = dtype.scale or 0
    top = 10 ** (dtype.precision or 38) - 1
    unit = Decimal(1).scaleb(-scale)
    physical = st.one_of(
        st.sampled_from([e * 10**k for e in _EDGES for k in (0, scale)] + [top, -top]),
        st.integers(-top, top),
    ).filter(lambda p: -top <= p <= top)
    cell = st.one_of(st.none(), physical.map(lambda p: Decimal(p) * unit))
    return st.lists(cell, min_size=1, max_size=12)


@st.composite
def _columns(draw: st.DrawFn) -> pl.DataFrame:
    """A book of 1 to 12 rows whose number columns each have a random integer or decimal type
    (or hold nulls only)."""
    names = list(number_rules())
    present = [name for name in names if name in schema.REQUIRED_COLUMNS or draw(st.booleans())]
    columns: dict[str, pl.Series] = {}
    height = None
    for name in present:
        dtype = draw(st.sampled_from([*_INTEGER_TYPES, *_DECIMAL_TYPES, pl.Null()]))
        if dtype == pl.Null:
            cells = [None] * draw(st.integers(1, 12))
        else:
            cells = draw(_decimal_cells(dtype) if isinstance(dtype, pl.Decimal) else _integer_cells(dtype))
        height = len(cells) if height is None else height
        cells = (cells * height)[:height]
        columns[name] = pl.Series(name, cells, dtype=dtype)
    assert height is not None
    ids = pl.Series("loan_id", [f"L{k % 5}" for k in range(height)])
    return pl.DataFrame([ids, *columns.values()])


def _polars_only(frame: pl.DataFrame, monkeypatch: pytest.MonkeyPatch, **options: object) -> tuple:
    with monkeypatch.context() as patch:
        patch.setattr(schema, "typed_fields", lambda frame, rules: {})
        return validate(frame, **options)  # type: ignore[arg-type]


def _same(left: tuple, right: tuple) -> None:
    (book, rejects), (expected_book, expected_rejects) = left, right
    assert rejects.to_dicts() == expected_rejects.to_dicts()
    for field in dataclasses.fields(book):
        mine, theirs = getattr(book, field.name), getattr(expected_book, field.name)
        if isinstance(mine, pl.Series):
            assert mine.to_list() == theirs.to_list(), field.name
        else:
            assert mine.tolist() == theirs.tolist(), field.name


@given(_columns())
def test_typed_checks_keep_and_reject_what_polars_does(frame: pl.DataFrame) -> None:
    monkeypatch = pytest.MonkeyPatch()
    _same(validate(frame), _polars_only(frame, monkeypatch))


@given(_columns())
def test_typed_checks_with_repeated_ids_match_polars(frame: pl.DataFrame) -> None:
    # The ids L0..L4 repeat every five rows: repeats are named the same way on both paths.
    monkeypatch = pytest.MonkeyPatch()
    _same(
        validate(frame, first_row=7, ids=LoanIds(64)),
        _polars_only(frame, monkeypatch, first_row=7, ids=LoanIds(64)),
    )


def test_a_decimal_book_of_cents_is_read_without_the_polars_checks() -> None:
    # A Decimal(18, 2) balance is cents as stored; 1,000,000,000.01 is one cent too many.
    column = pl.Series([Decimal("18000.50"), Decimal("1000000000.00"), Decimal("1000000000.01"), None])
    values, broken = typed_field(column.cast(pl.Decimal(18, 2)), number_rules()["balance"])
    assert values.tolist()[:2] == [1_800_050, MAX_MONEY_CENTS]
    assert broken.tolist() == [False, False, True, True]


def test_a_type_that_does_not_fit_int64_goes_to_polars() -> None:
    rule = NumberRule(places=2, minimum=0, maximum=MAX_MONEY_CENTS, default=0)
    assert typed_field(pl.Series([1.5]), rule) is None
    assert typed_field(pl.Series([2**63 + 1], dtype=pl.UInt64), rule) is None
    assert typed_field(pl.Series([Decimal(1)], dtype=pl.Decimal(30, 2)), rule) is None
    assert typed_field(pl.Series(["1"]), rule) is None


def test_a_rate_with_more_places_than_kept_must_end_in_zeros() -> None:
    # 6.900000 % is 690,000 units of 1e-5 %; 6.9000001 % has a sixth and seventh place.
    rate = pl.Series([Decimal("6.9000000"), Decimal("6.9000001")], dtype=pl.Decimal(9, 7))
    values, broken = typed_field(rate, number_rules()["rate_percent"])
    assert values.tolist()[0] == 690_000
    assert broken.tolist() == [False, True]
