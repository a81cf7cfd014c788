"""One situation made of named parts: the loan, the asset and its value path, a sale, the next
deal, a refinance, a deal with the lender, insurance, what giving the asset up means, where the
borrower lives, and the lender's side.

Each part is a small frozen dataclass whose inputs are declared once, as
:class:`~underwater.forms.Field` s with a plain label, a section and whether they are essential.
The CLI builds its options, the API its schema and the web its form sections from these same
fields, so the fronts never drift apart; constructing a part checks every value by its field's
rules, so the library and the fronts refuse the same things with the same words. Field names
are unique across all parts (``next_price``, ``refi_rate_percent`` …) because the CLI, the query
string and JSON are flat; inside a part the attribute may be shorter (``NextDeal.price``).

Money is dollars (``Decimal``), rates are percent per year as typed (``9`` is 9 %), terms and
ages are months. Text and whole numbers given for a ``Decimal`` are read by the field's rules:

>>> Loan(owed="80,000", rate_percent="9", remaining_payments=48).owed
Decimal('80000.00')
>>> Loan(owed="-5", rate_percent="9", remaining_payments=48)
Traceback (most recent call last):
...
underwater.errors.InputError: owed: must not be negative (got '-5')
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar, Self

from underwater.assets import AssetClass
from underwater.contracts import AmortizingLoan, Contract, HelocLine, WithHeld
from underwater.dates import DayCount
from underwater.depreciation import MAX_HORIZON_MONTHS, presets
from underwater.errors import InputError, InputErrors
from underwater.forms import Field, Kind
from underwater.gap import GapContract
from underwater.home_rules import INVESTORS
from underwater.lease import LeaseTerms, lease_worth
from underwater.limits import MAX_MONTHS, MAX_RATE_PERCENT
from underwater.money import ZERO
from underwater.position import ValueSource
from underwater.simple_interest import Conventions, Habit, LateFee, SimpleInterestLoan
from underwater.valuepath import ValuePath, pick_curve

__all__ = [
    "CREDIT_TIERS",
    "DAY_COUNT",
    "INTEREST_METHODS",
    "LIEN_KINDS",
    "PARTS",
    "RANK_CRITERIA",
    "RATE",
    "SECTIONS",
    "STAGES",
    "VALUE_SOURCE",
    "Asset",
    "Borrower",
    "Comparison",
    "Insurance",
    "Interest",
    "LeaseDeal",
    "LenderView",
    "Loan",
    "Means",
    "NextDeal",
    "Part",
    "Purchase",
    "Refinance",
    "Replacement",
    "Sale",
    "SecondLien",
    "Section",
    "Signing",
    "Situation",
    "Stage",
    "Workout",
    "junior_liens",
]

RANK_CRITERIA = ("present_value", "net_position", "cash_now", "total_cost", "credit")
"""What exits can be ranked by: the most in today's dollars (every dollar discounted at the
borrower's opportunity rate, and where the borrower stands at the horizon), the best net
position at the horizon counting every dollar alike, the least cash today, the least paid over
the horizon, the mildest credit consequence."""
STAGES = ("have_it", "repossessed", "totalled")
"""Where things stand: the borrower still has the asset; it was repossessed and sold (a
deficiency is claimed); it was destroyed or stolen (the insurer settles)."""

VALUE_SOURCE = Field(
    "value_source",
    Kind.CHOICE,
    "where the figure for what it would fetch comes from: an estimate of the market (a guide, a website), an "
    "appraisal, a buyer's offer, or an agent's comparative market analysis of recent sales nearby (a home)",
    label="Where that figure comes from",
    choices=tuple(v.value for v in ValueSource),
    choice_labels=(
        "an estimate of the market",
        "an appraisal",
        "a buyer's offer",
        "an agent's comparative market analysis",
    ),
)
"""Where a value comes from (:class:`~underwater.position.ValueSource`), asked the same way by
every job that takes a value."""
_CLASSES = tuple(c.value for c in AssetClass)
_CLASS_WORDS = {
    "car": "car",
    "suv": "SUV",
    "pickup": "pickup",
    "ev": "electric car",
    "hybrid": "hybrid car",
    "motorcycle": "motorcycle",
    "class8_sleeper": "sleeper truck",
    "class8_daycab": "day-cab truck",
    "rv": "RV",
    "boat": "boat",
    "home": "home",
}
"""Each asset class in the words a person uses."""
_MAX_RATE = MAX_RATE_PERCENT


@dataclass(frozen=True, slots=True)
class Section:
    """A named group of inputs as a page shows it: a title in plain words and one sentence
    saying what it is for."""

    key: str
    title: str
    intro: str


SECTIONS: dict[str, Section] = {
    s.key: s
    for s in (
        Section(
            "stage",
            "Where things stand",
            "Whether you still have it, or it was repossessed and sold, or totalled; and whether you are behind.",
        ),
        Section("loan", "Your loan", "What it takes to pay the loan off today, and how it is repaid."),
        Section(
            "second_lien",
            "A second loan on it",
            "A second mortgage or a home equity line of credit behind the first loan, if there is one.",
        ),
        Section(
            "interest",
            "How interest is charged",
            "Most car loans charge interest by the day: a payment that arrives late pays more interest and "
            "less of the loan. Your contract or statement says which.",
        ),
        Section(
            "lease",
            "Your lease",
            "The lease's terms as its disclosure states them, and how far into it you are.",
        ),
        Section(
            "asset",
            "What it is and what it is worth",
            "The asset, what it would fetch today, and how its value moves.",
        ),
        Section("sale", "Selling it", "A buyer's offer and what a sale costs."),
        Section("next_deal", "The next deal", "Trading it in: the next asset's price and its loan."),
        Section("refinance", "Refinancing", "A new loan on the same asset."),
        Section(
            "workout", "A deal with the lender", "Paying the gap in installments, or settling it for less."
        ),
        Section("insurance", "Insurance and GAP", "If the asset is destroyed or stolen."),
        Section(
            "replacement",
            "If you give it up",
            "Whether you still need an asset like this one, and what a replacement would cost.",
        ),
        Section(
            "means",
            "What you can pay",
            "The cash you have now, what you can pay each month and your credit: a way out you cannot "
            "afford is shown, but not ranked above one you can.",
        ),
        Section(
            "borrower", "Where you live and taxes", "State rules on deficiencies, and tax on forgiven debt."
        ),
        Section(
            "signing",
            "When you signed",
            "Figures from the contract that GAP's caps and some states' deficiency bars depend on.",
        ),
        Section(
            "lender", "The lender's side", "What the lender gets back, how fast, and what its money costs it."
        ),
        Section(
            "comparison",
            "How to compare",
            "When to measure the outcome, what to rank by and what your money earns meanwhile.",
        ),
        Section(
            "purchase", "The purchase", "What was bought and how it was financed: how not to get here again."
        ),
        Section("projection", "Looking ahead", "How far ahead to look, and by when."),
        Section(
            "terms",
            "The loan's terms",
            "What was borrowed, the rate and the payments, as the contract states them.",
        ),
        Section(
            "schedule",
            "How it is repaid",
            "How often payments fall due, and a balloon or interest-only payments if the loan has them.",
        ),
        Section(
            "extras",
            "Paying extra",
            "Extra toward the principal, with every payment or once, and what it should lower.",
        ),
        Section(
            "payoff", "Paying it off", "When you pay it off, and anything the lender adds to the payoff."
        ),
        Section(
            "cash_flows",
            "Dated amounts instead",
            "For a loan that is not regular: each amount lent and each payment, with its date, in place of "
            "the loan's terms.",
        ),
        Section(
            "lease_vs_buy",
            "Leasing against buying",
            "What a loan to buy the same vehicle would have cost, to weigh the two over the lease's term.",
        ),
        Section(
            "statement",
            "Your statement",
            "The rows of a real statement, one payment a line, as the lender printed them, and the rate.",
        ),
        Section(
            "letter",
            "A payoff letter",
            "A payoff the lender quoted for a day after the last row, and the per diem it printed: one more check.",
        ),
        Section(
            "check",
            "Checking a disclosed APR",
            "The APR on the lender's disclosure, to see whether it is as close as the law requires.",
        ),
        Section(
            "curve",
            "How its value moves",
            "The usual curve for what it is, or another: a named curve, a yearly rate, your own points or "
            "sales of ones like it.",
        ),
        Section(
            "lender_sale",
            "The lender's sale",
            "What the sale after a repossession brought, and the date the debt is stated as of. Before any "
            "sale, leave it out: the sale is estimated from what it would fetch.",
        ),
        Section(
            "expenses",
            "The lender's costs",
            "What the lender spent to take it back, store it, get it ready and sell it. Left out, an estimate "
            "uses the usual costs for what it is and a real sale uses none.",
        ),
        Section(
            "credits", "Credits to you", "Refunds and rebates the lender owes you, such as unearned interest."
        ),
        Section(
            "state_rules",
            "Your state's rules",
            "Some states bar or limit a deficiency; these figures from the contract decide whether a bar applies.",
        ),
    )
}
"""Every section, in the order a page shows them."""


class Part:
    """A named part of a situation. ``FIELDS`` declares its inputs once; constructing it reads
    every value by its field's rules (so ``"80,000"`` becomes ``Decimal('80000.00')``) and
    names every bad one at once; :meth:`check` then applies rules that tie its fields together."""

    __slots__ = ()
    FIELDS: ClassVar[tuple[Field, ...]] = ()
    SECTION: ClassVar[str] = ""

    def __post_init__(self) -> None:
        problems: list[InputError] = []
        for f in self.FIELDS:
            raw = getattr(self, f.target)
            if raw is None:
                if f.required:
                    problems.append(InputError(f.name, "is required: " + f.help))
                continue
            try:
                object.__setattr__(self, f.target, f.parse(raw))
            except InputError as exc:
                problems.extend(exc.problems)
        if problems:
            raise problems[0] if len(problems) == 1 else InputErrors(problems)
        self.check()

    def check(self) -> None:
        """Rules that tie this part's fields together (none by default)."""

    @classmethod
    def fields(cls) -> tuple[Field, ...]:
        """The part's fields with their section and the dataclass's defaults filled in, as the
        fronts show them."""
        defaults = {
            f.name: f.default
            for f in dataclasses.fields(cls)  # type: ignore[arg-type]
            if f.default is not dataclasses.MISSING
        }
        return tuple(
            dataclasses.replace(f, section=cls.SECTION, default=defaults.get(f.target)) for f in cls.FIELDS
        )

    @classmethod
    def from_inputs(cls, values: Mapping[str, Any]) -> Self:
        """The part from inputs named by field (as :meth:`Form.parse` returns them); a field
        missing or ``None`` takes the part's default."""
        given = {f.target: values[f.name] for f in cls.FIELDS if values.get(f.name) is not None}
        return cls(**given)


