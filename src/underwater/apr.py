"""The annual percentage rate by the actuarial method of Regulation Z, Appendix J (12 CFR 1026).

Amounts are dollars (``Decimal``, ``int`` or text such as ``"5,000"``); dates are
:class:`datetime.date`; every APR is **percent per year** (``Decimal("9.69")`` is 9.69 %).

How the rate is found (Appendix J, paragraph (b)):

1. **Unit-period** ((b)(4)): the caller names it - ``"month"``, ``"semimonth"``, ``"week"``,
   ``"2 weeks"``, ``"4 weeks"``, ``"2 months"``, ``"quarter"``, ``"half year"``, ``"year"``,
   ``"day"``, another multiple of a week or a month, or ``"term"`` for a single advance repaid
   by a single payment, whose unit-period is the whole term but never more than a year
   ((b)(4)(ii)) - or, for dated cash flows, leaves it to be chosen from the dates (below).
2. **Time to each advance and payment** ((b)(5)), from the start of the term (the first advance,
   (b)(2)) as full unit-periods ``t`` plus a fraction ``f``:

   - month: full months counted *back* from the later date; the days left over at the front,
     divided by 30 ((b)(5)(ii)). All months are equal: a month runs from a date to the same date
     of the next month; a series on the 29th, 30th or last day uses the last day of shorter
     months ((b)(3)(iv)). Which day a series is on is the latest day among its dates unless
     ``day_of_month`` says (a lone payment on 28 February may stand for the 28th or the 31st);
   - semimonth and multiples of a month (2 months, quarter, half year …): 30 days per full
     month counted back plus the days left over, divided by 15, or by 30 per month of the
     unit-period (60, 90, 180 …) ((b)(5)(iii));
   - day, week and multiples of a week: the days divided by 1, or by 7 per week of the
     unit-period (14, 28 …) ((b)(5)(iv));
   - year: full years counted back; what is left is months / 12 when it is a whole number of
     months, otherwise days / 365 ((b)(5)(v));
   - term, under a year: one unit-period, and 12 / months (a whole number of months) or
     365 / days (otherwise) unit-periods per year ((b)(5)(vi)-(vii)); a year or more is counted
     in years as above.
3. **General equation** ((b)(8)), solved for the unit-period rate ``i``::

       sum_k A_k / ((1 + e_k i)(1 + i)^q_k)  =  sum_j P_j / ((1 + f_j i)(1 + i)^t_j)

   The fraction earns simple interest ((b)(6)); only whole unit-periods compound.
4. **APR** = ``i`` x unit-periods per year x 100 ((b)(1)), disclosed rounded to the hundredth
   of a percent by the one rounding rule (halves up).

The solver is Newton's method inside a bisection bracket, in ``Decimal`` with 34 significant
digits and at most 200 steps; when no rate balances the equation it raises
:class:`~underwater.errors.NoSolutionError` instead of looping. Payments that add up to less
than the advances are refused (:class:`~underwater.errors.InputError` naming the payments: they
would give a negative APR, which means an amount or a payment is wrong or missing); a total of
payments equal to the advances gives exactly ``0.00``.

**Choosing the unit-period** ((b)(4)): a caller with dated cash flows may leave it out, and
:func:`unit_period_for` picks it from the dates - the period that occurs most often, the
shorter of two that tie, the standard interval nearest the average when none repeats, and the
whole term for one advance repaid by one payment. Any standard interval of (b)(3)(iii) can be
the unit-period: the named ones above and ``"3 weeks"`` to ``"52 weeks"``, ``"4 months"`` to
``"11 months"`` (52 / weeks or 12 / months a year, counted as (b)(5)(iii)-(iv) say).

Left out: a term that starts later than the first advance ((b)(2) lets the finance charge
start later; here it always starts at the first advance), the United States Rule method (the
other method 1026.22(a)(1) allows), and the mortgage finance-charge tolerances of
1026.22(a)(4)-(5), which need the disclosed finance charge and its own tolerance rules
(1026.18(d), 1026.23(g)-(h)).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext
from fractions import Fraction
from itertools import pairwise
from typing import Any

from underwater.dates import add_months, month_days
from underwater.errors import InputError, NoSolutionError
from underwater.limits import check_date
from underwater.money import ROUNDING, ZERO, Number, format_money, format_percent, parse_decimal, parse_money

__all__ = [
    "UNIT_PERIODS",
    "AprResult",
    "UnitPeriods",
    "apr_percent",
    "apr_percent_from_unit_periods",
    "is_apr_accurate",
    "loan_apr",
    "loan_apr_percent",
    "payment_dates",
    "solve_apr",
    "unit_period_for",
    "unit_periods_between",
]

# Unit-periods per year for each unit-period ((b)(5)(ii)-(v)); "term" is decided per loan.
# The standard intervals of (b)(3)(iii): a day, a week or a multiple of one up to a year, a
# semimonth, a month or a multiple of one up to a year. The common ones have names.
_WEEK_NAMES = {1: "week", 2: "2 weeks", 4: "4 weeks"}
_MONTH_NAMES = {1: "month", 2: "2 months", 3: "quarter", 6: "half year", 12: "year"}
_DAYS_PER_UNIT: dict[str, int] = {"day": 1} | {_WEEK_NAMES.get(k, f"{k} weeks"): 7 * k for k in range(1, 53)}
_MONTHS_PER_UNIT: dict[str, int] = {_MONTH_NAMES.get(k, f"{k} months"): k for k in range(1, 12)}
_PER_YEAR: dict[str, Decimal] = (
    {"day": Decimal(365)}
    | {name: Decimal(52) / (days // 7) for name, days in _DAYS_PER_UNIT.items() if name != "day"}
    | {"semimonth": Decimal(24)}
    | {name: Decimal(12) / months for name, months in _MONTHS_PER_UNIT.items()}
    | {"year": Decimal(1)}
)
_NAMED = (
    "day",
    "week",
    "2 weeks",
    "4 weeks",
    "semimonth",
    "month",
    "2 months",
    "quarter",
    "half year",
    "year",
)

UNIT_PERIODS: tuple[str, ...] = (*_NAMED, "term")
"""The unit-periods a form offers by name. Any other standard interval of Appendix J (b)(3)(iii)
is accepted too, written ``"3 weeks"`` (1 to 52 weeks) or ``"5 months"`` (1 to 11 months)."""

_ALIASES = {
    "daily": "day",
    "weekly": "week",
    "biweekly": "2 weeks",
    "two weeks": "2 weeks",
    "fortnight": "2 weeks",
    "four weeks": "4 weeks",
    "semimonthly": "semimonth",
    "semi monthly": "semimonth",
    "twice a month": "semimonth",
    "monthly": "month",
    "bimonthly": "2 months",
    "two months": "2 months",
    "quarterly": "quarter",
    "semiannual": "half year",
    "half yearly": "half year",
    "yearly": "year",
    "annual": "year",
    "annually": "year",
    "single payment": "term",
    "1 week": "week",
    "1 month": "month",
    "3 months": "quarter",
    "6 months": "half year",
    "12 months": "year",
}

_HUNDREDTH = Decimal("0.01")
_MAX_STEPS = 200
# 34 digits keep (1 + i)^t exact far beyond the hundredth of a percent even for daily
# unit-periods over decades; the wide exponent range lets the bracket search reach i near -1.
_CONTEXT = Context(prec=34, rounding=ROUND_HALF_EVEN, Emax=999_999, Emin=-999_999)
_CONVERGED = Decimal("1e-24")
_HIGHEST_RATE = Decimal(1_000_000)  # per unit-period: far past any real loan


@dataclass(frozen=True, slots=True)
class UnitPeriods:
    """Time from the start of the term to an advance or payment: ``full`` unit-periods plus a
    ``fraction`` of one (Appendix J (b)(7): ``q``/``t`` and ``e``/``f``), kept exact
    (``Fraction(19, 30)`` for 19 days of a month)."""

    full: int
    fraction: Fraction


@dataclass(frozen=True, slots=True)
class AprResult:
    """An APR found by the actuarial method, with what it was found from.

    ``apr_percent`` is the disclosed rate: percent per year rounded to the hundredth (halves
    up). ``apr_percent_unrounded`` is the same rate before rounding. ``unit_period_rate_percent``
    is percent per unit-period. Money is in dollars: ``amount_financed`` is the sum of the
    advances, ``total_of_payments`` the sum of the payments and ``finance_charge`` the
    difference. ``unit_period_chosen`` says the unit-period was chosen from the dates by
    Appendix J (b)(4) (:func:`unit_period_for`) rather than given.
    """

    apr_percent: Decimal
    apr_percent_unrounded: Decimal
    unit_period: str
    unit_periods_per_year: Decimal
    unit_period_rate_percent: Decimal
    term_start: date
    term_end: date
    amount_financed: Decimal
    total_of_payments: Decimal
    finance_charge: Decimal
    advance_count: int
    payment_count: int
    unit_period_chosen: bool = False
    """Whether ``unit_period`` was chosen by Appendix J (b)(4) from the dates (not given)."""

    def to_json(self) -> dict[str, Any]:
        """The result as JSON-ready values: percentages and money as strings, dates in ISO."""
        per_year = self.unit_periods_per_year
        return {
            "apr_percent": format_percent(self.apr_percent, 2),
            "apr_percent_unrounded": format_percent(self.apr_percent_unrounded, 6),
            "unit_period": self.unit_period,
            "unit_period_chosen": self.unit_period_chosen,
            "unit_periods_per_year": (
                str(per_year.quantize(Decimal(1)))
                if per_year == per_year.to_integral_value()
                else format_percent(per_year, 6)
            ),
            "unit_period_rate_percent": format_percent(self.unit_period_rate_percent, 8),
            "term_start": self.term_start.isoformat(),
            "term_end": self.term_end.isoformat(),
            "amount_financed": format_money(self.amount_financed),
            "total_of_payments": format_money(self.total_of_payments),
            "finance_charge": format_money(self.finance_charge),
            "advance_count": self.advance_count,
            "payment_count": self.payment_count,
        }


# ---------------------------------------------------------------------------------------------
# Public entry points


def apr_percent(
    advances: Iterable[tuple[date, Number]],
    payments: Iterable[tuple[date, Number]],
    unit_period: str | None = None,
    *,
    day_of_month: int | None = None,
) -> Decimal:
    """The APR in percent per year, rounded to the hundredth (``Decimal("9.69")`` is 9.69 %).

    ``advances`` and ``payments`` are ``(date, dollars)`` pairs; the term starts at the first
    advance. See :func:`solve_apr` for ``unit_period``, ``day_of_month`` and the whole result.

    A borrower receives $1,000 on 3 January 1978 and repays $1,080 in one payment on
    15 September 1978, 255 days later (Appendix J (c)(5)(i)):

    >>> from datetime import date
    >>> apr_percent([(date(1978, 1, 3), "1000")], [(date(1978, 9, 15), "1080")], unit_period="term")
    Decimal('11.45')
    """
    return solve_apr(advances, payments, unit_period, day_of_month=day_of_month).apr_percent


def solve_apr(
    advances: Iterable[tuple[date, Number]],
    payments: Iterable[tuple[date, Number]],
    unit_period: str | None = None,
    *,
    day_of_month: int | None = None,
) -> AprResult:
    """Solve Appendix J's general equation for these advances and payments (dollars, dates).

    ``unit_period`` names the unit-period (see the module docstring); left out, it is chosen
    from the dates as Appendix J (b)(4) says (:func:`unit_period_for`): the most frequent
    period, so yearly payments are counted in years and a schedule with no repeated interval in
    the standard interval nearest its average. The payments must add up to at least the
    advances (:class:`~underwater.errors.InputError` on ``payments`` otherwise: a negative
    APR means an amount or a payment is missing or wrong).

    ``day_of_month`` (1 to 31) is the day the payments are scheduled for, which matters only
    for a payment on the last day of a shorter month: with 31, a payment on 28 February counts
    whole months back to the 31st ((b)(3)(iv)). By default it is the latest day of the month
    among the payments.

    Returns an :class:`AprResult` whose ``apr_percent`` is percent per year, rounded to the
    hundredth. Raises :class:`~underwater.errors.InputError` naming ``advances``, ``payments``
    or ``unit_period`` for bad input, and :class:`~underwater.errors.NoSolutionError` when no
    rate balances the advances against the payments.

    A dealer advances $5,000 on 10 January 1978; the buyer pays $230 on the 10th of each month
    for 24 months (Appendix J (c)(1)(i)):

    >>> from datetime import date
    >>> pay = [(date(1978 + (1 + k) // 12, (1 + k) % 12 + 1, 10), "230") for k in range(24)]
    >>> result = solve_apr([(date(1978, 1, 10), "5000")], pay)
    >>> result.apr_percent, result.finance_charge
    (Decimal('9.69'), Decimal('520.00'))
    """
    chosen = unit_period is None
    unit = "month" if unit_period is None else _read_unit_period(unit_period)
    series_day = _read_day_of_month(day_of_month)
    advance_flows = _read_flows(advances, "advances")
    payment_flows = _read_flows(payments, "payments")
    amount_financed = sum((amount for _, amount in advance_flows), ZERO)
    total_of_payments = sum((amount for _, amount in payment_flows), ZERO)
    _check_repaid(
        total_of_payments,
        amount_financed,
        "payments",
        "the payments",
        "the advances",
        "check each payment's amount and that none is missing (the schedule on the contract lists them all)",
    )
    term_start = min(when for when, _ in advance_flows)
    for number, (when, _) in enumerate(payment_flows, start=1):
        if when < term_start:
            raise InputError(
                "payments",
                f"payment {number} is dated {when.isoformat()}, before the first advance "
                f"on {term_start.isoformat()}",
            )
    term_end = max(when for when, _ in (*advance_flows, *payment_flows))
    if chosen:
        unit = unit_period_for([when for when, _ in advance_flows], [when for when, _ in payment_flows])

    if unit == "term":
        per_year, advance_times, payment_times = _single_payment_times(
            advance_flows, payment_flows, series_day
        )
    else:
        per_year = _PER_YEAR[unit]
        advance_times = _times(advance_flows, term_start, unit, max(when.day for when, _ in advance_flows))
        payment_days = max(when.day for when, _ in payment_flows)
        payment_times = _times(payment_flows, term_start, unit, series_day or payment_days)

    rate = _solve(advance_times, payment_times)
    with localcontext(_CONTEXT):
        rate_percent = rate * 100
        unrounded = rate_percent * per_year
    return AprResult(
        apr_percent=unrounded.quantize(_HUNDREDTH, rounding=ROUNDING) + 0,
        apr_percent_unrounded=unrounded,
        unit_period=unit,
        unit_periods_per_year=per_year,
        unit_period_rate_percent=rate_percent,
        term_start=term_start,
        term_end=term_end,
        amount_financed=amount_financed,
        total_of_payments=total_of_payments,
        finance_charge=total_of_payments - amount_financed,
        advance_count=len(advance_flows),
        payment_count=len(payment_flows),
        unit_period_chosen=chosen,
    )


def apr_percent_from_unit_periods(
    advances: Sequence[tuple[Number, UnitPeriods]],
    payments: Sequence[tuple[Number, UnitPeriods]],
    unit_periods_per_year: Number,
) -> Decimal:
    """The APR in percent per year (rounded to the hundredth) from Appendix J's own symbols.

    Each advance and payment is ``(dollars, UnitPeriods(full, fraction))``, the time already
    counted from the start of the term as (b)(5) says; ``unit_periods_per_year`` may be a
    fraction (``Decimal(365) / 255`` for a 255-day single-payment term). This is the general
    equation (b)(8) alone, for figures that come already counted, as in Appendix J (c).

    $1,000 repaid by $1,240 after exactly two years, a year per unit-period ((c)(5)(iv)):

    >>> apr_percent_from_unit_periods(
    ...     [("1000", UnitPeriods(0, Fraction(0)))], [("1240", UnitPeriods(2, Fraction(0)))], 1
    ... )
    Decimal('11.36')
    """
    per_year = parse_decimal(unit_periods_per_year, "unit_periods_per_year", minimum=Decimal(0))
    if per_year == 0:
        raise InputError("unit_periods_per_year", "must be more than 0", got=unit_periods_per_year)
    advance_times = _read_timed(advances, "advances")
    payment_times = _read_timed(payments, "payments")
    _check_repaid(
        sum((amount for amount, _ in payment_times), Decimal(0)),
        sum((amount for amount, _ in advance_times), Decimal(0)),
        "payments",
        "the payments",
        "the advances",
        "check each payment's amount and that none is missing",
    )
    rate = _solve(advance_times, payment_times)
    with localcontext(_CONTEXT):
        unrounded = rate * 100 * per_year
    return unrounded.quantize(_HUNDREDTH, rounding=ROUNDING) + 0


def loan_apr(
    principal: Number,
    payment: Number,
    n_payments: int,
    loan_date: date,
    first_payment_date: date,
    *,
    prepaid_finance_charge: Number = 0,
    unit_period: str = "month",
    final_payment: Number | None = None,
    day_of_month: int | None = None,
) -> AprResult:
    """The APR of an ordinary installment loan: one advance, ``n_payments`` level payments.

    ``principal`` is the loan amount in dollars; ``prepaid_finance_charge`` (dollars: points,
    origination and other fees that are finance charges, paid at closing or financed) reduces
    the amount financed to ``principal - prepaid_finance_charge``, which is what the borrower
    really receives on ``loan_date``. ``payment`` (dollars) is due on ``first_payment_date`` and
    every unit-period after it, on ``day_of_month`` for monthly multiples (see
    :func:`payment_dates`); ``final_payment``, when given, replaces the last one. Returns an
    :class:`AprResult` whose ``apr_percent`` is percent per year.

    A $20,000 car loan at a 6 % note rate, 60 payments of $386.66, with a $300 documentation
    fee that is a finance charge: the fee lifts the APR above the note rate.

    >>> from datetime import date
    >>> loan_apr("20000", "386.66", 60, date(2025, 1, 15), date(2025, 2, 15),
    ...          prepaid_finance_charge="300").apr_percent
    Decimal('6.63')
    """
    unit = _read_unit_period(unit_period)
    loan_amount = parse_money(principal, "principal")
    fee = parse_money(prepaid_finance_charge, "prepaid_finance_charge")
    if fee >= loan_amount:
        raise InputError(
            "prepaid_finance_charge",
            f"must be less than the principal {format_money(loan_amount)}",
            got=prepaid_finance_charge,
        )
    level = parse_money(payment, "payment")
    if level <= 0:
        raise InputError("payment", "must be more than 0.00", got=payment)
    count = _read_count(n_payments)
    if unit == "term" and count != 1:
        raise InputError("n_payments", "must be 1 when the unit-period is the whole term", got=n_payments)
    loan_date = _read_date(loan_date, "loan_date")
    first_payment_date = _read_date(first_payment_date, "first_payment_date")
    if first_payment_date <= loan_date:
        raise InputError(
            "first_payment_date",
            f"must be after the loan date {loan_date.isoformat()}",
            got=first_payment_date,
        )
    amounts = [level] * count
    if final_payment is not None:
        last = parse_money(final_payment, "final_payment")
        if last <= 0:
            raise InputError("final_payment", "must be more than 0.00", got=final_payment)
        amounts[-1] = last
    _check_repaid(
        sum(amounts, ZERO),
        loan_amount - fee,
        "payment",
        f"{count} payments (`payment` × `n_payments`, with any `final_payment`)",
        "the amount financed (`principal` less `prepaid_finance_charge`)",
        "check the payment amount and the number of payments against the contract's payment schedule",
    )
    dates = payment_dates(first_payment_date, count, unit, day_of_month=day_of_month)
    # A semimonthly series has two days a month; the latest of them is solve_apr's own default.
    return solve_apr(
        [(loan_date, loan_amount - fee)],
        list(zip(dates, amounts, strict=True)),
        unit,
        day_of_month=None if unit == "semimonth" else day_of_month,
    )


def loan_apr_percent(
    principal: Number,
    payment: Number,
    n_payments: int,
    loan_date: date,
    first_payment_date: date,
    *,
    prepaid_finance_charge: Number = 0,
    unit_period: str = "month",
    final_payment: Number | None = None,
    day_of_month: int | None = None,
) -> Decimal:
    """The APR (percent per year, rounded to the hundredth) of the loan :func:`loan_apr` describes.

    Appendix J (c)(1)(ii): $6,000 advanced on 10 February 1978, 36 monthly payments of $200
    from 1 April 1978 (a long first period of 1 month and 19 days):

    >>> from datetime import date
    >>> loan_apr_percent("6000", "200", 36, date(1978, 2, 10), date(1978, 4, 1))
    Decimal('11.82')
    """
    return loan_apr(
        principal,
        payment,
        n_payments,
        loan_date,
        first_payment_date,
        prepaid_finance_charge=prepaid_finance_charge,
        unit_period=unit_period,
        final_payment=final_payment,
        day_of_month=day_of_month,
    ).apr_percent


def payment_dates(
    first_payment_date: date, n_payments: int, unit_period: str = "month", *, day_of_month: int | None = None
) -> list[date]:
    """The due dates of ``n_payments`` regular payments, one unit-period apart.

    Monthly multiples fall due on ``day_of_month`` (1 to 31; by default the first payment's
    day), on the last day of a shorter month: a series on the 31st is due on 28 February, then
    31 March. A series on the 29th, 30th or 31st whose first payment falls on 28 February needs
    ``day_of_month`` said. Semimonthly payments come twice a month: the first payment's day and
    the day 15 later (the 1st and 16th, the 15th and 30th, the last day of a shorter month), or,
    for a first payment after the 15th, the day 15 earlier in the next month (the last day pairs
    with the 15th). Days and weeks simply add up.

    >>> payment_dates(date(2025, 1, 31), 3)
    [datetime.date(2025, 1, 31), datetime.date(2025, 2, 28), datetime.date(2025, 3, 31)]
    """
    unit = _read_unit_period(unit_period)
    count = _read_count(n_payments)
    first_payment_date = _read_date(first_payment_date, "first_payment_date")
    day = _read_day_of_month(day_of_month) or first_payment_date.day
    if unit in _DAYS_PER_UNIT:
        step = _DAYS_PER_UNIT[unit]
        _dates_within(first_payment_date, count, timedelta(days=step), "n_payments")
        return [first_payment_date + timedelta(days=step * k) for k in range(count)]
    if unit == "term":
        if count != 1:
            raise InputError("n_payments", "must be 1 when the unit-period is the whole term", got=count)
        return [first_payment_date]
    if unit == "semimonth":
        if day <= 15:
            second_day, second_offset = day + 15, 0
        else:
            second_day, second_offset = (15 if day >= 30 else day - 15), 1
        return [
            add_months(first_payment_date, k // 2, day)
            if k % 2 == 0
            else add_months(first_payment_date, k // 2 + second_offset, second_day)
            for k in range(count)
        ]
    months = 12 if unit == "year" else _MONTHS_PER_UNIT[unit]
    _dates_within(first_payment_date, count, months, "n_payments")
    return [add_months(first_payment_date, months * k, day) for k in range(count)]


def unit_periods_between(
    start: date, end: date, unit_period: str = "month", *, day_of_month: int | None = None
) -> UnitPeriods:
    """Full unit-periods and the fraction of one from ``start`` to ``end`` (Appendix J (b)(5)).

    Months are counted back from ``end``. ``day_of_month`` is the day the series is scheduled
    for (29, 30 or 31) when ``end`` fell on the last day of a shorter month; by default it is
    ``end``'s own day, or 31 when ``end`` is the last day of its month.

    $6,000 advanced on 10 February, first payment on 1 April: one month (1 March to 1 April)
    and 19 days (10 February to 1 March), 19/30 of a month ((c)(1)(ii)):

    >>> unit_periods_between(date(1978, 2, 10), date(1978, 4, 1))
    UnitPeriods(full=1, fraction=Fraction(19, 30))
    """
    unit = _read_unit_period(unit_period)
    if unit == "term":
        raise InputError(
            "unit_period", "a whole-term unit-period has no count between two dates", got=unit_period
        )
    start = _read_date(start, "start")
    end = _read_date(end, "end")
    if end < start:
        raise InputError("end", f"must not be before the start {start.isoformat()}", got=end)
    anchor = _anchor(end, _read_day_of_month(day_of_month) or 31)
    return _count(start, end, unit, anchor)


def is_apr_accurate(disclosed_percent: Number, actual_percent: Number, *, irregular: bool = False) -> bool:
    """Whether a disclosed APR is accurate under 12 CFR 1026.22(a)(2)-(3); both in percent per year.

    The disclosed rate is accurate when it is not more than 1/8 of one percentage point above or
    below the actual rate (a)(2), or 1/4 of a point in an *irregular* transaction (a)(3): one
    with multiple advances, irregular payment periods or irregular payment amounts, other than an
    irregular first period or an irregular first or final payment. The mortgage tolerances of
    (a)(4)-(5), which turn on the disclosed finance charge, are not checked here.

    >>> is_apr_accurate("9.75", "9.625"), is_apr_accurate("9.76", "9.625")
    (True, False)
    """
    disclosed = parse_decimal(disclosed_percent, "disclosed_percent", unit="percent")
    actual = parse_decimal(actual_percent, "actual_percent", unit="percent")
    tolerance = Decimal("0.25") if irregular else Decimal("0.125")
    return abs(disclosed - actual) <= tolerance


# ---------------------------------------------------------------------------------------------
# Reading input


def _check_repaid(total: Decimal, financed: Decimal, field: str, paid: str, lent: str, advice: str) -> None:
    # Payments that return less than was lent solve to a negative APR: no credit contract does
    # that, so it is a mistake in what was typed (a payment left out, a wrong amount) to point at.
    if total < financed:
        raise InputError(
            field,
            f"{paid} add up to {format_money(total)}, less than {lent}, {format_money(financed)}: "
            f"that would be a negative APR; {advice}",
        )


def _read_unit_period(value: object) -> str:
    if isinstance(value, str):
        key = " ".join(value.strip().lower().replace("-", " ").replace("_", " ").split())
        key = _ALIASES.get(key, key)
        if key in _PER_YEAR or key == "term":
            return key
    raise InputError(
        "unit_period",
        "must be one of: " + ", ".join(UNIT_PERIODS) + " (or 3 weeks … 52 weeks, 4 months … 11 months)",
        got=value,
    )


def _is_date(value: object) -> bool:
    # A datetime is a date to Python, but a time of day has no meaning in Appendix J's counts.
    return isinstance(value, date) and not isinstance(value, datetime)


def _read_date(value: object, field: str, what: str = "") -> date:
    """A date (not a datetime) from 1900-01-01 to 2199-12-31, or an InputError naming ``field``
    (``what`` says which of several dates it is)."""
    if not _is_date(value):
        raise InputError(field, f"{what}must be a date", got=value)
    try:
        return check_date(value, field)
    except InputError as exc:
        raise InputError(field, f"{what}{exc.rule}", got=value) from None


def _dates_within(first: date, count: int, step: timedelta | int, field: str) -> None:
    """Refuse a series of ``count`` dates ``step`` apart (days, or months as an int) from
    ``first`` that would run past the last date :mod:`datetime` holds (year 9999)."""
    if count <= 1:
        return
    months = step if isinstance(step, int) else 0
    days = step.days if isinstance(step, timedelta) else 0
    last_month = first.year * 12 + first.month - 1 + months * (count - 1)
    if last_month // 12 > date.max.year or (days and (date.max - first).days < days * (count - 1)):
        raise InputError(field, f"must be few enough that the last payment falls by {date.max}", got=count)


def _read_day_of_month(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 31:
        raise InputError("day_of_month", "must be a whole number from 1 to 31", got=value)
    return value


def _read_count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError("n_payments", "must be a whole number of payments", got=value)
    if not 1 <= value <= 100_000:
        raise InputError("n_payments", "must be from 1 to 100000", got=value)
    return value


def _read_flows(value: object, field: str) -> list[tuple[date, Decimal]]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InputError(field, "must be a list of (date, amount) pairs", got=value)
    flows: list[tuple[date, Decimal]] = []
    what = field.removesuffix("s")
    for number, item in enumerate(value, start=1):
        if isinstance(item, (str, bytes)) or not isinstance(item, Sequence) or len(item) != 2:
            raise InputError(field, f"{what} {number} must be a (date, amount) pair", got=item)
        when, raw = item
        if not _is_date(when):
            raise InputError(field, f"{what} {number} needs a date (datetime.date)", got=when)
        when = _read_date(when, field, f"{what} {number}: ")
        amount = parse_money(raw, field)
        if amount <= 0:
            raise InputError(field, f"{what} {number} must be more than 0.00", got=raw)
        flows.append((when, amount))
    if not flows:
        raise InputError(field, f"needs at least one {what}", got=[])
    return flows


def _read_timed(value: object, field: str) -> list[tuple[Decimal, UnitPeriods]]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or not value:
        raise InputError(field, "must be a non-empty list of (amount, UnitPeriods) pairs", got=value)
    timed: list[tuple[Decimal, UnitPeriods]] = []
    for number, item in enumerate(value, start=1):
        if not isinstance(item, Sequence) or len(item) != 2 or not isinstance(item[1], UnitPeriods):
            raise InputError(field, f"item {number} must be an (amount, UnitPeriods) pair", got=item)
        amount = parse_decimal(item[0], field)
        time = item[1]
        if amount <= 0:
            raise InputError(field, f"item {number} must be more than 0", got=item[0])
        if not isinstance(time.fraction, Fraction) or time.full < 0 or not 0 <= time.fraction <= 1:
            raise InputError(field, f"item {number} needs full >= 0 and a fraction from 0 to 1", got=time)
        timed.append((amount, time))
    return timed


# ---------------------------------------------------------------------------------------------
# Counting unit-periods (Appendix J (b)(3)-(5))


def _months_back(start: date, end: date, day: int) -> tuple[int, date]:
    """Full months counted back from ``end`` without passing ``start``, and where they stop."""
    months = (end.year - start.year) * 12 + end.month - start.month
    stop = add_months(end, -months, day)
    if stop < start:
        months -= 1
        stop = add_months(end, -months, day)
    return months, stop


def _count(start: date, end: date, unit: str, day: int) -> UnitPeriods:
    if unit in _DAYS_PER_UNIT:
        size = _DAYS_PER_UNIT[unit]
        full, rest = divmod((end - start).days, size)
        return UnitPeriods(full, Fraction(rest, size))
    months, stop = _months_back(start, end, day)
    leftover = (stop - start).days
    if unit == "year":
        years = months // 12
        if leftover == 0:
            return UnitPeriods(years, Fraction(months - 12 * years, 12))
        year_stop = add_months(end, -12 * years, day)
        return UnitPeriods(years, Fraction((year_stop - start).days, 365))
    size = 15 if unit == "semimonth" else 30 * _MONTHS_PER_UNIT[unit]
    full, rest = divmod(30 * months + leftover, size)
    return UnitPeriods(full, Fraction(rest, size))


def _anchor(when: date, series_day: int) -> int:
    # A date on the last day of a shorter month stands for the series' own day
    # ((b)(3)(iv): a series on the 29th or 30th uses the last day of February).
    if when.day == month_days(when.year, when.month):
        return max(when.day, series_day)
    return when.day


def _times(
    flows: list[tuple[date, Decimal]], start: date, unit: str, series_day: int
) -> list[tuple[Decimal, UnitPeriods]]:
    return [(amount, _count(start, when, unit, _anchor(when, series_day))) for when, amount in flows]


def _single_payment_times(
    advances: list[tuple[date, Decimal]], payments: list[tuple[date, Decimal]], series_day: int | None
) -> tuple[Decimal, list[tuple[Decimal, UnitPeriods]], list[tuple[Decimal, UnitPeriods]]]:
    if len({when for when, _ in advances}) != 1 or len({when for when, _ in payments}) != 1:
        raise InputError(
            "unit_period",
            "'term' is for one advance repaid by one payment; name the unit-period of the payments instead",
            got="term",
        )
    # Amounts on one date are one advance (or one payment).
    advance_date, advance = advances[0][0], sum((amount for _, amount in advances), ZERO)
    payment_date, payment = payments[0][0], sum((amount for _, amount in payments), ZERO)
    if payment_date <= advance_date:
        raise InputError("payments", "the single payment must come after the advance", got=payment_date)
    # A term ending on a month's last day is counted from the advance's day of the month.
    day = _anchor(payment_date, max(advance_date.day, series_day or 0))
    months, stop = _months_back(advance_date, payment_date, day)
    zero = UnitPeriods(0, Fraction(0))
    if months >= 12:
        # (b)(4)(ii): the unit-period never exceeds a year, so a longer term counts in years.
        return Decimal(1), [(advance, zero)], [(payment, _count(advance_date, payment_date, "year", day))]
    with localcontext(_CONTEXT):
        if stop == advance_date:
            per_year = Decimal(12) / months  # (b)(5)(vi): a whole number of months
        else:
            per_year = Decimal(365) / (payment_date - advance_date).days  # (b)(5)(vii)
    return per_year, [(advance, zero)], [(payment, UnitPeriods(1, Fraction(0)))]


# ---------------------------------------------------------------------------------------------
# Choosing the unit-period (Appendix J (b)(3)-(4))


def _nominal_days(unit: str) -> Fraction:
    """A standard interval's length in days, to order and round intervals by (a month is a
    twelfth of 365 days, a semimonth half of that)."""
    if unit in _DAYS_PER_UNIT:
        return Fraction(_DAYS_PER_UNIT[unit])
    if unit == "semimonth":
        return Fraction(365, 24)
    if unit == "year":
        return Fraction(365)
    return Fraction(365 * _MONTHS_PER_UNIT[unit], 12)


_STANDARD = sorted(_PER_YEAR, key=_nominal_days)
"""Every standard interval of (b)(3)(iii), shortest first."""


def _semimonth_later(when: date) -> set[date]:
    """The dates half a month after ``when`` in a series on two days a month (the 1st and
    16th, the 15th and the last day …), as :func:`payment_dates` lays them out."""
    last = month_days(when.year, when.month)
    later: set[date] = set()
    if when.day <= 15:
        later.add(when.replace(day=min(when.day + 15, last)))
    if when.day >= 16:
        later.add(add_months(when, 1, when.day - 15))
    if when.day == last:
        # A month's last day stands for the 30th or 31st: its partner is the 15th or 16th.
        later |= {add_months(when, 1, day) for day in range(max(1, last - 15), 17)}
    return later


def _intervals_matching(start: date, end: date) -> set[str]:
    """The standard intervals that the period from ``start`` to ``end`` is equal to."""
    days = (end - start).days
    found: set[str] = set()
    if days == 1:
        found.add("day")
    if days % 7 == 0 and 1 <= days // 7 <= 52:
        found.add(_WEEK_NAMES.get(days // 7, f"{days // 7} weeks"))
    months = (end.year - start.year) * 12 + end.month - start.month
    if 1 <= months <= 12:
        # (b)(3)(iv): months run from a date to the same date; a last day of the month stands
        # for the series' own day (the 29th, 30th or 31st).
        series_days = (
            range(start.day, 32) if start.day == month_days(start.year, start.month) else (start.day,)
        )
        if any(add_months(start, months, day) == end for day in series_days):
            found.add(_MONTH_NAMES.get(months, f"{months} months"))
    if end in _semimonth_later(start):
        found.add("semimonth")
    return found


def _periods(advance_dates: Sequence[date], payment_dates_: Sequence[date]) -> list[tuple[date, date]]:
    """Appendix J (b)(3)(i)'s periods: between advances, between payments, and from the start
    of the term to the first payment."""
    start = min(advance_dates)
    periods: list[tuple[date, date]] = []
    for series in (sorted(set(advance_dates)), [start, *sorted(set(payment_dates_))]):
        periods += [(a, b) for a, b in pairwise(series) if b > a]
    return periods


def unit_period_for(advance_dates: Sequence[date], payment_dates_: Sequence[date]) -> str:
    """The unit-period Appendix J (b)(4) gives a transaction with advances and payments on these
    dates (one entry per advance or payment).

    - one advance repaid by one payment: ``"term"``, the whole term ((b)(4)(ii)); amounts on
      one date count as one;
    - otherwise the **common period** (a period that occurs more than once, (b)(3)(ii)), not
      over a year, that occurs most often ((b)(4)(i)). Periods are the intervals between
      advances, between payments, and from the start of the term (the first advance) to the
      first payment ((b)(3)(i)), so an odd first period counts once like any other. Two common
      periods that occur equally often: the shorter ((b)(4)(i)(A));
    - no common period: the average of all periods, rounded to the nearest standard interval
      (a day, a week or a multiple of one, a semimonth, a month or a multiple of one, up to a
      year), and to the shorter of two when it lies exactly halfway ((b)(4)(i)(B)).

    A period equals a standard interval as (b)(3)(iv) measures time: months run from a date to
    the same date of a later month (a series on the 29th to 31st uses a shorter month's last
    day); a semimonth is half such a month in a series on two days a month (the 1st and 16th, the
    15th and the last day). A period that equals two intervals (28 days in February are four
    weeks and a month) counts for both. Lengths, for ordering and rounding, put a month at
    365/12 days.

    Source: 12 CFR 1026, Appendix J, (b)(3) and (b)(4)(i), as printed by the Federal Reserve's
    FRRS (https://frrsdigital.com/topic-by-locator/6-1017, read to (b)(4)(i)(A)); the wording of
    the tie (A) and the no-common-period rule (B) is as recalled, not re-read.

    Monthly payments after a long first period (Appendix J (c)(1)(ii)); yearly payments; and
    payments 20, 35 and 47 days apart, which average 34 days: five weeks.

    >>> from datetime import date
    >>> unit_period_for([date(1978, 2, 10)], [date(1978, 4, 1), date(1978, 5, 1), date(1978, 6, 1)])
    'month'
    >>> unit_period_for([date(2025, 3, 1)], [date(2026, 3, 1), date(2027, 3, 1), date(2028, 3, 1)])
    'year'
    >>> unit_period_for([date(2025, 1, 1)], [date(2025, 1, 21), date(2025, 2, 25), date(2025, 4, 13)])
    '5 weeks'
    """
    if not advance_dates or not payment_dates_:
        raise InputError("payments", "needs at least one advance and one payment to choose a unit-period")
    advance_dates = [_read_date(d, "advances", f"advance {n}: ") for n, d in enumerate(advance_dates, 1)]
    payment_dates_ = [_read_date(d, "payments", f"payment {n}: ") for n, d in enumerate(payment_dates_, 1)]
    if len(set(advance_dates)) == 1 and len(set(payment_dates_)) == 1:
        # Several amounts on one date are one advance (or one payment): splitting a sum in two
        # changes nothing else in Appendix J either.
        return "term"
    periods = _periods(advance_dates, payment_dates_)
    if not periods:
        raise InputError(
            "payments", "every payment falls on the day of the advance: no period to choose a unit-period by"
        )
    counts: dict[str, int] = {}
    for start, end in periods:
        for unit in _intervals_matching(start, end):
            counts[unit] = counts.get(unit, 0) + 1
    common = [unit for unit, count in counts.items() if count > 1]
    if common:
        return min(common, key=lambda unit: (-counts[unit], _nominal_days(unit)))
    average = Fraction(sum((end - start).days for start, end in periods), len(periods))
    return min(_STANDARD, key=lambda unit: (abs(_nominal_days(unit) - average), _nominal_days(unit)))


# ---------------------------------------------------------------------------------------------
# Solving the general equation (Appendix J (b)(8)-(9))


_Flow = tuple[Decimal, int, Decimal]  # amount, full unit-periods, fraction as a Decimal


def _flows(timed: list[tuple[Decimal, UnitPeriods]]) -> list[_Flow]:
    return [
        (amount, time.full, Decimal(time.fraction.numerator) / time.fraction.denominator)
        for amount, time in timed
    ]


def _balance(rate: Decimal, advances: list[_Flow], payments: list[_Flow]) -> tuple[Decimal, Decimal]:
    """Advances minus payments, each discounted to the start of the term, and its slope in rate."""
    growth = 1 + rate
    powers: dict[int, Decimal] = {}
    value = Decimal(0)
    slope = Decimal(0)
    for sign, flows in ((1, advances), (-1, payments)):
        for amount, full, fraction in flows:
            power = powers.get(full)
            if power is None:
                power = powers[full] = growth**full
            simple = 1 + fraction * rate
            present = amount / (simple * power)
            value += sign * present
            slope -= sign * present * (fraction / simple + full / growth)
    return value, slope


def _solve(
    advances_timed: list[tuple[Decimal, UnitPeriods]], payments_timed: list[tuple[Decimal, UnitPeriods]]
) -> Decimal:
    """The unit-period rate (a decimal fraction) that balances the general equation."""
    with localcontext(_CONTEXT):
        advances, payments = _flows(advances_timed), _flows(payments_timed)
        at_zero, _ = _balance(Decimal(0), advances, payments)
        if at_zero == 0:
            return Decimal(0)
        low, high = _bracket(at_zero, advances, payments)
        low_value, _ = _balance(low, advances, payments)
        rate = (low + high) / 2
        last_step = high - low
        for _ in range(_MAX_STEPS):
            value, slope = _balance(rate, advances, payments)
            if value == 0:
                return rate
            if (value < 0) == (low_value < 0):
                low, low_value = rate, value
            else:
                high = rate
            guess = rate - value / slope if slope != 0 else low
            # Newton is fast near the answer; where it leaves the bracket or crawls (a step not
            # half the one before), halve the bracket instead, so 200 steps always suffice.
            if not low < guess < high or abs(guess - rate) > last_step / 2:
                guess = (low + high) / 2
            last_step = abs(guess - rate)
            if abs(guess - rate) <= _CONVERGED * (1 + abs(rate)) or high - low <= _CONVERGED:
                return guess
            rate = guess
    raise NoSolutionError("payments", "the rate did not settle within 200 steps; check the dates and amounts")


def _bracket(at_zero: Decimal, advances: list[_Flow], payments: list[_Flow]) -> tuple[Decimal, Decimal]:
    """Two rates on either side of the answer: 0, where the payments outweigh the advances
    (the callers refuse payments that add up to less), and a rate where the advances do."""
    high = Decimal("0.01")
    while high <= _HIGHEST_RATE:
        value = _balance_or_none(high, advances, payments)
        if value is None:
            break
        if value > 0:
            return Decimal(0), high
        high *= 4
    raise NoSolutionError(
        "payments", "no rate makes these payments repay these advances (check the dates and amounts)"
    )


def _balance_or_none(rate: Decimal, advances: list[_Flow], payments: list[_Flow]) -> Decimal | None:
    # Extreme trial rates over very long terms can leave Decimal's exponent range; such a rate
    # is no answer, and the search stops there instead of raising a Decimal error.
    try:
        value, _ = _balance(rate, advances, payments)
    except ArithmeticError:
        return None
    return value
