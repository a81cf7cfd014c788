"""The lender's side of each exit: what the lender nets, and when, and the settlement range.

**What the lender nets** from an exit is every dollar it receives (a payoff, sale proceeds, a
lump sum, plan or loan payments, what it collects of a deficiency) less what it spends
(repossession, storage and sale costs), each counted in today's dollars at the loan's own rate
(a dollar in month m is worth 1 / (1 + rate/12)^m today), so a payoff today and the same loan
paid as agreed both net the payoff. ``done_month`` is when the last dollar arrives.

**The settlement range** answers the seed's question — would the lender rather close the file
than chase a deficiency? With the asset sold for the offer, the lender gets the proceeds plus
a lump sum S from the borrower and forgives the rest. The lender does better than by
repossessing when proceeds + S ≥ what a repossession nets it, so S ≥ ``lender_floor``; the
borrower does better than by surrendering when S ≤ ``borrower_ceiling`` (the deficiency a
surrender would leave, less the tax a settlement adds on the forgiven part). Any S between the
two leaves both better off; the range is empty exactly when a repossession nets the lender more
than any offer the borrower could accept.

Money is dollars; months count from today. The default assumptions (the share of a deficiency
collected, the months to sell and to collect) are in ``data/lender_defaults.json`` with their
sources and confidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Any

from underwater.assets import COST_GROUPS, AssetClass, CostGroup
from underwater.datafiles import load_json
from underwater.money import ZERO, format_money, format_money_human, round_cents

__all__ = [
    "LenderAssumptions",
    "LenderSide",
    "SettlementRange",
    "damaged_credit_rate_default",
    "lender_assumptions",
    "lender_side",
    "present_value",
    "settlement_range",
]

_HUNDRED = Decimal(100)
_TWELVE_HUNDRED = Decimal(1200)
Flow = tuple[int, Decimal]
"""A cash flow: (month, dollars); money out of the lender's pocket is negative."""


def present_value(flows: Sequence[Flow], rate_percent: Decimal) -> Decimal:
    """Today's value (dollars, to the cent) of ``flows`` discounted monthly at ``rate_percent``
    (percent per year).

    $1,000 in a year at 12 % a year is worth 887.45 today (1,000 / 1.01^12):

    >>> present_value([(12, Decimal(1000))], Decimal(12))
    Decimal('887.45')
    """
    with localcontext() as ctx:
        ctx.prec = 34
        step = 1 + rate_percent / _TWELVE_HUNDRED
        total = sum((amount / step**month for month, amount in flows), Decimal(0))
    return round_cents(total)


@dataclass(frozen=True, slots=True)
class LenderAssumptions:
    """The lender-side assumptions in force: the share of a deficiency collected (percent), the
    months from taking the asset back to selling it and from the sale to collecting, each with
    whether the user gave it and, if not, its confidence label and sources."""

    collect_percent: Decimal
    months_to_sell: int
    months_to_collect: int
    given: tuple[str, ...]
    confidence: dict[str, str]
    sources: dict[str, tuple[str, ...]]

    def to_json(self) -> dict[str, Any]:
        """Keys: ``deficiency_collect_percent``, ``months_to_sell``, ``months_to_collect``,
        ``given_by_user`` (names), ``confidence`` and ``sources`` (by name, for the defaults)."""
        return {
            "deficiency_collect_percent": str(self.collect_percent),
            "months_to_sell": self.months_to_sell,
            "months_to_collect": self.months_to_collect,
            "given_by_user": list(self.given),
            "confidence": dict(self.confidence),
            "sources": {k: list(v) for k, v in self.sources.items()},
        }


