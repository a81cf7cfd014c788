"""The ways out while the borrower still has the asset, each written as one set of books.

Selling goes through a channel (a private sale at the buyer's offer or the value; a dealer's
trade-in allowance; the lender's auction after a repossession); its price pays the selling
costs, this loan, then the other liens. Every exit that gives the asset up writes the footing's
replacement into its books from the day the asset goes (:mod:`underwater.exits.replacing`).
Money is dollars, rates percent per year, months from today.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

from underwater.assets import AssetClass
from underwater.contracts import AmortizingLoan
from underwater.credit import personal_loan
from underwater.deficiency import (
    DeficiencyWorksheet,
    default_expenses,
    deficiency_worksheet,
    estimate_deficiency,
)
from underwater.depreciation import MAX_HORIZON_MONTHS
from underwater.errors import InputError
from underwater.exits.books import LIENS, LOAN, new_books, repay, sell, tax_forgiven, unavailable
from underwater.exits.facts import Assumption, Facts
from underwater.exits.model import Consent, CreditConsequence, Exit, Replacing
from underwater.exits.replacing import credit_cost, replace_asset
from underwater.gap import gap_payout
from underwater.home_rules import figure as home_figure
from underwater.ledger import (
    AUCTION_BUYER,
    BORROWER,
    BUYER,
    DEALER,
    GAP_PROVIDER,
    INSURER,
    LENDER,
    NEXT_LENDER,
    OTHER_LIENHOLDERS,
    PERSONAL_LENDER,
    REFINANCE_LENDER,
    SERVICE_PROVIDERS,
    TAX_AUTHORITY,
    Ledger,
)
from underwater.lender import deferral_fee
from underwater.limits import MAX_AMOUNT
from underwater.money import ZERO, format_money_human, format_ratio, round_cents
from underwater.projection import Projection, project_contract
from underwater.refinance import refinance_terms
from underwater.simple_interest import SimpleInterestLoan
from underwater.state_rules import STATE_NAMES, limitation_period
from underwater.trade_in_tax import TradeInRule, taxable_price, trade_in_rule
from underwater.valuepath import ValuePath

__all__ = [
    "TAX_CAVEAT",
    "collect",
    "give_back",
    "keep_paying",
    "keep_to_crossover",
    "pay_the_gap",
    "payment_plan",
    "refinance",
    "repossession_sheet",
    "sell_with_personal_loan",
    "settlement",
    "short_sale",
    "time_bar_month",
    "total_loss",
    "trade_in",
    "write_sale",
]

_HUNDRED = Decimal(100)
TAX_CAVEAT = (
    "Forgiven debt is taxable income unless an exclusion applies (insolvency above all: IRS Publication "
    "4681); the lender reports $600 or more on Form 1099-C."
)
_VALUE_CAVEAT = "No offer was given: the sale is assumed to bring the value; a real offer is often lower."


def _give_up(
    f: Facts, books: Ledger, level: str, handed_back: Decimal, start: int = 0
) -> tuple[Replacing | None, str | None]:
    """The replacement (or the dearer credit) from month ``start``, and the caveat that says so."""
    rep = replace_asset(books, f, level, start=start, cash_toward=handed_back)
    if rep is None:
        return None, "You go without the asset: nothing is charged for that (no replacement needed)."
    if not rep.bought:
        return rep, f"Counts renting a replacement at {format_money_human(rep.payment)} a month."
    words = f"Counts a replacement like it: {format_money_human(rep.price)}"
    if rep.down:
        words += f", {format_money_human(rep.down)} down from the sale"
    if rep.payment:
        words += f", financed at {rep.rate_percent} % ({format_money_human(rep.payment)} a month)"
    return rep, words + "."


def finish(
    f: Facts,
    books: Ledger,
    name: str,
    title: str,
    credit: CreditConsequence,
    caveats: list[str],
    details: tuple[tuple[str, object], ...],
    *,
    how: str,
    handed_back: Decimal = ZERO,
    sale: tuple[str, Decimal] | None = None,
    consent: tuple[str, ...] = (),
    assumes: tuple[str, ...] = (),
    start: int = 0,
) -> Exit:
    """An exit that gives the asset up in month ``start`` (today by default): the footing
    written in from then, the mark's cost named."""
    rep, caveat = _give_up(f, books, credit.level, handed_back, start)
    if caveat:
        caveats.append(caveat)
    return Exit(
        name,
        title,
        "exit",
        books,
        None,
        f.payoff,
        replace(credit, cost=credit_cost(f, credit.level)),
        tuple(caveats),
        details,  # type: ignore[arg-type]
        gives_up_asset=True,
        replacing=rep,
        sale=sale,
        consent=Consent(consent),
        how=how,
        assumes=assumes,
    )


def _too_large(what: str, amount: Decimal, check: str) -> str:
    return (
        f"{what} would come to {format_money_human(amount)}, more than the {format_money_human(MAX_AMOUNT)} a loan "
        f"may be: check {check}"
    )


def _private_assumes(f: Facts) -> tuple[str, ...]:
    return ("private_sale_price",) if f.s.sale.offer is None else ()


# ----------------------------------------------------------------------------- selling


