"""The books of one exit: flows between parties, debts read off their entries, the invariants."""

from __future__ import annotations

from decimal import Decimal

import pytest

from underwater.contracts import AmortizingLoan
from underwater.ledger import BORROWER, BUYER, LENDER, SERVICE_PROVIDERS, Ledger, LedgerError

D = Decimal


def test_a_sale_and_a_check_clear_a_loan_and_every_figure_is_read_off_the_books() -> None:
    books = Ledger(12)
    books.open("loan", LENDER, "the loan", 0, D("80000.00"), secured=True)
    books.cash(0, BUYER, SERVICE_PROVIDERS, D("1000.00"), "selling costs")
    books.pay("loan", 0, D("57000.00"), "proceeds", payer=BUYER)
    books.pay("loan", 0, D("23000.00"), "the gap")
    books.check()
    assert books.owed_at(0) == D("0.00")
    assert books.received(LENDER) == D("80000.00") and books.spent(BUYER) == D("58000.00")
    assert books.cash_now() == books.paid_by_borrower() == D("23000.00")
    assert books.nets(LENDER, D(5)) == D("80000.00")  # all of it today
    assert books.claim(LENDER) == D("80000.00")


def test_a_contract_runs_month_by_month_and_its_interest_is_charged() -> None:
    # $1,000 at 12 % over two months: 507.51 twice; interest 10.00 then 5.02.
    books = Ledger(1)
    books.run("loan", AmortizingLoan(D(1000), D(12), 2), LENDER, "the loan")
    debt = books.debts["loan"]
    assert debt.total("charged") == D("15.02") and debt.total("paid") == D("1015.02")
    assert books.owed_at(1) == D("502.49") and books.owed_at(2) == D("0.00")
    # The borrower's figures stop at the horizon; the lender's count every dollar.
    assert books.paid_by_borrower() == D("507.51") and books.received(LENDER) == D("1015.02")
    assert books.largest_monthly() == D("507.51")
    # The last, balancing payment is not the monthly payment a budget is checked against.
    last = Ledger(2)
    last.run("loan", AmortizingLoan(D(1000), D(12), 2, payment=D(400)), LENDER, "the loan")
    assert last.largest_monthly() == D("400.00")


def test_catching_up_pays_the_arrears_today_and_the_rest_on_time() -> None:
    loan = AmortizingLoan(D(1200), D(0), 12)
    books = Ledger(12)
    books.run("loan", loan, LENDER, "the loan", months_now=2)
    assert books.cash_now() == D("200.00")  # two payments of 100.00 today
    assert books.owed_at(10) == D("0.00")  # ten more months and it is gone
    assert books.largest_monthly() == D("100.00")


def test_no_creditor_is_paid_more_than_it_is_owed() -> None:
    books = Ledger(12)
    books.open("loan", LENDER, "the loan", 0, D("100.00"))
    books.pay("loan", 0, D("150.00"), "too much")
    with pytest.raises(LedgerError, match=r"owed -50\.00"):
        books.check()


def test_a_debt_cannot_be_opened_twice_and_uses_cannot_overlap() -> None:
    books = Ledger(12)
    books.open("loan", LENDER, "the loan", 0, D("1.00"))
    with pytest.raises(LedgerError, match="twice"):
        books.open("loan", LENDER, "the loan", 0, D("1.00"))
    books.use("the asset", 0, 6)
    books.use("a replacement", 3)
    with pytest.raises(LedgerError, match="overlaps"):
        books.check()
    assert books.covers(0, 12)


def test_forgiveness_names_who_forgave_and_the_json_sums_the_books() -> None:
    books = Ledger(12)
    books.open("loan", LENDER, "the loan", 0, D("500.00"))
    books.forgive("loan", 0, D("200.00"), "settled")
    books.forgive("loan", 0, D("300.00"), "barred", by="law: Wis. Stat. 425.209")
    data = books.to_json()
    assert data["debts"][0]["forgiven_by"] == {"lender": "200.00", "law: Wis. Stat. 425.209": "300.00"}
    assert data["debts"][0]["owed_at_horizon"] == "0.00"
    assert books.forgiven(LENDER) == D("500.00") and books.paid_by_borrower() == D("0.00")


def test_rent_and_other_cash_that_pays_no_debt() -> None:
    books = Ledger(3)
    for month in (1, 2, 3):
        books.cash(month, BORROWER, "landlord", D("900.00"), "rent", recurring=True)
    assert books.paid_by_borrower() == D("2700.00") and books.largest_monthly() == D("900.00")
    assert books.party_flows("landlord") == [(1, D("900.00")), (2, D("900.00")), (3, D("900.00"))]
