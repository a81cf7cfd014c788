"""Tests for underwater.depreciation: presets, curves, value paths and the comparable-sales fit."""

from __future__ import annotations

import itertools
import json
import math
import random
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strategies import positive_amounts
from underwater.assets import DEFAULT_PRESETS, AssetClass
from underwater.cli import main
from underwater.datafiles import load_json
from underwater.depreciation import (
    CONFIDENCE_LABELS,
    RETENTION_FLOOR,
    RETENTION_PLACES,
    ComparableSale,
    CurvePoint,
    FittedCurve,
    RetentionCurve,
    constant_rate_curve,
    custom_curve,
    default_preset,
    expected_annual_miles,
    fit_comparables,
    mileage_adjustment_percent,
    mileage_rule,
    preset,
    presets,
    scale_value,
    value_at,
    value_path,
)
from underwater.errors import InputError

PRESET_NAMES = {
    "car_carfax",
    "car_market_2025",
    "suv_2025",
    "pickup",
    "ev_2025",
    "hybrid_2025",
    "class8_sleeper",
    "class8_daycab",
    "rv_travel_trailer",
    "rv_fifth_wheel",
    "rv_motorhome_class_a",
    "rv_motorhome_class_c",
    "boat",
    "motorcycle",
    "home_long_run_nominal",
    "home_2006_peak_stress",
    "home_2022_mild_correction",
    "home_severely_adverse_2025",
}
DEPRECIATING = sorted(name for name, curve in presets().items() if not curve.appreciating)
HALF_OF_LAST_DIGIT = Decimal("0.0005")  # the presets round retention to three decimals
HALF_LAST_PLACE = Decimal("0.5e-12")  # retention is given to 12 decimal places, half up


# --- the data ------------------------------------------------------------------------------


def test_exactly_the_named_presets_ship() -> None:
    assert set(presets()) == PRESET_NAMES


@pytest.mark.parametrize("name", sorted(PRESET_NAMES))
def test_every_preset_has_provenance_and_sane_points(name: str) -> None:
    curve = preset(name)
    assert curve.name == name
    assert curve.asset_class is not None
    assert curve.sources, "every curve names at least one source"
    for source in curve.sources:
        assert source.title
        assert source.url.startswith(("http://", "https://"))
    assert curve.method and curve.description and curve.title
    assert isinstance(curve.as_of, date)
    assert curve.points
    for point in curve.points:
        assert point.confidence in CONFIDENCE_LABELS
        assert point.retention > 0
    assert curve.retention(0) == 1
    assert all(curve.retention(month) > 0 for month in range(0, 1201, 7))


@pytest.mark.parametrize("name", sorted(PRESET_NAMES))
def test_preset_json_keeps_provenance(name: str) -> None:
    shown = preset(name).to_json()
    assert shown["name"] == name
    assert shown["sources"] and shown["as_of"]
    assert all(set(point) == {"age_months", "retention", "confidence"} for point in shown["points"])
    assert all(len(point["retention"].split(".")[1]) == 4 for point in shown["points"])


def test_default_presets_exist_and_match_their_class() -> None:
    for kind, name in DEFAULT_PRESETS.items():
        assert default_preset(kind).name == name
        assert preset(name).asset_class is kind


def test_only_home_curves_appreciate() -> None:
    for curve in presets().values():
        assert curve.appreciating == (curve.asset_class is AssetClass.HOME)


def test_preset_names_forgive_case_and_dashes() -> None:
    assert preset(" Class8-Sleeper ").name == "class8_sleeper"


def test_carfax_rule_reproduces_within_the_data_rounding() -> None:
    # Carfax blog "Car Depreciation" (https://www.carfax.com/blog/car-depreciation): about 20 %
    # lost in year one, then about 15 % a year; the preset applies it as a declining balance.
    curve = preset("car_carfax")
    for year in range(1, 11):
        rule = Decimal("0.80") * Decimal("0.85") ** (year - 1)
        assert abs(curve.retention(12 * year) - rule) <= HALF_OF_LAST_DIGIT, year
    assert Decimal("0.80") * Decimal("0.85") ** 4 == Decimal("0.41760500")
    assert abs(curve.retention(60) - Decimal("0.4176")) <= HALF_OF_LAST_DIGIT


@pytest.mark.parametrize(
    ("name", "five_year_loss_percent"),
    [
        # iSeeCars 2025 "cars that hold their value" study, five-year depreciation by segment:
        # https://www.iseecars.com/cars-that-hold-their-value-study
        ("car_market_2025", "45.6"),
        ("suv_2025", "48.9"),
        ("pickup", "40.4"),
        ("ev_2025", "58.8"),
        ("hybrid_2025", "40.7"),
    ],
)
def test_segment_curves_hit_the_iseecars_five_year_anchor(name: str, five_year_loss_percent: str) -> None:
    curve = preset(name)
    assert curve.retention(60) == 1 - Decimal(five_year_loss_percent) / 100
    assert [p.confidence for p in curve.points if p.age_months == 60] == ["V"]


