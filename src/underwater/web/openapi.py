"""The OpenAPI 3.1 document of the JSON API, generated from each job's form.

Every job in the registry gets ``GET /api/<job>`` (inputs in the query string) and
``POST /api/<job>`` (the same names in a JSON object), and ``GET /api/<job>.csv`` when it has a
table to download. Parameters and the request body come from :meth:`Field.json_schema` and
:meth:`Form.json_schema`, so the document cannot drift from what the form accepts: the same
patterns (:mod:`underwater.patterns`) and bounds (:mod:`underwater.limits`).

Rules that tie fields together (a job's ``check``, and a few its computation applies) are
written twice here: as JSON Schema where it can say them (:data:`CROSS_FIELD`: ``anyOf`` /
``oneOf`` of fields given) and as sentences in the operation's description
(:data:`JOB_RULES`). A test fails when a job has a check and no written rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from underwater.forms import BLANK_PATTERN, Kind
from underwater.journal import STYLES
from underwater.ops import Operation
from underwater.ops import project as project_job
from underwater.patterns import DATE_PATTERN

__all__ = ["CROSS_FIELD", "JOB_RULES", "PAIR_NAMES", "absent", "given", "input_schema", "openapi_document"]

JOB_RULES: dict[str, tuple[str, ...]] = {
    "equity": ("Give what is owed: `owed` (repeatable) or `lien` (NAME=AMOUNT, repeatable), or both.",),
    "loan": (
        "Give at least two of `rate_percent`, `n_payments` and `payment`: a missing rate or term is solved.",
        "`extra_once` names a payment number (1 or more) or a date YYYY-MM-DD; a date needs "
        "`first_payment_date`.",
    ),
    "rebate": ("Give exactly one of `finance_charge` and `add_on_rate_percent`.",),
    "apr": (
        "Give either dated cash flows, `advances` with `payments`, or the loan's terms: `principal`, "
        "`payment`, `n_payments`, `loan_date` and `first_payment_date`.",
        "With `advances`, the loan's terms (`principal`, `payment`, `n_payments`, `loan_date`, "
        "`first_payment_date`, `final_payment`) are refused; `payments` need `advances`.",
    ),
    "value": (
        "Give at most one curve: `depreciation`, `depreciation_rate_percent`, `retention` or `comparable`.",
    ),
    "project": (
        "Give `owed` (a loan you have) or `price` (a purchase), not both.",
        "With `owed`: `remaining_payments` and `value` are required, and the purchase fields "
        "(`down_payment`, `term_months`, `taxes_fees_financed`, `addons_financed`, "
        "`negative_equity_rolled`, `months_elapsed`) are refused.",
        "With `price`: `term_months` is required and `remaining_payments` refused; `months_elapsed` must "
        "be less than `term_months`; a non-zero `months_elapsed` needs `value`; `age_months`, when "
        "given, must be at least `months_elapsed`.",
    ),
    "deficiency": (
        "Give `proceeds` (a sale) or `value` (an estimate before one); `proceeds` needs `as_of`.",
    ),
    "options": (
        "While you still have it (`stage` have_it, the default) `rate_percent` and `remaining_payments` are "
        "required, and `months_behind` may be given.",
        "After a repossession (`stage` repossessed) `repo_sale_price` is required; `repo_expenses`, "
        "`deficiency_claimed`, `repo_sale_date` and `sale_notice_received` are refused in the other stages.",
    ),
}
"""The rules each job applies across fields, as sentences (fields in backticks by JSON name)."""

_DAY = DATE_PATTERN.removeprefix("^").removesuffix("$")

PAIR_NAMES: dict[str, dict[str, str]] = {
    "loan": {"extra_once": f"[0-9]{{1,60}}|{_DAY}"},
    "apr": {"advances": _DAY, "payments": _DAY},
}
"""The names a job's ``NAME=AMOUNT`` inputs take, where they are not free text (by job, then field)."""


def _blank() -> dict[str, Any]:
    """A value that counts as not given: blank text, ``null``, or a list of only those."""
    blank = [{"type": "string", "pattern": BLANK_PATTERN}, {"type": "null"}]
    return {"anyOf": [*blank, {"type": "array", "items": {"anyOf": blank}}]}


def given(*names: str) -> dict[str, Any]:
    """JSON Schema: each of ``names`` is present and not blank."""
    return {"required": list(names), "properties": {n: {"not": _blank()} for n in names}}


