"""The loan book's input schema and row validation, vectorised with polars.

A book is a CSV file (with a header line) or a Parquet file, one loan per row:

=====================  ========  ==========================================================
column                 needed    meaning and rule
=====================  ========  ==========================================================
``loan_id``            required  the lender's identifier (text, not empty)
``balance``            required  principal owed today, dollars, 0 to 1,000,000,000, whole cents
``rate_percent``       required  yearly rate in percent as a person types it (6.9 is 6.9 %),
                                 0 to 100, at most 5 decimals
``remaining_payments`` required  monthly payments left, a whole number 1 to 600
``value``              required  what the collateral would fetch today, dollars, 0 to 1e9
``payment``            optional  the monthly payment in dollars; by default the level payment
                                 that clears ``balance`` over ``remaining_payments``. A given
                                 payment must be more than the first month's interest (a
                                 payment that only covers the interest never amortizes)
``asset_class``        optional  one of car, suv, pickup, ev, hybrid, motorcycle,
                                 class8_sleeper, class8_daycab, rv, boat, home (default car;
                                 case and dashes forgiven)
``asset_age_months``   optional  the asset's age today in whole months, 0 to 600 (default 0)
``other_liens``        optional  other debt secured by the same asset, dollars (default 0)
``state``              optional  the borrower's state: a two-letter code or a state's name
                                 (default none: no state rule applied)
=====================  ========  ==========================================================

In a CSV file numbers are plain decimals (``18000.50``; no currency signs or thousands
separators); an empty cell is a missing value. In Parquet, money may be a decimal, an integer
(whole dollars) or a float that holds a whole number of cents; rates likewise. Other columns
are ignored. A file without one of the required columns is refused as a whole
(:class:`~underwater.errors.InputError`); a row that breaks a rule is rejected with its
1-based data row number, ``loan_id``, the first field (in the order of the table) that broke
a rule, and the rule — nothing is dropped, clamped or guessed.

Inside, money becomes whole cents in ``int64`` and the rate an integer number of 1e-5 percent
units (6.9 % → 690000), so that the kernel's arithmetic is exact.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from underwater.assets import AssetClass, parse_asset_class
from underwater.errors import InputError
from underwater.state_rules import STATE_NAMES, parse_state

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = [
    "ASSET_CLASSES",
    "MAX_AGE_MONTHS",
    "MAX_MONEY_CENTS",
    "MAX_PAYMENTS",
    "OPTIONAL_COLUMNS",
    "RATE_UNITS",
    "REJECT_COLUMNS",
    "REQUIRED_COLUMNS",
    "STATE_CODES",
    "Book",
    "check_columns",
    "validate",
]

REQUIRED_COLUMNS: tuple[str, ...] = ("loan_id", "balance", "rate_percent", "remaining_payments", "value")
OPTIONAL_COLUMNS: tuple[str, ...] = ("payment", "asset_class", "asset_age_months", "other_liens", "state")
REJECT_COLUMNS: tuple[str, ...] = ("row", "loan_id", "field", "reason")
"""Columns of the reject file: 1-based data row number, loan_id, field, the rule broken."""

ASSET_CLASSES: tuple[str, ...] = tuple(member.value for member in AssetClass)
"""Asset class names in code order: the kernel stores a class as its index in this tuple."""
STATE_CODES: tuple[str, ...] = tuple(sorted(STATE_NAMES))
"""State codes in code order: the kernel stores a state as its index + 1 (0 = none)."""

MAX_MONEY_CENTS = 100_000_000_000
"""The largest amount accepted, in cents (one billion dollars): keeps the kernel's integer
arithmetic (balance × rate) far inside int64."""
MAX_PAYMENTS = 600
MAX_AGE_MONTHS = 600
RATE_UNITS = 100_000
"""Rate units per percent: rates are stored as whole 1e-5 percent units."""
_MAX_RATE_UNITS = 100 * RATE_UNITS
_MONTHLY_DIVISOR = 100 * RATE_UNITS * 12  # interest = balance × units / divisor

_MISSING = "is required: the cell is empty"
_MONEY_RULE = "must be an amount of dollars such as 18000.50"
_CENTS_RULE = "must be whole cents: at most two decimal places"
_NEGATIVE_RULE = "must not be negative"
_MONEY_MAX_RULE = "must be at most 1000000000.00"
_RATE_RULE = "must be a yearly rate in percent such as 6.9"
_RATE_PLACES_RULE = "must have at most 5 decimal places"
_RATE_MAX_RULE = "must be at most 100 percent"
_WHOLE_RULE = "must be a whole number"
_CLASS_RULE = "must be one of " + ", ".join(ASSET_CLASSES)
_STATE_RULE = "must be a two-letter code of a US state or DC, such as CO"
_ID_RULE = "must not be empty"


@dataclass(frozen=True, slots=True)
class Book:
    """Validated loans as arrays: money in cents (int64), the rate in 1e-5 percent units.

    ``row`` is the 1-based data row number in the input; ``payment`` is -1 where none was
    given; ``asset_class`` indexes :data:`ASSET_CLASSES`; ``state`` is 0 for none, else
    1 + the index in :data:`STATE_CODES`.
    """

    row: NDArray[np.int64]
    loan_id: pl.Series
    balance: NDArray[np.int64]
    rate_units: NDArray[np.int64]
    remaining_payments: NDArray[np.int64]
    value: NDArray[np.int64]
    payment: NDArray[np.int64]
    asset_class: NDArray[np.int64]
    asset_age_months: NDArray[np.int64]
    other_liens: NDArray[np.int64]
    state: NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.row)

    def take(self, index: NDArray[np.int64]) -> Book:
        """The loans at ``index`` (positions), in that order."""
        return Book(
            row=self.row[index],
            loan_id=self.loan_id.gather(index),
            balance=self.balance[index],
            rate_units=self.rate_units[index],
            remaining_payments=self.remaining_payments[index],
            value=self.value[index],
            payment=self.payment[index],
            asset_class=self.asset_class[index],
            asset_age_months=self.asset_age_months[index],
            other_liens=self.other_liens[index],
            state=self.state[index],
        )


def check_columns(columns: Sequence[str], source: str = "book") -> None:
    """Refuse a book that lacks a required column (one error for the whole file).

    >>> check_columns(["loan_id", "balance", "rate_percent", "remaining_payments"])
    Traceback (most recent call last):
    ...
    underwater.errors.InputError: book: has no column value (required: loan_id, balance, \
rate_percent, remaining_payments, value)
    """
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise InputError(
            source,
            f"has no column {', '.join(missing)} (required: {', '.join(REQUIRED_COLUMNS)})",
        )


# --- per-type parsing expressions -------------------------------------------------------------
# Each returns (value expression, reason expression); the reason is null when the cell is fine.

_Pair = tuple[pl.Expr, pl.Expr]


def _null_reason() -> pl.Expr:
    return pl.lit(None, dtype=pl.String)


def _scaled_text(
    col: pl.Expr, places: int, rule: str, places_rule: str, allow_fraction: bool = True
) -> _Pair:
    """Plain decimal text → integer × 10**places; trailing zeros beyond ``places`` are fine."""
    text = col.str.strip_chars()
    fraction = rf"(?:\.(\d{{0,{places}}})0*)?" if allow_fraction else r"(?:\.0*)?"
    whole = text.str.extract(rf"^\+?(\d{{1,15}}){fraction}$", 1)
    frac = text.str.extract(rf"^\+?\d{{1,15}}\.(\d{{1,{places}}})0*$", 1) if allow_fraction else None
    value = whole.cast(pl.Int64, strict=False) * (10**places)
    if frac is not None:
        value = value + frac.str.pad_end(places, "0").cast(pl.Int64, strict=False).fill_null(0)
    negative = text.str.contains(r"^-\s*\d*\.?\d+$")
    too_fine = text.str.contains(r"^[+-]?\d*\.\d+$")
    reason = (
        pl.when(whole.is_not_null())
        .then(_null_reason())
        .when(negative)
        .then(pl.lit(_NEGATIVE_RULE))
        .when(too_fine)
        .then(pl.lit(places_rule))
        .otherwise(pl.lit(rule))
    )
    return value, reason


def _scaled(
    name: str, dtype: pl.DataType, places: int, rule: str, places_rule: str, whole_only: bool = False
) -> _Pair:
    """A number column of any supported type → integer × 10**places, exactly."""
    col = pl.col(name)
    scale = 10**places
    if dtype == pl.String:
        return _scaled_text(col, places, rule, places_rule, allow_fraction=not whole_only)
    if dtype.is_integer():
        value = col.cast(pl.Int64, strict=False) * scale
        reason = pl.when(col < 0).then(pl.lit(_NEGATIVE_RULE)).otherwise(_null_reason())
        return value, reason
    if dtype.is_float():
        as_float = col.cast(pl.Float64)
        scaled = (as_float * scale).round(0)
        finite = as_float.is_finite()
        exact = (scaled / scale) == as_float
        value = pl.when(finite & (scaled.abs() < 9e15)).then(scaled).otherwise(None).cast(pl.Int64)
        reason = (
            pl.when(~finite)
            .then(pl.lit("must be a finite number"))
            .when(as_float < 0)
            .then(pl.lit(_NEGATIVE_RULE))
            .when(scaled.abs() >= 9e15)
            .then(pl.lit(rule))
            .when(~exact)
            .then(pl.lit(places_rule))
            .otherwise(_null_reason())
        )
        return value, reason
    if isinstance(dtype, pl.Decimal):
        physical = col.to_physical().cast(pl.Int128)
        shift = (dtype.scale or 0) - places
        if shift <= 0:
            value = (physical * (10**-shift)).cast(pl.Int64, strict=False)
            fine = pl.lit(value=True)
        else:
            value = (physical // (10**shift)).cast(pl.Int64, strict=False)
            fine = (physical % (10**shift)) == 0
        reason = (
            pl.when(physical < 0)
            .then(pl.lit(_NEGATIVE_RULE))
            .when(value.is_null())
            .then(pl.lit(rule))
            .when(~fine)
            .then(pl.lit(places_rule))
            .otherwise(_null_reason())
        )
        return value, reason
    if dtype == pl.Null:
        return pl.lit(None, dtype=pl.Int64), _null_reason()
    return pl.lit(None, dtype=pl.Int64), pl.lit(rule)


def _finish(
    name: str,
    pair: _Pair,
    *,
    present: bool,
    default: int | None,
    minimum: int,
    maximum: int,
    max_rule: str,
    min_rule: str = _NEGATIVE_RULE,
    is_text: bool = False,
) -> _Pair:
    """Apply presence, default and bounds to a parsed column."""
    if not present:
        if default is None:  # pragma: no cover - check_columns refuses this earlier
            raise InputError(name, "is a required column")
        return pl.lit(default, dtype=pl.Int64), _null_reason()
    value, reason = pair
    raw = pl.col(name)
    empty = raw.is_null()
    if is_text:
        empty = empty | (raw.str.strip_chars() == "")
    missing_reason = pl.lit(_MISSING) if default is None else _null_reason()
    value = pl.when(empty).then(pl.lit(default, dtype=pl.Int64)).otherwise(value)
    reason = (
        pl.when(empty)
        .then(missing_reason)
        .when(reason.is_not_null())
        .then(reason)
        .when(value < minimum)
        .then(pl.lit(min_rule))
        .when(value > maximum)
        .then(pl.lit(max_rule))
        .otherwise(_null_reason())
    )
    return value, reason


def _text_column(name: str, dtype: pl.DataType | None) -> pl.Expr | None:
    if dtype is None:
        return None
    col = pl.col(name)
    if dtype == pl.Null:
        return pl.lit(None, dtype=pl.String)
    return col.cast(pl.String).str.strip_chars()


def _lookup_pair(name: str, frame: pl.DataFrame, parse: Callable[[str], int], rule: str) -> _Pair:
    """A text column of names → integer codes (0 when empty), each distinct spelling read once
    by the library's own parser, so a column of ten million rows costs one hash lookup a row."""
    if name not in frame.columns or frame.schema[name] == pl.Null:
        return pl.lit(0, dtype=pl.Int64), _null_reason()
    text = pl.col(name).cast(pl.String)
    spellings = frame.select(text.unique()).to_series().to_list()
    known: dict[str, int] = {}
    for spelling in spellings:
        if spelling is None or not spelling.strip():
            known[spelling] = 0
            continue
        with contextlib.suppress(InputError):  # an unknown spelling stays unmapped: a reject
            known[spelling] = parse(spelling)
    code = text.replace_strict(
        [k for k in known if k is not None],
        [v for k, v in known.items() if k is not None],
        default=None,
        return_dtype=pl.Int64,
    )
    value = pl.when(text.is_null()).then(pl.lit(0, dtype=pl.Int64)).otherwise(code)
    reason = pl.when(text.is_not_null() & code.is_null()).then(pl.lit(rule)).otherwise(_null_reason())
    return value, reason


