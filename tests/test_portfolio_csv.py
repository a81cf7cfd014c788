"""A CSV book read record by record (RFC 4180): every broken record is a reject with its row
number and reason, the good ones go on, and rows in = the records after the header (the lines,
when no quoted cell holds a line break), whatever the line ends."""

from __future__ import annotations

import time
from pathlib import Path

import polars as pl
import pytest

from underwater.errors import InputError
from underwater.portfolio.csvbook import BLOCK_BYTES, MAX_LINE_BYTES, csv_chunks
from underwater.portfolio.engine import run_portfolio
from underwater.portfolio.io import count_rows

HEADER = b"loan_id,balance,rate_percent,remaining_payments,value"
GOOD = b"G%d,18000,6.9,60,15000"
BROKEN = [
    (b"X,1,2,3,4,5", "has 6 fields; the header has 5"),
    (b"X,1,2", "has 3 fields; the header has 5"),
    (b'X",1,2,3,4', "a quote inside an unquoted cell"),
    (b'"X"y,1,2,3,4', "text after a closing quote"),
    (b"X,1\x00,2,3,4", "contains a NUL byte"),
    (b"Caf\xe9,1,2,3,4", "is not UTF-8 text (byte 0xE9 at byte 4 of the line)"),
    (b"X,\xc3,2,3,4", "is not UTF-8 text (byte 0xC3 at byte 3 of the line)"),
    (b"", "the line is empty"),
    # Last: no later line has a quote to close it, so read on it makes no record.
    (b'"X,1,2,3,4', "a quoted cell is not closed"),
]


def _run(
    tmp_path: Path, data: bytes, chunk: int = 2, *, one_line_records: bool = True
) -> tuple[int, int, list[tuple[str, str, str]], list[str]]:
    book = tmp_path / "book.csv"
    book.write_bytes(data)
    summary = run_portfolio(book, tmp_path / "out.csv", rejects=tmp_path / "r.csv", chunk_size=chunk)
    rejects = pl.read_csv(tmp_path / "r.csv", infer_schema=False)
    written = pl.read_csv(tmp_path / "out.csv", infer_schema=False)["loan_id"].to_list()
    assert summary.rows_in == summary.rows_out + summary.rows_rejected
    if one_line_records:  # count_rows counts lines, for a progress bar
        assert summary.rows_in == count_rows(book)
    return summary.rows_in, summary.rows_out, rejects.select("row", "field", "reason").rows(), written


@pytest.mark.parametrize("end", [b"\n", b"\r\n", b"\r"])
@pytest.mark.parametrize("chunk", [1, 2, 1000])
def test_each_broken_line_is_a_reject_with_its_row(tmp_path: Path, end: bytes, chunk: int) -> None:
    lines = []
    for k, (line, _) in enumerate(BROKEN):
        lines += [GOOD % (2 * k), line]
    data = end.join([HEADER, *lines, GOOD % 99]) + end
    rows_in, rows_out, rejects, written = _run(tmp_path, data, chunk)
    assert (rows_in, rows_out) == (2 * len(BROKEN) + 1, len(BROKEN) + 1)
    assert [int(row) for row, _, _ in rejects] == [2 * k + 2 for k in range(len(BROKEN))]
    for (_, field, reason), (_, expected) in zip(rejects, BROKEN, strict=True):
        assert field == "line" and expected in reason
    assert written == [f"G{2 * k}" for k in range(len(BROKEN))] + ["G99"]


