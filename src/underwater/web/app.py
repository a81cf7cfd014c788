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
  The ``.csv`` routes answer GET only (POST is a 405 naming the allowed methods).

Every error on the API has one shape (:mod:`underwater.web.errorshape`); on a page each
message sits beside the field it names. No input can make the app answer 500: a query string
that is not UTF-8, a JSON body with unpaired surrogates or a number of thousands of digits are
each a 4xx naming the field, a URL over :data:`URL_LIMIT` bytes is a 414 and headers over
:data:`HEADERS_LIMIT` bytes a 431. Every response
carries an ``X-Request-ID``; an unexpected failure is logged once under that id
(:mod:`underwater.web.errorlog`) and the 500 names it. A job's result is drawn by ``templates/results/<job>.html``
when that file exists, otherwise by a generic rendering of its JSON.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, MutableMapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes, urlencode

import jinja2
from starlette.applications import Starlette
from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from underwater import __version__
from underwater.csvsafe import csv_text
from underwater.errors import InputError, InputErrors, NoSolutionError, name_fields
from underwater.exits.model import CHANNEL_WORDS, CREDIT_SHORT, CREDIT_WORDS
from underwater.forms import LINES_LIMIT, Form, Kind
from underwater.journal import STYLES
from underwater.money import format_money_human
from underwater.ops import Operation, answer_json, operations
from underwater.position import position
from underwater.simple_interest import ROUNDING_WORDS
from underwater.web import charts, jsonbody, pages, portfolio_page, present
from underwater.web.errorlog import ServerErrorLog
from underwater.web.errorshape import error_body, error_from_exception, problem_entries
from underwater.web.labels import plain
from underwater.web.openapi import openapi_document
from underwater.web.terms import meaning
from underwater.web.widgets import form_naming, given_inputs, label_of, query_lists, raw_inputs, widgets
from underwater.web.workers import Busy, Offload, WorkerPool

__all__ = ["BODY_LIMIT", "HEADERS_LIMIT", "PAGE_ROWS", "URL_LIMIT", "create_app"]

BODY_LIMIT = 64 * 1024
"""The largest request body read, in bytes; more answers 413."""
URL_LIMIT = 8 * 1024
"""The longest path plus query string read, in bytes; more answers 414. (``underwater serve``
also refuses a request head over :data:`underwater.web.serve.HEAD_LIMIT` before it gets here.)"""
HEADERS_LIMIT = 16 * 1024
"""The most bytes of request headers read, all together; more answers 431."""
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

_GENERIC_500 = "the server failed to answer this request; the details are in its log under the request id"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class _BodyTooLarge(Exception):
    pass


