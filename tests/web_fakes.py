"""What the web tests share: small real jobs, a real server, the seeds' situations, a real browser.

The jobs are not mocks of underwater's code: each is a complete :class:`Operation` with a
form, a computation and a result, injected with ``create_app(ops)`` so the tests can reach
cases the shipped jobs do not (a CSV full of formula-looking cells, a long table to page
through, a solver with no answer, a job that crashes). :func:`serving` runs the shipped
``underwater serve`` on 127.0.0.1. :data:`SITUATIONS` are the seed articles' situations, and
:func:`path_pages`, :func:`tool_pages` and :func:`error_pages` the pages they lead to, which
the page, accessibility, print and jargon tests and ``benchmarks/bench_web.py`` all walk.
:func:`chromium` and :func:`watching` drive Debian's Chromium and watch what a page does.
"""

from __future__ import annotations

import contextlib
import os
import resource
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import httpx

from underwater.errors import NoSolutionError
from underwater.forms import Field, Form, Kind
from underwater.ops import Operation, operations

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Response


@dataclass(frozen=True, slots=True)
class Cells:
    """A result whose table holds cells a spreadsheet would run as formulas."""

    cells: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"cells": list(self.cells)}


CELLS = Operation(
    name="cells",
    summary="A test job whose CSV holds whatever cells it is given.",
    examples=("underwater cells --cell x",),
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

FAKES = {op.name: op for op in (CELLS, LONG, SOLVER, BOOM, BADJSON)}


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
    """The real jobs plus the test jobs."""
    return {**operations(), **FAKES}


@contextlib.contextmanager
def serving(*extra: str) -> Iterator[str]:
    """``underwater serve`` (the shipped command) in a child process on a free port of
    127.0.0.1; yields its base URL and stops it on leaving. Its log, on failure, is in the
    assertion message."""
    with serving_logged(*extra) as (base, _log):
        yield base


@contextlib.contextmanager
def serving_logged(*extra: str, open_files: int | None = None) -> Iterator[tuple[str, Callable[[], str]]]:
    """As :func:`serving`, yielding also a function that reads the server's log so far; with
    ``open_files``, the server runs under that open-file limit (``ulimit -n``)."""

    def limited() -> None:
        if open_files is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, open_files))

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
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            preexec_fn=limited,
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
            yield base, output
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


# -- the seeds' situations, and the pages they lead to ----------------------------------------


@dataclass(frozen=True, slots=True)
class Situation:
    """A situation from the seed articles as a person would type it along the path; ``source``
    says where each figure comes from, and which ones the seed does not give."""

    name: str
    source: str
    inputs: tuple[tuple[str, str], ...]

    @property
    def query(self) -> str:
        """The inputs as the query string the pages carry."""
        return urlencode(self.inputs)

    def path(self) -> dict[str, str]:
        """Each step of the path (its key) and its URL, built by the pages' own link maker."""
        from underwater.web.pages import steps

        return {step["key"]: step["href"] for step in steps(self.query, "home")}


SITUATIONS = (
    Situation(
        "truck",
        "seed 000 (FreightWaves, 'Upside Down and Under Pressure'): loan balance $80,000, resale "
        "value $60,000, buyer's offer $58,000; the truck's age (two years), the 9 % rate and the 48 "
        "payments left are the worked example of issue 11 and tests/test_exits.py",
        (
            ("owed", "80000"),
            ("value", "60000"),
            ("asset_class", "class8_sleeper"),
            ("offer", "58000"),
            ("rate_percent", "9"),
            ("remaining_payments", "48"),
            ("age_months", "24"),
        ),
    ),
    Situation(
        "car",
        "seed 002 (negative equity calculator), example 1: owes $18,000 on a car worth $15,000; "
        "the rate and the payments left are assumed (the seed gives none)",
        (
            ("owed", "18000"),
            ("value", "15000"),
            ("asset_class", "car"),
            ("rate_percent", "7.9"),
            ("remaining_payments", "48"),
        ),
    ),
    Situation(
        "rv",
        "seed 002, example 6: owes $65,000 on an RV valued at $58,000; rate and term assumed",
        (
            ("owed", "65000"),
            ("value", "58000"),
            ("asset_class", "rv"),
            ("rate_percent", "8.5"),
            ("remaining_payments", "120"),
        ),
    ),
    Situation(
        "boat",
        "seed 002, example 7: owes $45,000 on a boat worth $50,000 (above water); rate and term assumed",
        (
            ("owed", "45000"),
            ("value", "50000"),
            ("asset_class", "boat"),
            ("rate_percent", "7"),
            ("remaining_payments", "96"),
        ),
    ),
)
"""The seeds' situations the page tests and the page benchmark walk the path with."""

TRUCK = SITUATIONS[0]

REPOSSESSION_003 = (
    "/deficiency?owed=15000&proceeds=9000&retaking=400&storage_days=20&storage_per_day=25"
    "&sale_fees=300&as_of=2025-10-20"
)
"""Seed 003 (SoFi, 'What Is a Deficiency Balance on an Auto Loan?'): a 15,000.00 balance, a
9,000.00 sale, 400.00 to repossess, 20 days of storage at 25.00 and 300.00 to sell."""

