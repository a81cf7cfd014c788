"""Judging the ways out: what the borrower can do, what the lender would agree to, the lump sum
both sides can take, and the ranking.

- **Reach.** An exit that needs more cash today than the borrower has, or a larger monthly
  payment than the budget, is out of reach (with the reason) and never ranked above one the
  borrower can do. Cash or a budget left out is not checked.
- **The lender's alternative** is what it really faces: being paid as agreed while the borrower
  can keep paying (catching up first when behind); a default and a repossession when not; after
  a repossession or a total loss, collecting what it can of what is left.
- **Consent.** An exit that needs this lender's agreement (a short sale, a plan, a settlement)
  is judged by what the lender nets from it against its alternative, both in today's dollars at
  its cost of funds; one that leaves the lender worse off is listed as one it would likely
  refuse, not ranked.
- **The settlement range.** With the asset sold, a lump sum S paid today settles what the sale
  leaves of this loan. The lender is better off from the **floor** up: proceeds + S ≥ what its
  alternative nets. The borrower is better off up to the **ceiling**: the settlement is worth at
  least the best exit the borrower can take alone, in today's dollars (the settlement's worth
  falls by S less the tax it saves on the forgiven part, so the ceiling solves a linear
  equation). When the floor is above the whole shortfall the lender has no reason to accept,
  and the range says so instead of printing figures.

Money is dollars; rates percent per year.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from underwater.exits.facts import Facts
from underwater.exits.model import CREDIT_LEVELS, Consent, Exit, Reach
from underwater.ledger import LENDER
from underwater.money import CENT, ZERO, format_money, format_money_human
from underwater.valuation import discount_factors

__all__ = ["Alternative", "SettlementRange", "alternative", "judge", "rank", "reach", "settlement_range"]


def reach(e: Exit, f: Facts) -> Reach:
    """Whether the borrower can take ``e`` with the cash and monthly budget given."""
    if e.figures is None or e.kind != "exit":
        return Reach()
    reasons = []
    fig = e.figures
    if f.cash is not None and fig.cash_needed_now > f.cash:
        reasons.append(
            f"it needs {format_money_human(fig.cash_needed_now)} today and you have {format_money_human(f.cash)}"
        )
    if f.budget is not None and fig.monthly_payment > f.budget:
        reasons.append(
            f"it needs {format_money_human(fig.monthly_payment)} a month and you can pay {format_money_human(f.budget)}"
        )
    return Reach(False, " and ".join(reasons)) if reasons else Reach()


@dataclass(frozen=True, slots=True)
class Alternative:
    """What this loan's lender faces if it agrees to nothing: ``kind`` (``paid_as_agreed``,
    ``repossession``, ``foreclosure``, ``collection``), why, the exit it is, and what it nets in today's dollars."""

    kind: str
    why: str
    exit_name: str
    nets: Decimal

    @property
    def words(self) -> str:
        """The alternative as a phrase."""
        return {
            "paid_as_agreed": "being paid as agreed",
            "repossession": "a default and a repossession",
            "foreclosure": "a default and a foreclosure",
            "collection": "collecting what it can of what is left",
        }[self.kind]

    def to_json(self) -> dict[str, Any]:
        """Keys: ``kind``, ``why``, ``exit``, ``nets_today``."""
        return {
            "kind": self.kind,
            "why": self.why,
            "exit": self.exit_name,
            "nets_today": format_money(self.nets),
        }


def alternative(exits: dict[str, Exit], f: Facts) -> Alternative | None:
    """The lender's real alternative (``None`` when it cannot be worked out)."""
    if f.stage == "repossessed":
        wait = exits.get("wait_it_out")
        if wait is None or wait.lender is None:
            return None
        return Alternative(
            "collection",
            "the deficiency is collected as far as it can be",
            "wait_it_out",
            wait.lender.nets_today,
        )
    if f.stage == "totalled":
        pay = exits.get("pay_remainder")
        if pay is None or pay.lender is None:
            return None
        if pay.reach.can_do:
            return Alternative(
                "paid_as_agreed", "you can pay what is left", "pay_remainder", pay.lender.nets_today
            )
        return Alternative(
            "collection",
            f"you cannot pay what is left: {pay.reach.why_not}",
            "pay_remainder",
            _collected(pay, f),
        )
    # A lease's keeping is handing it back at the end; its default, the lessor taking it back.
    keep = exits.get("keep_paying") or exits["turn_in_at_end"]
    assert keep.lender is not None
    if keep.reach.can_do:
        why = "you can catch up and keep paying" if f.behind else "you are current and can keep paying"
        if f.cash is None and f.budget is None:
            why += ", as is assumed when your cash and monthly budget are not given"
        return Alternative("paid_as_agreed", why, keep.name, keep.lender.nets_today)
    repo = exits.get("repossession") or exits.get("foreclosure") or exits.get("lease_default")
    if repo is None or repo.lender is None:
        return None
    return Alternative(
        "foreclosure" if repo.name == "foreclosure" else "repossession",
        f"you cannot keep paying: {keep.reach.why_not}",
        repo.name,
        repo.lender.nets_today,
    )


