"""The vectorised kernel agrees with the exact Decimal library on every loan, to the cent.

Reference: :mod:`underwater.portfolio.exact`, which calls ``underwater.loan.amortize``,
``underwater.depreciation.value_path`` and ``underwater.deficiency.estimate_deficiency`` loan by
loan. The sample is 10,000 synthetic loans plus hand-made edge cases.
"""

from __future__ import annotations

import math
import time
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from underwater.money import from_cents
from underwater.portfolio import kernel
from underwater.portfolio.engine import output_frame
from underwater.portfolio.exact import exact_inputs, exact_loan
from underwater.portfolio.kernel import compute, level_payments
from underwater.portfolio.paths import EXACT_LIMIT, SHOCK_SCALE, _round_value
from underwater.portfolio.scenarios import Scenarios
from underwater.portfolio.schema import MAX_MONEY_CENTS, RATE_UNITS, validate
from underwater.portfolio.synth import synth_book

SHOCKS = (Decimal(10),)


def _same(column: str, fast: Any, exact: Any) -> bool:
    if column.startswith(("ltv", "cltv")):
        if exact is None or fast is None:
            return fast is None and exact is None
        return abs(Decimal(repr(fast)) - exact) <= abs(exact) * Decimal("1e-12")
    return bool(fast == exact)


def _compare(frame: pl.DataFrame, shocks: tuple[Decimal, ...]) -> tuple[list[str], float]:
    book, rejects = validate(frame)
    assert rejects.height == 0, rejects
    scenarios = Scenarios(shocks)
    fast = output_frame(book, compute(book, scenarios), scenarios)
    columns = [c for c in fast.columns if c not in {"loan_id", "asset_class", "state"}]
    mismatches: list[str] = []
    started = time.perf_counter()
    rows = fast.select(columns).rows()
    for i, row in enumerate(rows):
        exact = exact_loan(exact_inputs(book, i), shocks)
        for column, value in zip(columns, row, strict=True):
            if not _same(column, value, exact[column]):
                mismatches.append(f"{book.loan_id[i]} {column}: kernel {value!r} exact {exact[column]!r}")
    return mismatches, time.perf_counter() - started


def test_ten_thousand_synthetic_loans_agree_to_the_cent() -> None:
    frame = synth_book(10_000, seed=2024)
    mismatches, seconds = _compare(frame, SHOCKS)
    assert mismatches == [], mismatches[:20]
    # The exact side is the slow one (about 3 s for 10,000 loans with two shocks on the 2-core CI box).
    assert seconds < 120


def _row(**fields: str) -> dict[str, str]:
    base = {
        "loan_id": "x",
        "balance": "18000",
        "rate_percent": "6.9",
        "remaining_payments": "60",
        "value": "15000",
    }
    return base | fields


EDGE_ROWS = [
    _row(loan_id="fed-example"),
    _row(loan_id="zero-rate", rate_percent="0", remaining_payments="7", balance="1000.01"),
    _row(loan_id="paid-off", balance="0", other_liens="250"),
    _row(loan_id="no-value", value="0"),
    _row(loan_id="liens-forever", other_liens="20000", remaining_payments="12"),
    _row(loan_id="big-payment", payment="5000"),
    _row(loan_id="small-payment", payment="110", balance="18000", rate_percent="6.9"),
    _row(loan_id="one-left", remaining_payments="1"),
    _row(
        loan_id="home",
        asset_class="home",
        balance="350000",
        value="380000",
        remaining_payments="300",
        asset_age_months="40",
    ),
    _row(loan_id="massachusetts", state="MA"),
    _row(loan_id="colorado-name", state="Colorado"),
    _row(
        loan_id="truck", asset_class="class8_sleeper", balance="120000", value="90000", asset_age_months="24"
    ),
    _row(
        loan_id="old-boat",
        asset_class="boat",
        asset_age_months="600",
        remaining_payments="600",
        balance="5000",
        value="4000",
        rate_percent="12.34567",
    ),
    _row(loan_id="max-rate", rate_percent="100", payment="1600", balance="1000", remaining_payments="600"),
    _row(loan_id="year-points", value="100.10", balance="50", asset_age_months="12", remaining_payments="48"),
    _row(loan_id="half-cent-shock", value="100.05", balance="99", remaining_payments="24"),
    # Even today (owed = value) on a new car that loses a fifth of its value in the first year.
    _row(loan_id="even-then-dips", balance="20000", value="20000", remaining_payments="72", rate_percent="5"),
    _row(
        loan_id="appreciating",
        asset_class="home",
        balance="100",
        value="1000",
        remaining_payments="600",
        asset_age_months="0",
    ),
]


