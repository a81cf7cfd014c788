"""Fuzzing the web app in-process: whatever a client sends, the answer is a result, or an error
in the one shape naming what was wrong — never a 500 the web layer could have avoided.

Each example is one request to one job (every job, GET or POST, API or page) built from one of
the job's own examples with some fields replaced by hostile values: digits of other scripts,
superscripts, ``+-5``, 30-plus digits, JSON numbers such as ``1e26``, ``1e400`` and 4,301-digit
integers, unpaired surrogates, percent-escapes that are not UTF-8, nested and huge arrays,
very long keys, dates at year 9999. Invariants checked on every answer:

- the status is never 5xx, unless the failure is one of :data:`KNOWN_CORE_CRASHES` (bugs in the
  domain core, reported to its owner, each reproduced by an ``xfail`` test below that turns
  red once it is fixed, so the entry is removed);
- an error has the one shape, and its first problem names the field its message starts with;
- no message quotes a CLI option (``--owed``);
- a 200 from the API is JSON without NaN or infinities; a page is HTML.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
import traceback
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzzscale import examples
from hostile import HOSTILE_TEXT
from underwater.forms import Field, Kind
from underwater.ops import operations
from underwater.web.app import create_app
from underwater.web.errorlog import ServerErrorLog
from web_fakes import example_pairs

OPS = operations()
FLAG = re.compile(r"--[a-z]")

KNOWN_CORE_CRASHES: dict[tuple[str, str, str], str] = {}
"""Crashes of the domain core (file, function, exception) the web layer cannot prevent without
second-guessing the core, each with a request that reproduces it."""


class Recorded(ServerErrorLog):
    """The app's error log, keeping each failure by request id for the test to look at."""

    def __init__(self) -> None:
        import logging

        super().__init__(logging.getLogger("underwater.web.fuzz"))
        self.failures: dict[str, BaseException] = {}

    def record(self, request_id: str, method: str, path: str, exc: BaseException) -> bool:
        self.failures[request_id] = exc
        return super().record(request_id, method, path, exc)


ERRORS = Recorded()
APP = create_app(errors=ERRORS)
SEEN_CORE: dict[tuple[str, str, str], int] = {}


def _site(exc: BaseException) -> tuple[str, str, str]:
    frame = traceback.extract_tb(exc.__traceback__)[-1]
    path = Path(frame.filename)
    short = (
        "/".join(path.parts[path.parts.index("underwater") + 1 :])
        if "underwater" in path.parts
        else path.name
    )
    return short, frame.name, type(exc).__name__


def send(method: str, url: str, **kwargs: Any) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=APP)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            return await client.request(method, url, **kwargs)

    return asyncio.run(go())


def _refuse(name: str) -> Any:
    raise AssertionError(f"a 200 holds {name}")


STATUSES: dict[int, int] = {}


_TAG = re.compile(r"<[^>]*>")


def check(response: httpx.Response, *, page: bool = False, typed: tuple[str, ...] = ()) -> None:
    """The invariants every answer keeps; ``typed`` are the values the request carried (a page
    may show a person what they typed, even text that looks like an option)."""
    STATUSES[response.status_code] = STATUSES.get(response.status_code, 0) + 1
    text = response.content.decode("utf-8")  # every answer encodes, whatever was sent
    if response.status_code >= 500:
        exc = ERRORS.failures.get(response.headers["x-request-id"])
        assert exc is not None, response.text
        site = _site(exc)
        assert site in KNOWN_CORE_CRASHES, f"a 500 from {site}: {exc!r}\n" + "".join(
            traceback.format_tb(exc.__traceback__)
        )
        SEEN_CORE[site] = SEEN_CORE.get(site, 0) + 1
    if page:
        assert response.headers["content-type"].startswith("text/html")
        assert "Traceback" not in text
        # What a person reads after the form (links carrying the inputs are not read): no option
        # of the command line, except inside what they typed themselves.
        shown = html.unescape(_TAG.sub(" ", text.split("<main", 1)[-1].split("</form>", 1)[-1]))
        for value in sorted(typed, key=len, reverse=True):
            if value:
                shown = shown.replace(value, " ")
        assert not FLAG.search(shown), shown
        return
    assert response.headers["content-type"] == "application/json"
    body = json.loads(text, parse_constant=_refuse)
    if response.status_code == 200:
        assert isinstance(body, dict) and body.get("ok") is not False
        assert not FLAG.search(text), text
        return
    assert set(body) <= {"ok", "status", "error", "errors", "request_id"}
    assert body["ok"] is False and body["status"] == response.status_code
    assert body["errors"] and all(set(e) == {"field", "rule", "got"} for e in body["errors"])
    first = body["errors"][0]["field"]
    assert first is None or body["error"].startswith(f"{first}: "), body
    assert all(e["got"] is None or len(e["got"]) <= 61 for e in body["errors"])
    # No option of the command line in what the API says, except inside a value it echoes back
    # (a principal of "--a" is named as given).
    said = text
    echoed = [e["got"] for e in body["errors"] if e["got"]] + [json.dumps(v)[1:-1] for v in typed]
    for value in sorted(echoed, key=len, reverse=True):
        if value:
            said = said.replace(value, " ")
    assert not FLAG.search(said), text


