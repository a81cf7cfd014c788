"""A lease from today, behind the contract interface, and what its ways to the end cost.

:class:`Lease` is a :class:`~underwater.lease.LeaseTerms` some payments in: month by month, the
payment with its tax and what buying the vehicle would cost just after it (the lease balance
plus the purchase option fee, the residual plus that fee once every payment is made). The
projection takes it as it takes a loan, so a lease's "equity" — the vehicle's value less what
buying it would take — and the month it turns positive for good are worked out once, the same
way (:func:`underwater.projection.project_contract`).

Money is dollars; months count from today.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from underwater.contracts import AmortizingLoan, ContractMonth
from underwater.lease import LeaseTerms
from underwater.money import ZERO, format_money

__all__ = ["Lease", "LeaseVersusBuy", "lease_versus_buy"]


@dataclass(frozen=True, slots=True)
class Lease:
    """``terms`` with ``payments_made`` payments made (the one at signing included); the buyout
    today is ``quoted`` when the lessor gave one, else the lease balance plus the purchase
    option fee.

    >>> terms = LeaseTerms(Decimal(22300), Decimal(3500), Decimal(12350), 48, Decimal("244.69"))
    >>> [(m.month, str(m.paid), str(m.balance)) for m in Lease(terms, 46).months(3)]
    [(0, '0.00', '12664.64'), (1, '244.69', '12507.90'), (2, '244.69', '12350.00'), (3, '0.00', '12350.00')]
    """

    terms: LeaseTerms
    payments_made: int
    quoted: Decimal | None = None

    @property
    def rate_percent(self) -> Decimal:
        """The rate implicit in the lease, percent a year."""
        return self.terms.implicit_rate_percent

    @property
    def regular_payment(self) -> Decimal:
        """The monthly payment with its tax (dollars); 0.00 once every payment is made."""
        return self.terms.monthly_payment if self.term_months else ZERO

    @property
    def term_months(self) -> int:
        """The payments left."""
        return self.terms.term_months - self.payments_made

    def months(self, horizon_months: int) -> tuple[ContractMonth, ...]:
        """Months 0..``horizon_months``: each month's payment with its tax, the rent charge it
        pays, and the buyout just after it."""
        months = self.terms.months_from(self.payments_made, horizon_months)
        if self.quoted is None:
            return months
        return (ContractMonth(0, ZERO, ZERO, self.quoted), *months[1:])

    def payoff_at(self, month: int) -> Decimal:
        """What buying the vehicle costs just after ``month``'s payment (dollars)."""
        return self.months(month)[month].balance

    def with_extra(self, extra_monthly: Decimal) -> Lease:
        """The same lease: money paid beyond the payments prepays the later ones and saves no
        rent charge (the Board's constant-yield example), so it lowers no buyout."""
        return self

    def turn_in_cost(self, excess_miles: Decimal, per_mile: Decimal) -> Decimal:
        """What keeping it to the end and handing it back costs from today (dollars): the
        payments left with their tax, the disposition fee and ``excess_miles`` at ``per_mile``."""
        return self.regular_payment * self.term_months + self.terms.disposition_fee + excess_miles * per_mile

    def buy_at_end_cost(self) -> Decimal:
        """What keeping it to the end and buying it costs from today (dollars): the payments left
        with their tax and the residual with the purchase option fee (sales tax on the price
        not counted)."""
        return self.regular_payment * self.term_months + self.terms.buyout_after(self.terms.term_months)


@dataclass(frozen=True, slots=True)
class LeaseVersusBuy:
    """The same vehicle leased or bought with a loan, over the lease's term from signing
    (dollars): what each pays, what the buyer still owes and holds at the end, and the net
    position each way (held − owed − paid)."""

    months: int
    lease_paid: Decimal
    buy_paid: Decimal
    buy_owed_at_end: Decimal
    value_at_end: Decimal
    loan_payment: Decimal

    @property
    def lease_net(self) -> Decimal:
        """Leasing: nothing held, nothing owed; everything paid."""
        return -self.lease_paid

    @property
    def buy_net(self) -> Decimal:
        """Buying: the vehicle held, less the loan still owed, less everything paid."""
        return self.value_at_end - self.buy_owed_at_end - self.buy_paid

    def to_json(self) -> dict[str, Any]:
        """Keys: ``months``, ``lease_paid``, ``lease_net``, ``buy_paid``, ``loan_payment``,
        ``buy_owed_at_end``, ``value_at_end``, ``buy_net``, ``better`` (``lease``, ``buy`` or
        ``even``) and ``by`` (how much better, dollars)."""
        better = (
            "even" if self.lease_net == self.buy_net else "lease" if self.lease_net > self.buy_net else "buy"
        )
        return {
            "months": self.months,
            "lease_paid": format_money(self.lease_paid),
            "lease_net": format_money(self.lease_net),
            "buy_paid": format_money(self.buy_paid),
            "loan_payment": format_money(self.loan_payment),
            "buy_owed_at_end": format_money(self.buy_owed_at_end),
            "value_at_end": format_money(self.value_at_end),
            "buy_net": format_money(self.buy_net),
            "better": better,
            "by": format_money(abs(self.buy_net - self.lease_net)),
        }


def lease_versus_buy(
    terms: LeaseTerms, loan_rate_percent: Decimal, loan_term_months: int, value_at_end: Decimal
) -> LeaseVersusBuy:
    """``terms`` against buying at the gross capitalized cost with the same money down (the
    capitalized cost reduction) and a loan for the rest at ``loan_rate_percent`` (percent a
    year) over ``loan_term_months``, over the lease's term from signing; the vehicle is worth
    ``value_at_end`` dollars when the lease ends. Sales tax on the price, and the lease's tax on
    its payments, are left out of both sides.

    >>> terms = LeaseTerms(Decimal(22300), Decimal(3500), Decimal(12350), 48, Decimal("244.69"),
    ...                    disposition_fee=Decimal(400))
    >>> side = lease_versus_buy(terms, Decimal("6.5"), 60, Decimal(12350))
    >>> side.lease_paid, side.loan_payment, side.buy_net - side.lease_net
    (Decimal('15645.12'), Decimal('367.84'), Decimal('2576.06'))
    """
    n = terms.term_months
    lease_paid = terms.cap_cost_reduction + terms.base_payment * n + terms.disposition_fee
    loan = AmortizingLoan(
        terms.gross_cap_cost - terms.cap_cost_reduction, loan_rate_percent, loan_term_months
    )
    months = loan.months(n)
    buy_paid = terms.cap_cost_reduction + sum((m.paid for m in months), ZERO)
    return LeaseVersusBuy(n, lease_paid, buy_paid, months[n].balance, value_at_end, loan.regular_payment)
