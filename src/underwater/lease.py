"""A closed-end vehicle lease, in the terms Regulation M's disclosure and the Federal Reserve
Board's *Keys to Vehicle Leasing* use.

**The terms.** The **gross capitalized cost** is the agreed value of the vehicle plus anything
else paid over the lease (fees, a service contract, a balance rolled in from a trade-in); the
**capitalized cost reduction** is what lowers it at signing (cash, a trade-in's equity, a
rebate); what is left is the **adjusted capitalized cost**. The **residual value** is the
vehicle's value at the end of the term as the contract sets it, and the price of buying it
then. Over the term the lessee pays for the **depreciation and any amortized amounts**
(adjusted capitalized cost − residual) and a **rent charge** (the lease's finance charge); the
two add up to the **total of base monthly payments**, which divided by the **lease term** is the
**base monthly payment**, before the **monthly sales/use tax**. A **disposition fee** is due when
the vehicle goes back; a **purchase option fee** when it is bought.

**The rate.** Many lessors quote a **money factor**, and work the payment as depreciation
spread evenly over the term plus (adjusted capitalized cost + residual) × money factor a month;
a money factor times 2,400 approximates the rate as a percent a year (Colorado Department of
Revenue's worked example: 0.004 × 24 = 9.6 %). The Federal Reserve Board's glossary warns it "is
not a lease rate and cannot be converted to a lease rate by moving the decimal point".

**The lease balance** follows the constant-yield (actuarial) method of the Board's worked example:
payments are made in advance; each month's rent charge is the balance less that month's payment
times the rate implicit in the lease (the one at which the payments and the residual are worth
the adjusted capitalized cost), rounded to the cent; the rest of the payment is depreciation,
and the balance falls by it. The last month's rent charge is what brings the balance to the
residual exactly. Paying off early — to buy the vehicle or to end the lease — starts from this
balance (:meth:`LeaseTerms.balance_after`); it is what a lease's "equity" is measured against.

Money is dollars (``Decimal``, whole cents); terms are months; rates are percent a year.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Any

from underwater.contracts import ContractMonth
from underwater.errors import InputError
from underwater.limits import MAX_RATE_PERCENT
from underwater.money import ZERO, format_money, round_cents

__all__ = ["LeaseRow", "LeaseTerms", "apr_from_money_factor", "lease_worth", "money_factor_from_apr"]

_PRECISION = 50


def apr_from_money_factor(money_factor: Decimal) -> Decimal:
    """The rate, percent a year, a money factor stands for by the usual rule of thumb (× 2,400).

    >>> apr_from_money_factor(Decimal("0.004"))
    Decimal('9.600')
    """
    return money_factor * 2400


def money_factor_from_apr(rate_percent: Decimal) -> Decimal:
    """The money factor of a rate in percent a year (÷ 2,400), to 6 decimals.

    >>> money_factor_from_apr(Decimal(3))
    Decimal('0.001250')
    """
    return (rate_percent / 2400).quantize(Decimal("0.000001"))


@dataclass(frozen=True, slots=True)
class LeaseRow:
    """One month of a lease (dollars): the base ``payment`` made at its start, the ``rent``
    charge and ``depreciation`` it pays, and the lease ``balance`` at its end."""

    month: int
    payment: Decimal
    rent: Decimal
    depreciation: Decimal
    balance: Decimal


@dataclass(frozen=True, slots=True)
class LeaseTerms:
    """A closed-end lease as signed (the module docstring): ``gross_cap_cost`` less
    ``cap_cost_reduction``, the ``residual``, ``term_months``, the ``base_payment`` a month
    before tax, the ``tax_percent`` on each payment, and the ``disposition_fee``,
    ``purchase_option_fee`` and ``early_termination_fee`` the contract names (dollars).

    The Federal Reserve Board's sample lease: $22,300 gross, $3,500 down, a $12,350 residual,
    48 payments of $244.69 before tax:

    >>> lease = LeaseTerms(Decimal(22300), Decimal(3500), Decimal(12350), 48, Decimal("244.69"))
    >>> lease.adjusted_cap_cost, lease.rent_charge, [str(r.rent) for r in lease.schedule[:2]]
    (Decimal('18800'), Decimal('5295.12'), ['131.39', '130.59'])
    """

    gross_cap_cost: Decimal
    cap_cost_reduction: Decimal
    residual: Decimal
    term_months: int
    base_payment: Decimal
    tax_percent: Decimal = ZERO
    disposition_fee: Decimal = ZERO
    purchase_option_fee: Decimal = ZERO
    early_termination_fee: Decimal = ZERO

    def __post_init__(self) -> None:
        if self.residual > self.adjusted_cap_cost:
            raise InputError(
                "lease_residual",
                f"must not be more than the adjusted capitalized cost {format_money(self.adjusted_cap_cost)}: "
                "the payments would not pay for any depreciation",
                got=self.residual,
            )
        if self.base_payment * self.term_months < self.depreciation:
            raise InputError(
                "lease_payment",
                f"over {self.term_months} months pays less than the depreciation "
                f"{format_money(self.depreciation)}: no lease works that way",
                got=self.base_payment,
            )
        with localcontext() as ctx:
            ctx.prec = _PRECISION
            ceiling = MAX_RATE_PERCENT / 1200
            # The payments and the residual are worth less at a higher rate: still more than
            # the capitalized cost at the ceiling, the lease charges more than it.
            dearer = (
                _worth(self.adjusted_cap_cost, self.residual, self.term_months, self.base_payment, ceiling)
                > 0
            )
        if dearer:
            raise InputError(
                "lease_payment",
                f"over {self.term_months} months charges more than {MAX_RATE_PERCENT:,} % a year on the "
                f"capitalized cost {format_money(self.adjusted_cap_cost)}: check the payment and the term",
                got=self.base_payment,
            )

    @classmethod
    def from_money_factor(
        cls,
        gross_cap_cost: Decimal,
        cap_cost_reduction: Decimal,
        residual: Decimal,
        term_months: int,
        money_factor: Decimal,
        **fees: Decimal,
    ) -> LeaseTerms:
        """The lease whose base payment is worked from a ``money_factor`` the usual way:
        depreciation spread evenly over the term plus (adjusted capitalized cost + residual) ×
        money factor, rounded to the cent.

        Colorado Department of Revenue's worked example: $20,000 adjusted, $8,000 residual, 48
        months, a money factor of 0.004: $250 + $112 = $362 a month:

        >>> LeaseTerms.from_money_factor(Decimal(22700), Decimal(2700), Decimal(8000), 48, Decimal("0.004")).base_payment
        Decimal('362.00')
        """
        adjusted = gross_cap_cost - cap_cost_reduction
        payment = round_cents((adjusted - residual) / term_months + (adjusted + residual) * money_factor)
        return cls(gross_cap_cost, cap_cost_reduction, residual, term_months, payment, **fees)

    # -- the disclosure ------------------------------------------------------------------------

    @property
    def adjusted_cap_cost(self) -> Decimal:
        """Gross capitalized cost less the capitalized cost reduction (dollars)."""
        return self.gross_cap_cost - self.cap_cost_reduction

    @property
    def depreciation(self) -> Decimal:
        """Depreciation and any amortized amounts: adjusted capitalized cost less residual."""
        return self.adjusted_cap_cost - self.residual

    @property
    def total_base_payments(self) -> Decimal:
        """The base monthly payment times the term (dollars)."""
        return self.base_payment * self.term_months

    @property
    def rent_charge(self) -> Decimal:
        """The lease's finance charge over the term: total base payments less depreciation."""
        return self.total_base_payments - self.depreciation

    @property
    def monthly_tax(self) -> Decimal:
        """The sales/use tax on each payment (dollars)."""
        return round_cents(self.base_payment * self.tax_percent / 100)

    @property
    def monthly_payment(self) -> Decimal:
        """The base monthly payment with its tax (dollars)."""
        return self.base_payment + self.monthly_tax

    def total_of_payments(self, due_at_signing: Decimal, refundable_deposit: Decimal = ZERO) -> Decimal:
        """Regulation M's total of payments (12 CFR 1013.4(e)): the amount due at signing less
        what is refundable, plus the monthly payments less the one paid at signing, plus the
        other charges (the disposition fee), in dollars."""
        return (
            due_at_signing
            - refundable_deposit
            + self.monthly_payment * self.term_months
            - self.monthly_payment
            + self.disposition_fee
        )

    @property
    def implicit_rate_percent(self) -> Decimal:
        """The yearly rate (percent, 12 × the monthly rate) at which the payments in advance and
        the residual are worth the adjusted capitalized cost."""
        return (
            _implicit_monthly(self.adjusted_cap_cost, self.residual, self.term_months, self.base_payment)
            * 1200
        )

    @property
    def money_factor(self) -> Decimal:
        """The implicit rate as a money factor (÷ 2,400), to 6 decimals."""
        return money_factor_from_apr(self.implicit_rate_percent)

    # -- the balance ---------------------------------------------------------------------------

    @property
    def schedule(self) -> tuple[LeaseRow, ...]:
        """Every month of the term by the constant-yield method (the module docstring)."""
        return _schedule(self.adjusted_cap_cost, self.residual, self.term_months, self.base_payment)

    def balance_after(self, payments_made: int) -> Decimal:
        """The lease balance (dollars) at the end of the month of payment ``payments_made``: the
        adjusted capitalized cost before any, the residual after the last.

        >>> LeaseTerms(Decimal(22300), Decimal(3500), Decimal(12350), 48, Decimal("244.69")).balance_after(2)
        Decimal('18572.60')
        """
        if payments_made <= 0:
            return self.adjusted_cap_cost
        rows = self.schedule
        return rows[min(payments_made, len(rows)) - 1].balance

    def buyout_after(self, payments_made: int) -> Decimal:
        """What buying the vehicle costs (dollars) after ``payments_made`` payments: the lease
        balance (the residual at the end) plus the purchase option fee, before any tax."""
        return self.balance_after(payments_made) + self.purchase_option_fee

    def early_termination_charge(
        self, payments_made: int, realized_value: Decimal, *, quoted: Decimal | None = None
    ) -> Decimal:
        """What ending the lease early and giving the vehicle back costs (dollars): the early
        termination payoff — the lease balance (or the lessor's ``quoted`` buyout less the
        purchase option fee) plus the early termination and disposition fees — less what the
        vehicle is credited at (``realized_value``), and nothing when the credit covers it (the
        Board's glossary: a $16,000 payoff against $14,000 credited is a $2,000 charge).

        >>> LeaseTerms(Decimal(22300), Decimal(3500), Decimal(12350), 48, Decimal("244.69"),
        ...            disposition_fee=Decimal(400)).early_termination_charge(24, Decimal(14000))
        Decimal('2247.45')
        """
        balance = self.balance_after(payments_made) if quoted is None else quoted - self.purchase_option_fee
        payoff = balance + self.early_termination_fee + self.disposition_fee
        return max(payoff - realized_value, ZERO)

    def months_from(self, payments_made: int, horizon_months: int) -> tuple[ContractMonth, ...]:
        """Months 0..``horizon_months`` from today, ``payments_made`` payments into the term: the
        payment with its tax made in each month, the rent charge it pays, and what buying the
        vehicle would cost just after it (the buyout, which is the residual plus the purchase
        option fee once every payment is made); nothing is paid after the last payment."""
        rows = self.schedule
        months = [ContractMonth(0, ZERO, ZERO, self.buyout_after(payments_made))]
        for t in range(1, horizon_months + 1):
            k = payments_made + t
            if k > self.term_months:
                months.append(ContractMonth(t, ZERO, ZERO, self.buyout_after(self.term_months)))
                continue
            row = rows[k - 1]
            months.append(
                ContractMonth(t, self.monthly_payment, row.rent, row.balance + self.purchase_option_fee)
            )
        return tuple(months)

    def to_json(self) -> dict[str, Any]:
        """Keys (money as strings): ``gross_cap_cost``, ``cap_cost_reduction``,
        ``adjusted_cap_cost``, ``residual``, ``depreciation``, ``rent_charge``,
        ``total_base_payments``, ``term_months``, ``base_payment``, ``monthly_tax``,
        ``monthly_payment``, ``implicit_rate_percent`` (4 decimals), ``money_factor``,
        ``disposition_fee``, ``purchase_option_fee``, ``early_termination_fee``."""
        return {
            "gross_cap_cost": format_money(self.gross_cap_cost),
            "cap_cost_reduction": format_money(self.cap_cost_reduction),
            "adjusted_cap_cost": format_money(self.adjusted_cap_cost),
            "residual": format_money(self.residual),
            "depreciation": format_money(self.depreciation),
            "rent_charge": format_money(self.rent_charge),
            "total_base_payments": format_money(self.total_base_payments),
            "term_months": self.term_months,
            "base_payment": format_money(self.base_payment),
            "monthly_tax": format_money(self.monthly_tax),
            "monthly_payment": format_money(self.monthly_payment),
            "implicit_rate_percent": str(self.implicit_rate_percent.quantize(Decimal("0.0001"))),
            "money_factor": str(self.money_factor),
            "disposition_fee": format_money(self.disposition_fee),
            "purchase_option_fee": format_money(self.purchase_option_fee),
            "early_termination_fee": format_money(self.early_termination_fee),
        }


