"""Daily simple interest: a loan whose interest accrues each day on the principal and whose
payments are credited on the day they arrive.

Most car and truck loans work this way. Interest is charged on the principal only (never on
unpaid interest), from the day of one payment to the day of the next, so a payment that arrives
five days late pays five more days of interest and less principal, and one that arrives early
pays less interest and more principal.

**How a lender works it** is a set of :class:`Conventions`, each one a choice a contract or a
servicer's system makes:

- the **day count** (:class:`underwater.dates.DayCount`): actual/365, actual/actual (366 in leap
  years), actual/360 or 30/360;
- the **per diem**: one day's interest rounded to ``per_diem_places`` decimals (2, the cent, as
  payoff letters print it; Ford Credit's disclosure shows 3 and Toyota Financial's 4) by
  ``per_diem_rounding``, then multiplied by the days; or, with no places, the period's interest
  worked exactly (Southeast Toyota Finance's figures);
- the **rounding** of the period's interest to the cent (:data:`ROUNDINGS`): ``half_up`` (half a
  cent away from zero), ``half_even`` (half a cent to the even cent) or ``down`` (the fraction of
  a cent dropped);
- the **order** a payment is applied in: by default fees, then interest, then principal. Interest
  a payment does not cover is carried, unpaid, to the next payment and does not earn interest.

Every figure is exact: interest is worked in fractions and rounded once, by the lender's rule
(:func:`accrue`). The library's own rounding rule (half away from zero) is the default; the
others exist to reproduce a lender's statement (:mod:`underwater.statement`).

:class:`SimpleInterestLoan` is such a loan from today: the principal owed just after the last
payment, its date, the rate, the payments left and the payment, paid by a :class:`Habit` (on the
due date, some days late or early, half twice a month, with an extra amount). It is a
:class:`underwater.contracts.Contract`, so the projection, the exits and their ledgers take it as
they take a level-payment loan. The payment due on the last due date is whatever clears the loan
then (principal, interest and fees), as a simple-interest note's last payment is; a payment that
would pay more than is owed pays what is owed, and the loan ends.

Money is dollars (``Decimal``, whole cents); rates are percent per year (``9`` is 9 %).
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from underwater.contracts import AmortizingLoan, ContractMonth
from underwater.dates import DayCount, add_months, payment_date
from underwater.errors import InputError
from underwater.limits import check_date
from underwater.money import ZERO, format_money, round_cents

__all__ = [
    "ORDERS",
    "PER_DIEM_PLACES",
    "ROUNDINGS",
    "ROUNDING_WORDS",
    "Conventions",
    "Habit",
    "LateFee",
    "Payment",
    "Posting",
    "SimpleInterestLoan",
    "accrue",
    "per_diem",
    "post",
    "round_fraction",
]

ROUNDINGS = ("half_up", "half_even", "down")
"""How a lender rounds: half away from zero, half to even, or the fraction dropped."""
PER_DIEM_PLACES: tuple[int | None, ...] = (2, 3, 4, None)
"""The decimals a per diem is kept to before it is multiplied by the days (None: not rounded)."""
PARTS = ("fees", "interest", "principal")
ORDERS: tuple[tuple[str, ...], ...] = tuple(itertools.permutations(PARTS))
"""Every order a payment can be applied in."""


def round_fraction(amount: Fraction, rounding: str = "half_up", places: int = 2) -> Decimal:
    """``amount`` (dollars, exact) rounded to ``places`` decimals (the cent by default) by
    ``rounding`` (:data:`ROUNDINGS`).

    >>> round_fraction(Fraction(2205, 1000)), round_fraction(Fraction(2205, 1000), "half_even")
    (Decimal('2.21'), Decimal('2.20'))
    >>> round_fraction(Fraction(-2205, 1000)), round_fraction(Fraction(2209, 1000), "down")
    (Decimal('-2.21'), Decimal('2.20'))
    >>> round_fraction(Fraction(1200, 365), "down", 3)
    Decimal('3.287')
    """
    scaled = amount * 10**places
    sign = -1 if scaled < 0 else 1
    whole, rest = divmod(abs(scaled.numerator), scaled.denominator)
    twice = 2 * rest
    if rounding == "down" or twice < scaled.denominator:
        up = False
    elif twice > scaled.denominator:
        up = True
    else:
        up = rounding == "half_up" or whole % 2 == 1
    return Decimal(sign * (whole + int(up))).scaleb(-places)


@dataclass(frozen=True, slots=True)
class Conventions:
    """How a lender works daily interest and applies a payment (the module docstring).

    >>> Conventions().words
    'actual days, a 365-day year; a per diem to the cent (half up) times the days; interest to the cent half up; fees, then interest, then principal'
    >>> Conventions(per_diem_places=None).accrual
    'exact'
    """

    day_count: DayCount = DayCount.ACT_365F
    per_diem_places: int | None = 2
    per_diem_rounding: str = "half_up"
    rounding: str = "half_up"
    order: tuple[str, ...] = PARTS

    @property
    def accrual(self) -> str:
        """``per_diem`` when a rounded per diem is multiplied by the days, else ``exact``."""
        return "exact" if self.per_diem_places is None else "per_diem"

    @property
    def words(self) -> str:
        """The conventions as a sentence a person can check against a contract or a statement."""
        if self.per_diem_places is None:
            how = "each period's interest worked exactly"
        else:
            places = "the cent" if self.per_diem_places == 2 else f"{self.per_diem_places} decimals"
            how = f"a per diem to {places} ({ROUNDING_WORDS[self.per_diem_rounding]}) times the days"
        return (
            f"{self.day_count.words}; {how}; interest to the cent {ROUNDING_WORDS[self.rounding]}; "
            + ", then ".join(self.order)
        )

    def to_json(self) -> dict[str, Any]:
        """Keys: ``day_count`` (``actual/365`` …), ``accrual`` (``per_diem`` or ``exact``),
        ``per_diem_places`` (null when exact), ``per_diem_rounding``, ``rounding``, ``order``
        (a list)."""
        return {
            "day_count": self.day_count.value,
            "accrual": self.accrual,
            "per_diem_places": self.per_diem_places,
            "per_diem_rounding": self.per_diem_rounding,
            "rounding": self.rounding,
            "order": list(self.order),
        }


ROUNDING_WORDS = {"half_up": "half up", "half_even": "half to even", "down": "fractions dropped"}
"""Each rounding in a person's words."""


