"""The ``project`` job: when a loan surfaces, what it takes to surface sooner, and for a purchase
how to never go under and why today's gap is what it is.

Two ways in: a loan you have (``--balance`` with ``--remaining-payments`` and ``--value-today``),
or a purchase (``--price`` with ``--term-months``, the down payment and what was financed on
top; ``--months-elapsed`` and ``--value-today`` say where it stands today). A purchase also
gives the prevention answers and the attribution of today's gap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from underwater.assets import AssetClass
from underwater.attribution import CAUSES, Attribution, attribute_gap
from underwater.depreciation import presets
from underwater.errors import InputError
from underwater.forms import Field, Form, Kind
from underwater.limits import MAX_MONTHS
from underwater.loan import amortize
from underwater.money import ZERO, format_money, format_money_human
from underwater.ops import Operation
from underwater.projection import Prevention, Projection, extra_to_surface_by, prevention, project
from underwater.textfmt import grid, key_values

_PURCHASE_FIELDS = (
    "down_payment",
    "term_months",
    "taxes_fees_financed",
    "addons_financed",
    "negative_equity_rolled",
    "months_elapsed",
)


def _check(values: dict[str, Any]) -> None:
    if values["balance"] is None and values["price"] is None:
        raise InputError("balance", "is required: give `balance` (a loan you have) or `price` (a purchase)")
    if values["balance"] is not None and values["price"] is not None:
        raise InputError("price", "give `balance` (a loan you have) or `price` (a purchase), not both")
    if values["balance"] is not None:
        for name in _PURCHASE_FIELDS:
            if values[name] is not None:
                raise InputError(name, "applies to a purchase: use it with `price` instead of `balance`")
        if values["remaining_payments"] is None:
            raise InputError("remaining_payments", "is required with `balance`: the monthly payments left")
        if values["value_today"] is None:
            raise InputError("value_today", "is required with `balance`: what the asset would fetch now")
        return
    if values["remaining_payments"] is not None:
        raise InputError("remaining_payments", "applies to a loan you have: with `price` give `term_months`")
    if values["term_months"] is None:
        raise InputError("term_months", "is required with `price`: the loan's term in months")
    elapsed = values["months_elapsed"] or 0
    if elapsed >= values["term_months"]:
        raise InputError(
            "months_elapsed", f"must be less than the term, {values['term_months']} months", got=elapsed
        )
    if elapsed and values["value_today"] is None:
        raise InputError("value_today", "is required with `months_elapsed`: what the asset would fetch now")
    if values["age_months"] is not None and values["age_months"] < elapsed:
        raise InputError(
            "age_months", f"is the age today: at least `months_elapsed` ({elapsed})", got=values["age_months"]
        )


FORM = Form(
    (
        Field("balance", Kind.MONEY, "loan balance today, in dollars (a loan you have)", example="24000"),
        Field(
            "rate_percent",
            Kind.PERCENT,
            "loan rate in percent per year",
            required=True,
            maximum=1000,
            example="7.9",
        ),
        Field(
            "remaining_payments",
            Kind.INT,
            "monthly payments left on the loan",
            minimum=1,
            maximum=MAX_MONTHS,
            example="48",
        ),
        Field("value_today", Kind.MONEY, "what the asset would fetch now, in dollars", example="20000"),
        Field(
            "asset_class",
            Kind.CHOICE,
            "asset class (picks the default depreciation preset)",
            default="car",
            choices=tuple(c.value for c in AssetClass),
        ),
        Field("age_months", Kind.INT, "the asset's age today, in months", minimum=0, maximum=600),
        Field("payment", Kind.MONEY, "monthly payment, in dollars (default: the level payment)"),
        Field("extra_monthly", Kind.MONEY, "extra paid to principal every month, in dollars"),
        Field("other_liens", Kind.MONEY, "other debts secured by the asset, in dollars (stay constant)"),
        Field(
            "horizon_months",
            Kind.INT,
            "months to project (default: the remaining term, at most 600)",
            minimum=1,
            maximum=600,
        ),
        Field("shock_percent", Kind.PERCENT, "one-time drop in market value today, in percent", maximum=100),
        Field(
            "depreciation",
            Kind.CHOICE,
            "depreciation preset (default: the asset class's)",
            choices=tuple(sorted(presets())),
        ),
        Field(
            "depreciation_rate_percent",
            Kind.DECIMAL,
            "constant value lost per year, in percent (instead of a preset; negative: gained)",
        ),
        Field("start_date", Kind.DATE, "today's date, to date each month, YYYY-MM-DD", example="2026-12-01"),
        Field("annual_miles", Kind.DECIMAL, "miles driven a year from now on (cars, motorcycles, trucks)"),
        Field(
            "target_month",
            Kind.INT,
            "find the smallest extra monthly payment that surfaces the loan by this month",
            minimum=1,
            maximum=600,
        ),
        Field("price", Kind.MONEY, "purchase price, in dollars (a purchase, instead of `balance`)"),
        Field("down_payment", Kind.MONEY, "cash down at purchase, in dollars"),
        Field("term_months", Kind.INT, "the purchase loan's term in months", minimum=1, maximum=600),
        Field("taxes_fees_financed", Kind.MONEY, "taxes and fees added to the purchase loan, in dollars"),
        Field(
            "addons_financed", Kind.MONEY, "add-ons (warranty, GAP, service contracts) financed, in dollars"
        ),
        Field("negative_equity_rolled", Kind.MONEY, "an old loan's negative equity rolled in, in dollars"),
        Field("months_elapsed", Kind.INT, "payments made since the purchase", minimum=0, maximum=600),
    ),
    check=_check,
)


@dataclass(frozen=True, slots=True)
class ProjectReport:
    """A projection, with the extra payment that surfaces it by a target month and, for a
    purchase, the prevention answers and today's gap split into its causes."""

    projection: Projection
    target_month: int | None
    extra_monthly_needed: Any
    prevention: Prevention | None
    attribution: Attribution | None

    def to_json(self) -> dict[str, Any]:
        """The projection's keys, plus ``extra_to_surface`` (``target_month``, ``extra_monthly``),
        ``prevention`` and ``attribution`` (each null when not asked for)."""
        data = self.projection.to_json()
        data["extra_to_surface"] = (
            None
            if self.target_month is None
            else {"target_month": self.target_month, "extra_monthly": format_money(self.extra_monthly_needed)}
        )
        data["prevention"] = None if self.prevention is None else self.prevention.to_json()
        data["attribution"] = None if self.attribution is None else self.attribution.to_json()
        return data


