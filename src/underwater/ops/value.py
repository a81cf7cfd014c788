"""The ``value`` job: what the asset will be worth, month by month, and where the curve comes from."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from underwater.assets import AssetClass
from underwater.depreciation import (
    ComparableSale,
    FittedCurve,
    RetentionCurve,
    constant_rate_curve,
    custom_curve,
    default_preset,
    fit_comparables,
    preset,
    presets,
    value_path,
)
from underwater.errors import InputError
from underwater.forms import Field, Form, Kind
from underwater.money import format_money, format_money_human, parse_decimal, parse_money
from underwater.ops import Operation
from underwater.situation import ASSET_CLASS
from underwater.textfmt import grid, key_values


@dataclass(frozen=True, slots=True)
class ValueProjection:
    """A value path from today's value, the curve behind it and, if any, the fit to comparables."""

    value_today: Decimal
    age_months: int
    shock_percent: Decimal
    curve: RetentionCurve
    fit: FittedCurve | None
    values: tuple[Decimal, ...]

    @property
    def warnings(self) -> tuple[str, ...]:
        """What to check before relying on the path: a fit to comparables that runs the wrong
        way (more miles or more age raising the price); empty when there is nothing to say."""
        return () if self.fit is None else self.fit.warnings

    def to_json(self) -> dict[str, Any]:
        """Keys: ``value_today``, ``age_months``, ``shock_percent``, ``horizon_months``,
        ``value_at_horizon``, ``value_lost``, ``months`` (``month``, ``value``), ``warnings``
        (a list of sentences, empty when all is well), ``curve``, ``fit``."""
        return {
            "value_today": format_money(self.value_today),
            "age_months": self.age_months,
            "shock_percent": str(self.shock_percent),
            "horizon_months": len(self.values) - 1,
            "value_at_horizon": format_money(self.values[-1]),
            "value_lost": format_money(self.value_today - self.values[-1]),
            "months": [{"month": m, "value": format_money(v)} for m, v in enumerate(self.values)],
            "warnings": list(self.warnings),
            "curve": self.curve.to_json(),
            "fit": None if self.fit is None else self.fit.to_json(),
        }


def _comparable(text: str) -> ComparableSale:
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 3:
        raise InputError(
            "comparable",
            "must be three numbers separated by commas: the age in months, the miles and the price, "
            "e.g. 36,45000,21500",
            got=text,
        )
    age = parse_decimal(parts[0], "comparable", minimum=Decimal(0), unit="months")
    miles = parse_decimal(parts[1], "comparable", minimum=Decimal(0), unit="miles")
    return ComparableSale(age, miles, parse_money(parts[2], "comparable"))


def _retention_point(text: str) -> tuple[Decimal, Decimal]:
    if "=" not in text:
        raise InputError("retention", "must be YEARS=SHARE_KEPT, e.g. 1=0.80", got=text)
    years, kept = text.split("=", 1)
    return parse_decimal(years, "retention"), parse_decimal(kept, "retention")


def _check(values: dict[str, Any]) -> None:
    chosen = [
        name
        for name in ("depreciation", "depreciation_rate_percent", "retention", "comparable")
        if values[name] not in (None, ())
    ]
    if len(chosen) > 1:
        raise InputError(
            chosen[1], "give one curve: a preset, a yearly rate, retention points or comparables"
        )


_PRESETS = tuple(sorted(presets()))

FORM = Form(
    (
        Field(
            "value",
            Kind.MONEY,
            "what it would sell for now, in dollars: a real offer, an appraisal or a dealer quote",
            required=True,
            example="20000",
            label="What it would fetch today",
            section="asset",
            essential=True,
        ),
        Field(
            "asset_class",
            Kind.CHOICE,
            "what the asset is; it picks the usual depreciation curve",
            default="car",
            choices=tuple(c.value for c in AssetClass),
            label="What it is",
            section="asset",
            essential=True,
            choice_labels=ASSET_CLASS.choice_labels,
        ),
        Field(
            "age_months",
            Kind.INT,
            "how old it is today, in months (two years old: 24); a young asset loses value faster",
            default=0,
            minimum=0,
            maximum=600,
            example="24",
            label="Its age, in months",
            section="asset",
            essential=True,
        ),
        Field(
            "horizon_months",
            Kind.INT,
            "how many months ahead to look",
            default=60,
            minimum=0,
            maximum=600,
            label="Months to look ahead",
            section="projection",
        ),
        Field(
            "depreciation",
            Kind.CHOICE,
            "a published curve to use instead of the usual one for what it is",
            choices=_PRESETS,
            label="A named curve",
            section="curve",
            choice_labels=tuple(preset(name).title for name in _PRESETS),
        ),
        Field(
            "depreciation_rate_percent",
            Kind.PERCENT,
            "a constant share of the value lost each year, in percent, instead of a curve (negative: it "
            "gains value)",
            minimum=-50,
            maximum=99,
            label="Value lost each year, percent",
            section="curve",
        ),
        Field(
            "retention",
            Kind.TEXT,
            "a point of your own curve, instead of a named one, written years=share of the price new still "
            "kept, such as 1=0.80 (80 % kept after a year); one for each point",
            repeat=True,
            example="1=0.80",
            label="Your own curve, a point at a time",
            section="curve",
        ),
        Field(
            "comparable",
            Kind.TEXT,
            "a sale of one like yours, to fit a curve to instead of a named one, written age in months,miles,"
            "price, such as 36,45000,21500; one for each sale, with at least three different ages",
            repeat=True,
            example="36,45000,21500",
            label="A sale of one like it",
            section="curve",
        ),
        Field(
            "shock_percent",
            Kind.PERCENT,
            "a one-time drop in value today, in percent, to test a weak market",
            default=Decimal(0),
            maximum=99,
            label="A market drop to test, percent",
            section="curve",
        ),
        Field(
            "annual_miles",
            Kind.DECIMAL,
            "miles driven a year from now on (cars, motorcycles, trucks): heavy use takes value off faster",
            minimum=0,
            label="Miles a year",
            section="curve",
        ),
    ),
    check=_check,
)


