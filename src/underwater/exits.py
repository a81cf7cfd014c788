"""Every way out of an under-water loan, side by side, from the same payoff and on one footing.

One :class:`~underwater.situation.Situation` — the loan (``owed`` today, taken as the balance just
after the last payment), the asset and its value path, a sale, the next deal, a refinance, a
deal with the lender, insurance, what giving the asset up means — is run through every exit.
Each exit reports the same figures, defined once here so they compare:

- ``cash_needed_now``: cash the borrower pays today (month 0) to take the exit;
- ``debt_left_after``: what the borrower owes right after taking it (the kept or new loan, a
  deficiency, a payment plan's balance, a replacement's loan);
- ``total_paid_over_horizon``: every dollar the borrower pays from today through the horizon
  month (today's cash, loan, plan and replacement payments or rent, an estimated tax on forgiven
  debt when a marginal tax rate is given) **less** any cash a sale hands back; it may be negative;
- ``net_position_at_horizon`` = value of the asset held at the horizon − debt owed then (loan
  balances, an unpaid deficiency, a plan's balance) − ``total_paid_over_horizon``;
- ``new_loan_ltv`` and ``months_under_water``: for a kept or new loan on the asset, else ``None``;
- ``credit_consequence``: ``none``, ``minor`` (a new account or a modified agreement), ``major``
  (settled for less, a short sale, a voluntary surrender) or ``severe`` (a repossession after
  default, on a credit report for seven years), with the reason;
- ``lender``: the lender's side (:mod:`underwater.lender`): what it nets in today's dollars, and when;
- ``available``: false, with ``why_not``, when an input the exit needs was not given.

**One footing.** Over the same horizon every exit either leaves the borrower with the use of an
asset — the kept one, the next deal's, or a replacement — or counts what going without costs.
When the situation says a replacement is needed (the default: a truck that earns the living),
every exit that gives the asset up (pay the gap, short sale, payment plan, settlement, surrender,
repossession) buys one like it at today's price, financed over the payments left at the
borrower's rate, or at the rate of the lowest credit tier after an exit that marks the credit
report (major or severe), or pays the rent the user gives; its payments count in what is paid
and the replacement's value and balance at the horizon in the net position. When no
replacement is needed, giving the asset up saves its cost, and the result says that the use of
the asset is not valued. ``ExitComparison.footing`` says which footing was used.

Exits are ranked by the criterion asked for (:data:`~underwater.situation.RANK_CRITERIA`), ties
broken by net position. Every exit is always listed: the ranked ones, then the total-loss
scenarios (something that happens, not a choice; not ranked), then the unavailable ones. Money
is dollars; rates are percent per year as typed. **Not legal or tax advice.**
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from underwater.assets import AssetClass
from underwater.deficiency import DeficiencyWorksheet, default_expenses, estimate_deficiency
from underwater.depreciation import MAX_HORIZON_MONTHS
from underwater.errors import InputError
from underwater.gap import gap_payout
from underwater.lender import (
    LenderAssumptions,
    LenderSide,
    SettlementRange,
    damaged_credit_rate_default,
    lender_assumptions,
    lender_side,
    settlement_range,
)
from underwater.loan import amortize
from underwater.money import ZERO, format_money, format_money_human, format_ratio, round_cents
from underwater.projection import Projection, project, project_on
from underwater.refinance import refinance_terms
from underwater.situation import RANK_CRITERIA, Situation
from underwater.state_rules import STATE_NAMES, parse_state
from underwater.trade_in_tax import taxable_price, trade_in_rule

__all__ = [
    "CREDIT_LEVELS",
    "DISCLAIMER",
    "EXIT_NAMES",
    "RANK_CRITERIA",
    "CreditConsequence",
    "Exit",
    "ExitComparison",
    "Footing",
    "compare_exits",
]

CREDIT_LEVELS = ("none", "minor", "major", "severe")
"""Credit consequences from mildest to worst."""

EXIT_NAMES = (
    "pay_the_gap",
    "trade_in",
    "short_sale",
    "payment_plan",
    "settlement",
    "refinance",
    "voluntary_surrender",
    "repossession",
    "keep_paying",
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
_TAX_CAVEAT = (
    "Forgiven debt may be taxable income: the lender may send IRS Form 1099-C, unless an exclusion "
    "applies (for example insolvency just before the debt was cancelled)."
)


@dataclass(frozen=True, slots=True)
class CreditConsequence:
    """How an exit shows on a credit report: ``level`` (one of :data:`CREDIT_LEVELS`) and why."""

    level: str
    reason: str

    @property
    def marks_report(self) -> bool:
        """Whether a later loan is priced as for a damaged credit report (major or severe)."""
        return self.level in ("major", "severe")

    def to_json(self) -> dict[str, Any]:
        """Keys: ``level``, ``reason``."""
        return {"level": self.level, "reason": self.reason}


Detail = Decimal | int | str | bool | None


@dataclass(frozen=True, slots=True)
class Replacing:
    """What a replacement costs one exit (dollars): bought and financed (``payment`` a month at
    ``rate_percent``, its value and balance at the horizon) or rented (``payment`` a month, no
    asset kept); ``paid`` is every dollar through the horizon."""

    bought: bool
    price: Decimal
    rate_percent: Decimal | None
    payment: Decimal
    paid: Decimal
    value_at_horizon: Decimal
    owed_at_horizon: Decimal

    def to_json(self) -> dict[str, Any]:
        """Keys: ``bought``, ``price``, ``rate_percent``, ``payment``, ``paid``,
        ``value_at_horizon``, ``owed_at_horizon``."""
        return {
            "bought": self.bought,
            "price": format_money(self.price),
            "rate_percent": None if self.rate_percent is None else str(self.rate_percent),
            "payment": format_money(self.payment),
            "paid": format_money(self.paid),
            "value_at_horizon": format_money(self.value_at_horizon),
            "owed_at_horizon": format_money(self.owed_at_horizon),
        }


@dataclass(frozen=True, slots=True)
class Exit:
    """One way out, with the figures defined in this module's docstring (dollars).

    The money figures are ``None`` when the exit is not available. ``details`` holds the
    exit's own figures (``name``, value) — money as ``Decimal``, ratios already as text.
    ``gives_up_asset``: the exit leaves the borrower without this asset; ``replacing`` what
    a replacement costs it on this footing (``None`` when none is counted).
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
    gives_up_asset: bool = False
    replacing: Replacing | None = None
    lender: LenderSide | None = None

    def detail(self, name: str) -> Detail:
        """One of ``details`` by name."""
        return dict(self.details)[name]

    def to_json(self) -> dict[str, Any]:
        """Keys: ``name``, ``title``, ``kind`` (``exit`` or ``scenario``), ``rank``, ``available``,
        ``why_not``, ``starting_payoff``, ``cash_needed_now``, ``debt_left_after``,
        ``total_paid_over_horizon``, ``net_position_at_horizon``, ``new_loan_ltv``,
        ``months_under_water``, ``credit_consequence`` (``level``, ``reason``), ``gives_up_asset``,
        ``replacement`` (:meth:`Replacing.to_json` or null), ``lender_side``
        (:meth:`~underwater.lender.LenderSide.to_json` or null), ``caveats``, ``details``."""

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
            "gives_up_asset": self.gives_up_asset,
            "replacement": None if self.replacing is None else self.replacing.to_json(),
            "lender_side": None if self.lender is None else self.lender.to_json(),
            "caveats": list(self.caveats),
            "details": {
                key: format_money(value) if isinstance(value, Decimal) else value
                for key, value in self.details
            },
        }


