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
from underwater.money import format_money_human
from underwater.ops import Operation
from underwater.situation import Situation
from underwater.textfmt import grid

FORM = Form(Situation.fields(), fill_defaults=False)


def compute(values: dict[str, Any]) -> ExitComparison:
    """The comparison from parsed inputs."""
    return compare_exits(Situation.from_inputs(values))


def _money(amount: Any) -> str:
    return "-" if amount is None else format_money_human(amount)


_STATUS = {
    "lender_unlikely": "lender?",
    "out_of_reach": "reach?",
    "scenario": "if",
    "defense": "court",
    "not_worked_out": "-",
}


def render(result: ExitComparison) -> str:
    """The recommendation, then the exits as one table, then how they were compared, the
    settlement range and each exit's reason, figures, books and caveats."""
    figures = dict(result.stage_figures)
    tail = f"; horizon {result.horizon_months} months; ranked by {result.rank_by}"
    if result.stage == "repossessed":
        head = (
            f"Ways out of a deficiency of {_money(figures['deficiency'])} after the lender's sale for "
            f"{_money(figures['sale_price'])} (owed {format_money_human(result.payoff)} before it)" + tail
        )
    elif result.stage == "totalled":
        head = (
            f"Ways out after a total loss: owed {format_money_human(result.payoff)}, the insurer pays "
            f"{_money(figures.get('insurance_payout'))}, left for you {_money(figures.get('borrower_owes'))}"
            + tail
        )
    else:
        head = (
            f"Exits from a payoff of {format_money_human(result.payoff)} on an asset worth "
            f"{format_money_human(result.value)}; private sale at {format_money_human(result.sale_price)} "
            f"({result.sale_price_basis}), gap {format_money_human(result.gap)}" + tail
        )
    rows = []
    for item in result.exits:
        f = item.figures
        rows.append(
            [
                str(item.rank) if item.rank is not None else _STATUS.get(item.status, "-"),
                item.name,
                _money(None if f is None else f.cash_needed_now),
                _money(None if f is None else f.monthly_payment),
                _money(None if f is None else f.total_paid_over_horizon),
                _money(None if f is None else f.net_position_at_horizon),
                _money(None if f is None else f.present_value),
                "-" if item.lender is None else format_money_human(item.lender.nets_today),
                item.credit_consequence.level,
            ]
        )
    headers = [
        "rank",
        "exit",
        "cash now",
        "a month",
        "paid to horizon",
        "net at horizon",
        "today's dollars",
        "lender nets",
        "credit",
    ]
    text = "Recommendation: " + result.recommendation.text
    text += "\n\n" + head + "\n" + grid(headers, rows, left=2)
    text += (
        "\n\nrank: lender? = the lender would likely refuse; reach? = more than your cash or monthly budget; "
        "if = a scenario; court = a defense a court decides; - = not worked out"
    )
    text += "\n\n" + result.explanation
    if result.settlement is not None:
        text += "\n\nSettlement range: " + result.settlement.summary
    if result.recommendation.assumptions:
        text += "\n\nAssumptions that could change it:" + "".join(
            f"\n  - {line}" for line in result.recommendation.assumptions
        )
    for item in result.exits:
        text += f"\n\n{item.name}: {item.title}"
        if not item.available:
            text += f"\n  not worked out: {item.why_not}"
            continue
        if item.status != "ranked":
            text += f" ({item.status.replace('_', ' ')})"
        if not item.reach.can_do:
            text += f"\n  out of reach: {item.reach.why_not}"
        c = item.credit_consequence
        cost = "" if not c.cost else f" (costs {format_money_human(c.cost)} in today's dollars)"
        text += f"\n  credit: {c.level}: {c.reason}{cost}"
        shown = [
            f"{key} {format_money_human(value) if isinstance(value, Decimal) else value}"
            for key, value in item.details
            if value is not None and not isinstance(value, bool) and key != "state_rule"
        ]
        if shown:
            text += "\n  figures: " + "; ".join(shown)
        if item.lender is not None:
            text += (
                f"\n  lender: nets {format_money_human(item.lender.nets_today)} in today's dollars by month "
                f"{item.lender.done_month}; {item.lender.how}"
            )
        consent = item.consent
        if consent.needed:
            judged = consent.lender_better_off
            text += "\n  needs the agreement of: " + ", ".join(consent.needed_from)
            if judged is not None:
                text += (
                    f" (the lender is {'better' if judged else 'worse'} off than with {consent.alternative})"
                )
        text += "".join(f"\n  - {caveat}" for caveat in item.caveats)
    return text + "\n\n" + DISCLAIMER


OPERATION = Operation(
    name="options",
    summary="Every way out, each as one set of books on one footing, judged on what you can pay and what the "
    "lender would agree to, ranked in today's dollars, with a recommendation: pay the gap, a personal loan for "
    "it, trade in, short sale, plan, settlement, refinance, surrender, repossession, keep paying, keep to "
    "crossover, total loss; after a repossession, the deficiency's ways out; after a total loss, what is left.",
    examples=(
        "underwater options --owed 80000 --value 60000 --offer 58000 --rate-percent 9 --remaining-payments 48 "
        "--asset-class class8_sleeper --age-months 24",
        "underwater options --owed 25000 --value 20000 --rate-percent 7.9 --remaining-payments 48 --next-price 30000 "
        "--sales-tax-percent 6 --new-rate-percent 8.5 --new-term-months 72 --rank-by cash_now --json",
        "underwater options --owed 12000 --value 9000 --rate-percent 11 --remaining-payments 40 "
        "--needs-replacement no --offer 8800",
        "underwater options --owed 80000 --value 60000 --offer 58000 --rate-percent 9 --remaining-payments 48 "
        "--asset-class class8_sleeper --cash-available 5000 --monthly-budget 1700 --months-behind 1",
        "underwater options --owed 16000 --value 9000 --stage repossessed --repo-sale-price 6500 "
        "--deficiency-claimed 10400 --state TX --sale-notice-received no",
        "underwater options --owed 28000 --value 24000 --rate-percent 9 --remaining-payments 60 --age-months 12 "
        "--interest-method daily --day-count actual/actual --days-late 5 --pay-twice-monthly yes --as-of 2026-12-07 "
        "--deferral-months 2 --deferral-fee 25",
        "underwater options --owed 15847.45 --value 15200 --gross-cap-cost 22300 --cap-cost-reduction 3500 "
        "--lease-residual 12350 --lease-term-months 48 --lease-payment 244.69 --payments-made 24 --disposition-fee 400",
    ),
    form=FORM,
    compute=compute,
    render=render,
    aliases={"payoff": "owed", "consumer": "commercial", "first_due": "next_due_date", "last_paid": "as_of"},
)
