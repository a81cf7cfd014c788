"""A lease's ways out, each as one set of books, beside the ways a loan and a lease share.

A lease is not a loan: the lessor owns the vehicle, and what it takes to "pay it off" today is the
buyout (the lease balance and the purchase option fee, or the lessor's quote, given as ``owed``).
So a lease's own exits are written here:

- **keep it to the end and hand it back** (``turn_in_at_end``): the payments left, then the
  disposition fee and the miles over the allowance; no vehicle after, so a replacement from the
  lease's end when one is needed;
- **keep it to the end and buy it** (``buy_at_end``): the payments left, then the residual and the
  purchase option fee; the vehicle is yours;
- **end the lease early and hand it back** (``end_lease_early``): the early termination charge
  — the balance and the fees less what the lessor's sale brings — paid now; a replacement from today;
- **stop paying and let the lessor take it back** (``lease_default``): the same liability, with the
  costs of taking it back, collected as far as the lessor can; a severe mark. A lease's default is
  governed by the contract and UCC Article 2A, not Article 9's deficiency rules: no state bar is
  applied.

The ways a lease and a loan share are the loan's own books with the buyout as the payoff: buy it
out and sell it (paying the gap, or covering it with a personal loan), trade it in (the dealer
buys the lease out), buy it out with a loan, keep it until it is worth its buyout and then sell,
and the total-loss scenarios. A short sale, a payment plan, a settlement for less and a deferral
are a lender's workouts of a loan; for a lease they are not worked out.

Money is dollars; months count from today.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from underwater.deficiency import default_expenses
from underwater.exits.books import LOAN, new_books, unavailable
from underwater.exits.facts import Facts
from underwater.exits.have_it import (
    collect,
    finish,
    keep_to_crossover,
    pay_the_gap,
    refinance,
    sale_assumes,
    sell_with_personal_loan,
    total_loss,
    trade_in,
)
from underwater.exits.model import CreditConsequence, Exit
from underwater.exits.replacing import replace_asset
from underwater.lease_contract import Lease
from underwater.ledger import AUCTION_BUYER, LENDER, SERVICE_PROVIDERS, Ledger
from underwater.money import ZERO, format_money_human

__all__ = ["RETURNED", "lease_exits"]

RETURNED = "the vehicle handed back"
"""The party a handed-back vehicle comes from in the lessor's books (never the borrower's money)."""

_NOT_FOR_A_LEASE = {
    "short_sale": (
        "A short sale",
        "the lessor owns the vehicle: a lease ends early by its own terms instead",
    ),
    "payment_plan": (
        "Sell, then pay the gap in installments",
        "a lender's workout of a loan; not worked out for a lease",
    ),
    "settlement": (
        "Sell, then settle the gap for a lump sum",
        "a lender's workout of a loan; not worked out for a lease",
    ),
    "deferral": (
        "Ask to skip payments (a deferral)",
        "not worked out for a lease: ask the lessor about an extension",
    ),
}
_SHARED_TITLES = {
    "pay_the_gap": "Buy it out and sell it, paying the gap",
    "sell_with_personal_loan": "Buy it out and sell it, the gap on a personal loan",
    "trade_in": "Trade it in: the dealer buys out the lease",
    "refinance": "Buy it out with a loan",
    "keep_to_crossover": "Keep it until it is worth its buyout, then buy it out and sell it",
}


def _lease(f: Facts) -> Lease:
    assert isinstance(f.contract, Lease)
    return f.contract


def _excess_miles(f: Facts) -> tuple[Decimal, Decimal]:
    """The miles over the allowance at the lease's end, and their charge (dollars)."""
    deal = f.lease
    assert deal is not None and deal.term_months is not None
    miles = f.s.asset.annual_miles
    if deal.miles_allowed_per_year is None or miles is None:
        return ZERO, ZERO
    over = max((miles - deal.miles_allowed_per_year) * deal.term_months / 12, ZERO).quantize(Decimal(1))
    return over, over * deal.excess_mile_charge


def _pay_to_the_end(f: Facts, at_end: Decimal, memo: str) -> tuple[Ledger, int]:
    """Books with the lease's payments left, then ``at_end`` dollars at its end."""
    lease = _lease(f)
    books = new_books(f, loan=False)
    left = lease.term_months
    books.open(
        LOAN,
        LENDER,
        "the lease's payments and what is due at its end",
        0,
        lease.regular_payment * left + at_end,
    )
    for month in range(1, left + 1):
        books.pay(LOAN, month, lease.regular_payment, f"lease payment {month} of {left}", recurring=True)
    books.pay(LOAN, left, at_end, memo)
    return books, left


def turn_in_at_end(f: Facts) -> Exit:
    """Keep it to the end of the lease and hand it back."""
    lease = _lease(f)
    miles, charge = _excess_miles(f)
    fee = lease.terms.disposition_fee
    books, left = _pay_to_the_end(f, fee + charge, "the disposition fee and the miles over")
    books.use("the leased vehicle", 0, left, owned=False)
    # The vehicle goes back to the lessor, who owns it: worth to it what it would fetch then.
    books.cash(left, RETURNED, LENDER, f.value_at(left), "the vehicle handed back, at its value then")
    rep = replace_asset(books, f, "none", start=left)
    caveats = [
        "The vehicle goes back at the end: nothing of it is yours, whatever it is worth then.",
        "Wear beyond normal use is charged when it goes back; it is not counted here.",
    ]
    if rep is not None:
        caveats.append(f"Counts a replacement like it from month {left}, when the lease ends.")
    return Exit(
        "turn_in_at_end",
        "Keep it to the end of the lease and hand it back",
        "exit",
        books,
        None,
        f.payoff,
        CreditConsequence("none", "the lease is paid as agreed", ZERO),
        tuple(caveats),
        (
            ("monthly_payment", lease.regular_payment),
            ("payments_left", left),
            ("disposition_fee", fee),
            ("excess_miles", miles),
            ("excess_mile_charge", charge),
            ("lease_ends_month", left),
        ),
        replacing=rep,
        how="is paid as agreed to the end of the lease, then takes the vehicle back",
    )


