"""The ``apr`` job: the annual percentage rate by Regulation Z Appendix J's actuarial method."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from underwater.apr import UNIT_PERIODS, AprResult, is_apr_accurate, loan_apr, solve_apr
from underwater.errors import InputError
from underwater.forms import Field, Form, Kind, parse_date
from underwater.money import format_money_human
from underwater.ops import Operation
from underwater.textfmt import key_values


@dataclass(frozen=True, slots=True)
class AprCheck:
    """An APR plus, when a disclosed APR was given, whether it is accurate under 1026.22."""

    result: AprResult
    disclosed_apr_percent: Decimal | None
    irregular: bool

    @property
    def accurate(self) -> bool | None:
        """Whether the disclosed APR is within tolerance (``None`` when none was given)."""
        if self.disclosed_apr_percent is None:
            return None
        return is_apr_accurate(
            self.disclosed_apr_percent, self.result.apr_percent_unrounded, irregular=self.irregular
        )

    def to_json(self) -> dict[str, Any]:
        """The APR result's keys, plus ``disclosed_apr_percent``, ``tolerance_percent``, ``accurate``."""
        data = self.result.to_json()
        data["disclosed_apr_percent"] = (
            None if self.disclosed_apr_percent is None else str(self.disclosed_apr_percent)
        )
        data["tolerance_percent"] = "0.25" if self.irregular else "0.125"
        data["accurate"] = self.accurate
        return data


def _flows(pairs: tuple[tuple[str, Decimal], ...], field: str) -> list[tuple[date, Decimal]]:
    return [(parse_date(when, field), amount) for when, amount in pairs]


_REGULAR = ("principal", "payment", "n_payments", "loan_date", "first_payment_date", "final_payment")


def _check(values: dict[str, Any]) -> None:
    if values["advances"]:
        if not values["payments"]:
            raise InputError("payments", "is required with `advances`: each payment as YYYY-MM-DD=AMOUNT")
        for name in _REGULAR:
            if values[name] is not None:
                raise InputError(
                    name, "describes a regular loan: give it, or dated `advances` and `payments`, not both"
                )
        return
    if values["payments"]:
        raise InputError("advances", "is required with `payments`: each advance as YYYY-MM-DD=AMOUNT")
    for name in ("principal", "payment", "n_payments", "loan_date", "first_payment_date"):
        if values[name] is None:
            raise InputError(name, "is required (or give dated `advances` and `payments` cash flows instead)")


_UNIT_WORDS = {
    "day": "a day",
    "week": "a week",
    "2 weeks": "two weeks",
    "4 weeks": "four weeks",
    "semimonth": "half a month",
    "month": "a month",
    "2 months": "two months",
    "quarter": "a quarter",
    "half year": "half a year",
    "year": "a year",
    "term": "the whole term (a single payment)",
}

