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
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import jsonschema_rs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette

from underwater.cli import main
from underwater.csvsafe import safe_cell
from underwater.ops import operations
from underwater.web import jsonbody, pages
from underwater.web.app import BODY_LIMIT, HEADERS_LIMIT, PAGE_ROWS, URL_LIMIT, create_app
from underwater.web.errorlog import ServerErrorLog
from underwater.web.openapi import openapi_document
from web_fakes import (
    FAKES,
    SECRET,
    SITUATIONS,
    TRUCK,
    cases,
    error_pages,
    example_pairs,
    path_pages,
    registry,
    serving,
    tool_pages,
)

APP = create_app(registry())
"""The real jobs plus the test jobs of web_fakes."""
REAL = create_app()
"""Exactly what ``underwater serve`` serves."""
STATIC = Path(__file__).resolve().parent.parent / "src" / "underwater" / "web" / "static"


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
        if form.field(name).repeat or form.field(name).kind == "lines":
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


def test_an_unusual_rate_is_answered_with_input_warnings_by_get_and_post() -> None:
    # 500 % is allowed (up to 1,000 %) but far above the 36 % cap many states set: the answer
    # comes, with the warning in the API's words; a usual rate has no such key.
    query = "/api/loan?principal=18800&rate_percent=500&n_payments=72"
    for response in (
        get(query),
        post("/api/loan", json={"principal": "18800", "rate_percent": 500, "n_payments": 72}),
    ):
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["payment"] and body["input_warnings"] == [
            {
                "field": "rate_percent",
                "rule": "is 500, far above the usual (at most 36): check it was typed right",
            }
        ]
    assert "input_warnings" not in get("/api/loan?principal=18800&rate_percent=6&n_payments=72").json()


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


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"cash_available": -1}, "cash_available"),
        ({"monthly_budget": "x"}, "monthly_budget"),
        ({"months_behind": -2}, "months_behind"),
        ({"stage": "repossessed"}, "repo_sale_price"),
        ({"stage": "totalled", "months_behind": 2}, "months_behind"),
        ({"rate_percent": None}, "rate_percent"),
    ],
)
def test_options_bad_means_and_stages_answer_422_naming_the_field(body: dict[str, Any], field: str) -> None:
    truck = {"owed": 80000, "value": 60000, "rate_percent": 9, "remaining_payments": 48}
    assert_error(post("/api/options", json={**truck, **body}), 422, field)


def test_options_after_a_repossession_needs_no_rate() -> None:
    body = {"owed": 16000, "value": 9000, "stage": "repossessed", "repo_sale_price": 6500}
    answer = post("/api/options", json=body)
    assert answer.status_code == 200, answer.text
    assert answer.json()["stage"] == "repossessed"


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
    ],
    ids=["truncated", "empty", "form-encoded", "nan", "bad-bytes"],
)
def test_malformed_json_is_400(body: bytes) -> None:
    assert_error(post("/api/equity", content=body, headers={"content-type": "application/json"}), 400)


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 50_000,
        b'{"owed": ' + b"[" * 961 + b"]" * 961 + b', "value": 1}',
        b'{"lien": [' + b'{"a": ' * 960 + b"1" + b"}" * 960 + b'], "value": 1}',
        b'{"zzz": ' + b"[" * 17 + b"]" * 17 + b', "owed": 1, "value": 1}',
    ],
    ids=["unclosed", "962-in-a-value", "962-objects-in-a-pair", "18-in-an-unknown-key"],
)
def test_json_nested_too_deep_is_422_naming_the_limit_before_it_is_parsed(body: bytes) -> None:
    # 962 levels was a 500 (a RecursionError building the message); the depth is now counted on
    # the text first, so nothing walks a value that deep.
    found = assert_error(post("/api/equity", content=body, headers={"content-type": "application/json"}), 422)
    assert f"at most {jsonbody.DEPTH_LIMIT} deep" in found["error"]


def test_json_nested_as_deep_as_the_limit_is_read() -> None:
    inner = b"[" * (jsonbody.DEPTH_LIMIT - 1) + b"]" * (jsonbody.DEPTH_LIMIT - 1)
    body = b'{"zzz": ' + inner + b', "owed": 1, "value": 1}'
    assert_error(post("/api/equity", content=body, headers={"content-type": "application/json"}), 422, "zzz")


