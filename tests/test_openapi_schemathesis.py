"""Schemathesis over ``/openapi.json`` against the shipped server (``underwater serve`` on a free
port of 127.0.0.1), bounded to :data:`EXAMPLES` generated requests per operation.

Every operation is called with data valid by its schema (positive) and invalid (negative), and
each answer must pass: no server error, a status and content type the document lists, a body
conforming to the response schema, invalid data refused (4xx) and valid data accepted — where
"accepted" keeps two exceptions the document itself states in words, because JSON Schema cannot
say them (see ``tolerated`` below):

- rules on the size or cents of a number written as text, whole cents of a fractional JSON
  number, a day the month lacks (:func:`web_fakes.beyond_schema`);
- on GET, the rules across fields of the job's description (query parameters have no way to
  state them; the request body's schema does), and on either method the computation's own
  refusals of well-formed inputs (a payment below the interest), each a 422 naming its field.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from fuzzscale import examples, scale
from underwater import __version__
from underwater.errors import InputError
from underwater.forms import Form
from underwater.ops import operations
from underwater.web import jsonbody
from underwater.web.openapi import openapi_document
from web_fakes import beyond_schema, serving

OPS = operations()
EXAMPLES = examples(10)
"""Generated requests per operation and generation mode (positive, negative), 21 operations."""
SEEN: dict[str, int] = {}


# The document the server serves, built here too so the tests can be collected before the
# server runs; test_the_server_serves_this_document checks the two are the same.
DOCUMENT = openapi_document(OPS, __version__)
# An uploaded book (/api/portfolio) is left out: no schema can generate a valid loan book, so
# every "valid" file would be refused; tests/test_web_portfolio.py sends real books and bad ones.
schema = schemathesis.openapi.from_dict(DOCUMENT).exclude(path_regex="^/api/portfolio")
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    max_examples=EXAMPLES,
    deterministic=scale() == 1,
)
schema.config.phases.update(phases=["examples", "fuzzing"])


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    with serving() as base:
        yield base


def test_the_server_serves_this_document(served: str) -> None:
    assert httpx.get(served + "/openapi.json").json() == json.loads(json.dumps(DOCUMENT))


def _inputs(case: Any) -> tuple[str, dict[str, Any]] | None:
    """The job and the inputs a case sent, read as the server reads them."""
    path = case.path.removeprefix("/api/")
    for ending in (".csv", ".hledger", ".beancount"):
        path = path.removesuffix(ending)
    if path not in OPS:
        return None
    if case.method.upper() == "POST":
        try:
            return path, jsonbody.read_object(json.dumps(case.body).encode())
        except jsonbody.BodyError:
            return None
    return path, dict(case.query or {})


def tolerated(case: Any, response: Any) -> bool:
    """Whether a 422 to data valid by the schema is one of the refusals the document states in
    words (see the module docstring); anything else is a mismatch."""
    if response.status_code != 422:
        return False
    found = _inputs(case)
    if found is None:
        return False
    job, raw = found
    form = OPS[job].form
    early = jsonbody.input_problems(raw, form)
    if early:
        return all(beyond_schema(p.rule, raw.get(p.field)) for p in early)
    try:
        Form(form.fields).parse(raw)  # each field alone, no rule across fields
    except InputError as exc:
        return all(beyond_schema(p.rule, raw.get(p.field)) for p in exc.problems)
    try:
        form.parse(raw)
    except InputError as exc:
        if case.method.upper() != "POST":
            return True  # a rule across fields: stated in the description, not in parameters
        return all(beyond_schema(p.rule, raw.get(p.field)) for p in exc.problems)
    return True  # the computation refused well-formed inputs, naming the field


def accepts_valid_data(ctx: Any, response: Any, case: Any) -> bool | None:
    """``positive_data_acceptance``, but for the refusals :func:`tolerated` allows."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except Exception:
        if tolerated(case, response):
            SEEN["tolerated"] = SEEN.get("tolerated", 0) + 1
            return None
        raise


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    accepts_valid_data,
]


@schema.parametrize()
@settings(suppress_health_check=list(HealthCheck), deadline=None)
def test_the_api_keeps_its_openapi_document(case: Any, served: str) -> None:
    response = case.call(base_url=served)
    SEEN[str(response.status_code)] = SEEN.get(str(response.status_code), 0) + 1
    case.validate_response(response, checks=CHECKS)


def test_report_what_schemathesis_saw() -> None:
    print(f"\nschemathesis answers by status: {dict(sorted(SEEN.items()))}")
    assert SEEN.get("200", 0) > 0 and SEEN.get("422", 0) > 0
