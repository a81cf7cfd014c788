"""The lender's page: a loan book uploaded as a file, run by the portfolio engine, summed up.

``/portfolio`` takes a CSV or Parquet book (multipart, one file of at most :data:`UPLOAD_LIMIT`
bytes), the stress presets to run (:func:`underwater.portfolio.stress.preset_paths`), the
horizon in months and the lender's default probabilities by CLTV bucket
(:func:`underwater.portfolio.defaults.parse_default_curve`); ``/api/portfolio`` answers the
same upload with the summary JSON (the keys of ``underwater portfolio --summary-json`` without ``output`` and ``rejects``: the summary
:func:`underwater.portfolio.run_frame` gives for the same file), and ``/api/portfolio.csv?part=loans``
or ``?part=rejects`` with the per-loan output or the rejects of the same run, as CSV.

**Nothing is kept.** The upload is read with the limit (a larger ``Content-Length`` is refused
before a byte of the body is read; a body that grows past it is cut off), written into a
temporary directory of its own with the run's outputs, and the directory is removed when the
answer has been sent. A download runs the book again from the file sent with it: the page's
download buttons send the same form to the ``.csv`` endpoint.

**Off the event loop.** :func:`run_book` is the engine's own streaming run
(:func:`~underwater.portfolio.engine.run_portfolio`, chunks of :data:`CHUNK_ROWS` rows, so memory
is bounded by the chunk, not the book), called under ``underwater serve`` in one of
:data:`RUNS_AT_ONCE` processes kept for books (not the pool answering the pages, which a run of
several seconds would hold up) or, without one, in a thread; at most :data:`RUNS_AT_ONCE` books
run at once, and another upload is answered 503 at once.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse

from underwater.errors import InputError, InputErrors
from underwater.forms import parse_int

if TYPE_CHECKING:
    from underwater.portfolio.defaults import DefaultCurve
    from underwater.portfolio.scenarios import Scenarios
    from underwater.portfolio.stress import StressPath

__all__ = [
    "CHUNK_ROWS",
    "PARTS",
    "RUNS_AT_ONCE",
    "UPLOAD_LIMIT",
    "Download",
    "Upload",
    "UploadTooLarge",
    "bucket_words",
    "chart_lines",
    "charts_of",
    "curve_words",
    "expected_loss_basis",
    "headline",
    "new_directory",
    "read_upload",
    "remove",
    "run_book",
    "scenario_name",
    "too_large_rule",
]

UPLOAD_LIMIT = 50 * 1024 * 1024
"""The largest book file the page and the API take, in bytes (50 MB); a larger book runs with
``underwater portfolio`` on the command line or on a Dask cluster."""
_FORM_ROOM = 64 * 1024
"""Bytes of a multipart body beyond the file: the boundaries, the part headers, the choices."""
CHUNK_ROWS = 50_000
"""Rows the engine holds at once for an upload (the CLI's default is 250,000): a chunk's working
memory is about a kilobyte a row and three are in flight, so about 150 MB a run."""
RUNS_AT_ONCE = 2
"""Books run at once by one server; another upload is answered 503 (``Retry-After``)."""
PARTS = ("loans", "rejects")
"""What ``/api/portfolio.csv?part=`` downloads: the per-loan output or the rejects."""
_MAX_HORIZON = 600
_DEFAULT_HORIZON = 60


class UploadTooLarge(Exception):
    """The request's body is larger than the upload limit allows."""


@dataclass(frozen=True, slots=True)
class Upload:
    """One uploaded book, on disk in ``directory`` (removed by whoever made the upload): the
    file ``book``, its name as sent, and the run's choices, parsed (the stress presets, the
    horizon in months and the default probabilities by CLTV bucket: a frozen value the worker
    process that runs the book receives as it is)."""

    directory: Path
    book: Path
    name: str
    scenarios: Scenarios


def too_large_rule() -> str:
    """The 413's rule, naming the limit and where a larger book goes.

    >>> too_large_rule().startswith("must be at most 50 MB")
    True
    """
    return (
        f"must be at most 50 MB ({UPLOAD_LIMIT:,} bytes); run a larger book with "
        "`underwater portfolio` on the command line, or on a Dask cluster"
    )


Message = MutableMapping[str, Any]


def _limited(receive: Callable[[], Awaitable[Message]], limit: int) -> Callable[[], Awaitable[Message]]:
    """``receive``, raising :class:`UploadTooLarge` once the body passes ``limit`` bytes."""
    seen = 0

    async def limited() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise UploadTooLarge
        return message

    return limited


def _horizon(text: str) -> int:
    # Read as every whole number is (``forms.parse_int``): ASCII digits only, so "²" or "٦٠"
    # is refused by name rather than taken by ``str.isdigit``.
    if not text.strip():
        return _DEFAULT_HORIZON
    return parse_int(text.strip(), "horizon", minimum=0, maximum=_MAX_HORIZON)


def _stress(names: Sequence[str]) -> tuple[StressPath, ...]:
    from underwater.portfolio.stress import stress_path

    # An unknown name is refused, listing the presets; a name ticked twice runs once.
    return tuple(stress_path(name) for name in dict.fromkeys(names))


def _default_by_ltv(text: str) -> DefaultCurve | None:
    # The engine's own parser, here at the edge, once: a bad curve is refused before the book is
    # sent to a worker, which takes the parsed curve as it is.
    from underwater.portfolio.defaults import parse_default_curve

    return parse_default_curve(text) if text.strip() else None


async def read_upload(request: Request, directory: Path) -> Upload:
    """Read the multipart form of ``request`` into ``directory``: the ``file`` (CSV or Parquet,
    by its name's ending), ``stress`` (any number of preset names), ``horizon`` (months, 0 to
    600; empty: 60) and ``default_by_ltv`` (``le_80=0.005,80_100=0.01,…``; empty: none).
    Raises :class:`UploadTooLarge` past :data:`UPLOAD_LIMIT` (before reading the body when its
    declared length is over) and :class:`~underwater.errors.InputError` naming
    the field and the rule otherwise (:class:`~underwater.errors.InputErrors` when several of
    the choices are bad, each named). The file is streamed to disk, never held whole."""
    from underwater.portfolio.io import book_format

    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > UPLOAD_LIMIT + _FORM_ROOM:
        raise UploadTooLarge
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "multipart/form-data":
        raise InputError(
            "file", "must be sent as multipart/form-data (a form with a file input)", got=content_type
        )
    limited = Request(request.scope, _limited(request.receive, UPLOAD_LIMIT + _FORM_ROOM))
    try:
        form = await limited.form(max_files=1, max_fields=32, max_part_size=64 * 1024)
    except UploadTooLarge:
        raise
    except Exception as exc:  # Starlette's MultiPartException, a broken body
        raise InputError("file", f"the form could not be read: {exc}") from None
    try:
        scenarios = _choices(form)
        sent = form.get("file")
        if not isinstance(sent, UploadFile) or not sent.filename:
            raise InputError("file", "is required: choose the book's file (CSV or Parquet)")
        name = Path(sent.filename.replace("\\", "/")).name
        fmt = book_format(name, "file")
        if sent.size is not None and sent.size > UPLOAD_LIMIT:
            raise UploadTooLarge
        if not sent.size:
            raise InputError("file", "is empty: a CSV book needs a header line naming its columns", got=name)
        book = directory / f"book.{fmt}"
        with open(book, "wb") as handle:
            shutil.copyfileobj(sent.file, handle, 1 << 20)
    finally:
        await form.close()
    return Upload(directory, book, name, scenarios)


def _choices(form: Any) -> Scenarios:
    """The form's horizon, stress presets and default curve as the run's scenarios, every bad
    one refused at once."""
    from underwater.portfolio.scenarios import Scenarios

    problems: list[InputError] = []

    def read(parse: Callable[[Any], Any], given: Any) -> Any:
        try:
            return parse(given)
        except InputError as exc:
            problems.append(exc)
            return None

    horizon = read(_horizon, str(form.get("horizon") or ""))
    stress = read(_stress, [str(v) for v in form.getlist("stress")])
    curve = read(_default_by_ltv, str(form.get("default_by_ltv") or ""))
    if problems:
        raise problems[0] if len(problems) == 1 else InputErrors(problems)
    return Scenarios(paths=stress, horizon=horizon, default_by_ltv=curve)


def new_directory() -> Path:
    """A private temporary directory (mode 0700) for one upload and its run; the caller removes
    it with :func:`remove`.

    >>> folder = new_directory(); (folder / "book.csv").write_text("loan_id"); remove(folder)
    7
    >>> folder.exists()
    False
    """
    return Path(tempfile.mkdtemp(prefix="underwater-upload-"))


def remove(directory: Path) -> None:
    """Remove an upload's directory and everything in it (nothing if it is already gone)."""
    shutil.rmtree(directory, ignore_errors=True)


def run_book(book: str, scenarios: Scenarios, part: str | None = None) -> tuple[Any, ...]:
    """Run the uploaded ``book`` (a path in its upload's directory) through the engine with
    ``scenarios`` (the parsed choices :attr:`Upload.scenarios` holds), writing the per-loan
    output (``loans.csv``, or ``loans.parquet`` when no ``part`` is wanted) and the rejects
    (``rejects.csv``) beside it. Returns ``("ok", summary JSON)`` or ``("error", field, rule)``
    (plain data, so a worker process can send it back); a bad file is named ``file``, and a
    book without a row is an error.

    >>> from underwater.portfolio.scenarios import Scenarios
    >>> run_book("/no/such/dir/book.csv", Scenarios())[:2]
    ('error', 'file')
    """
    from underwater.portfolio.engine import run_portfolio

    folder = Path(book).parent
    output = folder / ("loans.csv" if part else "loans.parquet")
    try:
        summary = run_portfolio(
            book,
            output,
            scenarios=scenarios,
            rejects=folder / "rejects.csv",
            chunk_size=CHUNK_ROWS,
        ).to_json()
    except InputError as exc:
        field = "file" if exc.field in ("book", "output", "rejects") else exc.field
        return ("error", field, exc.rule)
    except OSError as exc:
        return ("error", "file", f"could not be read: {exc.strerror or exc}")
    if summary["rows_in"] == 0:
        return ("error", "file", "has no rows: the book needs at least one loan under its header line")
    return ("ok", summary)


class Download(FileResponse):
    """One CSV of an upload's run (``part``: ``loans`` or ``rejects``) as an attachment; the
    upload's directory is removed once it is sent, or once the client has gone half-way."""

    def __init__(self, upload: Upload, part: str) -> None:
        super().__init__(
            upload.directory / f"{part}.csv",
            media_type="text/csv; charset=utf-8",
            filename=f"underwater-portfolio-{part}.csv",
            headers={"cache-control": "no-store"},
        )
        self.directory = upload.directory

    async def __call__(
        self,
        scope: MutableMapping[str, Any],
        receive: Callable[[], Awaitable[Message]],
        send: Callable[[Message], Awaitable[None]],
    ) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            remove(self.directory)


# -- what the page shows ---------------------------------------------------------------------

_BUCKET_WORDS = {
    "le_80": "80 % or less",
    "80_100": "over 80 to 100 %",
    "100_120": "over 100 to 120 %",
    "120_140": "over 120 to 140 %",
    "gt_140": "over 140 %",
    "no_value": "no value given",
}


def bucket_words(key: str) -> str:
    """An LTV bucket's key in words.

    >>> bucket_words("100_120")
    'over 100 to 120 %'
    """
    return _BUCKET_WORDS.get(key, key)


def expected_loss_basis(summary: dict[str, Any]) -> str:
    """Where the run's default probabilities came from, in words: the rows' own, the lender's
    by CLTV bucket (``default_by_ltv``), or the one and then the other.

    >>> expected_loss_basis({"loans_with_default_probability": 3, "default_by_ltv": {"le_80": "0.01"}})
    'their own probability of default, else yours for their CLTV bucket'
    >>> expected_loss_basis({"loans_with_default_probability": 0, "default_by_ltv": {"le_80": "0.01"}})
    'your probability of default for their CLTV bucket'
    """
    own = summary["loans_with_default_probability"] > 0
    if summary["default_by_ltv"] is None:
        return "their own probability of default"
    if own:
        return "their own probability of default, else yours for their CLTV bucket"
    return "your probability of default for their CLTV bucket"


def curve_words(summary: dict[str, Any]) -> list[tuple[str, str]]:
    """The run's default probabilities by CLTV bucket as the page shows them: (the bucket in
    words, the probability as given); empty when none was given.

    >>> curve_words({"default_by_ltv": {"le_80": "0.005", "gt_140": "0.05"}})
    [('80 % or less', '0.005'), ('over 140 %', '0.05')]
    """
    return [(bucket_words(key), value) for key, value in (summary["default_by_ltv"] or {}).items()]


def headline(summary: dict[str, Any]) -> dict[str, Any]:
    """The figures at the top of the page, from the summary JSON: loans read, rejected, under
    water now (and the share), total negative equity (dollars, a string), and the expected
    loss (dollars; ``"0.00"`` in the base case when only a stress path has loans with one)
    only when some scenario has a loan with one (else ``None``), with how many loans and
    on what basis (:func:`expected_loss_basis`).

    >>> h = headline({"rows_in": 3, "rows_rejected": 1, "loans_with_default_probability": 0,
    ...     "default_by_ltv": None, "scenarios": [{"under_water": 1, "share_under_water": "0.5000",
    ...     "total_negative_equity": "10.00", "total_expected_loss": None, "loans_with_expected_loss": 0}]})
    >>> h["under_water"], h["expected_loss"]
    (1, None)
    """
    base = summary["scenarios"][0]
    shown = any(scenario["loans_with_expected_loss"] for scenario in summary["scenarios"])
    return {
        "loans_read": summary["rows_in"],
        "rejected": summary["rows_rejected"],
        "under_water": base["under_water"],
        "share_under_water": base["share_under_water"],
        "total_negative_equity": base["total_negative_equity"],
        "expected_loss": (base["total_expected_loss"] or "0.00") if shown else None,
        "with_expected_loss": base["loans_with_expected_loss"],
        "basis": expected_loss_basis(summary),
        "curve": curve_words(summary),
    }


def scenario_name(scenario: dict[str, Any]) -> str:
    """A scenario as the page names it: ``Base case``, or a stress path's title.

    >>> scenario_name({"shock_percent": "0"}), scenario_name({"stress": "x", "title": "A fall"})
    ('Base case', 'A fall')
    """
    if "stress" in scenario:
        return str(scenario["title"])
    shock = scenario.get("shock_percent", "0")
    return "Base case" if shock == "0" else f"Values {shock} % lower"


def chart_lines(summary: dict[str, Any]) -> list[tuple[str, list[tuple[int, Decimal]]]]:
    """Each scenario's share of open loans under water by month, in percent, for the chart.

    >>> chart_lines({"scenarios": [{"shock_percent": "0", "by_month": [
    ...     {"month": 0, "share_under_water": "0.2500"}, {"month": 1, "share_under_water": None}]}]})
    [('Base case', [(0, Decimal('25.0000'))])]
    """
    return [
        (
            scenario_name(scenario),
            [
                (int(row["month"]), Decimal(row["share_under_water"]) * 100)
                for row in scenario["by_month"]
                if row["share_under_water"] is not None
            ],
        )
        for scenario in summary["scenarios"]
    ]


_LINE_CLASSES = ("line-a", "line-b", "line-c", "line-d", "line-e", "line-f", "line-g", "line-h")


def _percent_tick(value: float) -> str:
    return f"{value:g} %"


def _share_text(share: object) -> str:
    return "—" if share is None else f"{Decimal(str(share)) * 100:.1f} %"


def _first_up(words: str) -> str:
    return words[:1].upper() + words[1:]


def charts_of(summary: dict[str, Any]) -> dict[str, str]:
    """The page's charts as SVG markup (escaped), by name: ``months`` (the share of open loans
    under water by month, the base case and each stress path; its legend, ``months_legend``, is
    HTML, for the paths' long titles), ``buckets`` (LTV and CLTV buckets
    of the base case, loans), ``classes`` (the share under water by asset class) and, when the
    book gives origination dates, ``quarters`` (the share under water by origination quarter).

    >>> from underwater.portfolio import run_frame
    >>> import polars as pl
    >>> run = run_frame(pl.DataFrame({"loan_id": ["A"], "balance": ["18000"], "rate_percent": ["6.9"],
    ...     "remaining_payments": ["60"], "value": ["15000"]}), horizon=12)
    >>> sorted(charts_of(run.summary))
    ['buckets', 'classes', 'months', 'months_legend']
    """
    from underwater.web.charts import Bars, Line, bar_chart, legend_html, line_chart
    from underwater.web.present import asset_words

    base = summary["scenarios"][0]
    lines = [
        Line(name, points, "solid" if k % 2 == 0 else "dashed", _LINE_CLASSES[k % len(_LINE_CLASSES)])
        for k, (name, points) in enumerate(chart_lines(summary))
    ]
    horizon = summary["horizon_months"]
    first = _share_text(base["share_under_water"])
    last_rows = [row for row in base["by_month"] if row["share_under_water"] is not None]
    last = _share_text(last_rows[-1]["share_under_water"]) if last_rows else "—"
    found = {
        "months": line_chart(
            lines,
            title="Share of the open loans under water, month by month",
            description=(
                f"{len(lines)} line{'s' if len(lines) != 1 else ''} over {horizon} months. In the base case "
                f"{first} of the loans are under water today and {last} of those still open in the last month."
            ),
            y_title="Under water",
            y_format=_percent_tick,
            dom_id="months-chart",
            legend=False,
        ),
        "months_legend": legend_html(lines),
    }
    keys = list(base["ltv_buckets"])
    found["buckets"] = bar_chart(
        [bucket_words(key) for key in keys],
        [
            Bars(
                "LTV",
                [base["ltv_buckets"][k] for k in keys],
                [f"{base['ltv_buckets'][k]:,}" for k in keys],
                "line-a",
            ),
            Bars(
                "CLTV",
                [base["cltv_buckets"][k] for k in keys],
                [f"{base['cltv_buckets'][k]:,}" for k in keys],
                "line-b",
            ),
        ],
        title="Loans by LTV and by CLTV today",
        description="Loans in each band of what is owed against what the asset would fetch: "
        + "; ".join(
            f"{bucket_words(k)}: {base['ltv_buckets'][k]:,} by LTV, {base['cltv_buckets'][k]:,} by CLTV"
            for k in keys
        )
        + ".",
        dom_id="buckets-chart",
    )
    for name, key, words, dom_id in (
        ("classes", "by_asset_class", "asset class", "classes-chart"),
        ("quarters", "by_origination_quarter", "origination quarter", "quarters-chart"),
    ):
        groups = base[key]
        if not groups:
            continue
        labels = [_first_up(asset_words(k)) if key == "by_asset_class" else k for k in groups]
        shares = [float(Decimal(g["share_under_water"] or 0) * 100) for g in groups.values()]
        texts = [f"{_share_text(g['share_under_water'])} of {g['loans']:,}" for g in groups.values()]
        found[name] = bar_chart(
            labels,
            [Bars("Under water", shares, texts, "line-a")],
            title=f"Share of loans under water today, by {words}",
            description="; ".join(f"{label}: {text}" for label, text in zip(labels, texts, strict=True))
            + ".",
            dom_id=dom_id,
        )
    return found