@dataclass(frozen=True, slots=True)
class Footing:
    """The footing the exits were compared on: whether a replacement is needed and, if so, what
    one costs (dollars; rates percent per year; the damaged-credit rate's source when it is the
    default)."""

    needed: bool
    price: Decimal
    rate_percent: Decimal
    damaged_rate_percent: Decimal
    term_months: int
    monthly: Decimal | None
    damaged_rate_given: bool
    damaged_rate_confidence: str
    damaged_rate_sources: tuple[str, ...]

    @property
    def summary(self) -> str:
        """The footing in one sentence."""
        if not self.needed:
            return (
                "No replacement needed: an exit that gives the asset up is charged nothing for going "
                "without it, and the use of the asset over the horizon is not valued."
            )
        if self.monthly is not None:
            return (
                f"A replacement is needed: each exit that gives the asset up rents one for "
                f"{format_money_human(self.monthly)} a month instead, keeping no asset at the end."
            )
        return (
            f"A replacement is needed: each exit that gives the asset up buys one like it for "
            f"{format_money_human(self.price)}, financed over {self.term_months} months at "
            f"{self.rate_percent} % a year, or at {self.damaged_rate_percent} % after an exit that "
            "marks the credit report (a surrender, repossession, short sale or settlement)."
        )

    def to_json(self) -> dict[str, Any]:
        """Keys: ``replacement_needed``, ``price``, ``rate_percent``, ``damaged_credit_rate_percent``,
        ``term_months``, ``monthly``, ``damaged_credit_rate_source`` (``given_by_user``,
        ``confidence``, ``sources``) and ``summary``."""
        return {
            "replacement_needed": self.needed,
            "price": format_money(self.price),
            "rate_percent": str(self.rate_percent),
            "damaged_credit_rate_percent": str(self.damaged_rate_percent),
            "term_months": self.term_months,
            "monthly": None if self.monthly is None else format_money(self.monthly),
            "damaged_credit_rate_source": {
                "given_by_user": self.damaged_rate_given,
                "confidence": None if self.damaged_rate_given else self.damaged_rate_confidence,
                "sources": [] if self.damaged_rate_given else list(self.damaged_rate_sources),
            },
            "summary": self.summary,
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
    footing: Footing
    lender_assumptions: LenderAssumptions
    settlement: SettlementRange | None
    explanation: str

    def exit(self, name: str) -> Exit:
        """The exit called ``name`` (one of :data:`EXIT_NAMES`)."""
        for item in self.exits:
            if item.name == name:
                return item
        raise KeyError(name)

    def to_json(self) -> dict[str, Any]:
        """Keys: ``payoff``, ``value``, ``sale_price``, ``sale_price_basis`` (``offer`` or
        ``value``), ``selling_costs``, ``gap``, ``horizon_months``, ``rank_by``, ``state``,
        ``footing`` (:meth:`Footing.to_json`), ``lender_assumptions``, ``settlement_range``
        (:meth:`~underwater.lender.SettlementRange.to_json`, null when there is no gap or no
        repossession), ``explanation``, ``exits`` (each as :meth:`Exit.to_json`, in ranked order)
        and ``disclaimer``."""
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
            "footing": self.footing.to_json(),
            "lender_assumptions": self.lender_assumptions.to_json(),
            "settlement_range": None if self.settlement is None else self.settlement.to_json(),
            "explanation": self.explanation,
            "exits": [item.to_json() for item in self.exits],
            "disclaimer": DISCLAIMER,
        }


# ----------------------------------------------------------------------------- the context