# -- what a hostile client sends --------------------------------------------------------------

HOSTILE_JSON = [
    "1e26",
    "1e400",
    "-1e400",
    "5e-324",
    "1e999999999999999999999",
    "9" * 4301,
    "-" + "9" * 31,
    "0.1",
    "1.5e1",
    "12.0",
    "-0.0",
    "true",
    "false",
    "null",
    "[]",
    "{}",
    '{"a": {"b": [1, [2, [3]]]}}',
    "[" * 40 + "1" + "]" * 40,
    "[" + ",".join(["1"] * 5000) + "]",
    '["\\ud800"]',
    '"\\ud800"',
    '{"name": "x", "amount": 1e26}',
    '["x", 5]',
    '["x"]',
    "[[]]",
    '[""]',
    "[null]",
]
INVALID_ESCAPES = ["%ff", "%c3%28", "%ed%a0%80", "%e2%82", "%80", "%f4%90%80%80", "%00", "%0a"]


def _json_text(value: str) -> str:
    """A hostile text as a JSON string literal, keeping an unpaired surrogate as its escape."""
    return json.dumps(value)


@st.composite
def inputs(draw: st.DrawFn) -> tuple[str, list[tuple[str, str]], dict[str, str]]:
    """A job, its query pairs (text) and its JSON members (raw JSON text per key)."""
    job = draw(st.sampled_from(sorted(OPS)))
    op = OPS[job]
    _, pairs = example_pairs(draw(st.sampled_from(op.examples)))
    fields: list[Field] = list(op.form.fields)
    for field in draw(st.lists(st.sampled_from(fields), max_size=4, unique_by=lambda f: f.name)):
        pairs = [(k, v) for k, v in pairs if k != field.name]
        value = draw(st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=12)))
        pairs.append((field.name, value))
        if field.repeat and draw(st.booleans()):
            pairs.append((field.name, draw(st.sampled_from(HOSTILE_TEXT))))
    if draw(st.booleans()):
        pairs = [p for p in pairs if p[0] != draw(st.sampled_from(fields)).name]
    if draw(st.integers(0, 9)) == 0:
        pairs.append((draw(st.sampled_from(["bogus", "x" * 5000, "Owed", "_page", "owed[]", "\u00e9"])), "1"))
    members: dict[str, str] = {}
    for name, value in pairs:
        field = next((f for f in fields if f.name == name), None)
        text = _json_text(value)
        numeric = field is not None and field.kind in (Kind.MONEY, Kind.PERCENT, Kind.DECIMAL, Kind.INT)
        if numeric and draw(st.integers(0, 3)) == 0:
            text = draw(st.sampled_from(HOSTILE_JSON))
        if field is not None and field.repeat:
            members[name] = members[name][:-1] + "," + text + "]" if name in members else "[" + text + "]"
        else:
            members[name] = text
    if members and draw(st.integers(0, 4)) == 0:
        members[draw(st.sampled_from(sorted(members)))] = draw(st.sampled_from(HOSTILE_JSON))
    return job, pairs, members


