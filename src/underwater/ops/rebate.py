"""The ``rebate`` job: paying off a precomputed (add-on interest) loan early, both rebate rules."""

from __future__ import annotations

from typing import Any

from underwater.errors import InputError
from underwater.forms import Field, Form, Kind
from underwater.limits import MAX_MONTHS
from underwater.money import format_money_human
from underwater.ops import Operation
from underwater.precomputed import PrecomputedPayoff, precomputed_payoff
from underwater.textfmt import key_values


def _check(values: dict[str, Any]) -> None:
    if (values["finance_charge"] is None) == (values["add_on_rate_percent"] is None):
        raise InputError(
            "finance_charge", "give either `finance_charge` or `add_on_rate_percent` (one of them)"
        )


FORM = Form(
    (
        Field("amount_financed", Kind.MONEY, "amount financed, in dollars", required=True, example="3310"),
        Field("finance_charge", Kind.MONEY, "the loan's total finance charge, in dollars", example="323.30"),
        Field(
            "add_on_rate_percent",
            Kind.PERCENT,
            "add-on rate in percent per year (instead of the charge)",
            maximum=1000,
        ),
        Field(
            "n_payments",
            Kind.INT,
            "number of monthly payments in the contract",
            required=True,
            minimum=1,
            maximum=MAX_MONTHS,
            example="18",
        ),
        Field("payments_made", Kind.INT, "payments already made", required=True, minimum=0, example="12"),
        Field(
            "actuarial_rate_percent",
            Kind.PERCENT,
            "disclosed APR for the actuarial rebate, percent per year (default: the loan's own yield)",
            maximum=1000,
        ),
    ),
    check=_check,
)


def compute(values: dict[str, Any]) -> PrecomputedPayoff:
    """Both rebates from parsed inputs."""
    return precomputed_payoff(
        values["amount_financed"],
        values["finance_charge"],
        values["n_payments"],
        values["payments_made"],
        add_on_rate_percent=values["add_on_rate_percent"],
        actuarial_rate_percent=values["actuarial_rate_percent"],
    )


def render(result: PrecomputedPayoff) -> str:
    """Both rules side by side."""
    return key_values(
        "Precomputed loan payoff",
        [
            ("amount financed", format_money_human(result.amount_financed)),
            ("finance charge", format_money_human(result.finance_charge)),
            ("payments made / remaining", f"{result.payments_made} / {result.payments_remaining}"),
            ("scheduled payment", format_money_human(result.scheduled_payment)),
            ("remaining payments total", format_money_human(result.remaining_payments_total)),
            ("actuarial rate (percent per year)", str(result.actuarial_rate_percent)),
            ("rebate, Rule of 78s", format_money_human(result.rule_of_78_rebate)),
            ("payoff, Rule of 78s", format_money_human(result.rule_of_78_payoff)),
            ("rebate, actuarial", format_money_human(result.actuarial_rebate)),
            ("payoff, actuarial", format_money_human(result.actuarial_payoff)),
            ("lost to the Rule of 78s", format_money_human(result.rule_of_78_penalty)),
        ],
    )


OPERATION = Operation(
    name="rebate",
    summary="Early payoff of a precomputed (add-on interest) loan: Rule of 78s against the actuarial rebate.",
    examples=(
        "underwater rebate --amount-financed 3310 --finance-charge 323.30 --n-payments 18 --payments-made 12",
        "underwater rebate --amount-financed 20000 --add-on-rate-percent 6 --n-payments 60 --payments-made 24 "
        "--json",
    ),
    form=FORM,
    compute=compute,
    render=render,
)
