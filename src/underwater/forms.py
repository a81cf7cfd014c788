"""The one set of input models that the CLI, the web API and the batch engine share.

A :class:`Form` is a list of :class:`Field` s; each field knows its kind (money, percent,
months, a date …), its bounds and its help text. Every front hands the raw text or JSON it
received to :meth:`Form.parse`, which validates each field once and raises
:class:`~underwater.errors.InputError` naming the field and the rule. The CLI builds its
options from the same fields (``selling_costs`` → ``--selling-costs``) and the web app builds
its OpenAPI schema from them, so a field is described and validated in exactly one place.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from underwater.errors import InputError, InputErrors, escaped
from underwater.limits import FIRST_DATE, LAST_DATE, MAX_AMOUNT, MAX_DIGITS
from underwater.money import (
    _DECIMAL_LIMIT,
    parse_decimal,
    parse_money,
    parse_percent,
)  # the bound itself, not a copy
from underwater.patterns import (
    AMOUNT_PATTERN,
    DATE,
    DATE_PATTERN,
    INT,
    INT_PATTERN,
    NUMBER_PATTERN,
    strip_blanks,
)

__all__ = [
    "BLANK_PATTERN",
    "LINES_LIMIT",
    "NAME_LIMIT",
    "TEXT_LIMIT",
    "Field",
    "Form",
    "Kind",
    "parse_date",
    "parse_int",
    "parse_lines",
    "parse_pair",
    "parse_text",
]


class Kind(StrEnum):
    """What a field holds, which fixes how it is parsed and described."""

    MONEY = "money"
    """Dollars, never negative: ``18000``, ``$18,000.50``."""
    PERCENT = "percent"
    """A percentage as typed: ``6.9`` is 6.9 %."""
    DECIMAL = "decimal"
    """A plain number with decimals."""
    INT = "int"
    """A whole number (months, payments, days)."""
    DATE = "date"
    """A calendar date, ``YYYY-MM-DD``."""
    CHOICE = "choice"
    """One word from a fixed list."""
    PAIR = "pair"
    """``NAME=AMOUNT``: a named amount of money, such as a lien ``HELOC=30000``."""
    FLAG = "flag"
    """On or off, off unless given (a CLI switch, a checkbox)."""
    YES_NO = "yes_no"
    """Yes or no, with a default either way (``yes``/``no``, or a JSON boolean)."""
    TEXT = "text"
    """Free text."""
    LINES = "lines"
    """Several lines of text, such as rows pasted from a statement (a box of lines on a page; on
    the command line the text itself, or ``@FILE`` to read it from a file)."""


_INT_LIMIT = 10**15
"""The largest magnitude of a whole number when its field sets no bound of its own."""


def parse_int(value: object, field: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Read a whole number such as a count of months; bounds are inclusive.

    Text must be ASCII digits with an optional sign and commas only between thousands
    (``1,200``); ``12,5``, ``1 2``, ``²`` and ``1e3`` are refused. A JSON number that is whole
    (``12`` or ``12.0``) is taken. Without bounds the number must lie within ±10^15.

    >>> parse_int("72", "term_months", minimum=1)
    72
    >>> parse_int("12,5", "n_payments")
    Traceback (most recent call last):
    ...
    underwater.errors.InputError: n_payments: must be a whole number such as 72 (got '12,5')
    """
    if isinstance(value, (bool, float)):
        raise InputError(field, "must be a whole number such as 72", got=value)
    low = -_INT_LIMIT if minimum is None else minimum
    high = _INT_LIMIT if maximum is None else maximum
    if isinstance(value, Decimal):
        if not value.is_finite() or value != value.to_integral_value():
            raise InputError(field, "must be a whole number such as 72", got=value)
        if not low <= value <= high:
            raise InputError(field, _bound_rule(value < low, low, high), got=value)
        value = int(value)
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = value
        if len(text) > MAX_DIGITS or not INT.fullmatch(text):
            raise InputError(field, "must be a whole number such as 72", got=value)
        number = int(strip_blanks(text).replace(",", ""))
    else:
        raise InputError(field, "must be a whole number such as 72", got=value)
    if not low <= number <= high:
        raise InputError(field, _bound_rule(number < low, low, high), got=value)
    return number


