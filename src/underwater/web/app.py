"""The web app: one HTML page and one JSON endpoint per job, built from the job registry.

Routes (``<job>`` is any name in the registry — ``equity``, ``loan``, ``project`` …):

- ``/`` lists the jobs; ``/<job>`` is the job's page: a form built from the job's fields
  and, when the query string holds inputs, the result below it. The form submits with GET,
  so every result has a URL to share or bookmark; with JavaScript, htmx asks for just the
  result (``HX-Request``) and pushes the URL.
- ``/api/<job>`` answers ``result.to_json()`` — the keys of ``underwater <job> --json`` —
  for GET (inputs in the query string) or POST (the same names in a JSON object, numbers
  read as exact decimals). ``/api/<job>.csv`` and ``/<job>.csv`` download the job's table.
- ``/openapi.json`` describes the API; ``/healthz`` says the server is up; ``/static/…``.

Every error on the API has one shape (:mod:`underwater.web.errorshape`); on a page the message
sits beside the field it names. A job's result is drawn by ``templates/results/<job>.html``
when that file exists, otherwise by a generic rendering of its JSON.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from underwater import __version__
from underwater.csvsafe import csv_text
from underwater.errors import InputError, NoSolutionError
from underwater.money import format_money_human
from underwater.ops import Operation, operations
from underwater.web.errorshape import error_body, error_from_exception
from underwater.web.openapi import openapi_document
from underwater.web.widgets import given_inputs, label_of, query_lists, raw_inputs, widgets

__all__ = ["BODY_LIMIT", "PAGE_ROWS", "create_app"]

BODY_LIMIT = 64 * 1024
"""The largest request body read, in bytes; more answers 413."""
PAGE_ROWS = 60
"""Rows per page of a long table (a 30-year schedule is six pages)."""

HERE = Path(__file__).resolve().parent
log = logging.getLogger("underwater.web")

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (
        b"content-security-policy",
        b"default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
)

_GENERIC_500 = "the server failed to answer this request; the details are in its log"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class _BodyTooLarge(Exception):
    pass


class _Guard:
    """Adds the security headers to every response and turns any escaped exception into a 500.

    A plain ASGI middleware (not ``BaseHTTPMiddleware``) so it costs microseconds per request.
    The exception is logged with its traceback here and never reaches the client.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [*message.get("headers", ()), *SECURITY_HEADERS]
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                return
            response: Response
            if _wants_json(scope.get("path", "")):
                response = JSONResponse(error_body(500, _GENERIC_500), status_code=500)
            else:
                response = HTMLResponse(
                    f"<!doctype html><title>Server error</title><h1>Server error</h1><p>{_GENERIC_500}.</p>",
                    status_code=500,
                )
            await response(scope, receive, send_with_headers)


def _wants_json(path: str) -> bool:
    return path.startswith("/api/") or path in ("/openapi.json", "/healthz")


_MONEY_TEXT = re.compile(r"-?\d+\.\d{2}")


def _show(value: object) -> str:
    """A JSON value as a page shows it: money strings get thousands separators."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and _MONEY_TEXT.fullmatch(value):
        return format_money_human(Decimal(value))
    if isinstance(value, (list, tuple)):
        return ", ".join(_show(v) for v in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{label_of(str(k))}: {_show(v)}" for k, v in value.items())
    return str(value)


_NUMERIC_TEXT = re.compile(r"[-+]?\d[\d,]*(\.\d+)?%?|\d{4}-\d{2}-\d{2}")


def _is_numeric(value: object) -> bool:
    """Whether a cell reads as a number or an ISO date (aligned right, never wrapped)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float, Decimal)):
        return True
    return isinstance(value, str) and bool(_NUMERIC_TEXT.fullmatch(value))


