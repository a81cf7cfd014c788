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
from typing import TYPE_CHECKING, Any

from underwater.assets import AssetClass
from underwater.deficiency import estimate_deficiency
from underwater.depreciation import default_preset, value_path
from underwater.loan import amortize
from underwater.money import ZERO, from_cents

if TYPE_CHECKING:
    from underwater.portfolio.schema import Book

__all__ = ["ExactLoan", "exact_inputs", "exact_loan"]


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


def exact_inputs(book: Book, i: int) -> ExactLoan:
    """Loan ``i`` of a validated :class:`~underwater.portfolio.schema.Book` (cents and rate
    units) as the library's inputs (dollars and percent)."""
    from underwater.portfolio.schema import ASSET_CLASSES, RATE_UNITS, STATE_CODES

    state = int(book.state[i])
    return ExactLoan(
        balance=from_cents(int(book.balance[i])),
        rate_percent=Decimal(int(book.rate_units[i])) / RATE_UNITS,
        remaining_payments=int(book.remaining_payments[i]),
        value=from_cents(int(book.value[i])),
        payment=None if book.payment[i] < 0 else from_cents(int(book.payment[i])),
        asset_class=ASSET_CLASSES[int(book.asset_class[i])],
        asset_age_months=int(book.asset_age_months[i]),
        other_liens=from_cents(int(book.other_liens[i])),
        state=None if state == 0 else STATE_CODES[state - 1],
    )


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
        "crossover_month": _crossover(gaps),
        "first_under_water_month": next((t for t, gap in enumerate(gaps) if gap > 0), None),
        "peak_negative_equity": peak,
        "peak_month": None if peak == 0 else gaps.index(peak),
        "estimated_deficiency": deficiency,
    }


def _crossover(gaps: list[Decimal]) -> int | None:
    # The month from which every later gap is ≤ 0: one past the last month under water.
    under = [t for t, gap in enumerate(gaps) if gap > 0]
    if not under:
        return 0
    return None if under[-1] == len(gaps) - 1 else under[-1] + 1


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
