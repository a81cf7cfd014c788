"""The ``options`` job: every way out of one situation, side by side, ranked, with the lender's side.

Its inputs are the fields of every part of :class:`~underwater.situation.Situation` (the loan, the
asset, a sale, the next deal …), in their sections; the computation is
:func:`~underwater.exits.compare_exits`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from underwater.exits import DISCLAIMER, ExitComparison, compare_exits
from underwater.forms import Form
from underwater.money import format_money_human, format_ratio
from underwater.ops import Operation
from underwater.situation import Situation
from underwater.textfmt import grid

FORM = Form(Situation.fields(), fill_defaults=False)


def compute(values: dict[str, Any]) -> ExitComparison:
    """The comparison from parsed inputs."""
    return compare_exits(Situation.from_inputs(values))


def _money(amount: Any) -> str:
    return "-" if amount is None else format_money_human(amount)


def render(result: ExitComparison) -> str:
    """The exits as one table, the footing and the lender's side, then each exit's reason,
    key figures and caveats."""
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
                "-" if item.lender is None else format_money_human(item.lender.nets_today),
                format_ratio(item.new_loan_ltv) or "-",
                item.credit_consequence.level,
            ]
        )
    headers = [
        "rank",
        "exit",
        "cash now",
        "debt after",
        "paid to horizon",
        "net at horizon",
        "lender nets",
        "LTV",
        "credit",
    ]
    text = head + "\n" + grid(headers, rows, left=2)
    text += "\n\n" + result.explanation
    if result.settlement is not None:
        text += "\n\nSettlement range: " + result.settlement.summary
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
        if item.lender is not None:
            text += (
                f"\n  lender: nets {format_money_human(item.lender.nets_today)} in today's dollars by month "
                f"{item.lender.done_month}; {item.lender.how}"
            )
        text += "".join(f"\n  - {caveat}" for caveat in item.caveats)
    return text + "\n\n" + DISCLAIMER


OPERATION = Operation(
    name="options",
    summary="Every way out, side by side from the same payoff and on one footing: pay the gap, trade in, "
    "short sale, plan, settlement, refinance, surrender, repossession, keep paying, keep to crossover, "
    "total loss; ranked, with what the lender nets from each and the settlement range.",
    examples=(
        "underwater options --owed 80000 --value 60000 --offer 58000 --rate-percent 9 --remaining-payments 48 "
        "--asset-class class8_sleeper --age-months 24",
        "underwater options --owed 25000 --value 20000 --rate-percent 7.9 --remaining-payments 48 --next-price 30000 "
        "--sales-tax-percent 6 --new-rate-percent 8.5 --new-term-months 72 --rank-by cash_now --json",
        "underwater options --owed 12000 --value 9000 --rate-percent 11 --remaining-payments 40 "
        "--needs-replacement no --offer 8800",
    ),
    form=FORM,
    compute=compute,
    render=render,
    aliases={"payoff": "owed", "consumer": "commercial"},
)
