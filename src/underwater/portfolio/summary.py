"""The book's summary, accumulated chunk by chunk: how much of it is under water, and where.

For the base case and each shock: loans, loans under water and their share, total and average
negative equity (the average over the loans under water), total estimated deficiency, LTV
buckets (balance ÷ value: ≤ 80 %, 80-100 %, 100-120 %, 120-140 %, > 140 %, and ``no_value``
when the value is 0; a bucket includes its upper bound), and the same counts and totals by
asset class and by state (``none`` when the row has no state); the distribution of crossover
months (how many loans surface for good at each month; ``none``: still under water at the end of
the term); and the book month by month to the horizon with its LTV migration
(:mod:`underwater.portfolio.rollforward`). Money in JSON is a string with two decimals, shares
strings with four decimals (0.2692 is 26.92 %), counts integers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np

from underwater.money import format_money, format_ratio, from_cents
from underwater.portfolio.rollforward import LTV_BOUNDS, MARK_EVERY, Rolled
from underwater.portfolio.scenarios import Scenarios
from underwater.portfolio.schema import (
    ASSET_CLASSES,
    FIRST_YEAR,
    LAST_YEAR,
    MAX_PAYMENTS,
    STATE_CODES,
    Book,
    quarter_name,
)
from underwater.portfolio.stress import StressPath

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from underwater.portfolio.kernel import Result

__all__ = ["LTV_BUCKETS", "Summary", "render_summary"]

LTV_BUCKETS: tuple[str, ...] = ("le_80", "80_100", "100_120", "120_140", "gt_140", "no_value")
"""LTV bucket keys: upper bounds 80, 100, 120, 140 % inclusive; ``no_value`` when value is 0."""
assert len(LTV_BUCKETS) == len(LTV_BOUNDS) + 2
_QUARTERS = tuple(quarter_name(code) for code in range((LAST_YEAR - FIRST_YEAR + 1) * 4))


def _tally_quarters(tally: _Tally, quarters: NDArray[np.int64], negative: NDArray[np.int64]) -> None:
    known = quarters >= 0
    if not known.any():
        return
    codes, owing = quarters[known], negative[known]
    size = len(tally.loans)
    tally.loans += np.bincount(codes, minlength=size)
    tally.under += np.bincount(codes, weights=owing > 0, minlength=size).astype(np.int64)
    # Sums of cents in int64 (bincount's float weights would round past 2**53 cents).
    np.add.at(tally.negative, codes, owing)


_STATES = ("none", *STATE_CODES)


@dataclass
class _Tally:
    loans: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    under: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    negative: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @classmethod
    def sized(cls, size: int) -> _Tally:
        return cls(np.zeros(size, np.int64), np.zeros(size, np.int64), np.zeros(size, np.int64))

    def merge(self, other: _Tally) -> None:
        self.loans += other.loans
        self.under += other.under
        self.negative += other.negative

    def to_json(self, names: tuple[str, ...]) -> dict[str, Any]:
        return {
            name: _group(int(self.loans[k]), int(self.under[k]), int(self.negative[k]))
            for k, name in enumerate(names)
            if self.loans[k]
        }


def _share(part: int, whole: int) -> str | None:
    return format_ratio(Decimal(part) / Decimal(whole)) if whole else None


def _group(loans: int, under: int, negative: int) -> dict[str, Any]:
    return {
        "loans": loans,
        "under_water": under,
        "share_under_water": _share(under, loans),
        "total_negative_equity": format_money(from_cents(negative)),
    }


@dataclass
class _Scenario:
    shock: Decimal
    path: StressPath | None = None
    flipped: int = 0
    expected_loss: int = 0
    with_expected_loss: int = 0
    cltv_buckets: np.ndarray = field(default_factory=lambda: np.zeros(len(LTV_BUCKETS), dtype=np.int64))
    by_quarter: _Tally = field(default_factory=lambda: _Tally.sized(len(_QUARTERS)))
    total: _Tally = field(default_factory=lambda: _Tally.sized(1))
    by_class: _Tally = field(default_factory=lambda: _Tally.sized(len(ASSET_CLASSES)))
    by_state: _Tally = field(default_factory=lambda: _Tally.sized(len(_STATES)))
    buckets: np.ndarray = field(default_factory=lambda: np.zeros(len(LTV_BUCKETS), dtype=np.int64))
    deficiency: int = 0
    # crossovers[m + 1]: loans whose crossover month is m (crossovers[0]: none, still under at the end)
    crossovers: np.ndarray = field(default_factory=lambda: np.zeros(MAX_PAYMENTS + 2, dtype=np.int64))

    def merge(self, other: _Scenario) -> None:
        self.total.merge(other.total)
        self.by_class.merge(other.by_class)
        self.by_state.merge(other.by_state)
        self.buckets += other.buckets
        self.deficiency += other.deficiency
        self.crossovers += other.crossovers
        self.flipped += other.flipped
        self.expected_loss += other.expected_loss
        self.with_expected_loss += other.with_expected_loss
        self.cltv_buckets += other.cltv_buckets
        self.by_quarter.merge(other.by_quarter)

    def crossover_json(self) -> dict[str, int]:
        months = {str(m - 1): int(n) for m, n in enumerate(self.crossovers) if n and m}
        return months | ({"none": int(self.crossovers[0])} if self.crossovers[0] else {})

    def to_json(self) -> dict[str, Any]:
        loans, under, negative = (
            int(self.total.loans[0]),
            int(self.total.under[0]),
            int(self.total.negative[0]),
        )
        average = format_money(from_cents(negative) / under) if under else None
        if self.path is None:
            named: dict[str, Any] = {"shock_percent": format(self.shock.normalize(), "f")}
        else:
            path = self.path
            named = {
                "stress": path.name,
                "title": path.title,
                "source": path.source,
                "as_of": path.as_of,
                "confidence": path.confidence,
                "note": path.note,
                "recovery_percent": format(path.recovery_percent.normalize(), "f"),
                "trough_month": path.trough_month,
                "lowest_index": format(min(path.levels).normalize(), "f"),
            }
        if self.path is not None or self.shock:
            named["flipped_under_water"] = self.flipped
        return named | {
            "loans": loans,
            "under_water": under,
            "share_under_water": _share(under, loans),
            "total_negative_equity": format_money(from_cents(negative)),
            "average_negative_equity": average,
            "total_estimated_deficiency": format_money(from_cents(self.deficiency)),
            "ltv_buckets": {name: int(self.buckets[k]) for k, name in enumerate(LTV_BUCKETS)},
            "cltv_buckets": {name: int(self.cltv_buckets[k]) for k, name in enumerate(LTV_BUCKETS)},
            "by_asset_class": self.by_class.to_json(ASSET_CLASSES),
            "by_state": self.by_state.to_json(_STATES),
            "by_origination_quarter": self.by_quarter.to_json(_QUARTERS),
            "crossover_months": self.crossover_json(),
        }


@dataclass
class Summary:
    """Counts of rows and the per-scenario figures; :meth:`add` one chunk at a time.

    ``rows_in`` = ``rows_out`` + ``rows_rejected`` always holds for a finished run.
    """

    scenarios: Scenarios = Scenarios()
    """The run's scenarios (the kernel must be run with the same): the base case and its
    shocks, then its stress paths (keyed by name), over months 0..its horizon."""
    rows_in: int = 0
    rows_out: int = 0
    rows_rejected: int = 0
    with_probability: int = 0
    """Loans whose row gives a ``default_probability``: the expected loss is theirs alone."""
    tallies: dict[Decimal | str, _Scenario] = field(default_factory=dict)
    """Each scenario's counts, by its key (the base case's: shock 0)."""
    rolled: Rolled | None = None

    def __post_init__(self) -> None:
        if not self.tallies:
            self.tallies = {s: _Scenario(s) for s in (Decimal(0), *self.scenarios.shocks)}
            self.tallies |= {path.name: _Scenario(Decimal(0), path) for path in self.scenarios.paths}
        if self.rolled is None:
            horizon = self.scenarios.horizon
            marks = np.arange(MARK_EVERY, horizon + 1, MARK_EVERY, dtype=np.int64)
            self.rolled = Rolled.empty(len(self.tallies), horizon, marks)

    def add(self, book: Book, result: Result, rejected: int) -> None:
        """Count a chunk: its good loans with their kernel result, and its rejects."""
        # The compiled loop (numba) loads on first use, not with this module.
        from underwater.portfolio.tally import tally

        assert self.rolled is not None
        self.rows_in += len(book) + rejected
        self.rows_out += len(book)
        self.rows_rejected += rejected
        self.rolled.merge(result.rolled)
        self.with_probability += int(np.count_nonzero(book.default_probability >= 0))
        never = result.scenarios[Decimal(0)].first_under_water_month < 0
        for shock, scenario in self.tallies.items():
            figures = result.scenarios[shock]
            # Loans never under water in the base case that go under at some month here.
            scenario.flipped += int(np.count_nonzero(never & (figures.first_under_water_month >= 0)))
            expected = figures.expected_loss
            scenario.expected_loss += int(expected[expected > 0].sum())
            scenario.with_expected_loss += int(np.count_nonzero(expected >= 0))
            _tally_quarters(scenario.by_quarter, book.origination_quarter, figures.negative_equity)
            scenario.crossovers += np.bincount(figures.crossover_month + 1, minlength=MAX_PAYMENTS + 2)
            deficiency = np.zeros(1, dtype=np.int64)
            tally(
                book.asset_class,
                book.state,
                book.balance,
                result.owed,
                figures.value,
                figures.negative_equity,
                figures.estimated_deficiency,
                (scenario.total.loans, scenario.total.under, scenario.total.negative),
                (scenario.by_class.loans, scenario.by_class.under, scenario.by_class.negative),
                (scenario.by_state.loans, scenario.by_state.under, scenario.by_state.negative),
                scenario.buckets,
                scenario.cltv_buckets,
                deficiency,
            )
            scenario.deficiency += int(deficiency[0])

    def merge(self, other: Summary) -> None:
        """Add another summary's counts (the same scenarios) into this one."""
        self.rows_in += other.rows_in
        self.rows_out += other.rows_out
        self.rows_rejected += other.rows_rejected
        self.with_probability += other.with_probability
        assert self.rolled is not None and other.rolled is not None
        self.rolled.merge(other.rolled)
        for shock, scenario in self.tallies.items():
            scenario.merge(other.tallies[shock])

    def to_json(self) -> dict[str, Any]:
        """Keys: ``rows_in``, ``rows_out``, ``rows_rejected`` and ``scenarios`` (a list, base case
        first, each with ``shock_percent`` (a stress path instead: ``stress``, ``title``,
        ``source``, ``as_of``, ``confidence``, ``note``, ``recovery_percent``, ``trough_month``,
        ``lowest_index``), ``flipped_under_water`` (beyond the base case: loans never under
        water in the base case that are under water in some month here), ``loans``, ``under_water``, ``share_under_water``,
        ``total_negative_equity``, ``average_negative_equity``, ``total_estimated_deficiency``,
        ``ltv_buckets``, ``cltv_buckets`` (the same buckets of owed ÷ value, other liens
        included), ``by_asset_class``, ``by_state``, ``by_origination_quarter`` (``2023Q2``: the
        loans whose row gives an ``origination_date``), ``crossover_months`` (loans by the
        month they surface for good: ``"0"`` never under water, ``none`` still under at the end),
        ``total_expected_loss`` (a default probability × the estimated deficiency, over the loans
        that have both: the row's own ``default_probability``, else its CLTV bucket's from
        ``default_by_ltv``; null when no loan has both) and ``loans_with_expected_loss`` (how
        many), ``by_month`` (months 0..``horizon_months``, see
        :meth:`~underwater.portfolio.rollforward.Rolled.by_month`) and ``ltv_migration`` (see
        :meth:`~underwater.portfolio.rollforward.Rolled.migration`)), ``horizon_months``,
        ``loans_with_default_probability`` (rows that give their own) and ``default_by_ltv`` (the
        run's probabilities by CLTV bucket, null when none was given)."""
        assert self.rolled is not None
        rolled, curve = self.rolled, self.scenarios.default_by_ltv
        return {
            "rows_in": self.rows_in,
            "rows_out": self.rows_out,
            "rows_rejected": self.rows_rejected,
            "horizon_months": self.scenarios.horizon,
            "loans_with_default_probability": self.with_probability,
            "default_by_ltv": None if curve is None else curve.to_json(),
            "scenarios": [
                scenario.to_json()
                | {
                    "total_expected_loss": (
                        format_money(from_cents(scenario.expected_loss))
                        if scenario.with_expected_loss
                        else None
                    ),
                    "loans_with_expected_loss": scenario.with_expected_loss,
                    "by_month": rolled.by_month(k),
                    "ltv_migration": rolled.migration(k),
                }
                for k, scenario in enumerate(self.tallies.values())
            ],
        }


