"""A book in SEC Regulation AB II auto-loan field names (Form ABS-EE, exhibit 102; 17 CFR 229.1125
Schedule AL), read as the book's own columns and written back.

===================================  ====================  =======================================
Reg AB II element                    book column           how it is read
===================================  ====================  =======================================
``assetNumber``                      ``loan_id``           as given (required)
``reportingPeriodActualEndBalanceAmount``  ``balance``     dollars (required)
``reportingPeriodInterestRatePercentage``  ``rate_percent``  a fraction: 0.069 is 6.9 % (required;
                                                           ``originalInterestRatePercentage``
                                                           when it is absent)
``remainingTermToMaturityNumber``    ``remaining_payments``  months (required)
``vehicleValueAmount``               ``value``             dollars (required): the schedule's value
                                                           of the vehicle **at origination**; a
                                                           ``value`` column, when the file also
                                                           has one, is taken instead
``reportingPeriodScheduledPaymentAmount``  ``payment``     dollars (optional)
``obligorGeographicLocation``        ``state``             a state code (optional)
``originationDate``                  ``origination_date``  ``MM/YYYY`` (the first of the month)
                                                           or ``MM-DD-YYYY`` (optional)
===================================  ====================  =======================================

A fraction is turned into percent by moving its decimal point two places in the text
(``0.069`` → ``6.9``), never through a float, so the book's rules then apply to the cell as
written; a reject names the Reg AB II element. Other elements are ignored.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from underwater.errors import InputError

__all__ = [
    "LAYOUTS",
    "REGAB_FIELDS",
    "REGAB_REQUIRED",
    "check_regab_columns",
    "from_regab",
    "regab_names",
    "regab_rejects",
    "to_regab",
]

LAYOUTS = ("book", "regab")
"""Column layouts a book may come in: this tool's own names, or Reg AB II's."""
REGAB_FIELDS: dict[str, str] = {
    "loan_id": "assetNumber",
    "balance": "reportingPeriodActualEndBalanceAmount",
    "rate_percent": "reportingPeriodInterestRatePercentage",
    "remaining_payments": "remainingTermToMaturityNumber",
    "value": "vehicleValueAmount",
    "payment": "reportingPeriodScheduledPaymentAmount",
    "state": "obligorGeographicLocation",
    "origination_date": "originationDate",
}
"""Each book column and the Reg AB II element it is read from."""
REGAB_REQUIRED = (
    "assetNumber",
    "reportingPeriodActualEndBalanceAmount",
    "remainingTermToMaturityNumber",
    "vehicleValueAmount",
)
_ORIGINAL_RATE = "originalInterestRatePercentage"
_RATE = REGAB_FIELDS["rate_percent"]


def regab_names(columns: Sequence[str]) -> list[str]:
    """The columns of a Reg AB II file this tool reads (for reading only those)."""
    wanted = {*REGAB_FIELDS.values(), _ORIGINAL_RATE, "value"}
    return [name for name in columns if name in wanted]


def check_regab_columns(columns: Sequence[str], source: str = "book") -> None:
    """Refuse a Reg AB II file without a required element (one error naming it).

    >>> check_regab_columns(["assetNumber", "vehicleValueAmount"])
    Traceback (most recent call last):
    ...
    underwater.errors.InputError: book: has no Reg AB II field reportingPeriodActualEndBalanceAmount, \
