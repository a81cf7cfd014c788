"""What credit costs by tier, and what a mark on a credit report does to it.

A borrower sits in one of Experian's five tiers (super prime to deep subprime). A vehicle loan
and an unsecured personal loan are priced by tier from cited averages (``data/credit.json``).
An exit that marks the report moves the borrower down: a **major** mark (a voluntary surrender,
a short sale, a settlement) one tier, a **severe** one (a repossession after default) two, as
FICO's study of mortgage marks puts the points lost. The price of a mark is then the dearer
credit on whatever the borrower borrows next: a replacement's loan, or — when none is needed —
a typical used-vehicle loan. A rate after a mark is never below the rate before it, nor below
what the borrower pays today.

Without a tier the one whose average rate is nearest the loan's own is taken, and every result
says so. Rates are percent per year.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from underwater.datafiles import load_json
from underwater.errors import InputError

__all__ = [
    "TIERS",
    "TIER_LABELS",
    "CreditTier",
    "Figure",
    "PersonalLoanTerms",
    "TypicalBorrowing",
    "auto_rate",
    "auto_rates_source",
    "default_tier_note",
    "mark_source",
    "marked_tier",
    "personal_loan",
    "tier_for",
    "typical_borrowing",
]

_FILE = "credit.json"


def _data() -> Any:
    return load_json(_FILE)


TIERS: tuple[str, ...] = tuple(load_json(_FILE)["tiers"]["order"])
"""The tiers from best to worst."""
TIER_LABELS: Mapping[str, str] = MappingProxyType(dict(load_json(_FILE)["tiers"]["labels"]))
"""Each tier in words, with its score range."""


@dataclass(frozen=True, slots=True)
class Figure:
    """A default figure with where it came from: its confidence label and sources."""

    value: Decimal
    confidence: str
    sources: tuple[str, ...]
    note: str

    def to_json(self) -> dict[str, Any]:
        """Keys: ``value`` (text), ``confidence``, ``sources``, ``note``."""
        return {
            "value": str(self.value),
            "confidence": self.confidence,
            "sources": list(self.sources),
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class CreditTier:
    """The borrower's tier, and whether it was ``given`` or taken from the loan's rate."""

    name: str
    given: bool

    @property
    def label(self) -> str:
        """The tier in words."""
        return TIER_LABELS[self.name]


def _entry(key: str) -> Mapping[str, Any]:
    entry: Mapping[str, Any] = _data()[key]
    return entry


def auto_rate(tier: str, *, used: bool) -> Decimal:
    """The average yearly rate (percent) on a vehicle loan in ``tier``, used or new.

    >>> auto_rate("deep_subprime", used=True), auto_rate("prime", used=False)
    (Decimal('21.55'), Decimal('6.87'))
    """
    return Decimal(_entry("auto_rates_percent")["used" if used else "new"][_check(tier)])


def _check(tier: str) -> str:
    if tier not in TIERS:
        raise InputError("credit_tier", "must be one of " + ", ".join(TIERS), got=tier)
    return tier


@functools.cache
def auto_rates_source() -> Figure:
    """Where the vehicle-loan rates by tier come from (the value is the deep-subprime used rate)."""
    e = _entry("auto_rates_percent")
    return Figure(Decimal(e["used"]["deep_subprime"]), e["confidence"], tuple(e["sources"]), e["note"])


def tier_for(rate_percent: Decimal, *, used: bool) -> str:
    """The tier whose average vehicle-loan rate is nearest ``rate_percent`` (the better tier on
    a tie): the default when the borrower gives none.

    >>> tier_for(Decimal(24), used=True), tier_for(Decimal(9), used=True), tier_for(Decimal(3), used=False)
    ('deep_subprime', 'prime', 'super_prime')
    """
    return min(TIERS, key=lambda t: (abs(auto_rate(t, used=used) - rate_percent), TIERS.index(t)))


def marked_tier(tier: str, level: str) -> str:
    """The tier after a credit mark of ``level`` (``major`` or ``severe``; any other level
    leaves the tier as it is).

    >>> marked_tier("prime", "major"), marked_tier("prime", "severe"), marked_tier("subprime", "severe")
    ('near_prime', 'subprime', 'deep_subprime')
    """
    steps = _entry("mark_tiers_down").get(level, 0)
    return TIERS[min(TIERS.index(_check(tier)) + int(steps), len(TIERS) - 1)]


@functools.cache
def mark_source() -> Figure:
    """Where the tiers a mark moves come from (the value is the tiers a severe mark moves)."""
    e = _entry("mark_tiers_down")
    return Figure(Decimal(e["severe"]), e["confidence"], tuple(e["sources"]), e["note"])


@dataclass(frozen=True, slots=True)
class PersonalLoanTerms:
    """An unsecured personal loan's yearly rate (percent) and term (months), with sources."""

    rate_percent: Decimal
    term_months: int
    rate_source: Figure
    term_note: str


def personal_loan(tier: str) -> PersonalLoanTerms:
    """The rate and term of an unsecured personal loan for a borrower in ``tier``.

    >>> personal_loan("prime").rate_percent, personal_loan("subprime").term_months
    (Decimal('11.40'), 36)
    """
    e = _entry("personal_loan_rates_percent")
    term = _entry("personal_loan_term_months")
    rate = Decimal(e[_check(tier)])
    return PersonalLoanTerms(
        rate,
        int(term["default"]),
        Figure(rate, e["confidence"], tuple(e["sources"]), e["note"]),
        term["note"],
    )


@dataclass(frozen=True, slots=True)
class TypicalBorrowing:
    """A typical used-vehicle loan: ``amount`` (dollars) over ``term_months``, with its source."""

    amount: Decimal
    term_months: int
    source: Figure


@functools.cache
def typical_borrowing() -> TypicalBorrowing:
    """The borrowing a mark makes dearer when no replacement is bought.

    >>> typical_borrowing().amount, typical_borrowing().term_months
    (Decimal('26468.00'), 67)
    """
    e = _entry("typical_borrowing")
    amount = Decimal(e["amount"])
    return TypicalBorrowing(
        amount, int(e["term_months"]), Figure(amount, e["confidence"], tuple(e["sources"]), e["note"])
    )


def default_tier_note() -> str:
    """How the tier is chosen when none is given."""
    return str(_entry("default_tier")["note"])
