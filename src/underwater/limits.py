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

__all__ = [
    "FIRST_DATE",
    "LAST_DATE",
    "MAX_AMOUNT",
    "MAX_AMOUNT_CENTS",
    "MAX_DIGITS",
    "MAX_MONTHS",
]

MAX_AMOUNT = Decimal("1000000000.00")
"""The largest amount of money accepted anywhere, in dollars (one billion)."""
MAX_AMOUNT_CENTS = 100_000_000_000
""":data:`MAX_AMOUNT` in cents: balance × rate stays far inside a 64-bit integer."""
MAX_MONTHS = 600
"""The longest term, horizon or age in months (50 years of monthly payments)."""
MAX_DIGITS = 30
"""The most characters a number may be written with; longer text is refused unread."""
FIRST_DATE = dt.date(1900, 1, 1)
"""The earliest date accepted."""
LAST_DATE = dt.date(2199, 12, 31)
"""The latest date accepted (a 600-month projection from it still fits a calendar)."""