def _collected(pay: Exit, f: Facts) -> Decimal:
    # What the lender nets when the rest of a total loss is collected like a deficiency.
    assert pay.lender is not None and pay.figures is not None
    paid_now = pay.figures.cash_needed_now
    share = f.lender_terms.collect_percent / 100
    later = (
        paid_now
        * share
        * discount_factors(f.cost_of_funds.value, f.lender_terms.months_to_collect)[
            f.lender_terms.months_to_collect
        ]
    )
    return (pay.lender.nets_today - paid_now + later).quantize(CENT)


def judge(e: Exit, alt: Alternative | None) -> Exit:
    """``e`` with its consent judged against the lender's alternative."""
    if LENDER not in e.consent.needed_from or e.lender is None or alt is None:
        return e
    return replace(
        e,
        consent=Consent(e.consent.needed_from, e.lender.nets_today, alt.words, alt.nets),
    )


@dataclass(frozen=True, slots=True)
class SettlementRange:
    """The lump sums (dollars, paid today) that leave both sides better off: see the module
    docstring. ``lender_floor`` is ``None`` when the lender has no reason to accept any lump
    within the ``shortfall``."""

    shortfall: Decimal
    proceeds: Decimal
    alternative: Alternative
    lender_floor: Decimal | None
    borrower_ceiling: Decimal
    best_alone: str | None

    @property
    def empty(self) -> bool:
        """No lump sum leaves both better off."""
        return self.lender_floor is None or self.lender_floor > self.borrower_ceiling

    @property
    def offer(self) -> Decimal | None:
        """The lump sum to offer: the lender's floor, when the range holds one."""
        return None if self.empty else self.lender_floor

    def percent_of_shortfall(self, amount: Decimal | None) -> Decimal | None:
        """``amount`` as a percent of the shortfall, to two places."""
        if amount is None or self.shortfall <= 0:
            return None
        return (amount * 100 / self.shortfall).quantize(CENT)

    @property
    def summary(self) -> str:
        """The range in plain sentences."""
        alt = self.alternative
        head = f"The lender's alternative is {alt.words} ({alt.why}): it nets {format_money_human(alt.nets)} in today's dollars."
        if self.lender_floor is None:
            return (
                head + f" Even the whole {format_money_human(self.shortfall)} on top of the "
                f"{format_money_human(self.proceeds)} it gets now would leave it worse off, so it has no reason to "
                "accept less than the full amount."
            )
        if self.empty:
            return (
                head + f" It needs at least {format_money_human(self.lender_floor)} on top of the "
                f"{format_money_human(self.proceeds)} it gets now, more than the "
                f"{format_money_human(self.borrower_ceiling)} above which your best way out alone costs you less: no "
                "lump sum works for both."
            )
        return (
            head + f" Any lump sum from {format_money_human(self.lender_floor)} to "
            f"{format_money_human(self.borrower_ceiling)} leaves both of you better off: the lender than its "
            "alternative, you than your best way out alone."
        )

    def to_json(self) -> dict[str, Any]:
        """Keys: ``shortfall``, ``proceeds``, ``alternative`` (:meth:`Alternative.to_json`),
        ``lender_floor`` (null: no reason to accept), ``borrower_ceiling``,
        ``lender_floor_percent``, ``borrower_ceiling_percent`` (of the shortfall), ``best_alone``,
        ``empty``, ``offer`` and ``summary``."""
        return {
            "shortfall": format_money(self.shortfall),
            "proceeds": format_money(self.proceeds),
            "alternative": self.alternative.to_json(),
            "lender_floor": None if self.lender_floor is None else format_money(self.lender_floor),
            "borrower_ceiling": format_money(self.borrower_ceiling),
            "lender_floor_percent": _text(self.percent_of_shortfall(self.lender_floor)),
            "borrower_ceiling_percent": _text(self.percent_of_shortfall(self.borrower_ceiling)),
            "best_alone": self.best_alone,
            "empty": self.empty,
            "offer": None if self.offer is None else format_money(self.offer),
            "summary": self.summary,
        }


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def settlement_range(
    shortfall: Decimal,
    proceeds: Decimal,
    alt: Alternative,
    settle: Callable[[Decimal], Exit],
    best_alone: Exit | None,
    cash: Decimal | None,
) -> SettlementRange:
    """The range for settling ``shortfall`` (dollars) after a sale that pays this lender
    ``proceeds`` today, against its alternative ``alt``; ``settle(S)`` builds the settlement at a
    lump sum S (for the borrower's side, which is linear in S); ``best_alone`` is the best exit
    the borrower can take without anyone's consent; ``cash`` caps the ceiling when given."""
    floor: Decimal | None = max(alt.nets - proceeds, ZERO).quantize(CENT, rounding=ROUND_CEILING) + ZERO
    if floor is not None and floor > shortfall:
        floor = None
    ceiling = shortfall
    if best_alone is not None and best_alone.present_value is not None and shortfall > 0:
        low, high = settle(ZERO), settle(shortfall)
        assert low.present_value is not None and high.present_value is not None
        slope = (low.present_value - high.present_value) / shortfall
        if slope > 0:
            ceiling = (low.present_value - best_alone.present_value) / slope
        else:
            ceiling = shortfall if low.present_value >= best_alone.present_value else ZERO
    ceiling = min(max(ceiling, ZERO), shortfall)
    if cash is not None:
        ceiling = min(ceiling, cash)
    ceiling = ceiling.quantize(CENT, rounding=ROUND_FLOOR) + ZERO  # never "-0.00"
    return SettlementRange(
        shortfall, proceeds, alt, floor, ceiling, None if best_alone is None else best_alone.name
    )