def per_diem(principal: Decimal, rate_percent: Decimal, on: date, conventions: Conventions) -> Decimal:
    """One day's interest on ``principal`` (dollars) at ``rate_percent`` (percent per year) on the
    day ``on``, kept to the lender's places (:class:`Conventions`; exact to 6 decimals for show
    when the lender does not round it).

    >>> per_diem(Decimal(10000), Decimal(18), date(2025, 3, 1), Conventions())
    Decimal('4.93')
    """
    year = conventions.day_count.year_days(on)
    exact = Fraction(principal) * Fraction(rate_percent) / (100 * year)
    if conventions.per_diem_places is None:
        return round_fraction(exact, "half_up", 6)
    return round_fraction(exact, conventions.per_diem_rounding, conventions.per_diem_places)


def accrue(
    principal: Decimal, rate_percent: Decimal, start: date, end: date, conventions: Conventions
) -> Decimal:
    """Interest (dollars) on ``principal`` at ``rate_percent`` (percent per year) from ``start``
    (the day of the last payment) to ``end`` (the day of this one), by ``conventions``.

    $10,000 at 18 % for the ten days from 1 to 11 March: 10 × 4.93 as a per diem, 49.32 exactly:

    >>> accrue(Decimal(10000), Decimal(18), date(2025, 3, 1), date(2025, 3, 11), Conventions())
    Decimal('49.30')
    >>> accrue(Decimal(10000), Decimal(18), date(2025, 3, 1), date(2025, 3, 11), Conventions(per_diem_places=None))
    Decimal('49.32')
    """
    pieces = conventions.day_count.pieces(start, end)
    base = Fraction(principal) * Fraction(rate_percent) / 100
    places = conventions.per_diem_places
    if places is None:
        total = sum((base * days / year for days, year in pieces), Fraction(0))
    else:
        total = sum(
            (
                Fraction(round_fraction(base / year, conventions.per_diem_rounding, places)) * days
                for days, year in pieces
            ),
            Fraction(0),
        )
    return round_fraction(total, conventions.rounding)


