"""The payoff of a simple-interest loan on a given date, as a lender's payoff letter states it.

A simple-interest loan (most car, truck and personal loans) charges interest by the day on the
principal balance. To close it on a date, the borrower pays the balance left after the last
payment, the interest accrued since that payment, and any fees.

**Accrued interest** is worked exactly and rounded once, to the cent, by the one rounding rule:
``balance × rate_percent / 100 × days / day_basis``. (Multiplying a per diem already rounded to
the cent by the days would let the rounding grow with every day: $5,000 at 5 % has a per diem of
0.684…, printed 0.68, and 180 days of it would be 122.40 against the exact 123.29.)

**The per diem** is one day's interest, ``balance × rate_percent / 100 / day_basis``, rounded to
the cent, as payoff letters print it. It is the figure for each day *after* the quoted payoff
date: a quote good through the 21st and paid on the 23rd needs two per diems more
(:meth:`PayoffQuote.payoff_after`).

**Days** are the actual calendar days from the last payment date to the payoff date (the day of
the last payment not counted, the payoff day counted). **The day basis** is the year the lender
divides by: 365 (actual/365, most consumer loans) or 360 (some commercial and older contracts).
A contract that divides by 366 in a leap year (actual/actual) is not supported: 366 is refused
rather than approximated, because over a leap year such a note charges balance × rate × days ×
(1/365 − 1/366) less than actual/365 does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, localcontext
from typing import Any

from underwater.errors import InputError
from underwater.limits import check_date
from underwater.money import format_money, parse_money, parse_percent, round_cents

__all__ = ["PayoffQuote", "payoff_quote"]

Number = Decimal | int | str
_EXACT_PRECISION = 60


@dataclass(frozen=True, slots=True)
class PayoffQuote:
    """A payoff quote (dollars; ``rate_percent`` in percent per year; ``days`` calendar days).

    ``payoff`` = ``balance`` + ``accrued_interest`` + ``fees``; ``accrued_interest`` is the exact
    interest for ``days`` rounded once to the cent, and ``per_diem`` (rounded to the cent) is
    what each day after ``payoff_date`` adds.
    """

    balance: Decimal
    rate_percent: Decimal
    day_basis: int
    last_payment_date: date
    payoff_date: date
    days: int
    per_diem: Decimal
    accrued_interest: Decimal
    fees: Decimal
    payoff: Decimal

    def to_json(self) -> dict[str, Any]:
        """Keys: ``balance``, ``rate_percent``, ``day_basis``, ``last_payment_date``,
        ``payoff_date``, ``days``, ``per_diem``, ``accrued_interest``, ``fees``, ``payoff``.
        Money is a string with two decimals, the rate a string as given, dates ISO text."""
        return {
            "balance": format_money(self.balance),
            "rate_percent": str(self.rate_percent),
            "day_basis": self.day_basis,
            "last_payment_date": self.last_payment_date.isoformat(),
            "payoff_date": self.payoff_date.isoformat(),
            "days": self.days,
            "per_diem": format_money(self.per_diem),
            "accrued_interest": format_money(self.accrued_interest),
            "fees": format_money(self.fees),
            "payoff": format_money(self.payoff),
        }

    def payoff_after(self, extra_days: int) -> Decimal:
        """The payoff (dollars) when the money arrives ``extra_days`` days after ``payoff_date``:
        the quote plus one per diem a day, as a payoff letter tells the reader to extend it.

        >>> quote = payoff_quote(10000, 18, date(2025, 3, 1), date(2025, 3, 11))
        >>> quote.payoff, quote.payoff_after(2)
        (Decimal('10049.32'), Decimal('10059.18'))
        """
        if isinstance(extra_days, bool) or not isinstance(extra_days, int) or extra_days < 0:
            raise InputError("extra_days", "must be a whole number of days, 0 or more", got=extra_days)
        return self.payoff + self.per_diem * extra_days


def _date(value: object, field: str) -> date:
    return check_date(value, field)


def payoff_quote(
    balance: Number,
    rate_percent: Number,
    last_payment_date: date,
    payoff_date: date,
    *,
    day_basis: int = 365,
    fees: Number = 0,
) -> PayoffQuote:
    """What it takes (dollars) to pay off a simple-interest loan on ``payoff_date``.

    ``balance`` is the principal owed after the payment made on ``last_payment_date`` (dollars),
    ``rate_percent`` the contract rate in percent per year (18 means 18 %), ``day_basis`` 365 or
    360, ``fees`` anything else owed (dollars). The rules are in this module's docstring.

    $10,000 owed at 18 % accrues 4.9315… a day (printed 4.93); paid off 10 days after the last
    payment, the interest is 49.315… → 49.32:

    >>> quote = payoff_quote(10000, 18, date(2025, 3, 1), date(2025, 3, 11))
    >>> quote.per_diem, quote.accrued_interest, quote.payoff
    (Decimal('4.93'), Decimal('49.32'), Decimal('10049.32'))
    """
    owed = parse_money(balance, "balance")
    rate = parse_percent(rate_percent, "rate_percent", maximum=Decimal(1000))
    start = _date(last_payment_date, "last_payment_date")
    end = _date(payoff_date, "payoff_date")
    if end < start:
        raise InputError(
            "payoff_date",
            f"must not be before the last payment date {start.isoformat()}",
            got=end.isoformat(),
        )
    if isinstance(day_basis, bool) or day_basis not in (360, 365):
        raise InputError("day_basis", "must be 365 (actual/365) or 360 (a 360-day year)", got=day_basis)
    charges = parse_money(fees, "fees")
    days = (end - start).days
    with localcontext() as ctx:
        # Enough digits that the product is exact and the quotient is rounded only once, to the
        # cent, by the one rule (a quotient that is exactly a half cent stays one).
        ctx.prec = _EXACT_PRECISION
        per_diem = round_cents(owed * rate / (100 * day_basis))
        accrued = round_cents(owed * rate * days / (100 * day_basis))
    return PayoffQuote(
        balance=owed,
        rate_percent=rate,
        day_basis=day_basis,
        last_payment_date=start,
        payoff_date=end,
        days=days,
        per_diem=per_diem,
        accrued_interest=accrued,
        fees=charges,
        payoff=owed + accrued + charges,
    )