class _Guard:
    """Gives every request an id, refuses an over-long URL, adds the security headers and the
    ``X-Request-ID`` to every response, and turns any escaped exception into a 500.

    A plain ASGI middleware (not ``BaseHTTPMiddleware``) so it costs microseconds per request.
    The exception goes to the server's log (:class:`~underwater.web.errorlog.ServerErrorLog`)
    under the request id and never reaches the client.
    """

    def __init__(self, app: ASGIApp, errors: ServerErrorLog) -> None:
        self.app = app
        self.errors = errors

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = request_id
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [
                    *message.get("headers", ()),
                    *SECURITY_HEADERS,
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        path: str = scope.get("path", "")
        raw_path: bytes = scope.get("raw_path") or path.encode("utf-8", "replace")
        if len(raw_path) + len(scope.get("query_string", b"")) > URL_LIMIT:
            rule = f"the path and query string must be at most {URL_LIMIT} bytes; send long inputs with POST"
            await _error_response(path, 414, rule)(scope, receive, send_with_headers)
            return
        if sum(len(k) + len(v) + 4 for k, v in scope.get("headers", ())) > HEADERS_LIMIT:
            rule = f"the request headers must be at most {HEADERS_LIMIT} bytes in all"
            await _error_response(path, 431, rule)(scope, receive, send_with_headers)
            return
        try:
            await self.app(scope, receive, send_with_headers)
        except ClientDisconnect:
            return  # the client left (or timed out) before its request was read: no one to answer
        except Exception as exc:
            self.errors.record(request_id, str(scope.get("method")), path, exc)
            if started:
                return
            await _error_response(path, 500, _GENERIC_500, request_id)(scope, receive, send_with_headers)


def _error_response(path: str, status: int, rule: str, request_id: str | None = None) -> Response:
    """An error outside any handler: the JSON shape on the API, a short page elsewhere."""
    if _wants_json(path):
        return JSONResponse(error_body(status, rule, request_id=request_id), status_code=status)
    reference = f" Request id: {request_id}." if request_id else ""
    return HTMLResponse(
        f"<!doctype html><title>Error {status}</title><h1>Error {status}</h1><p>{rule}.{reference}</p>",
        status_code=status,
    )


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

    def __init__(
        self, ops: Mapping[str, Operation], errors: ServerErrorLog, books: WorkerPool | None = None
    ) -> None:
        self.ops = dict(ops)
        self.errors = errors
        self.books = books
        self.books_running = 0
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
        self.env.filters["plain"] = plain
        self.env.filters["dollars"] = present.dollars
        self.env.filters["pct"] = present.ratio_percent
        self.env.filters["percent"] = present.percent
        self.env.filters["months_words"] = present.months_words
        self.env.filters["date_words"] = present.date_words
        self.env.filters["date_short"] = present.date_short
        self.env.filters["dollarize"] = present.dollarize
        self.env.filters["state_name"] = present.state_name
        self.env.tests["table"] = _is_table
        self.env.tests["numeric"] = _is_numeric
        self.env.tests["money"] = lambda value: isinstance(value, str) and bool(_MONEY_TEXT.fullmatch(value))
        self.env.globals["columns"] = _columns
        self.env.globals["version"] = __version__
        self.env.globals["PAGE_ROWS"] = PAGE_ROWS
        self.env.globals["lines_limit"] = LINES_LIMIT
        self.env.globals["rounding_words"] = ROUNDING_WORDS
        self.env.globals["month_words"] = present.month_words
        self.env.globals["asset_words"] = present.asset_words
        self.env.globals["meaning"] = meaning
        self.env.globals["projection_svg"] = charts.projection_svg
        self.env.globals["value_svg"] = charts.value_svg
        self.env.globals["credit_words"] = CREDIT_WORDS
        self.env.globals["channel_words"] = CHANNEL_WORDS
        self.env.globals["credit_short"] = CREDIT_SHORT
        self.env.globals["scenario_name"] = portfolio_page.scenario_name
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
        """The home page: what is owed, what it would fetch, what it is; the answer at once."""
        pairs, unreadable = _query_pairs(request.scope.get("query_string", b""))
        grouped = query_lists(pairs)
        mine, _ = pages.job_inputs(pages.HOME_FORM, grouped)
        answer: dict[str, Any] | None = None
        error: dict[str, Any] | None = None
        status = 200
        if unreadable or any(v.strip() for vs in mine.values() for v in vs):
            try:
                if unreadable:
                    raise _together(unreadable)
                values = pages.HOME_FORM.parse(raw_inputs(mine))
                second = values["lien2_owed"]
                answer = position([values["owed"], *([second] if second else [])], values["value"]).to_json()
                answer["asset_class"] = values["asset_class"] or "car"
            except InputError as exc:
                status = 422
                error = _page_error(exc, pages.HOME_FORM)
        query = pages.path_query(grouped)
        deal = (grouped.get("deal") or [""])[0].strip().lower()
        steps = pages.lease_steps(grouped) if deal == "lease" else pages.steps(query, "home")
        context = {
            "title": "underwater: how far under water is the loan?",
            "widgets": pages.home_widgets(grouped, _field_errors(error)),
            "answer": answer,
            "error": error,
            "query": query,
            "deal": deal,
            "steps": steps if answer else [],
            "carry": [],
        }
        return self.render("home.html", status, request_path="/", **context)

    async def tools(self, request: Request) -> Response:
        """Every job in plain words, each at its own page."""
        return self.render(
            "tools.html", title="Every tool — underwater", pages_of=pages.JOB_PAGES, request_path="/all"
        )

    # -- the lender's page: an uploaded book (underwater.web.portfolio_page) -------------------

    async def portfolio(self, request: Request) -> Response:
        """The lender's page: the upload form, and after a POST the book's summary."""
        context: dict[str, Any] = {
            "title": "How much of a loan book is under water? — underwater",
            "request_path": "/portfolio",
            "presets": _presets(),
            "chosen": (),
            "horizon": "",
            "default_by_ltv": "",
            "summary": None,
            "error": None,
            "field_errors": {},
            "file_name": "",
            "upload_limit": portfolio_page.UPLOAD_LIMIT,
        }
        if request.method != "POST":
            return self.render("portfolio.html", **context)
        outcome = await self._run_upload(request, None)
        if isinstance(outcome, _UploadFailed):
            context["error"] = outcome.body
            context["field_errors"] = _upload_field_errors(outcome.body)
            return self.render("portfolio.html", outcome.status, **context)
        upload, summary = outcome
        portfolio_page.remove(upload.directory)
        curve = upload.scenarios.default_by_ltv
        context |= {
            "summary": summary,
            "chosen": tuple(path.name for path in upload.scenarios.paths),
            "horizon": str(upload.scenarios.horizon),
            "default_by_ltv": "" if curve is None else curve.text(),
            "file_name": upload.name,
            "figures": portfolio_page.headline(summary),
            "charts": portfolio_page.charts_of(summary),
        }
        return self.render("portfolio.html", **context)

    async def api_portfolio(self, request: Request) -> Response:
        """The summary JSON of an uploaded book (the keys of ``run_frame``'s summary)."""
        _posted_only(request)
        outcome = await self._run_upload(request, None)
        if isinstance(outcome, _UploadFailed):
            return _json_error(outcome.body, outcome.headers)
        upload, summary = outcome
        portfolio_page.remove(upload.directory)
        return JSONResponse(summary, headers={"cache-control": "no-store"})

    async def api_portfolio_csv(self, request: Request) -> Response:
        """The per-loan output (``?part=loans``) or the rejects (``?part=rejects``) of an
        uploaded book's run, as CSV; the upload's directory is removed once it is sent."""
        _posted_only(request)
        part = request.query_params.get("part", "loans")
        if part not in portfolio_page.PARTS:
            rule = "must be one of " + ", ".join(portfolio_page.PARTS)
            return _json_error(error_body(422, rule, field="part", got=part))
        outcome = await self._run_upload(request, part)
        if isinstance(outcome, _UploadFailed):
            return _json_error(outcome.body, outcome.headers)
        upload, _summary = outcome
        return portfolio_page.Download(upload, part)

    async def _run_upload(
        self, request: Request, part: str | None
    ) -> tuple[portfolio_page.Upload, dict[str, Any]] | _UploadFailed:
        """Read the upload into a directory of its own and run it off the event loop. On
        success the caller removes the directory; on failure it is already gone."""
        if self.books_running >= portfolio_page.RUNS_AT_ONCE:
            rule = "the server is running as many books as it can at once: try again in a minute"
            return _UploadFailed(error_body(503, rule), 503, {"retry-after": "30"})
        self.books_running += 1
        directory = portfolio_page.new_directory()
        try:
            upload = await portfolio_page.read_upload(request, directory)
            args = (str(upload.book), upload.scenarios, part)
            if self.books is not None:
                result = await self.books.call(portfolio_page.run_book, *args)
            else:
                result = await asyncio.to_thread(portfolio_page.run_book, *args)
            if result[0] == "error":
                raise InputError(result[1], result[2], got=upload.name if result[1] == "file" else None)
            return upload, result[1]
        except portfolio_page.UploadTooLarge:
            portfolio_page.remove(directory)
            return _UploadFailed(error_body(413, portfolio_page.too_large_rule(), field="file"), 413)
        except InputError as exc:
            portfolio_page.remove(directory)
            return _UploadFailed(error_from_exception(exc), 422)
        except Busy:
            portfolio_page.remove(directory)
            return _UploadFailed(
                error_body(503, "the server is busy: try again in a second"), 503, {"retry-after": "1"}
            )
        except BaseException:
            portfolio_page.remove(directory)
            raise
        finally:
            self.books_running -= 1

    async def healthz(self, request: Request) -> Response:
        return JSONResponse({"ok": True, "version": __version__})

    async def openapi(self, request: Request) -> Response:
        if self._openapi is None:
            self._openapi = openapi_document(self.ops, __version__)
        return JSONResponse(self._openapi)

    async def page(self, request: Request) -> Response:
        name: str = request.path_params["name"]
        op = self.ops.get(name)
        if request.method == "POST" and (op is None or not _posted(op)):
            # Only a form with a box of lines (a statement's rows) is posted: its text is too long
            # for an address, and it stays out of addresses, histories and logs.
            raise HTTPException(405, "Method Not Allowed", headers={"allow": "GET, HEAD"})
        if op is None:
            return self.not_found_page(request.url.path)
        body: bytes | None = None
        if request.method == "POST":
            content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type != "application/x-www-form-urlencoded":
                raise HTTPException(415, "The form must be sent as application/x-www-form-urlencoded")
            try:
                body = await _read_body(request, BODY_LIMIT)
            except _BodyTooLarge:
                raise HTTPException(413, f"The form must be at most {BODY_LIMIT:,} bytes") from None
        context, status = self._job_context(op, request, body)
        return self.render("job.html", status, **context)

    async def sheet(self, request: Request) -> Response:
        """One printable page for the situation, to take to the lender (the exits' figures)."""
        op = self.ops.get("options")
        if op is None:
            return self.not_found_page(request.url.path)
        context, status = self._job_context(op, request)
        context["title"] = "A sheet to take to the lender — underwater"
        context["on_sheet"] = True  # no form on this page: what is missing is named, not linked
        context["steps"] = pages.steps(context["query"], "sheet") if context["query"] else []
        return self.render("sheet.html", status, **context)

    def _job_context(
        self, op: Operation, request: Request, body: bytes | None = None
    ) -> tuple[dict[str, Any], int]:
        name = op.name
        pairs, unreadable = _query_pairs(request.scope.get("query_string", b""))
        if body is not None:
            posted, unreadable_posted = _query_pairs(body)
            pairs += posted
            unreadable += unreadable_posted
        grouped = query_lists(pairs)
        own = {k: grouped[k] for k in grouped if k.startswith("_")}
        view = (own.get("_view") or [""])[0]
        view = view if (name, view) in pages.VIEWS else ""
        page_no = _page_number(own.get("_page"))
        mine, others = pages.job_inputs(op.form, grouped)
        result_obj: Any = None
        warnings: list[tuple[str, str]] = []
        error: dict[str, Any] | None = None
        asked: tuple[str, ...] = ()
        status = 200
        try:
            if unreadable:
                raise _together(unreadable)
            result_obj, warnings, problem, asked = pages.run_job(op, mine, "_go" in own)
            if problem is not None:
                raise problem
        except (InputError, NoSolutionError) as exc:
            status = 422
            error = _page_error(exc, op.form)
        except Exception as exc:
            self.errors.record(_request_id(request), request.method, request.url.path, exc)
            status = 500
            error = error_body(500, _GENERIC_500, request_id=_request_id(request))
            error["problems"] = []
        result = None if result_obj is None else result_obj.to_json()
        # A box of lines is never carried into another page's address.
        lines = {f.name for f in op.form.fields if f.kind is Kind.LINES}
        query = pages.carried({k: v for k, v in grouped.items() if k not in lines})
        job_query = urlencode([(k, v) for k, vs in mine.items() for v in vs if v.strip()])
        shown = widgets(op.form, mine, _field_errors(error))
        naming = form_naming(op.form)
        about = pages.VIEWS.get(
            (name, view), pages.JOB_PAGES.get(name, pages.JobPage(label_of(name), op.summary))
        )
        context = {
            "named": lambda text: name_fields(text or "", naming),
            "today": date.today().isoformat(),
            "title": f"{about.question} — underwater",
            "op": op,
            "about": about,
            "view": view,
            "sections": pages.section_views(op.form, shown, view),
            "inputs": given_inputs(op.form, mine),
            "result": result,
            "warnings": [(naming(n), text) for n, text in warnings],
            "error": error,
            "asked": asked,
            "result_template": self.result_templates[op.name],
            "query": query,
            "job_query": job_query,
            "carry": [(k, v) for k, vs in others.items() for v in vs if v.strip()],
            "steps": pages.steps(query, pages.step_of(name, view)) if query else [],
            "page_no": page_no,
            "form_method": "post" if _posted(op) else "get",
        }
        return context, status

    async def page_csv(self, request: Request) -> Response:
        op = self.ops.get(request.path_params["name"])
        if op is None:
            return self.not_found_page(request.url.path)
        return self.query_csv(op, request)

    async def api(self, request: Request) -> Response:
        op = self._job(request)
        if isinstance(op, Response):
            return op
        raw: Mapping[str, object]
        if request.method == "POST":
            content_type = request.headers.get("content-type", "application/json").split(";")[0].strip()
            if content_type != "application/json" and not content_type.endswith("+json"):
                return _json_error(error_body(415, "the body must be JSON (Content-Type: application/json)"))
            try:
                body = await _read_body(request, BODY_LIMIT)
            except _BodyTooLarge:
                return _json_error(error_body(413, f"the body must be at most {BODY_LIMIT} bytes"))
            try:
                parsed = jsonbody.read_object(body)
            except jsonbody.BodyError as exc:
                return _json_error(error_body(exc.status, exc.rule))
            problems = jsonbody.input_problems(parsed, op.form)
            if problems:
                return _json_error(error_from_exception(_together(problems)))
            raw = parsed
        else:
            pairs, unreadable = _query_pairs(request.scope.get("query_string", b""))
            if unreadable:
                return _json_error(error_from_exception(_together(unreadable)))
            raw = raw_inputs(query_lists(pairs))
        try:
            data = answer_json(*op.run_checked(raw))
        except (InputError, NoSolutionError) as exc:
            return _json_error(error_from_exception(exc))
        return JSONResponse(data, headers={"cache-control": "no-store"})

    async def api_csv(self, request: Request) -> Response:
        op = self._job(request)
        if isinstance(op, Response):
            return op
        return self.query_csv(op, request)

    async def api_journal(self, request: Request) -> Response:
        op = self._job(request)
        if isinstance(op, Response):
            return op
        style: str = request.path_params["style"]
        if op.journal is None:
            return _json_error(
                error_body(404, f"the job {op.name} has no dated schedule to write as a journal")
            )
        pairs, unreadable = _query_pairs(request.scope.get("query_string", b""))
        grouped = query_lists(pairs)
        for own in [k for k in grouped if k.startswith("_")]:
            del grouped[own]
        try:
            if unreadable:
                raise _together(unreadable)
            text = op.journal(op.run(raw_inputs(grouped)), style)
        except (InputError, NoSolutionError) as exc:
            return _json_error(error_from_exception(exc))
        return Response(
            text,
            media_type="text/plain; charset=utf-8",
            headers={
                "content-disposition": f'attachment; filename="underwater-{op.name}.{_JOURNAL_EXT[style]}"',
                "cache-control": "no-store",
            },
        )

    def _job(self, request: Request) -> Operation | Response:
        name: str = request.path_params["name"]
        op = self.ops.get(name)
        if op is None:
            return _json_error(error_body(404, "no such job; jobs: " + ", ".join(self.ops), got=name))
        return op

    def query_csv(self, op: Operation, request: Request) -> Response:
        if op.csv is None:
            return _json_error(error_body(404, f"the job {op.name} has no table to download as CSV"))
        pairs, unreadable = _query_pairs(request.scope.get("query_string", b""))
        grouped = query_lists(pairs)
        for own in [k for k in grouped if k.startswith("_")]:
            del grouped[own]
        try:
            if unreadable:
                raise _together(unreadable)
            result = op.run(raw_inputs(grouped))
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


@dataclass(frozen=True, slots=True)
class _UploadFailed:
    """An upload refused: the error body, its status and any headers (``Retry-After``)."""

    body: dict[str, Any]
    status: int
    headers: Mapping[str, str] | None = None


def _upload_field_errors(body: Mapping[str, Any]) -> dict[str, str]:
    """Each field's problems in an upload's error body, as the page shows them beside it: the
    rule, and what was sent."""
    found: dict[str, str] = {}
    for problem in body.get("errors", ()):
        text = problem["rule"] + (f" (got {problem['got']})" if problem.get("got") else "")
        field = problem.get("field") or ""
        found[field] = f"{found[field]}; {text}" if field in found else text
    return found


def _posted_only(request: Request) -> None:
    """Refuse anything but POST (an upload) with 405 naming the method allowed."""
    if request.method != "POST":
        raise HTTPException(405, "Method Not Allowed", headers={"allow": "POST"})


def _presets() -> list[tuple[str, str]]:
    """The stress presets a page offers: (name, title), in the data file's order."""
    from underwater.portfolio.stress import preset_paths

    return [(name, path.title) for name, path in preset_paths().items()]


_JOURNAL_EXT = {"hledger": "journal", "beancount": "beancount"}
"""The file name ending each journal style is saved with."""


def _posted(op: Operation) -> bool:
    """Whether a job's page form is posted (it has a box of lines) rather than sent in the
    address."""
    return any(f.kind is Kind.LINES for f in op.form.fields)


def _request_id(request: Request) -> str:
    return str(request.scope.get("state", {}).get("request_id", "-"))


def _json_error(body: dict[str, Any], headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=body["status"], headers=headers)


def _field_errors(error: Mapping[str, Any] | None) -> dict[str, str]:
    """Each field's messages, joined, for the page to put beside it."""
    found: dict[str, str] = {}
    for problem in [] if error is None else error["problems"]:
        if problem["field"]:
            shown = found.get(problem["field"])
            found[problem["field"]] = (
                problem["message"] if shown is None else f"{shown}; {problem['message']}"
            )
    return found


def _together(problems: list[InputError]) -> InputError:
    return problems[0] if len(problems) == 1 else InputErrors(problems)


def _page_error(exc: InputError | NoSolutionError, form: Form) -> dict[str, Any]:
    """The error as a page shows it: the API body, each problem's message in the page's words
    (fields by their labels) and whether the page has an input to point at."""
    naming = form_naming(form)
    body = error_from_exception(exc, naming)
    known = {f.name for f in form.fields}
    entries = problem_entries(exc, naming, lead=naming)
    body["problems"] = [{**p, "on_page": p["field"] in known} for p in entries]
    return body


_UNREADABLE_VALUE = "must be UTF-8 text: the query string holds bytes that are not"


def _query_pairs(query: bytes) -> tuple[list[tuple[str, str]], list[InputError]]:
    """The query string's ``(name, value)`` pairs, decoded strictly as UTF-8, and a problem for
    each name or value that is not UTF-8 (which a lenient decoder would turn into ``\ufffd``
    and a text input would then keep)."""
    pairs: list[tuple[str, str]] = []
    problems: list[InputError] = []
    for piece in query.split(b"&"):
        if not piece:
            continue
        raw_name, _, raw_value = piece.partition(b"=")
        name_bytes = unquote_to_bytes(raw_name.replace(b"+", b" "))
        value_bytes = unquote_to_bytes(raw_value.replace(b"+", b" "))
        try:
            name = name_bytes.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(InputError("input", _UNREADABLE_VALUE, got=name_bytes.decode("utf-8", "replace")))
            continue
        try:
            value = value_bytes.decode("utf-8")
        except UnicodeDecodeError:
            field = name if _FIELD_NAME.fullmatch(name) else "input"
            problems.append(InputError(field, _UNREADABLE_VALUE, got=value_bytes.decode("utf-8", "replace")))
            continue
        pairs.append((name, value))
    return pairs, problems


_FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,59}")


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
    if not values or not values[0].isdigit() or len(values[0]) > 6:
        return 1
    return max(1, int(values[0]))