def _class_code(spelling: str) -> int:
    return ASSET_CLASSES.index(parse_asset_class(spelling).value)


def _state_code(spelling: str) -> int:
    return STATE_CODES.index(parse_state(spelling)) + 1


def _id_pair(dtype: pl.DataType) -> _Pair:
    text = _text_column("loan_id", dtype)
    assert text is not None
    empty = text.is_null() | (text == "")
    return text, pl.when(empty).then(pl.lit(_MISSING)).otherwise(_null_reason())


def _numeric(
    frame_schema: pl.Schema,
    name: str,
    *,
    places: int,
    rule: str,
    places_rule: str,
    default: int | None,
    maximum: int,
    max_rule: str,
    minimum: int = 0,
    min_rule: str = _NEGATIVE_RULE,
    whole_only: bool = False,
) -> _Pair:
    dtype = frame_schema.get(name)
    present = dtype is not None
    pair = _scaled(name, dtype, places, rule, places_rule, whole_only) if dtype is not None else None
    return _finish(
        name,
        pair if pair is not None else (pl.lit(None, dtype=pl.Int64), _null_reason()),
        present=present,
        default=default,
        minimum=minimum,
        maximum=maximum,
        max_rule=max_rule,
        min_rule=min_rule,
        is_text=dtype == pl.String,
    )


