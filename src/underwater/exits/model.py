"""What one way out reports, read off its books: the figures, the lender's side, reach, consent.

Every money figure of an :class:`Exit` is read off its :class:`~underwater.ledger.Ledger`
(:class:`Figures`, :class:`PartySide`); nothing is worked out beside the books. Money is dollars,
months count from today.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from underwater.ledger import LENDER, OTHER_LIENHOLDERS, Ledger
from underwater.money import ZERO, format_money, format_ratio, round_cents
from underwater.valuation import discount_factors

__all__ = [
    "CHANNEL_WORDS",
    "CREDIT_LEVELS",
    "CREDIT_SHORT",
    "CREDIT_WORDS",
    "STATUSES",
    "Consent",
    "CreditConsequence",
    "Detail",
    "Exit",
    "Figures",
    "PartySide",
    "Reach",
    "Replacing",
    "read_exit",
]

CREDIT_LEVELS = ("none", "minor", "major", "severe")
"""Credit consequences from mildest to worst."""

CREDIT_WORDS = {
    "none": "no mark: paid as agreed",
    "minor": "a new account or changed terms, no bad mark",
    "major": "a bad mark: settled for less, or surrendered",
    "severe": "a repossession, a foreclosure or an unpaid debt: on the report for seven years",
}
"""Each credit consequence in the words a page uses."""

CREDIT_SHORT = {
    "none": "no mark",
    "minor": "new account",
    "major": "bad mark",
    "severe": "repossession, foreclosure or unpaid debt",
}
"""Each credit consequence in a few words, for a table."""

CHANNEL_WORDS = {
    "private_sale": "privately",
    "trade_in": "to the dealer",
    "auction": "at auction",
    "foreclosure_sale": "at the foreclosure sale",
}
"""How each sale channel sells, as a page says it ("sold privately")."""

STATUSES = ("ranked", "lender_unlikely", "out_of_reach", "scenario", "defense", "not_worked_out")
"""Where an exit stands in the comparison, in the order they are listed: ranked (the borrower can
do it, and a lender whose consent it needs is better off with it); the lender would likely
refuse; out of the borrower's reach (cash or monthly budget); a scenario that happens rather
than a choice (a total loss); a defense whose outcome a court decides; not worked out (an input
it needs is missing)."""

Detail = Decimal | int | str | bool | None


@dataclass(frozen=True, slots=True)
class CreditConsequence:
    """How an exit shows on a credit report: ``level`` (one of :data:`CREDIT_LEVELS`), why, and
    ``cost``: what the mark costs in today's dollars — the dearer credit on the replacement, or on
    typical borrowing when none is needed (0.00 without a mark; ``None`` when not counted)."""

    level: str
    reason: str
    cost: Decimal | None = None

    @property
    def marks_report(self) -> bool:
        """Whether later credit is priced as for a marked report (major or severe)."""
        return self.level in ("major", "severe")

    def to_json(self) -> dict[str, Any]:
        """Keys: ``level``, ``reason``, ``cost`` (dollars or null)."""
        return {
            "level": self.level,
            "reason": self.reason,
            "cost": None if self.cost is None else format_money(self.cost),
        }


@dataclass(frozen=True, slots=True)
class Replacing:
    """What a replacement costs one exit (dollars): bought and financed (``payment`` a month at
    ``rate_percent``; ``down`` from cash the exit handed back) or rented (``payment`` a month,
    no asset kept); ``paid`` is every dollar through the horizon, ``value_at_horizon`` and
    ``owed_at_horizon`` the replacement and its loan then."""

    bought: bool
    price: Decimal
    rate_percent: Decimal | None
    payment: Decimal
    down: Decimal
    paid: Decimal
    value_at_horizon: Decimal
    owed_at_horizon: Decimal

    def to_json(self) -> dict[str, Any]:
        """Keys: ``bought``, ``price``, ``rate_percent``, ``payment``, ``down``, ``paid``,
        ``value_at_horizon``, ``owed_at_horizon``."""
        return {
            "bought": self.bought,
            "price": format_money(self.price),
            "rate_percent": None if self.rate_percent is None else str(self.rate_percent),
            "payment": format_money(self.payment),
            "down": format_money(self.down),
            "paid": format_money(self.paid),
            "value_at_horizon": format_money(self.value_at_horizon),
            "owed_at_horizon": format_money(self.owed_at_horizon),
        }


@dataclass(frozen=True, slots=True)
class Figures:
    """The borrower's side of one exit, read off its books (dollars; see the exits' module
    docstring for each definition)."""

    cash_needed_now: Decimal
    cash_back_now: Decimal
    debt_left_after: Decimal
    total_paid_over_horizon: Decimal
    held_at_horizon: Decimal
    owed_at_horizon: Decimal
    net_position_at_horizon: Decimal
    present_value: Decimal
    monthly_payment: Decimal
    forgiven_debt: Decimal

    @classmethod
    def read(cls, books: Ledger, opportunity_rate: Decimal) -> Figures:
        """The figures of ``books``, the borrower's dollars discounted at ``opportunity_rate``
        (percent per year)."""
        h = books.horizon
        now = books.cash_now()
        paid = books.paid_by_borrower()
        held = books.held_at_horizon()
        owed = books.owed_at(h)
        factors = discount_factors(opportunity_rate, h)
        flows = sum((amount * factors[month] for month, amount in books.borrower_flows()), ZERO)
        present = round_cents((held - owed) * factors[h] - flows)
        return cls(
            cash_needed_now=max(now, ZERO),
            cash_back_now=max(-now, ZERO),
            debt_left_after=books.owed_at(0),
            total_paid_over_horizon=paid,
            held_at_horizon=held,
            owed_at_horizon=owed,
            net_position_at_horizon=held - owed - paid,
            present_value=present,
            monthly_payment=books.largest_monthly(),
            forgiven_debt=books.forgiven(),
        )


@dataclass(frozen=True, slots=True)
class PartySide:
    """What one creditor gets from an exit (dollars): its ``claim`` today, every dollar it
    ``receives`` and ``spends`` (repossessing, selling, paying a surplus on), what it
    ``nets_today`` at its cost of funds, the month of its last dollar, the debt it ``forgives``
    (or a law bars) and what it ``writes_off`` while still owed, with one sentence saying how."""

    party: str
    claim: Decimal
    receives: Decimal
    spends: Decimal
    nets_today: Decimal
    done_month: int
    forgives: Decimal
    writes_off: Decimal
    how: str

    @classmethod
    def read(cls, books: Ledger, party: str, cost_of_funds: Decimal, how: str) -> PartySide:
        """``party``'s side of ``books``, discounted at ``cost_of_funds`` (percent per year)."""
        mine = [d for d in books.debts.values() if d.creditor == party]
        return cls(
            party=party,
            claim=books.claim(party),
            receives=books.received(party),
            spends=books.spent(party),
            nets_today=books.nets(party, cost_of_funds),
            done_month=books.last_month(party),
            forgives=sum((d.total("forgiven") for d in mine), ZERO),
            writes_off=sum((d.written_off for d in mine), ZERO),
            how=how,
        )

    def to_json(self) -> dict[str, Any]:
        """Keys: ``party``, ``claim``, ``receives``, ``spends``, ``nets_today``, ``done_month``,
        ``forgives``, ``writes_off``, ``how``."""
        return {
            "party": self.party,
            "claim": format_money(self.claim),
            "receives": format_money(self.receives),
            "spends": format_money(self.spends),
            "nets_today": format_money(self.nets_today),
            "done_month": self.done_month,
            "forgives": format_money(self.forgives),
            "writes_off": format_money(self.writes_off),
            "how": self.how,
        }