def _label(scenario: dict[str, Any], base: str) -> str:
    if "stress" in scenario:
        return f"stress {scenario['stress']}"
    return base if scenario["shock_percent"] == "0" else f"shock {scenario['shock_percent']} %"


def render_summary(summary: Summary) -> str:
    """The summary as a plain-text table for a terminal."""
    data = summary.to_json()
    longest = max(len(_label(scenario, "base")) for scenario in data["scenarios"]) + 1
    w, w2 = max(14, longest), max(16, longest)
    lines = [
        f"rows in {data['rows_in']:,}  ·  out {data['rows_out']:,}  ·  rejected {data['rows_rejected']:,}",
        "",
        f"{'scenario':<{w}}{'loans':>12}{'under water':>13}{'share':>9}{'negative equity':>20}{'average':>13}",
    ]
    for scenario in data["scenarios"]:
        name = _label(scenario, "base")
        share = (
            "-"
            if scenario["share_under_water"] is None
            else f"{Decimal(scenario['share_under_water']) * 100:.2f} %"
        )
        average = scenario["average_negative_equity"] or "-"
        lines.append(
            f"{name:<{w}}{scenario['loans']:>12,}{scenario['under_water']:>13,}{share:>9}"
            f"{Decimal(scenario['total_negative_equity']):>20,.2f}{average if average == '-' else f'{Decimal(average):,.2f}':>13}"
        )
    lines += [
        "",
        f"{'month by month':<{w2}}{'month':>6}{'open':>12}{'under water':>13}{'share':>9}{'negative equity':>20}",
    ]
    for scenario in data["scenarios"]:
        name = _label(scenario, "base")
        shown = [
            row
            for row in scenario["by_month"]
            if row["month"] % 12 == 0 or row["month"] == data["horizon_months"]
        ]
        for row in shown:
            share = (
                "-"
                if row["share_under_water"] is None
                else f"{Decimal(row['share_under_water']) * 100:.2f} %"
            )
            lines.append(
                f"{name:<{w2}}{row['month']:>6}{row['loans_open']:>12,}{row['under_water']:>13,}{share:>9}"
                f"{Decimal(row['total_negative_equity']):>20,.2f}"
            )
    for scenario in data["scenarios"]:
        name = _label(scenario, "base case")
        lines += [
            "",
            f"LTV buckets, {name}: " + ", ".join(f"{k} {v:,}" for k, v in scenario["ltv_buckets"].items()),
        ]
        if scenario["cltv_buckets"] != scenario["ltv_buckets"]:  # other liens move some loans
            lines.append(
                f"CLTV buckets, {name}: "
                + ", ".join(f"{k} {v:,}" for k, v in scenario["cltv_buckets"].items())
            )
        lines.append(
            f"{'asset class':<16}{'loans':>12}{'under water':>13}{'share':>9}{'negative equity':>20}"
        )
        for cls, group in scenario["by_asset_class"].items():
            cls_share = f"{Decimal(group['share_under_water']) * 100:.2f} %"
            lines.append(
                f"{cls:<16}{group['loans']:>12,}{group['under_water']:>13,}{cls_share:>9}"
                f"{Decimal(group['total_negative_equity']):>20,.2f}"
            )
    stressed = [scenario for scenario in data["scenarios"] if "flipped_under_water" in scenario]
    if stressed:
        lines += [
            "",
            f"{'against the base case':<{w2}}{'flipped under water':>21}{'estimated deficiency':>22}",
        ]
        lines += [
            f"{_label(scenario, ''):<{w2}}{scenario['flipped_under_water']:>21,}"
            f"{Decimal(scenario['total_estimated_deficiency']):>22,.2f}"
            for scenario in stressed
        ]
        for scenario in stressed:
            if "stress" in scenario and scenario["confidence"]:
                lines.append(
                    f"stress {scenario['stress']}: {scenario['title']}; lowest index {scenario['lowest_index']} "
                    f"in month {scenario['trough_month']}, recovery {scenario['recovery_percent']} % of the usual "
                    f"proceeds; source: {scenario['source']} (as of {scenario['as_of']}, confidence "
                    f"{scenario['confidence']})"
                )
    if any(scenario["loans_with_expected_loss"] for scenario in data["scenarios"]):
        basis = f"  default probability: a row's own ({data['loans_with_default_probability']:,} loans)"
        if data["default_by_ltv"]:
            basis += ", else by CLTV bucket: " + ", ".join(
                f"{k} {v}" for k, v in data["default_by_ltv"].items()
            )
        lines += [
            "",
            "expected loss: "
            + "; ".join(
                f"{_label(scenario, 'base')} {Decimal(scenario['total_expected_loss'] or 0):,.2f}"
                f" over {scenario['loans_with_expected_loss']:,} loans"
                for scenario in data["scenarios"]
            ),
            basis,
        ]
    lines.append("")
    lines.append("By state: see --summary-json (by_state).")
    if data["scenarios"][0]["by_origination_quarter"]:
        lines.append("By origination quarter: see --summary-json (by_origination_quarter).")
    return "\n".join(lines)
