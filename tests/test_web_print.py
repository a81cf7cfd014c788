"""Printing, in Debian's Chromium against ``underwater serve``: print media emulated, pages laid
out at the width of a sheet of Letter paper and printed to PDF.

A schedule prints every row; the chart's box never overlaps a table's; every folded section
opens for the paper (and folds again after); the form, the site's navigation and the path's
links stay off the paper while what was typed goes on it; and printing breaks no
Content-Security-Policy rule and logs no error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from web_fakes import SITUATIONS, TRUCK, Watch, chromium, path_pages, serving, watching

pytestmark = pytest.mark.browser

LETTER = {"width": 816, "height": 1056}
"""8.5 by 11 inches at the CSS 96 pixels an inch: the layout the PDF gets."""

SCHEDULE_72 = "/loan?principal=30000&rate_percent=9.5&n_payments=72"
"""The loan job's first example: 30,000.00 at 9.5 % over 72 monthly payments."""


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with serving() as url:
        yield url


@pytest.fixture(scope="module")
def browser(base: str) -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def tab(browser: Any, base: str) -> Iterator[Watch]:
    with watching(browser, base, viewport=LETTER) as watch:
        yield watch


def _pages_in(pdf: bytes) -> int:
    """The number of pages a PDF says it has (its page tree's ``/Count``)."""
    counts = [int(n) for n in re.findall(rb"/Count (\d+)", pdf)]
    assert pdf.startswith(b"%PDF-") and counts, "not a PDF with a page tree"
    return max(counts)


ROWS_SHOWN = """() => Array.from(document.querySelectorAll('#result table')).map(t => {
  const shown = rows => Array.from(rows).filter(r => r.getClientRects().length > 0);
  return {
    head: shown(t.querySelectorAll('thead tr')).length,
    numbers: shown(t.querySelectorAll('tbody tr')).map(r => r.cells[0].textContent.trim()),
  };
})"""
"""For each table of the result: its header rows laid out, and the first cell of each body row
laid out (a payment's number, or a row's name such as a total)."""


def test_a_72_payment_schedule_prints_every_row(tab: Watch) -> None:
    assert tab.goto(SCHEDULE_72).status == 200
    tab.page.emulate_media(media="print")
    tab.page.evaluate("window.dispatchEvent(new Event('beforeprint'))")  # as printing does
    tables = tab.page.evaluate(ROWS_SHOWN)
    schedule = max(tables, key=lambda t: len(t["numbers"]))
    payments = [int(n) for n in schedule["numbers"] if n.isdigit()]
    assert schedule["head"] == 1, tables
    assert payments == list(range(1, 73)), schedule
    assert _pages_in(tab.page.pdf(format="Letter")) >= 2
    tab.assert_clean()


BOXES = """() => {
  const box = el => { const r = el.getBoundingClientRect();
    return {x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height}; };
  return {
    charts: Array.from(document.querySelectorAll('#result svg.chart')).map(box),
    tables: Array.from(document.querySelectorAll('#result table'))
      .filter(t => t.getClientRects().length > 0).map(box),
    width: document.documentElement.clientWidth,
  };
}"""


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    """Whether two boxes share any area (touching edges do not count).

    >>> _overlap({"x": 0, "y": 0, "w": 10, "h": 10}, {"x": 5, "y": 9, "w": 10, "h": 10})
    True
    >>> _overlap({"x": 0, "y": 0, "w": 10, "h": 10}, {"x": 0, "y": 10, "w": 10, "h": 10})
    False
    """
    return (
        a["x"] < b["x"] + b["w"]
        and b["x"] < a["x"] + a["w"]
        and a["y"] < b["y"] + b["h"]
        and b["y"] < a["y"] + a["h"]
    )


CHART_PAGES = {
    "truck-surface": TRUCK.path()["surface"],
    "boat-surface": SITUATIONS[3].path()["surface"],
    "truck-never-again": TRUCK.path()["never_again"],
    # The value job's first example: a two-year-old car worth 20,000.00, 36 months ahead.
    "value": "/value?value=20000&asset_class=car&age_months=24&horizon_months=36",
}


@pytest.mark.parametrize("url", list(CHART_PAGES.values()), ids=list(CHART_PAGES))
def test_the_chart_does_not_overlap_a_table_on_paper(tab: Watch, url: str) -> None:
    assert tab.goto(url).status == 200
    tab.page.emulate_media(media="print")
    tab.page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    found = tab.page.evaluate(BOXES)
    assert len(found["charts"]) == 1 and found["tables"], found
    chart = found["charts"][0]
    assert chart["w"] > 300 and chart["h"] > 150, chart
    assert chart["x"] >= 0 and chart["x"] + chart["w"] <= found["width"] + 0.5, (chart, found["width"])
    for table in found["tables"]:
        assert not _overlap(chart, table), (chart, table)
    tab.assert_clean()


def test_folded_sections_open_for_the_paper_and_fold_again_after(tab: Watch) -> None:
    # The ways out fold each card's figures away; the form folds its details. On paper all
    # of it shows: the app's own script opens every <details> on beforeprint.
    tab.goto(TRUCK.path()["ways_out"])
    closed_before = tab.page.evaluate("document.querySelectorAll('details:not([open])').length")
    assert closed_before >= 3
    # Registered after app.js's own listeners, so these run after them.
    tab.page.evaluate(
        """() => { window.__print = [];
        const closed = () => document.querySelectorAll('details:not([open])').length;
        addEventListener('beforeprint', () => __print.push(['before', closed()]));
        addEventListener('afterprint', () => __print.push(['after', closed()])); }"""
    )
    assert _pages_in(tab.page.pdf(format="Letter")) >= 1
    assert tab.page.evaluate("window.__print") == [["before", 0], ["after", closed_before]]
    tab.assert_clean()


def test_the_paper_shows_the_answer_and_what_was_typed_not_the_form(tab: Watch) -> None:
    page = tab.page
    tab.goto(TRUCK.path()["surface"])
    assert page.locator("#job-form").is_visible()
    assert page.locator(".inputs-report").is_hidden()
    page.emulate_media(media="print")
    for hidden in ("#job-form", ".site-header", ".site-footer", "#steps", ".where", ".result-links"):
        assert page.locator(hidden).is_hidden(), hidden
    assert page.locator("#result").is_visible()
    typed = page.locator(".inputs-report").inner_text()
    for label in ("What it takes to pay the loan off today", "Interest rate, percent a year"):
        assert label in typed, typed
    assert "$80,000.00" in typed and "48" in typed  # amounts read back as dollars
    tab.assert_clean()


PRINTED = {**path_pages([TRUCK]), "loan-72": SCHEDULE_72}


@pytest.mark.parametrize("url", list(PRINTED.values()), ids=list(PRINTED))
def test_printing_breaks_no_rule_and_logs_no_error(tab: Watch, url: str) -> None:
    # The page's own securitypolicyviolation events (recorded from before its first script)
    # and the console are read after a real print to PDF, with its beforeprint and afterprint.
    tab.goto(url)
    tab.page.emulate_media(media="print")
    assert _pages_in(tab.page.pdf(format="Letter", print_background=True)) >= 1
    tab.assert_clean()
