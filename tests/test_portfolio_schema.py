"""The book's schema: one strict reading of numbers in text and in every Parquet type, loan id
rules and repeats across chunks, the range guard before the compiled loop, and formula-safe
CSV cells that follow :func:`underwater.csvsafe.safe_cell` exactly."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from underwater.csvsafe import safe_cell
from underwater.errors import InputError
from underwater.limits import MAX_AMOUNT_CENTS, MAX_MONTHS
from underwater.portfolio.engine import run_portfolio
from underwater.portfolio.ids import KnownRepeats, LoanIds
from underwater.portfolio.io import formula_safe
from underwater.portfolio.kernel import compute
from underwater.portfolio.paths import OutOfRangeError
from underwater.portfolio.schema import check_types, validate

BASE = {
    "loan_id": "A",
    "balance": "18000",
    "rate_percent": "6.9",
    "remaining_payments": "60",
    "value": "15000",
}


def _one(
    column: str, cell: object, dtype: pl.DataType | None = None
) -> tuple[list[int], list[tuple[str, str]]]:
    """Validate one row with ``column`` set to ``cell``: the parsed value (if kept) and rejects."""
    row: dict[str, object] = dict(BASE) | {column: cell}
    schema: dict[str, pl.DataType] = dict.fromkeys(row, pl.String())
    if dtype is not None:
        schema[column] = dtype
    book, rejects = validate(pl.DataFrame([row], schema=schema))
    values = {
        "balance": book.balance,
        "rate_percent": book.rate_units,
        "remaining_payments": book.remaining_payments,
        "value": book.value,
        "payment": book.payment,
        "asset_age_months": book.asset_age_months,
        "other_liens": book.other_liens,
    }
    return values[column].tolist() if column in values else [], rejects.select("field", "reason").rows()


@pytest.mark.parametrize(
    ("cell", "cents"),
    [
        ("18000", 1_800_000),
        (" 18000.5 ", 1_800_050),
        ("+7", 700),
        (".5", 50),
        ("5.", 500),
        ("-0", 0),
        ("007.10", 710),
    ],
)
def test_plain_decimals_are_read_exactly(cell: str, cents: int) -> None:
    assert _one("balance", cell) == ([cents], [])


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("٦٠", "must be an amount of dollars"),
        ("６０", "must be an amount of dollars"),
        ("²", "must be an amount of dollars"),
        ("1e5", "must be an amount of dollars"),
        ("1 000", "must be an amount of dollars"),
        ("18,000", "must be an amount of dollars"),
        ("$5", "must be an amount of dollars"),
        ("NaN", "must be an amount of dollars"),
        ("+-5", "must be an amount of dollars"),
        (".", "must be an amount of dollars"),
        ("-5", "must not be negative"),
        ("1.005", "whole cents"),
        ("1000000000.01", "must be at most 1000000000.00"),
        ("9" * 29, "must be at most 1000000000.00"),
        ("9" * 31, "at most 30 characters"),
        ("0." + "0" * 40, "at most 30 characters"),
    ],
)
def test_odd_amounts_are_rejects_with_the_rule(cell: str, reason: str) -> None:
    values, rejects = _one("balance", cell)
    assert values == [] and rejects[0][0] == "balance" and reason in rejects[0][1]


@pytest.mark.parametrize("column", ["asset_age_months", "rate_percent", "other_liens", "value"])
def test_minus_zero_is_zero_in_every_column_that_may_be_zero(column: str) -> None:
    # The same as the single-loan parsers: "-0" is not negative (found by a fuzz campaign).
    assert _one(column, "-0") == ([0], [])


@pytest.mark.parametrize(
    ("column", "cell", "reason"),
    [
        ("remaining_payments", "٦٠", "whole number"),
        ("remaining_payments", "0", "at least 1"),
        ("remaining_payments", str(MAX_MONTHS + 1), f"at most {MAX_MONTHS}"),
        ("remaining_payments", "99999999999999999999", f"at most {MAX_MONTHS}"),
        ("remaining_payments", "60.5", "whole number"),
        ("asset_age_months", "-1", "negative"),
        ("asset_age_months", "٦٠", "whole number"),
        ("asset_age_months", str(MAX_MONTHS + 1), f"at most {MAX_MONTHS}"),
        ("rate_percent", "100.00001", "at most 100"),
        ("rate_percent", "6.123456", "at most 5 decimal places"),
        ("rate_percent", "٦", "yearly rate"),
        ("payment", "٦٠", "amount of dollars"),
        ("other_liens", "1e3", "amount of dollars"),
    ],
)
def test_counts_and_rates_keep_their_bounds(column: str, cell: str, reason: str) -> None:
    values, rejects = _one(column, cell)
    assert values == [] and rejects[0][0] == column and reason in rejects[0][1]


@pytest.mark.parametrize(
    ("dtype", "cell", "kept"),
    [
        (pl.Int8(), 5, 500),
        (pl.UInt64(), 1_000_000_000, MAX_AMOUNT_CENTS),
        (pl.Int64(), 0, 0),
        (pl.Float64(), 18000.5, 1_800_050),
        (pl.Float32(), 0.5, 50),
        (pl.Float64(), -0.0, 0),
        (pl.Decimal(38, 10), Decimal("18000.5000000000"), 1_800_050),
        (pl.Decimal(10, 0), Decimal(7), 700),
        (pl.Categorical(), "12.30", 1230),
    ],
)
def test_parquet_types_are_read_exactly(dtype: pl.DataType, cell: object, kept: int) -> None:
    assert _one("balance", cell, dtype) == ([kept], [])


@pytest.mark.parametrize(
    ("dtype", "cell", "reason"),
    [
        (pl.UInt64(), 2**64 - 1, "at most 1000000000.00"),
        (pl.Int64(), 2**63 - 1, "at most 1000000000.00"),
        (pl.Int64(), -(2**63), "must not be negative"),
        (pl.Int8(), -1, "must not be negative"),
        (pl.Float64(), float("nan"), "finite"),
        (pl.Float64(), float("inf"), "finite"),
        (pl.Float64(), 1e300, "at most 1000000000.00"),
        (pl.Float64(), 0.001, "whole cents"),
        (pl.Decimal(38, 0), Decimal("9" * 38), "at most 1000000000.00"),
        (pl.Decimal(38, 37), Decimal("1." + "0" * 36 + "1"), "whole cents"),
        (pl.Decimal(12, 2), Decimal("-0.01"), "must not be negative"),
        (pl.Boolean(), True, "must be an amount of dollars"),
        (pl.Date(), None, "is required"),
    ],
)
def test_parquet_odd_values_are_rejects(dtype: pl.DataType, cell: object, reason: str) -> None:
    values, rejects = _one("balance", cell, dtype)
    assert values == [] and rejects[0][0] == "balance" and reason in rejects[0][1]


@pytest.mark.parametrize(
    ("dtype", "cell", "verdict"),
    [
        (pl.UInt64(), 2**64 - 1, "at most 600"),
        (pl.Int64(), -(2**63), "negative"),
        (pl.Float64(), 60.0, 60),
        (pl.Float64(), 60.5, "whole number"),
        (pl.Float64(), float("nan"), "finite"),
        (pl.Decimal(10, 2), Decimal("60.00"), 60),
        (pl.Decimal(10, 2), Decimal("60.01"), "whole number"),
        (pl.String(), "٦٠", "whole number"),
        (pl.Null(), None, "is required"),
    ],
)
def test_parquet_counts(dtype: pl.DataType, cell: object, verdict: object) -> None:
    values, rejects = _one("remaining_payments", cell, dtype)
    if isinstance(verdict, int):
        assert (values, rejects) == ([verdict], [])
    else:
        assert values == [] and isinstance(verdict, str) and verdict in rejects[0][1]


def test_a_whole_book_from_parquet_with_every_kind_of_odd_value(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {
            "loan_id": [1, 2, 3, 4, 5, 6],
            "balance": [18000.0, float("nan"), -0.0, 1e300, None, 5.0],
            "rate_percent": [
                Decimal("6.9"),
                Decimal("6.9"),
                Decimal("0"),
                Decimal("6.9"),
                Decimal("6.9"),
                None,
            ],
            "remaining_payments": pl.Series([60, 60, 12, 60, 60, 60], dtype=pl.UInt64),
            "value": ["15000", "15000", "1", "1", "1", "1"],
        },
        schema_overrides={"rate_percent": pl.Decimal(10, 3)},
    )
    frame.write_parquet(tmp_path / "book.parquet")
    summary = run_portfolio(tmp_path / "book.parquet", tmp_path / "out.parquet", rejects=tmp_path / "r.csv")
    assert (summary.rows_in, summary.rows_out) == (6, 2)
    rejects = pl.read_csv(tmp_path / "r.csv", infer_schema=False)
    assert rejects.select("row", "loan_id", "field").rows() == [
        ("2", "2", "balance"),
        ("4", "4", "balance"),
        ("5", "5", "balance"),
        ("6", "6", "rate_percent"),
    ]
    assert pl.read_parquet(tmp_path / "out.parquet")["loan_id"].to_list() == ["1", "3"]


@pytest.mark.parametrize(
    ("loan_id", "reason"),
    [
        ("", "is required"),
        ("   ", "is required"),
        ("A\tB", "control characters"),
        ("A\x00", "control characters"),
    ],
)
def test_loan_id_rules(loan_id: str, reason: str) -> None:
    _, rejects = _one("loan_id", loan_id)
    assert rejects[0][0] == "loan_id" and reason in rejects[0][1]


def test_a_loan_id_column_of_lists_refuses_the_file() -> None:
    with pytest.raises(InputError, match="column loan_id must hold text or numbers"):
        check_types(pl.Schema({"loan_id": pl.List(pl.String)}))


def test_repeated_ids_across_chunks_name_the_first_row(tmp_path: Path) -> None:
    # Row 2 claims B although its balance is bad: a fix there never turns row 7 into a repeat.
    lines = [
        "A,1,1,1,1",
        "B,-5,1,1,1",
        "C,1,1,1,1",
        "A,1,1,1,1",
        ",1,1,1,1",
        ",1,1,1,1",
        "B,1,1,1,1",
        "C ,1,1,1,1",
    ]
    book = tmp_path / "book.csv"
    book.write_text("loan_id,balance,rate_percent,remaining_payments,value\n" + "\n".join(lines) + "\n")
    for chunk in (1, 3, 100):
        summary = run_portfolio(book, tmp_path / "o.parquet", rejects=tmp_path / "r.csv", chunk_size=chunk)
        rejects = pl.read_csv(tmp_path / "r.csv", infer_schema=False).select("row", "field", "reason").rows()
        assert rejects == [
            ("2", "balance", "must not be negative"),
            ("4", "loan_id", "repeats the loan_id of row 1"),
            ("5", "loan_id", "is required: the cell is empty"),
            ("6", "loan_id", "is required: the cell is empty"),
            ("7", "loan_id", "repeats the loan_id of row 2"),
        ]
        assert summary.rows_out == 3  # A, C and "C " (ids are kept exactly as given)


def test_the_ids_table_grows_and_finds_every_repeat() -> None:
    ids = LoanIds()
    text = pl.Series([f"L{k % 7000}" for k in range(20_000)])
    first, second = LoanIds.fingerprints(text)
    rows = np.arange(1, 20_001)
    found = np.concatenate(
        [
            ids.repeats(
                first[k : k + 999],
                second[k : k + 999],
                rows[k : k + 999],
                np.ones(999, bool)[: len(rows[k : k + 999])],
            )
            for k in range(0, 20_000, 999)
        ]
    )
    assert len(ids) == 7000 and ids.nbytes >= 7000 * 16
    assert found[:7000].tolist() == [0] * 7000
    assert found[7000:].tolist() == [(k % 7000) + 1 for k in range(7000, 20_000)]
    known = KnownRepeats(rows[found > 0], found[found > 0]).within(7001, 10)
    assert known.rows.tolist() == list(range(7001, 7011)) and known.firsts.tolist() == list(range(1, 11))


def test_the_guard_stops_out_of_range_inputs_before_the_compiled_loop() -> None:
    book, _ = validate(pl.DataFrame([BASE]))
    for name, bad in [
        ("remaining_payments", np.iinfo(np.int64).min),
        ("remaining_payments", MAX_MONTHS + 1),
        ("asset_age_months", MAX_MONTHS + 1),
        ("balance", -1),
        ("rate_units", 10**12),
        ("asset_class", 99),
        ("state", -1),
    ]:
        broken = dataclasses.replace(book, **{name: np.array([bad], dtype=np.int64)})
        with pytest.raises(OutOfRangeError):
            compute(broken)


@given(st.one_of(st.text(max_size=12), st.from_regex(r"[=+\-@\t\r]?[0-9.+\-]{0,6}", fullmatch=True)))
def test_formula_safe_cells_follow_safe_cell(text: str) -> None:
    assert pl.select(formula_safe(pl.lit(text))).item() == safe_cell(text)


_SPELLINGS = {
    "asset_class": [
        "car",
        "suv",
        "rv",
        "home",
        "CAR",
        " Boat ",
        "class8-sleeper",
        "Class8_Daycab",
        "truck",
        "cars",
    ],
    "state": ["CO", "TX", "DC", "co", " Tx ", "Colorado", "new york", "District of Columbia", "XX", "Texas!"],
}


@pytest.mark.parametrize("column", ["asset_class", "state"])
@given(data=st.data())
def test_names_in_any_mix_of_spellings_get_the_parsers_code(column: str, data: st.DataObject) -> None:
    # A column mixing the engine's own spellings (found by a cast to a fixed Enum) with other
    # spellings, blanks, nulls and unknown text (read by the library's parser) gives every
    # row the code the parser gives its cell, and an unknown spelling is a reject naming it.
    from underwater.assets import parse_asset_class
    from underwater.portfolio.schema import ASSET_CLASSES, STATE_CODES
    from underwater.state_rules import parse_state

    pool = [*_SPELLINGS[column], "", "  ", None]
    cells = data.draw(
        st.lists(st.one_of(st.sampled_from(pool), st.text(max_size=6)), min_size=1, max_size=30)
    )
    frame = pl.DataFrame(
        {name: [value] * len(cells) for name, value in BASE.items() if name != "loan_id"}
        | {"loan_id": [f"L{i}" for i in range(len(cells))], column: cells},
        schema_overrides={column: pl.String},
    )
    book, rejects = validate(frame)
    codes = book.asset_class if column == "asset_class" else book.state
    kept = iter(codes.tolist())
    refused = {row: (field, reason) for row, _, field, reason in rejects.rows()}
    for row, cell in enumerate(cells, start=1):
        if cell is None or not cell.strip():
            expected: int | None = 0
        else:
            try:
                if column == "asset_class":
                    expected = ASSET_CLASSES.index(parse_asset_class(cell).value)
                else:
                    expected = STATE_CODES.index(parse_state(cell)) + 1
            except InputError:
                expected = None
        if expected is None:
            assert refused[row][0] == column
        else:
            assert row not in refused
            assert next(kept) == expected
