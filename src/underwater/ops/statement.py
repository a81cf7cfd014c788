"""The ``statement`` job: which way the lender works daily interest, from the rows of a real
statement (and a payoff letter), each row checked to the cent; then the loan reproduced and
projected the lender's way (:mod:`underwater.statement`)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from underwater.errors import InputError
from underwater.forms import Field, Form, Kind
from underwater.journal import JournalMonth, write_journal
from underwater.limits import MAX_MONTHS
from underwater.money import ZERO, format_money, format_money_human
from underwater.ops import Operation
from underwater.simple_interest import ROUNDING_WORDS, SimpleInterestLoan
from underwater.situation import RATE
from underwater.statement import Fit, PayoffLetter, fit_statement
from underwater.statement_rows import MAX_ROWS, read_rows
from underwater.textfmt import grid, key_values

FORM = Form(
    (
        Field(
            "rows",
            Kind.LINES,
            "the statement's rows, one payment a line: date, payment, interest, principal, fees, balance "
            "(a header line may name the columns in any order; the first row is where the statement "
            f"starts: its date and balance); at most {MAX_ROWS} rows; on the command line one `rows` per "
            "line, or @FILE",
            required=True,
            example="2026-01-05,0,,,,18000.00",
            label="Your statement's rows",
            section="statement",
            essential=True,
        ),
        dataclasses.replace(RATE, required=True, example="6.99", section="statement"),
        Field(
            "payment",
            Kind.MONEY,
            "the regular monthly payment, in dollars, to project the loan with (default: the payment the "
            "rows show most)",
            label="Monthly payment",
            section="statement",
        ),
        Field(
            "remaining_payments",
            Kind.INT,
            "the monthly payments left after the last row (default: until the loan is paid)",
            minimum=1,
            maximum=MAX_MONTHS,
            label="Monthly payments left",
            section="statement",
        ),
        Field(
            "next_due_date",
            Kind.DATE,
            "the date the next payment is due, YYYY-MM-DD (default: a month after the last row)",
            label="Next payment due",
            section="statement",
        ),
        Field(
            "payoff_date",
            Kind.DATE,
            "from a payoff letter: the day its payoff is good for, YYYY-MM-DD",
            label="The letter's payoff date",
            section="letter",
        ),
        Field(
            "payoff_amount",
            Kind.MONEY,
            "from a payoff letter: the payoff on that day, in dollars",
            label="The letter's payoff",
            section="letter",
        ),
        Field(
            "letter_per_diem",
            Kind.DECIMAL,
            "from a payoff letter: the interest per day it prints (the per diem), in dollars",
            minimum=0,
            maximum=1_000_000,
            label="The letter's per diem",
            section="letter",
        ),
    ),
    fill_defaults=False,
)


@dataclass(frozen=True, slots=True)
class StatementReport:
    """A statement's fit and the loan reproduced from its last row the lender's way."""

    fit: Fit
    loan: SimpleInterestLoan

    @property
    def covers_interest(self) -> bool:
        """Whether the payment pays at least the interest of a month, so the loan ends."""
        postings = self.loan.postings
        return bool(postings) and postings[-1].owed == 0 and len(postings) < MAX_MONTHS

    def to_json(self) -> dict[str, Any]:
        """The fit's keys (:meth:`underwater.statement.Fit.to_json`) and ``projection``:
        ``payment``, ``payments``, ``payoff_date``, ``interest_to_come``, ``last_payment`` and
        ``schedule`` (every payment to come: ``date``, ``paid``, ``interest``, ``to_interest``,
        ``to_principal``, ``principal``, … as a statement row), or null when the payment does
        not cover the interest."""
        data = self.fit.to_json()
        postings = self.loan.postings
        data["projection"] = (
            {
                "payment": format_money(self.loan.regular_payment),
                "payments": len(postings),
                "payoff_date": postings[-1].on.isoformat(),
                "interest_to_come": format_money(self.loan.total_interest),
                "last_payment": format_money(postings[-1].paid),
                "schedule": [p.to_json() for p in postings],
            }
            if self.covers_interest
            else None
        )
        return data


def compute(values: dict[str, Any]) -> StatementReport:
    """The fit and the projection from parsed inputs."""
    rows = read_rows(values["rows"])
    letter = None
    given = [values[n] is not None for n in ("payoff_amount", "letter_per_diem")]
    if values["payoff_date"] is not None:
        if not any(given):
            raise InputError("payoff_date", "needs the letter's `payoff_amount` or `letter_per_diem`")
        letter = PayoffLetter(values["payoff_date"], values["payoff_amount"], values["letter_per_diem"])
    elif any(given):
        name = "payoff_amount" if given[0] else "letter_per_diem"
        raise InputError(name, "needs the letter's `payoff_date`")
    fit = fit_statement(rows, values["rate_percent"], letter=letter)
    if rows[-1].balance <= 0:
        raise InputError("rows", f"line {rows[-1].line}: the loan is paid off; there is nothing to project")
    loan = fit.loan(
        payment=values["payment"],
        remaining_payments=values["remaining_payments"],
        next_due=values["next_due_date"],
    )
    return StatementReport(fit, loan)


def _off(value: str | None) -> str:
    return "" if value is None or value == "0.00" else value


def render(report: StatementReport) -> str:
    """The verdict, the conventions, every row's check, the letter's, and the projection."""
    fit = report.fit
    if fit.fits:
        verdict = f"fits: {len(fit.matches)} way{'s' if len(fit.matches) != 1 else ''} of working it reproduce every row"
    else:
        lines = ", ".join(str(c.line) for c in fit.disagreeing)
        verdict = (
            f"does not fit: the closest way is off on line{'s' if len(fit.disagreeing) != 1 else ''} {lines}"
        )
    c = fit.best
    pairs = [
        ("statement", verdict),
        ("rate (percent per year)", str(fit.rate_percent)),
        ("day count", c.day_count.value),
        (
            "a day's interest",
            "not rounded"
            if c.per_diem_places is None
            else f"kept to {c.per_diem_places} decimals ({ROUNDING_WORDS[c.per_diem_rounding]})",
        ),
        ("interest to the cent", ROUNDING_WORDS[c.rounding]),
        ("payment applied to", ", then ".join(c.order)),
    ]
    text = key_values("Statement", pairs)
    if fit.undetermined:
        text += "\n\nThe rows fit more than one way; they do not tell apart:\n" + "\n".join(
            f"  {aspect}: {' | '.join(ROUNDING_WORDS.get(v, v) for v in values)}"
            for aspect, values in fit.undetermined.items()
        )
    rows = [
        [
            str(r.line),
            r.on.isoformat(),
            str(r.days),
            format_money_human(r.interest),
            format_money_human(r.principal),
            format_money_human(r.balance),
            _off(None if r.interest_off is None else format_money(r.interest_off)),
            _off(None if r.principal_off is None else format_money(r.principal_off)),
            _off(format_money(r.balance_off)),
        ]
        for r in fit.checks
    ]
    text += "\n\nEach row the lender's way (off: the statement less this way; blank when it agrees)\n"
    text += grid(
        [
            "line",
            "date",
            "days",
            "interest",
            "principal",
            "balance",
            "interest off",
            "principal off",
            "balance off",
        ],
        rows,
        left=2,
    )
    if fit.letter is not None:
        letter = fit.letter
        text += "\n\n" + key_values(
            f"Payoff letter, {letter.on.isoformat()}",
            [
                ("payoff this way", format_money_human(letter.payoff)),
                ("per diem this way", str(letter.per_diem)),
                (
                    "letter less this way",
                    format_money(letter.payoff_off) if letter.payoff_off is not None else "-",
                ),
                ("agrees", "yes" if letter.fits else "no"),
            ],
        )
    if report.covers_interest:
        postings = report.loan.postings
        text += "\n\n" + key_values(
            "From the last row, the lender's way",
            [
                ("payment", format_money_human(report.loan.regular_payment)),
                ("payments to come", str(len(postings))),
                ("paid off", postings[-1].on.isoformat()),
                ("interest to come", format_money_human(report.loan.total_interest)),
                ("last payment", format_money_human(postings[-1].paid)),
            ],
        )
    else:
        text += "\n\nThe payment does not cover a month's interest: the loan would never be paid."
    return text


def schedule_csv(report: StatementReport) -> list[list[str]]:
    """The payments to come as CSV rows."""
    head = ["date", "paid", "interest", "to_fees", "to_interest", "to_principal", "principal", "owed"]
    return [head] + [
        [
            p.on.isoformat(),
            format_money(p.paid),
            format_money(p.interest),
            format_money(p.to_fees),
            format_money(p.to_interest),
            format_money(p.to_principal),
            format_money(p.principal),
            format_money(p.owed),
        ]
        for p in (report.loan.postings if report.covers_interest else ())
    ]


def journal_text(report: StatementReport, style: str) -> str:
    """The statement's rows and then the payments to come, each split into what it took off the
    loan, the interest and the fees (:mod:`underwater.journal`); the asset is not followed."""
    rows = report.fit.rows
    months = [JournalMonth(rows[0].on, ZERO, ZERO, ZERO, rows[0].balance)]
    for row, check in zip(rows[1:], report.fit.checks, strict=True):
        interest = row.interest if row.interest is not None else check.interest
        months.append(JournalMonth(row.on, row.paid, interest, row.fees or ZERO, row.balance))
    # Interest the last row's payment did not cover is owed after it: charged then, paid later.
    unpaid = report.fit.unpaid_interest
    last = months[-1]
    months[-1] = JournalMonth(last.on, last.paid, last.interest + unpaid, last.fees, last.balance + unpaid)
    for p in report.loan.postings if report.covers_interest else ():
        months.append(JournalMonth(p.on, p.paid, p.interest, p.fees_charged, p.owed))
    return write_journal(months, style)


OPERATION = Operation(
    name="statement",
    summary="Fit my lender: which way it works daily interest, from a statement's rows, checked to the cent.",
    examples=(
        "underwater statement --rate-percent 12 --rows 2025-01-01,0,10000.00 "
        "--rows 2025-01-31,300.00,98.61,201.39,9798.61",
        "underwater statement --rate-percent 9 --rows 2025-02-01,0,19737.71 --rows 2025-03-01,415.17,136.27,278.90,0,"
        "19458.81 --rows 2025-04-01,415.17,148.74,266.43,0,19192.38 --payoff-date 2025-04-15 --letter-per-diem 4.73",
    ),
    form=FORM,
    compute=compute,
    render=render,
    csv=schedule_csv,
    journal=journal_text,
    aliases={"first_due": "next_due_date"},
)