def _money(name: str, label: str, help: str, **kw: Any) -> Field:
    return Field(name, Kind.MONEY, help, label=label, **kw)


def _percent(name: str, label: str, help: str, maximum: Decimal | int = 100, **kw: Any) -> Field:
    return Field(name, Kind.PERCENT, help, label=label, maximum=maximum, **kw)


def _rate(name: str, label: str, help: str, **kw: Any) -> Field:
    # Up to 1,000 % a year is taken (title and pawn loans run into the hundreds); above 36 % — the
    # cap many states put on consumer loans — a page asks the person to check what they typed.
    return _percent(name, label, help, maximum=_MAX_RATE, usual_maximum=36, **kw)


def _months(name: str, label: str, help: str, minimum: int = 1, **kw: Any) -> Field:
    return Field(name, Kind.INT, help, label=label, minimum=minimum, maximum=MAX_MONTHS, **kw)


# ----------------------------------------------------------------------------- the loan

OWED = _money(
    "owed",
    "What it takes to pay the loan off today",
    "the payoff your lender quotes for today: principal, interest since the last payment and fees, "
    "in dollars",
    required=True,
    essential=True,
    example="80000",
)
RATE = _rate(
    "rate_percent",
    "Interest rate, percent a year",
    "the loan's yearly rate in percent (9 means 9 %)",
    essential=True,
    example="9",
)
REMAINING = _months(
    "remaining_payments",
    "Monthly payments left",
    "how many monthly payments are left on the loan",
    essential=True,
    example="48",
)


@dataclass(frozen=True, slots=True)
class Loan(Part):
    """The loan as it stands today: ``owed`` (the payoff today, dollars, taken as the balance
    just after the last payment), ``rate_percent`` (percent per year), ``remaining_payments``
    (monthly), the monthly ``payment`` (default: the level payment), ``other_liens`` (dollars,
    other debt secured by the same asset, junior to this loan, held constant) and
    ``extra_monthly`` (dollars added to principal every month). The rate and the payments left
    are needed while the loan runs (:meth:`contract`); after a repossession or a total loss
    only what was owed is."""

    FIELDS: ClassVar[tuple[Field, ...]] = (
        OWED,
        RATE,
        REMAINING,
        _money("payment", "Monthly payment", "the monthly payment in dollars (default: the level payment)"),
        _money(
            "other_liens",
            "Other loans secured by it",
            "other debt on the same asset (a second lien, a HELOC), in dollars; it stays as it is",
        ),
        _money(
            "extra_monthly", "Extra paid each month", "extra dollars paid to principal with every payment"
        ),
    )
    SECTION: ClassVar[str] = "loan"

    owed: Decimal
    rate_percent: Decimal | None = None
    remaining_payments: int | None = None
    payment: Decimal | None = None
    other_liens: Decimal = ZERO
    extra_monthly: Decimal = ZERO

    def check(self) -> None:
        """A payment, when given, is more than zero."""
        if self.payment is not None and self.payment <= 0:
            raise InputError("payment", "must be more than 0.00", got=self.payment)

    def require_terms(self) -> tuple[Decimal, int]:
        """The rate (percent per year) and the payments left, or an error naming the missing one."""
        missing = [
            InputError(f.name, "is required: " + f.help)
            for f, value in ((RATE, self.rate_percent), (REMAINING, self.remaining_payments))
            if value is None
        ]
        if missing:
            raise missing[0] if len(missing) == 1 else InputErrors(missing)
        assert self.rate_percent is not None and self.remaining_payments is not None
        return self.rate_percent, self.remaining_payments

    def contract(self) -> AmortizingLoan:
        """The loan as a contract: the payoff today repaid over the payments left.

        >>> Loan(owed=1000, rate_percent=12, remaining_payments=2).contract().regular_payment
        Decimal('507.51')
        """
        rate, remaining = self.require_terms()
        return AmortizingLoan(self.owed, rate, remaining, self.payment, self.extra_monthly)


# ----------------------------------------------------------------------------- a second lien

LIEN_KINDS = ("second_mortgage", "heloc")
"""A loan behind the first on the same asset: a second mortgage (a fixed-rate loan repaid in
level payments) or a home equity line of credit (interest only while the line can be drawn,
then level payments)."""


@dataclass(frozen=True, slots=True)
class SecondLien(Part):
    """A second loan on the same asset, behind the first (``loan``): its ``kind``
    (:data:`LIEN_KINDS`), what it takes to pay it off today (``owed``, dollars), its rate (percent
    per year), the monthly payments left after any draw period (``remaining_payments``), an
    optional monthly ``payment`` in place of the level one, and for a line of credit the months
    of its draw period left (interest only) and its credit ``limit`` (dollars).

    >>> SecondLien(owed=30000, rate_percent=8, remaining_payments=240, kind="heloc",
    ...            draw_months=60, limit=50000).contract().regular_payment
    Decimal('200.00')
    """

    FIELDS: ClassVar[tuple[Field, ...]] = (
        _money(
            "lien2_owed",
            "Second loan: what it takes to pay it off",
            "the payoff today of a second loan on the same asset (a second mortgage or a home equity line), "
            "in dollars",
            attr="owed",
        ),
        Field(
            "lien2_kind",
            Kind.CHOICE,
            "what the second loan is: a second mortgage repaid in level payments, or a home equity line of "
            "credit (HELOC), interest only while it can be drawn on, then level payments",
            label="Second loan: what kind",
            choices=LIEN_KINDS,
            choice_labels=("A second mortgage", "A home equity line of credit (HELOC)"),
            attr="kind",
        ),
        _rate(
            "lien2_rate_percent",
            "Second loan: interest rate, percent a year",
            "the second loan's yearly rate in percent (a line of credit's rate today, taken as fixed)",
            attr="rate_percent",
        ),
        _months(
            "lien2_remaining_payments",
            "Second loan: monthly payments left",
            "the second loan's level monthly payments left (a line of credit: the payments after its draw "
            "period ends)",
            attr="remaining_payments",
        ),
        _money(
            "lien2_payment",
            "Second loan: monthly payment",
            "the second loan's level monthly payment in dollars (default: the payment that clears it)",
            attr="payment",
        ),
        _months(
            "lien2_draw_months",
            "Line of credit: months of draw period left",
            "a home equity line's months left in its draw period, when only the interest is due",
            minimum=0,
            attr="draw_months",
        ),
        _money(
            "lien2_limit",
            "Line of credit: credit limit",
            "a home equity line's credit limit in dollars: what is owed on it cannot be more",
            attr="limit",
        ),
    )
    SECTION: ClassVar[str] = "second_lien"

    owed: Decimal = ZERO
    kind: str = "second_mortgage"
    rate_percent: Decimal | None = None
    remaining_payments: int | None = None
    payment: Decimal | None = None
    draw_months: int = 0
    limit: Decimal | None = None

    def check(self) -> None:
        """A line's balance is within its limit; a draw period or a limit belongs to a line; the
        second loan's figures need its payoff."""
        heloc = self.kind == "heloc"
        if not heloc and self.draw_months:
            raise InputError("lien2_draw_months", "applies to a home equity line: set `lien2_kind` to heloc")
        if not heloc and self.limit is not None:
            raise InputError("lien2_limit", "applies to a home equity line: set `lien2_kind` to heloc")
        if self.limit is not None and self.owed > self.limit:
            raise InputError(
                "lien2_owed",
                f"must not be more than the line's credit limit, `lien2_limit` {self.limit:,}",
                got=self.owed,
            )
        if self.payment is not None and self.payment <= 0:
            raise InputError("lien2_payment", "must be more than 0.00", got=self.payment)
        if not self.owed:
            for name, value in (
                ("lien2_rate_percent", self.rate_percent),
                ("lien2_remaining_payments", self.remaining_payments),
                ("lien2_payment", self.payment),
            ):
                if value is not None:
                    raise InputError(name, "needs `lien2_owed`: what it takes to pay the second loan off")

    @property
    def given(self) -> bool:
        """Whether there is a second loan."""
        return self.owed > 0

    def contract(self) -> Contract:
        """The second loan as a contract (a line of credit: :class:`~underwater.contracts.HelocLine`)."""
        missing = [
            InputError(name, "is required with `lien2_owed`: " + help)
            for name, value, help in (
                ("lien2_rate_percent", self.rate_percent, "the second loan's yearly rate in percent"),
                ("lien2_remaining_payments", self.remaining_payments, "its monthly payments left"),
            )
            if value is None
        ]
        if missing:
            raise missing[0] if len(missing) == 1 else InputErrors(missing)
        assert self.rate_percent is not None and self.remaining_payments is not None
        if self.kind == "heloc":
            return HelocLine(
                self.owed, self.rate_percent, self.draw_months, self.remaining_payments, self.payment
            )
        return AmortizingLoan(self.owed, self.rate_percent, self.remaining_payments, self.payment)


