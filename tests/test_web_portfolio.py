"""The lender's page and its API twin: a book uploaded as a file (``/portfolio``,
``/api/portfolio``, ``/api/portfolio.csv``), run by the real engine, with no mocks.

In-process (httpx over ASGI): a synthetic book sent as CSV and as Parquet gives the summary
:func:`underwater.portfolio.run_frame` gives for the same file; a file over the limit is a 413
naming the rule, whether its length is declared or not; a file of the wrong kind, an empty file,
a book with no rows and a book missing a required column are 422s naming ``file`` with the
engine's own message; bad rows go to the rejects download with their row number and reason
while the good rows go on; the lender's default probabilities by CLTV bucket (``default_by_ltv``)
give the summary ``run_frame`` gives with the same curve, and a bad curve is a 422 naming the
field, before the book is run; nothing is left on disk. In a real browser (Debian's Chromium
against ``underwater serve``): the page sums up a book at 1280 px with the API's figures, its
charts, the line of a stress path ticked and both downloads; a curve typed in gives the expected
loss, and a bad one is shown beside its field; at 375 px nothing scrolls sideways.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
import tempfile
import time
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import markupsafe
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzzscale import examples
from hostile import HOSTILE_TEXT
from underwater.portfolio import run_frame
from underwater.portfolio.defaults import CLTV_BUCKETS
from underwater.portfolio.synth import synth_book
from underwater.web.app import create_app
from underwater.web.portfolio_page import UPLOAD_LIMIT

APP = create_app()
STRESS = "manheim_2007_09"
STRESS_TITLE = "Used-vehicle values in the 2007-09 crisis (Manheim index)"
CURVE = "le_80=0.004,80_100=0.012,100_120=0.03,120_140=0.055,gt_140=0.09"
"""Made-up default probabilities by CLTV bucket, as a lender would type them (none ships)."""
BAD_LINES = (
    "BAD-BALANCE,x,6.9,60,15000,,car,12,0.00,CO,2024-01-15,0.05",  # balance is not an amount
    "L000000001,9000.00,6.9,60,15000,,car,12,0.00,CO,2024-01-15,0.05",  # repeats the second row's id
    "BAD-SHORT,1",  # a line with too few cells
)


def _run(coroutine: Coroutine[Any, Any, httpx.Response]) -> httpx.Response:
    """Run ``coroutine`` on an event loop of its own thread: Playwright's sync API (the browser
    tests below) keeps a loop running in this one."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


def _post(path: str, **kwargs: Any) -> httpx.Response:
    async def go() -> httpx.Response:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=APP), base_url="http://127.0.0.1", timeout=120
        ) as client:
            return await client.post(path, **kwargs)

    return _run(go())


def _upload(name: str, data: bytes, **fields: Any) -> dict[str, Any]:
    return {"files": {"file": (name, data, "application/octet-stream")}, "data": fields}


