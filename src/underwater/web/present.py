"""Figures as a person reads them on a page: dollars with a sign and separators, ratios as
percents, months as dates in words, and field names in plain labels.

The API keeps its exact strings (``"22000.00"``, ``"1.3333"``); a page shows ``$22,000.00``,
``133 %`` and ``July 2028``. Every function takes the JSON value the API would send (a string, a
number or ``None``), so a page and the API can never disagree on the figure itself.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from underwater.dates import add_months
from underwater.money import ROUNDING
from underwater.state_rules import STATE_NAMES

__all__ = [
    "asset_words",
    "date_words",
    "dollarize",
    "dollars",
    "month_words",
    "months_words",
    "percent",
    "ratio_percent",
]

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _decimal(value: object) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def dollars(value: object, *, signed: bool = False) -> str:
    """Dollars as a page shows them: ``$22,000.00``; a negative amount ``−$4,000.00`` (a true
    minus sign); ``signed`` adds ``+`` to a positive one. ``None`` shows as a dash. A sign is
    joined to its amount by an invisible word joiner (U+2060): a line may break between a minus
    sign and a dollar sign otherwise.

    >>> dollars("22000.00"), dollars("-4000"), dollars("12.5", signed=True), dollars(None)
    ('$22,000.00', '−\u2060$4,000.00', '+\u2060$12.50', '—')
    """
    amount = _decimal(value)
    if amount is None:
        return "—"
    text = f"${abs(amount).quantize(Decimal('0.01'), rounding=ROUNDING):,.2f}"
    if amount < 0:
        return "−" + _JOINER + text
    return ("+" + _JOINER + text) if signed and amount > 0 else text


_JOINER = "\u2060"


def ratio_percent(value: object, places: int = 0) -> str:
    """A ratio (``"1.3333"``, LTV or CLTV) as a percent: ``133 %``.

    >>> ratio_percent("1.3333"), ratio_percent("0.8"), ratio_percent(None), ratio_percent("1.0588", 1)
    ('133\xa0%', '80\xa0%', '—', '105.9\xa0%')
    """
    ratio = _decimal(value)
    if ratio is None:
        return "—"
    return percent(ratio * 100, places)


def percent(value: object, places: int = 2) -> str:
    """A percentage (``"9.6875"``) with ``places`` decimals and a non-breaking space: ``9.69 %``;
    trailing zeros dropped (``9 %`` rather than ``9.00 %``).

    >>> percent("9.6875"), percent("21.55"), percent(9), percent("7.50")
    ('9.69\\xa0%', '21.55\\xa0%', '9\\xa0%', '7.5\\xa0%')
    """
    number = _decimal(value)
    if number is None:
        return "—"
    quantum = Decimal(1).scaleb(-places)
    text = f"{number.quantize(quantum, rounding=ROUNDING):,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text + "\xa0%"


def month_words(start: dt.date | str | None, month: int | None) -> str:
    """Month ``month`` from ``start`` as words: ``July 2028``; without a start date,
    ``in 19 months``; month 0 is ``today``.

    >>> month_words("2026-12-01", 19), month_words(None, 19), month_words(None, 0), month_words(None, None)
    ('July 2028', 'in 19 months', 'today', '—')
    """
    if month is None:
        return "—"
    if month == 0:
        return "today"
    if start is None:
        return f"in {months_words(month)}"
    day = dt.date.fromisoformat(start) if isinstance(start, str) else start
    moved = add_months(day, month)
    return f"{_MONTHS[moved.month - 1]} {moved.year}"


def months_words(months: int | None) -> str:
    """A count of months in words a person says: ``19 months``, ``2 years``, ``3 years 4 months``.

    >>> months_words(1), months_words(24), months_words(40), months_words(None)
    ('1 month', '2 years', '3 years 4 months', '—')
    """
    if months is None:
        return "—"
    years, rest = divmod(months, 12)
    if months < 24:
        return f"{months} month" + ("" if months == 1 else "s")
    text = f"{years} years"
    return text + (f" {rest} month" + ("" if rest == 1 else "s") if rest else "")


_AMOUNT_IN_TEXT = re.compile(
    r"(?<![\w$.,])(-?)([0-9]{1,3}(?:,[0-9]{3})+\.[0-9]{2}|[0-9]+\.[0-9]{2})(?![0-9(])(?!\.[0-9])(?!\s?%)"
)


def dollarize(text: str) -> str:
    """A sentence from the engine as a page shows it: its amounts as dollars with separators
    (``owe 2000.00`` → ``owe $2,000.00``), its ISO dates in words and a non-breaking space
    before each ``%``, so "9 %" never splits across lines.

    >>> dollarize("a cushion of 698.65 against -1,250.00; 12 months; $5.00 stays; at 21.55 % a year; 10000.00")
    'a cushion of $698.65 against −\u2060$1,250.00; 12 months; $5.00 stays; at 21.55\xa0% a year; $10,000.00'
    >>> dollarize("as of 2026-11-21, cash price $2500.00")
    'as of 21 November 2026, cash price $2,500.00'

    A section of a regulation or a dotted date is not an amount:

    >>> dollarize("12 CFR 1024.41(f); the exhibit of 06.18.25; paid 1024.41.")
    '12 CFR 1024.41(f); the exhibit of 06.18.25; paid $1,024.41.'

    A data file's confidence label is said in words:

    >>> dollarize("4 years (confidence S/R, as of 2026-11-21)")
    '4 years (how sure: partly from a secondary source, partly recalled, not checked again, as of 21 November 2026)'
    """
    text = _AMOUNT_IN_TEXT.sub(lambda m: dollars(m.group(1) + m.group(2).replace(",", "")), text)
    text = _DOLLARS_IN_TEXT.sub(lambda m: dollars(m.group(1).replace(",", "")), text)
    text = _ISO_DATE.sub(_date_in_text, text)
    text = _CONFIDENCE_IN_TEXT.sub(_confidence_words, text)
    return text.replace(" %", "\xa0%")


def state_name(code: object) -> str:
    """A state's two-letter code as its name (``TX`` → ``Texas``); anything else as given.

    >>> state_name("TX"), state_name("DC"), state_name(None)
    ('Texas', 'District of Columbia', '—')
    """
    if code is None:
        return "—"
    return STATE_NAMES.get(str(code).upper(), str(code))


CONFIDENCE_WORDS = {
    "V": "read on the cited source",
    "V-d": "worked out from figures read on the cited source",
    "S": "from a secondary source",
    "R": "recalled, not checked again",
}
"""What each confidence label of the data files means, as a page says it."""
_CONFIDENCE_IN_TEXT = re.compile(r"\(confidence ((?:V-d|V|S|R)(?:/(?:V-d|V|S|R))*)")


def _confidence_words(match: re.Match[str]) -> str:
    # "(confidence S/R" → "(how sure: partly from a secondary source, partly recalled …"
    words = [CONFIDENCE_WORDS[code] for code in match.group(1).split("/")]
    if len(words) == 1:
        return f"(how sure: {words[0]}"
    return "(how sure: " + ", ".join("partly " + w for w in words)


_DOLLARS_IN_TEXT = re.compile(r"\$([0-9]{4,}\.[0-9]{2})(?![0-9])")
_ISO_DATE = re.compile(
    r"(?<![\w-])(?:19|20|21)[0-9]{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])(?![\w-])"
)


def _date_in_text(match: re.Match[str]) -> str:
    try:
        return date_words(match.group(0))
    except ValueError:  # not a real calendar date: leave it as written
        return match.group(0)


def date_words(value: object, *, short: bool = False) -> str:
    """An ISO date as words: ``1 July 2028``; ``short`` for a table's few characters,
    ``1 Jul 2028``, with no-break spaces so the date keeps to one line.

    >>> date_words("2028-07-01"), date_words(None), date_words("2028-07-01", short=True)
    ('1 July 2028', '—', '1\xa0Jul\xa02028')
    """
    if not value:
        return "—"
    day = dt.date.fromisoformat(str(value))
    if short:
        return f"{day.day}\xa0{_MONTHS[day.month - 1][:3]}\xa0{day.year}"
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def date_short(value: object) -> str:
    """:func:`date_words` short, as a page's filter.

    >>> date_short("2026-12-01")
    '1\xa0Dec\xa02026'
    """
    return date_words(value, short=True)


def asset_words(asset_class: object) -> str:
    """What the asset is, in words: ``class8_sleeper`` → ``sleeper truck``.

    >>> asset_words("class8_sleeper"), asset_words(None)
    ('sleeper truck', 'asset')
    """
    from underwater.situation import ASSET_CLASS

    words = dict(zip(ASSET_CLASS.choices, ASSET_CLASS.choice_labels, strict=True))
    return words.get(str(asset_class), "asset") if asset_class else "asset"
