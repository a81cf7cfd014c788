"""Contracts: what is owed under one agreement, month by month, behind one interface.

Every engine that compares what is owed with what the collateral is worth — the projection, the
exits and their ledgers, the book's exact reference — reads a loan through :class:`Contract`:

- ``months(horizon)``: for each month 0..horizon, the cash paid to the holder that month, the
  interest charged in it and the balance owed just after it (month 0 is today: nothing paid,
  the balance owed now); after the last payment, nothing is paid and nothing is owed;
- ``payoff_at(month)``: what clears the contract just after that month's payment;
- ``rate_percent``: its own yearly rate, ``regular_payment`` and ``term_months``;
- ``with_extra(extra_monthly)``: the same contract with that many dollars more paid with every
  payment.

:class:`AmortizingLoan` is the fixed-rate, level-payment monthly loan of
:func:`underwater.loan.amortize` (interest rounded each month, the last payment adjusted so the
balance ends at 0.00), unchanged: the loan being kept, a refinance, the next deal's loan, a
replacement's loan, a payment plan and an unsecured personal loan are all of this kind. A
daily simple-interest loan (:class:`underwater.simple_interest.SimpleInterestLoan`) is another
class with the same methods, so every engine takes it without a second path.

Money is dollars (``Decimal``); rates are percent per year as typed (``9`` is 9 %); terms are
months.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol, runtime_checkable

from underwater.loan import ExtraPayment, Schedule, amortize
from underwater.money import ZERO, round_cents

__all__ = [
    "AmortizingLoan",
    "Contract",
    "ContractMonth",
    "DeferredLoan",
    "ForbearancePlan",
    "HelocLine",
    "WithHeld",
]


@dataclass(frozen=True, slots=True)
class ContractMonth:
    """One month of a contract (dollars): ``paid`` to the holder that month, the ``interest``
    and ``fees`` charged in it, and the ``balance`` owed just after it, so that each month's
    balance is the last one's plus its interest and fees less what was paid."""

    month: int
    paid: Decimal
    interest: Decimal
    balance: Decimal
    fees: Decimal = ZERO


@runtime_checkable
class Contract(Protocol):
    """What is owed under one agreement, month by month (see the module docstring)."""

    @property
    def rate_percent(self) -> Decimal:
        """The contract's own yearly rate, in percent."""
        ...

    @property
    def regular_payment(self) -> Decimal:
        """The payment due each month, in dollars (0.00 when nothing is owed)."""
        ...

    @property
    def term_months(self) -> int:
        """The monthly payments the contract calls for from today."""
        ...

    def months(self, horizon_months: int) -> tuple[ContractMonth, ...]:
        """Months 0..``horizon_months``."""
        ...

    def payoff_at(self, month: int) -> Decimal:
        """What clears the contract just after ``month``'s payment, in dollars."""
        ...

    def with_extra(self, extra_monthly: Decimal) -> Contract:
        """The same contract with ``extra_monthly`` dollars more paid with every payment."""
        ...


def _through(rows: tuple[ContractMonth, ...], horizon_months: int) -> tuple[ContractMonth, ...]:
    """Months 0..``horizon_months`` of a contract worked out to its last payment: nothing paid
    and nothing owed after it."""
    if horizon_months < len(rows):
        return rows[: horizon_months + 1]
    return rows + tuple(ContractMonth(t, ZERO, ZERO, ZERO) for t in range(len(rows), horizon_months + 1))