class _Context:
    """The situation with what every exit shares worked out once."""

    def __init__(self, s: Situation) -> None:
        self.s = s
        loan, asset, sale = s.loan, s.asset, s.sale
        if loan.owed <= 0:
            raise InputError("owed", "must be more than 0.00: there is no loan to get out of", got=loan.owed)
        self.payoff = loan.owed
        self.value = asset.value
        self.kind = asset.kind
        self.rate = loan.rate_percent
        self.remaining = loan.remaining_payments
        self.horizon = s.horizon
        self.sale_price = asset.value if sale.offer is None else sale.offer
        self.sale_basis = "value" if sale.offer is None else "offer"
        self.selling_costs = sale.selling_costs
        self.gap = max(loan.owed + loan.other_liens + sale.selling_costs - self.sale_price, ZERO)
        self.surplus = max(self.sale_price - loan.owed - loan.other_liens - sale.selling_costs, ZERO)
        self.state = None if s.borrower.state is None else parse_state(s.borrower.state)
        self.consumer = not s.borrower.commercial
        self.keep = project_on(
            asset,
            loan.owed,
            self.rate,
            self.remaining,
            horizon_months=max(self.horizon, self.remaining),
            payment=loan.payment,
            other_liens=loan.other_liens,
            extra_monthly=loan.extra_monthly,
        )
        self.footing = _footing(s)
        self.lender = lender_assumptions(
            self.kind, s.lender.collect_percent, s.lender.months_to_sell, s.lender.months_to_collect
        )
        self._replacements: dict[bool, Replacing] = {}

    def tax_on(self, forgiven: Decimal) -> Decimal:
        rate = self.s.borrower.marginal_tax_percent
        return ZERO if rate is None else round_cents(forgiven * rate / _HUNDRED)

    def replacement(self, damaged: bool) -> Replacing | None:
        """What replacing the asset costs an exit (None when no replacement is needed)."""
        f = self.footing
        if not f.needed:
            return None
        if damaged not in self._replacements:
            self._replacements[damaged] = self._replace(damaged)
        return self._replacements[damaged]

    def _replace(self, damaged: bool) -> Replacing:
        f = self.footing
        h = self.horizon
        if f.monthly is not None:
            return Replacing(False, ZERO, None, f.monthly, f.monthly * h, ZERO, ZERO)
        rate = f.damaged_rate_percent if damaged else f.rate_percent
        # One like it: the same class and age, so its value follows the same path from its price.
        path = project_on(self.s.asset, f.price, rate, f.term_months, horizon_months=h, value_today=f.price)
        at = path.rows[h]
        payment = path.rows[1].paid if len(path.rows) > 1 else ZERO
        return Replacing(True, f.price, rate, payment, path.paid_through(h), at.value, at.owed)

    def sale_flows(self, extra: Decimal = ZERO) -> list[tuple[int, Decimal]]:
        """The lender's cash from a sale today: the proceeds less selling costs, plus ``extra``."""
        return [(0, self.sale_price - self.selling_costs + extra)]


def _footing(s: Situation) -> Footing:
    r = s.replacement
    default_rate, confidence, sources = damaged_credit_rate_default()
    return Footing(
        needed=r.needed,
        price=s.asset.value if r.price is None else r.price,
        rate_percent=s.loan.rate_percent if r.rate_percent is None else r.rate_percent,
        damaged_rate_percent=default_rate if r.damaged_rate_percent is None else r.damaged_rate_percent,
        term_months=min(s.loan.remaining_payments, MAX_HORIZON_MONTHS)
        if r.term_months is None
        else r.term_months,
        monthly=r.monthly,
        damaged_rate_given=r.damaged_rate_percent is not None,
        damaged_rate_confidence=confidence,
        damaged_rate_sources=sources,
    )


def _unavailable(name: str, title: str, c: _Context, why: str, credit: CreditConsequence) -> Exit:
    return Exit(name, title, "exit", False, why, c.payoff, None, None, None, None, None, None, credit, ())


def _give_up(exit_: Exit, c: _Context) -> Exit:
    """An exit that gives the asset up, on the footing: a replacement's cost added, or a note
    that going without is not charged."""
    rep = c.replacement(exit_.credit_consequence.marks_report)
    if rep is None:
        caveat = "You go without the asset: this exit is charged nothing for that (no replacement needed)."
        return replace(exit_, gives_up_asset=True, caveats=(*exit_.caveats, caveat))
    assert exit_.total_paid_over_horizon is not None and exit_.net_position_at_horizon is not None
    assert exit_.debt_left_after is not None
    if rep.bought:
        caveat = (
            f"Counts a replacement like it: {format_money_human(rep.price)} financed at {rep.rate_percent} % "
            f"({format_money_human(rep.payment)} a month); a lender may want a down payment"
            + (
                " and price the loan for a marked credit report."
                if exit_.credit_consequence.marks_report
                else "."
            )
        )
    else:
        caveat = f"Counts renting a replacement at {format_money_human(rep.payment)} a month."
    return replace(
        exit_,
        gives_up_asset=True,
        replacing=rep,
        debt_left_after=exit_.debt_left_after + (rep.price if rep.bought else ZERO),
        total_paid_over_horizon=exit_.total_paid_over_horizon + rep.paid,
        net_position_at_horizon=exit_.net_position_at_horizon
        + rep.value_at_horizon
        - rep.owed_at_horizon
        - rep.paid,
        caveats=(*exit_.caveats, caveat),
    )


# ----------------------------------------------------------------------------- the exits


