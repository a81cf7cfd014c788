"""Spreadsheet time-value-of-money functions: PMT, IPMT, PPMT, NPER, RATE, PV, FV, CUMIPMT, CUMPRINC.

These are the functions a lender's or an advisor's spreadsheet uses, with the spreadsheet's
argument order, sign convention and timing switch, so that a number checked in Excel,
LibreOffice or numpy-financial can be checked here too.

**Units.** Unlike the rest of underwater (whose public rates are percent per year), every
``rate`` here is the *interest rate per period as a fraction*, exactly as in the spreadsheets:
6.9 % a year paid monthly is ``Decimal("0.069") / 12``, not ``6.9``. ``nper``, ``per``,
``start`` and ``end`` count payment periods (months for a monthly loan). Money is in dollars.

**Signs.** Money received is positive, money paid out is negative. A borrower who receives a
$10,000 loan (``pv=10000``) pays a negative payment.

**Timing.** ``when`` says whether each payment falls at the end of its period (``"end"``,
``"e"``, ``"finish"`` or ``0``, the default) or at the beginning (``"begin"``, ``"b"``,
``"beginning"``, ``"start"`` or ``1``) - the spreadsheets' ``type`` argument.

**Types.** ``Decimal`` in gives ``Decimal`` out, computed in Decimal arithmetic at 50
significant digits (more for a rate close to 0: one more per zero after the point) and rounded
to the caller's context; ``int`` may be mixed with ``Decimal``,
``float`` may not (a float is not exact, so the mix is refused). ``float``/``int`` in gives
``float`` out. A NumPy array (or a list) for any argument gives an array out, element by
element with broadcasting; NumPy is imported only then, so this module works without it.

**No answer.** When the equations have no solution (no level payment over zero periods, a
payment that falls short of the interest, a rate search that does not settle) or an argument is
out of range (a period outside ``1..nper``, a NaN), the result is NaN - ``Decimal("NaN")``,
``math.nan`` or a NaN element, so that one bad row never aborts a batch. :func:`nper` alone
can also answer an **infinity** where numpy-financial does: the future value is approached
without ever being reached (a payment that exactly matches the interest on a deposit, no
payment at all). Its sign is numpy-financial's (``-inf`` for no payment on a loan at a positive
rate, ``+inf`` with no rate and no payment), ``Decimal("Infinity")`` or
``Decimal("-Infinity")`` for Decimal input. Pass
``raise_exceptions=True`` to get :class:`~underwater.errors.NoSolutionError` (no solution, or
an infinite number of periods) or :class:`~underwater.errors.InputError` (an argument out of
range) instead. Every search is bounded, nothing loops forever.

All functions solve the one annuity equation, with ``w`` = 1 for payments at the beginning
of each period and 0 at the end::

    fv + pv*(1 + rate)**nper + pmt*(1 + rate*w)*((1 + rate)**nper - 1)/rate = 0   (rate != 0)
    fv + pv + pmt*nper = 0                                                       (rate == 0)
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import (
    MAX_EMAX,
    MIN_EMIN,
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    getcontext,
    localcontext,
)
from numbers import Integral, Real
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from underwater.errors import InputError, NoSolutionError, UnderwaterError

if TYPE_CHECKING:
    from types import ModuleType

    from numpy.typing import NDArray

__all__ = ["cumipmt", "cumprinc", "fv", "ipmt", "nper", "pmt", "ppmt", "pv", "rate"]

_WHEN_CODES: dict[object, int] = {
    "end": 0,
    "e": 0,
    "finish": 0,
    0: 0,
    "begin": 1,
    "b": 1,
    "beginning": 1,
    "start": 1,
    1: 1,
}

# Enough digits that a 40-year monthly schedule keeps every cent exact before the result is
# rounded back to the caller's context.
_WORK_PRECISION = 50
# The most digits added for a rate close to 0 (a rate of 1e-200 gets no more than 1e-100 does).
_MAX_EXTRA_DIGITS = 100
# Below this distance from zero a float rate's derivative is taken from its Taylor series,
# because the closed form cancels catastrophically there.
_FLOAT_NEAR_ZERO = 1e-6

_Num = TypeVar("_Num", float, Decimal)


class _Unsolvable(Exception):
    """Raised inside a kernel when the equations have no answer; the caller adds the field."""

    def __init__(self, rule: str) -> None:
        self.rule = rule
        super().__init__(rule)


@dataclass(frozen=True, slots=True)
class _Arith(Generic[_Num]):
    """The few operations that differ between float and Decimal arithmetic."""

    growth: Callable[[_Num, _Num], tuple[_Num, _Num]]
    """``((1 + r)**n, (1 + r)**n - 1)``, the second without cancellation where possible."""
    ln: Callable[[_Num], _Num]
    ln1p: Callable[[_Num], _Num]
    """``ln(1 + r)``, without cancellation where possible."""
    near_zero: Callable[[_Num], bool]
    signbit: Callable[[_Num], bool]
    """Whether the number carries a minus sign (so a negative zero says yes)."""
    infinity: Callable[[int], _Num]
    """Positive (``+1``) or negative (``-1``) infinity of this type."""


def _growth_float(r: float, n: float) -> tuple[float, float]:
    if r > -1:
        # log1p/expm1 keep (1 + r)**n - 1 accurate when r is tiny.
        exponent = n * math.log1p(r)
        return math.exp(exponent), math.expm1(exponent)
    if n != math.floor(n):
        raise _Unsolvable("a rate at or below -100 % has no real growth over a fractional number of periods")
    if r == -1 and n < 0:
        raise _Unsolvable("a rate of -100 % cannot be discounted over negative periods")
    grown = float((1 + r) ** int(n))
    return grown, grown - 1


def _growth_decimal(r: Decimal, n: Decimal) -> tuple[Decimal, Decimal]:
    base = 1 + r
    if n == n.to_integral_value():
        grown = base ** int(n) if base != 0 or n >= 0 else Decimal("NaN")
        if grown.is_nan():
            raise _Unsolvable("a rate of -100 % cannot be discounted over negative periods")
        return grown, grown - 1
    if base <= 0:
        raise _Unsolvable("a rate at or below -100 % has no real growth over a fractional number of periods")
    grown = (n * base.ln()).exp()
    return grown, grown - 1


_FLOAT: _Arith[float] = _Arith(
    _growth_float,
    math.log,
    math.log1p,
    lambda r: abs(r) < _FLOAT_NEAR_ZERO,
    lambda x: math.copysign(1.0, x) < 0,
    lambda sign: math.copysign(math.inf, sign),
)
_DECIMAL: _Arith[Decimal] = _Arith(
    _growth_decimal,
    lambda x: x.ln(),
    lambda r: (1 + r).ln(),
    lambda r: r == 0,
    lambda x: x.is_signed(),
    lambda sign: Decimal("Infinity") if sign > 0 else Decimal("-Infinity"),
)


# --- scalar kernels: one formula for float and Decimal --------------------------------------


def _fv_k(a: _Arith[_Num], r: _Num, n: _Num, pmt: _Num, pv: _Num, w: int) -> _Num:
    if r == 0:
        return -(pv + pmt * n)
    grown, grown_minus_one = a.growth(r, n)
    return -(pv * grown + pmt * (1 + r * w) * grown_minus_one / r)


def _pv_k(a: _Arith[_Num], r: _Num, n: _Num, pmt: _Num, fv: _Num, w: int) -> _Num:
    if r == 0:
        return -(fv + pmt * n)
    grown, grown_minus_one = a.growth(r, n)
    if grown == 0:
        raise _Unsolvable("at a rate of -100 % nothing today can grow into the future value")
    return -(fv + pmt * (1 + r * w) * grown_minus_one / r) / grown


def _pmt_k(a: _Arith[_Num], r: _Num, n: _Num, pv: _Num, fv: _Num, w: int) -> _Num:
    if n == 0:
        raise _Unsolvable("no level payment exists over 0 periods")
    if r == 0:
        return -(pv + fv) / n
    if r > 0:
        # Divided through by (1 + r)**n, so a high rate over a long term cannot overflow.
        shrunk, shrunk_minus_one = a.growth(r, -n)
        return (fv * shrunk + pv) * r / ((1 + r * w) * shrunk_minus_one)
    grown, grown_minus_one = a.growth(r, n)
    denominator = (1 + r * w) * grown_minus_one
    if denominator == 0:
        raise _Unsolvable("no level payment exists: with a rate of -100 % paid in advance nothing is owed")
    return -(fv + pv * grown) * r / denominator


# --- the balance of a level-payment loan, without cancellation ---------------------------------
# Written the textbook way, the balance after k payments, pv*(1 + r)**k + pmt*((1 + r)**k - 1)/r,
# is the difference of two numbers of the size of (1 + r)**k: at 1,000 % a year over 600 months
# they have 158 digits and the balance fewer than 10, so 50-digit Decimal (let alone a float)
# keeps none of it. With the level payment put in, the balance is a ratio of growth factors
# with no subtraction of near-equal parts (G(x) = (1 + r)**x):
#
#     F(k) = (pv*(G(k) - G(n)) + fv*(G(k) - 1)) / (G(n) - 1)
#
# and each difference is one expm1-like term, taken at negative powers when r > 0 so that no
# factor overflows. These hold for -1 < r != 0; the kernels keep the textbook form elsewhere.


def _stable(r: _Num) -> bool:
    """Whether the ratio forms below apply: a rate above -100 % and not 0."""
    return r != 0 and r > -1


def _value_after(a: _Arith[_Num], r: _Num, k: _Num, n: _Num, pv: _Num, fv: _Num) -> _Num:
    """``F(k)``: the balance after ``k`` periods of the level payment, with the future value's
    sign (minus what is owed), the same for payments in arrears and in advance."""
    if r > 0:
        owed = pv * a.growth(r, k - n)[1] / -a.growth(r, -n)[1]
        target = fv * a.growth(r, k - n)[0] * a.growth(r, -k)[1] / a.growth(r, -n)[1]
        return owed + target
    grown_n_minus_one = a.growth(r, n)[1]
    owed = -pv * a.growth(r, k)[0] * a.growth(r, n - k)[1] / grown_n_minus_one
    return owed + fv * a.growth(r, k)[1] / grown_n_minus_one


def _growth_share(a: _Arith[_Num], r: _Num, k: _Num, n: _Num) -> _Num:
    """``G(k) / (G(n) - 1)``."""
    if r > 0:
        return a.growth(r, k - n)[0] / -a.growth(r, -n)[1]
    return a.growth(r, k)[0] / a.growth(r, n)[1]


def _moved(a: _Arith[_Num], r: _Num, i: _Num, j: _Num, n: _Num, pv: _Num) -> _Num:
    """``F(i) - F(j)`` with ``fv = 0``: the principal repaid from period ``i`` to ``j``
    (negative for a loan), ``-pv*G(i)*(G(j - i) - 1)/(G(n) - 1)``."""
    if r > 0:
        return -pv * a.growth(r, j - n)[0] * a.growth(r, i - j)[1] / a.growth(r, -n)[1]
    return -pv * a.growth(r, i)[0] * a.growth(r, j - i)[1] / a.growth(r, n)[1]


class _Never(_Unsolvable):
    """The number of periods is infinite (``sign`` +1 or -1): the balance approaches the future
    value without ever reaching it, as when a payment only just covers the interest."""

    def __init__(self, sign: int, rule: str) -> None:
        self.sign = sign
        super().__init__(rule)


_NEVER_COVERS = "no number of periods reaches the future value: the payment never covers the interest"


def _nper_k(a: _Arith[_Num], r: _Num, pmt: _Num, pv: _Num, fv: _Num, w: int) -> _Num:
    # The same steps as numpy-financial's nper, with IEEE meanings for its edge cases: ln of a
    # negative ratio has no answer (NaN), ln(0) is -inf and ln(+inf) is +inf, so that a
    # payment that never amortizes gives the same infinity as there.
    if r == 0:
        if pmt == 0:
            # numpy-financial (its compiled nper since 1.0) answers +inf here.
            raise _Never(1, "with no interest and no payment the balance never changes")
        return -(pv + fv) / pmt
    if r <= -1:
        raise _Unsolvable("a rate at or below -100 % per period has no number of periods")
    # Solve (1 + r)**n * (pv + z) = z - fv, where z is the payment's perpetuity value.
    z = pmt * (1 + r * w) / r
    target, start = z - fv, pv + z
    growth = a.ln1p(r)
    if start == 0:
        # The ratio target / start is infinite: only +inf has a logarithm (+inf).
        if target == 0 or (target > 0) == a.signbit(start):
            raise _Unsolvable(_NEVER_COVERS)
        raise _Never(1 if growth > 0 else -1, _NEVER_COVERS)
    ratio = target / start
    if ratio < 0:
        raise _Unsolvable(_NEVER_COVERS)
    if ratio == 0:
        # ln(0) = -inf: the future value is reached only after infinitely many periods.
        raise _Never(-1 if growth > 0 else 1, _NEVER_COVERS)
    if growth == 0:
        # A rate so small that ln(1 + r) is 0 in this precision: an infinite quotient.
        log_ratio = a.ln(ratio)
        if log_ratio == 0:
            raise _Unsolvable("no number of periods can be told at this rate")
        raise _Never(1 if log_ratio > 0 else -1, _NEVER_COVERS)
    periods = a.ln(ratio) / growth
    if abs(periods) == a.infinity(1):
        raise _Never(1 if periods > 0 else -1, _NEVER_COVERS)
    return periods


def _check_period(name: str, period: _Num, n: _Num) -> None:
    if not 1 <= period <= n:
        raise InputError(name, f"must be a period from 1 to nper ({n:g})", got=period)


def _ipmt_k(a: _Arith[_Num], r: _Num, per: _Num, n: _Num, pv: _Num, fv: _Num, w: int) -> _Num:
    _check_period("per", per, n)
    payment = _pmt_k(a, r, n, pv, fv, w)
    if w == 1 and per == 1:
        # A payment made the day the loan starts carries no interest.
        return r - r
    if _stable(r):
        # Interest accrues on the balance left after the previous payment: F(per - 1) in
        # arrears; in advance, payment ``per`` settles period ``per - 1``, whose balance grew
        # by (1 + r) to F(per - 1).
        interest = r * _value_after(a, r, per - 1, n, pv, fv)
        return interest if w == 0 else interest / (1 + r)
    if w == 0:
        return r * _fv_k(a, r, per - 1, payment, pv, 0)
    return r * (_fv_k(a, r, per - 2, payment, pv, 1) - payment)


def _ppmt_k(a: _Arith[_Num], r: _Num, per: _Num, n: _Num, pv: _Num, fv: _Num, w: int) -> _Num:
    _check_period("per", per, n)
    payment = _pmt_k(a, r, n, pv, fv, w)
    if w == 1 and per == 1:
        return payment  # all principal: no interest has accrued yet
    if _stable(r):
        # How far the balance moved: F(per - 1) - F(per) = -(pv + fv)*r*G(per - 1)/(G(n) - 1),
        # one period earlier in advance. (pmt - ipmt would cancel: early in a loan at a high
        # rate the principal part is a tiny difference of two nearly equal payments.)
        return -(pv + fv) * r * _growth_share(a, r, per - 1 - w, n)
    return payment - _ipmt_k(a, r, per, n, pv, fv, w)


def _balance_after(a: _Arith[_Num], r: _Num, k: _Num, payment: _Num, pv: _Num, w: int) -> _Num:
    """The balance (with the future value's sign) just after payment ``k`` is made."""
    if w == 0:
        return _fv_k(a, r, k, payment, pv, 0)
    if k == 0:
        return -pv
    return _fv_k(a, r, k - 1, payment, pv, 1) - payment


def _cumprinc_k(a: _Arith[_Num], r: _Num, n: _Num, pv: _Num, start: _Num, end: _Num, w: int) -> _Num:
    for name, period in (("start", start), ("end", end)):
        if period % 1 != 0:
            raise InputError(name, "must be a whole period number", got=period)
        _check_period(name, period, n)
    if start > end:
        raise InputError("start", f"must not come after end ({end:g})", got=start)
    payment = _pmt_k(a, r, n, pv, pv - pv, w)
    # The principal repaid is how far the balance moved; no period-by-period loop is needed.
    if not _stable(r):
        return _balance_after(a, r, start - 1, payment, pv, w) - _balance_after(a, r, end, payment, pv, w)
    if w == 0:
        return _moved(a, r, start - 1, end, n, pv)
    # In advance the balance just after payment k >= 1 is -F(k)/(1 + r), and payment 1 is all
    # principal.
    first = payment if start == 1 else r - r
    later = start + 1 if start == 1 else start
    if later > end:
        return first
    return first + _moved(a, r, later - 1, end, n, pv) / (1 + r)


def _cumipmt_k(a: _Arith[_Num], r: _Num, n: _Num, pv: _Num, start: _Num, end: _Num, w: int) -> _Num:
    principal = _cumprinc_k(a, r, n, pv, start, end, w)
    if r == 0:
        return r - r  # no interest, exactly, not a rounded payment minus principal
    payment = _pmt_k(a, r, n, pv, pv - pv, w)
    return (end - start + 1) * payment - principal


_CANCELLED_FACTOR = 10**12
"""A slope under 1/10**12 of its parts is taken as zero: the parts cancelled (an int, so the
test works on Decimal and float alike)."""


def _rate_residual(
    a: _Arith[_Num], r: _Num, n: _Num, pmt: _Num, pv: _Num, fv: _Num, w: int
) -> tuple[_Num, _Num]:
    """The annuity equation at ``r`` and its derivative with respect to ``r``."""
    grown, grown_minus_one = a.growth(r, n)
    annuity = n if r == 0 else grown_minus_one / r  # sum of (1 + r)**k for k < n
    grown_slope = n * grown / (1 + r)
    if a.near_zero(r):
        annuity_slope = n * (n - 1) / 2 + r * n * (n - 1) * (n - 2) / 3
    else:
        annuity_slope = (grown_slope * r - grown_minus_one) / (r * r)
    value = pv * grown + pmt * (1 + r * w) * annuity + fv
    loan_slope = pv * grown_slope
    payment_slope = pmt * (w * annuity + (1 + r * w) * annuity_slope)
    slope = loan_slope + payment_slope
    # When the two parts of the slope cancel (e.g. one payment in advance that repays the
    # loan: every rate fits), Newton's step is rounding noise: call the slope zero.
    if abs(slope) * _CANCELLED_FACTOR <= abs(loan_slope) + abs(payment_slope):
        slope = slope * 0
    return value, slope


def _rate_k(
    a: _Arith[_Num],
    n: _Num,
    pmt: _Num,
    pv: _Num,
    fv: _Num,
    w: int,
    guess: _Num,
    tol: _Num,
    maxiter: int,
) -> _Num:
    r = guess
    for _ in range(maxiter):
        value, slope = _rate_residual(a, r, n, pmt, pv, fv, w)
        if slope == 0:
            break
        r_next = r - value / slope
        if r_next <= -1:
            # Stay above -100 %: step halfway towards it instead of jumping past. Such a
            # step is not a sign of convergence, however small it gets.
            r = (r - 1) / 2
            continue
        scale = abs(r_next) if abs(r_next) > 1 else 1
        if abs(r_next - r) < tol * scale:
            return r_next
        r = r_next
    raise _Unsolvable(
        f"no rate found within {maxiter} iterations from guess {guess}: these payments may repay"
        " the present value at no rate, or another guess may find it"
    )


# --- vectorised float kernels for NumPy arrays ---------------------------------------------
# The same equations as above; branches become np.where and impossible cases become inf/NaN,
# which _array_call turns into NaN elements.

if TYPE_CHECKING:
    _F = NDArray[Any]


def _growth_v(np: ModuleType, r: _F, n: _F) -> tuple[_F, _F]:
    exponent = n * np.log1p(r)
    grown = np.where(r > -1, np.exp(exponent), np.power(1 + r, n))
    return grown, np.where(r > -1, np.expm1(exponent), grown - 1)


def _fv_v(np: ModuleType, r: _F, n: _F, pmt: _F, pv: _F, w: _F) -> _F:
    grown, grown_minus_one = _growth_v(np, r, n)
    result: _F = np.where(r == 0, -(pv + pmt * n), -(pv * grown + pmt * (1 + r * w) * grown_minus_one / r))
    return result


def _pv_v(np: ModuleType, r: _F, n: _F, pmt: _F, fv: _F, w: _F) -> _F:
    grown, grown_minus_one = _growth_v(np, r, n)
    result: _F = np.where(r == 0, -(fv + pmt * n), -(fv + pmt * (1 + r * w) * grown_minus_one / r) / grown)
    return result


def _pmt_textbook_v(np: ModuleType, r: _F, n: _F, pv: _F, fv: _F, w: _F) -> _F:
    grown, grown_minus_one = _growth_v(np, r, n)
    level: _F = -(fv + pv * grown) * r / ((1 + r * w) * grown_minus_one)
    return level


class _Powers:
    """Powers of ``1 + r`` for the ratio forms, element by element: ``ln(1 + r)`` is taken once,
    and each power at a negative exponent where ``r > 0`` (``sign`` -1), a positive one where
    ``r < 0`` (``sign`` +1), so that none overflows. Elements with ``r == 0`` or ``r <= -1``
    come out as inf or NaN; :func:`_odd_rates` says which, and the kernels answer those from
    the textbook forms."""

    def __init__(self, np: ModuleType, r: _F) -> None:
        self.np = np
        self.up = r > 0
        self.sign = np.where(self.up, -1.0, 1.0)
        self.log = np.log1p(np.where(r > -1, r, np.nan))

    def grown(self, x: _F) -> _F:
        result: _F = self.np.exp(x * self.log)
        return result

    def grown_minus_one(self, x: _F) -> _F:
        result: _F = self.np.expm1(x * self.log)
        return result


def _odd_rates(r: _F) -> _F:
    """Where the ratio forms do not apply: a rate of 0, or at or below -100 %."""
    result: _F = (r == 0) | (r <= -1)
    return result


def _pmt_v(np: ModuleType, r: _F, n: _F, pv: _F, fv: _F, w: _F) -> _F:
    p = _Powers(np, r)
    grown, grown_minus_one = p.grown(p.sign * n), p.grown_minus_one(p.sign * n)
    level = np.where(p.up, fv * grown + pv, -(fv + pv * grown)) * r / ((1 + r * w) * grown_minus_one)
    odd = _odd_rates(r)
    if odd.any():
        level = np.where(odd, _pmt_textbook_v(np, r, n, pv, fv, w), level)
    result: _F = np.where(n == 0, np.nan, np.where(r == 0, -(pv + fv) / n, level))
    return result


# The ratio forms of _value_after, _growth_share and _moved, element by element.


def _value_after_v(p: _Powers, k: _F, n: _F, pv: _F, fv: _F) -> _F:
    np = p.np
    owed_part = p.grown_minus_one(p.sign * (n - k))
    target_part = p.grown_minus_one(p.sign * k)
    whole = p.grown_minus_one(p.sign * n)
    grown = p.grown(np.where(p.up, k - n, k))
    rising = (-pv * owed_part + fv * grown * target_part) / whole
    falling = (-pv * grown * owed_part + fv * target_part) / whole
    result: _F = np.where(p.up, rising, falling)
    return result


def _growth_share_v(p: _Powers, k: _F, n: _F) -> _F:
    result: _F = p.grown(p.np.where(p.up, k - n, k)) / (p.sign * p.grown_minus_one(p.sign * n))
    return result


def _moved_v(p: _Powers, i: _F, j: _F, n: _F, pv: _F) -> _F:
    grown = p.grown(p.np.where(p.up, j - n, i))
    result: _F = -pv * grown * p.grown_minus_one(p.sign * (j - i)) / p.grown_minus_one(p.sign * n)
    return result


def _nper_v(np: ModuleType, r: _F, pmt: _F, pv: _F, fv: _F, w: _F) -> _F:
    # IEEE arithmetic gives numpy-financial's answers directly: log of a negative ratio is NaN,
    # log(0) is -inf and log(+inf) is +inf. No rate and no payment is +inf there.
    z = pmt * (1 + r * w) / r
    ratio = (z - fv) / (pv + z)
    periods = np.where(r > -1, np.log(ratio) / np.log1p(r), np.nan)
    level = np.where(pmt == 0, np.inf, -(pv + fv) / np.where(pmt == 0, 1.0, pmt))
    result: _F = np.where(r == 0, level, periods)
    return result


def _ipmt_textbook_v(np: ModuleType, r: _F, per: _F, n: _F, pv: _F, fv: _F, w: _F, payment: _F) -> _F:
    in_arrears = r * _fv_v(np, r, per - 1, payment, pv, np.zeros_like(w))
    in_advance = r * (_fv_v(np, r, per - 2, payment, pv, np.ones_like(w)) - payment)
    result: _F = np.where(w == 1, in_advance, in_arrears)
    return result


def _ipmt_v(np: ModuleType, r: _F, per: _F, n: _F, pv: _F, fv: _F, w: _F) -> _F:
    payment = _pmt_v(np, r, n, pv, fv, w)
    p = _Powers(np, r)
    interest = r * _value_after_v(p, per - 1, n, pv, fv) / np.where(w == 1, 1 + r, 1.0)
    odd = _odd_rates(r)
    if odd.any():
        interest = np.where(odd, _ipmt_textbook_v(np, r, per, n, pv, fv, w, payment), interest)
    interest = np.where((w == 1) & (per == 1), 0.0, interest)
    result: _F = np.where((per >= 1) & (per <= n) & np.isfinite(payment), interest, np.nan)
    return result


def _ppmt_v(np: ModuleType, r: _F, per: _F, n: _F, pv: _F, fv: _F, w: _F) -> _F:
    payment = _pmt_v(np, r, n, pv, fv, w)
    principal = -(pv + fv) * r * _growth_share_v(_Powers(np, r), per - 1 - w, n)
    odd = _odd_rates(r)
    if odd.any():
        textbook = payment - _ipmt_textbook_v(np, r, per, n, pv, fv, w, payment)
        principal = np.where(odd, textbook, principal)
    principal = np.where((w == 1) & (per == 1), payment, principal)
    result: _F = np.where((per >= 1) & (per <= n) & np.isfinite(payment), principal, np.nan)
    return result


def _balance_after_v(np: ModuleType, r: _F, k: _F, payment: _F, pv: _F, w: _F) -> _F:
    in_arrears = _fv_v(np, r, k, payment, pv, np.zeros_like(w))
    in_advance = np.where(k == 0, -pv, _fv_v(np, r, k - 1, payment, pv, np.ones_like(w)) - payment)
    result: _F = np.where(w == 1, in_advance, in_arrears)
    return result


def _cum_v(np: ModuleType, r: _F, n: _F, pv: _F, start: _F, end: _F, w: _F) -> tuple[_F, _F]:
    payment = _pmt_v(np, r, n, pv, np.zeros_like(pv), w)
    p = _Powers(np, r)
    # In advance payment 1 is all principal, and the balance just after payment k >= 1 is
    # -F(k)/(1 + r); in arrears it is -F(k).
    first = (w == 1) & (start == 1)
    later = np.where(first, start + 1, start)
    moved = np.where(later > end, 0.0, _moved_v(p, later - 1, end, n, pv))
    principal = np.where(first, payment, 0.0) + moved / np.where(w == 1, 1 + r, 1.0)
    odd = _odd_rates(r)
    if odd.any():
        textbook = _balance_after_v(np, r, start - 1, payment, pv, w) - _balance_after_v(
            np, r, end, payment, pv, w
        )
        principal = np.where(odd, textbook, principal)
    interest = (end - start + 1) * payment - principal
    valid = (start == np.floor(start)) & (end == np.floor(end)) & (start >= 1) & (start <= end) & (end <= n)
    return np.where(valid, principal, np.nan), np.where(valid, interest, np.nan)


def _cumprinc_v(np: ModuleType, r: _F, n: _F, pv: _F, start: _F, end: _F, w: _F) -> _F:
    return _cum_v(np, r, n, pv, start, end, w)[0]


def _cumipmt_v(np: ModuleType, r: _F, n: _F, pv: _F, start: _F, end: _F, w: _F) -> _F:
    return _cum_v(np, r, n, pv, start, end, w)[1]


def _rate_v(
    np: ModuleType, n: _F, pmt: _F, pv: _F, fv: _F, w: _F, guess: float, tol: float, maxiter: int
) -> _F:
    r = np.full(np.broadcast(n, pmt, pv, fv, w).shape, guess, dtype=np.float64)
    settled = np.zeros(r.shape, dtype=bool)
    for _ in range(maxiter):
        grown, grown_minus_one = _growth_v(np, r, n)
        annuity = np.where(r == 0, n, grown_minus_one / r)
        grown_slope = n * grown / (1 + r)
        annuity_slope = np.where(
            np.abs(r) < _FLOAT_NEAR_ZERO,
            n * (n - 1) / 2 + r * n * (n - 1) * (n - 2) / 3,
            (grown_slope * r - grown_minus_one) / (r * r),
        )
        value = pv * grown + pmt * (1 + r * w) * annuity + fv
        loan_slope = pv * grown_slope
        payment_slope = pmt * (w * annuity + (1 + r * w) * annuity_slope)
        slope = loan_slope + payment_slope
        # As in _rate_residual: a slope lost to cancellation counts as zero (no answer).
        cancelled = np.abs(slope) * _CANCELLED_FACTOR <= np.abs(loan_slope) + np.abs(payment_slope)
        slope = np.where(cancelled, 0.0, slope)
        with np.errstate(divide="ignore", invalid="ignore"):
            r_next = r - value / slope
        damped = r_next <= -1
        r_next = np.where(damped, (r - 1) / 2, r_next)
        close = ~damped & np.isfinite(r_next) & (np.abs(r_next - r) < tol * np.maximum(1, np.abs(r_next)))
        r = np.where(settled, r, r_next)
        settled |= close
        if settled.all():
            break
    result: _F = np.where(settled, r, np.nan)
    return result


# --- dispatch: scalar Decimal, scalar float, or arrays -------------------------------------


def _when_code(when: object) -> int:
    try:
        return _WHEN_CODES[when]
    except (KeyError, TypeError):
        raise InputError(
            "when", 'must be "end" (or 0) for payments in arrears or "begin" (or 1) in advance', got=when
        ) from None


def _numpy() -> ModuleType:
    try:
        import numpy
    except ImportError:  # pragma: no cover - numpy is present wherever arrays are passed
        raise ImportError("array arguments need NumPy: pip install 'underwater[portfolio]'") from None
    return numpy


def _is_array(value: object) -> bool:
    if isinstance(value, list | tuple):
        return True
    numpy = sys.modules.get("numpy")
    # An ndarray can only exist if numpy is already imported, so this never imports it.
    return numpy is not None and isinstance(value, numpy.ndarray)


def _finite_decimal(name: str, value: object) -> Decimal:
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, Integral):
        number = Decimal(int(value))
    else:
        raise InputError(
            name,
            'cannot mix float with Decimal (a float is not exact); pass Decimal("...") or an int',
            got=value,
        )
    return number