def lender_assumptions(
    asset_class: AssetClass,
    collect_percent: Decimal | None = None,
    months_to_sell: int | None = None,
    months_to_collect: int | None = None,
) -> LenderAssumptions:
    """The assumptions for ``asset_class``: each one given, else its default on file.

    >>> a = lender_assumptions(AssetClass.CLASS8_SLEEPER)
    >>> a.collect_percent, a.months_to_sell, a.months_to_collect
    (Decimal('10'), 2, 24)
    """
    table = load_json("lender_defaults.json")
    light = COST_GROUPS[asset_class] is CostGroup.LIGHT_VEHICLE
    sell = table["months_to_sell"]["light_vehicle" if light else "heavy"]
    entries = {
        "deficiency_collect_percent": table["deficiency_collect_percent"],
        "months_to_sell": sell,
        "months_to_collect": table["months_to_collect"],
    }
    chosen = {
        "deficiency_collect_percent": collect_percent,
        "months_to_sell": months_to_sell,
        "months_to_collect": months_to_collect,
    }
    given = tuple(name for name, value in chosen.items() if value is not None)
    defaults = {name: entries[name] for name in chosen if name not in given}
    return LenderAssumptions(
        collect_percent=Decimal(table["deficiency_collect_percent"]["default"])
        if collect_percent is None
        else collect_percent,
        months_to_sell=int(sell["default"]) if months_to_sell is None else months_to_sell,
        months_to_collect=int(table["months_to_collect"]["default"])
        if months_to_collect is None
        else months_to_collect,
        given=given,
        confidence={name: entry["confidence"] for name, entry in defaults.items()},
        sources={name: tuple(entry.get("sources", ())) for name, entry in defaults.items()},
    )


def damaged_credit_rate_default() -> tuple[Decimal, str, tuple[str, ...]]:
    """The default rate on a replacement loan after a repossession (percent per year), its
    confidence label and sources.

    >>> damaged_credit_rate_default()[0]
    Decimal('21.55')
    """
    entry = load_json("lender_defaults.json")["damaged_credit_rate_percent"]
    return Decimal(entry["default"]), entry["confidence"], tuple(entry.get("sources", ()))


@dataclass(frozen=True, slots=True)
class LenderSide:
    """What the lender gets from one exit (dollars): ``receives`` in all (undiscounted),
    ``spends`` on repossessing and selling, ``nets_today`` (receipts less costs in today's
    dollars at the loan's rate), ``done_month`` (the last dollar's month), ``forgives`` (debt it
    gives up or writes off) and one sentence saying how."""

    receives: Decimal
    spends: Decimal
    nets_today: Decimal
    done_month: int
    forgives: Decimal
    how: str

    def to_json(self) -> dict[str, Any]:
        """Keys: ``receives``, ``spends``, ``nets_today``, ``done_month``, ``forgives``, ``how``."""
        return {
            "receives": format_money(self.receives),
            "spends": format_money(self.spends),
            "nets_today": format_money(self.nets_today),
            "done_month": self.done_month,
            "forgives": format_money(self.forgives),
            "how": self.how,
        }


def lender_side(
    flows: Sequence[Flow], rate_percent: Decimal, how: str, *, forgives: Decimal = ZERO
) -> LenderSide:
    """The lender's side of an exit from its cash ``flows`` (month, dollars: receipts positive,
    the lender's own costs negative), discounted at the loan's ``rate_percent``.

    A payoff of 80,000.00 today nets the lender 80,000.00:

    >>> lender_side([(0, Decimal("80000.00"))], Decimal(9), "paid off today").nets_today
    Decimal('80000.00')
    """
    receives = sum((amount for _, amount in flows if amount > 0), ZERO)
    spends = -sum((amount for _, amount in flows if amount < 0), ZERO)
    done = max((month for month, amount in flows if amount != 0), default=0)
    return LenderSide(receives, spends, present_value(flows, rate_percent), done, forgives, how)


