"""Where a book's run spends its time: each stage of the engine timed alone, one after another,
on the same Parquet book, beside the plain polars read + write of it.

The engine overlaps its stages (reading and checking chunk k + 2 while computing k + 1 and
writing k), so its wall time is less than the sum of the stages; this script runs them in turn,
chunk by chunk, keeping no chunk's results (then, in a second pass, builds every chunk's output
rows again and times writing them), to say what each costs:

- **read**: the book's chunks from Parquet (``BookFile.chunks``);
- **checks**: every cell checked and converted (``validate``: strict numbers, repeated ids);
- **kernel**: the compiled loops on every loan (``compute``), for each scenario asked, on as
  many threads as a run uses (:func:`~underwater.portfolio.engine.default_threads`);
- **summary**: the book's figures added up (``Summary.add``);
- **output rows**: each chunk's output built (``output_frame``: cents to Parquet decimals, the
  categorical columns);
- **write**: the output rows written to Parquet (``write_frames``);
- **floor**: ``pl.read_parquet`` + ``write_parquet`` of the same file;
- **bound**: ``pl.read_parquet`` of the book alone + the write stage: what a run takes with
  no checks, no kernel and no conversion at all, for this output.

Each stage's wall time and its CPU time (the process's, every thread's, per million loans).
The process makes the allocator settings the ``underwater portfolio`` command makes
(:mod:`underwater.portfolio.allocators`) before numpy and polars load, so the floor has them too.

Run:  .venv/bin/python benchmarks/bench_portfolio_phases.py [--rows 2000000] [--horizon 60]
      [--stress NAME ...] [--dir /tmp/uw-bench]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from underwater.portfolio.allocators import prepare_for_batch

prepare_for_batch()  # as the command does, before numpy and polars load

import polars as pl  # noqa: E402
from machine import describe  # noqa: E402

from underwater.portfolio.engine import (  # noqa: E402
    DEFAULT_CHUNK,
    default_threads,
    load_compiled,
    output_frame,
    output_schema,
)
from underwater.portfolio.ids import LoanIds  # noqa: E402
from underwater.portfolio.io import BookFile, write_frames  # noqa: E402
from underwater.portfolio.kernel import compute  # noqa: E402
from underwater.portfolio.scenarios import Scenarios  # noqa: E402
from underwater.portfolio.schema import BOOK_COLUMNS, validate  # noqa: E402
from underwater.portfolio.stress import preset_paths  # noqa: E402
from underwater.portfolio.summary import Summary  # noqa: E402
from underwater.portfolio.synth import write_synth_book  # noqa: E402


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
    scenarios = Scenarios(paths=tuple(preset_paths()[name] for name in args.stress), horizon=args.horizon)

    # The floor first, before this process holds every chunk in memory.
    started = time.perf_counter()
    floor_cpu = time.process_time()
    pl.read_parquet(book).write_parquet(scratch / "phases_floor.parquet")
    floor = time.perf_counter() - started
    floor_cpu = time.process_time() - floor_cpu
    # The book read alone, for the bound: no run can take less than reading the book and
    # writing its output.
    started = time.perf_counter()
    pl.read_parquet(book)
    read_alone = time.perf_counter() - started
    times: dict[str, float] = {}

    cpu: dict[str, float] = {}

    def now() -> tuple[float, float]:
        return time.perf_counter(), time.process_time()

    def timed(name: str, started: tuple[float, float]) -> None:
        wall, used = now()
        times[name] = times.get(name, 0.0) + wall - started[0]
        cpu[name] = cpu.get(name, 0.0) + used - started[1]

    # One streaming pass times every stage but the write, chunk by chunk, keeping nothing (as
    # a run does: holding every chunk's results would make each new allocation fault in fresh
    # pages and inflate the stages); a second pass builds the output rows again, untimed, and
    # times writing them.
    summary = Summary(scenarios)
    ids = LoanIds(args.rows)
    with BookFile(book) as source:
        chunks = source.chunks(DEFAULT_CHUNK, BOOK_COLUMNS)
        while True:
            started = now()
            chunk = next(chunks, None)
            timed("read", started)
            if chunk is None:
                break
            started = now()
            good, bad = validate(chunk.frame, rows=chunk.rows, ids=ids)
            timed("checks", started)
            started = now()
            result = compute(good, scenarios, threads=default_threads())
            timed("kernel", started)
            started = now()
            summary.add(good, result, bad.height)
            timed("summary", started)
            started = now()
            output_frame(good, result, scenarios)
            timed("output rows", started)
    frames = []
    with BookFile(book) as source:
        ids = LoanIds(args.rows)
        for chunk in source.chunks(DEFAULT_CHUNK, BOOK_COLUMNS):
            good, _ = validate(chunk.frame, rows=chunk.rows, ids=ids)
            frames.append(output_frame(good, compute(good, scenarios, threads=default_threads()), scenarios))
    started = now()
    write_frames(scratch / "phases_out.parquet", lambda: iter(frames), output_schema(scenarios))
    timed("write", started)
    total = sum(times.values())
    millions = args.rows / 1e6
    print(f"machine: {describe()}")
    print(f"{args.rows:,} loans, horizon {args.horizon}, stress paths {args.stress or 'none'}")
    for name, seconds in times.items():
        print(
            f"  {name:<12} {seconds:7.3f} s  {seconds / total:6.1%}  {seconds / floor:5.2f}x the floor"
            f"  {cpu[name] / millions:6.3f} CPU-s per million loans"
        )
    print(f"  {'all, in turn':<12} {total:7.3f} s          {total / floor:5.2f}x the floor")
    print(f"  floor (polars read + write): {floor:.3f} s, {floor_cpu / millions:.3f} CPU-s per million loans")
    bound = read_alone + times["write"]
    print(
        f"  bound (the book read alone {read_alone:.3f} s + the write stage): {bound:.3f} s,"
        f" {bound / floor:.2f}x the floor"
    )
    print(
        json.dumps(
            {
                "rows": args.rows,
                "times": times,
                "cpu": cpu,
                "floor": floor,
                "floor_cpu": floor_cpu,
                "bound": bound,
            }
        )
    )


if __name__ == "__main__":
    main()