def _as_float(name: str, value: object) -> float:
    if isinstance(value, Real):
        return float(value)
    raise InputError(name, "must be a number (Decimal, int or float)", got=value)


def _raise_or_nan(
    exc: Exception, field: str, raise_exceptions: bool, nan: _Num, arith: _Arith[_Num] | None = None
) -> _Num:
    if not raise_exceptions:
        if isinstance(exc, _Never) and arith is not None:
            return arith.infinity(exc.sign)
        return nan
    if isinstance(exc, UnderwaterError):
        raise exc
    if isinstance(exc, _Unsolvable):
        raise NoSolutionError(field, exc.rule) from None
    raise NoSolutionError(field, f"no real {field} exists for these inputs ({type(exc).__name__})") from None


def _leading_zeros(names: Sequence[str], numbers: Sequence[Decimal]) -> int:
    """Extra digits for a rate close to 0: ``(1 + rate)**k - 1`` and the interest left after
    the principal lose as many leading digits as the rate has zeros after the point."""
    if "rate" not in names:
        return 0
    rate = numbers[names.index("rate")]
    if not rate.is_finite() or rate == 0:
        return 0
    return min(max(0, -rate.adjusted()), _MAX_EXTRA_DIGITS)


def _scalar_call(
    field: str,
    names: Sequence[str],
    values: Sequence[object],
    when: object,
    kernel: Callable[..., Any],
    raise_exceptions: bool,
    extra: Callable[[_Arith[Any], type], tuple[Any, ...]] | None = None,
) -> Decimal | float:
    w = _when_code(when)
    if any(isinstance(v, Decimal) for v in values):
        numbers_d = [_finite_decimal(name, v) for name, v in zip(names, values, strict=True)]
        caller = getcontext()
        work = Context(
            prec=max(_WORK_PRECISION, caller.prec + 10) + _leading_zeros(names, numbers_d),
            rounding=ROUND_HALF_EVEN,
            Emax=MAX_EMAX,
            Emin=MIN_EMIN,
            traps=[InvalidOperation, DivisionByZero, Overflow],
        )
        try:
            with localcontext(work):
                for name, number in zip(names, numbers_d, strict=True):
                    if not number.is_finite():
                        raise InputError(name, "must be a finite number", got=number)
                tail = extra(_DECIMAL, Decimal) if extra else ()
                result_d: Decimal = kernel(_DECIMAL, *numbers_d, w, *tail)
                if not result_d.is_finite():
                    raise _Unsolvable(f"the {field} is too large to represent")
        except (ArithmeticError, ValueError, _Unsolvable) as exc:
            return _raise_or_nan(exc, field, raise_exceptions, Decimal("NaN"), _DECIMAL)
        return caller.plus(result_d)
    numbers_f = [_as_float(name, v) for name, v in zip(names, values, strict=True)]
    try:
        for name, number_f in zip(names, numbers_f, strict=True):
            if not math.isfinite(number_f):
                raise InputError(name, "must be a finite number", got=number_f)
        tail = extra(_FLOAT, float) if extra else ()
        result_f: float = kernel(_FLOAT, *numbers_f, w, *tail)
        if not math.isfinite(result_f):
            raise _Unsolvable(f"the {field} is too large to represent")
    except (ArithmeticError, ValueError, _Unsolvable) as exc:
        return _raise_or_nan(exc, field, raise_exceptions, math.nan, _FLOAT)
    return result_f + 0.0  # turns -0.0 into 0.0


