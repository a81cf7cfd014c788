"""No jargon on any page: the text a person can see or hear holds no snake_case key
(``rate_percent``, ``class8_sleeper``) and no CLI option (``--owed``).

Every page of the path for each of the seeds' situations, every tool's page (empty and with each
of its examples' results), and the pages that show problems, rendered in-process. The text is
what a browser shows or reads aloud: every text node (folded sections, print-only parts and the
chart's title and description included), and the ``placeholder``, ``aria-label``, ``title``
and ``alt`` attributes, but not scripts, styles, link targets, field names or the values of
hidden inputs. What the person wrote in a free-text input (a lien's or a credit's name) may be
echoed; a choice's value may not, since the person picked its label. The developers' links are
allowed like any other text: their words are checked the same way. Words are matched with letters or digits on either side of an underscore, a
little wider than ``[a-z]+_[a-z_]+``, so ``class8_sleeper`` counts too.
"""

from __future__ import annotations

import asyncio
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from underwater.forms import Kind
from underwater.ops import operations
from underwater.portfolio.defaults import CLTV_BUCKETS
from underwater.portfolio.schema import OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from underwater.portfolio.stress import preset_paths
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
    "portfolio-empty": "/portfolio",
}

KNOWN: dict[str, str] = {}
"""Pages that show jargon today, each with the words and where they come from."""

FREE_TEXT = frozenset(
    f.name for op in operations().values() for f in op.form.fields if f.kind in (Kind.TEXT, Kind.PAIR)
)
"""Inputs a person writes in words (a lien's or a credit's name, a state): a page may echo them."""

TYPED_KEYS = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS, *CLTV_BUCKETS)
"""Keys the lender's page may show, since the person has to type them: the book's columns, into
the file, and the CLTV buckets, into the default probabilities (``le_80=0.005,…``)."""


def typed_words(url: str) -> list[str]:
    """What the person wrote in the free-text inputs of ``url``, and each ``NAME=AMOUNT``'s name.

    >>> typed_words("/deficiency?owed=1&credit=gap_refund%3D300&asset_class=class8_sleeper")
    ['gap_refund=300', 'gap_refund']
    """
    found = []
    for name, value in parse_qsl(urlsplit(url).query):
        if name in FREE_TEXT and value.strip():
            found.append(value.strip())
            if "=" in value:
                found.append(value.split("=", 1)[0].strip())
    return found


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
    text = VisibleText.of(response.text)
    for words in sorted(typed_words(url), key=len, reverse=True):
        text = text.replace(words, " ")  # the person's own words, echoed
    if urlsplit(url).path == "/portfolio":
        text = _without_typed_keys(text)
    found = jargon(text)
    assert not found, f"{url} shows jargon:\n" + "\n".join(sorted(set(found)))


def _without_typed_keys(text: str) -> str:
    # Longest first, so ``default_probability`` goes before any key inside it.
    for key in sorted(TYPED_KEYS, key=len, reverse=True):
        text = text.replace(key, " ")
    return text


def _post_book(name: str, data: bytes, stress: list[str], curve: str) -> httpx.Response:
    async def go() -> httpx.Response:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=APP), base_url="http://127.0.0.1"
        ) as c:
            return await c.post(
                "/portfolio",
                files={"file": (name, data, "text/csv")},
                data={"stress": stress, "default_by_ltv": curve},
            )

    return asyncio.run(go())


EXAMPLE_BOOK = Path(__file__).resolve().parents[1] / "src/underwater/web/static/example-book.csv"


CURVE = "le_80=0.005,80_100=0.01,100_120=0.02,120_140=0.035,gt_140=0.05,no_value=0.1"


@pytest.mark.parametrize(
    ("name", "data", "stress", "curve"),
    [
        ("book.csv", EXAMPLE_BOOK.read_bytes(), list(preset_paths()), CURVE),
        ("book.csv", b"loan_id,balance\nA,1\n", [], ""),
        ("book.xlsx", b"PK", [], ""),
        ("book.csv", EXAMPLE_BOOK.read_bytes(), [], "le_90=0.1"),
    ],
    ids=["portfolio-every-preset", "portfolio-missing-column", "portfolio-wrong-type", "portfolio-bad-curve"],
)
def test_no_jargon_on_the_lenders_page_after_a_book(
    name: str, data: bytes, stress: list[str], curve: str
) -> None:
    # The engine's own messages name the book's columns as the file must spell them, and the
    # curve's buckets as the field must: the one place a key may show, since the person types it.
    response = _post_book(name, data, stress, curve)
    text = _without_typed_keys(VisibleText.of(response.text).replace("le_90", " "))
    found = jargon(text)
    assert not found, "/portfolio shows jargon:\n" + "\n".join(sorted(set(found)))


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
