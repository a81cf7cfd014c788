"""underwater.limits: one set of limits, and every front holds to it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import polars as pl
import pytest

from clitools import run
from underwater import apr, deficiency, loan, payoff, trade_in_tax
from underwater.errors import InputError
from underwater.limits import FIRST_DATE, LAST_DATE, MAX_AMOUNT, MAX_AMOUNT_CENTS, MAX_MONTHS
from underwater.portfolio.schema import validate

LOAN = ["--rate-percent", "6", "--remaining-payments"]


@pytest.mark.parametrize(
    "command",
    [
        ["project", "--owed", "24000", "--value", "20000", *LOAN],
        ["options", "--owed", "24000", "--value", "20000", *LOAN],
    ],
)
def test_the_longest_term_is_the_same_on_the_command_line(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run([*command, str(MAX_MONTHS)], capsys)[0] == 0
    code, _, err = run([*command, str(MAX_MONTHS + 1)], capsys)
    assert code == 2 and f"at most {MAX_MONTHS}" in err


def _book(remaining: int, balance: str = "24000.00") -> pl.DataFrame:
    return pl.DataFrame(
        {
            "loan_id": ["A"],
            "balance": [balance],
            "rate_percent": ["6"],
            "remaining_payments": [str(remaining)],
            "value": ["20000"],
        }
    )


def test_the_book_takes_the_same_longest_term() -> None:
    assert len(validate(_book(MAX_MONTHS))[0]) == 1
    book, rejects = validate(_book(MAX_MONTHS + 1))
    assert len(book) == 0 and rejects["field"].to_list() == ["remaining_payments"]


def test_the_book_takes_the_same_largest_amount(capsys: pytest.CaptureFixture[str]) -> None:
    assert int(MAX_AMOUNT * 100) == MAX_AMOUNT_CENTS
    assert len(validate(_book(12, f"{MAX_AMOUNT:f}"))[0]) == 1
    assert len(validate(_book(12, "1000000000.01"))[0]) == 0
    code, _, err = run(["equity", "--owed", "1000000000.01", "--value", "1"], capsys)
    assert code == 2 and "at most 1,000,000,000.00 dollars" in err


# -- dates: the library holds to the same range as the fronts -----------------------------------

_D = date(2026, 1, 15)
_DATE_ENTRY_POINTS: list[tuple[str, Callable[[date], object]]] = [
    ("first_payment_date", lambda d: loan.amortize(1000, 5, 12, first_payment_date=d)),
    ("first_payment_date", lambda d: loan.payment_dates(d, 12)),
    ("extra_payments", lambda d: loan.ExtraPayment.once(10, on_date=d)),
    ("last_payment_date", lambda d: payoff.payoff_quote(1000, 5, d, _D)),
    ("payoff_date", lambda d: payoff.payoff_quote(1000, 5, _D, d)),
    ("advances", lambda d: apr.apr_percent([(d, 1000)], [(_D, 1100)])),
    ("payments", lambda d: apr.apr_percent([(_D, 1000)], [(d, 1100)])),
    ("loan_date", lambda d: apr.loan_apr(1000, 100, 12, loan_date=d, first_payment_date=_D)),
    ("first_payment_date", lambda d: apr.loan_apr(1000, 100, 12, loan_date=_D, first_payment_date=d)),
    ("first_payment_date", lambda d: apr.payment_dates(d, 12)),
    ("end", lambda d: apr.unit_periods_between(_D, d)),
    ("start", lambda d: apr.unit_periods_between(d, _D)),
    ("payments", lambda d: apr.unit_period_for([_D], [d])),
    ("as_of", lambda d: deficiency.deficiency_worksheet(1000, d, 500, deficiency.Expenses())),
    ("as_of", lambda d: deficiency.estimate_deficiency(1000, 800, "car", as_of=d)),
    ("on", lambda d: trade_in_tax.trade_in_rule("CA", on=d)),
]


@pytest.mark.parametrize("day", [date(9999, 12, 31), date(1, 1, 1), LAST_DATE + timedelta(days=1)])
@pytest.mark.parametrize(("field", "call"), _DATE_ENTRY_POINTS)
def test_every_library_date_is_held_to_the_same_range(
    field: str, call: Callable[[date], object], day: date
) -> None:
    # amortize(…, first_payment_date=date(9999, 12, 31)) raised a plain ValueError ("year 10000
    # is out of range"); now every entry point names its field and the range.
    with pytest.raises(InputError) as caught:
        call(day)
    assert caught.value.field == field
    assert f"from {FIRST_DATE} to {LAST_DATE}" in caught.value.rule


@pytest.mark.parametrize(("field", "call"), _DATE_ENTRY_POINTS)
def test_the_range_is_inclusive(field: str, call: Callable[[date], object]) -> None:
    for day in (FIRST_DATE + timedelta(days=400), LAST_DATE - timedelta(days=400)):
        try:
            call(day)
        except InputError as exc:
            # Other rules may still refuse the pair (a loan date after the first payment …),
            # but never the range.
            assert f"from {FIRST_DATE} to {LAST_DATE}" not in exc.rule


def test_a_series_of_payments_past_year_9999_is_refused_naming_the_count() -> None:
    with pytest.raises(InputError) as caught:
        apr.payment_dates(date(2026, 1, 1), 100_000, "year")
    assert caught.value.field == "n_payments"
