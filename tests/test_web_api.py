"""The web app in-process: JSON API, error shape, OpenAPI, CSV, headers and server-rendered pages.

Requests go through httpx's ASGI transport rather than ``starlette.testclient``: the
TestClient of Starlette 1.10 warns that httpx is deprecated in favour of httpx2, and warnings
are errors here. The browser tests (test_web_browser.py) cover a real uvicorn server.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
import re
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from html.parser import HTMLParser
from typing import Any

import httpx
import jsonschema_rs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.applications import Starlette

from underwater.cli import main
from underwater.csvsafe import safe_cell
from underwater.ops import operations
from underwater.web.app import BODY_LIMIT, HEADERS_LIMIT, PAGE_ROWS, URL_LIMIT, create_app
from underwater.web.errorlog import ServerErrorLog
from web_fakes import FAKES, SECRET, example_pairs, registry, serving

APP = create_app(registry())
"""The real jobs plus the test jobs of web_fakes (whose ``project`` replaces the real one)."""
REAL = create_app()
"""Exactly what ``underwater serve`` serves."""


def call(method: str, url: str, app: Starlette = APP, **kwargs: Any) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            return await client.request(method, url, **kwargs)

    return asyncio.run(go())


def get(url: str, **kwargs: Any) -> httpx.Response:
    return call("GET", url, **kwargs)


def post(url: str, **kwargs: Any) -> httpx.Response:
    return call("POST", url, **kwargs)


def assert_error(response: httpx.Response, status: int, field: str | None = None) -> dict[str, Any]:
    """The one error shape, with the HTTP status repeated and the field named."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    if status == 500:
        # A 500 names the request id its log line carries, as the header does.
        assert set(body) == {"ok", "status", "error", "errors", "request_id"}
        assert body["request_id"] == response.headers["x-request-id"]
    else:
        assert set(body) == {"ok", "status", "error", "errors"}
    assert body["ok"] is False
    assert body["status"] == status
    assert isinstance(body["error"], str) and body["error"]
    assert body["errors"] and all(set(e) == {"field", "rule", "got"} for e in body["errors"])
    assert body["errors"][0]["field"] == field
    if field is not None:
        assert body["error"].startswith(f"{field}: ")
    assert "Traceback" not in response.text
    return body


def cli_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> Any:
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def as_body(op_name: str, pairs: list[tuple[str, str]]) -> dict[str, Any]:
    form = operations()[op_name].form
    body: dict[str, Any] = {}
    for name, value in pairs:
        if form.field(name).repeat:
            body.setdefault(name, []).append(value)
        else:
            body[name] = True if value == "true" and form.field(name).kind == "flag" else value
    return body


EXAMPLES = [(name, e) for name, op in operations().items() for e in op.examples]


# -- the JSON API gives exactly what the CLI's --json gives ---------------------------------


def test_done_when_example_get_post_and_cli_agree(capsys: pytest.CaptureFixture[str]) -> None:
    # Two liens, 150,000 + 30,000, on a home worth 170,000: 10,000.00 under water, CLTV 1.0588
    # (180,000 / 170,000 = 1.05882…, worked by hand).
    expected = cli_json(["equity", "--owed", "150000", "--owed", "30000", "--value", "170000"], capsys)
    by_get = get("/api/equity?owed=150000&owed=30000&value=170000")
    by_post = post("/api/equity", json={"owed": [150000, 30000], "value": 170000})
    assert by_get.status_code == by_post.status_code == 200
    assert by_get.json() == by_post.json() == expected
    assert expected["negative_equity"] == "10000.00"
    assert expected["cltv"] == "1.0588"