VARIANTS = {
    "equity-truck-offer": "/equity?owed=80000&value=60000&offer=58000",
    "loan-extra": (
        "/loan?principal=80000&rate_percent=9&n_payments=48&first_payment_date=2026-12-01&extra=200"
        "&extra_once=12%3D5000"
    ),
    "loan-balloon": "/loan?principal=10000&rate_percent=6&n_payments=24&payment=300&solve_balloon=true",
    "loan-biweekly": "/loan?principal=30000&rate_percent=9.5&n_payments=156&frequency=biweekly",
    "deficiency-barred": (
        "/deficiency?owed=2800&as_of=2026-11-21&proceeds=900&retaking=450&state=CO&cash_price=2500"
    ),
    "deficiency-truck-california": "/deficiency?owed=80000&value=60000&asset_class=class8_sleeper&state=CA",
    "deficiency-surplus": "/deficiency?owed=5000&as_of=2026-11-21&proceeds=8000&retaking=600&sale_fees=400",
    "options-truck-texas": (
        "/options?owed=80000&value=60000&asset_class=class8_sleeper&offer=58000&rate_percent=9"
        "&remaining_payments=48&age_months=24&state=TX"
    ),
    "project-target": "/project?owed=24000&rate_percent=7.9&remaining_payments=48&value=20000&target_month=12",
}
"""Results that reach parts of the result pages the jobs' examples do not: extra payments, a
balloon, payments every two weeks, a deficiency a state bars, a surplus, a state's rules on the
ways out, the extra payment that surfaces by a target month."""

_NUMBER_KINDS = (Kind.MONEY, Kind.PERCENT, Kind.INT, Kind.DECIMAL, Kind.DATE)


def path_pages(situations: Sequence[Situation] = SITUATIONS) -> dict[str, str]:
    """Every page of the path for each situation, by ``<situation>-<step>``, plus the page a
    link reaches before the loan's rate and term are known (``truck-surface-asked``)."""
    found = {f"{s.name}-{key}": url for s in situations for key, url in s.path().items()}
    found["truck-surface-asked"] = "/project?owed=80000&value=60000&asset_class=class8_sleeper"
    return found


def tool_pages(every_example: bool = False) -> dict[str, str]:
    """Every tool's page empty (``<job>-empty``) and with a result (``<job>-1``: its first
    example; with ``every_example``, every example and the :data:`VARIANTS` too), the list of
    tools and seed 003's repossession."""
    found = {"all": "/all"}
    for name, op in operations().items():
        found[f"{name}-empty"] = f"/{name}"
        for i, example in enumerate(op.examples if every_example else op.examples[:1], start=1):
            found[f"{name}-{i}"] = f"/{name}?{urlencode(example_pairs(example)[1])}"
    found["deficiency-seed-003"] = REPOSSESSION_003
    if every_example:
        found.update(VARIANTS)
    return found


def error_pages() -> dict[str, str]:
    """Pages showing problems: the home page, and every tool's form sent with each number and
    date of its first example typed as ``x`` (several problems at once); a page that is not there."""
    found = {"home-errors": "/?owed=abc&value=-1&asset_class=class8_sleeper"}
    for name, op in operations().items():
        pairs = example_pairs(op.examples[0])[1]
        bad = [(k, "x" if op.form.field(k).kind in _NUMBER_KINDS else v) for k, v in pairs]
        found[f"{name}-errors"] = f"/{name}?{urlencode([*bad, ('_go', '1')])}"
    found["not-found"] = "/nope"
    return found


def cases(pages: Mapping[str, str], known: Mapping[str, str]) -> list[Any]:
    """``pages`` as pytest parameters named by their keys; a page in ``known`` (name → the
    defect it shows) is a strict xfail, so the test turns red the day the defect is fixed."""
    import pytest

    return [
        pytest.param(url, id=name, marks=[pytest.mark.xfail(strict=True, reason=known[name])])
        if name in known
        else pytest.param(url, id=name)
        for name, url in pages.items()
    ]


# -- a real browser ---------------------------------------------------------------------------

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

CSP_WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""
"""Installed before any page script runs (through the DevTools protocol, so the page's CSP does
not apply to it): records every Content-Security-Policy violation the page reports."""


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright; closed on leaving."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    assert executable is not None, "the browser tests need Debian's chromium: apt-get install -y chromium"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Watch:
    """A tab on a real server, and what it did besides rendering: the requests it made, the
    console errors and warnings, the uncaught script errors."""

    page: Page
    base: str
    requests: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def goto(self, path: str) -> Response:
        """Open ``path`` of the server and wait for the page to load."""
        response = self.page.goto(self.base + path)
        assert response is not None, path
        return response

    def assert_clean(self, allowed_console: tuple[str, ...] = ()) -> None:
        """Nothing was asked of any host but the app's, and no console error, script error or
        Content-Security-Policy violation happened."""
        outside = [u for u in self.requests if not u.startswith(self.base + "/")]
        assert outside == [], f"requests left the app: {outside}"
        console = [m for m in self.console if not any(a in m for a in allowed_console)]
        assert console == [], f"console errors or warnings: {console}"
        assert self.errors == [], f"script errors: {self.errors}"
        csp = self.page.evaluate("window.__csp || []")
        assert csp == [], f"Content-Security-Policy violations: {csp}"


@contextlib.contextmanager
def watching(browser: Browser, base: str, **context_args: Any) -> Iterator[Watch]:
    """A fresh browser context (``context_args`` as Playwright's ``new_context`` takes them)
    with one watched tab on ``base``; closed on leaving."""
    context = browser.new_context(**context_args)
    context.add_init_script(CSP_WATCH)
    page = context.new_page()
    watch = Watch(page, base)

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            watch.console.append(f"{message.type}: {message.text}")

    def on_request(request: Request) -> None:
        watch.requests.append(request.url)

    page.on("console", on_console)
    page.on("request", on_request)
    page.on("pageerror", lambda exc: watch.errors.append(str(exc)))
    try:
        yield watch
    finally:
        context.close()


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