@pytest.mark.parametrize(
    ("body", "field", "rule_start"),
    [
        (b'{"owed": 1000, "value": 900, "value": 800}', "value", "is given twice"),
        (
            b'{"owed": 1000, "lien": [{"name": "a", "amount": 1, "amount": 2}], "value": 9}',
            "lien",
            "repeats the key",
        ),
    ],
    ids=["top-level", "inside-a-pair"],
)
def test_a_key_given_twice_is_refused_naming_it(body: bytes, field: str, rule_start: str) -> None:
    # The last one won silently.
    found = assert_error(
        post("/api/equity", content=body, headers={"content-type": "application/json"}), 422, field
    )
    assert found["errors"][0]["rule"].startswith(rule_start)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"lien": [[None, None]], "owed": 5, "value": 900}, "lien"),  # was read as "not given"
        ({"lien": [["", ""]], "owed": 5, "value": 900}, "lien"),
        ({"lien": [{"name": None, "amount": 5}], "value": 900}, "lien"),
        ({"lien": [["HELOC", True]], "value": 900}, "lien"),
        ({"owed": [{"a": 1}], "value": 900}, "owed"),
        ({"owed": 5, "value": 900, "value_source": 3}, "value_source"),
        ({"owed": 5, "value": False}, "value"),
    ],
)
def test_json_types_are_enforced_as_the_schema_states(body: dict[str, Any], field: str) -> None:
    response = post("/api/equity", json=body)
    assert_error(response, 422, field)
    # The schema the OpenAPI document publishes refuses the same body.
    schema = openapi_document({"equity": operations()["equity"]}, "x")["components"]["schemas"][
        "equity_input"
    ]
    assert not jsonschema_rs.validator_for(schema).is_valid(body)


@pytest.mark.parametrize(
    ("key", "shown"),
    [("owed ", "owed "), (" value", " value"), ("Owed", "Owed"), ("owed\\u0000", "owed\\x00")],
)
def test_an_unknown_key_is_named_as_the_client_sent_it(key: str, shown: str) -> None:
    # "owed " was reported as the field `input`; a control character is written as an escape.
    body = ('{"owed": 5, "value": 900, "' + key + '": 1}').encode()
    response = post("/api/equity", content=body, headers={"content-type": "application/json"})
    found = assert_error(response, 422, shown)
    assert "is not an input of this job" in found["errors"][0]["rule"]


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


@pytest.mark.parametrize("prefix", ["/api/cells.csv", "/cells.csv"])
def test_csv_download_neutralises_formulas_but_not_numbers(prefix: str) -> None:
    response = get(prefix, params=[("cell", cell) for cell, _ in DOWNLOAD_CELLS])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="underwater-cells.csv"'
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
    assert_error(get("/api/cells.csv?bogus=1"), 422, "bogus")


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
    "/static/app.js",
    "/all",
    "/sheet?owed=1&value=2",
    "/?owed=1&value=2",
    "/static/missing.js",
    "/api/boom?x=1",
    "/cells.csv?cell=1",
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


def test_the_static_folder_holds_only_the_apps_own_files() -> None:
    # htmx and Chart.js are gone: a page loads the app's stylesheet, its one script and its icon;
    # the lender's page offers an example book to download.
    assert sorted(p.name for p in STATIC.iterdir()) == [
        "app.css",
        "app.js",
        "example-book.csv",
        "favicon.svg",
    ]
    css = (STATIC / "app.css").read_text(encoding="utf-8")
    assert "@import" not in css and "url(" not in css


# -- server-rendered pages ------------------------------------------------------------------

VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


