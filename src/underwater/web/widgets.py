"""What a job's form looks like on a page: one widget per field, filled from the query string.

The page and the API read the same field names, so a page's URL is its API query too
(``/equity?owed=18000&value=15000`` ↔ ``/api/equity?owed=18000&value=15000``). A repeatable
field shows every value it was given plus one empty box, so a browser without JavaScript can
still add one more lien per submission.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from underwater.errors import name_fields
from underwater.forms import Field, Form, Kind
from underwater.web.present import date_words, dollars

__all__ = ["Widget", "form_naming", "given_inputs", "label_of", "query_lists", "raw_inputs", "widgets"]

_INPUTMODE = {
    Kind.MONEY: "decimal",
    Kind.PERCENT: "decimal",
    Kind.DECIMAL: "decimal",
    Kind.INT: "numeric",
}
_UNIT = {Kind.MONEY: "$", Kind.PERCENT: "%"}


def label_of(name: str) -> str:
    """A field or JSON key as a person reads it.

    >>> label_of("selling_costs"), label_of("ltv"), label_of("crossover_date")
    ('Selling costs', 'LTV', 'Crossover date')
    """
    words = name.split("_")
    shown = [w.upper() if w in _ACRONYMS else w for w in words]
    text = " ".join(shown)
    return text[:1].upper() + text[1:]


_ACRONYMS = frozenset({"ltv", "cltv", "apr", "id", "csv", "ucc", "url"})


@dataclass(frozen=True, slots=True)
class Widget:
    """One field as the template draws it."""

    name: str
    label: str
    help: str
    kind: str
    control: str
    """``input``, ``select`` or ``checkbox``."""
    input_type: str
    inputmode: str | None
    unit: str | None
    required: bool
    repeat: bool
    values: tuple[str, ...]
    """The text in each box; a repeatable field ends with one empty box."""
    choices: tuple[str, ...]
    choice_labels: tuple[str, ...]
    """The words shown for each choice (the same as ``choices`` when the field gives none)."""
    placeholder: str | None
    blank_choice: bool
    """A select that may be left empty (no default) offers an empty choice."""
    error: str | None
    default_choice: str | None = None
    """A select's default: left as it is, it is left out of the address a form sends."""

    @property
    def dom_id(self) -> str:
        """The id of the first box (``f-owed``); later boxes add ``-2``, ``-3`` …"""
        return f"f-{self.name}"


def _placeholder(field: Field) -> str | None:
    if field.default is not None and field.kind not in (Kind.CHOICE, Kind.FLAG, Kind.YES_NO):
        return f"default {field.default}"
    if field.example is not None:
        return f"e.g. {field.example}"
    return None


def _choice_words(field: Field, choices: tuple[str, ...]) -> tuple[str, ...]:
    if field.choice_labels and len(field.choice_labels) == len(choices):
        return field.choice_labels
    return tuple(choice.replace("_", " ") for choice in choices)


def _widget(
    field: Field, given: Sequence[str] | None, error: str | None, naming: Callable[[str], str] = label_of
) -> Widget:
    values = tuple(given or ())
    choices = ("yes", "no") if field.kind is Kind.YES_NO else field.choices
    default_choice: str | None = None
    if field.kind in (Kind.CHOICE, Kind.YES_NO):
        control, input_type = "select", ""
        default = field.default
        if field.kind is Kind.YES_NO and default is not None:
            default = "yes" if default else "no"
        default_choice = None if default is None else str(default)
        if not values:
            values = (default_choice,) if default_choice is not None else ("",)
    elif field.kind is Kind.FLAG:
        control, input_type = "checkbox", "checkbox"
    else:
        control = "input"
        input_type = "date" if field.kind is Kind.DATE else "text"
        if field.repeat:
            values = (*(v for v in values if v.strip()), "")
        elif not values:
            values = ("",)
    return Widget(
        name=field.name,
        label=field.shown_label,
        help=_sentence(_web_help(field, name_fields(field.help, naming))),
        kind=field.kind.value,
        control=control,
        input_type=input_type,
        inputmode=_INPUTMODE.get(field.kind),
        unit=_UNIT.get(field.kind),
        required=field.required,
        repeat=field.repeat,
        values=values,
        choices=choices,
        choice_labels=_choice_words(field, choices),
        placeholder=_placeholder(field),
        blank_choice=field.default is None,
        error=error,
        default_choice=default_choice,
    )


