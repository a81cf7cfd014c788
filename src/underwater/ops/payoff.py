"""The ``payoff`` job: a simple-interest loan's payoff on a date, as a payoff letter states it:
the per diem times the days since the last payment (or the interest worked exactly), and the per
diem for each day later."""

from __future__ import annotations

import dataclasses
from typing import Any

from underwater.dates import DayCount
from underwater.forms import Field, Form, Kind
from underwater.money import format_money_human
from underwater.ops import Operation
from underwater.payoff import CONVENTIONS, PayoffQuote, payoff_quote
from underwater.situation import DAY_COUNT
from underwater.textfmt import key_values

FORM = Form(
    (
        Field(
            "balance",
            Kind.MONEY,
            "the principal still owed right after your last payment, in dollars (on your statement)",
            required=True,
            example="18250.40",
            label="Balance after your last payment",
            section="terms",
            essential=True,
        ),
        Field(
            "rate_percent",
            Kind.PERCENT,
            "the contract's yearly interest rate in percent (7.9 means 7.9 %)",
            required=True,
            maximum=1000,
            usual_maximum=36,
            example="7.9",
            label="Interest rate, percent a year",
            section="terms",
            essential=True,
        ),
        Field(
            "last_payment_date",
            Kind.DATE,
            "the date of your last payment, YYYY-MM-DD: interest runs from that day",
            required=True,
            example="2026-11-01",
            label="Date of your last payment",
            section="payoff",
            essential=True,
        ),
        Field(
            "payoff_date",
            Kind.DATE,
            "the day the lender is to receive the payoff, YYYY-MM-DD",
            required=True,
            example="2026-11-21",
            label="The day you pay it off",
            section="payoff",
            essential=True,
        ),
        dataclasses.replace(DAY_COUNT, default=DayCount.ACT_365F.value, section="terms"),
        Field(
            "interest_convention",
            Kind.CHOICE,
            "how the interest since the last payment is worked: the per diem rounded to the cent times the "
            "days, as payoff letters print it, or exactly and rounded once",
            default="per_diem",
            choices=CONVENTIONS,
            label="How the interest is worked",
            section="payoff",
            choice_labels=("the per diem times the days, as letters print it", "exactly, rounded once"),
        ),
        Field(
            "fees",
            Kind.MONEY,
            "other amounts owed with the payoff (late fees, a payoff or release fee), in dollars",
            default=None,
            label="Fees the lender adds",
            section="payoff",
        ),
    )
)


def compute(values: dict[str, Any]) -> PayoffQuote:
    """The payoff quote from parsed inputs."""
    return payoff_quote(
        values["balance"],
        values["rate_percent"],
        values["last_payment_date"],
        values["payoff_date"],
        day_count=DayCount(values["day_count"]),
        fees=values["fees"] or 0,
        interest_convention=values["interest_convention"],
    )


def render(quote: PayoffQuote) -> str:
    """The quote as a table."""
    return key_values(
        "Payoff",
        [
            ("balance", format_money_human(quote.balance)),
            ("rate (percent per year)", str(quote.rate_percent)),
            ("day count", quote.day_count.value),
            ("last payment", quote.last_payment_date.isoformat()),
            ("payoff date", quote.payoff_date.isoformat()),
            ("days of interest", str(quote.days)),
            ("per diem (each later day)", format_money_human(quote.per_diem)),
            (
                "accrued interest"
                + (" (exact)" if quote.interest_convention == "exact" else " (per diem × days)"),
                format_money_human(quote.accrued_interest),
            ),
            ("fees", format_money_human(quote.fees)),
            ("payoff", format_money_human(quote.payoff)),
        ],
    )


OPERATION = Operation(
    name="payoff",
    summary="Payoff of a simple-interest loan on a date: daily interest since the last payment, plus fees.",
    examples=(
        "underwater payoff --balance 18250.40 --rate-percent 7.9 --last-payment-date 2026-11-01 "
        "--payoff-date 2026-11-21",
        "underwater payoff --balance 10000 --rate-percent 18 --last-payment-date 2025-03-01 "
        "--payoff-date 2025-03-11 --day-count actual/360 --fees 25 --json",
    ),
    form=FORM,
    compute=compute,
    render=render,
)
