"""Tests for underwater.tvm: published spreadsheet examples, numpy-financial, invariants, NaN vs raise."""

from __future__ import annotations

import decimal
import doctest
import math
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import underwater.tvm
from underwater.errors import InputError, NoSolutionError
from underwater.money import round_cents
from underwater.tvm import cumipmt, cumprinc, fv, ipmt, nper, pmt, ppmt, pv, rate

D = Decimal

# Sources of the published examples below.
EXCEL = "https://support.microsoft.com/en-us/office/{}-function"  # Excel's function reference
DAX = "https://learn.microsoft.com/en-us/dax/{}-function-dax"  # same examples, full precision
MESCIUS = "https://developer.mescius.com/spreadnet/docs/latest/online-formula/Function{}.html"
OOO_NPER = "https://wiki.openoffice.org/wiki/OOoES/Traduccion/Calc:_Funcion_NPER"


@contextmanager
def quiet_numpy() -> Iterator[None]:
    """numpy-financial divides by zero on purpose; the suite turns warnings into errors."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


# --- (1) published examples -----------------------------------------------------------------

# (function, Decimal arguments, published value, source). A value must match to the places shown.
PUBLISHED: list[tuple[Callable[..., Any], tuple[Any, ...], str, str]] = [
    # PMT: 8 % a year, 10 monthly payments, $10,000 loan.
    (pmt, (D("0.08") / 12, 10, D(10000)), "-1037.03", EXCEL.format("pmt")),
    (pmt, (D("0.08") / 12, 10, D(10000), 0, 1), "-1030.16", EXCEL.format("pmt")),
    (pmt, (D("0.08") / 12, 10, D(10000), 0, 1), "-1030.16432717797", DAX.format("pmt")),
    # PMT: save $50,000 in 18 years at 6 %.
    (pmt, (D("0.06") / 12, 18 * 12, 0, D(50000)), "-129.08", EXCEL.format("pmt")),
    (pmt, (D("0.06") / 12, 18 * 12, 0, D(50000)), "-129.081160867991", DAX.format("pmt")),
    (pmt, (D("0.06") / 12, 15, D(5000)), "-346.82", MESCIUS.format("PMT")),
    (pmt, (D("0.005"), 15, D(5000), 0, 1), "-345.10", MESCIUS.format("PMT")),
    # IPMT: $8,000 over 3 years at 10 %: first month, and last year of an annual loan.
    (ipmt, (D("0.1") / 12, 1, 36, D(8000)), "-66.67", EXCEL.format("ipmt")),
    (ipmt, (D("0.1") / 12, 1, 36, D(8000)), "-66.6666666666667", DAX.format("ipmt")),
    (ipmt, (D("0.1"), 3, 3, D(8000)), "-292.45", EXCEL.format("ipmt")),
    (ipmt, (D("0.1"), 3, 3, D(8000)), "-292.447129909366", DAX.format("ipmt")),
    # PPMT: $2,000 over 2 years at 10 % (first month); $200,000 over 10 years at 8 % (10th year).
    (ppmt, (D("0.1") / 12, 1, 24, D(2000)), "-75.62", EXCEL.format("ppmt")),
    (ppmt, (D("0.1") / 12, 1, 24, D(2000)), "-75.6231860083663", DAX.format("ppmt")),
    (ppmt, (D("0.08"), 10, 10, D(200000)), "-27598.05", EXCEL.format("ppmt")),
    (ppmt, (D("0.08"), 10, 10, D(200000)), "-27598.0534624214", DAX.format("ppmt")),
    (ppmt, (D("0.45"), 22, 30, D(6000), D(7000)), "-206.47", MESCIUS.format("PPMT")),
    # NPER: 12 % a year, -100 a period, -1000 now, 10000 wanted.
    (nper, (D("0.12") / 12, D(-100), D(-1000), D(10000), 1), "59.6738657", EXCEL.format("nper")),
    (nper, (D("0.12") / 12, D(-100), D(-1000), D(10000), 1), "59.6738656742946", DAX.format("nper")),
    (nper, (D("0.12") / 12, D(-100), D(-1000), D(10000)), "60.0821229", EXCEL.format("nper")),
    (nper, (D("0.12") / 12, D(-100), D(-1000)), "-9.57859404", EXCEL.format("nper")),
    (nper, (D("0.005"), D(-790), D(90000), 0, 1), "167.7227522114", MESCIUS.format("NPER")),
    (nper, (D("0.06"), D("153.75"), D(2600)), "-12.02", OOO_NPER),
    (nper, (D("0.02"), D(100), D(2000)), "-16.9912927001", OOO_NPER),
    # RATE: $8,000 repaid at $200 a month for 4 years.
    (rate, (4 * 12, D(-200), D(8000)), "0.00770147248820137", DAX.format("rate")),
    # PV: $500 a month for 20 years at 8 %.
    (pv, (D("0.08") / 12, 12 * 20, D(500), 0, 0), "-59777.15", EXCEL.format("pv")),
    (pv, (D("0.08") / 12, 12 * 20, D(500), 0, 0), "-59777.1458511878", DAX.format("pv")),
    # FV: 6 %, 10 payments of -200 in advance, -500 now.
    (fv, (D("0.06") / 12, 10, D(-200), D(-500), 1), "2581.40", EXCEL.format("fv")),
    (fv, (D("0.06") / 12, 10, D(-200), D(-500), 1), "2581.40337406012", DAX.format("fv")),
    (fv, (D("0.005"), 60, D(-100), D(100), 1), "6877.00", MESCIUS.format("FV")),
    # CUMIPMT / CUMPRINC: $125,000, 30 years at 9 %, second year and first month.
    (cumipmt, (D("0.09") / 12, 30 * 12, D(125000), 13, 24, 0), "-11135.23213", EXCEL.format("cumipmt")),
    (cumipmt, (D("0.09") / 12, 30 * 12, D(125000), 1, 1, 0), "-937.5", EXCEL.format("cumipmt")),
    (cumipmt, (D("0.09") / 12, 30 * 12, D(125000), 13, 24, 1), "-11052.3395838718", DAX.format("cumipmt")),
    (cumprinc, (D("0.09") / 12, 30 * 12, D(125000), 13, 24, 0), "-934.1071234", EXCEL.format("cumprinc")),
    (cumprinc, (D("0.09") / 12, 30 * 12, D(125000), 1, 1, 0), "-68.27827118", EXCEL.format("cumprinc")),
    (cumprinc, (D("0.09") / 12, 30 * 12, D(125000), 13, 24, 1), "-927.153472378062", DAX.format("cumprinc")),
]


def _published_id(case: tuple[Any, ...]) -> str:
    function, _args, value, source = case
    return f"{function.__name__}={value} ({source.split('/')[2]})"


def _tolerance(function: Callable[..., Any], value: str) -> Decimal:
    """Half a unit in the last place the source shows, or its own float error if larger."""
    exponent = Decimal(value).as_tuple().exponent
    assert isinstance(exponent, int)
    # The full-precision values are the spreadsheet's own doubles printed to 15 digits; its
    # float arithmetic has already lost the last digit or two (e.g. PV's ...8511878 where the
    # exact value is ...85118802, FV's ...406012 where it is ...4060179).
    spreadsheet_float_error = abs(Decimal(value)) * Decimal("1e-13")
    if function is rate:
        # Excel's RATE stops once a step is below 1e-7 (its documentation says so), which
        # leaves the 15th significant digit unsettled; ours iterates to the true root.
        spreadsheet_float_error = abs(Decimal(value)) * Decimal("1e-12")
    return max(Decimal(1).scaleb(exponent) / 2, spreadsheet_float_error)


@pytest.mark.parametrize("case", PUBLISHED, ids=[_published_id(c) for c in PUBLISHED])
def test_published_example_in_decimal(case: tuple[Any, ...]) -> None:
    function, args, value, _source = case
    result = function(*args)
    assert isinstance(result, Decimal)
    assert abs(result - Decimal(value)) <= _tolerance(function, value)


@pytest.mark.parametrize("case", PUBLISHED, ids=[_published_id(c) for c in PUBLISHED])
def test_published_example_in_float(case: tuple[Any, ...]) -> None:
    function, args, value, _source = case
    floats = [float(a) if isinstance(a, Decimal) else a for a in args]
    result = function(*floats)
    assert isinstance(result, float)
    assert abs(result - float(value)) <= float(_tolerance(function, value)) + 1e-11 * abs(float(value))


def test_rate_published_as_percent() -> None:
    # Excel's RATE example shows the monthly rate as 1 % and the annual rate as 9.24 %.
    monthly = rate(48, D(-200), D(8000))
    assert round(monthly * 100) == 1
    assert round(monthly * 12 * 100, 2) == D("9.24")
    # DAX's page gives the annual figure to full precision.
    assert abs(monthly * 12 - D("0.0924176698584164")) < D("1e-14")


def test_numpy_financial_amortization_story() -> None:
    # numpy-financial's ipmt docstring: a 1-year $2,500 loan at 8.24 % pays $112.98 interest
    # and its balance falls 2299.42, 2097.46, ... after each payment.
    per = np.arange(1, 13)
    interest = ipmt(0.0824 / 12, per, 12, 2500.00)
    principal = ppmt(0.0824 / 12, per, 12, 2500.00)
    assert round(float(np.sum(interest)), 2) == -112.98
    balances = 2500.00 + np.cumsum(principal)
    assert [round(float(b), 2) for b in balances[:3]] == [2299.42, 2097.46, 1894.11]
    assert round(float(balances[-1]), 2) == 0.0


def test_docstring_examples_hold() -> None:
    failures, tried = doctest.testmod(underwater.tvm, raise_on_error=False, verbose=False)
    assert tried >= 9
    assert failures == 0


# --- strategies ------------------------------------------------------------------------------

tvm_rates = st.decimals(min_value=D("0.0001"), max_value=D("0.03"), places=6)
"""Interest per period (monthly) from 0.01 % to 3 %."""
tvm_rates_or_zero = st.one_of(st.just(D(0)), tvm_rates)
tvm_terms = st.integers(min_value=1, max_value=480)
tvm_loans = st.decimals(min_value=D("100"), max_value=D("1000000"), places=2)
tvm_balloons = st.decimals(min_value=D("-100000"), max_value=D("100000"), places=2)
tvm_whens = st.sampled_from(["end", "begin"])


@st.composite
def tvm_loan_cases(draw: st.DrawFn, zero_rate: bool = True) -> tuple[Decimal, int, Decimal, Decimal, str]:
    """(rate, nper, pv, fv, when) of an ordinary loan."""
    r = draw(tvm_rates_or_zero if zero_rate else tvm_rates)
    return r, draw(tvm_terms), draw(tvm_loans), draw(tvm_balloons), draw(tvm_whens)


def close(a: float, b: float, rel: float = 1e-9, abs_: float = 1e-6) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


def w_code(when: str) -> int:
    return 1 if when == "begin" else 0


# --- (2) cross-check against numpy-financial -------------------------------------------------


@given(tvm_loan_cases())
def test_float_results_match_numpy_financial(case: tuple[Decimal, int, Decimal, Decimal, str]) -> None:
    r, n, loan, balloon, when = (float(case[0]), case[1], float(case[2]), float(case[3]), case[4])
    payment = pmt(r, n, loan, balloon, when)
    with quiet_numpy():
        assert close(payment, float(npf.pmt(r, n, loan, balloon, when)))
        assert close(fv(r, n, payment, loan, when), float(npf.fv(r, n, payment, loan, when)), abs_=1e-4)
        assert close(pv(r, n, payment, balloon, when), float(npf.pv(r, n, payment, balloon, when)), abs_=1e-4)
        per = max(1, n // 2)
        assert close(ipmt(r, per, n, loan, balloon, when), float(npf.ipmt(r, per, n, loan, balloon, when)))
        assert close(ppmt(r, per, n, loan, balloon, when), float(npf.ppmt(r, per, n, loan, balloon, when)))
        if r > 0:
            assert close(
                nper(r, payment, loan, balloon, when), float(npf.nper(r, payment, loan, balloon, when))
            )


@given(tvm_loan_cases(zero_rate=False))
def test_decimal_results_match_numpy_financial(case: tuple[Decimal, int, Decimal, Decimal, str]) -> None:
    # numpy-financial keeps Decimal arithmetic through object arrays for these functions.
    r, n, loan, balloon, when = case
    payment = pmt(r, n, loan, balloon, when)
    tolerance = D("1e-15") * max(loan, abs(balloon))
    with quiet_numpy():
        assert abs(payment - npf.pmt(r, n, loan, balloon, when)) < tolerance
        assert abs(fv(r, n, payment, loan, when) - npf.fv(r, n, payment, loan, when)) < tolerance
        assert abs(pv(r, n, payment, balloon, when) - npf.pv(r, n, payment, balloon, when)) < tolerance
        per = max(1, n // 3)
        theirs = npf.ipmt(r, per, n, loan, balloon, when)
        assert abs(ipmt(r, per, n, loan, balloon, when) - Decimal(theirs.item())) < tolerance
        assert (
            abs(ppmt(r, per, n, loan, balloon, when) - npf.ppmt(r, per, n, loan, balloon, when)) < tolerance
        )


@given(tvm_loan_cases(zero_rate=False))
def test_rate_matches_numpy_financial(case: tuple[Decimal, int, Decimal, Decimal, str]) -> None:
    r, n, loan, _balloon, when = float(case[0]), case[1], float(case[2]), case[3], case[4]
    assume(not (n == 1 and when == "begin"))  # repaid on day one: every rate fits
    payment = pmt(r, n, loan, 0, when)
    ours = rate(n, payment, loan, 0, when)
    with quiet_numpy():
        # Its default tolerance (steps under 1e-6) leaves small rates off by ~1e-11.
        theirs = float(npf.rate(n, payment, loan, 0, when, tol=1e-12))
    assert close(ours, r, rel=1e-7, abs_=1e-12)
    assert close(ours, theirs, rel=1e-7, abs_=1e-12)


@given(st.lists(tvm_loan_cases(), min_size=1, max_size=25))
def test_arrays_match_numpy_financial(cases: list[tuple[Decimal, int, Decimal, Decimal, str]]) -> None:
    r = np.array([float(c[0]) for c in cases])
    n = np.array([c[1] for c in cases])
    loan = np.array([float(c[2]) for c in cases])
    balloon = np.array([float(c[3]) for c in cases])
    when = np.array([w_code(c[4]) for c in cases])
    per = np.maximum(1, n // 2)
    payment = pmt(r, n, loan, balloon, when)
    with quiet_numpy():
        assert np.allclose(payment, npf.pmt(r, n, loan, balloon, when), rtol=1e-9, atol=1e-6)
        assert np.allclose(
            fv(r, n, payment, loan, when), npf.fv(r, n, payment, loan, when), rtol=1e-9, atol=1e-4
        )
        assert np.allclose(pv(r, n, payment, balloon, when), npf.pv(r, n, payment, balloon, when), atol=1e-4)
        assert np.allclose(ipmt(r, per, n, loan, balloon, when), npf.ipmt(r, per, n, loan, balloon, when))
        assert np.allclose(ppmt(r, per, n, loan, balloon, when), npf.ppmt(r, per, n, loan, balloon, when))


def test_cumulative_functions_match_sums_of_numpy_financial() -> None:
    # numpy-financial has no CUMIPMT/CUMPRINC; they are sums of its ipmt/ppmt.
    for when in ("end", "begin"):
        per = np.arange(13, 25)
        with quiet_numpy():
            interest = float(np.sum(npf.ipmt(0.09 / 12, per, 360, 125000.0, 0, when)))
            principal = float(np.sum(npf.ppmt(0.09 / 12, per, 360, 125000.0, 0, when)))
        assert close(cumipmt(0.09 / 12, 360, 125000.0, 13, 24, when), interest)
        assert close(cumprinc(0.09 / 12, 360, 125000.0, 13, 24, when), principal)


# --- (3) invariants --------------------------------------------------------------------------


@given(tvm_loan_cases())
def test_payment_is_interest_plus_principal_every_period(
    case: tuple[Decimal, int, Decimal, Decimal, str],
) -> None:
    r, n, loan, balloon, when = float(case[0]), case[1], float(case[2]), float(case[3]), case[4]
    per = np.arange(1, n + 1)
    payment = pmt(r, n, loan, balloon, when)
    total = ipmt(r, per, n, loan, balloon, when) + ppmt(r, per, n, loan, balloon, when)
    assert np.allclose(total, payment, rtol=1e-12, atol=1e-9)


@given(tvm_loan_cases(), st.data())
def test_payment_is_interest_plus_principal_in_decimal(
    case: tuple[Decimal, int, Decimal, Decimal, str], data: st.DataObject
) -> None:
    r, n, loan, balloon, when = case
    per = data.draw(st.integers(min_value=1, max_value=n))
    total = ipmt(r, per, n, loan, balloon, when) + ppmt(r, per, n, loan, balloon, when)
    assert abs(total - pmt(r, n, loan, balloon, when)) < D("1e-18")


@given(tvm_loan_cases())
def test_level_payment_repays_the_loan(case: tuple[Decimal, int, Decimal, Decimal, str]) -> None:
    r, n, loan, _balloon, when = case
    assert abs(fv(r, n, pmt(r, n, loan, 0, when), loan, when)) < D("1e-15")
    rf, lf = float(r), float(loan)
    assert abs(fv(rf, n, pmt(rf, n, lf, 0, when), lf, when)) < 1e-8 * lf


@given(tvm_loan_cases(), st.decimals(min_value=D("-5000"), max_value=D("5000"), places=2))
def test_pv_and_fv_round_trip(case: tuple[Decimal, int, Decimal, Decimal, str], payment: Decimal) -> None:
    r, n, loan, _balloon, when = case
    future = fv(r, n, payment, loan, when)
    assert abs(pv(r, n, payment, future, when) - loan) < D("1e-15")
    back = pv(float(r), n, float(payment), float(future), when)
    assert close(back, float(loan), rel=1e-9, abs_=1e-6)


@given(tvm_loan_cases())
def test_all_principal_repays_the_loan(case: tuple[Decimal, int, Decimal, Decimal, str]) -> None:
    r, n, loan, _balloon, when = case
    assert abs(cumprinc(r, n, loan, 1, n, when) + loan) < D("1e-15")
    assert close(cumprinc(float(r), n, float(loan), 1, n, when), -float(loan), rel=1e-9)


@given(tvm_loan_cases(), st.data())
def test_cumulative_functions_are_sums_of_periods(
    case: tuple[Decimal, int, Decimal, Decimal, str], data: st.DataObject
) -> None:
    r, n, loan, _balloon, when = float(case[0]), case[1], float(case[2]), case[3], case[4]
    start = data.draw(st.integers(min_value=1, max_value=n))
    end = data.draw(st.integers(min_value=start, max_value=n))
    per = np.arange(start, end + 1)
    assert close(
        cumipmt(r, n, loan, start, end, when), float(np.sum(ipmt(r, per, n, loan, 0, when))), abs_=1e-5
    )
    assert close(
        cumprinc(r, n, loan, start, end, when), float(np.sum(ppmt(r, per, n, loan, 0, when))), abs_=1e-5
    )


@given(tvm_terms, tvm_loans, tvm_balloons, tvm_whens)
def test_zero_rate_is_exact(n: int, loan: Decimal, balloon: Decimal, when: str) -> None:
    zero = D(0)
    assert pmt(zero, n, loan, 0, when) == -loan / n
    assert pmt(zero, n, loan, balloon, when) == -(loan + balloon) / n
    assert fv(zero, n, D(-10), loan, when) == -(loan - 10 * n)
    assert pv(zero, n, D(-10), balloon, when) == -(balloon - 10 * n)
    assert ipmt(zero, 1, n, loan, 0, when) == 0
    assert cumipmt(zero, n, loan, 1, n, when) == 0
    assert cumprinc(zero, n, loan, 1, n, when) == -loan
    assert abs(nper(zero, -loan / n, loan, 0, when) - n) < D("1e-20")  # -loan / n is rounded
    assert pmt(0.0, n, float(loan)) == -float(loan) / n


@given(tvm_loan_cases())
def test_nper_and_rate_invert_pmt(case: tuple[Decimal, int, Decimal, Decimal, str]) -> None:
    r, n, loan, _balloon, when = case
    payment = pmt(r, n, loan, 0, when)
    assert abs(nper(r, payment, loan, 0, when) - n) < D("1e-12")
    if n == 1 and when == "begin":
        # One payment on the day the loan starts repays it at every rate: nothing to find.
        assert rate(n, payment, loan, 0, when).is_nan()
    elif r > 0:
        assert abs(rate(n, payment, loan, 0, when) - r) < D("1e-20")


@given(tvm_loan_cases())
def test_decimal_and_float_agree(case: tuple[Decimal, int, Decimal, Decimal, str]) -> None:
    r, n, loan, balloon, when = case
    rf, lf, bf = float(r), float(loan), float(balloon)
    pairs = [
        (pmt(r, n, loan, balloon, when), pmt(rf, n, lf, bf, when)),
        (ipmt(r, 1, n, loan, balloon, when), ipmt(rf, 1, n, lf, bf, when)),
        (ppmt(r, n, n, loan, balloon, when), ppmt(rf, n, n, lf, bf, when)),
        (fv(r, n, D(-100), loan, when), fv(rf, n, -100.0, lf, when)),
        (pv(r, n, D(-100), balloon, when), pv(rf, n, -100.0, bf, when)),
        (cumipmt(r, n, loan, 1, n, when), cumipmt(rf, n, lf, 1, n, when)),
    ]
    for exact, approximate in pairs:
        assert isinstance(exact, Decimal)
        assert isinstance(approximate, float)
        assert close(float(exact), approximate, rel=1e-9, abs_=1e-6)


@given(st.lists(tvm_loan_cases(), min_size=1, max_size=10))
def test_array_elements_equal_scalar_calls(cases: list[tuple[Decimal, int, Decimal, Decimal, str]]) -> None:
    r = np.array([float(c[0]) for c in cases])
    n = np.array([c[1] for c in cases])
    loan = np.array([float(c[2]) for c in cases])
    when = [c[4] for c in cases]  # a list of spellings is accepted as an array of timings
    out = cumipmt(r, n, loan, 1, n, when)
    payments = pmt(r, n, loan, 0, when)
    rates = rate(n, payments, loan, 0, when)
    for i, c in enumerate(cases):
        args = (float(c[0]), c[1], float(c[2]))
        # A sum of up to 600 interest parts, added up in another order: a few ulps per part.
        assert close(out[i], cumipmt(*args, 1, c[1], c[4]), rel=1e-10)
        assert close(payments[i], pmt(*args, 0, c[4]), rel=1e-12)
        alone = rate(c[1], payments[i], float(c[2]), 0, c[4])
        assert close(rates[i], alone, rel=1e-9, abs_=1e-13) or (math.isnan(rates[i]) and math.isnan(alone))


def test_types_follow_the_inputs() -> None:
    assert isinstance(pmt(D("0.01"), 12, 1000), Decimal)
    assert isinstance(pmt(0.01, 12, 1000), float)
    assert isinstance(pmt(1, 12, 1000), float)  # ints alone give floats
    assert isinstance(pmt(np.float64(0.01), np.int64(12), 1000), float)
    out = pmt(np.array([0.01, 0.02]), 12, 1000)
    assert isinstance(out, np.ndarray)
    assert out.dtype == np.float64
    assert pmt([0.01, 0.02], 12, 1000).shape == (2,)
    exact = pmt(np.array([D("0.01"), D("0.02")]), 12, D(1000))
    assert exact.dtype == object
    assert all(isinstance(x, Decimal) for x in exact)
    assert exact[0] == pmt(D("0.01"), 12, D(1000))


def test_decimal_result_is_rounded_to_the_callers_context() -> None:
    result = pmt(D("0.0075"), 360, D(125000))
    assert len(result.as_tuple().digits) <= 28
    assert round_cents(result) == D("-1005.78")


def test_fractional_periods_in_decimal_use_exp_and_ln() -> None:
    # 59.67... periods at 1 % reach the future value: feed the fraction back in.
    periods = nper(D("0.01"), D(-100), D(-1000), D(10000), 1)
    assert periods % 1 != 0
    assert abs(fv(D("0.01"), periods, D(-100), D(-1000), 1) - 10000) < D("1e-18")


def test_core_import_does_not_load_numpy() -> None:
    code = (
        "import sys; from decimal import Decimal; import underwater.tvm as t; "
        "t.pmt(0.01, 12, 1000); t.rate(48, Decimal(-200), Decimal(8000)); t.nper(0.01, -5, 1000); "
        "assert 'numpy' not in sys.modules, 'numpy was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --- (4) no solution: NaN by default, an error on request -------------------------------------

# (call, expected error type, field named in the error)
UNSOLVABLE: list[tuple[str, Callable[..., Any], type[Exception], str]] = [
    ("pmt over zero periods", lambda **k: pmt(0.01, 0, 1000, **k), NoSolutionError, "pmt"),
    ("nper when pmt never covers interest", lambda **k: nper(0.01, -5, 1000, **k), NoSolutionError, "nper"),
    ("nper when pmt only covers interest", lambda **k: nper(0.01, -10, 1000, **k), NoSolutionError, "nper"),
    (
        "nper when the payment matches a loan's interest",
        lambda **k: nper(0.5, -50, 100, **k),
        NoSolutionError,
        "nper",
    ),
    ("rate when payments add to the loan", lambda **k: rate(10, 100, 1000, **k), NoSolutionError, "rate"),
    ("rate with one iteration", lambda **k: rate(360, -700, 100000, maxiter=1, **k), NoSolutionError, "rate"),
    ("pv at -100 %", lambda **k: pv(-1.0, 12, -100, **k), NoSolutionError, "pv"),
    ("fv below -100 % over a fraction", lambda **k: fv(-1.5, 2.5, -100, 1000, **k), NoSolutionError, "fv"),
    ("fv too large", lambda **k: fv(0.5, 1e6, -100, 1000, **k), NoSolutionError, "fv"),
    ("ipmt before period 1", lambda **k: ipmt(0.01, 0, 12, 1000, **k), InputError, "per"),
    ("ipmt after nper", lambda **k: ipmt(0.01, 13, 12, 1000, **k), InputError, "per"),
    ("ppmt after nper", lambda **k: ppmt(0.01, 13, 12, 1000, **k), InputError, "per"),
    ("ipmt over zero periods", lambda **k: ipmt(0.01, 1, 0, 1000, **k), InputError, "per"),
    ("cumipmt start after end", lambda **k: cumipmt(0.01, 12, 1000, 5, 4, **k), InputError, "start"),
    ("cumipmt end after nper", lambda **k: cumipmt(0.01, 12, 1000, 1, 13, **k), InputError, "end"),
    ("cumprinc fractional start", lambda **k: cumprinc(0.01, 12, 1000, 1.5, 4, **k), InputError, "start"),
    ("cumprinc start 0", lambda **k: cumprinc(0.01, 12, 1000, 0, 4, **k), InputError, "start"),
    ("a NaN argument", lambda **k: pmt(math.nan, 12, 1000, **k), InputError, "rate"),
    ("an infinite argument", lambda **k: fv(0.01, 12, -100, math.inf, **k), InputError, "pv"),
]


@pytest.mark.parametrize(("label", "call", "error", "field"), UNSOLVABLE, ids=[u[0] for u in UNSOLVABLE])
def test_unsolvable_float_gives_nan_or_raises(
    label: str, call: Callable[..., Any], error: type[Exception], field: str
) -> None:
    assert math.isnan(call())
    with pytest.raises(error) as raised:
        call(raise_exceptions=True)
    assert raised.value.field == field  # type: ignore[attr-defined]
    assert raised.value.rule  # type: ignore[attr-defined]


# --- (4b) nper's infinities: numpy-financial's answers, and raising on request -------------------

# (rate, pmt, pv, fv, when, numpy-financial's answer). Every answer is what numpy-financial
# 1.0.0 (installed) prints, except at a zero rate, where its release has two faults its main
# branch fixed: the sign of -(pv + fv) / pmt (issue 16,
# https://github.com/numpy/numpy-financial/issues/16) and no payment, which main's compiled
# nper answers +inf (numpy_financial/_cfinancial.pyx, nper_inner_loop; test_infinite_payments).
NAN, INF = math.nan, math.inf
NPER_EDGES: list[tuple[float, float, float, float, int, float]] = [
    (0.01, -5.0, 1000.0, 0.0, 0, NAN),  # the payment falls short of the interest
    (0.5, -50.0, 100.0, 0.0, 0, NAN),  # it exactly matches the interest on a loan
    (0.5, 50.0, -100.0, 0.0, 0, INF),  # it exactly matches the interest on a deposit
    (0.01, 0.0, 1000.0, 0.0, 0, -INF),  # no payment on a loan
    (0.01, 0.0, -1000.0, 0.0, 0, -INF),  # no payment on a deposit
    (-0.5, 0.0, 100.0, 0.0, 0, INF),  # no payment at a negative rate
    (0.01, -5.0, 1000.0, -500.0, 0, -INF),  # the balance tends to the future value
    (0.0, 0.0, 1000.0, 0.0, 0, INF),  # no rate, no payment (main branch)
    (0.0, -0.0, -5.0, 0.0, 0, INF),  # … whatever the signs (main branch)
    (0.0, -100.0, 1000.0, 0.0, 0, 10.0),  # no rate: 1000 / 100 (main branch; 1.0.0 says -10)
    (0.5, -50.0, 100.0, 0.0, 1, 2.709511291351455),  # payments in advance: a finite answer
    (-1.0, 10.0, 100.0, 0.0, 0, NAN),  # a rate of -100 %
]


def same_float(ours: float, theirs: float) -> bool:
    if math.isnan(theirs) or math.isinf(theirs):
        return (math.isnan(ours) and math.isnan(theirs)) or ours == theirs
    return close(ours, theirs, rel=1e-12)


@pytest.mark.parametrize("case", NPER_EDGES, ids=[str(c[:5]) for c in NPER_EDGES])
def test_nper_edges_match_numpy_financial(case: tuple[float, float, float, float, int, float]) -> None:
    r, payment, loan, balloon, when, theirs = case
    if r != 0:
        with quiet_numpy():
            assert same_float(float(npf.nper(r, payment, loan, balloon, when)), theirs)
    assert same_float(nper(r, payment, loan, balloon, when), theirs)
    batch = nper(np.array([r, 0.02]), payment, loan, balloon, when)
    assert same_float(float(batch[0]), theirs)
    # Decimal input answers the same (every figure here is exact in binary and in decimal).
    exact = nper(D(repr(r)), D(repr(payment)), D(repr(loan)), D(repr(balloon)), when)
    assert isinstance(exact, Decimal)
    if math.isnan(theirs):
        assert exact.is_nan()
    elif math.isinf(theirs):
        assert exact == (D("Infinity") if theirs > 0 else D("-Infinity"))
    else:
        assert close(float(exact), theirs, rel=1e-12)


nper_rates = st.one_of(
    st.sampled_from([0.5, 0.25, -0.5, 0.01]),
    # Below 1e-6 numpy-financial's log(1 + rate) loses the rate (it is 0 under 1e-16, where
    # its answer's sign is an accident); log1p here keeps it.
    st.floats(min_value=-0.99, max_value=0.5).filter(lambda r: abs(r) >= 1e-6),
)
nper_money = st.one_of(
    st.sampled_from([0.0, -0.0, 100.0, -100.0, 50.0, -50.0]), st.floats(min_value=-1e6, max_value=1e6)
)


@given(nper_rates, nper_money, nper_money, nper_money, st.sampled_from([0, 1]), st.booleans())
def test_nper_matches_numpy_financial_everywhere(
    r: float, payment: float, loan: float, balloon: float, when: int, interest_only: bool
) -> None:
    # Half the draws pay exactly the period's interest (z = -pv): the case that never amortizes.
    if interest_only and r not in (0.0, -1.0):
        payment = -loan * r / (1 + r * when)
    # A zero rate and -100 % or below are the edge cases above (numpy-financial 1.0.0's faults).
    with quiet_numpy():
        theirs = float(npf.nper(r, payment, loan, balloon, when))
    if math.isfinite(theirs) and abs(theirs) > 1e12:
        return  # log(1 + r) (theirs) and log1p(r) (ours) part ways on huge counts
    assert same_float(nper(r, payment, loan, balloon, when), theirs) or close(
        nper(r, payment, loan, balloon, when), theirs, rel=1e-9
    )
    batch = nper(np.array([r]), np.array([payment]), loan, balloon, when)
    assert same_float(float(batch[0]), theirs) or close(float(batch[0]), theirs, rel=1e-9)


def test_infinite_nper_raises_on_request() -> None:
    for call in (
        lambda **k: nper(0.01, 0, 1000, **k),
        lambda **k: nper(D("0.5"), D(50), D(-100), **k),
        lambda **k: nper(np.array([0.01, 0.01]), np.array([-100.0, 0.0]), 1000.0, **k),
    ):
        with pytest.raises(NoSolutionError) as raised:
            call(raise_exceptions=True)
        assert raised.value.field == "nper"
    with pytest.raises(NoSolutionError, match=r"at index 1: .*never changes"):
        nper(np.array([0.01, 0.0]), np.array([-100.0, 0.0]), 1000.0, raise_exceptions=True)


def test_unsolvable_decimal_gives_decimal_nan_or_raises() -> None:
    result = nper(D("0.01"), D(-5), D(1000))
    assert isinstance(result, Decimal)
    assert result.is_nan()
    assert pmt(D("0.01"), 0, D(1000)).is_nan()
    assert rate(10, D(100), D(1000)).is_nan()
    assert ipmt(D("0.01"), 0, 12, D(1000)).is_nan()
    assert pv(D(-1), 12, D(-100)).is_nan()
    assert fv(D("-1.5"), D("2.5"), D(-100), D(1000)).is_nan()
    assert pmt(D("NaN"), 12, D(1000)).is_nan()
    with pytest.raises(NoSolutionError, match="never covers the interest"):
        nper(D("0.01"), D(-5), D(1000), raise_exceptions=True)
    with pytest.raises(NoSolutionError, match="0 periods"):
        pmt(D("0.01"), 0, D(1000), raise_exceptions=True)
    with pytest.raises(InputError, match="from 1 to nper"):
        ipmt(D("0.01"), 0, 12, D(1000), raise_exceptions=True)
    with pytest.raises(InputError, match="finite"):
        pmt(D("Infinity"), 12, D(1000), raise_exceptions=True)


def test_one_bad_row_does_not_spoil_the_batch() -> None:
    rates = np.array([0.005, 0.01, 0.02])
    terms = np.array([360, 0, 60])
    out = pmt(rates, terms, 100000.0)
    assert math.isnan(out[1])
    assert close(out[0], pmt(0.005, 360, 100000.0))
    assert close(out[2], pmt(0.02, 60, 100000.0))
    periods = nper(0.01, np.array([-100.0, -5.0, -20.0]), 1000.0)
    assert np.isnan(periods).tolist() == [False, True, False]
    interest = ipmt(0.01, np.array([1, 13, 12]), 12, 1000.0)
    assert np.isnan(interest).tolist() == [False, True, False]
    found = rate(
        np.array([48, 10, 48]), np.array([-200.0, 100.0, -200.0]), np.array([8000.0, 1000.0, 8000.0])
    )
    assert np.isnan(found).tolist() == [False, True, False]
    exact = pmt(np.array([D("0.01"), D("0.01")]), np.array([12, 0]), D(1000))
    assert exact[1].is_nan()
    assert not exact[0].is_nan()


def test_raising_on_a_batch_names_the_bad_row() -> None:
    with pytest.raises(NoSolutionError, match="at index 1: no level payment exists over 0 periods") as raised:
        pmt(np.array([0.005, 0.01, 0.02]), np.array([360, 0, 60]), 100000.0, raise_exceptions=True)
    assert raised.value.field == "pmt"
    with pytest.raises(InputError, match=r"at index \(1, 0\): must be a period from 1 to nper") as bad:
        ipmt(0.01, np.array([[1], [13]]), 12, 1000.0, raise_exceptions=True)
    assert bad.value.field == "per"
    with pytest.raises(NoSolutionError, match="at index 1") as no_rate:
        rate(np.array([48, 10]), np.array([-200.0, 100.0]), np.array([8000.0, 1000.0]), raise_exceptions=True)
    assert no_rate.value.field == "rate"
    with pytest.raises(NoSolutionError, match="at index 1: no level payment"):
        pmt(np.array([D("0.01"), D("0.01")]), np.array([12, 0]), D(1000), raise_exceptions=True)


def test_a_clean_batch_raises_nothing() -> None:
    out = cumipmt(0.0075, 360, 125000.0, np.array([1, 13]), np.array([12, 24]), raise_exceptions=True)
    assert close(out[1], -11135.23213, abs_=1e-5)


# --- arguments ------------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["begin", "b", "beginning", "start", 1])
def test_when_spellings_for_payments_in_advance(spelling: str | int) -> None:
    assert pmt(0.01, 12, 1000.0, 0, spelling) == pmt(0.01, 12, 1000.0, 0, "begin")
    assert pmt(0.01, 12, 1000.0, 0, spelling) != pmt(0.01, 12, 1000.0)


@pytest.mark.parametrize("spelling", ["end", "e", "finish", 0])
def test_when_spellings_for_payments_in_arrears(spelling: str | int) -> None:
    assert pmt(0.01, 12, 1000.0, 0, spelling) == pmt(0.01, 12, 1000.0)


@pytest.mark.parametrize("when", ["middle", 2, None])
def test_unknown_timing_is_refused_even_in_batch_mode(when: object) -> None:
    with pytest.raises(InputError) as raised:
        pmt(0.01, 12, 1000.0, 0, when)  # type: ignore[call-overload]
    assert raised.value.field == "when"
    with pytest.raises(InputError):
        pmt(np.array([0.01]), 12, 1000.0, 0, [when])


def test_float_and_decimal_do_not_mix() -> None:
    with pytest.raises(InputError, match="cannot mix float with Decimal") as raised:
        pmt(D("0.01"), 12, 1000.0)
    assert raised.value.field == "pv"


def test_non_numbers_are_refused() -> None:
    with pytest.raises(InputError, match="must be a number") as raised:
        pmt("0.01", 12, 1000.0)
    assert raised.value.field == "rate"
    with pytest.raises(InputError, match="must be numbers"):
        pmt(np.array(["0.01"]), 12, 1000.0)


def test_rate_search_settings_are_checked_and_bounded() -> None:
    with pytest.raises(InputError):
        rate(48, -200.0, 8000.0, maxiter=0)
    # A far-off guess still lands on the same rate; a tight tolerance too.
    assert close(rate(48, -200.0, 8000.0, guess=0.5), 0.0077014724882, rel=1e-9)
    assert close(
        float(rate(48, D(-200), D(8000), guess=D("0.02"), tol=D("1e-30"))), 0.0077014724882, rel=1e-9
    )
    assert close(rate(48, -200.0, 8000.0, 0, "end", 0.1, 1e-6), 0.0077014724882, rel=1e-9)


# --- (4) exact at every rate and term: a reference worked at 1,500 digits ---------------------
# The textbook formulas, worked at 1,500 significant digits: at 1,000 % a period over 600
# periods the balance is the difference of two 626-digit numbers, so hundreds of digits are
# left. (With 50 digits, or a float, none are: ipmt(1000 % / 12, 600, 600, 10,000) came out as
# -8.33e111 and the float one as -89,478,485; the right answers are -3,787.88 and -64.10.)

_REFERENCE_DIGITS = 1500


class _Reference:
    """A level-payment loan worked by the textbook formulas at :data:`_REFERENCE_DIGITS`."""

    def __init__(self, r: Decimal | float, n: Any, pv: Decimal | float, fv: Decimal | float, w: int) -> None:
        self.context = decimal.Context(prec=_REFERENCE_DIGITS, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)
        with decimal.localcontext(self.context):
            # Decimal(float) is the float's exact value.
            self.r, self.pv, self.fv, self.n, self.w = D(r), D(pv), D(fv), int(n), w
            self.g = 1 + self.r
            if self.r == 0:
                self.payment = -(self.pv + self.fv) / n
            else:
                self.payment = (
                    -(self.fv + self.pv * self.g**n) * self.r / ((1 + self.r * w) * (self.g**n - 1))
                )

    def value(self, k: int, payment: Decimal, w: int) -> Decimal:
        if self.r == 0:
            return -(self.pv + payment * k)
        return -(self.pv * self.g**k + payment * (1 + self.r * w) * (self.g**k - 1) / self.r)

    def ipmt(self, per: int) -> Decimal:
        with decimal.localcontext(self.context):
            if self.w == 0:
                return self.r * self.value(per - 1, self.payment, 0)
            if per == 1:
                return D(0)
            return self.r * (self.value(per - 2, self.payment, 1) - self.payment)

    def ppmt(self, per: int) -> Decimal:
        with decimal.localcontext(self.context):
            return self.payment - self.ipmt(per)

    def balance_after(self, k: int) -> Decimal:
        """Minus the balance just after payment ``k`` (``fv`` must be 0)."""
        if self.w == 0:
            return self.value(k, self.payment, 0)
        return -self.pv if k == 0 else self.value(k - 1, self.payment, 1) - self.payment

    def cumprinc(self, start: int, end: int) -> Decimal:
        with decimal.localcontext(self.context):
            return self.balance_after(start - 1) - self.balance_after(end)

    def cumipmt(self, start: int, end: int) -> Decimal:
        with decimal.localcontext(self.context):
            return (end - start + 1) * self.payment - self.cumprinc(start, end)


_REFERENCE_RATES = [
    # (percent a year, payments a year): from a hair above 0 to 1,000 % a year, monthly and yearly,
    # and a falling value (a negative rate).
    ("0.000000001", 12),
    ("6.9", 12),
    ("36", 12),
    ("100", 12),
    ("1000", 12),
    ("1000", 1),
    ("-50", 12),
]


def _close_to_reference(got: Decimal | float, want: Decimal, pv: Decimal | float) -> bool:
    """A Decimal within a few units of the 28th digit (the caller's context); a float within
    1e-12 of the answer, or 1e-15 of the loan where the interest is itself a tiny difference
    (a rate of 1e-9 % a year): in both, far below a cent at the project's largest amount."""
    with decimal.localcontext(decimal.Context(prec=_REFERENCE_DIGITS)):
        error = abs(D(got) - want)
        if isinstance(got, Decimal):
            # (plus the reference's own rounding, which leaves an exact 0 as about 1e-1500)
            return error <= abs(want) * D("1e-26") + abs(D(pv)) * D("1e-800")
        return error <= abs(want) * D("1e-12") + abs(D(pv)) * D("1e-15")


@pytest.mark.parametrize("kind", ["Decimal", "float"])
@pytest.mark.parametrize("when", [0, 1])
@pytest.mark.parametrize("n", [1, 2, 13, 600])
@pytest.mark.parametrize(("percent", "per_year"), _REFERENCE_RATES)
def test_interest_and_principal_match_a_high_precision_reference(
    percent: str, per_year: int, n: int, when: int, kind: str
) -> None:
    rate_d = D(percent) / (100 * per_year)
    for loan, balloon in ((D(10000), D(0)), (D(1000000000), D(0)), (D(25000), D(-5000))):
        args: tuple[Any, ...] = (rate_d, n, loan, balloon)
        if kind == "float":
            args = (float(rate_d), n, float(loan), float(balloon))
        reference = _Reference(*args, when)
        r, nper_, pv_, fv_ = args
        for per in sorted({1, 2, n // 2, n - 1, n} & set(range(1, n + 1))):
            got_i, got_p = ipmt(r, per, nper_, pv_, fv_, when), ppmt(r, per, nper_, pv_, fv_, when)
            assert _close_to_reference(got_i, reference.ipmt(per), pv_), ("ipmt", per, got_i)
            assert _close_to_reference(got_p, reference.ppmt(per), pv_), ("ppmt", per, got_p)
        if balloon:
            continue
        for start, end in {(1, n), (1, 1), (n, n), (max(1, n // 2), n), (2, max(2, n - 1))}:
            if end > n:
                continue
            got_c = cumipmt(r, nper_, pv_, start, end, when)
            assert _close_to_reference(got_c, reference.cumipmt(start, end), pv_), ("cumipmt", start, end)
            got_c = cumprinc(r, nper_, pv_, start, end, when)
            assert _close_to_reference(got_c, reference.cumprinc(start, end), pv_), ("cumprinc", start, end)


def test_the_issue_examples_at_a_high_rate_over_a_long_term() -> None:
    assert round_cents(ipmt(D(1000) / 1200, 600, 600, D(10000))) == D("-3787.88")
    assert round(ipmt(1 / 12, 600, 600, 10000.0), 2) == -64.10
    # Early in such a loan the principal part is tiny but not zero, and has the right sign.
    assert D("-1e-154") < ppmt(D(1000) / 1200, 1, 600, D(10000)) < 0
    assert round_cents(cumprinc(D(1000) / 1200, 600, D(10000), 1, 600)) == D("-10000.00")


def test_arrays_are_exact_at_high_rates_too() -> None:
    r = np.array([1000 / 1200, 1000 / 1200, 10.0, 0.069 / 12])
    per = np.array([600, 1, 600, 300])
    n = np.array([600, 600, 600, 360])
    for i in range(len(r)):
        args = (float(r[i]), int(per[i]), int(n[i]), 10000.0)
        assert close(ipmt(r, per, n, 10000.0)[i], ipmt(*args), rel=1e-12, abs_=1e-300)
        assert close(ppmt(r, per, n, 10000.0)[i], ppmt(*args), rel=1e-12, abs_=1e-300)
        assert close(
            cumipmt(r, n, 10000.0, per, n)[i],
            cumipmt(float(r[i]), int(n[i]), 10000.0, int(per[i]), int(n[i])),
            rel=1e-12,
        )
        assert close(
            cumprinc(r, n, 10000.0, 1, per, 1)[i],
            cumprinc(float(r[i]), int(n[i]), 10000.0, 1, int(per[i]), 1),
            rel=1e-12,
        )