class Page(HTMLParser):
    """The parts of a page the tests look at: every tag with its attributes and the ids of
    the elements around it, and the text inside each element that has an id."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str], frozenset[str]]] = []
        self.text: list[str] = []
        self._open: list[tuple[str, str, int]] = []
        self._texts: dict[str, str] = {}
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        self.tags.append((tag, found, frozenset(i for _, i, _ in self._open if i)))
        if tag not in VOID:
            self._open.append((tag, found.get("id", ""), len(self.text)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}, frozenset(i for _, i, _ in self._open if i)))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            name, dom_id, start = self._open.pop()
            if dom_id:
                self._texts[dom_id] = " ".join(" ".join(self.text[start:]).split())
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def find(self, tag: str, within: str | None = None, **attrs: str) -> list[dict[str, str]]:
        """The ``tag`` elements with these attribute values (inside the element ``within``)."""
        return [
            a
            for t, a, around in self.tags
            if t == tag
            and (within is None or within in around)
            and all(a.get(k) == v for k, v in attrs.items())
        ]

    def by_id(self, dom_id: str) -> dict[str, str]:
        (found,) = [a for _, a, _ in self.tags if a.get("id") == dom_id]
        return found

    def text_of(self, dom_id: str) -> str:
        """The text inside the element ``dom_id``, spaces collapsed."""
        return self._texts[dom_id]

    def hidden_inputs(self, within: str) -> list[tuple[str, str]]:
        return [(a["name"], a["value"]) for a in self.find("input", within=within, type="hidden")]


def _pairs(href: str) -> tuple[str, list[tuple[str, str]]]:
    parts = urlsplit(href)
    return parts.path, parse_qsl(parts.query, keep_blank_values=True)


def _assets(page: Page) -> set[str]:
    """Every URL the page makes the browser load by itself (scripts, stylesheets, icons, images)."""
    found = {a["src"] for t, a, _ in page.tags if t in ("script", "img", "iframe", "source") and "src" in a}
    found |= {a["href"] for a in page.find("link")}
    found |= {a["href"] for t, a, _ in page.tags if t in ("image", "use") and "href" in a}
    return found


OWN_ASSETS = {"/static/app.css", "/static/app.js", "/static/favicon.svg"}
WEIGHT_LIMIT = 300_000
"""Bytes a page and everything it loads may weigh (issue 11: at most 300 KB), uncompressed."""

WEIGHED = {**path_pages(), **tool_pages(every_example=True)}


@pytest.mark.parametrize("url", list(WEIGHED.values()), ids=list(WEIGHED))
def test_a_page_loads_only_the_apps_own_assets_and_weighs_at_most_300_kb(url: str) -> None:
    response = get(url, app=REAL)
    assert response.status_code == 200, response.text[:300]
    assets = _assets(Page(response.text))
    assert assets == OWN_ASSETS, assets
    weights = {asset: len(get(asset, app=REAL).content) for asset in assets}
    total = len(response.content) + sum(weights.values())
    assert total <= WEIGHT_LIMIT, f"{url}: page {len(response.content)} bytes + assets {weights} = {total}"


_TRUCK_HOME = "owed=80000&value=60000&asset_class=class8_sleeper"
"""What the truck's owner types on the home page (seed 000)."""


def _step_path(step: pages.Step) -> str:
    if step.key == "home":
        return "/"
    return "/sheet" if step.view == "sheet" else f"/{step.job}"


def _form_of(step: pages.Step) -> set[str]:
    """The names of the inputs a step's page asks for itself."""
    form = pages.HOME_FORM if step.key == "home" else operations()[step.job or "options"].form
    return {f.name for f in form.fields}


def test_home_answers_where_you_stand_at_once() -> None:
    # Seed 000 (FreightWaves): owing $80,000 on a truck that would fetch $60,000 is $20,000
    # under water ("if you owe $20,000 more than the truck's worth").
    response = get("/?owed=80000&value=60000&asset_class=class8_sleeper", app=REAL)
    assert response.status_code == 200
    page = Page(response.text)
    answer = page.text_of("result")
    assert "$20,000.00 under water" in answer
    assert "$80,000.00" in answer and "$60,000.00" in answer and "sleeper truck" in answer
    assert page.by_id("f-owed")["value"] == "80000"
    empty = Page(get("/", app=REAL).text)
    assert "$" not in empty.text_of("result")  # nothing typed, nothing worked out
    assert not empty.find("nav", id="steps")


def test_the_home_page_leads_on_along_the_path() -> None:
    page = Page(get("/?" + _TRUCK_HOME, app=REAL).text)
    links = [a["href"] for a in page.find("a", within="steps")]
    assert links == [s["href"] for s in pages.steps(_TRUCK_HOME, "home")]
    assert len(links) == len(pages.STEPS)