def test_seed_truck_loses_20_to_30_percent_in_two_years() -> None:
    # Project seed 000 (FreightWaves, "Upside Down and Under Pressure"): "a new truck can lose
    # 20-30 % of its value in the first two years".
    retained = preset("class8_sleeper").retention(24)
    assert Decimal("0.70") <= retained <= Decimal("0.80")


def test_day_cabs_fall_more_slowly_than_sleepers() -> None:
    # J.D. Power Valuation Services (Aug 2023): day cabs 3.1 %/month vs sleepers 3.8 %/month.
    sleeper, daycab = preset("class8_sleeper"), preset("class8_daycab")
    assert all(daycab.retention(m) > sleeper.retention(m) for m in range(1, 121))


# S&P CoreLogic Case-Shiller U.S. National index, seasonally adjusted, July of each year
# (github.com/datasets/house-prices-us, data/national-month.csv).
CASE_SHILLER_SA_JULY = {
    2006: "184.608",
    2007: "180.994",
    2008: "165.714",
    2009: "150.749",
    2010: "147.563",
    2011: "142.341",
    2012: "144.281",
    2013: "158.284",
    2014: "167.132",
    2015: "174.492",
    2016: "183.011",
}


def test_home_2006_peak_stress_is_the_index_divided_by_its_july_2006_level() -> None:
    curve = preset("home_2006_peak_stress")
    peak = Decimal(CASE_SHILLER_SA_JULY[2006])
    for year in range(1, 11):
        expected = (Decimal(CASE_SHILLER_SA_JULY[2006 + year]) / peak).quantize(Decimal("0.0001"))
        assert curve.retention(12 * year) == expected, year
    # FDIC / Case-Shiller: the SA trough (Feb 2012, 133.994) was 27.4 % below the peak.
    assert (1 - Decimal("133.994") / peak).quantize(Decimal("0.001")) == Decimal("0.274")


def test_home_long_run_is_4_41_percent_a_year() -> None:
    # Case-Shiller U.S. National NSA: 63.964 (Jan 1987) -> 315.944 (Jan 2024) over 37 years.
    growth = (Decimal("315.944") / Decimal("63.964")) ** (Decimal(1) / 37)
    assert growth.quantize(Decimal("0.0001")) == Decimal("1.0441")
    curve = preset("home_long_run_nominal")
    for year in range(1, 11):
        assert curve.retention(12 * year) == (Decimal("1.0441") ** year).quantize(Decimal("0.0001"))


def test_home_2022_correction_dips_five_percent_then_recovers() -> None:
    # Case-Shiller U.S. National SA: 308.184 (Jun 2022), 292.800 (Jan 2023), 308.475 (Jun 2023).
    curve = preset("home_2022_mild_correction")
    assert curve.retention(7) == (Decimal("292.800") / Decimal("308.184")).quantize(Decimal("0.0001"))
    assert min(curve.retention(m) for m in range(25)) == curve.retention(7)
    assert curve.retention(12) > 1


def test_usage_figures_from_the_brief() -> None:
    assert expected_annual_miles("car") == 12000
    sleeper = expected_annual_miles("class8_sleeper")
    daycab = expected_annual_miles("class8_daycab")
    assert sleeper is not None and daycab is not None
    assert sleeper >= 100_000
    assert daycab < sleeper
    assert expected_annual_miles("home") is None
    assert mileage_rule("boat") is None
    rule = mileage_rule("car")
    assert rule is not None and rule.confidence == "R"


def test_load_json_reads_decimals_and_caches() -> None:
    data = load_json("depreciation.json")
    assert data is load_json("depreciation.json")
    assert data["curves"]["car_carfax"]["points"][4]["retention"] == Decimal("0.418")
    assert isinstance(data["curves"]["car_carfax"]["points"][4]["age_months"], int)


@pytest.mark.parametrize("bad", ["../pyproject.toml", "depreciation", "data/depreciation.json", ".json"])
def test_load_json_refuses_paths(bad: str) -> None:
    with pytest.raises(ValueError, match="bare"):
        load_json(bad)


# --- curve arithmetic ------------------------------------------------------------------------


def test_geometric_interpolation_inside_a_year() -> None:
    curve = preset("car_carfax")
    # Half way through year 2 the value has fallen by the square root of that year's ratio.
    expected = Decimal("0.800") * (Decimal("0.680") / Decimal("0.800")).sqrt()
    # The step is taken in binary floating point (good to ~1e-16) and the ratio is given to 12
    # decimal places, half up.
    assert abs(curve.retention(18) - expected) <= HALF_LAST_PLACE
    assert curve.retention(18).as_tuple().exponent == -RETENTION_PLACES
    # Within year 1 the loss is spread evenly month by month from 1.0.
    assert abs(curve.retention(1) - Decimal("0.8") ** (Decimal(1) / 12)) <= HALF_LAST_PLACE


