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
``default_probability`` optional the lender's own probability that the loan defaults, a
                                 decimal 0 to 1 such as 0.02, at most 6 decimals (default
                                 none: no expected loss is shown; none is ever assumed)
``origination_date``   optional  when the loan was made: a date written 2023-04-15 (or a
                                 Parquet date), 1900 to 2100; the summary counts loans by
                                 origination quarter (default none)
=====================  ========  ==========================================================

**Numbers in text** (every CSV cell, and a text column in Parquet) are plain decimals: an
optional ``+`` (or ``-``, which breaks the rule "must not be negative" unless the number is
zero), ASCII digits ``0``-``9`` with at most one ``.`` and at least one digit (``18000``,
``18000.50``, ``.5``, ``5.``), nothing else but spaces or tabs around it, at most
:data:`~underwater.limits.MAX_DIGITS` characters. No currency signs, thousands separators,
exponents (``1e5``), spaces inside, ``NaN``/``inf``, or digits of other scripts (``٦٠``,
``²``): each is a reject, never a guess. That is a strict subset of what the single-loan
parser (:func:`underwater.money.parse_money`) takes, so a value the book takes means the same
there. An empty cell is a missing value. In Parquet, money may also be a decimal, an integer
(whole dollars) or a float that holds a whole number of cents (``-0.0`` is 0); rates likewise;
counts an integer, or a float or decimal that is a whole number. Nulls are missing values;
NaN, infinities and numbers too large for their field are rejects. Other columns are ignored.

``loan_id`` is kept exactly as given (a number is read as its text); it must not be empty, must
not hold control characters (U+0000-U+001F, U+007F) and must not repeat an earlier row's id
(:mod:`underwater.portfolio.ids`: the first row with an id claims it; a later one is rejected,
naming the first row). A file without one of the required columns, or whose ``loan_id``,
``asset_class`` or ``state`` column is not text or numbers, is refused as a whole
(:class:`~underwater.errors.InputError`); a row that breaks a rule is rejected with its
1-based data row number, ``loan_id``, the first field (in the order of the table) that broke
a rule, and the rule — nothing is dropped, clamped or guessed.

Inside, money becomes whole cents in ``int64`` and the rate an integer number of 1e-5 percent
units (6.9 % → 690000), so that the kernel's arithmetic is exact.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from underwater.assets import AssetClass, parse_asset_class
from underwater.errors import InputError
from underwater.limits import MAX_AMOUNT_CENTS, MAX_DIGITS, MAX_MONTHS
from underwater.portfolio.typed import NumberRule, typed_fields
from underwater.state_rules import STATE_NAMES, parse_state

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from underwater.portfolio.ids import KnownRepeats, LoanIds

__all__ = [
    "ASSET_CLASSES",
    "BOOK_COLUMNS",
    "MAX_AGE_MONTHS",
    "MAX_MONEY_CENTS",
    "MAX_PAYMENTS",
    "OPTIONAL_COLUMNS",
    "PROBABILITY_UNITS",
    "RATE_UNITS",
    "REJECT_COLUMNS",
    "REQUIRED_COLUMNS",
    "STATE_CODES",
    "Book",
    "check_columns",
    "check_types",
    "id_fingerprints",
    "quarter_name",
    "validate",
]

REQUIRED_COLUMNS: tuple[str, ...] = ("loan_id", "balance", "rate_percent", "remaining_payments", "value")
OPTIONAL_COLUMNS: tuple[str, ...] = (
    "payment",
    "asset_class",
    "asset_age_months",
    "other_liens",
    "state",
    "default_probability",
    "origination_date",
)
BOOK_COLUMNS: tuple[str, ...] = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
"""Every column a book may have that the engine reads (any other is ignored)."""
REJECT_COLUMNS: tuple[str, ...] = ("row", "loan_id", "field", "reason")
"""Columns of the reject file: 1-based data row number, loan_id, field, the rule broken (for a
CSV line that could not be read as a row, ``field`` is ``line`` and ``loan_id`` is empty)."""

ASSET_CLASSES: tuple[str, ...] = tuple(member.value for member in AssetClass)
"""Asset class names in code order: the kernel stores a class as its index in this tuple."""
STATE_CODES: tuple[str, ...] = tuple(sorted(STATE_NAMES))
"""State codes in code order: the kernel stores a state as its index + 1 (0 = none)."""

