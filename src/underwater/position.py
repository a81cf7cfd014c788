"""Where a borrower stands today: equity, negative equity, LTV and CLTV, and the gap to sell.

Terms (the same everywhere in underwater):

- **owed**: what clears every lien today (the payoff), summed over the liens;
- **value**: what the asset would fetch now (market value, an appraisal or a real offer);
- **equity** = value − owed, signed; **negative equity** = max(owed − value, 0);
  **positive equity** = max(value − owed, 0);
- **LTV** = first lien / value; **CLTV** = all liens / value (undefined when value is 0);
- **gap**: the cash the seller must bring to close a sale at an offer:
  owed + selling costs − offer, never below 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from underwater.errors import InputError
from underwater.money import ZERO, format_money, format_ratio, parse_money

__all__ = ["Lien", "Position", "Status", "ValueSource", "position"]


class Status(StrEnum):
    """Whether the asset is worth less than, exactly, or more than what is owed on it."""

    UNDERWATER = "underwater"
    EVEN = "even"
    ABOVE_WATER = "above water"


class ValueSource(StrEnum):
    """Where the value came from: a market estimate, an appraisal, a real offer, or a real estate
    agent's comparative market analysis of recent sales nearby."""

    MARKET = "market"
    APPRAISAL = "appraisal"
    OFFER = "offer"
    CMA = "cma"


@dataclass(frozen=True, slots=True)
class Lien:
    """One debt secured by the asset: a name (``"first mortgage"``) and its payoff in dollars."""

    name: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Position:
    """The position of one asset against its liens, in dollars and ratios.

    Build it with :func:`position`; the ratios are exact and rounded to four decimals only
    when shown (:meth:`to_json`).
    """

    liens: tuple[Lien, ...]
    value: Decimal
    value_source: ValueSource
    offer: Decimal | None
    selling_costs: Decimal

    @property
    def total_owed(self) -> Decimal:
        """The sum of every lien's payoff, in dollars."""
        return sum((lien.amount for lien in self.liens), ZERO)

    @property
    def equity(self) -> Decimal:
        """Value − owed in dollars: negative when under water."""
        return self.value - self.total_owed

    @property
    def negative_equity(self) -> Decimal:
        """How far under water, in dollars: max(owed − value, 0)."""
        return max(-self.equity, ZERO)

    @property
    def positive_equity(self) -> Decimal:
        """How far above water, in dollars: max(value − owed, 0)."""
        return max(self.equity, ZERO)

    @property
    def ltv(self) -> Decimal | None:
        """First lien / value as an exact ratio, or ``None`` when the value is 0."""
        if self.value == 0:
            return None
        return self.liens[0].amount / self.value

    @property
    def cltv(self) -> Decimal | None:
        """All liens / value as an exact ratio, or ``None`` when the value is 0."""
        if self.value == 0:
            return None
        return self.total_owed / self.value

    @property
    def status(self) -> Status:
        """``underwater``, ``even`` or ``above water``."""
        if self.equity < 0:
            return Status.UNDERWATER
        if self.equity == 0:
            return Status.EVEN
        return Status.ABOVE_WATER

    @property
    def gap(self) -> Decimal | None:
        """Cash the seller must bring to close at the offer (dollars, ≥ 0), if an offer was given."""
        if self.offer is None:
            return None
        return max(self.total_owed + self.selling_costs - self.offer, ZERO)

    @property
    def cash_at_closing(self) -> Decimal | None:
        """Cash the seller keeps after a sale at the offer (dollars, ≥ 0), if an offer was given."""
        if self.offer is None:
            return None
        return max(self.offer - self.total_owed - self.selling_costs, ZERO)

    @property
    def notes(self) -> tuple[str, ...]:
        """Plain remarks a reader needs, such as why a ratio is missing."""
        if self.value == 0:
            return ("LTV and CLTV are undefined when the value is 0.00: nothing secures the debt.",)
        return ()

    def to_json(self) -> dict[str, Any]:
        """The position as JSON: money as ``"3000.00"``, ratios as ``"1.2000"`` (or null)."""
        data: dict[str, Any] = {
            "total_owed": format_money(self.total_owed),
            "value": format_money(self.value),
            "value_source": self.value_source.value,
            "equity": format_money(self.equity),
            "negative_equity": format_money(self.negative_equity),
            "positive_equity": format_money(self.positive_equity),
            "ltv": format_ratio(self.ltv),
            "cltv": format_ratio(self.cltv),
            "status": self.status.value,
            "liens": [{"name": lien.name, "amount": format_money(lien.amount)} for lien in self.liens],
        }
        if self.offer is not None:
            data["offer"] = format_money(self.offer)
            data["selling_costs"] = format_money(self.selling_costs)
            data["gap"] = format_money(self.gap or ZERO)
            data["cash_at_closing"] = format_money(self.cash_at_closing or ZERO)
        data["notes"] = list(self.notes)
        return data