def test_beyond_the_last_point_the_last_years_rate_carries_on() -> None:
    curve = preset("car_carfax")
    last_year = Decimal("0.185") / Decimal("0.218")
    assert abs(curve.retention(132) - Decimal("0.185") * last_year) <= HALF_LAST_PLACE
    assert abs(curve.retention(180) - Decimal("0.185") * last_year**5) <= HALF_LAST_PLACE


def test_constant_ten_percent_gives_point_nine_to_the_n() -> None:
    curve = constant_rate_curve(Decimal("10"))
    for year in range(21):
        exact = Decimal("0.9") ** year  # 13 or more decimal places from year 13 on
        assert curve.retention(12 * year) == exact.quantize(Decimal("1e-12"), rounding=ROUND_HALF_UP)


def test_negative_constant_rate_appreciates() -> None:
    curve = constant_rate_curve("-4")
    assert curve.appreciating
    assert curve.retention(24) == Decimal("1.04") ** 2


def test_zero_rate_keeps_its_value() -> None:
    curve = constant_rate_curve(0)
    assert all(curve.retention(m) == 1 for m in range(100))


@given(st.integers(min_value=0, max_value=1199))
def test_constant_rate_month_over_month_is_constant(month: int) -> None:
    curve = constant_rate_curve("12")
    ratio = curve.retention(month + 1) / curve.retention(month)
    # A ratio of two float-stepped values, each given to 12 decimal places.
    tolerance = Decimal("1e-15") + 2 * HALF_LAST_PLACE / curve.retention(month + 1)
    assert abs(ratio - Decimal("0.88") ** (Decimal(1) / 12)) < tolerance


@pytest.mark.parametrize("name", DEPRECIATING)
def test_depreciating_presets_never_rise(name: str) -> None:
    curve = preset(name)
    values = [curve.retention(month) for month in range(1201)]
    assert all(later <= earlier for earlier, later in itertools.pairwise(values))
    assert values[0] == 1 and values[-1] > 0


def test_custom_curve_takes_years_and_fractions_of_whole_months() -> None:
    curve = custom_curve({Decimal("0.5"): "0.9", 1: "0.85", "3": Decimal("0.6")}, asset_class="boat")
    assert [p.age_months for p in curve.points] == [6, 12, 36]
    assert curve.retention(6) == Decimal("0.9")
    assert curve.asset_class is AssetClass.BOAT
    assert all(p.confidence is None for p in curve.points)


def test_custom_curve_with_appreciation_allowed() -> None:
    curve = custom_curve({1: Decimal("1.05"), 2: Decimal("1.02")}, allow_appreciation=True)
    assert curve.retention(12) == Decimal("1.05")


@pytest.mark.parametrize(
    "table",
    [
        {},
        {1: Decimal("0")},
        {1: Decimal("-0.5")},
        {0: Decimal("0.9")},
        {-1: Decimal("0.9")},
        {Decimal("0.1"): Decimal("0.9")},  # 1.2 months is not a whole month
        {2: Decimal("0.7"), 1: Decimal("0.8")},  # ages out of order
        {1: Decimal("0.7"), 2: Decimal("0.8")},  # a depreciating asset does not gain value
        {1: Decimal("1.1")},
        {1: "abc"},
        {1: 0.8},  # a float cannot hold 0.8 exactly
    ],
)
def test_bad_custom_curves_name_retention(table: dict[object, object]) -> None:
    with pytest.raises(InputError) as caught:
        custom_curve(table)
    assert caught.value.field == "retention"


def test_constructing_a_rising_curve_directly_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        RetentionCurve("x", None, (CurvePoint(12, Decimal("0.9")), CurvePoint(24, Decimal("0.95"))))
    assert caught.value.field == "retention"


@pytest.mark.parametrize("rate", ["100", "101", "-51", "ten", 10.0])
def test_bad_constant_rates_name_the_field(rate: object) -> None:
    with pytest.raises(InputError) as caught:
        constant_rate_curve(rate)  # type: ignore[arg-type]
    assert caught.value.field == "rate_percent_per_year"


def test_unknown_preset_lists_the_valid_names() -> None:
    with pytest.raises(InputError) as caught:
        preset("car_kbb")
    assert caught.value.field == "depreciation"
    assert "car_carfax" in caught.value.rule and "home_2006_peak_stress" in caught.value.rule


@pytest.mark.parametrize("age", [-1, 1201, "x", 1.5])
def test_bad_retention_age_names_age_months(age: object) -> None:
    with pytest.raises(InputError) as caught:
        preset("boat").retention(age)  # type: ignore[arg-type]
    assert caught.value.field == "age_months"


