"""Benchmark what the book month by month and stress paths cost the portfolio kernel.

On a synthetic book (default 1 million loans, validated once), it times the kernel alone
(:func:`underwater.portfolio.kernel.compute`, after one warm-up run that loads the compiled
loop), best of ``--repeat`` runs, for: the base case without a roll-forward (``horizon`` 0, the
work before the roll-forward existed, plus its month-0 count), the default 60-month roll-forward,
that with one shock, and that with three stress presets; then the summary's ``add`` for the
last. Loans per second are the book's loans over the best time.

Run:  .venv/bin/python benchmarks/bench_rollforward.py [--rows 1000000] [--threads 2] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from decimal import Decimal

from underwater.portfolio.kernel import compute
from underwater.portfolio.scenarios import Scenarios
from underwater.portfolio.schema import validate
from underwater.portfolio.stress import stress_path
from underwater.portfolio.summary import Summary
from underwater.portfolio.synth import synth_book

PRESETS = ("manheim_2007_09", "manheim_april_2020", "fitch_prime_severe_recovery")


def _best(repeat: int, run: object) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        run()  # type: ignore[operator]
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    book, _ = validate(synth_book(args.rows, seed=7))
    paths = tuple(stress_path(name) for name in PRESETS)
    compute(book, Scenarios(horizon=60), threads=args.threads)  # warm-up: load the compiled loop
    cases = {
        "base, horizon 0": lambda: compute(book, Scenarios(horizon=0), threads=args.threads),
        "base, horizon 60": lambda: compute(book, Scenarios(horizon=60), threads=args.threads),
        "base + shock 10, horizon 60": lambda: compute(
            book, Scenarios((Decimal(10),), horizon=60), threads=args.threads
        ),
        "base + 3 stress presets, horizon 60": lambda: compute(
            book, Scenarios(paths=paths, horizon=60), threads=args.threads
        ),
    }
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, {args.threads} threads")
    print(f"book: {len(book):,} loans; best of {args.repeat}")
    for name, run in cases.items():
        seconds = _best(args.repeat, run)
        print(f"{name:<40}{seconds:8.3f} s{len(book) / seconds / 1e6:8.2f} M loans/s")
    stressed = Scenarios(paths=paths, horizon=60)
    result = compute(book, stressed, threads=args.threads)
    summary = Summary(stressed)
    seconds = _best(1, lambda: summary.add(book, result, 0))
    print(f"{'summary add, 3 stress presets':<40}{seconds:8.3f} s")


if __name__ == "__main__":
    main()