def pay_the_gap(f: Facts) -> Exit:
    """Sell privately and pay what the sale leaves owed, in cash, today."""
    books = new_books(f)
    split = sell(books, 0, f.private.price, f.selling_costs, BUYER, "the sale's proceeds")
    books.pay(LOAN, 0, split.loan_short, "the gap, in cash")
    if split.liens_short:
        books.pay(LIENS, 0, split.liens_short, "the gap on the other liens, in cash")
    caveats = [
        f"You need the cash before the sale closes: the lender releases {_title(f)} only when paid in full."
    ]
    if f.s.sale.offer is None:
        caveats.append(_VALUE_CAVEAT)
    return finish(
        f,
        books,
        "pay_the_gap",
        "Sell and pay the gap",
        CreditConsequence("none", "the loan is paid in full as agreed"),
        caveats,
        (
            ("sale_price", f.private.price),
            ("selling_costs", f.selling_costs),
            ("gap", f.gap),
            ("cash_at_closing", split.handed_back),
        ),
        how="is paid in full today, from the sale and your check",
        handed_back=split.handed_back,
        sale=("private_sale", f.private.price),
        assumes=_private_assumes(f),
    )


def sell_with_personal_loan(f: Facts) -> Exit:
    """Sell privately and cover the gap with an unsecured personal loan (and the cash there is)."""
    title = "Sell and cover the gap with a personal loan"
    credit = CreditConsequence(
        "minor", "a new personal loan (hard inquiry, new account); the old loan is paid in full"
    )
    if f.gap == 0:
        return unavailable(
            "sell_with_personal_loan", title, f, "the sale covers the payoff: no gap to borrow for", credit
        )
    own = ZERO if f.cash is None else min(f.cash, f.gap)
    if own >= f.gap:
        return unavailable(
            "sell_with_personal_loan", title, f, "your cash covers the gap: nothing to borrow for", credit
        )
    terms = personal_loan(f.tier.name)
    rate = max(terms.rate_percent, f.rate or ZERO)
    if f.gap - own > MAX_AMOUNT:
        return unavailable(
            "sell_with_personal_loan", title, f, _too_large("the loan", f.gap - own, "`owed`"), credit
        )
    books = new_books(f)
    split = sell(books, 0, f.private.price, f.selling_costs, BUYER, "the sale's proceeds")
    borrowed = f.gap - own
    # Your own cash goes first, to this loan and then the other liens; the loan pays the rest.
    for debt, short in ((LOAN, split.loan_short), (LIENS, split.liens_short)):
        mine = min(own, short)
        if mine:
            books.pay(debt, 0, mine, "the gap, in cash")
        own -= mine
        if short - mine:
            books.pay(debt, 0, short - mine, "the gap, from the personal loan", payer=PERSONAL_LENDER)
    loan = AmortizingLoan(borrowed, rate, terms.term_months)
    books.run("personal_loan", loan, PERSONAL_LENDER, "the personal loan", 0, secured=False)
    caveats = [
        f"A personal loan of {format_money_human(borrowed)} at {rate} % over {terms.term_months} months "
        f"({format_money_human(loan.regular_payment)} a month), the average for {f.tier.label} credit; lenders "
        "set their own limits and may decline.",
        f"You need the loan funded before the sale closes: the lender releases {_title(f)} only when paid in full.",
    ]
    if f.s.sale.offer is None:
        caveats.append(_VALUE_CAVEAT)
    return finish(
        f,
        books,
        "sell_with_personal_loan",
        title,
        credit,
        caveats,
        (
            ("sale_price", f.private.price),
            ("gap", f.gap),
            ("cash_toward_gap", f.gap - borrowed),
            ("personal_loan_amount", borrowed),
            ("personal_loan_rate_percent", str(rate)),
            ("personal_loan_term_months", terms.term_months),
            ("personal_loan_payment", loan.regular_payment),
        ),
        how="is paid in full today, from the sale and a personal loan",
        sale=("private_sale", f.private.price),
        assumes=(*_private_assumes(f), "personal_loan_rate"),
    )


def short_sale(f: Facts) -> Exit:
    """Sell at a buyer's offer; this lender, and the other lien holders, forgive what it leaves."""
    title = "Short sale at the buyer's offer"
    credit = CreditConsequence("major", "reported as settled for less than the full balance")
    if f.s.sale.offer is None:
        return unavailable(
            "short_sale", title, f, "no offer given: a short sale needs a buyer's offer (`offer`)", credit
        )
    if f.gap == 0:
        return unavailable("short_sale", title, f, "the offer covers the payoff: nothing to forgive", credit)
    books = new_books(f)
    split = sell(books, 0, f.private.price, f.selling_costs, BUYER, "the sale's proceeds")
    books.forgive(LOAN, 0, split.loan_short, "forgiven in the short sale")
    # A home's first lien holder lets the second have what its investor allows for a release.
    release = ZERO
    if f.home and split.loan_short and split.liens_short:
        cap = home_figure("junior_lien_release_cap", f.s.lender.investor).value
        release = min(cap, split.liens_short)
        books.pay(LIENS, 0, release, "for releasing its lien", payer=LENDER)
    books.forgive(LIENS, 0, split.liens_short - release, "forgiven in the short sale")
    # Whoever forgives must agree; a lien the sale pays in full needs no one's consent.
    consent = tuple(
        party
        for party, short in ((LENDER, split.loan_short), (OTHER_LIENHOLDERS, split.liens_short))
        if short > 0
    )
    forgiven = split.loan_short + split.liens_short - release
    tax = tax_forgiven(books, f, 0, forgiven)
    caveats = [
        f"Only if the lender agrees, in writing, before the sale, to release {_title(f)} for the offer and waive the "
        "rest.",
        TAX_CAVEAT,
    ]
    if split.liens_short:
        caveats.append(
            "The other lien holders must release their liens too and forgive "
            f"{format_money_human(split.liens_short - release)}"
            + (
                f", for {format_money_human(release)} from this loan's lender (its investor's cap)."
                if release
                else "."
            )
        )
    return finish(
        f,
        books,
        "short_sale",
        title,
        credit,
        caveats,
        (
            ("sale_price", f.private.price),
            ("forgiven_debt", forgiven),
            ("estimated_tax_on_forgiven", tax),
            ("tax_rate_percent", str(f.tax_rate.value)),
        ),
        how="takes the sale's proceeds today and forgives the rest",
        sale=("private_sale", f.private.price),
        consent=consent,
        assumes=() if f.tax_rate.given else ("marginal_tax_rate_percent",),
    )


