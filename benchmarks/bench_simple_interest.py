"""Daily simple interest and fitting a statement: a 72-month daily ledger, and a 12-row statement
fitted across every convention.

Run: ``uv run python benchmarks/bench_simple_interest.py``. Prints medians of repeated runs and
each as a ratio to a 360-payment ``Decimal`` schedule timed in the same process (the shared
host's speed varies several-fold; the ratios do not). Targets: the ledger ≤ 5 ms; the fit ≤ 50 ms.

The ledger is worked afresh every run (its memory of worked loans is cleared), paid five days late
with a late fee, so every payment is credited on its own day and split in the lender's order.
The statement is one that loan's lender would print: 12 payments after the opening row, with
late fees, so every order of applying a payment must be tried (720 conventions).
"""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import describe, median_ms

from underwater import simple_interest
from underwater.loan import amortize
from underwater.simple_interest import Conventions, Habit, LateFee, SimpleInterestLoan
from underwater.statement import fit_statement
from underwater.statement_rows import StatementRow


def main() -> None:
    print(f"machine: {describe()}")
    base = median_ms(lambda: amortize(Decimal("250000"), Decimal("6.5"), 360), 200)
    print(f"baseline, a 360-payment schedule: median {base:.2f} ms over 200 runs")

    loan = SimpleInterestLoan(
        Decimal("32000"),
        Decimal("8.9"),
        72,
        date(2026, 12, 7),
        habit=Habit(days_late=12),
        conventions=Conventions(per_diem_places=4),
        late_fee=LateFee(10, Decimal(25)),
    )

    def ledger() -> object:
        return loan.months(72)

    cold = median_ms(ledger, 200, before=simple_interest._worked.cache_clear)
    print(
        f"72-month daily ledger (paid 12 days late, a late fee each month), worked afresh: median {cold:.2f} ms "
        f"over 200 runs = {cold / base:.1f}x the baseline (target <= 5 ms)"
    )

    rows = [StatementRow(1, loan.last_paid, Decimal(0), loan.principal)]
    for line, p in enumerate(loan.postings[:12], start=2):
        rows.append(StatementRow(line, p.on, p.paid, p.principal, p.to_interest, p.to_principal, p.to_fees))
    fit = fit_statement(rows, loan.rate_percent)
    assert fit.fits and loan.conventions in fit.matches
    fitting = median_ms(lambda: fit_statement(rows, loan.rate_percent), 50)
    print(
        f"12-row statement fitted across all 720 conventions ({len(fit.matches)} fit): median {fitting:.2f} ms "
        f"over 50 runs = {fitting / base:.1f}x the baseline (target <= 50 ms)"
    )


if __name__ == "__main__":
    main()
