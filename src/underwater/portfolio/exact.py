"""The per-loan reference: the same figures as the kernel, asked of the exact Decimal library.

For one loan this builds the loan as a :class:`~underwater.contracts.AmortizingLoan` and its
value as a :class:`~underwater.valuepath.ValuePath` on the class's
:func:`~underwater.depreciation.default_preset` (once per shock), projects one against the other
with :func:`underwater.projection.project_contract` — where crossover, the first month under
water and the peak are defined, once for every engine — and asks
:func:`underwater.deficiency.estimate_deficiency` for the deficiency a surrender today would
leave. Month 0 is today, month t is after the t-th payment, and the horizon is the remaining
term. It is slow (milliseconds a loan) and is the yardstick the
vectorised kernel is tested against, loan by loan, to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from underwater.assets import AssetClass
from underwater.contracts import AmortizingLoan
from underwater.deficiency import default_auction_share_percent, estimate_deficiency
from underwater.depreciation import default_preset
from underwater.money import CENT, ZERO, from_cents, to_cents
from underwater.portfolio.defaults import CLTV_BUCKETS, DefaultCurve
from underwater.portfolio.rollforward import ltv_bucket
from underwater.portfolio.tables import scenario_figures, scenario_suffix
from underwater.projection import project_contract
from underwater.valuepath import ValuePath

if TYPE_CHECKING:
    from underwater.portfolio.schema import Book
    from underwater.portfolio.stress import StressPath

__all__ = ["ExactLoan", "exact_inputs", "exact_loan", "exact_months", "exact_probe"]


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
    default_probability: Decimal | None = None


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
        default_probability=(
            None if book.default_probability[i] < 0 else Decimal(int(book.default_probability[i])) / 1_000_000
        ),
    )


def _value_path(loan: ExactLoan, spec: Decimal | StressPath) -> ValuePath:
    """The loan's value path in a scenario: a one-time shock (percent) or a stress path's index."""
    curve = default_preset(loan.asset_class)
    if isinstance(spec, Decimal):
        return ValuePath(loan.value, curve, loan.asset_age_months, spec)
    return ValuePath(loan.value, curve, loan.asset_age_months, index=spec.factors(len(spec.levels) - 1))


def _probe(spec: Decimal | StressPath) -> tuple[int, Decimal]:
    # The month a surrender is assumed in, and the share of the usual auction proceeds.
    if isinstance(spec, Decimal):
        return 0, Decimal(100)
    return spec.trough_month, spec.recovery_percent


def exact_probe(loan: ExactLoan, spec: Decimal | StressPath) -> tuple[Decimal, Decimal]:
    """(balance, value) in dollars in the month a deficiency is estimated for in a scenario
    (today for a shock, the trough month for a stress path); the balance is 0 once paid off."""
    month, _ = _probe(spec)
    contract = AmortizingLoan(loan.balance, loan.rate_percent, loan.remaining_payments, loan.payment)
    if month >= loan.remaining_payments:
        return ZERO, _value_path(loan, spec).at(min(month, loan.remaining_payments))
    return contract.months(month)[month].balance, _value_path(loan, spec).at(month)


def _deficiency(loan: ExactLoan, spec: Decimal | StressPath) -> Decimal | None:
    month, recovery = _probe(spec)
    balance, value = exact_probe(loan, spec)
    if loan.asset_class == AssetClass.HOME:
        return None
    if month > 0 and balance == 0:
        return ZERO  # paid off by then: nothing to surrender
    share = None if recovery == 100 else default_auction_share_percent() * recovery / 100
    return estimate_deficiency(
        balance,
        value,
        loan.asset_class,
        state=loan.state,
        auction_share_percent=share,
        unpaid_balance_at_default=balance,
        fair_market_value=value,
    ).deficiency


def _chance(loan: ExactLoan, spec: Decimal | StressPath, curve: DefaultCurve | None) -> Decimal | None:
    # The loan's own default probability, else its CLTV bucket's in the probe month.
    if loan.default_probability is not None or curve is None:
        return loan.default_probability
    balance, value = exact_probe(loan, spec)
    bucket = CLTV_BUCKETS[ltv_bucket(to_cents(balance + loan.other_liens), to_cents(value))]
    return curve.probabilities.get(bucket)


def _scenario(
    loan: ExactLoan, contract: AmortizingLoan, spec: Decimal | StressPath, curve: DefaultCurve | None
) -> dict[str, Any]:
    p = project_contract(
        contract, _value_path(loan, spec), loan.remaining_payments, other_liens=loan.other_liens
    )
    today = p.rows[0]
    deficiency = _deficiency(loan, spec)
    chance = _chance(loan, spec, curve)
    return {
        "value": today.value,
        "equity": today.equity,
        "negative_equity": today.negative_equity,
        "ltv": None if today.value == 0 else loan.balance / today.value,
        "cltv": None if today.value == 0 else today.owed / today.value,
        "crossover_month": p.crossover_month,
        "first_under_water_month": p.first_under_water_month,
        "peak_negative_equity": p.peak_negative_equity,
        "peak_month": p.peak_month,
        "estimated_deficiency": deficiency,
        "expected_loss": (
            None
            if deficiency is None or chance is None
            else (chance * deficiency).quantize(CENT, rounding=ROUND_HALF_UP)
        ),
    }


def exact_loan(
    loan: ExactLoan, shocks: tuple[Decimal | StressPath, ...] = (), default_by_ltv: DefaultCurve | None = None
) -> dict[str, Any]:
    """The kernel's output row for one loan, computed exactly: money as ``Decimal`` dollars,
    months as ``int`` or ``None``, ratios as exact ``Decimal`` quotients or ``None``. Keys are
    the output columns (``value_shock_10`` etc. for a shock of 10 %, ``crossover_month_stress_NAME``
    etc. for a :class:`~underwater.portfolio.stress.StressPath`, whose columns leave today's
    figures out); ``default_by_ltv`` gives a loan without
    a default probability of its own one by CLTV bucket (:mod:`~underwater.portfolio.defaults`).

    A $18,000 balance at 6.9 % with 60 payments left on a $15,000 car is $3,000 under water
    today and surfaces after 33 payments:

    >>> row = exact_loan(ExactLoan(Decimal("18000"), Decimal("6.9"), 60, Decimal("15000")))
    >>> row["negative_equity"], row["crossover_month"]
    (Decimal('3000.00'), 33)
    """
    contract = AmortizingLoan(loan.balance, loan.rate_percent, loan.remaining_payments, loan.payment)
    row: dict[str, Any] = {
        "balance": loan.balance,
        "other_liens": loan.other_liens,
        "owed": loan.balance + loan.other_liens,
        "payment": contract.regular_payment,
    }
    for spec in (Decimal(0), *shocks):
        key = spec if isinstance(spec, Decimal) else spec.name
        figures = _scenario(loan, contract, spec, default_by_ltv)
        for name in scenario_figures(key, list(figures)):
            row[name + scenario_suffix(key)] = figures[name]
    return row


def exact_months(
    loan: ExactLoan, shock: Decimal | StressPath, horizon: int
) -> tuple[tuple[Decimal, Decimal], ...]:
    """(balance, value) in dollars at months 0..min(``horizon``, remaining_payments − 1), the
    months the loan may still be open, under a one-time ``shock`` (percent) or a stress path:
    what the kernel's roll-forward counts (:mod:`underwater.portfolio.rollforward`).

    >>> exact_months(ExactLoan(Decimal("1000"), Decimal("12"), 2, Decimal("900")), Decimal(0), 60)
    ((Decimal('1000'), Decimal('900.00')), (Decimal('502.49'), Decimal('883.42')))
    """
    contract = AmortizingLoan(loan.balance, loan.rate_percent, loan.remaining_payments, loan.payment)
    last = min(horizon, loan.remaining_payments - 1)
    values = _value_path(loan, shock).values(last)
    return tuple((month.balance, values[month.month]) for month in contract.months(last))