@dataclass(frozen=True, slots=True)
class Reach:
    """Whether the borrower can take the exit with the cash and the monthly budget given."""

    can_do: bool = True
    why_not: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Keys: ``can_do``, ``why_not``."""
        return {"can_do": self.can_do, "why_not": self.why_not}


@dataclass(frozen=True, slots=True)
class Consent:
    """Whose agreement an exit needs (``needed_from``: this loan's ``lender``, the
    ``other lien holders``), and how this loan's lender would judge it: what it nets from the
    exit against what it nets from the ``alternative`` it really faces (today's dollars at its
    cost of funds)."""

    needed_from: tuple[str, ...] = ()
    lender_nets: Decimal | None = None
    alternative: str | None = None
    alternative_nets: Decimal | None = None

    @property
    def needed(self) -> bool:
        """Whether anyone must agree."""
        return bool(self.needed_from)

    @property
    def lender_better_off(self) -> bool | None:
        """Whether this loan's lender nets at least its alternative (``None`` when not judged)."""
        if LENDER not in self.needed_from or self.lender_nets is None or self.alternative_nets is None:
            return None
        return self.lender_nets >= self.alternative_nets

    def to_json(self) -> dict[str, Any]:
        """Keys: ``needed``, ``needed_from``, ``lender_nets``, ``alternative``,
        ``alternative_nets``, ``lender_better_off``."""
        return {
            "needed": self.needed,
            "needed_from": list(self.needed_from),
            "lender_nets": None if self.lender_nets is None else format_money(self.lender_nets),
            "alternative": self.alternative,
            "alternative_nets": None
            if self.alternative_nets is None
            else format_money(self.alternative_nets),
            "lender_better_off": self.lender_better_off,
        }