_RANK_KEYS: dict[str, Callable[[Exit], tuple[Decimal | int, ...]]] = {
    "present_value": lambda e: (-_pv(e),),
    "net_position": lambda e: (-(e.net_position_at_horizon or ZERO), -_pv(e)),
    "cash_now": lambda e: (e.cash_needed_now or ZERO, -_pv(e)),
    "total_cost": lambda e: (e.total_paid_over_horizon or ZERO, -_pv(e)),
    "credit": lambda e: (CREDIT_LEVELS.index(e.credit_consequence.level), -_pv(e)),
}


def _pv(e: Exit) -> Decimal:
    return ZERO if e.present_value is None else e.present_value


def rank(exits: Sequence[Exit], rank_by: str, order: Sequence[str]) -> tuple[Exit, ...]:
    """Every exit in its place: the ranked ones by ``rank_by`` (ties by present value, then by
    ``order``), then those the lender would likely refuse, those out of reach, the scenarios, the
    defenses and those not worked out."""
    key = _RANK_KEYS[rank_by]

    def place(e: Exit) -> str:
        if e.books is None:
            return "not_worked_out"
        if e.kind in ("scenario", "defense"):
            return e.kind
        if not e.reach.can_do:
            return "out_of_reach"
        if e.consent.lender_better_off is False:
            return "lender_unlikely"
        return "ranked"

    placed = [replace(e, status=place(e), rank=None) for e in exits]
    index = {name: i for i, name in enumerate(order)}

    def by(e: Exit) -> tuple[Any, ...]:
        return (*key(e), index.get(e.name, math.inf))

    out: list[Exit] = []
    ranked = sorted((e for e in placed if e.status == "ranked"), key=by)
    out += [replace(e, rank=i) for i, e in enumerate(ranked, start=1)]
    for status in ("lender_unlikely", "out_of_reach", "scenario", "defense", "not_worked_out"):
        out += sorted(
            (e for e in placed if e.status == status), key=lambda e: (-_pv(e), index.get(e.name, math.inf))
        )
    return tuple(out)