def test_yearly_rate_of_carfax_after_year_one_is_fifteen_percent() -> None:
    rate = preset("car_carfax").yearly_rate_percent(12)
    assert abs(rate - 15) < Decimal("0.1")


# --- value paths -----------------------------------------------------------------------------

preset_names = st.sampled_from(sorted(PRESET_NAMES))
depreciating_names = st.sampled_from(DEPRECIATING)
ages = st.integers(min_value=0, max_value=600)
shocks = st.decimals(min_value=Decimal("0"), max_value=Decimal("99.99"), places=2)


@given(positive_amounts, preset_names, ages, st.integers(min_value=0, max_value=36))
def test_zero_shock_path_starts_at_todays_value_exactly(
    value: Decimal, name: str, age: int, months: int
) -> None:
    path = value_path(value, preset(name), age, months)
    assert path[0] == value
    assert len(path) == months + 1
    assert all(v == v.quantize(Decimal("0.01")) for v in path)


@given(positive_amounts, depreciating_names, ages, shocks, shocks)
def test_a_larger_shock_never_gives_a_higher_value(
    value: Decimal, name: str, age: int, one: Decimal, other: Decimal
) -> None:
    small, large = sorted((one, other))
    curve = preset(name)
    gentle = value_path(value, curve, age, 24, shock_percent=small)
    harsh = value_path(value, curve, age, 24, shock_percent=large)
    assert all(h <= g for g, h in zip(gentle, harsh, strict=True))


@given(positive_amounts, depreciating_names, ages, shocks)
def test_value_path_never_rises_for_a_depreciating_curve(
    value: Decimal, name: str, age: int, shock: Decimal
) -> None:
    path = value_path(value, preset(name), age, 48, shock_percent=shock)
    assert all(later <= earlier for earlier, later in itertools.pairwise(path))


@given(positive_amounts, ages, st.integers(min_value=0, max_value=120))
def test_value_at_is_the_end_of_the_path(value: Decimal, age: int, months: int) -> None:
    curve = preset("class8_daycab")
    assert (
        value_at(value, curve, age, months, Decimal("5"))
        == value_path(value, curve, age, months, shock_percent=Decimal("5"))[-1]
    )


def test_the_shock_hits_today() -> None:
    path = value_path(Decimal("50000.00"), preset("pickup"), 36, 12, shock_percent="20")
    assert path[0] == Decimal("40000.00")
    plain = value_path(Decimal("40000.00"), preset("pickup"), 36, 12)
    assert path == plain


def test_path_follows_the_curve_ratio() -> None:
    # A 2-year-old sleeper worth $90,000 today: a year later it is worth 0.58/0.70 of that.
    assert value_at(Decimal("90000"), preset("class8_sleeper"), 24, 12) == Decimal("74571.43")
    assert Decimal("90000") * Decimal("0.58") / Decimal("0.70") == Decimal("74571.42857142857142857142857")


def test_home_value_can_rise() -> None:
    path = value_path(Decimal("300000"), preset("home_long_run_nominal"), 0, 12)
    assert path[-1] == Decimal("313230.00")


def test_fitted_curve_drives_a_path() -> None:
    fit = fit_comparables(_exact_sales())
    path = value_path(Decimal("20000"), fit, 24, 12)
    assert path[-1] < path[0]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"shock_percent": "100"}, "shock_percent"),
        ({"shock_percent": "-1"}, "shock_percent"),
        ({"shock_percent": 5.0}, "shock_percent"),
        ({"age_months": 601}, "age_months"),
        ({"age_months": -1}, "age_months"),
        ({"age_months": Decimal("1.5")}, "age_months"),
        ({"months": 601}, "horizon_months"),
        ({"months": -3}, "horizon_months"),
        ({"value_today": "-5"}, "value_today"),
        ({"value_today": 100.5}, "value_today"),
        ({"value_today": "1.005"}, "value_today"),
        ({"annual_miles": "-1"}, "annual_miles"),
        ({"curve": "car_carfax"}, "depreciation"),
    ],
)
def test_bad_path_inputs_name_the_field(kwargs: dict[str, object], field: str) -> None:
    arguments: dict[str, object] = {
        "value_today": Decimal("20000"),
        "curve": preset("car_carfax"),
        "age_months": 12,
        "months": 12,
    }
    arguments.update(kwargs)
    with pytest.raises(InputError) as caught:
        value_path(**arguments)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_value_at_names_months_ahead() -> None:
    with pytest.raises(InputError) as caught:
        value_at(Decimal("1000"), preset("boat"), 0, 700)
    assert caught.value.field == "months_ahead"


# --- mileage ---------------------------------------------------------------------------------