MAX_MONEY_CENTS = MAX_AMOUNT_CENTS
"""The largest amount accepted, in cents (:data:`underwater.limits.MAX_AMOUNT_CENTS`, one
billion dollars): keeps the kernel's integer arithmetic (balance × rate) far inside int64."""
MAX_PAYMENTS = MAX_MONTHS
"""The most remaining payments (:data:`underwater.limits.MAX_MONTHS`)."""
MAX_AGE_MONTHS = MAX_MONTHS
"""The oldest asset, in months (:data:`underwater.limits.MAX_MONTHS`)."""
RATE_UNITS = 100_000
"""Rate units per percent: rates are stored as whole 1e-5 percent units."""
PROBABILITY_UNITS = 1_000_000
"""A default probability is stored as whole millionths (1 is 1,000,000)."""
_MAX_RATE_UNITS = 100 * RATE_UNITS
_MONTHLY_DIVISOR = 100 * RATE_UNITS * 12  # interest = balance × units / divisor

_CODE = "code:"  # prefix of a column of looked-up codes (asset class, state)
_UNKNOWN = "unknown:"  # prefix of a column marking spellings the lookup does not know
_BROKEN = "broken:"  # prefix of the column marking the rows that break one of a field's rules
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
_LONG_RULE = f"must be written with at most {MAX_DIGITS} characters"
_FINITE_RULE = "must be a finite number"
_CONTROL_RULE = "must not contain control characters (tab, line break, NUL and the like)"
_ROW_COLUMN = "row"
_REPEAT = "repeat:"  # the row an id repeats (0: none), when ids are checked
_HASH = "hash:"  # a fingerprint of the id, when ids are checked
# Digits of the significant whole part kept: 1e12 is beyond every field's limit and, times
# the largest scale (1e5), still far inside int64.
_WHOLE_DIGITS = 12
_TEXT_TYPES = (pl.String, pl.Categorical, pl.Enum)
# Decimal places each number column is scaled by (cents, 1e-5 percent units, whole months).
_PLACES = {
    "balance": 2,
    "rate_percent": 5,
    "remaining_payments": 0,
    "value": 2,
    "payment": 2,
    "asset_age_months": 0,
    "other_liens": 2,
    "default_probability": 6,
}
# Prefixes of the columns _text_stages works out for a number column held as text.
_STRIPPED, _PARTS, _VALUE = "stripped:", "parts:", "value:"
_LONG, _UNREADABLE, _NEGATIVE, _FINE, _BIG = "long:", "unreadable:", "negative:", "fine:", "big:"
_RAW, _CHECK = "raw:", "check"  # a number column's parsed value and its checks, as columns


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
    default_probability: NDArray[np.int64]
    """In millionths (0.02 → 20000); -1 where none was given."""
    origination_quarter: NDArray[np.int64]
    """Quarters since 1900 (:func:`quarter_name`); -1 where no origination date was given."""

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
            default_probability=self.default_probability[index],
            origination_quarter=self.origination_quarter[index],
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


def check_types(schema: pl.Schema, source: str = "book") -> None:
    """Refuse a book whose ``loan_id``, ``asset_class`` or ``state`` column holds neither text
    nor numbers (a list, a struct, raw bytes): no row of it could be read.

    >>> check_types(pl.Schema({"loan_id": pl.List(pl.String)}))
    Traceback (most recent call last):
    ...
    underwater.errors.InputError: book: column loan_id must hold text or numbers, not List(String)
    """
    for name in ("loan_id", "asset_class", "state"):
        dtype = schema.get(name)
        if dtype is None or dtype == pl.Null or dtype.is_numeric() or isinstance(dtype, _TEXT_TYPES):
            continue
        if dtype == pl.String or dtype == pl.Boolean:
            continue
        raise InputError(source, f"column {name} must hold text or numbers, not {dtype}")


# --- per-type parsing expressions -------------------------------------------------------------
# Each field gives (value expression, checks): the checks are (condition, rule) in order, and a
# row breaks the first rule whose condition is true. Only booleans are computed for every row;
# the rule's text is picked out for the rows that break one.

_Check = tuple[pl.Expr, str]
_Field = tuple[pl.Expr, list[_Check]]


_NUMBER_PARTS = r"^([+-]?)([0-9]*)(?:\.([0-9]*))?$"  # sign, whole digits, fraction digits


