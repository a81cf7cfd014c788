"""What the collateral is worth, month by month: the one value path every engine reads.

A :class:`ValuePath` starts from today's known value and follows a depreciation curve from the
asset's age today, after a one-time shock, optionally adjusted for the miles driven from now on:

``value(t) = value_today × (1 − shock/100) × r(age + t) / r(age)``, rounded to the cent,

exactly as :func:`underwater.depreciation.value_path` defines it (the mileage adjustment is
that function's). The curve is chosen once, by :func:`pick_curve`: a constant yearly rate, a
named preset, or the asset class's usual preset, in that order. A path can be re-anchored on
another price with the same shape (:meth:`ValuePath.starting_at`): a replacement like the asset,
bought today, loses value as the asset would.

Computing a path is a fractional power per month; the curve's monthly ratios are remembered per
(curve, age), so many paths on one curve and age — every loan of a class in a book, every exit
of a comparison — cost one evaluation of the curve.

Money is dollars (``Decimal``); rates are percent per year as typed (``12`` is 12 %); ages and
horizons are months.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal, localcontext

from underwater.assets import AssetClass
from underwater.depreciation import (
    MAX_AGE_MONTHS,
    MAX_HORIZON_MONTHS,
    RetentionCurve,
    constant_rate_curve,
    default_preset,
    preset,
    scale_values,
    value_path,
)
from underwater.errors import InputError
from underwater.money import ZERO

__all__ = ["ValuePath", "clear_cache", "pick_curve"]

_HUNDRED = Decimal(100)
_PRECISION = 34  # the precision underwater.depreciation computes value paths at


def pick_curve(
    asset_class: AssetClass,
    depreciation: str | None = None,
    depreciation_rate_percent: Decimal | None = None,
) -> RetentionCurve:
    """The depreciation curve to use: a constant yearly rate (percent per year, below 100;
    negative: gained), a named preset, or the asset class's default preset, in that order of
    preference. Giving both a preset and a rate is an error.

    >>> pick_curve(AssetClass.CLASS8_SLEEPER).name
    'class8_sleeper'
    >>> pick_curve(AssetClass.CAR, depreciation_rate_percent=Decimal(12)).name
    'constant_rate'
    """
    if depreciation is not None and depreciation_rate_percent is not None:
        raise InputError(
            "depreciation_rate_percent",
            "give a depreciation curve or a constant yearly rate, not both",
            got=depreciation_rate_percent,
        )
    if depreciation_rate_percent is not None:
        return constant_rate_curve(depreciation_rate_percent, asset_class=asset_class)
    if depreciation is not None:
        return preset(depreciation)
    return default_preset(asset_class)


# Retention r(age + t) for t = 0, 1, ... by (curve, age): the costly part of a value path (a
# fractional power per month), the same for every value, shock and loan on that curve and age.
_RETENTIONS: dict[tuple[RetentionCurve, int], tuple[Decimal, ...]] = {}
_RETENTION_CACHE_SIZE = 512


def _retentions(curve: RetentionCurve, age: int, horizon: int) -> tuple[Decimal, ...]:
    key = (curve, age)
    known = _RETENTIONS.get(key, ())
    if len(known) <= horizon:
        known = known + tuple(curve.retention(age + t) for t in range(len(known), horizon + 1))
        if len(_RETENTIONS) >= _RETENTION_CACHE_SIZE:
            _RETENTIONS.clear()
        _RETENTIONS[key] = known
    return known


def clear_cache() -> None:
    """Forget every curve's remembered monthly ratios (for benchmarks of a first use)."""
    _RETENTIONS.clear()


