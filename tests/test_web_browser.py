"""The web app in a real browser (Debian's Chromium via Playwright) against ``underwater serve``.

The path on the seeds' truck, from the home page to the sheet for the lender, following the
pages' own links; the add and remove buttons of a repeatable input; every bad field flagged at
once; a warning for a rate that is legal but unlikely; the path without JavaScript; pages at a
phone's width. Every tab also checks that the page asked nothing of any host but the app's,
logged no console error and broke no Content-Security-Policy rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from underwater.money import format_money_human
from web_fakes import TRUCK, Watch, chromium, path_pages, serving, tool_pages, watching

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with serving() as url:
        yield url


@pytest.fixture(scope="module")
def browser(base: str) -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def tab(browser: Browser, base: str) -> Iterator[Watch]:
    with watching(browser, base) as watch:
        yield watch


def _query(page: Page) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(page.url).query)


def _follow(page: Page, label: str) -> None:
    """Follow the path's link named ``label`` and wait for the page it opens."""
    with page.expect_navigation():
        page.locator("#steps a", has_text=label).click()


def _api(base: str, job: str, pairs: list[tuple[str, str]]) -> Any:
    response = httpx.get(f"{base}/api/{job}", params=[(k, v) for k, v in pairs if not k.startswith("_")])
    assert response.status_code == 200, response.text
    return response.json()


def _dollars(amount: str) -> str:
    return "$" + format_money_human(Decimal(amount))


def _start_with_the_truck(tab: Watch) -> None:
    """Type the seeds' truck on the home page and see where it stands.

    Seed 000 (FreightWaves, "Upside Down and Under Pressure"): a $80,000 loan balance on a
    truck that would fetch $60,000 is $20,000 under water."""
    page = tab.page
    tab.goto("/")
    page.fill("#f-owed", "80000")
    page.fill("#f-value", "60000")
    page.select_option("#f-asset_class", "class8_sleeper")
    with page.expect_navigation():
        page.click("#submit-home")
    expect(page.locator("#result .big-figure")).to_have_text("$20,000.00 under water")


def _give_the_loan(page: Page, rate: str = "9", payments: str = "48") -> None:
    page.fill("#f-rate_percent", rate)
    page.fill("#f-remaining_payments", payments)
    with page.expect_navigation():
        page.click("#submit-project")