@pytest.fixture(autouse=True)
def own_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every temporary file of a request goes under this test's own directory, which must be
    empty again once the request has been answered."""
    where = tmp_path / "temp"
    where.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(where))
    yield where
    assert list(where.iterdir()) == [], "an upload left files behind"


@pytest.fixture(scope="module")
def book() -> pl.DataFrame:
    frame = synth_book(400, seed=19)
    quarters = [f"{2021 + i % 4}-{1 + i % 12:02d}-15" for i in range(frame.height)]
    odds = [f"0.{10 + i % 80:03d}" for i in range(frame.height)]
    return frame.with_columns(pl.Series("origination_date", quarters), pl.Series("default_probability", odds))


def _csv_bytes(frame: pl.DataFrame, extra: tuple[str, ...] = ()) -> bytes:
    text = frame.write_csv()
    return (text + "".join(line + "\n" for line in extra)).encode()


def _parquet_bytes(frame: pl.DataFrame) -> bytes:
    sink = io.BytesIO()
    frame.write_parquet(sink)
    return sink.getvalue()


def test_csv_and_parquet_give_the_summary_run_frame_gives(book: pl.DataFrame, tmp_path: Path) -> None:
    options = {"stress": [STRESS], "horizon": "24"}
    as_csv = _post("/api/portfolio", **_upload("book.csv", _csv_bytes(book), **options))
    as_parquet = _post("/api/portfolio", **_upload("book.parquet", _parquet_bytes(book), **options))
    assert as_csv.status_code == 200, as_csv.text
    assert as_parquet.status_code == 200, as_parquet.text
    (tmp_path / "book.csv").write_bytes(_csv_bytes(book))
    (tmp_path / "book.parquet").write_bytes(_parquet_bytes(book))
    from_csv = run_frame(pl.read_csv(tmp_path / "book.csv", infer_schema=False), stress=[STRESS], horizon=24)
    from_parquet = run_frame(pl.read_parquet(tmp_path / "book.parquet"), stress=[STRESS], horizon=24)
    assert as_csv.json() == from_csv.summary
    assert as_parquet.json() == from_parquet.summary
    assert as_csv.json()["rows_in"] == 400
    assert [s.get("stress") for s in as_csv.json()["scenarios"]] == [None, STRESS]


def test_the_horizon_is_60_months_unless_given(book: pl.DataFrame) -> None:
    answer = _post("/api/portfolio", **_upload("book.csv", _csv_bytes(book.head(20))))
    assert answer.status_code == 200, answer.text
    assert answer.json()["horizon_months"] == 60


def test_bad_rows_go_to_the_rejects_with_row_and_reason_while_good_rows_go_on(book: pl.DataFrame) -> None:
    data = _csv_bytes(book.head(50), BAD_LINES)
    summary = _post("/api/portfolio", **_upload("book.csv", data)).json()
    assert (summary["rows_in"], summary["rows_out"], summary["rows_rejected"]) == (53, 50, 3)

    rejects = _post("/api/portfolio.csv?part=rejects", **_upload("book.csv", data))
    assert rejects.status_code == 200, rejects.text
    assert rejects.headers["content-type"].startswith("text/csv")
    assert 'filename="underwater-portfolio-rejects.csv"' in rejects.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(rejects.text)))
    assert [row["row"] for row in rows] == ["51", "52", "53"]
    assert rows[0]["field"] == "balance" and rows[0]["reason"].startswith("must be an amount of dollars")
    assert rows[1]["field"] == "loan_id" and "row 2" in rows[1]["reason"]
    assert rows[2]["reason"]

    loans = _post("/api/portfolio.csv?part=loans", **_upload("book.csv", data))
    assert loans.status_code == 200, loans.text
    read = list(csv.DictReader(io.StringIO(loans.text)))
    assert len(read) == 50
    assert read[0]["loan_id"] == "L000000000" and "negative_equity" in read[0]


@pytest.mark.parametrize(
    ("name", "data", "rule"),
    [
        ("book.xlsx", b"PK\x03\x04", "must be a .csv or .parquet file"),
        ("book.csv", b"", "is empty: a CSV book needs a header line naming its columns"),
        (
            "book.csv",
            b"loan_id,balance\nA,100\n",
            "has no column rate_percent, remaining_payments, value "
            "(required: loan_id, balance, rate_percent, remaining_payments, value)",
        ),
        (
            "book.csv",
            b"loan_id,balance,rate_percent,remaining_payments,value\n",
            "has no rows: the book needs at least one loan under its header line",
        ),
        ("book.parquet", b"PAR1 not really", "could not be read"),
    ],
    ids=["wrong-type", "empty", "missing-column", "no-rows", "broken-parquet"],
)
def test_a_file_that_is_not_a_book_is_a_422_naming_it(name: str, data: bytes, rule: str) -> None:
    answer = _post("/api/portfolio", **_upload(name, data))
    assert answer.status_code == 422, answer.text
    problem = answer.json()["errors"][0]
    assert problem["field"] == "file"
    assert problem["rule"].startswith(rule)
    assert problem["got"] == name


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"horizon": "601"}, "horizon"),
        ({"horizon": "x"}, "horizon"),
        ({"stress": ["no_such_path"]}, "stress"),
    ],
)
def test_a_bad_choice_is_a_422_naming_it(book: pl.DataFrame, fields: dict[str, Any], field: str) -> None:
    answer = _post("/api/portfolio", **_upload("book.csv", _csv_bytes(book.head(5)), **fields))
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["field"] == field


def _own_odds_on_every_third_row(book: pl.DataFrame) -> pl.DataFrame:
    """The book with a default probability of its own on every third row only: the others take
    the curve's."""
    own = [odds if i % 3 == 0 else "" for i, odds in enumerate(book["default_probability"])]
    return book.with_columns(pl.Series("default_probability", own))