def payment_plan(f: Facts) -> Exit:
    """Sell privately; this lender takes the proceeds and the rest of its loan in installments."""
    w = f.s.workout
    title = "Sell, then pay the gap in installments"
    credit = CreditConsequence(
        "minor", "a modified agreement with the lender; no negative mark if the plan is paid as agreed"
    )
    if w.plan_months is None:
        return unavailable(
            "payment_plan", title, f, "give `plan_months` (and `plan_rate_percent`) for a plan", credit
        )
    if f.gap == 0:
        return unavailable("payment_plan", title, f, "the sale covers the payoff: no gap to spread", credit)
    if f.private.price - f.selling_costs >= f.payoff:
        return unavailable(
            "payment_plan",
            title,
            f,
            "the sale covers this loan: what it leaves is owed on the other liens, to arrange with their holders",
            credit,
        )
    books = new_books(f)
    split = sell(books, 0, f.private.price, f.selling_costs, BUYER, "the sale's proceeds")
    if split.liens_short:
        books.pay(LIENS, 0, split.liens_short, "the other liens' gap, in cash at closing")
    plan = AmortizingLoan(split.loan_short, w.plan_rate_percent, w.plan_months)
    repay(books, LOAN, plan)
    caveats = [
        f"Needs the lender's written agreement before the sale: {_title(f)} is released only when the lender "
        "accepts the sale price plus a plan for the rest.",
        "The plan is unsecured debt: missed payments can go to collections.",
    ]
    if split.liens_short:
        caveats.append(
            f"The other liens' share of the gap ({format_money_human(split.liens_short)}) is paid in cash at closing."
        )
    return finish(
        f,
        books,
        "payment_plan",
        title,
        credit,
        caveats,
        (
            ("plan_amount", split.loan_short),
            ("plan_months", w.plan_months),
            ("plan_rate_percent", str(w.plan_rate_percent)),
            ("plan_payment", plan.regular_payment),
            ("plan_total_interest", plan.total_interest),
        ),
        how="takes the sale's proceeds today and the rest in monthly installments",
        sale=("private_sale", f.private.price),
        consent=(LENDER,),
        assumes=_private_assumes(f),
    )


def settlement(f: Facts, lump: Decimal | None, why_lump: str) -> Exit:
    """Sell privately; this lender takes the proceeds and a lump sum ``lump`` and forgives the
    rest (``None``: not worked out, ``why_lump`` says why)."""
    title = "Sell, then settle the gap for a lump sum"
    credit = CreditConsequence("major", "reported as settled for less than owed")
    if f.gap == 0:
        return unavailable("settlement", title, f, "the sale covers the payoff: nothing to settle", credit)
    if f.private.price - f.selling_costs >= f.payoff:
        return unavailable(
            "settlement",
            title,
            f,
            "the sale covers this loan: what it leaves is owed on the other liens, to settle with their holders",
            credit,
        )
    if lump is None:
        return unavailable("settlement", title, f, why_lump, credit)
    books = new_books(f)
    split = sell(books, 0, f.private.price, f.selling_costs, BUYER, "the sale's proceeds")
    if split.liens_short:
        books.pay(LIENS, 0, split.liens_short, "the other liens' gap, in cash at closing")
    paid = min(lump, split.loan_short)
    books.pay(LOAN, 0, paid, "the lump sum")
    forgiven = split.loan_short - paid
    books.forgive(LOAN, 0, forgiven, "forgiven in the settlement")
    tax = tax_forgiven(books, f, 0, forgiven)
    caveats = [
        "Get the settlement in writing before paying; it is usually due in one payment.",
        "Lenders usually ask for proof of hardship before they accept less.",
        why_lump + ".",
    ]
    if forgiven:
        caveats.append(TAX_CAVEAT)
    return finish(
        f,
        books,
        "settlement",
        title,
        credit,
        caveats,
        (
            ("lump_sum", paid),
            ("settlement_percent", str((paid * _HUNDRED / split.loan_short).quantize(Decimal("0.01")))),
            ("forgiven_debt", forgiven),
            ("estimated_tax_on_forgiven", tax),
        ),
        how="takes the sale's proceeds and the lump sum today, and forgives the rest",
        sale=("private_sale", f.private.price),
        consent=(LENDER,),
        assumes=(*_private_assumes(f), *(() if f.tax_rate.given else ("marginal_tax_rate_percent",))),
    )


# ----------------------------------------------------------------------------- trading in