def _pairs(frame: pl.DataFrame) -> dict[str, _Pair]:
    schema = frame.schema
    money = {"places": 2, "rule": _MONEY_RULE, "places_rule": _CENTS_RULE, "maximum": MAX_MONEY_CENTS}
    whole = {"places": 0, "rule": _WHOLE_RULE, "places_rule": _WHOLE_RULE, "whole_only": True}
    return {
        "loan_id": _id_pair(schema["loan_id"]),
        "balance": _numeric(schema, "balance", default=None, max_rule=_MONEY_MAX_RULE, **money),  # type: ignore[arg-type]
        "rate_percent": _numeric(
            schema,
            "rate_percent",
            places=5,
            rule=_RATE_RULE,
            places_rule=_RATE_PLACES_RULE,
            default=None,
            maximum=_MAX_RATE_UNITS,
            max_rule=_RATE_MAX_RULE,
        ),
        "remaining_payments": _numeric(
            schema,
            "remaining_payments",
            default=None,
            minimum=1,
            min_rule="must be at least 1",
            maximum=MAX_PAYMENTS,
            max_rule=f"must be at most {MAX_PAYMENTS} payments",
            **whole,  # type: ignore[arg-type]
        ),
        "value": _numeric(schema, "value", default=None, max_rule=_MONEY_MAX_RULE, **money),  # type: ignore[arg-type]
        "payment": _numeric(schema, "payment", default=-1, max_rule=_MONEY_MAX_RULE, **money),  # type: ignore[arg-type]
        "asset_class": _lookup_pair("asset_class", frame, _class_code, _CLASS_RULE),
        "asset_age_months": _numeric(
            schema,
            "asset_age_months",
            default=0,
            maximum=MAX_AGE_MONTHS,
            max_rule=f"must be at most {MAX_AGE_MONTHS} months",
            **whole,  # type: ignore[arg-type]
        ),
        "other_liens": _numeric(schema, "other_liens", default=0, max_rule=_MONEY_MAX_RULE, **money),  # type: ignore[arg-type]
        "state": _lookup_pair("state", frame, _state_code, _STATE_RULE),
    }