def test_mileage_adjustment_signs_and_caps() -> None:
    assert mileage_adjustment_percent("car", 36, 36000) == 0
    assert mileage_adjustment_percent("car", 36, 46000) == Decimal("-5.0")
    assert mileage_adjustment_percent("car", 36, 26000) == Decimal("5.0")
    assert mileage_adjustment_percent("car", 12, 500000) == -30
    assert mileage_adjustment_percent("car", 120, 0) == 15


def test_mileage_needs_a_rule() -> None:
    with pytest.raises(InputError) as caught:
        mileage_adjustment_percent("boat", 12, 100)
    assert caught.value.field == "miles"


def test_driving_more_than_expected_lowers_the_path() -> None:
    curve = preset("class8_sleeper")
    usual = value_path(Decimal("90000"), curve, 24, 24)
    expected_miles = value_path(Decimal("90000"), curve, 24, 24, annual_miles=100000)
    heavy = value_path(Decimal("90000"), curve, 24, 24, annual_miles=170000)
    assert expected_miles == usual
    assert heavy[0] == usual[0]
    assert all(h <= u for h, u in zip(heavy, usual, strict=True))
    # 70,000 extra miles a year for 24 months at 0.1 % per 1,000 miles: 14 % off.
    # Both ends are rounded to the cent separately, so they agree to within a cent.
    assert abs(heavy[-1] - usual[-1] * Decimal("0.86")) <= Decimal("0.01")
    assert heavy[-1] < usual[-1] * Decimal("0.87")


@given(positive_amounts, st.sampled_from(["car_carfax", "motorcycle", "class8_daycab"]), ages)
def test_extra_miles_keep_the_path_falling(value: Decimal, name: str, age: int) -> None:
    path = value_path(value, preset(name), age, 36, annual_miles=200000)
    assert all(later <= earlier for earlier, later in itertools.pairwise(path))


def test_mileage_on_a_class_without_rule_names_annual_miles() -> None:
    for curve in (preset("boat"), constant_rate_curve("10")):
        with pytest.raises(InputError) as caught:
            value_path(Decimal("1000"), curve, 0, 12, annual_miles=1000)
        assert caught.value.field == "annual_miles"


# --- comparable sales ------------------------------------------------------------------------

TRUE_YEARLY = Decimal("0.9")  # 10 % lost per year of age
TRUE_PER_10K = Decimal("0.95")  # 5 % lost per 10,000 miles


def _exact_sales() -> list[ComparableSale]:
    # Prices from an exact exponential in age and miles; the base is chosen so that every
    # price is whole cents, so the data carry no rounding noise at all.
    base = Decimal("10000000")
    grid = [(1, 0), (2, 1), (3, 0), (4, 2), (5, 1), (1, 3), (3, 2), (6, 1), (2, 0)]
    sales = []
    for years, tens_of_thousands in grid:
        price = base * TRUE_YEARLY**years * TRUE_PER_10K**tens_of_thousands
        assert price == price.quantize(Decimal("0.01"))
        sales.append(ComparableSale(12 * years, 10000 * tens_of_thousands, price))
    return sales


def test_fit_recovers_an_exact_exponential() -> None:
    fit = fit_comparables(_exact_sales())
    assert isinstance(fit, FittedCurve)
    assert abs(fit.depreciation_rate_percent - 10) < Decimal("1e-6")
    assert fit.mileage_loss_percent_per_10k_miles is not None
    assert abs(fit.mileage_loss_percent_per_10k_miles - 5) < Decimal("1e-6")
    assert fit.rmse == 0
    assert fit.rmse_percent < Decimal("1e-9")
    assert fit.r_squared is not None and abs(fit.r_squared - 1) < Decimal("1e-12")
    assert fit.value_new == Decimal("10000000.00")
    assert fit.n == 9
    assert fit.predict(48, 20000) == Decimal("10000000") * Decimal("0.9") ** 4 * Decimal("0.95") ** 2


def test_fit_with_noise_reports_a_positive_error() -> None:
    noise = random.Random(20261121)
    noisy = [
        ComparableSale(
            s.age_months,
            s.miles,
            (Decimal(s.price) * Decimal(1 + noise.uniform(-0.05, 0.05))).quantize(Decimal("0.01")),
        )
        for s in _exact_sales()
    ]
    fit = fit_comparables(noisy)
    assert fit.rmse > 0 and fit.rmse_percent > 0
    assert fit.r_squared is not None and fit.r_squared < 1
    assert abs(fit.depreciation_rate_percent - 10) < 3


def test_fit_with_fixed_new_price_passes_through_it() -> None:
    fit = fit_comparables(_exact_sales(), new_price=Decimal("10000000"))
    assert fit.new_price_fixed and fit.value_new == Decimal("10000000")
    assert abs(fit.depreciation_rate_percent - 10) < Decimal("1e-6")
    assert fit.predict(0, 0) == Decimal("10000000.00")


