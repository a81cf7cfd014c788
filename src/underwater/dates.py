"""The library's one calendar: month arithmetic, payment dates and day counts.

**Months.** :func:`add_months` moves a date by whole months and keeps its day, moved back to the
month's last day when the month is shorter (31 January + 1 month = 28 or 29 February). A series
of monthly dates keeps the day it started on (:func:`payment_date`), so a loan due on the 31st is
due on 28 February and again on 31 March.

**Payment dates** (:data:`FREQUENCIES`):

- ``monthly``: the first date's day of the month, every month, as above;
- ``semi-monthly``: two days in every month fifteen days apart, the early day (1-15) and the early
  day + 15 (16-30, moved back to the month's last day when the month is shorter). A first date on
  the 1st gives the 1st and the 16th; on the 20th it gives the 20th and then the 5th of the next
  month; on the 31st it gives the 16th and the 31st (the 28th or 29th, 30th in short months);
- ``biweekly``: every 14 days; ``weekly``: every 7 days.

**Day counts** (:class:`DayCount`, in the spirit of QuantLib's ``DayCounter``): how many days of
interest lie between two dates and how many days the year has that each of them is a share of.

- ``actual/365``: calendar days, each 1/365 of a year, leap years too (most consumer loans);
- ``actual/actual``: calendar days, each 1/366 of a year in a leap year and 1/365 otherwise (the
  ISDA reading: days in a leap year count against 366);
- ``actual/360``: calendar days, each 1/360 of a year (some commercial and older contracts);
- ``30/360``: every month counted as 30 days (the US "bond basis", ISDA 2006 Definitions §4.16(f):
  a first day of 31 counts as 30; a last day of 31 counts as 30 when the first day is 30 or
  31), each 1/360 of a year. A loan due on the 1st to the 28th paid on its due dates has exactly
  30 days in every period, so its interest is the monthly rate's.

From the 1st to the 11th is ten days of interest: the days from the 1st to the 10th, each charged
on the balance owed at its end, so under ``actual/actual`` a day counts against its own year's
length (ISDA: from 21 December 2023 to 10 January 2024 is 11 days of 2023 and 9 of 2024).
"""

from __future__ import annotations

import enum
from datetime import date, timedelta
from fractions import Fraction

__all__ = [
    "FREQUENCIES",
    "DayCount",
    "add_months",
    "is_leap",
    "month_days",
    "months_between",
    "payment_date",
]

FREQUENCIES: dict[str, int] = {"monthly": 12, "semi-monthly": 24, "biweekly": 26, "weekly": 52}
"""Payment frequencies and how many payments each makes in a year."""

_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def is_leap(year: int) -> bool:
    """Whether ``year`` is a leap year by the Gregorian rule.

    >>> is_leap(2024), is_leap(2100), is_leap(2000)
    (True, False, True)
    """
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def month_days(year: int, month: int) -> int:
    """The days in ``month`` (1-12) of ``year``.

    >>> month_days(2024, 2), month_days(2025, 2), month_days(2025, 4)
    (29, 28, 30)
    """
    if month == 2 and is_leap(year):
        return 29
    return _MONTH_DAYS[month - 1]


def add_months(start: date, months: int, day: int | None = None) -> date:
    """``start`` moved ``months`` whole months (negative goes back), on ``day`` of that month
    (default ``start``'s day), moved back to the month's last day when the month is shorter.

    >>> add_months(date(2026, 1, 31), 1), add_months(date(2026, 2, 28), 1, day=31)
    (datetime.date(2026, 2, 28), datetime.date(2026, 3, 31))
    """
    index = start.year * 12 + start.month - 1 + months
    year, month0 = divmod(index, 12)
    wanted = start.day if day is None else day
    return date(year, month0 + 1, min(wanted, month_days(year, month0 + 1)))


def months_between(start: date, end: date) -> int:
    """Calendar months from ``start``'s month to ``end``'s month (the days are not looked at):
    how many month-ends lie between them.

    >>> months_between(date(2026, 1, 31), date(2026, 3, 1)), months_between(date(2026, 3, 1), date(2026, 1, 1))
    (2, -2)
    """
    return (end.year - start.year) * 12 + end.month - start.month


