"""The limits every front enforces: the largest amount, the longest term, the dates accepted.

One table, read by the single-loan parsers (:mod:`underwater.money`, :mod:`underwater.forms`),
the projection and exits, and the loan-book schema, so that a value the CLI takes is a value
the book takes too. Each limit is far beyond any real secured loan and keeps the arithmetic
safe: the book engine works in whole cents in 64-bit integers, and dates stay inside what
:mod:`datetime` can hold after a 50-year projection.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from underwater.errors import InputError

__all__ = [
    "FIRST_DATE",
    "LAST_DATE",
    "MAX_AMOUNT",
    "MAX_AMOUNT_CENTS",
    "MAX_DIGITS",
    "MAX_MONTHS",
    "MAX_RATE_PERCENT",
    "check_date",
]

MAX_AMOUNT = Decimal("1000000000.00")
"""The largest amount of money accepted anywhere, in dollars (one billion)."""
MAX_AMOUNT_CENTS = 100_000_000_000
""":data:`MAX_AMOUNT` in cents: balance × rate stays far inside a 64-bit integer."""
MAX_MONTHS = 600
"""The longest term, horizon or age in months (50 years of monthly payments)."""
MAX_RATE_PERCENT = Decimal(1000)
"""The highest yearly rate a loan may carry or a lease may imply, in percent."""
MAX_DIGITS = 30
"""The most characters a number may be written with; longer text is refused unread."""
FIRST_DATE = dt.date(1900, 1, 1)
"""The earliest date accepted."""
LAST_DATE = dt.date(2199, 12, 31)
"""The latest date accepted (a 600-month projection from it still fits a calendar)."""


def check_date(value: object, field: str) -> dt.date:
    """``value`` as a date if it is one from :data:`FIRST_DATE` to :data:`LAST_DATE` (a
    ``datetime`` gives its date); otherwise :class:`~underwater.errors.InputError` naming
    ``field``. Every library function that takes a date holds to the same range as the fronts,
    so that a schedule or a count of days never runs past what :mod:`datetime` can hold.

    >>> check_date(dt.date(2026, 12, 1), "payoff_date")
    datetime.date(2026, 12, 1)
    >>> check_date(dt.date(9999, 12, 31), "first_payment_date")
    Traceback (most recent call last):
    ...
    underwater.errors.InputError: first_payment_date: must be from 1900-01-01 to 2199-12-31 (got '9999-12-31')
    """
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        raise InputError(field, "must be a date such as 2026-12-01", got=value)
    if not FIRST_DATE <= value <= LAST_DATE:
        raise InputError(field, f"must be from {FIRST_DATE} to {LAST_DATE}", got=value)
    return value