@dataclass(frozen=True, slots=True)
class AmortizingLoan:
    """A fixed-rate loan repaid monthly: ``principal`` owed today (dollars), ``rate_percent``
    (percent per year), ``term_months`` payments left, an optional regular ``payment`` (default:
    the level payment) and ``extra_monthly`` dollars paid to principal with every payment.

    $1,000 at 12 % over two months: 507.51 then 507.51, the balance 502.49 between them:

    >>> loan = AmortizingLoan(Decimal(1000), Decimal(12), 2)
    >>> [(m.month, str(m.paid), str(m.balance)) for m in loan.months(3)]
    [(0, '0.00', '1000'), (1, '507.51', '502.49'), (2, '507.51', '0.00'), (3, '0.00', '0.00')]
    >>> loan.regular_payment, loan.payoff_at(1)
    (Decimal('507.51'), Decimal('502.49'))
    """

    principal: Decimal
    rate_percent: Decimal
    term_months: int
    payment: Decimal | None = None
    extra_monthly: Decimal = ZERO

    def _all(self) -> tuple[ContractMonth, ...]:
        return self._work()[1]

    def _work(self) -> tuple[Decimal, tuple[ContractMonth, ...]]:
        return _worked(self.principal, self.rate_percent, self.term_months, self.payment, self.extra_monthly)

    @property
    def schedule(self) -> Schedule:
        """The exact amortization schedule (:func:`underwater.loan.amortize`)."""
        extras = (ExtraPayment(self.extra_monthly),) if self.extra_monthly > 0 else ()
        return amortize(
            self.principal, self.rate_percent, self.term_months, payment=self.payment, extra_payments=extras
        )

    @property
    def regular_payment(self) -> Decimal:
        """The regular monthly payment (dollars) as the schedule states it, the extra included;
        0.00 when nothing is owed."""
        return self._work()[0]

    @property
    def last_month(self) -> int:
        """The month of the last payment (0 when nothing is owed)."""
        return len(self._all()) - 1

    def months(self, horizon_months: int) -> tuple[ContractMonth, ...]:
        """Months 0..``horizon_months``: nothing paid and nothing owed after the last payment."""
        rows = self._all()
        return _through(rows, horizon_months)

    def payoff_at(self, month: int) -> Decimal:
        """The balance just after ``month``'s payment (dollars): what clears the loan then."""
        rows = self._all()
        return rows[month].balance if month < len(rows) else ZERO

    @property
    def total_interest(self) -> Decimal:
        """Interest over the whole loan, in dollars."""
        return sum((m.interest for m in self._all()), ZERO)

    def with_extra(self, extra_monthly: Decimal) -> AmortizingLoan:
        """The loan with ``extra_monthly`` dollars paid to principal with every payment (in place
        of any extra it had)."""
        return dataclasses.replace(self, extra_monthly=extra_monthly)

    def deferred(self, months: int, *, capitalize: bool = False) -> DeferredLoan:
        """The loan with its next ``months`` payments skipped and the term extended by as many
        (:class:`DeferredLoan`)."""
        return DeferredLoan(
            self.principal, self.rate_percent, self.term_months, self.regular_payment, months, capitalize
        )


@dataclass(frozen=True, slots=True)
class DeferredLoan:
    """A monthly loan whose next ``skipped`` payments are deferred (a skip-a-pay, an extension,
    a re-age): ``principal`` owed today (dollars), ``rate_percent`` (percent per year), the
    ``remaining`` payments of ``payment`` dollars, which resume after the skipped months, the
    term extended by as many. Interest keeps accruing on the principal while nothing is paid;
    left uncapitalized it is owed beside the principal and paid first when payments resume,
    earning no interest itself; ``capitalize`` adds it to the principal when the deferral ends.
    The last payment is whatever clears the loan.

    $1,000 at 12 % over two payments of $507.51, the first deferred a month:

    >>> [(m.month, str(m.paid), str(m.interest), str(m.balance)) for m in DeferredLoan(
    ...     Decimal(1000), Decimal(12), 2, Decimal("507.51"), 1).months(3)]
    [(0, '0.00', '0.00', '1000'), (1, '0.00', '10.00', '1010.00'), (2, '507.51', '10.00', '512.49'), (3, '517.61', '5.12', '0.00')]
    """

    principal: Decimal
    rate_percent: Decimal
    remaining: int
    payment: Decimal
    skipped: int
    capitalize: bool = False

    @property
    def term_months(self) -> int:
        """The payments left, with the months skipped."""
        return self.remaining + self.skipped

    @property
    def regular_payment(self) -> Decimal:
        """The payment once payments resume (dollars)."""
        return self.payment

    def months(self, horizon_months: int) -> tuple[ContractMonth, ...]:
        """Months 0..``horizon_months``: nothing paid while deferred; nothing after the end."""
        rows = _deferred(self)
        return _through(rows, horizon_months)

    def payoff_at(self, month: int) -> Decimal:
        """Everything owed just after ``month`` (dollars): principal and unpaid interest."""
        rows = _deferred(self)
        return rows[month].balance if month < len(rows) else ZERO

    def with_extra(self, extra_monthly: Decimal) -> DeferredLoan:
        """The same deferral (an extra payment is not part of one)."""
        return self


