"""Reading the rows of a loan statement as a person pastes them, or as a lender's site exports
them to CSV.

One row per payment: its **date**, the **payment**, what went to **interest**, to
**principal** and to **fees**, and the principal **balance** after it. The rows are read once,
here, into :class:`StatementRow` values; the fit (:mod:`underwater.statement`) never sees text.

- **Columns.** A first line of names is a header: the columns are found by name, in any order
  (:data:`COLUMN_NAMES`: ``Date``, ``Payment`` or ``Amount``, ``Interest``, ``Principal``,
  ``Fees`` or ``Late fee``, ``Balance`` or ``Principal balance`` …; case, spaces and punctuation
  do not matter), and other columns (a description) are left aside. Without a header the
  columns are, in this order: date, payment, interest, principal, fees, balance (six); date,
  payment, interest, principal, balance (five); or date, payment, balance (three).
- **Separators.** Commas (quoted cells as spreadsheets write them, so ``"1,234.56"`` is one
  cell), tabs (what a copy from a web page or a spreadsheet gives), semicolons, or runs of
  spaces when there is none of those.
- **Cells.** A date is ``2026-01-05`` or, as US statements print it, ``01/05/2026`` (month
  first). An amount is dollars as :func:`underwater.money.parse_money` reads them (``$1,234.56``),
  never negative. A blank interest, principal or fee cell means the statement does not say.
- **Lines.** Blank lines and lines starting with ``#`` are skipped; at most :data:`MAX_ROWS`
  rows. Every bad line is named by its number (the first line is line 1), the first few of them
  at once.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from underwater.errors import InputError
from underwater.forms import parse_date
from underwater.money import parse_money

__all__ = ["COLUMN_NAMES", "MAX_ROWS", "StatementRow", "read_rows"]

MAX_ROWS = 400
"""The most rows a statement may have."""

COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "date": (
        "date",
        "posted",
        "postingdate",
        "posteddate",
        "transactiondate",
        "paymentdate",
        "effectivedate",
    ),
    "paid": ("payment", "amount", "paid", "paymentamount", "amountpaid", "totalpayment", "total"),
    "interest": (
        "interest",
        "interestpaid",
        "financecharge",
        "financecharges",
        "interestamount",
        "tointerest",
    ),
    "principal": ("principal", "principalpaid", "principalamount", "toprincipal"),
    "fees": ("fees", "fee", "latefee", "latefees", "latecharge", "latecharges", "otherfees", "tofees"),
    "balance": (
        "balance",
        "principalbalance",
        "newbalance",
        "endingbalance",
        "balanceafter",
        "remainingbalance",
        "loanbalance",
    ),
}
"""Each column and the header names it goes by (lower case, letters only)."""

_ORDERS = {
    6: ("date", "paid", "interest", "principal", "fees", "balance"),
    5: ("date", "paid", "interest", "principal", "balance"),
    3: ("date", "paid", "balance"),
}
_US_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")
_SHOWN_PROBLEMS = 3


@dataclass(frozen=True, slots=True)
class StatementRow:
    """One payment on a statement (dollars): the ``line`` it was on, its date (``on``), the
    amount ``paid``, the principal ``balance`` after it, and what it went to — ``interest``,
    ``principal``, ``fees`` — where the statement says (None where it does not)."""

    line: int
    on: dt.date
    paid: Decimal
    balance: Decimal
    interest: Decimal | None = None
    principal: Decimal | None = None
    fees: Decimal | None = None


def _key(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


def _column_of(name: str) -> str | None:
    key = _key(name)
    return next((column for column, names in COLUMN_NAMES.items() if key in names), None)


def _split(line: str, separator: str | None) -> list[str]:
    if separator is None:
        return line.split()
    return next(csv.reader([line], delimiter=separator, skipinitialspace=True))


def _separator(lines: list[str]) -> str | None:
    sample = lines[0]
    for separator in ("\t", ";", ","):
        if separator in sample:
            return separator
    return None


def _date(text: str, where: str) -> dt.date:
    us = _US_DATE.match(text)
    if us:
        month, day, year = (int(part) for part in us.groups())
        try:
            text = dt.date(year, month, day).isoformat()
        except ValueError:
            raise InputError(where, "is not a real calendar date", got=text) from None
    try:
        return parse_date(text, where)
    except InputError as exc:
        raise InputError(where, "must be a date written 2026-01-05 or 01/05/2026", got=text) from exc


def _amount(text: str, where: str) -> Decimal:
    try:
        return parse_money(text, where)
    except InputError as exc:
        raise InputError(
            where, f"must be an amount in dollars such as 1,234.56 ({exc.rule})", got=text
        ) from None


def _header(cells: list[str]) -> dict[str, int] | None:
    """The column of each field when ``cells`` is a header line (one of them is a column's
    name), else None."""
    if not any(_column_of(c) for c in cells):
        return None
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        column = _column_of(cell)
        if column is not None and column not in found:
            found[column] = index
    return found


def _row(number: int, cells: list[str], columns: dict[str, int]) -> StatementRow:
    values: dict[str, str] = {}
    width = max(columns.values()) + 1
    if len(cells) < width:
        raise InputError(f"line {number}", f"has {len(cells)} cells where the header has {width}")
    for column, index in columns.items():
        values[column] = cells[index].strip()
    on = _date(values["date"], f"line {number}: the date")
    amounts: dict[str, Decimal | None] = {}
    for column in ("paid", "balance", "interest", "principal", "fees"):
        text = values.get(column, "")
        if not text:
            if column in ("paid", "balance"):
                raise InputError(f"line {number}: the {_WORDS[column]}", "is missing")
            amounts[column] = None
            continue
        amounts[column] = _amount(text, f"line {number}: the {_WORDS[column]}")
    paid, balance = amounts["paid"], amounts["balance"]
    assert paid is not None and balance is not None
    return StatementRow(number, on, paid, balance, amounts["interest"], amounts["principal"], amounts["fees"])


_WORDS = {
    "date": "date",
    "paid": "payment",
    "interest": "interest",
    "principal": "principal",
    "fees": "fees",
    "balance": "balance",
}


def read_rows(text: str, field: str = "rows") -> tuple[StatementRow, ...]:
    """The statement's rows from ``text`` (the module docstring), in date order; an
    :class:`~underwater.errors.InputError` on ``field`` names every bad line (the first few).

    >>> rows = read_rows("Date,Payment,Interest,Principal,Balance\\n2026-01-05,450.00,120.33,329.67,18000.00")
    >>> rows[0].on, rows[0].interest, rows[0].balance
    (datetime.date(2026, 1, 5), Decimal('120.33'), Decimal('18000.00'))
    """
    numbered = [
        (number, line)
        for number, line in enumerate(text.split("\n"), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not numbered:
        raise InputError(field, "holds no rows: one line per payment, its date, payment and balance")
    separator = _separator([line for _, line in numbered])
    first_number, first_line = numbered[0]
    try:
        first_cells = _split(first_line, separator)
    except csv.Error as exc:
        raise InputError(field, f"line {first_number} cannot be read: {exc}") from None
    columns = _header(first_cells)
    if columns is not None:
        missing = [_WORDS[c] for c in ("date", "paid", "balance") if c not in columns]
        if missing:
            raise InputError(
                field,
                f"the header on line {first_number} names no column for the {' or the '.join(missing)} "
                "(names it reads: " + ", ".join(names[0] for names in COLUMN_NAMES.values()) + ")",
            )
        numbered = numbered[1:]
    if len(numbered) > MAX_ROWS:
        raise InputError(field, f"has {len(numbered)} rows: at most {MAX_ROWS}")
    rows: list[StatementRow] = []
    problems: list[str] = []
    for number, line in numbered:
        try:
            cells = _split(line, separator)
            if columns is None:
                order = _ORDERS.get(len(cells))
                if order is None:
                    raise InputError(
                        f"line {number}",
                        f"has {len(cells)} cells: without a header a row is date, payment, interest, "
                        "principal, fees, balance (6), without fees (5), or date, payment, balance (3)",
                    )
                row = _row(number, cells, {name: i for i, name in enumerate(order)})
            else:
                row = _row(number, cells, columns)
        except csv.Error as exc:
            problems.append(f"line {number} cannot be read: {exc}")
            continue
        except InputError as exc:
            problems.append(exc.describe())
            continue
        if rows and row.on < rows[-1].on:
            problems.append(
                f"line {number}: its date {row.on.isoformat()} is before line {rows[-1].line}'s "
                f"{rows[-1].on.isoformat()}; the rows must be in date order"
            )
            continue
        rows.append(row)
    if problems:
        more = len(problems) - _SHOWN_PROBLEMS
        shown = "; ".join(problems[:_SHOWN_PROBLEMS]) + (f"; and {more} more" if more > 0 else "")
        raise InputError(field, shown)
    return tuple(rows)