def _curve_args(values: dict[str, Any]) -> dict[str, Any]:
    return {
        "asset_class": values["asset_class"],
        "depreciation": values["depreciation"],
        "depreciation_rate_percent": values["depreciation_rate_percent"],
    }


def compute(values: dict[str, Any]) -> ProjectReport:
    """The report from parsed inputs."""
    curve = _curve_args(values)
    prevent: Prevention | None = None
    attribution: Attribution | None = None
    if values["price"] is not None:
        elapsed = values["months_elapsed"] or 0
        term = values["term_months"]
        age_today = elapsed if values["age_months"] is None else values["age_months"]
        purchase = {
            "down_payment": values["down_payment"] or ZERO,
            "taxes_fees_financed": values["taxes_fees_financed"] or ZERO,
            "addons_financed": values["addons_financed"] or ZERO,
            "negative_equity_rolled": values["negative_equity_rolled"] or ZERO,
        }
        value_today = values["price"] if values["value_today"] is None else values["value_today"]
        attribution = attribute_gap(
            values["price"],
            purchase["down_payment"],
            purchase["taxes_fees_financed"],
            purchase["addons_financed"],
            purchase["negative_equity_rolled"],
            values["rate_percent"],
            term,
            elapsed,
            value_today,
            payment=values["payment"],
        )
        prevent = prevention(
            values["price"],
            rate_percent=values["rate_percent"],
            term_months=term,
            down_payment=purchase["down_payment"],
            asset_class=values["asset_class"],
            age_months=age_today - elapsed,
            taxes_fees_financed=purchase["taxes_fees_financed"],
            addons_financed=purchase["addons_financed"],
            negative_equity_rolled=purchase["negative_equity_rolled"],
            depreciation=values["depreciation"],
            depreciation_rate_percent=values["depreciation_rate_percent"],
        )
        payment = amortize(
            attribution.amount_financed, values["rate_percent"], term, payment=values["payment"]
        ).payment
        loan = (attribution.owed_today, values["rate_percent"], term - elapsed, value_today)
    else:
        age_today = values["age_months"] or 0
        payment = values["payment"]
        loan = (
            values["balance"],
            values["rate_percent"],
            values["remaining_payments"],
            values["value_today"],
        )
    common = {
        **curve,
        "age_months": age_today,
        "payment": payment,
        "other_liens": values["other_liens"] or ZERO,
        "shock_percent": values["shock_percent"] or ZERO,
        "annual_miles": values["annual_miles"],
    }
    result = project(
        *loan,
        extra_monthly=values["extra_monthly"] or ZERO,
        horizon_months=values["horizon_months"],
        start_date=values["start_date"],
        **common,
    )
    needed = None
    if values["target_month"] is not None:
        needed = extra_to_surface_by(*loan, values["target_month"], **common)
    return ProjectReport(result, values["target_month"], needed, prevent, attribution)


