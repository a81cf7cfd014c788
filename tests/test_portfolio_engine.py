"""The portfolio engine end to end: rejects, counts, atomic and reproducible writes, CSV and
Parquet in and out, bounded chunks, and the summary."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from underwater.errors import InputError
from underwater.portfolio.engine import output_schema, parse_shocks, run_portfolio
from underwater.portfolio.io import book_format
from underwater.portfolio.scenarios import Scenarios
from underwater.portfolio.synth import synth_book, write_synth_book

HEADER = "loan_id,balance,rate_percent,remaining_payments,value,payment,asset_class,asset_age_months,other_liens,state"
GOOD = "G{n},18000,6.9,60,15000,,car,12,0,CO"
BAD_ROWS = {
    2: ("B1,-5,6.9,60,15000,,car,0,0,", "balance", "must not be negative"),
    4: ("B2,18000,6.9,60,,,car,0,0,", "value", "is required: the cell is empty"),
    5: ("B3,18000,6.9,60,15000,,tractor,0,0,", "asset_class", "must be one of car, suv"),
    7: ("B4,18000,six,60,15000,,car,0,0,", "rate_percent", "must be a yearly rate in percent"),
    8: (
        "B5,18000,6.9,60,15000,50,car,0,0,",
        "payment",
        "50.00 does not cover the first month's interest 103.50",
    ),
    9: ("B6,18000,6.9,60,15000,103.50,car,0,0,", "payment", "only pays the interest"),
    10: ("B7,18000.005,6.9,60,15000,,car,0,0,", "balance", "whole cents"),
    11: ("B8,18000,6.123456,60,15000,,car,0,0,", "rate_percent", "at most 5 decimal places"),
    12: ("B9,18000,6.9,0,15000,,car,0,0,", "remaining_payments", "must be at least 1"),
    13: ("B10,18000,6.9,60,15000,,car,0,0,ZZ", "state", "two-letter code"),
    14: ("B11,18000,6.9,601,15000,,car,0,0,", "remaining_payments", "at most 600"),
    15: ("B12,18000,6.9,60.5,15000,,car,0,0,", "remaining_payments", "whole number"),
}


def _mixed_csv(path: Path, rows: int = 20) -> Path:
    lines = [HEADER]
    for n in range(1, rows + 1):
        lines.append(BAD_ROWS[n][0] if n in BAD_ROWS else GOOD.format(n=n))
    path.write_text("\n".join(lines) + "\n")
    return path


def test_bad_rows_are_rejected_with_row_number_field_and_reason(tmp_path: Path) -> None:
    book = _mixed_csv(tmp_path / "book.csv")
    summary = run_portfolio(book, tmp_path / "out.csv", rejects=tmp_path / "rejects.csv", chunk_size=3)
    rejects = pl.read_csv(tmp_path / "rejects.csv", infer_schema=False)
    assert rejects["row"].to_list() == [str(n) for n in sorted(BAD_ROWS)]
    for row, loan_id, field, reason in rejects.iter_rows():
        line, want_field, want_reason = BAD_ROWS[int(row)]
        assert loan_id == line.split(",")[0]
        assert field == want_field
        assert want_reason in reason
    out = pl.read_csv(tmp_path / "out.csv")
    assert summary.rows_in == 20 == summary.rows_out + summary.rows_rejected
    assert out.height == summary.rows_out == 20 - len(BAD_ROWS)
    assert summary.to_json()["rows_rejected"] == len(BAD_ROWS)


def test_rejects_default_beside_the_output_and_exist_even_when_empty(tmp_path: Path) -> None:
    book = tmp_path / "book.csv"
    book.write_text(HEADER + "\n" + GOOD.format(n=1) + "\n")
    run_portfolio(book, tmp_path / "out.parquet")
    assert (tmp_path / "out.rejects.csv").read_text() == "row,loan_id,field,reason\n"


def test_missing_required_column_refuses_the_whole_file(tmp_path: Path) -> None:
    book = tmp_path / "book.csv"
    book.write_text("loan_id,balance,rate_percent,remaining_payments\nA,1,1,1\n")
    with pytest.raises(InputError) as error:
        run_portfolio(book, tmp_path / "out.csv")
    assert error.value.field == "book" and "value" in error.value.rule
    assert not (tmp_path / "out.csv").exists()


def test_a_line_with_an_extra_field_is_a_reject_and_the_rest_goes_on(tmp_path: Path) -> None:
    # Before, one such line ended the whole run with a polars traceback.
    lines = [HEADER] + [GOOD.format(n=n) for n in range(1, 5001)]
    lines[2500] += ",extra"
    book = tmp_path / "book.csv"
    book.write_text("\n".join(lines) + "\n")
    summary = run_portfolio(book, tmp_path / "out.parquet", rejects=tmp_path / "r.csv", chunk_size=500)
    assert (summary.rows_in, summary.rows_out, summary.rows_rejected) == (5000, 4999, 1)
    assert (tmp_path / "r.csv").read_text().splitlines()[1] == "2500,,line,has 11 fields; the header has 10"


def test_an_interrupted_run_leaves_no_output(tmp_path: Path) -> None:
    # A real failure half-way: the Parquet book is damaged three quarters in, so reading fails
    # after the first chunks have already been computed and streamed to the writer.
    book = tmp_path / "book.parquet"
    synth_book(20_000, seed=1).write_parquet(book, row_group_size=2000, compression="zstd")
    data = bytearray(book.read_bytes())
    middle = len(data) * 3 // 4
    data[middle : middle + 2000] = bytes(range(256)) * 7 + bytes(208)
    book.write_bytes(bytes(data))
    (tmp_path / "keep.csv").write_text("an earlier result\n")
    with pytest.raises(InputError, match="book: could not be read"):
        run_portfolio(book, tmp_path / "out.parquet", chunk_size=500)
    with pytest.raises(InputError, match="book: could not be read"):
        run_portfolio(book, tmp_path / "keep.csv", rejects=tmp_path / "r.csv", chunk_size=500)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.parquet", "keep.csv"]
    assert (tmp_path / "keep.csv").read_text() == "an earlier result\n"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_same_input_gives_byte_identical_output(tmp_path: Path, suffix: str) -> None:
    book = tmp_path / "book.parquet"
    write_synth_book(book, 3000, seed=11, chunk=1000)
    shocks = parse_shocks(["10", "25"])
    run_portfolio(book, tmp_path / f"a{suffix}", scenarios=Scenarios(shocks), chunk_size=700)
    run_portfolio(book, tmp_path / f"b{suffix}", scenarios=Scenarios(shocks), chunk_size=700)
    assert _digest(tmp_path / f"a{suffix}") == _digest(tmp_path / f"b{suffix}")


def test_csv_and_parquet_in_and_out_give_the_same_figures(tmp_path: Path) -> None:
    frame = synth_book(2000, seed=3)
    frame.write_parquet(tmp_path / "book.parquet")
    frame.write_csv(tmp_path / "book.csv")
    scenarios = Scenarios((Decimal(10),))
    run_portfolio(tmp_path / "book.parquet", tmp_path / "pp.parquet", scenarios=scenarios, chunk_size=512)
    run_portfolio(tmp_path / "book.csv", tmp_path / "cc.csv", scenarios=scenarios, chunk_size=300)
    from_parquet = pl.read_parquet(tmp_path / "pp.parquet")
    from_csv = pl.read_csv(tmp_path / "cc.csv", schema=output_schema(scenarios))
    assert from_parquet.schema == output_schema(scenarios)
    assert from_parquet.equals(from_csv)
    assert from_parquet.height == 2000
    assert from_parquet["loan_id"].to_list() == frame["loan_id"].to_list()


def test_float_money_in_parquet_must_be_whole_cents(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {
            "loan_id": ["a", "b", "c"],
            "balance": [18000.5, 0.1, 1.005],
            "rate_percent": [6.9, 6.9, 6.9],
            "remaining_payments": [60, 60, 60],
            "value": [15000.0, float("nan"), 1.0],
        }
    )
    frame.write_parquet(tmp_path / "book.parquet")
    summary = run_portfolio(tmp_path / "book.parquet", tmp_path / "out.parquet", rejects=tmp_path / "r.csv")
    rejects = pl.read_csv(tmp_path / "r.csv")
    assert rejects.select("row", "field").rows() == [(2, "value"), (3, "balance")]
    assert summary.rows_out == 1
    out = pl.read_parquet(tmp_path / "out.parquet")
    assert out["balance"].to_list() == [Decimal("18000.50")]


def test_summary_counts_and_json_keys(tmp_path: Path) -> None:
    book = tmp_path / "book.csv"
    book.write_text(
        HEADER
        + "\nA,18000,6.9,60,15000,,car,0,0,CO\nB,5000,6.9,60,15000,,suv,0,0,\nC,1000,0,10,0,,boat,0,0,TX\n"
    )
    summary = run_portfolio(book, tmp_path / "out.csv", scenarios=Scenarios((Decimal(70),)))
    data = json.loads(json.dumps(summary.to_json()))
    base, shocked = data["scenarios"]
    assert base["shock_percent"] == "0" and shocked["shock_percent"] == "70"
    assert base["loans"] == 3 and base["under_water"] == 2
    assert base["share_under_water"] == "0.6667"
    assert base["total_negative_equity"] == "4000.00"  # 3,000 on A and 1,000 on C (value 0)
    assert base["average_negative_equity"] == "2000.00"
    # LTV: A 120 % (bound included), B 33 %, C has no value.
    assert base["ltv_buckets"] == {
        "le_80": 1,
        "80_100": 0,
        "100_120": 1,
        "120_140": 0,
        "gt_140": 0,
        "no_value": 1,
    }
    assert base["by_state"]["CO"]["under_water"] == 1 and base["by_state"]["none"]["loans"] == 1
    assert base["by_asset_class"]["suv"]["share_under_water"] == "0.0000"
    # 70 % off: A 18,000 on 4,500; B 5,000 on 4,500; C 1,000 on nothing.
    assert shocked["under_water"] == 3
    assert shocked["total_negative_equity"] == "15000.00"


def test_book_format_and_paths_are_checked(tmp_path: Path) -> None:
    with pytest.raises(InputError) as error:
        book_format("book.xlsx")
    assert error.value.field == "book"
    with pytest.raises(InputError) as missing:
        run_portfolio(tmp_path / "none.csv", tmp_path / "out.csv")
    assert missing.value.field == "book"
    with pytest.raises(InputError) as shock:
        parse_shocks(["100"])
    assert shock.value.field == "shock"


def test_synthetic_book_is_seeded_and_about_a_quarter_under_water(tmp_path: Path) -> None:
    assert synth_book(500, seed=4).equals(synth_book(500, seed=4))
    assert not synth_book(500, seed=4).equals(synth_book(500, seed=5))
    book = tmp_path / "book.parquet"
    write_synth_book(book, 20_000, seed=9, chunk=5000)
    summary = run_portfolio(book, tmp_path / "out.parquet").to_json()
    share = Decimal(summary["scenarios"][0]["share_under_water"])
    assert summary["rows_rejected"] == 0
    # Edmunds: 26.6-29.3 % of trade-ins under water in 2025 (domain-data.md §5.2).
    assert Decimal("0.22") <= share <= Decimal("0.36")


def test_summary_agrees_with_the_output_file_summed_by_polars(tmp_path: Path) -> None:
    # The summary is tallied chunk by chunk in compiled code; polars sums the written rows.
    book = tmp_path / "book.parquet"
    write_synth_book(book, 6000, seed=8)
    summary = run_portfolio(
        book, tmp_path / "out.parquet", scenarios=Scenarios((Decimal(15),)), chunk_size=1000
    )
    out = pl.read_parquet(tmp_path / "out.parquet")
    for scenario, suffix in zip(summary.to_json()["scenarios"], ("", "_shock_15"), strict=True):
        negative = pl.col("negative_equity" + suffix)
        assert scenario["loans"] == out.height
        assert scenario["under_water"] == out.filter(negative > 0).height
        assert Decimal(scenario["total_negative_equity"]) == out["negative_equity" + suffix].sum()
        deficiency = out["estimated_deficiency" + suffix].fill_null(0).sum()
        assert Decimal(scenario["total_estimated_deficiency"]) == deficiency
        by_class = out.group_by("asset_class").agg(
            pl.len().alias("loans"), (negative > 0).sum().alias("under"), negative.sum().alias("negative")
        )
        for row in by_class.iter_rows(named=True):
            group = scenario["by_asset_class"][row["asset_class"]]
            assert (group["loans"], group["under_water"]) == (row["loans"], row["under"])
            assert Decimal(group["total_negative_equity"]) == row["negative"]
        states = out.group_by("state").agg(pl.len().alias("loans"), (negative > 0).sum().alias("under"))
        for row in states.iter_rows(named=True):
            group = scenario["by_state"][row["state"] or "none"]
            assert (group["loans"], group["under_water"]) == (row["loans"], row["under"])
        value = pl.col("value" + suffix)
        ratio = pl.col("balance") * 100
        bucket = (
            pl.when(value == 0)
            .then(pl.lit("no_value"))
            .when(ratio <= value * 80)
            .then(pl.lit("le_80"))
            .when(ratio <= value * 100)
            .then(pl.lit("80_100"))
            .when(ratio <= value * 120)
            .then(pl.lit("100_120"))
            .when(ratio <= value * 140)
            .then(pl.lit("120_140"))
            .otherwise(pl.lit("gt_140"))
        )
        counts = dict(out.group_by(bucket.alias("bucket")).len().iter_rows())
        assert scenario["ltv_buckets"] == {name: counts.get(name, 0) for name in scenario["ltv_buckets"]}


@pytest.mark.parametrize("compression", ["snappy", "zstd", "lz4", "uncompressed"])
def test_every_compression_gives_the_same_rows(tmp_path: Path, compression: str) -> None:
    book = tmp_path / "book.parquet"
    write_synth_book(book, 3000, seed=4)
    run_portfolio(book, tmp_path / "default.parquet")
    run_portfolio(book, tmp_path / f"{compression}.parquet", compression=compression)
    assert pl.read_parquet(tmp_path / f"{compression}.parquet").equals(
        pl.read_parquet(tmp_path / "default.parquet")
    )


def test_an_unknown_compression_is_refused_before_any_work(tmp_path: Path) -> None:
    book = tmp_path / "book.parquet"
    write_synth_book(book, 10, seed=4)
    with pytest.raises(InputError, match="compression: must be one of snappy, zstd, lz4, uncompressed"):
        run_portfolio(book, tmp_path / "out.parquet", compression="gzip")
    assert not (tmp_path / "out.parquet").exists() and not (tmp_path / "out.rejects.csv").exists()


_BEFORE_NUMBA = """
import importlib.abc, importlib.util, json, sys, threading

