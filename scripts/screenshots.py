"""Screenshots (1280 and 375 px wide) and a print-to-PDF of the app's pages, for a person to look at.

Run: ``uv run python scripts/screenshots.py OUT_DIR [PATH ...]`` — starts ``underwater serve`` on a
free port on 127.0.0.1, drives Debian's Chromium with Playwright, writes ``<name>-1280.png``,
``<name>-375.png`` and ``<name>.pdf`` for each page, and stops the server. Without paths it takes
the seeds' situations along the path. The lender's page is shown after sending it a book
(:data:`UPLOADS`: the example book the page offers, with stress paths ticked and, for
``portfolio-curve``, half its rows' own default probabilities left out and a curve typed in).
"""

from __future__ import annotations

import csv
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

TRUCK = "owed=80000&value=60000&asset_class=class8_sleeper"
TRUCK_LOAN = TRUCK + "&offer=58000&rate_percent=9&remaining_payments=48&age_months=24&state=TX"
HOME = "owed=150000&lien2_owed=30000&value=170000&asset_class=home"
HOME_LOANS = (
    HOME + "&rate_percent=6.5&remaining_payments=300&lien2_kind=heloc&lien2_rate_percent=8.5"
    "&lien2_remaining_payments=240&lien2_draw_months=36"
)
PAGES = {
    "home": "/",
    "home-truck": "/?" + TRUCK,
    "all": "/all",
    "surface-asked": "/project?" + TRUCK,
    "surface": "/project?" + TRUCK_LOAN + "&start_date=2026-12-01",
    "ways-out": "/options?" + TRUCK_LOAN,
    "lender": "/options?" + TRUCK_LOAN + "&_view=lender",
    "ways-out-cant-pay": "/options?" + TRUCK_LOAN + "&cash_available=3000&monthly_budget=1700",
    "lender-cant-pay": "/options?" + TRUCK_LOAN + "&cash_available=3000&monthly_budget=1700&_view=lender",
    "ways-out-repossessed": "/options?owed=16000&value=9000&age_months=48&stage=repossessed"
    "&repo_sale_price=6500&deficiency_claimed=10400&state=TX",
    "ways-out-totalled": "/options?owed=28000&value=21000&asset_class=pickup&age_months=24&rate_percent=7"
    "&remaining_payments=50&stage=totalled&deductible=500",
    "surface-daily-late": "/project?owed=28000&value=24000&age_months=12&rate_percent=9&remaining_payments=60"
    "&interest_method=daily&days_late=12&late_fee=25&start_date=2026-12-07&next_due_date=2027-01-01",
    "payoff-actual-actual": "/payoff?balance=36500&rate_percent=10&last_payment_date=2023-12-21"
    "&payoff_date=2024-01-10&day_count=actual%2Factual",
    "statement": "/statement?rate_percent=9&payoff_date=2025-04-15&letter_per_diem=4.73&rows="
    "2025-02-01%2C0%2C19737.71%0A2025-03-01%2C415.17%2C136.27%2C278.90%2C0%2C19458.81"
    "%0A2025-04-01%2C415.17%2C148.74%2C266.43%2C0%2C19192.38",
    "statement-off": "/statement?rate_percent=12&rows=2025-01-01%2C0%2C10000.00%0A2025-01-31%2C300%2C98.61"
    "%2C201.39%2C0%2C9798.61%0A2025-03-02%2C300%2C99.00%2C201.00%2C0%2C9597.61",
    "statement-empty": "/statement",
    "lease": "/lease?gross_cap_cost=22300&cap_cost_reduction=3500&lease_residual=12350&lease_term_months=48"
    "&lease_payment=244.69&payments_made=24&value=15200&disposition_fee=400&loan_rate_percent=6.5",
    "home-lease": "/?owed=15847.45&value=15200&deal=lease",
    "ways-out-lease": "/options?owed=15847.45&value=15200&gross_cap_cost=22300&cap_cost_reduction=3500"
    "&lease_residual=12350&lease_term_months=48&lease_payment=244.69&payments_made=24&disposition_fee=400",
    "repossession": "/deficiency?owed=12000&value=10000&asset_class=car&state=TX",
    "never-again": "/project?price=40000&down_payment=2000&taxes_fees_financed=3000&rate_percent=7"
    "&term_months=72&months_elapsed=12&value=33000&asset_class=pickup&_view=prevent",
    "sheet": "/sheet?" + TRUCK_LOAN,
    "sheet-asked": "/sheet?" + TRUCK,
    "equity": "/equity?owed=150000&owed=30000&value=170000",
    "loan": "/loan?principal=18800&rate_percent=6&n_payments=72",
    "payoff": "/payoff?balance=18250.40&rate_percent=7.9&last_payment_date=2026-11-01&payoff_date=2026-11-21",
    "rebate": "/rebate?amount_financed=3000&finance_charge=600&n_payments=24&payments_made=12",
    "apr": "/apr?principal=5000&payment=230&n_payments=24&loan_date=2026-01-10&first_payment_date=2026-02-10",
    "value": "/value?value=21000&age_months=30&asset_class=car",
    "equity-truck": "/equity?owed=80000&value=60000&offer=58000",
    "loan-extra": "/loan?principal=80000&rate_percent=9&n_payments=48&first_payment_date=2026-12-01&extra=200"
    "&extra_once=12%3D5000",
    "loan-solve-rate": "/loan?principal=18800&n_payments=48&payment=467.84",
    "loan-balloon": "/loan?principal=10000&rate_percent=6&n_payments=24&payment=300&solve_balloon=true",
    "rebate-add-on": "/rebate?amount_financed=20000&add_on_rate_percent=6&n_payments=60&payments_made=24",
    "apr-check": "/apr?principal=25000&prepaid_finance_charge=495&payment=495.28&n_payments=60"
    "&loan_date=2026-11-21&first_payment_date=2026-12-21&disclosed_apr_percent=7.5",
    "apr-flows": "/apr?advances=2025-03-01%3D10000&payments=2026-03-01%3D2500&payments=2027-03-01%3D2500"
    "&payments=2028-03-01%3D2500&payments=2029-03-01%3D2500&payments=2030-03-01%3D2500",
    "value-truck": "/value?value=60000&asset_class=class8_sleeper&age_months=24&shock_percent=10",
    "value-comparables": "/value?value=21000&age_months=30&comparable=12%2C12000%2C27000"
    "&comparable=36%2C38000%2C21000&comparable=60%2C61000%2C15500",
    "deficiency": "/deficiency?owed=12000&as_of=2026-11-21&proceeds=7500&retaking=450&storage_days=30"
    "&storage_per_day=30&credit=GAP+refund%3D300",
    "deficiency-barred": "/deficiency?owed=2800&as_of=2026-11-21&proceeds=900&retaking=450&state=CO"
    "&cash_price=2500",
    "deficiency-ca": "/deficiency?owed=80000&value=60000&asset_class=class8_sleeper&state=CA",
    "errors": "/equity?owed=-5&value=x&_go=1",
    "home-heloc": "/?" + HOME,
    "surface-heloc": "/project?" + HOME_LOANS + "&start_date=2026-12-01",
    "ways-out-heloc": "/options?"
    + HOME_LOANS
    + "&state=CA&offer=165000&investor=fannie_mae&monthly_budget=1300",
    "lender-heloc": "/options?"
    + HOME_LOANS
    + "&state=CA&offer=165000&investor=fannie_mae&monthly_budget=1300"
    "&_view=lender",
    "sheet-heloc": "/sheet?" + HOME_LOANS + "&state=CA&offer=165000&investor=fannie_mae&monthly_budget=1300",
    "portfolio": "/portfolio",
}
EXAMPLE_BOOK = Path(__file__).resolve().parents[1] / "src/underwater/web/static/example-book.csv"
CURVE = "le_80=0.004,80_100=0.012,100_120=0.03,120_140=0.055,gt_140=0.09"
"""Made-up default probabilities by CLTV bucket (none ship with the tool)."""