def trade_in(f: Facts) -> Exit:
    """Trade it in at the dealer's allowance; the next loan pays off what the allowance does not."""
    t = f.s.next_deal
    title = "Trade in, roll the negative equity into the next loan"
    credit = CreditConsequence(
        "minor", "a new loan (hard inquiry, new account); the old loan is paid off as agreed"
    )
    if t.missing:
        wanted = ", ".join(f"`{name}`" for name in t.missing)
        return unavailable("trade_in", title, f, f"give {wanted} to price the next deal", credit)
    assert t.price is not None and t.rate_percent is not None and t.term_months is not None
    allowance = f.trade.price
    rolled_signed = f.payoff + f.liens - allowance
    rolled = max(rolled_signed, ZERO)
    taxing = _taxable(f, t.price, allowance)
    if isinstance(taxing, str):
        return unavailable("trade_in", title, f, taxing, credit)
    taxable, tax_caveats, credit_basis, rule = taxing
    tax = ZERO if taxable is None else round_cents(taxable * t.sales_tax_percent / _HUNDRED)
    if rule is not None and rule.capped_tax(tax) < tax:
        tax = rule.capped_tax(tax)
        tax_caveats.append(f"{rule.name} caps the tax at {format_money_human(tax)} ({rule.citation}).")
    amount = t.price + tax + t.dealer_fees - t.rebates - t.down_payment + rolled_signed
    if amount <= 0:
        return unavailable(
            "trade_in", title, f, "the trade-in and down payment cover the whole next deal: no loan", credit
        )
    if amount > MAX_AMOUNT:
        return unavailable("trade_in", title, f, _too_large("the next loan", amount, "`next_price`"), credit)
    next_class = f.kind if t.asset_class is None else AssetClass(t.asset_class)
    loan = AmortizingLoan(amount, t.rate_percent, t.term_months)
    path = ValuePath.for_class(t.price, next_class, t.age_months)
    books = new_books(f)
    books.cash(0, BORROWER, DEALER, t.down_payment, "down payment on the next deal")
    books.cash(0, NEXT_LENDER, DEALER, amount, "the next loan, paid to the dealer")
    books.pay(LOAN, 0, f.payoff, "paid off by the dealer", payer=DEALER)
    if f.liens:
        books.pay(LIENS, 0, f.liens, "paid off by the dealer", payer=DEALER)
    books.cash(0, DEALER, TAX_AUTHORITY, tax, "sales tax on the next deal")
    books.run("next_loan", loan, NEXT_LENDER, "the next deal's loan", 0)
    books.hold("the next deal's asset", path.at(f.horizon))
    books.use("the next deal's asset", 0)
    new = project_contract(loan, path, min(max(f.horizon, t.term_months), MAX_HORIZON_MONTHS))
    without = amount - rolled
    base = AmortizingLoan(without, t.rate_percent, t.term_months) if without > 0 else None
    extra_payment = loan.regular_payment - (base.regular_payment if base else ZERO) if rolled else ZERO
    extra_interest = loan.total_interest - (base.total_interest if base else ZERO) if rolled else ZERO
    ltv = amount / t.price
    caveats = []
    if rolled:
        caveats.append(
            f"The {format_money_human(rolled)} of negative equity moves into the new loan: it starts at LTV "
            f"{format_ratio(ltv)} and the problem moves into the future."
        )
    caveats.append(
        "Negotiate the price, the trade-in allowance and the financing separately: a rolled balance can hide in a "
        "higher price or a longer term."
    )
    if t.trade_in_value is None:
        caveats.append(f"No allowance was given: the trade-in is taken at {f.trade.basis}.")
    caveats.extend(tax_caveats)
    if new.crossover_month is None:
        caveats.append(f"The new loan does not surface within {new.horizon_months} months.")
    return Exit(
        "trade_in",
        title,
        "exit",
        books,
        None,
        f.payoff,
        credit,
        tuple(caveats),
        (
            ("trade_in_value", allowance),
            ("negative_equity_rolled", rolled),
            ("equity_applied", max(-rolled_signed, ZERO)),
            ("taxable_amount", taxable),
            ("trade_in_tax_credit", credit_basis),
            ("sales_tax", tax),
            ("dealer_fees", t.dealer_fees),
            ("rebates", t.rebates),
            ("down_payment", t.down_payment),
            ("new_loan_amount", amount),
            ("new_payment", loan.regular_payment),
            ("extra_monthly_payment_from_rolled", extra_payment),
            ("extra_interest_from_rolled", extra_interest),
            ("new_crossover_month", new.crossover_month),
        ),
        new_loan_ltv=ltv,
        months_under_water=new.months_under_water,
        sale=("trade_in", allowance),
        how="is paid off today by the dealer, out of the next loan",
        assumes=() if t.trade_in_value is not None else ("trade_in_share_percent",),
    )


def _taxable(
    f: Facts, price: Decimal, allowance: Decimal
) -> tuple[Decimal | None, list[str], str, TradeInRule | None] | str:
    """The price the next deal's sales tax is on (``None`` when no tax rate was given), what to
    say about it, how the credit was decided and the state's rule (for a cap on the tax) — or
    why it cannot be decided (a sentence)."""
    t = f.s.next_deal
    choice = t.trade_in_tax_credit
    if t.sales_tax_percent == 0:
        return None, [], "no sales tax given", None
    if f.state is None:
        if choice == "state":
            return (
                "give `state`, or say whether your state credits the trade-in (`trade_in_tax_credit` yes or "
                "no): the sales tax depends on it"
            )
        credited = max(price - allowance, ZERO) if choice == "yes" else price
        return (
            credited,
            [f"The trade-in credit is applied as you said ({choice})."],
            f"as you said: {choice}",
            None,
        )
    rule = trade_in_rule(f.state, on=f.s.borrower.as_of)
    override = None if choice == "state" else choice == "yes"
    try:
        taxed = taxable_price(price, allowance, rule, override=override, purchase_is_new=t.age_months == 0)
    except InputError as exc:
        return exc.rule_in()
    basis = f"{rule.name}'s rule on file" if taxed.basis == "rule" else f"as you said: {choice}"
    return taxed.taxable, [f"Sales tax: {taxed.reason}.", *taxed.caveats], basis, rule


# ----------------------------------------------------------------------------- keeping