def test_edge_cases_agree_to_the_cent() -> None:
    frame = pl.DataFrame(
        EDGE_ROWS,
        schema={
            k: pl.String for k in EDGE_ROWS[0] | EDGE_ROWS[8] | EDGE_ROWS[2] | EDGE_ROWS[5] | EDGE_ROWS[9]
        },
    )
    shocks = (Decimal(10), Decimal("12.5"), Decimal("0.05"), Decimal("99.99"))
    mismatches, _ = _compare(frame, shocks)
    assert mismatches == [], mismatches


def test_a_book_applies_the_state_rules_it_has_the_figures_for() -> None:
    # Wisconsin (Wis. Stat. 425.209): nothing more is owed when at most $1,000 was owing at
    # default; Florida (516.31): under $2,000; Massachusetts (c.255B s.20B): the fair market
    # value (here the value today) is credited, not 75 % of it, and only repossession and
    # storage costs (1,350.00) are added. A book's balance is its unpaid balance at default.
    rows = [
        _row(loan_id="wi", state="WI", balance="950", value="400"),
        _row(loan_id="wi-over", state="WI", balance="1500", value="400"),
        _row(loan_id="fl", state="FL", balance="1999.99", value="100"),
        _row(loan_id="ma", state="MA", balance="18000", value="15000"),
    ]
    frame = pl.DataFrame(rows, schema=dict.fromkeys(rows[0], pl.String))
    book, _ = validate(frame)
    out = output_frame(book, compute(book), Scenarios())
    deficiency = dict(zip(out["loan_id"], out["estimated_deficiency"], strict=True))
    assert deficiency["wi"] == 0 and deficiency["fl"] == 0 and deficiency["wi-over"] > 0
    assert deficiency["ma"] == Decimal("18000") - Decimal("15000") + Decimal("1350")
    mismatches, _ = _compare(frame, (Decimal(10),))
    assert mismatches == [], mismatches


def test_edge_case_meanings() -> None:
    frame = pl.DataFrame(
        EDGE_ROWS,
        schema={
            k: pl.String for k in EDGE_ROWS[0] | EDGE_ROWS[8] | EDGE_ROWS[2] | EDGE_ROWS[5] | EDGE_ROWS[9]
        },
    )
    book, _ = validate(frame)
    out = output_frame(book, compute(book), Scenarios()).to_dicts()
    by_id = {row["loan_id"]: row for row in out}
    # Liens larger than the value at the end of the term: never surfaces within the term.
    assert by_id["liens-forever"]["crossover_month"] is None
    # No value: ratios are undefined, not infinite.
    assert by_id["no-value"]["ltv"] is None and by_id["no-value"]["cltv"] is None
    # A home has no deficiency estimate (foreclosure is not modelled).
    assert by_id["home"]["estimated_deficiency"] is None
    # Above water today: crossover 0, no peak month.
    assert by_id["paid-off"]["crossover_month"] == 0 and by_id["paid-off"]["peak_month"] is None
    assert by_id["paid-off"]["first_under_water_month"] is None
    # Issue 10: even today but under water later has not crossed over yet; it surfaces for good
    # only after its worst month (the single-loan engine's definition).
    dips = by_id["even-then-dips"]
    assert dips["negative_equity"] == 0 and dips["peak_month"] is not None
    assert dips["crossover_month"] is not None and dips["crossover_month"] > dips["peak_month"]
    # ... and the month it first goes under is reported too: after today, no later than the worst.
    assert 0 < dips["first_under_water_month"] <= dips["peak_month"]
    assert by_id["liens-forever"]["first_under_water_month"] == 0


def test_level_payment_matches_the_library_on_many_rates() -> None:
    from underwater.loan import level_payment

    rng = np.random.default_rng(5)
    balance = rng.integers(1, 10**9, 3000)
    units = rng.integers(0, 100 * RATE_UNITS, 3000)
    n = rng.integers(1, 601, 3000)
    fast = level_payments(balance, units, n)
    for i in range(3000):
        exact = level_payment(from_cents(int(balance[i])), Decimal(int(units[i])) / RATE_UNITS, int(n[i]))
        assert from_cents(int(fast[i])) == exact, (balance[i], units[i], n[i])


