"""Every way out of an under-water loan, side by side, each as one set of books, ranked on what
the borrower can do and what the lender would agree to, with a recommendation in words.

One :class:`~underwater.situation.Situation` runs through every exit of its stage:

- **I still have it**: sell and pay the gap; sell and cover the gap with a personal loan; trade
  in and roll the negative equity into the next loan; a short sale; sell with a payment plan
  or a lump-sum settlement for the gap; refinance; a voluntary surrender; a repossession; keep
  paying; keep paying until it surfaces, then sell; and, as scenarios, a total loss with and
  without GAP coverage.
- **It was repossessed and sold**: pay the deficiency, pay it with a personal loan, a repayment
  plan, a lump-sum settlement, pay nothing and wait, and — a defense a court decides — dispute it.
- **It was totalled**: pay what the insurer (and GAP) leave, with a personal loan, or over a plan.

**One set of books per exit** (:mod:`underwater.ledger`): dated cash flows between the borrower,
this loan's lender, the other lien holders, the next deal's or replacement's lender, a buyer,
the insurer, the tax authority …, the debts the borrower owes, and what it holds at the horizon.
Every figure is read off them:

- ``cash_needed_now``: what the borrower pays today, less what it receives (not below 0);
- ``debt_left_after``: everything owed right after taking it;
- ``total_paid_over_horizon``: every dollar the borrower pays from today through the horizon
  month, less every dollar it receives;
- ``net_position_at_horizon`` = held at the horizon − owed then − total paid (every dollar alike);
- ``present_value``: the same in today's dollars — each month's net payment and the position at
  the horizon discounted at the borrower's opportunity rate;
- ``lender_side``: what this loan's lender receives, spends and nets in today's dollars at its
  cost of funds; ``other_liens_side`` the same for the other lien holders.

**One footing.** Over the same horizon every exit either leaves the borrower with the use of an
asset — the kept one, the next deal's, or a replacement from the day it goes — or, when none is
needed, counts the dearer credit a mark brings to typical borrowing
(:mod:`underwater.exits.replacing`). A mark's cost comes from cited rates by credit tier.

**Judged and ranked** (:mod:`underwater.exits.judge`): out of reach when it needs more cash or
a larger monthly payment than the borrower has; an exit needing the lender's consent is weighed
against the lender's real alternative; the ranked ones by present value (or the criterion asked
for), then those the lender would likely refuse, those out of reach, the scenarios, the
defenses and those not worked out. Money is dollars; rates are percent per year as typed.
**Not legal or tax advice.**
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from underwater.credit import CreditTier
from underwater.exits.advice import Recommendation, explain, recommend
from underwater.exits.after_loss import deficiency_of, repossessed_exits, settle_deficiency, totalled_exits
from underwater.exits.facts import Assumption, Channel, Facts, Footing
from underwater.exits.have_it import (
    deferral,
    give_back,
    keep_paying,
    keep_to_crossover,
    pay_the_gap,
    payment_plan,
    refinance,
    sell_with_personal_loan,
    settlement,
    short_sale,
    total_loss,
    trade_in,
)
from underwater.exits.home import deed_in_lieu, forbearance, home_foreclosure, modification
from underwater.exits.judge import (
    Alternative,
    SettlementRange,
    alternative,
    judge,
    rank,
    reach,
    settlement_range,
)
from underwater.exits.lease import lease_exits
from underwater.exits.model import CREDIT_LEVELS, STATUSES, CreditConsequence, Exit, read_exit
from underwater.lender import LenderAssumptions
from underwater.money import CENT, ZERO, format_money, format_ratio
from underwater.situation import RANK_CRITERIA, Situation

__all__ = [
    "CREDIT_LEVELS",
    "DISCLAIMER",
    "EXIT_NAMES",
    "RANK_CRITERIA",
    "STATUSES",
    "CreditConsequence",
    "Exit",
    "ExitComparison",
    "Footing",
    "Recommendation",
    "SettlementRange",
    "compare_exits",
]

EXIT_NAMES = (
    "pay_the_gap",
    "sell_with_personal_loan",
    "trade_in",
    "short_sale",
    "payment_plan",
    "settlement",
    "refinance",
    "voluntary_surrender",
    "repossession",
    "deed_in_lieu",
    "foreclosure",
    "modification",
    "forbearance",
    "keep_paying",
    "keep_to_crossover",
    "turn_in_at_end",
    "buy_at_end",
    "end_lease_early",
    "lease_default",
    "deferral",
    "total_loss_with_gap",
    "total_loss_without_gap",
    "pay_deficiency",
    "deficiency_personal_loan",
    "deficiency_plan",
    "settle_deficiency",
    "wait_it_out",
    "dispute",
    "pay_remainder",
    "remainder_personal_loan",
    "remainder_plan",
)
"""Every exit, in the order they are listed when nothing else orders them."""

DISCLAIMER = (
    "Not legal or tax advice: lenders decide whether to agree to a short sale, a plan or a settlement; state rules "
    "and tax treatment vary. Check with the lender, a tax adviser and, for a surrender, a repossession, a "
    "foreclosure or a deficiency, a lawyer or legal-aid office in your state."
)
_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class ExitComparison:
    """Every exit for one situation, judged and ranked, with the recommendation (see this
    module's docstring)."""

    stage: str
    payoff: Decimal
    other_liens: Decimal
    value: Decimal
    channels: dict[str, Channel]
    selling_costs: Decimal
    gap: Decimal
    horizon_months: int
    rank_by: str
    state: str | None
    exits: tuple[Exit, ...]
    footing: Footing
    rates: tuple[Assumption, ...]
    credit_tier: CreditTier
    lender_assumptions: LenderAssumptions
    lender_alternative: Alternative | None
    settlement: SettlementRange | None
    recommendation: Recommendation
    explanation: str
    cash_available: Decimal | None
    monthly_budget: Decimal | None
    months_behind: int
    value_source: str = "market"
    """Where today's value comes from (:data:`~underwater.situation.VALUE_SOURCE`)."""
    second_owed: Decimal = ZERO
    """What the second loan given with its terms takes to pay off today (dollars)."""
    second_kind: str | None = None
    """What the loan behind this one is (:data:`~underwater.situation.LIEN_KINDS`), when one
    is given with its terms; ``None`` otherwise."""
    stage_figures: tuple[tuple[str, Decimal | int | bool | None], ...] = ()
    """The figures of the stage: after a repossession, the ``deficiency`` pursued, the
    ``sale_price``, the worksheet's own ``worked_out`` figure, the ``claimed`` one, whether a
    state rule ``barred`` it and the month the ``time_barred_month`` runs out; after a total
    loss, what the ``insurer_pays`` and what is ``left_after_insurance``."""

    @property
    def sale_price(self) -> Decimal:
        """A private sale's price: the buyer's offer, else the value."""
        return self.channels["private_sale"].price

    @property
    def sale_price_basis(self) -> str:
        """``offer`` or ``value``."""
        return "offer" if self.channels["private_sale"].basis == "a buyer's offer" else "value"

    def lien_ratios(self) -> list[dict[str, Any]]:
        """Each lien today: ``lien`` (``first``, ``second`` or ``other``), ``kind``, ``owed`` and
        its ``ltv`` (that lien's payoff over the value, null when the value is 0)."""
        rows: list[tuple[str, str, Decimal]] = [("first", "loan", self.payoff)]
        if self.second_kind:
            rows.append(("second", self.second_kind, self.second_owed))
        if self.other_liens - self.second_owed:
            rows.append(("other", "other", self.other_liens - self.second_owed))
        return [
            {"lien": lien, "kind": kind, "owed": format_money(owed), "ltv": _ratio(owed, self.value)}
            for lien, kind, owed in rows
        ]

    def exit(self, name: str) -> Exit:
        """The exit called ``name`` (one of :data:`EXIT_NAMES`)."""
        for item in self.exits:
            if item.name == name:
                return item
        raise KeyError(name)

    def to_json(self) -> dict[str, Any]:
        """Keys: ``stage``, ``home`` (whether the asset is a home), ``value_source``, ``payoff``, ``other_liens``, ``liens`` (:meth:`lien_ratios`),
        ``ltv`` (the first loan's) and ``cltv`` (every lien's, null when the value is 0), ``value``, ``sale_price``,
        ``sale_price_basis``, ``channels`` (``private_sale``, ``trade_in``, ``auction``: each
        ``price`` and ``basis``), ``selling_costs``, ``gap``, ``horizon_months``, ``rank_by``,
        ``state``, ``means`` (``cash_available``, ``monthly_budget``, ``months_behind``),
        ``credit_tier`` (``tier``, ``label``, ``given_by_user``), ``rates`` (each
        :meth:`~underwater.exits.facts.Assumption.to_json`), ``footing``,
        ``lender_assumptions``, ``lender_alternative``, ``settlement_range``,
        ``stage_figures`` (by stage, see :attr:`stage_figures`), ``recommendation``, ``explanation``, ``exits`` (each :meth:`Exit.to_json`, in order) and
        ``disclaimer``."""
        return {
            "stage": self.stage,
            "home": self.footing.home,
            "value_source": self.value_source,
            "payoff": format_money(self.payoff),
            "other_liens": format_money(self.other_liens),
            "liens": self.lien_ratios(),
            "ltv": _ratio(self.payoff, self.value),
            "cltv": _ratio(self.payoff + self.other_liens, self.value),
            "value": format_money(self.value),
            "sale_price": format_money(self.sale_price),
            "sale_price_basis": self.sale_price_basis,
            "channels": {
                name: {"price": format_money(c.price), "basis": c.basis} for name, c in self.channels.items()
            },
            "selling_costs": format_money(self.selling_costs),
            "gap": format_money(self.gap),
            "horizon_months": self.horizon_months,
            "rank_by": self.rank_by,
            "state": self.state,
            "means": {
                "cash_available": None if self.cash_available is None else format_money(self.cash_available),
                "monthly_budget": None if self.monthly_budget is None else format_money(self.monthly_budget),
                "months_behind": self.months_behind,
            },
            "credit_tier": {
                "tier": self.credit_tier.name,
                "label": self.credit_tier.label,
                "given_by_user": self.credit_tier.given,
            },
            "rates": [a.to_json() for a in self.rates],
            "footing": self.footing.to_json(),
            "lender_assumptions": self.lender_assumptions.to_json(),
            "lender_alternative": None
            if self.lender_alternative is None
            else self.lender_alternative.to_json(),
            "settlement_range": None if self.settlement is None else self.settlement.to_json(),
            "stage_figures": {
                key: format_money(value) if isinstance(value, Decimal) else value
                for key, value in self.stage_figures
            },
            "recommendation": self.recommendation.to_json(),
            "explanation": self.explanation,
            "exits": [item.to_json() for item in self.exits],
            "disclaimer": DISCLAIMER,
        }


def _ratio(owed: Decimal, value: Decimal) -> str | None:
    return None if value == 0 else format_ratio(owed / value)


class _Run:
    """One comparison under way: each exit read off its books and checked for reach."""

    def __init__(self, f: Facts) -> None:
        self.f = f

    def done(self, e: Exit) -> Exit:
        f = self.f
        e = read_exit(e, f.opportunity.value, f.cost_of_funds.value)
        return replace(e, reach=reach(e, f))

    def best_alone(self, exits: list[Exit]) -> Exit | None:
        alone = [
            e
            for e in exits
            if e.kind == "exit" and e.present_value is not None and not e.consent.needed and e.reach.can_do
        ]
        return max(alone, key=lambda e: e.present_value or ZERO, default=None)

    def lump(self, shortfall: Decimal, rng: SettlementRange | None) -> tuple[Decimal | None, str]:
        """The settlement's lump sum: the share given, else the lender's floor, and why."""
        pct = self.f.s.workout.settlement_percent
        if pct is not None:
            lump = (shortfall * pct / _HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)
            return lump, f"The lump sum is the {pct} % of the shortfall you gave"
        if rng is None:
            return None, "give `settlement_percent`: the share of the shortfall offered as a lump sum"
        if rng.lender_floor is None:
            return None, (
                f"the lender has no reason to settle: its alternative is {rng.alternative.words} "
                f"({rng.alternative.why}); give `settlement_percent` to see one anyway"
            )
        if rng.empty:
            return None, "no lump sum leaves both of you better off (see the settlement range)"
        if rng.offer == 0:
            return None, (
                "the sale alone already leaves the lender better off than its alternative: that is the short "
                "sale; give `settlement_percent` to price a lump sum on top"
            )
        return rng.offer, "The lump sum is the least the lender should accept: its floor"


def compare_exits(situation: Situation) -> ExitComparison:
    """Compare every way out of one ``situation`` (see this module's docstring).

    The FreightWaves truck: $80,000 owed, worth $60,000, a buyer offers $58,000. Selling takes a
    $22,000 check; a trade-in tacks $20,000 onto the next loan when the dealer allows the value;
    a current borrower who needs the truck does best keeping it, and the lender has no reason to
    take less:

    >>> from underwater.situation import Asset, Loan, NextDeal, Sale
    >>> c = compare_exits(Situation(
    ...     Loan(owed=80000, rate_percent=9, remaining_payments=48),
    ...     Asset(value=60000, asset_class="class8_sleeper", age_months=24),
    ...     sale=Sale(offer=58000),
    ...     next_deal=NextDeal(price=120000, rate_percent=9, term_months=60, trade_in_value=60000)))
    >>> c.exit("pay_the_gap").cash_needed_now, c.exit("trade_in").detail("negative_equity_rolled")
    (Decimal('22000.00'), Decimal('20000.00'))
    >>> c.recommendation.alone, c.exit("short_sale").status
    ('keep_paying', 'lender_unlikely')
    """
    f = Facts(situation)
    run = _Run(f)
    rng: SettlementRange | None = None
    figures: tuple[tuple[str, Decimal | int | bool | None], ...] = ()
    if f.stage == "repossessed":
        exits = [run.done(e) for e in repossessed_exits(f, None, "")]
        by = {e.name: e for e in exits}
        alt = alternative(by, f)
        d = deficiency_of(f)
        if alt is not None and d.amount > 0:

            def settle(lump: Decimal) -> Exit:
                return run.done(settle_deficiency(f, d, lump, ""))

            rng = settlement_range(d.amount, ZERO, alt, settle, run.best_alone(exits), f.cash)
        lump, why = run.lump(d.amount, rng)
        figures = (
            ("deficiency", d.amount),
            ("sale_price", d.sale_price),
            ("worked_out", d.sheet.deficiency),
            ("claimed", d.claimed),
            ("barred", d.barred),
            ("time_barred_month", d.time_barred_month(f)),
        )
        exits = [e for e in exits if e.name != "settle_deficiency"]
        exits.append(run.done(settle_deficiency(f, d, lump, why)))
    elif f.stage == "totalled":
        exits = [run.done(e) for e in totalled_exits(f)]
        alt = alternative({e.name: e for e in exits}, f)
        first = exits[0]
        figures = tuple(
            (key, value)
            for key, value in first.details
            if key in ("insurance_payout", "gap_coverage_pays", "borrower_owes")
            and not isinstance(value, str)
        )
    elif f.lease is not None:
        exits = [run.done(e) for e in lease_exits(f)]
        alt = alternative({e.name: e for e in exits}, f)
    else:
        vehicle = (
            () if f.home else (trade_in(f), give_back(f, "voluntary_surrender"), give_back(f, "repossession"))
        )
        home = (deed_in_lieu(f), home_foreclosure(f), modification(f), forbearance(f)) if f.home else ()
        scenarios = () if f.home else (total_loss(f, gap_covered=True), total_loss(f, gap_covered=False))
        exits = [
            run.done(e)
            for e in (
                pay_the_gap(f),
                sell_with_personal_loan(f),
                short_sale(f),
                payment_plan(f),
                refinance(f),
                *vehicle,
                *home,
                keep_paying(f),
                keep_to_crossover(f),
                deferral(f),
                *scenarios,
            )
        ]
        alt = alternative({e.name: e for e in exits}, f)
        proceeds = min(max(f.private.price - f.selling_costs, ZERO), f.payoff)
        shortfall = f.payoff - proceeds
        if alt is not None and f.gap > 0 and shortfall > 0:

            def settle(lump: Decimal) -> Exit:
                return run.done(settlement(f, lump, ""))

            judged = [judge(e, alt) for e in exits]
            rng = settlement_range(shortfall, proceeds, alt, settle, run.best_alone(judged), f.cash)
        lump, why = run.lump(shortfall, rng)
        exits.append(run.done(settlement(f, lump, why)))
    judged = [judge(e, alt) for e in exits]
    rank_by = situation.comparison.rank_by
    ranked = rank(judged, rank_by, EXIT_NAMES)
    return ExitComparison(
        stage=f.stage,
        payoff=f.payoff,
        other_liens=f.liens,
        value=f.value,
        channels=f.channels(),
        selling_costs=f.selling_costs,
        gap=f.gap,
        horizon_months=f.horizon,
        rank_by=rank_by,
        state=f.state,
        exits=ranked,
        footing=f.footing,
        rates=f.assumptions(),
        credit_tier=f.tier,
        lender_assumptions=f.lender_terms,
        lender_alternative=alt,
        settlement=rng,
        recommendation=recommend(ranked, f, alt, rng),
        explanation=explain(rank_by, f),
        cash_available=f.cash,
        monthly_budget=f.budget,
        months_behind=f.behind,
        stage_figures=figures,
        second_kind=situation.second_lien.kind if f.second is not None else None,
        second_owed=situation.second_lien.owed if f.second is not None else ZERO,
        value_source=situation.asset.value_source,
    )
