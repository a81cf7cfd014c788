"""The exact spellings accepted for amounts, plain numbers, whole numbers and dates.

Each pattern is the parser's own test (:mod:`underwater.money`, :mod:`underwater.forms`) and is
written in the subset of regular-expression syntax that Python and JSON Schema (ECMA-262) read
alike, so the OpenAPI document can state it word for word. Digits are ASCII only: ``[0-9]``,
never ``\\d``, which in Python also takes Arabic-Indic (``٦٠``) and full-width digits.
Spaces and tabs are allowed around a value, never inside it (``1 2`` is not 12), and commas
only between groups of three digits (``12,5`` is not 125). No exponents (``1e5``).
"""

from __future__ import annotations

import re

__all__ = [
    "AMOUNT",
    "AMOUNT_PATTERN",
    "DATE",
    "DATE_PATTERN",
    "INT",
    "INT_PATTERN",
    "NUMBER",
    "NUMBER_PATTERN",
    "strip_blanks",
]

_WHOLE = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)"
_DIGITS = rf"(?:{_WHOLE}(?:\.[0-9]*)?|\.[0-9]+)"

AMOUNT_PATTERN = rf"^[ \t]*(?:[+-]?\$?|\$[+-]){_DIGITS}[ \t]*$"
"""Dollars: ``18000``, ``18,000.50``, ``$18,000.50``, ``-$5`` or ``$-5``."""
NUMBER_PATTERN = rf"^[ \t]*[+-]?{_DIGITS}[ \t]*%?[ \t]*$"
"""A plain number, optionally with a trailing ``%``: ``6.9``, ``6.9 %``, ``12,000``, ``-.5``."""
INT_PATTERN = rf"^[ \t]*[+-]?{_WHOLE}[ \t]*$"
"""A whole number: ``72``, ``-3``, ``1,200``."""
DATE_PATTERN = r"^[ \t]*[0-9]{4}-[0-9]{2}-[0-9]{2}[ \t]*$"
"""A date: ``2026-12-01`` (no week dates such as ``2026-W05-1``, no ``20261201``)."""

AMOUNT = re.compile(AMOUNT_PATTERN)
NUMBER = re.compile(NUMBER_PATTERN)
INT = re.compile(INT_PATTERN)
DATE = re.compile(DATE_PATTERN)


def strip_blanks(text: str) -> str:
    """The text without the spaces and tabs a pattern allows around a value.

    >>> strip_blanks("  6.9 %\\t")
    '6.9 %'
    """
    return text.strip(" \t")