def test_a_curve_gives_the_summary_run_frame_gives_with_it(book: pl.DataFrame, tmp_path: Path) -> None:
    mixed = _own_odds_on_every_third_row(book)
    options = {"stress": [STRESS], "horizon": "24", "default_by_ltv": CURVE}
    answer = _post("/api/portfolio", **_upload("book.csv", _csv_bytes(mixed), **options))
    assert answer.status_code == 200, answer.text
    (tmp_path / "book.csv").write_bytes(_csv_bytes(mixed))
    frame = pl.read_csv(tmp_path / "book.csv", infer_schema=False)
    expected = run_frame(frame, stress=[STRESS], horizon=24, default_by_ltv=CURVE).summary
    summary = answer.json()
    assert summary == expected
    assert summary["default_by_ltv"] == {
        "le_80": "0.004",
        "80_100": "0.012",
        "100_120": "0.03",
        "120_140": "0.055",
        "gt_140": "0.09",
    }
    own = summary["loans_with_default_probability"]
    assert own == 134
    for scenario in summary["scenarios"]:
        # Every loan has a probability now, its own or its bucket's; most have a deficiency.
        assert own < scenario["loans_with_expected_loss"] <= 400
        assert Decimal(scenario["total_expected_loss"]) > 0
    # Without the curve only the rows' own probabilities count.
    alone = _post("/api/portfolio", **_upload("book.csv", _csv_bytes(mixed), stress=[STRESS], horizon="24"))
    assert alone.json()["default_by_ltv"] is None
    assert alone.json()["scenarios"][0]["loans_with_expected_loss"] <= own
    assert Decimal(alone.json()["scenarios"][0]["total_expected_loss"]) < Decimal(
        summary["scenarios"][0]["total_expected_loss"]
    )


@pytest.mark.parametrize("blank", ["", "   "])
def test_an_empty_curve_is_none(book: pl.DataFrame, blank: str) -> None:
    answer = _post("/api/portfolio", **_upload("book.csv", _csv_bytes(book.head(5)), default_by_ltv=blank))
    assert answer.status_code == 200, answer.text
    assert answer.json()["default_by_ltv"] is None


