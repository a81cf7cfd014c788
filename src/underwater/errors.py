"""Errors raised by underwater.

Every error a person can cause by typing something names the field and the rule it broke,
so that the CLI can print it as one line, the web API can answer 422 with it, and the batch
engine can write it to a reject file beside the row number.

The tree::

    UnderwaterError                      base of everything raised on purpose
    ├── InputError (also ValueError)     a field broke a rule: names the field and the rule
    └── NoSolutionError (also ArithmeticError)
                                         a solver has no answer for valid inputs
                                         (e.g. no rate makes these payments repay the loan)
"""

from __future__ import annotations

__all__ = ["InputError", "NoSolutionError", "UnderwaterError"]


class UnderwaterError(Exception):
    """Base class of every error underwater raises on purpose."""


class InputError(UnderwaterError, ValueError):
    """A value given for ``field`` breaks ``rule``.

    ``field`` is the name used in the library, in JSON and (with dashes) on the command line,
    e.g. ``"selling_costs"``; ``rule`` says what a good value looks like, as a sentence a
    person can act on.

    >>> str(InputError("value", "must not be negative", got="-5"))
    "value: must not be negative (got '-5')"
    """

    def __init__(self, field: str, rule: str, *, got: object = None) -> None:
        self.field = field
        self.rule = rule
        self.got = got
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The one-line message: ``field: rule (got …)``."""
        return self.describe(self.field)

    def describe(self, field_label: str) -> str:
        """The message with the field shown as ``field_label`` (a CLI shows ``--selling-costs``)."""
        text = f"{field_label}: {self.rule}"
        if self.got is not None:
            text += f" (got {str(self.got)!r})"
        return text


class NoSolutionError(UnderwaterError, ArithmeticError):
    """A solver found no answer: the inputs are valid but no value satisfies them."""

    def __init__(self, field: str, rule: str) -> None:
        self.field = field
        self.rule = rule
        super().__init__(f"{field}: {rule}")

    def describe(self, field_label: str) -> str:
        """The message with the field shown as ``field_label``."""
        return f"{field_label}: {self.rule}"