HALF_ODDS = Path("example-book-half-odds.csv")
"""Written into the output folder by :func:`_half_without_odds` before it is sent."""


def _half_without_odds(book: Path, folder: Path) -> Path:
    """A copy of ``book`` in ``folder`` whose every other row gives no default probability of
    its own, so a curve typed in has loans to apply to."""
    with open(book, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    path = folder / HALF_ODDS
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({**row, "default_probability": ""} if k % 2 else row for k, row in enumerate(rows))
    return path


UPLOADS: dict[str, tuple[Path, tuple[str, ...], str, str]] = {
    "portfolio-book": (EXAMPLE_BOOK, ("manheim_2007_09", "fitch_prime_severe_recovery"), "36", ""),
    "portfolio-curve": (HALF_ODDS, ("manheim_2007_09",), "", CURVE),
    "portfolio-errors": (Path(__file__).resolve(), (), "", ""),
    "portfolio-bad-curve": (EXAMPLE_BOOK, (), "", "le_90=0.1,le_80=2"),
}
"""Pages shown after sending ``/portfolio`` a file: (the file, the stress presets ticked, the
horizon typed, the default probabilities by CLTV bucket typed)."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _send_book(page: Page, base: str, book: Path, stress: tuple[str, ...], horizon: str, curve: str) -> None:
    """Open the lender's page, choose ``book``, tick ``stress``, type ``horizon`` and ``curve``
    and sum it up."""
    page.goto(base + "/portfolio")
    page.set_input_files("#f-file", str(book))
    for name in stress:
        page.check(f"input[name=stress][value={name}]")
    page.fill("#f-horizon", horizon)
    page.fill("#f-default-by-ltv", curve)
    page.click("#submit-portfolio")
    page.wait_for_selector("#portfolio-answer:not([aria-busy])")
    page.wait_for_selector("#portfolio-answer .big-figure, #portfolio-answer .error-summary")


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    wanted = sys.argv[2:]
    pages: dict[str, str | tuple[Path, tuple[str, ...], str, str]] = {
        k: v for k, v in {**PAGES, **UPLOADS}.items() if not wanted or k in wanted
    }
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "underwater", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                ],
            )
            for name, path in pages.items():
                for width in (1280, 375):
                    page = browser.new_page(viewport={"width": width, "height": 900})
                    if isinstance(path, str):
                        page.goto(base + path)
                    elif path[0] == HALF_ODDS:
                        _send_book(page, base, _half_without_odds(EXAMPLE_BOOK, out), *path[1:])
                    else:
                        _send_book(page, base, *path)
                    page.screenshot(path=str(out / f"{name}-{width}.png"), full_page=True)
                    if width == 1280:
                        page.emulate_media(media="print")
                        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
                        page.pdf(path=str(out / f"{name}.pdf"), format="Letter", print_background=True)
                    page.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