# ----------------------------------------------------------------------------- posting payments


@dataclass(frozen=True, slots=True)
class Payment:
    """Money credited on a date (``on``): ``amount`` dollars paid and ``charged`` dollars of fees
    assessed since the last payment (a late fee), to be paid in the lender's order."""

    on: date
    amount: Decimal
    charged: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class Posting:
    """A payment as the lender credits it (dollars): the ``interest`` accrued since the last
    payment, the ``fees_charged`` with it, what the payment went to (``to_fees``,
    ``to_interest``, ``to_principal``) and what is owed after it: ``principal``,
    ``unpaid_interest`` and ``unpaid_fees``."""

    on: date
    paid: Decimal
    interest: Decimal
    fees_charged: Decimal
    to_fees: Decimal
    to_interest: Decimal
    to_principal: Decimal
    principal: Decimal
    unpaid_interest: Decimal
    unpaid_fees: Decimal

    @property
    def owed(self) -> Decimal:
        """Everything owed just after this payment: principal, unpaid interest and fees."""
        return self.principal + self.unpaid_interest + self.unpaid_fees

    def to_json(self) -> dict[str, Any]:
        """Keys: ``date``, ``paid``, ``interest``, ``fees_charged``, ``to_fees``, ``to_interest``,
        ``to_principal``, ``principal``, ``unpaid_interest``, ``unpaid_fees``, ``owed``."""
        return {
            "date": self.on.isoformat(),
            "paid": format_money(self.paid),
            "interest": format_money(self.interest),
            "fees_charged": format_money(self.fees_charged),
            "to_fees": format_money(self.to_fees),
            "to_interest": format_money(self.to_interest),
            "to_principal": format_money(self.to_principal),
            "principal": format_money(self.principal),
            "unpaid_interest": format_money(self.unpaid_interest),
            "unpaid_fees": format_money(self.unpaid_fees),
            "owed": format_money(self.owed),
        }


def apply_payment(
    amount: Decimal, fees: Decimal, interest: Decimal, principal: Decimal, order: tuple[str, ...]
) -> tuple[Decimal, Decimal, Decimal]:
    """How ``amount`` dollars split over what is owed (``fees``, ``interest``, ``principal``) in
    ``order``: the dollars to fees, to interest and to principal. Anything left after all three
    goes to principal (an overpayment the lender owes back).

    >>> apply_payment(Decimal(100), Decimal(15), Decimal(90), Decimal(5000), PARTS)
    (Decimal('15'), Decimal('85'), Decimal('0'))
    """
    owed = {"fees": fees, "interest": interest, "principal": principal}
    taken = {"fees": ZERO, "interest": ZERO, "principal": ZERO}
    rest = amount
    for part in order:
        take = min(rest, owed[part])
        taken[part] = take
        rest -= take
    return taken["fees"], taken["interest"], taken["principal"] + rest


