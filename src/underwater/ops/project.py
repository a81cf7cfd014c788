"""The ``project`` job: when a loan surfaces, what it takes to surface sooner, and for a purchase
how to never go under and why today's gap is what it is.

Two ways in: a loan you have (``owed`` with ``remaining_payments`` and ``value``), or a purchase
(``price`` with ``term_months``, the down payment and what was financed on top;
``months_elapsed`` and ``value`` say where it stands today). A purchase also gives the
prevention answers and the attribution of today's gap. The inputs are the fields of the
situation's loan, asset and purchase parts (:mod:`underwater.situation`).
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass
from datetime import date
from typing import Any

from underwater.attribution import CAUSES, Attribution, attribute_gap
from underwater.errors import InputError
from underwater.forms import Field, Form, Kind
from underwater.journal import JournalMonth, write_journal
from underwater.limits import MAX_MONTHS
from underwater.loan import amortize
from underwater.money import ZERO, format_money, format_money_human
from underwater.ops import Operation
from underwater.projection import (
    HabitCost,
    Prevention,
    Projection,
    extra_to_surface_loan,
    habit_cost,
    prevention,
    project_loan,
)
from underwater.simple_interest import SimpleInterestLoan
from underwater.situation import TARGET_MONTH, Asset, Interest, Loan, Purchase, SecondLien, junior_liens
from underwater.textfmt import grid, key_values

_PURCHASE_FIELDS = tuple(f.name for f in Purchase.FIELDS if f.name not in ("price", "term_months"))


def _check(values: dict[str, Any]) -> None:
    if values["owed"] is None and values["price"] is None:
        raise InputError("owed", "is required: give `owed` (a loan you have) or `price` (a purchase)")
    if values["owed"] is not None and values["price"] is not None:
        raise InputError("price", "give `owed` (a loan you have) or `price` (a purchase), not both")
    if values["owed"] is not None:
        for name in (*_PURCHASE_FIELDS, "term_months"):
            if values[name] is not None:
                raise InputError(name, "applies to a purchase: use it with `price` instead of `owed`")
        if values["remaining_payments"] is None:
            raise InputError("remaining_payments", "is required with `owed`: the monthly payments left")
        if values["value"] is None:
            raise InputError("value", "is required with `owed`: what the asset would fetch now")
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
    if elapsed and values["value"] is None:
        raise InputError("value", "is required with `months_elapsed`: what the asset would fetch now")
    if values["age_months"] is not None and values["age_months"] < elapsed:
        raise InputError(
            "age_months", f"is the age today: at least `months_elapsed` ({elapsed})", got=values["age_months"]
        )


def _optional(fields: tuple[Field, ...], *names: str) -> tuple[Field, ...]:
    # The loan's fields as this job needs them: its rate always (a loan or a purchase), the
    # payoff and payments left only for a loan you have (the check says when).
    return tuple(
        dataclasses.replace(f, required=f.name == "rate_percent" or (f.required and f.name not in names))
        for f in fields
    )


FORM = Form(
    (
        *_optional(Loan.fields(), "owed", "remaining_payments"),
        *SecondLien.fields(),
        *Interest.fields(),
        *_optional(Asset.fields(), "value"),
        Field(
            "horizon_months",
            Kind.INT,
            "how many months ahead to look (default: the payments left, at most 600)",
            label="Months to look ahead",
            minimum=1,
            maximum=MAX_MONTHS,
            section="projection",
        ),
        Field(
            "start_date",
            Kind.DATE,
            "today's date, YYYY-MM-DD, to put a date on each month",
            label="Today's date",
            example="2026-12-01",
            section="projection",
        ),
        dataclasses.replace(TARGET_MONTH, section="projection"),
        *Purchase.fields(),
    ),
    check=_check,
    fill_defaults=False,
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
    interest: Interest = dataclasses.field(default_factory=Interest)
    habit: HabitCost | None = None

    def to_json(self) -> dict[str, Any]:
        """The projection's keys, plus ``interest_method``, ``conventions`` (a daily loan's, else
        null), ``habit`` (what the payment habit costs against paying on the due dates, when
        one is given), ``extra_to_surface`` (``target_month``, ``extra_monthly``), ``prevention``
        and ``attribution`` (each null when not asked for)."""
        data = self.projection.to_json()
        data["interest_method"] = self.interest.interest_method
        data["conventions"] = self.interest.conventions.to_json() if self.interest.daily else None
        data["habit"] = None if self.habit is None else self.habit.to_json()
        data["extra_to_surface"] = (
            None
            if self.target_month is None
            else {"target_month": self.target_month, "extra_monthly": format_money(self.extra_monthly_needed)}
        )
        data["prevention"] = None if self.prevention is None else self.prevention.to_json()
        data["attribution"] = None if self.attribution is None else self.attribution.to_json()
        return data


def compute(values: dict[str, Any]) -> ProjectReport:
    """The report from parsed inputs: a loan you have (``owed``), or a purchase (``price``)."""
    prevent: Prevention | None = None
    attribution: Attribution | None = None
    if values["price"] is not None:
        buy = Purchase.from_inputs(values)
        assert buy.price is not None and buy.term_months is not None
        elapsed = buy.months_elapsed
        age_today = elapsed if values["age_months"] is None else values["age_months"]
        value_today = buy.price if values["value"] is None else values["value"]
        attribution = attribute_gap(
            buy.price,
            buy.down_payment,
            buy.taxes_fees_financed,
            buy.addons_financed,
            buy.negative_equity_rolled,
            values["rate_percent"],
            buy.term_months,
            elapsed,
            value_today,
            payment=values["payment"],
        )
        asset = Asset.from_inputs({**values, "value": value_today, "age_months": age_today})
        # One value path for the purchase and today: through today's value when it is known.
        prevent = prevention(
            buy.price,
            rate_percent=values["rate_percent"],
            term_months=buy.term_months,
            down_payment=buy.down_payment,
            asset_class=asset.kind,
            age_months=age_today - elapsed,
            taxes_fees_financed=buy.taxes_fees_financed,
            addons_financed=buy.addons_financed,
            negative_equity_rolled=buy.negative_equity_rolled,
            depreciation=asset.depreciation,
            depreciation_rate_percent=asset.depreciation_rate_percent,
            value_today=None if values["value"] is None else value_today,
            months_elapsed=elapsed,
        )
        payment = amortize(
            attribution.amount_financed, values["rate_percent"], buy.term_months, payment=values["payment"]
        ).payment
        loan = Loan.from_inputs(
            {
                **values,
                "owed": attribution.owed_today,
                "remaining_payments": buy.term_months - elapsed,
                "payment": payment,
            }
        )
    else:
        loan = Loan.from_inputs(values)
        asset = Asset.from_inputs(values)
    interest = Interest.from_inputs(values)
    behind = junior_liens(loan, SecondLien.from_inputs(values))
    start = values["start_date"]
    result = project_loan(
        loan,
        asset,
        horizon_months=values["horizon_months"],
        start_date=start,
        interest=interest,
        behind=behind,
    )
    needed = None
    if values["target_month"] is not None:
        needed = extra_to_surface_loan(
            loan, asset, values["target_month"], interest=interest, start_date=start, behind=behind
        )
    habit = None
    if interest.days_late or interest.pay_twice_monthly:
        contract = interest.contract(loan, date.today() if start is None else start)
        assert isinstance(contract, SimpleInterestLoan)
        habit = habit_cost(contract, asset.value_path(), result.horizon_months, behind)
    return ProjectReport(result, values["target_month"], needed, prevent, attribution, interest, habit)


def _shown_months(projection: Projection) -> list[int]:
    last = projection.horizon_months
    months = set(range(0, last + 1, 12)) | {last}
    for special in (projection.crossover_month, projection.peak_month):
        if special is not None:
            months.add(special)
    return sorted(months)


def _month(month: int | None) -> str:
    return "not within the horizon" if month is None else f"month {month}"


def _render_habit(h: HabitCost) -> str:
    def day(d: date | None) -> str:
        return "-" if d is None else d.isoformat()

    word = "costs" if h.extra_cost >= 0 else "saves"
    return key_values(
        f"Paying {h.habit}",
        [
            ("interest paid on the due dates", format_money_human(h.interest_on_time)),
            ("interest paid your way", format_money_human(h.interest_with_habit)),
            ("late fees your way", format_money_human(h.fees_with_habit)),
            (f"your habit {word}", format_money_human(abs(h.extra_cost))),
            ("paid off, on the due dates", day(h.payoff_date_on_time)),
            ("paid off, your way", day(h.payoff_date_with_habit)),
            ("last payment, on the due dates", format_money_human(h.last_payment_on_time)),
            ("last payment, your way", format_money_human(h.last_payment_with_habit)),
            ("surfaces, on the due dates", _month(h.crossover_on_time)),
            ("surfaces, your way", _month(h.crossover_with_habit)),
        ],
    )


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
    if report.interest.daily:
        pairs.append(("interest", f"by the day ({report.interest.conventions.day_count.value})"))
    text = key_values("Projection", pairs) + "\n\n" + p.summary + "\n\n"
    if report.habit is not None:
        text += _render_habit(report.habit) + "\n\n"
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


def journal_text(report: ProjectReport, style: str) -> str:
    """Every month as a journal entry (:mod:`underwater.journal`): the payment split into what
    it took off the loan, the interest and fees, and the asset's change in value; the months
    need dates (``start_date``)."""
    rows = report.projection.rows
    if rows[0].date is None:
        raise InputError("start_date", "is needed for a journal: every entry has a date")
    months = [JournalMonth(rows[0].date, ZERO, ZERO, ZERO, rows[0].balance, rows[0].value)]
    for before, row in itertools.pairwise(rows):
        assert row.date is not None
        fees = row.paid - row.interest - (before.balance - row.balance)
        months.append(JournalMonth(row.date, row.paid, row.interest, fees, row.balance, row.value))
    return write_journal(months, style, other_liens=rows[0].owed - rows[0].balance)


OPERATION = Operation(
    name="project",
    summary="When the loan surfaces: balance against value month by month, crossover, peak, extra payment to "
    "surface sooner; for a purchase, the down payment and term that never go under, and why today's gap exists.",
    examples=(
        "underwater project --owed 24000 --rate-percent 7.9 --remaining-payments 48 --value 20000 "
        "--age-months 24 --start-date 2026-12-01",
        "underwater project --owed 24000 --rate-percent 7.9 --remaining-payments 48 --value 20000 "
        "--target-month 12 --json",
        "underwater project --price 40000 --down-payment 2000 --taxes-fees-financed 3000 --rate-percent 7 "
        "--term-months 72 --months-elapsed 12 --value 33000 --asset-class pickup",
        "underwater project --owed 28000 --rate-percent 9 --remaining-payments 60 --value 24000 --age-months 12 "
        "--interest-method daily --days-late 12 --late-fee 25 --start-date 2026-12-07 --next-due-date 2027-01-01",
    ),
    form=FORM,
    compute=compute,
    render=render,
    csv=csv_rows,
    journal=journal_text,
    aliases={"first_due": "next_due_date", "last_paid": "start_date"},
)
