"""Projection, solvers, prevention and attribution: hand-checked cases, properties, bad input."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from underwater.assets import AssetClass
from underwater.attribution import CAUSES, attribute_gap
from underwater.errors import InputError, NoSolutionError
from underwater.projection import (
    extra_to_surface_by,
    prevention,
    project,
)

D = Decimal


# --------------------------------------------------------------------------- hand-checked


def test_zero_rate_loan_against_constant_depreciation() -> None:
    # By hand: 12,000 at 0 % over 12 payments is 1,000.00 a month, so owed = 12,000 − 1,000·t.
    # A 10,000 car losing a constant 12 % a year is worth 10,000 × 0.88^(t/12):
    #   t=1: 0.88^(1/12) = 0.989404 → 9,894.04 < 11,000 (under)
    #   t=2: 0.88^(1/6)  = 0.978920 → 9,789.20 < 10,000 (under)
    #   t=3: 0.88^(1/4)  = √√0.88 = 0.968547 → 9,685.47 ≥ 9,000 (surfaced)
    #   t=12: 0.88 exactly → 8,800.00
    # Crossover in month 3; the worst gap is today's 2,000.00; months 0, 1, 2 are under water;
    # at 0 % no interest is paid.
    p = project(12000, 0, 12, 10000, depreciation_rate_percent=12, start_date=date(2026, 12, 1))
    assert [r.owed for r in p.rows[:4]] == [D("12000.00"), D("11000.00"), D("10000.00"), D("9000.00")]
    assert [r.value for r in p.rows[:4]] == [D("10000.00"), D("9894.04"), D("9789.20"), D("9685.47")]
    assert p.rows[12].value == D("8800.00")
    assert p.crossover_month == 3
    assert p.crossover_date == date(2027, 3, 1)
    assert p.peak_negative_equity == D("2000.00") and p.peak_month == 0
    assert p.months_under_water == 3
    assert p.interest_paid_while_under_water == D("0.00")
    assert p.horizon_months == 12
    assert p.summary.startswith("You surface in month 3 (2027-03)")


def test_a_loan_even_today_that_dips_later_has_not_crossed_over() -> None:
    # Issue 10: crossover is the month from which the loan stays above water, not the first month
    # at or above water. By hand: 10,000 at 0 % over 60 payments is 166.67 a month (owed_t =
    # 10,000 − 166.67·t), on an asset worth 10,000 today losing a constant 50 % a year
    # (value_t = 10,000 × 2^(−t/12)). Even today; month 1: 9,833.33 owed against 9,438.74 (under).
    # Month 57: 499.81 against 10,000 × 2^(−4.75) = 371.63 (still under); month 58: 333.14 against
    # 10,000 × 2^(−58/12) = 350.77 (above), and the balance keeps falling faster than the value.
    p = project(10000, 0, 60, 10000, depreciation_rate_percent=50)
    assert p.rows[0].equity == 0
    assert p.first_under_water_month == 1
    assert (p.rows[57].owed, p.rows[57].value) == (D("499.81"), D("371.63"))
    assert (p.rows[58].owed, p.rows[58].value) == (D("333.14"), D("350.77"))
    assert p.crossover_month == 58
    assert p.to_json()["first_under_water_month"] == 1
    assert p.summary.startswith("You are even today but go under water in month 1. You surface in month 58")


def test_crossover_is_none_while_still_under_water_at_the_horizon() -> None:
    p = project(10000, 0, 60, 10000, depreciation_rate_percent=50, horizon_months=57)
    assert p.first_under_water_month == 1 and p.crossover_month is None


def test_interest_while_under_water_and_other_liens() -> None:
    # The loan engine's own hand example: 1,000 at 12 % in two payments: interest 10.00 then 5.02,
    # balances 502.49 then 0. Value constant at 600 (0 % a year).
    p = project(1000, 12, 2, 600, depreciation_rate_percent=0)
    assert p.crossover_month == 1  # 502.49 ≤ 600
    assert p.interest_paid_while_under_water == D("10.00")  # only payment 1 was made under water
    # A 200.00 second lien stays constant: month 1 owes 702.49 > 600, month 2 owes 200.00.
    q = project(1000, 12, 2, 600, depreciation_rate_percent=0, other_liens=200)
    assert [r.owed for r in q.rows] == [D("1200.00"), D("702.49"), D("200.00")]
    assert q.crossover_month == 2
    assert q.interest_paid_while_under_water == D("15.02")


def test_above_water_today_and_never_surfacing() -> None:
    above = project(5000, 6, 12, 9000, depreciation_rate_percent=10)
    assert above.crossover_month == 0 and above.peak_month is None
    assert above.status_today == "above water"
    assert above.summary.startswith("You are above water today")
    # A balloon-like payment that barely beats interest on a fast-falling asset.
    never = project(30000, 9, 120, 20000, depreciation_rate_percent=30, horizon_months=24)
    assert never.crossover_month is None
    assert never.summary.startswith("Not within the 24-month horizon")
    assert never.to_json()["crossover_date"] is None


def test_horizon_past_payoff_and_month_end_dates() -> None:
    p = project(1000, 12, 2, 100, depreciation_rate_percent=0, horizon_months=4, start_date=date(2026, 1, 31))
    assert [r.balance for r in p.rows] == [D("1000.00"), D("502.49"), D("0.00"), D("0.00"), D("0.00")]
    assert [r.date for r in p.rows][:3] == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)]
    assert p.crossover_month == 2


def test_json_row_keys_are_exact() -> None:
    data = project(12000, 5, 24, 10000, start_date=date(2026, 12, 1)).to_json()
    assert set(data) >= {
        "crossover_month",
        "crossover_date",
        "peak_negative_equity",
        "peak_month",
        "months_under_water",
        "interest_paid_while_under_water",
        "status_today",
        "negative_equity_today",
        "horizon_months",
        "months",
    }
    assert set(data["months"][0]) == {
        "month",
        "date",
        "balance",
        "owed",
        "value",
        "equity",
        "negative_equity",
        "interest",
    }
    assert data["months"][0]["date"] == "2026-12-01"
    assert len(data["months"]) == 25


def test_extra_to_surface_by_hand() -> None:
    # Surfacing by month 1 needs 12,000 − 1,000 − x ≤ 9,894.04, so x = 1,105.96 (to the cent).
    extra = extra_to_surface_by(12000, 0, 12, 10000, 1, depreciation_rate_percent=12)
    assert extra == D("1105.96")
    assert (
        project(12000, 0, 12, 10000, depreciation_rate_percent=12, extra_monthly=extra).crossover_month == 1
    )
    assert (
        project(12000, 0, 12, 10000, depreciation_rate_percent=12, extra_monthly="1105.95").crossover_month
        == 2
    )
    # Already surfacing by month 3 on its own.
    assert extra_to_surface_by(12000, 0, 12, 10000, 3, depreciation_rate_percent=12) == D("0.00")


def test_extra_has_no_solution_when_other_liens_exceed_the_value() -> None:
    with pytest.raises(NoSolutionError) as caught:
        extra_to_surface_by(1000, 5, 12, 10000, 6, other_liens=50000)
    assert caught.value.field == "target_month"


# --------------------------------------------------------------------------- value path


# --------------------------------------------------------------------------- properties

loans = st.fixed_dictionaries(
    {
        "balance": st.decimals(D("1000"), D("150000"), places=2),
        "rate": st.decimals(D("0"), D("20"), places=2),
        "n": st.integers(6, 84),
        "value_share": st.decimals(D("0.5"), D("1.2"), places=2),
        "asset_class": st.sampled_from(["car", "pickup", "ev", "class8_sleeper", "rv", "boat"]),
        "age": st.integers(0, 60),
    }
)


def _crossover_key(month: int | None) -> float:
    return float("inf") if month is None else month


@settings(max_examples=80)
@given(
    loan=loans,
    extra_a=st.decimals(D("0"), D("2000"), places=2),
    extra_b=st.decimals(D("0"), D("2000"), places=2),
)
def test_more_extra_never_delays_the_crossover(loan: dict, extra_a: Decimal, extra_b: Decimal) -> None:
    low, high = sorted((extra_a, extra_b))
    args = (loan["balance"], loan["rate"], loan["n"], round(loan["balance"] * loan["value_share"], 2))
    kw = {"asset_class": loan["asset_class"], "age_months": loan["age"]}
    slow = project(*args, extra_monthly=low, **kw).crossover_month
    fast = project(*args, extra_monthly=high, **kw).crossover_month
    assert _crossover_key(fast) <= _crossover_key(slow)


@settings(max_examples=80)
@given(
    loan=loans, shock_a=st.decimals(D("0"), D("80"), places=1), shock_b=st.decimals(D("0"), D("80"), places=1)
)
def test_a_larger_shock_never_brings_the_crossover_earlier(
    loan: dict, shock_a: Decimal, shock_b: Decimal
) -> None:
    small, large = sorted((shock_a, shock_b))
    args = (loan["balance"], loan["rate"], loan["n"], round(loan["balance"] * loan["value_share"], 2))
    kw = {"asset_class": loan["asset_class"], "age_months": loan["age"]}
    mild = project(*args, shock_percent=small, **kw).crossover_month
    hard = project(*args, shock_percent=large, **kw).crossover_month
    assert _crossover_key(hard) >= _crossover_key(mild)


@settings(max_examples=30)
@given(loan=loans, target=st.integers(1, 24))
def test_extra_to_surface_by_is_the_smallest_cent(loan: dict, target: int) -> None:
    args = (loan["balance"], loan["rate"], loan["n"], round(loan["balance"] * loan["value_share"], 2))
    kw = {"asset_class": loan["asset_class"], "age_months": loan["age"]}
    extra = extra_to_surface_by(*args, target, **kw)
    # Surfaced for good by the target: checked over the whole term, as crossover now means.
    whole = max(target, loan["n"])
    with_extra = project(*args, extra_monthly=extra, horizon_months=whole, **kw).crossover_month
    assert with_extra is not None and with_extra <= target
    if extra > 0:
        less = project(*args, extra_monthly=extra - D("0.01"), horizon_months=whole, **kw).crossover_month
        assert less is None or less > target


# --------------------------------------------------------------------------- prevention


def test_prevention_by_hand_with_a_constant_value() -> None:
    # By hand: 10,000 price, 1,000 of taxes financed, 0 %, value constant (0 % a year).
    # Month 0 owes 11,000 − down against 10,000, and the balance only falls after that,
    # so the smallest down payment is 1,000.00. With nothing down, month 0 is under water
    # whatever the term; with 1,000 down every term up to 96 months stays above water.
    nothing_down = prevention(
        10000, rate_percent=0, term_months=10, taxes_fees_financed=1000, depreciation_rate_percent=0
    )
    assert nothing_down.min_down_payment == D("1000.00")
    assert nothing_down.longest_term_months is None
    assert nothing_down.months_under_water == 1
    covered = prevention(
        10000,
        rate_percent=0,
        term_months=10,
        taxes_fees_financed=1000,
        down_payment=1000,
        depreciation_rate_percent=0,
    )
    assert covered.longest_term_months == 96 and covered.months_under_water == 0


@settings(max_examples=25)
@given(
    price=st.decimals(D("5000"), D("150000"), places=2),
    rate=st.decimals(D("0"), D("15"), places=2),
    term=st.integers(12, 84),
    asset_class=st.sampled_from(["car", "pickup", "ev", "class8_sleeper", "boat"]),
)
def test_prevention_answers_are_tight(price: Decimal, rate: Decimal, term: int, asset_class: str) -> None:
    plan = prevention(price, rate_percent=rate, term_months=term, asset_class=asset_class)

    def months_under(down: Decimal, months: int) -> int:
        financed = price - down
        if financed <= 0:
            return 0
        return project(financed, rate, months, price, asset_class=asset_class).months_under_water

    assert months_under(plan.min_down_payment, term) == 0
    if plan.min_down_payment > 0:
        assert months_under(plan.min_down_payment - D("0.01"), term) > 0
    if plan.longest_term_months is not None:
        assert months_under(D(0), plan.longest_term_months) == 0
        if plan.longest_term_months < 96:
            assert months_under(D(0), plan.longest_term_months + 1) > 0


# --------------------------------------------------------------------------- attribution


def test_prevention_and_todays_position_share_one_value_path() -> None:
    # Issue 10: a purchase's prevention answers and today's position must agree. The seed's
    # example: 40,000 with 1,000 down at 0 % over 156 months (250.00 a month), worth 34,000 a
    # year later, so 36,000 is owed on 34,000 today: 2,000 under water. Through today's value the
    # path gives month 12 exactly 34,000.00, so the deal as given is under water then, and no down
    # payment under 3,166.67 can keep it above: at month 12 owed = (40,000 − d) × 144 / 156 must
    # be at most 34,000.
    plan = prevention(
        40000, rate_percent=0, term_months=156, down_payment=1000, value_today=34000, months_elapsed=12
    )
    assert plan.months_under_water >= 1 and plan.peak_negative_equity >= D("2000.00")
    assert plan.min_down_payment >= D("3166.67")
    from underwater.valuepath import ValuePath, pick_curve

    path = (
        ValuePath(D(40000), pick_curve(AssetClass.CAR), 0, known_at_month=12)
        .starting_at(D(34000))
        .values(156)
    )
    assert path[12] == D("34000.00")


def test_attribution_of_the_seed_low_down_payment_example() -> None:
    # Negative-equity calculator, example 10: $40,000 bought with $1,000 down; a year later
    # $3,000 of principal is repaid, $36,000 owed, the asset worth $34,000: $2,000 under.
    # 0 % over 156 months makes the year's payments exactly 12 × 250.00 = 3,000.00.
    a = attribute_gap(40000, 1000, 0, 0, 0, 0, 156, 12, 34000)
    assert a.owed_today == D("36000.00") and a.gap == D("2000.00")
    # Value lost 6,000 − principal 3,000 − down 1,000 = 2,000: all of it depreciation.
    assert a.depreciation_beyond_amortization == D("2000.00")


def test_attribution_of_rolled_negative_equity() -> None:
    # Example 5: $3,000 of negative equity rolled into a $30,000 loan on a car worth $28,000.
    # Price 28,000, 1,000 down: owed 30,000 at signing, gap 2,000 = 3,000 rolled − 1,000 cushion.
    a = attribute_gap(28000, 1000, 0, 0, 3000, 6, 60, 0, 28000)
    assert a.owed_today == D("30000.00") and a.gap == D("2000.00")
    assert a.negative_equity_rolled_in == D("3000.00")
    assert a.depreciation_beyond_amortization == D("-1000.00")
    assert "cushion" in a.explanations()["depreciation_beyond_amortization"]


@settings(max_examples=100)
@given(
    price=st.decimals(D("1000"), D("200000"), places=2),
    down_share=st.decimals(D("0"), D("0.9"), places=2),
    taxes=st.decimals(D("0"), D("20000"), places=2),
    addons=st.decimals(D("0"), D("10000"), places=2),
    rolled=st.decimals(D("0"), D("30000"), places=2),
    rate=st.decimals(D("0"), D("25"), places=3),
    term=st.integers(1, 96),
    data=st.data(),
)
def test_attribution_parts_sum_to_the_gap_exactly(
    price: Decimal,
    down_share: Decimal,
    taxes: Decimal,
    addons: Decimal,
    rolled: Decimal,
    rate: Decimal,
    term: int,
    data: st.DataObject,
) -> None:
    down = round(price * down_share, 2)
    elapsed = data.draw(st.integers(0, term))
    value = data.draw(st.decimals(D("0"), price * 2, places=2))
    a = attribute_gap(price, down, taxes, addons, rolled, rate, term, elapsed, value)
    assert sum((amount for _, amount in a.parts()), D(0)) == a.gap
    assert [cause for cause, _ in a.parts()] == list(CAUSES)
    assert set(a.to_json()["explanations"]) == set(CAUSES)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"age_months": 601}, "age_months"),
        ({"age_months": -1}, "age_months"),
        ({"horizon_months": 0}, "horizon_months"),
        ({"horizon_months": 601}, "horizon_months"),
        ({"asset_class": "tractor"}, "asset_class"),
        ({"shock_percent": 100}, "shock_percent"),
        ({"shock_percent": 101}, "shock_percent"),
        ({"depreciation": "nope"}, "depreciation"),
        ({"depreciation": "car_carfax", "depreciation_rate_percent": 10}, "depreciation_rate_percent"),
        ({"depreciation_rate_percent": 100}, "depreciation_rate_percent"),
        ({"extra_monthly": "-5"}, "extra_monthly"),
        ({"other_liens": "abc"}, "other_liens"),
        ({"payment": 0}, "payment"),
    ],
)
def test_bad_projection_input_names_the_field(kwargs: dict, field: str) -> None:
    with pytest.raises(InputError) as caught:
        project(12000, 5, 24, 10000, **kwargs)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("-1", 5, 24, 10000), "balance"),
        ((12000, 5, 0, 10000), "remaining_payments"),
        ((12000, 5, 1201, 10000), "remaining_payments"),
        ((12000, 1001, 24, 10000), "rate_percent"),
        ((12000, 5, 24, 10000.0), "value_today"),
    ],
)
def test_bad_loan_input_names_the_field(args: tuple, field: str) -> None:
    with pytest.raises(InputError) as caught:
        project(*args)
    assert caught.value.field == field


def test_bad_prevention_and_attribution_input() -> None:
    with pytest.raises(InputError) as caught:
        prevention(10000, rate_percent=5, term_months=60, down_payment=20000)
    assert caught.value.field == "down_payment"
    with pytest.raises(InputError) as caught:
        attribute_gap(10000, 0, 0, 0, 0, 5, 60, 61, 8000)
    assert caught.value.field == "months_elapsed"
    with pytest.raises(InputError) as caught:
        extra_to_surface_by(12000, 5, 24, 10000, 0)
    assert caught.value.field == "target_month"


def test_a_start_date_past_the_limits_names_the_field() -> None:
    # Issue 16: project(start_date=date(9999, 1, 1)) raised a plain OverflowError.
    with pytest.raises(InputError) as caught:
        project(12000, 0, 12, 10000, start_date=date(9999, 1, 1))
    assert caught.value.field == "start_date" and "2199-12-31" in caught.value.rule
