"""Whether a trade-in lowers the sales tax on the next vehicle, state by state.

Most states tax a vehicle bought with a trade-in on the price less the trade-in value; some
tax the full price (California, Virginia, Oklahoma's excise tax, Oregon's privilege tax, the
District's excise tax), some cap the credit (Michigan), some allow it only on a new vehicle
(Kentucky, Ohio), some only for certain vehicles (Rhode Island: a passenger car for a
passenger car), and three levy no statewide sales tax on vehicles at all (Alaska, Montana,
New Hampshire). Several states tax vehicles with a tax in place of the sales tax (a titling,
excise or highway-use tax, a registration or document fee); the rule here is about that tax.

The rules live in ``data/trade_in_tax_credit.json``, each with its citation, sources, the date
it was read and a confidence label: **V** read on the cited statute, regulation or official
page; **V-d** derived by arithmetic (a cap schedule's later years); **S** read on a secondary
source or inferred from a primary page (each such entry says which in ``confidence_note``).

:func:`trade_in_rule` gives a state's :class:`TradeInRule`; a state not in the table raises
:class:`~underwater.errors.InputError` "no trade-in tax rule on file" - never a guess.
:func:`taxable_price` applies a rule (or the user's own yes/no) to a price and a trade-in.
Money is in dollars. This is not tax advice: the table has a date and states change their law.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Literal, cast

from underwater.datafiles import load_json
from underwater.errors import InputError
from underwater.limits import check_date
from underwater.money import ZERO, Number, format_money, parse_money
from underwater.state_rules import STATE_NAMES, parse_state

__all__ = [
    "CREDIT_KINDS",
    "CapStep",
    "Credit",
    "TaxablePrice",
    "TradeInRule",
    "taxable_price",
    "trade_in_rule",
    "trade_in_rules_as_of",
]

Credit = Literal["full", "capped", "none", "no_tax"]
"""How a state treats a trade-in: ``full`` credit, ``capped`` credit, ``none``, or ``no_tax``
(no statewide sales tax, or tax in its place, on vehicles)."""

CREDIT_KINDS: tuple[str, ...] = ("full", "capped", "none", "no_tax")

_DATA_FILE = "trade_in_tax_credit.json"
_CONFIDENCE = ("V", "V-d", "S", "R")


@dataclass(frozen=True, slots=True)
class CapStep:
    """A cap on the credit from ``starts`` on: ``cap`` dollars, or ``None`` for no cap."""

    starts: date
    cap: Decimal | None
    confidence: str


@dataclass(frozen=True, slots=True)
class TradeInRule:
    """A state's rule on trade-ins, with where it comes from.

    ``credit`` is one of :data:`CREDIT_KINDS`; ``cap`` is the dollar cap in force on
    ``effective`` (only for ``capped``; ``None`` when no cap applies that day). ``dealer_only``
    says the credit needs a dealer (or retailer) to take the trade-in: ``True``, ``False`` (a
    private seller's trade-in, or a sale of the old vehicle within a window, counts too) or
    ``None`` (not on file). ``new_vehicles_only``: the credit applies only when the vehicle
    bought is new. ``conditions`` are further requirements, in words, that the caller must
    check (a like-kind vehicle, the same transaction ...).
    """

    state: str
    name: str
    tax: str
    credit: Credit
    summary: str
    citation: str
    sources: tuple[str, ...]
    confidence: str
    as_of: date
    effective: date
    dealer_only: bool | None
    new_vehicles_only: bool
    conditions: tuple[str, ...]
    cap: Decimal | None = None
    confidence_note: str | None = None
    tax_cap: Decimal | None = None
    """The most the tax itself can come to, in dollars, whatever the price (South Carolina's
    infrastructure maintenance fee: $500); ``None`` when the tax has no cap."""

    def capped_tax(self, tax: Decimal) -> Decimal:
        """``tax`` (dollars) held to the state's cap on the tax, if it has one.

        >>> trade_in_rule("SC").capped_tax(Decimal("1750.00")), trade_in_rule("VA").capped_tax(Decimal("1750.00"))
        (Decimal('500.00'), Decimal('1750.00'))
        """
        return tax if self.tax_cap is None else min(tax, self.tax_cap)

    def to_json(self) -> dict[str, Any]:
        """The rule as JSON: money as two-decimal strings, dates ISO."""
        return {
            "state": self.state,
            "name": self.name,
            "tax": self.tax,
            "credit": self.credit,
            "cap": None if self.cap is None else format_money(self.cap),
            "tax_cap": None if self.tax_cap is None else format_money(self.tax_cap),
            "effective": self.effective.isoformat(),
            "dealer_only": self.dealer_only,
            "new_vehicles_only": self.new_vehicles_only,
            "conditions": list(self.conditions),
            "summary": self.summary,
            "citation": self.citation,
            "sources": list(self.sources),
            "confidence": self.confidence,
            "confidence_note": self.confidence_note,
            "as_of": self.as_of.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class TaxablePrice:
    """A price (dollars) after the trade-in credit: ``taxable`` = ``price`` - ``credit``.

    ``taxed`` is false where no statewide tax applies (``taxable`` is then 0.00). ``basis`` is
    ``"rule"`` or ``"override"`` (the user said whether the credit applies); ``reason`` says
    in words how the credit was decided; ``caveats`` list what the caller must still check.
    """

    state: str
    price: Decimal
    trade_in_value: Decimal
    credit: Decimal
    taxable: Decimal
    taxed: bool
    basis: Literal["rule", "override"]
    reason: str
    caveats: tuple[str, ...]
    rule: TradeInRule

    def to_json(self) -> dict[str, Any]:
        """Keys: ``state``, ``price``, ``trade_in_value``, ``credit``, ``taxable``, ``taxed``,
        ``basis``, ``reason``, ``caveats``, ``rule``."""
        return {
            "state": self.state,
            "price": format_money(self.price),
            "trade_in_value": format_money(self.trade_in_value),
            "credit": format_money(self.credit),
            "taxable": format_money(self.taxable),
            "taxed": self.taxed,
            "basis": self.basis,
            "reason": self.reason,
            "caveats": list(self.caveats),
            "rule": self.rule.to_json(),
        }


def _code(state: object) -> str:
    # A two-letter code outside the table (a territory) gets the "no rule on file" answer;
    # anything else must read as a state or DC.
    if isinstance(state, str) and len(state.strip()) == 2 and state.strip().isalpha():
        return state.strip().upper()
    return parse_state(state)


def trade_in_rule(state: str, *, on: date | None = None) -> TradeInRule:
    """The trade-in rule on file for ``state`` (a two-letter code or a name), in force ``on``
    a delivery date (default: the table's own date, :func:`trade_in_rules_as_of`).

    A code with no entry raises :class:`~underwater.errors.InputError` on ``state``: "no
    trade-in tax rule on file". A capped rule's cap is the one in force ``on`` that date; a
    date before its schedule raises an InputError on ``on``.

    >>> trade_in_rule("CA").credit, trade_in_rule("TX").credit
    ('none', 'full')
    >>> trade_in_rule("MI", on=date(2025, 6, 1)).cap
    Decimal('11000.00')
    >>> trade_in_rule("PR")
    Traceback (most recent call last):
    ...
    underwater.errors.InputError: state: no trade-in tax rule on file for PR (the table covers the 50 states and DC) (got 'PR')
    """
    code = _code(state)
    tables = _tables()
    entry = tables.rules.get(code)
    if entry is None:
        scope = "" if code in STATE_NAMES else " (the table covers the 50 states and DC)"
        raise InputError("state", f"no trade-in tax rule on file for {code}{scope}", got=state)
    when = tables.as_of if on is None else check_date(on, "on")
    rule, schedule = entry
    if not schedule:
        return rule if when == rule.effective else dataclasses.replace(rule, effective=when)
    in_force = [step for step in schedule if step.starts <= when]
    if not in_force:
        raise InputError(
            "on",
            f"no {rule.name} trade-in cap on file before {schedule[0].starts.isoformat()}",
            got=when.isoformat(),
        )
    return dataclasses.replace(rule, effective=when, cap=in_force[-1].cap)


def taxable_price(
    price: Number,
    trade_in_value: Number,
    rule: TradeInRule,
    *,
    override: bool | None = None,
    seller_is_dealer: bool = True,
    purchase_is_new: bool | None = None,
) -> TaxablePrice:
    """The price (dollars) a vehicle's sales tax is figured on after a trade-in, by ``rule``.

    ``price`` is the taxable price before the trade-in and ``trade_in_value`` the allowance
    (dollars). ``override`` lets the user decide: ``True`` applies the full credit, ``False``
    none, whatever the table says (their state may have changed its law since the table's
    date); where the state levies no tax on vehicles nothing is taxed either way.
    ``seller_is_dealer`` (default true: a trade-in is normally taken by a dealer)
    matters where the credit needs a dealer; ``purchase_is_new`` must be given where the
    credit applies only to new vehicles (Kentucky counts a dealer demonstrator and a few
    near-new kinds as new: see the rule's ``conditions``). The credit is never more than the price, so the
    taxable price is never negative and never above the price.

    Massachusetts DOR's example: a $30,000 car with a $10,000 trade-in is taxed on $20,000.

    >>> taxable_price("30000", "10000", trade_in_rule("MA")).taxable
    Decimal('20000.00')
    >>> taxable_price("40000", "5000", trade_in_rule("VA")).taxable
    Decimal('40000.00')
    """
    if not isinstance(rule, TradeInRule):
        raise InputError("rule", "must be a TradeInRule (see trade_in_rule)", got=rule)
    amount = parse_money(price, "price")
    trade = parse_money(trade_in_value, "trade_in_value")
    for name, flag in (("override", override), ("purchase_is_new", purchase_is_new)):
        if flag is not None and not isinstance(flag, bool):
            raise InputError(name, "must be true, false or left out", got=flag)
    if not isinstance(seller_is_dealer, bool):
        raise InputError("seller_is_dealer", "must be true or false", got=seller_is_dealer)
    caveats = [
        f"Rule on file as of {rule.as_of.isoformat()}: {rule.citation} (confidence {rule.confidence})."
    ]
    caveats += [f"Check: {condition}." for condition in rule.conditions]
    if rule.confidence_note:
        caveats.append(f"Confidence {rule.confidence}: {rule.confidence_note}.")
    if rule.credit == "no_tax":
        # Nothing is taxed, so no credit is worth anything whatever the user says.
        return _result(rule, amount, trade, ZERO, "rule", f"{rule.name} has {rule.tax}", caveats, taxed=False)
    if override is not None:
        allowed = trade if override else ZERO
        reason = "the credit is applied, as you said" if override else "no credit, as you said"
        basis: Literal["rule", "override"] = "override"
    else:
        allowed, reason = _allowed(rule, trade, seller_is_dealer, purchase_is_new)
        basis = "rule"
    credit = min(allowed, amount)
    if credit < allowed:
        reason += f"; limited to the price, ${amount:,}"
    return _result(rule, amount, trade, credit, basis, reason, caveats, taxed=True)


def _result(
    rule: TradeInRule,
    amount: Decimal,
    trade: Decimal,
    credit: Decimal,
    basis: Literal["rule", "override"],
    reason: str,
    caveats: list[str],
    *,
    taxed: bool,
) -> TaxablePrice:
    return TaxablePrice(
        state=rule.state,
        price=amount,
        trade_in_value=trade,
        credit=credit,
        taxable=amount - credit if taxed else ZERO,
        taxed=taxed,
        basis=basis,
        reason=reason,
        caveats=tuple(caveats),
        rule=rule,
    )


def _allowed(
    rule: TradeInRule, trade: Decimal, seller_is_dealer: bool, purchase_is_new: bool | None
) -> tuple[Decimal, str]:
    """The credit the rule allows before the price limit, and why."""
    if rule.credit == "none":
        return ZERO, f"{rule.name} taxes the price before any trade-in"
    if not seller_is_dealer:
        if rule.dealer_only is None:
            raise InputError(
                "seller_is_dealer",
                f"whether {rule.name} credits a trade-in taken by a private seller is not on file: "
                "give `override` to say whether the credit applies",
            )
        if rule.dealer_only:
            return ZERO, f"{rule.name} credits a trade-in only when a dealer takes it"
    if rule.new_vehicles_only:
        if purchase_is_new is None:
            raise InputError(
                "purchase_is_new",
                f"{rule.name} credits a trade-in only on a new vehicle: say whether the vehicle bought is new",
            )
        if not purchase_is_new:
            return ZERO, f"{rule.name} credits a trade-in only on a new vehicle"
    if rule.credit == "capped" and rule.cap is not None and trade > rule.cap:
        return rule.cap, f"{rule.name} credits the trade-in up to ${rule.cap:,}"
    return trade, f"{rule.name} credits the trade-in value"


def trade_in_rules_as_of() -> date:
    """The date the trade-in table as a whole was last checked."""
    return _tables().as_of


@dataclass(frozen=True, slots=True)
class _Tables:
    as_of: date
    rules: Mapping[str, tuple[TradeInRule, tuple[CapStep, ...]]]


@functools.cache
def _tables() -> _Tables:
    raw = cast(dict[str, Any], load_json(_DATA_FILE))
    as_of = date.fromisoformat(raw["as_of"])
    rules: dict[str, tuple[TradeInRule, tuple[CapStep, ...]]] = {}
    for code, entry in raw["rules"].items():
        if code not in STATE_NAMES:
            raise ValueError(f"{_DATA_FILE}: unknown state code {code!r}")
        rules[code] = _rule(code, entry, as_of)
    return _Tables(as_of, MappingProxyType(rules))


def _rule(code: str, entry: Mapping[str, Any], table_date: date) -> tuple[TradeInRule, tuple[CapStep, ...]]:
    credit = entry["credit"]
    if credit not in CREDIT_KINDS or entry["confidence"] not in _CONFIDENCE:
        raise ValueError(f"{_DATA_FILE}: bad credit or confidence for {code}")
    schedule = tuple(
        CapStep(
            date.fromisoformat(step["from"]),
            None if step["cap"] is None else Decimal(step["cap"]),
            str(step["confidence"]),
        )
        for step in entry.get("cap_schedule", ())
    )
    if (credit == "capped") != bool(schedule):
        raise ValueError(f"{_DATA_FILE}: {code} needs a cap schedule exactly when capped")
    dealer_only = entry["dealer_only"]
    rule = TradeInRule(
        state=code,
        name=STATE_NAMES[code],
        tax=str(entry["tax"]),
        credit=cast(Credit, credit),
        summary=str(entry["summary"]),
        citation=str(entry["citation"]),
        sources=tuple(str(s) for s in entry["sources"]),
        confidence=str(entry["confidence"]),
        as_of=date.fromisoformat(entry["as_of"]),
        effective=table_date,
        dealer_only=None if dealer_only is None else bool(dealer_only),
        new_vehicles_only=bool(entry["new_vehicles_only"]),
        conditions=tuple(str(c) for c in entry["conditions"]),
        confidence_note=entry.get("confidence_note"),
        tax_cap=None if entry.get("tax_cap") is None else Decimal(entry["tax_cap"]),
    )
    return rule, schedule
