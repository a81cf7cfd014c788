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
        Field(
            "amount_financed",
            Kind.MONEY,
            "the amount financed, in dollars, as the Truth-in-Lending box of the contract states it",
            required=True,
            example="3310",
            label="Amount financed",
            section="terms",
            essential=True,
        ),
        Field(
            "finance_charge",
            Kind.MONEY,
            "the loan's whole finance charge, in dollars, from the same box (or give `add_on_rate_percent`)",
            example="323.30",
            label="Finance charge",
            section="terms",
            essential=True,
        ),
        Field(
            "add_on_rate_percent",
            Kind.PERCENT,
            "the add-on rate in percent a year, instead of the finance charge (the interest is the "
            "amount financed times the rate times the years)",
            maximum=1000,
            usual_maximum=36,
            label="Add-on rate, percent a year",
            section="terms",
        ),
        Field(
            "n_payments",
            Kind.INT,
            "how many monthly payments the contract has",
            required=True,
            minimum=1,
            maximum=MAX_MONTHS,
            example="18",
            label="Number of monthly payments",
            section="terms",
            essential=True,
        ),
        Field(
            "payments_made",
            Kind.INT,
            "how many payments you have made; the rest are paid off now",
            required=True,
            minimum=0,
            example="12",
            label="Payments already made",
            section="payoff",
            essential=True,
        ),
        Field(
            "actuarial_rate_percent",
            Kind.PERCENT,
            "the APR on the contract, percent a year, for the actuarial rebate (default: the rate the "
            "payments themselves work out to)",
            maximum=1000,
            label="The APR on the contract, percent a year",
            section="terms",
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