def test_the_path_on_the_seeds_truck(tab: Watch, browser: Browser) -> None:
    page = tab.page
    _start_with_the_truck(tab)
    home = [("owed", "80000"), ("value", "60000"), ("asset_class", "class8_sleeper")]
    assert _query(page) == home

    # When will I surface? What was typed is filled in; it asks for the rate and payments left.
    _follow(page, "When will I surface?")
    assert urlsplit(page.url).path == "/project"
    assert page.locator("#f-owed").input_value() == "80000"
    assert page.locator("#f-value").input_value() == "60000"
    assert page.locator("#f-asset_class").input_value() == "class8_sleeper"
    for asked in ("#f-rate_percent", "#f-remaining_payments"):
        expect(page.locator(asked)).to_be_visible()
        expect(page.locator(asked)).to_have_value("")
    assert page.locator("[aria-invalid='true']").count() == 0
    assert page.locator(".error-summary").count() == 0

    _give_the_loan(page)
    typed = [(k, v) for k, v in _query(page) if not k.startswith("_")]
    assert sorted(typed) == sorted([*home, ("rate_percent", "9"), ("remaining_payments", "48")])
    projection = _api(tab.base, "project", typed)
    expect(page.locator("#result [data-key='negative_equity_today']")).to_have_text("$20,000.00")
    expect(page.locator("#projection-chart")).to_be_visible()
    assert f"surfaces, month {projection['crossover_month']}" in (
        page.locator("#projection-chart").text_content() or ""
    )
    assert page.locator("#result table[data-key='months'] tbody tr").count() == len(projection["months"])

    # What are my ways out? Cards on one footing, keeping the truck ranked above a repossession.
    _follow(page, "What are my ways out?")
    assert urlsplit(page.url).path == "/options"
    assert sorted(_query(page)) == sorted(typed)
    keep = page.locator("#exit-keep-paying .rank").inner_text()
    repossession = page.locator("#exit-repossession .rank").inner_text()
    assert int(keep) < int(repossession)
    options = _api(tab.base, "options", typed)
    worked = [e for e in options["exits"] if e["available"]]
    assert page.locator(".cards .exit-card").count() == len(worked)

    # What would the lender accept? A current borrower who can pay: nothing less than in full.
    _follow(page, "What would the lender accept?")
    assert ("_view", "lender") in _query(page)
    band = options["settlement_range"]
    assert band["lender_floor"] is None and band["alternative"]["kind"] == "paid_as_agreed"
    expect(page.locator("#settlement .big-figure")).to_have_text("No reason for the lender to take less")
    # One who cannot keep paying faces a repossession: then a range of lump sums both can take.
    short = [*typed, ("monthly_budget", "1000"), ("cash_available", "3000")]
    page.goto(f"{tab.base}/options?{urlencode([*short, ('_view', 'lender')])}")
    band = _api(tab.base, "options", short)["settlement_range"]
    assert band["lender_floor"] is not None
    expect(page.locator("#settlement .big-figure")).to_have_text(
        f"Any lump sum from {_dollars(band['lender_floor'])} to {_dollars(band['borrower_ceiling'])}"
    )
    page.go_back()

    # What if it is repossessed? The deficiency the lender's sale would leave.
    _follow(page, "What if it is repossessed?")
    assert urlsplit(page.url).path == "/deficiency"
    assert page.locator("#f-owed").input_value() == "80000"
    deficiency = _api(tab.base, "deficiency", home)
    assert format_money_human(Decimal(deficiency["deficiency"])) in page.locator("#result").inner_text()

    # A sheet to take to the lender, printed to PDF.
    _follow(page, "A sheet to take to the lender")
    assert urlsplit(page.url).path == "/sheet"
    for exit_ in worked:
        expect(page.locator(".sheet-table")).to_contain_text(exit_["title"])
    page.emulate_media(media="print")
    assert page.locator("#steps").is_hidden() and page.locator(".site-header").is_hidden()
    pdf = page.pdf(format="Letter")
    assert pdf.startswith(b"%PDF-") and len(pdf) > 5000
    tab.assert_clean()

    # The address is the whole situation: opened in a fresh tab it shows the same sheet.
    with watching(browser, tab.base) as fresh:
        fresh.page.goto(page.url)
        for exit_ in worked:
            expect(fresh.page.locator(".sheet-table")).to_contain_text(exit_["title"])
        fresh.assert_clean()


def test_several_loans_are_added_and_removed(tab: Watch) -> None:
    # Seed 002, example 8: a $150,000 first mortgage and a $30,000 HELOC on a $170,000 home
    # are $10,000 under water.
    page = tab.page
    tab.goto("/equity")
    folded = page.locator("details:has(#w-owed)")
    if folded.count():
        folded.locator("> summary").click()
    add = page.locator("button.add-another[data-add='owed']")
    expect(add).to_be_visible()
    expect(page.locator("#w-owed button.remove-item")).to_be_hidden()
    page.fill("#f-owed", "150000")
    add.click()
    expect(page.locator("#f-owed-2")).to_be_focused()
    page.fill("#f-owed-2", "99999")
    add.click()
    page.fill("#f-owed-3", "30000")
    assert page.locator("#w-owed .repeat-item").count() == 3
    page.locator("#w-owed .repeat-item").nth(1).locator("button.remove-item").click()
    assert [b.input_value() for b in page.locator("input[name='owed']").all()] == ["150000", "30000"]
    # Renumbered: the boxes' ids, their labels and the remove buttons' names follow.
    assert page.locator("input[name='owed']").nth(1).get_attribute("id") == "f-owed-2"
    name = page.locator("#w-owed legend").evaluate("l => l.firstChild.textContent.trim()")
    expect(page.locator("label[for='f-owed-2']")).to_have_text(f"{name}, number 2")
    remove_names = [b.get_attribute("aria-label") for b in page.locator("#w-owed button.remove-item").all()]
    assert remove_names == [f"Remove {name.lower()} number 1", f"Remove {name.lower()} number 2"]
    page.fill("#f-value", "170000")
    with page.expect_navigation():
        page.click("#submit-equity")
    assert [v for k, v in _query(page) if k == "owed"] == ["150000", "30000"]
    expect(page.locator("#result [data-key='total_owed']")).to_have_text("$180,000.00")
    expect(page.locator("#result [data-key='negative_equity']")).to_have_text("$10,000.00")
    tab.assert_clean()