def buy_at_end(f: Facts) -> Exit:
    """Keep it to the end of the lease and buy it."""
    lease = _lease(f)
    price = lease.terms.buyout_after(lease.terms.term_months)
    books, left = _pay_to_the_end(f, price, "the residual and the purchase option fee")
    books.hold("the vehicle, bought at the lease's end", f.value_at(f.horizon))
    books.use("the vehicle", 0)
    worth = f.value_at(left)
    caveats = [
        f"At the end it takes {format_money_human(price)} to buy it, when it is likely worth "
        f"{format_money_human(worth)}: {'more than' if price > worth else 'no more than'} it would fetch.",
        "Sales tax on the price is due in most states; it is not counted here.",
    ]
    return Exit(
        "buy_at_end",
        "Keep it to the end of the lease and buy it",
        "exit",
        books,
        None,
        f.payoff,
        CreditConsequence("none", "the lease is paid as agreed", ZERO),
        tuple(caveats),
        (
            ("monthly_payment", lease.regular_payment),
            ("payments_left", left),
            ("buyout_at_end", price),
            ("value_at_lease_end", worth),
        ),
        how="is paid as agreed to the end of the lease, then the residual and the purchase option fee",
    )


def end_early(f: Facts) -> Exit:
    """End the lease now and hand it back: the early termination charge, paid now."""
    lease = _lease(f)
    terms = lease.terms
    sale = f.auction_at(0)
    fees = terms.early_termination_fee + terms.disposition_fee
    books = new_books(f)
    books.charge(LOAN, 0, fees, "the early termination and disposition fees")
    owed = books.debts[LOAN].owed_at(0)
    applied = min(sale.price, owed)
    books.pay(LOAN, 0, applied, "the lessor's sale of it", payer=AUCTION_BUYER)
    books.cash(0, AUCTION_BUYER, LENDER, sale.price - applied, "the lessor's sale above the payoff")
    charge = max(owed - applied, ZERO)
    books.pay(LOAN, 0, charge, "the early termination charge")
    return finish(
        f,
        books,
        "end_lease_early",
        "End the lease early and hand it back",
        CreditConsequence("none", "ended by the contract's own terms and paid in full"),
        [
            f"The lessor credits what its sale brings ({format_money_human(sale.price)}, {sale.basis}); ask it for the "
            "figure in writing, and whether a dealer would pay more.",
        ],
        (
            ("early_termination_charge", charge),
            ("fees", fees),
            ("lessor_sale", sale.price),
        ),
        how="takes the vehicle back today, sells it, and charges what the sale leaves of the payoff and the fees",
        sale=("auction", sale.price),
        assumes=() if f.s.lender.auction_price is not None else ("auction_price",),
    )


def lease_default(f: Facts) -> Exit:
    """Stop paying: the lessor takes it back and charges the early termination liability and its
    costs, collected as far as it can."""
    lease = _lease(f)
    terms = lease.terms
    costs = default_expenses(f.kind).expenses.total
    month = f.lender_terms.months_to_sell
    sale = f.auction_at(month)
    books = new_books(f)
    books.cash(month, LENDER, SERVICE_PROVIDERS, costs, "taking it back, storing and selling it")
    books.charge(LOAN, month, costs + terms.early_termination_fee + terms.disposition_fee, "costs and fees")
    owed = books.debts[LOAN].owed_at(month)
    applied = min(sale.price, owed)
    books.pay(LOAN, month, applied, "the lessor's sale of it", payer=AUCTION_BUYER)
    books.cash(month, AUCTION_BUYER, LENDER, sale.price - applied, "the lessor's sale above what is owed")
    left = owed - applied
    collected = collect(f, books, LOAN, month, left) if left else ZERO
    a = f.lender_terms
    return finish(
        f,
        books,
        "lease_default",
        "Stop paying: the lessor takes it back",
        CreditConsequence(
            "severe", "default, then a repossession: it stays on a credit report for seven years"
        ),
        [
            f"The lessor sells it in month {month} for {format_money_human(sale.price)} ({sale.basis}) and charges the "
            "early termination liability and its costs: what is left stays owed, but for the share it collects.",
            "A lease's default follows the contract (UCC Article 2A): no state deficiency bar is applied here.",
        ],
        (
            ("lessor_sale", sale.price),
            ("expenses_total", costs),
            ("deficiency", left),
            ("deficiency_collected", collected),
        ),
        how=(
            f"sells it in month {month} for {format_money_human(sale.price)} and collects {a.collect_percent} % of the "
            f"{format_money_human(left)} left"
        ),
        sale=("auction", sale.price),
        assumes=sale_assumes(f),
    )


def lease_exits(f: Facts) -> list[Exit]:
    """Every way out of a lease (the module docstring), in the comparison's order."""
    shared = [
        pay_the_gap(f),
        sell_with_personal_loan(f),
        trade_in(f),
        refinance(f),
        keep_to_crossover(f),
    ]
    exits = [replace(e, title=_SHARED_TITLES[e.name]) for e in shared]
    exits += [turn_in_at_end(f), buy_at_end(f), end_early(f), lease_default(f)]
    exits += [total_loss(f, gap_covered=True), total_loss(f, gap_covered=False)]
    credit = CreditConsequence("none", "not worked out for a lease")
    exits += [unavailable(name, title, f, why, credit) for name, (title, why) in _NOT_FOR_A_LEASE.items()]
    return exits