def test_fitted_curve_uses_the_class_expected_miles() -> None:
    fit = fit_comparables(_exact_sales(), asset_class="car")
    assert fit.annual_miles == 12000
    # One year at 12,000 miles: 0.9 × 0.95 ** 1.2.
    expected = float(TRUE_YEARLY) * float(TRUE_PER_10K) ** 1.2
    assert math.isclose(float(fit.retention(12)), expected, rel_tol=1e-9)
    assert fit.curve.asset_class is AssetClass.CAR


def test_miles_in_lockstep_with_age_drop_the_mileage_term() -> None:
    sales = [ComparableSale(12 * y, 12000 * y, Decimal(30000) * Decimal("0.85") ** y) for y in (1, 2, 3, 4)]
    sales = [ComparableSale(s.age_months, s.miles, Decimal(s.price).quantize(Decimal("0.01"))) for s in sales]
    fit = fit_comparables(sales)
    assert not fit.mileage_fitted
    assert fit.mileage_loss_percent_per_10k_miles is None
    assert abs(fit.depreciation_rate_percent - 15) < Decimal("0.001")
    assert fit.annual_miles == 12000
    assert fit.to_json()["mileage_loss_percent_per_10k_miles"] is None


def test_fit_json_shape() -> None:
    shown = fit_comparables(_exact_sales()).to_json()
    assert shown["value_new"] == "10000000.00"
    assert shown["depreciation_rate_percent"] == "10.0000"
    assert shown["mileage_loss_percent_per_10k_miles"] == "5.0000"
    assert shown["rmse"] == "0.00"
    assert shown["r_squared"] == "1.0000"
    assert shown["n"] == 9
    assert shown["curve"]["name"] == "fitted_comparables"


@pytest.mark.parametrize(
    "sales",
    [
        [],
        [ComparableSale(12, 0, Decimal("100")), ComparableSale(24, 0, Decimal("90"))],
        [
            ComparableSale(12, 0, Decimal("100")),
            ComparableSale(12, 10, Decimal("99")),
            ComparableSale(24, 0, Decimal("90")),
        ],
        [
            ComparableSale(12, 0, Decimal("100")),
            ComparableSale(24, 0, Decimal("0")),
            ComparableSale(36, 0, Decimal("80")),
        ],
        [
            ComparableSale(12, -5, Decimal("100")),
            ComparableSale(24, 0, Decimal("90")),
            ComparableSale(36, 0, Decimal("80")),
        ],
        [
            ComparableSale(700, 0, Decimal("100")),
            ComparableSale(24, 0, Decimal("90")),
            ComparableSale(36, 0, Decimal("80")),
        ],
        [(12, 0, 100), (24, 0, 90), (36, 0, 80)],
        "12,0,100",
    ],
)
def test_bad_comparables_name_the_field(sales: object) -> None:
    with pytest.raises(InputError) as caught:
        fit_comparables(sales)  # type: ignore[arg-type]
    assert caught.value.field == "comparables"


def test_bad_new_price_names_the_field() -> None:
    with pytest.raises(InputError) as caught:
        fit_comparables(_exact_sales(), new_price="0")
    assert caught.value.field == "new_price"


def test_a_value_on_a_half_cent_rounds_up_from_the_exact_ratio() -> None:
    # 0.15 × 0.75 / 0.9 is exactly 0.125: half up gives 0.13. Dividing first (0.75 / 0.9 =
    # 0.8333...3 to 34 digits) would land a hair below the half cent and give 0.12.
    curve = custom_curve({1: Decimal("0.9"), 2: Decimal("0.75")})
    assert value_path(Decimal("0.15"), curve, 12, 12)[12] == Decimal("0.13")
    assert value_at(Decimal("0.15"), curve, 12, 12) == Decimal("0.13")
    assert scale_value(Decimal("0.15"), Decimal("0.75"), Decimal("0.9")) == Decimal("0.13")
    assert scale_value(Decimal("0.14"), Decimal("0.75"), Decimal("0.9")) == Decimal("0.12")


@given(st.integers(min_value=1, max_value=10**11), st.integers(min_value=1, max_value=999))
def test_scale_value_rounds_the_exact_rational(cents: int, permille: int) -> None:
    # Against Python's exact fractions: round half up of cents × then / today.
    from fractions import Fraction

    then, today = Decimal(permille) / 1000, Decimal("0.9")
    exact = Fraction(cents) * Fraction(then) / Fraction(today)
    expected = math.floor(exact + Fraction(1, 2))
    assert scale_value(Decimal(cents) / 100, then, today) == Decimal(expected) / 100