@contextmanager
def _naming_the_element(index: tuple[int, ...]) -> Iterator[None]:
    """Say which element of a batch an error is about."""
    where = f"at index {index[0] if len(index) == 1 else index}"
    try:
        yield
    except InputError as exc:
        raise InputError(exc.field, f"{where}: {exc.rule}", got=exc.got) from None
    except NoSolutionError as exc:
        raise NoSolutionError(exc.field, f"{where}: {exc.rule}") from None


def _array_call(
    field: str,
    names: Sequence[str],
    values: Sequence[object],
    when: object,
    vector_kernel: Callable[..., Any],
    scalar: Callable[..., Any],
    raise_exceptions: bool,
    *,
    keep_infinite: bool = False,
) -> NDArray[Any]:
    np = _numpy()
    arrays = [np.asarray(v) for v in values]
    if _is_array(when):
        codes = np.vectorize(_when_code, otypes=[np.float64])(np.asarray(when, dtype=object))
    else:
        codes = np.float64(_when_code(when))
    for name, array in zip(names, arrays, strict=True):
        if array.dtype.kind not in "biufO":
            raise InputError(name, "must be numbers", got=array.dtype)
    if any(array.dtype.kind == "O" for array in arrays):
        # Decimal elements: the exact scalar path, one element at a time.
        broadcast = np.broadcast_arrays(*arrays, codes)
        exact: NDArray[Any] = np.empty(broadcast[0].shape, dtype=object)
        for index in np.ndindex(exact.shape):
            with _naming_the_element(index):
                exact[index] = scalar(
                    *(b[index] for b in broadcast[:-1]),
                    when=int(broadcast[-1][index]),
                    raise_exceptions=raise_exceptions,
                )
        return exact
    floats = [array.astype(np.float64) for array in arrays]
    with np.errstate(all="ignore"):
        out = np.asarray(vector_kernel(np, *floats, codes), dtype=np.float64)
    if not keep_infinite:
        # An overflow is no answer; only a function whose answer can be infinite keeps it.
        out = np.where(np.isfinite(out), out, np.nan)
    result_f: NDArray[Any] = out
    bad = ~np.isfinite(out)
    if raise_exceptions and bad.any():
        # Re-run the first bad element alone: the scalar path knows why it has no answer.
        broadcast = np.broadcast_arrays(*floats, codes)
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        with _naming_the_element(index):
            scalar(
                *(float(b[index]) for b in broadcast[:-1]),
                when=int(broadcast[-1][index]),
                raise_exceptions=True,
            )
            raise NoSolutionError(field, "no solution in floating point")
    return result_f