def _text_stages(schema: pl.Schema) -> list[list[pl.Expr]]:
    """Columns worked out once, in two passes, before the checks, for every number column held
    as text: the cell without surrounding spaces and tabs and its parts by
    :data:`_NUMBER_PARTS`; then the facts the checks compare (lengths, sign, whether it read)
    and the value. polars does not share a sub-expression between the many checks that use
    it, so each check would otherwise take the text apart again."""
    first: list[pl.Expr] = []
    second: list[pl.Expr] = []
    for name, places in _PLACES.items():
        dtype = schema.get(name)
        if dtype is None or not (dtype == pl.String or isinstance(dtype, _TEXT_TYPES)):
            continue
        text = pl.col(name).cast(pl.String).str.strip_chars(" \t")
        first += [text.alias(_STRIPPED + name), text.str.extract_groups(_NUMBER_PARTS).alias(_PARTS + name)]
        parts = pl.col(_PARTS + name)
        sign = parts.struct.field("1")
        whole_raw = parts.struct.field("2")
        fraction_raw = parts.struct.field("3").fill_null("")
        whole = whole_raw.str.strip_chars_start("0")
        fraction = fraction_raw.str.strip_chars_end("0")
        value = pl.when(whole == "").then(pl.lit("0")).otherwise(whole).cast(pl.Int64, strict=False) * (
            10**places
        )
        if places:
            value = value + pl.when(fraction == "").then(pl.lit("0")).otherwise(
                fraction.str.pad_end(places, "0")
            ).cast(pl.Int64, strict=False)
        second += [
            (pl.col(_STRIPPED + name).str.len_bytes() > MAX_DIGITS).alias(_LONG + name),
            (sign.is_null() | ((whole_raw.str.len_bytes() + fraction_raw.str.len_bytes()) == 0)).alias(
                _UNREADABLE + name
            ),
            ((sign == "-") & ((whole.str.len_bytes() + fraction.str.len_bytes()) > 0)).alias(
                _NEGATIVE + name
            ),
            (fraction.str.len_bytes() > places).alias(_FINE + name),
            (whole.str.len_bytes() > _WHOLE_DIGITS).alias(_BIG + name),
            pl.when(fraction.str.len_bytes() <= places).then(value).alias(_VALUE + name),
        ]
    return [first, second]


def _scaled_text(name: str, rule: str, places_rule: str, max_rule: str) -> _Field:
    """Plain decimal text → integer × 10**places (see the module docstring for the grammar),
    from the columns :func:`_text_stages` worked out.

    The text is taken apart by one regular expression of ASCII classes only (``[0-9]``, never
    ``\\d``, which in polars' engine also matches other scripts' digits); the value is kept
    only for text that passed every check, from at most :data:`_WHOLE_DIGITS` significant
    digits, so no cast can fail and no product can overflow."""
    checks = [
        (pl.col(_LONG + name), _LONG_RULE),
        (pl.col(_UNREADABLE + name), rule),
        (pl.col(_NEGATIVE + name), _NEGATIVE_RULE),
        (pl.col(_FINE + name), places_rule),
        (pl.col(_BIG + name), max_rule),
    ]
    return pl.when(~pl.any_horizontal([check for check, _ in checks])).then(pl.col(_VALUE + name)), checks


