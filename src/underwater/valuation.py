"""Dollars of different months, made comparable: present values, and the defaults they use.

A dollar paid in month m is worth ``1 / (1 + r / 1200) ** m`` dollars today at a yearly rate of
r percent compounded monthly. The borrower's dollars are discounted at the borrower's
**opportunity rate** (what a dollar kept today would earn, or save on dearer debt), the lender's
at its **cost of funds**; both default to cited figures in ``data/valuation.json``. Worked to 34
digits and rounded once, to the cent.

The same file holds the other figures a comparison of the ways out rests on when the user gives
none: the tax rate on forgiven debt and when it is paid, what a dealer allows on a trade-in
against a private sale, a home's rent and a mortgage's rate. Each comes with its confidence
label and sources (:class:`~underwater.credit.Figure`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from decimal import Decimal, localcontext

from underwater.credit import Figure
from underwater.datafiles import load_json
from underwater.money import round_cents

__all__ = ["default", "discount_factors", "present_value", "tax_paid_after_months"]

_FILE = "valuation.json"
_TWELVE_HUNDRED = Decimal(1200)


@functools.cache
def default(name: str) -> Figure:
    """The default figure ``name`` of ``data/valuation.json`` with its source
    (``opportunity_rate_percent``, ``cost_of_funds_percent``, ``tax_rate_percent``,
    ``trade_in_share_percent``, ``home_rent_yield_percent``, ``mortgage_rate_percent``).

    >>> default("tax_rate_percent").value
    Decimal('12')
    """
    e = load_json(_FILE)[name]
    return Figure(Decimal(str(e["default"])), e["confidence"], tuple(e.get("sources", ())), e["note"])


def tax_paid_after_months() -> int:
    """Months from a debt's forgiveness to paying the tax on it (with the year's return).

    >>> tax_paid_after_months()
    12
    """
    return int(load_json(_FILE)["tax_paid_after_months"]["default"])


_FACTORS: dict[Decimal, list[Decimal]] = {}
_FACTOR_RATES = 64


def discount_factors(rate_percent: Decimal, months: int) -> list[Decimal]:
    """What a dollar in each month 0..``months`` (and perhaps later) is worth today at
    ``rate_percent`` a year (34 digits, not rounded). Remembered per rate: do not modify.

    >>> round(discount_factors(Decimal(12), 12)[12], 6)
    Decimal('0.887449')
    """
    known = _FACTORS.get(rate_percent)
    if known is None:
        if len(_FACTORS) >= _FACTOR_RATES:
            _FACTORS.clear()
        known = _FACTORS[rate_percent] = [Decimal(1)]
    if len(known) <= months:
        with localcontext() as ctx:
            ctx.prec = 34
            step = 1 / (1 + rate_percent / _TWELVE_HUNDRED)
            while len(known) <= max(months, 120):
                known.append(known[-1] * step)
    return known


def present_value(flows: Iterable[tuple[int, Decimal]], rate_percent: Decimal) -> Decimal:
    """Today's value (dollars, to the cent) of dated ``flows`` (month, dollars), discounted
    monthly at ``rate_percent`` a year; rounded once.

    $1,000 in a year at 12 % a year is worth 887.45 today (1,000 / 1.01^12):

    >>> present_value([(12, Decimal(1000))], Decimal(12))
    Decimal('887.45')
    """
    items: Sequence[tuple[int, Decimal]] = list(flows)
    last = max((month for month, _ in items), default=0)
    factors = discount_factors(rate_percent, last)
    with localcontext() as ctx:
        ctx.prec = 34
        total = sum((amount * factors[month] for month, amount in items), Decimal(0))
    return round_cents(total)