@dataclass(frozen=True, slots=True)
class Exit:
    """One way out: its books and what is read off them.

    ``kind`` is ``exit`` (a choice), ``scenario`` (it happens: a total loss) or ``defense`` (a
    court decides). Without ``books`` the exit is not worked out (``why_not`` says which input
    it needs). ``details`` holds the exit's own figures (money as ``Decimal``, ratios already as
    text); ``sale`` names the channel a sale goes through and its price; ``assumes`` names the
    defaults the exit's figures rest on.
    """

    name: str
    title: str
    kind: str
    books: Ledger | None
    why_not: str | None
    starting_payoff: Decimal
    credit_consequence: CreditConsequence
    caveats: tuple[str, ...] = ()
    details: tuple[tuple[str, Detail], ...] = ()
    figures: Figures | None = None
    lender: PartySide | None = None
    other_liens: PartySide | None = None
    new_loan_ltv: Decimal | None = None
    months_under_water: int | None = None
    gives_up_asset: bool = False
    replacing: Replacing | None = None
    sale: tuple[str, Decimal] | None = None
    consent: Consent = Consent()
    reach: Reach = Reach()
    status: str = "ranked"
    rank: int | None = None
    assumes: tuple[str, ...] = ()
    how: str = ""
    """How this loan's lender gets its money, in a phrase."""

    @property
    def available(self) -> bool:
        """Whether the exit was worked out."""
        return self.books is not None

    def detail(self, name: str) -> Detail:
        """One of ``details`` by name."""
        return dict(self.details)[name]

    def with_caveat(self, caveat: str) -> Exit:
        """The exit with one more caveat."""
        return replace(self, caveats=(*self.caveats, caveat))

    # The borrower's figures, read off the books (None when not worked out).
    def _f(self, name: str) -> Decimal | None:
        return None if self.figures is None else getattr(self.figures, name)

    @property
    def cash_needed_now(self) -> Decimal | None:
        """Cash the borrower pays today, less any it receives (not below 0)."""
        return self._f("cash_needed_now")

    @property
    def debt_left_after(self) -> Decimal | None:
        """Everything the borrower owes right after taking the exit."""
        return self._f("debt_left_after")

    @property
    def total_paid_over_horizon(self) -> Decimal | None:
        """Every dollar the borrower pays, less what it receives, months 0 to the horizon."""
        return self._f("total_paid_over_horizon")

    @property
    def net_position_at_horizon(self) -> Decimal | None:
        """Held at the horizon − owed then − paid to get there, every dollar alike."""
        return self._f("net_position_at_horizon")

    @property
    def present_value(self) -> Decimal | None:
        """The same in today's dollars at the borrower's opportunity rate."""
        return self._f("present_value")

    def to_json(self) -> dict[str, Any]:
        """Keys: ``name``, ``title``, ``kind``, ``status``, ``rank``, ``available``, ``why_not``,
        ``starting_payoff``, ``cash_needed_now``, ``cash_back_now``, ``debt_left_after``,
        ``total_paid_over_horizon``, ``held_at_horizon``, ``owed_at_horizon``,
        ``net_position_at_horizon``, ``present_value``, ``monthly_payment``, ``forgiven_debt``,
        ``new_loan_ltv``, ``months_under_water``, ``credit_consequence``, ``gives_up_asset``,
        ``sale`` (``channel``, ``price``, or null), ``replacement``, ``lender_side``,
        ``other_liens_side``, ``consent``, ``reach``, ``assumes``, ``caveats``, ``details`` and
        ``ledger`` (:meth:`~underwater.ledger.Ledger.to_json`, or null)."""

        def money(name: str) -> str | None:
            value = self._f(name)
            return None if value is None else format_money(value)

        return {
            "name": self.name,
            "title": self.title,
            "kind": self.kind,
            "status": self.status,
            "rank": self.rank,
            "available": self.available,
            "why_not": self.why_not,
            "starting_payoff": format_money(self.starting_payoff),
            **{
                key: money(key)
                for key in (
                    "cash_needed_now",
                    "cash_back_now",
                    "debt_left_after",
                    "total_paid_over_horizon",
                    "held_at_horizon",
                    "owed_at_horizon",
                    "net_position_at_horizon",
                    "present_value",
                    "monthly_payment",
                    "forgiven_debt",
                )
            },
            "new_loan_ltv": format_ratio(self.new_loan_ltv),
            "months_under_water": self.months_under_water,
            "credit_consequence": self.credit_consequence.to_json(),
            "gives_up_asset": self.gives_up_asset,
            "sale": None
            if self.sale is None
            else {"channel": self.sale[0], "price": format_money(self.sale[1])},
            "replacement": None if self.replacing is None else self.replacing.to_json(),
            "lender_side": None if self.lender is None else self.lender.to_json(),
            "other_liens_side": None if self.other_liens is None else self.other_liens.to_json(),
            "consent": self.consent.to_json(),
            "reach": self.reach.to_json(),
            "assumes": list(self.assumes),
            "caveats": list(self.caveats),
            "details": {
                key: format_money(value) if isinstance(value, Decimal) else value
                for key, value in self.details
            },
            "ledger": None if self.books is None else self.books.to_json(),
        }


def read_exit(exit_: Exit, opportunity_rate: Decimal, cost_of_funds: Decimal) -> Exit:
    """``exit_`` with its figures and both creditors' sides read off its books (which must
    hold together: :meth:`~underwater.ledger.Ledger.check`)."""
    books = exit_.books
    if books is None:
        return exit_
    books.check()
    liens = books.claim(OTHER_LIENHOLDERS)
    return replace(
        exit_,
        figures=Figures.read(books, opportunity_rate),
        lender=PartySide.read(books, LENDER, cost_of_funds, exit_.how),
        other_liens=None if not liens else PartySide.read(books, OTHER_LIENHOLDERS, cost_of_funds, ""),
    )