def lease_worth(payment: Decimal, residual: Decimal, term_months: int, monthly_rate: Decimal) -> Decimal:
    """What ``term_months`` payments in advance of ``payment`` dollars and the ``residual`` at
    the end are worth today at ``monthly_rate`` (a fraction: 0.005 is 0.5 % a month), in dollars
    rounded to the cent: the adjusted capitalized cost such a lease implies.

    >>> lease_worth(Decimal("244.69"), Decimal(12350), 48, Decimal("0.0070809537"))
    Decimal('18800.00')
    """
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return round_cents(_worth(ZERO, residual, term_months, payment, monthly_rate))


def _worth(adjusted: Decimal, residual: Decimal, term: int, payment: Decimal, rate: Decimal) -> Decimal:
    """What the payments in advance and the residual are worth at monthly ``rate``, less the
    adjusted capitalized cost (falls as the rate rises)."""
    if rate == 0:
        return payment * term + residual - adjusted
    v = 1 / (1 + rate)
    annuity_due = (1 - v**term) / (rate * v)
    return payment * annuity_due + residual * v**term - adjusted


@functools.lru_cache(maxsize=256)
def _implicit_monthly(adjusted: Decimal, residual: Decimal, term: int, payment: Decimal) -> Decimal:
    """The monthly rate implicit in a lease, by bisection to 40 significant digits."""
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        low, high = Decimal(0), Decimal(1)
        if _worth(adjusted, residual, term, payment, low) <= 0:
            return Decimal(0)
        for _ in range(200):
            mid = (low + high) / 2
            if _worth(adjusted, residual, term, payment, mid) > 0:
                low = mid
            else:
                high = mid
            if high - low < Decimal("1e-40"):
                break
        return +((low + high) / 2)


@functools.lru_cache(maxsize=256)
def _schedule(adjusted: Decimal, residual: Decimal, term: int, payment: Decimal) -> tuple[LeaseRow, ...]:
    rate = _implicit_monthly(adjusted, residual, term, payment)
    rows: list[LeaseRow] = []
    balance = adjusted
    for month in range(1, term + 1):
        if month == term:
            depreciation = balance - residual
            rent = payment - depreciation
        else:
            with localcontext() as ctx:
                ctx.prec = _PRECISION
                rent = round_cents((balance - payment) * rate)
            depreciation = payment - rent
        balance -= depreciation
        rows.append(LeaseRow(month, payment, rent, depreciation, balance))
    return tuple(rows)