def _pay_the_gap(c: _Context) -> Exit:
    paid = c.gap - c.surplus
    caveats = [
        "You need the cash before the sale closes: the lender releases the title only when paid in full."
    ]
    if c.sale_basis == "value":
        caveats.append(
            "No offer was given: the sale is assumed to bring the value; a real offer is often lower."
        )
    lender = lender_side([(0, c.payoff)], c.rate, "paid in full today from the sale and your check")
    exit_ = Exit(
        "pay_the_gap",
        "Sell and pay the gap",
        "exit",
        True,
        None,
        c.payoff,
        cash_needed_now=c.gap,
        debt_left_after=ZERO,
        total_paid_over_horizon=paid,
        net_position_at_horizon=-paid,
        new_loan_ltv=None,
        months_under_water=None,
        credit_consequence=CreditConsequence("none", "the loan is paid in full as agreed"),
        caveats=tuple(caveats),
        details=(
            ("sale_price", c.sale_price),
            ("selling_costs", c.selling_costs),
            ("gap", c.gap),
            ("cash_at_closing", c.surplus),
        ),
        lender=lender,
    )
    return _give_up(exit_, c)


def _trade_in(c: _Context) -> Exit:
    t = c.s.next_deal
    title = "Trade in, roll the negative equity into the next loan"
    credit = CreditConsequence(
        "minor", "a new loan (hard inquiry, new account); the old loan is paid off as agreed"
    )
    if t.missing:
        wanted = ", ".join(f"`{name}`" for name in t.missing)
        return _unavailable("trade_in", title, c, f"give {wanted} to price the next deal", credit)
    assert t.price is not None and t.rate_percent is not None and t.term_months is not None
    trade_value = c.value if t.trade_in_value is None else t.trade_in_value
    rolled_signed = c.payoff + c.s.loan.other_liens - trade_value
    rolled = max(rolled_signed, ZERO)
    taxing = _taxable(c, t.price, trade_value)
    if isinstance(taxing, str):
        return _unavailable("trade_in", title, c, taxing, credit)
    taxable, tax_caveats, credit_basis = taxing
    tax = round_cents(taxable * t.sales_tax_percent / _HUNDRED)
    amount = t.price + tax + t.dealer_fees - t.rebates - t.down_payment + rolled_signed
    if amount <= 0:
        return _unavailable(
            "trade_in", title, c, "the trade-in and down payment cover the whole next deal: no loan", credit
        )
    next_class = c.kind if t.asset_class is None else AssetClass(t.asset_class)
    horizon = min(max(c.horizon, t.term_months), MAX_HORIZON_MONTHS)
    new = project(
        amount,
        t.rate_percent,
        t.term_months,
        t.price,
        asset_class=next_class,
        age_months=t.age_months,
        horizon_months=horizon,
    )
    schedule = amortize(amount, t.rate_percent, t.term_months)
    without = amount - rolled
    base_payment = base_interest = ZERO
    if without > 0:
        base = amortize(without, t.rate_percent, t.term_months)
        base_payment, base_interest = base.payment, base.total_interest
    extra_payment = schedule.payment - base_payment if rolled else ZERO
    extra_interest = schedule.total_interest - base_interest if rolled else ZERO
    at = new.rows[c.horizon]
    paid = t.down_payment + new.paid_through(c.horizon)
    ltv = amount / t.price
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
    caveats.extend(tax_caveats)
    if new.crossover_month is None:
        caveats.append(f"The new loan does not surface within {horizon} months.")
    return Exit(
        "trade_in",
        title,
        "exit",
        True,
        None,
        c.payoff,
        cash_needed_now=t.down_payment,
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
            ("trade_in_tax_credit", credit_basis),
            ("sales_tax", tax),
            ("dealer_fees", t.dealer_fees),
            ("rebates", t.rebates),
            ("down_payment", t.down_payment),
            ("new_loan_amount", amount),
            ("new_payment", schedule.payment),
            ("extra_monthly_payment_from_rolled", extra_payment),
            ("extra_interest_from_rolled", extra_interest),
            ("new_crossover_month", new.crossover_month),
        ),
        lender=lender_side([(0, c.payoff)], c.rate, "paid off today by the dealer, out of the next loan"),
    )


def _taxable(c: _Context, price: Decimal, trade_value: Decimal) -> tuple[Decimal, list[str], str] | str:
    """The price the next deal's sales tax is on, what to say about it, and how the credit was
    decided — or why it cannot be decided (a sentence naming what to give)."""
    t = c.s.next_deal
    choice = t.trade_in_tax_credit
    if t.sales_tax_percent == 0:
        return price, [], "no sales tax given"
    if c.state is None:
        if choice == "state":
            return (
                "give `state`, or say whether your state credits the trade-in (`trade_in_tax_credit` yes or "
                "no): the sales tax depends on it"
            )
        credited = max(price - trade_value, ZERO) if choice == "yes" else price
        return credited, [f"The trade-in credit is applied as you said ({choice})."], f"as you said: {choice}"
    rule = trade_in_rule(c.state, on=c.s.borrower.as_of)
    override = None if choice == "state" else choice == "yes"
    try:
        taxed = taxable_price(price, trade_value, rule, override=override, purchase_is_new=t.age_months == 0)
    except InputError as exc:
        return exc.rule_in()
    basis = f"{rule.name}'s rule on file" if taxed.basis == "rule" else f"as you said: {choice}"
    return taxed.taxable, [f"Sales tax: {taxed.reason}.", *taxed.caveats], basis


