"""Fit my lender: lenders' published figures are recognised, statements made under every
convention are recognised exactly, one altered row is named, and the reader refuses what it
cannot read with the line and the rule."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from underwater.dates import DayCount
from underwater.errors import InputError
from underwater.ops.statement import OPERATION
from underwater.simple_interest import ORDERS, ROUNDINGS, Conventions, Habit, LateFee, SimpleInterestLoan
from underwater.statement import CANDIDATES, PayoffLetter, fit_statement
from underwater.statement_rows import StatementRow, read_rows

D = Decimal


def _statement(loan: SimpleInterestLoan, count: int) -> list[StatementRow]:
    """A statement as the lender would print it: the opening row, then ``count`` payments."""
    rows = [StatementRow(1, loan.last_paid, D(0), loan.principal)]
    for line, p in enumerate(loan.postings[:count], start=2):
        rows.append(StatementRow(line, p.on, p.paid, p.principal, p.to_interest, p.to_principal, p.to_fees))
    return rows


# --------------------------------------------------------------------------- published figures


def test_ford_credits_per_diem_cut_to_three_places_is_told_apart() -> None:
    # Ford Credit's worked example (ford.com/finance/articles/simple-interest-financing): $10,000
    # at 12 %, $300 paid after 30 days: $98.61 of interest, $201.39 of principal. Only a per
    # diem of 3.287 (3 places, the rest dropped) gives 98.61: to the cent it would be 3.29 × 30 =
    # 98.70, exactly 98.63.
    rows = read_rows(
        "Date,Payment,Interest,Principal,Balance\n2025-01-01,0,,,10000.00\n2025-01-31,300,98.61,201.39,9798.61"
    )
    fit = fit_statement(rows, D(12))
    assert fit.fits and fit.best.per_diem_places == 3 and fit.best.per_diem_rounding == "down"
    assert all(c.per_diem_places == 3 for c in fit.matches)


def test_toyota_financials_two_cycles_fit_a_per_diem_to_four_places() -> None:
    # Toyota Financial Services' worked example (as re-hosted): $19,737.71 at 9 %, $415.17 paid
    # after 28 then 31 days: $136.27 and $148.74 of interest, balance $19,458.81 after the first.
    rows = read_rows(
        "2025-02-01,0,19737.71\n"
        "2025-03-01,415.17,136.27,278.90,0,19458.81\n"
        "2025-04-01,415.17,148.74,266.43,0,19192.38"
    )
    fit = fit_statement(rows, D(9))
    assert fit.fits
    assert {c.per_diem_places for c in fit.matches} == {4, None}  # to the cent it would be 4.87 × 28
    assert fit.best.per_diem_places == 4


def test_a_payoff_letter_is_one_more_check() -> None:
    rows = read_rows("2025-03-01,0,10000.00")
    # Santander's per diem, $4.93 a day on $10,000 at 18 %, for ten days: 49.30.
    fit = fit_statement(rows, D(18), letter=PayoffLetter(date(2025, 3, 11), D("10049.30"), D("4.93")))
    assert fit.fits and fit.best.per_diem_places == 2
    wrong = fit_statement(rows, D(18), letter=PayoffLetter(date(2025, 3, 11), D("10049.35")))
    assert not wrong.fits and wrong.letter is not None and not wrong.letter.fits


# --------------------------------------------------------------------------- every convention


LOANS = st.fixed_dictionaries(
    {
        "principal": st.decimals(D(3000), D(90000), places=2),
        "rate": st.decimals(D("1.5"), D(29), places=2),
        "late": st.integers(-10, 25),
        "start": st.dates(date(2022, 1, 1), date(2029, 12, 31)),
        "fee": st.sampled_from([None, D(15), D(25)]),
    }
)


def _loan(c: Conventions, spec: dict[str, object], term: int = 48) -> SimpleInterestLoan:
    fee = spec["fee"]
    return SimpleInterestLoan(
        spec["principal"],  # type: ignore[arg-type]
        spec["rate"],  # type: ignore[arg-type]
        term,
        spec["start"],  # type: ignore[arg-type]
        habit=Habit(days_late=spec["late"]),  # type: ignore[arg-type]
        conventions=c,
        late_fee=None if fee is None else LateFee(10, fee),  # type: ignore[arg-type]
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(CANDIDATES), LOANS)
def test_a_statement_made_under_any_convention_is_recognised(c: Conventions, spec: dict[str, object]) -> None:
    loan = _loan(c, spec)
    fit = fit_statement(_statement(loan, 12), loan.rate_percent)
    assert c in fit.matches
    assert fit.fits and all(check.fits for check in fit.checks)
    # The loan reproduced from the last row the lender's way goes on as the lender's does. (A
    # statement whose payments go to principal before interest never shows the interest it
    # charges, so its unpaid interest cannot be read off it: every lender puts interest first.)
    # Nor, when principal comes before fees, does it show the late fees still owed.
    order = c.order.index
    fees_seen = spec["fee"] is None or order("fees") < order("principal")
    if order("interest") < order("principal") and fees_seen:
        again = fit.loan(
            payment=loan.regular_payment,
            remaining_payments=loan.term_months - 12,
            next_due=loan.due_dates[12],
        )
        assert dataclasses_equal(again, loan, c)


def dataclasses_equal(again: SimpleInterestLoan, loan: SimpleInterestLoan, c: Conventions) -> bool:
    # Same conventions for the projection: the matches may include equivalent ones.
    redone = SimpleInterestLoan(
        again.principal,
        again.rate_percent,
        again.term_months,
        again.last_paid,
        again.first_due,
        again.payment,
        loan.habit,
        c,
        loan.late_fee,
        again.unpaid_interest,
    )
    return [(p.on, p.paid, p.interest, p.principal) for p in redone.postings] == [
        (p.on, p.paid, p.interest, p.principal) for p in loan.postings[12:]
    ]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(CANDIDATES), LOANS, st.integers(2, 13), st.sampled_from(["interest", "balance"]))
def test_one_altered_row_is_named(c: Conventions, spec: dict[str, object], line: int, what: str) -> None:
    rows = _statement(_loan(c, spec), 12)
    row = rows[line - 1]
    altered = (
        StatementRow(
            row.line, row.on, row.paid, row.balance, (row.interest or D(0)) + D(1), row.principal, row.fees
        )
        if what == "interest"
        else StatementRow(
            row.line, row.on, row.paid, row.balance + D(1), row.interest, row.principal, row.fees
        )
    )
    rows[line - 1] = altered
    fit = fit_statement(rows, spec["rate"])  # type: ignore[arg-type]
    assert not fit.fits
    named = [check.line for check in fit.disagreeing]
    if what == "interest":
        assert named == [line]
    else:
        # The next row starts from the statement's balance, so a balance that does not follow
        # from its row shows on that row and on the next one.
        assert named[0] == line and named in ([line], [line, line + 1])


def test_every_day_count_rounding_and_order_is_tried() -> None:
    assert {c.day_count for c in CANDIDATES} == set(DayCount)
    assert {c.rounding for c in CANDIDATES} == set(ROUNDINGS)
    assert {c.order for c in CANDIDATES} == set(ORDERS)
    assert {c.per_diem_places for c in CANDIDATES} == {2, 3, 4, None}
    assert len(set(CANDIDATES)) == len(CANDIDATES) == 720


def test_rows_that_follow_from_no_convention_are_an_honest_no() -> None:
    rows = read_rows("2025-01-01,0,10000.00\n2025-01-31,300,50.00,250.00,9750.00")
    fit = fit_statement(rows, D(12))
    assert not fit.fits and fit.matches == ()
    (check,) = fit.disagreeing
    assert check.line == 2 and check.interest_off is not None and check.interest_off < -40


# --------------------------------------------------------------------------- reading the rows


def test_the_reader_takes_what_lenders_export() -> None:
    tabbed = "Posting Date\tAmount\tPrincipal\tInterest\tLate Fee\tPrincipal Balance\n01/05/2026\t$450.00\t329.67\t120.33\t\t18,000.00"
    (row,) = read_rows(tabbed)
    assert (row.on, row.paid, row.principal, row.interest, row.fees, row.balance) == (
        date(2026, 1, 5),
        D("450.00"),
        D("329.67"),
        D("120.33"),
        None,
        D("18000.00"),
    )
    quoted = 'date,payment,balance,memo\n2026-01-05,"1,450.00","18,000.00",first payment'
    assert read_rows(quoted)[0].paid == D("1450.00")
    assert read_rows("# my loan\n\n2026-01-05 450 18000\n")[0].line == 3


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("2026-02-05,450,18000\n2026-01-05,450,17600", "line 2: its date 2026-01-05 is before line 1's"),
        ("2026-01-05,-450,18000", "line 1: the payment: must be an amount in dollars"),
        ("2026-02-30,450,18000", "line 1: the date"),
        ("Date,Payment,Note\n2026-01-05,450,x", "names no column for the balance"),
        ("2026-01-05,450,1,18000", "line 1: has 4 cells"),
        ("# nothing here\n", "holds no rows"),
    ],
)
def test_the_reader_names_the_line_and_the_rule(text: str, words: str) -> None:
    with pytest.raises(InputError) as caught:
        read_rows(text)
    assert caught.value.field == "rows" and words in caught.value.rule


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('0123456789-/,.$;\t \n"#abDPIBe')), max_size=300))
def test_the_reader_never_fails_any_other_way(text: str) -> None:
    try:
        rows = read_rows(text)
    except InputError as exc:
        assert exc.field == "rows"
        return
    assert all(r.paid >= 0 and r.balance >= 0 for r in rows)
    assert [r.on for r in rows] == sorted(r.on for r in rows)


# --------------------------------------------------------------------------- the job


def test_the_job_fits_and_projects() -> None:
    report = OPERATION.run(
        {"rows": "2025-01-01,0,10000.00\n2025-01-31,300.00,98.61,201.39,9798.61", "rate_percent": "12"}
    )
    data = report.to_json()
    assert data["fits"] and data["conventions"]["per_diem_places"] == 3
    projection = data["projection"]
    assert projection["payment"] == "300.00" and projection["schedule"][-1]["owed"] == "0.00"
    assert date.fromisoformat(projection["payoff_date"]) > date(2025, 1, 31)


def test_a_payment_short_of_the_interest_is_said() -> None:
    report = OPERATION.run(
        {"rows": "2025-01-01,0,10000.00\n2025-01-31,50,50,0,10000.00", "rate_percent": "12"}
    )
    assert report.to_json()["projection"] is None
    assert "never be paid" in OPERATION.render(report)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "underwater", "statement", *args], capture_output=True, text=True, timeout=60
    )


def test_the_cli_reads_a_file_and_refuses_what_is_not_one(tmp_path: Path) -> None:
    book = tmp_path / "statement.csv"
    book.write_text(
        "Date,Payment,Interest,Principal,Balance\n2025-01-01,0,,,10000.00\n2025-01-31,300,98.61,201.39,9798.61\n"
    )
    done = _cli("--rate-percent", "12", "--rows", f"@{book}")
    assert done.returncode == 0 and "fits" in done.stdout
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    for target, words in (
        (tmp_path / "missing.csv", "cannot read the file"),
        (fifo, "is not a regular file"),
        (tmp_path, "is not a regular file"),
    ):
        done = _cli("--rate-percent", "12", "--rows", f"@{target}")
        assert done.returncode == 2 and done.stderr.count("\n") == 1 and words in done.stderr
        assert "--rows" in done.stderr and "Traceback" not in done.stderr
    latin = tmp_path / "latin.csv"
    latin.write_bytes("2025-01-01,0,10000.00\n2025-01-31,300,9798.61 \xe9\n".encode("latin-1"))
    done = _cli("--rate-percent", "12", "--rows", f"@{latin}")
    assert done.returncode == 2 and "not UTF-8" in done.stderr


def test_letter_fields_go_together() -> None:
    rows = "2025-03-01,0,10000.00"
    with pytest.raises(InputError) as caught:
        OPERATION.run({"rows": rows, "rate_percent": "18", "payoff_amount": "10049.30"})
    assert caught.value.field == "payoff_amount"
    with pytest.raises(InputError) as caught:
        OPERATION.run({"rows": rows, "rate_percent": "18", "payoff_date": "2025-03-11"})
    assert caught.value.field == "payoff_date"
    with pytest.raises(InputError) as caught:
        OPERATION.run({"rows": rows, "rate_percent": "18"})
    assert caught.value.field == "rows"