@pytest.mark.parametrize(
    ("curve", "rule"),
    [
        ("le_90=0.1", "le_90 is not a bucket: use le_80, 80_100, 100_120, 120_140, gt_140, no_value"),
        ("le_80=2", "the probability for le_80 must be a decimal from 0 to 1"),
        ("le_80=٠.١", "the probability for le_80 must be a decimal from 0 to 1"),
        ("le_80=-0.1", "the probability for le_80 must be a decimal from 0 to 1"),
        (
            "le_80=0.0000001",
            "the probability for le_80 must be a decimal from 0 to 1 such as 0.02, at most 6",
        ),
        ("le_80=nan", "the probability for le_80 must be a decimal from 0 to 1"),
        ("le_80=0.1,le_80=0.2", "gives le_80 twice"),
        ("le_80", "must be bucket=probability pairs"),
        (",", "must be bucket=probability pairs"),
        ("x" * 10_000, "must be bucket=probability pairs"),
        ("le_80=" + "0" * 9_994, "the probability for le_80 must be a decimal from 0 to 1"),
        (("le_80=0.1," * 1_000)[:-1], "gives le_80 twice"),
    ],
    ids=[
        "unknown-bucket",
        "over-one",
        "arabic-digits",
        "negative",
        "seven-places",
        "nan",
        "twice",
        "no-equals",
        "comma",
        "10000-chars",
        "10000-zeros",
        "1000-pairs",
    ],
)
def test_a_bad_curve_is_a_422_naming_it_before_the_book_runs(
    book: pl.DataFrame, curve: str, rule: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from underwater.web import portfolio_page

    def never(*args: Any) -> tuple[Any, ...]:
        raise AssertionError("the book was run with a bad curve")

    monkeypatch.setattr(portfolio_page, "run_book", never)
    answer = _post("/api/portfolio", **_upload("book.csv", _csv_bytes(book.head(5)), default_by_ltv=curve))
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert [problem["field"] for problem in body["errors"]] == ["default_by_ltv"]
    assert body["errors"][0]["rule"].startswith(rule)
    assert len(body["errors"][0]["got"]) <= 61  # the echo is cut to 60 characters and an ellipsis
    assert body["error"].startswith("default_by_ltv: ")


def test_every_bad_choice_is_named_at_once(book: pl.DataFrame) -> None:
    fields = {"horizon": "601", "stress": ["no_such_path"], "default_by_ltv": "le_80=2"}
    answer = _post("/api/portfolio", **_upload("book.csv", _csv_bytes(book.head(5)), **fields))
    assert answer.status_code == 422
    assert [problem["field"] for problem in answer.json()["errors"]] == [
        "horizon",
        "stress",
        "default_by_ltv",
    ]


def test_the_loans_download_takes_the_curve(book: pl.DataFrame) -> None:
    data = _csv_bytes(book.head(30).drop("default_probability"))
    loans = _post("/api/portfolio.csv?part=loans", **_upload("book.csv", data, default_by_ltv=CURVE))
    assert loans.status_code == 200, loans.text
    rows = list(csv.DictReader(io.StringIO(loans.text)))
    summary = _post("/api/portfolio", **_upload("book.csv", data, default_by_ltv=CURVE)).json()
    total = sum(Decimal(row["expected_loss"]) for row in rows if row["expected_loss"])
    assert total == Decimal(summary["scenarios"][0]["total_expected_loss"])


def test_no_file_and_not_multipart_are_422s() -> None:
    assert _post("/api/portfolio", data={"horizon": "12"}).json()["errors"][0]["field"] == "file"
    answer = _post("/api/portfolio", json={"file": "x"})
    assert answer.status_code == 422
    assert "multipart/form-data" in answer.json()["errors"][0]["rule"]


def test_an_unknown_download_part_is_a_422(book: pl.DataFrame) -> None:
    answer = _post("/api/portfolio.csv?part=everything", **_upload("book.csv", _csv_bytes(book.head(5))))
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "part"


def _too_large(answer: httpx.Response) -> None:
    assert answer.status_code == 413, answer.text[:300]
    problem = answer.json()["errors"][0]
    assert problem["field"] == "file"
    assert problem["rule"].startswith("must be at most 50 MB (52,428,800 bytes)")
    assert "command line" in problem["rule"] and "Dask" in problem["rule"]


def test_a_file_over_50_mb_is_a_413_before_it_is_run() -> None:
    # A file one byte over the limit, in a body the form's room still lets through.
    _too_large(_post("/api/portfolio", **_upload("book.csv", b"x" * (UPLOAD_LIMIT + 1))))


def test_a_body_declared_over_the_limit_is_refused_unread() -> None:
    headers = {"content-type": "multipart/form-data; boundary=b", "content-length": str(UPLOAD_LIMIT * 2)}
    _too_large(_post("/api/portfolio", content=b"--b--\r\n", headers=headers))


def test_a_body_growing_past_the_limit_without_a_length_is_cut_off() -> None:
    async def endless() -> AsyncIterator[bytes]:
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="book.csv"\r\n\r\n'
        for _ in range(60):
            yield b"x" * (1 << 20)

    headers = {"content-type": "multipart/form-data; boundary=b"}
    _too_large(_post("/api/portfolio", content=endless(), headers=headers))


def test_the_page_shows_the_summary_and_an_error_beside_the_file(book: pl.DataFrame) -> None:
    page = _post("/portfolio", **_upload("book.csv", _csv_bytes(book.head(30)), stress=[STRESS]))
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert 'id="months-chart"' in page.text and STRESS_TITLE in page.text
    assert f'value="{STRESS}" checked' in page.text
    refused = _post("/portfolio", **_upload("book.txt", b"a,b\n"))
    assert refused.status_code == 422
    assert "must be a .csv or .parquet file" in refused.text
    assert 'aria-invalid="true"' in refused.text


def test_the_page_shows_the_expected_loss_by_curve_and_a_bad_curve_beside_its_field(
    book: pl.DataFrame,
) -> None:
    data = _csv_bytes(book.head(30).drop("default_probability"))
    page = _post("/portfolio", **_upload("book.csv", data, stress=[STRESS], default_by_ltv=CURVE))
    assert page.status_code == 200, page.text[:500]
    summary = run_frame(
        pl.read_csv(io.BytesIO(data), infer_schema=False), stress=[STRESS], default_by_ltv=CURVE
    ).summary
    counted = summary["scenarios"][0]["loans_with_expected_loss"]
    assert (
        f"Expected loss ({counted} loans: your probability of default for their CLTV bucket)</dt>"
        f'<dd data-key="total_expected_loss">' in page.text
    )
    assert page.text.count('data-key="expected_loss"') == 2  # the base case's card and the path's
    assert "Your default probability by CLTV bucket: 80 % or less 0.004; over 80 to 100 % 0.012;" in page.text
    assert f'name="default_by_ltv" type="text" value="{CURVE}"' in page.text

    refused = _post("/portfolio", **_upload("book.csv", data, default_by_ltv="le_90=0.1"))
    assert refused.status_code == 422
    assert (
        'aria-describedby="f-default-by-ltv-help f-default-by-ltv-error" aria-invalid="true"' in refused.text
    )
    assert '<p class="field-error" id="f-default-by-ltv-error">le_90 is not a bucket' in refused.text
    assert '<a href="#f-default-by-ltv">Your default probability by CLTV bucket</a>' in refused.text


def test_the_page_shows_no_expected_loss_without_probabilities(book: pl.DataFrame) -> None:
    page = _post("/portfolio", **_upload("book.csv", _csv_bytes(book.head(10).drop("default_probability"))))
    assert page.status_code == 200
    answer = page.text.split('id="portfolio-answer"')[1]
    assert "expected_loss" not in answer and "Expected loss" not in answer


def test_the_page_states_the_limit_and_offers_every_preset() -> None:
    async def go() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=APP), base_url="http://t") as client:
            return await client.get("/portfolio")

    page = _run(go())
    assert page.status_code == 200
    assert "50 MB" in page.text and "Dask cluster" in page.text
    from underwater.portfolio.stress import preset_paths

    for name, path in preset_paths().items():
        # As the template writes it (an apostrophe in a title is escaped as the page escapes it).
        assert f'value="{name}"' in page.text and str(markupsafe.escape(path.title)) in page.text


