"""The one error shape every endpoint answers with, whatever went wrong.

``{"ok": false, "status": 422, "error": "value: must not be negative (got '-5')",
"errors": [{"field": "value", "rule": "must not be negative", "got": "-5"}]}``

``error`` is the whole message on one line; ``errors`` lists the same thing taken apart so a
client can put each message beside its field. ``field`` is ``null`` when the problem is not
one input's (an unknown job, a body that is not JSON); ``got`` is ``null`` when there is no
offending value to echo. A solver with no answer (:class:`~underwater.errors.NoSolutionError`)
is a 422 too: the inputs were read but no result satisfies them.
"""

from __future__ import annotations

from typing import Any

from underwater.errors import InputError, NoSolutionError

__all__ = ["error_body", "error_from_exception"]


def error_body(status: int, rule: str, *, field: str | None = None, got: object = None) -> dict[str, Any]:
    """The error document for one problem.

    >>> error_body(404, "no such job", got="nope")["error"]
    "no such job (got 'nope')"
    """
    message = f"{field}: {rule}" if field else rule
    if got is not None:
        message += f" (got {str(got)!r})"
    return {
        "ok": False,
        "status": status,
        "error": message,
        "errors": [{"field": field, "rule": rule, "got": None if got is None else str(got)}],
    }


def error_from_exception(exc: InputError | NoSolutionError) -> dict[str, Any]:
    """The 422 document for bad input or a solver with no answer, naming the field.

    >>> error_from_exception(InputError("value", "must not be negative", got="-5"))["errors"]
    [{'field': 'value', 'rule': 'must not be negative', 'got': '-5'}]
    """
    if not isinstance(exc, InputError):
        return error_body(422, exc.rule_in(), field=exc.field)
    body = error_body(422, exc.rule_in(), field=exc.field, got=exc.got)
    body["error"] = exc.message
    body["errors"] = [
        {"field": p.field, "rule": p.rule_in(), "got": None if p.got is None else str(p.got)}
        for p in exc.problems
    ]
    return body
