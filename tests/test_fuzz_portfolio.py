"""Fuzzing the loan book's readers: hostile cells and hostile CSV lines never crash a run.

Properties, for any input: no exception escapes but :class:`InputError` for a whole-file
problem; rows in = rows out + rows rejected; every reject has a row number in range, once, and
a reason; a value the book accepts is read exactly as the single-loan parsers
(:func:`underwater.money.parse_money`, :func:`underwater.money.parse_percent`) read it; and the
good rows' figures agree with the exact Decimal engine (:mod:`underwater.portfolio.exact`).
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzzscale import examples
from test_portfolio_files import run_underwater
from underwater.errors import InputError
from underwater.money import parse_money, parse_percent, to_cents
from underwater.portfolio.engine import output_frame, run_portfolio
from underwater.portfolio.exact import exact_inputs, exact_loan
from underwater.portfolio.ids import LoanIds
from underwater.portfolio.kernel import compute
from underwater.portfolio.scenarios import Scenarios
from underwater.portfolio.schema import BOOK_COLUMNS, RATE_UNITS, validate
from underwater.portfolio.synth import synth_book

COLUMNS = BOOK_COLUMNS
GOOD = {
    "loan_id": "L",
    "balance": "18000",
    "rate_percent": "6.9",
    "remaining_payments": "60",
    "value": "15000",
    "payment": "",
    "asset_class": "car",
    "asset_age_months": "12",
    "other_liens": "0",
    "state": "CO",
}
HOSTILE = [
    "٦٠",  # Arabic-Indic digits: \d matches them in polars' regex engine
    "６０",  # fullwidth digits
    "²",
    "+-5",
    "--5",
    "9" * 40,
    "9" * 19,
    "1" + "0" * 30,
    "1e5",
    "1E-2",
    "0x10",
    "1 000",
    "1_000",
    "18,000",
    "$5",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "Infinity",
    "",
    " ",
    "\t",
    "\u00a05",
    "5\u200b",
    "x" * 3000,
    "\x00",
    "\x01",
    "5\x7f",
    "=1+1",
    "+5",
    "-5",
    "-0",
    "-0.00",
    "@SUM(A1)",
    "\r5",
    "5.",
    ".5",
    ".",
    "0.0000000000000000000000001",
    "600",
    "601",
    "0",
    "100.000001",
    "1000000000.00",
    "1000000000.01",
    "١٢٣",
]
cells = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=12),
    st.from_regex(r"[+-]?[0-9]{0,12}(\.[0-9]{0,8})?", fullmatch=True),
)


def _agrees_with_the_scalar_parsers(raw: dict[str, str], book_row: dict[str, int]) -> None:
    # A value the book takes is one the single-loan parsers take, with the same meaning.
    for name in ("balance", "value", "payment", "other_liens"):
        text = raw.get(name, "")
        if text.strip(" \t"):
            assert to_cents(parse_money(text, name)) == book_row[name], (name, text)
    rate = raw["rate_percent"]
    assert parse_percent(rate, "rate_percent") * RATE_UNITS == book_row["rate_percent"], rate
    for name in ("remaining_payments", "asset_age_months"):
        text = raw.get(name, "").strip(" \t")
        if text:
            # A sign is taken ("-0" is zero: no count may be negative, and "-1" is a reject);
            # ".0" is zero too, as ".5" is a half in a money cell.
            assert (
                re.fullmatch(r"[+-]?(?:[0-9]+(\.0*)?|\.0+)", text) and int(Decimal(text)) == book_row[name]
            ), (
                name,
                text,
            )


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.tuples(st.sampled_from(COLUMNS), cells), min_size=1, max_size=4))
def test_hostile_cells_are_rejects_or_exact(rows: list[tuple[str, str]]) -> None:
    raw = [GOOD | {"loan_id": f"L{k}", column: value} for k, (column, value) in enumerate(rows)]
    frame = pl.DataFrame(raw, schema=dict.fromkeys(COLUMNS, pl.String))
    book, rejects = validate(frame, ids=LoanIds())
    assert len(book) + rejects.height == frame.height
    assert sorted(book.row.tolist() + rejects["row"].to_list()) == list(range(1, frame.height + 1))
    assert all(reason for reason in rejects["reason"].to_list())
    assert set(rejects["field"].to_list()) <= set(COLUMNS)
    if not len(book):
        return
    scenarios = Scenarios((Decimal(10),))
    result = compute(book, scenarios)
    fast = output_frame(book, result, scenarios)
    for i, row in enumerate(fast.rows(named=True)):
        source = raw[int(book.row[i]) - 1]
        _agrees_with_the_scalar_parsers(
            source,
            {
                "balance": int(book.balance[i]),
                "value": int(book.value[i]),
                "payment": int(book.payment[i]),
                "other_liens": int(book.other_liens[i]),
                "rate_percent": int(book.rate_units[i]),
                "remaining_payments": int(book.remaining_payments[i]),
                "asset_age_months": int(book.asset_age_months[i]),
            },
        )
        exact = exact_loan(exact_inputs(book, i), (Decimal(10),))
        for column in (
            "owed",
            "payment",
            "equity",
            "crossover_month",
            "first_under_water_month",
            "peak_negative_equity",
            "peak_month",
        ):
            assert row[column] == exact[column], (column, source)
        assert row["estimated_deficiency_shock_10"] == exact["estimated_deficiency_shock_10"]


def _one_record(text: bytes, fields: int) -> bool:
    """Whether ``text`` (lines joined by LF) is one well-formed RFC 4180 record of ``fields``
    cells: quotes only around a whole cell, a quote inside doubled, nothing after a closing
    quote but a comma, no NUL."""
    count, state = 1, "start"  # start of a cell, unquoted, quoted, just after a quote in quotes
    for c in text:
        if c == 0:
            return False
        if state == "start":
            state = "quoted" if c == 0x22 else "start" if c == 0x2C else "plain"
            count += c == 0x2C
        elif state == "plain":
            if c == 0x22:
                return False
            if c == 0x2C:
                count, state = count + 1, "start"
        elif state == "quoted":
            state = "closing" if c == 0x22 else "quoted"
        elif c == 0x22:
            state = "quoted"
        elif c == 0x2C:
            count, state = count + 1, "start"
        else:
            return False
    return state != "quoted" and count == fields


def _line_count(data: bytes) -> int:
    """Rows in by the reader's definition (``portfolio/csvbook.py``): the records after the
    header, a record being a line (LF, CRLF or lone CR) or, when a quote opened on it is closed on
    a later line, the lines up to it if they make one well-formed record of the header's fields;
    otherwise the line the quote opened on is a record alone and the next line starts the next."""
    body = data.removeprefix(b"\xef\xbb\xbf")
    lines = re.split(rb"\r\n|\r|\n", body)
    if lines and lines[-1] == b"":
        lines.pop()  # the last line end closes the last line; it does not open another
    fields = lines[0].count(b",") + 1 if lines else 0
    rows, k = 0, 1
    while k < len(lines):
        end, text = k, lines[k]
        while text.count(b'"') % 2 and end + 1 < len(lines):
            end += 1
            text += b"\n" + lines[end]
        rows += 1
        k = end + 1 if end > k and _one_record(text, fields) else k + 1
    return rows


HEADER = b"loan_id,balance,rate_percent,remaining_payments,value,asset_class"
hostile_bytes = st.binary(max_size=40).map(
    lambda b: b.replace(b"\n", b",").replace(b"\r", b'"') if b.count(b"\n") > 2 else b
)
hostile_lines = st.one_of(
    hostile_bytes,
    st.sampled_from(
        [
            b"",
            b"X,1,2,3,4,car,extra",
            b"X,1,2,3",
            b'"X,1,2,3,4,car',
            b'X",1,2,3,4,car',
            b'"X"y,1,2,3,4,car',
            b"X,caf\xe9,1,1,1,car",
            b"X,1\x00,1,1,1,car",
            b"\xef\xbb\xbfX,1,1,1,1,car",
            b'"=HYPERLINK(""http://x"")",1,1,1,1,car',
            b'"Q ""quoted"", with comma",1,1,1,1,suv',
            b"X,1,1,\xd9\xa6\xd9\xa0,1,car",
        ]
    ),
)
endings = st.sampled_from([b"\n", b"\r\n", b"\r"])


@settings(
    max_examples=examples(30),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    lines=st.lists(st.tuples(st.booleans(), hostile_lines, endings), min_size=0, max_size=12),
    bom=st.booleans(),
    last_end=st.booleans(),
    chunk=st.integers(min_value=1, max_value=4),
)
def test_hostile_csv_lines_never_end_a_run(
    tmp_path: Path, lines: list[tuple[bool, bytes, bytes]], bom: bool, last_end: bool, chunk: int
) -> None:
    body = b""
    good_ids = []
    for k, (good, hostile, end) in enumerate(lines):
        if good:
            good_ids.append(f"G{k}")
            body += f"G{k},18000.5,6.9,{k + 1},15000,pickup".encode() + end
        else:
            body += hostile + end
    if not last_end:
        body = body.removesuffix(b"\r\n").removesuffix(b"\n").removesuffix(b"\r")
    data = (b"\xef\xbb\xbf" if bom else b"") + HEADER + b"\n" + body
    book = tmp_path / "book.csv"
    book.write_bytes(data)
    out, rejected = tmp_path / "out.parquet", tmp_path / "rejects.csv"
    summary = run_portfolio(book, out, rejects=rejected, chunk_size=chunk)
    assert summary.rows_in == _line_count(data) == summary.rows_out + summary.rows_rejected
    rejects = pl.read_csv(rejected, infer_schema=False)
    numbers = [int(row) for row in rejects["row"].to_list()]
    assert numbers == sorted(set(numbers)) and all(1 <= n <= summary.rows_in for n in numbers)
    assert all(reason for reason in rejects["reason"].to_list())
    written = pl.read_parquet(out)["loan_id"].to_list()
    assert len(written) == summary.rows_out
    assert [loan for loan in written if loan in good_ids] == good_ids  # every good line, in order


def test_the_arabic_indic_book_no_longer_crashes(tmp_path: Path) -> None:
    # The hostile tester's book: Arabic-Indic digits reached the compiled loop as INT64_MIN
    # and the process died of a segfault (exit 139). Now: exit 0 and one reject.
    book = tmp_path / "small.csv"
    book.write_text(
        "loan_id,balance,rate_percent,remaining_payments,value\nA,18000,6.9,60,15000\nB,18000,6.9,٦٠,15000\n",
        encoding="utf-8",
    )
    done = run_underwater([str(book), "-o", str(tmp_path / "o.parquet")])
    assert done.returncode == 0, done.stderr
    rejects = (tmp_path / "o.rejects.csv").read_text().splitlines()
    assert rejects == ["row,loan_id,field,reason", "2,B,remaining_payments,must be a whole number"]
    assert pl.read_parquet(tmp_path / "o.parquet")["loan_id"].to_list() == ["A"]


@pytest.mark.parametrize("cell", ["٦٠", "²", "1e5", "NaN", "9" * 25])
@pytest.mark.parametrize("column", ["balance", "rate_percent", "payment", "asset_age_months", "other_liens"])
def test_each_numeric_column_rejects_the_reported_values(column: str, cell: str) -> None:
    # The cases column by column: a traceback (balance, rate), silence (payment) or a
    # wrong crossover (age) before; a reject naming the field now.
    frame = pl.DataFrame([GOOD | {column: cell}], schema=dict.fromkeys(COLUMNS, pl.String))
    book, rejects = validate(frame)
    assert len(book) == 0
    assert rejects.select("row", "field").rows() == [(1, column)]


def test_a_whole_file_problem_is_an_input_error(tmp_path: Path) -> None:
    book = tmp_path / "book.csv"
    book.write_bytes(b"loan_id,balance,balance,rate_percent,remaining_payments,value\n")
    with pytest.raises(InputError, match="more than once"):
        run_portfolio(book, tmp_path / "out.parquet")


def test_a_quote_closed_on_the_next_line_makes_one_record(tmp_path: Path) -> None:
    # Found by the fuzz test above: a quoted loan id holding a line break, then the record's other
    # cells, is one record (RFC 4180), so one row in, rejected for its other cells.
    book = tmp_path / "book.csv"
    book.write_bytes(HEADER + b'\n"X,1,2,3,4,car\nX",1,2,3,4,car\n')
    summary = run_portfolio(book, tmp_path / "out.parquet", rejects=tmp_path / "rejects.csv")
    assert summary.rows_in == _line_count(book.read_bytes()) == 1


_ANYTHING = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**20), max_value=10**20),
        st.floats(allow_nan=True, allow_infinity=True),
        st.decimals(allow_nan=True, allow_infinity=True),
        st.text(max_size=12),
        st.sampled_from(["10", "12.5", "manheim_2007_09", "le_80=0.01", "regab", "0", "600", "1e3"]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.tuples(inner), st.dictionaries(st.text(max_size=8), inner, max_size=2)
    ),
    max_leaves=4,
)
_KEYWORDS = ("shocks", "stress", "horizon", "default_by_ltv", "chunk_size", "threads", "layout")


@settings(max_examples=examples(120), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(_KEYWORDS), value=_ANYTHING)
def test_run_frame_keywords_of_any_kind_run_or_name_the_field(name: str, value: object) -> None:
    # The notebook API's keywords are a parser of whatever a person passes: a value either runs
    # or is an InputError; never another exception from inside.
    from underwater.portfolio.frames import run_frame

    try:
        run = run_frame(synth_book(3, seed=1), **{name: value})  # type: ignore[arg-type]
    except InputError:
        return
    assert run.summary["rows_in"] == 3