def _short_sale(c: _Context) -> Exit:
    title = "Short sale: the lender accepts the offer"
    credit = CreditConsequence("major", "reported as settled for less than the full balance")
    if c.sale_basis != "offer":
        return _unavailable(
            "short_sale", title, c, "no offer given: a short sale needs a buyer's offer (`offer`)", credit
        )
    if c.gap == 0:
        return _unavailable("short_sale", title, c, "the offer covers the payoff: nothing to forgive", credit)
    tax = c.tax_on(c.gap)
    caveats = [
        "Only if the lender agrees, in writing, before the sale, to release the title for the offer.",
        "Ask that the agreement waive the rest of the debt; otherwise the lender may still pursue it.",
        _TAX_CAVEAT,
    ]
    if c.s.borrower.marginal_tax_percent is None:
        caveats.append("Give a marginal tax rate to count an estimated tax on the forgiven debt.")
    exit_ = Exit(
        "short_sale",
        title,
        "exit",
        True,
        None,
        c.payoff,
        cash_needed_now=ZERO,
        debt_left_after=ZERO,
        total_paid_over_horizon=tax,
        net_position_at_horizon=-tax,
        new_loan_ltv=None,
        months_under_water=None,
        credit_consequence=credit,
        caveats=tuple(caveats),
        details=(("sale_price", c.sale_price), ("forgiven_debt", c.gap), ("estimated_tax_on_forgiven", tax)),
        lender=lender_side(
            c.sale_flows(), c.rate, "takes the sale's proceeds today and forgives the rest", forgives=c.gap
        ),
    )
    return _give_up(exit_, c)


def _payment_plan(c: _Context) -> Exit:
    w = c.s.workout
    title = "Sell, then pay the gap in installments"
    credit = CreditConsequence(
        "minor", "a modified agreement with the lender; no negative mark if the plan is paid as agreed"
    )
    if w.plan_months is None:
        return _unavailable(
            "payment_plan", title, c, "give `plan_months` (and `plan_rate_percent`) for a plan", credit
        )
    if c.gap == 0:
        return _unavailable("payment_plan", title, c, "the sale covers the payoff: no gap to spread", credit)
    plan = amortize(c.gap, w.plan_rate_percent, w.plan_months)
    paid = sum((row.payment for row in plan.rows[: c.horizon]), ZERO)
    left = plan.balance_after(min(c.horizon, len(plan.rows)))
    flows = c.sale_flows() + [(row.number, row.payment) for row in plan.rows]
    exit_ = Exit(
        "payment_plan",
        title,
        "exit",
        True,
        None,
        c.payoff,
        cash_needed_now=ZERO,
        debt_left_after=c.gap,
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
            ("plan_amount", c.gap),
            ("plan_months", w.plan_months),
            ("plan_rate_percent", str(w.plan_rate_percent)),
            ("plan_payment", plan.payment),
            ("plan_total_paid", plan.total_paid),
            ("plan_total_interest", plan.total_interest),
        ),
        lender=lender_side(
            flows, c.rate, "takes the sale's proceeds today and the gap in monthly installments"
        ),
    )
    return _give_up(exit_, c)


def _settlement(c: _Context) -> Exit:
    w = c.s.workout
    title = "Sell, then settle the gap for a lump sum"
    credit = CreditConsequence("major", "reported as settled for less than owed")
    if w.settlement_percent is None:
        return _unavailable(
            "settlement",
            title,
            c,
            "give `settlement_percent`: the share of the gap offered as a lump sum",
            credit,
        )
    if c.gap == 0:
        return _unavailable("settlement", title, c, "the sale covers the payoff: nothing to settle", credit)
    lump = round_cents(c.gap * w.settlement_percent / _HUNDRED)
    forgiven = c.gap - lump
    tax = c.tax_on(forgiven)
    caveats = [
        "Get the settlement in writing before paying; it is usually due in one payment.",
        "Lenders usually ask for proof of hardship before they accept less.",
    ]
    if forgiven:
        caveats.append(_TAX_CAVEAT)
    exit_ = Exit(
        "settlement",
        title,
        "exit",
        True,
        None,
        c.payoff,
        cash_needed_now=lump,
        debt_left_after=ZERO,
        total_paid_over_horizon=lump + tax,
        net_position_at_horizon=-(lump + tax),
        new_loan_ltv=None,
        months_under_water=None,
        credit_consequence=credit,
        caveats=tuple(caveats),
        details=(
            ("settlement_percent", str(w.settlement_percent)),
            ("lump_sum", lump),
            ("forgiven_debt", forgiven),
            ("estimated_tax_on_forgiven", tax),
        ),
        lender=lender_side(
            c.sale_flows(lump),
            c.rate,
            "takes the sale's proceeds and the lump sum today, forgives the rest",
            forgives=forgiven,
        ),
    )
    return _give_up(exit_, c)


def _state_text(sheet: DeficiencyWorksheet) -> str:
    if sheet.state is None:
        return "no state given: only the UCC rules are applied"
    if sheet.state_rule is None:
        return f"no rule on file for {STATE_NAMES[sheet.state]}"
    rule = sheet.state_rule
    return f"{rule.rule.name} ({rule.rule.citation}): {rule.effect}"