def _scaled(
    name: str,
    dtype: pl.DataType,
    places: int,
    rule: str,
    places_rule: str,
    maximum: int,
    max_rule: str,
) -> _Field:
    """A number column of any supported type → integer × 10**places, exactly.

    Every type's value is range-checked in its own units before it is scaled, so that a huge
    integer, float or decimal is a reject ("must be at most …") and never an overflow."""
    col = pl.col(name)
    scale = 10**places
    if isinstance(dtype, _TEXT_TYPES) or dtype == pl.String:
        return _scaled_text(name, rule, places_rule, max_rule)
    if dtype.is_integer():
        wide = col.cast(pl.Int128)
        negative = wide < 0
        too_big = wide > maximum // scale
        # Out-of-range rows become null before any cast or product, so nothing can overflow.
        value = pl.when(~negative & ~too_big).then(wide).cast(pl.Int64, strict=False) * scale
        return value, [(negative, _NEGATIVE_RULE), (too_big, max_rule)]
    if dtype.is_float():
        as_float = col.cast(pl.Float64)
        finite = as_float.is_finite()
        negative = as_float < 0  # -0.0 is not below 0: it is zero
        too_big = as_float > maximum / scale
        scaled = (as_float * scale).round(0)
        exact = (scaled / scale) == as_float
        ok = finite & ~negative & ~too_big & exact
        value = pl.when(ok).then(scaled).cast(pl.Int64, strict=False)
        return value, [
            (~finite, _FINITE_RULE),
            (negative, _NEGATIVE_RULE),
            (too_big, max_rule),
            (~exact, places_rule),
        ]
    if isinstance(dtype, pl.Decimal):
        physical = col.to_physical().cast(pl.Int128)
        shift = (dtype.scale or 0) - places
        negative = physical < 0
        if shift >= 0:
            unit = 10**shift
            too_big = physical > maximum * unit if maximum * unit < 10**38 else pl.lit(value=False)
            too_fine = (physical % unit) != 0
            ok = ~negative & ~too_big & ~too_fine
            value = pl.when(ok).then(physical // unit).cast(pl.Int64, strict=False)
            return value, [(negative, _NEGATIVE_RULE), (too_big, max_rule), (too_fine, places_rule)]
        too_big = physical > maximum // 10**-shift
        value = pl.when(~negative & ~too_big).then(physical).cast(pl.Int64, strict=False) * 10**-shift
        return value, [(negative, _NEGATIVE_RULE), (too_big, max_rule)]
    if dtype == pl.Null:
        return pl.lit(None, dtype=pl.Int64), []
    return pl.lit(None, dtype=pl.Int64), [(pl.lit(value=True), rule)]


def _finish(
    name: str,
    field: _Field,
    *,
    present: bool,
    default: int | None,
    minimum: int,
    maximum: int,
    max_rule: str,
    min_rule: str = _NEGATIVE_RULE,
    unreadable_rule: str,
    is_text: bool = False,
) -> _Field:
    """Apply presence, default and bounds to a parsed column."""
    if not present:
        if default is None:  # pragma: no cover - check_columns refuses this earlier
            raise InputError(name, "is a required column")
        return pl.lit(default, dtype=pl.Int64), []
    value, checks = field
    raw = pl.col(name)
    empty = raw.is_null()
    if is_text:
        empty = empty | (pl.col(_STRIPPED + name) == "")
    filled = pl.when(empty).then(pl.lit(default, dtype=pl.Int64)).otherwise(value)
    # An empty cell of an optional column takes the default and breaks no rule.
    given = [(~empty & condition, rule) for condition, rule in checks]
    given += [(~empty & (value < minimum), min_rule), (~empty & (value > maximum), max_rule)]
    # Whatever else left a given cell without a value breaks the field's rule: no null ever
    # reaches the kernel as a number.
    given.append((~empty & value.is_null(), unreadable_rule))
    return filled, ([(empty, _MISSING)] if default is None else []) + given


def _text_column(name: str, dtype: pl.DataType | None) -> pl.Expr | None:
    if dtype is None:
        return None
    col = pl.col(name)
    if dtype == pl.Null:
        return pl.lit(None, dtype=pl.String)
    return col.cast(pl.String)


def _lookup(
    name: str, frame: pl.DataFrame, names: tuple[str, ...], parse: Callable[[str], int], rule: str
) -> tuple[_Field, list[pl.Series]]:
    """A text column of names → integer codes (0 when empty). A cell spelled exactly as the
    engine writes the name (one of ``names``: ``car``, ``CO``) is found by a cast to a fixed
    :class:`polars.Enum` of them; each other distinct spelling is read once by the library's
    own parser, so a column of ten million rows costs one hash lookup a row. The codes are
    worked out here, once, as two columns to add to the frame (the code, and whether the
    spelling is unknown); the field refers to them."""
    if name not in frame.columns or frame.schema[name] == pl.Null:
        return (pl.lit(0, dtype=pl.Int64), []), []
    text = frame[name].cast(pl.String)
    spellings, codes = _canonical(names, parse)
    index = text.cast(spellings, strict=False)
    code = codes[index.to_physical().fill_null(0).to_numpy()]
    code[index.is_null().to_numpy()] = 0
    unknown = np.zeros(text.len(), dtype=np.bool_)
    other = (text.is_not_null() & index.is_null()).to_numpy()
    if other.any():
        where = np.flatnonzero(other)
        rest = text.gather(where)
        known: dict[str, int] = {}
        for spelling in rest.unique().to_list():
            if not spelling.strip():
                known[spelling] = 0
                continue
            with contextlib.suppress(InputError):  # an unknown spelling stays unmapped: a reject
                known[spelling] = parse(spelling)
        found = rest.replace_strict(list(known), list(known.values()), default=None, return_dtype=pl.Int64)
        code[where] = found.fill_null(0).to_numpy()
        unknown[where] = found.is_null().to_numpy()
    columns = [pl.Series(_CODE + name, code, dtype=pl.Int64), pl.Series(_UNKNOWN + name, unknown)]
    return (pl.col(_CODE + name), [(pl.col(_UNKNOWN + name), rule)]), columns


@cache
def _canonical(names: tuple[str, ...], parse: Callable[[str], int]) -> tuple[pl.Enum, NDArray[np.int64]]:
    # The names as the engine writes them, as an Enum, and each one's code by the library's parser.
    return pl.Enum(names), np.array([parse(spelling) for spelling in names], dtype=np.int64)


def _class_code(spelling: str) -> int:
    return ASSET_CLASSES.index(parse_asset_class(spelling).value)


def _state_code(spelling: str) -> int:
    return STATE_CODES.index(parse_state(spelling)) + 1


_CONTROL = r"\x00-\x1f\x7f"
_GOOD_ID = rf"^[^{_CONTROL}]*[^\s{_CONTROL}][^{_CONTROL}]*$"  # not blank, no control character


FIRST_YEAR, LAST_YEAR = 1900, 2100
"""The origination dates a book may give: years 1900 to 2100."""
_DATE_RULE = f"must be a date such as 2023-04-15, from {FIRST_YEAR} to {LAST_YEAR}"


def quarter_name(code: int) -> str:
    """The name of an origination quarter code (quarters since the start of 1900).

    >>> quarter_name(0), quarter_name((2023 - 1900) * 4 + 1)
    ('1900Q1', '2023Q2')
    """
    return f"{FIRST_YEAR + code // 4}Q{code % 4 + 1}"


def _quarter(dtype: pl.DataType | None) -> _Field:
    """``origination_date`` → its quarter's code (-1 when empty or absent): text strictly
    YYYY-MM-DD (ASCII digits, a real date), or a Parquet date or datetime."""
    if dtype is None or dtype == pl.Null:
        return pl.lit(-1, dtype=pl.Int64), []
    column = pl.col("origination_date")
    if dtype == pl.Date:
        empty, date = column.is_null(), column
    elif isinstance(dtype, pl.Datetime):
        empty, date = column.is_null(), column.dt.date()
    elif dtype == pl.String or isinstance(dtype, _TEXT_TYPES):
        text = column.cast(pl.String).str.strip_chars(" \t")
        empty = text.is_null() | (text == "")
        shaped = text.str.contains(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
        date = pl.when(shaped).then(text).str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    else:
        return pl.lit(-1, dtype=pl.Int64), [(column.is_not_null(), _DATE_RULE)]
    year = date.dt.year()
    bad = ~empty & (date.is_null() | (year < FIRST_YEAR) | (year > LAST_YEAR))
    code = ((year.cast(pl.Int64) - FIRST_YEAR) * 4 + (date.dt.month().cast(pl.Int64) - 1) // 3).fill_null(-1)
    return pl.when(empty | bad).then(pl.lit(-1, dtype=pl.Int64)).otherwise(code), [(bad, _DATE_RULE)]


def _identifier(dtype: pl.DataType) -> _Field:
    # Kept exactly as given; empty or only blanks is missing.
    text = _text_column("loan_id", dtype)
    assert text is not None
    return text, [
        (text.is_null() | ~text.str.contains(r"\S"), _MISSING),
        (text.str.contains(rf"[{_CONTROL}]"), _CONTROL_RULE),
    ]


def _bad_identifier(dtype: pl.DataType) -> pl.Expr:
    """Whether a row breaks a rule of :func:`_identifier`, in one pass of one regular expression
    (the rules themselves are told apart for the rejected rows only)."""
    text = _text_column("loan_id", dtype)
    assert text is not None
    return text.is_null() | ~text.str.contains(_GOOD_ID)


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
    stage: list[pl.Expr],
) -> _Field:
    # The parsed value and each check become columns of their own (``stage``, computed before
    # the checks are combined): polars would otherwise work out the value again in every
    # bound check that compares it.
    dtype = frame_schema.get(name)
    if whole_only:
        places, places_rule = 0, _WHOLE_RULE
    field = _scaled(name, dtype, places, rule, places_rule, maximum, max_rule) if dtype is not None else None
    if field is not None:
        value, checks = field
        stage.append(value.alias(_RAW + name))
        stage.extend(check.alias(f"{_CHECK}{k}:{name}") for k, (check, _) in enumerate(checks))
        field = (
            pl.col(_RAW + name),
            [(pl.col(f"{_CHECK}{k}:{name}"), rule) for k, (_, rule) in enumerate(checks)],
        )
    return _finish(
        name,
        field if field is not None else (pl.lit(None, dtype=pl.Int64), []),
        present=dtype is not None,
        default=default,
        minimum=minimum,
        maximum=maximum,
        max_rule=max_rule,
        min_rule=min_rule,
        unreadable_rule=rule,
        is_text=dtype is not None and (dtype == pl.String or isinstance(dtype, _TEXT_TYPES)),
    )


_MONEY = {
    "places": 2,
    "rule": _MONEY_RULE,
    "places_rule": _CENTS_RULE,
    "maximum": MAX_MONEY_CENTS,
    "max_rule": _MONEY_MAX_RULE,
}
_WHOLE = {"places": 0, "rule": _WHOLE_RULE, "places_rule": _WHOLE_RULE, "whole_only": True}
# Every number field's rules, in the order of the table in the module docstring: the keyword
# arguments of _numeric, and (by number_rules) the same rules for the typed checks.
_NUMBER_FIELDS: dict[str, dict[str, Any]] = {
    "balance": {**_MONEY, "default": None},
    "rate_percent": {
        "places": 5,
        "rule": _RATE_RULE,
        "places_rule": _RATE_PLACES_RULE,
        "default": None,
        "maximum": _MAX_RATE_UNITS,
        "max_rule": _RATE_MAX_RULE,
    },
    "remaining_payments": {
        **_WHOLE,
        "default": None,
        "minimum": 1,
        "min_rule": "must be at least 1",
        "maximum": MAX_PAYMENTS,
        "max_rule": f"must be at most {MAX_PAYMENTS} payments",
    },
    "value": {**_MONEY, "default": None},
    "payment": {**_MONEY, "default": -1},
    "asset_age_months": {
        **_WHOLE,
        "default": 0,
        "maximum": MAX_AGE_MONTHS,
        "max_rule": f"must be at most {MAX_AGE_MONTHS} months",
    },
    "other_liens": {**_MONEY, "default": 0},
    "default_probability": {
        "places": 6,
        "rule": "must be a probability from 0 to 1 such as 0.02",
        "places_rule": "must have at most 6 decimal places",
        "default": -1,
        "maximum": PROBABILITY_UNITS,
        "max_rule": "must be at most 1 (a probability)",
    },
}


def number_rules() -> dict[str, NumberRule]:
    """Each number field's rule as the typed checks take it (:mod:`underwater.portfolio.typed`):
    the places kept, the bounds in those units and the default for an empty cell (a default
    of ``None`` makes an empty cell a reject)."""
    return {
        name: NumberRule(
            places=0 if spec.get("whole_only") else spec["places"],
            minimum=spec.get("minimum", 0),
            maximum=spec["maximum"],
            default=spec["default"],
        )
        for name, spec in _NUMBER_FIELDS.items()
    }


def _fields(
    frame: pl.DataFrame, typed: Collection[str] = ()
) -> tuple[dict[str, _Field], list[pl.Series], list[pl.Expr]]:
    """Every field's value and checks (in the order of the table in the module docstring), the
    columns the lookups add to the frame, and the columns of parsed values and checks to add
    after the text stages (:func:`_numeric`). The number fields named in ``typed`` were checked
    already (:mod:`underwater.portfolio.typed`): they are left out."""
    schema = frame.schema
    stage: list[pl.Expr] = []
    found: dict[str, _Field] = {"loan_id": _identifier(schema["loan_id"])}
    lookups: list[pl.Series] = []
    for name, (names, parse, rule) in {
        "asset_class": (ASSET_CLASSES, _class_code, _CLASS_RULE),
        "state": (STATE_CODES, _state_code, _STATE_RULE),
    }.items():
        found[name], columns = _lookup(name, frame, names, parse, rule)
        lookups += columns
    for name, spec in _NUMBER_FIELDS.items():
        if name not in typed:
            found[name] = _numeric(schema, name, stage=stage, **spec)
    found["origination_date"] = _quarter(schema.get("origination_date"))
    return {name: found[name] for name in BOOK_COLUMNS if name in found}, lookups, stage


def _staged(frame: pl.DataFrame, typed: Collection[str] = ()) -> tuple[dict[str, _Field], pl.DataFrame]:
    """:func:`_fields` of ``frame`` (leaving out the number fields in ``typed``), and the frame
    with the columns those fields refer to worked out: the lookups' codes, then the text
    stages, then the parsed values and checks."""
    fields, lookups, parsed = _fields(frame, typed)
    frame = frame.with_columns(lookups)
    for stage in [*_text_stages(frame.schema), parsed]:
        if stage:
            frame = frame.with_columns(stage)
    return fields, frame


def _broken(checks: list[_Check]) -> pl.Expr:
    """True where a row breaks any of ``checks`` (a condition that is null counts as kept)."""
    if not checks:
        return pl.lit(value=False)
    return pl.any_horizontal([condition.fill_null(value=False) for condition, _ in checks])


def _first_rule(checks: list[_Check]) -> pl.Expr:
    """The rule of the first check a row breaks (null if none)."""
    chain: Any = pl
    for condition, rule in checks:
        chain = chain.when(condition.fill_null(value=False)).then(pl.lit(rule))
    return chain.otherwise(pl.lit(None, dtype=pl.String)) if checks else pl.lit(None, dtype=pl.String)


def _first_interest_cents(balance: NDArray[np.int64], units: NDArray[np.int64]) -> NDArray[np.int64]:
    # Half away from zero on a non-negative quotient: floor((2a + b) / 2b).
    return (2 * balance * units + _MONTHLY_DIVISOR) // (2 * _MONTHLY_DIVISOR)


def id_fingerprints(frame: pl.DataFrame) -> tuple[NDArray[np.uint64], NDArray[np.uint64], NDArray[np.bool_]]:
    """Each row's ``loan_id`` fingerprint (two hashes, :mod:`underwater.portfolio.ids`) and
    whether the id is usable (it breaks none of ``loan_id``'s own rules): what
    :func:`validate` hands a :class:`~underwater.portfolio.ids.LoanIds`, from the column alone."""
    from underwater.portfolio.ids import SEEDS

    check_types(frame.schema)
    text, _ = _identifier(frame.schema["loan_id"])
    parts = frame.select(
        *[text.hash(seed=seed).alias(f"{_HASH}{k}") for k, seed in enumerate(SEEDS)],
        _bad_identifier(frame.schema["loan_id"]).alias(_BROKEN),
    )
    return (
        parts[f"{_HASH}0"].to_numpy(),
        parts[f"{_HASH}1"].to_numpy(),
        ~parts[_BROKEN].to_numpy(),
    )


def validate(
    frame: pl.DataFrame,
    first_row: int = 1,
    *,
    rows: NDArray[np.int64] | None = None,
    ids: LoanIds | KnownRepeats | None = None,
) -> tuple[Book, pl.DataFrame]:
    """Split a chunk of raw rows into valid loans and rejects.

    ``first_row`` is the 1-based data row number of the chunk's first row, or ``rows`` gives
    each row's number (a CSV chunk whose broken lines were taken out). With ``ids`` (a
    :class:`~underwater.portfolio.ids.LoanIds` shared by the chunks of one book) a row whose
    ``loan_id`` an earlier row already has is rejected, naming that row. Returns the
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
    check_types(frame.schema)
    original = frame.columns
    if rows is None:
        numbers = pl.int_range(first_row, first_row + frame.height, dtype=pl.Int64)
    else:
        if len(rows) != frame.height:
            raise ValueError(f"{len(rows)} row numbers for {frame.height} rows")
        numbers = pl.lit(pl.Series(_ROW_COLUMN, rows, dtype=pl.Int64))
    # Number columns held as integers or decimals are checked in a compiled pass (typed); the rest
    # through polars. Which rule a bad row broke is worked out for the bad rows only.
    typed = typed_fields(frame, number_rules())
    fields, frame = _staged(frame, typed)
    identifier = fields["loan_id"][0]
    fingerprints = []
    if ids is not None:
        from underwater.portfolio.ids import SEEDS

        fingerprints = [identifier.hash(seed=seed).alias(f"{_HASH}{k}") for k, seed in enumerate(SEEDS)]
    values = frame.select(
        numbers.alias(_ROW_COLUMN),
        *[value.alias(name) for name, (value, _) in fields.items()],
        *[
            (_bad_identifier(frame.schema["loan_id"]) if name == "loan_id" else _broken(checks)).alias(
                _BROKEN + name
            )
            for name, (_, checks) in fields.items()
        ],
        *fingerprints,
    ).with_columns(pl.Series(name, value, dtype=pl.Int64) for name, (value, _) in typed.items())
    broken = np.logical_or.reduce(
        [values[_BROKEN + name].to_numpy() for name in fields] + [flags for _, flags in typed.values()]
    )
    repeat = np.zeros(frame.height, dtype=np.int64)
    if ids is not None:
        usable = ~values[_BROKEN + "loan_id"].to_numpy()
        repeat = ids.repeats(
            values[f"{_HASH}0"].to_numpy(), values[f"{_HASH}1"].to_numpy(), _ints(values[_ROW_COLUMN]), usable
        )
        broken = broken | (repeat > 0)
    if not broken.any():
        good = values
        rejects = pl.DataFrame(schema=dict.fromkeys(REJECT_COLUMNS, pl.String) | {"row": pl.Int64})
    else:
        keep = pl.Series(broken)
        good = values.filter(~keep)
        rejects = _reasons(
            frame.select(original).filter(keep), values[_ROW_COLUMN].filter(keep), repeat[broken]
        )
    # Cross-field rule: a given payment must reduce the balance in the first month.
    balance = _ints(good["balance"])
    units = _ints(good["rate_percent"])
    payment = _ints(good["payment"])
    interest = _first_interest_cents(balance, units)
    given = (payment >= 0) & (balance > 0)
    short = given & (payment < interest)
    flat = given & (payment == interest) & ~short
    bad_payment = short | flat
    if bad_payment.any():
        where = np.nonzero(bad_payment)[0]
        payment_reasons = [
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
                "reason": payment_reasons,
            }
        )
        rejects = pl.concat([rejects, extra]).sort("row")
        good = good.filter(pl.Series(~bad_payment))
    numeric = [name for name in fields if name != "loan_id"]
    if any(good[name].null_count() for name in numeric):  # pragma: no cover - a bug, not bad input
        raise AssertionError("validate let a row without a value through")
    book = Book(
        row=_ints(good["row"]),
        loan_id=good["loan_id"],
        balance=_ints(good["balance"]),
        rate_units=_ints(good["rate_percent"]),
        remaining_payments=_ints(good["remaining_payments"]),
        value=_ints(good["value"]),
        payment=_ints(good["payment"]),
        asset_class=_ints(good["asset_class"]),
        asset_age_months=_ints(good["asset_age_months"]),
        other_liens=_ints(good["other_liens"]),
        state=_ints(good["state"]),
        default_probability=_ints(good["default_probability"]),
        origination_quarter=_ints(good["origination_date"]),
    )
    return book, rejects.with_columns(pl.col("loan_id").cast(pl.String))


def _reasons(frame: pl.DataFrame, rows: pl.Series, repeat: NDArray[np.int64]) -> pl.DataFrame:
    """The reject rows (:data:`REJECT_COLUMNS`) for rows of the book that broke a rule:
    ``frame`` holds them as read, ``rows`` their row numbers, ``repeat`` the earlier row whose
    id each repeats (0: none). Every field is checked again through polars, so that the first
    rule broken is named in the order of the table in the module docstring (a repeated id
    first)."""
    fields, frame = _staged(frame)
    repeated = pl.col(_REPEAT) > 0
    return frame.with_columns(pl.Series(_REPEAT, repeat)).select(
        pl.Series("row", rows),
        fields["loan_id"][0].alias("loan_id"),
        pl.when(repeated)
        .then(pl.lit("loan_id"))
        .otherwise(
            pl.coalesce([pl.when(_broken(checks)).then(pl.lit(name)) for name, (_, checks) in fields.items()])
        )
        .alias("field"),
        pl.when(repeated)
        .then(pl.format("repeats the loan_id of row {}", pl.col(_REPEAT)))
        .otherwise(pl.coalesce([_first_rule(checks) for _, checks in fields.values()]))
        .alias("reason"),
    )


def _ints(column: pl.Series) -> NDArray[np.int64]:
    # The column's values as int64 without a copy when they already are (read-only then).
    return column.to_numpy().astype(np.int64, copy=False)


def _dollars(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"
