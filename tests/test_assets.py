"""Tests for underwater.assets: the canonical asset classes and what hangs off them."""

from __future__ import annotations

import pytest

from underwater.assets import (
    COST_GROUPS,
    DEFAULT_PRESETS,
    LABELS,
    AssetClass,
    CostGroup,
    cost_group,
    default_preset_name,
    parse_asset_class,
)
from underwater.errors import InputError

ALL_NAMES = [
    "car",
    "suv",
    "pickup",
    "ev",
    "hybrid",
    "motorcycle",
    "class8_sleeper",
    "class8_daycab",
    "rv",
    "boat",
    "home",
]


def test_the_eleven_names_in_order() -> None:
    assert [member.value for member in AssetClass] == ALL_NAMES


@pytest.mark.parametrize("name", ALL_NAMES)
def test_every_class_has_a_cost_group_a_default_preset_and_a_label(name: str) -> None:
    kind = parse_asset_class(name)
    assert kind in COST_GROUPS
    assert DEFAULT_PRESETS[kind]
    assert LABELS[kind]


@pytest.mark.parametrize(
    ("name", "group"),
    [
        ("car", "light_vehicle"),
        ("suv", "light_vehicle"),
        ("pickup", "light_vehicle"),
        ("ev", "light_vehicle"),
        ("hybrid", "light_vehicle"),
        ("motorcycle", "light_vehicle"),
        ("class8_sleeper", "heavy_truck"),
        ("class8_daycab", "heavy_truck"),
        ("rv", "rv"),
        ("boat", "boat"),
        ("home", "home"),
    ],
)
def test_cost_groups(name: str, group: str) -> None:
    assert cost_group(name) == group
    assert isinstance(cost_group(name), CostGroup)


@pytest.mark.parametrize(
    ("name", "preset"),
    [
        ("car", "car_carfax"),
        ("suv", "suv_2025"),
        ("pickup", "pickup"),
        ("ev", "ev_2025"),
        ("hybrid", "hybrid_2025"),
        ("motorcycle", "motorcycle"),
        ("class8_sleeper", "class8_sleeper"),
        ("class8_daycab", "class8_daycab"),
        ("rv", "rv_travel_trailer"),
        ("boat", "boat"),
        ("home", "home_long_run_nominal"),
    ],
)
def test_default_preset_names(name: str, preset: str) -> None:
    assert default_preset_name(name) == preset


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("car", AssetClass.CAR),
        (" Pickup ", AssetClass.PICKUP),
        ("CLASS8-SLEEPER", AssetClass.CLASS8_SLEEPER),
        ("class8 daycab", AssetClass.CLASS8_DAYCAB),
        (AssetClass.HOME, AssetClass.HOME),
    ],
)
def test_parse_forgives_case_spaces_and_dashes(typed: object, expected: AssetClass) -> None:
    assert parse_asset_class(typed) is expected


@pytest.mark.parametrize("bad", ["tractor", "", "pickup_truck", "heavy_truck", 8, None, ["car"]])
def test_unknown_class_names_the_field_and_lists_the_choices(bad: object) -> None:
    with pytest.raises(InputError) as caught:
        parse_asset_class(bad)
    assert caught.value.field == "asset_class"
    assert caught.value.rule.startswith("must be one of car, suv, pickup, ev, hybrid, motorcycle,")
    assert "home" in caught.value.rule


def test_custom_field_name_is_reported() -> None:
    with pytest.raises(InputError) as caught:
        parse_asset_class("plane", "collateral")
    assert caught.value.field == "collateral"


def test_cost_group_of_unknown_class_names_asset_class() -> None:
    with pytest.raises(InputError) as caught:
        cost_group("plane")
    assert caught.value.field == "asset_class"


def test_asset_class_is_a_string_for_json() -> None:
    assert AssetClass.CLASS8_DAYCAB == "class8_daycab"
    assert f"{AssetClass.RV}" == "rv"
