"""When will I surface? Month-by-month what is owed against what the asset is worth, and the
solvers built on it.

**The projection** (:func:`project_contract`) reads one :class:`~underwater.contracts.Contract`
— what is owed month by month — against one :class:`~underwater.valuepath.ValuePath` — what
the asset is worth month by month from today's known value. Month 0 is today; month t ≥ 1 is
just after the t-th monthly payment. Other liens (dollars) stay constant and count in what is
**owed** = balance + other liens. :func:`project` is the same for a level-payment loan given as
numbers (text accepted, read once at the edge).

**Definitions** (every row, every month t from 0 to the horizon), made here once for every
engine (the exits, the book's exact reference):

- ``equity`` = value − owed; ``negative_equity`` = max(owed − value, 0); ``under_water`` = owed > value;
- ``owed``: the loan's balance plus what is owed behind it (a second loan's balance as its own
  payments leave it, or other liens held as they are);
- ``interest``: the interest in the loan's payment t (0.00 at month 0);
- **crossover**: the month from which owed ≤ value in every later month of the horizon: the loan
  has surfaced for good (0 when it is never under water; ``None`` when it is still under water at
  the horizon). A loan even today that dips under water later has not crossed over yet;
- ``first_under_water_month``: the first month t ≥ 0 with owed > value (``None`` when never);
- ``peak_negative_equity``: the largest negative equity in the horizon, first reached in ``peak_month``
  (``None`` when never under water);
- ``months_under_water``: how many months t in 0..horizon are under water;
- ``interest_paid_while_under_water``: the interest of every payment t ≥ 1 made while the loan was
  under water just before it (at month t − 1), a second loan's interest included.

Rates are percent per year as a person types them (``Decimal("6.9")`` is 6.9 %); money is dollars.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from underwater.assets import AssetClass, parse_asset_class
from underwater.contracts import AmortizingLoan, Contract, ContractMonth
from underwater.dates import add_months
from underwater.depreciation import MAX_AGE_MONTHS, MAX_HORIZON_MONTHS
from underwater.errors import InputError, NoSolutionError
from underwater.limits import MAX_AMOUNT, MAX_MONTHS, check_date
from underwater.money import (
    ZERO,
    format_money,
    format_money_human,
    parse_decimal,
    parse_money,
    parse_percent,
)
from underwater.simple_interest import SimpleInterestLoan
from underwater.valuepath import ValuePath, pick_curve

if TYPE_CHECKING:
    from underwater.situation import Asset, Interest, Loan

__all__ = [
    "MAX_REMAINING_PAYMENTS",
    "HabitCost",
    "Prevention",
    "Projection",
    "ProjectionRow",
    "crossover_month",
    "extra_to_surface_by",
    "extra_to_surface_loan",
    "habit_cost",
    "lien_balances",
    "prevention",
    "project",
    "project_contract",
    "project_loan",
]

Number = Decimal | int | str

MAX_REMAINING_PAYMENTS = MAX_MONTHS
"""Most monthly payments a loan may have left (100 years, as the loan engine allows)."""

MAX_RATE_PERCENT = Decimal(1000)
_TERM_SEARCH = (12, 96)  # the terms prevention tries, in months: one to eight years


def _whole(value: object, field: str, minimum: int, maximum: int) -> int:
    number = parse_decimal(value, field, minimum=Decimal(minimum), maximum=Decimal(maximum), unit="months")
    if number != number.to_integral_value():
        raise InputError(field, "must be a whole number of months", got=value)
    return int(number)


def _shock(value: object) -> Decimal:
    shock = parse_percent(value, "shock_percent")
    if shock == 100:
        raise InputError("shock_percent", "must be below 100 percent (a drop to nothing)", got=value)
    return shock


def _rate_curve(value: Number | None) -> Decimal | None:
    if value is None:
        return None
    rate = parse_decimal(
        value,
        "depreciation_rate_percent",
        minimum=Decimal(-50),
        maximum=Decimal(100),
        unit="percent per year",
    )
    if rate == 100:
        raise InputError("depreciation_rate_percent", "must be below 100 percent per year", got=value)
    return rate


def _path(
    value_today: Number,
    *,
    asset_class: AssetClass | str,
    age_months: int,
    shock_percent: Number,
    depreciation: str | None,
    depreciation_rate_percent: Number | None,
    annual_miles: Number | None,
) -> ValuePath:
    """A value path from numbers as a person gives them (read once, here)."""
    curve = pick_curve(parse_asset_class(asset_class), depreciation, _rate_curve(depreciation_rate_percent))
    miles = None
    if annual_miles is not None:
        miles = parse_decimal(
            annual_miles, "annual_miles", minimum=Decimal(0), maximum=Decimal(1_000_000), unit="miles"
        )
    return ValuePath(
        parse_money(value_today, "value_today"),
        curve,
        _whole(age_months, "age_months", 0, MAX_AGE_MONTHS),
        _shock(shock_percent),
        miles,
    )


# ----------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class ProjectionRow:
    """One month of a projection (dollars). ``paid`` is the cash paid on the loan that month
    (payment + extra; 0.00 at month 0 and after payoff); it is not part of the JSON row."""

    month: int
    date: date | None
    balance: Decimal
    owed: Decimal
    value: Decimal
    interest: Decimal
    paid: Decimal

    @property
    def equity(self) -> Decimal:
        """Value − owed (dollars): negative when under water."""
        return self.value - self.owed

    @property
    def negative_equity(self) -> Decimal:
        """max(owed − value, 0) in dollars."""
        return max(self.owed - self.value, ZERO)

    @property
    def under_water(self) -> bool:
        """Whether more is owed than the asset is worth this month."""
        return self.owed > self.value

    def to_json(self) -> dict[str, Any]:
        """Exactly ``month``, ``date``, ``balance``, ``owed``, ``value``, ``equity``,
        ``negative_equity``, ``interest``."""
        return {
            "month": self.month,
            "date": None if self.date is None else self.date.isoformat(),
            "balance": format_money(self.balance),
            "owed": format_money(self.owed),
            "value": format_money(self.value),
            "equity": format_money(self.equity),
            "negative_equity": format_money(self.negative_equity),
            "interest": format_money(self.interest),
        }


@dataclass(frozen=True, slots=True)
class Projection:
    """Balance against value month by month, with the crossover and the cost of the wait.

    Money is dollars; the definitions are in this module's docstring. Build it with :func:`project`.
    """

    rows: tuple[ProjectionRow, ...]
    crossover_month: int | None
    first_under_water_month: int | None
    peak_negative_equity: Decimal
    peak_month: int | None
    months_under_water: int
    interest_paid_while_under_water: Decimal

    @property
    def horizon_months(self) -> int:
        """The last month projected."""
        return self.rows[-1].month

    @property
    def crossover_date(self) -> date | None:
        """The date of the crossover month, when dates were asked for and it happens."""
        if self.crossover_month is None:
            return None
        return self.rows[self.crossover_month].date

    @property
    def status_today(self) -> str:
        """``underwater``, ``even`` or ``above water`` at month 0."""
        equity = self.rows[0].equity
        return "underwater" if equity < 0 else "even" if equity == 0 else "above water"

    @property
    def total_paid(self) -> Decimal:
        """Cash paid on the loan over the horizon (payments + extras), in dollars."""
        return sum((row.paid for row in self.rows), ZERO)

    def paid_through(self, month: int) -> Decimal:
        """Cash paid on the loan in months 1..``month`` (dollars)."""
        return sum((row.paid for row in self.rows[1 : month + 1]), ZERO)

    @property
    def summary(self) -> str:
        """One plain sentence: when the loan surfaces, or that it does not within the horizon."""
        today = self.rows[0]
        if self.crossover_month == 0:
            word = "even" if today.equity == 0 else "above water"
            return (
                f"You are {word} today and stay so: you owe {format_money_human(today.owed)} on an asset "
                f"worth {format_money_human(today.value)}."
            )
        dips = ""
        first = self.first_under_water_month
        if first is not None and first > 0:
            word = "even" if today.equity == 0 else "above water"
            dips = f"You are {word} today but go under water in {self._when(first)}. "
        tail = ""
        if self.peak_month is not None:
            tail = (
                f" Negative equity peaks at {format_money_human(self.peak_negative_equity)} in month "
                f"{self.peak_month}; {self.months_under_water} months under water cost "
                f"{format_money_human(self.interest_paid_while_under_water)} of interest."
            )
        if self.crossover_month is None:
            last = self.rows[-1]
            return (
                dips + f"Not within the {self.horizon_months}-month horizon: in month {last.month} you would "
                f"still owe {format_money_human(last.negative_equity)} more than the asset is worth." + tail
            )
        row = self.rows[self.crossover_month]
        return (
            dips + f"You surface in {self._when(row.month)} and stay above water: you would owe "
            f"{format_money_human(row.owed)} on an asset worth {format_money_human(row.value)}." + tail
        )

    def _when(self, month: int) -> str:
        day = self.rows[month].date
        return f"month {month}" + ("" if day is None else f" ({day:%Y-%m})")

    def to_json(self) -> dict[str, Any]:
        """Keys: ``crossover_month``, ``crossover_date``, ``first_under_water_month``,
        ``peak_negative_equity``, ``peak_month``,
        ``months_under_water``, ``interest_paid_while_under_water``, ``status_today``,
        ``negative_equity_today``, ``horizon_months``, ``summary`` and ``months`` (rows with
        ``month``, ``date``, ``balance``, ``owed``, ``value``, ``equity``, ``negative_equity``,
        ``interest``)."""
        crossover = self.crossover_date
        return {
            "crossover_month": self.crossover_month,
            "crossover_date": None if crossover is None else crossover.isoformat(),
            "first_under_water_month": self.first_under_water_month,
            "peak_negative_equity": format_money(self.peak_negative_equity),
            "peak_month": self.peak_month,
            "months_under_water": self.months_under_water,
            "interest_paid_while_under_water": format_money(self.interest_paid_while_under_water),
            "status_today": self.status_today,
            "negative_equity_today": format_money(self.rows[0].negative_equity),
            "horizon_months": self.horizon_months,
            "summary": self.summary,
            "months": [row.to_json() for row in self.rows],
        }


# ----------------------------------------------------------------------------- projection


def crossover_month(under_water: Sequence[bool]) -> int | None:
    """The month from which no later month is under water: one past the last month under
    water, 0 when none is, ``None`` when the last month of the horizon still is.

    >>> crossover_month([True, True, False, True, False, False])
    4
    >>> crossover_month([False, False]), crossover_month([False, True])
    (0, None)
    """
    last = next((t for t in range(len(under_water) - 1, -1, -1) if under_water[t]), None)
    if last is None:
        return 0
    return None if last == len(under_water) - 1 else last + 1


def lien_balances(other_liens: Decimal | Contract, horizon_months: int) -> tuple[Decimal, ...]:
    """What is owed behind the first loan in months 0..``horizon_months`` (dollars): a second
    loan's balance month by month, or ``other_liens`` dollars held as they are.

    >>> lien_balances(Decimal(500), 2)
    (Decimal('500'), Decimal('500'), Decimal('500'))
    >>> lien_balances(AmortizingLoan(Decimal(1000), Decimal(12), 2), 2)
    (Decimal('1000'), Decimal('502.49'), Decimal('0.00'))
    """
    if isinstance(other_liens, Contract):
        return tuple(m.balance for m in other_liens.months(horizon_months))
    return (other_liens,) * (horizon_months + 1)


def project_contract(
    contract: Contract,
    path: ValuePath,
    horizon_months: int,
    *,
    other_liens: Decimal | Contract = ZERO,
    start_date: date | None = None,
) -> Projection:
    """What is owed under ``contract`` (plus ``other_liens``: dollars held constant, or a second
    loan's contract, whose balance moves with its own payments) against
    the value on ``path``, for months 0..``horizon_months`` (0 to 600); ``start_date`` (today)
    dates each month: month t is ``start_date`` + t months. The definitions are in this
    module's docstring.

    $12,000 at 0 % over 12 payments on a $10,000 car losing 12 % a year surfaces in month 3:

    >>> from underwater.valuepath import pick_curve
    >>> path = ValuePath(Decimal(10000), pick_curve(AssetClass.CAR, depreciation_rate_percent=Decimal(12)))
    >>> project_contract(AmortizingLoan(Decimal(12000), ZERO, 12), path, 12).crossover_month
    3
    """
    if start_date is not None:
        check_date(start_date, "start_date")
    values = path.values(horizon_months)
    months = contract.months(horizon_months)
    lien_months: tuple[ContractMonth, ...] | None = None
    if isinstance(other_liens, Contract):
        lien_months = other_liens.months(horizon_months)
        behind = tuple(m.balance for m in lien_months)
    else:
        behind = (other_liens,) * (horizon_months + 1)
    rows = tuple(
        ProjectionRow(
            t,
            None if start_date is None else add_months(start_date, t),
            months[t].balance,
            months[t].balance + behind[t],
            values[t],
            months[t].interest,
            months[t].paid,
        )
        for t in range(horizon_months + 1)
    )
    under = [row.owed > row.value for row in rows]
    first_under = next((t for t, is_under in enumerate(under) if is_under), None)
    peak = ZERO
    peak_month: int | None = None
    interest_under = ZERO
    for row in rows:
        if row.month and under[row.month - 1]:
            # A second loan's interest counts beside the first's.
            interest_under += row.interest + (lien_months[row.month].interest if lien_months else ZERO)
        gap = row.owed - row.value
        if gap > peak:
            peak, peak_month = gap, row.month
    return Projection(rows, crossover_month(under), first_under, peak, peak_month, sum(under), interest_under)


@dataclass(frozen=True, slots=True)
class HabitCost:
    """What a payment habit costs on a daily simple-interest loan, against paying whole on every
    due date (dollars; months from today): the ``habit`` in words, the interest and late fees
    each way, the day each pays the loan off and its last payment, and the crossover month each
    way (None: not within the horizon)."""

    habit: str
    interest_on_time: Decimal
    interest_with_habit: Decimal
    fees_with_habit: Decimal
    payoff_date_on_time: date | None
    payoff_date_with_habit: date | None
    last_payment_on_time: Decimal
    last_payment_with_habit: Decimal
    crossover_on_time: int | None
    crossover_with_habit: int | None

    @property
    def extra_cost(self) -> Decimal:
        """What the habit costs over the loan (dollars; negative when it saves): interest and
        fees with it less the interest on time."""
        return self.interest_with_habit + self.fees_with_habit - self.interest_on_time

    def to_json(self) -> dict[str, Any]:
        """Keys: ``habit``, ``interest_on_time``, ``interest_with_habit``, ``fees_with_habit``,
        ``extra_cost``, ``payoff_date_on_time``, ``payoff_date_with_habit``,
        ``last_payment_on_time``, ``last_payment_with_habit``, ``crossover_on_time``,
        ``crossover_with_habit``."""
        return {
            "habit": self.habit,
            "interest_on_time": format_money(self.interest_on_time),
            "interest_with_habit": format_money(self.interest_with_habit),
            "fees_with_habit": format_money(self.fees_with_habit),
            "extra_cost": format_money(self.extra_cost),
            "payoff_date_on_time": _iso(self.payoff_date_on_time),
            "payoff_date_with_habit": _iso(self.payoff_date_with_habit),
            "last_payment_on_time": format_money(self.last_payment_on_time),
            "last_payment_with_habit": format_money(self.last_payment_with_habit),
            "crossover_on_time": self.crossover_on_time,
            "crossover_with_habit": self.crossover_with_habit,
        }


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def habit_cost(
    loan: SimpleInterestLoan, path: ValuePath, horizon_months: int, other_liens: Decimal | Contract = ZERO
) -> HabitCost:
    """``loan``'s payment habit against paying whole on every due date: the interest, fees,
    payoff date and crossover each way.

    $1,000 at 12 % over two payments, each paid five days late, on a $900 car losing 12 % a year:

    >>> from underwater.simple_interest import Habit
    >>> from underwater.valuepath import pick_curve
    >>> path = ValuePath(Decimal(900), pick_curve(AssetClass.CAR, depreciation_rate_percent=Decimal(12)))
    >>> late = SimpleInterestLoan(Decimal(1000), Decimal(12), 2, date(2025, 1, 1), habit=Habit(days_late=5))
    >>> cost = habit_cost(late, path, 2)
    >>> cost.extra_cost, cost.payoff_date_with_habit
    (Decimal('1.65'), datetime.date(2025, 3, 6))
    """
    on_time = loan.on_time()
    crossover = [
        project_contract(c, path, horizon_months, other_liens=other_liens).crossover_month
        for c in (on_time, loan)
    ]
    return HabitCost(
        loan.habit.words,
        on_time.total_interest,
        loan.total_interest,
        loan.total_fees,
        on_time.payoff_date,
        loan.payoff_date,
        on_time.postings[-1].paid if on_time.postings else ZERO,
        loan.postings[-1].paid if loan.postings else ZERO,
        crossover[0],
        crossover[1],
    )


def _loan(
    balance: object, rate_percent: object, remaining_payments: object, payment: object, extra: object
) -> AmortizingLoan:
    """A level-payment loan from numbers as a person gives them (read once, here)."""
    owed = parse_money(balance, "balance")
    rate = parse_percent(rate_percent, "rate_percent", maximum=MAX_RATE_PERCENT)
    if isinstance(remaining_payments, bool) or not isinstance(remaining_payments, int):
        raise InputError(
            "remaining_payments", "must be a whole number of monthly payments", got=remaining_payments
        )
    if not 1 <= remaining_payments <= MAX_REMAINING_PAYMENTS:
        raise InputError(
            "remaining_payments",
            f"must be from 1 to {MAX_REMAINING_PAYMENTS} monthly payments",
            got=remaining_payments,
        )
    regular = None if payment is None else parse_money(payment, "payment")
    if regular is not None and regular <= 0:
        raise InputError("payment", "must be more than 0.00", got=payment)
    return AmortizingLoan(owed, rate, remaining_payments, regular, parse_money(extra, "extra_monthly"))


def project(
    balance: Number,
    rate_percent: Number,
    remaining_payments: int,
    value_today: Number,
    *,
    asset_class: AssetClass | str = "car",
    age_months: int = 0,
    payment: Number | None = None,
    extra_monthly: Number = 0,
    other_liens: Number = 0,
    horizon_months: int | None = None,
    shock_percent: Number = 0,
    depreciation: str | None = None,
    depreciation_rate_percent: Number | None = None,
    start_date: date | None = None,
    annual_miles: Number | None = None,
) -> Projection:
    """Project what is owed against what the asset is worth, month by month.

    ``balance`` is the loan's balance today (dollars), ``rate_percent`` its rate in percent per
    year, ``remaining_payments`` the monthly payments left (1 to 1,200), ``value_today`` what the
    asset would fetch now (dollars). ``payment`` is the monthly payment (default: the level
    payment over the remaining payments); ``extra_monthly`` dollars go to principal with every
    payment; ``other_liens`` (dollars) stay constant and count in what is owed. The value follows
    ``depreciation_rate_percent`` (a constant percent lost per year), else the preset named
    ``depreciation``, else the default preset of ``asset_class``, from the asset's ``age_months``
    today (0 to 600), after a one-time ``shock_percent`` drop today, optionally adjusted for
    ``annual_miles``. ``horizon_months`` (1 to 600) defaults to the remaining term, at most 600.
    ``start_date`` (today) dates each month: month t is ``start_date`` + t months.
    Numbers may be given as text; they are read here, once (see :func:`project_contract`).

    $12,000 owed at 0 % over 12 payments of 1,000.00 on a car worth 10,000.00 that loses a
    constant 12 % a year: the loan surfaces in month 3 (see tests/test_projection.py for the sums):

    >>> p = project(12000, 0, 12, 10000, depreciation_rate_percent=12, start_date=date(2026, 12, 1))
    >>> p.crossover_month, p.crossover_date, p.rows[3].owed, p.rows[3].value
    (3, datetime.date(2027, 3, 1), Decimal('9000.00'), Decimal('9685.47'))
    """
    loan = _loan(balance, rate_percent, remaining_payments, payment, extra_monthly)
    if horizon_months is None:
        horizon = min(loan.term_months, MAX_HORIZON_MONTHS)
    else:
        horizon = _whole(horizon_months, "horizon_months", 1, MAX_HORIZON_MONTHS)
    path = _path(
        value_today,
        asset_class=asset_class,
        age_months=age_months,
        shock_percent=shock_percent,
        depreciation=depreciation,
        depreciation_rate_percent=depreciation_rate_percent,
        annual_miles=annual_miles,
    )
    return project_contract(
        loan, path, horizon, other_liens=parse_money(other_liens, "other_liens"), start_date=start_date
    )


# ----------------------------------------------------------------------------- solvers


def _smallest_cents(works: Callable[[int], bool], high: int) -> int:
    """The smallest whole number of cents in [0, high] for which ``works`` holds, given that it
    holds at ``high`` and never stops holding as the amount grows (about 40 steps at most)."""
    low = 0
    if works(low):
        return low
    while high - low > 1:
        middle = (low + high) // 2
        if works(middle):
            high = middle
        else:
            low = middle
    return high


def extra_to_surface_by(
    balance: Number,
    rate_percent: Number,
    remaining_payments: int,
    value_today: Number,
    target_month: int,
    *,
    asset_class: AssetClass | str = "car",
    age_months: int = 0,
    payment: Number | None = None,
    other_liens: Number = 0,
    shock_percent: Number = 0,
    depreciation: str | None = None,
    depreciation_rate_percent: Number | None = None,
    annual_miles: Number | None = None,
) -> Decimal:
    """The smallest extra monthly payment (dollars, to the cent) that surfaces the loan by
    ``target_month`` (1 to 600): the crossover happens in that month or earlier, so the loan
    stays above water from then on (checked to the end of the remaining term).

    The other arguments are those of :func:`project` (rates in percent per year). The answer is
    0.00 when the loan surfaces in time without help. Raises
    :class:`~underwater.errors.NoSolutionError` when even clearing the whole balance with the
    next payment would not do it (the other liens alone exceed the value).

    $12,000 at 0 % over 12 months on a $10,000 car losing 12 % a year surfaces in month 3 on its
    own; to surface by month 1 the first payment must bring the balance to the value then:

    >>> extra_to_surface_by(12000, 0, 12, 10000, 1, depreciation_rate_percent=12)
    Decimal('1105.96')
    """
    loan = _loan(balance, rate_percent, remaining_payments, payment, 0)
    path = _path(
        value_today,
        asset_class=asset_class,
        age_months=age_months,
        shock_percent=shock_percent,
        depreciation=depreciation,
        depreciation_rate_percent=depreciation_rate_percent,
        annual_miles=annual_miles,
    )
    target = _whole(target_month, "target_month", 1, MAX_HORIZON_MONTHS)
    return _extra_to_surface(loan, path, parse_money(other_liens, "other_liens"), target)


def _extra_to_surface(
    loan: Contract, path: ValuePath, other_liens: Decimal | Contract, target: int
) -> Decimal:
    horizon = max(target, min(loan.term_months, MAX_HORIZON_MONTHS))
    values = path.values(horizon)
    behind = lien_balances(other_liens, horizon)

    def surfaces(cents: int) -> bool:
        # Surfaced for good by the target: above water in every month from it to the horizon.
        months = loan.with_extra(Decimal(cents) / 100).months(horizon)
        return all(months[t].balance + behind[t] <= values[t] for t in range(target, horizon + 1))

    high = int(loan.payoff_at(0) * 100)
    if not surfaces(high):
        raise NoSolutionError(
            "target_month",
            f"no extra payment surfaces the loan by month {target}: even with the balance "
            f"paid off, the other liens {format_money(behind[0])} stay above the value",
        )
    return Decimal(_smallest_cents(surfaces, high)) / 100


# ----------------------------------------------------------------------------- prevention


@dataclass(frozen=True, slots=True)
class Prevention:
    """How to buy without going under water (dollars, months).

    ``total_cost`` = price + taxes and fees financed + add-ons financed + negative equity rolled
    in; ``amount_financed`` = total_cost − down_payment. ``min_down_payment`` is the smallest down
    payment that keeps owed ≤ value in every month of ``term_months``; ``longest_term_months`` the
    longest term from 12 to 96 months that does so with ``down_payment`` (``None`` if none).
    ``months_under_water`` and ``peak_negative_equity`` describe the deal as given.
    """

    price: Decimal
    total_cost: Decimal
    down_payment: Decimal
    amount_financed: Decimal
    term_months: int
    payment: Decimal
    months_under_water: int
    peak_negative_equity: Decimal
    min_down_payment: Decimal
    longest_term_months: int | None
    notes: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """Keys: ``price``, ``total_cost``, ``down_payment``, ``amount_financed``, ``term_months``,
        ``payment``, ``months_under_water``, ``peak_negative_equity``, ``min_down_payment``,
        ``longest_term_months``, ``term_range`` ([12, 96]), ``notes``."""
        return {
            "price": format_money(self.price),
            "total_cost": format_money(self.total_cost),
            "down_payment": format_money(self.down_payment),
            "amount_financed": format_money(self.amount_financed),
            "term_months": self.term_months,
            "payment": format_money(self.payment),
            "months_under_water": self.months_under_water,
            "peak_negative_equity": format_money(self.peak_negative_equity),
            "min_down_payment": format_money(self.min_down_payment),
            "longest_term_months": self.longest_term_months,
            "term_range": list(_TERM_SEARCH),
            "notes": list(self.notes),
        }


def _term(value: object, field: str = "term_months") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(field, "must be a whole number of months", got=value)
    if not 1 <= value <= MAX_HORIZON_MONTHS:
        raise InputError(field, f"must be from 1 to {MAX_HORIZON_MONTHS} months", got=value)
    return value


def _under_months(financed: Decimal, rate: Decimal, term: int, values: Sequence[Decimal]) -> list[Decimal]:
    """Negative equity (owed − value, may be ≤ 0) in months 0..term of a new loan."""
    if financed <= 0:
        return [-values[t] for t in range(term + 1)]
    months = AmortizingLoan(financed, rate, term).months(term)
    return [months[t].balance - values[t] for t in range(term + 1)]


def prevention(
    price: Number,
    *,
    rate_percent: Number,
    term_months: int,
    down_payment: Number | None = None,
    asset_class: AssetClass | str = "car",
    age_months: int = 0,
    taxes_fees_financed: Number = 0,
    addons_financed: Number = 0,
    negative_equity_rolled: Number = 0,
    depreciation: str | None = None,
    depreciation_rate_percent: Number | None = None,
    value_today: Number | None = None,
    months_elapsed: int = 0,
) -> Prevention:
    """For a purchase: the smallest down payment, and the longest term, that never go under water.

    ``price`` is what the asset costs and is worth at signing (dollars); the loan is the price
    plus ``taxes_fees_financed``, ``addons_financed`` and ``negative_equity_rolled`` (dollars)
    less ``down_payment`` (default 0), at ``rate_percent`` (percent per year) over
    ``term_months``, repaid by level monthly payments. The value follows the curve chosen as in
    :func:`project` from ``age_months`` at signing (0: new), starting from the price; when
    ``value_today`` is known ``months_elapsed`` months after signing, the one value path passes
    through it instead (value(t) = value_today × r(age + t) / r(age + months_elapsed)), so the
    prevention answers and today's position agree. Both answers are found by bisection: a
    larger down payment or a shorter term only lowers the balance month by month.

    A $40,000 pickup at 7 % over 72 months with $3,000 of taxes and fees financed is under
    water from the day it is signed unless about $3,500 goes down; with $5,000 down, any term up
    to 89 months stays above water:

    >>> plan = prevention(40000, rate_percent=7, term_months=72, asset_class="pickup",
    ...                   taxes_fees_financed=3000, down_payment=5000)
    >>> plan.min_down_payment, plan.longest_term_months, plan.months_under_water
    (Decimal('3521.28'), 89, 0)
    """
    cost = parse_money(price, "price")
    if cost <= 0:
        raise InputError("price", "must be more than 0.00", got=price)
    rate = parse_percent(rate_percent, "rate_percent", maximum=MAX_RATE_PERCENT)
    term = _term(term_months)
    down = ZERO if down_payment is None else parse_money(down_payment, "down_payment")
    total = (
        cost
        + parse_money(taxes_fees_financed, "taxes_fees_financed")
        + parse_money(addons_financed, "addons_financed")
        + parse_money(negative_equity_rolled, "negative_equity_rolled")
    )
    if down > total:
        raise InputError(
            "down_payment", f"must not be more than the total cost {format_money(total)}", got=down_payment
        )
    if total - down > MAX_AMOUNT:
        raise InputError(
            "price",
            f"with what is financed on top, the loan would be {format_money(total - down)}, more than the "
            f"{format_money(MAX_AMOUNT)} a loan may be",
            got=price,
        )
    curve = pick_curve(parse_asset_class(asset_class), depreciation, _rate_curve(depreciation_rate_percent))
    longest_tried = max(term, _TERM_SEARCH[1])
    age = _whole(age_months, "age_months", 0, MAX_AGE_MONTHS)
    if value_today is None:
        path = ValuePath(cost, curve, age)
    else:
        elapsed = _whole(months_elapsed, "months_elapsed", 0, MAX_HORIZON_MONTHS)
        path = ValuePath(parse_money(value_today, "value"), curve, age, known_at_month=elapsed)
    values = path.values(longest_tried)
    financed = total - down

    gaps = _under_months(financed, rate, term, values)
    under = sum(1 for gap in gaps if gap > 0)
    peak = max((gap for gap in gaps if gap > 0), default=ZERO)
    payment = ZERO
    if financed > 0:
        payment = AmortizingLoan(financed, rate, term).regular_payment

    def never_under_with_down(cents: int) -> bool:
        return all(gap <= 0 for gap in _under_months(total - Decimal(cents) / 100, rate, term, values))

    min_down = Decimal(_smallest_cents(never_under_with_down, int(total * 100))) / 100

    def never_under_for_term(months: int) -> bool:
        return all(gap <= 0 for gap in _under_months(financed, rate, months, values))

    low, high = _TERM_SEARCH
    longest: int | None = None
    if never_under_for_term(low):
        while low < high:  # the longest term that works; shorter terms only pay down faster
            middle = (low + high + 1) // 2
            if never_under_for_term(middle):
                low = middle
            else:
                high = middle - 1
        longest = low

    notes = []
    if under:
        notes.append(
            f"As given, the loan is under water for {under} of its {term + 1} months (month 0 to {term}), "
            f"by as much as {format_money_human(peak)}."
        )
    else:
        notes.append("As given, the loan never goes under water.")
    notes.append(
        f"A down payment of {format_money_human(min_down)} or more keeps it above water over "
        f"{term} months: put money down."
    )
    if longest is None:
        notes.append(
            f"With {format_money_human(down)} down, no term from {_TERM_SEARCH[0]} to {_TERM_SEARCH[1]} "
            "months stays above water: the value falls faster than any of those loans is repaid."
        )
    else:
        notes.append(
            f"With {format_money_human(down)} down, a term of {longest} months or less stays above water: "
            "match the term to the asset's working life."
        )
    return Prevention(
        price=cost,
        total_cost=total,
        down_payment=down,
        amount_financed=financed,
        term_months=term,
        payment=payment,
        months_under_water=under,
        peak_negative_equity=peak,
        min_down_payment=min_down,
        longest_term_months=longest,
        notes=tuple(notes),
    )


# ----------------------------------------------------------------------------- on a situation's parts


def _contract(loan: Loan, interest: Interest | None, as_of: date | None) -> Contract:
    # A daily simple-interest loan starts on the as-of date (today when none is given).
    if interest is None or not interest.daily:
        return loan.contract()
    return interest.contract(loan, date.today() if as_of is None else as_of)


def project_loan(
    loan: Loan,
    asset: Asset,
    *,
    horizon_months: int | None = None,
    start_date: date | None = None,
    interest: Interest | None = None,
    behind: Decimal | Contract | None = None,
) -> Projection:
    """The ``loan`` against the ``asset``'s value path, month by month (see
    :func:`project_contract`), interest charged as ``interest`` says (default: monthly; a daily
    simple-interest loan starts on ``start_date``, else today), with ``behind`` owed behind it
    (:func:`~underwater.situation.junior_liens`; default the loan's ``other_liens``); the
    horizon defaults to the payments left, at most 600.

    >>> from underwater.situation import Asset, Loan
    >>> project_loan(Loan(owed=12000, rate_percent=0, remaining_payments=12),
    ...              Asset(value=10000, depreciation_rate_percent=12)).crossover_month
    3
    """
    contract = _contract(loan, interest, start_date)
    horizon = min(contract.term_months, MAX_HORIZON_MONTHS) if horizon_months is None else horizon_months
    return project_contract(
        contract,
        asset.value_path(),
        horizon,
        other_liens=loan.other_liens if behind is None else behind,
        start_date=start_date,
    )


def extra_to_surface_loan(
    loan: Loan,
    asset: Asset,
    target_month: int,
    *,
    interest: Interest | None = None,
    start_date: date | None = None,
    behind: Decimal | Contract | None = None,
) -> Decimal:
    """The smallest extra monthly payment (dollars) that surfaces ``loan`` on ``asset``'s value
    path by ``target_month`` (see :func:`extra_to_surface_by`), interest charged as ``interest``
    says and ``behind`` owed behind it (:func:`project_loan`); any extra the loan has is
    replaced by it.

    >>> from underwater.situation import Asset, Loan
    >>> extra_to_surface_loan(Loan(owed=12000, rate_percent=0, remaining_payments=12),
    ...                       Asset(value=10000, depreciation_rate_percent=12), 1)
    Decimal('1105.96')
    """
    return _extra_to_surface(
        _contract(loan, interest, start_date),
        asset.value_path(),
        loan.other_liens if behind is None else behind,
        target_month,
    )