from underwater.cli import main

first_read, numba_loaded = threading.Event(), threading.Event()
seen = {"waited_out": [], "numba_at_first_chunk": None, "chunks": 0}


class Wrap(importlib.abc.MetaPathFinder):
    # Runs before(name) and after(module) around executing a module, wherever the run imports
    # it (its own order kept). A finder runs under the global import lock, so the waiting is
    # done in exec_module, which holds only the module's own lock.
    def __init__(self, name, before=lambda name: None, after=lambda module: None):
        self.name, self.before, self.after = name, before, after

    def find_spec(self, name, path=None, target=None):
        if name != self.name:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        execute = spec.loader.exec_module

        def exec_module(module):
            self.before(name)
            execute(module)
            self.after(module)

        spec.loader.exec_module = exec_module
        return spec


def gate(name):
    # Every import of numba waits until the first chunk is read: if reading it needed numba,
    # the import waits out the gate and says so.
    if not first_read.wait(60):
        seen["waited_out"].append(threading.current_thread().name)


def hook(module):
    original = module.BookFile.chunks

    def chunks(self, *args, **kwargs):
        for chunk in original(self, *args, **kwargs):
            if not first_read.is_set():
                seen["numba_at_first_chunk"] = numba_loaded.is_set()
                first_read.set()
            seen["chunks"] += 1
            yield chunk

    module.BookFile.chunks = chunks