def junior_liens(loan: Loan, second: SecondLien) -> Decimal | Contract:
    """What is owed behind the first loan, as the projection takes it: the second loan's
    contract when one is given (with any ``other_liens`` beside it, held as they are), else
    ``other_liens`` dollars held as they are."""
    if second.given:
        if loan.other_liens:
            return WithHeld(second.contract(), loan.other_liens)
        return second.contract()
    return loan.other_liens


# ----------------------------------------------------------------------------- how interest is charged

INTEREST_METHODS = ("monthly", "daily")
"""How a lender charges interest: a month's interest at a time on a level-payment schedule, or
by the day on the principal, each payment credited the day it arrives."""
DAY_COUNT = Field(
    "day_count",
    Kind.CHOICE,
    "how the contract counts a day's interest: the days between payments and the days in a year (most "
    "car loans: actual/365)",
    label="How days of interest are counted",
    choices=tuple(d.value for d in DayCount),
    choice_labels=tuple(d.words for d in DayCount),
)
_PLACES = ("2", "3", "4", "exact")


@dataclass(frozen=True, slots=True)
class Interest(Part):
    """How the lender charges interest and how the payments arrive. ``interest_method``
    (:data:`INTEREST_METHODS`, default monthly); for a ``daily`` simple-interest loan, the
    ``day_count`` (default actual/365), the decimals the lender keeps a day's interest to
    (``per_diem_places``: 2, 3, 4 or exact; default 2), the ``next_due_date`` (default a month
    after the as-of date), the payment habit (``days_late`` after each due date, negative for
    early; half of it ``twice_monthly``) and the ``late_fee`` (dollars) charged after
    ``grace_days``. The daily loan starts on the as-of date from what is owed then: interest
    runs from that day."""

    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field(
            "interest_method",
            Kind.CHOICE,
            "how the lender charges interest: once a month on a schedule, or by the day on what is owed, "
            "each payment counted the day it arrives (daily simple interest, most car loans)",
            label="How the lender charges interest",
            choices=INTEREST_METHODS,
            choice_labels=("once a month, on a schedule", "by the day (simple interest)"),
        ),
        DAY_COUNT,
        Field(
            "per_diem_places",
            Kind.CHOICE,
            "the decimals the lender keeps a day's interest to before multiplying it by the days (2: to "
            "the cent; exact: not rounded); a statement shows it",
            label="A day's interest is kept to",
            choices=_PLACES,
            choice_labels=("the cent", "3 decimals", "4 decimals", "not rounded"),
        ),
        Field(
            "next_due_date",
            Kind.DATE,
            "the date your next payment is due, YYYY-MM-DD (default: a month after the as-of date)",
            label="Next payment due",
        ),
        Field(
            "days_late",
            Kind.INT,
            "how many days after the due date your payments usually arrive (0: on the day; -5: five days "
            "early)",
            label="Days late your payments arrive",
            minimum=-27,
            maximum=120,
        ),
        Field(
            "pay_twice_monthly",
            Kind.YES_NO,
            "whether you pay half the payment 15 days early and half on time",
            label="Pay half twice a month?",
        ),
        _money(
            "late_fee",
            "Late fee",
            "the fee the lender charges on a payment later than the grace period, in dollars",
        ),
        Field(
            "grace_days",
            Kind.INT,
            "the days after the due date before a late fee is charged (default: 10, common in state law)",
            label="Days of grace",
            minimum=0,
            maximum=60,
        ),
    )
    SECTION: ClassVar[str] = "interest"

    interest_method: str = "monthly"
    day_count: str | None = None
    per_diem_places: str | None = None
    next_due_date: date | None = None
    days_late: int | None = None
    pay_twice_monthly: bool | None = None
    late_fee: Decimal | None = None
    grace_days: int | None = None

    _DAILY_ONLY: ClassVar[tuple[str, ...]] = (
        "day_count",
        "per_diem_places",
        "next_due_date",
        "days_late",
        "pay_twice_monthly",
        "late_fee",
        "grace_days",
    )

    def check(self) -> None:
        """A day count, a habit and a late fee belong to a daily simple-interest loan."""
        if self.interest_method != "daily":
            for name in self._DAILY_ONLY:
                if getattr(self, name) is not None:
                    raise InputError(
                        name,
                        "applies to a loan that charges interest by the day: give `interest_method` daily",
                    )

    @property
    def daily(self) -> bool:
        """Whether the loan charges daily simple interest."""
        return self.interest_method == "daily"

    @property
    def conventions(self) -> Conventions:
        """The lender's day count and per diem (:class:`underwater.simple_interest.Conventions`)."""
        places = self.per_diem_places or "2"
        return Conventions(
            DayCount(self.day_count or DayCount.ACT_365F.value),
            per_diem_places=None if places == "exact" else int(places),
        )

    @property
    def habit(self) -> Habit:
        """When the payments arrive (:class:`underwater.simple_interest.Habit`), without extra."""
        return Habit(days_late=self.days_late or 0, twice_monthly=bool(self.pay_twice_monthly))

    def contract(self, loan: Loan, as_of: date) -> Contract:
        """``loan`` as a contract from ``as_of``: the level-payment schedule, or a daily
        simple-interest loan starting that day from what is owed then.

        >>> loan = Loan(owed=1000, rate_percent=12, remaining_payments=2)
        >>> daily = Interest("daily", days_late=5).contract(loan, date(2025, 1, 1))
        >>> daily.months(2)[1].interest, Interest().contract(loan, date(2025, 1, 1)).months(2)[1].interest
        (Decimal('11.88'), Decimal('10.00'))
        """
        if not self.daily:
            return loan.contract()
        rate, remaining = loan.require_terms()
        fee = None
        if self.late_fee:
            fee = LateFee(10 if self.grace_days is None else self.grace_days, self.late_fee)
        return SimpleInterestLoan(
            loan.owed,
            rate,
            remaining,
            as_of,
            first_due=self.next_due_date,
            payment=loan.payment,
            habit=dataclasses.replace(self.habit, extra=loan.extra_monthly),
            conventions=self.conventions,
            late_fee=fee,
        )


# ----------------------------------------------------------------------------- the asset

VALUE = _money(
    "value",
    "What it would fetch today",
    "what the asset would sell for now, in dollars: a real offer, an appraisal or a dealer quote",
    required=True,
    essential=True,
    example="60000",
)
ASSET_CLASS = Field(
    "asset_class",
    Kind.CHOICE,
    "what the asset is; it picks the usual depreciation curve",
    label="What it is",
    choices=_CLASSES,
    choice_labels=tuple(_CLASS_WORDS[c] for c in _CLASSES),
    essential=True,
)
AGE = _months("age_months", "Its age, in months", "how old the asset is today, in months", minimum=0)