def _give_back(c: _Context, name: str) -> Exit:
    surrender = name == "voluntary_surrender"
    title = "Voluntary surrender" if surrender else "Repossession"
    credit = (
        CreditConsequence("major", "a voluntary surrender is reported as a repossession, marked voluntary")
        if surrender
        else CreditConsequence(
            "severe", "default, then a repossession: it stays on a credit report for seven years"
        )
    )
    if c.kind is AssetClass.HOME:
        return _unavailable(
            name, title, c, "a home is foreclosed, not repossessed: not modelled here", credit
        )
    costs = default_expenses(c.kind).expenses
    if surrender:
        costs = replace(costs, retaking=ZERO)  # the borrower delivers it: no recovery agent
    sheet = estimate_deficiency(
        c.payoff,
        c.value,
        c.kind,
        state=c.state,
        expenses=costs,
        consumer=c.consumer,
        as_of=c.s.borrower.as_of,
    )
    deficiency = sheet.deficiency
    share = sheet.estimate.auction_share_percent if sheet.estimate else Decimal(75)
    caveats = [
        f"The lender sells at auction, assumed here at {share} % of the value, and adds its costs: the "
        "deficiency is what is still owed.",
        "An unpaid deficiency can go to collections or a lawsuit.",
        "State rule: " + _state_text(sheet),
    ]
    caveats.extend(note for note in sheet.notes if note.startswith("Time to sue"))
    if not surrender:
        caveats.append("Repossession adds the recovery fee and follows missed payments and default.")
    a = c.lender
    collected = round_cents(deficiency * a.collect_percent / _HUNDRED)
    sold_at = a.months_to_sell
    flows = [(sold_at, sheet.proceeds), (sold_at, -sheet.expenses_total)]
    if collected:
        flows.append((sold_at + a.months_to_collect, collected))
    how = (
        f"sells it at auction in month {sold_at} for {format_money_human(sheet.proceeds)}, spends "
        f"{format_money_human(sheet.expenses_total)} on it, and collects {a.collect_percent} % of the "
        f"{format_money_human(deficiency)} deficiency"
        + (f" by month {sold_at + a.months_to_collect}" if collected else "")
    )
    exit_ = Exit(
        name,
        title,
        "exit",
        True,
        None,
        c.payoff,
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
        lender=lender_side(flows, c.rate, how, forgives=deficiency - collected),
    )
    return _give_up(exit_, c)


def _total_loss(c: _Context, gap_covered: bool) -> Exit:
    i = c.s.insurance
    name = "total_loss_with_gap" if gap_covered else "total_loss_without_gap"
    title = "Total loss, with GAP coverage" if gap_covered else "Total loss, without GAP coverage"
    credit = CreditConsequence("none", "the loan is paid off by the insurer (and you)")
    acv = c.value if i.actual_cash_value is None else i.actual_cash_value
    contract = i.contract() if gap_covered else None
    if gap_covered and contract is None:
        return replace(
            _unavailable(name, title, c, "no GAP coverage (`gap_coverage` is none)", credit), kind="scenario"
        )
    caveats = ["A scenario, not a choice: what happens if the asset is destroyed or stolen today."]
    if contract is None:
        payout = max(acv - i.deductible, ZERO)
        owes = max(c.payoff - payout, ZERO)
        surplus = max(payout - c.payoff, ZERO)
        if owes:
            caveats.append(
                "The insurer pays the lender its actual cash value less the deductible; you owe the rest."
            )
        details: tuple[tuple[str, Detail], ...] = (
            ("actual_cash_value", acv),
            ("deductible", i.deductible),
            ("insurance_payout", payout),
            ("left_after_insurance", owes),
            ("gap_coverage_pays", ZERO),
        )
        paid_by_others = payout
    else:
        settled = gap_payout(
            c.payoff,
            acv,
            i.deductible,
            contract,
            rolled_negative_equity=i.negative_equity_rolled,
            past_due=i.past_due,
            late_fees=i.late_fees,
            addons=i.addons,
            addon_refunds=i.addon_refunds,
            value_at_signing=i.value_at_signing,
            amount_financed=i.amount_financed,
        )
        owes, surplus = settled.borrower_owes, settled.surplus
        caveats.append(f"Only if you have this coverage: {contract.name}.")
        caveats.extend(settled.caveats)
        details = (
            ("actual_cash_value", acv),
            ("deductible", i.deductible),
            ("insurance_payout", settled.insurer_pays),
            ("left_after_insurance", settled.owed_after_insurance),
            ("gap_excluded", settled.excluded_total),
            ("gap_coverage_pays", settled.gap_pays),
            ("gap_capped_by", settled.capped_by),
            ("refunds_credited", settled.refunds_credited),
            *((f"excluded_{e.item}", e.amount) for e in settled.exclusions),
        )
        paid_by_others = settled.insurer_pays + settled.gap_pays + settled.refunds_credited
    payer = " and GAP" if contract is not None else ""
    return Exit(
        name,
        title,
        "scenario",
        True,
        None,
        c.payoff,
        cash_needed_now=owes,
        debt_left_after=ZERO,
        total_paid_over_horizon=owes - surplus,
        net_position_at_horizon=surplus - owes,
        new_loan_ltv=None,
        months_under_water=None,
        credit_consequence=credit,
        caveats=tuple(caveats),
        details=details,
        lender=lender_side(
            [(0, min(paid_by_others, c.payoff) + owes)],
            c.rate,
            f"paid off by the insurer{payer}" + (" and you" if owes else ""),
        ),
        gives_up_asset=True,
    )


def _loan_flows(keep: Projection, through: int) -> list[tuple[int, Decimal]]:
    return [(row.month, row.paid) for row in keep.rows[1 : through + 1] if row.paid]