# --- warnings on a fit that runs the wrong way -------------------------------------------------
# Guide books deduct value for miles above the expected figure and every depreciating preset
# falls with age (the J.D. Power (NADA) used-car guide FAQ cited in depreciation.json; the
# Carfax and iSeeCars presets above): a fit saying the opposite is flagged, not hidden.


def _sales_on(yearly: Decimal, per_10k: Decimal) -> list[ComparableSale]:
    grid = [(1, 0), (2, 1), (3, 0), (4, 2), (5, 1), (1, 3), (3, 2), (6, 1), (2, 0)]
    return [
        ComparableSale(12 * y, 10000 * k, (Decimal(30000) * yearly**y * per_10k**k).quantize(Decimal("0.01")))
        for y, k in grid
    ]


def test_a_fit_where_more_miles_raise_the_price_warns() -> None:
    fit = fit_comparables(_sales_on(Decimal("0.9"), Decimal("1.05")))
    assert len(fit.warnings) == 1
    (warning,) = fit.warnings
    assert "More miles raise the price" in warning and "5.00 % more per 10,000 miles" in warning
    assert "check each sale's miles and price" in warning
    assert fit.to_json()["warnings"] == [warning]


def test_a_fit_where_older_sales_fetch_more_warns() -> None:
    fit = fit_comparables(_sales_on(Decimal("1.03"), Decimal("0.95")))
    (warning,) = fit.warnings
    assert "Older sales fetch more" in warning and "3.00 % more a year" in warning
    assert "A home can rise" not in warning
    home = fit_comparables(_sales_on(Decimal("1.03"), Decimal("0.95")), asset_class="home")
    assert "A home can rise in value" in home.warnings[0]
    both = fit_comparables(_sales_on(Decimal("1.03"), Decimal("1.02")))
    assert len(both.warnings) == 2


def test_an_ordinary_fit_has_no_warnings() -> None:
    assert fit_comparables(_exact_sales()).warnings == ()
    assert fit_comparables(_exact_sales()).to_json()["warnings"] == []
    # With the mileage term dropped (miles in lockstep with age) only the age slope is judged.
    lockstep = [ComparableSale(12 * y, 12000 * y, Decimal(30000) - 1000 * y) for y in (1, 2, 3, 4)]
    assert fit_comparables(lockstep).warnings == ()


@settings(max_examples=60)
@given(
    # Up to 20 % more a year and per 10,000 miles: together at these sales' miles a year (about
    # 5,000) within the 50 % a year a fitted curve may gain.
    st.decimals(min_value=Decimal("0.5"), max_value=Decimal("1.2"), places=3),
    st.decimals(min_value=Decimal("0.5"), max_value=Decimal("1.2"), places=3),
)
def test_warnings_follow_the_signs_of_the_slopes(yearly: Decimal, per_10k: Decimal) -> None:
    fit = fit_comparables(_sales_on(yearly, per_10k))
    miles_warned = any("More miles" in w for w in fit.warnings)
    age_warned = any("Older sales" in w for w in fit.warnings)
    assert miles_warned == (fit.mileage_fitted and fit.log_change_per_10k_miles > 0)
    assert age_warned == (fit.log_change_per_year > 0)


# --- steep curves at great ages ------------------------------------------------------------------


def test_the_steep_curve_from_the_bug_report_projects() -> None:
    # underwater project … --depreciation-rate-percent 50 --age-months 600 divided 0 by 0: at 50
    # years a 50 %-a-year curve keeps 0.5 ** 50 = 8.9e-16 of the price new, 0 at 12 places.
    # Carried from today's $20,000, the value still halves each year.
    args = ["project", "--owed", "24000", "--rate-percent", "7.9", "--remaining-payments", "48"]
    args += ["--value", "20000", "--depreciation-rate-percent", "50", "--age-months", "600", "--json"]
    assert main(args) == 0