def _default_lien_name(index: int, count: int) -> str:
    if count == 1:
        return "loan"
    return "first lien" if index == 0 else f"lien {index + 1}"


def position(
    owed: object | Sequence[object] | None = None,
    value: object = None,
    *,
    liens: Iterable[tuple[str, object]] = (),
    value_source: str | ValueSource = ValueSource.MARKET,
    offer: object = None,
    selling_costs: object = ZERO,
) -> Position:
    """Work out where a borrower stands: equity, negative equity, LTV, CLTV and status.

    Parameters
    ----------
    owed
        The payoff in dollars of one loan, or a sequence of payoffs of several liens
        (the first is the first lien). Amounts as ``Decimal``, ``int`` or text such as
        ``"$18,000.50"``; never ``float``.
    value
        What the asset would fetch now, in dollars.
    liens
        Named liens as ``(name, amount)`` pairs, e.g. ``[("first mortgage", "150000"),
        ("HELOC", "30000")]``; they come after any unnamed ``owed`` amounts.
    value_source
        ``"market"``, ``"appraisal"`` or ``"offer"``: where the value came from.
    offer
        A buyer's offer in dollars, if selling: gives the ``gap`` to bring to closing.
    selling_costs
        Dollars the sale costs the seller (commission, fees), added to the gap.

    Examples
    --------
    A borrower owes $19,000 on a car now worth $15,500:

    >>> p = position("19000", "15500")
    >>> p.negative_equity, p.status.value
    (Decimal('3500.00'), 'underwater')

    A home with a first mortgage and a HELOC:

    >>> p = position(liens=[("first mortgage", 150000), ("HELOC", 30000)], value=170000)
    >>> p.to_json()["cltv"], p.to_json()["ltv"]
    ('1.0588', '0.8824')
    """
    amounts: list[object]
    if owed is None:
        amounts = []
    elif isinstance(owed, (list, tuple)):
        amounts = list(owed)
    else:
        amounts = [owed]
    named = list(liens)
    count = len(amounts) + len(named)
    parsed: list[Lien] = []
    for index, amount in enumerate(amounts):
        parsed.append(Lien(_default_lien_name(index, count), parse_money(amount, "owed")))
    for name, amount in named:
        label = name.strip()
        if not label:
            raise InputError("lien", "needs a name before '=', e.g. HELOC=30000", got=name)
        parsed.append(Lien(label, parse_money(amount, "lien")))
    if not parsed:
        raise InputError("owed", "is required: give what is owed (one amount, or several liens)")
    if value is None:
        raise InputError("value", "is required: what the asset would fetch now, in dollars")
    try:
        source = ValueSource(value_source)
    except ValueError:
        raise InputError(
            "value_source", "must be one of market, appraisal, offer", got=value_source
        ) from None
    return Position(
        liens=tuple(parsed),
        value=parse_money(value, "value"),
        value_source=source,
        offer=None if offer is None else parse_money(offer, "offer"),
        selling_costs=parse_money(selling_costs, "selling_costs"),
    )
