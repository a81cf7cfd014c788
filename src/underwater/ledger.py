"""One way out as one set of books: dated cash flows between named parties, the debts the
borrower owes and what the borrower holds.

Every figure an exit shows — the cash it needs today, what is owed after it, what is paid over
the horizon, where the borrower stands at the end, what each lender nets, the debt forgiven —
is read off its :class:`Ledger`, never worked out beside it, so nothing can fall out of one
exit's sums and stay in another's. The books follow double entry in the way that matters here:

- a **flow** moves dollars from one named party to another in a month (a payment, a sale's
  proceeds, a selling cost, rent, a tax); what one party pays is what the other receives;
- a **debt** is an account of what the borrower owes one creditor: it is opened, charged
  (interest, costs added), paid (only by a flow to its creditor, recorded with it) and forgiven
  (by its creditor, or barred by a law the entry names); what is owed is read off its entries,
  never kept beside them, so a debt can be paid, still owed or forgiven, but never lost;
- a **holding** is an asset the borrower has at the horizon, at its value then; a **use** is a
  stretch of months in which the borrower has the use of an asset (owned or rented).

:meth:`Ledger.check` proves the invariants the comparison relies on. A contract's payments are
recorded to its end, past the horizon: the borrower's figures are read at the horizon, the
lenders' from every dollar they receive.

Money is dollars (``Decimal``, whole cents); months count from today (month 0).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from underwater.contracts import Contract
from underwater.money import ZERO, format_money
from underwater.valuation import present_value

__all__ = [
    "AUCTION_BUYER",
    "BORROWER",
    "BUYER",
    "DEALER",
    "FUTURE_LENDERS",
    "GAP_PROVIDER",
    "INSURER",
    "LANDLORD",
    "LENDER",
    "NEXT_LENDER",
    "OTHER_LIENHOLDERS",
    "PERSONAL_LENDER",
    "REFINANCE_LENDER",
    "REPLACEMENT_LENDER",
    "SELLER",
    "SERVICE_PROVIDERS",
    "TAX_AUTHORITY",
    "Debt",
    "Entry",
    "Flow",
    "Holding",
    "Ledger",
    "LedgerError",
    "Use",
]

BORROWER = "borrower"
LENDER = "lender"
"""This loan's lender (the first lien)."""
OTHER_LIENHOLDERS = "other lien holders"
"""Holders of the other debt secured by the asset (a second lien, a HELOC), junior to this loan."""
BUYER = "buyer"
AUCTION_BUYER = "auction buyer"
DEALER = "dealer"
NEXT_LENDER = "next deal's lender"
REFINANCE_LENDER = "refinance lender"
REPLACEMENT_LENDER = "replacement's lender"
PERSONAL_LENDER = "personal-loan lender"
SELLER = "replacement's seller"
LANDLORD = "landlord"
INSURER = "insurer"
GAP_PROVIDER = "GAP provider"
TAX_AUTHORITY = "tax authority"
SERVICE_PROVIDERS = "service providers"
"""Those paid to sell, repossess, store or prepare the asset (agents, auctions, tow yards)."""
FUTURE_LENDERS = "future lenders"
"""Whoever lends to the borrower next: a mark on the report makes that credit dearer."""


class LedgerError(AssertionError):
    """An invariant of the books does not hold (a bug, never a user's input)."""


class Flow(NamedTuple):
    """``amount`` dollars (more than 0) from ``payer`` to ``payee`` in ``month``, for ``memo``;
    ``debt`` is the debt it pays, if any; ``recurring`` marks a regular monthly payment. (A
    named tuple: a comparison writes thousands of them.)"""

    month: int
    payer: str
    payee: str
    amount: Decimal
    memo: str
    debt: str | None = None
    recurring: bool = False


class Entry(NamedTuple):
    """One entry on a debt: ``kind`` is ``opened``, ``charged``, ``paid`` or ``forgiven``;
    ``by`` names who paid or who forgave (a party, or a law)."""

    month: int
    kind: str
    amount: Decimal
    memo: str
    by: str


@dataclass(slots=True)
class Debt:
    """What the borrower owes ``creditor`` under one agreement, as its entries say."""

    key: str
    creditor: str
    label: str
    secured: bool
    entries: list[Entry] = field(default_factory=list)
    written_off: Decimal = ZERO
    """What the creditor stops expecting to collect (the borrower still owes it)."""

    def owed_at(self, month: int) -> Decimal:
        """Dollars owed just after ``month``'s entries."""
        owed = ZERO
        for e in self.entries:
            if e.month > month:
                continue
            owed += e.amount if e.kind in ("opened", "charged") else -e.amount
        return owed

    def total(self, kind: str, through: int | None = None) -> Decimal:
        """The sum of the entries of ``kind`` (through ``through`` when given)."""
        return sum(
            (e.amount for e in self.entries if e.kind == kind and (through is None or e.month <= through)),
            ZERO,
        )

    def forgiven_by(self, through: int | None = None) -> dict[str, Decimal]:
        """Dollars forgiven, by who forgave them."""
        out: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for e in self.entries:
            if e.kind == "forgiven" and (through is None or e.month <= through):
                out[e.by] += e.amount
        return dict(out)


