"""What GAP pays after a total loss, by the terms of the contract, item by item.

When a financed vehicle is stolen or totalled, the physical-damage insurer pays its **actual
cash value** (ACV) less the policy's deductible. **GAP** (guaranteed asset protection: a waiver
added to the finance contract, or an insurance policy) then pays some or all of what is still
owed. How much depends on its terms, which differ from one contract to the next:

- **the deductible**: many GAP waivers cover it up to a limit (often $1,000, some $500 or
  $100); an insurer's loan/lease payoff coverage does not (Nevada's Division of Insurance:
  "some GAP policies also cover the policy deductible");
- **a cap**: on what GAP pays, as a share of the ACV (loan/lease payoff: 25 %), in dollars
  (e.g. $50,000), or on the loan at signing - the part of the amount financed above a share of
  the vehicle's value then (125 % or 150 % loan-to-value of MSRP or retail book value) is not
  covered;
- **exclusions**: past-due payments, late charges and other fees added after signing,
  refundable add-ons financed with the car (service contracts, credit insurance - cancelled,
  their unearned part is refunded and credited to the loan instead), and with some contracts a
  balance carried over from a previous loan (negative equity rolled in).

:func:`gap_payout` applies a :class:`GapContract` to one loss and returns a
:class:`GapSettlement`: the insurer's payment, GAP's, each exclusion with its amount, the refunds
credited, what the borrower still owes and the caveats that go with it. Money is in dollars
(``Decimal``, ``int`` or text such as ``"18,000.50"``); percentages are typed as a person types
them (``150`` is 150 %).

The defaults of :class:`GapContract` are the terms of one published GAP waiver, TruStage's as
America's Credit Union describes it (S: a lender's summary of the contract): the deductible up to
$1,000, no payment on the part of the loan above 150 % of MSRP (new) or average retail book value
(used), refundable add-ons, delinquent payments and late charges or fees added after signing
excluded. :meth:`GapContract.loan_lease_payoff` gives an insurer's loan/lease payoff coverage
(Progressive's FAQ, Elephant's coverage page: V). Every contract differs: read its exclusions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from underwater.errors import InputError
from underwater.money import ZERO, Number, format_money, parse_money, parse_percent, round_cents

__all__ = [
    "GAP_SOURCES",
    "GapContract",
    "GapExclusion",
    "GapSettlement",
    "gap_payout",
]

GAP_SOURCES: tuple[tuple[str, str, str], ...] = (
    (
        "America's Credit Union, GAP (TruStage GAP waiver): the ACV plus the actual deductible up to "
        "$1,000; excludes refundable additions (service warranty contracts, credit insurance), "
        "delinquent payments over 60 days, late charges or fees added after inception, any portion "
        "of the loan above 150 % of MSRP (new) or average retail book value (used)",
        "https://www.americascu.org/trustage",
        "S",
    ),
    (
        "Progressive, Loan/Lease Payoff coverage FAQ: pays the difference between the ACV and the "
        "amount owed (excepting fees and charges) after the ACV less the deductible; at most 25 % "
        "of the ACV",
        "http://www.progressive.com/shop/loanlease/",
        "V",
    ),
    (
        "Elephant, Loan/lease payoff coverage: does not pay the deductible, overdue payments, "
        "extended warranties, credit life or disability, carry-over balances from other loans, "
        "service contracts",
        "https://www.elephant.com/products/car-insurance/coverages/loan-lease-payoff",
        "V",
    ),
    (
        "Nevada Division of Insurance, GAP insurance: covers the difference between the ACV and the "
        "balance owed; some GAP policies also cover the deductible; lenders' waiver agreements are "
        "not regulated as insurance",
        "https://doi.nv.gov/Consumers/Automobile-Insurance/Gap-Insurance",
        "V",
    ),
    (
        "CFPB, What is Guaranteed Asset Protection (GAP) insurance?: optional, its cost financed in "
        "the loan; a refund may be due on a sale, refinance or prepayment",
        "https://www.consumerfinance.gov/ask-cfpb/what-is-guaranteed-auto-protection-gap-insurance-en-797/",
        "V",
    ),
)
"""Where :class:`GapContract`'s defaults and the caveats come from: (what it says, address,
confidence label: V read on the page itself, S a lender's summary of the contract)."""

