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
from underwater.situation import ASSET_CLASS
from underwater.textfmt import grid

EXPENSE_FIELDS = (
    Field(
        "retaking",
        Kind.MONEY,
        "the repossession agent's (recovery) fee, in dollars",
        label="Repossession fee",
        section="expenses",
    ),
    Field(
        "storage_days",
        Kind.INT,
        "how many days it was stored before the sale",
        minimum=0,
        maximum=3650,
        label="Days it was stored",
        section="expenses",
    ),
    Field(
        "storage_per_day",
        Kind.MONEY,
        "the storage charge for each day, in dollars",
        label="Storage a day",
        section="expenses",
    ),
    Field("transport", Kind.MONEY, "towing and transport, in dollars", label="Towing", section="expenses"),
    Field(
        "reconditioning",
        Kind.MONEY,
        "repairs, cleaning and other preparation for the sale, in dollars",
        label="Getting it ready to sell",
        section="expenses",
    ),
    Field(
        "sale_fees",
        Kind.MONEY,
        "the auction's or other sale fees, in dollars",
        label="Auction or sale fees",
        section="expenses",
    ),
    Field(
        "title_admin",
        Kind.MONEY,
        "title, paperwork and notice costs, in dollars",
        label="Title and paperwork",
        section="expenses",
    ),
    Field(
        "attorney_fees",
        Kind.MONEY,
        "attorney fees, only if the contract provides for them, in dollars",
        label="Attorney fees",
        section="expenses",
    ),
    Field(
        "other",
        Kind.MONEY,
        "any other cost of the sale, in dollars",
        label="Other costs",
        section="expenses",
    ),
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
            "everything owed on the loan, in dollars: the payoff, with interest and fees",
            required=True,
            example="15000",
            label="What you owe on the loan",
            section="loan",
            essential=True,
        ),
        Field(
            "as_of",
            Kind.DATE,
            "the date the amount owed is stated as of, YYYY-MM-DD (for an estimate, default: today)",
            example="2026-11-21",
            label="The date it is owed as of",
            section="lender_sale",
            essential=True,
        ),
        Field(
            "proceeds",
            Kind.MONEY,
            "what the lender's sale of it brought, in dollars (leave it out to estimate before a sale)",
            example="9000",
            label="What the sale brought",
            section="lender_sale",
            essential=True,
        ),
        Field(
            "value",
            Kind.MONEY,
            "for an estimate before any sale: what it would sell for now, in dollars",
            example="12000",
            label="What it would fetch today",
            section="asset",
            essential=True,
        ),
        Field(
            "asset_class",
            Kind.CHOICE,
            "what the asset is; it sets the usual costs of an estimate",
            default="car",
            choices=tuple(c.value for c in AssetClass),
            label="What it is",
            section="asset",
            essential=True,
            choice_labels=ASSET_CLASS.choice_labels,
        ),
        Field(
            "auction_share_percent",
            Kind.PERCENT,
            "for an estimate: what the auction brings, in percent of what it would fetch (default: the "
            "figure on file)",
            minimum=0,
            maximum=100,
            label="What an auction brings, percent",
            section="lender_sale",
        ),
        *EXPENSE_FIELDS,
        Field(
            "credit",
            Kind.PAIR,
            "a refund or rebate owed to you, written name=amount, such as GAP refund=300; one for each "
            "credit",
            repeat=True,
            example="unearned interest=120",
            label="A credit to you",
            section="credits",
        ),
        Field(
            "state",
            Kind.TEXT,
            "your state, as a two-letter code such as CO or its name: some states bar or limit a deficiency",
            example="CO",
            label="Your state",
            section="state_rules",
            essential=True,
        ),
        Field(
            "commercial",
            Kind.FLAG,
            "the loan is for a business, not a consumer (a fleet truck, say): the consumer rules on file are not applied",
            label="A business loan",
            section="state_rules",
        ),
        Field(
            "cash_price",
            Kind.MONEY,
            "the cash price when it was bought, in dollars (some states' bars depend on it)",
            label="Cash price when it was bought",
            section="state_rules",
        ),
        Field(
            "amount_financed",
            Kind.MONEY,
            "the amount financed on the contract, in dollars (some states' bars depend on it)",
            label="Amount financed",
            section="state_rules",
        ),
        Field(
            "unpaid_balance_at_default",
            Kind.MONEY,
            "what was still owed when you defaulted, in dollars (some states' bars depend on it)",
            label="Balance when you defaulted",
            section="state_rules",
        ),
        Field(
            "fair_market_value",
            Kind.MONEY,
            "its fair market value, in dollars (Massachusetts measures a deficiency from it, not from the "
            "sale price)",
            label="Fair market value",
            section="state_rules",
        ),
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
