"""The kinds of collateral underwater knows, with the facts other modules look up by kind.

Every module that cares what the asset is (depreciation presets, repossession cost defaults,
state deficiency rules, the portfolio summary by class) uses the same eleven names:

=================  ======================================  ====================  ==========================
asset class        what it is                              cost group            default depreciation preset
=================  ======================================  ====================  ==========================
``car``            passenger car                           ``light_vehicle``     ``car_carfax``
``suv``            sport-utility vehicle                   ``light_vehicle``     ``suv_2025``
``pickup``         light-duty pickup truck                 ``light_vehicle``     ``pickup``
``ev``             battery-electric car                    ``light_vehicle``     ``ev_2025``
``hybrid``         hybrid car                              ``light_vehicle``     ``hybrid_2025``
``motorcycle``     motorcycle                              ``light_vehicle``     ``motorcycle``
``class8_sleeper`` Class 8 tractor with a sleeper cab      ``heavy_truck``       ``class8_sleeper``
``class8_daycab``  Class 8 day-cab tractor                 ``heavy_truck``       ``class8_daycab``
``rv``             recreational vehicle                    ``rv``                ``rv_travel_trailer``
``boat``           boat                                    ``boat``              ``boat``
``home``           home (mortgage; foreclosure, not repo)  ``home``              ``home_long_run_nominal``
=================  ======================================  ====================  ==========================

The **cost group** picks the repossession cost defaults in the deficiency module; a home is
foreclosed rather than repossessed, so its group has no repossession cost defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from underwater.errors import InputError

__all__ = [
    "COST_GROUPS",
    "DEFAULT_PRESETS",
    "LABELS",
    "AssetClass",
    "CostGroup",
    "cost_group",
    "default_preset_name",
    "parse_asset_class",
]


class AssetClass(StrEnum):
    """One kind of collateral; the value is the name used in JSON, the CLI and the web form."""

    CAR = "car"
    SUV = "suv"
    PICKUP = "pickup"
    EV = "ev"
    HYBRID = "hybrid"
    MOTORCYCLE = "motorcycle"
    CLASS8_SLEEPER = "class8_sleeper"
    CLASS8_DAYCAB = "class8_daycab"
    RV = "rv"
    BOAT = "boat"
    HOME = "home"


class CostGroup(StrEnum):
    """Which table of repossession (or foreclosure) cost defaults an asset class uses."""

    LIGHT_VEHICLE = "light_vehicle"
    HEAVY_TRUCK = "heavy_truck"
    RV = "rv"
    BOAT = "boat"
    HOME = "home"


COST_GROUPS: Mapping[AssetClass, CostGroup] = MappingProxyType(
    {
        AssetClass.CAR: CostGroup.LIGHT_VEHICLE,
        AssetClass.SUV: CostGroup.LIGHT_VEHICLE,
        AssetClass.PICKUP: CostGroup.LIGHT_VEHICLE,
        AssetClass.EV: CostGroup.LIGHT_VEHICLE,
        AssetClass.HYBRID: CostGroup.LIGHT_VEHICLE,
        AssetClass.MOTORCYCLE: CostGroup.LIGHT_VEHICLE,
        AssetClass.CLASS8_SLEEPER: CostGroup.HEAVY_TRUCK,
        AssetClass.CLASS8_DAYCAB: CostGroup.HEAVY_TRUCK,
        AssetClass.RV: CostGroup.RV,
        AssetClass.BOAT: CostGroup.BOAT,
        AssetClass.HOME: CostGroup.HOME,
    }
)
"""Asset class → repossession cost group (``home`` means foreclosure: no repossession defaults)."""

DEFAULT_PRESETS: Mapping[AssetClass, str] = MappingProxyType(
    {
        AssetClass.CAR: "car_carfax",
        AssetClass.SUV: "suv_2025",
        AssetClass.PICKUP: "pickup",
        AssetClass.EV: "ev_2025",
        AssetClass.HYBRID: "hybrid_2025",
        AssetClass.MOTORCYCLE: "motorcycle",
        AssetClass.CLASS8_SLEEPER: "class8_sleeper",
        AssetClass.CLASS8_DAYCAB: "class8_daycab",
        AssetClass.RV: "rv_travel_trailer",
        AssetClass.BOAT: "boat",
        AssetClass.HOME: "home_long_run_nominal",
    }
)
"""Asset class → name of the depreciation preset used when the user picks none."""

LABELS: Mapping[AssetClass, str] = MappingProxyType(
    {
        AssetClass.CAR: "Car",
        AssetClass.SUV: "SUV",
        AssetClass.PICKUP: "Pickup truck (light duty)",
        AssetClass.EV: "Electric car",
        AssetClass.HYBRID: "Hybrid car",
        AssetClass.MOTORCYCLE: "Motorcycle",
        AssetClass.CLASS8_SLEEPER: "Class 8 truck, sleeper cab",
        AssetClass.CLASS8_DAYCAB: "Class 8 truck, day cab",
        AssetClass.RV: "RV",
        AssetClass.BOAT: "Boat",
        AssetClass.HOME: "Home",
    }
)
"""Asset class → a short label for tables and web forms."""

_VALID_NAMES = ", ".join(member.value for member in AssetClass)


def parse_asset_class(value: object, field: str = "asset_class") -> AssetClass:
    """Read an asset class name as a person types it (``"Class8-Sleeper"`` works).

    Case, surrounding spaces and dashes-for-underscores are forgiven; anything else that is
    not one of the eleven names raises :class:`~underwater.errors.InputError` naming ``field``
    and listing the valid names.

    >>> parse_asset_class(" Pickup ")
    <AssetClass.PICKUP: 'pickup'>
    >>> parse_asset_class("tractor")
    Traceback (most recent call last):
    ...
    underwater.errors.InputError: asset_class: must be one of car, suv, pickup, ev, hybrid, \
motorcycle, class8_sleeper, class8_daycab, rv, boat, home (got 'tractor')
    """
    if isinstance(value, AssetClass):
        return value
    if isinstance(value, str):
        key = value.strip().lower().replace("-", "_").replace(" ", "_")
        try:
            return AssetClass(key)
        except ValueError:
            pass
    raise InputError(field, f"must be one of {_VALID_NAMES}", got=value)


def cost_group(asset_class: AssetClass | str) -> CostGroup:
    """The repossession cost group of an asset class (a home's group is ``home``: foreclosure).

    A lender repossessing a Class 8 day cab uses the heavy-truck cost defaults:

    >>> cost_group("class8_daycab")
    <CostGroup.HEAVY_TRUCK: 'heavy_truck'>
    """
    return COST_GROUPS[parse_asset_class(asset_class)]


def default_preset_name(asset_class: AssetClass | str) -> str:
    """The name of the depreciation preset used for an asset class when none is chosen.

    >>> default_preset_name("ev")
    'ev_2025'
    """
    return DEFAULT_PRESETS[parse_asset_class(asset_class)]