def _bound_rule(below: bool, low: int, high: int) -> str:
    return f"must be at least {low}" if below else f"must be at most {high}"


def parse_date(value: object, field: str) -> dt.date:
    """Read a calendar date written ``YYYY-MM-DD``, from 1900-01-01 to 2199-12-31; a date that
    does not exist (``2026-02-30``) or another spelling (``2026-W05-1``) is refused.

    >>> parse_date("2026-03-01", "first_payment_date")
    datetime.date(2026, 3, 1)
    """
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        day = value
    elif not isinstance(value, str):
        raise InputError(field, "must be a date written YYYY-MM-DD, such as 2026-12-01", got=value)
    else:
        text = value
        if len(text) > MAX_DIGITS or not DATE.fullmatch(text):
            raise InputError(field, "must be a date written YYYY-MM-DD, such as 2026-12-01", got=value)
        try:
            day = dt.date.fromisoformat(strip_blanks(text))
        except ValueError:
            raise InputError(field, "must be a real calendar date written YYYY-MM-DD", got=value) from None
    if not FIRST_DATE <= day <= LAST_DATE:
        raise InputError(field, f"must be from {FIRST_DATE} to {LAST_DATE}", got=value)
    return day


def parse_pair(value: object, field: str) -> tuple[str, Decimal]:
    """Read ``NAME=AMOUNT`` (a named amount of money, e.g. a lien) as ``(name, dollars)``.

    >>> parse_pair("HELOC=30,000", "lien")
    ('HELOC', Decimal('30000.00'))
    """
    if isinstance(value, (list, tuple)) and len(value) == 2:
        name, amount = value
    elif isinstance(value, Mapping) and {"name", "amount"} <= set(value):
        name, amount = value["name"], value["amount"]
    elif isinstance(value, str):
        if "=" not in value:
            raise InputError(field, "must be written NAME=AMOUNT, e.g. HELOC=30000", got=value)
        name, amount = value.split("=", 1)
    else:
        raise InputError(field, "must be written NAME=AMOUNT, e.g. HELOC=30000", got=value)
    if not isinstance(name, str) or not name.strip():
        raise InputError(field, "must be written NAME=AMOUNT with a name before '='", got=value)
    return parse_text(name, field, limit=NAME_LIMIT), parse_money(amount, field)


TEXT_LIMIT = 200
"""The most characters a free-text input may have."""
NAME_LIMIT = 60
"""The most characters a name (a lien's, in ``NAME=AMOUNT``) may have."""


LINES_LIMIT = 16_000
"""The most characters a box of lines may have (about 300 rows of a statement)."""


def parse_lines(value: object, field: str, *, limit: int = LINES_LIMIT) -> str:
    """Read several lines of text: at most ``limit`` characters, line breaks (``\\r\\n``,
    ``\\r``) made ``\\n``, tabs kept, no other control character; blank lines at the ends are
    dropped; empty text is refused.

    >>> parse_lines("a,1\\r\\nb,2\\n\\n", "rows")
    'a,1\\nb,2'
    """
    if not isinstance(value, str):
        raise InputError(field, "must be text", got=value)
    # Only line breaks, spaces and tabs are trimmed from the ends: any other character, blank to
    # str.isspace or not (a file separator, U+001C), is read and must pass the rules.
    text = value.replace("\r\n", "\n").replace("\r", "\n").strip("\n").rstrip(" \t\n")
    if not text.strip():
        raise InputError(field, "must not be empty", got=value if value else None)
    if len(text) > limit:
        raise InputError(field, f"must be at most {limit:,} characters", got=value)
    if any(c not in "\n\t" and unicodedata.category(c) in ("Cc", "Cs") for c in text):
        raise InputError(field, "must not hold control characters or unpaired surrogates", got=value)
    return text