remainingTermToMaturityNumber, reportingPeriodInterestRatePercentage (required with --layout regab: \
assetNumber, reportingPeriodActualEndBalanceAmount, reportingPeriodInterestRatePercentage or \
originalInterestRatePercentage, remainingTermToMaturityNumber, vehicleValueAmount)
    """
    missing = [name for name in REGAB_REQUIRED if name not in columns]
    if _RATE not in columns and _ORIGINAL_RATE not in columns:
        missing.append(_RATE)
    if missing:
        needed = [*REGAB_REQUIRED[:2], f"{_RATE} or {_ORIGINAL_RATE}", *REGAB_REQUIRED[2:]]
        raise InputError(
            source,
            f"has no Reg AB II field {', '.join(missing)} (required with --layout regab: {', '.join(needed)})",
        )


def _text(name: str) -> pl.Expr:
    return pl.col(name).cast(pl.String).str.strip_chars(" \t")


def _percent(name: str) -> pl.Expr:
    """A fraction as text → the same number in percent, by moving the point two places (text
    that is not a plain decimal is left as it is: the book's rule rejects it)."""
    text = _text(name)
    parts = text.str.extract_groups(r"^([+-]?)([0-9]*)(?:\.([0-9]*))?$")
    sign, whole, fraction = (parts.struct.field(k).fill_null("") for k in ("1", "2", "3"))
    moved = pl.concat_str(whole, fraction.str.slice(0, 2).str.pad_end(2, "0")).str.strip_chars_start("0")
    rest = fraction.str.slice(2)
    shifted = pl.concat_str(
        sign,
        pl.when(moved == "").then(pl.lit("0")).otherwise(moved),
        pl.when(rest == "").then(pl.lit("")).otherwise(pl.concat_str(pl.lit("."), rest)),
    )
    plain = parts.struct.field("1").is_not_null() & ((whole != "") | (fraction != ""))
    return pl.when(plain).then(shifted).otherwise(text)


def _date(name: str) -> pl.Expr:
    """``MM/YYYY`` → ``YYYY-MM-01``, ``MM-DD-YYYY`` → ``YYYY-MM-DD``; other text as it is."""
    text = _text(name)
    month = text.str.extract_groups(r"^([0-9]{2})/([0-9]{4})$")
    day = text.str.extract_groups(r"^([0-9]{2})-([0-9]{2})-([0-9]{4})$")
    return (
        pl.when(month.struct.field("1").is_not_null())
        .then(pl.concat_str(month.struct.field("2"), pl.lit("-"), month.struct.field("1"), pl.lit("-01")))
        .when(day.struct.field("1").is_not_null())
        .then(
            pl.concat_str(
                day.struct.field("3"), pl.lit("-"), day.struct.field("1"), pl.lit("-"), day.struct.field("2")
            )
        )
        .otherwise(text)
    )


def from_regab(frame: pl.DataFrame) -> pl.DataFrame:
    """A chunk of a Reg AB II file as the book's columns (see the module docstring).

    >>> raw = pl.DataFrame({"assetNumber": ["A1"], "reportingPeriodActualEndBalanceAmount": ["18000"],
    ...     "reportingPeriodInterestRatePercentage": ["0.069"], "remainingTermToMaturityNumber": ["60"],
    ...     "vehicleValueAmount": ["15000"], "originationDate": ["04/2023"]})
    >>> from_regab(raw).row(0)
    ('A1', '18000', '6.9', '60', '15000', '2023-04-01')
    """
    check_regab_columns(frame.columns)
    rate = _RATE if _RATE in frame.columns else _ORIGINAL_RATE
    columns: list[pl.Expr] = []
    for column, element in REGAB_FIELDS.items():
        if column == "rate_percent":
            columns.append(_percent(rate).alias(column))
        elif column == "value" and "value" in frame.columns:
            columns.append(pl.col("value"))
        elif column == "origination_date" and element in frame.columns:
            columns.append(_date(element).alias(column))
        elif element in frame.columns:
            columns.append(pl.col(element).alias(column))
    return frame.select(columns)


def regab_field(column: str, frame_columns: Sequence[str] = ()) -> str:
    """The Reg AB II element a book column was read from (for a reject's ``field``).

    >>> regab_field("balance"), regab_field("asset_class")
    ('reportingPeriodActualEndBalanceAmount', 'asset_class')
    """
    if column == "rate_percent" and frame_columns and _RATE not in frame_columns:
        return _ORIGINAL_RATE
    if column == "value" and "value" in frame_columns:
        return "value"
    return REGAB_FIELDS.get(column, column)


def to_regab(book: pl.DataFrame) -> pl.DataFrame:
    """A book (the tool's columns) in Reg AB II element names: the rate as a fraction in text
    (6.9 → ``0.069``), the origination date as ``MM/YYYY``; columns with no element are left
    out.

    >>> to_regab(pl.DataFrame({"loan_id": ["A1"], "rate_percent": ["6.9"]})).row(0)
    ('A1', '0.069')
    """
    columns: list[pl.Expr] = []
    for column, element in REGAB_FIELDS.items():
        if column not in book.columns:
            continue
        if column == "rate_percent":
            columns.append(_fraction(column).alias(element))
        elif column == "origination_date":
            date = pl.col(column).cast(pl.String).str.strptime(pl.Date, "%Y-%m-%d", strict=False)
            columns.append(date.dt.strftime("%m/%Y").alias(element))
        else:
            columns.append(pl.col(column).alias(element))
    return book.select(columns)


def _fraction(name: str) -> pl.Expr:
    # Percent as text → the fraction, by moving the point two places left (6.9 → 0.069).
    parts = _text(name).str.extract_groups(r"^([0-9]*)(?:\.([0-9]*))?$")
    whole, fraction = parts.struct.field("1").fill_null(""), parts.struct.field("2").fill_null("")
    padded = whole.str.pad_start(2, "0")
    head = padded.str.slice(0, padded.str.len_chars() - 2).str.strip_chars_start("0")
    digits = pl.concat_str(padded.str.slice(padded.str.len_chars() - 2), fraction).str.strip_chars_end("0")
    return pl.concat_str(
        pl.when(head == "").then(pl.lit("0")).otherwise(head),
        pl.when(digits == "").then(pl.lit("")).otherwise(pl.concat_str(pl.lit("."), digits)),
    )


def regab_rejects(rejects: pl.DataFrame, frame_columns: Sequence[str]) -> pl.DataFrame:
    """Rejects of a Reg AB II file with each ``field`` named as the file names it."""
    if not rejects.height:
        return rejects
    fields = rejects["field"].to_list()
    return rejects.with_columns(
        pl.Series("field", [regab_field(name, frame_columns) for name in fields], dtype=pl.String)
    )
