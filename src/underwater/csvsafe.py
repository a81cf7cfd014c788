"""CSV downloads that a spreadsheet opens as data, never as formulas.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a
formula by Excel, LibreOffice and Google Sheets (OWASP "CSV injection"), so such a cell gets a
leading ``'``, which spreadsheets read as "this is text". Plain numbers are left alone —
``-3000.00`` is a refund or a surplus, not an attack, and must stay a number in the sheet.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

__all__ = ["csv_text", "safe_cell"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def safe_cell(value: object) -> str:
    """The cell's text, with a leading ``'`` when a spreadsheet would run it as a formula.

    >>> safe_cell("-3000.00"), safe_cell("=HYPERLINK(\\"http://x\\")"), safe_cell("-1+2")
    ('-3000.00', '\\'=HYPERLINK("http://x")', "'-1+2")
    """
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_text(rows: Iterable[Iterable[object]]) -> str:
    """Rows as CSV text (CRLF line ends, as RFC 4180 and spreadsheets expect), every cell made safe.

    >>> csv_text([["month", "balance"], ["1", "-5.00"], ["2", "@SUM(A1)"]])
    "month,balance\\r\\n1,-5.00\\r\\n2,'@SUM(A1)\\r\\n"
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue()