# --- public functions ----------------------------------------------------------------------
# Each has three typed faces: float/int -> float, Decimal (with ints) -> Decimal, arrays -> array.

if TYPE_CHECKING:
    import numpy

    _R = float | numpy.integer[Any]
    _D = Decimal | int
    _A = NDArray[Any] | Sequence[Any] | float | Decimal | numpy.integer[Any]
    _W = str | int
    _WA = str | int | NDArray[Any] | Sequence[Any]


@overload
def pmt(  # type: ignore[overload-overlap]
    rate: _R, nper: _R, pv: _R, fv: _R = 0, when: _W = "end", *, raise_exceptions: bool = False
) -> float: ...
@overload
def pmt(  # type: ignore[overload-overlap]
    rate: _D, nper: _D, pv: _D, fv: _D = 0, when: _W = "end", *, raise_exceptions: bool = False
) -> Decimal: ...
@overload
def pmt(
    rate: _A, nper: _A, pv: _A, fv: _A = 0, when: _WA = "end", *, raise_exceptions: bool = False
) -> NDArray[Any]: ...
def pmt(
    rate: Any, nper: Any, pv: Any, fv: Any = 0, when: Any = "end", *, raise_exceptions: bool = False
) -> Any:
    """The level payment per period that turns ``pv`` into ``fv`` over ``nper`` periods (PMT).

    Parameters
    ----------
    rate : Decimal, float or array
        Interest rate per period as a fraction (0.005 is 0.5 % a month), not percent per year.
    nper : Decimal, int, float or array
        Number of payment periods (months for a monthly loan).
    pv : Decimal, float or array
        Present value in dollars: the amount borrowed (positive for the borrower).
    fv : Decimal, float or array, default 0
        Balance in dollars wanted after the last payment (0 repays a loan in full).
    when : {"end", "begin"} or {0, 1}, default "end"
        Whether each payment falls at the end or the beginning of its period.
    raise_exceptions : bool, default False
        Raise :class:`~underwater.errors.NoSolutionError` instead of returning NaN.

    Returns
    -------
    Decimal, float or ndarray
        The payment per period in dollars, negative when ``pv`` is positive (money paid out).
        NaN when ``nper`` is 0 (no level payment exists).

    Notes
    -----
    Solves the annuity equation for ``pmt``::

        pmt = -(fv + pv*(1 + rate)**nper) * rate / ((1 + rate*w) * ((1 + rate)**nper - 1))
        pmt = -(fv + pv) / nper                                      when rate == 0

    with ``w`` = 1 for payments in advance and 0 in arrears.

    Examples
    --------
    A $10,000 loan at 8 % a year repaid in ten monthly payments (Microsoft's PMT example):

    >>> from decimal import Decimal
    >>> from underwater.money import round_cents
    >>> round_cents(pmt(Decimal("0.08") / 12, 10, Decimal("10000")))
    Decimal('-1037.03')
    >>> round(pmt(0.08 / 12, 10, 10000, when="begin"), 2)
    -1030.16

    With no interest the borrower simply pays the loan back in equal parts:

    >>> pmt(Decimal("0"), 12, Decimal("1200"))
    Decimal('-100')
    """
    names, values = ("rate", "nper", "pv", "fv"), (rate, nper, pv, fv)
    if any(map(_is_array, (*values, when))):
        return _array_call("pmt", names, values, when, _pmt_v, pmt, raise_exceptions)
    return _scalar_call("pmt", names, values, when, _pmt_k, raise_exceptions)