def _keep_paying(c: _Context) -> Exit:
    keep = c.keep
    at = keep.rows[c.horizon]
    paid = keep.paid_through(c.horizon)
    caveats = [
        "Assumes the value follows the depreciation curve; a market drop or heavy use keeps you under longer."
    ]
    if keep.crossover_month is None:
        caveats.append(f"The loan does not surface within {keep.horizon_months} months.")
    return Exit(
        "keep_paying",
        "Keep it and pay as agreed",
        "exit",
        True,
        None,
        c.payoff,
        cash_needed_now=ZERO,
        debt_left_after=c.payoff,
        total_paid_over_horizon=paid,
        net_position_at_horizon=at.value - at.owed - paid,
        new_loan_ltv=None if c.value == 0 else (c.payoff + c.s.loan.other_liens) / c.value,
        months_under_water=keep.months_under_water,
        credit_consequence=CreditConsequence("none", "the loan is paid as agreed"),
        caveats=tuple(caveats),
        details=(
            ("crossover_month", keep.crossover_month),
            ("first_under_water_month", keep.first_under_water_month),
            ("monthly_payment", keep.rows[1].paid if len(keep.rows) > 1 else ZERO),
            ("value_at_horizon", at.value),
            ("owed_at_horizon", at.owed),
            ("interest_paid_while_under_water", keep.interest_paid_while_under_water),
        ),
        lender=lender_side(
            _loan_flows(keep, len(keep.rows) - 1), c.rate, "is paid as agreed, month by month"
        ),
    )


def _sale_month(keep: Projection, costs: Decimal) -> int | None:
    """The month from which a sale at the projected value, less ``costs``, clears what is owed in
    every later month (None when that never holds to the end of the projection)."""
    month: int | None = None
    for row in reversed(keep.rows):
        if row.owed + costs > row.value:
            break
        month = row.month
    return month


def _keep_to_crossover(c: _Context) -> Exit:
    title = "Keep paying until it surfaces, then sell"
    credit = CreditConsequence("none", "the loan is paid as agreed")
    if c.footing.needed:
        return _unavailable(
            "keep_to_crossover",
            title,
            c,
            "you need an asset like this one, so selling it once it surfaces only to buy another "
            "would cost the selling costs for nothing; keeping it is `keep_paying`",
            credit,
        )
    keep = c.keep
    month = _sale_month(keep, c.selling_costs)
    caveats = [
        "Assumes the value follows the depreciation curve; a market drop or heavy use delays the sale.",
        "The payments also buy the use of the asset until it is sold.",
    ]
    if month is not None and month <= c.horizon:
        row = keep.rows[month]
        received = row.value - c.selling_costs - row.owed
        paid = keep.paid_through(month) - received
        net = -paid
        sale: tuple[tuple[str, Detail], ...] = (
            ("sale_month", month),
            ("sale_value", row.value),
            ("selling_costs", c.selling_costs),
            ("payoff_at_sale", row.owed),
        )
        flows = [*_loan_flows(keep, month), (month, row.owed)]
    else:
        row = keep.rows[c.horizon]
        paid = keep.paid_through(c.horizon)
        net = row.value - row.owed - paid
        sale = (
            ("sale_month", None),
            ("sale_value", None),
            ("selling_costs", c.selling_costs),
            ("payoff_at_sale", None),
        )
        flows = _loan_flows(keep, len(keep.rows) - 1)
        caveats.append(
            f"A sale does not clear the loan and its costs within {c.horizon} months: the figures hold it to the horizon."
        )
    return Exit(
        "keep_to_crossover",
        title,
        "exit",
        True,
        None,
        c.payoff,
        cash_needed_now=ZERO,
        debt_left_after=c.payoff,
        total_paid_over_horizon=paid,
        net_position_at_horizon=net,
        new_loan_ltv=None,
        months_under_water=keep.months_under_water,
        credit_consequence=credit,
        caveats=tuple(caveats),
        details=(
            ("crossover_month", keep.crossover_month),
            *sale,
            ("monthly_payment", keep.rows[1].paid if len(keep.rows) > 1 else ZERO),
            ("interest_paid_while_under_water", keep.interest_paid_while_under_water),
        ),
        lender=lender_side(flows, c.rate, "is paid as agreed, then paid off from the sale"),
    )


