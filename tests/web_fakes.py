"""Small real operations that the web tests inject into ``create_app(ops)``.

They are not mocks of underwater's code: each is a complete :class:`Operation` with a form,
a computation and a result, built here so the tests can reach cases the shipped jobs do not
(a projection before the lead registers ``project``, a CSV full of formula-looking cells, a
solver with no answer, a job that crashes). ``app`` is an ASGI app serving the real registry
plus these jobs, for a real uvicorn server: ``uvicorn --app-dir tests web_fakes:app``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shlex
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx

from underwater.errors import NoSolutionError
from underwater.forms import Field, Form, Kind
from underwater.money import format_money
from underwater.ops import Operation, operations


@dataclass(frozen=True, slots=True)
class Projection:
    """A straight-line loan against a straight-line value: enough to draw the chart."""

    owed: Decimal
    value: Decimal
    months: int
    value_drop: Decimal
    start: dt.date

    def rows(self) -> list[dict[str, Any]]:
        out = []
        for k in range(self.months + 1):
            balance = self.owed * (self.months - k) / self.months
            value = max(self.value - self.value_drop * k, Decimal(0))
            year, month = divmod(self.start.month - 1 + k, 12)
            date = dt.date(self.start.year + year, month + 1, 1)
            out.append(
                {
                    "month": k,
                    "date": date.isoformat(),
                    "balance": format_money(balance),
                    "value": format_money(value),
                    "equity": format_money(value - balance),
                }
            )
        return out

    def to_json(self) -> dict[str, Any]:
        months = self.rows()
        crossover = next(
            (
                r
                for r in months
                if Decimal(r["balance"]) <= Decimal(r["value"]) and Decimal(months[0]["equity"]) < 0
            ),
            None,
        )
        return {
            "crossover_month": None if crossover is None else crossover["month"],
            "crossover_date": None if crossover is None else crossover["date"],
            "months": months,
        }


PROJECT = Operation(
    name="project",
    summary="A test projection: a loan paid down in a straight line against a value falling in one.",
    examples=("underwater project --owed 20000 --value 15000 --months 24",),
    form=Form(
        (
            Field("owed", Kind.MONEY, "what is owed today, in dollars", required=True),
            Field("value", Kind.MONEY, "what the asset is worth today, in dollars", required=True),
            Field("months", Kind.INT, "months to project", default=24, minimum=1, maximum=480),
            Field("value_drop", Kind.MONEY, "value lost each month, in dollars", default=Decimal("200")),
        )
    ),
    compute=lambda v: Projection(v["owed"], v["value"], v["months"], v["value_drop"], dt.date(2026, 1, 1)),
    render=lambda r: "projection",
)


@dataclass(frozen=True, slots=True)
class Cells:
    """A result whose table holds cells a spreadsheet would run as formulas."""

    cells: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"cells": list(self.cells)}


SHEET = Operation(
    name="sheet",
    summary="A test job whose CSV holds whatever cells it is given.",
    examples=("underwater sheet --cell x",),
    form=Form((Field("cell", Kind.TEXT, "one cell of the table", repeat=True),)),
    compute=lambda v: Cells(v["cell"]),
    render=lambda r: "cells",
    csv=lambda r: [["cell"], *([c] for c in r.cells)],
)


@dataclass(frozen=True, slots=True)
class Rows:
    """A result with a long list of rows, to page through."""

    n: int

    def to_json(self) -> dict[str, Any]:
        return {
            "count": self.n,
            "rows": [{"number": i, "amount": f"{i * 1000}.00"} for i in range(1, self.n + 1)],
        }


LONG = Operation(
    name="long",
    summary="A test job with a long table.",
    examples=("underwater long --n 130",),
    form=Form((Field("n", Kind.INT, "how many rows", required=True, minimum=1, maximum=1000),)),
    compute=lambda v: Rows(v["n"]),
    render=lambda r: "rows",
)


def _no_solution(values: dict[str, Any]) -> Any:
    raise NoSolutionError("payment", "no rate between 0 % and 100 % makes these payments repay the loan")


SOLVER = Operation(
    name="solver",
    summary="A test job whose solver never finds an answer.",
    examples=("underwater solver --payment 1",),
    form=Form((Field("payment", Kind.MONEY, "the payment, in dollars", required=True),)),
    compute=_no_solution,
    render=lambda r: "never",
)

SECRET = "secret-detail-8f3a: /home/owner/bank.csv"


def _crash(values: dict[str, Any]) -> Any:
    raise RuntimeError(SECRET)


BOOM = Operation(
    name="boom",
    summary="A test job that fails with an unexpected error.",
    examples=("underwater boom --x 1",),
    form=Form((Field("x", Kind.TEXT, "anything"),)),
    compute=_crash,
    render=lambda r: "never",
)


@dataclass(frozen=True, slots=True)
class BadJson:
    """A result whose JSON rendering fails: the error escapes the handler itself."""

    def to_json(self) -> dict[str, Any]:
        raise RuntimeError(SECRET)


BADJSON = Operation(
    name="badjson",
    summary="A test job whose result cannot be shown.",
    examples=("underwater badjson --x 1",),
    form=Form((Field("x", Kind.TEXT, "anything"),)),
    compute=lambda v: BadJson(),
    render=lambda r: "never",
)

FAKES = {op.name: op for op in (PROJECT, SHEET, LONG, SOLVER, BOOM, BADJSON)}


def example_pairs(example: str) -> tuple[list[str], list[tuple[str, str]]]:
    """A CLI example as (argv, query pairs): ``--lien HELOC=1`` → ``("lien", "HELOC=1")``."""
    argv = [a for a in shlex.split(example)[1:] if a not in ("--json", "--csv")]
    pairs: list[tuple[str, str]] = []
    options = argv[1:]
    i = 0
    while i < len(options):
        name = options[i].removeprefix("--").replace("-", "_")
        if i + 1 < len(options) and not options[i + 1].startswith("--"):
            pairs.append((name, options[i + 1]))
            i += 2
        else:
            pairs.append((name, "true"))
            i += 1
    return argv, pairs


def registry() -> dict[str, Operation]:
    """The real jobs plus the test jobs (the test ``project`` replaces a real one)."""
    return {**operations(), **FAKES}


def _build() -> Any:
    from underwater.web.app import create_app

    return create_app(registry())


app = _build()


@contextlib.contextmanager
def serving(*extra: str) -> Iterator[str]:
    """``underwater serve`` (the shipped command) in a child process on a free port of
    127.0.0.1; yields its base URL and stops it on leaving. Its log, on failure, is in the
    assertion message."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    command = [
        sys.executable,
        "-m",
        "underwater",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        *extra,
    ]
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"}
        )

        def output() -> str:
            log.seek(0)
            return log.read().decode("utf-8", "replace")

        try:
            deadline = time.monotonic() + 30
            while True:
                assert proc.poll() is None, f"the server exited with {proc.returncode}:\n{output()}"
                try:
                    if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, f"the server did not answer within 30 s:\n{output()}"
                time.sleep(0.1)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


