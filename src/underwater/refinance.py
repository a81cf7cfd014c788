"""Refinancing, worked out in full: the new loan, when it pays back its fees, the cash a capped
LTV asks for, and the rate or term that surfaces the loan by a target month.

- **The new loan** is the payoff plus the fees when they are financed, less the cash the
  borrower brings when the new lender caps the LTV (``refi_max_ltv_percent``): at a cap of L %
  the loan may be at most L % of the value, so the cash brought is
  max(owed + financed fees − value × L / 100, 0).
- **Break-even month**: the month from which refinancing has cost no more than keeping the old
  loan, counting everything — cash paid so far (fees paid now, the cash brought, every payment)
  plus the balance still owed — and stays so (``None`` when it never does within the longer of
  the two terms).
- **To surface by a target month**: the highest rate (to 0.01 %) at the refinance term, and the
  longest term at the refinance rate, at which the new loan is above water for good by that
  month; ``None`` when none does (a lower rate and a shorter term only pay it down faster, so
  both are found by bisection).

Money is dollars, rates percent per year, terms months.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from underwater.assets import AssetClass
from underwater.contracts import AmortizingLoan
from underwater.depreciation import MAX_HORIZON_MONTHS
from underwater.home_rules import figure as home_figure
from underwater.loan import balance_path
from underwater.money import ZERO, format_money_human, round_cents
from underwater.projection import Projection, lien_balances, project_contract
from underwater.situation import Situation

__all__ = ["RefinanceTerms", "refinance_terms"]

_HUNDRED = Decimal(100)
_MAX_RATE_HUNDREDTHS = 100_000  # 1,000 % a year, the highest rate a loan takes


@dataclass(frozen=True, slots=True)
class RefinanceTerms:
    """The refinance worked out (see the module docstring); ``details`` and ``caveats`` are what
    the exits comparison shows."""

    amount: Decimal
    contract: AmortizingLoan
    cash_now: Decimal
    cash_to_cap: Decimal
    ltv: Decimal | None
    payment: Decimal
    projection: Projection
    break_even_month: int | None
    rate_to_surface: Decimal | None
    term_to_surface: int | None
    details: tuple[tuple[str, Decimal | int | str | bool | None], ...]
    caveats: tuple[str, ...]


def _costs(projection: Projection, upfront: Decimal, months: int) -> list[Decimal]:
    """Cash paid so far plus the balance still owed, for months 0..months."""
    rows = projection.rows
    out: list[Decimal] = []
    paid = upfront
    for m in range(months + 1):
        row = rows[min(m, len(rows) - 1)]
        if 1 <= m < len(rows):
            paid += row.paid
        out.append(paid + (row.balance if m < len(rows) else ZERO))
    return out


def _stays(better: list[bool]) -> int | None:
    month: int | None = None
    for m in range(len(better) - 1, -1, -1):
        if not better[m]:
            break
        month = m
    return month


def refinance_terms(situation: Situation, keep: Projection) -> RefinanceTerms:
    """The refinance of ``situation`` (its ``refinance`` part must give a rate), against ``keep``,
    the current loan projected at least to its last payment.

    A $20,000 loan at 12 % with 36 payments left, refinanced at 6 % for the same term with $300
    of fees financed, has cost no more than keeping the old loan from month 4 on:

    >>> from underwater.projection import project_loan
    >>> from underwater.situation import Asset, Loan, Refinance
    >>> s = Situation(Loan(owed=20000, rate_percent=12, remaining_payments=36), Asset(value=18000),
    ...               refinance=Refinance(rate_percent=6, fees=300))
    >>> refinance_terms(s, project_loan(s.loan, s.asset)).break_even_month
    4
    """
    r = situation.refinance
    loan, asset = situation.loan, situation.asset
    assert r.rate_percent is not None
    _, remaining = loan.require_terms()
    term = remaining if r.term_months is None else r.term_months
    financed = loan.owed + (r.fees if r.fees_financed else ZERO)
    fees_now = ZERO if r.fees_financed else r.fees
    cap_cash = ZERO
    # A home's new lender holds every lien to a cap even when none is given: Freddie Mac's.
    cap = r.max_ltv_percent
    if cap is None and asset.kind is AssetClass.HOME:
        cap = home_figure("refinance_max_ltv_percent").value
    if cap is not None:
        cap_cash = max(financed + situation.liens_today - round_cents(asset.value * cap / _HUNDRED), ZERO)
        cap_cash = min(cap_cash, financed)
    amount = financed - cap_cash
    cash_now = fees_now + cap_cash
    horizon = min(max(situation.horizon, term, remaining), MAX_HORIZON_MONTHS)
    contract = AmortizingLoan(amount, r.rate_percent, term)
    new = project_contract(contract, asset.value_path(), horizon, other_liens=situation.behind)
    payment = contract.regular_payment
    months = min(max(term, remaining), MAX_HORIZON_MONTHS)
    refi_costs = _costs(new, cash_now, months)
    keep_costs = _costs(keep, ZERO, months)
    break_even = _stays([a <= b for a, b in zip(refi_costs, keep_costs, strict=True)])
    rate_to, term_to = _to_surface(situation, amount, term)
    ltv = None if asset.value == 0 else (amount + situation.liens_today) / asset.value
    current = loan.contract()
    difference = contract.total_interest + r.fees - current.total_interest
    caveats = [
        "Lenders often decline to refinance a loan that is under water, or ask for cash to bring the LTV down."
    ]
    if cap is None:
        caveats.append(
            "No LTV cap was given: give `refi_max_ltv_percent` to count the cash a new lender would ask for."
        )
    elif cap_cash:
        whose = (
            ""
            if r.max_ltv_percent is not None
            else " (Freddie Mac's for a no-cash-out refinance of a main home)"
        )
        caveats.append(
            f"The new lender's {cap} % LTV cap{whose}, on every lien, asks for {format_money_human(cap_cash)} in "
            "cash today: a cash-in refinance."
        )
    if keep.crossover_month is not None and (
        new.crossover_month is None or new.crossover_month > keep.crossover_month
    ):
        caveats.append(
            "The new loan surfaces later than the current one: a longer term keeps you under water longer."
        )
    if difference > 0:
        caveats.append(
            f"Over its life the new loan costs {format_money_human(difference)} more in interest and fees."
        )
    if break_even is None:
        caveats.append("It never pays back its fees: the current loan stays cheaper.")
    target = r.target_month
    if target is not None and rate_to is None and term_to is None:
        caveats.append(f"No rate or term of a refinance surfaces the loan by month {target}.")
    details: tuple[tuple[str, Decimal | int | str | bool | None], ...] = (
        ("new_loan_amount", amount),
        ("refi_fees", r.fees),
        ("cash_to_meet_ltv_cap", cap_cash),
        ("cash_to_reach_ltv_100", max(financed + situation.liens_today - asset.value, ZERO)),
        ("new_payment", payment),
        ("current_payment", current.regular_payment),
        ("interest_difference_vs_keeping", difference),
        ("break_even_month", break_even),
        ("new_crossover_month", new.crossover_month),
        ("current_crossover_month", keep.crossover_month),
        ("target_month", target),
        ("rate_to_surface_by_target", None if rate_to is None else str(rate_to)),
        ("term_to_surface_by_target", term_to),
    )
    return RefinanceTerms(
        amount=amount,
        contract=contract,
        cash_now=cash_now,
        cash_to_cap=cap_cash,
        ltv=ltv,
        payment=payment,
        projection=new,
        break_even_month=break_even,
        rate_to_surface=rate_to,
        term_to_surface=term_to,
        details=details,
        caveats=tuple(caveats),
    )


def _to_surface(situation: Situation, amount: Decimal, term: int) -> tuple[Decimal | None, int | None]:
    """The highest rate at ``term`` and the longest term at the refinance rate that surface the
    new loan by the target month (``None`` each where none does, or no target was given).

    The asset's value path is worked out once; each trial only re-amortizes the loan (about 30
    trials in all), which keeps a full comparison within its time budget."""
    r = situation.refinance
    target = r.target_month
    if target is None or amount <= 0 or r.rate_percent is None:
        return None, None
    asset = situation.asset
    values = asset.value_path().values(MAX_HORIZON_MONTHS)
    liens = lien_balances(situation.behind, MAX_HORIZON_MONTHS)

    def surfaces(rate: Decimal, months: int) -> bool:
        # Above water for good from the target on: every month from it to the loan's end (the
        # balance is 0.00 after that; the liens behind it follow their own payments or stay as they are). The walk stops at
        # the first month under water.
        if target == 0 and amount + liens[0] > values[0]:
            return False
        for t, balance in enumerate(balance_path(amount, rate, months), start=1):
            if t >= target and balance + liens[t] > values[t]:
                return False
        return all(liens[t] <= values[t] for t in range(months + 1, max(months, target) + 1))

    rate_to: Decimal | None = None
    if surfaces(ZERO, term):
        low, high = 0, _MAX_RATE_HUNDREDTHS
        if surfaces(Decimal(high) / 100, term):
            low = high
        while high - low > 1:
            middle = (low + high) // 2
            if surfaces(Decimal(middle) / 100, term):
                low = middle
            else:
                high = middle
        rate_to = Decimal(low) / 100
    term_to: int | None = None
    if surfaces(r.rate_percent, 1):
        low_t, high_t = 1, MAX_HORIZON_MONTHS
        if surfaces(r.rate_percent, high_t):
            low_t = high_t
        while high_t - low_t > 1:
            middle_t = (low_t + high_t) // 2
            if surfaces(r.rate_percent, middle_t):
                low_t = middle_t
            else:
                high_t = middle_t
        term_to = low_t
    return rate_to, term_to
