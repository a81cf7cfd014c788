"""The value command: preset curves, a constant rate checked by hand, a fit, one curve at a time."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from clitools import run_json as run
from underwater.cli import main


def test_constant_rate_by_hand(capsys: pytest.CaptureFixture[str]) -> None:
    # 20,000 losing 10 % a year: 18,000.00 after a year, 16,200.00 after two.
    code, data, _ = run(
        ["value", "--value", "20000", "--depreciation-rate-percent", "10", "--horizon-months", "24"],
        capsys,
    )
    months = data["months"]
    assert code == 0 and isinstance(months, list)
    assert months[0]["value"] == "20000.00"
    assert months[12]["value"] == "18000.00"
    assert months[24]["value"] == "16200.00"
    assert data["value_lost"] == "3800.00"


def test_carfax_preset_second_year(capsys: pytest.CaptureFixture[str]) -> None:
    # Carfax rule: a one-year-old car keeps 0.80 and a two-year-old 0.68 of the price new, so a
    # car worth 20,000 at 12 months is worth 20,000 × 0.68 / 0.80 = 17,000.00 a year later.
    _, data, _ = run(["value", "--value", "20000", "--age-months", "12", "--horizon-months", "12"], capsys)
    assert data["value_at_horizon"] == "17000.00"
    curve = data["curve"]
    assert isinstance(curve, dict) and curve["name"] == "car_carfax" and curve["sources"]


def test_fit_from_comparables_recovers_a_known_rate(capsys: pytest.CaptureFixture[str]) -> None:
    # Sales made on an exact 20 %-a-year curve, miles in proportion to age: the fit finds 20 %.
    sales = [f"{12 * y},{12000 * y},{30000 * 0.8**y:.2f}" for y in range(1, 6)]
    args = ["value", "--value", "15000", "--age-months", "36"]
    for sale in sales:
        args += ["--comparable", sale]
    code, data, _ = run(args, capsys)
    fit = data["fit"]
    assert code == 0 and isinstance(fit, dict)
    assert math.isclose(float(fit["depreciation_rate_percent"]), 20.0, abs_tol=0.01)
    assert Decimal(fit["rmse"]) < Decimal("0.01")


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["--value", "1", "--comparable", "1,2"], "--comparable"),
        (["--value", "1", "--retention", "1=0.8", "--depreciation-rate-percent", "5"], "--retention"),
        (["--value", "1", "--depreciation", "spaceship"], "--depreciation"),
        (["--value", "1", "--age-months", "601"], "--age-months"),
        (["--value", "1", "--shock-percent", "100"], "--shock-percent"),
        (["--value", "-1"], "--value"),
    ],
)
def test_bad_input(args: list[str], flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["value", *args])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and flag in err, err


MILES_RAISE_THE_PRICE = ["12,10000,20000", "24,40000,21000", "36,20000,17000", "48,50000,16000"]
"""Four sales in which the higher-mileage ones sold for more at the same age: against how guides
price used vehicles (a deduction for miles above the expected figure), so the fit warns."""


def test_a_fit_where_miles_raise_the_price_warns_in_json_and_text(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["value", "--value", "20000", "--age-months", "30", "--horizon-months", "24"]
    for sale in MILES_RAISE_THE_PRICE:
        args += ["--comparable", sale]
    code, data, _ = run(args, capsys)
    warnings = data["warnings"]
    assert code == 0 and isinstance(warnings, list) and len(warnings) == 1
    assert "More miles raise the price" in warnings[0] and "check each sale's miles" in warnings[0]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "warning: More miles raise the price" in text


def test_no_warnings_on_a_preset(capsys: pytest.CaptureFixture[str]) -> None:
    _, data, _ = run(["value", "--value", "20000"], capsys)
    assert data["warnings"] == []
    assert main(["value", "--value", "20000"]) == 0
    assert "warning" not in capsys.readouterr().out


def test_a_steep_gain_for_fifty_years_is_worked_out(capsys: pytest.CaptureFixture[str]) -> None:
    # Was a decimal.InvalidOperation traceback: 21,000 × 1.5**50, to the cent.
    args = ["value", "--value", "21000", "--age-months", "600", "--depreciation-rate-percent", "-50"]
    code, data, err = run([*args, "--horizon-months", "600"], capsys)
    assert (code, err) == (0, "")
    assert data["value_at_horizon"] == "13390051504495.04"


@pytest.mark.parametrize(
    "sales",
    [
        ["0,0,1", "1,0,1000000000", "2,0,1000000000"],  # $1 new, a billion a month later
        ["0,0,1000000000", "1,0,0.01", "2,0,0.01"],
    ],
)
def test_a_fit_no_curve_can_carry_is_one_line_naming_the_sales(
    sales: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["value", "--value", "21000", "--age-months", "600", "--horizon-months", "600"]
    for sale in sales:
        args += ["--comparable", sale]
    code = main(args)
    out, err = capsys.readouterr()
    assert (code, out) == (2, ""), err
    assert err.count("\n") == 1 and "--comparable: the sales" in err, err


def test_a_fit_of_sales_at_one_price_has_no_r_squared(capsys: pytest.CaptureFixture[str]) -> None:
    # Every sale at the same price: nothing for the fit to explain (the table printed None).
    args = ["value", "--value", "21000", "--age-months", "24"]
    for sale in ["12,0,20000", "24,10000,20000", "36,0,20000"]:
        args += ["--comparable", sale]
    assert main(args) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if "R squared" in x)
    assert line.endswith(" undefined (every price the same)")