@pytest.mark.parametrize("step", [s.key for s in pages.STEPS])
def test_every_link_of_the_path_carries_everything_typed(step: str) -> None:
    url = TRUCK.path()[step]
    response = get(url, app=REAL)
    assert response.status_code == 200, response.text[:300]
    page = Page(response.text)
    links = page.find("a", within="steps")
    assert len(links) == len(pages.STEPS)
    for link, target in zip(links, pages.STEPS, strict=True):
        path, pairs = _pairs(link["href"])
        assert path == _step_path(target), link["href"]
        typed = [(k, v) for k, v in pairs if not k.startswith("_")]
        assert typed == list(TRUCK.inputs), link["href"]
        own = [(k, v) for k, v in pairs if k.startswith("_")]
        assert own == ([("_view", target.view)] if target.view and target.view != "sheet" else []), link[
            "href"
        ]
        assert ("aria-current" in link) == (target.key == step)


@pytest.mark.parametrize("step", ["surface", "lender", "repossession"])
def test_a_page_keeps_the_inputs_not_its_own_as_hidden_fields(step: str) -> None:
    page = Page(get(TRUCK.path()[step], app=REAL).text)
    (about,) = [s for s in pages.STEPS if s.key == step]
    own = _form_of(about)
    view = [("_view", about.view)] if about.view else []
    assert page.hidden_inputs("job-form") == [
        ("_go", "1"),
        *view,
        *((k, v) for k, v in TRUCK.inputs if k not in own),
    ]
    for name, value in TRUCK.inputs:
        if name not in own:
            continue
        boxes = page.find("input", within="job-form", name=name)
        if boxes:
            assert boxes[0].get("type") != "hidden" and boxes[0]["value"] == value, name
        else:
            assert page.find("option", within=f"f-{name}", value=value, selected=""), name


def test_names_starting_with_an_underscore_are_the_pages_own() -> None:
    url = TRUCK.path()["surface"] + "&_go=1&_page=2&_view=nonsense&_x=y"
    response = get(url, app=REAL)
    assert response.status_code == 200, response.text[:300]
    page = Page(response.text)
    assert page.by_id("main") and "When will I surface?" in " ".join(
        page.text
    )  # a view it lacks: its own page
    assert [n for n, _ in page.hidden_inputs("job-form") if n.startswith("_")] == ["_go"]
    for link in page.find("a"):
        if link["href"].startswith("/") and "?" in link["href"]:
            names = {k for k, _ in _pairs(link["href"])[1]}
            assert not names & {"_go", "_page", "_x"}, link["href"]


def test_an_input_no_job_knows_is_carried_along_not_dropped() -> None:
    page = Page(get("/equity?owed=1&value=2&bogus=3", app=REAL).text)
    assert ("bogus", "3") in page.hidden_inputs("job-form")


def test_a_link_with_inputs_missing_asks_for_them_without_scolding() -> None:
    url = "/project?" + _TRUCK_HOME
    asked = get(url, app=REAL)
    assert asked.status_code == 200
    page = Page(asked.text)
    assert not [a for _, a, _ in page.tags if a.get("aria-invalid") == "true"]
    assert not page.find("div", **{"class": "error-summary", "role": "alert"})
    assert not page.find("p", **{"class": "field-error"})
    assert page.by_id("f-owed")["value"] == "80000" and page.by_id("f-value")["value"] == "60000"
    assert page.by_id("f-rate_percent")["value"] == "" and page.by_id("f-remaining_payments")["value"] == ""
    sent = get(url + "&_go=1", app=REAL)
    assert sent.status_code == 422
    assert Page(sent.text).by_id("f-rate_percent")["aria-invalid"] == "true"


BAD_FORMS = [
    ("/?owed=abc&value=-1&asset_class=car", {"owed", "value"}, None),
    (
        "/project?owed=abc&value=-1&rate_percent=x&remaining_payments=0.5&asset_class=car&_go=1",
        {"owed", "value", "rate_percent", "remaining_payments"},
        "project",
    ),
    (
        "/payoff?balance=abc&rate_percent=5000&last_payment_date=2026-01-01&_go=1",
        {"balance", "rate_percent", "payoff_date"},
        "payoff",
    ),
    ("/equity?owed=1&value=-5", {"value"}, "equity"),
]