_HUNDRED = Decimal(100)


def _limit(value: object, field_name: str) -> Decimal | None:
    return None if value is None else parse_money(value, field_name)


def _share(value: object, field_name: str) -> Decimal | None:
    if value is None:
        return None
    share = parse_percent(value, field_name, maximum=Decimal(1000))
    if share == 0:
        raise InputError(field_name, "must be above 0 percent, or left out for no cap", got=value)
    return share


def _flag(value: object, field_name: str) -> bool:
    if not isinstance(value, bool):
        raise InputError(field_name, "must be true or false", got=value)
    return value


@dataclass(frozen=True, slots=True)
class GapContract:
    """The terms of a GAP waiver or policy that decide what it pays (dollars; percents as typed).

    - ``covers_deductible``: GAP pays the insurer's deductible, up to ``deductible_limit``
      dollars (``None``: all of it). Default: yes, up to $1,000.
    - ``acv_cap_percent``: GAP pays at most this percent of the ACV (loan/lease payoff: 25).
      Default: no such cap.
    - ``ltv_cap_percent``: the part of the amount financed at signing above this percent of the
      vehicle's value then (MSRP new, retail book used) is not covered. Default: 150.
    - ``max_benefit``: the most GAP pays, in dollars (``None``: no dollar cap). Default: none.
    - ``excludes_rolled_negative_equity``: negative equity carried into the loan from a trade-in
      is not covered. Default: no (the default contract names no such exclusion; its 150 % cap
      limits it instead).
    - ``excludes_past_due``, ``excludes_late_fees``, ``excludes_addons``: past-due payments,
      late charges and fees, refundable financed add-ons are not covered. Default: all yes.

    The defaults are the published terms of one GAP waiver (see the module docstring and
    :data:`GAP_SOURCES`); change any of them to match the contract in hand.

    >>> GapContract().deductible_limit, GapContract().ltv_cap_percent
    (Decimal('1000.00'), Decimal('150'))
    >>> GapContract.loan_lease_payoff().acv_cap_percent
    Decimal('25')
    """

    name: str = "GAP waiver (TruStage terms as published)"
    covers_deductible: bool = True
    deductible_limit: Decimal | None = Decimal("1000.00")
    acv_cap_percent: Decimal | None = None
    ltv_cap_percent: Decimal | None = Decimal(150)
    max_benefit: Decimal | None = None
    excludes_rolled_negative_equity: bool = False
    excludes_past_due: bool = True
    excludes_late_fees: bool = True
    excludes_addons: bool = True
    sources: tuple[str, ...] = field(default=("https://www.americascu.org/trustage",))

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise InputError("name", "must name the contract", got=self.name)
        for flag in (
            "covers_deductible",
            "excludes_rolled_negative_equity",
            "excludes_past_due",
            "excludes_late_fees",
            "excludes_addons",
        ):
            _flag(getattr(self, flag), flag)
        object.__setattr__(self, "deductible_limit", _limit(self.deductible_limit, "deductible_limit"))
        object.__setattr__(self, "max_benefit", _limit(self.max_benefit, "max_benefit"))
        object.__setattr__(self, "acv_cap_percent", _share(self.acv_cap_percent, "acv_cap_percent"))
        object.__setattr__(self, "ltv_cap_percent", _share(self.ltv_cap_percent, "ltv_cap_percent"))
        if not isinstance(self.sources, tuple) or not all(isinstance(s, str) for s in self.sources):
            raise InputError("sources", "must be a tuple of addresses or titles", got=self.sources)

    @classmethod
    def loan_lease_payoff(cls) -> GapContract:
        """An insurer's loan/lease payoff coverage: no deductible, at most 25 % of the ACV, no
        past-due payments, fees, add-ons or balances carried over from another loan
        (Progressive's FAQ and Elephant's coverage page, :data:`GAP_SOURCES`)."""
        return cls(
            name="loan/lease payoff coverage (insurer)",
            covers_deductible=False,
            deductible_limit=None,
            acv_cap_percent=Decimal(25),
            ltv_cap_percent=None,
            excludes_rolled_negative_equity=True,
            sources=(
                "http://www.progressive.com/shop/loanlease/",
                "https://www.elephant.com/products/car-insurance/coverages/loan-lease-payoff",
            ),
        )

    def to_json(self) -> dict[str, Any]:
        """The terms: money as two-decimal strings, percents as typed, ``null`` for no limit."""
        return {
            "name": self.name,
            "covers_deductible": self.covers_deductible,
            "deductible_limit": None
            if self.deductible_limit is None
            else format_money(self.deductible_limit),
            "acv_cap_percent": None if self.acv_cap_percent is None else str(self.acv_cap_percent),
            "ltv_cap_percent": None if self.ltv_cap_percent is None else str(self.ltv_cap_percent),
            "max_benefit": None if self.max_benefit is None else format_money(self.max_benefit),
            "excludes_rolled_negative_equity": self.excludes_rolled_negative_equity,
            "excludes_past_due": self.excludes_past_due,
            "excludes_late_fees": self.excludes_late_fees,
            "excludes_addons": self.excludes_addons,
            "sources": list(self.sources),
        }


