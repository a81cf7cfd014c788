"""State rules on file: deficiency restrictions after repossession, and limitation periods.

The rules live in ``data/state_rules.json``, each with its citation, source address, a
confidence label and the date it was read (``as_of``):

- **V** verified on the cited statute or page; **V-d** derived by arithmetic from verified
  figures; **S** read on a secondary source (a chart or a summary); **R** recalled, a lead to
  verify.

A state missing from the table has **no rule on file**: underwater never guesses one. A few
states are known to have a deficiency restriction whose terms were not verified; they are
listed (``StateRule.verified`` is false) without any threshold.

This is not legal advice: the table has a date and may be incomplete or out of date.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Literal, cast

from underwater.datafiles import load_json
from underwater.errors import InputError
from underwater.money import format_money

__all__ = [
    "MEASURE_LABELS",
    "STATES",
    "STATE_NAMES",
    "LimitationPeriod",
    "Measure",
    "StateRule",
    "ThresholdBar",
    "limitation_period",
    "parse_state",
    "state_rule",
    "state_rules_as_of",
]

STATE_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "AL": "Alabama",
        "AK": "Alaska",
        "AZ": "Arizona",
        "AR": "Arkansas",
        "CA": "California",
        "CO": "Colorado",
        "CT": "Connecticut",
        "DE": "Delaware",
        "DC": "District of Columbia",
        "FL": "Florida",
        "GA": "Georgia",
        "HI": "Hawaii",
        "ID": "Idaho",
        "IL": "Illinois",
        "IN": "Indiana",
        "IA": "Iowa",
        "KS": "Kansas",
        "KY": "Kentucky",
        "LA": "Louisiana",
        "ME": "Maine",
        "MD": "Maryland",
        "MA": "Massachusetts",
        "MI": "Michigan",
        "MN": "Minnesota",
        "MS": "Mississippi",
        "MO": "Missouri",
        "MT": "Montana",
        "NE": "Nebraska",
        "NV": "Nevada",
        "NH": "New Hampshire",
        "NJ": "New Jersey",
        "NM": "New Mexico",
        "NY": "New York",
        "NC": "North Carolina",
        "ND": "North Dakota",
        "OH": "Ohio",
        "OK": "Oklahoma",
        "OR": "Oregon",
        "PA": "Pennsylvania",
        "RI": "Rhode Island",
        "SC": "South Carolina",
        "SD": "South Dakota",
        "TN": "Tennessee",
        "TX": "Texas",
        "UT": "Utah",
        "VT": "Vermont",
        "VA": "Virginia",
        "WA": "Washington",
        "WV": "West Virginia",
        "WI": "Wisconsin",
        "WY": "Wyoming",
    }
)
"""Two-letter postal code → name, for the 50 states and the District of Columbia."""

STATES: tuple[str, ...] = tuple(sorted(STATE_NAMES))
"""The 51 two-letter codes underwater accepts: the 50 states and DC."""

Measure = Literal["cash_price", "amount_financed", "unpaid_balance_at_default"]
"""The amount a state's small-debt bar is measured on; each is a parameter of the worksheet."""

MEASURE_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "cash_price": "cash price",
        "amount_financed": "amount financed",
        "unpaid_balance_at_default": "unpaid balance at default",
    }
)

_DATA_FILE = "state_rules.json"


@dataclass(frozen=True, slots=True)
class ThresholdBar:
    """A small-debt bar: no deficiency when ``measure`` is at or below (or below) ``threshold``.

    ``threshold`` is in dollars; ``inclusive`` says whether an amount equal to it is barred.

    >>> bar = ThresholdBar("cash_price", Decimal("3000.00"), inclusive=True)
    >>> bar.bars(Decimal("3000.00")), bar.bars(Decimal("3000.01"))
    (True, False)
    """

    measure: Measure
    threshold: Decimal
    inclusive: bool

    def bars(self, amount: Decimal) -> bool:
        """Whether a ``measure`` of ``amount`` dollars falls under the bar."""
        return amount <= self.threshold if self.inclusive else amount < self.threshold

    @property
    def condition(self) -> str:
        """The bar as a person reads it: ``"cash price ≤ 3000.00"``."""
        sign = "≤" if self.inclusive else "<"
        return f"{MEASURE_LABELS[self.measure]} {sign} {format_money(self.threshold)}"


