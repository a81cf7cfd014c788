"""What is still owed after the lender sells repossessed collateral: the deficiency worksheet.

After a repossession sale, UCC 9-615(a) applies the cash proceeds in a fixed order: first the
reasonable expenses of retaking, holding, preparing, processing and disposing of the collateral
(and attorney fees where the agreement and the law allow), then the secured obligation, then
subordinate liens that asked in writing; anything left is a **surplus** owed to the borrower,
and whatever is not covered is a **deficiency** the borrower still owes (9-615(d)).

In a consumer-goods transaction UCC 9-616 requires a written explanation laid out in six lines,
and :class:`DeficiencyWorksheet` follows that order:

1. obligations secured, as of a stated date;
2. proceeds of the disposition;
3. obligations after deducting the proceeds = (1) − (2);
4. expenses, by type;
5. credits (rebates of unearned interest, refunds of GAP, insurance or service contracts)
   not already in line 1;
6. surplus or deficiency = (3) + (4) − (5): positive is a deficiency, negative a surplus.

Both orders give the same number; the worksheet carries the 9-615(a) view as well
(:class:`Waterfall`). State rules from ``data/state_rules.json`` are applied on top (small-debt
bars, Massachusetts' fair-market-value measure, notes for California and New York), each with its
citation, confidence label and date. **Not legal advice.**

All amounts are dollars (``Decimal``); storage is days × dollars per day.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any, Literal, cast

from underwater.assets import AssetClass, CostGroup, cost_group, parse_asset_class
from underwater.datafiles import load_json
from underwater.errors import InputError
from underwater.limits import check_date
from underwater.money import ZERO, format_money, format_percent, parse_decimal, parse_money, round_cents
from underwater.state_rules import (
    MEASURE_LABELS,
    STATE_NAMES,
    LimitationPeriod,
    StateRule,
    limitation_period,
    parse_state,
    state_rule,
)

__all__ = [
    "DISCLAIMER",
    "CostDefault",
    "CreditLine",
    "DefaultExpenses",
    "DeficiencyWorksheet",
    "Estimate",
    "ExpenseLine",
    "Expenses",
    "StateRuleOutcome",
    "Waterfall",
    "default_auction_share_percent",
    "default_expenses",
    "deficiency_worksheet",
    "estimate_deficiency",
]

DISCLAIMER = (
    "Not legal advice. This is arithmetic laid out the way UCC 9-616 asks a lender to explain a "
    "surplus or deficiency; whether a deficiency can actually be collected depends on the contract, "
    "the notices sent, how the sale was run and the law of the state, which may have changed since "
    "the dated rules used here were checked. Ask a lawyer or legal-aid office in your state before "
    "relying on it."
)

MoneyInput = Decimal | int | str
"""An amount in dollars as a person gives it: ``Decimal("450")``, ``450`` or ``"$450.00"``."""

ProceedsBasis = Literal["disposition", "fair_market_value", "estimate"]
Outcome = Literal["barred", "not_barred", "undecided", "caveat", "unverified", "not_applied"]

_COSTS_FILE = "repossession_costs.json"
_HUNDRED = Decimal(100)

# Each expense type and the UCC 9-615(a)(1) / 9-616 kind of expense it belongs to.
_EXPENSE_CATEGORIES: Mapping[str, str] = {
    "retaking": "retaking",
    "storage": "holding",
    "transport": "disposing",
    "reconditioning": "preparing for disposition",
    "sale_fees": "disposing",
    "title_admin": "processing",
    "attorney_fees": "attorney fees",
    "other": "other",
}
# Massachusetts c.255B s.20B(e) lets only these be added to the deficiency.
_FMV_CHARGEABLE = frozenset({"retaking", "storage"})


@dataclass(frozen=True, slots=True)
class ExpenseLine:
    """One line of expenses: its type, the UCC kind of expense, dollars and an optional detail."""

    type: str
    category: str
    amount: Decimal
    detail: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Keys: type, category, amount, detail."""
        return {
            "type": self.type,
            "category": self.category,
            "amount": format_money(self.amount),
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True)
class CreditLine:
    """One credit owed to the borrower (a rebate or refund), by name, in dollars."""

    type: str
    amount: Decimal

    def to_json(self) -> dict[str, Any]:
        """Keys: type, amount."""
        return {"type": self.type, "amount": format_money(self.amount)}


