"""Accessibility: axe-core scans every page of the path and every tool's page, empty, with a
result and with problems, in Debian's Chromium against ``underwater serve``.

axe-core is vendored (``tests/vendor/axe-core-<version>/``, from the npm registry, with its
licences): nothing is fetched while the tests run. It is injected with Playwright's
``add_script_tag``; the page's Content-Security-Policy forbids any script but the app's own, so
the scanning tab bypasses it (the other browser tests keep it and check it is never broken).
Every folded section is opened before a scan, so what sits behind "More details" is scanned
too. A page fails on any violation axe rates serious or critical; the failure lists each one
with the elements it found and axe's advice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from underwater.ops import operations
from web_fakes import (
    TRUCK,
    VARIANTS,
    Watch,
    cases,
    chromium,
    error_pages,
    path_pages,
    serving,
    tool_pages,
    watching,
)

pytestmark = pytest.mark.browser

AXE_VERSION = "4.14.1"
AXE = Path(__file__).resolve().parent / "vendor" / f"axe-core-{AXE_VERSION}" / "axe.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
"""Of ``axe.min.js`` as the npm package ships it (see SOURCE.md beside it)."""
BLOCKING = ("serious", "critical")

# The path of the seeds' truck (the other situations draw the same templates), every tool's
# page, the results that reach the rest of the result pages, and the pages that show problems.
PAGES = {**path_pages([TRUCK]), **tool_pages(), **VARIANTS, **error_pages(), "portfolio-empty": "/portfolio"}
EXAMPLE_BOOK = Path(__file__).resolve().parents[1] / "src/underwater/web/static/example-book.csv"

KNOWN: dict[str, str] = {}
"""Pages with a serious or critical violation found by this scan, waiting for a fix."""

SCAN = """async () => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary || ''})),
  }));
}"""


@pytest.fixture(scope="module")
def scanner() -> Iterator[Watch]:
    with serving() as base, chromium() as browser, watching(browser, base, bypass_csp=True) as tab:
        yield tab


def _readable(url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"{len(violations)} serious or critical accessibility violation(s) on {url}:"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} [{v['helpUrl']}]")
        for node in v["nodes"][:5]:
            summary = " ".join(node["summary"].split())
            lines.append(f"    at {node['target']}: {summary}")
        if len(v["nodes"]) > 5:
            lines.append(f"    … and {len(v['nodes']) - 5} more elements")
    return "\n".join(lines)


def test_axe_is_vendored_unchanged_with_its_licence() -> None:
    assert hashlib.sha256(AXE.read_bytes()).hexdigest() == AXE_SHA256
    assert AXE.read_text(encoding="utf-8").startswith(f"/*! axe v{AXE_VERSION}")
    licence = (AXE.parent / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("Mozilla Public License, version 2.0")


@pytest.mark.parametrize("url", cases(PAGES, KNOWN))
def test_no_serious_or_critical_violation(scanner: Watch, url: str) -> None:
    response = scanner.goto(url)
    assert response.status < 500, url
    scanner.page.add_script_tag(path=str(AXE))
    violations = [v for v in scanner.page.evaluate(SCAN) if v["impact"] in BLOCKING]
    assert not violations, _readable(url, violations)


@pytest.mark.parametrize(
    ("book", "stress", "curve"),
    [
        (EXAMPLE_BOOK, ("manheim_2007_09", "fitch_prime_severe_recovery"), ""),
        (
            EXAMPLE_BOOK,
            ("manheim_2007_09",),
            "le_80=0.005,80_100=0.01,100_120=0.02,120_140=0.035,gt_140=0.05",
        ),
        (Path(__file__), (), ""),
        (EXAMPLE_BOOK, (), "le_90=0.1"),
    ],
    ids=["portfolio-book", "portfolio-curve", "portfolio-errors", "portfolio-bad-curve"],
)
def test_no_violation_on_the_lenders_page_after_a_book(
    scanner: Watch, book: Path, stress: tuple[str, ...], curve: str
) -> None:
    # The summary (or the refusal, beside its field) is drawn into the page after the upload:
    # scanned as it is then.
    scanner.goto("/portfolio")
    scanner.page.set_input_files("#f-file", str(book))
    for name in stress:
        scanner.page.check(f"input[name=stress][value={name}]")
    scanner.page.fill("#f-default-by-ltv", curve)
    scanner.page.click("#submit-portfolio")
    scanner.page.wait_for_selector("#portfolio-answer .big-figure, #portfolio-answer .error-summary")
    scanner.page.add_script_tag(path=str(AXE))
    violations = [v for v in scanner.page.evaluate(SCAN) if v["impact"] in BLOCKING]
    assert not violations, _readable(f"/portfolio with {book.name}", violations)


def test_the_scan_sees_a_violation(scanner: Watch) -> None:
    # The clean scans above would be empty promises if axe ran on nothing: an image without
    # any text alternative, added to a real page, is a critical violation.
    scanner.goto("/")
    scanner.page.add_script_tag(path=str(AXE))
    scanner.page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"/static/favicon.svg\">')"
    )
    found = {v["id"]: v["impact"] for v in scanner.page.evaluate(SCAN)}
    assert found.get("image-alt") == "critical", found


def test_the_scan_covers_the_path_and_every_tool() -> None:
    names = set(PAGES)
    assert {f"truck-{key}" for key in TRUCK.path()} <= names
    assert {"truck-surface-asked", "home-errors", "not-found", "all"} <= names
    for job in operations():
        assert {f"{job}-empty", f"{job}-1", f"{job}-errors"} <= names, job
