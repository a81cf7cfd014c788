"""One fixed-rate loan, exactly: level payment, amortization schedule, balance, term and rate.

Everything here is :class:`~decimal.Decimal` and every money figure is whole cents.

**Rates** are percent per year as a person types them: ``rate_percent=Decimal("6.5")`` means
6.5 % a year. The periodic rate is ``rate_percent / 100 / periods_per_year`` with 12 periods a
year for ``"monthly"``, 24 for ``"semi-monthly"``, 26 for ``"biweekly"`` and 52 for ``"weekly"``.

**The schedule rule.** Each period's interest is the balance times the periodic rate, rounded
to the cent (half away from zero, :func:`underwater.money.round_cents`); the principal part is
the payment minus that interest; any extra payment goes wholly to principal. The last payment is
whatever clears the balance (the balance plus its interest), so the schedule always ends at
exactly 0.00 and the principal parts plus the extra payments add up to the amount borrowed to
the cent. A row's ``payment`` is the interest plus the principal part; its ``extra`` is paid on
top, so the cash paid that period is ``payment + extra``.

**Payment dates** (only when a first payment date is given) follow :mod:`underwater.dates`: a
monthly series keeps its day, moved back to the month's last day when the month is shorter
(Jan 31 → Feb 28 or 29 → Mar 31 → Apr 30).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from underwater.dates import FREQUENCIES, payment_date
from underwater.errors import InputError, NoSolutionError
from underwater.limits import check_date
from underwater.money import CENT, ZERO, format_money, parse_money, parse_percent, round_cents

__all__ = [
    "FREQUENCIES",
    "MAX_YEARS",
    "ExtraPayment",
    "Schedule",
    "ScheduleRow",
    "amortize",
    "balance_after",
    "balance_path",
    "level_payment",
    "payment_dates",
    "periods_per_year",
    "solve_rate",
    "solve_term",
]


_ALIASES = {"semimonthly": "semi-monthly", "bi-weekly": "biweekly", "fortnightly": "biweekly"}
_PERIOD_WORD = {
    "monthly": "month",
    "semi-monthly": "half-month",
    "biweekly": "two-week period",
    "weekly": "week",
}

MAX_YEARS = 100
"""No schedule or solver runs past this many years of payments, so nothing can loop for ever."""

MAX_RATE_PERCENT = Decimal(1000)
"""The highest yearly rate accepted, in percent (title and pawn loans can pass 100 %)."""

Number = Decimal | int | str
_RATE_PLACES = Decimal("0.000001")


# ----------------------------------------------------------------------------- validation


def periods_per_year(frequency: str) -> int:
    """How many payments a year ``frequency`` makes (``"biweekly"`` → 26).

    >>> periods_per_year("semi-monthly")
    24
    """
    return FREQUENCIES[_frequency(frequency)]


def _frequency(value: object) -> str:
    if isinstance(value, str):
        name = value.strip().lower().replace("_", "-").replace(" ", "-")
        name = _ALIASES.get(name, name)
        if name in FREQUENCIES:
            return name
    raise InputError("frequency", "must be one of monthly, semi-monthly, biweekly or weekly", got=value)


def _count(value: object, field: str, minimum: int, maximum: int, unit: str = "payments") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(field, "must be a whole number", got=value)
    if value < minimum:
        raise InputError(field, f"must be at least {minimum}", got=value)
    if value > maximum:
        raise InputError(field, f"must be at most {maximum} {unit}", got=value)
    return value


def _principal(value: object, field: str = "principal") -> Decimal:
    amount = parse_money(value, field)
    if amount <= 0:
        raise InputError(field, "must be more than 0.00", got=value)
    return amount


def _rate(value: object) -> Decimal:
    return parse_percent(value, "rate_percent", maximum=MAX_RATE_PERCENT)


def _max_periods(frequency: str) -> int:
    return MAX_YEARS * FREQUENCIES[frequency]


def _n_payments(value: object, frequency: str) -> int:
    return _count(
        value, "n_payments", 1, _max_periods(frequency), f"({MAX_YEARS} years of {frequency} payments)"
    )


# ----------------------------------------------------------------------------- dates


def payment_dates(first_payment_date: date, count: int, frequency: str = "monthly") -> tuple[date, ...]:
    """The dates of the first ``count`` payments, by the rules in this module's docstring.

    A car loan whose first payment is due on 31 January pays on the last day of shorter months:

    >>> [d.isoformat() for d in payment_dates(date(2024, 1, 31), 3)]
    ['2024-01-31', '2024-02-29', '2024-03-31']
    """
    name = _frequency(frequency)
    first = check_date(first_payment_date, "first_payment_date")
    total = _count(count, "count", 0, _max_periods(name))
    return tuple(payment_date(first, k, name) for k in range(total))


# ----------------------------------------------------------------------------- payment


def _level_payment(amount: Decimal, rate: Decimal, n: int, per_year: int, balloon: Decimal) -> Decimal:
    if rate == 0:
        return round_cents((amount - balloon) / n)
    with localcontext() as ctx:
        ctx.prec = 40
        r = rate / (100 * per_year)
        growth = (1 + r) ** n
        exact = (amount * growth - balloon) * r / (growth - 1)
    return round_cents(exact)


def _balloon(value: object, amount: Decimal) -> Decimal:
    balloon = parse_money(value, "balloon")
    if balloon > amount:
        raise InputError("balloon", f"must not be more than the principal {format_money(amount)}", got=value)
    return balloon


def level_payment(
    principal: Number,
    rate_percent: Number,
    n_payments: int,
    frequency: str = "monthly",
    balloon: Number = 0,
) -> Decimal:
    """The level payment (dollars, rounded to the cent) that repays a loan in ``n_payments``.

    ``principal`` is the amount borrowed in dollars, ``rate_percent`` the yearly rate in percent
    (6.5 means 6.5 %), ``frequency`` one of ``monthly``, ``semi-monthly``, ``biweekly``,
    ``weekly``. With a ``balloon`` (dollars) the payment leaves exactly that balance to be paid
    with the last payment. The exact payment is ``P·r / (1 − (1 + r)^−n)`` with ``r`` the periodic
    rate (``(P·(1+r)^n − B)·r / ((1+r)^n − 1)`` with a balloon ``B``), or ``(P − B) / n`` at 0 %.

    A $30,000 car loan at 9.5 % for 72 months costs 548.24 a month:

    >>> level_payment(30000, "9.5", 72)
    Decimal('548.24')
    """
    name = _frequency(frequency)
    amount = _principal(principal)
    rate = _rate(rate_percent)
    n = _n_payments(n_payments, name)
    return _level_payment(amount, rate, n, FREQUENCIES[name], _balloon(balloon, amount))


# ----------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class ExtraPayment:
    """Money paid on top of the regular payment, all of it to principal (dollars).

    A recurring extra is paid with payments ``start_period``, ``start_period + every``, … up to
    ``end_period`` (the end of the loan when ``None``). A one-off extra is made with
    :meth:`once`: by payment number (``period``) or by date (``on_date``: credited with the
    first scheduled payment on or after that date, which needs a first payment date).

    An extra 100.00 with every payment from the 13th on:

    >>> ExtraPayment(Decimal("100"), start_period=13).amount
    Decimal('100.00')
    """

    amount: Decimal
    start_period: int = 1
    end_period: int | None = None
    every: int = 1
    on_date: date | None = None

    def __post_init__(self) -> None:
        amount = parse_money(self.amount, "extra_payments")
        if amount <= 0:
            raise InputError("extra_payments", "an extra payment must be more than 0.00", got=self.amount)
        object.__setattr__(self, "amount", amount)
        _count(self.start_period, "extra_payments", 1, 10**6, "(payment number)")
        _count(self.every, "extra_payments", 1, 10**6, "(payments between extras)")
        if self.end_period is not None:
            _count(self.end_period, "extra_payments", self.start_period, 10**6, "(payment number)")
        if self.on_date is not None:
            try:
                object.__setattr__(self, "on_date", check_date(self.on_date, "extra_payments"))
            except InputError as exc:
                raise InputError("extra_payments", f"on_date {exc.rule}", got=self.on_date) from None

    @classmethod
    def once(cls, amount: Number, *, period: int | None = None, on_date: date | None = None) -> ExtraPayment:
        """A single extra payment with payment number ``period`` or on the date ``on_date``.

        >>> ExtraPayment.once("1000", period=1).end_period
        1
        """
        if (period is None) == (on_date is None):
            raise InputError("extra_payments", "a one-off extra needs either a period or an on_date")
        money = parse_money(amount, "extra_payments")
        if period is not None:
            return cls(money, start_period=period, end_period=period)
        return cls(money, on_date=on_date)


@dataclass(frozen=True, slots=True)
class ScheduleRow:
    """One payment of a schedule (dollars): ``payment`` = ``interest`` + ``principal``;
    ``extra`` is paid on top and goes to principal; ``balance`` is what is owed afterwards."""

    number: int
    date: date | None
    payment: Decimal
    interest: Decimal
    principal: Decimal
    extra: Decimal
    balance: Decimal

    def to_json(self) -> dict[str, Any]:
        """The row with money as strings with two decimals and the date as ISO text."""
        return {
            "number": self.number,
            "date": self.date.isoformat() if self.date else None,
            "payment": format_money(self.payment),
            "interest": format_money(self.interest),
            "principal": format_money(self.principal),
            "extra": format_money(self.extra),
            "balance": format_money(self.balance),
        }


@dataclass(frozen=True, slots=True)
class Schedule:
    """An amortization schedule (dollars). See the module docstring for the rule.

    ``payment`` is the regular payment (after any interest-only periods, before any recast);
    ``n_payments`` the number of rows actually paid; ``balloon`` what the last payment adds on top
    of the regular payment when a balloon was given or solved for (0.00 otherwise);
    ``total_paid`` = ``total_interest`` + ``total_principal`` and ``total_principal`` equals the
    amount borrowed. ``payoff_date`` is the last row's date (``None`` without dates).
    """

    principal: Decimal
    frequency: str
    payment: Decimal
    balloon: Decimal
    rows: tuple[ScheduleRow, ...]
    n_payments: int
    total_paid: Decimal
    total_interest: Decimal
    total_principal: Decimal
    payoff_date: date | None

    def balance_after(self, k: int) -> Decimal:
        """What is owed (dollars) after ``k`` payments: the principal at 0, 0.00 once paid off.

        >>> amortize(1000, 12, 2).balance_after(1)
        Decimal('502.49')
        """
        count = _count(k, "k", 0, 10**6)
        if count == 0:
            return self.principal
        if count > len(self.rows):
            return ZERO
        return self.rows[count - 1].balance

    def to_json(self) -> dict[str, Any]:
        """Keys: ``principal``, ``frequency``, ``payment``, ``balloon``, ``n_payments``,
        ``total_paid``, ``total_interest``, ``total_principal``, ``payoff_date`` and ``schedule``
        (a list of rows with ``number``, ``date``, ``payment``, ``interest``, ``principal``,
        ``extra``, ``balance``). Money is a string with two decimals, dates ISO text or null."""
        return {
            "principal": format_money(self.principal),
            "frequency": self.frequency,
            "payment": format_money(self.payment),
            "balloon": format_money(self.balloon),
            "n_payments": self.n_payments,
            "total_paid": format_money(self.total_paid),
            "total_interest": format_money(self.total_interest),
            "total_principal": format_money(self.total_principal),
            "payoff_date": self.payoff_date.isoformat() if self.payoff_date else None,
            "schedule": [row.to_json() for row in self.rows],
        }


# ----------------------------------------------------------------------------- schedule


def _interest(balance: Decimal, rate: Decimal, divisor: Decimal) -> Decimal:
    # Multiply before dividing: balance × rate is exact, so a true half cent stays a half cent
    # (a periodic rate such as 7/1200 cut to 28 digits would turn 0.175 into 0.17499…).
    return (balance * rate / divisor).quantize(CENT, rounding=ROUND_HALF_UP)


def balance_path(principal: Number, rate_percent: Number, n_payments: int) -> Iterator[Decimal]:
    """The balance (dollars) after each monthly payment of a level-payment loan, one at a time:
    exactly ``amortize(principal, rate_percent, n_payments).rows[k].balance``, but a caller that
    only needs the start of the schedule can stop early (a solver trying many terms does).

    >>> list(balance_path(1000, 12, 2))
    [Decimal('502.49'), Decimal('0.00')]
    """
    amount = _principal(principal)
    rate = _rate(rate_percent)
    n = _n_payments(n_payments, "monthly")
    divisor = Decimal(1200)
    regular = max(_level_payment(amount, rate, n, 12, ZERO), _interest(amount, rate, divisor))
    balance = amount
    for k in range(1, n + 1):
        interest = _interest(balance, rate, divisor)
        part = regular - interest
        if k == n or part >= balance:
            part = balance
        balance -= part
        yield balance
        if balance == 0:
            return


def _first_interest_error(payment: Decimal, interest: Decimal, frequency: str) -> InputError:
    word = _PERIOD_WORD[frequency]
    return InputError(
        "payment",
        f"{format_money(payment)} does not cover the first {word}'s interest {format_money(interest)}",
        got=format_money(payment),
    )


def _extras_by_period(
    extras: Iterable[ExtraPayment], n: int, dates: tuple[date, ...] | None
) -> dict[int, Decimal]:
    by_period: dict[int, Decimal] = {}
    for extra in extras:
        if not isinstance(extra, ExtraPayment):
            raise InputError("extra_payments", "each extra payment must be an ExtraPayment", got=extra)
        if extra.on_date is not None:
            if dates is None:
                raise InputError("extra_payments", "an extra payment on a date needs `first_payment_date`")
            period = next((k for k, day in enumerate(dates, 1) if day >= extra.on_date), None)
            if period is None:
                raise InputError(
                    "extra_payments",
                    f"{extra.on_date.isoformat()} is after the last scheduled payment {dates[-1].isoformat()}",
                )
            periods: Iterable[int] = (period,)
        else:
            last = n if extra.end_period is None else min(extra.end_period, n)
            periods = range(extra.start_period, last + 1, extra.every)
        for k in periods:
            by_period[k] = by_period.get(k, ZERO) + extra.amount
    return by_period


def amortize(
    principal: Number,
    rate_percent: Number,
    n_payments: int,
    *,
    frequency: str = "monthly",
    first_payment_date: date | None = None,
    payment: Number | None = None,
    balloon: Number | None = None,
    solve_balloon: bool = False,
    interest_only_periods: int = 0,
    extra_payments: Iterable[ExtraPayment] = (),
    recast: bool = False,
) -> Schedule:
    """The amortization schedule of a fixed-rate loan, in exact cents.

    ``principal`` is the amount borrowed (dollars), ``rate_percent`` the yearly rate in percent
    (6.5 means 6.5 %), ``n_payments`` the term in payments of ``frequency``. Options:

    - ``payment``: the regular payment (dollars); by default the level payment that repays the loan
      (less any ``balloon``) over the periods after the interest-only ones. A given payment that
      is too small is made up by the last payment; one that is too large ends the loan early.
    - ``balloon``: an amount (dollars) left to pay with the last payment; ``solve_balloon=True``
      with a ``payment`` reports as the balloon whatever that payment leaves at the end of the term.
    - ``interest_only_periods``: the first payments cover only the interest.
    - ``extra_payments``: :class:`ExtraPayment` items. By default they shorten the term (same
      payment, fewer periods); with ``recast=True`` the payment is re-amortized after each extra
      over what is left of the original term (a lower payment, the same end; never a higher one).

    A $1,000 loan at 12 % repaid in two monthly payments of 507.51, the last one 507.51 too:

    >>> schedule = amortize(1000, 12, 2)
    >>> [(str(r.interest), str(r.principal), str(r.balance)) for r in schedule.rows]
    [('10.00', '497.51', '502.49'), ('5.02', '502.49', '0.00')]
    """
    name = _frequency(frequency)
    per_year = FREQUENCIES[name]
    amount = _principal(principal)
    rate = _rate(rate_percent)
    n = _n_payments(n_payments, name)
    io = _count(interest_only_periods, "interest_only_periods", 0, n - 1, "(fewer than `n_payments`)")
    if first_payment_date is not None:
        first_payment_date = check_date(first_payment_date, "first_payment_date")
    balloon_loan = balloon is not None or solve_balloon
    if solve_balloon and payment is None:
        raise InputError(
            "payment", "is required to solve for the balloon (`solve_balloon`): the regular payment"
        )
    if solve_balloon and balloon is not None:
        raise InputError("balloon", "give a balloon or ask to solve for it, not both")
    if solve_balloon and recast:
        raise InputError("recast", "cannot re-amortize a loan whose balloon is being solved for")
    if payment is not None and balloon is not None:
        raise InputError(
            "balloon", "give a balloon or a payment, not both (`solve_balloon` finds the balloon)"
        )
    target = ZERO if balloon is None else _balloon(balloon, amount)

    divisor = Decimal(100 * per_year)
    first_interest = _interest(amount, rate, divisor)
    if payment is None:
        # At a tiny balance and a huge rate the level payment can round below the first
        # period's interest (0.27 at 1,000 % a year: 0.22 against 0.23), and the balance would
        # then grow without end; paying at least the interest keeps it flat until the last payment.
        regular = max(_level_payment(amount, rate, n - io, per_year, target), first_interest)
    else:
        regular = parse_money(payment, "payment")
        if regular <= 0:
            raise InputError("payment", "must be more than 0.00", got=payment)
        if regular < first_interest:
            raise _first_interest_error(regular, first_interest, name)

    dates = payment_dates(first_payment_date, n, name) if first_payment_date is not None else None
    extras = _extras_by_period(extra_payments, n, dates)

    rows: list[ScheduleRow] = []
    balance = amount
    current = regular
    total_interest = ZERO
    total_extra = ZERO
    for k in range(1, n + 1):
        interest = _interest(balance, rate, divisor)
        due = interest if k <= io else current
        part = due - interest
        if k == n or part >= balance:
            part = balance
        remaining = balance - part
        extra = min(extras.get(k, ZERO), remaining)
        balance = remaining - extra
        total_interest += interest
        total_extra += extra
        rows.append(
            ScheduleRow(k, dates[k - 1] if dates else None, interest + part, interest, part, extra, balance)
        )
        if balance == 0:
            break
        if recast and extra > 0:
            left = n - max(k, io)
            current = min(current, _level_payment(balance, rate, left, per_year, target))

    last = rows[-1]
    balloon_paid = max(last.payment - current, ZERO) if balloon_loan and last.number == n else ZERO
    return Schedule(
        principal=amount,
        frequency=name,
        payment=regular,
        balloon=balloon_paid,
        rows=tuple(rows),
        n_payments=len(rows),
        total_paid=amount + total_interest,
        total_interest=total_interest,
        total_principal=amount,
        payoff_date=last.date,
    )


def balance_after(
    principal: Number,
    rate_percent: Number,
    n_payments: int,
    k: int,
    frequency: str = "monthly",
    payment: Number | None = None,
) -> Decimal:
    """What is still owed (dollars) after ``k`` payments, exactly as the schedule has it.

    ``rate_percent`` is percent per year; ``payment`` defaults to the level payment.

    After one year of a $200,000, 30-year mortgage at 6.5 %:

    >>> balance_after(200000, "6.5", 360, 12)
    Decimal('197764.50')
    """
    schedule = amortize(principal, rate_percent, n_payments, frequency=frequency, payment=payment)
    return schedule.balance_after(k)


# ----------------------------------------------------------------------------- solvers


def solve_term(principal: Number, rate_percent: Number, payment: Number, frequency: str = "monthly") -> int:
    """How many payments of ``payment`` (dollars) repay ``principal`` (dollars) at ``rate_percent``
    (percent per year); the last payment is the one that clears the balance and is never larger.

    A $10,000 loan at 6 % paid 500.00 a month takes 22 payments:

    >>> solve_term(10000, 6, 500)
    22
    """
    name = _frequency(frequency)
    amount = _principal(principal)
    rate = _rate(rate_percent)
    regular = parse_money(payment, "payment")
    if regular <= 0:
        raise InputError("payment", "must be more than 0.00", got=payment)
    divisor = Decimal(100 * FREQUENCIES[name])
    first_interest = _interest(amount, rate, divisor)
    if regular < first_interest:
        raise _first_interest_error(regular, first_interest, name)
    if regular == first_interest:
        raise NoSolutionError(
            "payment", f"{format_money(regular)} only pays the interest: the balance would never fall"
        )
    balance = amount
    for k in range(1, _max_periods(name) + 1):
        due = balance + _interest(balance, rate, divisor)
        if due <= regular:
            return k
        balance = due - regular
    raise NoSolutionError(
        "payment",
        f"{format_money(regular)} a payment would take more than {MAX_YEARS} years to repay "
        f"{format_money(amount)}",
    )


def solve_rate(principal: Number, n_payments: int, payment: Number, frequency: str = "monthly") -> Decimal:
    """The yearly rate in percent (to six decimals) at which ``n_payments`` level payments of
    ``payment`` dollars repay ``principal`` dollars: the ``r`` that solves
    ``principal = payment · (1 − (1 + r)^−n) / r`` (as a spreadsheet's RATE does), times the
    periods in a year, times 100.

    The Federal Reserve's $18,800, 48-month car loan at 467.84 a month is a 9 % loan:

    >>> solve_rate(18800, 48, "467.84").quantize(Decimal("0.01"))
    Decimal('9.00')
    """
    name = _frequency(frequency)
    amount = _principal(principal)
    n = _n_payments(n_payments, name)
    regular = parse_money(payment, "payment")
    if regular <= 0:
        raise InputError("payment", "must be more than 0.00", got=payment)
    with localcontext() as ctx:
        ctx.prec = 40
        paid = regular * n
        if paid < amount:
            raise NoSolutionError(
                "payment",
                f"{n} payments of {format_money(regular)} make {format_money(paid)}, less than the "
                f"{format_money(amount)} borrowed: no rate of 0 % or more repays it",
            )
        if paid == amount:
            return Decimal(0).quantize(_RATE_PLACES)
        # Present value falls as the rate rises; at r = payment / principal it is already below
        # the principal (it is below payment / r at any rate), so the root lies in (0, that r].
        low, high = Decimal(0), regular / amount
        tolerance = Decimal("1e-16")
        for _ in range(200):
            middle = (low + high) / 2
            present = regular * (1 - (1 + middle) ** -n) / middle
            if present > amount:
                low = middle
            else:
                high = middle
            if high - low < tolerance:
                break
        yearly = (low + high) / 2 * FREQUENCIES[name] * 100
    return yearly.quantize(_RATE_PLACES, rounding=ROUND_HALF_UP)
