"""Every way out of an under-water loan, side by side, from the same payoff.

One situation — the ``payoff`` that clears the loan today (treated as the balance just after
the last payment), what the asset is worth (``value``), an optional buyer's ``offer`` — is run
through every exit. Each exit reports the same figures, defined once here so they compare:

- ``cash_needed_now``: cash the borrower pays today (month 0) to take the exit;
- ``debt_left_after``: what the borrower owes right after taking it (the kept or new loan, a
  deficiency, a payment plan's balance);
- ``total_paid_over_horizon``: every dollar the borrower pays from today through the horizon
  month (today's cash, loan and plan payments, an estimated tax on forgiven debt when a marginal
  tax rate is given) **less** any cash a sale hands back; it may be negative;
- ``net_position_at_horizon`` = value of the asset held at the horizon − debt owed at the
  horizon (loan balances, an unpaid deficiency, a plan's balance) − ``total_paid_over_horizon``.
  The same definition for every exit; it does not count what it costs to replace an asset
  given up, nor the value of using the asset in the meantime;
- ``new_loan_ltv``: a new loan's amount ÷ the value of what secures it at signing (trade-in,
  refinance), else ``None``;
- ``months_under_water``: months (0 to the horizon or the loan's end) that a kept or new loan
  spends under water, else ``None``;
- ``credit_consequence``: ``none`` (the loan is paid as agreed), ``minor`` (a new account, a hard
  inquiry or a modified agreement, no negative mark), ``major`` (reported as settled for less
  than owed, a short sale, or a voluntary surrender) or ``severe`` (a repossession after
  default; it stays on a credit report for seven years), with the reason;
- ``available``: false, with ``why_not``, when an input the exit needs was not given (no offer →
  no short sale) or it does not apply (a home is foreclosed, not repossessed).

Exits are ranked by the criterion asked for — ``cash_now`` (least cash today), ``total_cost``
(least paid over the horizon), ``net_position`` (best net position) or ``credit`` (mildest
credit consequence) — with ties broken by net position. Every exit is always listed: the
ranked ones first, then the total-loss scenarios (something that happens, not a choice; not
ranked), then the unavailable ones. Money is dollars; rates are percent per year as typed.
**Not legal or tax advice.**
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from underwater.assets import AssetClass, parse_asset_class
from underwater.deficiency import DeficiencyWorksheet, default_expenses, estimate_deficiency
from underwater.depreciation import MAX_HORIZON_MONTHS
from underwater.errors import InputError
from underwater.loan import amortize
from underwater.money import (
    ZERO,
    format_money,
    format_money_human,
    format_ratio,
    parse_money,
    parse_percent,
    round_cents,
)
from underwater.projection import MAX_REMAINING_PAYMENTS, Projection, project
from underwater.state_rules import STATE_NAMES, parse_state

__all__ = [
    "CREDIT_LEVELS",
    "DISCLAIMER",
    "EXIT_NAMES",
    "RANK_CRITERIA",
    "CreditConsequence",
    "Exit",
    "ExitComparison",
    "compare_exits",
]

Number = Decimal | int | str

CREDIT_LEVELS = ("none", "minor", "major", "severe")
"""Credit consequences from mildest to worst."""

RANK_CRITERIA = ("cash_now", "total_cost", "net_position", "credit")
"""What exits can be ranked by."""

EXIT_NAMES = (
    "pay_the_gap",
    "trade_in",
    "short_sale",
    "payment_plan",
    "settlement",
    "refinance",
    "voluntary_surrender",
    "repossession",
    "keep_to_crossover",
    "total_loss_with_gap",
    "total_loss_without_gap",
)
"""Every exit, in the order they are listed when nothing else orders them."""

DISCLAIMER = (
    "Not legal or tax advice: lenders decide whether to agree to a short sale, a plan or a "
    "settlement; state rules and tax treatment vary. Check with the lender, a tax adviser and, for "
    "a surrender or repossession, a lawyer or legal-aid office in your state."
)

_HUNDRED = Decimal(100)
_MAX_RATE = Decimal(1000)
_TAX_CAVEAT = (
    "Forgiven debt may be taxable income: the lender may send IRS Form 1099-C, unless an exclusion "
    "applies (for example insolvency just before the debt was cancelled)."
)


@dataclass(frozen=True, slots=True)
class CreditConsequence:
    """How an exit shows on a credit report: ``level`` (one of :data:`CREDIT_LEVELS`) and why."""

    level: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        """Keys: ``level``, ``reason``."""
        return {"level": self.level, "reason": self.reason}


Detail = Decimal | int | str | bool | None


@dataclass(frozen=True, slots=True)
class Exit:
    """One way out, with the figures defined in this module's docstring (dollars).

    The money figures are ``None`` when the exit is not available. ``details`` holds the
    exit's own figures (``name``, value) — money as ``Decimal``, ratios already as text.
    """

    name: str
    title: str
    kind: str
    available: bool
    why_not: str | None
    starting_payoff: Decimal
    cash_needed_now: Decimal | None
    debt_left_after: Decimal | None
    total_paid_over_horizon: Decimal | None
    net_position_at_horizon: Decimal | None
    new_loan_ltv: Decimal | None
    months_under_water: int | None
    credit_consequence: CreditConsequence
    caveats: tuple[str, ...]
    details: tuple[tuple[str, Detail], ...] = ()
    rank: int | None = None

    def detail(self, name: str) -> Detail:
        """One of ``details`` by name."""
        return dict(self.details)[name]

    def to_json(self) -> dict[str, Any]:
        """Keys: ``name``, ``title``, ``kind`` (``exit`` or ``scenario``), ``rank``, ``available``,
        ``why_not``, ``starting_payoff``, ``cash_needed_now``, ``debt_left_after``,
        ``total_paid_over_horizon``, ``net_position_at_horizon``, ``new_loan_ltv``,
        ``months_under_water``, ``credit_consequence`` (``level``, ``reason``), ``caveats``, ``details``."""

        def money(amount: Decimal | None) -> str | None:
            return None if amount is None else format_money(amount)

        return {
            "name": self.name,
            "title": self.title,
            "kind": self.kind,
            "rank": self.rank,
            "available": self.available,
            "why_not": self.why_not,
            "starting_payoff": format_money(self.starting_payoff),
            "cash_needed_now": money(self.cash_needed_now),
            "debt_left_after": money(self.debt_left_after),
            "total_paid_over_horizon": money(self.total_paid_over_horizon),
            "net_position_at_horizon": money(self.net_position_at_horizon),
            "new_loan_ltv": format_ratio(self.new_loan_ltv),
            "months_under_water": self.months_under_water,
            "credit_consequence": self.credit_consequence.to_json(),
            "caveats": list(self.caveats),
            "details": {
                key: format_money(value) if isinstance(value, Decimal) else value
                for key, value in self.details
            },
        }


@dataclass(frozen=True, slots=True)
class ExitComparison:
    """Every exit for one situation, in ranked order (see this module's docstring)."""

    payoff: Decimal
    value: Decimal
    sale_price: Decimal
    sale_price_basis: str
    selling_costs: Decimal
    gap: Decimal
    horizon_months: int
    rank_by: str
    state: str | None
    exits: tuple[Exit, ...]

    def exit(self, name: str) -> Exit:
        """The exit called ``name`` (one of :data:`EXIT_NAMES`)."""
        for item in self.exits:
            if item.name == name:
                return item
        raise KeyError(name)

    def to_json(self) -> dict[str, Any]:
        """Keys: ``payoff``, ``value``, ``sale_price``, ``sale_price_basis`` (``offer`` or
        ``value``), ``selling_costs``, ``gap``, ``horizon_months``, ``rank_by``, ``state``,
        ``exits`` (each as :meth:`Exit.to_json`, in ranked order) and ``disclaimer``."""
        return {
            "payoff": format_money(self.payoff),
            "value": format_money(self.value),
            "sale_price": format_money(self.sale_price),
            "sale_price_basis": self.sale_price_basis,
            "selling_costs": format_money(self.selling_costs),
            "gap": format_money(self.gap),
            "horizon_months": self.horizon_months,
            "rank_by": self.rank_by,
            "state": self.state,
            "exits": [item.to_json() for item in self.exits],
            "disclaimer": DISCLAIMER,
        }


# ----------------------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class _Situation:
    payoff: Decimal
    value: Decimal
    rate: Decimal
    remaining: int
    payment: Decimal | None
    asset_class: AssetClass
    age_months: int
    depreciation: str | None
    depreciation_rate_percent: Number | None
    sale_price: Decimal
    sale_basis: str
    selling_costs: Decimal
    gap: Decimal
    surplus: Decimal
    state: str | None
    consumer: bool
    horizon: int
    marginal_tax: Decimal | None
    trade: dict[str, Any]
    plan_months: int | None
    plan_rate: Decimal
    settlement: Decimal | None
    refi: dict[str, Any]
    acv: Decimal
    deductible: Decimal
    as_of: date | None

    def project_keep(self, horizon: int) -> Projection:
        return project(
            self.payoff,
            self.rate,
            self.remaining,
            self.value,
            asset_class=self.asset_class,
            age_months=self.age_months,
            payment=self.payment,
            horizon_months=horizon,
            depreciation=self.depreciation,
            depreciation_rate_percent=self.depreciation_rate_percent,
        )

    def tax_on(self, forgiven: Decimal) -> Decimal:
        return ZERO if self.marginal_tax is None else round_cents(forgiven * self.marginal_tax / _HUNDRED)


def _months(value: object, field: str, minimum: int, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(field, "must be a whole number of months", got=value)
    if not minimum <= value <= maximum:
        raise InputError(field, f"must be from {minimum} to {maximum} months", got=value)
    return value


def _share(value: object, field: str) -> Decimal:
    share = parse_percent(value, field)
    if share <= 0:
        raise InputError(field, "must be more than 0 percent", got=value)
    return share


def _optional_money(value: object, field: str) -> Decimal | None:
    return None if value is None else parse_money(value, field)


def _yes(value: object, field: str) -> bool:
    if not isinstance(value, bool):
        raise InputError(field, "must be true or false", got=value)
    return value


# ----------------------------------------------------------------------------- the exits


def _unavailable(name: str, title: str, payoff: Decimal, why: str, credit: CreditConsequence) -> Exit:
    return Exit(name, title, "exit", False, why, payoff, None, None, None, None, None, None, credit, ())


def _pay_the_gap(s: _Situation) -> Exit:
    paid = s.gap - s.surplus
    caveats = [
        "You need the cash before the sale closes: the lender releases the title only when paid in full."
    ]
    if s.sale_basis == "value":
        caveats.append(
            "No offer was given: the sale is assumed to bring the value; a real offer is often lower."
        )
    return Exit(
        "pay_the_gap",
        "Sell and pay the gap",
        "exit",
        True,
        None,
        s.payoff,
        cash_needed_now=s.gap,
        debt_left_after=ZERO,
        total_paid_over_horizon=paid,
        net_position_at_horizon=-paid,
        new_loan_ltv=None,
        months_under_water=None,
        credit_consequence=CreditConsequence("none", "the loan is paid in full as agreed"),
        caveats=tuple(caveats),
        details=(
            ("sale_price", s.sale_price),
            ("selling_costs", s.selling_costs),
            ("gap", s.gap),
            ("cash_at_closing", s.surplus),
        ),
    )


def _trade_in(s: _Situation) -> Exit:
    t = s.trade
    title = "Trade in, roll the negative equity into the next loan"
    credit = CreditConsequence(
        "minor", "a new loan (hard inquiry, new account); the old loan is paid off as agreed"
    )
    missing = [
        flag
        for flag, key in (
            ("`next_price`", "price"),
            ("`new_rate_percent`", "rate"),
            ("`new_term_months`", "term"),
        )
        if t[key] is None
    ]
    if missing:
        return _unavailable(
            "trade_in", title, s.payoff, "give " + ", ".join(missing) + " to price the next deal", credit
        )
    price: Decimal = t["price"]
    rate: Decimal = t["rate"]
    term: int = t["term"]
    trade_value: Decimal = s.value if t["trade_value"] is None else t["trade_value"]
    rolled_signed = s.payoff - trade_value
    rolled = max(rolled_signed, ZERO)
    taxable = max(price - trade_value, ZERO) if t["tax_credit"] else price
    tax = round_cents(taxable * t["tax_percent"] / _HUNDRED)
    amount = price + tax + t["fees"] - t["rebates"] - t["down"] + rolled_signed
    if amount <= 0:
        return _unavailable(
            "trade_in",
            title,
            s.payoff,
            "the trade-in and down payment cover the whole next deal: no loan",
            credit,
        )
    horizon = min(max(s.horizon, term), MAX_HORIZON_MONTHS)
    new = project(
        amount,
        rate,
        term,
        price,
        asset_class=t["asset_class"],
        age_months=t["age_months"],
        horizon_months=horizon,
    )
    schedule = amortize(amount, rate, term)
    without = amount - rolled
    base_payment = base_interest = ZERO
    if without > 0:
        base = amortize(without, rate, term)
        base_payment, base_interest = base.payment, base.total_interest
    extra_payment = schedule.payment - base_payment if rolled else ZERO
    extra_interest = schedule.total_interest - base_interest if rolled else ZERO
    at = new.rows[s.horizon]
    paid = t["down"] + new.paid_through(s.horizon)
    ltv = amount / price
    caveats = []
    if rolled:
        caveats.append(
            f"The {format_money_human(rolled)} of negative equity moves into the new loan: it starts at "
            f"LTV {format_ratio(ltv)} and the problem moves into the future."
        )
    caveats.append(
        "Negotiate the price, the trade-in value and the financing separately: a rolled balance can hide "
        "in a higher price or a longer term."
    )
    if t["tax_percent"] and t["tax_credit"]:
        caveats.append(
            "Sales tax is on the price less the trade-in value; not every state allows that credit."
        )
    if new.crossover_month is None:
        caveats.append(f"The new loan does not surface within {horizon} months.")
    return Exit(
        "trade_in",
        title,
        "exit",
        True,
        None,
        s.payoff,
        cash_needed_now=t["down"],
        debt_left_after=amount,
        total_paid_over_horizon=paid,
        net_position_at_horizon=at.value - at.owed - paid,
        new_loan_ltv=ltv,
        months_under_water=new.months_under_water,
        credit_consequence=credit,
        caveats=tuple(caveats),
        details=(
            ("trade_in_value", trade_value),
            ("negative_equity_rolled", rolled),
            ("equity_applied", max(-rolled_signed, ZERO)),
            ("taxable_amount", taxable),
            ("sales_tax", tax),
            ("dealer_fees", t["fees"]),
            ("rebates", t["rebates"]),
            ("down_payment", t["down"]),
            ("new_loan_amount", amount),
            ("new_payment", schedule.payment),
            ("extra_monthly_payment_from_rolled", extra_payment),
            ("extra_interest_from_rolled", extra_interest),
            ("new_crossover_month", new.crossover_month),
        ),
    )


def _short_sale(s: _Situation) -> Exit:
    title = "Short sale: the lender accepts the offer"
    credit = CreditConsequence("major", "reported as settled for less than the full balance")
    if s.sale_basis != "offer":
        return _unavailable(
            "short_sale",
            title,
            s.payoff,
            "no offer given: a short sale needs a buyer's offer (`offer`)",
            credit,
        )
    if s.gap == 0:
        return _unavailable(
            "short_sale", title, s.payoff, "the offer covers the payoff: nothing to forgive", credit
        )
    tax = s.tax_on(s.gap)
    caveats = [
        "Only if the lender agrees, in writing, before the sale, to release the title for the offer.",
        "Ask that the agreement waive the rest of the debt; otherwise the lender may still pursue it.",
        _TAX_CAVEAT,
    ]
    if s.marginal_tax is None:
        caveats.append("Give a marginal tax rate to count an estimated tax on the forgiven debt.")
    return Exit(
        "short_sale",
        title,
        "exit",
        True,
        None,
        s.payoff,
        cash_needed_now=ZERO,
        debt_left_after=ZERO,
        total_paid_over_horizon=tax,
        net_position_at_horizon=-tax,
        new_loan_ltv=None,
        months_under_water=None,
        credit_consequence=credit,
        caveats=tuple(caveats),
        details=(("sale_price", s.sale_price), ("forgiven_debt", s.gap), ("estimated_tax_on_forgiven", tax)),
    )


def _payment_plan(s: _Situation) -> Exit:
    title = "Sell, then pay the gap in installments"
    credit = CreditConsequence(
        "minor", "a modified agreement with the lender; no negative mark if the plan is paid as agreed"
    )
    if s.plan_months is None:
        return _unavailable(
            "payment_plan", title, s.payoff, "give `plan_months` (and `plan_rate_percent`) for a plan", credit
        )
    if s.gap == 0:
        return _unavailable(
            "payment_plan", title, s.payoff, "the sale covers the payoff: no gap to spread", credit
        )
    plan = amortize(s.gap, s.plan_rate, s.plan_months)
    paid = sum((row.payment for row in plan.rows[: s.horizon]), ZERO)
    left = plan.balance_after(min(s.horizon, len(plan.rows)))
    return Exit(
        "payment_plan",
        title,
        "exit",
        True,
        None,
        s.payoff,
        cash_needed_now=ZERO,
        debt_left_after=s.gap,
        total_paid_over_horizon=paid,
        net_position_at_horizon=-paid - left,
        new_loan_ltv=None,
        months_under_water=None,
        credit_consequence=credit,
        caveats=(
            "Needs the lender's written agreement before the sale: the title is released only when the lender "
            "accepts the sale price plus a plan for the rest.",
            "The plan is unsecured debt: missed payments can go to collections.",
        ),
        details=(
            ("plan_amount", s.gap),
            ("plan_months", s.plan_months),
            ("plan_rate_percent", str(s.plan_rate)),
            ("plan_payment", plan.payment),
            ("plan_total_paid", plan.total_paid),
            ("plan_total_interest", plan.total_interest),
        ),
    )


def _settlement(s: _Situation) -> Exit:
    title = "Sell, then settle the gap for a lump sum"
    credit = CreditConsequence("major", "reported as settled for less than owed")
    if s.settlement is None:
        return _unavailable(
            "settlement",
            title,
            s.payoff,
            "give `settlement_percent`: the share of the gap offered as a lump sum",
            credit,
        )
    if s.gap == 0:
        return _unavailable(
            "settlement", title, s.payoff, "the sale covers the payoff: nothing to settle", credit
        )
    lump = round_cents(s.gap * s.settlement / _HUNDRED)
    forgiven = s.gap - lump
    tax = s.tax_on(forgiven)
    caveats = [
        "Get the settlement in writing before paying; it is usually due in one payment.",
        "Lenders usually ask for proof of hardship before they accept less.",
    ]
    if forgiven:
        caveats.append(_TAX_CAVEAT)
    return Exit(
        "settlement",
        title,
        "exit",
        True,
        None,
        s.payoff,
        cash_needed_now=lump,
        debt_left_after=ZERO,
        total_paid_over_horizon=lump + tax,
        net_position_at_horizon=-(lump + tax),
        new_loan_ltv=None,
        months_under_water=None,
        credit_consequence=credit,
        caveats=tuple(caveats),
        details=(
            ("settlement_percent", str(s.settlement)),
            ("lump_sum", lump),
            ("forgiven_debt", forgiven),
            ("estimated_tax_on_forgiven", tax),
        ),
    )


def _refinance(s: _Situation, keep: Projection) -> Exit:
    r = s.refi
    title = "Refinance and keep"
    credit = CreditConsequence(
        "minor", "a new loan (hard inquiry, new account); the old loan is paid off as agreed"
    )
    if r["rate"] is None:
        return _unavailable(
            "refinance",
            title,
            s.payoff,
            "give `refi_rate_percent` (and `refi_term_months`) to refinance",
            credit,
        )
    term: int = s.remaining if r["term"] is None else r["term"]
    fees: Decimal = r["fees"]
    amount = s.payoff + fees if r["fees_financed"] else s.payoff
    cash_now = ZERO if r["fees_financed"] else fees
    horizon = min(max(s.horizon, term), MAX_HORIZON_MONTHS)
    new = project(
        amount,
        r["rate"],
        term,
        s.value,
        asset_class=s.asset_class,
        age_months=s.age_months,
        horizon_months=horizon,
        depreciation=s.depreciation,
        depreciation_rate_percent=s.depreciation_rate_percent,
    )
    schedule = amortize(amount, r["rate"], term)
    current = amortize(s.payoff, s.rate, s.remaining, payment=s.payment)
    difference = schedule.total_interest + fees - current.total_interest
    at = new.rows[s.horizon]
    paid = cash_now + new.paid_through(s.horizon)
    ltv = None if s.value == 0 else amount / s.value
    caveats = [
        "Lenders often decline to refinance a loan that is under water, or ask for cash to bring the LTV down."
    ]
    if keep.crossover_month is not None and (
        new.crossover_month is None or new.crossover_month > keep.crossover_month
    ):
        caveats.append(
            "The new loan surfaces later than the current one: a longer term keeps you under water longer."
        )
    if difference > 0:
        caveats.append(
            f"Over its life the new loan costs {format_money_human(difference)} more in interest and fees."
        )
    return Exit(
        "refinance",
        title,
        "exit",
        True,
        None,
        s.payoff,
        cash_needed_now=cash_now,
        debt_left_after=amount,
        total_paid_over_horizon=paid,
        net_position_at_horizon=at.value - at.owed - paid,
        new_loan_ltv=ltv,
        months_under_water=new.months_under_water,
        credit_consequence=credit,
        caveats=tuple(caveats),
        details=(
            ("new_loan_amount", amount),
            ("refi_fees", fees),
            ("new_payment", schedule.payment),
            ("current_payment", current.payment),
            ("interest_difference_vs_keeping", difference),
            ("new_crossover_month", new.crossover_month),
            ("current_crossover_month", keep.crossover_month),
        ),
    )


def _state_text(sheet: DeficiencyWorksheet) -> str:
    if sheet.state is None:
        return "no state given: only the UCC rules are applied"
    if sheet.state_rule is None:
        return f"no rule on file for {STATE_NAMES[sheet.state]}"
    rule = sheet.state_rule
    return f"{rule.rule.name} ({rule.rule.citation}): {rule.effect}"


def _give_back(s: _Situation, name: str) -> Exit:
    surrender = name == "voluntary_surrender"
    title = "Voluntary surrender" if surrender else "Repossession"
    credit = (
        CreditConsequence("major", "a voluntary surrender is reported as a repossession, marked voluntary")
        if surrender
        else CreditConsequence(
            "severe", "default, then a repossession: it stays on a credit report for seven years"
        )
    )
    if s.asset_class is AssetClass.HOME:
        return _unavailable(
            name, title, s.payoff, "a home is foreclosed, not repossessed: not modelled here", credit
        )
    costs = default_expenses(s.asset_class).expenses
    if surrender:
        costs = replace(costs, retaking=ZERO)  # the borrower delivers it: no recovery agent
    sheet = estimate_deficiency(
        s.payoff, s.value, s.asset_class, state=s.state, expenses=costs, consumer=s.consumer, as_of=s.as_of
    )
    deficiency = sheet.deficiency
    caveats = [
        f"The lender sells at auction, assumed here at {sheet.estimate.auction_share_percent if sheet.estimate else 75} % "
        "of the value, and adds its costs: the deficiency is what is still owed.",
        "An unpaid deficiency can go to collections or a lawsuit.",
        "State rule: " + _state_text(sheet),
    ]
    caveats.extend(note for note in sheet.notes if note.startswith("Time to sue"))
    if not surrender:
        caveats.append("Repossession adds the recovery fee and follows missed payments and default.")
    caveats.append("Not legal advice.")
    return Exit(
        name,
        title,
        "exit",
        True,
        None,
        s.payoff,
        cash_needed_now=ZERO,
        debt_left_after=deficiency,
        total_paid_over_horizon=ZERO,
        net_position_at_horizon=-deficiency,
        new_loan_ltv=None,
        months_under_water=None,
        credit_consequence=credit,
        caveats=tuple(caveats),
        details=(
            ("auction_proceeds", sheet.proceeds),
            ("expenses_total", sheet.expenses_total),
            ("retaking_fee", costs.retaking),
            ("deficiency", deficiency),
            ("deficiency_barred", sheet.deficiency_barred),
            ("state_rule", _state_text(sheet)),
        ),
    )


def _total_loss(s: _Situation, gap_covered: bool) -> Exit:
    payout = max(s.acv - s.deductible, ZERO)
    remainder = max(s.payoff - payout, ZERO)
    surplus = max(payout - s.payoff, ZERO)
    cash = ZERO if gap_covered else remainder
    caveats = ["A scenario, not a choice: what happens if the asset is destroyed or stolen today."]
    if gap_covered:
        caveats.append(
            "Only if you bought GAP coverage. Many GAP contracts exclude the deductible, past-due payments, "
            "late fees and negative equity rolled in from an old loan, and cap what they pay."
        )
    elif remainder:
        caveats.append(
            "The insurer pays the lender its actual cash value less the deductible; you owe the rest."
        )
    return Exit(
        "total_loss_with_gap" if gap_covered else "total_loss_without_gap",
        "Total loss, with GAP coverage" if gap_covered else "Total loss, without GAP coverage",
        "scenario",
        True,
        None,
        s.payoff,
        cash_needed_now=cash,
        debt_left_after=ZERO,
        total_paid_over_horizon=cash - surplus,
        net_position_at_horizon=surplus - cash,
        new_loan_ltv=None,
        months_under_water=None,
        credit_consequence=CreditConsequence("none", "the loan is paid off by the insurer (and you)"),
        caveats=tuple(caveats),
        details=(
            ("actual_cash_value", s.acv),
            ("deductible", s.deductible),
            ("insurance_payout", payout),
            ("left_after_insurance", remainder),
            ("gap_coverage_pays", remainder if gap_covered else ZERO),
        ),
    )


def _keep(s: _Situation, keep: Projection) -> Exit:
    crossover = keep.crossover_month
    caveats = [
        "Assumes the value follows the depreciation curve; a market drop or heavy use delays the crossover.",
        "The payments also buy the use of the asset until it is sold.",
    ]
    if crossover is not None and crossover <= s.horizon:
        row = keep.rows[crossover]
        received = row.value - row.owed
        paid = keep.paid_through(crossover) - received
        net = -paid
        sale: tuple[tuple[str, Detail], ...] = (
            ("sale_month", crossover),
            ("sale_value", row.value),
            ("payoff_at_sale", row.owed),
        )
    else:
        row = keep.rows[s.horizon]
        paid = keep.paid_through(s.horizon)
        net = row.value - row.owed - paid
        sale = (("sale_month", None), ("sale_value", None), ("payoff_at_sale", None))
        if crossover is None:
            caveats.append(
                f"The loan does not surface within {keep.horizon_months} months: the figures hold it to the horizon."
            )
        else:
            caveats.append(
                f"The loan surfaces in month {crossover}, after the horizon: the figures hold it to the horizon."
            )
    return Exit(
        "keep_to_crossover",
        "Keep paying until it surfaces, then sell",
        "exit",
        True,
        None,
        s.payoff,
        cash_needed_now=ZERO,
        debt_left_after=s.payoff,
        total_paid_over_horizon=paid,
        net_position_at_horizon=net,
        new_loan_ltv=None,
        months_under_water=keep.months_under_water,
        credit_consequence=CreditConsequence("none", "the loan is paid as agreed"),
        caveats=tuple(caveats),
        details=(
            ("crossover_month", crossover),
            *sale,
            ("monthly_payment", keep.rows[1].paid if len(keep.rows) > 1 else ZERO),
            ("interest_paid_while_under_water", keep.interest_paid_while_under_water),
        ),
    )


# ----------------------------------------------------------------------------- ranking

_RANK_KEYS: dict[str, Callable[[Exit], tuple[Decimal | int, ...]]] = {
    "cash_now": lambda e: (e.cash_needed_now or ZERO, -(e.net_position_at_horizon or ZERO)),
    "total_cost": lambda e: (e.total_paid_over_horizon or ZERO, -(e.net_position_at_horizon or ZERO)),
    "net_position": lambda e: (-(e.net_position_at_horizon or ZERO), e.cash_needed_now or ZERO),
    "credit": lambda e: (
        CREDIT_LEVELS.index(e.credit_consequence.level),
        -(e.net_position_at_horizon or ZERO),
    ),
}


def _ranked(exits: list[Exit], rank_by: str) -> tuple[Exit, ...]:
    key = _RANK_KEYS[rank_by]
    choices = [e for e in exits if e.available and e.kind == "exit"]
    ordered = sorted(choices, key=lambda e: (*key(e), EXIT_NAMES.index(e.name)))
    ranked = [replace(e, rank=i) for i, e in enumerate(ordered, start=1)]
    scenarios = [e for e in exits if e.available and e.kind == "scenario"]
    unavailable = [e for e in exits if not e.available]
    return tuple(ranked + scenarios + unavailable)


# ----------------------------------------------------------------------------- entry point


def compare_exits(
    payoff: Number,
    value: Number,
    *,
    rate_percent: Number,
    remaining_payments: int,
    payment: Number | None = None,
    asset_class: AssetClass | str = "car",
    age_months: int = 0,
    depreciation: str | None = None,
    depreciation_rate_percent: Number | None = None,
    offer: Number | None = None,
    selling_costs: Number = 0,
    state: str | None = None,
    consumer: bool = True,
    horizon_months: int | None = None,
    next_price: Number | None = None,
    next_asset_class: AssetClass | str | None = None,
    next_age_months: int = 0,
    trade_in_value: Number | None = None,
    sales_tax_percent: Number = 0,
    trade_in_tax_credit: bool = True,
    dealer_fees: Number = 0,
    rebates: Number = 0,
    next_down_payment: Number = 0,
    new_rate_percent: Number | None = None,
    new_term_months: int | None = None,
    plan_months: int | None = None,
    plan_rate_percent: Number = 0,
    settlement_percent: Number | None = None,
    refi_rate_percent: Number | None = None,
    refi_term_months: int | None = None,
    refi_fees: Number = 0,
    refi_fees_financed: bool = True,
    actual_cash_value: Number | None = None,
    deductible: Number = 0,
    marginal_tax_rate_percent: Number | None = None,
    rank_by: str = "net_position",
    as_of: date | None = None,
) -> ExitComparison:
    """Compare every way out of one situation, all from the same ``payoff`` (dollars).

    The situation: ``payoff`` clears the loan today; ``value`` is what the asset would fetch;
    the loan runs at ``rate_percent`` (percent per year) for ``remaining_payments`` monthly
    payments of ``payment`` (default: level); the asset (``asset_class``, ``age_months``,
    ``depreciation`` preset or ``depreciation_rate_percent``) follows its curve. A sale brings
    the buyer's ``offer`` (else the value) less ``selling_costs``. ``state`` (two-letter code)
    and ``consumer`` decide the deficiency rules. ``horizon_months`` (1 to 600; default the
    remaining term) is when net positions are measured.

    Trade-in: ``next_price``, ``new_rate_percent``, ``new_term_months`` (needed), the next
    asset's class and age, ``trade_in_value`` (default: the value), ``sales_tax_percent`` on
    the price less the trade-in when ``trade_in_tax_credit``, ``dealer_fees``, ``rebates`` and
    ``next_down_payment``. Payment plan: ``plan_months`` at ``plan_rate_percent``. Settlement:
    ``settlement_percent`` of the gap paid as a lump sum. Refinance: ``refi_rate_percent``,
    ``refi_term_months`` (default: the remaining payments), ``refi_fees`` financed or paid
    (``refi_fees_financed``). Total loss: the insurer pays ``actual_cash_value`` (default: the
    value) less ``deductible``. ``marginal_tax_rate_percent`` estimates the tax on forgiven debt.
    ``rank_by``: one of :data:`RANK_CRITERIA`. ``as_of`` dates the deficiency estimates (today).

    The FreightWaves truck: $80,000 owed, worth $60,000, a buyer offers $58,000. Selling takes
    a $22,000 check; a trade-in tacks $20,000 onto the next loan:

    >>> c = compare_exits(80000, 60000, rate_percent=9, remaining_payments=48, offer=58000,
    ...                   asset_class="class8_sleeper", age_months=24, next_price=120000,
    ...                   new_rate_percent=9, new_term_months=60)
    >>> c.exit("pay_the_gap").cash_needed_now, c.exit("trade_in").detail("negative_equity_rolled")
    (Decimal('22000.00'), Decimal('20000.00'))
    """
    owed = parse_money(payoff, "payoff")
    if owed <= 0:
        raise InputError("payoff", "must be more than 0.00: there is no loan to get out of", got=payoff)
    worth = parse_money(value, "value")
    rate = parse_percent(rate_percent, "rate_percent", maximum=_MAX_RATE)
    remaining = _months(remaining_payments, "remaining_payments", 1, MAX_REMAINING_PAYMENTS)
    regular = _optional_money(payment, "payment")
    kind = parse_asset_class(asset_class)
    sale_offer = _optional_money(offer, "offer")
    costs = parse_money(selling_costs, "selling_costs")
    code = None if state is None else parse_state(state)
    horizon = (
        min(remaining, MAX_HORIZON_MONTHS)
        if horizon_months is None
        else _months(horizon_months, "horizon_months", 1, MAX_HORIZON_MONTHS)
    )
    if rank_by not in RANK_CRITERIA:
        raise InputError("rank_by", "must be one of " + ", ".join(RANK_CRITERIA), got=rank_by)
    sale = worth if sale_offer is None else sale_offer
    trade: dict[str, Any] = {
        "price": _optional_money(next_price, "next_price"),
        "asset_class": kind
        if next_asset_class is None
        else parse_asset_class(next_asset_class, "next_asset_class"),
        "age_months": _months(next_age_months, "next_age_months", 0, 600),
        "trade_value": _optional_money(trade_in_value, "trade_in_value"),
        "tax_percent": parse_percent(sales_tax_percent, "sales_tax_percent"),
        "tax_credit": _yes(trade_in_tax_credit, "trade_in_tax_credit"),
        "fees": parse_money(dealer_fees, "dealer_fees"),
        "rebates": parse_money(rebates, "rebates"),
        "down": parse_money(next_down_payment, "next_down_payment"),
        "rate": None
        if new_rate_percent is None
        else parse_percent(new_rate_percent, "new_rate_percent", maximum=_MAX_RATE),
        "term": None
        if new_term_months is None
        else _months(new_term_months, "new_term_months", 1, MAX_HORIZON_MONTHS),
    }
    if trade["price"] is not None and trade["price"] <= 0:
        raise InputError("next_price", "must be more than 0.00", got=next_price)
    refi: dict[str, Any] = {
        "rate": None
        if refi_rate_percent is None
        else parse_percent(refi_rate_percent, "refi_rate_percent", maximum=_MAX_RATE),
        "term": None
        if refi_term_months is None
        else _months(refi_term_months, "refi_term_months", 1, MAX_REMAINING_PAYMENTS),
        "fees": parse_money(refi_fees, "refi_fees"),
        "fees_financed": _yes(refi_fees_financed, "refi_fees_financed"),
    }
    situation = _Situation(
        payoff=owed,
        value=worth,
        rate=rate,
        remaining=remaining,
        payment=regular,
        asset_class=kind,
        age_months=_months(age_months, "age_months", 0, 600),
        depreciation=depreciation,
        depreciation_rate_percent=depreciation_rate_percent,
        sale_price=sale,
        sale_basis="value" if sale_offer is None else "offer",
        selling_costs=costs,
        gap=max(owed + costs - sale, ZERO),
        surplus=max(sale - owed - costs, ZERO),
        state=code,
        consumer=_yes(consumer, "consumer"),
        horizon=horizon,
        marginal_tax=None
        if marginal_tax_rate_percent is None
        else parse_percent(marginal_tax_rate_percent, "marginal_tax_rate_percent"),
        trade=trade,
        plan_months=None
        if plan_months is None
        else _months(plan_months, "plan_months", 1, MAX_HORIZON_MONTHS),
        plan_rate=parse_percent(plan_rate_percent, "plan_rate_percent", maximum=_MAX_RATE),
        settlement=None if settlement_percent is None else _share(settlement_percent, "settlement_percent"),
        refi=refi,
        acv=worth if actual_cash_value is None else parse_money(actual_cash_value, "actual_cash_value"),
        deductible=parse_money(deductible, "deductible"),
        as_of=as_of,
    )
    keep = situation.project_keep(min(max(horizon, remaining), MAX_HORIZON_MONTHS))
    exits = [
        _pay_the_gap(situation),
        _trade_in(situation),
        _short_sale(situation),
        _payment_plan(situation),
        _settlement(situation),
        _refinance(situation, keep),
        _give_back(situation, "voluntary_surrender"),
        _give_back(situation, "repossession"),
        _keep(situation, keep),
        _total_loss(situation, gap_covered=True),
        _total_loss(situation, gap_covered=False),
    ]
    return ExitComparison(
        payoff=owed,
        value=worth,
        sale_price=sale,
        sale_price_basis=situation.sale_basis,
        selling_costs=costs,
        gap=situation.gap,
        horizon_months=horizon,
        rank_by=rank_by,
        state=code,
        exits=_ranked(exits, rank_by),
    )
