"""The footing, written into an exit's books: a replacement from the day the asset goes, or —
when none is needed — the dearer credit a mark on the report brings to typical borrowing.

A replacement bought like the asset follows the asset's own value path from its price; cash
the exit handed the borrower goes toward it as a down payment. Its loan is priced by the credit
the exit leaves (:meth:`~underwater.exits.facts.Footing.rate_for`). Money is dollars.
"""

from __future__ import annotations

from decimal import Decimal

from underwater.contracts import AmortizingLoan
from underwater.credit import auto_rate, marked_tier, typical_borrowing
from underwater.exits.facts import Facts
from underwater.exits.model import Replacing
from underwater.ledger import BORROWER, FUTURE_LENDERS, LANDLORD, REPLACEMENT_LENDER, SELLER, Ledger
from underwater.money import ZERO, round_cents

__all__ = ["credit_cost", "dearer_credit", "replace_asset"]


def replace_asset(
    books: Ledger, f: Facts, level: str, *, start: int = 0, cash_toward: Decimal = ZERO
) -> Replacing | None:
    """Write the replacement into ``books`` from month ``start`` (``None`` when none is needed:
    then a mark's dearer credit is written instead)."""
    footing = f.footing
    h = books.horizon
    if not footing.needed:
        dearer_credit(books, f, level)
        return None
    if footing.kind == "rent":
        monthly = footing.monthly or ZERO
        paid = ZERO
        # A rent that moves with the home's value is held against today's budget at its first
        # level: its rise is paid, and counted, but as the price level moving, not a larger payment.
        first: Decimal | None = None
        for month in range(start + 1, h + 1):
            rent = monthly
            if footing.rent_yield_percent is not None:
                rent = round_cents(f.value_at(month) * footing.rent_yield_percent / 1200)
            first = rent if first is None else first
            books.cash(month, BORROWER, LANDLORD, rent, "rent", recurring=True)
            if rent > first:
                books.price_rise(month, rent - first)
            paid += rent
        books.use("a rented replacement", start, owned=False)
        return Replacing(False, ZERO, None, monthly, ZERO, paid, ZERO, ZERO)
    price = footing.price
    down = min(cash_toward, price)
    books.cash(start, BORROWER, SELLER, down, "down payment on the replacement")
    rate = footing.rate_for(level)
    amount = price - down
    payment = ZERO
    if amount > 0:
        loan = AmortizingLoan(amount, rate, footing.term_months)
        books.cash(start, REPLACEMENT_LENDER, SELLER, amount, "the replacement's loan, paid to its seller")
        books.run("replacement", loan, REPLACEMENT_LENDER, "the replacement's loan", start)
        payment = loan.regular_payment
    value = f.path.starting_at(price).at(max(h - start, 0))
    books.hold("the replacement", value)
    books.use("the replacement", start)
    owed = books.debts["replacement"].owed_at(h) if "replacement" in books.debts else ZERO
    paid = down + sum((fl.amount for fl in books.flows if fl.debt == "replacement" and fl.month <= h), ZERO)
    return Replacing(True, price, rate, payment, down, paid, value, owed)


def _typical_rates(f: Facts, level: str) -> tuple[Decimal, Decimal]:
    clean = auto_rate(f.tier.name, used=True)
    marked = max(auto_rate(marked_tier(f.tier.name, level), used=True), clean, f.rate or ZERO)
    return clean, marked


def dearer_credit(books: Ledger, f: Facts, level: str) -> None:
    """When no replacement is needed: what a mark of ``level`` adds to a typical used-vehicle
    loan taken today, month by month, as a debt to future lenders (nothing without a mark)."""
    if level not in ("major", "severe"):
        return
    typical = typical_borrowing()
    clean_rate, marked_rate = _typical_rates(f, level)
    if marked_rate <= clean_rate:
        return
    clean = AmortizingLoan(typical.amount, clean_rate, typical.term_months).months(typical.term_months)
    marked = AmortizingLoan(typical.amount, marked_rate, typical.term_months).months(typical.term_months)
    books.open("dearer_credit", FUTURE_LENDERS, "dearer credit on a typical loan after the mark", 0, ZERO)
    for c, m in zip(clean[1:], marked[1:], strict=True):
        books.charge("dearer_credit", m.month, m.interest - c.interest, "interest at the marked rate")
        books.pay("dearer_credit", m.month, m.paid - c.paid, "the higher payment")


def credit_cost(f: Facts, level: str) -> Decimal:
    """What a credit mark of ``level`` costs in today's dollars (at the opportunity rate): the
    dearer replacement loan, or the dearer typical loan when no replacement is needed; 0.00
    without a mark or when a replacement is rented."""
    footing = f.footing
    if level not in ("major", "severe") or footing.kind == "rent":
        return ZERO
    if footing.needed:
        amount, term = footing.price, footing.term_months
        clean_rate, marked_rate = footing.rate_percent, footing.rate_for(level)
    else:
        typical = typical_borrowing()
        amount, term = typical.amount, typical.term_months
        clean_rate, marked_rate = _typical_rates(f, level)
    if marked_rate <= clean_rate or amount <= 0:
        return ZERO
    h = f.horizon
    clean = AmortizingLoan(amount, clean_rate, term).months(h)
    marked = AmortizingLoan(amount, marked_rate, term).months(h)
    total = ZERO
    for c, m in zip(clean[1:], marked[1:], strict=True):
        total += (m.paid - c.paid) * f.opportunity_factor(m.month)
    total += (marked[h].balance - clean[h].balance) * f.opportunity_factor(h)
    return round_cents(total)
