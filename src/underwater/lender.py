"""The lender's side of a comparison: the assumptions about what a repossession brings it.

What a lender nets from each way out is read off that exit's books
(:class:`~underwater.exits.model.PartySide`), discounted at the lender's cost of funds
(:mod:`underwater.valuation`). What is assumed here: the share of a deficiency the lender
collects, the months from taking the asset back to selling it, and from the sale to collecting.
The defaults are in ``data/lender_defaults.json`` with their sources and confidence; each can be
given instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from underwater.assets import COST_GROUPS, AssetClass, CostGroup
from underwater.credit import Figure
from underwater.datafiles import load_json

__all__ = ["LenderAssumptions", "deferral_fee", "lender_assumptions"]


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


def deferral_fee() -> Figure:
    """The default fee for deferring payments (dollars), with where it comes from
    (``data/deferral.json``).

    >>> deferral_fee().value
    Decimal('30')
    """
    e = load_json("deferral.json")["fee"]
    sources = tuple(f"{where}: ${fee}" for where, fee in e["observed"].items())
    return Figure(Decimal(e["default"]), e["confidence"], sources, e["note"])