@dataclass(frozen=True, slots=True)
class StateRule:
    """A state's rule on deficiencies after repossession of goods, with where it comes from.

    ``bar`` is the small-debt threshold, if the state has one on file; ``fair_market_value_rule``
    says the state measures the deficiency against the collateral's fair market value instead of
    the sale price (Massachusetts); ``advice`` says what to do with the rule when filling in a
    worksheet, if anything. ``verified`` is false for a rule believed to exist whose
    terms were not read: such a rule never carries a number.
    """

    state: str
    name: str
    summary: str
    citation: str
    sources: tuple[str, ...]
    confidence: str
    as_of: date
    scope: str
    bar: ThresholdBar | None = None
    fair_market_value_rule: bool = False
    verified: bool = True
    advice: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The rule as JSON: name, summary, citation, sources, confidence, as_of, bar."""
        bar = None
        if self.bar is not None:
            bar = {
                "measure": self.bar.measure,
                "threshold": format_money(self.bar.threshold),
                "bound": "inclusive" if self.bar.inclusive else "exclusive",
            }
        return {
            "state": self.state,
            "rule": self.name,
            "summary": self.summary,
            "citation": self.citation,
            "sources": list(self.sources),
            "confidence": self.confidence,
            "as_of": self.as_of.isoformat(),
            "scope": self.scope,
            "bar": bar,
            "fair_market_value_rule": self.fair_market_value_rule,
            "verified": self.verified,
            "advice": self.advice,
        }


@dataclass(frozen=True, slots=True)
class LimitationPeriod:
    """Years a creditor has to sue on a deficiency in a state, with the caveat that goes with it.

    ``years_written_contract`` is the general period for written contracts; ``years_ucc_2_725``
    the sale-of-goods period (``None`` where the state has no UCC Article 2: Louisiana). Many
    courts apply the sale-of-goods period to a retail installment contract's deficiency.
    """

    state: str
    years_written_contract: int
    years_ucc_2_725: int | None
    note: str
    confidence: str
    as_of: date
    sources: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """Keys: years_written_contract, years_ucc_2_725, note, confidence, as_of, sources."""
        return {
            "years_written_contract": self.years_written_contract,
            "years_ucc_2_725": self.years_ucc_2_725,
            "note": self.note,
            "confidence": self.confidence,
            "as_of": self.as_of.isoformat(),
            "sources": list(self.sources),
        }


def parse_state(value: object, field: str = "state") -> str:
    """Read a US state as its two-letter code: ``"co"``, ``" CO "`` or ``"Colorado"`` → ``"CO"``.

    Accepts the 50 states and DC (territories have their own laws and are not on file).

    >>> parse_state("massachusetts")
    'MA'
    >>> parse_state("XX")
    Traceback (most recent call last):
    ...
    underwater.errors.InputError: state: must be a two-letter code of a US state or DC, such as CO (got 'XX')
    """
    if isinstance(value, str):
        text = " ".join(value.split())
        code = text.upper()
        if code in STATE_NAMES:
            return code
        for candidate, name in STATE_NAMES.items():
            if name.lower() == text.lower():
                return candidate
    raise InputError(field, "must be a two-letter code of a US state or DC, such as CO", got=value)


def state_rule(state: str) -> StateRule | None:
    """The deficiency rule on file for ``state`` (a two-letter code), or ``None`` if none is on file.

    ``None`` means the table holds no rule for the state; it does not prove the state has none.

    >>> state_rule("CO").bar.condition
    'cash price ≤ 3000.00'
    >>> state_rule("TX") is None
    True
    """
    return _tables().rules.get(parse_state(state))


def limitation_period(state: str) -> LimitationPeriod | None:
    """The limitation periods on file for a deficiency suit in ``state``, or ``None``.

    >>> period = limitation_period("OH")
    >>> period.years_written_contract, period.years_ucc_2_725
    (6, 4)
    """
    return _tables().periods.get(parse_state(state))


def state_rules_as_of() -> date:
    """The date the state-rule table as a whole was last checked."""
    return _tables().as_of


@dataclass(frozen=True, slots=True)
class _Tables:
    as_of: date
    rules: Mapping[str, StateRule]
    periods: Mapping[str, LimitationPeriod]


@functools.cache
def _tables() -> _Tables:
    raw = cast(dict[str, Any], load_json(_DATA_FILE))
    as_of = date.fromisoformat(raw["as_of"])
    rules: dict[str, StateRule] = {}
    for code, entry in raw["deficiency_rules"].items():
        rules[_known(code)] = _rule(code, entry)
    for code, entry in raw["deficiency_rules_unverified"].items():
        if code in rules:
            raise ValueError(f"{_DATA_FILE}: {code} is both verified and unverified")
        rules[_known(code)] = _unverified_rule(code, entry, as_of)
    periods = _periods(raw["limitation_periods"])
    return _Tables(as_of, MappingProxyType(rules), MappingProxyType(periods))


def _known(code: str) -> str:
    if code not in STATE_NAMES:
        raise ValueError(f"{_DATA_FILE}: unknown state code {code!r}")
    return code


def _rule(code: str, entry: Mapping[str, Any]) -> StateRule:
    bar = None
    if "bar" in entry:
        raw_bar = entry["bar"]
        if raw_bar["measure"] not in MEASURE_LABELS or raw_bar["bound"] not in ("inclusive", "exclusive"):
            raise ValueError(f"{_DATA_FILE}: bad bar for {code}: {raw_bar!r}")
        bar = ThresholdBar(
            measure=cast(Measure, raw_bar["measure"]),
            threshold=Decimal(raw_bar["threshold"]),
            inclusive=raw_bar["bound"] == "inclusive",
        )
    return StateRule(
        state=code,
        name=entry["name"],
        summary=entry["summary"],
        citation=entry["citation"],
        sources=tuple(entry["sources"]),
        confidence=entry["confidence"],
        as_of=date.fromisoformat(entry["as_of"]),
        scope=entry["scope"],
        bar=bar,
        fair_market_value_rule=bool(entry.get("fair_market_value_rule", False)),
        advice=entry.get("advice"),
    )


def _unverified_rule(code: str, entry: Mapping[str, Any], as_of: date) -> StateRule:
    # No number is ever carried for these: the research could not confirm the thresholds.
    return StateRule(
        state=code,
        name=f"{STATE_NAMES[code]}: deficiency restriction believed to exist, not verified",
        summary=(
            "A consumer-credit limit on deficiencies after repossession is believed to exist, "
            "but its terms were not verified; read the current statute before relying on any figure."
        ),
        citation=entry["citation"],
        sources=(),
        confidence="R",
        as_of=as_of,
        scope="consumer credit (not verified)",
        verified=False,
    )


def _periods(raw: Mapping[str, Any]) -> dict[str, LimitationPeriod]:
    as_of = date.fromisoformat(raw["as_of"])
    default_confidence = raw["confidence"]
    general_note = raw["ucc_2_725_note"]
    sources = tuple(raw["sources"])
    periods: dict[str, LimitationPeriod] = {}
    for code, entry in raw["states"].items():
        note = general_note
        if entry["ucc_2_725"] is None:
            note = entry["note"]  # no UCC Article 2, so the 2-725 caveat does not apply
        elif "note" in entry:
            note = f"{entry['note']} {general_note}"
        periods[_known(code)] = LimitationPeriod(
            state=code,
            years_written_contract=int(entry["written_contract"]),
            years_ucc_2_725=None if entry["ucc_2_725"] is None else int(entry["ucc_2_725"]),
            note=note,
            confidence=entry.get("confidence", default_confidence),
            as_of=as_of,
            sources=sources,
        )
    return periods