@dataclass(frozen=True, slots=True)
class HelocLine:
    """A home equity line of credit as it is repaid from today: ``balance`` drawn (dollars), at
    ``rate_percent`` (percent per year, taken as fixed from today), ``draw_months`` left in the
    draw period, when each month's payment is that month's interest alone (the usual minimum
    payment) and the balance stays as it is, then ``repay_months`` level payments that clear it
    (an optional ``payment`` in their place). No further draws are assumed.

    $10,000 at 12 % with two months of draw left, then two level payments:

    >>> [(m.month, str(m.paid), str(m.balance)) for m in HelocLine(Decimal(10000), Decimal(12), 2, 2).months(4)]
    [(0, '0.00', '10000'), (1, '100.00', '10000'), (2, '100.00', '10000'), (3, '5075.12', '5024.88'), (4, '5075.13', '0.00')]
    """

    balance: Decimal
    rate_percent: Decimal
    draw_months: int
    repay_months: int
    payment: Decimal | None = None

    @property
    def term_months(self) -> int:
        """The months of draw left and the payments after them."""
        return self.draw_months + self.repay_months

    @property
    def _repaid(self) -> AmortizingLoan:
        return AmortizingLoan(self.balance, self.rate_percent, self.repay_months, self.payment)

    @property
    def regular_payment(self) -> Decimal:
        """The payment due now (dollars): the month's interest during the draw period, else the
        level payment."""
        if self.draw_months and self.balance > 0:
            return round_cents(self.balance * self.rate_percent / 1200)
        return self._repaid.regular_payment

    @property
    def repayment_payment(self) -> Decimal:
        """The level payment once the draw period ends (dollars)."""
        return self._repaid.regular_payment

    def months(self, horizon_months: int) -> tuple[ContractMonth, ...]:
        """Months 0..``horizon_months``: interest only while drawing, then the level payments."""
        rows = _heloc(self)
        return _through(rows, horizon_months)

    def payoff_at(self, month: int) -> Decimal:
        """The balance just after ``month``'s payment (dollars)."""
        rows = _heloc(self)
        return rows[month].balance if month < len(rows) else ZERO

    def with_extra(self, extra_monthly: Decimal) -> HelocLine:
        """The same line (an extra payment on it is not modelled)."""
        return self


@dataclass(frozen=True, slots=True)
class ForbearancePlan:
    """A monthly ``loan`` whose next ``skipped`` installments are forborne (none paid), then
    caught up over ``repay_months`` on top of the installments then due, in equal shares
    (rounded to the cent, the last share taking the remainder). A mortgage's installment is
    owed whether paid or not: the schedule's interest and principal stay as they were, and what
    is owed is the schedule's balance plus the installments not yet caught up.

    $1,000 at 12 % over three payments (340.02, 340.02, 340.03), the first forborne, caught up
    over two months:

    >>> [(m.month, str(m.paid), str(m.balance)) for m in ForbearancePlan(
    ...     AmortizingLoan(Decimal(1000), Decimal(12), 3), 1, 2).months(3)]
    [(0, '0.00', '1000'), (1, '0.00', '1010.00'), (2, '510.03', '506.67'), (3, '510.04', '0.00')]
    """

    loan: AmortizingLoan
    skipped: int
    repay_months: int

    @property
    def rate_percent(self) -> Decimal:
        """The loan's own yearly rate, in percent."""
        return self.loan.rate_percent

    @property
    def regular_payment(self) -> Decimal:
        """The loan's installment (dollars), before and after the plan."""
        return self.loan.regular_payment

    @property
    def term_months(self) -> int:
        """The loan's payments, or the plan's months when it outlasts them."""
        return max(self.loan.term_months, self.skipped + self.repay_months)

    def months(self, horizon_months: int) -> tuple[ContractMonth, ...]:
        """Months 0..``horizon_months``: nothing paid while forborne, then each installment with
        a share of those missed."""
        return _through(_forborne(self), horizon_months)

    def payoff_at(self, month: int) -> Decimal:
        """The schedule's balance plus the installments not yet caught up (dollars)."""
        rows = _forborne(self)
        return rows[month].balance if month < len(rows) else ZERO

    def with_extra(self, extra_monthly: Decimal) -> ForbearancePlan:
        """The same plan (an extra payment is not part of one)."""
        return self


@functools.lru_cache(maxsize=64)
def _forborne(plan: ForbearancePlan) -> tuple[ContractMonth, ...]:
    last = plan.term_months
    schedule = plan.loan.months(last)
    missed = sum((m.paid for m in schedule[1 : plan.skipped + 1]), ZERO)
    share = round_cents(missed / plan.repay_months)
    rows = [schedule[0]]
    behind = ZERO
    for m in schedule[1:]:
        if m.month <= plan.skipped:
            behind += m.paid
            paid = ZERO
        elif m.month <= plan.skipped + plan.repay_months:
            catch_up = behind if m.month == plan.skipped + plan.repay_months else min(share, behind)
            behind -= catch_up
            paid = m.paid + catch_up
        else:
            paid = m.paid
        rows.append(ContractMonth(m.month, paid, m.interest, m.balance + behind))
    return tuple(rows)