# -- in a real browser ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser_book(book: pl.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("book") / "book.csv"
    path.write_bytes(_csv_bytes(book, BAD_LINES))
    return path


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    from web_fakes import serving

    with serving() as url:
        yield url


@pytest.fixture(scope="module")
def browser(base: str) -> Iterator[Any]:
    from web_fakes import chromium

    with chromium() as launched:
        yield launched


def _sum_up(tab: Any, book: Path, stress: tuple[str, ...] = (), horizon: str = "", curve: str = "") -> None:
    page = tab.page
    tab.goto("/portfolio")
    page.set_input_files("#f-file", str(book))
    for name in stress:
        page.check(f"input[name=stress][value={name}]")
    page.fill("#f-horizon", horizon)
    page.fill("#f-default-by-ltv", curve)
    page.click("#submit-portfolio")
    page.wait_for_selector("#portfolio-answer .big-figure", timeout=60_000)


@pytest.mark.browser
def test_a_curve_typed_in_the_browser_gives_the_expected_loss(
    browser: Any, base: str, book: pl.DataFrame, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    from underwater.money import format_money_human
    from web_fakes import watching

    small = tmp_path / "small.csv"
    small.write_bytes(_csv_bytes(book.head(40).drop("default_probability")))
    with watching(browser, base, viewport={"width": 1280, "height": 900}) as tab:
        page = tab.page
        # A bad curve first: the message beside the field, the field marked, and the book not run.
        tab.goto("/portfolio")
        page.set_input_files("#f-file", str(small))
        page.fill("#f-default-by-ltv", "le_90=0.1")
        page.click("#submit-portfolio")
        expect(page.locator("#portfolio-answer .error-summary")).to_contain_text(
            "Your default probability by CLTV bucket le_90 is not a bucket"
        )
        expect(page.locator("#f-default-by-ltv-error")).to_contain_text("le_90 is not a bucket")
        expect(page.locator("#f-default-by-ltv")).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#f-default-by-ltv")).to_have_attribute(
            "aria-describedby", "f-default-by-ltv-help f-default-by-ltv-error"
        )
        # Put right and sent again, with the file still chosen: the expected loss, the mark gone.
        page.fill("#f-default-by-ltv", CURVE)
        page.click("#submit-portfolio")
        page.wait_for_selector("#portfolio-answer .big-figure", timeout=60_000)
        files = {"file": ("small.csv", small.read_bytes(), "text/csv")}
        summary = httpx.post(
            f"{base}/api/portfolio", files=files, data={"default_by_ltv": CURVE}, timeout=120
        ).json()
        base_case = summary["scenarios"][0]
        assert base_case["loans_with_expected_loss"] > 0
        expect(page.locator("[data-key=total_expected_loss]")).to_have_text(
            "$" + format_money_human(Decimal(base_case["total_expected_loss"]))
        )
        expect(page.locator("dl.figures dt:has(+ dd[data-key=total_expected_loss])")).to_have_text(
            f"Expected loss ({base_case['loans_with_expected_loss']} loans: "
            "your probability of default for their CLTV bucket)"
        )
        expect(page.locator("#curve")).to_contain_text("over 140 % 0.09")
        assert page.locator("#f-default-by-ltv-error").count() == 0
        assert page.get_attribute("#f-default-by-ltv", "aria-invalid") is None
        assert page.get_attribute("#f-default-by-ltv", "aria-describedby") == "f-default-by-ltv-help"
        tab.assert_clean(allowed_console=("status of 422",))  # the bad curve's answer, as sent