def payment_date(first: date, index: int, frequency: str = "monthly") -> date:
    """The date of payment number ``index`` (0 is ``first``) of a series of ``frequency``
    (:data:`FREQUENCIES`), by the rules in this module's docstring.

    >>> [payment_date(date(2024, 1, 31), k).isoformat() for k in range(3)]
    ['2024-01-31', '2024-02-29', '2024-03-31']
    >>> [payment_date(date(2024, 1, 20), k, "semi-monthly").day for k in range(3)]
    [20, 5, 20]
    """
    if frequency == "weekly":
        return first + timedelta(days=7 * index)
    if frequency == "biweekly":
        return first + timedelta(days=14 * index)
    if frequency == "monthly":
        return add_months(first, index)
    late_start = first.day > 15
    early_day = first.day - 15 if late_start else first.day
    months, half = divmod(index + int(late_start), 2)
    return add_months(first, months, early_day + 15 * half)


class DayCount(enum.Enum):
    """How a lender counts the days of interest between two dates and the year they are a share
    of (this module's docstring). The value is the name a contract uses.

    >>> DayCount.ACT_365F.days(date(2024, 2, 1), date(2024, 3, 1))
    29
    >>> DayCount.THIRTY_360.days(date(2024, 1, 31), date(2024, 3, 1))
    31
    >>> DayCount.ACT_ACT.pieces(date(2023, 12, 21), date(2024, 1, 10))
    ((11, 365), (9, 366))
    """

    ACT_365F = "actual/365"
    ACT_ACT = "actual/actual"
    ACT_360 = "actual/360"
    THIRTY_360 = "30/360"

    @property
    def words(self) -> str:
        """The convention as a person would read it in a contract."""
        return _WORDS[self]

    def days(self, start: date, end: date) -> int:
        """Days of interest from ``start`` (not counted) to ``end`` (counted); negative when
        ``end`` is earlier."""
        if self is DayCount.THIRTY_360:
            d1 = min(start.day, 30)
            d2 = 30 if end.day == 31 and d1 == 30 else end.day
            return 360 * (end.year - start.year) + 30 * (end.month - start.month) + d2 - d1
        return (end - start).days

    def year_days(self, day: date) -> int:
        """The days in the year that a day's interest on ``day`` is a share of."""
        if self is DayCount.ACT_ACT:
            return 366 if is_leap(day.year) else 365
        return 365 if self is DayCount.ACT_365F else 360

    def pieces(self, start: date, end: date) -> tuple[tuple[int, int], ...]:
        """The days from ``start`` to ``end`` as runs of ``(days, year_days)`` with one year
        length each: one run, except under ``actual/actual`` across a new year. Empty when
        ``end`` is not after ``start``."""
        if end <= start:
            return ()
        if self is not DayCount.ACT_ACT:
            return ((self.days(start, end), self.year_days(end)),)
        last = end - timedelta(days=1)
        return tuple(
            (
                (min(last, date(year, 12, 31)) - max(start, date(year, 1, 1))).days + 1,
                366 if is_leap(year) else 365,
            )
            for year in range(start.year, last.year + 1)
        )

    def year_fraction(self, start: date, end: date) -> Fraction:
        """The share of a year from ``start`` to ``end``, exactly.

        >>> DayCount.ACT_360.year_fraction(date(2025, 1, 1), date(2025, 1, 31))
        Fraction(1, 12)
        """
        return sum((Fraction(days, year) for days, year in self.pieces(start, end)), Fraction(0))

    @classmethod
    def read(cls, text: str) -> DayCount:
        """The day count a name stands for (``actual/365``, ``act/360``, ``30/360`` …).

        >>> DayCount.read("ACT/ACT"), DayCount.read("365")
        (<DayCount.ACT_ACT: 'actual/actual'>, <DayCount.ACT_365F: 'actual/365'>)
        """
        key = text.strip().lower().replace(" ", "")
        for member in cls:
            if key == member.value or key in _ALIASES[member]:
                return member
        raise ValueError(f"unknown day count {text!r}")


_WORDS = {
    DayCount.ACT_365F: "actual days, a 365-day year",
    DayCount.ACT_ACT: "actual days, a 366-day year in leap years",
    DayCount.ACT_360: "actual days, a 360-day year",
    DayCount.THIRTY_360: "30-day months, a 360-day year",
}
_ALIASES = {
    DayCount.ACT_365F: ("act/365", "actual/365fixed", "act/365f", "365", "365/365"),
    DayCount.ACT_ACT: ("act/act", "actual/actual(isda)", "act/actisda"),
    DayCount.ACT_360: ("act/360", "360", "365/360"),
    DayCount.THIRTY_360: ("30/360us", "30e/360us", "bond"),
}