def test_a_bom_mixed_line_ends_and_no_final_line_end(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf" + HEADER + b"\r\n" + GOOD % 1 + b"\r" + GOOD % 2 + b"\n" + GOOD % 3
    assert _run(tmp_path, data)[:3] == (3, 3, [])


def test_quoted_cells_hold_commas_and_doubled_quotes(tmp_path: Path) -> None:
    data = HEADER + b'\n"A, ""the"" first",18000,6.9,60,15000\n"",1,1,1,1\n'
    rows_in, rows_out, rejects, written = _run(tmp_path, data)
    assert (rows_in, rows_out, written) == (2, 1, ['A, "the" first'])
    assert rejects == [("2", "loan_id", "is required: the cell is empty")]


def test_a_line_longer_than_the_limit_is_a_reject(tmp_path: Path) -> None:
    long = b"L," + b"9" * (MAX_LINE_BYTES + 10) + b",1,1,1"
    longer = b"M," + b"9" * (5 * MAX_LINE_BYTES) + b",1,1,1"  # beyond a block: never held whole
    data = b"\n".join([HEADER, GOOD % 1, long, GOOD % 2, longer, GOOD % 3]) + b"\n"
    rows_in, rows_out, rejects, _ = _run(tmp_path, data)
    assert (rows_in, rows_out) == (5, 3)
    assert rejects == [
        ("2", "line", "is longer than 1,048,576 bytes"),
        ("4", "line", "is longer than 1,048,576 bytes"),
    ]


def test_a_latin1_file_is_a_reject_a_line_not_a_failure(tmp_path: Path) -> None:
    lines = [f"Caf\xe9 {k},18000,6.9,60,15000".encode("latin-1") for k in range(3000)]
    data = b"\n".join([HEADER, *lines, b"Fine,1,1,1,1"]) + b"\n"
    rows_in, rows_out, rejects, written = _run(tmp_path, data, chunk=500)
    assert (rows_in, rows_out, written) == (3001, 1, ["Fine"])
    assert len(rejects) == 3000 and all("not UTF-8" in reason for _, _, reason in rejects)


@pytest.mark.parametrize(
    ("data", "rule"),
    [
        (b"", "is empty"),
        (b"\xef\xbb\xbf", "is empty"),
        (b"loan_id,balance,balance,rate_percent,remaining_payments,value\n", "more than once"),
        (b"loan_id,bal\xe9nce,rate_percent,remaining_payments,value\n", "not UTF-8"),
        (b'"loan_id,balance\n', "not valid CSV"),
        (b"loan_id,balance\x00,rate_percent\n", "NUL"),
        (b"loan_id,balance,rate_percent,remaining_payments\nA,1,1,1\n", "has no column value"),
    ],
)
def test_an_unreadable_header_refuses_the_file(tmp_path: Path, data: bytes, rule: str) -> None:
    book = tmp_path / "book.csv"
    book.write_bytes(data)
    with pytest.raises(InputError, match=rule) as error:
        run_portfolio(book, tmp_path / "out.csv")
    assert error.value.field == "book"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.csv"]


def test_chunks_hold_their_broken_lines_in_row_order(tmp_path: Path) -> None:
    data = b"\n".join([HEADER, GOOD % 1, b"", GOOD % 3, b"", b"", GOOD % 6, b""]) + b"\n"
    (tmp_path / "b.csv").write_bytes(data)
    chunks = list(csv_chunks(tmp_path / "b.csv", 2))
    assert [(chunk.rows.tolist(), chunk.broken["row"].to_list()) for chunk in chunks] == [
        ([1, 3], [2]),
        ([6], [4, 5, 7]),
    ]
    assert sum(chunk.rows_in for chunk in chunks) == 7


def test_formula_cells_in_the_reject_file_and_csv_output_are_neutralised(tmp_path: Path) -> None:
    data = HEADER + b'\n=SUM(A1),18000,6.9,60,15000\n"@cmd",-5,6.9,60,15000\n-5,1,1,1,1\n'
    written = _run(tmp_path, data)[3]
    assert written == ["'=SUM(A1)", "-5"]  # -5 is a plain number and stays one
    assert pl.read_csv(tmp_path / "r.csv", infer_schema=False)["loan_id"].to_list() == ["'@cmd"]
    out = tmp_path / "out.parquet"
    run_portfolio(tmp_path / "book.csv", out, rejects=tmp_path / "r2.csv")
    assert pl.read_parquet(out)["loan_id"].to_list() == ["=SUM(A1)", "-5"]  # Parquet keeps ids exactly


# -- RFC 4180: a quoted cell may hold a line break ----------------------------------------------

NOTED = b"loan_id,balance,rate_percent,remaining_payments,value,note"


@pytest.mark.parametrize("end", [b"\n", b"\r\n", b"\r"])
@pytest.mark.parametrize("chunk", [1, 2, 1000])
def test_a_quoted_cell_may_hold_a_line_break(tmp_path: Path, end: bytes, chunk: int) -> None:
    # A spreadsheet's export of a two-line note: one record over two lines (was two broken lines).
    records = [
        b"A,18000,6.9,60,15000,plain",
        b'B,18000,6.9,60,15000,"12 Main St' + end + b'Apt 4"',
        b'C,18000,6.9,60,15000,"three' + end + end + b'lines, and a "" quote"',
        b'"D' + end + b'E",18000,6.9,60,15000,x',  # a line break in a loan_id: a reject, one row
        b"F,18000,6.9,60,15000,last",
    ]
    data = end.join([NOTED, *records]) + end
    rows_in, rows_out, rejects, written = _run(tmp_path, data, chunk, one_line_records=False)
    assert (rows_in, rows_out, written) == (5, 4, ["A", "B", "C", "F"])
    assert [(row, field) for row, field, _ in rejects] == [("4", "loan_id")]
    notes = pl.concat(chunk.frame for chunk in csv_chunks(tmp_path / "book.csv", 10))["note"].to_list()
    assert notes[1:3] == [
        "12 Main St" + end.decode() + "Apt 4",
        f'three{end.decode() * 2}lines, and a " quote',
    ]


def test_a_quote_left_open_spoils_its_own_line_only(tmp_path: Path) -> None:
    # Read on, the quote would close on the "x" line into a record of the wrong size: so the
    # line it opened on is the one reject, and the lines after it are rows of their own.
    lines = [b'A,18000,6.9,60,15000,"open', b"B,18000,6.9,60,15000,b", b'C,18000,6.9,60,15000,"x"']
    data = b"\n".join([NOTED, *lines, *(b"G%d,1,1,1,1,g" % k for k in range(50))]) + b"\n"
    rows_in, rows_out, rejects, written = _run(tmp_path, data, 7)
    assert (rows_in, rows_out) == (53, 52)
    assert rejects == [
        (
            "1",
            "line",
            "a quoted cell is not closed: read on to a closing quote, "
            "the lines after it make no record of 6 fields",
        )
    ]
    assert written[:2] == ["B", "C"]


def test_a_record_in_quotes_across_a_block_boundary_is_one_record(tmp_path: Path) -> None:
    # The file is read in blocks that end at a line end: here the first ends at the line break
    # inside M's quoted note, so M waits for the next block; a quote left open after it spoils
    # one line only.
    boundary = MAX_LINE_BYTES + 2 + BLOCK_BYTES  # the header's read, then a block
    line = len(b"F%08d,18000,6.9,60,15000,padding\n" % 0)
    k = (boundary - 400 - len(NOTED) - 1) // line + 1
    data = NOTED + b"\n" + b"".join(b"F%08d,18000,6.9,60,15000,padding\n" % j for j in range(k))
    data += b"P,18000,6.9,60,15000," + b"p" * (boundary - 300 - len(data) - 22) + b"\n"
    assert len(data) == boundary - 300
    data += b'M,18000,6.9,60,15000,"' + b"n" * 200 + b"\n" + b"m" * 400 + b'"\n'
    data += b'O,18000,6.9,60,15000,"left open\n' + b"".join(b"Z%d,1,1,1,1,z\n" % z for z in range(3))
    rows_in, rows_out, rejects, written = _run(tmp_path, data, 100_000, one_line_records=False)
    assert (rows_in, rows_out) == (k + 6, k + 5)
    assert written[k : k + 3] == ["P", "M", "Z0"] and [row for row, _, _ in rejects] == [str(k + 3)]


def test_a_header_of_40000_columns_is_read_in_linear_time(tmp_path: Path) -> None:
    # names.count(name) for each name took 26.5 s at 40,000 columns (and hours at 210,000).
    names = [*HEADER.decode().split(","), *(f"c{k}" for k in range(40_000))]
    book = tmp_path / "wide.csv"
    book.write_text(",".join(names) + "\n" + ",".join(["W", "18000", "6.9", "60", "15000"] + ["1"] * 40_000))
    started = time.monotonic()
    summary = run_portfolio(book, tmp_path / "out.csv", rejects=tmp_path / "r.csv")
    assert summary.rows_out == 1
    assert time.monotonic() - started < 10
    repeated = book.read_text().replace("c39999\n", "c0\n", 1)
    book.write_text(repeated)
    with pytest.raises(InputError, match="'c0'"):
        run_portfolio(book, tmp_path / "out.csv", rejects=tmp_path / "r.csv")