def _loan_books(f: Facts) -> Ledger:
    assert f.contract is not None
    books = new_books(f, loan=False, liens_paid_through=None)
    books.run(LOAN, f.contract, LENDER, "this loan", 0, months_now=f.behind)
    return books


def keep_paying(f: Facts) -> Exit:
    """Keep it and pay as agreed (catching up first when behind)."""
    assert f.keep is not None and f.contract is not None
    keep = f.keep
    books = _loan_books(f)
    books.hold("the asset", f.value_at(f.horizon))
    books.use("the asset", 0)
    caveats = [_path_caveat(f, "keeps you under longer")]
    if f.behind:
        caveats.append(
            f"You are {f.behind} payment{'s' if f.behind > 1 else ''} behind: keeping it means paying them now."
        )
    if keep.crossover_month is None:
        caveats.append(f"The loan does not surface within {keep.horizon_months} months.")
    at = keep.rows[min(f.horizon, keep.horizon_months)]
    return Exit(
        "keep_paying",
        "Keep it and pay as agreed",
        "exit",
        books,
        None,
        f.payoff,
        CreditConsequence("none", "the loan is paid as agreed", ZERO),
        tuple(caveats),
        (
            ("crossover_month", keep.crossover_month),
            ("first_under_water_month", keep.first_under_water_month),
            ("monthly_payment", f.contract.regular_payment),
            ("catch_up_payments", f.behind),
            ("value_at_horizon", at.value),
            ("owed_at_horizon", at.owed),
            ("interest_paid_while_under_water", keep.interest_paid_while_under_water),
        ),
        new_loan_ltv=None if f.value == 0 else (f.payoff + f.liens) / f.value,
        months_under_water=keep.months_under_water,
        how="is paid as agreed, month by month",
    )


def deferral(f: Facts) -> Exit:
    """Keep it, with the next payments deferred by agreement: nothing paid for those months,
    interest still accruing, the term extended by as many (a skip-a-pay, an extension, or a re-age
    of the payments behind)."""
    assert f.keep is not None and f.contract is not None
    w = f.s.workout
    title = "Keep it, and ask to skip payments (a deferral)"
    credit = CreditConsequence("none", "an agreed deferral is reported as current; the term is extended")
    if not isinstance(f.contract, (AmortizingLoan, SimpleInterestLoan)):
        return unavailable("deferral", title, f, "a deferral is worked out for a loan", credit)
    months = w.deferral_months or max(f.behind, 1)
    contract = f.contract.deferred(months, capitalize=w.deferral_capitalized)
    fee = Assumption.of("deferral_fee", w.deferral_fee, deferral_fee())
    books = new_books(f, loan=False, liens_paid_through=None)
    books.run(LOAN, contract, LENDER, "this loan", 0)
    books.cash(0, BORROWER, LENDER, fee.value, "the fee to defer payments")
    books.hold("the asset", f.value_at(f.horizon))
    books.use("the asset", 0)
    span = min(max(f.horizon, contract.term_months), MAX_HORIZON_MONTHS)
    deferred = project_contract(contract, f.path, span, other_liens=f.second or f.liens)
    before = sum((m.interest + m.fees for m in f.contract.months(f.contract.term_months)), ZERO)
    after = sum((m.interest + m.fees for m in contract.months(contract.term_months)), ZERO)
    caveats = [
        "Interest keeps accruing while payments are skipped; the first payment after goes to it first, and the "
        "loan ends later.",
        "Lenders grant a deferral for a hardship, usually one or two a year (credit unions' skip-a-pay) or a few "
        "months at once (the CFPB found three or more common in 2020-21); ask for it in writing.",
    ]
    if f.behind:
        caveats.append(
            f"You are {f.behind} payment{'s' if f.behind > 1 else ''} behind: a deferral that moves them to the end "
            "(a re-age) brings the account current without catching up now."
        )
    if isinstance(f.contract, SimpleInterestLoan) and w.deferral_capitalized:
        caveats.append(
            "A daily simple-interest loan never adds interest to the balance: it is owed beside it."
        )
    if deferred.crossover_month != f.keep.crossover_month:
        caveats.append(
            f"It moves the month you surface from {_month_words(f.keep.crossover_month)} to "
            f"{_month_words(deferred.crossover_month)}."
        )
    return Exit(
        "deferral",
        title,
        "exit",
        books,
        None,
        f.payoff,
        credit,
        tuple(caveats),
        (
            ("deferral_months", months),
            ("deferral_fee", fee.value),
            ("capitalized", w.deferral_capitalized and not isinstance(f.contract, SimpleInterestLoan)),
            ("extra_interest", after - before),
            ("monthly_payment", contract.regular_payment),
            ("last_payment_month", contract.term_months),
            ("crossover_month", deferred.crossover_month),
            ("crossover_month_without", f.keep.crossover_month),
        ),
        new_loan_ltv=None if f.value == 0 else (f.payoff + f.liens) / f.value,
        months_under_water=deferred.months_under_water,
        consent=Consent((LENDER,)),
        how=f"takes nothing for {months} month{'s' if months > 1 else ''}, then the payments as agreed, a month later "
        "for each month skipped",
        assumes=() if fee.given else ("deferral_fee",),
    )


def _title(f: Facts) -> str:
    """What a lender releases when it is paid: a vehicle's title, or its lien on a home."""
    return "its lien on the home" if f.home else "the title"


def _path_caveat(f: Facts, effect: str) -> str:
    """That the value is assumed to follow its path, and what a worse one does, in a home's or
    a vehicle's words."""
    if f.home:
        return f"Assumes the home's value follows its price path; a fall in local prices {effect}."
    return f"Assumes the value follows the depreciation curve; a market drop or heavy use {effect}."