def parse_text(value: object, field: str, *, limit: int = TEXT_LIMIT) -> str:
    """Read free text: a string of at most ``limit`` characters, without control characters
    or unpaired surrogates, blanks trimmed from the ends; empty text is refused.

    >>> parse_text("  first lien ", "lien")
    'first lien'
    """
    if not isinstance(value, str):
        raise InputError(field, "must be text", got=value)
    text = value.strip()
    if not text:
        raise InputError(field, "must not be empty", got=value if value else None)
    if len(text) > limit:
        raise InputError(field, f"must be at most {limit} characters", got=value)
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in text):
        raise InputError(field, "must not hold control characters or unpaired surrogates", got=value)
    return text


@dataclass(frozen=True, slots=True)
class Field:
    """One input: its name (snake_case, the same in Python, JSON and — dashed — the CLI), what it
    holds, its rules, and what a front needs to show it to a person.

    ``label`` is the plain question or name a page shows (default: the name in words);
    ``section`` names the part of the situation it belongs to (``loan``, ``asset`` …, see
    :mod:`underwater.situation`); ``essential`` marks the few inputs an answer needs, shown
    first; the rest go behind "more details". ``help`` may name other fields in backticks.
    ``attr`` is the attribute the value fills in a part of the situation (default: ``name``).
    """

    name: str
    kind: Kind
    help: str
    required: bool = False
    repeat: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()
    minimum: Decimal | int | None = None
    maximum: Decimal | int | None = None
    example: str | None = None
    allow_negative: bool = False
    label: str = ""
    section: str = ""
    essential: bool = False
    attr: str = ""
    choice_labels: tuple[str, ...] = ()
    """Plain words for each of ``choices``, in the same order (default: the choices)."""
    usual_maximum: Decimal | int | None = None
    """Above this a value is allowed but unusual (a 500 % rate): the fronts warn, never refuse."""

    @property
    def shown_label(self) -> str:
        """The label a person reads: ``label``, else the name in words (``Selling costs``)."""
        if self.label:
            return self.label
        text = self.name.replace("_", " ")
        return text[:1].upper() + text[1:]

    @property
    def target(self) -> str:
        """The attribute of a situation's part this field fills."""
        return self.attr or self.name

    @property
    def flag(self) -> str:
        """The CLI option: ``selling_costs`` → ``--selling-costs``."""
        return "--" + self.name.replace("_", "-")

    def parse_one(self, value: object) -> Any:
        """Validate and convert one raw value (text or JSON) of this field."""
        name = self.name
        if self.kind is Kind.MONEY:
            return parse_money(value, name, allow_negative=self.allow_negative)
        if self.kind is Kind.PERCENT:
            lo = Decimal(self.minimum) if self.minimum is not None else Decimal(0)
            hi = Decimal(self.maximum) if self.maximum is not None else Decimal(100)
            return parse_percent(value, name, minimum=lo, maximum=hi)
        if self.kind is Kind.DECIMAL:
            lo_d = None if self.minimum is None else Decimal(self.minimum)
            hi_d = None if self.maximum is None else Decimal(self.maximum)
            return parse_decimal(value, name, minimum=lo_d, maximum=hi_d)
        if self.kind is Kind.INT:
            lo_i = None if self.minimum is None else int(self.minimum)
            hi_i = None if self.maximum is None else int(self.maximum)
            return parse_int(value, name, minimum=lo_i, maximum=hi_i)
        if self.kind is Kind.DATE:
            return parse_date(value, name)
        if self.kind is Kind.CHOICE:
            text = value.strip().lower() if isinstance(value, str) else None
            if text not in self.choices:
                raise InputError(name, "must be one of " + ", ".join(self.choices), got=value)
            return text
        if self.kind is Kind.PAIR:
            return parse_pair(value, name)
        if self.kind in (Kind.FLAG, Kind.YES_NO):
            return _parse_flag(value, name)
        if self.kind is Kind.LINES:
            return parse_lines(value, name)
        return parse_text(value, name)

    def parse(self, raw: object) -> Any:
        """Validate the raw value; a repeated field takes a list and gives a tuple."""
        if self.repeat:
            values = list(raw) if isinstance(raw, (list, tuple)) else [raw]
            return tuple(self.parse_one(v) for v in values if not _is_blank(v))
        if (
            self.kind is Kind.LINES
            and isinstance(raw, (list, tuple))
            and all(isinstance(v, str) for v in raw)
        ):
            # Lines given one at a time (``--rows`` again and again, ``rows=…&rows=…``) are one text.
            raw = "\n".join(raw)
        if isinstance(raw, (list, tuple)) and self.kind is not Kind.PAIR:
            if len(raw) != 1:
                raise InputError(self.name, "takes one value, not several", got=raw)
            raw = raw[0]
        return self.parse_one(raw)

    def json_schema(self, *, where: str = "body", name_pattern: str | None = None) -> dict[str, Any]:
        """A JSON Schema of exactly the values :meth:`parse` takes for this field, ``where`` is
        ``"body"`` (a JSON value) or ``"query"`` (text). Patterns are those of
        :mod:`underwater.patterns`, bounds those of the field and :mod:`underwater.limits`;
        what JSON Schema cannot say (a bound on a number written as text, whole cents) is in
        the description. An optional field also takes a blank string (or ``null`` in JSON),
        which means "not given". ``name_pattern`` narrows the name of a ``NAME=AMOUNT`` pair:
        a pattern (without anchors) of the name once blanks are trimmed.

        >>> Field("n", Kind.INT, "months", required=True, minimum=1).json_schema(where="query")["maxLength"]
        30
        """
        body = where == "body"
        item = _value_schemas(self, body=body, name_pattern=name_pattern)
        blank = [] if self.required else _blank_schemas(body=body)
        if self.repeat:
            many = {"type": "array", "items": _one_of([*item, *_blank_schemas(body=body)])}
            # One value alone stands for a list of it, except a pair written as [name, amount]:
            # a list here is always the list of values.
            alone = [s for s in item if s.get("type") != "array"]
            schema = _one_of([many, *alone, *blank] if body else [many])
        else:
            schema = _one_of([*item, *blank])
        if self.example is not None:
            listed = self.repeat or self.kind is Kind.LINES
            schema["examples"] = [[self.example] if listed and not body else self.example]
        schema["description"] = _described(self)
        return schema


