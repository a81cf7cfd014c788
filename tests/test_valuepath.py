"""The one value path: exactly the depreciation module's rule, re-anchored, and known later."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from underwater.assets import AssetClass
from underwater.depreciation import preset, presets, value_path
from underwater.errors import InputError
from underwater.valuepath import ValuePath, pick_curve

D = Decimal


@settings(max_examples=40)
@given(
    name=st.sampled_from(sorted(presets())),
    age=st.integers(0, 240),
    horizon=st.integers(0, 30),
    value=st.decimals(D("0"), D("2000000"), places=2),
    shock=st.decimals(D("0"), D("60"), places=1),
)
def test_a_path_is_exactly_value_path(
    name: str, age: int, horizon: int, value: Decimal, shock: Decimal
) -> None:
    # The path remembers the curve's monthly ratios; the depreciation module works each month
    # afresh. They must agree to the cent, month by month.
    curve = preset(name)
    expected = value_path(value, curve, age, horizon, shock_percent=shock)
    assert ValuePath(value, curve, age, shock).values(horizon) == expected


def test_a_path_with_miles_is_value_path() -> None:
    curve = pick_curve(AssetClass.CAR)
    path = ValuePath(D(20000), curve, 24, annual_miles=D(20000))
    assert path.values(12) == value_path(20000, curve, 24, 12, annual_miles=20000)


def test_a_replacement_follows_the_same_shape_from_its_own_price() -> None:
    # Half the price, half the value every month (to the cent, by the one rounding rule).
    path = ValuePath(D(40000), preset("class8_sleeper"), 24, D(10))
    half = path.starting_at(D(20000))
    for whole, part in zip(path.values(36), half.values(36), strict=True):
        assert abs(whole / 2 - part) <= D("0.005")


def test_a_path_known_later_passes_through_that_value() -> None:
    # A purchase worked from signing, through a value known 12 months on.
    path = ValuePath(D(34000), pick_curve(AssetClass.CAR), 0, known_at_month=12)
    values = path.values(60)
    assert values[12] == D("34000.00") and values[0] > values[12] > values[60]


def test_the_curve_is_picked_once_in_order() -> None:
    assert pick_curve(AssetClass.PICKUP).name == "pickup"
    assert pick_curve(AssetClass.PICKUP, "boat").name == "boat"
    assert pick_curve(AssetClass.PICKUP, depreciation_rate_percent=D(10)).name == "constant_rate"
    with pytest.raises(InputError, match="not both"):
        pick_curve(AssetClass.PICKUP, "boat", D(10))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"age_months": 601}, "age_months"), ({"shock_percent": D(100)}, "shock_percent")],
)
def test_bad_paths_name_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as caught:
        ValuePath(D(1000), pick_curve(AssetClass.CAR), **kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field