def _month_words(month: int | None) -> str:
    return "not within the horizon" if month is None else f"month {month}"


def _sale_month(keep: Projection, costs: Callable[[Decimal], Decimal]) -> int | None:
    """The month from which a sale at the projected value, less its ``costs`` (dollars, by the
    price), clears what is owed in every later month (``None`` when that never holds to the end
    of the projection)."""
    month: int | None = None
    for row in reversed(keep.rows):
        if row.owed + costs(row.value) > row.value:
            break
        month = row.month
    return month


def keep_to_crossover(f: Facts) -> Exit:
    """Keep paying until a sale clears the loan and its costs for good, then sell privately."""
    title = "Keep paying until it surfaces, then sell"
    credit = CreditConsequence("none", "the loan is paid as agreed", ZERO)
    if f.footing.needed:
        return unavailable(
            "keep_to_crossover",
            title,
            f,
            "you need an asset like this one, so selling it once it surfaces only to buy another would cost the "
            "selling costs for nothing; keep it and pay as agreed instead",
            credit,
        )
    assert f.keep is not None and f.contract is not None
    keep = f.keep
    month = _sale_month(keep, f.selling_costs_at)
    caveats = [
        _path_caveat(f, "delays the sale"),
        "The payments also buy the use of the asset until it is sold.",
    ]
    selling = month is not None and month <= f.horizon
    books = new_books(f, loan=False, liens_paid_through=month if selling else None)
    if month is not None and selling:
        books.run(LOAN, f.contract, LENDER, "this loan", 0, months_now=f.behind, through=month)
        price = f.value_at(month)
        costs = f.selling_costs_at(price)
        sell(books, month, price, costs, BUYER, "the sale's proceeds")
        books.use("the asset", 0, month)
        sale: tuple[tuple[str, Decimal | int | None], ...] = (
            ("sale_month", month),
            ("sale_value", price),
            ("selling_costs", costs),
            ("payoff_at_sale", keep.rows[month].balance),
        )
        how = "is paid as agreed, then paid off from the sale"
    else:
        books.run(LOAN, f.contract, LENDER, "this loan", 0, months_now=f.behind)
        books.hold("the asset", f.value_at(f.horizon))
        books.use("the asset", 0)
        sale = (
            ("sale_month", None),
            ("sale_value", None),
            ("selling_costs", f.selling_costs),
            ("payoff_at_sale", None),
        )
        caveats.append(
            f"A sale does not clear the loan and its costs within {f.horizon} months: the figures hold it to the horizon."
        )
        how = "is paid as agreed, month by month"
    return Exit(
        "keep_to_crossover",
        title,
        "exit",
        books,
        None,
        f.payoff,
        credit,
        tuple(caveats),
        (
            ("crossover_month", keep.crossover_month),
            *sale,
            ("monthly_payment", f.contract.regular_payment),
            ("interest_paid_while_under_water", keep.interest_paid_while_under_water),
        ),
        months_under_water=keep.months_under_water,
        how=how,
        sale=None if month is None or month > f.horizon else ("private_sale", f.value_at(month)),
    )


def refinance(f: Facts) -> Exit:
    """A new loan on the same asset pays this one off today."""
    r = f.s.refinance
    title = "Refinance and keep"
    credit = CreditConsequence(
        "minor", "a new loan (hard inquiry, new account); the old loan is paid off as agreed"
    )
    if r.rate_percent is None:
        return unavailable(
            "refinance", title, f, "give `refi_rate_percent` (and `refi_term_months`) to refinance", credit
        )
    assert f.keep is not None
    financed = f.payoff + (r.fees if r.fees_financed else ZERO)
    if financed > MAX_AMOUNT:
        return unavailable("refinance", title, f, _too_large("the new loan", financed, "`refi_fees`"), credit)
    terms = refinance_terms(f.s, f.keep)
    fees_financed = r.fees if r.fees_financed else ZERO
    books = new_books(f, liens_paid_through=None)
    books.cash(0, BORROWER, REFINANCE_LENDER, ZERO if r.fees_financed else r.fees, "refinance fees")
    books.pay(LOAN, 0, terms.cash_to_cap, "cash to meet the new lender's LTV cap")
    books.run("refinance", terms.contract, REFINANCE_LENDER, "the refinance loan", 0)
    books.pay(LOAN, 0, terms.amount - fees_financed, "paid off by the refinance", payer=REFINANCE_LENDER)
    books.hold("the asset", f.value_at(f.horizon))
    books.use("the asset", 0)
    new = terms.projection
    caveats = list(terms.caveats)
    caveats.append("Needs the new lender's approval.")
    return Exit(
        "refinance",
        title,
        "exit",
        books,
        None,
        f.payoff,
        credit,
        tuple(caveats),
        terms.details,
        new_loan_ltv=terms.ltv,
        months_under_water=new.months_under_water,
        how="is paid off today by the new lender",
    )


# ----------------------------------------------------------------------------- giving it back


def _state_text(sheet: DeficiencyWorksheet) -> str:
    if sheet.state is None:
        return "no state given: only the UCC rules are applied"
    if sheet.state_rule is None:
        return f"no rule on file for {STATE_NAMES[sheet.state]}"
    rule = sheet.state_rule
    return f"{rule.rule.name} ({rule.rule.citation}): {rule.effect}"