@pytest.mark.parametrize(("balance", "units"), [(60_000_000, 1), (180_000_000, 1), (60_000_000, 3)])
def test_a_level_payment_on_an_exact_half_cent_goes_to_the_library(balance: int, units: int) -> None:
    # One payment at u/10⁵ % a year is balance × (1 + r), r = u / 1.2e8: here exactly k + ½
    # cents, where float64 may land either side. The compiled pass must flag it, and the
    # kernel's payment is then the library's, rounded half up.
    from underwater.loan import level_payment
    from underwater.portfolio.loanrows import level_cents

    out, doubtful = np.empty(1, dtype=np.int64), np.empty(1, dtype=np.bool_)
    level_cents(np.array([balance]), np.array([units]), np.array([1]), out, doubtful)
    assert doubtful[0]
    exact = level_payment(from_cents(balance), Decimal(units) / RATE_UNITS, 1)
    rate = format(Decimal(units) / RATE_UNITS, "f")
    book, _ = validate(
        pl.DataFrame([_row(balance=str(from_cents(balance)), rate_percent=rate, remaining_payments="1")])
    )
    assert (
        from_cents(int(compute(book).payment[0]))
        == exact
        == from_cents(balance + (balance * units) // 120_000_000 + 1)
    )


@pytest.mark.parametrize("value", ["100.05", "100.15", "99.95", "1234.25"])
def test_shocked_values_on_a_half_cent_round_up(value: str) -> None:
    # 10 % off 100.05 is 90.045: halves go away from zero, so 90.05 (the library's rule).
    frame = pl.DataFrame([_row(value=value)])
    book, _ = validate(frame)
    fast = compute(book, Scenarios((Decimal(10),))).scenarios[Decimal(10)].value[0]
    exact = exact_loan(exact_inputs(book, 0), (Decimal(10),))["value_shock_10"]
    assert from_cents(int(fast)) == exact


# --- the compiled loop's rounding of a value --------------------------------------------------

SHORT_RETENTIONS = st.integers(min_value=1, max_value=2000).map(lambda k: k * 10**9)  # 0.001..2.000
SHOCK_MILLIONTHS = st.integers(min_value=1, max_value=10**6 // 100).map(lambda k: k * 100)  # 4-decimal shocks


@settings(max_examples=2000)
@given(
    cents=st.integers(min_value=0, max_value=MAX_MONEY_CENTS),
    millionths=SHOCK_MILLIONTHS,
    then=SHORT_RETENTIONS,
    today=SHORT_RETENTIONS,
)
def test_value_rounding_is_the_exact_rational_half_up(
    cents: int, millionths: int, then: int, today: int
) -> None:
    # Short ratios (like the presets' 0.800 and 0.680) make exact half cents common: the float
    # estimate alone would round some of them down.
    exact = Fraction(cents * millionths * then, SHOCK_SCALE * today)
    expected = math.floor(exact + Fraction(1, 2))
    x = (then / 10**12) * (cents * (millionths / SHOCK_SCALE) / (today / 10**12))
    assert _round_value(x, cents, millionths, then, today, EXACT_LIMIT) == expected


def test_value_rounding_decides_a_true_tie_the_float_gets_wrong() -> None:
    # 20 cents × 0.58 / 0.8 = 14.5 cents exactly; in float64 it comes out a hair below the half.
    x = 0.58 * (20 * 1.0 / 0.8)
    assert math.floor(x + 0.5) == 14
    assert _round_value(x, 20, SHOCK_SCALE, 580 * 10**9, 800 * 10**9, EXACT_LIMIT) == 15


def test_loans_past_the_integer_checks_range_are_recomputed_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    # With no range at all, every loan with a value near a half cent goes back to the library.
    frame = pl.concat(
        [
            synth_book(3000, seed=11).cast(pl.String),
            pl.DataFrame(EDGE_ROWS, schema=dict.fromkeys(synth_book(1, seed=1).columns, pl.String)),
        ],
        how="diagonal",
    )
    book, _ = validate(frame)
    normal = compute(book, Scenarios(SHOCKS))
    monkeypatch.setattr(kernel, "EXACT_LIMIT", 0.0)
    rechecked = compute(book, Scenarios(SHOCKS))
    assert normal.rechecked == 0
    assert rechecked.rechecked > 0
    for shock in (Decimal(0), *SHOCKS):
        for name in ("crossover_month", "first_under_water_month", "peak_negative_equity", "peak_month"):
            assert np.array_equal(
                getattr(normal.scenarios[shock], name), getattr(rechecked.scenarios[shock], name)
            ), name
