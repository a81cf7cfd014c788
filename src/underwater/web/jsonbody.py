"""A POST body read as a job's inputs: JSON, checked before the job's form reads it.

:func:`read_object` turns the body into a JSON object, refusing what cannot be one:

- bytes that are not UTF-8, text that is not JSON, JSON that is not an object: 400;
- lists and objects nested more than :data:`DEPTH_LIMIT` deep: 422 naming the limit. The depth
  is counted on the text before anything is parsed, so no nesting can exhaust the parser's
  stack or a later walk over the value (962 levels was a 500, a RecursionError);
- numbers are read exactly from their text (``Decimal``, or ``int`` for a whole number written
  without a point or an exponent); one longer than :data:`~underwater.limits.MAX_DIGITS`
  characters written out (``1e400``, a 4,301-digit integer) is kept as its text, to be named.

:func:`input_problems` then finds, per input, what the request body's JSON Schema (the OpenAPI
document's, :meth:`underwater.forms.Form.json_schema`) refuses before any value is read:

- a key given twice, at the top or inside a pair's object (``{"value": 1, "value": 2}`` took the
  last one silently);
- an unpaired surrogate in a key or a string, a number too long to read;
- a value of a JSON type the field does not take: a pair must be ``"NAME=AMOUNT"``,
  ``[name, amount]`` or ``{"name": …, "amount": …}`` with a name and an amount, so
  ``[[null, null]]`` is refused where it was read as "not given"; a single-valued input takes no
  list, a list takes no lists.

Each problem names the input it was found in, by the key the client sent.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal
from itertools import accumulate
from typing import Any

from underwater.errors import InputError, escaped
from underwater.forms import Field, Form, Kind
from underwater.limits import MAX_DIGITS

__all__ = ["DEPTH_LIMIT", "BodyError", "input_problems", "read_object"]

DEPTH_LIMIT = 16
"""How deep lists and objects may nest in a body; every job's inputs need at most 3
(``{"lien": [["HELOC", 30000]]}``)."""

_EXAMPLE = 'e.g. {"owed": "18000", "value": 15000}'


class BodyError(Exception):
    """The body cannot be read as a JSON object of inputs: answer ``status`` with ``rule``."""

    def __init__(self, status: int, rule: str) -> None:
        super().__init__(rule)
        self.status = status
        self.rule = rule


class LongNumber:
    """A JSON number too long to read (its text is kept to name it in the 422)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text


class _Repeated(dict[str, Any]):
    """A JSON object in which ``repeated`` was given more than once (the last value kept)."""

    repeated: str = ""


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    repeated = None
    for key, value in pairs:
        if key in found and repeated is None:
            repeated = key
        found[key] = value
    if repeated is None:
        return found
    marked = _Repeated(found)
    marked.repeated = repeated
    return marked


def _plain_length(number: Decimal) -> int:
    """How many characters ``number`` takes written out without an exponent."""
    sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    n = len(digits)
    if exponent >= 0:
        return sign + n + exponent
    return sign + (n + 1 if n > -exponent else -exponent + 2)


_EXPONENT = re.compile(r"[eE]([+-]?[0-9]+)$")


def _number(text: str) -> Decimal | int | LongNumber:
    """A JSON number read exactly, or :class:`LongNumber` when written out it would take more
    than :data:`~underwater.limits.MAX_DIGITS` characters (``1e400``, ``5e-324``, a 4,301-digit
    integer): the text limit the parsers apply to typed numbers, applied to JSON numbers too."""
    exponent = _EXPONENT.search(text)
    if exponent and len(exponent.group(1).lstrip("+-")) > 4:
        return LongNumber(text)
    if len(text) > 4 * MAX_DIGITS:
        return LongNumber(text)
    number = Decimal(text)
    if _plain_length(number) > MAX_DIGITS:
        return LongNumber(text)
    if exponent is None and "." not in text:
        return int(text)
    return number


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def nesting_depth(text: str) -> int:
    """How deep lists and objects nest in JSON ``text``, counted without parsing it (brackets
    inside strings do not count). Linear in the text.

    >>> nesting_depth('{"lien": [["a[", 1]]}'), nesting_depth("[[[]]]"), nesting_depth("5")
    (3, 3, 0)
    """
    brackets = _BRACKET.findall(_STRING.sub("", text))
    return max(accumulate(1 if b in "[{" else -1 for b in brackets), default=0)