def test_every_bad_field_is_flagged_at_once(tab: Watch) -> None:
    page = tab.page
    tab.goto("/project?owed=80000&value=60000&asset_class=class8_sleeper")
    page.fill("#f-owed", "abc")
    page.fill("#f-value", "-1")
    page.fill("#f-rate_percent", "nine")
    page.fill("#f-remaining_payments", "4.5")
    with page.expect_navigation():
        page.click("#submit-project")
    bad = ["owed", "value", "rate_percent", "remaining_payments"]
    for name in bad:
        box = page.locator(f"#f-{name}")
        expect(box).to_have_attribute("aria-invalid", "true")
        message = page.locator(f"#w-{name} #f-{name}-error")
        expect(message).to_be_visible()
        assert message.inner_text().strip(), name
        assert f"f-{name}-error" in (box.get_attribute("aria-describedby") or "").split()
    assert page.locator("[aria-invalid='true']").count() == len(bad)
    summary = page.locator("#result .error-summary[role='alert']")
    expect(summary).to_be_visible()
    links = [a.get_attribute("href") for a in summary.locator("a").all()]
    assert sorted(links) == sorted(f"#f-{n}" for n in bad)
    # Each summary line leads to its field.
    summary.locator("a[href='#f-rate_percent']").click()
    assert urlsplit(page.url).fragment == "f-rate_percent"
    expect(page.locator("#f-rate_percent")).to_be_in_viewport()
    tab.assert_clean(allowed_console=("status of 422",))


def test_a_500_percent_rate_gets_a_warning_and_an_answer(tab: Watch) -> None:
    page = tab.page
    tab.goto(TRUCK.path()["surface"])
    page.fill("#f-rate_percent", "500")
    with page.expect_navigation() as navigation:
        page.click("#submit-project")
    response = navigation.value
    assert response is not None and response.status == 200
    warning = page.locator("#result .warnings")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Interest rate, percent a year")
    expect(warning).to_contain_text("500")
    expect(page.locator("#f-rate_percent")).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#projection-chart")).to_be_visible()
    tab.assert_clean()


def test_a_daily_loan_paid_late_shows_what_the_habit_costs(tab: Watch) -> None:
    page = tab.page
    car = "owed=28000&value=24000&age_months=12&rate_percent=9&remaining_payments=60&start_date=2026-12-07"
    tab.goto("/project?" + car)
    page.locator("#job-form details").evaluate_all("ds => ds.forEach(d => { d.open = true; })")
    page.select_option("#f-interest_method", "daily")
    page.fill("#f-days_late", "12")
    page.fill("#f-late_fee", "25")
    with page.expect_navigation():
        page.click("#submit-project")
    query = _query(page)
    # The choices changed are in the address; those left at their default or blank are not.
    assert ("interest_method", "daily") in query and ("days_late", "12") in query
    assert not any(k in ("day_count", "per_diem_places", "pay_twice_monthly") for k, _ in query)
    answer = _api(tab.base, "project", [(k, v) for k, v in query if not k.startswith("_")])
    habit = answer["habit"]
    assert Decimal(habit["extra_cost"]) > 0 and habit["crossover_with_habit"] > habit["crossover_on_time"]
    section = page.locator("#result [data-key='habit']")
    expect(section).to_be_visible()
    expect(section.locator("[data-key='extra_cost']")).to_have_text(_dollars(habit["extra_cost"]))
    expect(section).to_contain_text(f"in month {habit['crossover_with_habit']}")
    tab.assert_clean()


