"""The apr command against Regulation Z Appendix J's worked examples, and its tolerance check."""

from __future__ import annotations

import pytest

from clitools import run_json as run
from underwater.cli import main


def test_appendix_j_c1i_regular_monthly(capsys: pytest.CaptureFixture[str]) -> None:
    # 12 CFR 1026 App. J (c)(1)(i): $5,000 advanced 1-10-78, 24 monthly payments of $230 from 2-10-78: 9.69 %.
    code, data, _ = run(
        [
            "apr",
            "--principal",
            "5000",
            "--payment",
            "230",
            "--n-payments",
            "24",
            "--loan-date",
            "1978-01-10",
            "--first-payment-date",
            "1978-02-10",
        ],
        capsys,
    )
    assert (code, data["apr_percent"], data["finance_charge"]) == (0, "9.69", "520.00")


def test_appendix_j_c5i_single_payment_term(capsys: pytest.CaptureFixture[str]) -> None:
    # App. J (c)(5)(i): $1,000 on 1-3-78 repaid by $1,080 on 9-15-78 (255 days), unit-period = term: 11.45 %.
    code, data, _ = run(
        ["apr", "--advances", "1978-01-03=1000", "--payments", "1978-09-15=1080", "--unit-period", "term"],
        capsys,
    )
    assert (code, data["apr_percent"]) == (0, "11.45")


def test_appendix_j_c1iii_semimonthly_odd_first_period(capsys: pytest.CaptureFixture[str]) -> None:
    # App. J (c)(1)(iii): $5,000 on 2-23-78; 24 semimonthly payments of $219.17 from 3-1-78: 10.34 %.
    code, data, _ = run(
        [
            "apr",
            "--principal",
            "5000",
            "--payment",
            "219.17",
            "--n-payments",
            "24",
            "--loan-date",
            "1978-02-23",
            "--first-payment-date",
            "1978-03-01",
            "--unit-period",
            "semimonth",
        ],
        capsys,
    )
    assert (code, data["apr_percent"]) == (0, "10.34")


def test_prepaid_finance_charge_and_tolerance(capsys: pytest.CaptureFixture[str]) -> None:
    base = [
        "apr",
        "--principal",
        "25000",
        "--payment",
        "495.03",
        "--n-payments",
        "60",
        "--loan-date",
        "2026-11-21",
        "--first-payment-date",
        "2026-12-21",
    ]
    _, plain, _ = run(base, capsys)
    _, with_fee, _ = run([*base, "--prepaid-finance-charge", "495"], capsys)
    assert float(str(with_fee["apr_percent"])) > float(str(plain["apr_percent"]))
    apr = str(with_fee["apr_percent"])
    _, ok, _ = run([*base, "--prepaid-finance-charge", "495", "--disclosed-apr-percent", apr], capsys)
    assert ok["accurate"] is True
    _, off, _ = run(
        [*base, "--prepaid-finance-charge", "495", "--disclosed-apr-percent", str(plain["apr_percent"])],
        capsys,
    )
    assert off["accurate"] is False
    _, loose, _ = run(
        [
            *base,
            "--prepaid-finance-charge",
            "495",
            "--irregular",
            "--disclosed-apr-percent",
            str(plain["apr_percent"]),
        ],
        capsys,
    )
    assert loose["tolerance_percent"] == "0.25"


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["--principal", "5000", "--payment", "230"], "--n-payments"),
        (["--advances", "1978-01-03=1000"], "--payments"),
        (["--advances", "1978-02-30=1000", "--payments", "1978-09-15=1080"], "--advances"),
        (
            ["--advances", "1978-01-03=1000", "--payments", "1978-09-15=1080", "--unit-period", "fortnight"],
            "--unit-period",
        ),
        (["--advances", "1978-01-03=1000", "--payments", "1977-09-15=1080"], "--payments"),
        # Payments short of the advance would be a negative APR: refused, naming the payments.
        (["--advances", "2025-01-15=1000", "--payments", "2025-02-15=500"], "--payments"),
        (
            [
                "--principal",
                "1000",
                "--payment",
                "80",
                "--n-payments",
                "12",
                "--loan-date",
                "2025-01-15",
                "--first-payment-date",
                "2025-02-15",
            ],
            "--payment",
        ),
    ],
)
def test_bad_input(args: list[str], flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["apr", *args])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and flag in err, err


def test_payments_short_of_the_loan_say_what_to_check(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["apr", "--advances", "2025-01-15=1000", "--payments", "2025-02-15=500"])
    _, err = capsys.readouterr()
    assert code == 2
    assert "500.00, less than the advances, 1000.00" in err and "negative APR" in err


def test_dated_yearly_payments_get_a_yearly_unit_period(capsys: pytest.CaptureFixture[str]) -> None:
    # Appendix J (b)(4)(i): the most frequent period is the unit-period. Five payments of $2,500 a
    # year apart on $10,000: a year, and the APR is the yearly rate (numpy-financial's RATE for
    # 5 periods, 7.93 %), not 12 times a monthly one (7.66 %).
    args = ["apr", "--advances", "2025-03-01=10000"]
    for year in range(2026, 2031):
        args += ["--payments", f"{year}-03-01=2500"]
    code, data, _ = run(args, capsys)
    assert (code, data["unit_period"], data["unit_period_chosen"], data["apr_percent"]) == (
        0,
        "year",
        True,
        "7.93",
    )
    _, monthly, _ = run([*args, "--unit-period", "month"], capsys)
    assert (monthly["unit_period_chosen"], monthly["apr_percent"]) == (False, "7.66")
