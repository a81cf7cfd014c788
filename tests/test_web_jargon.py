"""No jargon on any page: the text a person can see or hear holds no snake_case key
(``rate_percent``, ``class8_sleeper``) and no CLI option (``--owed``).

Every page of the path for each of the seeds' situations, every tool's page (empty and with each
of its examples' results), and the pages that show problems, rendered in-process. The text is
what a browser shows or reads aloud: every text node (folded sections, print-only parts and the
chart's title and description included), and the ``placeholder``, ``aria-label``, ``title``
and ``alt`` attributes, but not scripts, styles, link targets, field names or the values of
hidden inputs. The developers' links are allowed like any other text: their words are checked
the same way. Words are matched with letters or digits on either side of an underscore, a
little wider than ``[a-z]+_[a-z_]+``, so ``class8_sleeper`` counts too.
"""

from __future__ import annotations

import asyncio
import re
from html.parser import HTMLParser

import httpx
import pytest

from underwater.web.app import create_app
from web_fakes import cases, error_pages, path_pages, tool_pages

APP = create_app()
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
FLAG = re.compile(r"(?<![\w-])--[a-z]")
SPOKEN = ("placeholder", "aria-label", "title", "alt")

PAGES = {
    **path_pages(),
    # With a state, the ways out quote the state's rules (Texas: no deficiency rule on file).
    "car-ways_out-texas": dict(path_pages())["car-ways_out"] + "&state=TX",
    **tool_pages(every_example=True),
    **error_pages(),
}

_TYPED = (
    "the print-only 'What you typed' list (templates/_result.html, from widgets.given_inputs) shows "
    "a choice's raw value, not its label: {}"
)
_ERRORS = (
    "every problem on a page starts with the field's key, beside the field and in the summary "
    "(errorshape.problem_entries' message, used by app._page_error): {}"
)
_CREDIT_HELP = (
    "the deficiency form's help for Credit (ops/deficiency.py) gives the example "
    "'gap_refund=300' and the placeholder 'e.g. unearned_interest=120'"
)
_GENERIC = "results/_generic.html (until this job's own template lands) prints raw keys or values: {}"
_DEFICIENCY_NOTES = (
    "the deficiency notes of the core name keys in plain text, where a page cannot translate "
    "them: 'see waterfall_9_615a', 'give auction_share_percent', 'see estimate.expense_defaults', "
    "'figures are on file for storage_days, transport, reconditioning, sale_fees, …'"
)
_STATE_CAVEAT = (
    "the caveat on the time to sue (deficiency.py, the limitation period) ends 'see limitation_period.note'"
)
_DEFICIENCY_GENERIC = _GENERIC.format(
    "attorney_fees, sale_fees, title_admin and the cost groups light_vehicle or heavy_truck in the "
    "worksheet and estimate tables, a credit's type gap_refund"
)


def _all(*reasons: str) -> str:
    return "; ".join(reasons)