@overload
def fv(  # type: ignore[overload-overlap]
    rate: _R, nper: _R, pmt: _R, pv: _R, when: _W = "end", *, raise_exceptions: bool = False
) -> float: ...
@overload
def fv(  # type: ignore[overload-overlap]
    rate: _D, nper: _D, pmt: _D, pv: _D, when: _W = "end", *, raise_exceptions: bool = False
) -> Decimal: ...
@overload
def fv(
    rate: _A, nper: _A, pmt: _A, pv: _A, when: _WA = "end", *, raise_exceptions: bool = False
) -> NDArray[Any]: ...
def fv(rate: Any, nper: Any, pmt: Any, pv: Any, when: Any = "end", *, raise_exceptions: bool = False) -> Any:
    """The balance left after ``nper`` payments of ``pmt`` on a starting value ``pv`` (FV).

    Parameters
    ----------
    rate : Decimal, float or array
        Interest rate per period as a fraction (0.005 is 0.5 % a month), not percent per year.
    nper : Decimal, int, float or array
        Number of payment periods.
    pmt : Decimal, float or array
        Payment per period in dollars (negative when paid out, e.g. a deposit).
    pv : Decimal, float or array
        Value in dollars at the start (negative for money put in).
    when : {"end", "begin"} or {0, 1}, default "end"
        Whether each payment falls at the end or the beginning of its period.
    raise_exceptions : bool, default False
        Raise :class:`~underwater.errors.NoSolutionError` instead of returning NaN.

    Returns
    -------
    Decimal, float or ndarray
        The future value in dollars; NaN if it has no real value (a rate below -100 % over a
        fractional number of periods) or is too large to represent.

    Notes
    -----
    ::

        fv = -(pv*(1 + rate)**nper + pmt*(1 + rate*w)*((1 + rate)**nper - 1)/rate)
        fv = -(pv + pmt*nper)                                         when rate == 0

    Examples
    --------
    A saver who starts with $500 and adds $200 at the start of each month for ten months at
    6 % a year has $2,581.40 (Microsoft's FV example):

    >>> from decimal import Decimal
    >>> from underwater.money import round_cents
    >>> round_cents(fv(Decimal("0.06") / 12, 10, Decimal("-200"), Decimal("-500"), when="begin"))
    Decimal('2581.40')
    """
    names, values = ("rate", "nper", "pmt", "pv"), (rate, nper, pmt, pv)
    if any(map(_is_array, (*values, when))):
        return _array_call("fv", names, values, when, _fv_v, fv, raise_exceptions)
    return _scalar_call("fv", names, values, when, _fv_k, raise_exceptions)


