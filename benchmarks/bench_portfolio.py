"""Benchmark the portfolio engine: a synthetic book, Parquet to Parquet, end to end.

For each book size (default 1, 5 and 10 million loans) it measures, each in a fresh child
process so that peak memory is the run's own:

- the engine end to end (read, validate, kernel, write; ``run_portfolio``): wall time, loans
  per second and peak RSS (``VmHWM`` from /proc/self/status, sampled by a thread, and
  ``ru_maxrss``), with the default Snappy output and again with zstd; the one-off start-up of
  the process (imports, lookup tables, loading the compiled loops) is timed on its own;
- the I/O floor: a plain polars read of the same file and a write of it (``read_parquet`` +
  ``write_parquet``), and the ratio engine / floor;
- the floor again in a process with the allocator settings the ``underwater portfolio`` command
  makes before numpy and polars load (:mod:`underwater.portfolio.allocators`), which every
  engine run here has too, and the ratio engine / that floor;

and, for a CSV book (default 1 million loans, ``--csv-rows``; 0 skips it), the engine from CSV
to Parquet against its floor, a plain polars ``read_csv`` (every cell as text) + ``write_parquet``;
and once, a per-loan Python loop using numpy-financial for the balance path (``npf.pmt`` and
``npf.fv`` month by month) on 10,000 loans, scaled to the largest book.

Run:  .venv/bin/python benchmarks/bench_portfolio.py [--rows 1000000 5000000 10000000]
      [--csv-rows 1000000] [--dir /tmp/uw-bench] [--shock 10 ...] [--horizon 60]
      [--stress NAME ...] [--no-zstd] [--no-loop] [--json results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any


def _peak_rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _Sampler(threading.Thread):
    """Reads the high-water mark every 50 ms (VmHWM is already a peak; sampling shows the curve)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.samples: list[float] = []
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            self.samples.append(_peak_rss_mib())
            time.sleep(0.05)

    def finish(self) -> None:
        self._halt.set()
        self.join()


