"""What the collateral will be worth: depreciation curves, market shocks and value paths.

**Retention** is the share of the price new that an asset is still worth at a given age:
0.418 at 60 months means a $30,000 car is worth $12,540 at five years. A
:class:`RetentionCurve` gives retention at any age in months. It is defined by points at whole
months (age 0 is always 1); between two points the value changes at a constant monthly rate
(geometric interpolation: ``r(t) = r(t0) × (r(t1) / r(t0)) ** ((t − t0) / (t1 − t0))``), and
after the last point it keeps changing at the rate of the curve's last twelve months.

Curves come from four places:

- :func:`preset` — curves per asset class shipped in ``underwater/data/depreciation.json``,
  each with its sources, method, date and a confidence label per point (``V`` checked on the
  cited page, ``V-d`` computed from checked numbers, ``S`` checked on a secondary source,
  ``R`` recalled or assumed: verify). :func:`default_preset` picks the one for a class.
- :func:`constant_rate_curve` — a fixed percent lost per year (negative: gained).
- :func:`custom_curve` — the user's own retention by year.
- :func:`fit_comparables` — a fit to the user's comparable sales (age, miles, price).

**A projection always starts from today's known value.** :func:`value_path` never re-derives
today's value from a price new: it scales the value the user gave by how the curve moves from
the asset's age today, ``value(t) = value_today × (1 − shock/100) × r(age + t) / r(age)``.
A **shock** is a one-time drop of x % in market value that hits today (month 0) and carries
through every later month. Every value on a path is rounded to the cent by the one rounding
rule (:func:`underwater.money.round_cents`).

Percentages are typed as a person types them: ``Decimal("10")`` is 10 % a year.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, localcontext
from functools import cache
from types import MappingProxyType
from typing import Any

from underwater.assets import DEFAULT_PRESETS, AssetClass, parse_asset_class
from underwater.datafiles import load_json
from underwater.errors import InputError, NoSolutionError
from underwater.limits import MAX_AMOUNT
from underwater.money import (
    CENT,
    ROUNDING,
    format_money,
    format_percent,
    format_ratio,
    parse_decimal,
    parse_money,
    round_cents,
)

__all__ = [
    "CONFIDENCE_LABELS",
    "MAX_AGE_MONTHS",
    "MAX_HORIZON_MONTHS",
    "RETENTION_FLOOR",
    "RETENTION_PLACES",
    "ComparableSale",
    "CurvePoint",
    "FittedCurve",
    "MileageRule",
    "RetentionCurve",
    "Source",
    "constant_rate_curve",
    "custom_curve",
    "default_preset",
    "expected_annual_miles",
    "fit_comparables",
    "mileage_adjustment_percent",
    "mileage_rule",
    "preset",
    "presets",
    "scale_value",
    "scale_values",
    "value_at",
    "value_path",
]

CONFIDENCE_LABELS: tuple[str, ...] = ("V", "V-d", "S", "R")
"""Confidence of a preset point: checked, derived from checked, secondary source, recalled."""

MAX_AGE_MONTHS = 600
"""Oldest age accepted for an asset today, in months (50 years)."""

MAX_HORIZON_MONTHS = 600
"""Longest projection, in months (50 years)."""

_MAX_CURVE_AGE = MAX_AGE_MONTHS + MAX_HORIZON_MONTHS
_PRECISION = 34  # enough digits that 600 monthly steps never show rounding in cents
RETENTION_PLACES = 12
"""Retention ratios are given to this many decimal places (half up): exact rationals, so that a
value on a curve rounds to the cent the same way in every engine. A ratio below
:data:`RETENTION_FLOOR` is given to this many significant digits instead."""
RETENTION_FLOOR = Decimal("1e-8")
"""Below this share of the price new (where 12 decimal places would keep fewer than five
digits, and a steep curve's would round to 0), retention is given to 12 significant digits, so
that it is never 0 and a value carried from today along the curve keeps its precision. Every
preset stays above it at every age to 1,200 months, so their figures are 12-place ones."""
_RETENTION_QUANTUM = Decimal(1).scaleb(-RETENTION_PLACES)
# A float power below this (or above its inverse) is worked again in Decimal: float would lose
# digits to subnormals or underflow to 0 on a steep curve's far tail.
_FLOAT_SAFE = 1e-290
# A value's product and quotient are worked to this many digits: more than any product of a
# shocked amount and a retention can have, so the rounding to the cent is that of the exact ratio.
_EXACT_PRECISION = 60
_ONE = Decimal(1)
_HUNDRED = Decimal(100)
_TWELVE = Decimal(12)
_THOUSAND = Decimal(1000)
_TEN_THOUSAND = Decimal(10000)
_DATA_FILE = "depreciation.json"


@dataclass(frozen=True, slots=True)
class Source:
    """Where a curve's numbers come from: a title a person recognises and a URL."""

    title: str
    url: str

    def to_json(self) -> dict[str, Any]:
        """``{"title": ..., "url": ...}``."""
        return {"title": self.title, "url": self.url}


@dataclass(frozen=True, slots=True)
class CurvePoint:
    """Retention at one age: ``age_months`` (whole months), ``retention`` (a ratio to the price
    new) and ``confidence`` (one of :data:`CONFIDENCE_LABELS`, or ``None`` for a curve the user
    supplied or underwater fitted)."""

    age_months: int
    retention: Decimal
    confidence: str | None = None

    @property
    def age_years(self) -> Decimal:
        """The age in years (``age_months / 12``)."""
        return Decimal(self.age_months) / _TWELVE

    def to_json(self) -> dict[str, Any]:
        """``{"age_months": 12, "retention": "0.8000", "confidence": "V"}``."""
        return {
            "age_months": self.age_months,
            "retention": format_ratio(self.retention),
            "confidence": self.confidence,
        }


def _float_power(base: Decimal, exponent: float) -> Decimal:
    """``base ** exponent`` for a positive ratio: exact in Decimal for a whole exponent (whole
    years), otherwise through float and back as a Decimal - or in Decimal where float would
    underflow or overflow."""
    if exponent.is_integer():
        return base ** int(exponent)
    try:
        result = float(base) ** exponent
    except OverflowError:  # a steep gain far out: worked in Decimal below
        result = math.inf
    if _FLOAT_SAFE < result < 1 / _FLOAT_SAFE:
        return Decimal(repr(result))
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return (Decimal(repr(exponent)) * base.ln()).exp()


@dataclass(frozen=True, slots=True)
class RetentionCurve:
    """Share of the price new an asset keeps, as a function of its age in months.

    ``points`` are at strictly increasing whole-month ages above 0 with positive retention;
    age 0 is always 1. A curve that is not ``appreciating`` never rises and never exceeds 1.
    Build one with :func:`preset`, :func:`constant_rate_curve`, :func:`custom_curve` or
    :func:`fit_comparables`; constructing it directly validates the same rules and raises
    :class:`~underwater.errors.InputError` on the field ``retention``.
    """

    name: str
    asset_class: AssetClass | None
    points: tuple[CurvePoint, ...]
    sources: tuple[Source, ...] = ()
    method: str = ""
    description: str = ""
    title: str = ""
    as_of: date | None = None
    appreciating: bool = False
    _tail_ratio: Decimal = field(default=_ONE, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_points(self.points, allow_rise=self.appreciating)
        object.__setattr__(self, "_tail_ratio", self._last_year_ratio())

    def _last_year_ratio(self) -> Decimal:
        # The rate of the last twelve months of data carries on past the last point; a curve
        # whose only point is under a year old annualises the rate from age 0.
        last = self.points[-1]
        with localcontext() as ctx:
            ctx.prec = _PRECISION
            if last.age_months >= 12:
                return last.retention / self._interpolate(Decimal(last.age_months - 12))
            return last.retention ** (_TWELVE / Decimal(last.age_months))

    def _interpolate(self, age: Decimal) -> Decimal:
        # The geometric step between two points is worked out in binary floating point (a ratio
        # of the curve, never money): a Decimal fractional power costs ~55 µs, which made a
        # 360-month projection 20 ms; float gives the same ratio to ~1e-16, far below a cent,
        # and is what the vectorised portfolio engine computes too.
        previous_age, previous = Decimal(0), _ONE
        for point in self.points:
            if age == point.age_months:
                return point.retention
            if age < point.age_months:
                share = float((age - previous_age) / (point.age_months - previous_age))
                return previous * _float_power(point.retention / previous, share)
            previous_age, previous = Decimal(point.age_months), point.retention
        years_past = float((age - previous_age) / _TWELVE)
        return previous * _float_power(self._tail_ratio, years_past)

    def retention(self, age_months: int | Decimal) -> Decimal:
        """Retention (value ÷ price new) at ``age_months`` (0 to 1,200 months; fractions
        allowed), to at most 12 decimal places (:data:`RETENTION_PLACES`, half up), or to 12
        significant digits below :data:`RETENTION_FLOOR`: never 0.

        A car on the Carfax rule keeps 80 % after a year and half of the second year's loss is
        spread evenly month by month:

        >>> curve = preset("car_carfax")
        >>> curve.retention(0), curve.retention(12)
        (Decimal('1'), Decimal('0.800'))
        >>> round(curve.retention(18), 4)
        Decimal('0.7376')
        """
        age = parse_decimal(
            age_months, "age_months", minimum=Decimal(0), maximum=Decimal(_MAX_CURVE_AGE), unit="months"
        )
        if age == 0:
            return _ONE
        with localcontext() as ctx:
            ctx.prec = _PRECISION
            ratio = +self._interpolate(age)
            exponent = ratio.as_tuple().exponent
            if ratio < RETENTION_FLOOR:
                return ratio.quantize(
                    Decimal(1).scaleb(ratio.adjusted() - RETENTION_PLACES + 1), rounding=ROUNDING
                )
            if isinstance(exponent, int) and exponent < -RETENTION_PLACES:
                # An appreciating curve far out can keep 1.5**100 (18 whole digits) or more:
                # give the 12 places room, whatever the caller's context.
                ctx.prec = max(_PRECISION, ratio.adjusted() + 1 + RETENTION_PLACES)
                return ratio.quantize(_RETENTION_QUANTUM, rounding=ROUNDING)
            return ratio

    def yearly_rate_percent(self, age_months: int | Decimal) -> Decimal:
        """Percent of value lost over the twelve months after ``age_months`` (negative: gained).

        >>> round(constant_rate_curve(Decimal("10")).yearly_rate_percent(30), 4)
        Decimal('10.0000')
        """
        start = self.retention(age_months)
        end = self.retention(parse_decimal(age_months, "age_months") + 12)
        with localcontext() as ctx:
            ctx.prec = _PRECISION
            return (_ONE - end / start) * _HUNDRED

    def to_json(self) -> dict[str, Any]:
        """The curve with its provenance; retention ratios as strings with four decimals."""
        return {
            "name": self.name,
            "title": self.title,
            "asset_class": None if self.asset_class is None else self.asset_class.value,
            "description": self.description,
            "method": self.method,
            "as_of": None if self.as_of is None else self.as_of.isoformat(),
            "appreciating": self.appreciating,
            "sources": [source.to_json() for source in self.sources],
            "points": [point.to_json() for point in self.points],
        }


def _check_points(points: tuple[CurvePoint, ...], *, allow_rise: bool) -> None:
    if not points:
        raise InputError("retention", "needs at least one age with its retention")
    previous_age, previous = 0, _ONE
    for point in points:
        if not isinstance(point.age_months, int) or isinstance(point.age_months, bool):
            raise InputError("retention", "ages must be whole months", got=point.age_months)
        if point.age_months <= previous_age:
            raise InputError(
                "retention",
                "ages must be above 0 and increasing: each age after the one before",
                got=point.age_months,
            )
        if point.age_months > _MAX_CURVE_AGE:
            raise InputError(
                "retention", f"ages must be at most {_MAX_CURVE_AGE} months", got=point.age_months
            )
        value = point.retention
        if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
            raise InputError("retention", "must be a share of the price new above 0, such as 0.8", got=value)
        if point.confidence is not None and point.confidence not in CONFIDENCE_LABELS:
            raise InputError("retention", "confidence must be one of V, V-d, S, R", got=point.confidence)
        if not allow_rise and value > previous:
            raise InputError(
                "retention",
                f"must not rise with age for a depreciating asset: {value} at {point.age_months} months "
                f"is above {previous} before it (allow appreciation for a home)",
                got=value,
            )
        previous_age, previous = point.age_months, value


# --- presets --------------------------------------------------------------------------------


def _curve_from_data(name: str, data: Mapping[str, Any]) -> RetentionCurve:
    return RetentionCurve(
        name=name,
        asset_class=AssetClass(data["asset_class"]),
        points=tuple(
            CurvePoint(int(p["age_months"]), Decimal(p["retention"]), str(p["confidence"]))
            for p in data["points"]
        ),
        sources=tuple(Source(str(s["title"]), str(s["url"])) for s in data["sources"]),
        method=str(data["method"]),
        description=str(data["description"]),
        title=str(data["title"]),
        as_of=date.fromisoformat(data["as_of"]),
        appreciating=bool(data["appreciating"]),
    )


@cache
def _preset_table() -> Mapping[str, RetentionCurve]:
    curves = load_json(_DATA_FILE)["curves"]
    return MappingProxyType({name: _curve_from_data(name, data) for name, data in curves.items()})


def presets() -> Mapping[str, RetentionCurve]:
    """Every depreciation preset by name (read-only), as shipped in the package's data file.

    >>> sorted(presets())[:3]
    ['boat', 'car_carfax', 'car_market_2025']
    """
    return _preset_table()


def preset(name: str) -> RetentionCurve:
    """The depreciation preset called ``name`` (case and dashes forgiven).

    An unknown name raises :class:`~underwater.errors.InputError` on the field
    ``depreciation`` listing the valid names.

    A Class 8 sleeper bought new for $160,000 is worth about 70 % of that at two years:

    >>> preset("class8_sleeper").retention(24) * 160000
    Decimal('112000.000')
    """
    key = name.strip().lower().replace("-", "_") if isinstance(name, str) else name
    table = presets()
    if not isinstance(key, str) or key not in table:
        raise InputError("depreciation", "must be one of " + ", ".join(sorted(table)), got=name)
    return table[key]


def default_preset(asset_class: AssetClass | str) -> RetentionCurve:
    """The preset used for ``asset_class`` when the user picks none (see :mod:`underwater.assets`).

    >>> default_preset("car").name
    'car_carfax'
    """
    return preset(DEFAULT_PRESETS[parse_asset_class(asset_class)])


def constant_rate_curve(
    rate_percent_per_year: Decimal | int | str, *, asset_class: AssetClass | str | None = None
) -> RetentionCurve:
    """A curve that loses the same percent of its value every year: ``r = (1 − rate/100) ** years``.

    ``rate_percent_per_year`` is a percentage per year as typed (``10`` is 10 % a year), from
    −50 (gaining 50 % a year) up to but not including 100; a negative rate is appreciation,
    as for a home in a rising market. Within a year the loss is spread evenly month by month.

    A $20,000 boat losing 10 % a year is worth $14,580 after three years:

    >>> constant_rate_curve("10").retention(36) * 20000
    Decimal('14580.000')
    """
    rate = parse_decimal(
        rate_percent_per_year,
        "rate_percent_per_year",
        minimum=Decimal(-50),
        maximum=_HUNDRED,
        unit="percent per year",
    )
    if rate == _HUNDRED:
        raise InputError(
            "rate_percent_per_year", "must be below 100 percent per year", got=rate_percent_per_year
        )
    kind = None if asset_class is None else parse_asset_class(asset_class)
    return RetentionCurve(
        name="constant_rate",
        asset_class=kind,
        points=(CurvePoint(12, _ONE - rate / _HUNDRED),),
        method=f"Constant {rate} % of value lost every year (negative: gained).",
        title=f"Constant {rate} % a year",
        appreciating=rate < 0,
    )


def custom_curve(
    retained_by_year: Mapping[int, Decimal] | Mapping[Decimal, Decimal] | Mapping[Any, Any],
    *,
    name: str = "custom",
    asset_class: AssetClass | str | None = None,
    allow_appreciation: bool = False,
) -> RetentionCurve:
    """A curve from the user's own retention figures, keyed by age in years.

    ``retained_by_year`` maps an age in years (above 0, in increasing order; fractions are
    allowed when they are whole months, e.g. ``1.5``) to the share of the price new kept at
    that age (above 0, e.g. ``Decimal("0.8")``). Unless ``allow_appreciation`` (a home), the
    shares must not exceed 1 or rise with age. Any breach raises
    :class:`~underwater.errors.InputError` on the field ``retention``.

    A dealer's table says a used truck keeps 75 % after one year and 60 % after three:

    >>> curve = custom_curve({1: Decimal("0.75"), 3: Decimal("0.60")})
    >>> curve.retention(36)
    Decimal('0.60')
    """
    if not isinstance(retained_by_year, Mapping) or not retained_by_year:
        raise InputError(
            "retention", "needs at least one age in years with its retention", got=retained_by_year
        )
    points = []
    for age, share in retained_by_year.items():
        years = parse_decimal(age, "retention", unit="years")
        months = years * 12
        if months != months.to_integral_value():
            raise InputError("retention", "ages must be whole months (years × 12 a whole number)", got=age)
        retention = parse_decimal(share, "retention")
        points.append(CurvePoint(int(months), retention))
    return RetentionCurve(
        name=name,
        asset_class=None if asset_class is None else parse_asset_class(asset_class),
        points=tuple(points),
        method="Retention by year supplied by the user.",
        title="Your own curve",
        appreciating=allow_appreciation,
    )


# --- mileage ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MileageRule:
    """How much value moves per 1,000 miles away from the expected figure, in percent.

    Extra miles deduct ``percent_per_1000_miles`` per 1,000 (at most ``max_deduction_percent``);
    missing miles add the same (at most ``max_credit_percent``). ``confidence`` is a label
    from :data:`CONFIDENCE_LABELS`.
    """

    percent_per_1000_miles: Decimal
    max_deduction_percent: Decimal
    max_credit_percent: Decimal
    confidence: str
    note: str

    def adjustment_percent(self, miles_over_expected: Decimal | int) -> Decimal:
        """Percent change in value for ``miles_over_expected`` (negative miles: fewer than expected).

        >>> mileage_rule("car").adjustment_percent(10000)
        Decimal('-5.0')
        """
        raw = -self.percent_per_1000_miles * Decimal(miles_over_expected) / _THOUSAND
        return min(max(raw, -self.max_deduction_percent), self.max_credit_percent)

    def to_json(self) -> dict[str, Any]:
        """The rule's numbers as strings, with its confidence label and note."""
        return {
            "percent_per_1000_miles": str(self.percent_per_1000_miles),
            "max_deduction_percent": str(self.max_deduction_percent),
            "max_credit_percent": str(self.max_credit_percent),
            "confidence": self.confidence,
            "note": self.note,
        }


@cache
def _usage_table() -> Mapping[AssetClass, tuple[int | None, MileageRule | None]]:
    usage = load_json(_DATA_FILE)["usage"]
    table: dict[AssetClass, tuple[int | None, MileageRule | None]] = {}
    for name, entry in usage["classes"].items():
        rule_data = entry["mileage_rule"]
        if isinstance(rule_data, str):
            rule_data = usage[rule_data]
        rule = None
        if rule_data is not None:
            rule = MileageRule(
                Decimal(rule_data["percent_per_1000_miles"]),
                Decimal(rule_data["max_deduction_percent"]),
                Decimal(rule_data["max_credit_percent"]),
                str(rule_data["confidence"]),
                str(rule_data["note"]),
            )
        miles = entry["expected_annual_miles"]
        table[AssetClass(name)] = (None if miles is None else int(miles), rule)
    return MappingProxyType(table)


def expected_annual_miles(asset_class: AssetClass | str) -> int | None:
    """Miles a year the presets assume for ``asset_class``, or ``None`` where miles do not apply.

    >>> expected_annual_miles("class8_sleeper")
    100000
    """
    return _usage_table()[parse_asset_class(asset_class)][0]


def mileage_rule(asset_class: AssetClass | str) -> MileageRule | None:
    """The mileage adjustment rule for ``asset_class`` (``None`` for RVs, boats and homes).

    Every rule shipped is labelled ``R`` (recalled): prefer a fit to comparable sales.

    >>> mileage_rule("car").percent_per_1000_miles
    Decimal('0.5')
    """
    return _usage_table()[parse_asset_class(asset_class)][1]


def mileage_adjustment_percent(
    asset_class: AssetClass | str, age_months: int | Decimal, miles: int | Decimal | str
) -> Decimal:
    """Percent to add to a preset value for an odometer above or below the expected reading.

    Expected miles are the class's annual figure × age in years. The result is negative for
    extra miles. Raises :class:`~underwater.errors.InputError` on ``miles`` for a class that
    has no mileage rule.

    A three-year-old car (36,000 miles expected) showing 46,000 miles is worth 5 % less than
    the curve says:

    >>> mileage_adjustment_percent("car", 36, 46000)
    Decimal('-5.0')
    """
    kind = parse_asset_class(asset_class)
    annual, rule = _usage_table()[kind]
    if rule is None or annual is None:
        raise InputError("miles", f"has no mileage rule for asset class {kind.value}", got=miles)
    age = _whole_months(age_months, "age_months", _MAX_CURVE_AGE)
    odometer = parse_decimal(miles, "miles", minimum=Decimal(0), unit="miles")
    return rule.adjustment_percent(odometer - Decimal(annual) * age / _TWELVE)


# --- value paths ----------------------------------------------------------------------------


def _whole_months(value: object, field_name: str, maximum: int) -> int:
    number = parse_decimal(value, field_name, minimum=Decimal(0), maximum=Decimal(maximum), unit="months")
    if number != number.to_integral_value():
        raise InputError(field_name, "must be a whole number of months", got=value)
    return int(number)


def _shock(value: object) -> Decimal:
    shock = parse_decimal(value, "shock_percent", minimum=Decimal(0), maximum=_HUNDRED, unit="percent")
    if shock == _HUNDRED:
        raise InputError("shock_percent", "must be below 100 percent (a drop to nothing)", got=value)
    return shock


def _path_factors(
    curve: RetentionCurve | FittedCurve,
    age_months: object,
    months: object,
    months_field: str,
    annual_miles: object,
) -> tuple[RetentionCurve, int, int, Decimal | None, MileageRule | None]:
    base_curve = curve.curve if isinstance(curve, FittedCurve) else curve
    if not isinstance(base_curve, RetentionCurve):
        raise InputError(
            "depreciation", "must be a depreciation curve (see underwater.depreciation)", got=curve
        )
    age = _whole_months(age_months, "age_months", MAX_AGE_MONTHS)
    horizon = _whole_months(months, months_field, MAX_HORIZON_MONTHS)
    if annual_miles is None:
        return base_curve, age, horizon, None, None
    miles = parse_decimal(
        annual_miles, "annual_miles", minimum=Decimal(0), maximum=Decimal(1_000_000), unit="miles"
    )
    kind = base_curve.asset_class
    rule = None if kind is None else _usage_table()[kind][1]
    expected = None if kind is None else _usage_table()[kind][0]
    if kind is None or rule is None or expected is None:
        what = "a curve with no asset class" if kind is None else f"asset class {kind.value}"
        raise InputError(
            "annual_miles", f"cannot adjust {what} for mileage: leave `annual_miles` out", got=annual_miles
        )
    return base_curve, age, horizon, miles - Decimal(expected), rule


def _value(
    start: Decimal,
    curve: RetentionCurve,
    age: int,
    today: Decimal,
    month: int,
    extra_miles_per_year: Decimal | None,
    rule: MileageRule | None,
) -> Decimal:
    then = curve.retention(age + month)
    if rule is None or extra_miles_per_year is None:
        return scale_value(start, then, today)
    with localcontext() as ctx:
        ctx.prec = max(_PRECISION, _exact_precision(start, (then,), today))
        value = start * (then / today)
        # Today's value already reflects today's odometer: only miles driven from now on count.
        adjustment = rule.adjustment_percent(extra_miles_per_year * month / _TWELVE)
        value = value * (_ONE + adjustment / _HUNDRED)
        return value.quantize(CENT, rounding=ROUNDING)


def scale_value(shocked: Decimal, retention_then: Decimal, retention_today: Decimal) -> Decimal:
    """``shocked × retention_then ÷ retention_today`` in dollars, rounded once to the cent (half
    up) from the exact ratio: a value today carried along a curve to a later age.

    Worked to 60 digits, so that a product that lands on a half cent is seen as one (a
    quotient rounded first, as ``shocked × (then ÷ today)``, can fall a hair below it).

    >>> scale_value(Decimal("100.10"), Decimal("0.68"), Decimal("0.8"))
    Decimal('85.09')
    """
    with localcontext() as ctx:
        ctx.prec = _exact_precision(shocked, (retention_then,), retention_today)
        return (shocked * retention_then / retention_today).quantize(CENT, rounding=ROUNDING)


def scale_values(
    shocked: Decimal, retentions: Sequence[Decimal], retention_today: Decimal
) -> tuple[Decimal, ...]:
    """:func:`scale_value` for each of ``retentions``, in one 60-digit context (the same
    arithmetic, without setting the context up once a month).

    >>> scale_values(Decimal("100.10"), [Decimal("0.8"), Decimal("0.68")], Decimal("0.8"))
    (Decimal('100.10'), Decimal('85.09'))
    """
    with localcontext() as ctx:
        ctx.prec = _exact_precision(shocked, retentions, retention_today)
        return tuple(
            (shocked * then / retention_today).quantize(CENT, rounding=ROUNDING) for then in retentions
        )


def _exact_precision(shocked: Decimal, retentions: Sequence[Decimal], retention_today: Decimal) -> int:
    """:data:`_EXACT_PRECISION` digits, and as many more as the largest value has whole digits
    beyond one: an appreciating curve 50 years on can carry a value to 14 whole digits (a gain
    of 50 % a year: 1.5**50 times), and the cents must still fit, so no value path can overflow
    its context however far a curve rises."""
    if not retentions or not shocked:
        return _EXACT_PRECISION
    largest = max(retentions)
    if not largest:
        return _EXACT_PRECISION
    whole_digits = shocked.adjusted() + largest.adjusted() - retention_today.adjusted() + 2
    # A ratio given to 12 places carries its own digits into the product, too.
    carried = max(0, largest.adjusted()) + max(0, shocked.adjusted())
    return _EXACT_PRECISION + max(0, whole_digits) + carried


def value_path(
    value_today: Decimal | int | str,
    curve: RetentionCurve | FittedCurve,
    age_months: int,
    months: int,
    *,
    shock_percent: Decimal | int | str = Decimal(0),
    annual_miles: Decimal | int | str | None = None,
) -> tuple[Decimal, ...]:
    """Projected value in dollars for each month 0..``months``, starting from today's value.

    ``value(t) = value_today × (1 − shock_percent/100) × r(age_months + t) / r(age_months)``,
    rounded to the cent. The **shock** is a one-time market drop in percent (0 up to but not
    including 100) that hits today, so month 0 already carries it. ``age_months`` (the
    asset's age today) and ``months`` (the horizon) are each 0 to 600; errors name
    ``age_months`` and ``horizon_months``.

    ``annual_miles``, when given, is how far the owner drives a year from now on; the miles
    above (or below) the class's expected figure accumulate month by month and move the value
    by the class's :class:`MileageRule` (cars, motorcycles and Class 8 trucks only).

    A sleeper tractor worth $90,000 today at 24 months old, after a 10 % market drop:

    >>> path = value_path(Decimal("90000"), preset("class8_sleeper"), 24, 12, shock_percent=10)
    >>> path[0], path[12]
    (Decimal('81000.00'), Decimal('67114.29'))
    """
    start = parse_money(value_today, "value_today")
    shock = _shock(shock_percent)
    base_curve, age, horizon, extra, rule = _path_factors(
        curve, age_months, months, "horizon_months", annual_miles
    )
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        shocked = start * (_ONE - shock / _HUNDRED)
    today = base_curve.retention(age)
    return tuple(_value(shocked, base_curve, age, today, t, extra, rule) for t in range(horizon + 1))


def value_at(
    value_today: Decimal | int | str,
    curve: RetentionCurve | FittedCurve,
    age_months: int,
    months_ahead: int,
    shock_percent: Decimal | int | str = Decimal(0),
    *,
    annual_miles: Decimal | int | str | None = None,
) -> Decimal:
    """Projected value in dollars ``months_ahead`` months from now (the last entry of :func:`value_path`).

    A 3-year-old SUV worth $24,000 today, two years on:

    >>> value_at(Decimal("24000"), preset("suv_2025"), 36, 24)
    Decimal('19466.67')
    """
    start = parse_money(value_today, "value_today")
    shock = _shock(shock_percent)
    base_curve, age, horizon, extra, rule = _path_factors(
        curve, age_months, months_ahead, "months_ahead", annual_miles
    )
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        shocked = start * (_ONE - shock / _HUNDRED)
    return _value(shocked, base_curve, age, base_curve.retention(age), horizon, extra, rule)


# --- comparable sales ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ComparableSale:
    """One sale of a similar asset: its age in months, odometer miles and price in dollars."""

    age_months: int | Decimal
    miles: int | Decimal
    price: Decimal | int | str


@dataclass(frozen=True, slots=True)
class FittedCurve:
    """A depreciation fit to comparable sales: ``ln(price) = a + b·years + c·(miles / 10,000)``.

    - ``depreciation_rate_percent``: percent of value lost per year of age at fixed miles,
      ``(1 − e^b) × 100``;
    - ``mileage_loss_percent_per_10k_miles``: percent lost per 10,000 miles at fixed age,
      ``(1 − e^c) × 100``, or ``None`` when the sales' miles could not be told apart from
      their ages (then the age-only fit is used);
    - ``rmse``: root-mean-square error of the fitted prices, in dollars; ``rmse_percent``: the
      same on errors taken as a percent of each actual price; ``r_squared``: share of the
      variance of ln(price) explained (``None`` when every price is the same);
    - ``value_new``: fitted price at age 0 with 0 miles (or the ``new_price`` that was fixed);
    - ``annual_miles``: miles a year assumed to turn the fit into ``curve``, a
      :class:`RetentionCurve` with retention ``exp((b + c·annual_miles/10,000) × years)``;
    - ``warnings``: sentences about a fit that goes against how used assets sell - more miles
      raising the price (``c > 0``), older sales fetching more (``b > 0``) - each saying what
      was seen and what to check. The fit is still returned: the sales may be right.
    """

    n: int
    log_value_new: Decimal
    log_change_per_year: Decimal
    log_change_per_10k_miles: Decimal
    mileage_fitted: bool
    new_price_fixed: bool
    value_new: Decimal
    depreciation_rate_percent: Decimal
    mileage_loss_percent_per_10k_miles: Decimal | None
    rmse: Decimal
    rmse_percent: Decimal
    r_squared: Decimal | None
    annual_miles: Decimal
    curve: RetentionCurve
    warnings: tuple[str, ...] = ()

    def predict(self, age_months: int | Decimal, miles: int | Decimal | str) -> Decimal:
        """Fitted price in dollars, to the cent, for an asset ``age_months`` old with ``miles``.

        >>> sales = [ComparableSale(12, 10000, Decimal("27000")),
        ...          ComparableSale(24, 20000, Decimal("24300")),
        ...          ComparableSale(36, 40000, Decimal("20000"))]
        >>> fit_comparables(sales).predict(24, 20000)
        Decimal('24300.00')
        """
        age = parse_decimal(age_months, "age_months", minimum=Decimal(0), maximum=Decimal(_MAX_CURVE_AGE))
        odometer = parse_decimal(miles, "miles", minimum=Decimal(0), unit="miles")
        with localcontext() as ctx:
            ctx.prec = _PRECISION
            exponent = (
                self.log_value_new
                + self.log_change_per_year * age / _TWELVE
                + self.log_change_per_10k_miles * odometer / _TEN_THOUSAND
            )
            return round_cents(exponent.exp())

    def retention(self, age_months: int | Decimal) -> Decimal:
        """Retention of :attr:`curve` at ``age_months`` (miles at the assumed yearly rate)."""
        return self.curve.retention(age_months)

    def to_json(self) -> dict[str, Any]:
        """The fit's figures: money as two-decimal strings, percents with four decimals."""
        return {
            "n": self.n,
            "value_new": format_money(self.value_new),
            "new_price_fixed": self.new_price_fixed,
            "depreciation_rate_percent": format_percent(self.depreciation_rate_percent, 4),
            "mileage_fitted": self.mileage_fitted,
            "mileage_loss_percent_per_10k_miles": (
                None
                if self.mileage_loss_percent_per_10k_miles is None
                else format_percent(self.mileage_loss_percent_per_10k_miles, 4)
            ),
            "annual_miles": int(self.annual_miles.to_integral_value()),
            "rmse": format_money(self.rmse),
            "rmse_percent": format_percent(self.rmse_percent, 4),
            "r_squared": format_ratio(self.r_squared),
            "warnings": list(self.warnings),
            "curve": self.curve.to_json(),
        }


def _read_sales(sales: object) -> list[tuple[float, float, float, Decimal]]:
    if isinstance(sales, str | bytes) or not isinstance(sales, Sequence):
        raise InputError("comparables", "must be a list of comparable sales (age in months, miles, price)")
    rows = []
    for number, sale in enumerate(sales, start=1):
        if not isinstance(sale, ComparableSale):
            raise InputError(
                "comparables", f"sale {number} must be a ComparableSale(age in months, miles, price)"
            )
        try:
            age = _whole_months(sale.age_months, "age_months", MAX_AGE_MONTHS)
            miles = parse_decimal(sale.miles, "miles", minimum=Decimal(0), maximum=Decimal(10_000_000))
            price = parse_money(sale.price, "price")
        except InputError as error:
            raise InputError(
                "comparables", f"sale {number}: {error.field} {error.rule}", got=error.got
            ) from None
        if price <= 0:
            raise InputError("comparables", f"sale {number}: price must be above 0", got=sale.price)
        rows.append((age / 12.0, float(miles) / 10_000.0, math.log(float(price)), price))
    distinct_ages = len({row[0] for row in rows})
    if distinct_ages < 3:
        raise InputError(
            "comparables",
            f"need at least 3 sales at 3 different ages to fit a curve (got {len(rows)} sales "
            f"at {distinct_ages} different ages)",
        )
    return rows


def _solve_two(sxx: float, sxy: float, syy: float, sxz: float, syz: float) -> tuple[float, float] | None:
    # Normal equations for two slopes; None when the two columns are (nearly) proportional,
    # i.e. the miles rise in lockstep with age and their effects cannot be separated.
    determinant = sxx * syy - sxy * sxy
    if syy <= 0.0 or determinant <= 1e-9 * sxx * syy:
        return None
    return (sxz * syy - sxy * syz) / determinant, (sxx * syz - sxy * sxz) / determinant


def _to_decimal(number: float) -> Decimal:
    if not math.isfinite(number):
        raise NoSolutionError("comparables", "the fit did not produce finite numbers for these sales")
    return Decimal(repr(number))


_FIT_GAIN_LIMIT = 1.5
"""The most a fitted curve may keep of a year's value: a gain of 50 % a year, the steepest
gain a constant yearly rate takes (``depreciation_rate_percent`` -50)."""
_FIT_LOSS_LIMIT = 1e-6
"""The least a fitted curve may keep of a year's value: a loss of 99.9999 % a year. Below it
nothing of the price is left after a year, which no market for used assets shows, and 50 years
of it would take the curve below what a Decimal can hold."""


def _check_fit(
    per_year: float, per_10k_miles: float | None, intercept: float, annual_miles: Decimal, price_given: bool
) -> None:
    """Refuse a fit that no curve can carry: one gaining more than 50 % or losing more than
    99.9999 % of the value with each year of age, each 10,000 miles, or each year at the miles
    a year the curve assumes; or one that puts the price new above the largest amount taken.
    Such a fit comes from sales whose ages, miles or prices were mistyped (a sale a month old
    at $2 beside one at $1,000,000,000), and its curve would overflow or vanish to 0 within
    the 100 years a curve reaches."""
    slopes = [("year of age", per_year)]
    if per_10k_miles is not None:
        slopes.append(("10,000 miles", per_10k_miles))
        yearly = per_year + per_10k_miles * float(annual_miles) / 10_000
        slopes.append((f"year of age at {annual_miles.to_integral_value():,} miles a year", yearly))
    for each, slope in slopes:
        kept = math.exp(min(slope, 700.0))
        if not _FIT_LOSS_LIMIT <= kept <= _FIT_GAIN_LIMIT:
            change = (
                f"gain more than {format_percent(Decimal(repr(_FIT_GAIN_LIMIT - 1)) * _HUNDRED, 0)} %"
                if kept > _FIT_GAIN_LIMIT
                else f"lose more than {format_percent(Decimal(1 - _FIT_LOSS_LIMIT) * _HUNDRED, 4)} %"
            )
            raise InputError(
                "comparables",
                f"the sales {change} of their value with each {each} in this fit, which no value "
                "curve can carry: check each sale's age in months, miles and price",
            )
    if not price_given and intercept > math.log(float(MAX_AMOUNT)):
        raise InputError(
            "comparables",
            f"the sales put the price new above {format_money(MAX_AMOUNT)} (the largest amount "
            "taken) in this fit: check each sale's age in months and price, or give the price new",
        )


def _fit_warnings(
    per_year: Decimal, per_10k_miles: Decimal | None, kind: AssetClass | None
) -> tuple[str, ...]:
    """What a reader should check when the fitted slopes point the way used assets rarely go."""
    found: list[str] = []
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        if per_10k_miles is not None and per_10k_miles > 0:
            gain = format_percent((per_10k_miles.exp() - _ONE) * _HUNDRED, 2)
            found.append(
                f"More miles raise the price in this fit ({gain} % more per 10,000 miles at the same "
                "age), which used sales seldom show: check each sale's miles and price, that the "
                "sales are alike (trim, options, condition, a clean title), and add sales with "
                "more spread in miles."
            )
        if per_year > 0:
            gain = format_percent((per_year.exp() - _ONE) * _HUNDRED, 2)
            rising = "" if kind is not AssetClass.HOME else " A home can rise in value; this may be right."
            found.append(
                f"Older sales fetch more in this fit ({gain} % more a year of age at the same miles): "
                "check each sale's age in months (from the model year or first registration to the "
                "sale date) and price, and that newer and older sales are alike." + rising
            )
    return tuple(found)


def fit_comparables(
    sales: Sequence[ComparableSale],
    *,
    new_price: Decimal | int | str | None = None,
    asset_class: AssetClass | str | None = None,
) -> FittedCurve:
    """Fit ``ln(price) = a + b·age_years + c·(miles / 10,000)`` to comparable sales by least squares.

    ``sales`` needs at least 3 sales at 3 different ages (else
    :class:`~underwater.errors.InputError` on ``comparables``); ages are whole months (0 to
    600), miles 0 to 10,000,000, prices in dollars above 0. With ``new_price`` (dollars) the
    intercept is fixed at ``ln(new_price)`` and only ``b`` and ``c`` are fitted. When the miles
    move in lockstep with age (or are all equal) the mileage term is dropped and
    ``mileage_loss_percent_per_10k_miles`` is ``None``.

    The fitted :attr:`FittedCurve.curve` assumes the class's expected miles a year when
    ``asset_class`` is given, else the sales' own miles per year of age (least squares through
    the origin). The fit runs in binary floating point (it is a statistical estimate); its
    results are returned as ``Decimal``.

    Four used trucks priced as if each year of age cost 10 % and each 10,000 miles 5 %:

    >>> fit = fit_comparables([ComparableSale(12, 0, Decimal("90000")),
    ...                        ComparableSale(24, 10000, Decimal("76950")),
    ...                        ComparableSale(36, 20000, Decimal("65792.25")),
    ...                        ComparableSale(48, 0, Decimal("65610"))])
    >>> round(fit.depreciation_rate_percent, 2), round(fit.mileage_loss_percent_per_10k_miles, 2)
    (Decimal('10.00'), Decimal('5.00'))
    >>> fit.value_new, fit.rmse
    (Decimal('100000.00'), Decimal('0.00'))
    """
    rows = _read_sales(sales)
    fixed = None if new_price is None else parse_money(new_price, "new_price")
    if fixed is not None and fixed <= 0:
        raise InputError("new_price", "must be above 0", got=new_price)
    kind = None if asset_class is None else parse_asset_class(asset_class)
    count = len(rows)
    ys = [row[0] for row in rows]
    ms = [row[1] for row in rows]
    zs = [row[2] for row in rows]
    if fixed is not None:
        intercept_fixed = math.log(float(fixed))
        zs_fit = [z - intercept_fixed for z in zs]
        y_mean = m_mean = z_mean = 0.0  # no centring: the line must pass through ln(new_price)
    else:
        zs_fit = zs
        y_mean, m_mean, z_mean = sum(ys) / count, sum(ms) / count, sum(zs) / count
    dy = [y - y_mean for y in ys]
    dm = [m - m_mean for m in ms]
    dz = [z - z_mean for z in zs_fit]
    sxx = sum(a * a for a in dy)
    sxy = sum(a * b for a, b in zip(dy, dm, strict=True))
    syy = sum(b * b for b in dm)
    sxz = sum(a * c for a, c in zip(dy, dz, strict=True))
    syz = sum(b * c for b, c in zip(dm, dz, strict=True))
    solved = _solve_two(sxx, sxy, syy, sxz, syz)
    if solved is None:
        slope_age, slope_miles, mileage_fitted = sxz / sxx, 0.0, False
    else:
        (slope_age, slope_miles), mileage_fitted = solved, True
    intercept = (
        math.log(float(fixed)) if fixed is not None else z_mean - slope_age * y_mean - slope_miles * m_mean
    )

    if kind is not None and expected_annual_miles(kind) is not None:
        annual = Decimal(expected_annual_miles(kind) or 0)
    else:
        weighted = sum(y * m for y, m in zip(ys, ms, strict=True)) / sum(y * y for y in ys)
        annual = _to_decimal(weighted * 10_000.0)
    _check_fit(slope_age, slope_miles if mileage_fitted else None, intercept, annual, fixed is not None)

    fitted_logs = [intercept + slope_age * y + slope_miles * m for y, m in zip(ys, ms, strict=True)]
    prices = [float(row[3]) for row in rows]
    dollar_errors = [math.exp(f) - p for f, p in zip(fitted_logs, prices, strict=True)]
    rmse = math.sqrt(sum(e * e for e in dollar_errors) / count)
    rmse_percent = 100.0 * math.sqrt(
        sum((e / p) ** 2 for e, p in zip(dollar_errors, prices, strict=True)) / count
    )
    log_mean = sum(zs) / count
    total = sum((z - log_mean) ** 2 for z in zs)
    residual = sum((z - f) ** 2 for z, f in zip(zs, fitted_logs, strict=True))
    r_squared = None if total == 0.0 else _to_decimal(1.0 - residual / total)

    b = _to_decimal(slope_age)
    c = _to_decimal(slope_miles)
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        log_value_new = fixed.ln() if fixed is not None else _to_decimal(intercept)
        yearly = (b + c * annual / _TEN_THOUSAND).exp()
        rate = (_ONE - b.exp()) * _HUNDRED
        mileage_loss = (_ONE - c.exp()) * _HUNDRED if mileage_fitted else None
        value_new = fixed if fixed is not None else round_cents(log_value_new.exp())
    curve = RetentionCurve(
        name="fitted_comparables",
        asset_class=kind,
        points=(CurvePoint(12, yearly),),
        method=(
            f"Least-squares fit of ln(price) on age and miles to {count} comparable sales"
            + (f", price new fixed at {fixed}" if fixed is not None else "")
            + f"; miles assumed {annual.to_integral_value()} a year."
        ),
        title="Fitted to your comparable sales",
        appreciating=yearly > 1,
    )
    return FittedCurve(
        warnings=_fit_warnings(b, c if mileage_fitted else None, kind),
        n=count,
        log_value_new=log_value_new,
        log_change_per_year=b,
        log_change_per_10k_miles=c,
        mileage_fitted=mileage_fitted,
        new_price_fixed=fixed is not None,
        value_new=value_new,
        depreciation_rate_percent=rate,
        mileage_loss_percent_per_10k_miles=mileage_loss,
        rmse=round_cents(_to_decimal(rmse)),
        rmse_percent=_to_decimal(rmse_percent),
        r_squared=r_squared,
        annual_miles=annual,
        curve=curve,
    )