@pytest.mark.parametrize(("op_name", "example"), EXAMPLES, ids=[e for _, e in EXAMPLES])
def test_every_example_of_every_job_matches_the_cli(
    op_name: str, example: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv, pairs = example_pairs(example)
    expected = cli_json(argv, capsys)
    by_get = get(f"/api/{op_name}", params=pairs, app=REAL)
    by_post = post(f"/api/{op_name}", json=as_body(op_name, pairs), app=REAL)
    assert by_get.status_code == 200, by_get.text
    assert by_post.status_code == 200, by_post.text
    assert by_get.json() == expected
    assert by_post.json() == expected
    assert not re.search(r"--[a-z]", by_get.text), "an API answer quotes a CLI option"


def test_post_numbers_are_read_exactly() -> None:
    # As floats, 150000.10 and 170000.20 would be refused (underwater never takes a float);
    # read as decimals they give exact cents.
    body = b'{"owed": 150000.10, "value": 170000.20}'
    response = post("/api/equity", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text
    assert response.json()["total_owed"] == "150000.10"
    assert response.json()["equity"] == "20000.10"


def test_post_fraction_of_a_cent_names_the_field() -> None:
    body = assert_error(post("/api/equity", json={"owed": "1.005", "value": 1}), 422, "owed")
    assert body["errors"][0]["rule"].startswith("must be whole cents")


# -- one error shape everywhere -------------------------------------------------------------


def test_negative_value_answers_422_naming_the_field() -> None:
    body = assert_error(get("/api/equity?owed=1&value=-5"), 422, "value")
    assert body == {
        "ok": False,
        "status": 422,
        "error": "value: must not be negative (got '-5')",
        "errors": [{"field": "value", "rule": "must not be negative", "got": "-5"}],
    }


@pytest.mark.parametrize(
    ("query", "field", "rule_start"),
    [
        ("owed=1&value=2&bogus=3", "bogus", "is not an input of this job"),
        ("owed=1", "value", "is required"),
        ("value=1", "owed", "is required"),
        ("owed=abc&value=1", "owed", "must be an amount of money"),
        ("owed=1&value=2&value=3", "value", "takes one value, not several"),
        ("owed=1&value=2&value_source=guess", "value_source", "must be one of"),
        ("lien=%3D5&value=1", "lien", "must be written NAME=AMOUNT"),
    ],
)
def test_bad_query_answers_422_naming_the_field(query: str, field: str, rule_start: str) -> None:
    body = assert_error(get(f"/api/equity?{query}"), 422, field)
    assert body["errors"][0]["rule"].startswith(rule_start)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"owed": 1, "value": -5}, "value"),
        ({"owed": 1, "value": 2, "bogus": 3}, "bogus"),
        ({"owed": 1}, "value"),
        ({"owed": True, "value": 2}, "owed"),
        ({"owed": 1, "value": [1, 2]}, "value"),
    ],
)
def test_bad_json_inputs_answer_422_naming_the_field(body: dict[str, Any], field: str) -> None:
    assert_error(post("/api/equity", json=body), 422, field)


def test_no_solution_is_422_in_the_same_shape() -> None:
    body = assert_error(get("/api/solver?payment=1"), 422, "payment")
    assert body["errors"][0]["got"] is None
    assert "no rate" in body["error"]


@pytest.mark.parametrize("url", ["/api/nope", "/api/nope.csv", "/api/", "/api/equity/extra"])
def test_unknown_job_or_endpoint_is_404(url: str) -> None:
    assert_error(get(url), 404)


def test_unknown_job_lists_the_jobs() -> None:
    body = assert_error(get("/api/nope"), 404)
    assert body["errors"][0]["got"] == "nope"
    assert "equity" in body["error"]


@pytest.mark.parametrize(
    "body",
    [
        b'{"owed": 1, "value":',
        b"",
        b"owed=1&value=2",
        b'{"owed": NaN, "value": 1}',
        b"\xff\xfe{",
        b"[" * 50_000,
    ],
    ids=["truncated", "empty", "form-encoded", "nan", "bad-bytes", "deep-nesting"],
)
def test_malformed_json_is_400(body: bytes) -> None:
    assert_error(post("/api/equity", content=body, headers={"content-type": "application/json"}), 400)


@pytest.mark.parametrize("body", [[1, 2], "text", 5, True])
def test_json_that_is_not_an_object_is_400(body: object) -> None:
    response = assert_error(post("/api/equity", json=body), 400)
    assert "JSON object" in response["error"]