FORM = Form(
    (
        Field(
            "principal",
            Kind.MONEY,
            "the loan amount in dollars, before any prepaid finance charges are taken off",
            example="5000",
            label="Amount of the loan",
            section="terms",
            essential=True,
        ),
        Field(
            "prepaid_finance_charge",
            Kind.MONEY,
            "fees that count as finance charges (a loan fee, points), paid at closing or financed, in "
            "dollars; they lower the amount financed",
            default=None,
            example="150",
            label="Prepaid finance charges",
            section="terms",
        ),
        Field(
            "payment",
            Kind.MONEY,
            "the regular payment, in dollars",
            example="230",
            label="The regular payment",
            section="terms",
            essential=True,
        ),
        Field(
            "n_payments",
            Kind.INT,
            "how many payments the loan has",
            minimum=1,
            maximum=1200,
            example="24",
            label="Number of payments",
            section="terms",
            essential=True,
        ),
        Field(
            "loan_date",
            Kind.DATE,
            "the date the money is lent, YYYY-MM-DD",
            example="2026-01-10",
            label="Date the money is lent",
            section="terms",
            essential=True,
        ),
        Field(
            "first_payment_date",
            Kind.DATE,
            "the date of the first payment, YYYY-MM-DD",
            example="2026-02-10",
            label="Date of the first payment",
            section="terms",
            essential=True,
        ),
        Field(
            "final_payment",
            Kind.MONEY,
            "a last payment that differs from the others, in dollars",
            label="A different last payment",
            section="schedule",
        ),
        Field(
            "unit_period",
            Kind.CHOICE,
            "the time between payments the APR is worked in, as Regulation Z's Appendix J calls it (default: "
            "a month for a loan's terms; for dated amounts, chosen from the dates as Appendix J (b)(4) says)",
            choices=UNIT_PERIODS,
            label="The unit-period",
            section="schedule",
            choice_labels=tuple(_UNIT_WORDS[u] for u in UNIT_PERIODS),
        ),
        Field(
            "advances",
            Kind.PAIR,
            "an amount lent on a date, written date=amount, such as 2026-01-10=5000; one for each amount "
            "lent (in place of the loan's terms)",
            repeat=True,
            example="2026-01-10=5000",
            label="An amount lent, with its date",
            section="cash_flows",
        ),
        Field(
            "payments",
            Kind.PAIR,
            "a payment on a date, written date=amount, such as 2026-02-10=230; one for each payment "
            "(with `advances`)",
            repeat=True,
            example="2026-02-10=230",
            label="A payment, with its date",
            section="cash_flows",
        ),
        Field(
            "disclosed_apr_percent",
            Kind.PERCENT,
            "the APR the lender's disclosure states, in percent, to check it against the tolerance of "
            "Regulation Z (12 CFR 1026.22)",
            maximum=1000,
            usual_maximum=36,
            label="The APR the lender disclosed",
            section="check",
            essential=True,
        ),
        Field(
            "irregular",
            Kind.FLAG,
            "the loan has several advances, uneven payment periods or uneven payments (an odd first "
            "period or first or last payment does not count): the tolerance is 1/4 point instead of 1/8",
            label="An irregular loan",
            section="check",
        ),
    ),
    check=_check,
)


def compute(values: dict[str, Any]) -> AprCheck:
    """The APR from either a regular loan's terms or dated cash flows."""
    unit = values["unit_period"]
    if values["advances"]:
        result = solve_apr(
            _flows(values["advances"], "advances"), _flows(values["payments"], "payments"), unit_period=unit
        )
    else:
        result = loan_apr(
            values["principal"],
            values["payment"],
            values["n_payments"],
            values["loan_date"],
            values["first_payment_date"],
            prepaid_finance_charge=values["prepaid_finance_charge"] or 0,
            unit_period=unit or "month",
            final_payment=values["final_payment"],
        )
    return AprCheck(result, values["disclosed_apr_percent"], bool(values["irregular"]))


def render(check: AprCheck) -> str:
    """The APR and the Truth-in-Lending figures."""
    r = check.result
    rows = [
        ("APR (percent per year)", str(r.apr_percent)),
        (
            "unit-period",
            r.unit_period + (" (chosen from the dates, App. J (b)(4))" if r.unit_period_chosen else ""),
        ),
        ("amount financed", format_money_human(r.amount_financed)),
        ("finance charge", format_money_human(r.finance_charge)),
        ("total of payments", format_money_human(r.total_of_payments)),
        ("term", f"{r.term_start.isoformat()} to {r.term_end.isoformat()}"),
    ]
    if check.disclosed_apr_percent is not None:
        verdict = "accurate" if check.accurate else "NOT accurate"
        tolerance = "1/4" if check.irregular else "1/8"
        rows.append(("disclosed APR", f"{check.disclosed_apr_percent}: {verdict} (within {tolerance} point)"))
    return key_values("APR (Regulation Z, Appendix J)", rows)


OPERATION = Operation(
    name="apr",
    summary="Annual percentage rate by Regulation Z Appendix J (actuarial method), and the 1026.22 tolerance check.",
    examples=(
        "underwater apr --principal 5000 --payment 230 --n-payments 24 --loan-date 1978-01-10 "
        "--first-payment-date 1978-02-10",
        "underwater apr --advances 1978-01-03=1000 --payments 1978-09-15=1080 --unit-period term --json",
        "underwater apr --advances 2025-03-01=10000 --payments 2026-03-01=2500 --payments 2027-03-01=2500 "
        "--payments 2028-03-01=2500 --payments 2029-03-01=2500 --payments 2030-03-01=2500",
        "underwater apr --principal 25000 --prepaid-finance-charge 495 --payment 495.28 --n-payments 60 "
        "--loan-date 2026-11-21 --first-payment-date 2026-12-21 --disclosed-apr-percent 7.5",
    ),
    form=FORM,
    compute=compute,
    render=render,
    aliases={"disclosed_percent": "disclosed_apr_percent"},
)