@dataclass(frozen=True, slots=True)
class Asset(Part):
    """The asset and its value path: ``value`` today (dollars), ``asset_class``, ``age_months``
    today, and how the value moves from today's value on — the class's usual curve, a named
    ``depreciation`` preset or a constant ``depreciation_rate_percent`` (percent lost a year;
    negative: gained), after a one-time ``shock_percent`` drop today, adjusted for
    ``annual_miles`` where the class has a mileage rule; ``value_source`` says where today's value
    comes from (:data:`VALUE_SOURCE`)."""

    FIELDS: ClassVar[tuple[Field, ...]] = (
        VALUE,
        ASSET_CLASS,
        AGE,
        Field(
            "depreciation",
            Kind.CHOICE,
            "a named depreciation curve instead of the asset class's usual one",
            label="Depreciation curve",
            choices=tuple(sorted(presets())),
        ),
        Field(
            "depreciation_rate_percent",
            Kind.DECIMAL,
            "a constant share of value lost each year, in percent, instead of a curve (negative: gained)",
            label="Value lost each year, percent",
            minimum=Decimal(-50),
            maximum=Decimal("99.99"),
        ),
        _percent(
            "shock_percent",
            "A market drop to test, percent",
            "a one-time drop in value today, in percent (to test a weak market)",
            maximum=Decimal("99.99"),
        ),
        Field(
            "annual_miles",
            Kind.DECIMAL,
            "miles driven a year from now on (cars, motorcycles, trucks)",
            label="Miles a year",
            minimum=Decimal(0),
            maximum=Decimal(1_000_000),
        ),
        VALUE_SOURCE,
    )
    SECTION: ClassVar[str] = "asset"

    value: Decimal
    asset_class: str = "car"
    age_months: int = 0
    depreciation: str | None = None
    depreciation_rate_percent: Decimal | None = None
    shock_percent: Decimal = ZERO
    annual_miles: Decimal | None = None
    value_source: str = "market"

    @property
    def kind(self) -> AssetClass:
        """The asset class as an enum member."""
        return AssetClass(self.asset_class)

    def check(self) -> None:
        """A named curve and a constant rate are two answers to one question: give one."""
        if self.depreciation is not None and self.depreciation_rate_percent is not None:
            raise InputError(
                "depreciation_rate_percent",
                "give a depreciation curve (`depreciation`) or a yearly rate, not both",
                got=self.depreciation_rate_percent,
            )

    def value_path(self) -> ValuePath:
        """The asset's value path from today's value (see :mod:`underwater.valuepath`).

        >>> Asset(value=20000, depreciation_rate_percent=12, age_months=12).value_path().at(12)
        Decimal('17600.00')
        """
        curve = pick_curve(self.kind, self.depreciation, self.depreciation_rate_percent)
        return ValuePath(self.value, curve, self.age_months, self.shock_percent, self.annual_miles)


# ----------------------------------------------------------------------------- a sale


@dataclass(frozen=True, slots=True)
class Sale(Part):
    """Selling the asset: a buyer's ``offer`` (dollars; without one a sale is assumed to bring
    the value) and the ``selling_costs`` of any sale, now or later (dollars; ``None``: the
    asset's usual costs — nothing for a vehicle, a cited share of the price for a home)."""

    FIELDS: ClassVar[tuple[Field, ...]] = (
        _money(
            "offer",
            "A buyer's offer",
            "what a buyer offers for it, in dollars",
            essential=True,
            example="58000",
        ),
        _money(
            "selling_costs",
            "What selling costs",
            "what a sale costs you (listing, fees, repairs to sell), in dollars; a later sale costs the same "
            "(default: nothing for a vehicle; a home: the agents' commission and the seller's closing costs, "
            "7 % of the price, cited)",
        ),
    )
    SECTION: ClassVar[str] = "sale"

    offer: Decimal | None = None
    selling_costs: Decimal | None = None


# ----------------------------------------------------------------------------- the next deal


@dataclass(frozen=True, slots=True)
class NextDeal(Part):
    """Trading in: the next asset's ``price`` (dollars), class and age, what the dealer allows
    for the trade-in (default: the value), the sales tax in percent and whether the trade-in is
    credited against the taxed price (``state``: the state's rule on file; ``yes``; ``no``),
    dealer fees, rebates and cash down (dollars), and the new loan's rate (percent per year)
    and term (months)."""

    FIELDS: ClassVar[tuple[Field, ...]] = (
        _money("next_price", "Price of the next one", "the next asset's price, in dollars", attr="price"),
        Field(
            "next_asset_class",
            Kind.CHOICE,
            "what the next asset is (default: the same as this one)",
            label="What the next one is",
            choices=_CLASSES,
            choice_labels=tuple(_CLASS_WORDS[c] for c in _CLASSES),
            attr="asset_class",
        ),
        _months(
            "next_age_months",
            "Its age, in months",
            "the next asset's age, in months (0: new)",
            minimum=0,
            attr="age_months",
        ),
        _money(
            "trade_in_value",
            "What the dealer allows for yours",
            "the trade-in allowance, in dollars (default: what it would fetch today)",
        ),
        _percent(
            "sales_tax_percent", "Sales tax, percent", "the sales tax rate on the next asset, in percent"
        ),
        Field(
            "trade_in_tax_credit",
            Kind.CHOICE,
            "whether the tax is on the price less the trade-in: by your state's rule on file, or say yes or no",
            label="Tax only the price less the trade-in",
            choices=("state", "yes", "no"),
            choice_labels=("as my state's rule says", "yes", "no"),
        ),
        _money(
            "dealer_fees", "Dealer fees financed", "dealer and title fees added to the new loan, in dollars"
        ),
        _money("rebates", "Rebates", "rebates off the price, in dollars"),
        _money(
            "next_down_payment",
            "Cash down",
            "cash you put down on the next deal, in dollars",
            attr="down_payment",
        ),
        _rate(
            "new_rate_percent",
            "The new loan's rate, percent a year",
            "the new loan's yearly rate",
            attr="rate_percent",
        ),
        _months(
            "new_term_months",
            "The new loan's term, months",
            "the new loan's term in months",
            attr="term_months",
        ),
    )
    SECTION: ClassVar[str] = "next_deal"

    price: Decimal | None = None
    asset_class: str | None = None
    age_months: int = 0
    trade_in_value: Decimal | None = None
    sales_tax_percent: Decimal = ZERO
    trade_in_tax_credit: str = "state"
    dealer_fees: Decimal = ZERO
    rebates: Decimal = ZERO
    down_payment: Decimal = ZERO
    rate_percent: Decimal | None = None
    term_months: int | None = None

    def check(self) -> None:
        """A next asset that costs nothing is not a deal."""
        if self.price is not None and self.price <= 0:
            raise InputError("next_price", "must be more than 0.00", got=self.price)

    @property
    def missing(self) -> tuple[str, ...]:
        """The fields a trade-in still needs (none when it can be priced)."""
        needed = (
            ("next_price", self.price),
            ("new_rate_percent", self.rate_percent),
            ("new_term_months", self.term_months),
        )
        return tuple(name for name, value in needed if value is None)


# ----------------------------------------------------------------------------- a refinance

TARGET_MONTH = _months(
    "target_month",
    "Surface by month",
    "a month by which the loan should be above water for good: finds the extra monthly payment, "
    "and the refinance rate or term, that does it",
)


@dataclass(frozen=True, slots=True)
class Refinance(Part):
    """A new loan on the same asset: its rate (percent per year) and term (months; default the
    remaining payments), its fees (dollars) financed or paid now, the highest LTV the new lender
    allows (percent; the borrower brings the cash that gets the loan down to it; without one no
    cap is applied) and a month by which the loan should surface (the rate and the term that do
    it are worked out)."""

    FIELDS: ClassVar[tuple[Field, ...]] = (
        _rate(
            "refi_rate_percent",
            "The new rate, percent a year",
            "the refinance loan's yearly rate",
            attr="rate_percent",
        ),
        _months(
            "refi_term_months",
            "The new term, months",
            "the refinance loan's term in months (default: the payments left)",
            attr="term_months",
        ),
        _money("refi_fees", "Refinance fees", "fees for the new loan, in dollars", attr="fees"),
        Field(
            "refi_fees_financed",
            Kind.YES_NO,
            "add the fees to the new loan (no: pay them now)",
            label="Add the fees to the loan",
            attr="fees_financed",
        ),
        _percent(
            "refi_max_ltv_percent",
            "Highest LTV the new lender allows, percent",
            "the largest loan-to-value the new lender accepts, in percent of the value (100: no more "
            "than it is worth); you bring the cash that gets the new loan down to it",
            maximum=1000,
            minimum=1,
            attr="max_ltv_percent",
        ),
        TARGET_MONTH,
    )
    SECTION: ClassVar[str] = "refinance"

    rate_percent: Decimal | None = None
    term_months: int | None = None
    fees: Decimal = ZERO
    fees_financed: bool = True
    max_ltv_percent: Decimal | None = None
    target_month: int | None = None