def _child(task: str, book: str, out: str, options: dict[str, Any]) -> dict[str, Any]:
    sampler = _Sampler()
    sampler.start()
    started = time.perf_counter()
    startup = None
    if task.startswith("engine") or task == "floor:batch":
        # As the command does, before numpy and polars load.
        from underwater.portfolio.allocators import prepare_for_batch

        prepare_for_batch()
    if task.startswith("engine"):
        # Once per process, not per loan: imports, the lookup tables, the compiled loops.
        from underwater.portfolio.engine import load_compiled, parse_shocks, run_portfolio
        from underwater.portfolio.scenarios import Scenarios
        from underwater.portfolio.stress import preset_paths
        from underwater.portfolio.tables import tables

        tables()
        load_compiled()
        presets = preset_paths()
        startup = time.perf_counter() - started
        compression = task.partition(":")[2] or "snappy"
        started = time.perf_counter()
        summary = run_portfolio(
            book,
            out,
            scenarios=Scenarios(
                parse_shocks(options["shocks"]),
                tuple(presets[name] for name in options["stress"]),
                options["horizon"],
            ),
            rejects=out + ".rejects.csv",
            compression=compression,
        )
        rows = summary.rows_out
    elif task.startswith("floor"):
        import polars as pl

        started = time.perf_counter()
        frame = pl.read_csv(book, infer_schema=False) if book.endswith(".csv") else pl.read_parquet(book)
        frame.write_parquet(out)
        rows = frame.height
    else:
        raise SystemExit(f"unknown task {task}")
    wall = time.perf_counter() - started
    sampler.finish()
    return {
        "task": task,
        "rows": rows,
        "startup_seconds": None if startup is None else round(startup, 3),
        "output_mib": round(os.path.getsize(out) / 2**20, 1),
        "wall_seconds": round(wall, 3),
        "loans_per_second": round(rows / wall),
        "peak_rss_mib": round(max(_peak_rss_mib(), *sampler.samples), 1),
        "ru_maxrss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def _run_child(task: str, book: Path, out: Path, options: dict[str, Any]) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", task, str(book), str(out), json.dumps(options)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _numpy_financial_loop(loans: int) -> float:
    """Seconds for a per-loan Python loop computing each balance path with numpy-financial."""
    import numpy as np
    import numpy_financial as npf
    import polars as pl

    from underwater.portfolio.synth import synth_book

    frame = synth_book(loans, seed=99)
    balance = frame["balance"].cast(pl.Float64).to_numpy()
    rate = frame["rate_percent"].cast(pl.Float64).to_numpy() / 1200
    term = frame["remaining_payments"].to_numpy()
    started = time.perf_counter()
    for p, r, n in zip(balance, rate, term, strict=True):
        payment = npf.pmt(r, n, -p)
        months = np.arange(n + 1)
        path = -npf.fv(r, months, -payment, p)
        np.round(path, 2)
    return time.perf_counter() - started


def _csv_run(scratch: Path, rows: int, options: dict[str, Any]) -> dict[str, Any]:
    """The engine on a CSV book of ``rows`` loans (written once from the synthetic book)."""
    import polars as pl

    from underwater.portfolio.synth import synth_book

    book = scratch / f"book_{rows}.csv"
    if not book.exists():
        synth_book(rows, seed=1).write_csv(book)
    engine = _run_child("engine", book, scratch / f"out_csv_{rows}.parquet", options)
    floor = _run_child("floor", book, scratch / f"floor_csv_{rows}.parquet", options)
    assert pl.scan_csv(book).select(pl.len()).collect().item() == rows
    return {
        "rows": rows,
        "book_mib": round(book.stat().st_size / 2**20, 1),
        "engine": engine,
        "io_floor": floor,
        "engine_over_floor": round(engine["wall_seconds"] / floor["wall_seconds"], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 5_000_000, 10_000_000])
    parser.add_argument("--csv-rows", type=int, default=1_000_000, help="CSV book size (0: none)")
    parser.add_argument("--dir", default="/tmp/uw-bench")
    parser.add_argument("--shock", action="append", default=[])
    parser.add_argument("--horizon", type=int, default=60, help="months of the roll-forward (default 60)")
    parser.add_argument("--stress", action="append", default=[], help="a stress preset (repeatable)")
    parser.add_argument("--no-zstd", action="store_true", help="skip the zstd run")
    parser.add_argument("--no-loop", action="store_true", help="skip the numpy-financial loop")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()

    from underwater.portfolio.synth import write_synth_book

    scratch = Path(args.dir)
    scratch.mkdir(parents=True, exist_ok=True)
    from machine import describe

    results: dict[str, Any] = {
        "machine_description": describe(),
        "machine": {
            "cpus": os.cpu_count(),
            "processor": platform.processor() or platform.machine(),
            "python": platform.python_version(),
            "load_average_at_start": os.getloadavg(),
        },
        "shocks": args.shock,
        "horizon": args.horizon,
        "stress": args.stress,
        "runs": [],
    }
    options = {"shocks": args.shock, "horizon": args.horizon, "stress": args.stress}
    for rows in args.rows:
        book = scratch / f"book_{rows}.parquet"
        if not book.exists():
            started = time.perf_counter()
            write_synth_book(book, rows, seed=1)
            print(f"synth {rows:,} loans: {time.perf_counter() - started:.1f} s", flush=True)
        engine = _run_child("engine", book, scratch / f"out_{rows}.parquet", options)
        floor = _run_child("floor", book, scratch / f"floor_{rows}.parquet", options)
        batch = _run_child("floor:batch", book, scratch / f"floor_{rows}.parquet", options)
        run = {
            "rows": rows,
            "book_mib": round(book.stat().st_size / 2**20, 1),
            "engine": engine,
            "io_floor": floor,
            "engine_over_floor": round(engine["wall_seconds"] / floor["wall_seconds"], 2),
            "io_floor_batch_settings": batch,
            "engine_over_floor_batch_settings": round(engine["wall_seconds"] / batch["wall_seconds"], 2),
        }
        if not args.no_zstd:
            zstd = _run_child("engine:zstd", book, scratch / f"out_{rows}_zstd.parquet", options)
            run["engine_zstd"] = zstd
            run["engine_zstd_over_floor"] = round(zstd["wall_seconds"] / floor["wall_seconds"], 2)
        results["runs"].append(run)
        print(json.dumps(run), flush=True)
    if args.csv_rows:
        results["csv"] = _csv_run(scratch, args.csv_rows, options)
        print(json.dumps(results["csv"]), flush=True)
    if args.no_loop:
        results["machine"]["load_average_at_end"] = os.getloadavg()
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
        return
    sample = 10_000
    loop = _numpy_financial_loop(sample)
    largest = max(args.rows)
    results["numpy_financial_loop"] = {
        "loans": sample,
        "seconds": round(loop, 3),
        "scaled_seconds_for_largest": round(loop * largest / sample, 1),
        "engine_speedup": round(loop * largest / sample / results["runs"][-1]["engine"]["wall_seconds"], 1),
    }
    print(json.dumps(results["numpy_financial_loop"]), flush=True)
    results["machine"]["load_average_at_end"] = os.getloadavg()
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(json.dumps(_child(sys.argv[2], sys.argv[3], sys.argv[4], json.loads(sys.argv[5]))))
    else:
        main()