def absent(*names: str) -> dict[str, Any]:
    """JSON Schema: none of ``names`` is given (each missing or blank)."""
    return {"allOf": [{"anyOf": [{"not": {"required": [n]}}, {"properties": {n: _blank()}}]} for n in names]}


_PURCHASE = project_job._PURCHASE_FIELDS  # the fields the check refuses with `owed`
_APR_TERMS = ("principal", "payment", "n_payments", "loan_date", "first_payment_date")
_CURVES = ("depreciation", "depreciation_rate_percent", "retention", "comparable")

CROSS_FIELD: dict[str, dict[str, Any]] = {
    "equity": {"anyOf": [given("owed"), given("lien")]},
    "loan": {
        "anyOf": [
            given("rate_percent", "n_payments"),
            given("rate_percent", "payment"),
            given("n_payments", "payment"),
        ]
    },
    "rebate": {"oneOf": [given("finance_charge"), given("add_on_rate_percent")]},
    "apr": {
        "anyOf": [
            {"allOf": [given("advances", "payments"), absent(*_APR_TERMS, "final_payment")]},
            {
                "allOf": [
                    absent("advances", "payments"),
                    given(*_APR_TERMS),
                ]
            },
        ]
    },
    "value": {"allOf": [{"not": given(a, b)} for i, a in enumerate(_CURVES) for b in _CURVES[i + 1 :]]},
    "project": {
        "oneOf": [
            {
                "allOf": [
                    given("owed", "remaining_payments", "value"),
                    absent("price", "term_months", *_PURCHASE),
                ]
            },
            {"allOf": [given("price", "term_months"), absent("owed", "remaining_payments")]},
        ]
    },
    "deficiency": {"anyOf": [given("proceeds", "as_of"), {"allOf": [absent("proceeds"), given("value")]}]},
}
"""The cross-field rules of :data:`JOB_RULES` that JSON Schema can state, for the request body."""

_BEYOND = (
    "Inputs that fit this schema can still be refused with 422 by the computation (a payment "
    "that does not cover the interest, a payoff date before the last payment, a solver with "
    "no answer); the answer names the field and the rule."
)


_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "The one error shape of every endpoint.",
    "required": ["ok", "status", "error", "errors"],
    "additionalProperties": False,
    "properties": {
        "ok": {"const": False},
        "request_id": {
            "type": "string",
            "description": "on a 500 only: the id of the server's log line about it (also the X-Request-ID header)",
        },
        "status": {"type": "integer", "description": "the HTTP status, repeated"},
        "error": {
            "type": "string",
            "description": "the whole message: 'field: rule (got …)', then '(and N more: …)' when several "
            "fields are bad; other fields are named by their JSON keys in backticks",
        },
        "errors": {
            "type": "array",
            "minItems": 1,
            "description": "one entry per problem, in the order of the job's fields",
            "items": {
                "type": "object",
                "required": ["field", "rule", "got"],
                "additionalProperties": False,
                "properties": {
                    "field": {
                        "type": ["string", "null"],
                        "description": "the input at fault (its JSON name), or null",
                    },
                    "rule": {"type": "string", "description": "what a good value looks like"},
                    "got": {
                        "type": ["string", "null"],
                        "description": "the value received, as text: at most 60 characters then '…', "
                        "control characters and unpaired surrogates written as escapes",
                    },
                },
            },
        },
    },
}


def _error_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _errors(*statuses: int) -> dict[str, Any]:
    meaning = {
        400: "The body is not UTF-8, not JSON, or not a JSON object.",
        404: "No such job.",
        413: "The body is larger than the limit (64 KiB).",
        414: "The path and query string are longer than the limit (8 KiB): send the inputs with POST.",
        415: "The body is not JSON.",
        422: "Inputs break rules (each bad field is named with its rule), or no result satisfies valid inputs.",
        500: "Something failed on the server; the message is generic and the details are in the server's log.",
        408: "The request's headers or body did not arrive in time (`underwater serve`'s timeouts).",
        503: "The server is serving as many connections, or heavy requests, as it takes: try again "
        "after the Retry-After header's seconds.",
    }
    return {str(status): _error_response(meaning[status]) for status in statuses}


