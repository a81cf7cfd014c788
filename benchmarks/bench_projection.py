"""Projection and exits timings: a 360-month projection and a full exits comparison.

Run: ``uv run python benchmarks/bench_projection.py``. Prints the median of repeated runs.
Targets: a 360-month projection ≤ 5 ms; a full exits comparison ≤ 20 ms.

"Warm" runs reuse the depreciation curve's monthly ratios, which underwater remembers per
(curve, age) — the usual case in a web app or a batch where many loans share a class and age.
"Cold" runs clear that memory first, so they pay for evaluating the curve month by month.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import describe, median_ms

from underwater import contracts, valuepath
from underwater.exits import ExitComparison, compare_exits
from underwater.loan import amortize
from underwater.projection import project
from underwater.situation import (
    Asset,
    Borrower,
    LenderView,
    Loan,
    Means,
    NextDeal,
    Refinance,
    Sale,
    SecondLien,
    Situation,
    Workout,
)


def clear_ratios() -> None:
    valuepath.clear_cache()
    contracts._worked.cache_clear()


def main() -> None:
    print(f"machine: {describe()}")

    def mortgage() -> object:
        return project(
            Decimal("250000"),
            Decimal("6.5"),
            360,
            Decimal("240000"),
            asset_class="home",
            age_months=12,
            start_date=date(2026, 12, 1),
        )

    def mortgage_json() -> object:
        return project(
            Decimal("250000"),
            Decimal("6.5"),
            360,
            Decimal("240000"),
            asset_class="home",
            age_months=12,
            start_date=date(2026, 12, 1),
        ).to_json()

    def schedule() -> object:
        return amortize(Decimal("250000"), Decimal("6.5"), 360)

    # The baseline, in the same process: the 360-payment Decimal schedule alone. The shared host's
    # speed varies several-fold between runs; the ratios to this baseline do not.
    base = median_ms(schedule, 200)
    print(f"baseline, a 360-payment schedule: median {base:.2f} ms over 200 runs")
    warm = median_ms(mortgage, 200)
    warm_json = median_ms(mortgage_json, 200)
    cold = median_ms(mortgage, 20, before=clear_ratios)
    print(
        f"360-month projection, warm: median {warm:.2f} ms over 200 runs = {warm / base:.1f}x the baseline (target ≤ 5 ms)"
    )
    print(f"360-month projection + to_json, warm: median {warm_json:.2f} ms over 200 runs")
    print(f"360-month projection, cold curve: median {cold:.2f} ms over 20 runs")

    situation = Situation(
        Loan(owed=Decimal(80000), rate_percent=Decimal(9), remaining_payments=48),
        Asset(value=Decimal(60000), asset_class="class8_sleeper", age_months=24),
        sale=Sale(offer=Decimal(58000)),
        next_deal=NextDeal(price=Decimal(120000), rate_percent=Decimal(9), term_months=60),
        refinance=Refinance(rate_percent=Decimal(8), term_months=60, target_month=40),
        workout=Workout(plan_months=24),
        means=Means(cash_available=Decimal(5000), monthly_budget=Decimal(1700)),
        borrower=Borrower(state="TX", as_of=date(2026, 12, 1)),
    )

    def exits() -> ExitComparison:
        # Every exit as its books (the replacement footing in each), the lender's side, reach and
        # consent against the lender's real alternative (a repossession: the budget falls short),
        # the settlement range and its lump sum, the recommendation, and the refinance's rate and
        # term that surface the loan by month 40 (two bisections).
        return compare_exits(situation)

    cents = iter(range(10**9))

    def exits_fresh() -> ExitComparison:
        # A new payoff every run (a cent more each time): the loan's own schedules are worked
        # afresh, as for a new visitor; the replacement's and the curves' are remembered.
        owed = Decimal(80000) + Decimal(next(cents)) / 100
        return compare_exits(replace(situation, loan=replace(situation.loan, owed=owed)))

    exits_warm = median_ms(exits, 200)
    exits_new = median_ms(exits_fresh, 200)
    exits_json = median_ms(lambda: exits().to_json(), 200)
    exits_cold = median_ms(exits, 20, before=clear_ratios)
    print(
        f"full exits comparison (13 ways out as books, lender's side, range, recommendation), warm: median "
        f"{exits_warm:.2f} ms over 200 runs = {exits_warm / base:.1f}x the baseline (target ≤ 20 ms)"
    )
    print(
        f"the same with a new payoff each run: median {exits_new:.2f} ms over 200 runs = "
        f"{exits_new / base:.1f}x the baseline"
    )
    print(f"full exits comparison + to_json, warm: median {exits_json:.2f} ms over 200 runs")
    print(f"full exits comparison, cold curves and schedules: median {exits_cold:.2f} ms over 20 runs")

    # A home with two liens (seed 002's first mortgage and HELOC) through every way out a home
    # has: the deed in lieu, a California foreclosure, a modification, a forbearance, the sales.
    home = Situation(
        Loan(owed=Decimal(150000), rate_percent=Decimal("6.5"), remaining_payments=300),
        Asset(value=Decimal(170000), asset_class="home"),
        second_lien=SecondLien(
            owed=Decimal(30000),
            kind="heloc",
            rate_percent=Decimal("8.5"),
            remaining_payments=240,
            draw_months=36,
        ),
        sale=Sale(offer=Decimal(165000)),
        lender=LenderView(investor="fannie_mae"),
        means=Means(monthly_budget=Decimal(1300)),
        borrower=Borrower(state="CA", as_of=date(2026, 12, 1)),
    )
    home_warm = median_ms(lambda: compare_exits(home), 200)
    home_cold = median_ms(lambda: compare_exits(home), 20, before=clear_ratios)
    print(
        f"a home with a HELOC, every exit (deed in lieu, foreclosure, modification, forbearance …), warm: median "
        f"{home_warm:.2f} ms over 200 runs = {home_warm / base:.1f}x the baseline (target ≤ 20 ms)"
    )
    print(f"the same, cold curves and schedules: median {home_cold:.2f} ms over 20 runs")


if __name__ == "__main__":
    main()
