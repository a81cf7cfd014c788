"""What a book run works out beyond the base case: its scenario set, one typed value.

A :class:`Scenarios` holds the one-time market shocks (percent), the stress paths
(:class:`~underwater.portfolio.stress.StressPath`), the months of the roll-forward
(:mod:`~underwater.portfolio.rollforward`) and the lender's default probabilities by CLTV
bucket (:class:`~underwater.portfolio.defaults.DefaultCurve`). The edges build it once from
what a person typed (the command line, :func:`~underwater.portfolio.frames.run_frame`'s
keywords, the lender's page); below them the engine, the kernel, the summary and a cluster's
workers take it as it is. It reads no text and checks nothing: its parts are already parsed.
It pickles, so a Dask worker or the web server's book process receives it whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from underwater.errors import InputError
from underwater.money import parse_decimal
from underwater.portfolio.defaults import DefaultCurve
from underwater.portfolio.rollforward import DEFAULT_HORIZON
from underwater.portfolio.schema import MAX_PAYMENTS
from underwater.portfolio.stress import StressPath

__all__ = ["Scenarios", "shock_percent"]


def shock_percent(value: object) -> Decimal:
    """A one-time drop in every value, in percent, as typed or as a ``Decimal``: 0 ≤ s < 100
    with at most 4 decimals (a shock's value factor is a whole number of millionths).

    >>> shock_percent("12.5")
    Decimal('12.5')
    >>> shock_percent(Decimal("1.23456"))
    Traceback (most recent call last):
    ...
    underwater.errors.InputError: shock: must have at most 4 decimal places (got '1.23456')
    """
    shock = parse_decimal(value, "shock", minimum=Decimal(0), maximum=Decimal(100), unit="percent")
    if shock == 100:
        raise InputError("shock", "must be below 100 percent (a 100 % drop leaves nothing)", got=value)
    if shock != shock.quantize(Decimal("0.0001")):
        raise InputError("shock", "must have at most 4 decimal places", got=value)
    return shock


@dataclass(frozen=True, slots=True)
class Scenarios:
    """A run's scenarios: ``shocks`` (one-time drops in every value, in percent: 10 is a 10 %
    fall), ``paths`` (stress paths, run after the shocks), ``horizon`` (the roll-forward's
    months, 0 to 600) and ``default_by_ltv`` (probabilities by CLTV bucket for loans without
    their own; None: none). The base case (a shock of 0) is always run and is not listed.
    Its rules are checked once, as it is built, and a broken one is an
    :class:`~underwater.errors.InputError` naming the field: each shock 0 ≤ s < 100 with at
    most 4 decimals, given once (an ``int`` or text is read exactly into a ``Decimal``; a
    ``float`` is refused), stress paths with names of their own, a horizon of 0 to 600.

    A 10 % and a 20 % drop and the 2007-09 used-car fall, followed for two years:

    >>> from underwater.portfolio.stress import stress_path
    >>> chosen = Scenarios((Decimal(10), Decimal(20)), (stress_path("manheim_2007_09"),), horizon=24)
    >>> chosen.keys()
    (Decimal('10'), Decimal('20'), 'manheim_2007_09')
    >>> Scenarios().horizon
    60
    >>> Scenarios((10, "12.5")).shocks
    (Decimal('10'), Decimal('12.5'))
    >>> Scenarios((Decimal(10), Decimal("10.0")))
    Traceback (most recent call last):
    ...
    underwater.errors.InputError: shock: each shock must be given once (got '10, 10.0')
    """

    shocks: tuple[Decimal, ...] = ()
    paths: tuple[StressPath, ...] = ()
    horizon: int = DEFAULT_HORIZON
    default_by_ltv: DefaultCurve | None = None

    def __post_init__(self) -> None:
        # Built by hand in a notebook as well as by the edges: its own rules, once, here (the
        # kernel relies on them: a factor of whole millionths, one column set a scenario).
        if not isinstance(self.shocks, tuple):
            raise InputError("shock", "must be a tuple of Decimal percents", got=self.shocks)
        # Held as Decimal whatever exact form was given (10, "10"): the kernel tells a shock
        # from a stress path by its type.
        object.__setattr__(self, "shocks", tuple(shock_percent(shock) for shock in self.shocks))
        shocks = [shock for shock in self.shocks if shock != 0]
        if len(set(shocks)) != len(shocks):
            raise InputError("shock", "each shock must be given once", got=", ".join(map(str, shocks)))
        if not isinstance(self.paths, tuple) or not all(isinstance(path, StressPath) for path in self.paths):
            raise InputError("stress", "must be a tuple of StressPath values", got=self.paths)
        names = [path.name for path in self.paths]
        if len(set(names)) != len(names):
            raise InputError("stress", "each stress path must have its own name", got=", ".join(names))
        if isinstance(self.horizon, bool) or not isinstance(self.horizon, int):
            raise InputError("horizon", "must be a whole number of months", got=self.horizon)
        if not 0 <= self.horizon <= MAX_PAYMENTS:
            raise InputError("horizon", f"must be from 0 to {MAX_PAYMENTS} months", got=self.horizon)
        if self.default_by_ltv is not None and not isinstance(self.default_by_ltv, DefaultCurve):
            raise InputError("default_by_ltv", "must be a DefaultCurve or None", got=self.default_by_ltv)

    def keys(self) -> tuple[Decimal | str, ...]:
        """The scenarios beyond the base case as the kernel's result, the output's columns and
        the summary key them: each shock (percent; a shock of 0 is the base case, left out),
        then each stress path's name.

        >>> Scenarios((Decimal(0), Decimal("12.5"))).keys()
        (Decimal('12.5'),)
        """
        return (*[shock for shock in self.shocks if shock != 0], *[path.name for path in self.paths])