def _parameters(op: Operation) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = []
    names = PAIR_NAMES.get(op.name, {})
    for field in op.form.fields:
        schema = field.json_schema(where="query", name_pattern=names.get(field.name))
        param: dict[str, Any] = {
            "name": field.name,
            "in": "query",
            "required": field.required,
            "description": schema["description"],
            "schema": schema,
        }
        if field.repeat or field.kind is Kind.LINES:
            param["style"] = "form"
            param["explode"] = True
        if field.kind is Kind.FLAG:
            param["allowEmptyValue"] = False
        params.append(param)
    return params


def _description(op: Operation, *, query: bool) -> str:
    rules = JOB_RULES.get(op.name, ())
    text = op.summary
    if rules:
        text += "\n\nRules across fields:\n" + "".join(f"\n- {rule}" for rule in rules)
        if query:
            text += "\n\n(The request body's schema states these rules; query parameters cannot.)"
    return f"{text}\n\n{_BEYOND}"


def input_schema(op: Operation) -> dict[str, Any]:
    """The request body's schema of ``op``: its form's, with the cross-field rules it can state."""
    schema = {"description": op.summary, **op.form.json_schema(PAIR_NAMES.get(op.name))}
    if op.name in CROSS_FIELD:
        schema["allOf"] = [CROSS_FIELD[op.name]]
    return schema


