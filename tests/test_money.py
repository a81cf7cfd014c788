"""underwater.money: parsing what people type, the one rounding rule, formatting."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from strategies import signed_amounts
from underwater.errors import InputError
from underwater.money import (
    format_money,
    format_money_human,
    format_ratio,
    from_cents,
    parse_money,
    parse_percent,
    round_cents,
    to_cents,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("18000", "18000.00"),
        ("18,000.50", "18000.50"),
        ("$18,000.50", "18000.50"),
        (" $1,234,567.8 ", "1234567.80"),
        ("18000.5", "18000.50"),
        (".50", "0.50"),
        ("0", "0.00"),
        ("1.500", "1.50"),
        (18000, "18000.00"),
        (Decimal("42.1"), "42.10"),
    ],
)
def test_parses_what_people_type(text: object, expected: str) -> None:
    assert parse_money(text, "owed") == Decimal(expected)
    assert str(parse_money(text, "owed")) == expected


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        (18000.5, "not a float"),
        (float("nan"), "not a float"),
        ("NaN", "finite"),
        ("inf", "finite"),
        (Decimal("Infinity"), "finite"),
        (Decimal("NaN"), "finite"),
        ("1.005", "at most two decimal places"),
        (Decimal("0.001"), "at most two decimal places"),
        ("-5", "must not be negative"),
        ("abc", "amount of money"),
        ("1,80,00", "amount of money"),
        ("", "amount of money"),
        ("$", "amount of money"),
        (True, "true/false"),
        (None, "must be a number"),
    ],
)
def test_refuses_bad_amounts_naming_field_and_rule(value: object, rule: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_money(value, "value")
    assert caught.value.field == "value"
    assert rule in caught.value.rule
    assert str(caught.value).startswith("value: ")


def test_european_notation_gets_a_suggestion() -> None:
    with pytest.raises(InputError, match=r"write 18000\.50"):
        parse_money("18.000,50", "owed")


def test_negative_allowed_when_asked() -> None:
    assert parse_money("-$5", "equity", allow_negative=True) == Decimal("-5.00")
    assert parse_money("$-5", "equity", allow_negative=True) == Decimal("-5.00")
    assert str(parse_money("-0", "equity", allow_negative=True)) == "0.00"


@pytest.mark.parametrize(
    ("amount", "cents"),
    [
        # The documented rule: halves go away from zero, like a spreadsheet's ROUND(x, 2).
        ("2.205", "2.21"),
        ("2.215", "2.22"),
        ("-2.205", "-2.21"),
        ("2.2049999", "2.20"),
        ("0.005", "0.01"),
        ("-0.004", "0.00"),
    ],
)
def test_the_one_rounding_rule(amount: str, cents: str) -> None:
    assert round_cents(Decimal(amount)) == Decimal(cents)
    assert format_money(Decimal(amount)) == cents if cents != "-0.00" else "0.00"


def test_formatting() -> None:
    assert format_money(Decimal("3000")) == "3000.00"
    assert format_money(Decimal("-0.001")) == "0.00"
    assert format_money_human(Decimal("-1234567.891")) == "-1,234,567.89"
    assert format_ratio(Decimal(180000) / Decimal(170000)) == "1.0588"
    assert format_ratio(Decimal("1.2")) == "1.2000"
    assert format_ratio(Decimal("0.00005")) == "0.0001"
    assert format_ratio(None) is None


def test_percent_is_read_as_typed() -> None:
    assert parse_percent("6.9", "rate_percent") == Decimal("6.9")
    assert parse_percent("6.9%", "rate_percent") == Decimal("6.9")
    assert parse_percent("0.069", "rate_percent") == Decimal("0.069")
    with pytest.raises(InputError, match="rate_percent: must be at least 0 percent"):
        parse_percent("-1", "rate_percent")
    with pytest.raises(InputError, match="not a float"):
        parse_percent(6.9, "rate_percent")


@given(signed_amounts)
def test_parse_then_format_round_trips(amount: Decimal) -> None:
    text = format_money(amount)
    assert parse_money(text, "amount", allow_negative=True) == amount
    assert format_money(parse_money(text, "amount", allow_negative=True)) == text
    human = format_money_human(amount)
    assert parse_money(human.replace("-", "-$", 1), "amount", allow_negative=True) == amount


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_cents_round_trip(cents: int) -> None:
    assert to_cents(from_cents(cents)) == cents