# ----------------------------------------------------------------------------- a deal with the lender


@dataclass(frozen=True, slots=True)
class Workout(Part):
    """A deal with the lender: after a sale, the gap paid over ``plan_months`` at
    ``plan_rate_percent`` (percent per year), or settled for ``settlement_percent`` of the gap
    paid at once; while keeping it, the next ``deferral_months`` payments deferred (default:
    the months behind, else one) for a ``deferral_fee`` (dollars; default the middle of the fees
    lenders publish), the interest meanwhile added to the balance when ``deferral_capitalized``.
    For a home: a modification's rate and term (``mod_rate_percent``, ``mod_term_months``), and
    a forbearance of ``forbearance_months`` caught up over ``repayment_months``."""

    FIELDS: ClassVar[tuple[Field, ...]] = (
        _months("plan_months", "Months to pay the gap", "months of a payment plan for the gap"),
        _rate(
            "plan_rate_percent",
            "The plan's rate, percent a year",
            "the payment plan's yearly rate",
        ),
        _percent(
            "settlement_percent",
            "Lump sum offered, percent of the gap",
            "the share of the gap you would offer as one payment, in percent",
            minimum=Decimal("0.01"),
        ),
        Field(
            "deferral_months",
            Kind.INT,
            "payments to ask the lender to defer (skip now, added to the end; default: the months you are "
            "behind, else one)",
            label="Payments to defer",
            minimum=1,
            maximum=12,
        ),
        _money(
            "deferral_fee",
            "The lender's fee to defer",
            "what the lender charges to defer payments, in dollars (default: $30, the middle of the fees "
            "lenders publish)",
        ),
        Field(
            "deferral_capitalized",
            Kind.YES_NO,
            "whether the interest while payments are deferred is added to the balance (default: no; a daily "
            "simple-interest loan never does)",
            label="Interest added to the balance?",
        ),
        _rate(
            "mod_rate_percent",
            "A modification's rate, percent a year",
            "a home loan modification's fixed rate (default: the loan's own rate; a servicer may lower it)",
        ),
        _months(
            "mod_term_months",
            "A modification's term, months",
            "a home loan modification's term from today (default: 480, the longest Fannie Mae's Flex "
            "Modification allows)",
        ),
        Field(
            "forbearance_months",
            Kind.INT,
            "months of a home loan's forbearance: no payments, owed later (default: the months behind, "
            "else three; at most 12)",
            label="Months of forbearance",
            minimum=1,
            maximum=12,
        ),
        Field(
            "repayment_months",
            Kind.INT,
            "months of the repayment plan that catches up a forbearance, on top of the payment (default: 12)",
            label="Months to repay a forbearance",
            minimum=1,
            maximum=36,
        ),
    )
    SECTION: ClassVar[str] = "workout"

    plan_months: int | None = None
    plan_rate_percent: Decimal = ZERO
    settlement_percent: Decimal | None = None
    deferral_months: int | None = None
    deferral_fee: Decimal | None = None
    deferral_capitalized: bool = False
    mod_rate_percent: Decimal | None = None
    mod_term_months: int | None = None
    forbearance_months: int | None = None
    repayment_months: int = 12


# ----------------------------------------------------------------------------- insurance


@dataclass(frozen=True, slots=True)
class Insurance(Part):
    """A total loss: the insurer pays the ``actual_cash_value`` (dollars; default the value)
    less the ``deductible``; GAP coverage (``gap_coverage``: a ``waiver`` from the dealer or
    lender, the insurer's ``loan_lease_payoff`` coverage, or ``none``) pays part of the rest by
    its terms — the deductible up to a limit, caps as a share of the ACV, of the value at
    signing (an LTV cap) or in dollars, and exclusions: negative equity rolled in (when the
    contract excludes it), past-due payments, late fees, refundable add-ons still in the loan
    (their refunds are credited instead). A term left out takes the chosen kind's published
    default (:class:`underwater.gap.GapContract`)."""

    FIELDS: ClassVar[tuple[Field, ...]] = (
        _money(
            "actual_cash_value",
            "What the insurer would pay",
            "the insurer's actual cash value before the deductible, in dollars (default: the value)",
        ),
        _money("deductible", "Deductible", "your insurance deductible, in dollars"),
        Field(
            "gap_coverage",
            Kind.CHOICE,
            "the GAP coverage you have, if any (left out: a total loss is shown both with a GAP waiver and "
            "without; after a total loss, none is assumed)",
            label="GAP coverage",
            choices=("waiver", "loan_lease_payoff", "none"),
            choice_labels=(
                "a GAP waiver from the dealer or lender",
                "my insurer's loan/lease payoff",
                "none",
            ),
            attr="coverage",
        ),
        _money(
            "gap_deductible_limit",
            "GAP pays the deductible up to",
            "the most GAP pays toward your deductible, in dollars (0: none of it)",
            attr="deductible_limit",
        ),
        _percent(
            "gap_ltv_cap_percent",
            "GAP's loan-to-value cap, percent",
            "GAP does not cover the part of the loan at signing above this percent of the value then",
            maximum=1000,
            minimum=1,
            attr="ltv_cap_percent",
        ),
        _percent(
            "gap_acv_cap_percent",
            "GAP's cap, percent of the ACV",
            "GAP pays at most this percent of the insurer's actual cash value",
            maximum=1000,
            minimum=1,
            attr="acv_cap_percent",
        ),
        _money("gap_max_benefit", "GAP pays at most", "a dollar cap on what GAP pays", attr="max_benefit"),
        Field(
            "gap_excludes_rolled",
            Kind.YES_NO,
            "the contract does not cover negative equity rolled in from an old loan",
            label="GAP leaves out rolled-in negative equity",
            attr="excludes_rolled",
        ),
        _money(
            "negative_equity_rolled",
            "Negative equity rolled in",
            "what was still owed on an old loan beyond its trade-in value, added to this loan, in dollars",
        ),
        _money("past_due", "Payments past due", "missed payments included in the payoff, in dollars"),
        _money("late_fees", "Late fees", "late charges and fees added to the loan, in dollars"),
        _money(
            "addons_in_loan",
            "Refundable add-ons in the loan",
            "service contracts and credit insurance still in the balance, in dollars",
            attr="addons",
        ),
        _money(
            "addon_refunds", "Their refunds", "what cancelling those add-ons refunds to the loan, in dollars"
        ),
    )
    SECTION: ClassVar[str] = "insurance"

    actual_cash_value: Decimal | None = None
    deductible: Decimal = ZERO
    coverage: str | None = None
    deductible_limit: Decimal | None = None
    ltv_cap_percent: Decimal | None = None
    acv_cap_percent: Decimal | None = None
    max_benefit: Decimal | None = None
    excludes_rolled: bool | None = None
    negative_equity_rolled: Decimal = ZERO
    past_due: Decimal = ZERO
    late_fees: Decimal = ZERO
    addons: Decimal = ZERO
    addon_refunds: Decimal = ZERO

    def contract(self, *, assume: str = "waiver") -> GapContract | None:
        """The GAP contract: the chosen kind's published terms, with any term given replacing
        its default (``None`` without GAP coverage). When no coverage was given, ``assume``
        says which kind to take (``none`` for none).

        >>> Insurance().contract().name, Insurance().contract(assume="none")
        ('GAP waiver (TruStage terms as published)', None)
        """
        kind = assume if self.coverage is None else self.coverage
        if kind == "none":
            return None
        base = GapContract.loan_lease_payoff() if kind == "loan_lease_payoff" else GapContract()
        changes: dict[str, Any] = {}
        if self.deductible_limit is not None:
            changes["covers_deductible"] = self.deductible_limit > 0
            changes["deductible_limit"] = self.deductible_limit
        for name in ("ltv_cap_percent", "acv_cap_percent", "max_benefit"):
            if getattr(self, name) is not None:
                changes[name] = getattr(self, name)
        if self.excludes_rolled is not None:
            changes["excludes_rolled_negative_equity"] = self.excludes_rolled
        if changes:
            changes["name"] = base.name + ", with the terms you gave"
        return dataclasses.replace(base, **changes) if changes else base


# ----------------------------------------------------------------------------- when you signed


