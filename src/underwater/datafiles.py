"""Read the data tables shipped inside the package (``underwater/data/*.json``).

The tables (depreciation presets, repossession cost defaults, state rules) are plain JSON files
in the package's ``data`` folder, read through :mod:`importlib.resources` so they are found the
same way from a source checkout, an installed wheel or a zip. Every number written with a
decimal point is read as an exact :class:`decimal.Decimal` (``0.418`` stays ``0.418``); whole
numbers are ``int``. Each file is parsed once per process and cached: treat the result as
read-only, because every caller shares the same object.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
from decimal import Decimal
from typing import Any

__all__ = ["load_json"]


@functools.cache
def load_json(name: str) -> Any:
    """The parsed content of ``underwater/data/<name>``, with decimals read as ``Decimal``.

    ``name`` is a bare file name ending in ``.json``; a path or another suffix is a
    programming mistake and raises :class:`ValueError`. The result is cached and shared:
    do not modify it.

    >>> load_json("depreciation.json")["curves"]["car_carfax"]["points"][0]["retention"]
    Decimal('0.800')
    """
    if not name.endswith(".json") or "/" in name or "\\" in name or name.startswith("."):
        raise ValueError(f"data file name must be a bare '*.json' name, got {name!r}")
    resource = importlib.resources.files("underwater") / "data" / name
    with resource.open("r", encoding="utf-8") as handle:
        return json.load(handle, parse_float=Decimal)
