"""Exact money: parsing what people type, one rounding rule, formatting at the boundaries.

Money is :class:`decimal.Decimal` throughout the single-loan engine. Amounts enter through
:func:`parse_money` (which refuses ``float``, NaN, infinities, fractions of a cent and, unless
asked, negative numbers) and leave through :func:`format_money` as a string with two decimals.

**The rounding rule.** Whenever a result must become whole cents (a period's interest, a
payment, a money figure in JSON), it is rounded to the nearest cent with halves rounded away
from zero (``ROUND_HALF_UP`` in :mod:`decimal`): 2.205 → 2.21 and -2.205 → -2.21. That is what
a spreadsheet's ``ROUND(x, 2)`` does and what loan statements print. Ratios (LTV, CLTV) are kept
exact inside and rounded by the same rule to four decimals when shown. Intermediate values
(a periodic rate, an unrounded level payment) are never rounded before the step that needs
cents.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from underwater.errors import InputError
from underwater.limits import MAX_AMOUNT, MAX_DIGITS
from underwater.patterns import AMOUNT, NUMBER, strip_blanks

__all__ = [
    "CENT",
    "ROUNDING",
    "ZERO",
    "format_money",
    "format_money_human",
    "format_percent",
    "format_ratio",
    "from_cents",
    "parse_decimal",
    "parse_money",
    "parse_percent",
    "round_cents",
    "to_cents",
]

ROUNDING = ROUND_HALF_UP
"""The one rounding mode: halves go away from zero (2.205 → 2.21, -2.205 → -2.21)."""

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
_RATIO_QUANTUM = Decimal("0.0001")

_EUROPEAN = re.compile(r"^\$?[0-9]{1,3}(?:\.[0-9]{3})+,[0-9]{1,2}$|^\$?[0-9]+,[0-9]{1,2}$")
_SPACED = re.compile(r"^\$?[0-9]{1,3}(?:[ _][0-9]{3})+(?:\.[0-9]*)?$")
_DECIMAL_LIMIT = Decimal(10) ** 15
"""The largest magnitude of a plain number when its field sets no bound of its own."""

Number = Decimal | int | str


def round_cents(amount: Decimal) -> Decimal:
    """Round ``amount`` (dollars) to whole cents by the one rounding rule (half away from zero).

    >>> round_cents(Decimal("2.205")), round_cents(Decimal("-2.205"))
    (Decimal('2.21'), Decimal('-2.21'))
    """
    return amount.quantize(CENT, rounding=ROUNDING)


def to_cents(amount: Decimal) -> int:
    """Dollars as a whole number of cents, rounding by the one rule.

    >>> to_cents(Decimal("18000.50"))
    1800050
    """
    return int(round_cents(amount) * 100)


def from_cents(cents: int) -> Decimal:
    """A whole number of cents as dollars with two decimals.

    >>> from_cents(1800050)
    Decimal('18000.50')
    """
    return (Decimal(cents) / 100).quantize(CENT)


def _too_long(text: str) -> bool:
    return len(text) > MAX_DIGITS


def parse_decimal(
    value: object,
    field: str,
    *,
    minimum: Decimal | None = None,
    maximum: Decimal | None = None,
    unit: str = "",
) -> Decimal:
    """Read a plain number (a percentage, a share, a count with decimals) exactly.

    Accepts ``Decimal``, ``int`` or a string of ASCII digits with an optional sign, decimal
    point, thousands commas (``12,000``) and trailing ``%``, such as ``"6.9"``; refuses
    ``float`` (it cannot hold most decimal fractions exactly), booleans, NaN, infinities,
    exponents (``1e5``), spaces inside the number and digits of other scripts. ``minimum`` and
    ``maximum`` are inclusive; when a bound is not given the number must still lie within
    ±10^15. ``unit`` is named in the error message.

    >>> parse_decimal("6.9", "rate_percent")
    Decimal('6.9')
    >>> parse_decimal("1e5", "annual_miles")
    Traceback (most recent call last):
    ...
    underwater.errors.InputError: annual_miles: must be a number such as 6.9 (got '1e5')
    """
    number = _to_decimal(value, field)
    suffix = f" {unit}" if unit else ""
    low = -_DECIMAL_LIMIT if minimum is None else minimum
    high = _DECIMAL_LIMIT if maximum is None else maximum
    if number < low:
        raise InputError(field, f"must be at least {_plain(low)}{suffix}", got=value)
    if number > high:
        raise InputError(field, f"must be at most {_plain(high)}{suffix}", got=value)
    return number + 0 if number.is_zero() else number  # "-0" reads as 0


def _plain(number: Decimal) -> str:
    return f"{number:f}" if abs(number) < _DECIMAL_LIMIT else f"{number:,f}"


def _to_decimal(value: object, field: str) -> Decimal:
    if isinstance(value, bool):
        raise InputError(field, "must be a number, not true/false", got=value)
    if isinstance(value, float):
        raise InputError(
            field,
            "must be given as a str, int or Decimal, not a float (floats cannot hold cents exactly)",
            got=value,
        )
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InputError(field, "must be a finite number", got=value)
        return value
    if not isinstance(value, str):
        raise InputError(field, "must be a number", got=value)
    if _too_long(value):
        raise InputError(field, f"must be a number of at most {MAX_DIGITS} characters", got=value)
    if not NUMBER.fullmatch(value):
        raise InputError(field, "must be a number such as 6.9", got=value)
    return Decimal(strip_blanks(value).removesuffix("%").rstrip(" \t").replace(",", ""))


def parse_money(value: object, field: str = "amount", *, allow_negative: bool = False) -> Decimal:
    """Read an amount of money in dollars, exactly, as a ``Decimal`` with two decimals.

    Accepts what people type: ``18000``, ``18,000.50``, ``$18,000.50``, ``18000.5`` (and
    ``Decimal`` or ``int``), in ASCII digits. Refuses ``float``, NaN, infinities, exponents, a
    space or underscore inside the number, a fraction of a cent (``1.005``), more than
    :data:`~underwater.limits.MAX_AMOUNT` (one billion dollars) and, unless
    ``allow_negative``, a negative amount. Every refusal is an
    :class:`~underwater.errors.InputError` that names ``field`` and the rule.

    >>> parse_money("$18,000.50", "owed")
    Decimal('18000.50')
    >>> parse_money("1.005", "owed")
    Traceback (most recent call last):
    ...
    underwater.errors.InputError: owed: must be whole cents: at most two decimal places (got '1.005')
    """
    number = _parse_money_text(value, field) if isinstance(value, str) else _to_decimal(value, field)
    if abs(number) > MAX_AMOUNT:
        raise InputError(field, f"must be at most {MAX_AMOUNT:,} dollars", got=value)
    if number != number.quantize(CENT, rounding=ROUNDING):
        raise InputError(field, "must be whole cents: at most two decimal places", got=value)
    if number < 0 and not allow_negative:
        raise InputError(field, "must not be negative", got=value)
    return number.quantize(CENT) + 0  # "+ 0" turns -0.00 into 0.00


def _parse_money_text(text: str, field: str) -> Decimal:
    if _too_long(text):
        raise InputError(field, f"must be an amount of money of at most {MAX_DIGITS} characters", got=text)
    if not AMOUNT.fullmatch(text):
        cleaned = strip_blanks(text)
        if cleaned.lower().lstrip("+-") in {"nan", "snan", "inf", "infinity"}:
            rule = "must be a finite amount"
        elif _EUROPEAN.match(cleaned):
            suggestion = cleaned.lstrip("$").replace(".", "").replace(",", ".")
            rule = f"must use a dot for cents and commas only between thousands: write {suggestion}"
        elif _SPACED.match(cleaned):
            suggestion = cleaned.lstrip("$").replace(" ", ",").replace("_", ",")
            rule = f"must group thousands with commas, not spaces: write {suggestion}"
        else:
            rule = "must be an amount of money such as 18000 or 18,000.50"
        raise InputError(field, rule, got=text)
    return Decimal(strip_blanks(text).replace("$", "").replace(",", ""))


def parse_percent(
    value: object,
    field: str,
    *,
    minimum: Decimal = Decimal(0),
    maximum: Decimal = Decimal(100),
) -> Decimal:
    """Read a percentage as a person types it: ``6.9`` means 6.9 %, never 690 %.

    The number is a percentage (``"6.9"``, ``"6.9%"``, ``Decimal("6.9")``); it is never
    read as a fraction, so ``0.069`` means 0.069 %. Bounds are inclusive, in percent.

    >>> parse_percent("6.9%", "rate_percent")
    Decimal('6.9')
    """
    return parse_decimal(value, field, minimum=minimum, maximum=maximum, unit="percent")


def format_money(amount: Decimal) -> str:
    """Dollars as JSON shows them: a string with exactly two decimals, no separators.

    >>> format_money(Decimal("3000"))
    '3000.00'
    """
    return str(round_cents(amount) + 0)


def format_money_human(amount: Decimal) -> str:
    """Dollars as a table shows them: thousands separators and two decimals.

    >>> format_money_human(Decimal("-10000"))
    '-10,000.00'
    """
    return f"{round_cents(amount) + 0:,.2f}"


def format_ratio(ratio: Decimal | None) -> str | None:
    """A ratio (LTV, CLTV) as a string with four decimals, or ``None`` when undefined.

    >>> format_ratio(Decimal(180000) / Decimal(170000))
    '1.0588'
    """
    if ratio is None:
        return None
    return str(ratio.quantize(_RATIO_QUANTUM, rounding=ROUNDING) + 0)


def format_percent(percent: Decimal, places: int = 2) -> str:
    """A percentage with ``places`` decimals (``Decimal("9.6875")`` → ``'9.69'``)."""
    quantum = Decimal(1).scaleb(-places)
    return str(percent.quantize(quantum, rounding=ROUNDING) + 0)
