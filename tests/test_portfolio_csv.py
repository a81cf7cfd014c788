"""A CSV book read line by line: every broken line is a reject with its row number and reason,
the good lines go on, and rows in = the lines after the header, whatever the line ends."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from underwater.errors import InputError
from underwater.portfolio.csvbook import MAX_LINE_BYTES, csv_chunks
from underwater.portfolio.engine import run_portfolio
from underwater.portfolio.io import count_rows

HEADER = b"loan_id,balance,rate_percent,remaining_payments,value"
GOOD = b"G%d,18000,6.9,60,15000"
BROKEN = [
    (b"X,1,2,3,4,5", "has 6 fields; the header has 5"),
    (b"X,1,2", "has 3 fields; the header has 5"),
    (b'"X,1,2,3,4', "a quoted cell is not closed on this line"),
    (b'X",1,2,3,4', "a quote inside an unquoted cell"),
    (b'"X"y,1,2,3,4', "text after a closing quote"),
    (b"X,1\x00,2,3,4", "contains a NUL byte"),
    (b"Caf\xe9,1,2,3,4", "is not UTF-8 text (byte 0xE9 at byte 4 of the line)"),
    (b"X,\xc3,2,3,4", "is not UTF-8 text (byte 0xC3 at byte 3 of the line)"),
    (b"", "the line is empty"),
]


def _run(
    tmp_path: Path, data: bytes, chunk: int = 2
) -> tuple[int, int, list[tuple[str, str, str]], list[str]]:
    book = tmp_path / "book.csv"
    book.write_bytes(data)
    summary = run_portfolio(book, tmp_path / "out.csv", rejects=tmp_path / "r.csv", chunk_size=chunk)
    rejects = pl.read_csv(tmp_path / "r.csv", infer_schema=False)
    written = pl.read_csv(tmp_path / "out.csv", infer_schema=False)["loan_id"].to_list()
    assert summary.rows_in == summary.rows_out + summary.rows_rejected == count_rows(book)
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
