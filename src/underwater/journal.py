"""A loan and its asset as a plain-text accounting journal, for hledger or Beancount.

Each month is one entry: the interest and the fees charged that month, the payment made, and
what is left of it to take off the loan (payment − interest − fees: negative when the payment
does not cover them, so what is owed grows); and, when the asset's value is followed, the month's
change in value. Every entry asserts the balance the schedule says it leaves, so the ledger
program checks the figures as it reads them, and the asset's account plus the loan's is the net
equity month by month.

**Accounts** (:class:`Accounts`): ``Assets:Vehicle`` (the asset, at its value),
``Liabilities:Loan`` (the loan, owed as a negative balance), ``Liabilities:Other-Liens`` (other
loans on the asset, held as they are), ``Assets:Checking`` (where payments come from),
``Expenses:Interest``, ``Expenses:Fees``, ``Expenses:Depreciation`` (a rise in value is a
negative depreciation) and ``Equity:Opening-Balances``. Names follow both programs' rules
(Beancount's: capitalized components of letters, digits and dashes).

**Syntax.** hledger's journal format (hledger.org, "Journal"): a transaction is a date and a
description, then postings indented, the account name ended by two or more spaces, amounts as
``$-1234.56``; ``= $-1234.56`` after an amount asserts the account's balance after that
posting. Beancount's (beancount.github.io, "Language Syntax"): ``open`` directives, amounts
as ``-1234.56 USD``, and a ``balance`` directive, which Beancount checks at the *start* of its
date, so it is dated the day after the entry it checks.

Money is dollars (``Decimal``, whole cents).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from underwater.errors import InputError
from underwater.money import ZERO, format_money

__all__ = ["STYLES", "Accounts", "JournalMonth", "write_journal"]

STYLES = ("hledger", "beancount")
"""The journal formats written."""


@dataclass(frozen=True, slots=True)
class Accounts:
    """The account names a journal uses (the module docstring)."""

    vehicle: str = "Assets:Vehicle"
    loan: str = "Liabilities:Loan"
    other_liens: str = "Liabilities:Other-Liens"
    cash: str = "Assets:Checking"
    interest: str = "Expenses:Interest"
    fees: str = "Expenses:Fees"
    depreciation: str = "Expenses:Depreciation"
    opening: str = "Equity:Opening-Balances"


@dataclass(frozen=True, slots=True)
class JournalMonth:
    """One month for the journal (dollars): its date (``on``), the cash ``paid`` on the loan,
    the ``interest`` and ``fees`` charged, everything owed on the loan after it (``balance``:
    principal, unpaid interest and fees), and the asset's ``value`` (None when the asset is not
    followed)."""

    on: date
    paid: Decimal
    interest: Decimal
    fees: Decimal
    balance: Decimal
    value: Decimal | None = None


def _amount(style: str, dollars: Decimal) -> str:
    text = format_money(dollars)
    if style == "hledger":
        return f"${text}" if not text.startswith("-") else f"$-{text[1:]}"
    return f"{text} USD"


def _posting(style: str, account: str, dollars: Decimal | None, balance: Decimal | None = None) -> str:
    if dollars is None:
        return f"    {account}"
    line = f"    {account:<28}  {_amount(style, dollars):>14}"
    if balance is not None and style == "hledger":
        line += f" = {_amount(style, balance)}"
    return line


def write_journal(
    months: Sequence[JournalMonth],
    style: str,
    *,
    other_liens: Decimal = ZERO,
    accounts: Accounts = Accounts(),
    title: str = "the loan",
) -> str:
    """The journal of ``months`` (the first is today, the opening balances) in ``style``
    (:data:`STYLES`), with ``other_liens`` dollars of other loans on the asset held as they are.

    >>> today = JournalMonth(date(2027, 1, 1), ZERO, ZERO, ZERO, Decimal(1000), Decimal(900))
    >>> month = JournalMonth(date(2027, 2, 1), Decimal("507.51"), Decimal(10), ZERO, Decimal("502.49"), Decimal(880))
    >>> print(write_journal([today, month], "hledger"))  # doctest: +NORMALIZE_WHITESPACE
    ; the loan and its asset, written by underwater: every entry asserts the balance it leaves
    <BLANKLINE>
    2027-01-01 Opening balances
        Assets:Vehicle                       $900.00 = $900.00
        Liabilities:Loan                   $-1000.00 = $-1000.00
        Equity:Opening-Balances
    <BLANKLINE>
    2027-02-01 Payment 1 on the loan
        Liabilities:Loan                     $497.51 = $-502.49
        Expenses:Interest                     $10.00
        Assets:Checking                     $-507.51
    <BLANKLINE>
    2027-02-01 Value of the asset
        Assets:Vehicle                       $-20.00 = $880.00
        Expenses:Depreciation                 $20.00
    """
    if style not in STYLES:
        raise InputError("journal", "must be " + " or ".join(STYLES), got=style)
    if not months:
        raise InputError("journal", "needs at least the opening month")
    a = accounts
    follows = months[0].value is not None
    lines: list[str] = []
    if style == "beancount":
        lines.append('option "operating_currency" "USD"')
        used = [a.loan, a.cash, a.interest, a.fees, a.opening]
        if follows:
            used += [a.vehicle, a.depreciation]
        if other_liens:
            used.append(a.other_liens)
        lines += [f"{months[0].on.isoformat()} open {name} USD" for name in used]
    lines.append(f"; {title} and its asset, written by underwater: every entry asserts the balance it leaves")
    first = months[0]
    entry = [
        f"{first.on.isoformat()} " + ('* "Opening balances"' if style == "beancount" else "Opening balances")
    ]
    if follows:
        assert first.value is not None
        entry.append(_posting(style, a.vehicle, first.value, first.value))
    entry.append(_posting(style, a.loan, -first.balance, -first.balance))
    if other_liens:
        entry.append(_posting(style, a.other_liens, -other_liens, -other_liens))
    entry.append(_posting(style, a.opening, None))
    lines += ["", *entry]
    lines += _assertions(style, first.on, _balances(a, first, follows))
    before = first
    number = 0
    for month in months[1:]:
        paid_off = month.paid - month.interest - month.fees
        if month.paid or month.interest or month.fees or month.balance != before.balance:
            number += 1
            head = f"Payment {number} on {title}"
            entry = [f"{month.on.isoformat()} " + (f'* "{head}"' if style == "beancount" else head)]
            entry.append(_posting(style, a.loan, paid_off, -month.balance))
            if month.interest:
                entry.append(_posting(style, a.interest, month.interest))
            if month.fees:
                entry.append(_posting(style, a.fees, month.fees))
            entry.append(_posting(style, a.cash, -month.paid))
            lines += ["", *entry]
            lines += _assertions(style, month.on, ((a.loan, -month.balance),))
        if follows and month.value is not None and before.value is not None and month.value != before.value:
            change = month.value - before.value
            head = "Value of the asset"
            entry = [f"{month.on.isoformat()} " + (f'* "{head}"' if style == "beancount" else head)]
            entry.append(_posting(style, a.vehicle, change, month.value))
            entry.append(_posting(style, a.depreciation, -change))
            lines += ["", *entry]
            lines += _assertions(style, month.on, ((a.vehicle, month.value),))
        before = month
    return "\n".join(lines) + "\n"


def _balances(a: Accounts, month: JournalMonth, follows: bool) -> tuple[tuple[str, Decimal], ...]:
    pairs = [(a.loan, -month.balance)]
    if follows and month.value is not None:
        pairs.insert(0, (a.vehicle, month.value))
    return tuple(pairs)


def _assertions(style: str, on: date, balances: Iterable[tuple[str, Decimal]]) -> list[str]:
    """Beancount's balance checks, dated the next morning (hledger's sit on the postings)."""
    if style != "beancount":
        return []
    day = (on + timedelta(days=1)).isoformat()
    return [f"{day} balance {account}  {_amount(style, amount)}" for account, amount in balances]
