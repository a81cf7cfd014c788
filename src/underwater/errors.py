"""Errors raised by underwater.

Every error a person can cause by typing something names the field and the rule it broke,
so that the CLI can print it as one line, the web API can answer 422 with it, and the batch
engine can write it to a reject file beside the row number.

The tree::

    UnderwaterError                      base of everything raised on purpose
    ├── InputError (also ValueError)     a field broke a rule: names the field and the rule
    │   └── InputErrors                  several fields broke rules at once (a form's inputs)
    └── NoSolutionError (also ArithmeticError)
                                         a solver has no answer for valid inputs
                                         (e.g. no rate makes these payments repay the loan)

**Naming fields.** A rule may mention other fields by their snake_case name in backticks
(``"give `balance` or `price`"``). Each front shows those names in its own words: the CLI as
``--balance``, the JSON API as ``balance``, a web page as the field's label. The plain message
(``str(error)``) shows the bare name. Pass the front's naming function to :meth:`describe`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence

__all__ = [
    "InputError",
    "InputErrors",
    "NoSolutionError",
    "UnderwaterError",
    "escaped",
    "name_fields",
    "plain_name",
    "shown_value",
]

Naming = Callable[[str], str]

_REFERENCE = re.compile(r"`([a-z][a-z0-9_]*)`")
_SHOWN_LIMIT = 60
"""The most characters of a bad value a message repeats (a 200 KB value is not echoed)."""


def plain_name(name: str) -> str:
    """The naming used by the plain message: the field's own name.

    >>> plain_name("selling_costs")
    'selling_costs'
    """
    return name


def escaped(text: str, limit: int | None = _SHOWN_LIMIT) -> str:
    """``text`` safe to repeat in any answer: at most ``limit`` characters (then ``…``), with
    control characters and unpaired surrogates written as escapes (``limit`` None: all of it).
    A key a client sent that names no input is reported under this name (``"owed "`` stays
    ``"owed "``), and a reject file writes a ``loan_id`` so.

    >>> escaped("owed "), escaped("a\\x00b\\ud800"), escaped("9" * 70)[-2:]
    ('owed ', 'a\\\\x00b\\\\ud800', '9…')
    """
    if limit is not None and len(text) > limit:
        text = text[:limit] + "…"
    return "".join(repr(c)[1:-1] if unicodedata.category(c) in ("Cc", "Cs") else c for c in text)


def shown_value(got: object) -> str:
    """A bad value as a message repeats it: quoted, control and unpaired characters escaped,
    at most 60 characters.

    >>> shown_value("abc"), shown_value("\\ud800"), shown_value("9" * 80)[-3:]
    ("'abc'", "'\\\\ud800'", "9…'")
    """
    text = str(got)
    if len(text) > _SHOWN_LIMIT:
        return repr(text[:_SHOWN_LIMIT] + "…")
    return repr(text)


class UnderwaterError(Exception):
    """Base class of every error underwater raises on purpose."""


def name_fields(text: str, naming: Naming) -> str:
    """``text`` with every field it mentions in backticks named by ``naming``.

    >>> name_fields("give `next_price` to price the deal", lambda n: "--" + n.replace("_", "-"))
    'give --next-price to price the deal'
    """
    return _REFERENCE.sub(lambda m: naming(m.group(1)), text)


class InputError(UnderwaterError, ValueError):
    """A value given for ``field`` breaks ``rule``.

    ``field`` is the name used in the library, in JSON and (with dashes) on the command line,
    e.g. ``"selling_costs"``; ``rule`` says what a good value looks like, as a sentence a
    person can act on (other fields in backticks, see the module docstring).

    >>> str(InputError("value", "must not be negative", got="-5"))
    "value: must not be negative (got '-5')"
    >>> InputError("price", "give `balance` or `price`, not both").describe(lambda n: "--" + n)
    '--price: give --balance or --price, not both'
    """

    def __init__(self, field: str, rule: str, *, got: object = None) -> None:
        self.field = field
        self.rule = rule
        self.got = got
        super().__init__(self.message)

    @property
    def problems(self) -> tuple[InputError, ...]:
        """Every problem this error stands for (one, unless it is :class:`InputErrors`)."""
        return (self,)

    @property
    def message(self) -> str:
        """The one-line message: ``field: rule (got …)``."""
        return self.describe()

    def rule_in(self, naming: Naming = plain_name) -> str:
        """The rule with the fields it mentions named by ``naming``."""
        return name_fields(self.rule, naming)

    def describe(self, naming: Naming = plain_name) -> str:
        """The message with every field named by ``naming`` (a CLI shows ``--selling-costs``)."""
        text = f"{naming(self.field)}: {self.rule_in(naming)}"
        if self.got is not None:
            text += f" (got {shown_value(self.got)})"
        return text


class InputErrors(InputError):
    """Several inputs broke rules at once; ``problems`` lists each (the first is this error's
    ``field`` and ``rule``), so a form can flag every bad field together.

    >>> e = InputErrors([InputError("owed", "must not be negative"), InputError("value", "is required")])
    >>> str(e), len(e.problems)
    ('owed: must not be negative (and 1 more: value)', 2)
    """

    def __init__(self, problems: Sequence[InputError]) -> None:
        if not problems:
            raise ValueError("InputErrors needs at least one problem")
        self._problems = tuple(problems)
        first = self._problems[0]
        super().__init__(first.field, first.rule, got=first.got)

    @property
    def problems(self) -> tuple[InputError, ...]:
        """Every problem, in the order of the form's fields."""
        return self._problems

    def describe(self, naming: Naming = plain_name) -> str:
        """The first problem's message, then how many more and which fields."""
        text = self._problems[0].describe(naming)
        rest = self._problems[1:]
        if rest:
            text += f" (and {len(rest)} more: {', '.join(naming(p.field) for p in rest)})"
        return text


class NoSolutionError(UnderwaterError, ArithmeticError):
    """A solver found no answer: the inputs are valid but no value satisfies them."""

    def __init__(self, field: str, rule: str) -> None:
        self.field = field
        self.rule = rule
        super().__init__(f"{field}: {name_fields(rule, plain_name)}")

    def rule_in(self, naming: Naming = plain_name) -> str:
        """The rule with the fields it mentions named by ``naming``."""
        return name_fields(self.rule, naming)

    def describe(self, naming: Naming = plain_name) -> str:
        """The message with every field named by ``naming``."""
        return f"{naming(self.field)}: {self.rule_in(naming)}"