def post(
    principal: Decimal,
    rate_percent: Decimal,
    since: date,
    payments: Iterable[Payment],
    conventions: Conventions = Conventions(),
    *,
    unpaid_interest: Decimal = ZERO,
    unpaid_fees: Decimal = ZERO,
) -> tuple[Posting, ...]:
    """Credit ``payments`` (in date order) to a loan owing ``principal`` (dollars) just after a
    payment on ``since``, at ``rate_percent`` (percent per year), by ``conventions``.

    $10,000 at 18 %, $500 paid ten days later: 49.30 of interest, 450.70 of principal:

    >>> [p.principal for p in post(Decimal(10000), Decimal(18), date(2025, 3, 1),
    ...                           [Payment(date(2025, 3, 11), Decimal(500))])]
    [Decimal('9549.30')]
    """
    rows: list[Posting] = []
    last = since
    for payment in payments:
        interest = accrue(principal, rate_percent, last, payment.on, conventions)
        owed_interest = unpaid_interest + interest
        owed_fees = unpaid_fees + payment.charged
        to_fees, to_interest, to_principal = apply_payment(
            payment.amount, owed_fees, owed_interest, principal, conventions.order
        )
        principal -= to_principal
        unpaid_interest = owed_interest - to_interest
        unpaid_fees = owed_fees - to_fees
        rows.append(
            Posting(
                payment.on,
                payment.amount,
                interest,
                payment.charged,
                to_fees,
                to_interest,
                to_principal,
                principal,
                unpaid_interest,
                unpaid_fees,
            )
        )
        last = payment.on
    return tuple(rows)


# ----------------------------------------------------------------------------- a loan from today


@dataclass(frozen=True, slots=True)
class LateFee:
    """A late fee: ``amount`` dollars (flat) plus ``percent`` of the payment due, charged when a
    payment arrives more than ``grace_days`` after its due date."""

    grace_days: int = 10
    amount: Decimal = ZERO
    percent: Decimal = ZERO

    def charge(self, due: Decimal) -> Decimal:
        """The fee (dollars) on a late payment of ``due`` dollars."""
        return self.amount + round_fraction(Fraction(due) * Fraction(self.percent) / 100)


@dataclass(frozen=True, slots=True)
class Habit:
    """How the payments arrive: ``days_late`` after each due date (negative: that many days
    early), in two halves when ``twice_monthly`` (the first half 15 days before the second),
    with ``extra`` dollars added to every payment.

    >>> Habit(days_late=5).words, Habit(days_late=-3, twice_monthly=True).words
    ('5 days after each due date', 'in two halves 15 days apart, the second 3 days before each due date')
    """

    days_late: int = 0
    twice_monthly: bool = False
    extra: Decimal = ZERO

    @property
    def on_time(self) -> bool:
        """Whether every payment arrives whole on its due date with nothing extra."""
        return self.days_late == 0 and not self.twice_monthly and self.extra == 0

    @property
    def words(self) -> str:
        """The habit in a person's words."""
        if self.days_late > 0:
            when = f"{self.days_late} day{'s' if self.days_late != 1 else ''} after each due date"
        elif self.days_late < 0:
            when = f"{-self.days_late} day{'s' if self.days_late != -1 else ''} before each due date"
        else:
            when = "on each due date"
        words = when
        if self.twice_monthly:
            words = f"in two halves 15 days apart, the second {when}"
        if self.extra:
            words += f", with ${format_money(self.extra)} extra"
        return words