def test_a_body_that_is_not_json_is_415() -> None:
    response = post(
        "/api/equity",
        content=b"owed=1&value=2",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert_error(response, 415)


def _padded(size: int) -> bytes:
    core = b'{"owed": "1", "value": "2"}'
    return core[:-1] + b" " * (size - len(core)) + b"}"


def test_a_body_at_the_limit_is_read() -> None:
    body = _padded(BODY_LIMIT)
    assert len(body) == BODY_LIMIT
    assert post("/api/equity", content=body, headers={"content-type": "application/json"}).status_code == 200


def test_a_body_over_the_limit_is_413_by_content_length() -> None:
    body = _padded(BODY_LIMIT + 1)
    assert_error(post("/api/equity", content=body, headers={"content-type": "application/json"}), 413)


def test_a_body_over_the_limit_is_413_while_reading_without_content_length() -> None:
    # Streamed in chunks with no Content-Length: the limit is enforced on the bytes read.
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(BODY_LIMIT // 1024 + 2):
            yield b" " * 1024

    response = post("/api/equity", content=chunks(), headers={"content-type": "application/json"})
    assert "content-length" not in response.request.headers
    assert_error(response, 413)


def test_a_false_small_content_length_does_not_beat_the_limit() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(BODY_LIMIT // 1024 + 2):
            yield b" " * 1024

    response = post(
        "/api/equity", content=chunks(), headers={"content-type": "application/json", "content-length": "10"}
    )
    assert_error(response, 413)


def test_wrong_method_is_405_in_the_same_shape() -> None:
    body = assert_error(call("PUT", "/api/equity"), 405)
    assert body["errors"][0]["got"] == "/api/equity"


def test_an_unexpected_error_is_500_without_details(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="underwater.web"):
        response = get("/api/boom?x=1")
    body = assert_error(response, 500)
    assert SECRET not in response.text
    assert "RuntimeError" not in response.text
    assert "log" in body["error"]
    assert SECRET in caplog.text  # the details are logged on the server, with the traceback
    assert "Traceback" in caplog.text


def test_an_error_outside_the_handler_is_caught_too(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="underwater.web"):
        response = post("/api/badjson", json={"x": "1"})
    assert_error(response, 500)
    assert SECRET not in response.text
    assert SECRET in caplog.text
    assert response.headers["x-content-type-options"] == "nosniff"


def test_an_unexpected_error_on_a_page_is_a_500_page_without_details(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR, logger="underwater.web"):
        page = get("/boom?x=1")
        broken = get("/badjson?x=1")
    assert page.status_code == broken.status_code == 500
    for response in (page, broken):
        assert response.headers["content-type"].startswith("text/html")
        assert SECRET not in response.text
        assert "Traceback" not in response.text


# -- OpenAPI --------------------------------------------------------------------------------


def _resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/")
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if "$ref" in node else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_openapi_document_is_well_formed() -> None:
    response = get("/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"] == "3.1.0"
    assert isinstance(doc["info"]["title"], str) and isinstance(doc["info"]["version"], str)
    operation_ids = []
    for path, item in doc["paths"].items():
        assert path.startswith("/")
        for method, operation in item.items():
            assert method in {"get", "post", "put", "delete", "patch", "head", "options"}
            operation_ids.append(operation["operationId"])
            assert operation["responses"], path
            for status, resp in operation["responses"].items():
                assert re.fullmatch(r"[1-5]\d\d", status)
                assert isinstance(resp["description"], str) and resp["description"]
            names = [p["name"] for p in operation.get("parameters", [])]
            assert len(names) == len(set(names))
            for param in operation.get("parameters", []):
                assert param["in"] == "query" and "schema" in param and isinstance(param["required"], bool)
    assert len(operation_ids) == len(set(operation_ids))
    for ref in _refs(doc):
        assert isinstance(_resolve(doc, ref), dict), ref
    error = doc["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"ok", "status", "error", "errors"}


def test_openapi_documents_every_job_and_every_field() -> None:
    doc = get("/openapi.json").json()
    for name, op in registry().items():
        item = doc["paths"][f"/api/{name}"]
        params = {p["name"]: p for p in item["get"]["parameters"]}
        body_ref = item["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        body = _resolve(doc, body_ref)
        for field in op.form.fields:
            assert params[field.name]["description"].startswith(field.help)
            assert params[field.name]["required"] == field.required
            assert body["properties"][field.name]["description"].startswith(field.help)
        assert set(params) == set(body["properties"]) == {f.name for f in op.form.fields}
        assert body["required"] == [f.name for f in op.form.fields if f.required]
        assert "200" in item["get"]["responses"] and "422" in item["get"]["responses"]
        for status in ("400", "413", "422", "500"):
            schema = item["post"]["responses"][status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Error"}
        assert (f"/api/{name}.csv" in doc["paths"]) == (op.csv is not None)


def test_openapi_error_schema_describes_real_errors() -> None:
    schema = get("/openapi.json").json()["components"]["schemas"]["Error"]
    for body in (
        get("/api/equity?owed=1&value=-5").json(),
        get("/api/payoff?balance=x&rate_percent=y").json(),
        get("/api/nope").json(),
        get("/api/boom?x=1").json(),
        post("/api/equity", content=b"{", headers={"content-type": "application/json"}).json(),
    ):
        jsonschema_rs.validate(schema, body)
    assert set(get("/api/boom?x=1").json()) == set(schema["properties"])


# -- CSV ------------------------------------------------------------------------------------

FORMULA_CELLS = [
    ("=1+2", "'=1+2"),
    ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
    ("+SUM(A1:A3)", "'+SUM(A1:A3)"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"),
    ("\rx", "'\rx"),
    ("-", "'-"),
    ("-3000.00", "-3000.00"),
    ("+5", "+5"),
    ("-.5", "-.5"),
    ("1500.25", "1500.25"),
    ("HELOC", "HELOC"),
    ("a=b", "a=b"),
]


@pytest.mark.parametrize(("cell", "expected"), FORMULA_CELLS)
def test_safe_cell(cell: str, expected: str) -> None:
    assert safe_cell(cell) == expected


# A text input is stripped when read, so the download test leaves out the tab and CR cells.
DOWNLOAD_CELLS = [(cell, expected) for cell, expected in FORMULA_CELLS if cell == cell.strip()]


@pytest.mark.parametrize("prefix", ["/api/sheet.csv", "/sheet.csv"])
def test_csv_download_neutralises_formulas_but_not_numbers(prefix: str) -> None:
    response = get(prefix, params=[("cell", cell) for cell, _ in DOWNLOAD_CELLS])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="underwater-sheet.csv"'
    rows = list(csv.reader(io.StringIO(response.text, newline="")))
    assert rows == [["cell"], *([expected] for _, expected in DOWNLOAD_CELLS)]


@given(st.text(max_size=20))
def test_no_safe_cell_starts_like_a_formula_unless_it_is_a_plain_number(text: str) -> None:
    cell = safe_cell(text)
    if cell.startswith(("=", "+", "-", "@", "\t", "\r")):
        assert re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", cell)
        assert cell == text
    else:
        assert cell in (text, "'" + text)


CSV_EXAMPLES = [(n, e) for n, e in EXAMPLES if operations()[n].csv is not None]


@pytest.mark.parametrize(("op_name", "example"), CSV_EXAMPLES, ids=[e for _, e in CSV_EXAMPLES])
def test_csv_of_every_job_matches_the_cli_csv(
    op_name: str, example: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv, pairs = example_pairs(example)
    assert main([*argv, "--csv"]) == 0
    expected = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    response = get(f"/api/{op_name}.csv", params=pairs, app=REAL)
    assert response.status_code == 200
    assert list(csv.reader(io.StringIO(response.text, newline=""))) == [
        [safe_cell(c) for c in row] for row in expected
    ]
    assert get(f"/{op_name}.csv", params=pairs, app=REAL).text == response.text


def test_csv_of_a_job_without_a_table_is_404() -> None:
    assert_error(get("/api/equity.csv?owed=1&value=2"), 404)


def test_csv_with_bad_input_is_422() -> None:
    assert_error(get("/api/sheet.csv?bogus=1"), 422, "bogus")


# -- headers, health, static ----------------------------------------------------------------

HEADER_URLS = [
    "/",
    "/equity",
    "/equity?owed=1&value=-5",
    "/api/equity?owed=1&value=2",
    "/api/equity?owed=1&value=-5",
    "/api/nope",
    "/nope",
    "/openapi.json",
    "/healthz",
    "/static/app.css",
    "/static/htmx-2.0.11.min.js",
    "/static/missing.js",
    "/api/boom?x=1",
    "/sheet.csv?cell=1",
]


@pytest.mark.parametrize("url", HEADER_URLS)
def test_security_headers_on_every_response(url: str, caplog: pytest.LogCaptureFixture) -> None:
    headers = get(url).headers
    assert headers["content-security-policy"].startswith("default-src 'self'")
    assert "unsafe-inline" not in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "DENY"
    assert "camera=()" in headers["permissions-policy"]


def test_healthz() -> None:
    response = get("/healthz")
    assert response.status_code == 200
    assert response.json()["ok"] is True


def test_vendored_scripts_keep_their_licence_headers() -> None:
    htmx = get("/static/htmx-2.0.11.min.js").text
    chart = get("/static/chart-4.6.1.umd.min.js").text
    assert htmx.startswith("/*! htmx 2.0.11") and "0BSD" in htmx[:300]
    assert chart.startswith("/*!\n * Chart.js v4.6.1") and "MIT License" in chart[:300]


# -- server-rendered pages ------------------------------------------------------------------


class Page(HTMLParser):
    """The parts of a page the tests look at."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def find(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]

    def by_id(self, dom_id: str) -> dict[str, str]:
        (found,) = [a for _, a in self.tags if a.get("id") == dom_id]
        return found


def test_index_lists_every_job() -> None:
    page = Page(get("/").text)
    links = {a["href"] for a in page.find("a")}
    assert {f"/{name}" for name in registry()} <= links


def test_equity_page_shows_the_result_from_the_query_string() -> None:
    response = get("/equity?owed=150000&owed=30000&value=170000")
    assert response.status_code == 200
    assert "Under water by" in response.text
    assert "$10,000.00" in response.text
    assert "<html" in response.text
    assert response.headers["vary"] == "HX-Request"


def test_htmx_request_gets_the_fragment_with_the_form_out_of_band() -> None:
    response = get("/equity?owed=150000&owed=30000&value=170000", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "$10,000.00" in response.text
    page = Page(response.text)
    assert page.by_id("job-form")["hx-swap-oob"] == "true"
    # A history restore wants the whole page even though htmx sends it.
    restore = get(
        "/equity?owed=1&value=2", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restore.text


def test_form_is_built_from_the_fields() -> None:
    page = Page(get("/equity").text)
    form = page.by_id("job-form")
    assert (form["action"], form["method"], form["hx-get"], form["hx-push-url"]) == (
        "/equity",
        "get",
        "/equity",
        "true",
    )
    assert form["hx-target"] == "#result"
    assert page.by_id("f-value")["inputmode"] == "decimal"
    assert "required" in page.by_id("f-value")
    assert page.by_id("f-owed")["inputmode"] == "decimal"
    assert page.find("select", id="f-value_source")
    assert page.find("button", **{"class": "add-another", "data-add": "owed"})
    assert page.by_id("result")["aria-live"] == "polite"


LABEL_PAGES = [(name, REAL) for name in operations()] + [(name, APP) for name in FAKES]


@pytest.mark.parametrize(
    ("name", "app"), LABEL_PAGES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(LABEL_PAGES)]
)
def test_every_input_of_every_job_page_has_a_label(name: str, app: Starlette) -> None:
    page = Page(get(f"/{name}", app=app).text)
    label_for = {a["for"] for a in page.find("label")}
    controls = [a for t, a in page.tags if t in ("input", "select", "textarea")]
    assert controls
    for control in controls:
        assert control["id"] in label_for, control
        jobs = registry() if app is APP else operations()
        assert control["name"] in {f.name for f in jobs[name].form.fields}


def test_repeatable_field_shows_every_value_and_a_spare_box() -> None:
    page = Page(get("/equity?owed=150000&owed=30000&value=170000").text)
    owed = page.find("input", name="owed")
    assert [o["value"] for o in owed] == ["150000", "30000", ""]
    assert [o["id"] for o in owed] == ["f-owed", "f-owed-2", "f-owed-3"]


def test_bad_input_on_a_page_marks_the_field() -> None:
    response = get("/equity?owed=1&value=-5")
    assert response.status_code == 422
    page = Page(response.text)
    value = page.by_id("f-value")
    assert value["aria-invalid"] == "true"
    assert "f-value-error" in value["aria-describedby"].split()
    assert "must not be negative" in "".join(page.text)
    assert "value: must not be negative (got '-5')" in response.text.replace("&#39;", "'")
    assert "aria-invalid" not in page.by_id("f-owed")


def test_unknown_input_on_a_page_is_reported_in_the_result() -> None:
    response = get("/equity?owed=1&value=2&bogus=3")
    assert response.status_code == 422
    assert "bogus: is not an input of this job" in response.text


def test_unknown_page_is_404_html() -> None:
    response = get("/nope")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")


def test_wrong_method_on_a_page_is_405() -> None:
    response = post("/equity")
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD"}


@pytest.mark.parametrize(("op_name", "example"), EXAMPLES, ids=[e for _, e in EXAMPLES])
def test_every_example_renders_a_page_without_inline_code(op_name: str, example: str) -> None:
    _, pairs = example_pairs(example)
    response = get(f"/{op_name}", params=pairs, app=REAL)
    assert response.status_code == 200, response.text
    page = Page(response.text)
    for attrs in page.find("script"):
        assert attrs["src"].startswith("/static/")
    assert not any("style" in attrs for _, attrs in page.tags)
    assert not any(attr.startswith("on") for _, attrs in page.tags for attr in attrs)
    assert not page.find("style")
    for th in page.find("th"):
        assert th["scope"] in ("row", "col")
    assert len(page.find("caption")) == len(page.find("table"))


def test_generic_result_pages_a_long_table() -> None:
    first = Page(get("/long?n=130").text)
    # One row for the count, the table's header row, then one page of rows.
    assert len([t for t in first.tags if t[0] == "tr"]) == 1 + 1 + PAGE_ROWS
    third = get("/long?n=130&_page=3")
    assert "rows 121–130 of 130" in third.text
    assert ">130,000.00<" in third.text
    assert ">1,000.00<" not in third.text
    links = [a for a in Page(third.text).find("a") if "_page=" in a.get("href", "")]
    assert {a["href"] for a in links} == {"/long?n=130&_page=1", "/long?n=130&_page=2"}
    assert all(a["hx-get"] == a["href"] and a["hx-target"] == "#result" for a in links)


def test_per_job_template_is_used_when_it_exists() -> None:
    response = get("/project?owed=20000&value=15000&months=24")
    page = Page(response.text)
    assert page.by_id("projection-chart")["data-chart"] == "projection"
    data = json.loads(page.by_id("projection-chart")["data-projection"])
    assert data == get("/api/project?owed=20000&value=15000&months=24").json()
    # 20,000 paid down by 833.33/month against 15,000 losing 200/month meet in month 8.
    assert data["crossover_month"] == 8
    assert data["crossover_date"] == "2026-09-01"


def test_generic_template_when_a_job_has_none() -> None:
    page = Page(get("/long?n=3").text)
    assert page.find("table", **{"class": "rows", "data-key": "rows"})


# -- the serve command -----------------------------------------------------------------------


def test_serve_help_shows_options_and_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--host" in out and "--port" in out
    assert "examples:\n" in out and "underwater serve --port 8000" in out.split("examples:")[1]


def test_serve_rejects_a_bad_port_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--port", "70000"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--port" in err


def test_serve_without_the_web_extra_says_how_to_install_it() -> None:
    # Importing uvicorn fails as it would without the extra (None in sys.modules → ImportError).
    code = "import sys; sys.modules['uvicorn'] = None; from underwater.cli import main; raise SystemExit(main(['serve']))"
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1
    assert "pip install 'underwater[web]'" in proc.stderr


def test_the_cli_does_not_load_the_web_framework() -> None:
    code = "import sys; from underwater.cli import build_parser; build_parser(); print(sorted(m for m in ('starlette', 'uvicorn', 'jinja2') if m in sys.modules))"
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert proc.stdout.strip() == "[]"


def test_fakes_are_not_shipped_jobs() -> None:
    # The test jobs exist only in this registry; "project" may also be a real job.
    assert not (set(FAKES) - {"project"}) & set(operations())


# -- hostile input never answers 500 -------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field", "rule_start"),
    [
        (b'{"owed": "\\ud800", "value": 1}', "owed", "must be text without unpaired surrogates"),
        (b'{"lien": [["\\udfff", 5]], "value": 1}', "lien", "must be text without unpaired surrogates"),
        (b'{"\\ud800": 1, "owed": 1, "value": 1}', "input", "must be text without unpaired surrogates"),
        (b'{"owed": 1e400, "value": 1}', "owed", "must be a number of at most 30 digits"),
        (b'{"owed": 5e-324, "value": 1}', "owed", "must be a number of at most 30 digits"),
        (b'{"owed": 1e999999999999999999999, "value": 1}', "owed", "must be a number of at most 30 digits"),
        (b'{"owed": ' + b"9" * 4301 + b', "value": 1}', "owed", "must be a number of at most 30 digits"),
        (b'{"owed": 1e26, "value": 1}', "owed", "must be at most 1,000,000,000.00 dollars"),
        (b'{"owed": 1, "value": [1]}', "value", "takes one value, not a list"),
    ],
    ids=[
        "surrogate",
        "surrogate-in-pair",
        "surrogate-key",
        "1e400",
        "subnormal",
        "huge-exponent",
        "4301-digits",
        "1e26",
        "list",
    ],
)
def test_hostile_json_is_422_naming_the_field(body: bytes, field: str, rule_start: str) -> None:
    response = post("/api/equity", content=body, headers={"content-type": "application/json"})
    found = assert_error(response, 422, field)
    assert found["errors"][0]["rule"].startswith(rule_start)
    response.content.decode("utf-8")  # the echo encodes, whatever was sent


def test_a_surrogate_is_echoed_as_an_escape() -> None:
    response = post(
        "/api/equity",
        content=b'{"owed": "5\\ud800", "value": 1}',
        headers={"content-type": "application/json"},
    )
    body = assert_error(response, 422, "owed")
    assert body["errors"][0]["got"] == "5\\ud800"
    assert body["error"].endswith("(got '5\\ud800')")


def test_an_echo_is_at_most_60_characters() -> None:
    body = assert_error(get("/api/equity?owed=" + "x" * 5000 + "&value=1"), 422, "owed")
    assert body["errors"][0]["got"] == "x" * 60 + "…"
    assert len(body["error"]) < 200


@pytest.mark.parametrize(
    ("query", "field"),
    [("owed=%ff&value=1", "owed"), ("owed=1&value=%C3%28", "value"), ("%ff=1&owed=1&value=1", "input")],
)
def test_a_query_string_that_is_not_utf8_is_422_naming_the_field(query: str, field: str) -> None:
    body = assert_error(get(f"/api/equity?{query}"), 422, field)
    assert body["errors"][0]["rule"].startswith("must be UTF-8 text")


def test_a_query_that_is_not_utf8_is_not_read_as_replacement_characters() -> None:
    # A lenient decoder would read %ff as U+FFFD, which a text input (a lien's name) keeps.
    body = assert_error(get("/api/equity?lien=%ff%fe%3D100&value=1"), 422, "lien")
    assert "UTF-8" in body["error"]


def test_every_bad_field_is_listed_once() -> None:
    body = assert_error(
        get("/api/payoff?balance=abc&rate_percent=5000&last_payment_date=9999-01-01"), 422, "balance"
    )
    fields = [e["field"] for e in body["errors"]]
    assert fields == ["balance", "rate_percent", "last_payment_date", "payoff_date"]
    assert body["error"].endswith("(and 3 more: rate_percent, last_payment_date, payoff_date)")


def test_a_long_url_is_414() -> None:
    body = assert_error(get("/api/equity?owed=" + "1" * URL_LIMIT + "&value=1"), 414)
    assert "POST" in body["error"]
    page = get("/equity?owed=" + "1" * URL_LIMIT)
    assert page.status_code == 414 and page.headers["content-type"].startswith("text/html")


def test_headers_over_the_limit_are_431() -> None:
    assert_error(get("/api/equity?owed=1&value=2", headers={"x-pad": "a" * HEADERS_LIMIT}), 431)


# -- field names in messages ------------------------------------------------------------------

FLAG = re.compile(r"--[a-z]")


@pytest.mark.parametrize(
    ("job", "query", "field"),
    [
        ("equity", "value=1", "owed"),
        ("rebate", "amount_financed=1&n_payments=2&payments_made=1", "finance_charge"),
        ("project", "rate_percent=5", "owed"),
        ("project", "rate_percent=5&owed=1&price=2", "price"),
        (
            "project",
            "rate_percent=5&owed=1&value=1&remaining_payments=1&term_months=3",
            "term_months",
        ),
        ("apr", "principal=1", "payment"),
        ("apr", "advances=2026-01-01%3D5", "payments"),
        ("deficiency", "owed=1", "proceeds"),
        (
            "value",
            "value=1&depreciation=boat&depreciation_rate_percent=5",
            "depreciation_rate_percent",
        ),
        ("loan", "principal=1000&n_payments=12", "rate_percent"),
    ],
)
def test_api_messages_name_fields_by_their_json_keys(job: str, query: str, field: str) -> None:
    body = assert_error(get(f"/api/{job}?{query}", app=REAL), 422, field)
    assert not FLAG.search(json.dumps(body)), body
    assert "`" in body["errors"][0]["rule"] or job == "value"


def test_a_cross_field_rule_names_the_other_field_in_backticks() -> None:
    body = assert_error(get("/api/equity?value=1"), 422, "owed")
    assert (
        body["errors"][0]["rule"]
        == "is required: give what is owed (`owed`, repeatable, or `lien` NAME=AMOUNT)"
    )


def test_a_page_names_fields_by_their_labels_and_flags_every_bad_one() -> None:
    response = get("/payoff?balance=abc&rate_percent=5000&last_payment_date=2026-01-01")
    assert response.status_code == 422
    page = Page(response.text)
    for name in ("balance", "rate_percent", "payoff_date"):
        box = page.by_id(f"f-{name}")
        assert box["aria-invalid"] == "true", name
        assert f"f-{name}-error" in box["aria-describedby"].split()
        page.by_id(f"f-{name}-error")
    assert "aria-invalid" not in page.by_id("f-last_payment_date")
    links = {a["href"] for a in page.find("a") if a.get("href", "").startswith("#f-")}
    assert links == {"#f-balance", "#f-rate_percent", "#f-payoff_date"}
    equity = get("/equity?value=1").text.replace("&#39;", "'")
    assert "“Owed”" in equity and "`owed`" not in equity and not FLAG.search(equity.split("<main", 1)[-1])


# -- methods --------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/loan.csv", "/loan.csv", "/api/sheet.csv"])
def test_a_csv_route_answers_get_only(url: str) -> None:
    response = post(url, json={"principal": 1000})
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD"}
    if url.startswith("/api/"):
        assert_error(response, 405)


def test_openapi_lists_only_the_methods_each_route_answers() -> None:
    doc = get("/openapi.json").json()
    for path, item in doc["paths"].items():
        for method in item:
            url = path.replace("{name}", "loan")
            response = call(method.upper(), url, json={}) if method == "post" else get(url)
            assert response.status_code != 405, (method, path)
        for method in {"get", "post"} - set(item):
            assert call(method.upper(), path, json={}).status_code == 405, (method, path)


# -- request ids and the server's log ---------------------------------------------------------


def test_every_response_has_a_request_id() -> None:
    ids = {get(url).headers["x-request-id"] for url in ("/", "/healthz", "/api/nope", "/equity?owed=1")}
    assert len(ids) == 4
    assert all(re.fullmatch(r"[0-9a-f]{16}", i) for i in ids)


def test_a_500_logs_one_line_with_its_request_id(caplog: pytest.LogCaptureFixture) -> None:
    app = create_app(registry())
    with caplog.at_level(logging.ERROR, logger="underwater.web"):
        response = get("/api/boom?x=1", app=app)
    rid = assert_error(response, 500)["request_id"]
    (record,) = caplog.records
    assert record.getMessage().startswith(f"server error {rid}: GET '/api/boom': RuntimeError:")
    assert "\n" not in record.getMessage()
    assert record.exc_info is not None


def test_a_flood_of_identical_failures_logs_one_traceback(caplog: pytest.LogCaptureFixture) -> None:
    app = create_app(registry())
    with caplog.at_level(logging.ERROR, logger="underwater.web"):
        for _ in range(100):
            assert get("/api/boom?x=1", app=app).status_code == 500
        assert get("/badjson?x=1", app=app).status_code == 500
    with_traceback = [r for r in caplog.records if r.exc_info]
    assert len(with_traceback) == 1  # the second kind of failure has no line left this minute
    assert len(caplog.records) == 30
    assert all("same error as" in r.getMessage() for r in caplog.records[1:])
    assert len(caplog.text) < 30 * 400 + 5000


def test_the_error_log_limits_lines_and_tracebacks_per_window(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    errors = ServerErrorLog(logging.getLogger("underwater.test"), lines=5, tracebacks=2, clock=lambda: now[0])

    def fail(kind: type[Exception]) -> Exception:
        try:
            raise kind("x\nforged log line")
        except Exception as exc:
            return exc

    with caplog.at_level(logging.ERROR, logger="underwater.test"):
        kept = [errors.record(f"r{i}", "GET", "/p\n", fail(RuntimeError)) for i in range(10)]
        assert kept == [True] * 5 + [False] * 5
        now[0] = 61.0
        errors.record("a", "GET", "/", fail(ValueError))
        errors.record("b", "GET", "/", fail(KeyError))
        errors.record("c", "GET", "/", fail(TypeError))
    messages = [r.getMessage() for r in caplog.records]
    assert messages[5] == "5 more server errors were not logged (at most 5 lines per 60 s)"
    assert [bool(r.exc_info) for r in caplog.records] == [
        True,
        False,
        False,
        False,
        False,
        False,
        True,
        True,
        False,
    ]
    assert "traceback left out" in messages[-1]
    assert all("\n" not in m for m in messages)


# -- a real server ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    with serving() as base:
        yield base


def _raw(base: str, request: bytes) -> bytes:
    """Send ``request`` whole on a fresh connection and read the answer to the end."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _answer(raw: bytes) -> tuple[int, dict[str, Any]]:
    head, _, body = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body)


@pytest.mark.parametrize("size", [300_000, 2_000_000])
def test_the_server_answers_414_to_a_huge_request_line_without_a_reset(served: str, size: int) -> None:
    # Plain uvicorn resets such a connection: it closes with the client's bytes unread.
    for _ in range(3):
        raw = _raw(served, b"GET /api/equity?owed=" + b"1" * size + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        status, body = _answer(raw)
        assert status == 414 and body["status"] == 414 and body["ok"] is False
    assert httpx.get(served + "/healthz").status_code == 200


def test_the_server_answers_431_to_huge_headers(served: str) -> None:
    headers = b"".join(b"X-%d: %s\r\n" % (i, b"a" * 1000) for i in range(300))
    status, body = _answer(_raw(served, b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n"))
    assert status == 431 and body["status"] == 431


def test_the_server_answers_400_in_the_error_shape_to_garbage(served: str) -> None:
    status, body = _answer(_raw(served, b"NOT HTTP\r\n\r\n"))
    assert status == 400 and set(body) == {"ok", "status", "error", "errors"}


def test_the_server_answers_414_to_a_long_url_that_fits_its_head_limit(served: str) -> None:
    response = httpx.get(served + "/api/equity?owed=" + "1" * (URL_LIMIT + 10))
    assert response.status_code == 414
    assert "x-request-id" in response.headers