def repossession_sheet(f: Facts, surrender: bool) -> tuple[DeficiencyWorksheet, int, Decimal]:
    """The deficiency worksheet of the lender's sale after a surrender or repossession today,
    with every measure the state's rule needs; the month of the sale; and what the lender spends
    on it (all its costs, whether the state lets it charge them or not)."""
    kind = f.kind
    costs = default_expenses(kind).expenses
    if surrender:
        costs = replace(costs, retaking=ZERO)  # the borrower delivers it: no recovery agent
    month = f.lender_terms.months_to_sell
    stage = f.s.stage
    cash_price, financed = f.s.signing.cash_price, f.s.signing.amount_financed
    unpaid = stage.unpaid_balance_at_default or f.payoff
    fair = stage.fair_market_value or f.value_at(month)
    if f.s.lender.auction_price is not None:
        sheet = deficiency_worksheet(
            f.payoff,
            f.as_of,
            f.s.lender.auction_price,
            costs,
            state=f.state,
            consumer=f.consumer,
            cash_price=cash_price,
            amount_financed=financed,
            unpaid_balance_at_default=unpaid,
            fair_market_value=fair,
        )
    else:
        sheet = estimate_deficiency(
            f.payoff,
            f.value_at(month),
            kind,
            state=f.state,
            expenses=costs,
            consumer=f.consumer,
            as_of=f.as_of,
            cash_price=cash_price,
            amount_financed=financed,
            unpaid_balance_at_default=unpaid,
            fair_market_value=fair,
        )
    return sheet, month, costs.total


def write_sale(
    f: Facts, books: Ledger, sheet: DeficiencyWorksheet, month: int, proceeds: Decimal, spent: Decimal
) -> Decimal:
    """The lender's sale in ``month`` written into ``books`` by ``sheet`` (UCC 9-615): the lender
    spends ``spent`` and charges what the sheet allows; the ``proceeds`` are applied, a surplus
    paid on to the other lien holders and then the borrower; a fair-market-value credit or a
    state's bar is forgiven by law. Returns the deficiency left."""
    books.cash(month, LENDER, SERVICE_PROVIDERS, spent, "repossession, storage and sale costs")
    books.charge(LOAN, month, sheet.expenses_total, "repossession, storage and sale costs")
    owed = books.debts[LOAN].owed_at(month)
    applied = min(proceeds, owed)
    books.pay(LOAN, month, applied, "the auction's proceeds", payer=AUCTION_BUYER)
    left = proceeds - applied
    if left:
        books.cash(month, AUCTION_BUYER, LENDER, left, "the auction's proceeds above what is owed")
        liens = books.debts[LIENS].owed_at(month) if LIENS in books.debts else ZERO
        to_liens = min(left, liens)
        if to_liens:
            books.pay(LIENS, month, to_liens, "the surplus, to the other lien holders", payer=LENDER)
        books.cash(month, LENDER, BORROWER, left - to_liens, "the surplus")
    credited = min(sheet.proceeds - proceeds, books.debts[LOAN].owed_at(month))
    if credited > 0:
        books.forgive(LOAN, month, credited, "credited at fair market value", by=_law(sheet))
    deficiency = books.debts[LOAN].owed_at(month)
    if sheet.deficiency_barred:
        books.forgive(LOAN, month, deficiency, "barred by the state's rule", by=_law(sheet))
        return ZERO
    return deficiency


def collect(f: Facts, books: Ledger, key: str, month: int, deficiency: Decimal) -> Decimal:
    """The lender collects its share of a ``deficiency`` on debt ``key`` from the borrower,
    ``months_to_collect`` after ``month``, and writes off the rest, which the borrower still
    owes. Returns what it collects."""
    a = f.lender_terms
    collected = round_cents(deficiency * a.collect_percent / _HUNDRED)
    books.pay(key, month + a.months_to_collect, collected, "what the lender collects of the deficiency")
    books.write_off(key, deficiency - collected)
    return collected


def _law(sheet: DeficiencyWorksheet) -> str:
    rule = sheet.state_rule
    return "law" if rule is None else f"law: {rule.rule.citation}"


def time_bar_month(f: Facts, sale_month: int) -> int | None:
    """The month the state's time to sue on a deficiency runs out (UCC 2-725 where the table
    gives it, else the written-contract period), counted from today; ``None`` without one. A
    time-barred debt cannot be sued on but is still owed: the books keep it."""
    if f.state is None:
        return None
    period = limitation_period(f.state)
    if period is None:
        return None
    return sale_month + 12 * (period.years_ucc_2_725 or period.years_written_contract)


def give_back(f: Facts, name: str) -> Exit:
    """A voluntary surrender or a repossession today: the lender sells at auction; the
    deficiency is owed, of which the lender collects its share."""
    surrender = name == "voluntary_surrender"
    title = "Voluntary surrender" if surrender else "Repossession"
    credit = (
        CreditConsequence("major", "a voluntary surrender is reported as a repossession, marked voluntary")
        if surrender
        else CreditConsequence(
            "severe", "default, then a repossession: it stays on a credit report for seven years"
        )
    )
    if f.home:
        return unavailable(name, title, f, "a home is foreclosed, not repossessed: not modelled here", credit)
    sheet, month, spent = repossession_sheet(f, surrender)
    auction = f.auction_at(month)
    books = new_books(f)
    deficiency = write_sale(f, books, sheet, month, auction.price, spent)
    collected = collect(f, books, LOAN, month, deficiency) if deficiency else ZERO
    a = f.lender_terms
    caveats = [
        f"The lender sells at auction in month {month} for {format_money_human(auction.price)} ({auction.basis}) and "
        "adds its costs: the deficiency is what is still owed.",
        "An unpaid deficiency can go to collections or a lawsuit; it stays owed here, but for the share the lender "
        "collects.",
        "State rule: " + _state_text(sheet),
    ]
    caveats.extend(note for note in sheet.notes if note.startswith("Time to sue"))
    if not surrender:
        caveats.append("Repossession adds the recovery fee and follows missed payments and default.")
    how = (
        f"sells it at auction in month {month} for {format_money_human(auction.price)}, spends "
        f"{format_money_human(sheet.expenses_total)} on it, and collects {a.collect_percent} % of the "
        f"{format_money_human(deficiency)} deficiency"
        + (f" by month {month + a.months_to_collect}" if deficiency else "")
    )
    exit_ = finish(
        f,
        books,
        name,
        title,
        credit,
        caveats,
        (
            ("auction_proceeds", auction.price),
            ("expenses_total", sheet.expenses_total),
            (
                "retaking_fee",
                next((line.amount for line in sheet.expense_lines if line.type == "retaking"), ZERO),
            ),
            ("deficiency", deficiency),
            ("deficiency_collected", collected),
            ("deficiency_barred", sheet.deficiency_barred),
            ("time_barred_month", time_bar_month(f, month) if deficiency else None),
            ("state_rule", _state_text(sheet)),
        ),
        how=how,
        sale=("auction", auction.price),
        assumes=sale_assumes(f),
    )
    return exit_


