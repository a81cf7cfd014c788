"""Named stress paths: a value index over the months ahead, applied to every loan of a book.

A :class:`StressPath` is the same value-path idea as :class:`underwater.valuepath.ValuePath`:
each loan's value in month t is its class's curve times the index,

``value_t = value × index_t / 100 × r(age + t) / r(age)``, rounded to the cent,

with ``index_t`` in points (100 = the value as given today; month 0 may differ: 90 is a 10 %
fall at once), held at its last level after the last month given. A path may also lower the
share of the usual auction proceeds a repossession sale brings (``recovery_percent``, 100 = as
usual), which only the estimated deficiency feels. Under a path the deficiency is estimated for
a surrender in the path's **trough month** (its lowest index, the first such month): the balance
then against the value then (a loan paid off by then leaves none).

Presets come from ``underwater/data/stress_paths.json``: dated points from cited history, each
with its source, as-of date and confidence label (:func:`preset_paths`); a user's path comes
from a CSV of ``month,index`` (:func:`parse_path_csv`).

An index level has at most 4 decimals, so index ÷ 100 is a whole number of millionths: the
kernel's value factors are exact integers (:data:`~underwater.portfolio.paths.SHOCK_SCALE`).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from underwater.datafiles import load_json
from underwater.errors import InputError
from underwater.money import parse_decimal

__all__ = [
    "MAX_INDEX",
    "MAX_PATH_MONTHS",
    "StressPath",
    "parse_path_csv",
    "preset_paths",
    "stress_path",
]

MAX_PATH_MONTHS = 600
"""The last month a path may give (the longest remaining term)."""
MAX_INDEX = Decimal(1000)
"""The highest index level: ten times today's value."""
_PLACES = Decimal("0.0001")
_NAME = re.compile(r"[a-z0-9_]{1,40}")
_NUMBER = re.compile(r"[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
_WHOLE = re.compile(r"[0-9]{1,4}")
_MAX_CSV_BYTES = 1 << 20


@dataclass(frozen=True, slots=True)
class StressPath:
    """A value index by month: ``levels[t]`` in points for months 0..len − 1 (100 = today's
    value; held after the last), and ``recovery_percent`` of the usual auction proceeds (100:
    as usual). ``name`` names its output columns (``peak_negative_equity_stress_NAME``); ``title``,
    ``source``, ``as_of``, ``confidence`` and ``note`` say where it comes from.

    >>> path = StressPath("dip", (Decimal(100), Decimal("87.5")))
    >>> path.level(0), path.level(30), path.trough_month
    (Decimal('100'), Decimal('87.5'), 1)
    """

    name: str
    levels: tuple[Decimal, ...]
    recovery_percent: Decimal = Decimal(100)
    title: str = ""
    source: str = ""
    as_of: str = ""
    confidence: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        if not _NAME.fullmatch(self.name):
            raise InputError("stress", "a path's name must be 1 to 40 of a-z, 0-9 and _", got=self.name)
        given: object = self.levels  # a notebook may pass anything
        if isinstance(given, (str, bytes)) or not isinstance(given, Sequence):
            raise InputError("index", "a path's levels must be a sequence of index points", got=given)
        if not 1 <= len(self.levels) <= MAX_PATH_MONTHS + 1:
            raise InputError(
                "stress", f"a path gives 1 to {MAX_PATH_MONTHS + 1} months", got=len(self.levels)
            )
        # Held as Decimal whatever exact form a notebook gave (90, "87.5"); a float is refused.
        object.__setattr__(self, "levels", tuple(parse_decimal(level, "index") for level in self.levels))
        object.__setattr__(self, "recovery_percent", parse_decimal(self.recovery_percent, "recovery_percent"))
        for level in self.levels:
            _check_level(level, "index")
        if not (
            0 < self.recovery_percent <= 100
            and self.recovery_percent == self.recovery_percent.quantize(Decimal("0.01"))
        ):
            raise InputError(
                "recovery_percent",
                "must be above 0 and at most 100, with at most 2 decimals",
                got=self.recovery_percent,
            )

    def level(self, month: int) -> Decimal:
        """The index in ``month`` (held at the last level after the last month given)."""
        return self.levels[min(month, len(self.levels) - 1)]

    def factors(self, months: int) -> tuple[Decimal, ...]:
        """The value factor (index ÷ 100) of months 0..``months``."""
        return tuple(self.level(t) / 100 for t in range(months + 1))

    @property
    def trough_month(self) -> int:
        """The first month of the lowest index: when the deficiency is estimated."""
        lowest = min(self.levels)
        return self.levels.index(lowest)


def _check_level(level: Decimal, field: str) -> None:
    if not (0 < level <= MAX_INDEX) or level != level.quantize(_PLACES):
        raise InputError(
            field, f"must be index points above 0 and at most {MAX_INDEX} with at most 4 decimals", got=level
        )


def _months_between(first: str, later: str) -> int:
    (y0, m0), (y1, m1) = (map(int, first.split("-")), map(int, later.split("-")))
    return (y1 - y0) * 12 + m1 - m0


def _interpolated(points: Sequence[tuple[int, Decimal]]) -> tuple[Decimal, ...]:
    """Levels for months 0..last from (month, level) points, straight lines between them,
    rounded half up to 4 decimals."""
    levels = [points[0][1]]
    for (m0, v0), (m1, v1) in itertools.pairwise(points):
        for t in range(m0 + 1, m1 + 1):
            level = v0 + (v1 - v0) * (t - m0) / (m1 - m0)
            levels.append(level.quantize(_PLACES, rounding=ROUND_HALF_UP))
    return tuple(levels)


@functools.cache
def preset_paths() -> dict[str, StressPath]:
    """The named paths of ``underwater/data/stress_paths.json``, by name; each preset's points
    are put on 100 at its first point (a Manheim level of 219.3 becomes 100).

    >>> path = preset_paths()["manheim_april_2020"]
    >>> path.levels, path.confidence
    ((Decimal('100.0000'), Decimal('88.2311')), 'S')
    """
    paths: dict[str, StressPath] = {}
    for name, data in load_json("stress_paths.json")["paths"].items():
        points = [(date, Decimal(level)) for date, level in data["points"]] or [("", Decimal(100))]
        start_date, start_level = points[0]
        anchored = [
            (_months_between(start_date, date) if start_date else 0, (level * 100 / start_level))
            for date, level in points
        ]
        anchored = [(month, level.quantize(_PLACES, rounding=ROUND_HALF_UP)) for month, level in anchored]
        paths[name] = StressPath(
            name,
            _interpolated(anchored),
            Decimal(data["recovery_percent"]),
            data["title"],
            data["source"],
            data["as_of"],
            data["confidence"],
            data["note"],
        )
    return paths


def stress_path(name: str) -> StressPath:
    """The preset called ``name``; an unknown name is an :class:`~underwater.errors.InputError`
    listing the presets.

    >>> stress_path("sp_subprime_2022_recovery").recovery_percent
    Decimal('80')
    """
    known = preset_paths()
    if name not in known:
        raise InputError("stress", "must be one of " + ", ".join(known), got=name)
    return known[name]


def parse_path_csv(text: str, name: str, field: str = "stress_file") -> StressPath:
    """A user's path from CSV text: a header ``month,index``, then one row per month given:
    ``month`` a whole number 0..600, the first 0 and each later one larger; ``index`` in points
    (100 = today's value), above 0 and at most 1000, at most 4 decimals. Months between two rows
    are a straight line between them (rounded to 4 decimals); after the last the index is held.
    A row breaking a rule is an :class:`~underwater.errors.InputError` naming its line, column
    and rule (``field``: the option the file came from).

    >>> parse_path_csv("month,index\\n0,100\\n2,90\\n", "mine").levels
    (Decimal('100'), Decimal('95.0000'), Decimal('90.0000'))
    >>> parse_path_csv("month,index\\n0,100\\n0,90\\n", "mine")
    Traceback (most recent call last):
    ...
    underwater.errors.InputError: stress_file: line 3: month must be larger than the month before (got '0')
    """
    if len(text) > _MAX_CSV_BYTES:
        raise InputError(field, f"must be at most {_MAX_CSV_BYTES:,} characters")
    lines = text.lstrip("\ufeff").splitlines()
    header = [cell.strip().lower() for cell in lines[0].split(",")] if lines else []
    if header != ["month", "index"]:
        raise InputError(field, "line 1: the header must be month,index", got=lines[0] if lines else "")
    points: list[tuple[int, Decimal]] = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = [cell.strip(" \t") for cell in line.split(",")]
        if len(cells) != 2:
            raise InputError(field, f"line {number}: must have two cells, month and index", got=line)
        month_text, index_text = cells
        if not _WHOLE.fullmatch(month_text) or int(month_text) > MAX_PATH_MONTHS:
            raise InputError(
                field, f"line {number}: month must be a whole number 0 to {MAX_PATH_MONTHS}", got=month_text
            )
        month = int(month_text)
        if not points and month != 0:
            raise InputError(field, f"line {number}: the first month must be 0 (today)", got=month_text)
        if points and month <= points[-1][0]:
            raise InputError(
                field, f"line {number}: month must be larger than the month before", got=month_text
            )
        if not _NUMBER.fullmatch(index_text):
            raise InputError(
                field, f"line {number}: index must be a number of points such as 87.5", got=index_text
            )
        try:
            level = Decimal(index_text)
            _check_level(level, field)
        except (InputError, InvalidOperation):
            raise InputError(
                field,
                f"line {number}: index must be above 0 and at most {MAX_INDEX} with at most 4 decimals",
                got=index_text,
            ) from None
        points.append((month, level))
    if not points:
        raise InputError(field, "has no rows: give month 0 at least")
    return StressPath(name, _interpolated(points))