@pytest.mark.browser
def test_a_book_summed_up_in_the_browser(browser: Any, base: str, browser_book: Path, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    from underwater.money import format_money_human
    from web_fakes import watching

    with watching(browser, base, viewport={"width": 1280, "height": 900}) as tab:
        _sum_up(tab, browser_book, (STRESS,), "36")
        page = tab.page
        files = {"file": ("book.csv", browser_book.read_bytes(), "text/csv")}
        summary = httpx.post(
            f"{base}/api/portfolio", files=files, data={"stress": [STRESS], "horizon": "36"}, timeout=120
        ).json()
        base_case = summary["scenarios"][0]
        expect(page.locator("[data-key=rows_in]")).to_have_text(f"{summary['rows_in']:,}")
        expect(page.locator("[data-key=rows_rejected]")).to_have_text(f"{summary['rows_rejected']:,}")
        expect(page.locator("[data-key=under_water_now]")).to_have_text(f"{base_case['under_water']:,}")
        expect(page.locator("[data-key=total_negative_equity]")).to_have_text(
            "$" + format_money_human(Decimal(base_case["total_negative_equity"]))
        )
        expect(page.locator("[data-key=total_expected_loss]")).to_have_text(
            "$" + format_money_human(Decimal(base_case["total_expected_loss"]))
        )
        for chart in ("months-chart", "buckets-chart", "classes-chart", "quarters-chart"):
            expect(page.locator(f"svg#{chart}")).to_be_visible()
        # The base case and the stress path ticked: two lines, the path's named in the legend.
        assert page.locator("svg#months-chart path.series").count() == 2
        expect(page.locator(".chart-legend li").nth(1)).to_have_text(STRESS_TITLE)

        # The file stays chosen: each download runs the same book again.
        for button, rows in (
            ("#download-loans", summary["rows_out"]),
            ("#download-rejects", summary["rows_rejected"]),
        ):
            with page.expect_download() as caught:
                page.click(button)
            saved = tmp_path / caught.value.suggested_filename
            caught.value.save_as(saved)
            with open(saved, newline="", encoding="utf-8") as handle:
                assert sum(1 for _ in csv.DictReader(handle)) == rows
        tab.assert_clean()


@pytest.mark.browser
def test_a_book_summed_up_at_a_phones_width_does_not_scroll_sideways(
    browser: Any, base: str, browser_book: Path
) -> None:
    from web_fakes import watching

    with watching(browser, base, viewport={"width": 375, "height": 800}) as tab:
        _sum_up(tab, browser_book, ("manheim_2007_09", "fitch_prime_severe_recovery", "manheim_2022_23"))
        width = tab.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"the page is {width} px wide at 375 px"
        tab.assert_clean()


def test_every_tool_lists_the_page_and_the_api_document_describes_it() -> None:
    async def go(path: str) -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=APP), base_url="http://t") as client:
            return await client.get(path)

    assert 'href="/portfolio"' in _run(go("/all")).text
    paths = _run(go("/openapi.json")).json()["paths"]
    body = paths["/api/portfolio"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert body["required"] == ["file"] and body["properties"]["file"]["format"] == "binary"
    assert set(paths["/api/portfolio.csv"]["post"]["responses"]) >= {"200", "413", "422"}


def test_a_book_running_does_not_hold_up_other_pages(base: str, tmp_path: Path) -> None:
    # Under `underwater serve` a book runs in processes of its own: a projection asked for while
    # a book of 300,000 loans runs is answered at once, not after the book.
    data = _csv_bytes(synth_book(300_000, seed=5))
    done: list[httpx.Response] = []

    def upload() -> None:
        files = {"file": ("big.csv", data, "text/csv")}
        done.append(httpx.post(f"{base}/api/portfolio", files=files, timeout=300))

    import threading

    sender = threading.Thread(target=upload)
    sender.start()
    answered_meanwhile: list[float] = []
    with httpx.Client(base_url=base, timeout=60) as client:
        while sender.is_alive():
            started = time.monotonic()
            answer = client.get("/api/project?owed=80000&value=60000&rate_percent=9&remaining_payments=48")
            assert answer.status_code == 200
            if sender.is_alive():
                answered_meanwhile.append(time.monotonic() - started)
            time.sleep(0.2)
    sender.join()
    assert done and done[0].status_code == 200 and done[0].json()["rows_in"] == 300_000
    assert answered_meanwhile, "the book ran too fast to ask anything meanwhile"
    assert min(answered_meanwhile) < 1.0, answered_meanwhile


@pytest.mark.browser
def test_a_file_over_50_mb_is_refused_in_the_page_before_it_is_sent(
    browser: Any, base: str, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    from web_fakes import watching

    large = tmp_path / "large.csv"
    with open(large, "wb") as handle:
        handle.truncate(UPLOAD_LIMIT + 1)
    with watching(browser, base, viewport={"width": 1280, "height": 900}) as tab:
        tab.goto("/portfolio")
        tab.page.set_input_files("#f-file", str(large))
        tab.page.click("#submit-portfolio")
        expect(tab.page.locator("#portfolio-answer .error-summary")).to_contain_text(
            "at most 52,428,800 bytes"
        )
        tab.page.click("#download-loans")
        assert [url for url in tab.requests if "/portfolio" in url] == [f"{base}/portfolio"]
        tab.assert_clean()


@pytest.mark.browser
def test_a_book_summed_up_without_javascript(
    browser: Any, base: str, browser_book: Path, tmp_path: Path
) -> None:
    # Without the script the form is posted and the summary comes back as a new page; the file
    # must then be chosen again to download, and the download works the same.
    from playwright.sync_api import expect

    from web_fakes import watching

    with watching(browser, base, java_script_enabled=False) as tab:
        page = tab.page
        tab.goto("/portfolio")
        page.set_input_files("#f-file", str(browser_book))
        page.check(f"input[name=stress][value={STRESS}]")
        with page.expect_navigation():
            page.click("#submit-portfolio")
        expect(page.locator("[data-key=rows_in]")).to_have_text("403")
        expect(page.locator(".chart-legend li").nth(1)).to_have_text(STRESS_TITLE)
        expect(page.locator(f"input[name=stress][value={STRESS}]")).to_be_checked()
        page.set_input_files("#f-file", str(browser_book))
        with page.expect_download() as caught:
            page.click("#download-rejects")
        saved = tmp_path / "rejects.csv"
        caught.value.save_as(saved)
        assert saved.read_text(encoding="utf-8").count("\n") == 1 + len(BAD_LINES)


@pytest.mark.browser
def test_the_summary_prints_without_the_form(browser: Any, base: str, browser_book: Path) -> None:
    from playwright.sync_api import expect

    from web_fakes import watching

    with watching(browser, base, viewport={"width": 816, "height": 1056}) as tab:
        _sum_up(tab, browser_book, (STRESS,))
        page = tab.page
        page.emulate_media(media="print")
        expect(page.locator("#portfolio-form")).to_be_hidden()
        expect(page.locator("#ran")).to_contain_text("book.csv, followed 60 months, beside 1 stress path")
        boxes = [page.locator(f"svg#{name}").bounding_box() for name in ("months-chart", "buckets-chart")]
        assert all(box is not None and box["width"] > 200 and box["height"] > 100 for box in boxes), boxes
        assert page.pdf(format="Letter").startswith(b"%PDF")
        tab.assert_clean()


# -- fuzzing the upload --------------------------------------------------------------------------

_CELLS = st.sampled_from([t for t in HOSTILE_TEXT if "\n" not in t and "\r" not in t] + ["1000", "6.9", "60"])


_SENDABLE = [t for t in HOSTILE_TEXT if not any(0xD800 <= ord(c) <= 0xDFFF for c in t)]
_curves = st.one_of(
    st.sampled_from([*_SENDABLE, CURVE, "x" * 10_000]),
    st.lists(
        st.tuples(
            st.sampled_from([*CLTV_BUCKETS, "le_90", "", "LE_80", "le_80 "]), st.sampled_from(_SENDABLE)
        ),
        min_size=1,
        max_size=7,
    ).map(lambda pairs: ",".join(f"{bucket}={odds}" for bucket, odds in pairs)),
)
"""A ``default_by_ltv`` a hostile client sends: hostile text, a real curve, 10,000 characters,
or buckets (real and not) paired with hostile probabilities."""


@st.composite
def _uploads(draw: st.DrawFn) -> tuple[str, bytes, dict[str, Any]]:
    """A file a hostile client sends: a book of hostile cells under the real header (or another
    header, or bytes that are no book), any name, and any horizon and stress preset."""
    kind = draw(st.sampled_from(["book", "header", "bytes"]))
    if kind == "bytes":
        data = draw(st.binary(max_size=300))
    else:
        columns = ["loan_id", "balance", "rate_percent", "remaining_payments", "value", "origination_date"]
        if kind == "header":
            columns = draw(st.lists(st.sampled_from([*columns, "x", "", "é"]), min_size=1, max_size=7))
        rows = draw(st.lists(st.lists(_CELLS, min_size=len(columns), max_size=len(columns)), max_size=5))
        sink = io.StringIO()
        writer = csv.writer(sink)
        writer.writerow(columns)
        writer.writerows(rows)
        data = sink.getvalue().encode("utf-8", "surrogatepass")
    stem = draw(st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12))
    name = stem + draw(st.sampled_from([".csv", ".parquet", ".CSV", ".txt", ""]))
    fields: dict[str, Any] = {}
    if draw(st.booleans()):
        fields["horizon"] = draw(st.sampled_from([*HOSTILE_TEXT[:30], "24", "600", "601"]))
    if draw(st.booleans()):
        fields["stress"] = [draw(st.sampled_from([STRESS, "nope", "", "٣"]))]
    if draw(st.booleans()):
        fields["default_by_ltv"] = draw(_curves)
    return name, data, fields


_ESCAPE = re.compile(r"\\(x[0-9a-f]{2}|u[0-9a-f]{4}|U[0-9a-f]{8}|[ntr])")


@settings(
    max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(_uploads())
def test_any_upload_is_answered_in_shape(upload: tuple[str, bytes, dict[str, Any]]) -> None:
    name, data, fields = upload
    response = _post("/api/portfolio", **_upload(name, data, **fields))
    assert response.status_code in (200, 413, 422), response.text
    body = response.json()
    if response.status_code == 200:
        assert body["rows_in"] == body["rows_out"] + body["rows_rejected"]
    else:
        assert body["ok"] is False and body["errors"] and body["errors"][0]["field"], body
        # An echo repeats at most 60 characters of the value (then "…"), each control character
        # written as its escape (a NUL as \x00): count an escape as the one character it stands for.
        assert all(len(_ESCAPE.sub("c", problem["got"] or "")) <= 61 for problem in body["errors"]), body
