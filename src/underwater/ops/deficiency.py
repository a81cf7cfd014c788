"""The ``deficiency`` job: the UCC 9-616 worksheet after a sale, or an estimate before one."""

from __future__ import annotations

import dataclasses
from typing import Any

from underwater.assets import AssetClass
from underwater.deficiency import (
    DeficiencyWorksheet,
    Expenses,
    default_expenses,
    deficiency_worksheet,
    estimate_deficiency,
)
from underwater.errors import InputError
from underwater.forms import Field, Form, Kind
from underwater.money import format_money_human
from underwater.ops import Operation
from underwater.textfmt import grid

EXPENSE_FIELDS = (
    Field("retaking", Kind.MONEY, "repossession (recovery) fee, in dollars"),
    Field("storage_days", Kind.INT, "days the collateral was stored", minimum=0, maximum=3650),
    Field("storage_per_day", Kind.MONEY, "storage charge per day, in dollars"),
    Field("transport", Kind.MONEY, "towing and transport, in dollars"),
    Field("reconditioning", Kind.MONEY, "reconditioning and sale preparation, in dollars"),
    Field("sale_fees", Kind.MONEY, "auction or other sale fees, in dollars"),
    Field("title_admin", Kind.MONEY, "title, administration and notice costs, in dollars"),
    Field("attorney_fees", Kind.MONEY, "attorney fees, if the contract provides for them, in dollars"),
    Field("other", Kind.MONEY, "other expenses of the disposition, in dollars"),
)
_EXPENSE_NAMES = tuple(f.name for f in EXPENSE_FIELDS)


def _check(values: dict[str, Any]) -> None:
    if values["proceeds"] is None and values["value"] is None:
        raise InputError("proceeds", "is required: give the sale's proceeds, or `value` to estimate")
    if values["proceeds"] is not None and values["as_of"] is None:
        raise InputError("as_of", "is required with `proceeds`: the date the obligation is stated as of")


FORM = Form(
    (
        Field(
            "owed",
            Kind.MONEY,
            "everything owed on the loan as of `as_of`, in dollars",
            required=True,
            example="15000",
        ),
        Field(
            "as_of",
            Kind.DATE,
            "date the obligation is stated as of, YYYY-MM-DD (default for an estimate: today)",
            example="2026-11-21",
        ),
        Field(
            "proceeds",
            Kind.MONEY,
            "what the sale brought, in dollars (leave out to estimate)",
            example="9000",
        ),
        Field(
            "value",
            Kind.MONEY,
            "for an estimate before any sale: the asset's market value, dollars",
            example="12000",
        ),
        Field(
            "asset_class",
            Kind.CHOICE,
            "asset class (sets the default costs of an estimate)",
            default="car",
            choices=tuple(c.value for c in AssetClass),
        ),
        Field(
            "auction_share_percent",
            Kind.PERCENT,
            "for an estimate: auction price as a percent of market value (default from the data file)",
            minimum=0,
            maximum=100,
        ),
        *EXPENSE_FIELDS,
        Field(
            "credit",
            Kind.PAIR,
            "a credit NAME=AMOUNT, e.g. gap_refund=300 (repeatable)",
            repeat=True,
            example="unearned_interest=120",
        ),
        Field("state", Kind.TEXT, "two-letter state code whose rules apply, e.g. CO", example="CO"),
        Field("commercial", Kind.FLAG, "the loan is not a consumer transaction (e.g. a fleet truck)"),
        Field("cash_price", Kind.MONEY, "cash price of the original sale (some state bars use it)"),
        Field("amount_financed", Kind.MONEY, "amount financed (some state bars use it)"),
        Field("unpaid_balance_at_default", Kind.MONEY, "unpaid balance at default (some state bars use it)"),
        Field("fair_market_value", Kind.MONEY, "fair market value (Massachusetts computes from it)"),
    ),
    check=_check,
)


def _expenses(values: dict[str, Any], base: Expenses) -> Expenses:
    given = {name: values[name] for name in _EXPENSE_NAMES if values[name] is not None}
    return dataclasses.replace(base, **given)


def compute(values: dict[str, Any]) -> DeficiencyWorksheet:
    """A worksheet from a real sale, or an estimate from the market value."""
    common: dict[str, Any] = {
        "state": values["state"],
        "consumer": not values["commercial"],
        "cash_price": values["cash_price"],
        "amount_financed": values["amount_financed"],
        "unpaid_balance_at_default": values["unpaid_balance_at_default"],
        "fair_market_value": values["fair_market_value"],
    }
    credits = values["credit"]
    if values["proceeds"] is not None:
        return deficiency_worksheet(
            values["owed"],
            values["as_of"],
            values["proceeds"],
            _expenses(values, Expenses()),
            credits,
            **common,
        )
    given_any = any(values[name] is not None for name in _EXPENSE_NAMES)
    expenses = _expenses(values, default_expenses(values["asset_class"]).expenses) if given_any else None
    return estimate_deficiency(
        values["owed"],
        values["value"],
        values["asset_class"],
        auction_share_percent=values["auction_share_percent"],
        expenses=expenses,
        credits=credits,
        as_of=values["as_of"],
        **common,
    )


def render(sheet: DeficiencyWorksheet) -> str:
    """The 9-616 explanation as a table, then the state rule, notes and the disclaimer."""
    title = "Deficiency estimate (before any sale)" if sheet.estimate else "Deficiency worksheet"
    rows = [[line, label, format_money_human(amount)] for line, label, amount in sheet.explanation()]
    text = title + "\n" + grid(["line", "item", "dollars"], rows, left=2)
    data = sheet.to_json()
    if data["deficiency_barred"]:
        result = "no deficiency may be collected: the state rule below bars it"
    elif sheet.surplus > 0:
        result = f"surplus {format_money_human(sheet.surplus)}, owed to the borrower"
    else:
        result = f"deficiency {format_money_human(sheet.deficiency)}, owed by the borrower"
    text += f"\n\nResult: {result}"
    rule = data.get("state_rule")
    if isinstance(rule, dict):
        text += f"\nState rule: {rule.get('rule')} ({rule.get('citation')}): {rule.get('effect')}"
    elif isinstance(rule, str):
        text += f"\nState rule: {rule}"
    for note in data.get("notes", []):
        text += f"\nnote: {note}"
    text += f"\n{sheet.disclaimer}"
    return text


OPERATION = Operation(
    name="deficiency",
    summary="What is still owed after a repossession sale (UCC 9-615/9-616 worksheet), or an estimate before one.",
    examples=(
        "underwater deficiency --owed 12000 --as-of 2026-11-21 --proceeds 7500 --retaking 450 "
        "--storage-days 30 --storage-per-day 30 --credit gap_refund=300",
        "underwater deficiency --owed 15000 --value 12000 --asset-class car --state TX "
        "--as-of 2026-11-21 --json",
    ),
    form=FORM,
    compute=compute,
    render=render,
    aliases={"credits": "credit", "consumer": "commercial", "obligation": "owed", "market_value": "value"},
)