def test_a_statement_is_pasted_or_read_from_a_file_and_checked(tab: Watch, tmp_path: Path) -> None:
    page = tab.page
    tab.goto("/statement")
    # Ford Credit's example: $10,000 at 12 %, $300 after 30 days, $98.61 of interest.
    page.fill(
        "#f-rows",
        "Date,Payment,Interest,Principal,Balance\n2025-01-01,0,,,10000.00\n2025-01-31,300,98.61,201.39,9798.61",
    )
    page.fill("#f-rate_percent", "12")
    with page.expect_navigation() as navigation:
        page.click("#submit-statement")
    response = navigation.value
    assert response is not None and response.request.method == "POST" and response.status == 200
    assert urlsplit(page.url).query == ""  # the rows stay out of the address
    expect(page.locator("#result [data-key='fits']")).to_have_text("It matches, to the cent")
    expect(page.locator("#result [data-key='per_diem_places']")).to_have_text("3 decimals")
    expect(page.locator("#f-rows")).to_have_value(
        "Date,Payment,Interest,Principal,Balance\n2025-01-01,0,,,10000.00\n2025-01-31,300,98.61,201.39,9798.61"
    )
    # A file picked beside the box is read into it in the browser; a row that is off is named.
    export = tmp_path / "statement.csv"
    export.write_text(
        "2025-01-01,0,10000.00\n2025-01-31,300,98.61,201.39,0,9798.61\n2025-03-02,300,99.00,201.00,0,9597.61\n"
    )
    tab.goto("/statement?rate_percent=12")
    expect(page.locator(".file-pick")).to_be_visible()
    page.set_input_files("#f-rows-file", str(export))
    expect(page.locator("#f-rows")).to_have_value(export.read_text().rstrip("\n") + "\n")
    expect(page.locator(".file-note")).to_contain_text("Read statement.csv into the box")
    with page.expect_navigation():
        page.click("#submit-statement")
    expect(page.locator("#result [data-key='fits']")).to_have_text("It does not match any way we know")
    expect(page.locator("#result [data-key='disagreeing_lines']")).to_have_text("3")
    expect(page.locator("#result tr.off-row")).to_have_count(1)
    tab.assert_clean()


def test_the_statement_answer_leads_to_the_projection_paid_that_way(tab: Watch) -> None:
    page = tab.page
    tab.goto("/statement")
    page.fill(
        "#f-rows",
        "2025-02-01,0,19737.71\n2025-03-01,415.17,136.27,278.90,0,19458.81\n2025-04-01,415.17,148.74,266.43,0,19192.38",
    )
    page.fill("#f-rate_percent", "9")
    with page.expect_navigation():
        page.click("#submit-statement")
    with page.expect_navigation():
        page.click("#result a[data-key='carry']")
    query = dict(_query(page))
    assert urlsplit(page.url).path == "/project"
    assert query["interest_method"] == "daily" and query["per_diem_places"] == "4"
    assert query["owed"] == "19192.38" and query["start_date"] == "2025-04-01"
    expect(page.locator("#f-value")).to_be_visible()  # what it would fetch is still to be given
    tab.assert_clean()