@dataclass(frozen=True, slots=True)
class SettlementRange:
    """The lump sums (dollars, paid with the sale) that leave both sides better off than a
    repossession and a surrender; see the module docstring. ``lender_floor`` ≥ 0 and
    ``borrower_ceiling`` ≤ the gap; ``empty`` when the floor is above the ceiling."""

    gap: Decimal
    sale_proceeds: Decimal
    repossession_nets: Decimal
    lender_floor: Decimal
    borrower_ceiling: Decimal
    surrender_deficiency: Decimal

    @property
    def empty(self) -> bool:
        """No lump sum leaves both better off."""
        return self.lender_floor > self.borrower_ceiling

    def percent_of_gap(self, amount: Decimal) -> Decimal | None:
        """``amount`` as a percent of the gap, to two places (None when there is no gap)."""
        if self.gap <= 0:
            return None
        return (amount * _HUNDRED / self.gap).quantize(Decimal("0.01"))

    @property
    def summary(self) -> str:
        """The range in one or two plain sentences."""
        head = (
            f"A repossession nets the lender {format_money_human(self.repossession_nets)} in today's dollars; "
            f"the sale brings it {format_money_human(self.sale_proceeds)}."
        )
        if self.empty:
            return (
                head + f" No lump sum works for both: the lender needs at least "
                f"{format_money_human(self.lender_floor)} on top of the sale, more than the "
                f"{format_money_human(self.borrower_ceiling)} above which surrendering costs you less."
            )
        ahead = self.sale_proceeds - self.repossession_nets
        if ahead >= 0:
            head += (
                f" The sale alone already leaves the lender {format_money_human(ahead)} better off than "
                "repossessing: closing the file beats chasing a deficiency."
            )
        return (
            head + f" Any lump sum from {format_money_human(self.lender_floor)} to "
            f"{format_money_human(self.borrower_ceiling)} with the sale leaves both of you better off: the "
            f"lender than by repossessing, you than by surrendering."
        )

    def to_json(self) -> dict[str, Any]:
        """Keys: ``gap``, ``sale_proceeds``, ``repossession_nets``, ``lender_floor``,
        ``borrower_ceiling``, ``lender_floor_percent_of_gap``, ``borrower_ceiling_percent_of_gap``,
        ``surrender_deficiency``, ``empty``, ``summary``."""
        floor = self.percent_of_gap(self.lender_floor)
        ceiling = self.percent_of_gap(self.borrower_ceiling)
        return {
            "gap": format_money(self.gap),
            "sale_proceeds": format_money(self.sale_proceeds),
            "repossession_nets": format_money(self.repossession_nets),
            "lender_floor": format_money(self.lender_floor),
            "borrower_ceiling": format_money(self.borrower_ceiling),
            "lender_floor_percent_of_gap": None if floor is None else str(floor),
            "borrower_ceiling_percent_of_gap": None if ceiling is None else str(ceiling),
            "surrender_deficiency": format_money(self.surrender_deficiency),
            "empty": self.empty,
            "summary": self.summary,
        }


def settlement_range(
    gap: Decimal,
    sale_proceeds: Decimal,
    repossession_nets: Decimal,
    surrender_deficiency: Decimal,
    marginal_tax_percent: Decimal | None = None,
) -> SettlementRange:
    """The settlement range (dollars) for a sale bringing the lender ``sale_proceeds`` against a
    ``gap``, when a repossession would net the lender ``repossession_nets`` (today's dollars) and
    a surrender would leave the borrower owing ``surrender_deficiency``. A settlement forgives
    the gap less the lump sum S; at a marginal tax rate t (percent) it adds t × (gap − S) of tax,
    so the borrower's ceiling solves S + t(gap − S) = deficiency.

    The FreightWaves truck: 80,000 owed, a 58,000 offer (gap 22,000); if a repossession nets the
    lender 50,000 and a surrender would leave 30,000 owed, any lump sum from 0 to 22,000 works —
    the lender is better off with the sale alone:

    >>> r = settlement_range(Decimal(22000), Decimal(58000), Decimal(50000), Decimal(30000))
    >>> r.lender_floor, r.borrower_ceiling, r.empty
    (Decimal('0.00'), Decimal('22000.00'), False)
    """
    floor = max(repossession_nets - sale_proceeds, ZERO)
    tax = ZERO if marginal_tax_percent is None else marginal_tax_percent / _HUNDRED
    with localcontext() as ctx:
        ctx.prec = 34
        ceiling = (surrender_deficiency - tax * gap) / (1 - tax) if tax < 1 else surrender_deficiency
    ceiling = round_cents(min(ceiling, gap))
    return SettlementRange(
        gap=gap,
        sale_proceeds=sale_proceeds,
        repossession_nets=repossession_nets,
        lender_floor=round_cents(floor),
        borrower_ceiling=ceiling,
        surrender_deficiency=surrender_deficiency,
    )