def _job_paths(op: Operation) -> dict[str, Any]:
    input_ref = {"$ref": f"#/components/schemas/{op.name}_input"}
    ok = {
        "description": f"The result: the same keys as `underwater {op.name} --json`. "
        "Money is a string with two decimals, ratios a string with four. When a value is allowed "
        "but unusual (a rate above 36 %), `input_warnings` lists each as `{field, rule}`.",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
    paths: dict[str, Any] = {
        f"/api/{op.name}": {
            "get": {
                "operationId": f"{op.name}_get",
                "summary": op.summary,
                "description": _description(op, query=True),
                "tags": ["jobs"],
                "parameters": _parameters(op),
                "responses": {"200": ok, **_errors(404, 408, 414, 422, 500, 503)},
            },
            "post": {
                "operationId": f"{op.name}_post",
                "summary": op.summary,
                "description": "The inputs as a JSON object; numbers are read exactly from their text "
                "(no float rounding).\n\n" + _description(op, query=False),
                "tags": ["jobs"],
                "requestBody": {"required": True, "content": {"application/json": {"schema": input_ref}}},
                "responses": {"200": ok, **_errors(400, 404, 408, 413, 415, 422, 500, 503)},
            },
        }
    }
    if op.csv is not None:
        csv_ok = {
            "description": "The result's table as CSV (cells a spreadsheet would run as formulas are quoted).",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
        paths[f"/api/{op.name}.csv"] = {
            "get": {
                "operationId": f"{op.name}_csv",
                "summary": f"{op.summary} (CSV table)",
                "tags": ["jobs"],
                "description": _description(op, query=True),
                "parameters": _parameters(op),
                "responses": {"200": csv_ok, **_errors(404, 408, 414, 422, 500, 503)},
            }
        }
    if op.journal is not None:
        for style in STYLES:
            journal_ok = {
                "description": f"The dated schedule as a plain-text {style} journal, every entry asserting its balance.",
                "content": {"text/plain": {"schema": {"type": "string"}}},
            }
            paths[f"/api/{op.name}.{style}"] = {
                "get": {
                    "operationId": f"{op.name}_{style}",
                    "summary": f"{op.summary} ({style} journal)",
                    "tags": ["jobs"],
                    "description": _description(op, query=True),
                    "parameters": _parameters(op),
                    "responses": {"200": journal_ok, **_errors(404, 408, 414, 422, 500, 503)},
                }
            }
    return paths


def _portfolio_paths() -> dict[str, Any]:
    """``POST /api/portfolio`` and ``POST /api/portfolio.csv``: a loan book uploaded as a file
    (:mod:`underwater.web.portfolio_page`)."""
    from underwater.portfolio.defaults import CLTV_BUCKETS
    from underwater.portfolio.stress import preset_paths
    from underwater.web.portfolio_page import PARTS, UPLOAD_LIMIT

    upload = {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": f"The book: a .csv or .parquet file of at most {UPLOAD_LIMIT} bytes "
                            "(the file name's ending says which), with the columns of `underwater portfolio`.",
                        },
                        "stress": {
                            "type": "array",
                            "items": {"enum": list(preset_paths())},
                            "description": "Stress presets to run beside the base case (repeat the field).",
                        },
                        "horizon": {
                            "type": "string",
                            "pattern": "^[0-9]{0,3}$",
                            "description": "Months to follow the book, 0 to 600; empty: 60.",
                        },
                        "default_by_ltv": {
                            "type": "string",
                            "description": "The lender's default probability by CLTV bucket, for the loans "
                            "whose row gives no `default_probability`: `bucket=probability` pairs separated by "
                            "commas, each bucket at most once, one of "
                            + ", ".join(f"`{b}`" for b in CLTV_BUCKETS)
                            + ", each probability 0 to 1 with at most 6 decimals "
                            "(`le_80=0.005,80_100=0.01,100_120=0.02,120_140=0.035,gt_140=0.05`); "
                            "empty: none (no probability is ever assumed). A bad value is a 422 naming it.",
                        },
                    },
                }
            }
        },
    }
    refusals = (
        "A file over the limit is a 413 (`underwater portfolio` on the command line, or a Dask "
        "cluster, takes any size); a file that is not a .csv or .parquet, an empty file, a book "
        "with no rows or without a required column is a 422 naming `file` with the engine's rule; "
        "a bad `horizon`, `stress` or `default_by_ltv` is a 422 naming it. "
        "Bad rows are not errors: they are counted in `rows_rejected` and listed by the rejects "
        "download with their row number and reason."
    )
    summary_ok = {
        "description": "The summary: the keys of `underwater portfolio --summary-json` without `output` "
        "and `rejects` (the summary `underwater.portfolio.run_frame` gives for the same file): among "
        "them `default_by_ltv` (the probabilities by CLTV bucket given, or null), "
        "`loans_with_default_probability`, and per scenario `total_expected_loss` (null when "
        "`loans_with_expected_loss` is 0) and `loans_with_expected_loss`.",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
    csv_ok = {
        "description": "The per-loan output or the rejects (`row`, `loan_id`, `field`, `reason`) as CSV.",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
    errors = _errors(408, 413, 422, 500, 503)
    errors["413"] = {
        **errors["413"],
        "description": f"The file is larger than the limit ({UPLOAD_LIMIT} bytes, 50 MB).",
    }
    return {
        "/api/portfolio": {
            "post": {
                "operationId": "portfolio_post",
                "summary": "Run a whole loan book uploaded as a file and answer its summary.",
                "description": "The book is run by the engine of `underwater portfolio` and nothing is kept "
                "after the answer. " + refusals,
                "tags": ["portfolio"],
                "requestBody": upload,
                "responses": {"200": summary_ok, **errors},
            }
        },
        "/api/portfolio.csv": {
            "post": {
                "operationId": "portfolio_csv",
                "summary": "Run an uploaded loan book and answer its per-loan output or its rejects as CSV.",
                "description": "The same upload as `POST /api/portfolio`, run again. " + refusals,
                "tags": ["portfolio"],
                "parameters": [
                    {
                        "name": "part",
                        "in": "query",
                        "required": False,
                        "schema": {"enum": list(PARTS), "default": "loans"},
                        "description": "`loans`: one row per good loan; `rejects`: one row per bad row.",
                    }
                ],
                "requestBody": upload,
                "responses": {"200": csv_ok, **errors},
            }
        },
    }


def openapi_document(ops: Mapping[str, Operation], version: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document for ``ops`` (the job registry), API version ``version``."""
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {"Error": _ERROR_SCHEMA}
    for op in ops.values():
        paths.update(_job_paths(op))
        schemas[f"{op.name}_input"] = input_schema(op)
    paths.update(_portfolio_paths())
    paths["/healthz"] = {
        "get": {
            "operationId": "healthz",
            "summary": "Whether the server is up.",
            "responses": {
                "200": {
                    "description": "The server answers.",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {"ok": {"const": True}, "version": {"type": "string"}},
                            }
                        }
                    },
                }
            },
        }
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "underwater",
            "version": version,
            "description": "How far under water a secured loan is, to the cent. Money is in dollars "
            "(JSON strings with two decimals in results); rates are percent per year as typed "
            "(6.9 means 6.9 %). Bad input answers 422 naming every bad field and its rule; messages "
            "name other fields by their JSON keys in backticks. Every response carries an "
            "X-Request-ID header.",
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "paths": paths,
        "components": {"schemas": schemas},
    }