@overload
def pv(  # type: ignore[overload-overlap]
    rate: _R, nper: _R, pmt: _R, fv: _R = 0, when: _W = "end", *, raise_exceptions: bool = False
) -> float: ...
@overload
def pv(  # type: ignore[overload-overlap]
    rate: _D, nper: _D, pmt: _D, fv: _D = 0, when: _W = "end", *, raise_exceptions: bool = False
) -> Decimal: ...
@overload
def pv(
    rate: _A, nper: _A, pmt: _A, fv: _A = 0, when: _WA = "end", *, raise_exceptions: bool = False
) -> NDArray[Any]: ...
def pv(
    rate: Any, nper: Any, pmt: Any, fv: Any = 0, when: Any = "end", *, raise_exceptions: bool = False
) -> Any:
    """What a stream of ``nper`` payments of ``pmt`` (and a final ``fv``) is worth today (PV).

    Parameters
    ----------
    rate : Decimal, float or array
        Interest rate per period as a fraction (0.005 is 0.5 % a month), not percent per year.
    nper : Decimal, int, float or array
        Number of payment periods.
    pmt : Decimal, float or array
        Payment per period in dollars (positive when received).
    fv : Decimal, float or array, default 0
        Amount in dollars received (or paid) after the last period.
    when : {"end", "begin"} or {0, 1}, default "end"
        Whether each payment falls at the end or the beginning of its period.
    raise_exceptions : bool, default False
        Raise :class:`~underwater.errors.NoSolutionError` instead of returning NaN.

    Returns
    -------
    Decimal, float or ndarray
        The present value in dollars, with the opposite sign to the payments; NaN at a rate of
        -100 % (nothing today can grow into the future value).

    Notes
    -----
    ::

        pv = -(fv + pmt*(1 + rate*w)*((1 + rate)**nper - 1)/rate) / (1 + rate)**nper
        pv = -(fv + pmt*nper)                                         when rate == 0

    Examples
    --------
    An annuity paying $500 at the end of every month for 20 years, at 8 % a year, costs
    $59,777.15 today (Microsoft's PV example):

    >>> from decimal import Decimal
    >>> from underwater.money import round_cents
    >>> round_cents(pv(Decimal("0.08") / 12, 12 * 20, Decimal("500")))
    Decimal('-59777.15')
    """
    names, values = ("rate", "nper", "pmt", "fv"), (rate, nper, pmt, fv)
    if any(map(_is_array, (*values, when))):
        return _array_call("pv", names, values, when, _pv_v, pv, raise_exceptions)
    return _scalar_call("pv", names, values, when, _pv_k, raise_exceptions)


@overload
def nper(  # type: ignore[overload-overlap]
    rate: _R, pmt: _R, pv: _R, fv: _R = 0, when: _W = "end", *, raise_exceptions: bool = False
) -> float: ...
@overload
def nper(  # type: ignore[overload-overlap]
    rate: _D, pmt: _D, pv: _D, fv: _D = 0, when: _W = "end", *, raise_exceptions: bool = False
) -> Decimal: ...
@overload
def nper(
    rate: _A, pmt: _A, pv: _A, fv: _A = 0, when: _WA = "end", *, raise_exceptions: bool = False
) -> NDArray[Any]: ...
def nper(
    rate: Any, pmt: Any, pv: Any, fv: Any = 0, when: Any = "end", *, raise_exceptions: bool = False
) -> Any:
    """How many payments of ``pmt`` turn ``pv`` into ``fv`` (NPER).

    Parameters
    ----------
    rate : Decimal, float or array
        Interest rate per period as a fraction (0.005 is 0.5 % a month), not percent per year.
    pmt : Decimal, float or array
        Payment per period in dollars (negative when paid out).
    pv : Decimal, float or array
        Present value in dollars (the amount borrowed, positive for the borrower).
    fv : Decimal, float or array, default 0
        Balance in dollars wanted after the last payment.
    when : {"end", "begin"} or {0, 1}, default "end"
        Whether each payment falls at the end or the beginning of its period.
    raise_exceptions : bool, default False
        Raise :class:`~underwater.errors.NoSolutionError` instead of returning NaN.

    Returns
    -------
    Decimal, float or ndarray
        The number of periods, usually fractional (the last payment is then a partial one). It
        can be negative, as in the spreadsheets, when ``fv`` lies in the past. The answers at
        the edges are numpy-financial's, whose ``nper`` evaluates the formula below in IEEE
        arithmetic, for float, array and Decimal input alike:

        - NaN when the ratio inside the logarithm is negative or 0/0 - a payment that falls
          short of the interest (``nper(0.01, -5, 1000)``), or exactly matches it on a loan;
        - ``-inf`` when the ratio is 0 at a positive rate (``inf`` at a negative one): no
          payment on a loan, ``nper(0.01, 0, 1000)``; ``+inf`` when it is infinite - a payment
          that exactly matches the interest on a deposit, ``nper(0.5, 50, -100)``;
        - ``+inf`` with no rate and no payment (numpy-financial's compiled ``nper``; its 1.0
          release says ``-(pv + fv) / +0`` there and, at a zero rate with a payment, has the
          sign of ``pv`` wrong - numpy/numpy-financial issue 16 - which is not copied);
        - NaN at a rate at or below -100 % a period.

        With ``raise_exceptions=True`` every NaN or infinity raises
        :class:`~underwater.errors.NoSolutionError` instead.

    Notes
    -----
    With ``z = pmt*(1 + rate*w)/rate``::

        nper = ln((z - fv) / (pv + z)) / ln(1 + rate)
        nper = -(pv + fv) / pmt                                       when rate == 0

    ``ln(1 + rate)`` is taken as ``log1p(rate)``, which keeps a tiny rate's periods finite
    where numpy-financial's ``log(1 + rate)`` rounds to 0.

    Examples
    --------
    A $1,000 card balance at 1 % a month paid down $100 a month takes just over ten and a half
    months:

    >>> round(nper(0.01, -100, 1000), 4)
    10.5886

    Paying $5 a month never clears it - the interest is $10 - and paying nothing never does
    either (an infinite number of periods, with numpy-financial's sign):

    >>> nper(0.01, -5, 1000), nper(0.01, 0, 1000)
    (nan, -inf)
    >>> nper(Decimal("0.01"), 0, Decimal(1000))
    Decimal('-Infinity')
    """
    names, values = ("rate", "pmt", "pv", "fv"), (rate, pmt, pv, fv)
    if any(map(_is_array, (*values, when))):
        return _array_call("nper", names, values, when, _nper_v, nper, raise_exceptions, keep_infinite=True)
    return _scalar_call("nper", names, values, when, _nper_k, raise_exceptions)