def read_object(body: bytes) -> dict[str, Any]:
    """The body as a JSON object (numbers exact, repeated keys marked), or :class:`BodyError`."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BodyError(400, f"the body is not UTF-8 text: byte {exc.start} is not") from None
    depth = nesting_depth(text)
    if depth > DEPTH_LIMIT:
        raise BodyError(
            422, f"the body must nest lists and objects at most {DEPTH_LIMIT} deep (it nests {depth})"
        )
    try:
        data = json.loads(
            text,
            parse_float=_number,
            parse_int=_number,
            parse_constant=_refuse_constant,
            object_pairs_hook=_object,
        )
    except (ValueError, RecursionError) as exc:
        detail = str(exc) if isinstance(exc, json.JSONDecodeError) else "it could not be read"
        raise BodyError(400, f"the body is not valid JSON: {detail}") from None
    if not isinstance(data, dict):
        raise BodyError(400, f"the body must be a JSON object of inputs, {_EXAMPLE}")
    return data


SURROGATE_RULE = "must be text without unpaired surrogates (such as \\ud800)"
_LONG_RULE = f"must be a number of at most {MAX_DIGITS} digits written out"
_PAIR_RULE = (
    'takes each pair as NAME=AMOUNT, [name, amount] or {"name": …, "amount": …}: '
    "a name as text and an amount as a number or text"
)


def input_problems(data: Mapping[str, Any], form: Form) -> list[InputError]:
    """What the request body's schema refuses before the form reads the inputs (see the
    module's docstring), one problem per input, named by the key the client sent."""
    problems: list[InputError] = []
    known = {f.name: f for f in form.fields}
    if isinstance(data, _Repeated):
        problems.append(
            InputError(
                escaped(data.repeated), "is given twice: give each input once", got=data[data.repeated]
            )
        )
    for key, value in data.items():
        if _has_surrogate(key):
            problems.append(InputError(escaped(key), SURROGATE_RULE, got=key))
            continue
        field = known.get(key)
        bad = _unreadable(value)
        if bad is not None:
            problems.append(InputError(key, bad[0], got=bad[1]))
        elif field is not None:
            rule = _shape(field, value)
            if rule is not None:
                problems.append(InputError(key, rule, got=value))
    return problems


def _shape(field: Field, value: object) -> str | None:
    """What is wrong with the JSON value given for ``field``, if anything, as its schema
    says: a list for an input that takes one value, a list inside a list, a pair that is not
    ``[name, amount]`` or ``{"name", "amount"}`` of the right types, a value of a type the
    input does not take. (The form would read a list of empty lists as "not given".)"""
    if isinstance(value, list):
        if field.kind is Kind.LINES:
            # A box of lines also takes its lines one string at a time.
            return (
                None
                if all(isinstance(item, str) for item in value)
                else "must be text, or a list of lines of text"
            )
        if not field.repeat:
            return "takes one value, not a list"
        for item in value:
            if item is None:
                continue
            if isinstance(item, list) and field.kind is not Kind.PAIR:
                return "must be a list of values, not of lists"
            rule = _item_type(field, item)
            if rule is not None:
                return rule
        return None
    return None if value is None else _item_type(field, value)


_NUMBER_KINDS = (Kind.MONEY, Kind.PERCENT, Kind.DECIMAL, Kind.INT)


def _item_type(field: Field, item: object) -> str | None:
    kind = field.kind
    if kind is Kind.PAIR:
        return None if _is_pair(item) else _PAIR_RULE
    if kind in _NUMBER_KINDS:
        return (
            None
            if _is_number(item) or isinstance(item, str)
            else f"must be a number or text, not {_what(item)}"
        )
    if kind in (Kind.FLAG, Kind.YES_NO):
        return (
            None
            if isinstance(item, (bool, str))
            else f"must be true, false or text such as yes, not {_what(item)}"
        )
    return None if isinstance(item, str) else f"must be text, not {_what(item)}"


def _is_number(value: object) -> bool:
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


def _is_amount(value: object) -> bool:
    return _is_number(value) or (isinstance(value, str) and bool(value.strip()))


def _is_pair(item: object) -> bool:
    if isinstance(item, str):
        return True
    if isinstance(item, list):
        return len(item) == 2 and isinstance(item[0], str) and bool(item[0].strip()) and _is_amount(item[1])
    if isinstance(item, dict):
        name, amount = item.get("name"), item.get("amount")
        return isinstance(name, str) and bool(name.strip()) and _is_amount(amount)
    return False


def _what(value: object) -> str:
    """The JSON type of ``value`` in words."""
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    return "a number" if _is_number(value) else "text"


def _unreadable(value: object) -> tuple[str, object] | None:
    """A surrogate, a number too long to read, or a key given twice, anywhere in ``value``
    (nested at most :data:`DEPTH_LIMIT` deep: :func:`read_object` saw to that)."""
    if isinstance(value, str):
        return (SURROGATE_RULE, value) if _has_surrogate(value) else None
    if isinstance(value, LongNumber):
        return _LONG_RULE, value
    if isinstance(value, _Repeated):
        return f'repeats the key "{escaped(value.repeated)}" in one object: give it once', value
    if isinstance(value, dict):
        for key, item in value.items():
            if _has_surrogate(key):
                return SURROGATE_RULE, key
            bad = _unreadable(item)
            if bad is not None:
                return bad
    if isinstance(value, list):
        for item in value:
            bad = _unreadable(item)
            if bad is not None:
                return bad
    return None


def _has_surrogate(text: str) -> bool:
    return any(unicodedata.category(c) == "Cs" for c in text)