@dataclass(frozen=True, slots=True)
class Expenses:
    """What the lender spent to retake, hold, prepare and sell the collateral, in dollars.

    ``retaking`` is the recovery (repossession agent) fee; storage is ``storage_days`` days at
    ``storage_per_day`` dollars a day; ``sale_fees`` are auction or other sale fees;
    ``title_admin`` covers title, administration and notice costs. Amounts may be given as
    ``Decimal``, ``int`` or text such as ``"$450"``; each is checked (no negatives, whole cents).

    >>> repo = Expenses(retaking=450, storage_days=30, storage_per_day=30, sale_fees=250)
    >>> repo.storage, repo.total
    (Decimal('900.00'), Decimal('1600.00'))
    """

    retaking: Decimal = ZERO
    storage_days: int = 0
    storage_per_day: Decimal = ZERO
    transport: Decimal = ZERO
    reconditioning: Decimal = ZERO
    sale_fees: Decimal = ZERO
    title_admin: Decimal = ZERO
    attorney_fees: Decimal = ZERO
    other: Decimal = ZERO

    def __post_init__(self) -> None:
        for spec in fields(self):
            value = getattr(self, spec.name)
            parsed: Decimal | int
            if spec.name == "storage_days":
                parsed = _parse_days(value, spec.name)
            else:
                parsed = parse_money(value, spec.name)
            # Frozen dataclass: normalise what the caller typed into exact values once.
            object.__setattr__(self, spec.name, parsed)

    @property
    def storage(self) -> Decimal:
        """Storage in dollars: days × dollars per day."""
        return round_cents(self.storage_per_day * self.storage_days)

    @property
    def total(self) -> Decimal:
        """All expenses in dollars (line 4 of the 9-616 explanation)."""
        return sum((line.amount for line in self.lines()), ZERO)

    def lines(self) -> tuple[ExpenseLine, ...]:
        """The expenses by type, in a fixed order, zero amounts included."""
        amounts = {
            "retaking": self.retaking,
            "storage": self.storage,
            "transport": self.transport,
            "reconditioning": self.reconditioning,
            "sale_fees": self.sale_fees,
            "title_admin": self.title_admin,
            "attorney_fees": self.attorney_fees,
            "other": self.other,
        }
        storage_detail = f"{self.storage_days} days × {format_money(self.storage_per_day)} per day"
        return tuple(
            ExpenseLine(
                type=name,
                category=_EXPENSE_CATEGORIES[name],
                amount=amount,
                detail=storage_detail if name == "storage" else None,
            )
            for name, amount in amounts.items()
        )


@dataclass(frozen=True, slots=True)
class Waterfall:
    """The proceeds applied in the order of UCC 9-615(a), in dollars.

    The proceeds pay the expenses first, then the obligation (net of the borrower's credits);
    what is left over is a surplus. ``surplus_or_deficiency`` is always the same number as
    line 6 of the 9-616 layout. Payments to subordinate lienholders (9-615(a)(3)) are not
    modelled: the left-over amount is shown before any of them.
    """

    proceeds: Decimal
    applied_to_expenses: Decimal
    applied_to_obligation: Decimal
    left_over: Decimal
    expenses_unpaid: Decimal
    obligation_unpaid: Decimal
    credits_beyond_obligation: Decimal

    @property
    def surplus_or_deficiency(self) -> Decimal:
        """What is still owed (positive) or owed back to the borrower (negative), in dollars."""
        return self.expenses_unpaid + self.obligation_unpaid - self.left_over - self.credits_beyond_obligation

    def to_json(self) -> dict[str, Any]:
        """Every amount above plus ``surplus_or_deficiency``, as money strings."""
        return {
            "proceeds": format_money(self.proceeds),
            "applied_to_expenses": format_money(self.applied_to_expenses),
            "applied_to_obligation": format_money(self.applied_to_obligation),
            "left_over": format_money(self.left_over),
            "expenses_unpaid": format_money(self.expenses_unpaid),
            "obligation_unpaid": format_money(self.obligation_unpaid),
            "credits_beyond_obligation": format_money(self.credits_beyond_obligation),
            "surplus_or_deficiency": format_money(self.surplus_or_deficiency),
        }


@dataclass(frozen=True, slots=True)
class StateRuleOutcome:
    """How the state's rule on file bore on this worksheet.

    ``outcome`` is one of ``barred`` (no deficiency may be collected), ``not_barred``,
    ``undecided`` (the amount the bar is measured on was not given), ``caveat`` (a rule that
    changes what to check, not the arithmetic), ``unverified`` (a rule believed to exist whose
    terms were not verified) or ``not_applied`` (a commercial transaction).
    """

    rule: StateRule
    outcome: Outcome
    effect: str

    def to_json(self) -> dict[str, Any]:
        """Keys: rule, citation, sources, confidence, as_of, outcome, effect."""
        return {
            "rule": self.rule.name,
            "citation": self.rule.citation,
            "sources": list(self.rule.sources),
            "confidence": self.rule.confidence,
            "as_of": self.rule.as_of.isoformat(),
            "outcome": self.outcome,
            "effect": self.effect,
        }