@overload
def ipmt(  # type: ignore[overload-overlap]
    rate: _R,
    per: _R,
    nper: _R,
    pv: _R,
    fv: _R = 0,
    when: _W = "end",
    *,
    raise_exceptions: bool = False,
) -> float: ...
@overload
def ipmt(  # type: ignore[overload-overlap]
    rate: _D, per: _D, nper: _D, pv: _D, fv: _D = 0, when: _W = "end", *, raise_exceptions: bool = False
) -> Decimal: ...
@overload
def ipmt(
    rate: _A, per: _A, nper: _A, pv: _A, fv: _A = 0, when: _WA = "end", *, raise_exceptions: bool = False
) -> NDArray[Any]: ...
def ipmt(
    rate: Any, per: Any, nper: Any, pv: Any, fv: Any = 0, when: Any = "end", *, raise_exceptions: bool = False
) -> Any:
    """The interest part of payment number ``per`` of a level-payment loan (IPMT).

    Parameters
    ----------
    rate : Decimal, float or array
        Interest rate per period as a fraction (0.005 is 0.5 % a month), not percent per year.
    per : Decimal, int, float or array
        Which payment, counted from 1 like the spreadsheets (1 is the first month).
    nper : Decimal, int, float or array
        Number of payment periods.
    pv : Decimal, float or array
        Present value in dollars (the amount borrowed, positive for the borrower).
    fv : Decimal, float or array, default 0
        Balance in dollars wanted after the last payment.
    when : {"end", "begin"} or {0, 1}, default "end"
        Whether each payment falls at the end or the beginning of its period.
    raise_exceptions : bool, default False
        Raise instead of returning NaN: :class:`~underwater.errors.InputError` when ``per``
        is outside ``1..nper``, :class:`~underwater.errors.NoSolutionError` when no level
        payment exists.

    Returns
    -------
    Decimal, float or ndarray
        The interest in dollars, negative for a borrower. NaN when ``per`` is outside
        ``1..nper`` or no level payment exists.

    Notes
    -----
    The interest is the rate times the balance it accrues on, with ``B(k)`` the balance
    ``fv(rate, k, pmt, pv, when)``::

        ipmt = rate * B(per - 1)                           payments in arrears
        ipmt = rate * (B(per - 2) - pmt), 0 for per == 1   payments in advance

    In advance, payment ``per`` settles the interest of the period before it, so the first
    payment, made the day the loan starts, is all principal. With ``rate == 0`` it is 0.

    ``B(k)`` is not worked out as written: at a high rate over a long term its two parts are
    far larger than their difference (at 1,000 % a year over 600 months, 158 digits each).
    With the level payment put in it is ``(pv*(G(k) - G(n)) + fv*(G(k) - 1)) / (G(n) - 1)``
    with ``G(x) = (1 + rate)**x``, each difference taken at negative powers, so the answer
    keeps its digits at every rate above -100 %: ``ipmt(Decimal(1000) / 1200, 600, 600,
    Decimal(10000))`` is -3,787.88.

    Examples
    --------
    The first month's interest on an $8,000 three-year loan at 10 % a year is $66.67
    (Microsoft's IPMT example):

    >>> from decimal import Decimal
    >>> from underwater.money import round_cents
    >>> round_cents(ipmt(Decimal("0.1") / 12, 1, 36, Decimal("8000")))
    Decimal('-66.67')
    """
    names, values = ("rate", "per", "nper", "pv", "fv"), (rate, per, nper, pv, fv)
    if any(map(_is_array, (*values, when))):
        return _array_call("ipmt", names, values, when, _ipmt_v, ipmt, raise_exceptions)
    return _scalar_call("ipmt", names, values, when, _ipmt_k, raise_exceptions)


@overload
def ppmt(  # type: ignore[overload-overlap]
    rate: _R,
    per: _R,
    nper: _R,
    pv: _R,
    fv: _R = 0,
    when: _W = "end",
    *,
    raise_exceptions: bool = False,
) -> float: ...
@overload
def ppmt(  # type: ignore[overload-overlap]
    rate: _D, per: _D, nper: _D, pv: _D, fv: _D = 0, when: _W = "end", *, raise_exceptions: bool = False
) -> Decimal: ...
@overload
def ppmt(
    rate: _A, per: _A, nper: _A, pv: _A, fv: _A = 0, when: _WA = "end", *, raise_exceptions: bool = False
) -> NDArray[Any]: ...
def ppmt(
    rate: Any, per: Any, nper: Any, pv: Any, fv: Any = 0, when: Any = "end", *, raise_exceptions: bool = False
) -> Any:
    """The principal part of payment number ``per`` of a level-payment loan (PPMT).

    Parameters
    ----------
    rate : Decimal, float or array
        Interest rate per period as a fraction (0.005 is 0.5 % a month), not percent per year.
    per : Decimal, int, float or array
        Which payment, counted from 1 like the spreadsheets.
    nper : Decimal, int, float or array
        Number of payment periods.
    pv : Decimal, float or array
        Present value in dollars (the amount borrowed, positive for the borrower).
    fv : Decimal, float or array, default 0
        Balance in dollars wanted after the last payment.
    when : {"end", "begin"} or {0, 1}, default "end"
        Whether each payment falls at the end or the beginning of its period.
    raise_exceptions : bool, default False
        Raise instead of returning NaN (as :func:`ipmt`).

    Returns
    -------
    Decimal, float or ndarray
        The principal repaid in dollars, negative for a borrower; NaN as for :func:`ipmt`.

    Notes
    -----
    Every payment is interest plus principal: ``ppmt = pmt(rate, nper, pv, fv, when) - ipmt``.
    That difference is not how it is worked out: early in a loan at a high rate the two are
    nearly equal, so the principal is taken as how far the balance moves instead::

        ppmt = -(pv + fv) * rate * (1 + rate)**(per - 1 - w) / ((1 + rate)**nper - 1)

    (``pmt`` for the first payment in advance, which is all principal).

    Examples
    --------
    The first month's payment on a $2,000 two-year loan at 10 % a year repays $75.62 of
    principal (Microsoft's PPMT example):

    >>> from decimal import Decimal
    >>> from underwater.money import round_cents
    >>> round_cents(ppmt(Decimal("0.1") / 12, 1, 24, Decimal("2000")))
    Decimal('-75.62')
    """
    names, values = ("rate", "per", "nper", "pv", "fv"), (rate, per, nper, pv, fv)
    if any(map(_is_array, (*values, when))):
        return _array_call("ppmt", names, values, when, _ppmt_v, ppmt, raise_exceptions)
    return _scalar_call("ppmt", names, values, when, _ppmt_k, raise_exceptions)


@overload
def cumipmt(  # type: ignore[overload-overlap]
    rate: _R,
    nper: _R,
    pv: _R,
    start: _R,
    end: _R,
    when: _W = "end",
    *,
    raise_exceptions: bool = False,
) -> float: ...
@overload
def cumipmt(  # type: ignore[overload-overlap]
    rate: _D, nper: _D, pv: _D, start: _D, end: _D, when: _W = "end", *, raise_exceptions: bool = False
) -> Decimal: ...
@overload
def cumipmt(
    rate: _A, nper: _A, pv: _A, start: _A, end: _A, when: _WA = "end", *, raise_exceptions: bool = False
) -> NDArray[Any]: ...
def cumipmt(
    rate: Any, nper: Any, pv: Any, start: Any, end: Any, when: Any = "end", *, raise_exceptions: bool = False
) -> Any:
    """The interest paid in payments ``start`` through ``end`` of a loan repaid in full (CUMIPMT).

    Parameters
    ----------
    rate : Decimal, float or array
        Interest rate per period as a fraction (0.0075 is 0.75 % a month), not percent per year.
    nper : Decimal, int, float or array
        Number of payment periods of the loan.
    pv : Decimal, float or array
        The amount borrowed in dollars.
    start, end : Decimal, int, float or array
        First and last payment to add up, whole numbers counted from 1, ``start <= end <= nper``.
    when : {"end", "begin"} or {0, 1}, default "end"
        The spreadsheets' ``type``: 0/"end" for payments in arrears, 1/"begin" in advance.
    raise_exceptions : bool, default False
        Raise instead of returning NaN: :class:`~underwater.errors.InputError` when
        ``start``/``end`` are out of range, :class:`~underwater.errors.NoSolutionError` when
        no level payment exists.

    Returns
    -------
    Decimal, float or ndarray
        The total interest in dollars, negative for a loan with a positive ``pv``.

    Notes
    -----
    The sum of :func:`ipmt` over ``per = start..end`` with ``fv = 0``, in closed form: the
    principal repaid is how far the balance moved, and the rest of the payments is interest::

        cumprinc = B(start - 1) - B(end)
        cumipmt  = (end - start + 1) * pmt(rate, nper, pv, 0, when) - cumprinc

    where ``B(k)`` is the balance just after payment ``k``, and ``B(i) - B(j)`` is worked out
    as ``-pv*(1 + rate)**i*((1 + rate)**(j - i) - 1)/((1 + rate)**nper - 1)`` (no difference of
    large numbers, see :func:`ipmt`). Unlike Excel, a zero or negative rate and a negative
    ``pv`` are allowed (the sum is still well defined).

    Examples
    --------
    On a $125,000 30-year mortgage at 9 % a year, the second year's interest is $11,135.23
    (Microsoft's CUMIPMT example):

    >>> from decimal import Decimal
    >>> from underwater.money import round_cents
    >>> round_cents(cumipmt(Decimal("0.09") / 12, 360, Decimal("125000"), 13, 24))
    Decimal('-11135.23')
    """
    names, values = ("rate", "nper", "pv", "start", "end"), (rate, nper, pv, start, end)
    if any(map(_is_array, (*values, when))):
        return _array_call("cumipmt", names, values, when, _cumipmt_v, cumipmt, raise_exceptions)
    return _scalar_call("cumipmt", names, values, when, _cumipmt_k, raise_exceptions)