@dataclass(frozen=True, slots=True)
class Signing(Part):
    """Figures from the contract at signing that GAP's caps and some states' deficiency bars are
    measured on: the ``cash_price`` of the purchase, the ``amount_financed`` and the
    ``value_at_signing`` (MSRP new, retail book value used), in dollars; and for a home whether
    the loan was ``purchase_money`` (it paid for the home)."""

    FIELDS: ClassVar[tuple[Field, ...]] = (
        _money(
            "cash_price",
            "Cash price when it was bought",
            "the cash price when it was bought, in dollars (some states' deficiency bars depend on it)",
        ),
        _money(
            "amount_financed",
            "Amount financed",
            "the loan's amount financed at signing, in dollars (GAP's LTV cap and some states' bars)",
        ),
        _money(
            "value_at_signing",
            "The value when you signed",
            "MSRP (new) or retail book value (used) at signing, in dollars, for an LTV cap",
        ),
        Field(
            "purchase_money",
            Kind.FLAG,
            "the loan paid for the home when it was bought (not a refinance or a cash-out); some states bar a "
            "deficiency on such a loan",
            label="The loan bought the home",
        ),
    )
    SECTION: ClassVar[str] = "signing"

    cash_price: Decimal | None = None
    amount_financed: Decimal | None = None
    value_at_signing: Decimal | None = None
    purchase_money: bool = False


# ----------------------------------------------------------------------------- where things stand


@dataclass(frozen=True, slots=True)
class Stage(Part):
    """Where things stand: ``stage`` (:data:`STAGES`), the ``months_behind`` on payments while
    the borrower still has it, and, once it was repossessed and sold, what the sale brought, the
    lender's costs, the deficiency it claims, the sale's date and whether a notice of the sale
    came first; ``unpaid_balance_at_default`` and ``fair_market_value`` (dollars) are what some
    states measure a deficiency by."""

    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field(
            "stage",
            Kind.CHOICE,
            "whether you still have it, or it was repossessed and sold, or it was totalled or stolen",
            label="Do you still have it?",
            choices=STAGES,
            choice_labels=(
                "I still have it",
                "It was repossessed and sold",
                "It was totalled or stolen",
            ),
            essential=True,
        ),
        _months(
            "months_behind",
            "Months behind on payments",
            "how many monthly payments are past due (0: you are current)",
            minimum=0,
        ),
        _money(
            "repo_sale_price",
            "What the lender's sale brought",
            "after a repossession: what the lender's sale of it brought, in dollars",
        ),
        _money(
            "repo_expenses",
            "The lender's costs",
            "after a repossession: what the lender charged for taking it back, storing and selling it, in "
            "dollars (default: the usual costs for what it is)",
        ),
        _money(
            "deficiency_claimed",
            "The deficiency the lender claims",
            "after a repossession: what the lender says you still owe, in dollars (default: worked out from "
            "the sale)",
        ),
        Field(
            "repo_sale_date",
            Kind.DATE,
            "after a repossession: the date of the lender's sale, YYYY-MM-DD (default: the as-of date)",
            label="Date of the sale",
        ),
        Field(
            "sale_notice_received",
            Kind.YES_NO,
            "after a repossession: whether the lender sent you a notice before selling it",
            label="Did a notice of the sale come first?",
        ),
        _money(
            "unpaid_balance_at_default",
            "Balance when you defaulted",
            "what was still owed when you defaulted, in dollars (some states' bars; default: the payoff)",
        ),
        _money(
            "fair_market_value",
            "Its fair market value",
            "its fair market value at the sale, in dollars (Massachusetts credits it instead of the sale "
            "price; default: what it would fetch)",
        ),
    )
    SECTION: ClassVar[str] = "stage"

    stage: str = "have_it"
    months_behind: int = 0
    repo_sale_price: Decimal | None = None
    repo_expenses: Decimal | None = None
    deficiency_claimed: Decimal | None = None
    repo_sale_date: date | None = None
    sale_notice_received: bool | None = None
    unpaid_balance_at_default: Decimal | None = None
    fair_market_value: Decimal | None = None

    def check(self) -> None:
        """A repossession's figures belong to that stage; behind on payments belongs to having it."""
        repo = (
            "repo_sale_price",
            "repo_expenses",
            "deficiency_claimed",
            "repo_sale_date",
            "sale_notice_received",
        )
        if self.stage != "repossessed":
            for name in repo:
                if getattr(self, name) is not None:
                    raise InputError(name, "applies after a repossession: give `stage` repossessed")
        elif self.repo_sale_price is None:
            raise InputError(
                "repo_sale_price", "is required after a repossession: what the lender's sale of it brought"
            )
        if self.months_behind and self.stage != "have_it":
            raise InputError("months_behind", "applies while you still have it", got=self.months_behind)


# ----------------------------------------------------------------------------- what the borrower can pay

CREDIT_TIERS = ("super_prime", "prime", "near_prime", "subprime", "deep_subprime")


@dataclass(frozen=True, slots=True)
class Means(Part):
    """What the borrower can do: the ``cash_available`` now and the ``monthly_budget`` for all
    loan, plan and rent payments together (dollars; either left out is not checked), and the
    ``credit_tier`` (default: the one whose average rate is nearest the loan's)."""

    FIELDS: ClassVar[tuple[Field, ...]] = (
        _money(
            "cash_available",
            "Cash you could put in today",
            "the cash you could pay today, in dollars: a way out that needs more is out of reach",
            essential=True,
        ),
        _money(
            "monthly_budget",
            "What you can pay each month",
            "the most you can pay each month for the loan (or its replacement, a plan, rent), in dollars",
            essential=True,
        ),
        Field(
            "credit_tier",
            Kind.CHOICE,
            "your credit as lenders price it (default: the tier whose average rate is nearest your loan's)",
            label="Your credit",
            choices=CREDIT_TIERS,
            choice_labels=(
                "excellent (781-850)",
                "good (661-780)",
                "fair (601-660)",
                "poor (501-600)",
                "very poor (300-500)",
            ),
        ),
    )
    SECTION: ClassVar[str] = "means"

    cash_available: Decimal | None = None
    monthly_budget: Decimal | None = None
    credit_tier: str | None = None


# ----------------------------------------------------------------------------- a replacement


@dataclass(frozen=True, slots=True)
class Replacement(Part):
    """What giving the asset up means. ``needed``: whether the borrower still needs an asset
    like this one (a truck that earns the living: yes). If so, every exit that gives it up
    pays for a replacement from the day it goes. A vehicle's is one like it bought at ``price``
    (default: the value) and financed over ``term_months`` (default: the payments left) at
    ``rate_percent`` (default: the average for the borrower's credit tier), or at
    ``damaged_rate_percent`` after an exit that marks the credit report (default: the average
    of the tier the mark moves the borrower to, never below the rate before it nor the loan's
    own); a home's is rent (default: a cited share of its value a year), or a home bought with a
    30-year mortgage when a price or a rate is given. ``monthly`` (dollars a month) rents one
    instead, keeping no asset."""

    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field(
            "needs_replacement",
            Kind.YES_NO,
            "whether you still need an asset like this one if you give it up (a truck that earns "
            "your living: yes); then every exit that gives it up pays for a replacement",
            label="Would you need another one?",
            essential=True,
            attr="needed",
        ),
        _money(
            "replacement_price",
            "What a replacement costs",
            "the price of a replacement like this one, in dollars (default: what yours would fetch today)",
            attr="price",
        ),
        _rate(
            "replacement_rate_percent",
            "A replacement loan's rate, percent a year",
            "the yearly rate on a replacement loan with your credit as it is (default: the average for your "
            "credit; a home: a 30-year mortgage's average)",
            attr="rate_percent",
        ),
        _rate(
            "damaged_credit_rate_percent",
            "Its rate after a repossession, percent a year",
            "the yearly rate on a replacement loan after a surrender, repossession, short sale or "
            "settlement marks your credit (default: the average for the credit the mark leaves you with, "
            "never below your rate today)",
            attr="damaged_rate_percent",
        ),
        _months(
            "replacement_term_months",
            "A replacement loan's term, months",
            "the replacement loan's term (default: the payments left on yours; a home: 360)",
            attr="term_months",
        ),
        _money(
            "replacement_monthly",
            "Or: what renting one costs a month",
            "instead of buying one, what renting or leasing a replacement costs each month, in dollars "
            "(a home: the default, at a cited share of its value)",
            attr="monthly",
        ),
    )
    SECTION: ClassVar[str] = "replacement"

    needed: bool = True
    price: Decimal | None = None
    rate_percent: Decimal | None = None
    damaged_rate_percent: Decimal | None = None
    term_months: int | None = None
    monthly: Decimal | None = None


# ----------------------------------------------------------------------------- the borrower

STATE = Field(
    "state",
    Kind.TEXT,
    "your state, as a two-letter code or its name (deficiency rules, the trade-in tax credit)",
    label="Your state",
    example="CO",
)