KNOWN: dict[str, str] = {
    **{
        f"truck-{step}": _TYPED.format("'What it is: class8_sleeper'")
        for step in ("surface", "ways_out", "lender", "never_again")
    },
    "options-1": _TYPED.format("'What it is: class8_sleeper'"),
    "options-2": _TYPED.format("'Rank by: cash_now'"),
    "value-2": _all(
        _TYPED.format("'Asset class: class8_sleeper'"),
        _GENERIC.format("the curve's name and asset class class8_sleeper"),
    ),
    "car-ways_out-texas": _STATE_CAVEAT,
    "truck-repossession": _all(
        _CREDIT_HELP,
        _DEFICIENCY_GENERIC,
        _TYPED.format("'Asset class: class8_sleeper'") + ", and the estimate table shows it too",
        _DEFICIENCY_NOTES,
    ),
    **{
        f"{name}-repossession": _all(_CREDIT_HELP, _DEFICIENCY_GENERIC, _DEFICIENCY_NOTES)
        for name in ("car", "rv", "boat")
    },
    "deficiency-empty": _CREDIT_HELP,
    "deficiency-1": _all(
        _CREDIT_HELP, _DEFICIENCY_GENERIC, "the credit 'gap_refund=300' in What you typed", _DEFICIENCY_NOTES
    ),
    "deficiency-2": _all(_CREDIT_HELP, _DEFICIENCY_GENERIC, _DEFICIENCY_NOTES, _STATE_CAVEAT),
    "deficiency-seed-003": _all(_CREDIT_HELP, _DEFICIENCY_GENERIC, _DEFICIENCY_NOTES),
    "loan-3": _GENERIC.format("'Solved for n_payments'"),
    "loan-4": _GENERIC.format("'Solved for rate_percent'"),
    "value-1": _GENERIC.format("the curve's name car_carfax"),
    "value-3": _GENERIC.format("the curve's name fitted_comparables"),
    "loan-errors": _ERRORS.format("rate_percent, n_payments"),
    "payoff-errors": _ERRORS.format("rate_percent, last_payment_date, payoff_date"),
    "rebate-errors": _ERRORS.format("amount_financed, finance_charge, n_payments, payments_made"),
    "apr-errors": _ERRORS.format("n_payments, loan_date, first_payment_date"),
    "value-errors": _ERRORS.format("age_months, horizon_months"),
    "project-errors": _ERRORS.format("rate_percent, remaining_payments, age_months, start_date"),
    "deficiency-errors": _all(_ERRORS.format("as_of, storage_days, storage_per_day"), _CREDIT_HELP),
    "options-errors": _ERRORS.format("rate_percent, remaining_payments, age_months"),
}
"""Pages that show jargon today, each with the words and where they come from."""


class VisibleText(HTMLParser):
    """The text of a page as a person meets it (see the module's docstring)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self._skip += 1
        for name, value in attrs:
            if name in SPOKEN and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template"):
            self._skip = max(0, self._skip - 1)

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)

    @classmethod
    def of(cls, html: str) -> str:
        parser = cls()
        parser.feed(html)
        parser.close()
        return " ".join(" ".join(parser.parts).split())


def _get(url: str) -> httpx.Response:
    async def go() -> httpx.Response:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=APP), base_url="http://127.0.0.1"
        ) as c:
            return await c.get(url)

    return asyncio.run(go())


def jargon(text: str) -> list[str]:
    """Each snake_case word or CLI option in ``text``, with the text around it.

    >>> jargon("Rank by cash_now, or type --owed 5; a pay-off -- or not")
    ["'cash_now' in '…Rank by cash_now, or type …'", "'--o' in '…y cash_now, or type --owed 5; a p…'"]
    """
    return [
        f"{m.group(0)!r} in '…{text[max(0, m.start() - 20) : m.end() + 10]}…'"
        for pattern in (SNAKE, FLAG)
        for m in pattern.finditer(text)
    ]


@pytest.mark.parametrize("url", cases(PAGES, KNOWN))
def test_no_snake_case_word_or_cli_option_is_visible(url: str) -> None:
    response = _get(url)
    assert response.status_code < 500, (url, response.text[:300])
    assert response.headers["content-type"].startswith("text/html")
    found = jargon(VisibleText.of(response.text))
    assert not found, f"{url} shows jargon:\n" + "\n".join(sorted(set(found)))


def test_the_text_pass_sees_what_a_person_sees() -> None:
    html = (
        '<p>Owed <b>today</b></p><input name="rate_percent" type="hidden" value="x_y">'
        '<input placeholder="e.g. 9"><a href="/api/loan?n_payments=1">JSON</a>'
        "<details><summary>More</summary>hidden_word</details><script>var a_b = 1;</script>"
        '<svg><title>Owed</title><desc>a --flag</desc></svg><button aria-label="Remove owed 2">x</button>'
    )
    text = VisibleText.of(html)
    assert text == "Owed today e.g. 9 JSON More hidden_word Owed a --flag Remove owed 2 x"
    assert SNAKE.findall(text) == ["hidden_word"] and FLAG.findall(text) == ["--f"]