def test_a_lease_leads_from_the_home_page_to_where_the_lease_stands(tab: Watch) -> None:
    page = tab.page
    tab.goto("/")
    page.fill("#f-owed", "15847.45")
    page.fill("#f-value", "15200")
    page.select_option("#f-deal", "lease")
    with page.expect_navigation():
        page.click("#submit-home")
    expect(page.locator("#result .big-figure")).to_have_text("$647.45 under water")
    with page.expect_navigation():
        page.click("#steps a:has-text('Where does my lease stand?')")
    query = dict(_query(page))
    assert urlsplit(page.url).path == "/lease" and query["lessor_payoff"] == "15847.45"
    # The Board's sample lease, two years in.
    for name, value in (
        ("lease_payment", "244.69"),
        ("lease_residual", "12350"),
        ("lease_term_months", "48"),
        ("payments_made", "24"),
    ):
        page.fill(f"#f-{name}", value)
    page.locator("#job-form details").evaluate_all("ds => ds.forEach(d => { d.open = true; })")
    page.fill("#f-gross_cap_cost", "22300")
    page.fill("#f-cap_cost_reduction", "3500")
    page.fill("#f-disposition_fee", "400")
    with page.expect_navigation():
        page.click("#submit-lease")
    answer = _api(tab.base, "lease", [(k, v) for k, v in _query(page) if not k.startswith("_")])
    assert answer["buyout_quoted"] and answer["equity_today"] == "-647.45"
    expect(page.locator("#result [data-key='equity_today']")).to_have_text("$647.45")
    expect(page.locator("#result #way-end-early-now [data-key='cash_now']")).to_have_text(
        _dollars(answer["ways"][3]["cash_now"])
    )
    assert page.locator("#result table[data-key='months'] tbody tr").count() == len(answer["months"])
    tab.assert_clean()


def test_a_daily_interest_loan_carries_along_the_path(tab: Watch) -> None:
    page = tab.page
    tab.goto("/")
    page.fill("#f-owed", "28000")
    page.fill("#f-value", "24000")
    page.select_option("#f-deal", "daily")
    with page.expect_navigation():
        page.click("#submit-home")
    expect(page.locator("#result .lead-on a[href='/statement']")).to_be_visible()
    with page.expect_navigation():
        page.click("#steps a:has-text('When will I surface?')")
    assert ("interest_method", "daily") in _query(page) and ("deal", "daily") not in _query(page)
    expect(page.locator("#f-interest_method")).to_have_value("daily")
    tab.assert_clean()


def test_the_path_works_without_javascript(browser: Browser, base: str) -> None:
    with watching(browser, base, java_script_enabled=False) as tab:
        page = tab.page
        _start_with_the_truck(tab)
        _follow(page, "When will I surface?")
        _give_the_loan(page)
        expect(page.locator("#result [data-key='negative_equity_today']")).to_have_text("$20,000.00")
        expect(page.locator("#projection-chart")).to_be_visible()
        _follow(page, "What are my ways out?")
        assert page.locator(".exit-card").count() > 0
        # The print buttons and add-one-more buttons need the script: without it they stay
        # hidden, and a repeatable input offers a spare box on every submission instead.
        tab.goto("/equity?owed=150000&value=170000")
        assert all(b.is_hidden() for b in page.locator("button.add-another, button.print-button").all())
        assert [b.input_value() for b in page.locator("input[name='owed']").all()] == ["150000", ""]
        page.fill("#f-owed-2", "30000")
        with page.expect_navigation():
            page.click("#submit-equity")
        expect(page.locator("#result [data-key='negative_equity']")).to_have_text("$10,000.00")
        assert page.locator("input[name='owed']").count() == 3
        # Folded sections still open: <details> needs no script.
        tab.goto(TRUCK.path()["ways_out"])
        details = page.locator("#job-form details.more").first
        details.locator("summary").click()
        expect(details).to_have_attribute("open", "")


PHONE_PAGES = {**path_pages([TRUCK]), **tool_pages(every_example=True)}


def test_at_a_phone_width_nothing_scrolls_sideways(browser: Browser, base: str) -> None:
    with watching(browser, base, viewport={"width": 375, "height": 740}) as tab:
        wide = {}
        for name, path in PHONE_PAGES.items():
            tab.goto(path)
            width = tab.page.evaluate("document.documentElement.scrollWidth")
            if width > 375:
                wide[name] = width
        assert wide == {}, f"pages wider than the phone (375 px): {wide}"
        tab.assert_clean()