assert "numba" not in sys.modules and "underwater.portfolio.io" not in sys.modules
sys.meta_path[:0] = [
    Wrap("numba", before=gate, after=lambda module: numba_loaded.set()),
    Wrap("underwater.portfolio.io", after=hook),
]
status = main(["portfolio", sys.argv[1], "-o", sys.argv[2], "--no-progress", "--chunk-size", "100"])
seen["status"], seen["numba_at_end"] = status, numba_loaded.is_set()
sys.stderr.write(json.dumps(seen) + "\\n")
"""


def test_the_cli_reads_the_first_row_before_numba_loads(tmp_path: Path) -> None:
    # Issue 19: numba takes half a second to import, so nothing on the way from the command
    # line to the book's first chunk may need it; it loads on a thread while the chunks are read.
    import subprocess
    import sys

    book = tmp_path / "book.parquet"
    write_synth_book(book, 300, seed=3)
    done = subprocess.run(
        [sys.executable, "-c", _BEFORE_NUMBA, str(book), str(tmp_path / "out.parquet")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stderr.strip().splitlines()[-1])
    assert seen == {
        "waited_out": [],
        "numba_at_first_chunk": False,
        "chunks": 3,
        "status": 0,
        "numba_at_end": True,
    }
    assert pl.read_parquet(tmp_path / "out.parquet").height == 300