def _first_interest_cents(balance: NDArray[np.int64], units: NDArray[np.int64]) -> NDArray[np.int64]:
    # Half away from zero on a non-negative quotient: floor((2a + b) / 2b).
    return (2 * balance * units + _MONTHLY_DIVISOR) // (2 * _MONTHLY_DIVISOR)


def validate(frame: pl.DataFrame, first_row: int = 1) -> tuple[Book, pl.DataFrame]:
    """Split a chunk of raw rows into valid loans and rejects.

    ``first_row`` is the 1-based data row number of the chunk's first row. Returns the
    :class:`Book` of good rows (in input order) and a frame with :data:`REJECT_COLUMNS`.

    A book whose second loan has a negative balance keeps the first and rejects the second:

    >>> raw = pl.DataFrame({"loan_id": ["A", "B"], "balance": ["18000", "-5"],
    ...     "rate_percent": ["6.9", "6.9"], "remaining_payments": ["60", "60"],
    ...     "value": ["15000", "15000"]})
    >>> book, rejects = validate(raw)
    >>> len(book), rejects.row(0)
    (1, (2, 'B', 'balance', 'must not be negative'))
    """
    check_columns(frame.columns)
    pairs = _pairs(frame)
    values = frame.select(
        pl.int_range(first_row, first_row + frame.height, dtype=pl.Int64).alias("row"),
        *[pair[0].alias(name) for name, pair in pairs.items()],
        pl.coalesce([pair[1] for pair in pairs.values()]).alias("reason"),
        pl.coalesce(
            [pl.when(pair[1].is_not_null()).then(pl.lit(name)) for name, pair in pairs.items()]
        ).alias("field"),
    )
    good_mask = values["reason"].is_null().to_numpy()
    good = values.filter(pl.Series(good_mask))
    # Cross-field rule: a given payment must reduce the balance in the first month.
    balance = good["balance"].to_numpy().astype(np.int64)
    units = good["rate_percent"].to_numpy().astype(np.int64)
    payment = good["payment"].to_numpy().astype(np.int64)
    interest = _first_interest_cents(balance, units)
    given = (payment >= 0) & (balance > 0)
    short = given & (payment < interest)
    flat = given & (payment == interest) & ~short
    bad_payment = short | flat
    rejects = values.filter(~pl.Series(good_mask)).select("row", "loan_id", "field", "reason")
    if bad_payment.any():
        where = np.nonzero(bad_payment)[0]
        reasons = [
            (
                f"{_dollars(int(payment[i]))} does not cover the first month's interest {_dollars(int(interest[i]))}"
                if short[i]
                else (
                    "must be more than 0.00"
                    if payment[i] == 0
                    else f"{_dollars(int(payment[i]))} only pays the interest: the balance would never fall"
                )
            )
            for i in where
        ]
        extra = pl.DataFrame(
            {
                "row": good["row"].gather(where),
                "loan_id": good["loan_id"].gather(where),
                "field": ["payment"] * len(where),
                "reason": reasons,
            }
        )
        rejects = pl.concat([rejects, extra]).sort("row")
        keep = ~bad_payment
        good = good.filter(pl.Series(keep))
    book = Book(
        row=good["row"].to_numpy().astype(np.int64),
        loan_id=good["loan_id"],
        balance=good["balance"].to_numpy().astype(np.int64),
        rate_units=good["rate_percent"].to_numpy().astype(np.int64),
        remaining_payments=good["remaining_payments"].to_numpy().astype(np.int64),
        value=good["value"].to_numpy().astype(np.int64),
        payment=good["payment"].to_numpy().astype(np.int64),
        asset_class=good["asset_class"].to_numpy().astype(np.int64),
        asset_age_months=good["asset_age_months"].to_numpy().astype(np.int64),
        other_liens=good["other_liens"].to_numpy().astype(np.int64),
        state=good["state"].to_numpy().astype(np.int64),
    )
    return book, rejects.with_columns(pl.col("loan_id").cast(pl.String))


def _dollars(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"
