"""Why am I under water? Today's gap split into its causes, to the cent.

The loan financed the price plus taxes and fees, add-ons and any negative equity rolled in from
an old loan, less the down payment. Today's **gap** is what the original schedule still has
owing after ``months_elapsed`` payments, less what the asset is worth today (negative: above
water). It splits into four parts that add up to the gap exactly:

- ``negative_equity_rolled_in``: old debt added to this loan, owed before the asset was yours;
- ``taxes_and_fees_financed``: borrowed, but adding nothing to what the asset sells for;
- ``addons_financed``: warranties, GAP, service contracts, accessories: borrowed, not resold;
- ``depreciation_beyond_amortization`` = (price − value today) − principal repaid − down payment:
  the value lost beyond the equity the borrower put in and paid down. Negative is a cushion: the
  down payment and repayments have outrun depreciation and offset the parts above.

Proof that they add up: the amount financed is price − down + taxes + add-ons + rolled, and the
balance is amount financed − principal repaid, so balance − value = rolled + taxes + add-ons +
(price − value − principal repaid − down). Money is dollars; rates are percent per year.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from underwater.errors import InputError
from underwater.limits import MAX_AMOUNT, MAX_MONTHS
from underwater.loan import amortize
from underwater.money import format_money, format_money_human, parse_money, parse_percent

__all__ = ["CAUSES", "Attribution", "attribute_gap"]

Number = Decimal | int | str

CAUSES = (
    "negative_equity_rolled_in",
    "taxes_and_fees_financed",
    "addons_financed",
    "depreciation_beyond_amortization",
)
"""The four parts of the gap, in the order they are shown."""


@dataclass(frozen=True, slots=True)
class Attribution:
    """Today's gap and its four causes, in dollars; the causes add up to ``gap`` exactly."""

    owed_today: Decimal
    value_today: Decimal
    amount_financed: Decimal
    principal_repaid: Decimal
    value_lost: Decimal
    down_payment: Decimal
    negative_equity_rolled_in: Decimal
    taxes_and_fees_financed: Decimal
    addons_financed: Decimal
    depreciation_beyond_amortization: Decimal

    @property
    def gap(self) -> Decimal:
        """Owed today − value today (dollars; negative when above water)."""
        return self.owed_today - self.value_today

    def parts(self) -> tuple[tuple[str, Decimal], ...]:
        """``(cause, dollars)`` for each of :data:`CAUSES`."""
        return tuple((cause, getattr(self, cause)) for cause in CAUSES)

    def explanations(self) -> dict[str, str]:
        """A plain sentence per cause."""
        rolled, taxes, addons, beyond = (
            self.negative_equity_rolled_in,
            self.taxes_and_fees_financed,
            self.addons_financed,
            self.depreciation_beyond_amortization,
        )
        money = format_money_human
        if beyond > 0:
            depreciation = (
                f"The asset lost {money(self.value_lost)} of value while your down payment "
                f"({money(self.down_payment)}) and the principal repaid ({money(self.principal_repaid)}) "
                f"built {money(self.down_payment + self.principal_repaid)} of equity: depreciation "
                f"outran the loan by {money(beyond)}."
            )
        elif beyond < 0:
            depreciation = (
                f"Your down payment ({money(self.down_payment)}) and the principal repaid "
                f"({money(self.principal_repaid)}) exceed the {money(self.value_lost)} of value lost "
                f"by {money(-beyond)}: a cushion that offsets the parts above."
            )
        else:
            depreciation = "The value lost exactly matches your down payment and the principal repaid."
        return {
            "negative_equity_rolled_in": (
                f"{money(rolled)} of an old loan's negative equity was added to this one: debt owed "
                "before this asset was yours."
                if rolled
                else "No negative equity was rolled in from an old loan."
            ),
            "taxes_and_fees_financed": (
                f"{money(taxes)} of taxes and fees was borrowed; it adds nothing to what the asset sells for."
                if taxes
                else "No taxes or fees were financed."
            ),
            "addons_financed": (
                f"{money(addons)} of add-ons (warranties, GAP, service contracts, accessories) was "
                "borrowed; they add little or nothing to the resale value."
                if addons
                else "No add-ons were financed."
            ),
            "depreciation_beyond_amortization": depreciation,
        }

    def to_json(self) -> dict[str, Any]:
        """Keys: ``owed_today``, ``value_today``, ``gap``, ``amount_financed``,
        ``principal_repaid``, ``value_lost``, ``down_payment``, the four causes
        (``negative_equity_rolled_in``, ``taxes_and_fees_financed``, ``addons_financed``,
        ``depreciation_beyond_amortization``) and ``explanations`` (cause → sentence)."""
        data: dict[str, Any] = {
            "owed_today": format_money(self.owed_today),
            "value_today": format_money(self.value_today),
            "gap": format_money(self.gap),
            "amount_financed": format_money(self.amount_financed),
            "principal_repaid": format_money(self.principal_repaid),
            "value_lost": format_money(self.value_lost),
            "down_payment": format_money(self.down_payment),
        }
        data.update({cause: format_money(amount) for cause, amount in self.parts()})
        data["explanations"] = self.explanations()
        return data


