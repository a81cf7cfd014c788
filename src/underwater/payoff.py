"""The payoff of a simple-interest loan on a given date, as a lender's payoff letter states it.

A simple-interest loan (most car, truck and personal loans) charges interest by the day on the
principal balance. To close it on a date, the borrower pays the balance left after the last
payment, the interest accrued since that payment, and any fees.

**The per diem** is one day's interest, ``balance × rate_percent / 100`` over the days in the
lender's year (:class:`underwater.dates.DayCount`), rounded to the cent by the one rounding rule,
as payoff letters print it. It is also the figure for each
day *after* the quoted payoff date: a quote good through the 21st and paid on the 23rd needs two
per diems more (:meth:`PayoffQuote.payoff_after`).

**Accrued interest** follows one of two named conventions (:data:`CONVENTIONS`):

- ``per_diem`` (the default): the per diem, rounded to the cent, times the days — what a payoff
  letter and the CFPB's Closing Disclosure print ("Prepaid Interest ($17.44 per day from 4/15/13
  to 5/1/13)": 17.44 × 16 = 279.04 on $162,000 at 3.875 % over a 360-day year), so the letter's
  figures multiply out;
- ``exact``: ``balance × rate_percent / 100 × days / year`` worked exactly and rounded once
  (279.00 in the same example), as interest textbooks compute exact and ordinary interest. The
  two differ by at most half a cent a day.

**Days** are counted from the last payment date to the payoff date by the contract's day count
(:mod:`underwater.dates`): actual/365 (most consumer loans), actual/actual (a 366-day year in
leap years, so the days in a leap year each earn 1/366 of a year's interest and the per diem
changes on 1 January), actual/360 (some commercial and older contracts) or 30/360. The arithmetic
is :func:`underwater.simple_interest.accrue`'s, the one a daily simple-interest loan uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from underwater.dates import DayCount
from underwater.errors import InputError
from underwater.limits import check_date
from underwater.money import format_money, parse_money, parse_percent
from underwater.simple_interest import Conventions, accrue, per_diem

__all__ = ["CONVENTIONS", "PayoffQuote", "payoff_quote"]

Number = Decimal | int | str
CONVENTIONS = ("per_diem", "exact")
"""How accrued interest is worked: the rounded per diem times the days, or exactly, rounded once."""


@dataclass(frozen=True, slots=True)
class PayoffQuote:
    """A payoff quote (dollars; ``rate_percent`` in percent per year; ``days`` calendar days).

    ``payoff`` = ``balance`` + ``accrued_interest`` + ``fees``; ``accrued_interest`` is the
    interest for ``days`` by the ``interest_convention`` (:data:`CONVENTIONS`), and ``per_diem``
    (rounded to the cent) is what each day after ``payoff_date`` adds.
    """

    balance: Decimal
    rate_percent: Decimal
    day_count: DayCount
    last_payment_date: date
    payoff_date: date
    days: int
    per_diem: Decimal
    accrued_interest: Decimal
    fees: Decimal
    payoff: Decimal
    interest_convention: str = "per_diem"

    def to_json(self) -> dict[str, Any]:
        """Keys: ``balance``, ``rate_percent``, ``day_count`` (``actual/365`` …), ``last_payment_date``,
        ``payoff_date``, ``days``, ``per_diem``, ``interest_convention``, ``accrued_interest``,
        ``fees``, ``payoff``. Money is a string with two decimals, the rate a string as given,
        dates ISO text."""
        return {
            "balance": format_money(self.balance),
            "rate_percent": str(self.rate_percent),
            "day_count": self.day_count.value,
            "last_payment_date": self.last_payment_date.isoformat(),
            "payoff_date": self.payoff_date.isoformat(),
            "days": self.days,
            "per_diem": format_money(self.per_diem),
            "interest_convention": self.interest_convention,
            "accrued_interest": format_money(self.accrued_interest),
            "fees": format_money(self.fees),
            "payoff": format_money(self.payoff),
        }

    def payoff_after(self, extra_days: int) -> Decimal:
        """The payoff (dollars) when the money arrives ``extra_days`` days after ``payoff_date``:
        the quote plus one per diem a day, as a payoff letter tells the reader to extend it.

        >>> quote = payoff_quote(10000, 18, date(2025, 3, 1), date(2025, 3, 11))
        >>> quote.payoff, quote.payoff_after(2)
        (Decimal('10049.30'), Decimal('10059.16'))
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
    day_count: DayCount = DayCount.ACT_365F,
    fees: Number = 0,
    interest_convention: str = "per_diem",
) -> PayoffQuote:
    """What it takes (dollars) to pay off a simple-interest loan on ``payoff_date``.

    ``balance`` is the principal owed after the payment made on ``last_payment_date`` (dollars),
    ``rate_percent`` the contract rate in percent per year (18 means 18 %), ``day_count`` how the
    contract counts days and years (:class:`underwater.dates.DayCount`), ``fees`` anything else owed (dollars), ``interest_convention`` ``per_diem`` (default)
    or ``exact``. The rules are in this module's docstring.

    $10,000 owed at 18 % accrues 4.9315… a day (printed 4.93); paid off 10 days after the last
    payment, the letter's interest is 10 × 4.93 = 49.30 (exactly, 49.315… → 49.32):

    >>> quote = payoff_quote(10000, 18, date(2025, 3, 1), date(2025, 3, 11))
    >>> quote.per_diem, quote.accrued_interest, quote.payoff
    (Decimal('4.93'), Decimal('49.30'), Decimal('10049.30'))
    >>> payoff_quote(10000, 18, date(2025, 3, 1), date(2025, 3, 11), interest_convention="exact").accrued_interest
    Decimal('49.32')
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
    if not isinstance(day_count, DayCount):
        raise InputError("day_count", "must be one of " + ", ".join(d.value for d in DayCount), got=day_count)
    charges = parse_money(fees, "fees")
    if interest_convention not in CONVENTIONS:
        raise InputError(
            "interest_convention",
            "must be per_diem (the rounded per diem times the days) or exact",
            got=interest_convention,
        )
    letter = Conventions(day_count, per_diem_places=None if interest_convention == "exact" else 2)
    accrued = accrue(owed, rate, start, end, letter)
    return PayoffQuote(
        balance=owed,
        rate_percent=rate,
        day_count=day_count,
        last_payment_date=start,
        payoff_date=end,
        days=day_count.days(start, end),
        per_diem=per_diem(owed, rate, end, Conventions(day_count)),
        accrued_interest=accrued,
        fees=charges,
        payoff=owed + accrued + charges,
        interest_convention=interest_convention,
    )
