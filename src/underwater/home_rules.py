"""A home's rules and defaults, from ``data/home.json``: what a sale costs, what a servicer gives
for a deed in lieu or a short sale, how a modification, a forbearance and a repayment plan are
shaped, how long a foreclosure takes and what it costs in each state, what a foreclosure sale
brings, and each state's rule on a deficiency after one.

Every figure is a :class:`~underwater.credit.Figure` (value, confidence label, sources, note).
Money is dollars; shares are percent. Not legal advice: the rules are summaries, each with its
citation, and a state with no rule on file is said to have none on file, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from underwater.credit import Figure
from underwater.datafiles import load_json

__all__ = [
    "INVESTORS",
    "Foreclosure",
    "HomeDeficiencyRule",
    "deficiency_rule",
    "figure",
    "foreclosure",
]

INVESTORS = ("fannie_mae", "freddie_mac", "fha", "other")
"""Who owns or insures a mortgage, as far as the relief a servicer may give depends on it."""
_DAYS_A_MONTH = Decimal("30.4375")


def _figure(entry: dict[str, Any]) -> Figure:
    return Figure(Decimal(entry["value"]), entry["confidence"], tuple(entry["sources"]), entry["note"])


def figure(*path: str) -> Figure:
    """The figure at ``path`` in the data file.

    >>> figure("commission_percent").value, figure("relocation_assistance", "fannie_mae").value
    (Decimal('5.5'), Decimal('7500'))
    """
    entry: Any = load_json("home.json")
    for key in path:
        entry = entry[key]
    return _figure(entry)


@dataclass(frozen=True, slots=True)
class Foreclosure:
    """How a state's foreclosure runs, as Fannie Mae's exhibits allow a routine one: ``method``
    (``judicial`` or ``non_judicial``), the days from the last payment made to the sale, the
    attorney's fee (dollars) and where each came from (the exhibit and its confidence label;
    the addresses are in the data file)."""

    state: str
    method: str
    days_to_sale: int
    days_source: str
    attorney_fee: Decimal
    fee_source: str

    @property
    def months_to_sale(self) -> int:
        """The days to the sale in whole months, rounded up."""
        months = Decimal(self.days_to_sale) / _DAYS_A_MONTH
        return int(months.to_integral_value(rounding="ROUND_CEILING"))


def foreclosure(state: str) -> Foreclosure | None:
    """The state's foreclosure (``None`` when none is on file).

    >>> f = foreclosure("CA")
    >>> f.method, f.days_to_sale, f.months_to_sale, f.attorney_fee
    ('non_judicial', 600, 20, Decimal('1900'))
    """
    data = load_json("home.json")
    row = data["foreclosure"].get(state)
    if row is None:
        return None
    sources = data["foreclosure_sources"]

    def cited(key: str) -> str:
        source = sources[key]
        return f"{source['title']} (confidence {source['confidence']})"

    return Foreclosure(
        state,
        row["method"],
        row["days_to_sale"],
        cited(row["days_source"]),
        Decimal(row["attorney_fee"]),
        cited(row["fee_source"]),
    )


@dataclass(frozen=True, slots=True)
class HomeDeficiencyRule:
    """A state's rule on a deficiency after a home's foreclosure: what happens after a trustee's
    (non-judicial) sale, after a court's (judicial) sale and on a purchase-money loan —
    ``barred``, ``fair_value`` (the debt less the higher of the price and the fair market value)
    or ``allowed``; ``None`` where the table says nothing — the months the lender has to seek
    it, the citation, a summary, its confidence label and sources."""

    state: str
    after_trustee_sale: str | None
    judicial: str | None
    purchase_money: str | None
    deadline_months: int | None
    citation: str
    summary: str
    confidence: str
    sources: tuple[str, ...]

    def effect(self, method: str, purchase_money: bool) -> str:
        """What the rule does to a deficiency after a sale by ``method`` on a loan that was (or
        was not) ``purchase_money``: ``barred``, ``fair_value`` or ``allowed``.

        >>> rule = deficiency_rule("CA")
        >>> rule.effect("judicial", False), rule.effect("judicial", True), rule.effect("non_judicial", False)
        ('fair_value', 'barred', 'barred')
        """
        by_method = self.judicial if method == "judicial" else self.after_trustee_sale
        effects = [e for e in (by_method, self.purchase_money if purchase_money else None) if e]
        for strongest in ("barred", "fair_value"):
            if strongest in effects:
                return strongest
        return "allowed"


def deficiency_rule(state: str) -> HomeDeficiencyRule | None:
    """The state's rule on a home's deficiency (``None`` when none is on file).

    >>> deficiency_rule("NY").citation
    'N.Y. RPAPL 1371'
    >>> deficiency_rule("OH") is None
    True
    """
    row = load_json("home.json")["deficiency"].get(state)
    if row is None:
        return None
    return HomeDeficiencyRule(
        state,
        row.get("after_trustee_sale"),
        row.get("judicial"),
        row.get("purchase_money"),
        row.get("deadline_months"),
        row["citation"],
        row["summary"],
        row["confidence"],
        tuple(row["sources"]),
    )
