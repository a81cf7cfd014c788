"""The web app in a real browser (Debian's Chromium via Playwright) against real servers.

One server is the shipped command, ``python -m underwater serve``; the other serves the real
jobs plus the test jobs of ``web_fakes`` (a projection to draw before the real ``project``
job exists) with uvicorn. Every test also checks that the page made no request beyond
127.0.0.1, logged no console error and broke no Content-Security-Policy rule.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, expect, sync_playwright

from underwater.ops import operations
from web_fakes import example_pairs, registry

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Installed before any page script runs (through the DevTools protocol, so the page's CSP
# does not apply to it): records every Content-Security-Policy violation the page reports.
CSP_WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    """A server in a child process, with its output kept for failure messages."""

    def __init__(self, command: list[str], port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.log = tempfile.NamedTemporaryFile(prefix="underwater-web-", suffix=".log", delete=False)  # noqa: SIM115
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(command, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 30
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited with {self.proc.returncode}:\n{self.output()}")
            try:
                if httpx.get(self.base + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"server did not answer within 30 s:\n{self.output()}")
            time.sleep(0.1)

    def output(self) -> str:
        return Path(self.log.name).read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    port = _free_port()
    running = Server(
        [sys.executable, "-m", "underwater", "serve", "--host", "127.0.0.1", "--port", str(port)], port
    )
    yield running
    running.stop()


@pytest.fixture(scope="module")
def fake_server() -> Iterator[Server]:
    port = _free_port()
    command = [sys.executable, "-m", "uvicorn", "--app-dir", "tests", "web_fakes:app"]
    running = Server([*command, "--host", "127.0.0.1", "--port", str(port)], port)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    chromium = shutil.which("chromium")
    assert chromium is not None, "the browser tests need Debian's chromium: apt-get install -y chromium"
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Watch:
    """What a page did besides rendering: requests, console messages, errors."""

    page: Page
    server: Server
    requests: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def goto(self, path: str) -> None:
        response = self.page.goto(self.server.base + path)
        assert response is not None

    def assert_clean(self, allowed_console: tuple[str, ...] = ()) -> None:
        context = f"\n--- server output ---\n{self.server.output()}"
        outside = [u for u in self.requests if not u.startswith("http://127.0.0.1:")]
        assert outside == [], f"requests left 127.0.0.1: {outside}{context}"
        console = [m for m in self.console if not any(a in m for a in allowed_console)]
        assert console == [], f"console errors/warnings: {console}{context}"
        assert self.errors == [], f"page errors: {self.errors}{context}"
        csp = self.page.evaluate("window.__csp")
        assert csp == [], f"CSP violations: {csp}{context}"


def _watch(browser: Browser, server: Server, **context_args: Any) -> Iterator[Watch]:
    context = browser.new_context(**context_args)
    context.add_init_script(CSP_WATCH)
    page = context.new_page()
    watch = Watch(page, server)

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            watch.console.append(f"{message.type}: {message.text}")

    def on_request(request: Request) -> None:
        watch.requests.append(request.url)

    page.on("console", on_console)
    page.on("request", on_request)
    page.on("pageerror", lambda exc: watch.errors.append(str(exc)))
    yield watch
    context.close()


@pytest.fixture
def tab(browser: Browser, server: Server) -> Iterator[Watch]:
    yield from _watch(browser, server)


@pytest.fixture
def fake_tab(browser: Browser, fake_server: Server) -> Iterator[Watch]:
    yield from _watch(browser, fake_server)


def _result_figure(page: Page) -> str:
    return page.locator("#result td[data-key='negative_equity']").inner_text()


def test_fill_the_equity_form_and_share_the_url(tab: Watch, browser: Browser) -> None:
    # Two liens, 150,000 + 30,000, on a home worth 170,000: 10,000.00 under water.
    page = tab.page
    tab.goto("/equity")
    page.fill("#f-owed", "150000")
    page.click("button.add-another[data-add='owed']")
    page.fill("#f-owed-2", "30000")
    page.fill("#f-value", "170000")
    page.evaluate("window.__same_page = true")
    page.click("#submit-equity")
    page.wait_for_selector("#result .headline")
    assert page.locator("#result .headline strong.figure").inner_text() == "$10,000.00"
    assert _result_figure(page) == "10,000.00"
    assert page.locator("#result td[data-key='cltv']").inner_text() == "1.0588"
    # htmx swapped the result in: no full reload, and the address bar holds the inputs.
    assert page.evaluate("window.__same_page") is True
    url = urlsplit(page.url)
    assert url.path == "/equity"
    assert parse_qsl(url.query) == [
        ("owed", "150000"),
        ("owed", "30000"),
        ("value", "170000"),
        ("value_source", "market"),
    ]
    tab.assert_clean()

    # The shared URL, opened fresh, renders the same result on the server.
    for shared in _watch(browser, tab.server):
        shared.page.goto(page.url)
        assert _result_figure(shared.page) == "10,000.00"
        assert [i.input_value() for i in shared.page.locator("input[name='owed']").all()] == [
            "150000",
            "30000",
            "",
        ]
        shared.assert_clean()


def test_the_form_works_without_javascript(browser: Browser, server: Server) -> None:
    for tab in _watch(browser, server, java_script_enabled=False):
        page = tab.page
        tab.goto("/equity")
        assert all(button.is_hidden() for button in page.locator("button.add-another").all())
        page.fill("#f-owed", "18000")
        page.fill("#f-value", "15000")
        with page.expect_navigation():
            page.click("#submit-equity")
        assert _result_figure(page) == "3,000.00"
        assert urlsplit(page.url).path == "/equity"
        assert ("owed", "18000") in parse_qsl(urlsplit(page.url).query)
        # Without JavaScript, a repeatable input still offers one spare box each time.
        assert page.locator("input[name='owed']").count() == 2


def test_bad_input_is_shown_beside_the_field(tab: Watch) -> None:
    page = tab.page
    tab.goto("/equity")
    page.fill("#f-owed", "18000")
    page.fill("#f-value", "-5")
    page.click("#submit-equity")
    page.wait_for_selector("#f-value-error")
    assert page.locator("#f-value").get_attribute("aria-invalid") == "true"
    assert "f-value-error" in (page.locator("#f-value").get_attribute("aria-describedby") or "")
    assert "must not be negative" in page.locator("#f-value-error").inner_text()
    assert "value: must not be negative" in page.locator("#result .error-summary").inner_text()
    # Chromium logs the 422 itself as a failed resource; nothing else may appear.
    tab.assert_clean(allowed_console=("status of 422",))


def test_print_view_shows_the_report_not_the_form(tab: Watch) -> None:
    page = tab.page
    tab.goto("/equity?owed=150000&owed=30000&value=170000")
    assert page.locator("#job-form").is_visible()
    assert page.locator(".inputs-report").is_hidden()
    page.emulate_media(media="print")
    assert page.locator("#job-form").is_hidden()
    assert page.locator(".site-header").is_hidden()
    assert page.locator("#result").is_visible()
    assert page.locator(".inputs-report").is_visible()
    assert "150000, 30000" in page.locator(".inputs-report").inner_text()
    assert _result_figure(page) == "10,000.00"
    tab.assert_clean()


PHONE_PAGES = ["/", *(f"/{name}" for name in operations())]


def test_phone_width_has_no_horizontal_scroll(browser: Browser, server: Server) -> None:
    # Every job's page, empty and with its first example's result (long tables included).
    paths = list(PHONE_PAGES)
    for name, op in operations().items():
        _, pairs = example_pairs(op.examples[0])
        paths.append(f"/{name}?{urlencode(pairs)}")
    for tab in _watch(browser, server, viewport={"width": 375, "height": 740}):
        for path in paths:
            tab.goto(path)
            width = tab.page.evaluate("document.documentElement.scrollWidth")
            assert width <= 375, f"{path} is {width} px wide"
        tab.assert_clean()


def test_projection_chart_is_drawn(fake_tab: Watch) -> None:
    page = fake_tab.page
    fake_tab.goto("/project")
    page.fill("#f-owed", "20000")
    page.fill("#f-value", "15000")
    page.click("#submit-project")  # through htmx: the chart must be drawn after the swap too
    page.wait_for_selector("#projection-chart[data-drawn='true']")
    box = page.locator("#projection-chart").bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 100
    chart = page.evaluate(
        """() => {
          const canvas = document.getElementById('projection-chart');
          const chart = Chart.getChart(canvas);
          const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
          let painted = 0;
          for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) painted++; }
          return {
            labels: chart.data.labels.length,
            datasets: chart.data.datasets.map(d => d.label),
            crossover: chart.data.datasets[2].data.findIndex(v => v !== null),
            fill: chart.data.datasets[0].fill.target,
            painted: painted,
          };
        }"""
    )
    # 20,000 paid down over 24 months against 15,000 losing 200 a month meet in month 8.
    assert chart["labels"] == 25
    assert chart["datasets"] == ["Owed", "Value", "Crossover"]
    assert chart["crossover"] == 8
    assert chart["fill"] == 1
    assert chart["painted"] > 1000
    fake_tab.assert_clean()


def test_projection_chart_from_a_shared_url(fake_tab: Watch) -> None:
    page = fake_tab.page
    fake_tab.goto("/project?owed=20000&value=15000&months=24")
    page.wait_for_selector("#projection-chart[data-drawn='true']")
    assert page.locator("#result .headline").inner_text().startswith("Back above water in month 8")
    assert "project" in registry()
    fake_tab.assert_clean()


def test_the_csp_watch_catches_an_inline_script(tab: Watch) -> None:
    # The clean-page checks above would be empty promises if a violation went unseen.
    tab.goto("/equity")
    with pytest.raises(Exception, match=r"Content Security Policy|Refused"):
        tab.page.add_script_tag(content="window.__ran = true")
    assert tab.page.evaluate("window.__ran === undefined")
    assert tab.page.evaluate("window.__csp.length") >= 1
    assert any("Content Security Policy" in m for m in tab.console)


def test_the_real_projection_draws_its_chart(tab: Watch) -> None:
    _, pairs = example_pairs(operations()["project"].examples[0])
    tab.goto(f"/project?{urlencode(pairs)}")
    tab.page.wait_for_selector("#projection-chart[data-drawn='true']")
    months = tab.page.evaluate(
        "Chart.getChart(document.getElementById('projection-chart')).data.labels.length"
    )
    expected = httpx.get(f"{tab.server.base}/api/project", params=pairs).json()
    assert months == len(expected["months"])
    tab.assert_clean()


def test_back_button_returns_to_the_previous_result(tab: Watch) -> None:
    page = tab.page
    tab.goto("/equity")
    page.fill("#f-owed", "18000")
    page.fill("#f-value", "15000")
    page.click("#submit-equity")
    expect(page.locator("#result td[data-key='negative_equity']")).to_have_text("3,000.00")
    page.fill("#f-owed", "19000")
    page.fill("#f-value", "15500")
    page.click("#submit-equity")
    expect(page.locator("#result td[data-key='negative_equity']")).to_have_text("3,500.00")
    page.go_back()
    expect(page.locator("#result td[data-key='negative_equity']")).to_have_text("3,000.00")
    assert ("owed", "18000") in parse_qsl(urlsplit(page.url).query)
    assert page.locator("#f-owed").input_value() == "18000"
    tab.assert_clean()