class _JobName(Convertor[str]):
    """A job's name in a URL: letters, digits, ``_`` and ``-`` (so ``loan.csv`` is not one)."""

    regex = "[A-Za-z0-9_-]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("job", _JobName())


class _JournalStyle(Convertor[str]):
    """A journal's style in a URL: ``hledger`` or ``beancount``."""

    regex = "|".join(STYLES)

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("journal", _JournalStyle())


def _pool_lifespan(
    pool: WorkerPool, *others: WorkerPool
) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    """Start ``pool``'s workers before the server answers, and stop them and the ``others``
    (started by their first calls) when it shuts down (uvicorn then ends the process with the
    signal it got, so nothing after it runs)."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await asyncio.to_thread(pool.start)
        try:
            yield
        finally:
            for each in (pool, *others):
                await asyncio.to_thread(each.close)

    return lifespan


def create_app(
    ops: Mapping[str, Operation] | None = None,
    *,
    errors: ServerErrorLog | None = None,
    pool: WorkerPool | None = None,
    guarded: bool = True,
) -> Starlette:
    """The ASGI app serving every job in ``ops`` (default: :func:`underwater.ops.operations`).

    Passing ``ops`` serves another registry — a test adds a job of its own this way; passing
    ``errors`` logs the app's failures there (default: a :class:`ServerErrorLog` on the
    ``underwater.web`` logger). With ``pool`` (``underwater serve``'s), heavy requests are
    answered by its worker processes (:mod:`underwater.web.workers`), each running this app
    with the default registry, and an uploaded loan book by :data:`~underwater.web.portfolio_page.RUNS_AT_ONCE`
    processes of its own; otherwise every request is answered where it arrives (a book in a thread). A
    worker's own app is made with ``guarded=False``: the server's guard (request ids, headers,
    URL limits, 500s) has already seen the request.
    """
    errors = errors or ServerErrorLog(log)
    if pool is not None and ops is not None:
        raise ValueError("a worker pool serves the default registry only: its workers build their own")
    # An uploaded book runs in processes of its own, so a book of a few seconds never holds a
    # worker that the pages' requests wait for.
    books = None if pool is None else WorkerPool(portfolio_page.RUNS_AT_ONCE, queue_limit=0)
    site = _Site(operations() if ops is None else ops, errors, books)
    routes = [
        Route("/", site.index),
        Route("/all", site.tools),
        Route("/sheet", site.sheet),
        Route("/healthz", site.healthz),
        Route("/openapi.json", site.openapi),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        Route("/portfolio", site.portfolio, methods=["GET", "POST"]),
        # GET too, to answer it 405 here: the job routes below would take it for a job's name.
        Route("/api/portfolio", site.api_portfolio, methods=["GET", "POST"]),
        Route("/api/portfolio.csv", site.api_portfolio_csv, methods=["GET", "POST"]),
        Route("/api/{name:job}.csv", site.api_csv, methods=["GET"]),
        Route("/api/{name:job}.{style:journal}", site.api_journal, methods=["GET"]),
        Route("/api/{name:job}", site.api, methods=["GET", "POST"]),
        Route("/{name:job}.csv", site.page_csv, methods=["GET"]),
        Route("/{name:job}", site.page, methods=["GET", "POST"]),
    ]
    middleware = [Middleware(_Guard, errors=errors)] if guarded else []
    if pool is not None:
        middleware.append(Middleware(Offload, pool=pool, jobs=tuple(site.ops), body_limit=BODY_LIMIT))
    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={HTTPException: site.http_error},
        lifespan=None if pool is None or books is None else _pool_lifespan(pool, books),
    )
    # "/api/" must be a JSON 404, not a redirect to the page "/api".
    app.router.redirect_slashes = False
    return app
