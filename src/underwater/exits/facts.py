"""The situation worked out once, for every exit: the payoff and liens, the value path, the price
each sale channel fetches, the rates dollars are discounted at, the borrower's means and
credit, the lender's assumptions and the footing a replacement puts every exit on.

Every default used here comes from a data file with its source and confidence label, and is
reported as an :class:`Assumption` so a result always says what it rests on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from underwater.assets import AssetClass
from underwater.contracts import Contract
from underwater.credit import (
    CreditTier,
    Figure,
    auto_rate,
    auto_rates_source,
    default_tier_note,
    marked_tier,
    tier_for,
    typical_borrowing,
)
from underwater.deficiency import default_auction_share_percent
from underwater.depreciation import MAX_HORIZON_MONTHS
from underwater.errors import InputError
from underwater.home_rules import figure as home_figure
from underwater.lease_contract import Lease
from underwater.lender import LenderAssumptions, lender_assumptions
from underwater.money import ZERO, format_money_human, format_percent, round_cents
from underwater.projection import Projection, project_contract
from underwater.situation import Situation
from underwater.state_rules import parse_state
from underwater.valuation import default, discount_factors

__all__ = ["Assumption", "Channel", "Facts", "Footing"]

_HUNDRED = Decimal(100)
_HOME_TERM = 360


@dataclass(frozen=True, slots=True)
class Assumption:
    """A figure the comparison rests on: its input ``name``, ``value``, whether the user gave it,
    and, when not, the default's source."""

    name: str
    value: Decimal
    given: bool
    source: Figure | None

    @classmethod
    def of(cls, name: str, given: Decimal | None, fallback: Figure) -> Assumption:
        """The value given, else the default ``fallback``."""
        if given is not None:
            return cls(name, given, True, None)
        return cls(name, fallback.value, False, fallback)

    def to_json(self) -> dict[str, Any]:
        """Keys: ``name``, ``value`` (text), ``given_by_user``, ``confidence``, ``sources``, ``note``
        (the last three null when given)."""
        s = self.source
        return {
            "name": self.name,
            "value": str(self.value),
            "given_by_user": self.given,
            "confidence": None if s is None else s.confidence,
            "sources": None if s is None else list(s.sources),
            "note": None if s is None else s.note,
        }


@dataclass(frozen=True, slots=True)
class Channel:
    """A way of selling and what it fetches today (dollars): ``private_sale`` (a buyer's offer,
    else the value), ``trade_in`` (the dealer's allowance, else a typical share of a private
    sale) or ``auction`` (the lender's sale after a repossession: a given price, else a share of
    the value at the time of the sale); ``basis`` says where the price came from."""

    name: str
    price: Decimal
    basis: str

    def to_json(self) -> dict[str, Any]:
        """Keys: ``price``, ``basis``."""
        return {"price": str(self.price), "basis": self.basis}


@dataclass(frozen=True, slots=True)
class Footing:
    """What giving the asset up costs, the same for every exit that does: ``kind`` is ``buy`` (a
    replacement like it at ``price`` over ``term_months`` at ``rate_percent``, or at the marked
    rates after a major or severe credit mark), ``rent`` (``monthly`` dollars, no asset kept) or
    ``none`` (not needed: only the dearer credit a mark brings is counted, on typical
    borrowing). ``rate_basis`` says where the rates came from."""

    needed: bool
    kind: str
    price: Decimal
    term_months: int
    monthly: Decimal | None
    rate_percent: Decimal
    major_rate_percent: Decimal
    severe_rate_percent: Decimal
    rate_basis: str
    home: bool
    rent_yield_percent: Decimal | None = None
    """A home's default rent: this share of the home's value a year, month by month as its value
    moves (``None`` when the rent was given: it stays as given)."""

    def rate_for(self, level: str) -> Decimal:
        """The yearly rate (percent) after an exit with a credit consequence of ``level``."""
        if level == "severe":
            return self.severe_rate_percent
        if level == "major":
            return self.major_rate_percent
        return self.rate_percent

    @property
    def summary(self) -> str:
        """The footing in one or two sentences."""
        if not self.needed:
            return (
                "No replacement needed: an exit that gives the asset up is charged nothing for going without "
                "it; a mark on your credit report is charged as the dearer credit on a typical used-vehicle "
                "loan you would take later."
            )
        what = "a home" if self.home else "one like it"
        if self.kind == "rent":
            moves = (
                f" to start ({self.rent_yield_percent} % of its value a year, moving as its value does)"
                if self.rent_yield_percent is not None
                else ""
            )
            return (
                f"A replacement is needed: each exit that gives the asset up rents {what} for "
                f"{format_money_human(self.monthly or ZERO)} a month{moves} from the day it goes, keeping no "
                "asset at the end."
            )
        return (
            f"A replacement is needed: each exit that gives the asset up buys {what} for "
            f"{format_money_human(self.price)}, financed over {self.term_months} months at {self.rate_percent} % "
            f"a year, at {self.major_rate_percent} % after a surrender, short sale or settlement marks your "
            f"credit report and at {self.severe_rate_percent} % after a repossession ({self.rate_basis}); cash "
            "a sale hands back goes toward it."
        )

    def to_json(self) -> dict[str, Any]:
        """Keys: ``replacement_needed``, ``kind``, ``price``, ``term_months``, ``monthly``,
        ``rate_percent``, ``major_mark_rate_percent``, ``severe_mark_rate_percent``,
        ``rate_basis``, ``summary``."""
        return {
            "replacement_needed": self.needed,
            "kind": self.kind,
            "price": str(self.price),
            "term_months": self.term_months,
            "monthly": None if self.monthly is None else str(self.monthly),
            "rate_percent": str(self.rate_percent),
            "major_mark_rate_percent": str(self.major_rate_percent),
            "severe_mark_rate_percent": str(self.severe_rate_percent),
            "rate_basis": self.rate_basis,
            "summary": self.summary,
        }