# -- JSON Schema of each kind (helpers of Field.json_schema) ---------------------------------
#
# Every pattern is written in the regular-expression syntax that Python and ECMA-262 read
# alike. Whitespace is what Python's str.strip() removes (str.isspace), spelled out, so the
# schema says exactly which blank text counts as "not given" and what a text field trims.

_SPACES = (
    "\\u0009-\\u000d\\u001c-\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
)
"""The characters ``str.isspace`` accepts, as the body of a character class."""
_CONTROLS = "\\u0000-\\u001f\\u007f-\\u009f"
"""Control characters (Unicode category Cc): never part of text. Unpaired surrogates (Cs) are
refused too, but a pattern cannot name them: most validators' strings cannot hold one."""
_LOWERS_TO = {"k": "\\u212a"}
"""Characters outside ASCII whose ``str.lower()`` is an ASCII letter (the Kelvin sign is k)."""
BLANK_PATTERN = f"^[{_SPACES}]*$"
"""Text that counts as not given: empty, or only what ``str.strip()`` removes."""
_FLAG_WORDS = ("1", "0", "true", "false", "yes", "no", "on", "off")


def _one_of(schemas: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return dict(schemas[0]) if len(schemas) == 1 else {"anyOf": list(schemas)}


def _blank_schemas(*, body: bool) -> list[dict[str, Any]]:
    blank: list[dict[str, Any]] = [{"type": "string", "pattern": BLANK_PATTERN}]
    return [*blank, {"type": "null"}] if body else blank


def _inner(pattern: str) -> str:
    """A pattern of :mod:`underwater.patterns` without its anchors, to embed in another."""
    return pattern.removeprefix("^").removesuffix("$")


def _any_case(word: str) -> str:
    """A pattern matching the characters whose ``lower()`` spells ``word``."""
    out = []
    for c in word:
        if c.isalpha():
            out.append(f"[{c}{c.upper()}{_LOWERS_TO.get(c, '')}]")
        else:
            out.append(re.escape(c))
    return "".join(out)


def _words_pattern(words: Sequence[str], *, optional: bool = False) -> str:
    """What ``value.strip().lower() in words`` accepts."""
    choice = "|".join(_any_case(w) for w in words)
    return f"^[{_SPACES}]*(?:{choice}){'?' if optional else ''}[{_SPACES}]*$"


def _text_body(limit: int, *, extra: str = "") -> str:
    """Text as :func:`parse_text` reads it, without anchors: blanks around, then 1 to ``limit``
    characters with no control character, starting and ending with a non-blank."""
    edge = f"[^{_SPACES}{_CONTROLS}{extra}]"
    inside = f"[^{_CONTROLS}{extra}]"
    return f"[{_SPACES}]*{edge}(?:{inside}{{0,{limit - 2}}}{edge})?[{_SPACES}]*"


def _date_range_pattern() -> str:
    """The years of :data:`~underwater.limits.FIRST_DATE` to :data:`~underwater.limits.LAST_DATE`
    with a month 01-12 and a day 01-31 (which day a month has is left to the description)."""
    assert (FIRST_DATE.month, FIRST_DATE.day, LAST_DATE.month, LAST_DATE.day) == (1, 1, 12, 31)
    assert FIRST_DATE.year % 100 == 0 and LAST_DATE.year % 100 == 99
    centuries = "|".join(str(c) for c in range(FIRST_DATE.year // 100, LAST_DATE.year // 100 + 1))
    return f"^[ \\t]*(?:{centuries})[0-9]{{2}}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])[ \\t]*$"


def _money_bounds(field: Field) -> tuple[Decimal, Decimal]:
    return (-MAX_AMOUNT if field.allow_negative else Decimal(0)), MAX_AMOUNT


def _number_bounds(field: Field) -> tuple[Decimal, Decimal]:
    if field.kind is Kind.PERCENT:
        low, high = Decimal(0), Decimal(100)
    elif field.kind is Kind.INT:
        low, high = Decimal(-_INT_LIMIT), Decimal(_INT_LIMIT)
    else:
        low, high = -_DECIMAL_LIMIT, _DECIMAL_LIMIT
    if field.minimum is not None:
        low = Decimal(field.minimum)
    if field.maximum is not None:
        high = Decimal(field.maximum)
    return low, high


def _json_number(value: Decimal) -> int | float:
    """A bound as a JSON number (every bound here is exact as a float)."""
    return int(value) if value == value.to_integral_value() else float(value)


def _amount_schemas(low: Decimal, high: Decimal, *, body: bool) -> list[dict[str, Any]]:
    text = {"type": "string", "maxLength": MAX_DIGITS, "pattern": AMOUNT_PATTERN}
    number = {"type": "number", "minimum": _json_number(low), "maximum": _json_number(high)}
    return [text, number] if body else [text]


def _pair_schemas(name: str | None, *, body: bool) -> list[dict[str, Any]]:
    """``NAME=AMOUNT`` as text, and in JSON also ``[name, amount]`` or ``{"name", "amount"}``."""
    narrowed = None if name is None else f"[{_SPACES}]*(?:{name})[{_SPACES}]*"
    name_text = narrowed or _text_body(NAME_LIMIT, extra="=")
    amount = f"(?![\\s\\S]{{{MAX_DIGITS + 1}}}){_inner(AMOUNT_PATTERN)}"
    text = {"type": "string", "pattern": f"^{name_text}={amount}$"}
    if not body:
        return [text]
    name_value = {"type": "string", "pattern": f"^{narrowed or _text_body(NAME_LIMIT)}$"}
    amount_value = _one_of(_amount_schemas(Decimal(0), MAX_AMOUNT, body=True))
    listed = {"type": "array", "prefixItems": [name_value, amount_value], "minItems": 2, "maxItems": 2}
    named = {
        "type": "object",
        "required": ["name", "amount"],
        "properties": {"name": name_value, "amount": amount_value},
    }
    return [text, listed, named]


def _value_schemas(field: Field, *, body: bool, name_pattern: str | None) -> list[dict[str, Any]]:
    """The schemas of one given (not blank) value of ``field``."""
    kind = field.kind
    if kind is Kind.MONEY:
        return _amount_schemas(*_money_bounds(field), body=body)
    if kind in (Kind.PERCENT, Kind.DECIMAL, Kind.INT):
        low, high = _number_bounds(field)
        pattern = INT_PATTERN if kind is Kind.INT else NUMBER_PATTERN
        text = {"type": "string", "maxLength": MAX_DIGITS, "pattern": pattern}
        number_type = "integer" if kind is Kind.INT else "number"
        number = {"type": number_type, "minimum": _json_number(low), "maximum": _json_number(high)}
        return [text, number] if body else [text]
    if kind is Kind.DATE:
        return [
            {
                "type": "string",
                "maxLength": MAX_DIGITS,
                "allOf": [{"pattern": DATE_PATTERN}, {"pattern": _date_range_pattern()}],
            }
        ]
    if kind is Kind.CHOICE:
        return [{"enum": list(field.choices)}, {"type": "string", "pattern": _words_pattern(field.choices)}]
    if kind in (Kind.FLAG, Kind.YES_NO):
        text = {"type": "string", "pattern": _words_pattern(_FLAG_WORDS, optional=True)}
        return [{"type": "boolean"}, text] if body else [text]
    if kind is Kind.PAIR:
        return _pair_schemas(name_pattern, body=body)
    if kind is Kind.LINES:
        # Any text without control characters but line breaks and tabs; the length is counted
        # after line breaks are made one character and blank ends dropped, so it is described.
        # In JSON and in a query the lines may also come one at a time; at least one character
        # is not blank.
        allowed = "[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]"
        seen = f"[^{_SPACES}{_CONTROLS}]"
        text = {"type": "string", "pattern": f"^{allowed}*$"}
        some = {"type": "string", "pattern": f"^{allowed}*{seen}{allowed}*$"}
        lines = {"type": "array", "items": text, "contains": some}
        return [some, lines] if body else [lines]
    return [{"type": "string", "pattern": f"^{_text_body(TEXT_LIMIT)}$"}]


def _described(field: Field) -> str:
    """The field's help, then the rules its schema cannot state."""
    kind = field.kind
    notes: list[str] = []
    if kind is Kind.MONEY:
        low, high = _money_bounds(field)
        notes.append(f"dollars from {low:,f} to {high:,f} in whole cents (at most two decimals)")
    elif kind in (Kind.PERCENT, Kind.DECIMAL, Kind.INT):
        low, high = _number_bounds(field)
        what = "a whole number" if kind is Kind.INT else "a number"
        unit = " (percent)" if kind is Kind.PERCENT else ""
        notes.append(f"{what} from {low:f} to {high:f}{unit}")
    elif kind is Kind.DATE:
        notes.append(f"a real calendar date from {FIRST_DATE} to {LAST_DATE}")
    elif kind is Kind.CHOICE:
        notes.append("one of " + ", ".join(field.choices) + " (any case)")
    elif kind is Kind.PAIR:
        notes.append(f"the name at most {NAME_LIMIT} characters; the amount in dollars, whole cents")
    elif kind is Kind.LINES:
        notes.append(f"lines of text, at most {LINES_LIMIT:,} characters once line breaks are one each")
    if kind in (Kind.MONEY, Kind.PERCENT, Kind.DECIMAL, Kind.INT):
        notes.append(f"as text or a JSON number, at most {MAX_DIGITS} characters written out")
    if not field.required:
        notes.append("leave it out, blank or null when not given")
    return f"{field.help}. Rules: {'; '.join(notes)}." if notes else field.help


def _parse_flag(value: object, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if not isinstance(value, str):
        raise InputError(field, "must be true or false", got=value)
    text = value.strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off", ""}:
        return False
    raise InputError(field, "must be true or false", got=value)


@dataclass(frozen=True, slots=True)
class Form:
    """The inputs of one job (``equity``, ``loan`` …) and how to check them together.

    ``check`` runs after every field parsed, for rules that tie fields together
    (e.g. "give owed or at least one lien").
    """

    fields: tuple[Field, ...]
    check: Callable[[dict[str, Any]], None] | None = field(default=None)
    fill_defaults: bool = True
    """Whether :meth:`parse` fills a field not given with its default; a form over the parts of
    a situation leaves them ``None`` (the parts fill their own defaults), so ``check`` can tell
    what was given."""

    def field(self, name: str) -> Field:
        """The field called ``name``."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def parse(self, raw: Mapping[str, object]) -> dict[str, Any]:
        """Validate raw inputs (text from a CLI or query string, or JSON values).

        Unknown names are refused, missing required fields are named, empty strings count
        as not given, and defaults fill the rest. Returns the parsed values by field name.
        """
        known = {f.name for f in self.fields}
        for key in raw:
            if key not in known:
                listed = ", ".join(sorted(known))
                if _FIELD_NAME.fullmatch(str(key)):
                    raise InputError(str(key), "is not an input of this job; known inputs: " + listed)
                # Named as sent ("owed " with its blank), escaped and cut short, and echoed so
                # that what is odd about it shows.
                raise InputError(
                    escaped(str(key)), "is not an input of this job; known inputs: " + listed, got=key
                )
        parsed: dict[str, Any] = {}
        problems: list[InputError] = []
        for f in self.fields:
            value = raw.get(f.name)
            if _is_blank(value):
                if f.required:
                    problems.append(InputError(f.name, "is required: " + f.help))
                parsed[f.name] = () if f.repeat else (f.default if self.fill_defaults else None)
                continue
            try:
                parsed[f.name] = f.parse(value)
            except InputErrors as exc:
                problems.extend(exc.problems)
            except InputError as exc:
                problems.append(exc)
        if len(problems) == 1:
            raise problems[0]
        if problems:
            raise InputErrors(problems)
        if self.check is not None:
            self.check(parsed)
        return parsed

    def warnings(self, parsed: Mapping[str, Any]) -> list[tuple[str, str]]:
        """``(field, sentence)`` for each parsed value that is allowed but unusual (above its
        field's ``usual_maximum``), in field order.

        >>> form = Form((Field("rate_percent", Kind.PERCENT, "rate", maximum=1000, usual_maximum=36),))
        >>> form.warnings({"rate_percent": Decimal(500)})
        [('rate_percent', 'is 500, far above the usual (at most 36): check it was typed right')]
        """
        found: list[tuple[str, str]] = []
        for f in self.fields:
            value = parsed.get(f.name)
            if f.usual_maximum is None or value is None or isinstance(value, (bool, tuple, str)):
                continue
            if value > f.usual_maximum:
                found.append(
                    (
                        f.name,
                        f"is {value}, far above the usual (at most {f.usual_maximum}): check it was typed right",
                    )
                )
        return found

    def json_schema(self, names: Mapping[str, str] | None = None) -> dict[str, Any]:
        """A JSON Schema object for a request body holding these fields; ``names`` narrows
        the name of a ``NAME=AMOUNT`` field (by field name) as :meth:`Field.json_schema` does.
        The rules that tie fields together are in :attr:`check`, not here."""
        narrowed = names or {}
        return {
            "type": "object",
            "additionalProperties": False,
            "properties": {f.name: f.json_schema(name_pattern=narrowed.get(f.name)) for f in self.fields},
            "required": [f.name for f in self.fields if f.required],
        }


_FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,59}")


def _is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, Sequence) and not isinstance(value, str):
        return all(_is_blank(v) for v in value)
    return False