def compute(values: dict[str, Any]) -> ValueProjection:
    """The value path on the chosen (or fitted) curve."""
    fit: FittedCurve | None = None
    curve: RetentionCurve
    if values["comparable"]:
        fit = fit_comparables(
            [_comparable(t) for t in values["comparable"]], asset_class=values["asset_class"]
        )
        curve = fit.curve
    elif values["retention"]:
        curve = custom_curve(
            dict(_retention_point(t) for t in values["retention"]), asset_class=values["asset_class"]
        )
    elif values["depreciation_rate_percent"] is not None:
        curve = constant_rate_curve(values["depreciation_rate_percent"], asset_class=values["asset_class"])
    elif values["depreciation"] is not None:
        curve = preset(values["depreciation"])
    else:
        curve = default_preset(values["asset_class"])
    path = value_path(
        values["value"],
        fit if fit is not None else curve,
        values["age_months"],
        values["horizon_months"],
        shock_percent=values["shock_percent"],
        annual_miles=values["annual_miles"],
    )
    return ValueProjection(values["value"], values["age_months"], values["shock_percent"], curve, fit, path)


def render(result: ValueProjection) -> str:
    """The curve's provenance, the fit (if any) and the value each year."""
    data = result.to_json()
    curve = data["curve"]
    rows = [
        ("curve", f"{curve['name']} ({curve['title']})"),
        ("value today", format_money_human(result.value_today)),
        (f"value in {data['horizon_months']} months", format_money_human(result.values[-1])),
        ("value lost", format_money_human(result.value_today - result.values[-1])),
    ]
    if result.fit is not None:
        fit = data["fit"]
        rows += [
            ("fit: comparables", str(fit["n"])),
            ("fit: loss per year (percent)", fit["depreciation_rate_percent"]),
            ("fit: error (RMSE, dollars)", fit["rmse"]),
            ("fit: error (RMSE, percent)", fit["rmse_percent"]),
            # No R squared when every sale has the same price: nothing to explain.
            ("fit: R squared (log price)", fit["r_squared"] or "undefined (every price the same)"),
        ]
    yearly = [[str(m), format_money_human(v)] for m, v in enumerate(result.values) if m % 12 == 0]
    text = key_values("Value", rows)
    if result.warnings:
        text += "\n\n" + "\n".join(f"warning: {warning}" for warning in result.warnings)
    text += "\n\n" + grid(["month", "value"], yearly, left=0)
    sources = [s["url"] or s["title"] for s in curve["sources"]]
    if sources:
        text += "\n\nsources: " + "; ".join(sources)
    confidences = sorted({p["confidence"] for p in curve["points"] if p["confidence"]})
    if confidences:
        text += (
            "\nconfidence of the curve's points: "
            + ", ".join(confidences)
            + " (V verified, S secondary, R recalled)"
        )
    return text


OPERATION = Operation(
    name="value",
    summary="What the asset will be worth month by month, from today's value, on a cited or your own curve.",
    examples=(
        "underwater value --value 20000 --asset-class car --age-months 24 --horizon-months 36",
        "underwater value --value 60000 --asset-class class8_sleeper --age-months 24 --shock-percent 10 --json",
        "underwater value --value 21000 --age-months 30 --comparable 12,12000,27000 "
        "--comparable 36,38000,21000 --comparable 60,61000,15500",
    ),
    form=FORM,
    compute=compute,
    render=render,
    aliases={
        "comparables": "comparable",
        "rate_percent_per_year": "depreciation_rate_percent",
        "miles": "comparable",
    },
)