@overload
def cumprinc(  # type: ignore[overload-overlap]
    rate: _R,
    nper: _R,
    pv: _R,
    start: _R,
    end: _R,
    when: _W = "end",
    *,
    raise_exceptions: bool = False,
) -> float: ...
@overload
def cumprinc(  # type: ignore[overload-overlap]
    rate: _D, nper: _D, pv: _D, start: _D, end: _D, when: _W = "end", *, raise_exceptions: bool = False
) -> Decimal: ...
@overload
def cumprinc(
    rate: _A, nper: _A, pv: _A, start: _A, end: _A, when: _WA = "end", *, raise_exceptions: bool = False
) -> NDArray[Any]: ...
def cumprinc(
    rate: Any, nper: Any, pv: Any, start: Any, end: Any, when: Any = "end", *, raise_exceptions: bool = False
) -> Any:
    """The principal repaid in payments ``start`` through ``end`` of a loan (CUMPRINC).

    Parameters
    ----------
    rate : Decimal, float or array
        Interest rate per period as a fraction (0.0075 is 0.75 % a month), not percent per year.
    nper : Decimal, int, float or array
        Number of payment periods of the loan.
    pv : Decimal, float or array
        The amount borrowed in dollars.
    start, end : Decimal, int, float or array
        First and last payment to add up, whole numbers counted from 1, ``start <= end <= nper``.
    when : {"end", "begin"} or {0, 1}, default "end"
        The spreadsheets' ``type``: 0/"end" for payments in arrears, 1/"begin" in advance.
    raise_exceptions : bool, default False
        Raise instead of returning NaN (as :func:`cumipmt`).

    Returns
    -------
    Decimal, float or ndarray
        The total principal in dollars, negative for a loan with a positive ``pv``; over all
        periods it is ``-pv``.

    Notes
    -----
    ``cumprinc = B(start - 1) - B(end)`` where ``B(k)`` is the balance just after payment
    ``k`` (``B(0) = -pv``); see :func:`cumipmt`. With ``rate == 0`` it is
    ``-pv * (end - start + 1) / nper``.

    Examples
    --------
    The same $125,000 mortgage repays only $934.11 of principal in its second year
    (Microsoft's CUMPRINC example):

    >>> from decimal import Decimal
    >>> from underwater.money import round_cents
    >>> round_cents(cumprinc(Decimal("0.09") / 12, 360, Decimal("125000"), 13, 24))
    Decimal('-934.11')
    """
    names, values = ("rate", "nper", "pv", "start", "end"), (rate, nper, pv, start, end)
    if any(map(_is_array, (*values, when))):
        return _array_call("cumprinc", names, values, when, _cumprinc_v, cumprinc, raise_exceptions)
    return _scalar_call("cumprinc", names, values, when, _cumprinc_k, raise_exceptions)


@overload
def rate(  # type: ignore[overload-overlap]
    nper: _R,
    pmt: _R,
    pv: _R,
    fv: _R = 0,
    when: _W = "end",
    guess: float = 0.1,
    tol: float | None = None,
    maxiter: int = 100,
    *,
    raise_exceptions: bool = False,
) -> float: ...
@overload
def rate(  # type: ignore[overload-overlap]
    nper: _D,
    pmt: _D,
    pv: _D,
    fv: _D = 0,
    when: _W = "end",
    guess: float | Decimal = 0.1,
    tol: float | Decimal | None = None,
    maxiter: int = 100,
    *,
    raise_exceptions: bool = False,
) -> Decimal: ...
@overload
def rate(
    nper: _A,
    pmt: _A,
    pv: _A,
    fv: _A = 0,
    when: _WA = "end",
    guess: float = 0.1,
    tol: float | None = None,
    maxiter: int = 100,
    *,
    raise_exceptions: bool = False,
) -> NDArray[Any]: ...
def rate(
    nper: Any,
    pmt: Any,
    pv: Any,
    fv: Any = 0,
    when: Any = "end",
    guess: Any = 0.1,
    tol: Any = None,
    maxiter: int = 100,
    *,
    raise_exceptions: bool = False,
) -> Any:
    """The interest rate per period at which ``nper`` payments of ``pmt`` turn ``pv`` into ``fv`` (RATE).

    Parameters
    ----------
    nper : Decimal, int, float or array
        Number of payment periods.
    pmt : Decimal, float or array
        Payment per period in dollars (negative when paid out).
    pv : Decimal, float or array
        Present value in dollars (the amount borrowed, positive for the borrower).
    fv : Decimal, float or array, default 0
        Balance in dollars wanted after the last payment.
    when : {"end", "begin"} or {0, 1}, default "end"
        Whether each payment falls at the end or the beginning of its period.
    guess : float or Decimal, default 0.1
        Where the search starts, as a rate per period.
    tol : float or Decimal, optional
        The search stops when a step moves the rate by less than ``tol * max(1, |rate|)``.
        Defaults to ``1e-10`` for floats and ``1e-24`` for Decimals (Newton's method then
        leaves an error near the square of that).
    maxiter : int, default 100
        Most steps to take before giving up.
    raise_exceptions : bool, default False
        Raise :class:`~underwater.errors.NoSolutionError` instead of returning NaN.

    Returns
    -------
    Decimal, float or ndarray
        The rate per period as a fraction (multiply by 12 for a nominal annual rate of a
        monthly loan; multiply that by 100 for percent). NaN when the search does not settle.

    Notes
    -----
    Newton's method on the annuity equation::

        f(rate) = pv*(1 + rate)**nper + pmt*(1 + rate*w)*((1 + rate)**nper - 1)/rate + fv

    (the last term is ``pmt*nper`` when ``rate == 0``), from ``guess``, staying above -100 %
    per period. The equation can have several roots; the one nearest ``guess`` is usually
    found. Excel stops after 20 steps; the default here allows 100.

    Examples
    --------
    Borrowing $8,000 and repaying $200 a month for four years costs 0.77 % a month, 9.24 %
    a year (Microsoft's RATE example):

    >>> from decimal import Decimal
    >>> monthly = rate(48, Decimal("-200"), Decimal("8000"))
    >>> round(monthly * 12 * 100, 2)
    Decimal('9.24')
    """
    names, values = ("nper", "pmt", "pv", "fv"), (nper, pmt, pv, fv)
    if not isinstance(maxiter, int) or isinstance(maxiter, bool) or maxiter < 1:
        raise InputError("maxiter", "must be a whole number of at least 1", got=maxiter)
    if any(map(_is_array, (*values, when))):
        float_guess, float_tol = float(guess), 1e-10 if tol is None else float(tol)

        def vector(np: ModuleType, n: _F, payment: _F, present: _F, future: _F, w: _F) -> _F:
            return _rate_v(np, n, payment, present, future, w, float_guess, float_tol, maxiter)

        def scalar(*args: Any, when: Any, raise_exceptions: bool) -> Any:
            untyped: Any = rate
            return untyped(
                *args, when=when, guess=guess, tol=tol, maxiter=maxiter, raise_exceptions=raise_exceptions
            )

        return _array_call("rate", names, values, when, vector, scalar, raise_exceptions)

    def search_settings(a: _Arith[Any], kind: type) -> tuple[Any, ...]:
        if kind is Decimal:
            start = guess if isinstance(guess, Decimal) else Decimal(str(guess))
            step = Decimal("1e-24") if tol is None else tol if isinstance(tol, Decimal) else Decimal(str(tol))
            return start, step, maxiter
        return float(guess), 1e-10 if tol is None else float(tol), maxiter

    return _scalar_call("rate", names, values, when, _rate_k, raise_exceptions, search_settings)
