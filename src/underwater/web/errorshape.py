"""The one error shape every endpoint answers with, whatever went wrong.

``{"ok": false, "status": 422, "error": "value: must not be negative (got '-5')",
"errors": [{"field": "value", "rule": "must not be negative", "got": "-5"}]}``

``error`` is the whole message on one line; ``errors`` lists every problem taken apart, one
entry per bad field, so a client can put each message beside its field. ``field`` is ``null``
when the problem is not one input's (an unknown job, a body that is not JSON); ``got`` is
``null`` when there is no offending value to echo. A solver with no answer
(:class:`~underwater.errors.NoSolutionError`) is a 422 too: the inputs were read but no result
satisfies them. A 500 adds ``request_id``, the id the server's log line carries.

**Field names in messages.** A rule that mentions another field names it by its JSON key in
backticks, as the OpenAPI document does: ``give `balance` (a loan you have) or `price```.
The CLI shows the same rule with its options (``--balance``); an API answer never does.

**Echoes are safe.** ``got`` repeats at most 60 characters of the value, with control
characters and unpaired surrogates written as escapes (``\\ud800``), so every answer encodes
as UTF-8 whatever the client sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from underwater.errors import InputError, NoSolutionError, escaped, shown_value

__all__ = ["api_name", "error_body", "error_from_exception", "got_text", "problem_entries"]

Naming = Callable[[str], str]

_GOT_LIMIT = 60
"""The most characters of a bad value an answer repeats (as :func:`~underwater.errors.shown_value`)."""


def api_name(name: str) -> str:
    """How an API message names a field: its JSON key in backticks.

    >>> api_name("selling_costs")
    '`selling_costs`'
    """
    return f"`{name}`"


def got_text(value: object) -> str | None:
    """A bad value as ``got`` repeats it: text of at most 60 characters (then ``…``), with
    control characters and unpaired surrogates escaped; ``None`` stays ``None``.

    >>> got_text("-5"), got_text("\\ud800x"), got_text("9" * 70)[-2:], got_text(None)
    ('-5', '\\\\ud800x', '9…', None)
    """
    return None if value is None else escaped(str(value), _GOT_LIMIT)


def error_body(
    status: int,
    rule: str,
    *,
    field: str | None = None,
    got: object = None,
    request_id: str | None = None,
) -> dict[str, Any]:
    """The error document for one problem.

    >>> error_body(404, "no such job", got="nope")["error"]
    "no such job (got 'nope')"
    """
    message = f"{field}: {rule}" if field else rule
    if got is not None:
        message += f" (got {shown_value(got)})"
    body: dict[str, Any] = {
        "ok": False,
        "status": status,
        "error": message,
        "errors": [{"field": field, "rule": rule, "got": got_text(got)}],
    }
    if request_id is not None:
        body["request_id"] = request_id
    return body


def problem_entries(
    exc: InputError | NoSolutionError, naming: Naming = api_name, *, lead: Naming | None = None
) -> list[dict[str, Any]]:
    """One ``{"field", "rule", "got", "message"}`` per problem, other fields named by ``naming``;
    the message starts with the field's own name, or with ``lead(field)`` when given (a page
    starts it with the field's label).

    >>> problem_entries(InputError("price", "give `balance` or `price`, not both", got="5"))[0]["message"]
    "price: give `balance` or `price`, not both (got '5')"
    """

    def start(field: str) -> str:
        return f"{field}:" if lead is None else lead(field)

    if isinstance(exc, NoSolutionError):
        rule = exc.rule_in(naming)
        return [{"field": exc.field, "rule": rule, "got": None, "message": f"{start(exc.field)} {rule}"}]
    entries = []
    for problem in exc.problems:
        rule = problem.rule_in(naming)
        message = f"{start(problem.field)} {rule}"
        if problem.got is not None:
            message += f" (got {shown_value(problem.got)})"
        entries.append(
            {"field": problem.field, "rule": rule, "got": got_text(problem.got), "message": message}
        )
    return entries


def error_from_exception(exc: InputError | NoSolutionError, naming: Naming = api_name) -> dict[str, Any]:
    """The 422 document for bad input or a solver with no answer: one entry per bad field.

    >>> error_from_exception(InputError("value", "must not be negative", got="-5"))["errors"]
    [{'field': 'value', 'rule': 'must not be negative', 'got': '-5'}]
    """
    entries = problem_entries(exc, naming)
    message = entries[0]["message"]
    if len(entries) > 1:
        rest = ", ".join(str(e["field"]) for e in entries[1:])
        message += f" (and {len(entries) - 1} more: {rest})"
    return {
        "ok": False,
        "status": 422,
        "error": message,
        "errors": [{k: e[k] for k in ("field", "rule", "got")} for e in entries],
    }
