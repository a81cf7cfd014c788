"""Where a book's run spends its time: each stage of the engine timed alone, one after another,
on the same Parquet book, beside the plain polars read + write of it.

The engine overlaps its stages (reading and checking chunk k + 2 while computing k + 1 and
writing k), so its wall time is less than the sum of the stages; this script runs them in turn
to say what each costs:

- **read**: the book's chunks from Parquet (``BookFile.chunks``);
- **checks**: every cell checked and converted (``validate``: strict numbers, repeated ids);
- **kernel**: the compiled loops on every loan (``compute``), for each scenario asked;
- **summary**: the book's figures added up (``Summary.add``);
- **write**: the output rows built and written to Parquet (``output_frame`` + ``write_frames``);
- **floor**: ``pl.read_parquet`` + ``write_parquet`` of the same file.

Run:  .venv/bin/python benchmarks/bench_portfolio_phases.py [--rows 2000000] [--horizon 60]
      [--stress NAME ...] [--dir /tmp/uw-bench]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import polars as pl
from machine import describe

from underwater.portfolio.engine import (
    DEFAULT_CHUNK,
    load_compiled,
    output_frame,
    output_schema,
    scenario_keys,
)
from underwater.portfolio.ids import LoanIds
from underwater.portfolio.io import BookFile, write_frames
from underwater.portfolio.kernel import compute
from underwater.portfolio.schema import BOOK_COLUMNS, validate
from underwater.portfolio.stress import preset_paths
from underwater.portfolio.summary import Summary
from underwater.portfolio.synth import write_synth_book


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--horizon", type=int, default=60)
    parser.add_argument("--stress", action="append", default=[])
    parser.add_argument("--dir", default="/tmp/uw-bench")
    args = parser.parse_args()
    scratch = Path(args.dir)
    scratch.mkdir(parents=True, exist_ok=True)
    book = scratch / f"book_{args.rows}.parquet"
    if not book.exists():
        write_synth_book(book, args.rows, seed=1)
    load_compiled()
    paths = tuple(preset_paths()[name] for name in args.stress)
    keys = scenario_keys((), paths)

    # The floor first, before this process holds every chunk in memory.
    started = time.perf_counter()
    pl.read_parquet(book).write_parquet(scratch / "phases_floor.parquet")
    floor = time.perf_counter() - started
    times: dict[str, float] = {}

    def timed(name: str, started: float) -> None:
        times[name] = times.get(name, 0.0) + time.perf_counter() - started

    started = time.perf_counter()
    with BookFile(book) as source:
        chunks = list(source.chunks(DEFAULT_CHUNK, BOOK_COLUMNS))
    timed("read", started)
    ids = LoanIds(args.rows)
    checked = []
    started = time.perf_counter()
    for chunk in chunks:
        checked.append(validate(chunk.frame, rows=chunk.rows, ids=ids))
    timed("checks", started)
    summary = Summary((), args.horizon, paths=paths)
    frames = []
    for good, bad in checked:
        started = time.perf_counter()
        result = compute(good, (), paths=paths, horizon=args.horizon)
        timed("kernel", started)
        started = time.perf_counter()
        summary.add(good, result, bad.height)
        timed("summary", started)
        started = time.perf_counter()
        frames.append(output_frame(good, result, keys))
        timed("output rows", started)
    started = time.perf_counter()
    write_frames(scratch / "phases_out.parquet", lambda: iter(frames), output_schema(keys))
    timed("write", started)
    total = sum(times.values())
    print(f"machine: {describe()}")
    print(f"{args.rows:,} loans, horizon {args.horizon}, stress paths {args.stress or 'none'}")
    for name, seconds in times.items():
        print(f"  {name:<12} {seconds:7.3f} s  {seconds / total:6.1%}  {seconds / floor:5.2f}x the floor")
    print(f"  {'all, in turn':<12} {total:7.3f} s          {total / floor:5.2f}x the floor")
    print(f"  floor (polars read + write): {floor:.3f} s")
    print(json.dumps({"rows": args.rows, "times": times, "floor": floor}))


if __name__ == "__main__":
    main()