@pytest.mark.parametrize(("url", "bad", "job"), BAD_FORMS, ids=["home", "project", "payoff", "equity"])
def test_every_bad_field_is_flagged_at_once_beside_it_and_in_a_summary(
    url: str, bad: set[str], job: str | None
) -> None:
    response = get(url, app=REAL)
    assert response.status_code == 422
    page = Page(response.text)
    rules: dict[str, str] = {}
    if job is not None:
        query = [(k, v) for k, v in _pairs(url)[1] if not k.startswith("_")]
        rules = {
            e["field"]: e["rule"] for e in get(f"/api/{job}?{urlencode(query)}", app=REAL).json()["errors"]
        }
        assert set(rules) == bad
    for name in bad:
        box = page.by_id(f"f-{name}")
        assert box["aria-invalid"] == "true", name
        assert f"f-{name}-error" in box["aria-describedby"].split(), name
        assert page.find("p", within=f"w-{name}", id=f"f-{name}-error"), f"no message beside {name}"
        if name in rules and "`" not in rules[name]:
            assert rules[name] in page.text_of(f"f-{name}-error"), name
    assert {a["name"] for _, a, _ in page.tags if a.get("aria-invalid") == "true"} == bad
    assert page.find("div", within="result", **{"class": "error-summary", "role": "alert"})
    linked = {a["href"] for a in page.find("a", within="result") if a["href"].startswith("#f-")}
    assert linked == {f"#f-{n}" for n in bad}


def test_a_page_names_other_fields_by_their_labels() -> None:
    form = operations()["equity"].form
    text = " ".join(Page(get("/equity?value=1&_go=1", app=REAL).text).text)
    for name in ("owed", "lien"):
        assert f"“{form.field(name).shown_label}”" in text, name
        assert f"`{name}`" not in text
    assert not FLAG.search(text)


def test_a_500_percent_rate_warns_and_still_answers() -> None:
    url = TRUCK.path()["surface"].replace("rate_percent=9", "rate_percent=500")
    response = get(url, app=REAL)
    assert response.status_code == 200, response.text[:300]
    page = Page(response.text)
    assert not [a for _, a, _ in page.tags if a.get("aria-invalid") == "true"]
    notes = page.find("div", within="result", role="note")
    assert notes
    text = page.text_of("result")
    assert "Interest rate, percent a year" in text and "500" in text and "far above the usual" in text
    assert page.find("svg", within="result", id="projection-chart")  # the answer is still there


PAGE_NAMES = [
    "owed",
    "value",
    "asset_class",
    "offer",
    "rate_percent",
    "remaining_payments",
    "_view",
    "_page",
    "_go",
    "lien",
]


@settings(max_examples=60, deadline=None)
@given(
    path=st.sampled_from(["/", "/sheet", "/options", "/project", "/deficiency"]),
    pairs=st.lists(
        st.tuples(
            st.sampled_from(PAGE_NAMES),
            st.one_of(
                st.sampled_from(
                    ["80000", "60000", "9", "48", "lender", "prevent", "1", "-1", "1e999", "", "0"]
                ),
                st.text(st.characters(exclude_categories=("Cs",)), max_size=12),
            ),
        ),
        max_size=7,
    ),
)
def test_no_input_on_a_page_of_the_path_answers_500(path: str, pairs: list[tuple[str, str]]) -> None:
    response = get(f"{path}?{urlencode(pairs)}", app=REAL)
    assert response.status_code in (200, 404, 422), (path, pairs, response.text[:300])
    assert response.headers["content-type"].startswith("text/html")


STEEP_GAIN = "value=21000&age_months=600&depreciation_rate_percent=-50&horizon_months=600"
"""Gaining 50 % a year for 50 years from 50 years old: a decimal.InvalidOperation (500) before."""