_TEXT_NUMBER_RULES = ("must be at least ", "must be at most ", "must not be negative", "must be whole cents")
"""Rules on the size or cents of a number: JSON Schema bounds only numbers, not numbers
written as text, and cannot say "whole cents" of a binary-float JSON number."""


def beyond_schema(rule: str, value: object) -> bool:
    """Whether ``problem`` breaks a rule the OpenAPI document states in words only, because
    JSON Schema cannot: a bound or whole cents of a number written as text, whole cents of a
    JSON number with a fraction, a JSON number of more than 30 digits written out, a day the
    month does not have, and the cross-field rules a
    job's description lists that compare values (``months_elapsed`` below ``term_months`` …).
    Every other refusal of a value the schema accepts is a mismatch (``rule`` is a problem's
    rule with fields in backticks, as the API answers)."""
    if rule.startswith(_TEXT_NUMBER_RULES):
        # A bound on a JSON number is in the schema; on text, or cents of a fraction, it is not.
        return _has_text(value) or (rule.startswith("must be whole cents") and _has_fraction(value))
    if rule == "must be a real calendar date written YYYY-MM-DD":
        return True
    if rule.startswith("must be a number of at most 30 digits written out"):
        return True  # 5e-324 is a number in range, but its 326 digits are more than the parser reads
    return rule.startswith(
        ("must be less than the term", "is the age today", "is required with `months_elapsed`")
    )


def _has_text(value: object) -> bool:
    if isinstance(value, str):
        return True
    if isinstance(value, (list, tuple)):
        return any(_has_text(v) for v in value)
    if isinstance(value, dict):
        return any(_has_text(v) for v in value.values())
    return False


def _has_fraction(value: object) -> bool:
    if isinstance(value, Decimal):
        return value != value.to_integral_value()
    if isinstance(value, (list, tuple)):
        return any(_has_fraction(v) for v in value)
    if isinstance(value, dict):
        return any(_has_fraction(v) for v in value.values())
    return False
