"""The ``loan`` job: payment, totals and the amortization schedule, or a solved term or rate."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from underwater.errors import InputError
from underwater.forms import Field, Form, Kind, parse_date, parse_int
from underwater.loan import FREQUENCIES, ExtraPayment, Schedule, amortize, solve_rate, solve_term
from underwater.money import format_money_human
from underwater.ops import Operation
from underwater.patterns import DATE, INT
from underwater.textfmt import grid, key_values


@dataclass(frozen=True, slots=True)
class LoanResult:
    """A schedule plus what was solved for to build it (``None`` when nothing was)."""

    schedule: Schedule
    rate_percent: Decimal
    solved_for: str | None

    def to_json(self) -> dict[str, Any]:
        """The schedule's keys plus ``rate_percent`` and ``solved_for``."""
        data = self.schedule.to_json()
        data["rate_percent"] = str(self.rate_percent)
        data["solved_for"] = self.solved_for
        return data


def _extra_once(pair: tuple[str, Decimal], n_payments: int | None) -> ExtraPayment:
    when, amount = pair
    if INT.fullmatch(when) and not when.strip().startswith(("-", "+")):
        number = parse_int(when, "extra_once", minimum=1, maximum=n_payments)
        return ExtraPayment.once(amount, period=number)
    if DATE.fullmatch(when):
        return ExtraPayment.once(amount, on_date=parse_date(when, "extra_once"))
    raise InputError(
        "extra_once", "must be PAYMENT_NUMBER=AMOUNT or YYYY-MM-DD=AMOUNT, e.g. 12=1000", got=when
    )


_FREQUENCY_WORDS = {
    "monthly": "every month",
    "semi-monthly": "twice a month",
    "biweekly": "every two weeks",
    "weekly": "every week",
}

FORM = Form(
    (
        Field(
            "principal",
            Kind.MONEY,
            "what is borrowed, in dollars",
            required=True,
            example="30000",
            label="Amount borrowed",
            section="terms",
            essential=True,
        ),
        Field(
            "rate_percent",
            Kind.PERCENT,
            "the yearly interest rate in percent (6.9 means 6.9 %); leave it out, and give `n_payments` "
            "and `payment`, to find it",
            maximum=1000,
            usual_maximum=36,
            example="9.5",
            label="Interest rate, percent a year",
            section="terms",
            essential=True,
        ),
        Field(
            "n_payments",
            Kind.INT,
            "how many payments the loan runs (72 monthly payments: six years); leave it out, and give "
            "`payment`, to find it",
            minimum=1,
            maximum=5200,
            example="72",
            label="Number of payments",
            section="terms",
            essential=True,
        ),
        Field(
            "frequency",
            Kind.CHOICE,
            "how often a payment is due (most car and truck loans: every month)",
            default="monthly",
            choices=tuple(FREQUENCIES),
            label="How often you pay",
            section="schedule",
            choice_labels=tuple(_FREQUENCY_WORDS[f] for f in FREQUENCIES),
        ),
        Field(
            "first_payment_date",
            Kind.DATE,
            "the date of the first payment, YYYY-MM-DD, to put a date on every payment",
            label="Date of the first payment",
            section="schedule",
        ),
        Field(
            "payment",
            Kind.MONEY,
            "the regular payment in dollars, if it is set (default: the level payment that clears the "
            "loan); give it without the rate or the number of payments to find the one left out",
            label="The payment",
            section="terms",
        ),
        Field(
            "balloon",
            Kind.MONEY,
            "an amount left to pay with the last payment, in dollars (a balloon)",
            label="A balloon at the end",
            section="schedule",
        ),
        Field(
            "solve_balloon",
            Kind.FLAG,
            "with `payment`: the last payment takes whatever the regular payments leave (a balloon)",
            label="Work out the balloon the payment leaves",
            section="schedule",
        ),
        Field(
            "interest_only_periods",
            Kind.INT,
            "how many payments at the start pay only the interest",
            default=0,
            minimum=0,
            label="Interest-only payments at the start",
            section="schedule",
        ),
        Field(
            "extra",
            Kind.MONEY,
            "extra dollars toward the principal with every payment from `extra_start` on",
            label="Extra with every payment",
            section="extras",
        ),
        Field(
            "extra_start",
            Kind.INT,
            "the number of the payment the extra starts with",
            default=1,
            minimum=1,
            label="Starting with payment number",
            section="extras",
        ),
        Field(
            "extra_once",
            Kind.PAIR,
            "a single extra payment, written number=amount (12=1000: $1,000 more with payment 12) or "
            "date=amount (2027-06-01=1000); one for each extra payment",
            repeat=True,
            example="12=1000",
            label="A one-off extra payment",
            section="extras",
        ),
        Field(
            "recast",
            Kind.FLAG,
            "after an extra payment, lower the payment over the payments left (a recast) instead of paying "
            "off sooner",
            label="Lower the payment, not the term",
            section="extras",
        ),
    )
)