def _refinance(c: _Context) -> Exit:
    r = c.s.refinance
    title = "Refinance and keep"
    credit = CreditConsequence(
        "minor", "a new loan (hard inquiry, new account); the old loan is paid off as agreed"
    )
    if r.rate_percent is None:
        return _unavailable(
            "refinance", title, c, "give `refi_rate_percent` (and `refi_term_months`) to refinance", credit
        )
    terms = refinance_terms(c.s, c.keep)
    new = terms.projection
    at = new.rows[c.horizon]
    paid = terms.cash_now + new.paid_through(c.horizon)
    caveats = list(terms.caveats)
    return Exit(
        "refinance",
        title,
        "exit",
        True,
        None,
        c.payoff,
        cash_needed_now=terms.cash_now,
        debt_left_after=terms.amount,
        total_paid_over_horizon=paid,
        net_position_at_horizon=at.value - at.owed - paid,
        new_loan_ltv=terms.ltv,
        months_under_water=new.months_under_water,
        credit_consequence=credit,
        caveats=tuple(caveats),
        details=terms.details,
        lender=lender_side([(0, c.payoff)], c.rate, "paid off today by the new lender"),
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
assert set(_RANK_KEYS) == set(RANK_CRITERIA)

_CRITERION_WORDS = {
    "net_position": "the net position at month {h}: what you hold then, less what you owe then and all you paid from today",
    "cash_now": "the cash needed today",
    "total_cost": "everything paid through month {h}",
    "credit": "the credit consequence, mildest first",
}


def _ranked(exits: list[Exit], rank_by: str) -> tuple[Exit, ...]:
    key = _RANK_KEYS[rank_by]
    choices = [e for e in exits if e.available and e.kind == "exit"]
    ordered = sorted(choices, key=lambda e: (*key(e), EXIT_NAMES.index(e.name)))
    ranked = [replace(e, rank=i) for i, e in enumerate(ordered, start=1)]
    scenarios = [e for e in exits if e.available and e.kind == "scenario"]
    unavailable = [e for e in exits if not e.available]
    return tuple(ranked + scenarios + unavailable)


_PLAIN = {
    "pay_the_gap": "selling and paying the gap",
    "trade_in": "trading it in",
    "short_sale": "a short sale",
    "payment_plan": "selling with a payment plan for the gap",
    "settlement": "selling and settling the gap",
    "refinance": "refinancing",
    "voluntary_surrender": "a voluntary surrender",
    "repossession": "a repossession",
    "keep_paying": "keeping it and paying as agreed",
    "keep_to_crossover": "keeping it until it surfaces, then selling",
}
"""Each exit as a phrase in a sentence."""


def _explain(ranked: Sequence[Exit], c: _Context, rank_by: str) -> str:
    words = _CRITERION_WORDS[rank_by].format(h=c.horizon)
    text = f"Ranked by {words}. {c.footing.summary}"
    top = [e for e in ranked if e.rank is not None]
    if (
        len(top) >= 2
        and top[0].net_position_at_horizon is not None
        and top[1].net_position_at_horizon is not None
    ):
        lead = top[0].net_position_at_horizon - top[1].net_position_at_horizon
        first = _PLAIN[top[0].name]
        text += (
            f" First comes {first}, {format_money_human(lead)} better in net position than "
            f"{_PLAIN[top[1].name]}."
        )
    keep = next((e for e in top if e.name == "keep_paying"), None)
    gone = [e for e in top if e.name in ("voluntary_surrender", "repossession")]
    if keep is not None and gone and c.footing.needed:
        best = min(gone, key=lambda e: e.rank or 0)
        assert keep.net_position_at_horizon is not None and best.net_position_at_horizon is not None
        if keep.net_position_at_horizon >= best.net_position_at_horizon:
            text += (
                f" Giving it up does not beat keeping it: {_PLAIN[best.name]} leaves "
                f"{format_money_human(best.debt_left_after or ZERO)} owed, the replacement's loan included, "
                "and that loan is priced for a marked credit report."
            )
        else:
            text += (
                f" Here {_PLAIN[best.name]} does beat keeping it, by "
                f"{format_money_human(best.net_position_at_horizon - keep.net_position_at_horizon)}: the asset is "
                "worth so little against the loan that even a replacement at a marked-credit rate costs less."
            )
    return text


def _settlement_range(c: _Context, exits: Sequence[Exit]) -> SettlementRange | None:
    by_name = {e.name: e for e in exits}
    repo, surrender = by_name["repossession"], by_name["voluntary_surrender"]
    if c.gap == 0 or not repo.available or repo.lender is None or surrender.debt_left_after is None:
        return None
    owed_after_surrender = ZERO if surrender.detail("deficiency") is None else surrender.detail("deficiency")
    assert isinstance(owed_after_surrender, Decimal)
    return settlement_range(
        c.gap,
        c.sale_price - c.selling_costs,
        repo.lender.nets_today,
        owed_after_surrender,
        c.s.borrower.marginal_tax_percent,
    )


# ----------------------------------------------------------------------------- entry point


def compare_exits(situation: Situation) -> ExitComparison:
    """Compare every way out of one ``situation``, all from the same payoff and on one footing.

    The FreightWaves truck: $80,000 owed, worth $60,000, a buyer offers $58,000. Selling takes
    a $22,000 check; a trade-in tacks $20,000 onto the next loan; with a truck needed to earn a
    living, keeping it beats letting it be repossessed:

    >>> from underwater.situation import Asset, Loan, NextDeal, Sale
    >>> c = compare_exits(Situation(
    ...     Loan(owed=80000, rate_percent=9, remaining_payments=48),
    ...     Asset(value=60000, asset_class="class8_sleeper", age_months=24),
    ...     sale=Sale(offer=58000),
    ...     next_deal=NextDeal(price=120000, rate_percent=9, term_months=60)))
    >>> c.exit("pay_the_gap").cash_needed_now, c.exit("trade_in").detail("negative_equity_rolled")
    (Decimal('22000.00'), Decimal('20000.00'))
    >>> c.exit("keep_paying").rank < c.exit("repossession").rank
    True
    """
    c = _Context(situation)
    exits = [
        _pay_the_gap(c),
        _trade_in(c),
        _short_sale(c),
        _payment_plan(c),
        _settlement(c),
        _refinance(c),
        _give_back(c, "voluntary_surrender"),
        _give_back(c, "repossession"),
        _keep_paying(c),
        _keep_to_crossover(c),
        _total_loss(c, gap_covered=True),
        _total_loss(c, gap_covered=False),
    ]
    rank_by = situation.comparison.rank_by
    ranked = _ranked(exits, rank_by)
    return ExitComparison(
        payoff=c.payoff,
        value=c.value,
        sale_price=c.sale_price,
        sale_price_basis=c.sale_basis,
        selling_costs=c.selling_costs,
        gap=c.gap,
        horizon_months=c.horizon,
        rank_by=rank_by,
        state=c.state,
        exits=ranked,
        footing=c.footing,
        lender_assumptions=c.lender,
        settlement=_settlement_range(c, exits),
        explanation=_explain(ranked, c, rank_by),
    )