def _is_table(value: object) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _columns(rows: list[dict[str, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for row in rows:
        for key in row:
            seen.setdefault(key)
    return list(seen)


class _Site:
    """The registry, the templates and the handlers that use them."""

    def __init__(self, ops: Mapping[str, Operation]) -> None:
        self.ops = dict(ops)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=jinja2.select_autoescape(["html"]),
            auto_reload=False,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["show"] = _show
        self.env.filters["label"] = label_of
        self.env.tests["table"] = _is_table
        self.env.tests["numeric"] = _is_numeric
        self.env.globals["columns"] = _columns
        self.env.globals["version"] = __version__
        self.env.globals["PAGE_ROWS"] = PAGE_ROWS
        available = set(self.env.list_templates())
        self.result_templates = {
            name: (f"results/{name}.html" if f"results/{name}.html" in available else "results/_generic.html")
            for name in self.ops
        }
        self._openapi: dict[str, Any] | None = None

    # -- helpers ------------------------------------------------------------------------

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = self.env.get_template(template).render(ops=self.ops, **context)
        return HTMLResponse(html, status_code=status, headers={"cache-control": "no-store"})

    def not_found_page(self, what: str) -> HTMLResponse:
        return self.render("error.html", 404, title="Not found", message=f"There is no page {what!r} here.")

    # -- handlers -----------------------------------------------------------------------

    async def index(self, request: Request) -> Response:
        return self.render("index.html", title="underwater")

    async def healthz(self, request: Request) -> Response:
        return JSONResponse({"ok": True, "version": __version__})

    async def openapi(self, request: Request) -> Response:
        if self._openapi is None:
            self._openapi = openapi_document(self.ops, __version__)
        return JSONResponse(self._openapi)

    async def page(self, request: Request) -> Response:
        name: str = request.path_params["name"]
        is_csv = name.endswith(".csv")
        op = self.ops.get(name.removesuffix(".csv"))
        if op is None:
            return self.not_found_page(request.url.path)
        grouped = query_lists(request.query_params.multi_items())
        # Names starting with "_" are the page's own (the table page), never a job's input.
        own = {k: grouped.pop(k) for k in [k for k in grouped if k.startswith("_")]}
        if is_csv:
            return self.run_csv(op, raw_inputs(grouped))
        page_no = _page_number(own.get("_page"))
        result: dict[str, Any] | None = None
        error: dict[str, Any] | None = None
        status = 200
        if grouped:
            try:
                result = op.run(raw_inputs(grouped)).to_json()
            except (InputError, NoSolutionError) as exc:
                status = 422
                error = error_from_exception(exc)
            except Exception:
                log.exception("job %s failed on page inputs %r", op.name, grouped)
                status = 500
                error = error_body(500, _GENERIC_500)
        field_errors: dict[str, str] = {}
        if error is not None:
            field_errors = {e["field"]: error["error"] for e in error["errors"] if e["field"]}
        query = urlencode([(k, v) for k, vs in grouped.items() for v in vs])
        context = {
            "title": f"{label_of(op.name)} — underwater",
            "op": op,
            "widgets": widgets(op.form, grouped, field_errors),
            "inputs": given_inputs(op.form, grouped),
            "result": result,
            "error": error,
            "result_template": self.result_templates[op.name],
            "query": query,
            "page_no": page_no,
        }
        fragment = request.headers.get("hx-request") == "true" and not request.headers.get(
            "hx-history-restore-request"
        )
        response = self.render("_fragment.html" if fragment else "job.html", status, **context)
        response.headers["vary"] = "HX-Request"
        return response

    async def api(self, request: Request) -> Response:
        name: str = request.path_params["name"]
        is_csv = name.endswith(".csv")
        op = self.ops.get(name.removesuffix(".csv"))
        if op is None:
            return _json_error(
                error_body(404, "no such job; jobs: " + ", ".join(self.ops), got=name.removesuffix(".csv"))
            )
        raw: Mapping[str, object]
        if request.method == "POST":
            content_type = request.headers.get("content-type", "application/json").split(";")[0].strip()
            if content_type != "application/json" and not content_type.endswith("+json"):
                return _json_error(error_body(415, "the body must be JSON (Content-Type: application/json)"))
            try:
                body = await _read_body(request, BODY_LIMIT)
            except _BodyTooLarge:
                return _json_error(error_body(413, f"the body must be at most {BODY_LIMIT} bytes"))
            parsed = _parse_json(body)
            if isinstance(parsed, Response):
                return parsed
            raw = parsed
        else:
            raw = raw_inputs(query_lists(request.query_params.multi_items()))
        if is_csv:
            return self.run_csv(op, raw)
        try:
            result = op.run(raw)
        except (InputError, NoSolutionError) as exc:
            return _json_error(error_from_exception(exc))
        return JSONResponse(result.to_json(), headers={"cache-control": "no-store"})

    def run_csv(self, op: Operation, raw: Mapping[str, object]) -> Response:
        if op.csv is None:
            return _json_error(error_body(404, f"the job {op.name} has no table to download as CSV"))
        try:
            result = op.run(raw)
        except (InputError, NoSolutionError) as exc:
            return _json_error(error_from_exception(exc))
        return Response(
            csv_text(op.csv(result)),
            media_type="text/csv; charset=utf-8",
            headers={
                "content-disposition": f'attachment; filename="underwater-{op.name}.csv"',
                "cache-control": "no-store",
            },
        )

    async def http_error(self, request: Request, exc: Exception) -> Response:
        """404 for an unknown path, 405 for a wrong method: JSON on the API, a page elsewhere."""
        assert isinstance(exc, HTTPException)
        if _wants_json(request.url.path):
            rule = "no such endpoint" if exc.status_code == 404 else str(exc.detail).lower()
            return _json_error(error_body(exc.status_code, rule, got=request.url.path), exc.headers)
        if exc.status_code == 404:
            return self.not_found_page(request.url.path)
        response = self.render("error.html", exc.status_code, title=str(exc.detail), message=str(exc.detail))
        response.headers.update(exc.headers or {})
        return response


def _json_error(body: dict[str, Any], headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=body["status"], headers=headers)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _parse_json(body: bytes) -> dict[str, Any] | Response:
    """The request body as a JSON object, numbers as exact decimals, or the 400 to answer."""
    example = 'e.g. {"owed": "18000", "value": 15000}'
    try:
        data = json.loads(body, parse_float=Decimal, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:
        detail = str(exc) if isinstance(exc, json.JSONDecodeError) else "it could not be read"
        return _json_error(error_body(400, f"the body is not valid JSON: {detail}"))
    if not isinstance(data, dict):
        return _json_error(error_body(400, f"the body must be a JSON object of inputs, {example}"))
    return data


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, refusing more than ``limit`` bytes whatever Content-Length claims."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _page_number(values: list[str] | None) -> int:
    if not values or not values[0].isdigit():
        return 1
    return max(1, int(values[0]))


def create_app(ops: Mapping[str, Operation] | None = None) -> Starlette:
    """The ASGI app serving every job in ``ops`` (default: :func:`underwater.ops.operations`).

    Passing ``ops`` serves another registry — a test adds a job of its own this way.
    """
    site = _Site(operations() if ops is None else ops)
    routes = [
        Route("/", site.index),
        Route("/healthz", site.healthz),
        Route("/openapi.json", site.openapi),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        Route("/api/{name}", site.api, methods=["GET", "POST"]),
        Route("/{name}", site.page),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(_Guard)],
        exception_handlers={HTTPException: site.http_error},
    )
    # "/api/" must be a JSON 404, not a redirect to the page "/api".
    app.router.redirect_slashes = False
    return app
