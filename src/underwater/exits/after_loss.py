"""The ways out once the asset is gone: after a repossession and sale (a deficiency is claimed),
and after a total loss (the insurer settles; what is left is owed).

After a repossession the asset is gone in every way out, so no replacement is counted: it
would cost the same in each. The deficiency is worked by the UCC 9-616 worksheet from what the
sale brought and the lender's costs, with the state's rule; a claim the lender makes is taken as
what it pursues. The ledger's month 0 is today; the sale may lie months behind it. Money is
dollars, months from today.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from underwater.contracts import AmortizingLoan
from underwater.credit import TIER_LABELS, marked_tier, personal_loan
from underwater.dates import months_between
from underwater.deficiency import DeficiencyWorksheet, Expenses, default_expenses, deficiency_worksheet
from underwater.exits.books import LIENS, LOAN, repay, tax_forgiven, unavailable
from underwater.exits.facts import Facts
from underwater.exits.have_it import TAX_CAVEAT, total_loss
from underwater.exits.model import Consent, CreditConsequence, Exit
from underwater.ledger import LENDER, OTHER_LIENHOLDERS, PERSONAL_LENDER, Ledger
from underwater.money import ZERO, format_money_human, round_cents
from underwater.state_rules import STATE_NAMES, limitation_period

__all__ = ["Deficiency", "deficiency_of", "repossessed_exits", "totalled_exits"]

DEFICIENCY = "deficiency"
_HUNDRED = Decimal(100)
_LOW_AUCTION_SHARE = Decimal(65)  # the low end of the 65-85 % a repossession auction usually brings


class Deficiency:
    """The deficiency after a repossession and sale, worked once: ``sheet`` (the 9-616
    worksheet), ``amount`` (what the lender pursues: its claim, else the worksheet's; 0 when a
    state rule bars it), ``months_since_sale`` and the ``grounds`` to dispute it."""

    def __init__(self, f: Facts) -> None:
        st = f.s.stage
        assert st.repo_sale_price is not None
        self.sale_price = st.repo_sale_price
        costs = (
            default_expenses(f.kind).expenses
            if st.repo_expenses is None
            else Expenses(other=st.repo_expenses)
        )
        sale_date = st.repo_sale_date or f.as_of
        self.months_since_sale = max(months_between(sale_date, f.as_of), 0)
        self.sheet: DeficiencyWorksheet = deficiency_worksheet(
            f.payoff,
            sale_date,
            self.sale_price,
            costs,
            state=f.state,
            consumer=f.consumer,
            cash_price=f.s.signing.cash_price,
            amount_financed=f.s.signing.amount_financed,
            unpaid_balance_at_default=st.unpaid_balance_at_default or f.payoff,
            fair_market_value=st.fair_market_value or f.value,
        )
        worked = self.sheet.deficiency
        self.claimed = st.deficiency_claimed
        self.barred = self.sheet.deficiency_barred
        if self.barred:
            self.amount = ZERO
        else:
            self.amount = worked if self.claimed is None else self.claimed
        self.grounds = self._grounds(f, worked)

    def _grounds(self, f: Facts, worked: Decimal) -> tuple[str, ...]:
        grounds: list[str] = []
        if self.barred:
            rule = self.sheet.state_rule
            assert rule is not None
            grounds.append(f"{rule.rule.name} ({rule.rule.citation}): {rule.effect}.")
        if f.s.stage.sale_notice_received is False:
            grounds.append(
                "No notice of the sale came first: a lender must send one before it sells (UCC 9-611, 9-614); "
                "without it the deficiency may be reduced or lost (UCC 9-626)"
                + (
                    "; in California no deficiency may be collected without it (Civ. Code 2983.2)."
                    if f.state == "CA"
                    else "."
                )
            )
        if f.value and self.sale_price < round_cents(f.value * _LOW_AUCTION_SHARE / _HUNDRED):
            grounds.append(
                f"The sale brought {format_money_human(self.sale_price)}, under {_LOW_AUCTION_SHARE} % of the "
                f"{format_money_human(f.value)} it would fetch: ask whether the sale was commercially reasonable "
                "(UCC 9-610, 9-627)."
            )
        if self.claimed is not None and self.claimed > worked and not self.barred:
            grounds.append(
                f"The lender claims {format_money_human(self.claimed)}; the sale and its costs explain "
                f"{format_money_human(worked)}: ask for the written explanation UCC 9-616 requires."
            )
        return tuple(grounds)

    def time_barred_month(self, f: Facts) -> int | None:
        """The month from today when the time to sue on it runs out (``None`` when no period is on file)."""
        if f.state is None:
            return None
        period = limitation_period(f.state)
        if period is None:
            return None
        years = period.years_ucc_2_725 or period.years_written_contract
        return max(12 * years - self.months_since_sale, 0)


def deficiency_of(f: Facts) -> Deficiency:
    """The deficiency of a situation after a repossession and sale."""
    return Deficiency(f)


def _books(f: Facts, d: Deficiency) -> Ledger:
    books = Ledger(f.horizon)
    books.open(DEFICIENCY, LENDER, "the deficiency", 0, d.amount)
    return books


def _exit(
    f: Facts,
    d: Deficiency,
    books: Ledger,
    name: str,
    title: str,
    credit: CreditConsequence,
    caveats: list[str],
    details: tuple[tuple[str, object], ...],
    how: str,
    *,
    consent: tuple[str, ...] = (),
    kind: str = "exit",
) -> Exit:
    if f.liens:
        books.open(LIENS, OTHER_LIENHOLDERS, "the other liens, unsecured now", 0, f.liens)
    return Exit(
        name,
        title,
        kind,
        books,
        None,
        f.payoff,
        credit,
        tuple(caveats),
        (("deficiency", d.amount), *details),  # type: ignore[arg-type]
        consent=Consent(consent),
        how=how,
        status="defense" if kind == "defense" else "ranked",
    )


def repossessed_exits(f: Facts, lump: Decimal | None, why_lump: str) -> list[Exit]:
    """Every way out of a deficiency; the settlement at ``lump`` (``None``: not worked out)."""
    d = deficiency_of(f)
    out = [
        pay_deficiency(f, d),
        deficiency_personal_loan(f, d),
        deficiency_plan(f, d),
        settle_deficiency(f, d, lump, why_lump),
        wait_it_out(f, d),
        dispute(f, d),
    ]
    return out


def pay_deficiency(f: Facts, d: Deficiency) -> Exit:
    """Pay the deficiency in full today."""
    books = _books(f, d)
    books.pay(DEFICIENCY, 0, d.amount, "the deficiency, in cash")
    return _exit(
        f,
        d,
        books,
        "pay_deficiency",
        "Pay the deficiency",
        CreditConsequence(
            "none", "the account is reported paid; the repossession itself stays on the report", ZERO
        ),
        ["Pay only against a written statement of the amount, and keep the receipt."],
        (),
        "is paid in full today",
    )


def deficiency_personal_loan(f: Facts, d: Deficiency) -> Exit:
    """Pay the deficiency with an unsecured personal loan (and the cash there is)."""
    title = "Pay it with a personal loan"
    credit = CreditConsequence("minor", "a new personal loan; the deficiency is reported paid", ZERO)
    own = ZERO if f.cash is None else min(f.cash, d.amount)
    if d.amount == 0 or own >= d.amount:
        return unavailable("deficiency_personal_loan", title, f, "nothing to borrow for", credit)
    # A tier given is the credit as it is now; one assumed is marked by the repossession.
    tier = f.tier.name if f.tier.given else marked_tier(f.tier.name, "severe")
    terms = personal_loan(tier)
    borrowed = d.amount - own
    books = _books(f, d)
    books.pay(DEFICIENCY, 0, own, "the deficiency, in cash")
    books.pay(DEFICIENCY, 0, borrowed, "the deficiency, from the personal loan", payer=PERSONAL_LENDER)
    loan = AmortizingLoan(borrowed, terms.rate_percent, terms.term_months)
    books.run("personal_loan", loan, PERSONAL_LENDER, "the personal loan", 0, secured=False)
    return _exit(
        f,
        d,
        books,
        "deficiency_personal_loan",
        title,
        credit,
        [
            f"A personal loan of {format_money_human(borrowed)} at {terms.rate_percent} % over {terms.term_months} "
            f"months, the average for {TIER_LABELS[tier]} credit: after a repossession a lender may decline."
        ],
        (("personal_loan_amount", borrowed), ("personal_loan_payment", loan.regular_payment)),
        "is paid in full today, from a personal loan",
    )


def deficiency_plan(f: Facts, d: Deficiency) -> Exit:
    """Repay the deficiency over ``plan_months`` at ``plan_rate_percent``, by agreement."""
    w = f.s.workout
    title = "A repayment plan for the deficiency"
    credit = CreditConsequence(
        "minor", "a repayment agreement; reported paid once it is paid as agreed", ZERO
    )
    if w.plan_months is None:
        return unavailable(
            "deficiency_plan", title, f, "give `plan_months` (and `plan_rate_percent`) for a plan", credit
        )
    if d.amount == 0:
        return unavailable("deficiency_plan", title, f, "nothing is owed", credit)
    books = Ledger(f.horizon)
    books.run(
        DEFICIENCY,
        AmortizingLoan(d.amount, w.plan_rate_percent, w.plan_months),
        LENDER,
        "the deficiency",
        0,
        secured=False,
    )
    plan = AmortizingLoan(d.amount, w.plan_rate_percent, w.plan_months)
    return _exit(
        f,
        d,
        books,
        "deficiency_plan",
        title,
        credit,
        ["Needs the lender's written agreement; missed payments end it."],
        (("plan_months", w.plan_months), ("plan_payment", plan.regular_payment)),
        "is paid in monthly installments",
        consent=(LENDER,),
    )


def settle_deficiency(f: Facts, d: Deficiency, lump: Decimal | None, why_lump: str) -> Exit:
    """Settle the deficiency for a lump sum today; the lender forgives the rest."""
    title = "Settle the deficiency for a lump sum"
    credit = CreditConsequence("major", "reported as settled for less than owed", ZERO)
    if d.amount == 0:
        return unavailable("settle_deficiency", title, f, "nothing is owed", credit)
    if lump is None:
        return unavailable("settle_deficiency", title, f, why_lump, credit)
    books = _books(f, d)
    paid = min(lump, d.amount)
    books.pay(DEFICIENCY, 0, paid, "the lump sum")
    forgiven = d.amount - paid
    books.forgive(DEFICIENCY, 0, forgiven, "forgiven in the settlement")
    tax = tax_forgiven(books, f, 0, forgiven)
    caveats = ["Get the settlement in writing before paying, with the rest waived.", why_lump + "."]
    if forgiven:
        caveats.append(TAX_CAVEAT)
    return _exit(
        f,
        d,
        books,
        "settle_deficiency",
        title,
        credit,
        caveats,
        (("lump_sum", paid), ("forgiven_debt", forgiven), ("estimated_tax_on_forgiven", tax)),
        "takes the lump sum today and forgives the rest",
        consent=(LENDER,),
    )


def wait_it_out(f: Facts, d: Deficiency) -> Exit:
    """Pay nothing: the lender collects its share; the rest stays owed until the time to sue runs out."""
    books = _books(f, d)
    a = f.lender_terms
    barred_at = d.time_barred_month(f)
    if d.amount:
        when = max(a.months_to_collect - d.months_since_sale, 0)
        collected = round_cents(d.amount * a.collect_percent / _HUNDRED)
        books.pay(DEFICIENCY, when, collected, "what the lender collects of the deficiency")
        books.write_off(DEFICIENCY, d.amount - collected)
    caveats = [
        f"The lender is assumed to collect {a.collect_percent} % of it (wage garnishment or a levy after a judgment, "
        "a debt buyer); the rest stays owed, and a judgment can add interest and costs for years.",
    ]
    if barred_at is not None:
        caveats.append(
            f"The time to sue in {STATE_NAMES[f.state or 'CA']} runs out about month {barred_at} from today, unless the "
            "lender sues first; a time-barred debt is still owed (it is counted here) but cannot be sued on, and paying "
            "part of it may restart the clock in some states."
        )
    return _exit(
        f,
        d,
        books,
        "wait_it_out",
        "Pay nothing and wait",
        CreditConsequence(
            "severe",
            "an unpaid deficiency: collections, a charge-off, perhaps a lawsuit and a judgment",
            ZERO,
        ),
        caveats,
        (("time_barred_month", barred_at),),
        f"collects {a.collect_percent} % of it, and writes off the rest",
    )


def dispute(f: Facts, d: Deficiency) -> Exit:
    """Dispute the deficiency: the grounds the inputs show, and the outcome if a court agrees."""
    title = "Dispute the deficiency"
    credit = CreditConsequence("minor", "a disputed account is marked as disputed while it is settled", ZERO)
    if not d.grounds:
        return unavailable(
            "dispute",
            title,
            f,
            "no ground shows in what you gave: a notice not received (`sale_notice_received` no), a sale far "
            "below the value, a claim above what the sale explains, or a state's bar",
            credit,
            kind="defense",
        )
    books = _books(f, d)
    books.forgive(DEFICIENCY, 0, d.amount, "if the defense succeeds", by="a court, if the defense succeeds")
    return _exit(
        f,
        d,
        books,
        "dispute",
        title,
        credit,
        [
            *d.grounds,
            "A court decides: these figures are the outcome if it agrees. Ask a lawyer or legal-aid office.",
        ],
        (),
        "gets nothing more if the defense succeeds",
        kind="defense",
    )


# ----------------------------------------------------------------------------- totalled


def totalled_exits(f: Facts) -> list[Exit]:
    """After a total loss: the insurer (and GAP, by the coverage given; none assumed) settles,
    and what is left of this loan is paid in cash, with a personal loan, or over a plan."""
    base = total_loss(f, f.s.insurance.coverage not in (None, "none"), assume="none", kind="exit")
    if base.books is None:
        return [base]
    owed = base.books.debts[LOAN].owed_at(0)
    gap_words = "with GAP" if f.s.insurance.coverage not in (None, "none") else "without GAP"
    out = [_remainder(f, owed, "pay_remainder", f"Pay what is left after the insurer ({gap_words})")]
    if owed:
        out.append(_remainder(f, owed, "remainder_personal_loan", "Pay what is left with a personal loan"))
        out.append(_remainder(f, owed, "remainder_plan", "A plan for what is left"))
    return out


def _remainder(f: Facts, owed: Decimal, name: str, title: str) -> Exit:
    base = total_loss(f, f.s.insurance.coverage not in (None, "none"), assume="none", kind="exit")
    assert base.books is not None
    books = base.books
    # The replacement written by total_loss is kept; only how the rest of the loan is paid differs.
    details = list(base.details)
    caveats = list(base.caveats)
    consent: tuple[str, ...] = ()
    credit = base.credit_consequence
    how = base.how
    if name == "pay_remainder":
        books.pay(LOAN, 0, owed, "what is left of the loan, in cash")
    elif name == "remainder_personal_loan":
        terms = personal_loan(f.tier.name)
        books.pay(LOAN, 0, owed, "what is left, from the personal loan", payer=PERSONAL_LENDER)
        loan = AmortizingLoan(owed, terms.rate_percent, terms.term_months)
        books.run("personal_loan", loan, PERSONAL_LENDER, "the personal loan", 0, secured=False)
        details.append(("personal_loan_payment", loan.regular_payment))
        credit = CreditConsequence("minor", "a new personal loan; the old loan is paid off", ZERO)
    else:
        w = f.s.workout
        if w.plan_months is None:
            return unavailable(
                name, title, f, "give `plan_months` (and `plan_rate_percent`) for a plan", credit
            )
        plan = AmortizingLoan(owed, w.plan_rate_percent, w.plan_months)
        repay(books, LOAN, plan)
        details.append(("plan_payment", plan.regular_payment))
        consent = (LENDER,)
        credit = CreditConsequence("minor", "a modified agreement; no negative mark if paid as agreed", ZERO)
        how = "is paid by the insurer, then the rest in installments"
    return replace(
        base,
        name=name,
        title=title,
        books=books,
        details=tuple(details),
        caveats=tuple(caveats),
        consent=Consent(consent),
        credit_consequence=credit,
        how=how,
    )