@dataclass(frozen=True, slots=True)
class Borrower(Part):
    """Where the borrower stands: the ``state`` (deficiency rules, the trade-in tax credit),
    whether the loan is ``commercial`` (not a consumer transaction), the marginal income tax rate
    (percent) to estimate tax on forgiven debt, and the date deficiency estimates are as of."""

    FIELDS: ClassVar[tuple[Field, ...]] = (
        STATE,
        Field(
            "commercial",
            Kind.FLAG,
            "the loan is for a business, not a consumer (e.g. a fleet truck)",
            label="A business loan",
        ),
        _percent(
            "marginal_tax_rate_percent",
            "Your income tax rate, percent",
            "your top income tax rate, for the tax on forgiven debt (default: 12, the federal rate of the "
            "median return; state tax not included)",
            attr="marginal_tax_percent",
        ),
        Field(
            "as_of", Kind.DATE, "the date the figures are as of, YYYY-MM-DD (default: today)", label="As of"
        ),
    )
    SECTION: ClassVar[str] = "borrower"

    state: str | None = None
    commercial: bool = False
    marginal_tax_percent: Decimal | None = None
    as_of: date | None = None


# ----------------------------------------------------------------------------- the lender


@dataclass(frozen=True, slots=True)
class LenderView(Part):
    """The lender's side: its cost of funds (percent per year, what its dollars are discounted
    at; default a cited figure), the share of a deficiency it expects to collect (percent;
    default a cited figure), the months from a repossession to the auction sale, the months a
    deficiency takes to collect, and what its auction would bring (dollars; default a cited
    share of the value)."""

    FIELDS: ClassVar[tuple[Field, ...]] = (
        _percent(
            "deficiency_collect_percent",
            "Share of a deficiency the lender collects, percent",
            "how much of a deficiency the lender expects to collect, in percent (default: a cited figure)",
            attr="collect_percent",
        ),
        _months(
            "months_to_sell",
            "Months from repossession to sale",
            "months from taking the asset back to the auction sale",
            minimum=0,
        ),
        _months(
            "months_to_collect",
            "Months to collect a deficiency",
            "months the lender takes to collect what it collects of a deficiency",
            minimum=0,
        ),
        _rate(
            "cost_of_funds_percent",
            "The lender's cost of funds, percent a year",
            "what a dollar the lender gets today is worth to it a year on, in percent a year: its dollars "
            "are discounted at it (default: a cited figure)",
        ),
        _money(
            "auction_price",
            "What the lender's auction would bring",
            "what a repossession auction would sell it for, in dollars (default: a cited share of what it "
            "would fetch)",
        ),
        Field(
            "investor",
            Kind.CHOICE,
            "who owns or insures a home loan: Fannie Mae, Freddie Mac, the FHA, or another (the lender "
            "itself or a private investor); the relief a servicer gives in a short sale or a deed in lieu "
            "depends on it (default: another, with no programme's relief assumed)",
            label="Who owns or insures the mortgage",
            choices=INVESTORS,
            choice_labels=(
                "Fannie Mae",
                "Freddie Mac",
                "The FHA",
                "Another (the lender itself, or not known)",
            ),
        ),
    )
    SECTION: ClassVar[str] = "lender"

    collect_percent: Decimal | None = None
    months_to_sell: int | None = None
    months_to_collect: int | None = None
    cost_of_funds_percent: Decimal | None = None
    auction_price: Decimal | None = None
    investor: str = "other"


# ----------------------------------------------------------------------------- how to compare


@dataclass(frozen=True, slots=True)
class Comparison(Part):
    """How exits are compared: at ``horizon_months`` (default: the payments left), ranked by
    ``rank_by`` (one of :data:`RANK_CRITERIA`), the borrower's dollars discounted at
    ``opportunity_rate_percent`` (percent per year; default a cited figure)."""

    FIELDS: ClassVar[tuple[Field, ...]] = (
        _months(
            "horizon_months",
            "Compare after how many months",
            "when to measure every exit (default: the payments left)",
        ),
        Field(
            "rank_by",
            Kind.CHOICE,
            "what to rank the exits by",
            label="Rank by",
            choices=RANK_CRITERIA,
            choice_labels=(
                "most in today's dollars",
                "best position at the end, every dollar alike",
                "least cash today",
                "least paid in all",
                "mildest credit mark",
            ),
        ),
        _rate(
            "opportunity_rate_percent",
            "What your money earns, percent a year",
            "what a dollar you keep today earns (or saves on dearer debt) in a year, in percent: later "
            "dollars are discounted at it (default: a cited safe rate)",
        ),
    )
    SECTION: ClassVar[str] = "comparison"

    horizon_months: int | None = None
    rank_by: str = "present_value"
    opportunity_rate_percent: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Purchase(Part):
    """A purchase, for the projection's "how not to get here again": the ``price`` (dollars),
    the ``down_payment``, the loan's ``term_months``, what was financed on top of the price
    (taxes and fees, add-ons, an old loan's negative equity, dollars) and how many payments have
    been made since (``months_elapsed``)."""

    FIELDS: ClassVar[tuple[Field, ...]] = (
        _money("price", "Purchase price", "what the asset cost, in dollars", essential=True, example="40000"),
        _money("down_payment", "Cash down", "cash put down at purchase, in dollars"),
        _months(
            "term_months", "The loan's term, months", "the purchase loan's term in months", essential=True
        ),
        _money(
            "taxes_fees_financed", "Taxes and fees financed", "taxes and fees added to the loan, in dollars"
        ),
        _money(
            "addons_financed",
            "Add-ons financed",
            "warranties, GAP, service contracts and accessories added to the loan, in dollars",
        ),
        _money(
            "negative_equity_rolled",
            "Negative equity rolled in",
            "what was still owed on an old loan beyond its trade-in value, added to this loan, in dollars",
        ),
        _months(
            "months_elapsed", "Payments made since", "monthly payments made since the purchase", minimum=0
        ),
    )
    SECTION: ClassVar[str] = "purchase"

    price: Decimal | None = None
    down_payment: Decimal = ZERO
    term_months: int | None = None
    taxes_fees_financed: Decimal = ZERO
    addons_financed: Decimal = ZERO
    negative_equity_rolled: Decimal = ZERO
    months_elapsed: int = 0


