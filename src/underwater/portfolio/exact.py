"""The per-loan reference: the same figures as the kernel, asked of the exact Decimal library.

For one loan this calls :func:`underwater.loan.amortize` for the balance after each payment,
:func:`underwater.depreciation.value_path` with the class's
:func:`~underwater.depreciation.default_preset` for the value each month (once per shock), and
:func:`underwater.deficiency.estimate_deficiency` for the deficiency a surrender today would
leave; then it reads the portfolio metrics off those paths by their definitions (see
:mod:`underwater.portfolio.kernel`): month 0 is today, month t is after the t-th payment, and
the horizon is the remaining term. It is slow (milliseconds a loan) and is the yardstick the
vectorised kernel is tested against, loan by loan, to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from underwater.assets import AssetClass
from underwater.deficiency import estimate_deficiency
from underwater.depreciation import default_preset, value_path
from underwater.loan import amortize
from underwater.money import ZERO

__all__ = ["ExactLoan", "exact_loan"]


@dataclass(frozen=True, slots=True)
class ExactLoan:
    """One loan's inputs as the library takes them: dollars, percent per year, months."""

    balance: Decimal
    rate_percent: Decimal
    remaining_payments: int
    value: Decimal
    payment: Decimal | None = None
    asset_class: str = "car"
    asset_age_months: int = 0
    other_liens: Decimal = ZERO
    state: str | None = None


def _scenario(loan: ExactLoan, balances: list[Decimal], shock: Decimal) -> dict[str, Any]:
    curve = default_preset(loan.asset_class)
    n = loan.remaining_payments
    values = value_path(loan.value, curve, loan.asset_age_months, n, shock_percent=shock)
    owed = [balance + loan.other_liens for balance in balances]
    gaps = [o - v for o, v in zip(owed, values, strict=True)]
    peak = max(max(gaps), ZERO)
    today = values[0]
    deficiency: Decimal | None = None
    if loan.asset_class != AssetClass.HOME:
        deficiency = estimate_deficiency(loan.balance, today, loan.asset_class, state=loan.state).deficiency
    return {
        "value": today,
        "equity": today - owed[0],
        "negative_equity": max(owed[0] - today, ZERO),
        "ltv": None if today == 0 else loan.balance / today,
        "cltv": None if today == 0 else owed[0] / today,
        "crossover_month": next((t for t, gap in enumerate(gaps) if gap <= 0), None),
        "peak_negative_equity": peak,
        "peak_month": None if peak == 0 else gaps.index(peak),
        "estimated_deficiency": deficiency,
    }


def exact_loan(loan: ExactLoan, shocks: tuple[Decimal, ...] = ()) -> dict[str, Any]:
    """The kernel's output row for one loan, computed exactly: money as ``Decimal`` dollars,
    months as ``int`` or ``None``, ratios as exact ``Decimal`` quotients or ``None``. Keys are
    the output columns (``value_shock_10`` etc. for a shock of 10 %).

    A $18,000 balance at 6.9 % with 60 payments left on a $15,000 car is $3,000 under water
    today and surfaces after 33 payments:

    >>> row = exact_loan(ExactLoan(Decimal("18000"), Decimal("6.9"), 60, Decimal("15000")))
    >>> row["negative_equity"], row["crossover_month"]
    (Decimal('3000.00'), 33)
    """
    from underwater.portfolio.kernel import shock_suffix

    n = loan.remaining_payments
    if loan.balance > 0:
        schedule = amortize(loan.balance, loan.rate_percent, n, payment=loan.payment)
        balances = [schedule.balance_after(t) for t in range(n + 1)]
        payment = schedule.payment
    else:
        balances = [ZERO] * (n + 1)
        payment = ZERO
    row: dict[str, Any] = {
        "balance": loan.balance,
        "other_liens": loan.other_liens,
        "owed": loan.balance + loan.other_liens,
        "payment": payment,
    }
    for shock in (Decimal(0), *shocks):
        suffix = "" if shock == 0 else shock_suffix(shock)
        for key, figure in _scenario(loan, balances, shock).items():
            row[key + suffix] = figure
    return row