def _query(pairs: list[tuple[str, str]], escapes: list[str]) -> str:
    parts = [
        f"{quote(k.encode('utf-8', 'surrogatepass'))}={quote(v.encode('utf-8', 'surrogatepass'))}"
        for k, v in pairs
    ]
    for i, escape in enumerate(escapes):
        if parts:
            k, _, v = parts[i % len(parts)].partition("=")
            parts[i % len(parts)] = f"{k}={v}{escape}" if i % 2 else f"{k}{escape}={v}"
    return "&".join(parts)


API_EXAMPLES = examples(400)
PAGE_EXAMPLES = examples(80)


@settings(max_examples=API_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(request=inputs(), post=st.booleans(), escapes=st.lists(st.sampled_from(INVALID_ESCAPES), max_size=2))
def test_the_api_never_fails_and_always_answers_in_shape(
    request: tuple[str, list[tuple[str, str]], Mapping[str, str]], post: bool, escapes: list[str]
) -> None:
    job, pairs, members = request
    if post:
        body = "{" + ",".join(f"{_json_text(k)}: {v}" for k, v in members.items()) + "}"
        response = send(
            "POST",
            f"/api/{job}",
            content=body.encode("utf-8", "surrogatepass"),
            headers={"content-type": "application/json"},
        )
    else:
        suffix = ".csv" if OPS[job].csv is not None and not escapes and len(pairs) % 3 == 0 else ""
        response = send("GET", f"/api/{job}{suffix}?{_query(pairs, escapes)}")
        if suffix and response.status_code == 200:
            assert response.headers["content-type"] == "text/csv; charset=utf-8"
            return
    check(response)


@settings(max_examples=PAGE_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(request=inputs(), escapes=st.lists(st.sampled_from(INVALID_ESCAPES), max_size=2))
def test_a_page_never_fails(
    request: tuple[str, list[tuple[str, str]], Mapping[str, str]], escapes: list[str]
) -> None:
    job, pairs, _ = request
    check(send("GET", f"/{job}?{_query(pairs, escapes)}"), page=True, typed=tuple(v for _, v in pairs))


@settings(max_examples=examples(60), deadline=None)
@given(
    path=st.one_of(
        st.text(max_size=30).map(lambda t: "/" + quote(t.encode("utf-8", "surrogatepass"), safe="/")),
        st.sampled_from(
            [
                "/api/%ff",
                "/%c3%28",
                "/api/equity%00",
                "/api/" + "x" * 5000,
                "/api/loan.csv.csv",
                "/static/%2e%2e/app.py",
            ]
        ),
    )
)
def test_any_path_answers_without_failing(path: str) -> None:
    response = send("GET", path)
    assert response.status_code < 500
    response.content.decode("utf-8")


# -- the known crashes of the core, until they are fixed ---------------------------------------


FIXED_CORE_CRASHES = (
    # Each crashed the domain core once (found by this fuzzer); now a clear 422 or a result.
    "/api/loan?principal=1000&rate_percent=5&n_payments=12&extra_once=%C2%B2%3D100",
    "/api/loan?principal=1000&rate_percent=5&n_payments=12&extra_once=%D9%A1%3D100",
    "/api/value?value=20000&depreciation_rate_percent=50&age_months=600",
    "/api/project?price=1000&rate_percent=1000&term_months=600",
)


@pytest.mark.parametrize("url", FIXED_CORE_CRASHES)
def test_a_core_crash_found_here_stays_fixed(url: str) -> None:
    response = send("GET", url)
    assert response.status_code in (200, 422), (url, response.text[:300])


def test_report_what_the_fuzzing_saw() -> None:
    # Not an invariant: a record, printed with -s, of how the answers spread over statuses.
    print(f"\nweb fuzz statuses: {dict(sorted(STATUSES.items()))}; core crashes seen: {SEEN_CORE}")
    assert STATUSES.get(200, 0) > 0 and STATUSES.get(422, 0) > 0