def test_the_csp_watch_catches_an_inline_script(tab: Watch) -> None:
    # The clean-page checks above would be empty promises if a violation went unseen.
    tab.goto("/equity")
    with pytest.raises(Exception, match=r"Content Security Policy|Refused"):
        tab.page.add_script_tag(content="window.__ran = true")
    assert tab.page.evaluate("window.__ran === undefined")
    assert tab.page.evaluate("window.__csp.length") >= 1
    with pytest.raises(AssertionError, match=r"Content-Security-Policy|console"):
        tab.assert_clean()


def test_the_request_watch_catches_a_request_elsewhere(browser: Browser, base: str) -> None:
    # With the page's CSP out of the way, a request to another host is made, seen and refused.
    with watching(browser, base, bypass_csp=True) as tab:
        tab.goto("/")
        with tab.page.expect_request("http://192.0.2.1/**"):
            tab.page.evaluate("new Image().src = 'http://192.0.2.1/x.png'")
        with pytest.raises(AssertionError, match="requests left the app"):
            tab.assert_clean()


@pytest.mark.parametrize("width", [1280, 375])
def test_the_seeds_heloc_walks_from_the_home_page_to_the_sheet(
    browser: Browser, base: str, width: int
) -> None:
    # Seed 002, example 8: a $150,000 first mortgage and a $30,000 HELOC on a home worth
    # $170,000 are $10,000 under water, counting both loans.
    with watching(browser, base, viewport={"width": width, "height": 900}) as tab:
        page = tab.page
        tab.goto("/")
        page.fill("#f-owed", "150000")
        page.fill("#f-lien2_owed", "30000")
        page.fill("#f-value", "170000")
        page.select_option("#f-asset_class", "home")
        with page.expect_navigation():
            page.click("#submit-home")
        expect(page.locator("#result .big-figure")).to_have_text("$10,000.00 under water")
        expect(page.locator("#result [data-key='cltv']")).to_have_text("106 %")

        _follow(page, "When will I surface?")
        assert page.locator("#f-lien2_owed").input_value() == "30000"
        page.locator("#job-form details").evaluate_all("ds => ds.forEach(d => { d.open = true; })")
        page.select_option("#f-lien2_kind", "heloc")
        for name, value in (
            ("rate_percent", "6.5"),
            ("remaining_payments", "300"),
            ("lien2_rate_percent", "8.5"),
            ("lien2_remaining_payments", "240"),
            ("lien2_draw_months", "36"),
        ):
            page.fill(f"#f-{name}", value)
        with page.expect_navigation():
            page.click("#submit-project")
        typed = [(k, v) for k, v in _query(page) if not k.startswith("_")]
        projection = _api(tab.base, "project", typed)
        # Both balances are owed each month: month 0 owes $180,000.
        assert projection["months"][0]["owed"] == "180000.00"
        expect(page.locator("#result [data-key='negative_equity_today']")).to_have_text("$10,000.00")

        _follow(page, "What are my ways out?")
        options = _api(tab.base, "options", typed)
        assert options["home"] and options["cltv"] == "1.0588"
        expect(page.locator("#result [data-key='other_liens']")).to_have_text("$30,000.00")
        for name in ("deed-in-lieu", "modification", "forbearance", "keep-paying"):
            expect(page.locator(f"#exit-{name}")).to_be_visible()
        assert page.locator("#exit-trade-in, #exit-repossession").count() == 0

        _follow(page, "What if it is foreclosed?")
        assert urlsplit(page.url).path == "/options" and urlsplit(page.url).fragment == "exit-foreclosure"

        _follow(page, "A sheet to take to the lender")
        expect(page.locator(".sheet")).to_contain_text("Questions to ask the servicer")
        expect(page.locator(".documents")).to_contain_text("payoff statement from each lien holder")
        for exit_ in options["exits"]:
            if exit_["available"]:
                expect(page.locator(".sheet-table")).to_contain_text(exit_["title"])
        width_now = page.evaluate("document.documentElement.scrollWidth")
        assert width_now <= width
        tab.assert_clean()
