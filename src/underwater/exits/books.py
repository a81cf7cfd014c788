"""The pieces every exit's books are built from: the debts owed today, a sale split by lien
priority, tax on forgiven debt, and an exit that cannot be worked out.

This loan is the first lien; the other liens on the asset come after it. A sale's price pays
the selling costs, then this loan, then the other liens; what is left goes to the borrower, and
what it does not cover is the borrower's to pay or a lien holder's to forgive. Money is dollars.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from underwater.contracts import Contract
from underwater.exits.facts import Facts
from underwater.exits.model import CreditConsequence, Exit
from underwater.ledger import (
    BORROWER,
    LENDER,
    OTHER_LIENHOLDERS,
    SERVICE_PROVIDERS,
    TAX_AUTHORITY,
    Ledger,
)
from underwater.money import ZERO
from underwater.valuation import tax_paid_after_months

__all__ = ["LIENS", "LOAN", "TAX", "Split", "new_books", "repay", "sell", "tax_forgiven", "unavailable"]

LOAN = "loan"
"""This loan's debt in every exit's books."""
LIENS = "other_liens"
"""The other liens' debt, when there are any."""
TAX = "tax"
"""The tax on forgiven debt."""


def new_books(f: Facts, *, loan: bool = True, liens_paid_through: int | None = 0) -> Ledger:
    """Books over the comparison's horizon holding today's debts: this loan at its payoff
    (unless ``loan`` is false: an exit that runs the loan's contract opens it itself) and the
    other liens. A second loan given with its terms is paid as agreed through month
    ``liens_paid_through`` (``None``: to its end), while the asset is kept; other liens stay
    as they are."""
    books = Ledger(f.horizon)
    if loan:
        books.open(LOAN, LENDER, "this loan", 0, f.payoff, secured=True)
    if f.second is not None:
        books.run(LIENS, f.second, OTHER_LIENHOLDERS, "the second loan on it", 0, through=liens_paid_through)
    elif f.liens:
        books.open(LIENS, OTHER_LIENHOLDERS, "the other liens on it", 0, f.liens, secured=True)
    return books


@dataclass(frozen=True, slots=True)
class Split:
    """What a sale left unpaid on this loan and on the other liens, and what it handed back."""

    loan_short: Decimal
    liens_short: Decimal
    handed_back: Decimal


def sell(books: Ledger, month: int, price: Decimal, costs: Decimal, buyer: str, memo: str) -> Split:
    """``buyer`` pays ``price`` in ``month``: the selling ``costs`` first (the borrower pays any
    the price does not cover), then this loan, then the other liens, then the borrower."""
    left = price
    covered = min(costs, left)
    books.cash(month, buyer, SERVICE_PROVIDERS, covered, "selling costs")
    books.cash(month, BORROWER, SERVICE_PROVIDERS, costs - covered, "selling costs")
    left -= covered
    owed = books.debts[LOAN].owed_at(month)
    to_loan = min(left, owed)
    books.pay(LOAN, month, to_loan, memo, payer=buyer)
    left -= to_loan
    liens = books.debts[LIENS].owed_at(month) if LIENS in books.debts else ZERO
    to_liens = min(left, liens)
    if to_liens:
        books.pay(LIENS, month, to_liens, memo, payer=buyer)
    left -= to_liens
    books.cash(month, buyer, BORROWER, left, "what the sale hands back")
    return Split(owed - to_loan, liens - to_liens, left)


def repay(books: Ledger, key: str, contract: Contract, start: int = 0) -> None:
    """What is left of debt ``key`` repaid under ``contract`` (a plan) from ``start``: each month's
    interest charged and payment made on the same debt."""
    months = contract.months(contract.term_months)
    for m in months[1:]:
        books.charge(key, start + m.month, m.interest, "interest")
        books.pay(key, start + m.month, m.paid, f"plan payment {m.month}", recurring=True)


def tax_forgiven(books: Ledger, f: Facts, month: int, forgiven: Decimal) -> Decimal:
    """The income tax on ``forgiven`` dollars, owed from ``month`` and paid with the year's
    return; returns the tax."""
    tax = f.tax_on(forgiven)
    if tax > 0:
        books.open(TAX, TAX_AUTHORITY, "tax on the forgiven debt", month, tax)
        books.pay(TAX, month + tax_paid_after_months(), tax, "tax on the forgiven debt")
    return tax


def unavailable(
    name: str, title: str, f: Facts, why: str, credit: CreditConsequence, *, kind: str = "exit"
) -> Exit:
    """An exit that cannot be worked out, with the reason (a sentence naming what to give)."""
    return Exit(name, title, kind, None, why, f.payoff, credit, status="not_worked_out")