def attribute_gap(
    price: Number,
    down_payment: Number,
    taxes_fees_financed: Number,
    addons_financed: Number,
    negative_equity_rolled: Number,
    rate_percent: Number,
    term_months: int,
    months_elapsed: int,
    value_today: Number,
    *,
    payment: Number | None = None,
) -> Attribution:
    """Split today's gap into its causes (dollars), exactly.

    The loan is ``price`` − ``down_payment`` + ``taxes_fees_financed`` + ``addons_financed`` +
    ``negative_equity_rolled`` (all dollars) at ``rate_percent`` (percent per year) over
    ``term_months`` monthly payments of ``payment`` (default: the level payment); what is owed
    today is its scheduled balance after ``months_elapsed`` payments (0 to ``term_months``).

    The seed's low-down-payment example: a $40,000 asset, $1,000 down, a year later worth
    $34,000. At 0 % over 156 months the year's payments repay 3,000.00 and 36,000.00 is owed:

    >>> a = attribute_gap(40000, 1000, 0, 0, 0, 0, 156, 12, 34000)
    >>> a.owed_today, a.gap, a.depreciation_beyond_amortization
    (Decimal('36000.00'), Decimal('2000.00'), Decimal('2000.00'))
    """
    cost = parse_money(price, "price")
    down = parse_money(down_payment, "down_payment")
    taxes = parse_money(taxes_fees_financed, "taxes_fees_financed")
    addons = parse_money(addons_financed, "addons_financed")
    rolled = parse_money(negative_equity_rolled, "negative_equity_rolled")
    rate = parse_percent(rate_percent, "rate_percent", maximum=Decimal(1000))
    value = parse_money(value_today, "value_today")
    if (
        isinstance(term_months, bool)
        or not isinstance(term_months, int)
        or not 1 <= term_months <= MAX_MONTHS
    ):
        raise InputError(
            "term_months", f"must be a whole number of months from 1 to {MAX_MONTHS}", got=term_months
        )
    if isinstance(months_elapsed, bool) or not isinstance(months_elapsed, int):
        raise InputError("months_elapsed", "must be a whole number of months", got=months_elapsed)
    if not 0 <= months_elapsed <= term_months:
        raise InputError(
            "months_elapsed", f"must be from 0 to the term, {term_months} months", got=months_elapsed
        )
    financed = cost - down + taxes + addons + rolled
    if financed <= 0:
        raise InputError(
            "down_payment",
            f"leaves nothing to finance: it must be less than {format_money(cost + taxes + addons + rolled)}",
            got=down_payment,
        )
    if financed > MAX_AMOUNT:
        raise InputError(
            "price",
            f"with what is financed on top, the loan would be {format_money(financed)}, more than the "
            f"{format_money(MAX_AMOUNT)} a loan may be",
            got=price,
        )
    owed = amortize(financed, rate, term_months, payment=payment).balance_after(months_elapsed)
    repaid = financed - owed
    lost = cost - value
    return Attribution(
        owed_today=owed,
        value_today=value,
        amount_financed=financed,
        principal_repaid=repaid,
        value_lost=lost,
        down_payment=down,
        negative_equity_rolled_in=rolled,
        taxes_and_fees_financed=taxes,
        addons_financed=addons,
        depreciation_beyond_amortization=lost - repaid - down,
    )
