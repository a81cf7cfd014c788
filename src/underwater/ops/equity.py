"""The ``equity`` job: where a borrower stands today."""

from __future__ import annotations

import dataclasses
from typing import Any

from underwater.errors import InputError
from underwater.forms import Field, Form, Kind
from underwater.money import ZERO, format_money_human, format_ratio
from underwater.ops import Operation
from underwater.position import Position, ValueSource, position
from underwater.situation import VALUE_SOURCE
from underwater.textfmt import key_values


def _check(values: dict[str, Any]) -> None:
    if not values["owed"] and not values["lien"]:
        raise InputError("owed", "is required: give what is owed (`owed`, repeatable, or `lien` NAME=AMOUNT)")


FORM = Form(
    (
        Field(
            "owed",
            Kind.MONEY,
            "what it takes to pay the loan off today, in dollars; one for each loan on it (a mortgage "
            "and a HELOC: two)",
            repeat=True,
            example="18000",
            label="Payoff of each loan on it",
            section="loan",
            essential=True,
        ),
        Field(
            "lien",
            Kind.PAIR,
            "a loan on it with a name, written name=amount, such as HELOC=30000; one for each loan",
            repeat=True,
            example="HELOC=30000",
            label="A loan on it, by name",
            section="loan",
        ),
        Field(
            "value",
            Kind.MONEY,
            "what it would sell for now, in dollars: a real offer, an appraisal or a dealer quote",
            required=True,
            example="15000",
            label="What it would fetch today",
            section="asset",
            essential=True,
        ),
        dataclasses.replace(VALUE_SOURCE, default=ValueSource.MARKET.value, section="asset"),
        Field(
            "offer",
            Kind.MONEY,
            "what a buyer offers for it, in dollars, to work out the cash you would bring to the closing",
            example="58000",
            label="A buyer's offer",
            section="sale",
        ),
        Field(
            "selling_costs",
            Kind.MONEY,
            "what a sale costs you (commission, fees, repairs to sell), in dollars",
            default=None,
            label="What selling costs",
            section="sale",
        ),
    ),
    check=_check,
)


def compute(values: dict[str, Any]) -> Position:
    """Build the position from parsed inputs."""
    return position(
        list(values["owed"]),
        values["value"],
        liens=values["lien"],
        value_source=values["value_source"],
        offer=values["offer"],
        selling_costs=values["selling_costs"] or 0,
    )


def render(result: Position) -> str:
    """The position as a table for a terminal."""
    rows = [(f"owed: {lien.name}", format_money_human(lien.amount)) for lien in result.liens]
    if len(result.liens) > 1:
        rows.append(("total owed", format_money_human(result.total_owed)))
    rows += [
        (f"value ({result.value_source.value})", format_money_human(result.value)),
        ("equity", format_money_human(result.equity)),
        ("negative equity", format_money_human(result.negative_equity)),
        ("positive equity", format_money_human(result.positive_equity)),
        ("LTV", format_ratio(result.ltv) or "undefined"),
        ("CLTV", format_ratio(result.cltv) or "undefined"),
        ("status", result.status.value),
    ]
    if result.offer is not None:
        rows += [
            ("offer", format_money_human(result.offer)),
            ("selling costs", format_money_human(result.selling_costs)),
            ("gap to bring to closing", format_money_human(result.gap or ZERO)),
            ("cash to you at closing", format_money_human(result.cash_at_closing or ZERO)),
        ]
    text = key_values("Position", rows)
    for note in result.notes:
        text += f"\nnote: {note}"
    return text


OPERATION = Operation(
    name="equity",
    summary="How far under (or above) water: equity, negative equity, LTV, CLTV and the gap to sell.",
    examples=(
        "underwater equity --owed 18000 --value 15000",
        "underwater equity --owed 150000 --owed 30000 --value 170000 --json",
        "underwater equity --lien 'first mortgage=150000' --lien HELOC=30000 --value 170000",
        "underwater equity --owed 80000 --value 60000 --offer 58000",
    ),
    form=FORM,
    compute=compute,
    render=render,
)