@pytest.mark.parametrize(
    "url",
    [
        f"/api/value?{STEEP_GAIN}",
        f"/api/project?{STEEP_GAIN}&owed=20000&rate_percent=7&remaining_payments=60",
        f"/api/options?{STEEP_GAIN}&owed=20000&rate_percent=7&remaining_payments=60",
        f"/value?{STEEP_GAIN}&_go=1",
        f"/project?{STEEP_GAIN}&owed=20000&rate_percent=7&remaining_payments=60&_go=1",
        f"/options?{STEEP_GAIN}&owed=20000&rate_percent=7&remaining_payments=60&_go=1",
        f"/sheet?{STEEP_GAIN}&owed=20000&rate_percent=7&remaining_payments=60",
    ],
)
def test_a_steep_gain_far_out_is_answered(url: str) -> None:
    response = get(url, app=REAL)
    assert response.status_code == 200, response.text[:300]
    if url.startswith("/api/value"):
        assert response.json()["value_at_horizon"] == "13390051504495.04"


def test_the_sheet_lays_out_every_way_out_worked_out() -> None:
    api = get("/api/options?" + TRUCK.query, app=REAL).json()
    page = Page(get(TRUCK.path()["sheet"], app=REAL).text)
    text = page.text_of("main")
    for exit_ in api["exits"]:
        if exit_["available"]:
            assert exit_["title"] in text, exit_["title"]
    assert "$80,000.00" in text and "$60,000.00" in text


def test_the_sheet_without_the_loan_says_what_it_needs() -> None:
    response = get("/sheet?" + _TRUCK_HOME, app=REAL)
    assert response.status_code == 200
    page = Page(response.text)
    assert any(a["href"] == "/options?" + _TRUCK_HOME for a in page.find("a"))


def test_form_is_built_from_the_fields() -> None:
    page = Page(get("/equity").text)
    form = page.by_id("job-form")
    assert (form["action"], form["method"]) == ("/equity", "get")
    assert "novalidate" in form
    assert page.by_id("f-value")["inputmode"] == "decimal"
    assert "required" in page.by_id("f-value")
    assert page.by_id("f-owed")["inputmode"] == "decimal"
    assert page.find("select", id="f-value_source")
    (add,) = page.find("button", **{"class": "add-another", "data-add": "owed"})
    assert "hidden" in add  # shown by the app's script; without it a spare box does the job
    assert page.hidden_inputs("job-form") == [("_go", "1")]


LABELLED = {
    "home": ("/", REAL, {f.name for f in pages.HOME_FORM.fields}),
    **{f"{n}-empty": (f"/{n}", REAL, {f.name for f in op.form.fields}) for n, op in operations().items()},
    **{f"{n}-fake": (f"/{n}", APP, {f.name for f in op.form.fields}) for n, op in FAKES.items()},
    # The sheet is for paper: it has no form.
    **{f"truck-{s.key}": (TRUCK.path()[s.key], REAL, _form_of(s)) for s in pages.STEPS if s.key != "sheet"},
}


@pytest.mark.parametrize(("url", "app", "fields"), list(LABELLED.values()), ids=list(LABELLED))
def test_every_input_has_a_label_and_is_a_field_of_its_form(
    url: str, app: Starlette, fields: set[str]
) -> None:
    page = Page(get(url, app=app).text)
    label_for = {a["for"] for a in page.find("label")}
    controls = [
        a for t, a, _ in page.tags if t in ("input", "select", "textarea") and a.get("type") != "hidden"
    ]
    assert controls
    for control in controls:
        assert control["id"] in label_for, control
        if control.get("type") == "file":
            # A file picker only fills its box of lines, in the browser: it has no name, so it is
            # never sent.
            assert "name" not in control, control
            continue
        assert control["name"] in fields, control
    for hidden in page.find("input", type="hidden"):
        assert hidden["name"] in ("_go", "_view") or hidden["name"] not in fields, hidden


def test_repeatable_field_shows_every_value_and_a_spare_box() -> None:
    page = Page(get("/equity?owed=150000&owed=30000&value=170000").text)
    owed = page.find("input", name="owed")
    assert [o["value"] for o in owed] == ["150000", "30000", ""]
    assert [o["id"] for o in owed] == ["f-owed", "f-owed-2", "f-owed-3"]


def test_unknown_page_is_404_html() -> None:
    response = get("/nope")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")


def test_wrong_method_on_a_page_is_405() -> None:
    response = post("/equity")
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD"}


INLINE_PAGES = {**tool_pages(every_example=True), **path_pages([TRUCK]), **error_pages()}
UNCAPTIONED: dict[str, str] = {}


