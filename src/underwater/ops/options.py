"""The ``options`` job: every way out of one situation, side by side, ranked."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from underwater.assets import AssetClass
from underwater.depreciation import presets
from underwater.exits import DISCLAIMER, RANK_CRITERIA, ExitComparison, compare_exits
from underwater.forms import Field, Form, Kind
from underwater.limits import MAX_MONTHS
from underwater.money import ZERO, format_money_human, format_ratio
from underwater.ops import Operation
from underwater.textfmt import grid

_CLASSES = tuple(c.value for c in AssetClass)

FORM = Form(
    (
        Field("payoff", Kind.MONEY, "what clears the loan today, in dollars", required=True, example="80000"),
        Field(
            "value", Kind.MONEY, "what the asset would fetch now, in dollars", required=True, example="60000"
        ),
        Field(
            "rate_percent",
            Kind.PERCENT,
            "the loan's rate in percent per year",
            required=True,
            maximum=1000,
            example="9",
        ),
        Field(
            "remaining_payments",
            Kind.INT,
            "monthly payments left on the loan",
            required=True,
            minimum=1,
            maximum=MAX_MONTHS,
            example="48",
        ),
        Field("payment", Kind.MONEY, "monthly payment, in dollars (default: the level payment)"),
        Field("asset_class", Kind.CHOICE, "asset class", default="car", choices=_CLASSES),
        Field("age_months", Kind.INT, "the asset's age today, in months", minimum=0, maximum=600),
        Field(
            "depreciation",
            Kind.CHOICE,
            "depreciation preset (default: the asset class's)",
            choices=tuple(sorted(presets())),
        ),
        Field("depreciation_rate_percent", Kind.DECIMAL, "constant value lost per year, in percent"),
        Field("offer", Kind.MONEY, "a buyer's offer, in dollars (needed for a short sale)", example="58000"),
        Field("selling_costs", Kind.MONEY, "what selling costs, in dollars"),
        Field("state", Kind.TEXT, "two-letter state code for deficiency rules, e.g. CO"),
        Field("commercial", Kind.FLAG, "the loan is not a consumer transaction (e.g. a fleet truck)"),
        Field(
            "horizon_months",
            Kind.INT,
            "month at which net positions are measured (default: the remaining term)",
            minimum=1,
            maximum=600,
        ),
        Field("next_price", Kind.MONEY, "trade-in: price of the next asset, in dollars"),
        Field(
            "next_asset_class",
            Kind.CHOICE,
            "trade-in: the next asset's class (default: the same)",
            choices=_CLASSES,
        ),
        Field(
            "next_age_months", Kind.INT, "trade-in: the next asset's age, in months", minimum=0, maximum=600
        ),
        Field("trade_in_value", Kind.MONEY, "trade-in: what the dealer allows for it (default: `value`)"),
        Field("sales_tax_percent", Kind.PERCENT, "trade-in: sales tax in percent", maximum=100),
        Field(
            "trade_in_tax_credit",
            Kind.CHOICE,
            "trade-in: tax only the price less the trade-in",
            default="yes",
            choices=("yes", "no"),
        ),
        Field("dealer_fees", Kind.MONEY, "trade-in: dealer fees financed, in dollars"),
        Field("rebates", Kind.MONEY, "trade-in: rebates off the price, in dollars"),
        Field("next_down_payment", Kind.MONEY, "trade-in: cash down on the next deal, in dollars"),
        Field(
            "new_rate_percent", Kind.PERCENT, "trade-in: the new loan's rate, percent per year", maximum=1000
        ),
        Field("new_term_months", Kind.INT, "trade-in: the new loan's term in months", minimum=1, maximum=600),
        Field("plan_months", Kind.INT, "payment plan: months to pay the gap", minimum=1, maximum=600),
        Field("plan_rate_percent", Kind.PERCENT, "payment plan: rate in percent per year", maximum=1000),
        Field(
            "settlement_percent", Kind.PERCENT, "settlement: lump sum as a percent of the gap", maximum=100
        ),
        Field("refi_rate_percent", Kind.PERCENT, "refinance: new rate, percent per year", maximum=1000),
        Field(
            "refi_term_months",
            Kind.INT,
            "refinance: new term in months (default: the remaining payments)",
            minimum=1,
            maximum=MAX_MONTHS,
        ),
        Field("refi_fees", Kind.MONEY, "refinance: fees, in dollars"),
        Field(
            "refi_fees_financed",
            Kind.CHOICE,
            "refinance: add the fees to the loan (no: pay them now)",
            default="yes",
            choices=("yes", "no"),
        ),
        Field("actual_cash_value", Kind.MONEY, "total loss: what the insurer pays before the deductible"),
        Field("deductible", Kind.MONEY, "total loss: the insurance deductible, in dollars"),
        Field(
            "marginal_tax_rate_percent",
            Kind.PERCENT,
            "your marginal income tax rate, to estimate tax on forgiven debt",
            maximum=100,
        ),
        Field("rank_by", Kind.CHOICE, "how to rank the exits", default="net_position", choices=RANK_CRITERIA),
        Field("as_of", Kind.DATE, "date of the deficiency estimates, YYYY-MM-DD (default: today)"),
    )
)

_MONEY_DEFAULTS = (
    "selling_costs",
    "sales_tax_percent",
    "dealer_fees",
    "rebates",
    "next_down_payment",
    "plan_rate_percent",
    "refi_fees",
    "deductible",
)
_PASSED = (
    "payment",
    "asset_class",
    "depreciation",
    "depreciation_rate_percent",
    "offer",
    "state",
    "horizon_months",
    "next_price",
    "next_asset_class",
    "trade_in_value",
    "new_rate_percent",
    "new_term_months",
    "plan_months",
    "settlement_percent",
    "refi_rate_percent",
    "refi_term_months",
    "actual_cash_value",
    "marginal_tax_rate_percent",
    "rank_by",
    "as_of",
)


def compute(values: dict[str, Any]) -> ExitComparison:
    """The comparison from parsed inputs."""
    kwargs: dict[str, Any] = {name: values[name] for name in _PASSED}
    kwargs.update({name: values[name] if values[name] is not None else ZERO for name in _MONEY_DEFAULTS})
    return compare_exits(
        values["payoff"],
        values["value"],
        rate_percent=values["rate_percent"],
        remaining_payments=values["remaining_payments"],
        age_months=values["age_months"] or 0,
        next_age_months=values["next_age_months"] or 0,
        consumer=not values["commercial"],
        trade_in_tax_credit=values["trade_in_tax_credit"] == "yes",
        refi_fees_financed=values["refi_fees_financed"] == "yes",
        **kwargs,
    )


def _money(amount: Any) -> str:
    return "-" if amount is None else format_money_human(amount)


def render(result: ExitComparison) -> str:
    """The exits as one table, then each exit's reason, key figures and caveats."""
    head = (
        f"Exits from a payoff of {format_money_human(result.payoff)} on an asset worth "
        f"{format_money_human(result.value)}; sale at {format_money_human(result.sale_price)} "
        f"({result.sale_price_basis}), gap {format_money_human(result.gap)}; horizon {result.horizon_months} "
        f"months; ranked by {result.rank_by}"
    )
    rows = []
    for item in result.exits:
        rows.append(
            [
                "-" if item.rank is None else str(item.rank),
                item.name,
                _money(item.cash_needed_now),
                _money(item.debt_left_after),
                _money(item.total_paid_over_horizon),
                _money(item.net_position_at_horizon),
                format_ratio(item.new_loan_ltv) or "-",
                "-" if item.months_under_water is None else str(item.months_under_water),
                item.credit_consequence.level,
            ]
        )
    text = (
        head
        + "\n"
        + grid(
            [
                "rank",
                "exit",
                "cash now",
                "debt after",
                "paid to horizon",
                "net at horizon",
                "LTV",
                "months under",
                "credit",
            ],
            rows,
            left=2,
        )
    )
    for item in result.exits:
        text += f"\n\n{item.name}: {item.title}"
        if not item.available:
            text += f"\n  not available: {item.why_not}"
            continue
        if item.kind == "scenario":
            text += " (scenario, not ranked)"
        text += f"\n  credit: {item.credit_consequence.level}: {item.credit_consequence.reason}"
        figures = [
            f"{key} {format_money_human(value) if isinstance(value, Decimal) else value}"
            for key, value in item.details
            if value is not None and not isinstance(value, bool) and key != "state_rule"
        ]
        text += "\n  figures: " + "; ".join(figures)
        text += "".join(f"\n  - {caveat}" for caveat in item.caveats)
    return text + "\n\n" + DISCLAIMER


OPERATION = Operation(
    name="options",
    summary="Every way out, side by side from the same payoff: pay the gap, trade in, short sale, plan, settlement, "
    "refinance, surrender, repossession, keep to crossover, total loss; ranked.",
    examples=(
        "underwater options --payoff 80000 --value 60000 --offer 58000 --rate-percent 9 --remaining-payments 48 "
        "--asset-class class8_sleeper --age-months 24",
        "underwater options --payoff 25000 --value 20000 --rate-percent 7.9 --remaining-payments 48 --next-price 30000 "
        "--sales-tax-percent 6 --new-rate-percent 8.5 --new-term-months 72 --rank-by cash_now --json",
    ),
    form=FORM,
    compute=compute,
    render=render,
)