def _shown_months(projection: Projection) -> list[int]:
    last = projection.horizon_months
    months = set(range(0, last + 1, 12)) | {last}
    for special in (projection.crossover_month, projection.peak_month):
        if special is not None:
            months.add(special)
    return sorted(months)


def render(report: ProjectReport) -> str:
    """Key figures, the summary, a table of selected months, then prevention and attribution."""
    p = report.projection
    crossover = "not within the horizon" if p.crossover_month is None else str(p.crossover_month)
    if p.crossover_date is not None:
        crossover += f" ({p.crossover_date.isoformat()})"
    pairs = [
        ("status today", p.status_today),
        ("negative equity today", format_money_human(p.rows[0].negative_equity)),
        ("crossover month", crossover),
        ("peak negative equity", format_money_human(p.peak_negative_equity)),
        ("peak month", "-" if p.peak_month is None else str(p.peak_month)),
        ("months under water", str(p.months_under_water)),
        ("interest paid while under water", format_money_human(p.interest_paid_while_under_water)),
        ("horizon (months)", str(p.horizon_months)),
    ]
    if report.target_month is not None:
        pairs.append(
            (
                f"extra monthly to surface by month {report.target_month}",
                format_money_human(report.extra_monthly_needed),
            )
        )
    text = key_values("Projection", pairs) + "\n\n" + p.summary + "\n\n"
    rows = []
    for month in _shown_months(p):
        row = p.rows[month]
        rows.append(
            [
                str(row.month),
                "" if row.date is None else row.date.isoformat(),
                format_money_human(row.owed),
                format_money_human(row.value),
                format_money_human(row.equity),
                format_money_human(row.interest),
            ]
        )
    if all(not r[1] for r in rows):
        rows = [[r[0], *r[2:]] for r in rows]
        text += grid(["month", "owed", "value", "equity", "interest"], rows)
    else:
        text += grid(["month", "date", "owed", "value", "equity", "interest"], rows, left=2)
    text += "\n(selected months; every month with --csv or --json)"
    if report.prevention is not None:
        v = report.prevention
        text += "\n\n" + key_values(
            "Prevention (the purchase)",
            [
                ("price + taxes, fees, add-ons, rolled", format_money_human(v.total_cost)),
                ("down payment", format_money_human(v.down_payment)),
                ("amount financed", format_money_human(v.amount_financed)),
                ("payment", format_money_human(v.payment)),
                ("months under water over the term", str(v.months_under_water)),
                ("smallest down payment never under water", format_money_human(v.min_down_payment)),
                (
                    "longest term never under water",
                    "none from 12 to 96 months"
                    if v.longest_term_months is None
                    else f"{v.longest_term_months} months",
                ),
            ],
        )
    if report.attribution is not None:
        a = report.attribution
        explanations = a.explanations()
        parts = [[cause, format_money_human(amount)] for cause, amount in a.parts()]
        parts.append(["gap (owed today - value today)", format_money_human(a.gap)])
        text += "\n\nWhy the gap today\n" + grid(["cause", "dollars"], parts)
        text += "".join(f"\n{cause}: {explanations[cause]}" for cause in CAUSES)
    return text


def csv_rows(report: ProjectReport) -> list[list[str]]:
    """Every month: month, date, balance, owed, value, equity, negative equity, interest."""
    header = ["month", "date", "balance", "owed", "value", "equity", "negative_equity", "interest"]
    out = [header]
    for row in report.projection.rows:
        data = row.to_json()
        out.append([str(data[key]) if data[key] is not None else "" for key in header])
    return out


OPERATION = Operation(
    name="project",
    summary="When the loan surfaces: balance against value month by month, crossover, peak, extra payment to "
    "surface sooner; for a purchase, the down payment and term that never go under, and why today's gap exists.",
    examples=(
        "underwater project --balance 24000 --rate-percent 7.9 --remaining-payments 48 --value-today 20000 "
        "--age-months 24 --start-date 2026-12-01",
        "underwater project --balance 24000 --rate-percent 7.9 --remaining-payments 48 --value-today 20000 "
        "--target-month 12 --json",
        "underwater project --price 40000 --down-payment 2000 --taxes-fees-financed 3000 --rate-percent 7 "
        "--term-months 72 --months-elapsed 12 --value-today 33000 --asset-class pickup",
    ),
    form=FORM,
    compute=compute,
    render=render,
    csv=csv_rows,
)