@pytest.mark.parametrize("url", cases(INLINE_PAGES, UNCAPTIONED))
def test_a_page_has_no_inline_code_and_well_formed_tables(url: str) -> None:
    response = get(url, app=REAL)
    assert response.status_code < 500, response.text[:300]
    page = Page(response.text)
    for attrs in page.find("script"):
        assert attrs["src"].startswith("/static/")
    assert not any("style" in attrs for _, attrs, _ in page.tags)
    assert not any(attr.startswith("on") for _, attrs, _ in page.tags for attr in attrs)
    assert not page.find("style")
    assert not any(attrs.get("href", "").lower().startswith("javascript:") for _, attrs, _ in page.tags)
    for th in page.find("th"):
        assert th["scope"] in ("row", "col")
    assert len(page.find("caption")) == len(page.find("table"))


def test_the_generic_result_pages_a_long_table() -> None:
    first = Page(get("/long?n=130").text)
    rows = [t for t, _, around in first.tags if t == "tr" and "result" in around]
    # One row for the count, the table's header row, then one page of rows.
    assert len(rows) == 1 + 1 + PAGE_ROWS
    third = get("/long?n=130&_page=3")
    assert "rows 121–130 of 130" in third.text
    assert ">130,000.00<" in third.text
    assert ">1,000.00<" not in third.text
    links = [a for a in Page(third.text).find("a") if "_page=" in a.get("href", "")]
    assert {a["href"] for a in links} == {"/long?n=130&_page=1", "/long?n=130&_page=2"}