@dataclass(frozen=True, slots=True)
class LeaseDeal(Part):
    """A closed-end lease (:mod:`underwater.lease`): the base ``payment`` a month before tax,
    the ``residual``, the ``term_months`` and the ``payments_made`` so far (the first, at
    signing, included); the disclosure's ``gross_cap_cost`` and ``cap_cost_reduction`` (the rate
    is then the one implicit in the payment), or else the ``money_factor``; the ``tax_percent``
    on each payment, the contract's ``disposition_fee``, ``purchase_option_fee`` and
    ``early_termination_fee``, the lessor's payoff quote for today (``lessor_payoff``), and the
    mileage allowance a year with the ``excess_mile_charge`` (dollars a mile)."""

    FIELDS: ClassVar[tuple[Field, ...]] = (
        _money(
            "lease_payment",
            "Monthly payment, before tax",
            "the base monthly payment before tax, in dollars (the disclosure's base monthly payment)",
            attr="payment",
            example="244.69",
        ),
        _money(
            "lease_residual",
            "Residual value",
            "what the contract says it is worth at the end of the lease, and the price to buy it then, in "
            "dollars",
            attr="residual",
            example="12350",
        ),
        _months(
            "lease_term_months",
            "Lease term, months",
            "the lease's term in months",
            attr="term_months",
        ),
        _months(
            "payments_made",
            "Payments made so far",
            "how many monthly payments you have made, the one at signing included",
            minimum=0,
        ),
        _money(
            "gross_cap_cost",
            "Gross capitalized cost",
            "the agreed value of the vehicle plus anything else paid over the lease, in dollars (on the "
            "disclosure)",
        ),
        _money(
            "cap_cost_reduction",
            "Capitalized cost reduction",
            "what lowered it at signing (cash, a trade-in's equity, rebates), in dollars",
        ),
        Field(
            "money_factor",
            Kind.DECIMAL,
            "the money factor the lessor quoted (such as 0.00125), when the capitalized cost is not known",
            label="Money factor",
            minimum=0,
            maximum=Decimal("0.05"),
        ),
        _percent(
            "lease_tax_percent",
            "Tax on each payment, percent",
            "the sales or use tax on each monthly payment, in percent",
            attr="tax_percent",
        ),
        _money("disposition_fee", "Disposition fee", "the fee when it goes back at the end, in dollars"),
        _money("purchase_option_fee", "Purchase option fee", "the fee for buying it, in dollars"),
        _money(
            "early_termination_fee",
            "Early termination fee",
            "the contract's fee for ending the lease early, in dollars",
        ),
        _money(
            "lessor_payoff",
            "The lessor's payoff quote",
            "what the lessor quotes to buy it today, in dollars (default: worked out from the lease)",
        ),
        Field(
            "miles_allowed_per_year",
            Kind.DECIMAL,
            "the miles a year the lease allows",
            label="Miles allowed a year",
            minimum=0,
            maximum=200_000,
        ),
        _money(
            "excess_mile_charge",
            "Charge per mile over",
            "what each mile over the allowance costs at the end, in dollars (such as 0.25)",
        ),
    )
    SECTION: ClassVar[str] = "lease"

    payment: Decimal | None = None
    residual: Decimal | None = None
    term_months: int | None = None
    payments_made: int | None = None
    gross_cap_cost: Decimal | None = None
    cap_cost_reduction: Decimal | None = None
    money_factor: Decimal | None = None
    tax_percent: Decimal = ZERO
    disposition_fee: Decimal = ZERO
    purchase_option_fee: Decimal = ZERO
    early_termination_fee: Decimal = ZERO
    lessor_payoff: Decimal | None = None
    miles_allowed_per_year: Decimal | None = None
    excess_mile_charge: Decimal = ZERO

    @property
    def is_lease(self) -> bool:
        """Whether a lease was given (any of its inputs)."""
        return any(getattr(self, f.target) not in (None, ZERO) for f in self.FIELDS)

    def check(self) -> None:
        """A lease needs its payment, residual, term and payments made, and a way to its rate."""
        if not self.is_lease:
            return
        needed: tuple[tuple[str, object], ...] = (
            ("lease_payment", self.payment),
            ("lease_residual", self.residual),
            ("lease_term_months", self.term_months),
            ("payments_made", self.payments_made),
        )
        missing = [InputError(name, "is required for a lease") for name, value in needed if value is None]
        if missing:
            raise missing[0] if len(missing) == 1 else InputErrors(missing)
        assert self.term_months is not None and self.payments_made is not None
        if self.payments_made > self.term_months:
            raise InputError(
                "payments_made",
                f"must not be more than the lease term, {self.term_months}",
                got=self.payments_made,
            )
        if self.cap_cost_reduction is not None and self.gross_cap_cost is None:
            raise InputError("cap_cost_reduction", "needs the `gross_cap_cost` it lowers")
        if self.gross_cap_cost is None and self.money_factor is None:
            raise InputError(
                "gross_cap_cost", "or the `money_factor` is needed: the lease's rate comes from one of them"
            )
        self.terms()  # the lease must add up (a residual above the capitalized cost …)

    def terms(self) -> LeaseTerms:
        """The lease as :class:`underwater.lease.LeaseTerms`. Without the capitalized cost, the
        adjusted capitalized cost is what the payments in advance and the residual are worth at
        the money factor's rate (× 2,400), so that rate is the one the balance follows. Colorado's
        worked lease ($20,000 adjusted, $8,000 residual, 48 months, a money factor of 0.004, $362
        a month) comes out $45.89 lower: the money factor's way of working the payment only
        approximates the constant yield.

        >>> LeaseDeal(payment=362, residual=8000, term_months=48, payments_made=0,
        ...           money_factor="0.004").terms().adjusted_cap_cost
        Decimal('19954.11')
        """
        assert self.payment is not None and self.residual is not None and self.term_months is not None
        fees = {
            "tax_percent": self.tax_percent,
            "disposition_fee": self.disposition_fee,
            "purchase_option_fee": self.purchase_option_fee,
            "early_termination_fee": self.early_termination_fee,
        }
        if self.gross_cap_cost is not None:
            return LeaseTerms(
                self.gross_cap_cost,
                self.cap_cost_reduction or ZERO,
                self.residual,
                self.term_months,
                self.payment,
                **fees,
            )
        assert self.money_factor is not None
        adjusted = lease_worth(self.payment, self.residual, self.term_months, self.money_factor * 2)
        return LeaseTerms(adjusted, ZERO, self.residual, self.term_months, self.payment, **fees)


PARTS: tuple[type[Part], ...] = (
    Loan,
    SecondLien,
    Asset,
    LeaseDeal,
    Interest,
    Stage,
    Sale,
    NextDeal,
    Refinance,
    Workout,
    Insurance,
    Replacement,
    Means,
    Borrower,
    Signing,
    LenderView,
    Comparison,
)
"""The parts of a situation, in the order their sections are shown."""


@dataclass(frozen=True, slots=True)
class Situation:
    """Everything the exits need, in named parts (see each part). Only ``loan`` and ``asset``
    must be given; every other part has its defaults.

    >>> s = Situation(Loan(owed=80000, rate_percent=9, remaining_payments=48), Asset(value=60000))
    >>> s.asset.asset_class, s.replacement.needed, s.comparison.rank_by
    ('car', True, 'present_value')
    """

    loan: Loan
    asset: Asset
    second_lien: SecondLien = SecondLien()
    lease: LeaseDeal = LeaseDeal()
    interest: Interest = Interest()
    stage: Stage = Stage()
    sale: Sale = Sale()
    next_deal: NextDeal = NextDeal()
    refinance: Refinance = Refinance()
    workout: Workout = Workout()
    insurance: Insurance = Insurance()
    replacement: Replacement = Replacement()
    means: Means = Means()
    borrower: Borrower = Borrower()
    signing: Signing = Signing()
    lender: LenderView = LenderView()
    comparison: Comparison = Comparison()

    def __post_init__(self) -> None:
        # While the loan runs every exit needs its rate and term; after a repossession or a total
        # loss only what was owed counts. A lease brings its own terms: what it takes to pay it
        # off (``owed``) is the lessor's payoff quote, and a loan's terms do not apply to it.
        if self.second_lien.given and self.loan.owed == 0:
            raise InputError(
                "lien2_owed",
                "a second loan needs a first: with nothing owed on a first loan, give this one as the loan "
                "(`owed`, `rate_percent`, `remaining_payments`)",
                got=self.second_lien.owed,
            )
        if self.second_lien.given and self.lease.is_lease:
            raise InputError("lien2_owed", "a lease has no second loan behind it", got=self.second_lien.owed)
        if self.lease.is_lease:
            self._check_lease()
        elif self.stage.stage == "have_it":
            self.loan.require_terms()

    def _check_lease(self) -> None:
        if self.stage.stage != "have_it":
            raise InputError(
                "stage",
                "a lease after a repossession or a total loss is not worked out here",
                got=self.stage.stage,
            )
        if self.lease.lessor_payoff is not None:
            raise InputError(
                "lessor_payoff",
                "give the lessor's payoff quote as `owed`: it is what it takes to pay the lease off",
            )
        for name in ("rate_percent", "remaining_payments", "payment", "extra_monthly"):
            if getattr(self.loan, name) not in (None, ZERO):
                raise InputError(name, "applies to a loan: a lease's payments and rate are the lease's own")
        if self.interest.interest_method != "monthly":
            raise InputError("interest_method", "applies to a loan, not a lease")

    @property
    def behind(self) -> Decimal | Contract:
        """What is owed behind this loan (:func:`junior_liens`): the second loan's contract, or
        the other liens' dollars held as they are."""
        return junior_liens(self.loan, self.second_lien)

    @property
    def liens_today(self) -> Decimal:
        """What is owed today on the liens behind this loan, in dollars."""
        return self.loan.other_liens + self.second_lien.owed

    @staticmethod
    def fields() -> tuple[Field, ...]:
        """Every field of every part, in section order."""
        return tuple(f for part in PARTS for f in part.fields())

    @classmethod
    def from_inputs(cls, values: Mapping[str, Any]) -> Situation:
        """The situation from inputs named by field (``owed``, ``next_price`` …), each part built
        from its own fields; every part's problems are named together."""
        built: dict[str, Part] = {}
        problems: list[InputError] = []
        for part in PARTS:
            name = _PART_NAMES[part]
            try:
                built[name] = part.from_inputs(values)
            except InputError as exc:
                problems.extend(exc.problems)
        if problems:
            raise problems[0] if len(problems) == 1 else InputErrors(problems)
        return cls(**built)  # type: ignore[arg-type]

    @property
    def horizon(self) -> int:
        """The month the exits are measured at: the one asked for, else the payments left (after a
        repossession, 48 months: the four years UCC 2-725 usually gives a lender to sue; after a
        total loss without the payments left, 60)."""
        given = self.comparison.horizon_months
        if given is not None:
            return given
        if self.lease.is_lease:
            assert self.lease.term_months is not None and self.lease.payments_made is not None
            return max(self.lease.term_months - self.lease.payments_made, 1)
        if self.stage.stage == "repossessed":
            return 48
        remaining = self.loan.remaining_payments
        return 60 if remaining is None else min(remaining, MAX_HORIZON_MONTHS)


_PART_NAMES: dict[type[Part], str] = {
    part: f.name for f in dataclasses.fields(Situation) for part in PARTS if f.type == part.__name__
}
assert len(_PART_NAMES) == len(PARTS), "every part of a situation is one of its fields"
