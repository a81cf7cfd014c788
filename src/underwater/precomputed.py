"""Paying off a precomputed (add-on interest) loan early: the Rule of 78s against the actuarial method.

On a precomputed loan the whole finance charge is added to the amount financed at the start and
the borrower owes the sum of the scheduled monthly payments. Paying off early, the borrower owes
the payments still scheduled less a rebate of the interest not yet earned. Two rules decide the
rebate:

- **Rule of 78s** (sum of the digits): with ``n`` payments in all and ``m`` still to come,
  rebate = finance charge × m(m + 1) / (n(n + 1)), rounded to the cent. It front-loads the
  interest, so the rebate is smaller than the actuarial one.
- **Actuarial**: the loan's own yield is the monthly rate ``i`` at which the scheduled payments
  repay the amount financed exactly (or, if given, the disclosed APR / 12). The payoff is the
  present value at ``i`` of the payments still to come, rounded to the cent; the rebate is the
  payments still scheduled less that payoff. This is the textbook ``u = k·R·h / (100 + h)``
  with an exact ``h`` instead of one read from an APR table.

On a long, costly loan the Rule of 78s can book more interest in the first months than the
payments bring in, so its payoff can even rise. 15 U.S.C. § 1615(b) requires a refund at least as
favourable as the actuarial method on precomputed consumer credit of more than 61 months made
after 30 September 1993; this module computes both and leaves to the caller which one applies.

The payoff is figured on the due date of the last payment made (after it is made): no interest
for part of a month is added. Payments are level and rounded to the cent; the last one absorbs
the rounding so that the payments add up to amount financed + finance charge.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from underwater.errors import InputError
from underwater.limits import MAX_MONTHS
from underwater.money import format_money, parse_money, parse_percent, round_cents

__all__ = ["PrecomputedPayoff", "precomputed_payoff"]

Number = Decimal | int | str
_RATE_PLACES = Decimal("0.000001")
_MAX_PAYMENTS = MAX_MONTHS


@dataclass(frozen=True, slots=True)
class PrecomputedPayoff:
    """An early payoff of a precomputed loan under both rebate rules (dollars; rates in percent
    per year; counts of monthly payments).

    JSON keys (:meth:`to_json`): ``amount_financed``, ``finance_charge``, ``n_payments``,
    ``payments_made``, ``payments_remaining``, ``scheduled_payment``, ``final_payment`` (the last
    scheduled payment, which absorbs rounding), ``remaining_payments_total`` (the payments still
    scheduled, before any rebate), ``actuarial_rate_percent`` (the yearly rate the actuarial method
    used, six decimals), ``rule_of_78_rebate``, ``rule_of_78_payoff``, ``actuarial_rebate``,
    ``actuarial_payoff`` and ``rule_of_78_penalty`` (what the Rule of 78s costs the borrower over
    the actuarial method: ``rule_of_78_payoff − actuarial_payoff``).
    """

    amount_financed: Decimal
    finance_charge: Decimal
    n_payments: int
    payments_made: int
    payments_remaining: int
    scheduled_payment: Decimal
    final_payment: Decimal
    remaining_payments_total: Decimal
    actuarial_rate_percent: Decimal
    rule_of_78_rebate: Decimal
    rule_of_78_payoff: Decimal
    actuarial_rebate: Decimal
    actuarial_payoff: Decimal
    rule_of_78_penalty: Decimal

    def to_json(self) -> dict[str, Any]:
        """The keys listed in the class docstring; money as strings with two decimals."""
        return {
            "amount_financed": format_money(self.amount_financed),
            "finance_charge": format_money(self.finance_charge),
            "n_payments": self.n_payments,
            "payments_made": self.payments_made,
            "payments_remaining": self.payments_remaining,
            "scheduled_payment": format_money(self.scheduled_payment),
            "final_payment": format_money(self.final_payment),
            "remaining_payments_total": format_money(self.remaining_payments_total),
            "actuarial_rate_percent": str(self.actuarial_rate_percent),
            "rule_of_78_rebate": format_money(self.rule_of_78_rebate),
            "rule_of_78_payoff": format_money(self.rule_of_78_payoff),
            "actuarial_rebate": format_money(self.actuarial_rebate),
            "actuarial_payoff": format_money(self.actuarial_payoff),
            "rule_of_78_penalty": format_money(self.rule_of_78_penalty),
        }


def _count(value: object, field: str, minimum: int, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(field, "must be a whole number", got=value)
    if not minimum <= value <= maximum:
        raise InputError(field, f"must be from {minimum} to {maximum}", got=value)
    return value


def _present_value(payment: Decimal, final: Decimal, count: int, rate: Decimal) -> Decimal:
    """Value one period before the first of ``count`` payments (``count − 1`` of ``payment``,
    then ``final``) at the monthly ``rate``."""
    if count == 0:
        return Decimal(0)
    if rate == 0:
        return payment * (count - 1) + final
    discount = (1 + rate) ** -(count - 1)
    return payment * (1 - discount) / rate + final * discount / (1 + rate)


def _actuarial_rate(amount: Decimal, payment: Decimal, final: Decimal, n: int) -> Decimal:
    total = payment * (n - 1) + final
    if total <= amount:
        return Decimal(0)
    # Present value falls as the rate rises and is below total / (1 + rate) < amount at
    # rate = total / amount, so the yield lies between 0 and that.
    low, high = Decimal(0), total / amount
    tolerance = Decimal("1e-16")
    for _ in range(200):
        middle = (low + high) / 2
        if _present_value(payment, final, n, middle) > amount:
            low = middle
        else:
            high = middle
        if high - low < tolerance:
            break
    return (low + high) / 2


def precomputed_payoff(
    amount_financed: Number,
    finance_charge: Number | None,
    n_payments: int,
    payments_made: int,
    *,
    add_on_rate_percent: Number | None = None,
    actuarial_rate_percent: Number | None = None,
) -> PrecomputedPayoff:
    """Pay off a precomputed loan of monthly payments after ``payments_made`` of ``n_payments``.

    ``amount_financed`` and ``finance_charge`` are dollars. Instead of the finance charge, give
    ``add_on_rate_percent`` (percent per year; finance charge = amount financed × rate / 100 ×
    n_payments / 12, rounded to the cent) and pass ``None`` as ``finance_charge``. The actuarial
    method uses the loan's own yield unless ``actuarial_rate_percent`` (the disclosed APR, percent
    per year) is given. See the module docstring for both rules.

    A $3,310 loan repaid in 18 payments of 201.85 (finance charge 323.30), paid off with 6
    payments to go:

    >>> quote = precomputed_payoff("3310", "323.30", 18, 12)
    >>> quote.rule_of_78_rebate, quote.actuarial_rebate, quote.rule_of_78_penalty
    (Decimal('39.70'), Decimal('41.28'), Decimal('1.58'))
    """
    amount = parse_money(amount_financed, "amount_financed")
    if amount <= 0:
        raise InputError("amount_financed", "must be more than 0.00", got=amount_financed)
    n = _count(n_payments, "n_payments", 1, _MAX_PAYMENTS)
    made = _count(payments_made, "payments_made", 0, n)
    if (finance_charge is None) == (add_on_rate_percent is None):
        raise InputError(
            "finance_charge", "give either the finance charge (`finance_charge`) or `add_on_rate_percent`"
        )
    if finance_charge is not None:
        charge = parse_money(finance_charge, "finance_charge")
    else:
        add_on = parse_percent(add_on_rate_percent, "add_on_rate_percent", maximum=Decimal(1000))
        charge = round_cents(amount * add_on * n / 1200)

    total = amount + charge
    payment = round_cents(total / n)
    final = total - payment * (n - 1)
    if final <= 0:
        raise InputError("n_payments", f"is too many for a total of {format_money(total)}", got=n)
    remaining = n - made
    remaining_total = payment * (remaining - 1) + final if remaining else Decimal("0.00")

    with localcontext() as ctx:
        ctx.prec = 40
        if actuarial_rate_percent is None:
            monthly = _actuarial_rate(amount, payment, final, n)
        else:
            apr = parse_percent(actuarial_rate_percent, "actuarial_rate_percent", maximum=Decimal(1000))
            monthly = apr / 1200
        balance = round_cents(_present_value(payment, final, remaining, monthly))
        yearly = (monthly * 1200).quantize(_RATE_PLACES, rounding=ROUND_HALF_UP)

    rebate_78 = round_cents(charge * remaining * (remaining + 1) / (n * (n + 1)))
    rebate_actuarial = remaining_total - balance
    payoff_78 = remaining_total - rebate_78
    return PrecomputedPayoff(
        amount_financed=amount,
        finance_charge=charge,
        n_payments=n,
        payments_made=made,
        payments_remaining=remaining,
        scheduled_payment=payment,
        final_payment=final,
        remaining_payments_total=remaining_total,
        actuarial_rate_percent=yearly,
        rule_of_78_rebate=rebate_78,
        rule_of_78_payoff=payoff_78,
        actuarial_rebate=rebate_actuarial,
        actuarial_payoff=balance,
        rule_of_78_penalty=payoff_78 - balance,
    )