def test_the_projection_is_drawn_on_the_server_beside_its_table() -> None:
    car = SITUATIONS[1]
    api = get("/api/project?" + car.query, app=REAL).json()
    html = get(car.path()["surface"], app=REAL).text
    page = Page(html)
    svg = page.by_id("projection-chart")
    assert svg["role"] == "img"
    assert svg["aria-labelledby"].split() == ["projection-chart-title", "projection-chart-desc"]
    assert page.text_of("projection-chart-title") and "months" in page.text_of("projection-chart-desc")
    assert not page.find("canvas") and not page.find("script", within="result")
    crossover = api["crossover_month"]
    assert crossover is not None and f"surfaces, month {crossover}" in page.text_of("result")
    # The table beside it holds every month: a header row, then one row a month.
    table = html.split('data-key="months">', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr") == len(api["months"]) + 1


def test_a_job_without_its_own_template_gets_the_generic_one() -> None:
    page = Page(get("/long?n=3").text)
    assert page.find("table", **{"class": "rows", "data-key": "rows"})


_UNCONDITIONAL = re.compile(r"is required(: |$)")


def _needed(name: str) -> set[str]:
    """The inputs the job cannot answer without, whatever else is given: those its examples
    lose one at a time to a plain "is required" (not "… with `x`" or "… unless …")."""
    found: set[str] = set()
    for example in operations()[name].examples:
        pairs = example_pairs(example)[1]
        for left_out in dict(pairs):
            response = get(f"/api/{name}?{urlencode([p for p in pairs if p[0] != left_out])}", app=REAL)
            if response.status_code == 422:
                found |= {
                    e["field"]
                    for e in response.json()["errors"]
                    if e["field"] == left_out and _UNCONDITIONAL.match(e["rule"])
                }
    return found


FOLDED: dict[str, str] = {}
"""Jobs whose page folds away an input it cannot answer without, waiting for a fix."""


@pytest.mark.parametrize("name", cases({n: n for n in operations()}, FOLDED))
def test_the_inputs_an_answer_needs_are_not_folded_away(name: str) -> None:
    # "Forms in named sections, the essentials first": the inputs the job cannot answer
    # without are on show when the page opens, not behind a closed <details>.
    html = get(f"/{name}", app=REAL).text
    shown, folded = set(), set()
    for field in operations()[name].form.fields:
        before = html[: html.index(f'id="w-{field.name}"')]
        (folded if before.count("<details") > before.count("</details>") else shown).add(field.name)
    assert shown, f"/{name} shows no input until a section is opened"
    needed = _needed(name)
    assert needed <= shown, f"/{name} folds away {sorted(needed & folded)}"


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
    assert not set(FAKES) & set(operations())


# -- hostile input never answers 500 -------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field", "rule_start"),
    [
        (b'{"owed": "\\ud800", "value": 1}', "owed", "must be text without unpaired surrogates"),
        (b'{"lien": [["\\udfff", 5]], "value": 1}', "lien", "must be text without unpaired surrogates"),
        (b'{"\\ud800": 1, "owed": 1, "value": 1}', "\\ud800", "must be text without unpaired surrogates"),
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


# -- methods --------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/loan.csv", "/loan.csv", "/api/cells.csv"])
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


def test_a_page_reached_with_inputs_missing_names_each_one_and_links_to_its_box() -> None:
    # The path carries owed and value to the ways out; the rate and the payments left are what
    # the form must still ask for (the engine's own list of missing inputs, not a guess).
    page = get("/options?owed=80000&value=60000&asset_class=class8_sleeper")
    assert page.status_code == 200
    text = page.text
    assert "A few more figures, and the answer is here" in text
    assert '<a href="#f-rate_percent">Interest rate, percent a year</a>' in text
    assert '<a href="#f-remaining_payments">Monthly payments left</a>' in text
    assert 'id="f-rate_percent"' in text and 'id="f-remaining_payments"' in text


def test_the_server_answers_422_to_json_nested_962_deep(served: str) -> None:
    # Under uvicorn's deeper stack this was a 500 (a RecursionError while building the message).
    body = b'{"owed": ' + b"[" * 961 + b"]" * 961 + b', "value": 1}'
    response = httpx.post(served + "/api/equity", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422 and "at most 16 deep" in response.json()["error"]


def test_a_dated_schedule_downloads_as_a_journal() -> None:
    query = "owed=1500&rate_percent=12&remaining_payments=2&value=1400&start_date=2026-12-01"
    for style, first in (("hledger", "; the loan"), ("beancount", 'option "operating_currency" "USD"')):
        response = get(f"/api/project.{style}?{query}", app=REAL)
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
        assert response.text.startswith(first) and "Opening balances" in response.text
        assert response.headers["content-disposition"].startswith("attachment")
    assert_error(
        get("/api/project.hledger?owed=1500&rate_percent=12&remaining_payments=2&value=1400"),
        422,
        "start_date",
    )
    assert get("/api/equity.beancount?owed=1&value=1").status_code == 404
    assert get("/api/project.ledger?owed=1").status_code == 404


def test_a_home_with_a_second_loan_stands_on_both_and_carries_both() -> None:
    # Seed 002, example 8: a $150,000 first mortgage and a $30,000 HELOC on a home worth
    # $170,000 are $10,000 under water, looking at total debt against the value.
    page = Page(get("/?owed=150000&lien2_owed=30000&value=170000&asset_class=home", app=REAL).text)
    answer = page.text_of("result")
    assert "$10,000.00 under water" in answer and "CLTV" in answer and "106 %" in answer
    assert "88 %" in answer  # the first loan's own LTV beside the combined one
    # Two payoffs typed on the position page go on as the first loan and the second, not as an
    # error that the next page takes one value.
    equity = Page(get("/equity?owed=150000&owed=30000&value=170000", app=REAL).text)
    surface = next(a["href"] for a in equity.find("a", within="steps") if a["href"].startswith("/project"))
    _, pairs = _pairs(surface)
    assert ("owed", "150000") in pairs and ("lien2_owed", "30000") in pairs
    projected = Page(
        get(surface + "&rate_percent=6.5&remaining_payments=300&asset_class=home", app=REAL).text
    )
    text = " ".join(projected.text)
    assert "takes one value" not in text
    assert "Second loan: interest rate" in projected.text_of("result")


@pytest.mark.parametrize(
    ("query", "figure"),
    [
        # Seed 002, example 2: a $200,000 mortgage on a home now worth $175,000 is $25,000 under.
        ("owed=200000&value=175000&asset_class=home", "$25,000.00 under water"),
        # Example 4: $150,000 owed on a home worth $180,000 is $30,000 above water.
        ("owed=150000&value=180000&asset_class=home", "$30,000.00 above water"),
    ],
)
def test_the_seeds_home_examples_on_the_home_page(query: str, figure: str) -> None:
    page = Page(get("/?" + query, app=REAL).text)
    assert figure in page.text_of("result")