def sale_assumes(f: Facts) -> tuple[str, ...]:
    """The defaults a lender's sale and collection rest on, when not given: the auction's price
    and the share of what is left the lender collects."""
    given = (
        ("auction_price", f.s.lender.auction_price is not None),
        ("deficiency_collect_percent", "deficiency_collect_percent" in f.lender_terms.given),
    )
    return tuple(name for name, was_given in given if not was_given)


# ----------------------------------------------------------------------------- a total loss


def total_loss(f: Facts, gap_covered: bool, *, assume: str = "waiver", kind: str = "scenario") -> Exit:
    """The asset destroyed or stolen today: the insurer pays its actual cash value less the
    deductible, GAP (when covered) part of the rest of this loan; the borrower pays what is left
    of this loan; the other liens stay owed."""
    i = f.s.insurance
    name = "total_loss_with_gap" if gap_covered else "total_loss_without_gap"
    title = "Total loss, with GAP coverage" if gap_covered else "Total loss, without GAP coverage"
    credit = CreditConsequence("none", "the loan is paid off by the insurer (and you)", ZERO)
    acv = f.value if i.actual_cash_value is None else i.actual_cash_value
    contract = i.contract(assume=assume) if gap_covered else None
    if gap_covered and contract is None:
        return unavailable(name, title, f, "no GAP coverage (`gap_coverage` is none)", credit, kind=kind)
    caveats = (
        ["A scenario, not a choice: what happens if the asset is destroyed or stolen today."]
        if kind == "scenario"
        else []
    )
    books = new_books(f)
    payout = max(acv - i.deductible, ZERO)
    to_loan = min(payout, f.payoff)
    books.pay(LOAN, 0, to_loan, "the insurer's payment", payer=INSURER)
    left = payout - to_loan
    to_liens = min(left, f.liens)
    if to_liens:
        books.pay(LIENS, 0, to_liens, "the insurer's payment", payer=INSURER)
    books.cash(0, INSURER, BORROWER, left - to_liens, "the insurer's payment above the liens")
    details: list[tuple[str, object]] = [
        ("actual_cash_value", acv),
        ("deductible", i.deductible),
        ("insurance_payout", payout),
    ]
    if contract is not None:
        # GAP's LTV cap needs both figures at signing; one alone (given for a state's bar) is not used.
        signing = f.s.signing
        both = signing.value_at_signing is not None and signing.amount_financed is not None
        settled = gap_payout(
            f.payoff,
            acv,
            i.deductible,
            contract,
            rolled_negative_equity=i.negative_equity_rolled,
            past_due=i.past_due,
            late_fees=i.late_fees,
            addons=i.addons,
            addon_refunds=i.addon_refunds,
            value_at_signing=signing.value_at_signing if both else None,
            amount_financed=signing.amount_financed if both else None,
        )
        books.pay(LOAN, 0, settled.gap_pays, "GAP's payment", payer=GAP_PROVIDER)
        books.pay(LOAN, 0, settled.refunds_credited, "add-on refunds credited", payer=SERVICE_PROVIDERS)
        caveats.append(f"Only if you have this coverage: {contract.name}.")
        caveats.extend(settled.caveats)
        details += [
            ("left_after_insurance", settled.owed_after_insurance),
            ("gap_excluded", settled.excluded_total),
            ("gap_coverage_pays", settled.gap_pays),
            ("gap_capped_by", settled.capped_by),
            ("refunds_credited", settled.refunds_credited),
            *((f"excluded_{e.item}", e.amount) for e in settled.exclusions),
        ]
    else:
        details += [("left_after_insurance", max(f.payoff - payout, ZERO)), ("gap_coverage_pays", ZERO)]
    owes = books.debts[LOAN].owed_at(0)
    if kind == "scenario":
        books.pay(LOAN, 0, owes, "what is left of the loan, in cash")
    if owes:
        caveats.append(
            "The insurer pays the lender its actual cash value less the deductible; you owe the rest."
        )
    if f.liens and to_liens < f.liens:
        caveats.append(
            f"The other liens are not covered: {format_money_human(f.liens - to_liens)} is still owed on them."
        )
    details.append(("borrower_owes", owes))
    payer = " and GAP" if contract is not None else ""
    exit_ = finish(
        f,
        books,
        name,
        title,
        credit,
        caveats,
        tuple(details),
        how=f"is paid off by the insurer{payer}" + (" and you" if owes else ""),
        handed_back=left - to_liens,
    )
    return replace(exit_, kind=kind, status="scenario" if kind == "scenario" else exit_.status)