class Facts:
    """One situation worked out once (see the module docstring). Money is dollars, rates
    percent per year, months from today."""

    def __init__(self, s: Situation) -> None:
        self.s = s
        loan, asset, stage = s.loan, s.asset, s.stage
        if loan.owed <= 0:
            raise InputError("owed", "must be more than 0.00: there is no loan to get out of", got=loan.owed)
        self.stage = stage.stage
        self.horizon = s.horizon
        self.payoff = loan.owed
        self.liens = s.liens_today
        self.kind = asset.kind
        self.home = self.kind is AssetClass.HOME
        self.value = asset.value
        self.path = asset.value_path()
        self.state = None if s.borrower.state is None else parse_state(s.borrower.state)
        self.consumer = not s.borrower.commercial
        self.as_of = date.today() if s.borrower.as_of is None else s.borrower.as_of
        self.cash = s.means.cash_available
        self.budget = s.means.monthly_budget
        self.behind = stage.months_behind
        self.rate = loan.rate_percent
        self.lease = s.lease if s.lease.is_lease else None
        self.contract: Contract | None = None
        if self.lease is not None:
            assert self.lease.payments_made is not None
            lease = Lease(self.lease.terms(), self.lease.payments_made, quoted=loan.owed)
            self.contract = lease
            self.rate = lease.rate_percent
        elif self.stage == "have_it":
            self.contract = s.interest.contract(loan, self.as_of)
        behind = s.behind if self.stage == "have_it" else self.liens
        self.second: Contract | None = behind if isinstance(behind, Contract) else None
        """The second loan's contract, when one is given: its holder is paid month by month for
        as long as the asset is kept, and from a sale when it goes."""
        self.lender_terms: LenderAssumptions = lender_assumptions(
            self.kind, s.lender.collect_percent, s.lender.months_to_sell, s.lender.months_to_collect
        )
        self.opportunity = Assumption.of(
            "opportunity_rate_percent",
            s.comparison.opportunity_rate_percent,
            default("opportunity_rate_percent"),
        )
        self.cost_of_funds = Assumption.of(
            "cost_of_funds_percent", s.lender.cost_of_funds_percent, default("cost_of_funds_percent")
        )
        self.tax_rate = Assumption.of(
            "marginal_tax_rate_percent", s.borrower.marginal_tax_percent, default("tax_rate_percent")
        )
        self.used = asset.age_months > 0
        self.tier = self._tier()
        span = max(self.horizon, self.contract.term_months if self.contract else 0)
        self.span = min(span + self.lender_terms.months_to_sell + 1, MAX_HORIZON_MONTHS)
        self._values: tuple[Decimal, ...] | None = None
        self.private = self._private()
        self.selling_share: tuple[Assumption, ...] = ()
        if s.sale.selling_costs is None and self.home:
            self.selling_share = (
                Assumption.of("commission_percent", None, home_figure("commission_percent")),
                Assumption.of("closing_percent", None, home_figure("closing_percent")),
            )
        self.selling_costs = self.selling_costs_at(self.private.price)
        self.trade = self._trade()
        self.auction_share = default_auction_share_percent()
        self.gap = max(self.payoff + self.liens + self.selling_costs - self.private.price, ZERO)
        self.surplus = max(self.private.price - self.payoff - self.liens - self.selling_costs, ZERO)
        self.footing = self._footing()
        self.keep: Projection | None = None
        if self.contract is not None:
            months = min(max(self.horizon, self.contract.term_months), MAX_HORIZON_MONTHS)
            self.keep = project_contract(self.contract, self.path, months, other_liens=behind)

    # -- values and rates ----------------------------------------------------------------------

    def value_at(self, month: int) -> Decimal:
        """The asset's value in ``month`` on its path."""
        if self._values is None:
            self._values = self.path.values(self.span)
        return self._values[min(month, len(self._values) - 1)]

    def opportunity_factor(self, month: int) -> Decimal:
        """What a borrower's dollar in ``month`` is worth today."""
        return discount_factors(self.opportunity.value, month)[month]

    def tax_on(self, forgiven: Decimal) -> Decimal:
        """The income tax on ``forgiven`` dollars of debt at the borrower's rate."""
        return round_cents(forgiven * self.tax_rate.value / _HUNDRED)

    def _tier(self) -> CreditTier:
        given = self.s.means.credit_tier
        if given is not None:
            return CreditTier(given, True)
        if self.rate is None:
            # Experian's average used-vehicle borrower scored 691 in Q4 2024: prime.
            return CreditTier("prime", False)
        return CreditTier(tier_for(self.rate, used=self.used), False)

    def tier_note(self) -> str:
        """How the credit tier was chosen, in a sentence."""
        if self.tier.given:
            return f"Your credit is taken as {self.tier.label}, as you gave it."
        return f"Your credit is taken as {self.tier.label}. {default_tier_note()}"

    def assumptions(self) -> tuple[Assumption, ...]:
        """The rates the comparison rests on (and a home's selling costs, when not given)."""
        return (self.opportunity, self.cost_of_funds, self.tax_rate, *self.selling_share)

    def selling_costs_at(self, price: Decimal) -> Decimal:
        """What a sale at ``price`` costs (dollars): the costs given, else a home's commission
        and closing costs as shares of the price, else nothing.

        >>> from underwater.situation import Asset, Loan
        >>> f = Facts(Situation(Loan(owed=1000, rate_percent=5, remaining_payments=12),
        ...           Asset(value=200000, asset_class="home")))
        >>> f.selling_costs_at(Decimal(200000))
        Decimal('14000.00')
        """
        given = self.s.sale.selling_costs
        if given is not None:
            return given
        share = sum((a.value for a in self.selling_share), ZERO)
        return round_cents(price * share / _HUNDRED)

    # -- channels ------------------------------------------------------------------------------

    def _private(self) -> Channel:
        offer = self.s.sale.offer
        if offer is None:
            return Channel("private_sale", self.value, "the value you gave (no buyer's offer yet)")
        return Channel("private_sale", offer, "a buyer's offer")

    def _trade(self) -> Channel:
        given = self.s.next_deal.trade_in_value
        if given is not None:
            return Channel("trade_in", given, "the dealer's allowance you gave")
        share = default("trade_in_share_percent")
        return Channel(
            "trade_in",
            round_cents(self.value * share.value / _HUNDRED),
            f"{format_percent(share.value, 0)} % of what it would fetch, a typical trade-in allowance "
            f"(confidence {share.confidence})",
        )

    def auction_at(self, month: int) -> Channel:
        """What the lender's auction fetches in ``month``."""
        given = self.s.lender.auction_price
        if given is not None:
            return Channel("auction", given, "the auction price you gave")
        return Channel(
            "auction",
            round_cents(self.value_at(month) * self.auction_share / _HUNDRED),
            f"{format_percent(self.auction_share, 0)} % of its value then, a typical repossession auction",
        )

    def channels(self) -> dict[str, Channel]:
        """Every channel's price today."""
        return {
            c.name: c for c in (self.private, self.trade, self.auction_at(self.lender_terms.months_to_sell))
        }

    # -- the footing ---------------------------------------------------------------------------

    def _marked(self, level: str, clean: Decimal) -> Decimal:
        given = self.s.replacement.damaged_rate_percent
        if given is not None:
            return given
        floor = max(clean, self.rate or ZERO)
        if self.home:
            return floor
        return max(auto_rate(marked_tier(self.tier.name, level), used=self.used), floor)

    def _footing(self) -> Footing:
        r = self.s.replacement
        remaining = self.s.loan.remaining_payments
        price = self.value if r.price is None else r.price
        if self.home:
            buys = r.price is not None or r.rate_percent is not None
            clean = r.rate_percent if r.rate_percent is not None else default("mortgage_rate_percent").value
            term = r.term_months or _HOME_TERM
            basis = (
                "a 30-year mortgage's average, Freddie Mac" if r.rate_percent is None else "the rate you gave"
            )
            monthly = r.monthly
            rent_yield = None
            if monthly is None and not buys:
                rent_yield = default("home_rent_yield_percent").value
                monthly = round_cents(self.value * rent_yield / 1200)
            kind = "rent" if monthly is not None else "buy"
        else:
            clean = (
                r.rate_percent if r.rate_percent is not None else auto_rate(self.tier.name, used=self.used)
            )
            term = r.term_months or remaining or typical_borrowing().term_months
            basis = (
                "the rates you gave"
                if r.rate_percent is not None and r.damaged_rate_percent is not None
                else f"averages by credit tier, {auto_rates_source().note.split(',')[0]}"
            )
            monthly = r.monthly
            rent_yield = None
            kind = "rent" if monthly is not None else "buy"
        return Footing(
            needed=r.needed,
            kind=kind if r.needed else "none",
            price=price,
            term_months=min(term, MAX_HORIZON_MONTHS),
            monthly=monthly,
            rate_percent=clean,
            major_rate_percent=self._marked("major", clean),
            severe_rate_percent=self._marked("severe", clean),
            rate_basis=basis,
            home=self.home,
            rent_yield_percent=rent_yield,
        )