@dataclass(frozen=True, slots=True)
class SimpleInterestLoan:
    """A daily simple-interest loan from today (the module docstring): ``principal`` owed just
    after the last payment on ``last_paid`` (dollars), ``rate_percent`` (percent per year),
    ``term_months`` monthly payments left, the first due on ``first_due`` (default a month after
    ``last_paid``), of ``payment`` dollars (default: the level payment), paid by ``habit``,
    worked by ``conventions``, with an optional ``late_fee``.

    $1,000 at 12 % over two payments due on the 1st, paid on time (31 then 28 days of interest):

    >>> loan = SimpleInterestLoan(Decimal(1000), Decimal(12), 2, date(2025, 1, 1))
    >>> [(str(p.paid), str(p.interest), str(p.owed)) for p in loan.postings]
    [('507.51', '10.23', '502.72'), ('507.48', '4.76', '0.00')]
    >>> late = SimpleInterestLoan(Decimal(1000), Decimal(12), 2, date(2025, 1, 1), habit=Habit(days_late=5))
    >>> late.total_interest - loan.total_interest
    Decimal('1.65')
    """

    principal: Decimal
    rate_percent: Decimal
    term_months: int
    last_paid: date
    first_due: date | None = None
    payment: Decimal | None = None
    habit: Habit = Habit()
    conventions: Conventions = Conventions()
    late_fee: LateFee | None = None
    unpaid_interest: Decimal = ZERO

    def __post_init__(self) -> None:
        # Dates are held to the library's range, so a schedule never runs past what a calendar holds.
        check_date(self.last_paid, "last_paid")
        if self.first_due is not None:
            check_date(self.first_due, "first_due")
            if self.first_due <= self.last_paid:
                raise InputError(
                    "first_due", f"must be after the day interest runs from, {self.last_paid.isoformat()}"
                )

    @property
    def due_dates(self) -> tuple[date, ...]:
        """The due date of each payment left."""
        first = self.first_due or add_months(self.last_paid, 1)
        return tuple(payment_date(first, k) for k in range(self.term_months))

    @property
    def regular_payment(self) -> Decimal:
        """The payment due each month (dollars): the one given, else the level payment of a
        monthly loan of the same principal, rate and term (what lenders quote)."""
        if self.payment is not None:
            return self.payment
        if self.principal <= 0:
            return ZERO
        return AmortizingLoan(self.principal, self.rate_percent, self.term_months).regular_payment

    @property
    def postings(self) -> tuple[Posting, ...]:
        """Every payment as the lender credits it, to the one that clears the loan."""
        return _worked(self)[0]

    @property
    def installments(self) -> tuple[int, ...]:
        """For each posting, the number (1 …) of the due date it pays."""
        return _worked(self)[1]

    @property
    def payoff_date(self) -> date | None:
        """The day the loan is cleared (None when nothing is owed today)."""
        rows = self.postings
        return rows[-1].on if rows else None

    @property
    def total_interest(self) -> Decimal:
        """Interest charged from today to the end, in dollars."""
        return sum((p.interest for p in self.postings), ZERO)

    @property
    def total_fees(self) -> Decimal:
        """Fees charged from today to the end, in dollars."""
        return sum((p.fees_charged for p in self.postings), ZERO)

    def months(self, horizon_months: int) -> tuple[ContractMonth, ...]:
        """Months 0..``horizon_months``, month ``t`` being the ``t``-th due date: the cash paid
        for it, the interest and fees charged with it and everything owed just after it."""
        rows = _worked(self)[2]
        if horizon_months < len(rows):
            return rows[: horizon_months + 1]
        return rows + tuple(ContractMonth(t, ZERO, ZERO, ZERO) for t in range(len(rows), horizon_months + 1))

    def payoff_at(self, month: int) -> Decimal:
        """Everything owed just after the payment for the ``month``-th due date, in dollars."""
        rows = _worked(self)[2]
        return rows[month].balance if month < len(rows) else ZERO

    def with_extra(self, extra_monthly: Decimal) -> SimpleInterestLoan:
        """The loan paid with ``extra_monthly`` dollars more every month (in place of any extra
        the habit had)."""
        return dataclasses.replace(self, habit=dataclasses.replace(self.habit, extra=extra_monthly))

    def deferred(self, months: int, *, capitalize: bool = False) -> SimpleInterestLoan:
        """The loan with its next ``months`` payments skipped: every due date moves that many
        months on, interest keeps accruing by the day on the principal, and the first payment
        after goes to it first. Daily simple interest is never added to principal, so
        ``capitalize`` changes nothing."""
        first = self.first_due or add_months(self.last_paid, 1)
        return dataclasses.replace(self, first_due=add_months(first, months))

    def on_time(self) -> SimpleInterestLoan:
        """The same loan paid whole on every due date (the habit's extra kept)."""
        return dataclasses.replace(self, habit=Habit(extra=self.habit.extra))

    def payoff_on(self, day: date) -> Decimal:
        """What clears the loan on ``day`` (dollars): everything owed after the payments made
        before it, with the interest accrued since the last of them."""
        principal, unpaid, since = self.principal, self.unpaid_interest, self.last_paid
        fees = ZERO
        for p in self.postings:
            if p.on >= day:
                break
            principal, unpaid, fees, since = p.principal, p.unpaid_interest, p.unpaid_fees, p.on
        if principal <= 0 and unpaid == 0 and fees == 0:
            return ZERO
        return principal + unpaid + fees + accrue(principal, self.rate_percent, since, day, self.conventions)