@dataclass(frozen=True, slots=True)
class GapExclusion:
    """One amount GAP does not pay: ``item`` (``deductible``, ``past_due``, ``late_fees``,
    ``addons``, ``rolled_negative_equity`` or ``ltv_excess``), dollars, and why."""

    item: str
    amount: Decimal
    reason: str

    def to_json(self) -> dict[str, Any]:
        """``{"item": ..., "amount": "0.00", "reason": ...}``."""
        return {"item": self.item, "amount": format_money(self.amount), "reason": self.reason}


@dataclass(frozen=True, slots=True)
class GapSettlement:
    """A total loss settled: the insurer's payment, GAP's, and what is left (dollars).

    ``payoff`` = ``insurer_pays`` + ``gap_pays`` + ``refunds_credited`` + ``borrower_owes``
    unless the insurer alone pays more than the payoff (then ``surplus`` goes to the borrower).
    ``owed_after_insurance`` is the payoff less the insurer's payment; ``exclusions`` itemise
    what GAP leaves out of it; ``covered`` is the rest, and ``gap_pays`` is that after the caps
    (``capped_by`` names the one that bit: ``acv_cap`` or ``max_benefit``).
    """

    contract: GapContract
    payoff: Decimal
    actual_cash_value: Decimal
    deductible: Decimal
    insurer_pays: Decimal
    owed_after_insurance: Decimal
    exclusions: tuple[GapExclusion, ...]
    covered: Decimal
    gap_pays: Decimal
    capped_by: str | None
    refunds_credited: Decimal
    borrower_owes: Decimal
    surplus: Decimal
    ltv_checked: bool
    caveats: tuple[str, ...]

    @property
    def excluded_total(self) -> Decimal:
        """The sum of the exclusions, dollars."""
        return sum((e.amount for e in self.exclusions), ZERO)

    def to_json(self) -> dict[str, Any]:
        """Keys: ``contract``, ``payoff``, ``actual_cash_value``, ``deductible``, ``insurer_pays``,
        ``owed_after_insurance``, ``exclusions`` (``item``, ``amount``, ``reason``),
        ``excluded_total``, ``covered``, ``gap_pays``, ``capped_by``, ``refunds_credited``,
        ``borrower_owes``, ``surplus``, ``ltv_checked``, ``caveats``."""
        return {
            "contract": self.contract.to_json(),
            "payoff": format_money(self.payoff),
            "actual_cash_value": format_money(self.actual_cash_value),
            "deductible": format_money(self.deductible),
            "insurer_pays": format_money(self.insurer_pays),
            "owed_after_insurance": format_money(self.owed_after_insurance),
            "exclusions": [e.to_json() for e in self.exclusions],
            "excluded_total": format_money(self.excluded_total),
            "covered": format_money(self.covered),
            "gap_pays": format_money(self.gap_pays),
            "capped_by": self.capped_by,
            "refunds_credited": format_money(self.refunds_credited),
            "borrower_owes": format_money(self.borrower_owes),
            "surplus": format_money(self.surplus),
            "ltv_checked": self.ltv_checked,
            "caveats": list(self.caveats),
        }


