"""Loan engine timings: a 360-payment schedule, an APR solve, float tvm over a million loans.

Run: ``uv run python benchmarks/bench_loan.py``. Prints the median of repeated runs.
Targets (issue 3): schedule ≤ 5 ms, APR ≤ 2 ms, tvm on arrays at NumPy speed.
"""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
from machine import describe, median_ms

from underwater import apr, tvm
from underwater.loan import amortize


def main() -> None:
    print(f"machine: {describe()}")
    schedule_ms = median_ms(lambda: amortize(Decimal("200000"), Decimal("6.5"), 360), 200)
    print(
        f"360-payment monthly schedule (Decimal): median {schedule_ms:.2f} ms over 200 runs (target ≤ 5 ms)"
    )

    advances = [(date(2026, 1, 10), Decimal("25000"))]
    first = date(2026, 2, 10)
    payments = [
        (
            date(first.year + (first.month - 1 + k) // 12, (first.month - 1 + k) % 12 + 1, 10),
            Decimal("518.96"),
        )
        for k in range(60)
    ]
    apr_ms = median_ms(
        lambda: apr.apr_percent(advances=advances, payments=payments, unit_period="month"), 200
    )
    print(f"APR solve, 60 monthly payments: median {apr_ms:.2f} ms over 200 runs (target ≤ 2 ms)")

    n = 1_000_000
    rng = np.random.default_rng(7)
    rates = rng.uniform(0.02, 0.25, n) / 12
    terms = rng.integers(36, 97, n).astype(float)
    principals = rng.uniform(5_000, 80_000, n)
    pmt_ms = median_ms(lambda: tvm.pmt(rates, terms, principals), 5)
    ipmt_ms = median_ms(lambda: tvm.ipmt(rates, 12.0, terms, principals), 5)
    print(
        f"tvm.pmt over {n:,} loans (float64 arrays): median {pmt_ms:.1f} ms = {n / pmt_ms * 1000:,.0f} loans/s"
    )
    print(
        f"tvm.ipmt over {n:,} loans (float64 arrays): median {ipmt_ms:.1f} ms = {n / ipmt_ms * 1000:,.0f} loans/s"
    )


if __name__ == "__main__":
    main()