def _web_help(field: Field, text: str) -> str:
    """The help as a page shows it: a date box has the browser's own date picker, so the
    written format the CLI needs (``YYYY-MM-DD``) is left out; "9 %" keeps its sign on the line.

    >>> from underwater.forms import Field, Kind
    >>> _web_help(Field("as_of", Kind.DATE, "h"), "the date the figures are as of, YYYY-MM-DD (default: today)")
    'the date the figures are as of (default: today)'
    """
    if field.kind is Kind.DATE:
        text = re.sub(r",? ?YYYY-MM-DD,?", "", text).replace("  ", " ").replace(" ,", ",")
    return text.replace(" %", "\xa0%")


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", ")")) else ".")


def form_naming(form: Form) -> Callable[[str], str]:
    """How a page names a field of ``form`` in a sentence: its label in quotes."""
    labels = {f.name: f.shown_label for f in form.fields}

    def naming(name: str) -> str:
        return f"“{labels.get(name, label_of(name))}”"

    return naming


def widgets(form: Form, query: Mapping[str, Sequence[str]], errors: Mapping[str, str]) -> list[Widget]:
    """The widgets for ``form``, showing the raw ``query`` values and each field's error; the
    help names other fields by their labels."""
    naming = form_naming(form)
    return [_widget(f, query.get(f.name), errors.get(f.name), naming) for f in form.fields]


def given_inputs(form: Form, query: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    """The inputs a person gave, as ``(label, text)`` rows for the printed report."""
    rows: list[tuple[str, str]] = []
    for f in form.fields:
        shown = [_as_typed(f, v) for v in query.get(f.name, ()) if v.strip()]
        if shown:
            rows.append((f.shown_label, ", ".join(shown)))
    return rows


def _as_typed(field: Field, text: str) -> str:
    """What was typed, as a person reads it back: a choice by its words, an amount with its
    dollar sign, a percentage with its sign; anything else as typed."""
    value = text.strip()
    if field.kind in (Kind.CHOICE, Kind.YES_NO):
        choices = ("yes", "no") if field.kind is Kind.YES_NO else field.choices
        words = dict(zip(choices, _choice_words(field, choices), strict=True))
        return words.get(value.lower(), value)
    if field.kind is Kind.MONEY:
        return _shown(value.replace(",", "").lstrip("$"), dollars, value)
    if field.kind is Kind.PERCENT:
        # The digits as typed: a rate is read exactly, so the report must not round it.
        return _shown(value.rstrip("% "), lambda v: v + "\xa0%", value)
    if field.kind is Kind.DATE:
        return _shown(value, date_words, value)
    return value


def _shown(text: str, show: Callable[[str], str], typed: str) -> str:
    """``text`` as ``show`` writes it, or what was typed when it does not read."""
    try:
        return show(text) if text and text[0].isdigit() else typed
    except (ValueError, ArithmeticError):  # a figure too long for the context, or not a real date
        return typed


def query_lists(items: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
    """Query-string pairs grouped by name, keeping order: ``a=1&a=2`` → ``{"a": ["1", "2"]}``."""
    grouped: dict[str, list[str]] = {}
    for key, value in items:
        grouped.setdefault(key, []).append(value)
    return grouped


def raw_inputs(grouped: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """Grouped query values as :meth:`Form.parse` takes them: one text, or a list when repeated."""
    return {k: (v[0] if len(v) == 1 else list(v)) for k, v in grouped.items()}