def _plan(loan: SimpleInterestLoan) -> list[tuple[date, int, Decimal, Decimal]]:
    """Each payment the habit makes: its date, the due date's number, the amount and a late fee."""
    habit, regular = loan.habit, loan.regular_payment + loan.habit.extra
    shift = timedelta(days=habit.days_late)
    plan: list[tuple[date, int, Decimal, Decimal]] = []
    for number, due in enumerate(loan.due_dates, start=1):
        fee = ZERO
        if loan.late_fee is not None and habit.days_late > loan.late_fee.grace_days:
            fee = loan.late_fee.charge(loan.regular_payment)
        paid_on = due + shift
        if habit.twice_monthly:
            first_half = round_cents(regular / 2)
            early = max(paid_on - timedelta(days=15), loan.last_paid + timedelta(days=1))
            plan.append((early, number, first_half, ZERO))
            plan.append((paid_on, number, regular - first_half, fee))
        else:
            plan.append((paid_on, number, regular, fee))
    return plan


@functools.lru_cache(maxsize=256)
def _worked(
    loan: SimpleInterestLoan,
) -> tuple[tuple[Posting, ...], tuple[int, ...], tuple[ContractMonth, ...]]:
    """The loan's postings to the one that clears it, each one's due-date number, and its months."""
    months = [ContractMonth(0, ZERO, ZERO, loan.principal + loan.unpaid_interest)]
    if loan.principal + loan.unpaid_interest <= 0:
        return (), (), tuple(months)
    postings: list[Posting] = []
    numbers: list[int] = []
    principal, unpaid_interest, unpaid_fees, since = (
        loan.principal,
        loan.unpaid_interest,
        ZERO,
        loan.last_paid,
    )
    plan = _plan(loan)
    rate, c = loan.rate_percent, loan.conventions
    for i, (on, number, amount, fee) in enumerate(plan):
        interest = accrue(principal, rate, since, on, c)
        owed = principal + unpaid_interest + interest + unpaid_fees + fee
        last = i + 1 == len(plan) or owed <= amount
        posting = post(
            principal,
            rate,
            since,
            [Payment(on, owed if last else amount, fee)],
            c,
            unpaid_interest=unpaid_interest,
            unpaid_fees=unpaid_fees,
        )[0]
        postings.append(posting)
        numbers.append(number)
        principal, unpaid_interest, unpaid_fees, since = (
            posting.principal,
            posting.unpaid_interest,
            posting.unpaid_fees,
            on,
        )
        if last:
            break
    for number, group in itertools.groupby(zip(numbers, postings, strict=True), key=lambda pair: pair[0]):
        rows = [p for _, p in group]
        months.append(
            ContractMonth(
                number,
                sum((p.paid for p in rows), ZERO),
                sum((p.interest for p in rows), ZERO),
                rows[-1].owed,
                sum((p.fees_charged for p in rows), ZERO),
            )
        )
    return tuple(postings), tuple(numbers), tuple(months)