@dataclass(frozen=True, slots=True)
class Holding:
    """An asset the borrower holds at the horizon, at its value then (dollars)."""

    what: str
    value_at_horizon: Decimal


@dataclass(frozen=True, slots=True)
class Use:
    """Months ``start`` up to ``end`` (not included; ``None``: to the horizon and beyond) in which
    the borrower has the use of ``what``, ``owned`` or rented."""

    what: str
    start: int
    end: int | None
    owned: bool


class Ledger:
    """The books of one exit over ``horizon`` months (see the module docstring).

    $1,000 owed to the lender, half paid today and half forgiven: nothing is owed after, and
    the lender received what the borrower paid:

    >>> books = Ledger(12)
    >>> books.open("loan", LENDER, "the loan", 0, Decimal("1000.00"), secured=True)
    >>> books.pay("loan", 0, Decimal("500.00"), "half of it")
    >>> books.forgive("loan", 0, Decimal("500.00"), "the rest")
    >>> books.owed_at(12), books.received(LENDER), books.paid_by_borrower()
    (Decimal('0.00'), Decimal('500.00'), Decimal('500.00'))
    >>> books.check()
    """

    def __init__(self, horizon: int) -> None:
        self.horizon = horizon
        self.flows: list[Flow] = []
        self.debts: dict[str, Debt] = {}
        self.holdings: list[Holding] = []
        self.uses: list[Use] = []
        self.risen: dict[int, Decimal] = {}

    # -- recording ---------------------------------------------------------------------------

    def open(
        self, key: str, creditor: str, label: str, month: int, amount: Decimal, *, secured: bool = False
    ) -> None:
        """The borrower owes ``creditor`` ``amount`` from ``month`` on (a new debt ``key``)."""
        if key in self.debts:
            raise LedgerError(f"debt {key!r} opened twice")
        debt = Debt(key, creditor, label, secured)
        debt.entries.append(Entry(month, "opened", amount, label, creditor))
        self.debts[key] = debt

    def charge(self, key: str, month: int, amount: Decimal, memo: str) -> None:
        """``amount`` is added to debt ``key`` in ``month`` (interest, costs)."""
        if amount:
            self.debts[key].entries.append(Entry(month, "charged", amount, memo, self.debts[key].creditor))

    def pay(
        self,
        key: str,
        month: int,
        amount: Decimal,
        memo: str,
        *,
        payer: str = BORROWER,
        recurring: bool = False,
    ) -> None:
        """``payer`` pays ``amount`` on debt ``key`` to its creditor in ``month``."""
        if amount <= 0:
            return
        debt = self.debts[key]
        debt.entries.append(Entry(month, "paid", amount, memo, payer))
        self.flows.append(Flow(month, payer, debt.creditor, amount, memo, key, recurring))

    def forgive(self, key: str, month: int, amount: Decimal, memo: str, *, by: str | None = None) -> None:
        """``amount`` of debt ``key`` is forgiven in ``month`` by its creditor, or barred by the
        law ``by`` names."""
        if amount > 0:
            debt = self.debts[key]
            debt.entries.append(Entry(month, "forgiven", amount, memo, debt.creditor if by is None else by))

    def write_off(self, key: str, amount: Decimal) -> None:
        """The creditor of debt ``key`` stops expecting ``amount`` of it; the borrower still owes it."""
        self.debts[key].written_off += amount

    def cash(
        self, month: int, payer: str, payee: str, amount: Decimal, memo: str, *, recurring: bool = False
    ) -> None:
        """A flow that pays no debt of the borrower's (a price, a cost, rent, proceeds)."""
        if amount > 0:
            self.flows.append(Flow(month, payer, payee, amount, memo, None, recurring))

    def run(
        self,
        key: str,
        contract: Contract,
        creditor: str,
        label: str,
        start: int = 0,
        *,
        secured: bool = True,
        months_now: int = 0,
        through: int | None = None,
    ) -> None:
        """Debt ``key`` under ``contract`` from month ``start``: opened at its balance today, then
        each month's interest charged and payment made, to the contract's end (or ``through``).
        ``months_now`` payments are made at once in month ``start`` (catching up arrears)."""
        months = contract.months(contract.term_months)
        self.open(key, creditor, label, start, months[0].balance, secured=secured)
        entries = self.debts[key].entries
        flows = self.flows
        last = len(months) - 1
        for m in months[1:]:
            when = start + (m.month - months_now if m.month > months_now else 0)
            if through is not None and when > through:
                break
            if m.interest:
                entries.append(Entry(when, "charged", m.interest, "interest", creditor))
            if m.fees:
                entries.append(Entry(when, "charged", m.fees, "fees", creditor))
            if m.paid > 0:
                memo = f"payment {m.month} of {last}"
                entries.append(Entry(when, "paid", m.paid, memo, BORROWER))
                # Caught-up arrears and the last, balancing payment are not the regular monthly payment.
                flows.append(Flow(when, BORROWER, creditor, m.paid, memo, key, months_now < m.month < last))

    def hold(self, what: str, value_at_horizon: Decimal) -> None:
        """The borrower holds ``what`` at the horizon, worth ``value_at_horizon`` dollars."""
        self.holdings.append(Holding(what, value_at_horizon))

    def use(self, what: str, start: int, end: int | None = None, *, owned: bool = True) -> None:
        """The borrower has the use of ``what`` from ``start`` up to ``end``."""
        self.uses.append(Use(what, start, end, owned))

    # -- reading -------------------------------------------------------------------------------

    def borrower_flows(self, through: int | None = None) -> list[tuple[int, Decimal]]:
        """The borrower's net cash out in each month (paid less received), months with any."""
        through = self.horizon if through is None else through
        out: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for f in self.flows:
            if f.month > through:
                continue
            if f.payer == BORROWER:
                out[f.month] += f.amount
            if f.payee == BORROWER:
                out[f.month] -= f.amount
        return sorted(out.items())

    def paid_by_borrower(self, through: int | None = None) -> Decimal:
        """Dollars the borrower pays, less what it receives, months 0..``through`` (the horizon)."""
        return sum((amount for _, amount in self.borrower_flows(through)), ZERO)

    def cash_now(self) -> Decimal:
        """What the borrower pays today less what it receives today."""
        return sum((amount for month, amount in self.borrower_flows(0) if month == 0), ZERO)

    def price_rise(self, month: int, amount: Decimal) -> None:
        """``amount`` of ``month``'s regular payments is the price level rising since the first
        of them (a rent that moves with a home's value): paid and counted, but not held against
        today's monthly budget (:meth:`largest_monthly`)."""
        self.risen[month] = self.risen.get(month, ZERO) + amount

    def largest_monthly(self) -> Decimal:
        """The largest total of regular monthly payments the borrower makes in one month of the
        horizon (a lump sum is not a monthly payment), each at today's price level."""
        months: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for f in self.flows:
            if f.recurring and f.payer == BORROWER and 1 <= f.month <= self.horizon:
                months[f.month] += f.amount
        return max((total - self.risen.get(month, ZERO) for month, total in months.items()), default=ZERO)

    def owed_at(self, month: int) -> Decimal:
        """Everything the borrower owes just after ``month``'s entries."""
        return sum((debt.owed_at(month) for debt in self.debts.values()), ZERO)

    def held_at_horizon(self) -> Decimal:
        """The value of what the borrower holds at the horizon."""
        return sum((h.value_at_horizon for h in self.holdings), ZERO)

    def received(self, party: str) -> Decimal:
        """Every dollar ``party`` receives, at any month."""
        return sum((f.amount for f in self.flows if f.payee == party), ZERO)

    def spent(self, party: str) -> Decimal:
        """Every dollar ``party`` pays out, at any month."""
        return sum((f.amount for f in self.flows if f.payer == party), ZERO)

    def party_flows(self, party: str) -> list[tuple[int, Decimal]]:
        """``party``'s cash in (positive) and out (negative), month by month."""
        return [
            (f.month, f.amount if f.payee == party else -f.amount)
            for f in self.flows
            if party in (f.payer, f.payee) and f.payer != f.payee
        ]

    def nets(self, party: str, rate_percent: Decimal) -> Decimal:
        """What ``party`` nets in today's dollars at ``rate_percent`` a year."""
        return present_value(self.party_flows(party), rate_percent)

    def last_month(self, party: str) -> int:
        """The month of ``party``'s last dollar in or out (0 when none)."""
        return max((month for month, amount in self.party_flows(party) if amount), default=0)

    def claim(self, creditor: str) -> Decimal:
        """What the borrower owed ``creditor`` today, before any exit (its debts opened at month 0)."""
        return sum(
            (
                d.total("opened")
                for d in self.debts.values()
                if d.creditor == creditor and d.entries[0].month == 0
            ),
            ZERO,
        )

    def forgiven(self, creditor: str | None = None) -> Decimal:
        """Debt forgiven (or barred) through the horizon, on ``creditor``'s debts or on all."""
        return sum(
            (
                d.total("forgiven", self.horizon)
                for d in self.debts.values()
                if creditor is None or d.creditor == creditor
            ),
            ZERO,
        )

    def flows_to(self, party: str) -> Iterable[Flow]:
        """The flows ``party`` receives."""
        return (f for f in self.flows if f.payee == party)

    # -- invariants ----------------------------------------------------------------------------

    def check(self) -> None:
        """Raise :class:`LedgerError` unless the books hold together: every flow positive and
        between two parties; every debt never owed below zero (no creditor is paid more than its
        claim and what it charged), each payment on it recorded as a flow to its creditor, each
        forgiveness naming who forgave; and the months in use never overlapping."""
        problems: list[str] = []
        for f in self.flows:
            if f.amount <= 0 or f.payer == f.payee:
                problems.append(f"bad flow {f}")
        for key, debt in self.debts.items():
            owed = ZERO
            entries = sorted(debt.entries, key=lambda e: e.month)
            for i, e in enumerate(entries):
                owed += e.amount if e.kind in ("opened", "charged") else -e.amount
                last_of_month = i + 1 == len(entries) or entries[i + 1].month != e.month
                if last_of_month and owed < 0:
                    problems.append(f"{key}: owed {format_money(owed)} in month {e.month}")
            paid = debt.total("paid")
            flowed = sum((f.amount for f in self.flows if f.debt == key), ZERO)
            if paid != flowed or any(f.payee != debt.creditor for f in self.flows if f.debt == key):
                problems.append(f"{key}: paid {paid} but flows to {debt.creditor} say {flowed}")
            if any(e.kind == "forgiven" and not e.by for e in debt.entries):
                problems.append(f"{key}: forgiven by nobody")
        spans = sorted(self.uses, key=lambda u: u.start)
        for first, second in itertools.pairwise(spans):
            if first.end is None or first.end > second.start:
                problems.append(f"use of {first.what} overlaps {second.what}")
        if problems:
            raise LedgerError("; ".join(problems))

    def covers(self, start: int, end: int) -> bool:
        """Whether the borrower has the use of an asset in every month ``start``..``end``."""
        return all(
            any(u.start <= m and (u.end is None or m < u.end) for u in self.uses)
            for m in range(start, end + 1)
        )

    # -- as JSON -------------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """The books in short: ``debts`` (each with ``key``, ``creditor``, ``label``, ``secured``,
        ``opened``, ``charged``, ``paid``, ``forgiven``, ``forgiven_by``, ``owed_at_horizon``,
        ``written_off``, all through the horizon but ``written_off``), ``parties`` (each party's
        ``receives`` and ``pays``, every month) and ``flows`` (grouped by payer, payee and what
        for: ``payer``, ``payee``, ``memo``, ``first_month``, ``last_month``, ``count``,
        ``total``)."""
        h = self.horizon
        debts = [
            {
                "key": d.key,
                "creditor": d.creditor,
                "label": d.label,
                "secured": d.secured,
                "opened": format_money(d.total("opened", h)),
                "charged": format_money(d.total("charged", h)),
                "paid": format_money(d.total("paid", h)),
                "forgiven": format_money(d.total("forgiven", h)),
                "forgiven_by": {who: format_money(a) for who, a in d.forgiven_by(h).items()},
                "owed_at_horizon": format_money(d.owed_at(h)),
                "written_off": format_money(d.written_off),
            }
            for d in self.debts.values()
        ]
        parties = sorted({f.payer for f in self.flows} | {f.payee for f in self.flows})
        groups: dict[tuple[str, str, str], list[Flow]] = defaultdict(list)
        for f in self.flows:
            memo = "payment" if f.memo.startswith("payment ") else f.memo
            groups[(f.payer, f.payee, memo)].append(f)
        return {
            "debts": debts,
            "parties": [
                {"party": p, "receives": format_money(self.received(p)), "pays": format_money(self.spent(p))}
                for p in parties
            ],
            "flows": [
                {
                    "payer": payer,
                    "payee": payee,
                    "memo": memo,
                    "first_month": min(f.month for f in items),
                    "last_month": max(f.month for f in items),
                    "count": len(items),
                    "total": format_money(sum((f.amount for f in items), ZERO)),
                }
                for (payer, payee, memo), items in groups.items()
            ],
        }
