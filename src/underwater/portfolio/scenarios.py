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
from typing import TYPE_CHECKING

from underwater.portfolio.rollforward import DEFAULT_HORIZON

if TYPE_CHECKING:
    from underwater.portfolio.defaults import DefaultCurve
    from underwater.portfolio.stress import StressPath

__all__ = ["Scenarios"]


@dataclass(frozen=True, slots=True)
class Scenarios:
    """A run's scenarios: ``shocks`` (one-time drops in every value, in percent: 10 is a 10 %
    fall), ``paths`` (stress paths, run after the shocks), ``horizon`` (the roll-forward's
    months, 0 to 600) and ``default_by_ltv`` (probabilities by CLTV bucket for loans without
    their own; None: none). The base case (a shock of 0) is always run and is not listed.

    A 10 % and a 20 % drop and the 2007-09 used-car fall, followed for two years:

    >>> from underwater.portfolio.stress import stress_path
    >>> chosen = Scenarios((Decimal(10), Decimal(20)), (stress_path("manheim_2007_09"),), horizon=24)
    >>> chosen.keys()
    (Decimal('10'), Decimal('20'), 'manheim_2007_09')
    >>> Scenarios().horizon
    60
    """

    shocks: tuple[Decimal, ...] = ()
    paths: tuple[StressPath, ...] = ()
    horizon: int = DEFAULT_HORIZON
    default_by_ltv: DefaultCurve | None = None

    def keys(self) -> tuple[Decimal | str, ...]:
        """The scenarios beyond the base case as the kernel's result, the output's columns and
        the summary key them: each shock (percent; a shock of 0 is the base case, left out),
        then each stress path's name.

        >>> Scenarios((Decimal(0), Decimal("12.5"))).keys()
        (Decimal('12.5'),)
        """
        return (*[shock for shock in self.shocks if shock != 0], *[path.name for path in self.paths])