def _ltv_excess(
    contract: GapContract, value_at_signing: Decimal | None, amount_financed: Decimal | None
) -> tuple[GapExclusion | None, bool]:
    cap = contract.ltv_cap_percent
    if cap is None or value_at_signing is None or amount_financed is None:
        return None, False
    limit = round_cents(value_at_signing * cap / _HUNDRED)
    excess = max(amount_financed - limit, ZERO)
    if excess == 0:
        return None, True
    reason = (
        f"the amount financed, {format_money(amount_financed)}, was above {cap} % of the vehicle's "
        f"value at signing ({format_money(limit)}); the contract does not cover the part above"
    )
    return GapExclusion("ltv_excess", excess, reason), True


def gap_payout(
    payoff: Number,
    actual_cash_value: Number,
    deductible: Number,
    contract: GapContract,
    *,
    rolled_negative_equity: Number = 0,
    past_due: Number = 0,
    late_fees: Number = 0,
    addons: Number = 0,
    addon_refunds: Number = 0,
    value_at_signing: Number | None = None,
    amount_financed: Number | None = None,
) -> GapSettlement:
    """Settle a total loss under ``contract``: what the insurer pays, what GAP pays, what is left.

    ``payoff`` is everything owed on the loan on the date of loss (dollars, including any
    ``past_due`` payments, ``late_fees`` and the financed ``addons`` still in the balance);
    ``actual_cash_value`` the insurer's valuation and ``deductible`` its deductible (dollars).
    ``rolled_negative_equity`` is negative equity carried into this loan from a trade-in,
    ``addons`` the refundable part of add-ons financed with the car (service contract, credit
    insurance), ``addon_refunds`` what their providers refund on cancellation (credited to the
    loan), all in dollars. ``value_at_signing`` (MSRP new, retail book used) and
    ``amount_financed`` (dollars) let a loan-to-value cap be applied; without them a contract's
    LTV cap is not checked and a caveat says so.

    The insurer pays ACV less the deductible (not below 0); GAP pays what is then owed less
    each exclusion, within the contract's caps; the refunds are credited; the borrower owes the
    rest.

    $28,000 owed on a truck the insurer values at $21,000, a $100 deductible, under loan/lease
    payoff coverage (at most 25 % of the ACV, no deductible) - the example from The Balance:

    >>> s = gap_payout("28000", "21000", "100", GapContract.loan_lease_payoff())
    >>> s.insurer_pays, s.gap_pays, s.capped_by, s.borrower_owes
    (Decimal('20900.00'), Decimal('5250.00'), 'acv_cap', Decimal('1850.00'))
    """
    if not isinstance(contract, GapContract):
        raise InputError("contract", "must be a GapContract (the GAP terms)", got=contract)
    owed = parse_money(payoff, "payoff")
    acv = parse_money(actual_cash_value, "actual_cash_value")
    ded = parse_money(deductible, "deductible")
    rolled = parse_money(rolled_negative_equity, "rolled_negative_equity")
    late = parse_money(past_due, "past_due")
    fees = parse_money(late_fees, "late_fees")
    extras = parse_money(addons, "addons")
    refunds = parse_money(addon_refunds, "addon_refunds")
    signing_value = None if value_at_signing is None else parse_money(value_at_signing, "value_at_signing")
    financed = None if amount_financed is None else parse_money(amount_financed, "amount_financed")
    if late + fees + extras > owed:
        raise InputError(
            "payoff",
            "must include the `past_due` payments, `late_fees` and financed `addons` it is said to hold",
            got=payoff,
        )
    if (signing_value is None) != (financed is None):
        missing = "value_at_signing" if signing_value is None else "amount_financed"
        raise InputError(missing, "give `value_at_signing` and `amount_financed` together, or neither")

    applied = min(ded, acv)  # a deductible above the ACV only leaves the insurer paying nothing
    insurer = acv - applied
    after = max(owed - insurer, ZERO)
    surplus = max(insurer - owed, ZERO)

    exclusions: list[GapExclusion] = []
    covered_deductible = ZERO
    if contract.covers_deductible:
        limit = contract.deductible_limit
        covered_deductible = applied if limit is None else min(applied, limit)
    if applied > covered_deductible:
        reason = (
            "the contract does not pay the deductible"
            if not contract.covers_deductible
            else f"the contract pays the deductible only up to {format_money(covered_deductible)}"
        )
        exclusions.append(GapExclusion("deductible", applied - covered_deductible, reason))
    for wanted, item, amount, reason in (
        (contract.excludes_past_due, "past_due", late, "past-due payments are the borrower's"),
        (contract.excludes_late_fees, "late_fees", fees, "late charges and fees added after signing"),
        (
            contract.excludes_addons,
            "addons",
            extras,
            "refundable add-ons financed with the car: cancelled, their refund is credited instead",
        ),
        (
            contract.excludes_rolled_negative_equity,
            "rolled_negative_equity",
            rolled,
            "a balance carried over from an earlier loan",
        ),
    ):
        if wanted and amount > 0:
            exclusions.append(GapExclusion(item, amount, reason))
    ltv, ltv_checked = _ltv_excess(contract, signing_value, financed)
    if ltv is not None:
        exclusions.append(ltv)

    excluded = sum((e.amount for e in exclusions), ZERO)
    covered = max(after - excluded, ZERO)
    gap = covered
    capped_by: str | None = None
    if contract.acv_cap_percent is not None:
        cap = round_cents(acv * contract.acv_cap_percent / _HUNDRED)
        if cap < gap:
            gap, capped_by = cap, "acv_cap"
    if contract.max_benefit is not None and contract.max_benefit < gap:
        gap, capped_by = contract.max_benefit, "max_benefit"
    credited = min(refunds, after - gap)
    left = after - gap - credited
    return GapSettlement(
        contract=contract,
        payoff=owed,
        actual_cash_value=acv,
        deductible=ded,
        insurer_pays=insurer,
        owed_after_insurance=after,
        exclusions=tuple(exclusions),
        covered=covered,
        gap_pays=gap,
        capped_by=capped_by,
        refunds_credited=credited,
        borrower_owes=left,
        surplus=surplus + (refunds - credited),
        ltv_checked=ltv_checked,
        caveats=_caveats(contract, extras, refunds, late, ltv_checked, left),
    )


def _caveats(
    contract: GapContract,
    addons: Decimal,
    refunds: Decimal,
    past_due: Decimal,
    ltv_checked: bool,
    left: Decimal,
) -> tuple[str, ...]:
    notes = [
        f"Figured on the terms of {contract.name}; every GAP contract has its own limits and "
        "exclusions: read the addendum or policy before relying on these figures.",
    ]
    if contract.ltv_cap_percent is not None and not ltv_checked:
        notes.append(
            f"The contract's {contract.ltv_cap_percent} % loan-to-value cap was not checked: give "
            "`value_at_signing` and `amount_financed` to apply it."
        )
    if addons > 0 and refunds == 0:
        notes.append(
            "Cancel the financed add-ons (service contract, credit insurance) and claim their "
            "unearned part: the refund is credited to the loan; none was entered here."
        )
    if past_due > 0:
        notes.append("GAP does not pay missed payments: bring the loan current to keep the claim whole.")
    if left > 0:
        notes.append(
            "What is left is still owed to the lender: ask for a payoff letter after the claim and "
            "a written plan if it cannot be paid at once."
        )
    return tuple(notes)