@dataclass(frozen=True, slots=True)
class ValuePath:
    """The value of one asset month by month from today (month 0): ``value_today`` (dollars,
    before the shock) on ``curve`` from ``age_months`` today, after a one-time
    ``shock_percent`` drop (0 up to but not including 100), adjusted for ``annual_miles`` driven
    from now on when given (classes with a mileage rule only). See the module docstring.
    ``known_at_month`` > 0 makes ``value_today`` the value at that month instead (a purchase
    worked from signing, through a value known some months after it):
    ``value(t) = value × r(age + t) / r(age + known_at_month)``.

    A $20,000 car on a constant 12 % a year is worth 17,600.00 a year later:

    >>> path = ValuePath(Decimal(20000), pick_curve(AssetClass.CAR, depreciation_rate_percent=Decimal(12)), 12)
    >>> path.values(12)[12], path.at(12)
    (Decimal('17600.00'), Decimal('17600.00'))
    """

    value_today: Decimal
    curve: RetentionCurve
    age_months: int = 0
    shock_percent: Decimal = ZERO
    annual_miles: Decimal | None = None
    known_at_month: int = 0
    index: tuple[Decimal, ...] = ()
    """A value index by month from today, as factors (0.9 is 90 % of the curve's value that
    month; held at its last factor after the last month given): a stress path such as
    :class:`underwater.portfolio.stress.StressPath`. Empty: no index (every factor 1)."""

    def __post_init__(self) -> None:
        if self.index and (self.annual_miles is not None or self.known_at_month):
            raise InputError("index", "a path with a value index is not adjusted for miles or a later month")
        if any(factor <= 0 for factor in self.index):
            raise InputError("index", "every factor of a value index must be above 0")
        if self.known_at_month and self.annual_miles is not None:
            raise InputError("annual_miles", "a path known at a later month is not adjusted for miles")
        if not 0 <= self.age_months <= MAX_AGE_MONTHS:
            raise InputError("age_months", f"must be from 0 to {MAX_AGE_MONTHS} months", got=self.age_months)
        if not ZERO <= self.shock_percent < _HUNDRED:
            raise InputError(
                "shock_percent", "must be from 0 up to but not including 100 percent", got=self.shock_percent
            )

    @classmethod
    def for_class(cls, value_today: Decimal, asset_class: AssetClass, age_months: int = 0) -> ValuePath:
        """A path on the usual curve of ``asset_class``, from ``age_months`` (0: new).

        >>> ValuePath.for_class(Decimal(30000), AssetClass.CAR).at(12)
        Decimal('24000.00')
        """
        return cls(value_today, default_preset(asset_class), age_months)

    def starting_at(self, value_today: Decimal) -> ValuePath:
        """The same curve, age, shock and miles from another value today (a replacement like
        this asset, bought at ``value_today``).

        >>> path = ValuePath.for_class(Decimal(30000), AssetClass.CAR)
        >>> path.starting_at(Decimal(15000)).at(12)
        Decimal('12000.00')
        """
        return replace(self, value_today=value_today)

    def values(self, horizon_months: int) -> tuple[Decimal, ...]:
        """The value in dollars at months 0..``horizon_months`` (0 to 600)."""
        if not 0 <= horizon_months <= MAX_HORIZON_MONTHS:
            raise InputError(
                "horizon_months", f"must be from 0 to {MAX_HORIZON_MONTHS} months", got=horizon_months
            )
        if self.annual_miles is not None:
            return value_path(
                self.value_today,
                self.curve,
                self.age_months,
                horizon_months,
                shock_percent=self.shock_percent,
                annual_miles=self.annual_miles,
            )
        retentions = _retentions(self.curve, self.age_months, max(horizon_months, self.known_at_month))
        with localcontext() as ctx:
            ctx.prec = _PRECISION
            shocked = self.value_today * (1 - self.shock_percent / _HUNDRED)
            if self.index:
                # value × factor_t × r(age + t) / r(age), rounded once a month: the factor joins
                # the exact product before the one rounding.
                last = len(self.index) - 1
                return tuple(
                    scale_values(shocked * self.index[min(t, last)], (retentions[t],), retentions[0])[0]
                    for t in range(horizon_months + 1)
                )
        return scale_values(shocked, retentions[: horizon_months + 1], retentions[self.known_at_month])

    def at(self, month: int) -> Decimal:
        """The value in dollars ``month`` months from today."""
        return self.values(month)[month]