def compute(values: dict[str, Any]) -> LoanResult:
    """Build the schedule, solving for the term or the rate when one of them is missing."""
    principal: Decimal = values["principal"]
    rate: Decimal | None = values["rate_percent"]
    n: int | None = values["n_payments"]
    payment: Decimal | None = values["payment"]
    frequency: str = values["frequency"]
    solved: str | None = None
    if rate is None:
        if n is None or payment is None:
            raise InputError(
                "rate_percent", "is required unless `n_payments` and `payment` are given to solve it"
            )
        rate = solve_rate(principal, n, payment, frequency)
        solved = "rate_percent"
    elif n is None:
        if payment is None:
            raise InputError("n_payments", "is required unless `payment` is given to solve for the term")
        n = solve_term(principal, rate, payment, frequency)
        solved = "n_payments"
    extras = [_extra_once(pair, values["n_payments"]) for pair in values["extra_once"]]
    if values["extra"] is not None:
        extras.append(ExtraPayment(values["extra"], start_period=values["extra_start"]))
    schedule = amortize(
        principal,
        rate,
        n,
        frequency=frequency,
        first_payment_date=values["first_payment_date"],
        payment=payment,
        balloon=values["balloon"],
        solve_balloon=values["solve_balloon"] or False,
        interest_only_periods=values["interest_only_periods"],
        extra_payments=extras,
        recast=values["recast"] or False,
    )
    return LoanResult(schedule, rate, solved)


def _row_cells(row: Any) -> list[str]:
    return [
        str(row.number),
        row.date.isoformat() if row.date else "",
        format_money_human(row.payment),
        format_money_human(row.interest),
        format_money_human(row.principal),
        format_money_human(row.extra),
        format_money_human(row.balance),
    ]


HEADERS = ["#", "date", "payment", "interest", "principal", "extra", "balance"]


def render(result: LoanResult) -> str:
    """Summary and schedule as text tables."""
    s = result.schedule
    rows = [
        ("principal", format_money_human(s.principal)),
        ("rate (percent per year)", str(result.rate_percent)),
        ("frequency", s.frequency),
        ("payment", format_money_human(s.payment)),
        ("number of payments", str(s.n_payments)),
        ("total paid", format_money_human(s.total_paid)),
        ("total interest", format_money_human(s.total_interest)),
    ]
    if s.balloon:
        rows.append(("balloon", format_money_human(s.balloon)))
    if s.payoff_date:
        rows.append(("payoff date", s.payoff_date.isoformat()))
    if result.solved_for:
        rows.append(("solved for", result.solved_for))
    table = grid(HEADERS, [_row_cells(r) for r in s.rows], left=2)
    return key_values("Loan", rows) + "\n\nSchedule\n" + table


def csv_rows(result: LoanResult) -> list[list[str]]:
    """The schedule as CSV rows (money with two decimals, no separators)."""
    out = [["number", "date", "payment", "interest", "principal", "extra", "balance"]]
    for row in result.schedule.rows:
        data = row.to_json()
        out.append([str(data[k]) if data[k] is not None else "" for k in out[0]])
    return out


OPERATION = Operation(
    name="loan",
    summary="Payment, totals and the amortization schedule in exact cents; solves a missing term or rate.",
    examples=(
        "underwater loan --principal 30000 --rate-percent 9.5 --n-payments 72",
        "underwater loan --principal 200000 --rate-percent 6.5 --n-payments 360 --extra 200 --json",
        "underwater loan --principal 10000 --rate-percent 6 --payment 500",
        "underwater loan --principal 18800 --n-payments 48 --payment 467.84 --csv",
    ),
    form=FORM,
    compute=compute,
    render=render,
    csv=csv_rows,
    aliases={"extra_payments": "extra_once"},
)
