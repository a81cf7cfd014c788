"""The OpenAPI 3.1 document of the JSON API, generated from each job's form.

Every job in the registry gets ``GET /api/<job>`` (inputs in the query string) and
``POST /api/<job>`` (the same names in a JSON object), and ``/api/<job>.csv`` when it has a
table to download. Parameters and the request body come from :meth:`Field.json_schema` and
:meth:`Form.json_schema`, so the document cannot drift from what the API accepts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from underwater.forms import Kind
from underwater.ops import Operation

__all__ = ["openapi_document"]

_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "The one error shape of every endpoint.",
    "required": ["ok", "status", "error", "errors"],
    "additionalProperties": False,
    "properties": {
        "ok": {"const": False},
        "status": {"type": "integer", "description": "the HTTP status, repeated"},
        "error": {"type": "string", "description": "the whole message: 'field: rule (got …)'"},
        "errors": {
            "type": "array",
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
                    "got": {"type": ["string", "null"], "description": "the value received, as text"},
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
        400: "The body is not a JSON object.",
        404: "No such job.",
        413: "The body is larger than the limit.",
        415: "The body is not JSON.",
        422: "An input breaks a rule (the field and the rule are named), or no result satisfies valid inputs.",
        500: "Something failed on the server; the message is generic and the details are in the server's log.",
    }
    return {str(status): _error_response(meaning[status]) for status in statuses}


def _parameters(op: Operation) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = []
    for field in op.form.fields:
        param: dict[str, Any] = {
            "name": field.name,
            "in": "query",
            "required": field.required,
            "description": field.help,
            "schema": field.json_schema(),
        }
        if field.repeat:
            param["style"] = "form"
            param["explode"] = True
        if field.kind is Kind.FLAG:
            param["allowEmptyValue"] = False
        params.append(param)
    return params


def _job_paths(op: Operation) -> dict[str, Any]:
    input_ref = {"$ref": f"#/components/schemas/{op.name}_input"}
    ok = {
        "description": f"The result: the same keys as `underwater {op.name} --json`. "
        "Money is a string with two decimals, ratios a string with four.",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
    paths: dict[str, Any] = {
        f"/api/{op.name}": {
            "get": {
                "operationId": f"{op.name}_get",
                "summary": op.summary,
                "tags": ["jobs"],
                "parameters": _parameters(op),
                "responses": {"200": ok, **_errors(404, 422, 500)},
            },
            "post": {
                "operationId": f"{op.name}_post",
                "summary": op.summary,
                "description": "The inputs as a JSON object; numbers are read exactly (no float rounding).",
                "tags": ["jobs"],
                "requestBody": {"required": True, "content": {"application/json": {"schema": input_ref}}},
                "responses": {"200": ok, **_errors(400, 404, 413, 415, 422, 500)},
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
                "parameters": _parameters(op),
                "responses": {"200": csv_ok, **_errors(404, 422, 500)},
            }
        }
    return paths


def openapi_document(ops: Mapping[str, Operation], version: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document for ``ops`` (the job registry), API version ``version``."""
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {"Error": _ERROR_SCHEMA}
    for op in ops.values():
        paths.update(_job_paths(op))
        schemas[f"{op.name}_input"] = {"description": op.summary, **op.form.json_schema()}
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
            "(6.9 means 6.9 %). Bad input answers 422 naming the field and the rule.",
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "paths": paths,
        "components": {"schemas": schemas},
    }
