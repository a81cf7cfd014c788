"""underwater.limits: one set of limits, and every front holds to it."""

from __future__ import annotations

import polars as pl
import pytest

from clitools import run
from underwater.limits import MAX_AMOUNT, MAX_AMOUNT_CENTS, MAX_MONTHS
from underwater.portfolio.schema import validate

LOAN = ["--rate-percent", "6", "--remaining-payments"]


@pytest.mark.parametrize(
    "command",
    [
        ["project", "--balance", "24000", "--value-today", "20000", *LOAN],
        ["options", "--payoff", "24000", "--value", "20000", *LOAN],
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
