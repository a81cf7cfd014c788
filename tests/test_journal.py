"""Journals written for hledger and Beancount are read by the real programs (hledger from Debian,
Beancount from PyPI), every balance they assert holds, and the asset's account plus the loan's is
the net equity the projection gives; an altered balance is caught."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from beancount import loader
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from underwater.errors import InputError
from underwater.ops.project import OPERATION as PROJECT
from underwater.ops.statement import OPERATION as STATEMENT

D = Decimal
HLEDGER = shutil.which("hledger")


def _hledger(text: str, *args: str) -> subprocess.CompletedProcess[str]:
    assert HLEDGER is not None, "hledger is missing: scripts/setup.sh --browser installs it (apt-get)"
    return subprocess.run([HLEDGER, "-f", "-", *args], input=text, capture_output=True, text=True, timeout=60)


def _balances(text: str) -> dict[str, Decimal]:
    done = _hledger(text, "balance", "--flat", "--empty", "-O", "csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(done.stdout)))[1:]
    return {account: D(amount.replace("$", "") or "0") for account, amount in rows if account != "total"}


def _beancount_errors(text: str) -> list[object]:
    _, errors, _ = loader.load_string(text)
    return list(errors)


LOANS = st.fixed_dictionaries(
    {
        "owed": st.integers(5_000, 90_000).map(str),
        "rate_percent": st.sampled_from(["0", "4.9", "9", "17.5"]),
        "remaining_payments": st.integers(6, 72),
        "value": st.integers(3_000, 90_000).map(str),
        "start_date": st.sampled_from(["2026-12-07", "2027-01-31", "2028-02-29"]),
        "other_liens": st.sampled_from([None, "2500"]),
        "daily": st.sampled_from([None, ("5", None), ("14", "25")]),
    }
)


def _inputs(spec: dict[str, object]) -> dict[str, object]:
    raw = {k: v for k, v in spec.items() if k != "daily" and v is not None}
    if spec["daily"] is not None:
        late, fee = spec["daily"]  # type: ignore[misc]
        raw |= {"interest_method": "daily", "days_late": late}
        if fee:
            raw["late_fee"] = fee
    return raw


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LOANS)
def test_a_projections_journal_holds_in_hledger_and_beancount(spec: dict[str, object]) -> None:
    report = PROJECT.run(_inputs(spec))
    rows = report.projection.rows
    hledger = PROJECT.journal(report, "hledger")  # type: ignore[misc]
    balances = _balances(hledger)  # hledger checks every "= balance" assertion as it reads
    last = rows[-1]
    assert balances.get("Assets:Vehicle", D(0)) == last.value
    assert balances.get("Liabilities:Loan", D(0)) == -last.balance
    # The asset's account plus the loans' is the net equity.
    loans = balances.get("Liabilities:Loan", D(0)) + balances.get("Liabilities:Other-Liens", D(0))
    assert balances.get("Assets:Vehicle", D(0)) + loans == last.equity
    assert -balances["Assets:Checking"] == report.projection.total_paid
    assert _beancount_errors(PROJECT.journal(report, "beancount")) == []  # type: ignore[misc]


def test_an_altered_balance_is_caught_by_both_programs() -> None:
    report = PROJECT.run(
        {
            "owed": "12000",
            "rate_percent": "9",
            "remaining_payments": "12",
            "value": "10000",
            "start_date": "2026-12-07",
        }
    )
    hledger = PROJECT.journal(report, "hledger")  # type: ignore[misc]
    assert _hledger(hledger, "balance").returncode == 0
    balance = f"{report.projection.rows[3].balance:.2f}"
    tampered = hledger.replace(f"= $-{balance}", f"= $-{D(balance) + 1:.2f}", 1)
    assert tampered != hledger
    failed = _hledger(tampered, "balance")
    assert failed.returncode != 0 and "balance assertion" in failed.stderr.lower()
    beancount = PROJECT.journal(report, "beancount")  # type: ignore[misc]
    assert _beancount_errors(beancount) == []
    assert _beancount_errors(beancount.replace(f"-{balance} USD", f"-{D(balance) + 1:.2f} USD", 1))


def test_a_statements_journal_runs_from_its_rows_into_the_payments_to_come() -> None:
    report = STATEMENT.run(
        {
            "rows": "2025-02-01,0,19737.71\n2025-03-01,415.17,136.27,278.90,0,19458.81\n"
            "2025-04-01,415.17,148.74,266.43,0,19192.38",
            "rate_percent": "9",
        }
    )
    text = STATEMENT.journal(report, "hledger")  # type: ignore[misc]
    balances = _balances(text)
    assert balances.get("Liabilities:Loan", D(0)) == 0
    assert balances["Expenses:Interest"] == D("136.27") + D("148.74") + report.loan.total_interest
    assert _beancount_errors(STATEMENT.journal(report, "beancount")) == []  # type: ignore[misc]


def test_a_journal_needs_dates() -> None:
    report = PROJECT.run({"owed": "12000", "rate_percent": "9", "remaining_payments": "12", "value": "10000"})
    with pytest.raises(InputError) as caught:
        PROJECT.journal(report, "hledger")  # type: ignore[misc]
    assert caught.value.field == "start_date"