@dataclass(frozen=True, slots=True)
class WithHeld:
    """The liens behind a first loan taken together: a ``contract`` (a second mortgage or a line)
    paid as agreed, and ``held`` dollars of other liens that stay as they are.

    >>> [str(m.balance) for m in WithHeld(AmortizingLoan(Decimal(1000), Decimal(12), 2), Decimal(500)).months(2)]
    ['1500', '1002.49', '500.00']
    """

    contract: Contract
    held: Decimal

    @property
    def rate_percent(self) -> Decimal:
        """The contract's rate (the held liens' is not known), percent per year."""
        return self.contract.rate_percent

    @property
    def regular_payment(self) -> Decimal:
        """The contract's payment (dollars); nothing is paid on the held liens."""
        return self.contract.regular_payment

    @property
    def term_months(self) -> int:
        """The contract's payments."""
        return self.contract.term_months

    def months(self, horizon_months: int) -> tuple[ContractMonth, ...]:
        """The contract's months with the held liens added to every balance."""
        return tuple(
            dataclasses.replace(m, balance=m.balance + self.held)
            for m in self.contract.months(horizon_months)
        )

    def payoff_at(self, month: int) -> Decimal:
        """What clears the contract and the held liens (dollars)."""
        return self.contract.payoff_at(month) + self.held

    def with_extra(self, extra_monthly: Decimal) -> WithHeld:
        """The same liens (an extra payment on them is not modelled)."""
        return self


@functools.lru_cache(maxsize=64)
def _heloc(line: HelocLine) -> tuple[ContractMonth, ...]:
    first = ContractMonth(0, ZERO, ZERO, line.balance)
    if line.balance <= 0:
        return (first,)
    interest = round_cents(line.balance * line.rate_percent / 1200)
    drawing = tuple(
        ContractMonth(t, interest, interest, line.balance) for t in range(1, line.draw_months + 1)
    )
    repaid = line._repaid.months(line.repay_months)[1:]
    shifted = tuple(dataclasses.replace(m, month=m.month + line.draw_months) for m in repaid)
    last = next((i for i, m in enumerate(shifted) if m.balance == 0), len(shifted) - 1)
    return (first, *drawing, *shifted[: last + 1])


@functools.lru_cache(maxsize=64)
def _deferred(loan: DeferredLoan) -> tuple[ContractMonth, ...]:
    monthly = loan.rate_percent / 1200
    principal, unpaid = loan.principal, ZERO
    rows = [ContractMonth(0, ZERO, ZERO, principal)]
    last = loan.term_months
    for month in range(1, last + 1):
        interest = round_cents(principal * monthly)
        if month <= loan.skipped:
            unpaid += interest
            if month == loan.skipped and loan.capitalize:
                principal, unpaid = principal + unpaid, ZERO
            rows.append(ContractMonth(month, ZERO, interest, principal + unpaid))
            continue
        owed = principal + unpaid + interest
        paid = owed if month == last or owed <= loan.payment else loan.payment
        to_interest = min(paid, unpaid + interest)
        unpaid = unpaid + interest - to_interest
        principal -= paid - to_interest
        rows.append(ContractMonth(month, paid, interest, principal + unpaid))
        if principal + unpaid == 0:
            break
    return tuple(rows)


@functools.lru_cache(maxsize=256)
def _worked(
    principal: Decimal, rate: Decimal, term: int, payment: Decimal | None, extra: Decimal
) -> tuple[Decimal, tuple[ContractMonth, ...]]:
    """A loan's regular payment and every month from 0 to its last payment, worked out once for
    every contract with the same terms (a comparison prices the same replacement many times)."""
    first = ContractMonth(0, ZERO, ZERO, principal)
    if principal <= 0:
        return ZERO, (first,)
    extras = (ExtraPayment(extra),) if extra > 0 else ()
    schedule = amortize(principal, rate, term, payment=payment, extra_payments=extras)
    rows = (
        first,
        *(ContractMonth(r.number, r.payment + r.extra, r.interest, r.balance) for r in schedule.rows),
    )
    return schedule.payment + extra, rows