@dataclass(frozen=True, slots=True)
class CostDefault:
    """One default cost used in an estimate, with where it comes from.

    ``amount`` is dollars, except for ``storage_days`` where it is a number of days.
    """

    type: str
    label: str
    amount: Decimal | int
    confidence: str
    sources: tuple[str, ...]
    cost_group: str
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Keys: type, label, amount, confidence, sources, cost_group, note."""
        amount: str | int = self.amount if isinstance(self.amount, int) else format_money(self.amount)
        return {
            "type": self.type,
            "label": self.label,
            "amount": amount,
            "confidence": self.confidence,
            "sources": list(self.sources),
            "cost_group": self.cost_group,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class DefaultExpenses:
    """The default expenses for an asset class, each figure with its source and confidence."""

    asset_class: AssetClass
    cost_group: CostGroup
    expenses: Expenses
    items: tuple[CostDefault, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Estimate:
    """How an estimate before any sale was built: the assumed sale price and default costs."""

    asset_class: AssetClass
    cost_group: CostGroup
    market_value: Decimal
    auction_share_percent: Decimal
    auction_share_given: bool
    auction_share_confidence: str
    auction_share_sources: tuple[str, ...]
    expense_defaults: tuple[CostDefault, ...] | None

    def to_json(self) -> dict[str, Any]:
        """Keys: asset_class, cost_group, market_value, auction_share_percent, auction_share, expense_defaults."""
        return {
            "asset_class": self.asset_class.value,
            "cost_group": self.cost_group.value,
            "market_value": format_money(self.market_value),
            "auction_share_percent": format_percent(self.auction_share_percent),
            "auction_share": {
                "given_by_user": self.auction_share_given,
                "basis": "percent of clean retail value",
                "confidence": None if self.auction_share_given else self.auction_share_confidence,
                "sources": [] if self.auction_share_given else list(self.auction_share_sources),
            },
            "expense_defaults": (
                None if self.expense_defaults is None else [item.to_json() for item in self.expense_defaults]
            ),
        }


@dataclass(frozen=True, slots=True)
class DeficiencyWorksheet:
    """A surplus or deficiency in the six lines of a UCC 9-616 explanation, with state rules.

    Money is in dollars. ``surplus_or_deficiency`` is line 6, signed (positive: the borrower
    still owes; negative: the lender owes the borrower a surplus). ``deficiency`` is what may be
    collected after the state's rule (0 when a small-debt bar applies, see
    ``deficiency_barred``); ``surplus`` is what the borrower is owed. They are never both
    positive. Build it with :func:`deficiency_worksheet` or :func:`estimate_deficiency`.
    """

    as_of: date
    obligations_secured: Decimal
    proceeds: Decimal
    proceeds_basis: ProceedsBasis
    expense_lines: tuple[ExpenseLine, ...]
    credit_lines: tuple[CreditLine, ...]
    consumer: bool
    state: str | None
    state_rule: StateRuleOutcome | None
    limitation_period: LimitationPeriod | None
    deficiency_barred: bool
    notes: tuple[str, ...]
    estimate: Estimate | None = None

    @property
    def obligations_after_proceeds(self) -> Decimal:
        """Line 3: obligations secured less proceeds, in dollars (negative if the sale covered more)."""
        return self.obligations_secured - self.proceeds

    @property
    def expenses_total(self) -> Decimal:
        """Line 4: all expenses, in dollars."""
        return sum((line.amount for line in self.expense_lines), ZERO)

    @property
    def credits_total(self) -> Decimal:
        """Line 5: all credits owed to the borrower, in dollars."""
        return sum((line.amount for line in self.credit_lines), ZERO)

    @property
    def surplus_or_deficiency(self) -> Decimal:
        """Line 6 = line 3 + line 4 − line 5, in dollars: positive deficiency, negative surplus."""
        return self.obligations_after_proceeds + self.expenses_total - self.credits_total

    @property
    def deficiency(self) -> Decimal:
        """What the borrower still owes after the sale, in dollars (0 if barred or a surplus)."""
        if self.deficiency_barred:
            return ZERO
        return max(self.surplus_or_deficiency, ZERO)

    @property
    def surplus(self) -> Decimal:
        """What the lender must pay the borrower, in dollars (0 if there is a deficiency)."""
        return max(-self.surplus_or_deficiency, ZERO)

    @property
    def waterfall(self) -> Waterfall:
        """The same result with the proceeds applied in the order of UCC 9-615(a)."""
        return _waterfall(self.obligations_secured, self.proceeds, self.expenses_total, self.credits_total)

    @property
    def disclaimer(self) -> str:
        """Why this is not legal advice."""
        return DISCLAIMER

    def explanation(self) -> tuple[tuple[str, str, Decimal], ...]:
        """The explanation as (line number, label, dollars) rows, expense and credit detail included."""
        rows: list[tuple[str, str, Decimal]] = [
            ("1", f"Obligations secured as of {self.as_of.isoformat()}", self.obligations_secured),
            ("2", _PROCEEDS_LABELS[self.proceeds_basis], self.proceeds),
            ("3", "Obligations after deducting the proceeds", self.obligations_after_proceeds),
        ]
        rows += [("4", f"  {line.type} ({line.category})", line.amount) for line in self.expense_lines]
        rows.append(("4", "Expenses, total", self.expenses_total))
        rows += [("5", f"  {line.type}", line.amount) for line in self.credit_lines]
        rows.append(("5", "Credits, total", self.credits_total))
        rows.append(("6", "Surplus (negative) or deficiency (positive)", self.surplus_or_deficiency))
        return tuple(rows)

    def to_json(self) -> dict[str, Any]:
        """The worksheet as JSON; money as strings with two decimals, dates ISO.

        Keys: as_of, obligations_secured, proceeds, proceeds_basis, obligations_after_proceeds,
        expenses, expenses_total, credits, credits_total, surplus_or_deficiency, deficiency,
        surplus, deficiency_barred, consumer, state, state_rule, limitation_period,
        waterfall_9_615a, estimate, notes, disclaimer.
        """
        rule: dict[str, Any] | str | None
        if self.state is None:
            rule = None
        elif self.state_rule is None:
            rule = "no rule on file"
        else:
            rule = self.state_rule.to_json()
        return {
            "as_of": self.as_of.isoformat(),
            "obligations_secured": format_money(self.obligations_secured),
            "proceeds": format_money(self.proceeds),
            "proceeds_basis": self.proceeds_basis,
            "obligations_after_proceeds": format_money(self.obligations_after_proceeds),
            "expenses": [line.to_json() for line in self.expense_lines],
            "expenses_total": format_money(self.expenses_total),
            "credits": [line.to_json() for line in self.credit_lines],
            "credits_total": format_money(self.credits_total),
            "surplus_or_deficiency": format_money(self.surplus_or_deficiency),
            "deficiency": format_money(self.deficiency),
            "surplus": format_money(self.surplus),
            "deficiency_barred": self.deficiency_barred,
            "consumer": self.consumer,
            "state": self.state,
            "state_rule": rule,
            "limitation_period": None if self.limitation_period is None else self.limitation_period.to_json(),
            "waterfall_9_615a": self.waterfall.to_json(),
            "estimate": None if self.estimate is None else self.estimate.to_json(),
            "notes": list(self.notes),
            "disclaimer": self.disclaimer,
        }


_PROCEEDS_LABELS: Mapping[str, str] = {
    "disposition": "Proceeds of the disposition",
    "fair_market_value": "Fair market value of the collateral (credited instead of the sale price)",
    "estimate": "Estimated proceeds of a repossession sale",
}


def deficiency_worksheet(
    obligation: MoneyInput,
    as_of: date | str,
    proceeds: MoneyInput,
    expenses: Expenses,
    credits: Mapping[str, MoneyInput] | Iterable[tuple[str, MoneyInput]] = (),
    *,
    state: str | None = None,
    consumer: bool = True,
    cash_price: MoneyInput | None = None,
    amount_financed: MoneyInput | None = None,
    unpaid_balance_at_default: MoneyInput | None = None,
    fair_market_value: MoneyInput | None = None,
) -> DeficiencyWorksheet:
    """Explain a surplus or deficiency after a repossession sale, line by line (UCC 9-615, 9-616).

    ``obligation`` is the total secured obligation in dollars as of ``as_of`` (a date or an
    ISO string; 9-616 wants a date no more than 35 days before the repossession or the sale);
    ``proceeds`` the cash the sale brought; ``expenses`` the costs by type; ``credits`` the
    rebates and refunds the borrower is entitled to that line 1 does not already reflect, by
    name. ``state`` (a two-letter code) applies the state's rule on file; ``cash_price``,
    ``amount_financed`` and ``unpaid_balance_at_default`` (dollars) are what small-debt bars are
    measured on, and ``fair_market_value`` is what Massachusetts credits instead of the sale
    price. ``consumer=False`` marks a commercial transaction: consumer rules are not applied.

    A borrower owed 12,000.00; the car sold at auction for 7,500.00; repossession, 30 days of
    storage, towing, reconditioning, auction and title costs came to 2,100.00; a cancelled
    service contract refunded 300.00. The borrower still owes 6,300.00:

    >>> costs = Expenses(retaking=450, storage_days=30, storage_per_day=30, transport=150,
    ...                  reconditioning=300, sale_fees=250, title_admin=50)
    >>> sheet = deficiency_worksheet("12000", "2025-03-01", "7500", costs,
    ...                              {"service contract refund": "300"})
    >>> sheet.obligations_after_proceeds, sheet.expenses_total, sheet.deficiency
    (Decimal('4500.00'), Decimal('2100.00'), Decimal('6300.00'))
    """
    owed = parse_money(obligation, "obligation")
    as_of_date = _parse_date(as_of, "as_of")
    sale_proceeds = parse_money(proceeds, "proceeds")
    if not isinstance(expenses, Expenses):
        raise InputError("expenses", "must be an Expenses(...) giving the costs by type", got=expenses)
    return _build(
        owed=owed,
        as_of=as_of_date,
        proceeds=sale_proceeds,
        proceeds_basis="disposition",
        expenses=expenses,
        credits=_parse_credits(credits),
        state=state,
        consumer=consumer,
        measures=_parse_measures(cash_price, amount_financed, unpaid_balance_at_default),
        fair_market_value=_optional_money(fair_market_value, "fair_market_value"),
        notes=(),
        estimate=None,
    )


def estimate_deficiency(
    obligation: MoneyInput,
    market_value: MoneyInput,
    asset_class: AssetClass | str,
    *,
    state: str | None = None,
    auction_share_percent: Decimal | int | str | None = None,
    expenses: Expenses | None = None,
    credits: Mapping[str, MoneyInput] | Iterable[tuple[str, MoneyInput]] = (),
    as_of: date | str | None = None,
    consumer: bool = True,
    cash_price: MoneyInput | None = None,
    amount_financed: MoneyInput | None = None,
    unpaid_balance_at_default: MoneyInput | None = None,
    fair_market_value: MoneyInput | None = None,
) -> DeficiencyWorksheet:
    """Estimate the deficiency a repossession would leave, before any sale, in dollars.

    The sale is assumed to bring ``auction_share_percent`` percent (0 < share ≤ 100; default
    75, a rounded assumption for a dealer auction against clean retail value, confidence R/V-d)
    of ``market_value`` (dollars, clean retail), rounded to the cent. Without ``expenses`` the
    costs are the defaults for the asset class's cost group (each with its source and confidence
    in ``estimate.expense_defaults``). ``as_of`` defaults to today. The other arguments are those
    of :func:`deficiency_worksheet`. A home is refused: a foreclosure deficiency is not modelled.

    A car owner owes 12,000.00 on a car worth 10,000.00 at retail; a repossession would likely
    sell it for 7,500.00 and cost 2,100.00 in default fees, leaving 6,600.00 owed:

    >>> estimate_deficiency("12000", "10000", "car", as_of="2025-03-01").deficiency
    Decimal('6600.00')
    """
    kind = parse_asset_class(asset_class)
    if kind is AssetClass.HOME:
        raise InputError(
            "asset_class",
            "home: a deficiency after foreclosure is not modelled (foreclosure is real-property law "
            "with its own anti-deficiency rules in each state); choose a vehicle, RV or boat",
            got=asset_class,
        )
    owed = parse_money(obligation, "obligation")
    value = parse_money(market_value, "market_value")
    as_of_date = date.today() if as_of is None else _parse_date(as_of, "as_of")
    share_data = _costs()["auction_share"]["percent_of_clean_retail"]
    if auction_share_percent is None:
        share = Decimal(share_data["default"])
    else:
        share = _parse_share(auction_share_percent)
    share_text = _percent_text(share)
    notes = [
        f"Estimate before any sale: the auction is assumed to bring {share_text} % of the "
        f"market value {format_money(value)}."
    ]
    if auction_share_percent is None:
        notes.append(
            f"The {share_text} % auction share is an assumption (confidence "
            f"{share_data['confidence']}): repossessions usually sell at dealer-only wholesale auctions, "
            "typically 65-85 % of clean retail; give `auction_share_percent` or a real offer to replace it."
        )
    group = cost_group(kind)
    if group is CostGroup.HEAVY_TRUCK and consumer is True:
        notes.append(
            "Class 8 trucks are usually financed for a business: mark it a business loan (`commercial`) if it "
            "is one, since the state consumer rules applied here would not apply."
        )
    expense_defaults: tuple[CostDefault, ...] | None = None
    if expenses is None:
        defaults = default_expenses(kind)
        chosen = defaults.expenses
        expense_defaults = defaults.items
        notes.extend(defaults.notes)
    elif isinstance(expenses, Expenses):
        chosen = expenses
    else:
        raise InputError("expenses", "must be an Expenses(...) giving the costs by type", got=expenses)
    estimate = Estimate(
        asset_class=kind,
        cost_group=group,
        market_value=value,
        auction_share_percent=share,
        auction_share_given=auction_share_percent is not None,
        auction_share_confidence=share_data["confidence"],
        auction_share_sources=tuple(share_data["sources"]),
        expense_defaults=expense_defaults,
    )
    return _build(
        owed=owed,
        as_of=as_of_date,
        proceeds=round_cents(value * share / _HUNDRED),
        proceeds_basis="estimate",
        expenses=chosen,
        credits=_parse_credits(credits),
        state=state,
        consumer=consumer,
        measures=_parse_measures(cash_price, amount_financed, unpaid_balance_at_default),
        fair_market_value=_optional_money(fair_market_value, "fair_market_value"),
        notes=tuple(notes),
        estimate=estimate,
    )


def default_auction_share_percent() -> Decimal:
    """The assumed repossession auction price as a percent of clean retail value (75)."""
    return Decimal(_costs()["auction_share"]["percent_of_clean_retail"]["default"])


def default_expenses(asset_class: AssetClass | str) -> DefaultExpenses:
    """The default repossession and sale costs for an asset class, each with its source.

    Heavy trucks, RVs and boats have their own recovery fee and daily storage rate on file; every
    other cost falls back to the light-vehicle figure (and a note says so). All are assumptions
    to be replaced by the lender's actual charges.

    >>> default_expenses("class8_sleeper").expenses.retaking
    Decimal('1500.00')
    """
    kind = parse_asset_class(asset_class)
    group = cost_group(kind)
    if kind is AssetClass.HOME:
        raise InputError("asset_class", "home: foreclosure costs are not on file", got=asset_class)
    table = _costs()
    fallback_name = table["fallback_group"]
    groups = table["cost_groups"]
    own = groups.get(group.value, {})
    fallback = groups[fallback_name]
    items: list[CostDefault] = []
    values: dict[str, Decimal | int] = {}
    borrowed: list[str] = []
    for name in _DEFAULT_ORDER:
        source_group = group.value if name in own else fallback_name
        entry = own.get(name, fallback[name])
        if source_group != group.value:
            borrowed.append(name)
        amount: Decimal | int = int(entry["default"]) if name == "storage_days" else Decimal(entry["default"])
        values[name] = amount
        items.append(
            CostDefault(
                type=name,
                label=entry["label"],
                amount=amount,
                confidence=entry["confidence"],
                sources=tuple(entry.get("sources", ())),
                cost_group=source_group,
                note=entry.get("note"),
            )
        )
    notes = [
        "Expenses are default assumptions (recovery, storage, transport, reconditioning, auction and "
        "title costs; each default is listed with its source and confidence); the lender's actual "
        "charges replace them."
    ]
    if borrowed and group.value != fallback_name:
        notes.append(
            f"No figures for {_GROUP_WORDS[group.value]} are on file for "
            f"{', '.join(entry.label for entry in items if entry.type in borrowed)}: the light-vehicle "
            "figures are used for those."
        )
    expenses = Expenses(**cast(dict[str, Any], values))
    return DefaultExpenses(kind, group, expenses, tuple(items), tuple(notes))


_GROUP_WORDS = {
    "light_vehicle": "cars and light trucks",
    "heavy_truck": "heavy trucks",
    "rv": "RVs",
    "boat": "boats",
}

_DEFAULT_ORDER = (
    "retaking",
    "storage_days",
    "storage_per_day",
    "transport",
    "reconditioning",
    "sale_fees",
    "title_admin",
    "attorney_fees",
    "other",
)


def _build(
    *,
    owed: Decimal,
    as_of: date,
    proceeds: Decimal,
    proceeds_basis: ProceedsBasis,
    expenses: Expenses,
    credits: tuple[CreditLine, ...],
    state: str | None,
    consumer: bool,
    measures: Mapping[str, Decimal | None],
    fair_market_value: Decimal | None,
    notes: tuple[str, ...],
    estimate: Estimate | None,
) -> DeficiencyWorksheet:
    if not isinstance(consumer, bool):
        raise InputError("consumer", "must be true or false", got=consumer)
    code = None if state is None else parse_state(state)
    all_notes = list(notes)
    expense_lines = expenses.lines()
    rule = None if code is None else state_rule(code)
    period = None if code is None else limitation_period(code)
    outcome: StateRuleOutcome | None = None
    barred = False

    if code is not None and rule is None:
        all_notes.append(
            f"no rule on file for {code}: underwater's table holds no deficiency restriction for "
            f"{STATE_NAMES[code]}, so only the UCC rules are applied; the table is not complete, so "
            "check the state's consumer credit and retail installment sales laws."
        )
    elif rule is not None and not consumer:
        outcome = StateRuleOutcome(
            rule,
            "not_applied",
            "not applied: the rule on file protects consumers and this is marked a commercial transaction",
        )
    elif rule is not None and not rule.verified:
        effect = (
            f"not applied: {STATE_NAMES[rule.state]} is believed to limit deficiencies ({rule.citation}), "
            "but the terms were not verified; check the current statute"
        )
        outcome = StateRuleOutcome(rule, "unverified", effect)
        all_notes.append(
            f"{STATE_NAMES[rule.state]}: a deficiency restriction is believed to exist "
            f"({rule.citation}) but its terms were not verified; it may limit or bar this "
            "deficiency."
        )
    elif rule is not None:
        effects: list[str] = []
        if rule.fair_market_value_rule:
            expense_lines, proceeds, proceeds_basis = _apply_fair_market_value(
                rule, expense_lines, proceeds, proceeds_basis, fair_market_value, all_notes, effects
            )
        line6 = owed - proceeds + _total(expense_lines) - sum((c.amount for c in credits), ZERO)
        result: Outcome = "caveat"
        if rule.bar is not None:
            bar_effects: list[str] = []
            result, barred = _apply_bar(rule, measures, line6, all_notes, bar_effects)
            effects = bar_effects + effects  # whether a bar applies matters most: say it first
        else:
            effects.append(rule.summary)
        if rule.advice:
            all_notes.append(f"{STATE_NAMES[rule.state]} ({rule.citation}): {rule.advice}")
        outcome = StateRuleOutcome(rule, result, "; ".join(effects))

    if period is not None:
        all_notes.append(_limitation_note(period))

    line6 = owed - proceeds + _total(expense_lines) - sum((c.amount for c in credits), ZERO)
    all_notes.extend(_general_notes(surplus=line6 < 0, consumer=consumer))
    return DeficiencyWorksheet(
        as_of=as_of,
        obligations_secured=owed,
        proceeds=proceeds,
        proceeds_basis=proceeds_basis,
        expense_lines=expense_lines,
        credit_lines=credits,
        consumer=consumer,
        state=code,
        state_rule=outcome,
        limitation_period=period,
        deficiency_barred=barred,
        notes=tuple(all_notes),
        estimate=estimate,
    )


def _apply_fair_market_value(
    rule: StateRule,
    lines: tuple[ExpenseLine, ...],
    proceeds: Decimal,
    basis: ProceedsBasis,
    fair_market_value: Decimal | None,
    notes: list[str],
    effects: list[str],
) -> tuple[tuple[ExpenseLine, ...], Decimal, ProceedsBasis]:
    name = STATE_NAMES[rule.state]
    kept: list[ExpenseLine] = []
    dropped = ZERO
    for line in lines:
        if line.type in _FMV_CHARGEABLE or line.amount == ZERO:
            kept.append(line)
        else:
            dropped += line.amount
            kept.append(
                ExpenseLine(line.type, line.category, ZERO, f"not chargeable in {name} ({rule.citation})")
            )
    if dropped:
        notes.append(
            f"{name} ({rule.citation}) lets only reasonable repossession and storage costs be added: "
            f"{format_money(dropped)} of other expenses is left out of line 4."
        )
    effects.append("only repossession and storage costs added")
    if fair_market_value is None:
        notes.append(
            f"{name} ({rule.citation}) measures the deficiency as the unpaid balance less the "
            "vehicle's fair market value, not the sale price: give `fair_market_value` to apply it; "
            "until then this worksheet credits the sale price and may overstate the deficiency."
        )
        effects.append("fair market value not given: the sale price is credited instead (may overstate)")
        return tuple(kept), proceeds, basis
    notes.append(
        f"{name} ({rule.citation}): line 2 credits the fair market value {format_money(fair_market_value)} "
        f"instead of the {'estimated ' if basis == 'estimate' else ''}sale proceeds {format_money(proceeds)}."
    )
    effects.append(f"fair market value {format_money(fair_market_value)} credited instead of the sale price")
    return tuple(kept), fair_market_value, "fair_market_value"


def _apply_bar(
    rule: StateRule,
    measures: Mapping[str, Decimal | None],
    line6: Decimal,
    notes: list[str],
    effects: list[str],
) -> tuple[Outcome, bool]:
    bar = rule.bar
    assert bar is not None  # callers check; keeps mypy's narrowing simple
    label = MEASURE_LABELS[bar.measure]
    amount = measures[bar.measure]
    if amount is None:
        text = (
            f"may be barred by {rule.citation} if {bar.condition}: give `{bar.measure}` to decide; "
            "the deficiency is shown without the bar"
        )
        notes.append(f"{STATE_NAMES[rule.state]}: {text}.")
        effects.append(text)
        return "undecided", False
    sign = "≤" if bar.inclusive else "<"
    if bar.bars(amount):
        if line6 > 0:
            text = (
                f"deficiency barred by {rule.citation}: {label} {format_money(amount)} {sign} "
                f"{format_money(bar.threshold)}, so nothing more may be collected"
            )
            notes.append(
                f"{STATE_NAMES[rule.state]}: {text} ({format_money(line6)} would otherwise be owed)."
            )
            effects.append(text)
            return "barred", True
        text = (
            f"{label} {format_money(amount)} {sign} {format_money(bar.threshold)}: {rule.citation} would bar "
            "any deficiency, and there is none to bar"
        )
        effects.append(text)
        return "barred", False
    other = ">" if bar.inclusive else "≥"
    effects.append(
        f"not barred by {rule.citation}: {label} {format_money(amount)} {other} {format_money(bar.threshold)}"
    )
    return "not_barred", False


def _limitation_note(period: LimitationPeriod) -> str:
    name = STATE_NAMES[period.state]
    if period.years_ucc_2_725 is None:
        years = f"{period.years_written_contract} years (written contract)"
    else:
        years = (
            f"{period.years_written_contract} years on a written contract, {period.years_ucc_2_725} "
            "under UCC 2-725 for a sale of goods"
        )
    return (
        f"Time to sue on a deficiency in {name}: {years} (confidence {period.confidence}, as of "
        f"{period.as_of.isoformat()})."
    )


def _general_notes(*, surplus: bool, consumer: bool) -> list[str]:
    notes = [
        "Laid out in the order of a UCC 9-616 explanation; applying the proceeds first to expenses "
        "and then to the obligation, in the order of UCC 9-615(a), gives the same result.",
        "Future debits, credits, charges (including further interest), rebates and expenses may "
        "change this amount.",
        "A deficiency can be collected only after a commercially reasonable sale with proper notice "
        "(UCC 9-610, 9-611, 9-614); if that is in doubt the deficiency may be reduced or lost (UCC 9-626).",
    ]
    if surplus:
        notes.append(
            "The surplus belongs to the borrower, after any subordinate lienholder that made a signed "
            "demand (UCC 9-615(a)(3), (d)); subordinate liens are not modelled here."
        )
    if not consumer:
        notes.append(
            "Commercial transaction: if the lender cannot prove the sale complied with Article 9, the "
            "proceeds are presumed to equal the debt unless it proves a lower price (UCC 9-626(a))."
        )
    return notes


def _waterfall(owed: Decimal, proceeds: Decimal, expenses: Decimal, credits: Decimal) -> Waterfall:
    # Credits are the borrower's rebates and refunds: they reduce the obligation the proceeds pay.
    net_obligation = owed - credits
    to_expenses = min(proceeds, expenses)
    to_obligation = min(proceeds - to_expenses, max(net_obligation, ZERO))
    return Waterfall(
        proceeds=proceeds,
        applied_to_expenses=to_expenses,
        applied_to_obligation=to_obligation,
        left_over=proceeds - to_expenses - to_obligation,
        expenses_unpaid=expenses - to_expenses,
        obligation_unpaid=max(net_obligation, ZERO) - to_obligation,
        credits_beyond_obligation=max(-net_obligation, ZERO),
    )


def _total(lines: Iterable[ExpenseLine]) -> Decimal:
    return sum((line.amount for line in lines), ZERO)


def _percent_text(percent: Decimal) -> str:
    text = format_percent(percent)
    return text.rstrip("0").rstrip(".") if "." in text else text


def _parse_days(value: object, field: str) -> int:
    number = parse_decimal(value, field, minimum=Decimal(0), unit="days")
    if number != number.to_integral_value():
        raise InputError(field, "must be a whole number of days", got=value)
    return int(number)


def _parse_share(value: object) -> Decimal:
    rule = "must be between 0 and 100 percent"
    number = parse_decimal(value, "auction_share_percent", unit="percent")
    if not Decimal(0) < number <= _HUNDRED:
        raise InputError("auction_share_percent", rule, got=value)
    return number


def _parse_date(value: object, field: str) -> date:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise InputError(field, "must be a date such as 2025-03-01", got=value) from None
    return check_date(value, field)


def _optional_money(value: object, field: str) -> Decimal | None:
    return None if value is None else parse_money(value, field)


def _parse_measures(
    cash_price: object, amount_financed: object, unpaid_balance_at_default: object
) -> dict[str, Decimal | None]:
    return {
        "cash_price": _optional_money(cash_price, "cash_price"),
        "amount_financed": _optional_money(amount_financed, "amount_financed"),
        "unpaid_balance_at_default": _optional_money(unpaid_balance_at_default, "unpaid_balance_at_default"),
    }


def _parse_credits(credits: object) -> tuple[CreditLine, ...]:
    if isinstance(credits, Mapping):
        pairs: Iterable[object] = list(credits.items())
    elif isinstance(credits, str | bytes) or not isinstance(credits, Iterable):
        raise InputError(
            "credits", "must be pairs of (name, amount), e.g. {'GAP refund': '300'}", got=credits
        )
    else:
        pairs = credits
    lines: list[CreditLine] = []
    for pair in pairs:
        if not (isinstance(pair, tuple) and len(pair) == 2):
            raise InputError("credits", "each credit must be a (name, amount) pair", got=pair)
        name, amount = pair
        if not isinstance(name, str) or not name.strip():
            raise InputError("credits", "each credit needs a name such as 'GAP refund'", got=name)
        lines.append(CreditLine(name.strip(), parse_money(amount, "credits")))
    return tuple(lines)


@functools.cache
def _costs() -> dict[str, Any]:
    return cast(dict[str, Any], load_json(_COSTS_FILE))
