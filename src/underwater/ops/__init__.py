"""The jobs underwater does, each described once for every front.

An :class:`Operation` ties a job's :class:`~underwater.forms.Form` (its inputs) to the
domain function that computes it and to its human rendering. The CLI makes one subcommand
per operation and the web app one ``/api/<name>`` endpoint per operation, both from this
registry, so a job's inputs, JSON keys and errors are the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from underwater.errors import InputError, InputErrors, NoSolutionError
from underwater.forms import Form

__all__ = ["Operation", "Result", "operations"]


class Result(Protocol):
    """What every job returns: something that can be shown as JSON."""

    def to_json(self) -> dict[str, Any]:
        """The result as JSON-ready values (money as two-decimal strings)."""
        ...


@dataclass(frozen=True, slots=True)
class Operation:
    """One job: its name, what it answers, examples, inputs, computation and rendering."""

    name: str
    summary: str
    examples: tuple[str, ...]
    form: Form
    compute: Callable[[dict[str, Any]], Any]
    render: Callable[[Any], str]
    csv: Callable[[Any], list[list[str]]] | None = None
    journal: Callable[[Any, str], str] | None = None
    """The result as a plain-text accounting journal in a style of
    :data:`underwater.journal.STYLES`, for jobs that have a dated schedule."""
    aliases: Mapping[str, str] = field(default_factory=dict)
    """Library field names this job's computation may report → the form field a person typed
    (``extra_payments`` → ``extra_once``), so an error names an input that exists."""

    def run(self, raw: Mapping[str, object]) -> Any:
        """Parse ``raw`` inputs with the form, then compute the result; an error from the
        library that names one of :attr:`aliases` names the form's field instead."""
        return self.run_checked(raw)[0]

    def run_checked(self, raw: Mapping[str, object]) -> tuple[Any, list[tuple[str, str]]]:
        """As :meth:`run`, with the warnings about values that are allowed but unusual
        (``(field, sentence)``, see :meth:`Form.warnings`)."""
        values = self.form.parse(raw)
        return self._compute(values), self.form.warnings(values)

    def _compute(self, values: dict[str, Any]) -> Any:
        try:
            return self.compute(values)
        except InputError as exc:
            raise self._renamed(exc) from None
        except NoSolutionError as exc:
            if exc.field in self.aliases:
                raise NoSolutionError(self.aliases[exc.field], exc.rule) from None
            raise

    def _renamed(self, exc: InputError) -> InputError:
        if not any(p.field in self.aliases for p in exc.problems):
            return exc
        renamed = [InputError(self.aliases.get(p.field, p.field), p.rule, got=p.got) for p in exc.problems]
        return renamed[0] if len(renamed) == 1 else InputErrors(renamed)


def answer_json(result: Any, warnings: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """A result's JSON (its ``to_json()``) as the CLI's ``--json`` and the API give it: with
    ``input_warnings``, a list of ``{"field", "rule"}`` for each allowed but unusual value
    (see :meth:`Operation.run_checked`), when there is one.

    >>> from underwater.position import position
    >>> from decimal import Decimal
    >>> answer_json(position(Decimal(8000), Decimal(6000)), [("rate_percent", "is 500")])["input_warnings"]
    [{'field': 'rate_percent', 'rule': 'is 500'}]
    """
    data: dict[str, Any] = result.to_json()
    if warnings:
        data["input_warnings"] = [{"field": name, "rule": sentence} for name, sentence in warnings]
    return data


def operations() -> dict[str, Operation]:
    """Every job by name, in the order the CLI lists them."""
    from underwater.ops import (
        apr,
        deficiency,
        equity,
        lease,
        loan,
        options,
        payoff,
        project,
        rebate,
        statement,
        value,
    )

    found = [
        equity.OPERATION,
        loan.OPERATION,
        payoff.OPERATION,
        statement.OPERATION,
        rebate.OPERATION,
        apr.OPERATION,
        value.OPERATION,
        project.OPERATION,
        lease.OPERATION,
        deficiency.OPERATION,
        options.OPERATION,
    ]
    return {op.name: op for op in found}
