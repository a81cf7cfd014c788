"""A home's own ways out, each one set of books with every lien holder as a party: a deed in lieu
of foreclosure, a foreclosure by the state's procedure with the deficiency its rule leaves, a
loan modification on the Flex Modification's steps, and a forbearance caught up by a repayment
plan. A home is not traded in, repossessed or insured by GAP: those exits say so.

Defaults come from ``data/home.json`` (:mod:`underwater.home_rules`), each cited with a
confidence label. Money is dollars; rates percent per year; months from today. Not legal advice.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from underwater.contracts import AmortizingLoan, ForbearancePlan, WithHeld
from underwater.depreciation import MAX_HORIZON_MONTHS
from underwater.exits.books import LIENS, LOAN, new_books, tax_forgiven, unavailable
from underwater.exits.facts import Facts
from underwater.exits.have_it import TAX_CAVEAT, collect, finish
from underwater.exits.model import Consent, CreditConsequence, Exit
from underwater.home_rules import HomeDeficiencyRule, deficiency_rule, figure, foreclosure
from underwater.ledger import (
    AUCTION_BUYER,
    BORROWER,
    BUYER,
    LENDER,
    OTHER_LIENHOLDERS,
    SERVICE_PROVIDERS,
    Ledger,
)
from underwater.money import CENT, ZERO, format_money_human, round_cents
from underwater.projection import crossover_month, lien_balances, project_contract
from underwater.simple_interest import SimpleInterestLoan
from underwater.state_rules import STATE_NAMES
from underwater.tvm import pv

__all__ = ["deed_in_lieu", "forbearance", "home_foreclosure", "modification"]

_HUNDRED = Decimal(100)
_INVESTOR_WORDS = {
    "fannie_mae": "Fannie Mae",
    "freddie_mac": "Freddie Mac",
    "fha": "the FHA",
    "other": "a lender's own programme",
}


def _investor(f: Facts) -> str:
    return f.s.lender.investor


def _release_juniors(books: Ledger, f: Facts, month: int, memo: str) -> tuple[Decimal, Decimal]:
    """The second lien holder releases its lien for what the first lien's investor allows it
    (paid by this loan's lender) and forgives the rest; returns (paid, forgiven)."""
    if LIENS not in books.debts:
        return ZERO, ZERO
    owed = books.debts[LIENS].owed_at(month)
    cap = figure("junior_lien_release_cap", _investor(f)).value
    paid = min(cap, owed)
    books.pay(LIENS, month, paid, memo, payer=LENDER)
    books.forgive(LIENS, month, owed - paid, memo)
    return paid, owed - paid


def _sell_as_owned(books: Ledger, f: Facts, month: int) -> None:
    """The lender sells the home it now owns in ``month`` at its value less a sale's costs."""
    price = f.value_at(month)
    costs = f.selling_costs_at(price)
    books.cash(month, BUYER, LENDER, price - costs, "the home's sale, less its costs")
    books.cash(month, BUYER, SERVICE_PROVIDERS, costs, "the home's selling costs")


# ----------------------------------------------------------------------------- deed in lieu


def deed_in_lieu(f: Facts) -> Exit:
    """Sign the home over to the lender in place of a foreclosure: the loan is discharged, the
    second lien released for what the investor allows, relocation assistance where a programme
    gives it."""
    title = "Deed in lieu of foreclosure"
    credit = CreditConsequence(
        "major",
        "reported as settled for less than owed; Fannie Mae lends again after as little as two years (seven after "
        "a foreclosure)",
    )
    investor = _investor(f)
    relocation = figure("relocation_assistance", investor)
    books = new_books(f)
    owed = books.debts[LOAN].owed_at(0)
    books.forgive(LOAN, 0, owed, "discharged by the deed in lieu")
    junior_paid, junior_forgiven = _release_juniors(books, f, 0, "released for the deed in lieu")
    books.cash(0, LENDER, BORROWER, relocation.value, "relocation assistance")
    month = f.lender_terms.months_to_sell
    _sell_as_owned(books, f, month)
    # The home given up counts at its value: only the debt discharged beyond it is income
    # (IRS Publication 4681, a recourse debt in a foreclosure or a deed in lieu).
    tax = tax_forgiven(
        books, f, 0, min(max(owed + junior_paid + junior_forgiven - f.value, ZERO), owed + junior_forgiven)
    )
    who = _INVESTOR_WORDS[investor]
    caveats = [
        "Only if the servicer agrees: it usually asks for the home to be marketed first, a clear title and the home "
        "left empty; ask for the deficiency to be waived in writing.",
        f"Relocation assistance: {format_money_human(relocation.value)} ({who}; {relocation.note})",
        TAX_CAVEAT + " Only the debt discharged beyond the home's value is counted as income.",
    ]
    if LIENS in books.debts:
        caveats.append(
            f"The second lien holder must release its lien: {format_money_human(junior_paid)} paid to it by the "
            f"servicer ({who}'s cap) and {format_money_human(junior_forgiven)} forgiven. Ask it for a written "
            "waiver of the rest, or it may still pursue its note."
        )
    consent = (LENDER,) + ((OTHER_LIENHOLDERS,) if junior_forgiven else ())
    return finish(
        f,
        books,
        "deed_in_lieu",
        title,
        credit,
        caveats,
        (
            ("forgiven_debt", owed + junior_forgiven),
            ("relocation_assistance", relocation.value),
            ("paid_to_release_second_lien", junior_paid),
            ("estimated_tax_on_forgiven", tax),
            ("investor", investor),
        ),
        how=f"takes the home today, sells it in month {month} and discharges the loan",
        consent=consent,
        assumes=("investor",) if investor == "other" else (),
    )


# ----------------------------------------------------------------------------- foreclosure


def _rule_words(rule: HomeDeficiencyRule | None, state: str, effect: str) -> str:
    if rule is None:
        return (
            f"no rule on file for {STATE_NAMES[state]}: the deficiency is shown as a lender could claim it with no "
            "state limit; your state may limit it"
        )
    words = {"barred": "no deficiency", "fair_value": "the fair value is credited", "allowed": "a deficiency"}
    return f"{rule.citation}: {words[effect]} ({rule.summary})"


def home_foreclosure(f: Facts) -> Exit:
    """Stop paying: the lender forecloses by the state's usual procedure and sells at a
    foreclosure's discount; interest and the attorney's fee are added; the deficiency is what
    the state's rule leaves, of which the lender collects its share; a second lien is wiped out
    by the sale but its debt is still owed."""
    title = "Foreclosure"
    credit = CreditConsequence(
        "severe", "missed payments, then a foreclosure: it stays on a credit report for seven years"
    )
    if f.state is None:
        return unavailable(
            "foreclosure",
            title,
            f,
            "give `state`: a foreclosure's time, cost and deficiency rule are the state's",
            credit,
        )
    fc = foreclosure(f.state)
    if fc is None:
        return unavailable(
            "foreclosure", title, f, f"no foreclosure time frame on file for {f.state}", credit
        )
    reg_x = int(figure("reg_x_days").value)
    month = min(max(fc.months_to_sale - f.behind, 1), f.horizon)
    books = new_books(f)
    rate = f.rate or ZERO
    for m in range(1, month + 1):
        books.charge(LOAN, m, round_cents(f.payoff * rate / 1200), "interest while no payment is made")
        if f.second is not None:
            books.charge(
                LIENS, m, round_cents(f.s.second_lien.owed * f.second.rate_percent / 1200), "interest"
            )
    books.cash(month, LENDER, SERVICE_PROVIDERS, fc.attorney_fee, "the foreclosure attorney's fee")
    books.charge(LOAN, month, fc.attorney_fee, "the foreclosure attorney's fee")
    discount = figure("foreclosure_discount_percent")
    value_then = f.value_at(month)
    price = round_cents(value_then * (_HUNDRED - discount.value) / _HUNDRED)
    owed = books.debts[LOAN].owed_at(month)
    applied = min(price, owed)
    books.pay(LOAN, month, applied, "the foreclosure sale", payer=AUCTION_BUYER)
    left = price - applied
    to_liens = ZERO
    if left:
        books.cash(month, AUCTION_BUYER, LENDER, left, "the sale above what is owed")
        if LIENS in books.debts:
            to_liens = min(left, books.debts[LIENS].owed_at(month))
            books.pay(LIENS, month, to_liens, "the surplus, to the second lien holder", payer=LENDER)
        books.cash(month, LENDER, BORROWER, left - to_liens, "the surplus")
    rule = deficiency_rule(f.state)
    purchase_money = f.s.signing.purchase_money
    effect = "allowed" if rule is None else rule.effect(fc.method, purchase_money)
    law = "law" if rule is None else f"law: {rule.citation}"
    deficiency = books.debts[LOAN].owed_at(month)
    if effect == "barred":
        books.forgive(LOAN, month, deficiency, "barred by the state's rule", by=law)
        deficiency = ZERO
    elif effect == "fair_value":
        credited = min(max(value_then - price, ZERO), deficiency)
        books.forgive(LOAN, month, credited, "the fair value credited", by=law)
        deficiency -= credited
    collected = collect(f, books, LOAN, month, deficiency) if deficiency else ZERO
    junior = books.debts[LIENS].owed_at(month) if LIENS in books.debts else ZERO
    junior_collected = collect(f, books, LIENS, month, junior) if junior else ZERO
    books.use("the home, while the foreclosure runs", 0, month)
    method = "a court's (judicial) sale" if fc.method == "judicial" else "a trustee's (non-judicial) sale"
    caveats = [
        f"{STATE_NAMES[f.state]} forecloses by {method}: a routine one takes up to {fc.days_to_sale} days from the "
        f"last payment made, under {fc.days_source}; the sale is taken in month {month}. A servicer may not start before "
        f"the loan is more than {reg_x} days behind (12 CFR 1024.41(f)).",
        f"The sale brings {format_money_human(price)}: {discount.value} % less than the home's value then, the "
        "average foreclosure discount (Campbell, Giglio and Pathak, American Economic Review, 2011).",
        f"The lender adds the attorney's fee, {format_money_human(fc.attorney_fee)} under {fc.fee_source}, and the "
        "interest meanwhile; taxes, insurance and upkeep the servicer advances are not counted.",
        "Deficiency rule: " + _rule_words(rule, f.state, effect) + ". Not legal advice.",
        "You live in the home until the sale without paying for it; the months of missed payments and the "
        "foreclosure stay on your credit report for seven years.",
    ]
    if junior:
        caveats.append(
            f"The sale wipes out the second lien, but its {format_money_human(junior)} is still owed, unsecured: "
            "its holder can sue on the note unless a state rule bars it (Oregon bars it on a same-day purchase "
            "second; California on a purchase-money one)."
        )
    if effect != "barred" and not purchase_money and rule is not None and rule.purchase_money:
        caveats.append(
            "Give `purchase_money` if the loan paid for the home: in this state that bars a deficiency."
        )
    return finish(
        f,
        books,
        "foreclosure",
        title,
        credit,
        caveats,
        (
            ("sale_month", month),
            ("foreclosure_sale_price", price),
            ("attorney_fee", fc.attorney_fee),
            ("deficiency", deficiency),
            ("deficiency_collected", collected),
            ("deficiency_rule", effect),
            ("second_lien_left_unsecured", junior),
            ("second_lien_collected", junior_collected),
            ("method", fc.method),
        ),
        how=f"forecloses, sells the home in month {month} for {format_money_human(price)} and collects "
        f"{f.lender_terms.collect_percent} % of the {format_money_human(deficiency)} deficiency",
        sale=("foreclosure_sale", price),
        start=month,
    )


# ----------------------------------------------------------------------------- modification


def _kept(
    name: str,
    title: str,
    f: Facts,
    books: Ledger,
    credit: CreditConsequence,
    caveats: list[str],
    details: tuple[tuple[str, Decimal | int | str | None], ...],
    *,
    months_under_water: int,
    how: str,
) -> Exit:
    """A way to keep the home on terms the servicer must agree to."""
    return Exit(
        name,
        title,
        "exit",
        books,
        None,
        f.payoff,
        credit,
        tuple(caveats),
        details,
        new_loan_ltv=None if f.value == 0 else (f.payoff + f.liens) / f.value,
        months_under_water=months_under_water,
        consent=Consent((LENDER,)),
        how=how,
    )


def _principal_for(payment: Decimal, rate: Decimal, term: int) -> Decimal:
    """A principal (whole cents) whose level payment over ``term`` months at ``rate`` is at most
    ``payment``: the present value of the payments (:func:`underwater.tvm.pv`) floored to the
    cent, then a cent less while the schedule's rounding still asks more. (Rounding the payment
    to the cent lets a few cents more share the same payment; they are left out.)"""
    principal = (-pv(rate / 1200, Decimal(term), payment)).quantize(CENT, rounding=ROUND_FLOOR)
    while principal > 0 and AmortizingLoan(principal, rate, term).regular_payment > payment:
        principal -= CENT
    return principal


def modification(f: Facts) -> Exit:
    """Keep the home on modified terms, step by step as Fannie Mae's Flex Modification takes
    them: what is owed becomes the new balance, at the rate given (else the loan's own), over
    the term given (else 480 months); if the payment is still more than 80 % of today's, part of
    the principal is set aside without interest (at most 30 % of it, and only down to an 80 %
    LTV), due at the end or on a sale."""
    title = "Keep it with a loan modification"
    credit = CreditConsequence(
        "minor",
        "a modified loan may be noted on the credit report; the payments are current after a trial period",
    )
    if not isinstance(f.contract, AmortizingLoan):
        why = (
            "a modification is worked out for a monthly loan"
            if not isinstance(f.contract, SimpleInterestLoan)
            else "a daily simple-interest loan's modification is not worked out here"
        )
        return unavailable("modification", title, f, why, credit)
    w = f.s.workout
    rate = f.contract.rate_percent if w.mod_rate_percent is None else w.mod_rate_percent
    term = (
        int(figure("modification", "max_term_months").value)
        if w.mod_term_months is None
        else w.mod_term_months
    )
    old = f.contract.regular_payment
    target = round_cents(
        old * (_HUNDRED - figure("modification", "payment_reduction_percent").value) / _HUNDRED
    )
    balance = f.payoff
    forborne = ZERO
    if AmortizingLoan(balance, rate, term).regular_payment > target:
        cap = round_cents(balance * figure("modification", "forbearance_cap_percent").value / _HUNDRED)
        above_ltv = max(
            balance
            - round_cents(f.value * figure("modification", "forbearance_ltv_percent").value / _HUNDRED),
            ZERO,
        )
        forborne = min(balance - _principal_for(target, rate, term), cap, above_ltv)
    contract = AmortizingLoan(balance - forborne, rate, term)
    books = new_books(f, loan=False, liens_paid_through=None)
    # One debt, as modified: the new terms on the interest-bearing part, the part set aside
    # beside it without interest, due at the end.
    books.run(LOAN, WithHeld(contract, forborne), LENDER, "the modified loan", 0)
    if forborne and term <= f.horizon:
        books.pay(LOAN, term, forborne, "the principal set aside, due at the end")
    books.hold("the home", f.value_at(f.horizon))
    books.use("the home", 0)
    span = min(max(f.horizon, term), MAX_HORIZON_MONTHS)
    values = f.path.values(span)
    behind = lien_balances(f.second or f.liens, span)
    rows = contract.months(span)
    under = [
        rows[t].balance + behind[t] + (forborne if t < term else ZERO) > values[t] for t in range(span + 1)
    ]
    new = contract.regular_payment
    caveats = [
        "Only if the servicer agrees, usually after a trial period of three months; Fannie Mae and Freddie Mac "
        "offer it as the Flex Modification.",
    ]
    if new > old:
        caveats.append(
            f"These terms raise the payment from {format_money_human(old)} to {format_money_human(new)}: check "
            "`mod_rate_percent` and `mod_term_months`."
        )
    if forborne:
        caveats.append(
            f"{format_money_human(forborne)} of principal is set aside without interest: it is still owed, on a sale, "
            "a refinance or at the end."
        )
    return _kept(
        "modification",
        title,
        f,
        books,
        credit,
        caveats,
        (
            ("new_rate_percent", str(rate)),
            ("new_term_months", term),
            ("monthly_payment", new),
            ("old_monthly_payment", old),
            ("principal_forborne", forborne),
            ("crossover_month", crossover_month(under)),
        ),
        months_under_water=sum(under),
        how=f"takes {format_money_human(new)} a month for {term} months in place of {format_money_human(old)}",
    )


# ----------------------------------------------------------------------------- forbearance


def forbearance(f: Facts) -> Exit:
    """Keep the home: no payments for some months by agreement, then the missed ones caught up
    over a repayment plan on top of the payment."""
    title = "Keep it with a forbearance, then a repayment plan"
    credit = CreditConsequence(
        "minor",
        "an agreed forbearance is noted on the credit report; the payments it covers are not reported late",
    )
    if not isinstance(f.contract, AmortizingLoan):
        return unavailable("forbearance", title, f, "a forbearance is worked out for a monthly loan", credit)
    w = f.s.workout
    months = w.forbearance_months or (f.behind or 3)
    plan = ForbearancePlan(f.contract, f.behind + months, w.repayment_months)
    books = new_books(f, loan=False, liens_paid_through=None)
    books.run(LOAN, plan, LENDER, "this loan", 0, months_now=f.behind)
    books.hold("the home", f.value_at(f.horizon))
    books.use("the home", 0)
    span = min(max(f.horizon, plan.term_months), MAX_HORIZON_MONTHS)
    projected = project_contract(plan, f.path, span, other_liens=f.second or f.liens)
    limit = figure("forbearance", "max_payment_percent").value
    catching_up = max((m.paid for m in plan.months(plan.term_months)), default=ZERO)
    caveats = [
        "Only if the servicer agrees: Fannie Mae allows a forbearance in steps of at most three months, 12 in all.",
        "The missed payments are still owed: caught up over the plan, or moved to the end (a payment deferral) or "
        "into a modification if the plan is too much.",
    ]
    if catching_up > round_cents(f.contract.regular_payment * limit / _HUNDRED):
        caveats.append(
            f"The plan's payment, {format_money_human(catching_up)}, is more than {limit} % of the payment: Fannie "
            "Mae's servicers may not set one that high; give more `repayment_months`."
        )
    return _kept(
        "forbearance",
        title,
        f,
        books,
        credit,
        caveats,
        (
            ("forbearance_months", months),
            ("repayment_months", w.repayment_months),
            ("monthly_payment", f.contract.regular_payment),
            ("catch_up_payment", catching_up),
            ("crossover_month", projected.crossover_month),
        ),
        months_under_water=projected.months_under_water,
        how=f"takes nothing for {months} months, then the missed payments over {w.repayment_months} on top of the "
        "payment",
    )