def test_the_steep_curve_values_halve_each_year(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["project", "--owed", "24000", "--rate-percent", "7.9", "--remaining-payments", "48"]
    args += ["--value", "20000", "--depreciation-rate-percent", "50", "--age-months", "600", "--json"]
    assert main(args) == 0
    months = json.loads(capsys.readouterr().out)["months"]
    assert [months[m]["value"] for m in (0, 12, 24, 36, 48)] == [
        "20000.00",
        "10000.00",
        "5000.00",
        "2500.00",
        "1250.00",
    ]
    curve = constant_rate_curve("50")
    assert curve.retention(600) == Decimal("8.88178419700E-16")  # 0.5 ** 50 to 12 significant digits
    assert value_path("20000", curve, 600, 12)[12] == Decimal("10000.00")


def test_every_preset_stays_above_the_floor() -> None:
    # The book engine holds preset retention as whole 1e-12 units: they must stay 12-place figures.
    for curve in presets().values():
        assert min(curve.retention(age) for age in range(1201)) >= RETENTION_FLOOR


def test_retention_is_never_zero_and_keeps_twelve_digits_below_the_floor() -> None:
    curve = constant_rate_curve("99.9999")  # keeps a millionth of its value each year
    for age in (0, 1, 7, 12, 100, 599, 600, 1200):
        kept = curve.retention(age)
        assert kept > 0
        if kept < RETENTION_FLOOR:
            assert len(kept.as_tuple().digits) <= 12
    assert curve.retention(1200) == Decimal("1E-600")
    # A value that has fallen below half a cent shows 0.00; the path never raises.
    assert value_path("20000", curve, 0, 36)[36] == Decimal("0.00")
    assert value_path("1000000000", curve, 580, 20)[20] == Decimal("0.10")


def _exact_constant_path(value: Decimal, rate: Decimal, months: int) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 60
        factor = (Decimal(months) / 12 * (1 - rate / 100).ln()).exp()
        return (value * factor).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@settings(max_examples=120)
@given(
    st.decimals(min_value=Decimal("-50"), max_value=Decimal("99.99"), places=2),
    st.integers(min_value=0, max_value=600),
    st.integers(min_value=0, max_value=600),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000000"), places=2),
)
def test_any_constant_rate_and_age_gives_the_carried_value(
    rate: Decimal, age: int, months: int, value: Decimal
) -> None:
    # A constant curve carries today's value by (1 - rate) ** (months / 12), whatever the age.
    # Where 12 decimal places leave today's retention few digits (between 1e-8 and 1e-4 of the
    # price new) the figure may move by value × 1e-12 / retention; elsewhere it is to the cent
    # (a cent either way for the float step of the curve).
    curve = constant_rate_curve(rate)
    got = value_at(value, curve, age, months)
    expected = _exact_constant_path(value, rate, months)
    today = curve.retention(age)
    # Half the last digit kept, relative to the retention: 12 places above the floor, 12
    # significant digits below it.
    relative = Decimal("0.5e-12") / today if today >= RETENTION_FLOOR else Decimal("0.5e-11")
    slack = Decimal("0.01") + 2 * relative * (value + expected)
    assert abs(got - expected) <= slack
    assert got >= 0


# --- a curve that rises steeply, far out: worked out, never an overflow ------------------------


def test_a_fifty_percent_gain_for_fifty_years_is_worked_out() -> None:
    # The case: 21,000 at 600 months gaining 50 % a year for 600 more months crashed
    # with decimal.InvalidOperation (12 places of 1.5**100 need 30 digits). Whole years, so
    # the value is exactly 21,000 × 1.5**50, rounded once to the cent.
    curve = constant_rate_curve("-50")
    with localcontext() as ctx:
        ctx.prec = 60
        exact = (Decimal(3) ** 100 / Decimal(2) ** 100).quantize(Decimal("1e-12"))
    assert curve.retention(1200) == exact
    path = value_path(Decimal("21000"), curve, 600, 600)
    assert path[-1] == Decimal("13390051504495.04")
    assert value_at(Decimal("21000"), curve, 600, 600) == path[-1]
    assert all(later > earlier for earlier, later in itertools.pairwise(path))


def test_a_steep_gain_far_out_does_not_overflow() -> None:
    # A curve that multiplies by 10**15 a month: its tail reaches 10**9000 in 50 years, and
    # every value on it is still whole cents.
    curve = custom_curve({Decimal(1) / 12: Decimal("1e15")}, allow_appreciation=True)
    path = value_path(Decimal("1000000000"), curve, 600, 600)
    assert path[0] == Decimal("1000000000.00")
    assert path[-1].adjusted() > 9000 and path[-1].as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("sales", "words"),
    [
        # Priced $1 new and $1,000,000,000 a month later: a gain no curve can carry.
        ([(0, 0, "1"), (1, 0, "1000000000"), (2, 0, "1000000000")], "gain more than 50 %"),
        # The reverse, and a sale at age 0 that anchors the price new.
        ([(0, 0, "1000000000"), (1, 0, "0.01"), (2, 0, "0.01")], "lose more than 99.9999 %"),
        # A mileage slope that takes 10,000 miles to wipe out the price (miles alone).
        (
            [(12, 0, "20000"), (24, 0, "18000"), (36, 10000, "0.01"), (48, 0, "14000")],
            "with each 10,000 miles",
        ),
        # Old sales falling steeply: a price new above the largest amount.
        ([(560, 0, "1000000"), (580, 0, "100000"), (600, 0, "10000")], "price new above"),
    ],
)
def test_a_fit_no_curve_can_carry_is_refused_naming_the_sales(
    sales: list[tuple[int, int, str]], words: str
) -> None:
    with pytest.raises(InputError) as caught:
        fit_comparables([ComparableSale(a, m, Decimal(p)) for a, m, p in sales])
    assert caught.value.field == "comparables"
    assert words in caught.value.rule
