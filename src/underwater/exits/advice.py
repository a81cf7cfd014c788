"""The recommendation in words, read off the ranked ways out: the best the borrower can do alone,
the best one to ask the lender for and the figure to offer, why, and the assumptions that
could change it. Money is dollars.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from underwater.exits.facts import Facts
from underwater.exits.judge import Alternative, SettlementRange
from underwater.exits.model import Exit
from underwater.ledger import LENDER
from underwater.money import format_money, format_money_human

__all__ = ["CRITERION_WORDS", "PHRASES", "Recommendation", "explain", "recommend"]

PHRASES = {
    "pay_the_gap": "selling and paying the gap",
    "sell_with_personal_loan": "selling and covering the gap with a personal loan",
    "trade_in": "trading it in",
    "short_sale": "a short sale",
    "payment_plan": "selling with a payment plan for the gap",
    "settlement": "selling and settling the gap for a lump sum",
    "refinance": "refinancing",
    "voluntary_surrender": "a voluntary surrender",
    "repossession": "a repossession",
    "deed_in_lieu": "a deed in lieu of foreclosure",
    "foreclosure": "a foreclosure",
    "modification": "a loan modification",
    "forbearance": "a forbearance and a repayment plan",
    "keep_paying": "keeping it and paying as agreed",
    "keep_to_crossover": "keeping it until it surfaces, then selling",
    "deferral": "deferring the next payments",
    "buy_at_end": "keeping it to the end of the lease and buying it",
    "turn_in_at_end": "keeping it to the end of the lease and handing it back",
    "end_lease_early": "ending the lease early",
    "lease_default": "letting the lessor take it back",
    "pay_deficiency": "paying the deficiency",
    "deficiency_personal_loan": "paying the deficiency with a personal loan",
    "deficiency_plan": "a repayment plan for the deficiency",
    "settle_deficiency": "settling the deficiency for a lump sum",
    "wait_it_out": "paying nothing and waiting",
    "dispute": "disputing the deficiency",
    "pay_remainder": "paying what the insurer leaves",
    "remainder_personal_loan": "paying what is left with a personal loan",
    "remainder_plan": "a plan for what is left",
}
"""Each exit as a phrase in a sentence."""

_DO = {
    "pay_the_gap": "Sell it and pay the gap",
    "sell_with_personal_loan": "Sell it and cover the gap with a personal loan",
    "trade_in": "Trade it in",
    "refinance": "Refinance it",
    "voluntary_surrender": "Surrender it",
    "repossession": "Let it be repossessed",
    "foreclosure": "Let it be foreclosed",
    "keep_paying": "Keep it and pay as agreed",
    "keep_to_crossover": "Keep it until it surfaces, then sell",
    "buy_at_end": "Keep it to the end of the lease and buy it",
    "turn_in_at_end": "Keep it to the end of the lease and hand it back",
    "end_lease_early": "End the lease early and hand it back",
    "lease_default": "Let the lessor take it back",
    "pay_deficiency": "Pay the deficiency",
    "deficiency_personal_loan": "Pay the deficiency with a personal loan",
    "wait_it_out": "Pay nothing and wait",
    "pay_remainder": "Pay what the insurer leaves",
    "remainder_personal_loan": "Pay what is left with a personal loan",
}
"""What to do, as a headline, for each exit that needs no one's consent."""

_ASK = {
    "short_sale": "for a short sale at the buyer's offer",
    "payment_plan": "for a payment plan for the gap",
    "settlement": "to settle the gap for a lump sum",
    "deferral": "to defer the next payments",
    "deed_in_lieu": "to take the home by a deed in lieu of foreclosure",
    "modification": "for a loan modification",
    "forbearance": "for a forbearance and a repayment plan",
    "deficiency_plan": "for a repayment plan for the deficiency",
    "settle_deficiency": "to settle the deficiency for a lump sum",
    "remainder_plan": "for a plan for what is left",
}
"""What to ask the lender for, after "Ask the lender"."""

CRITERION_WORDS = {
    "present_value": "what each leaves you in today's dollars (every later dollar discounted at what your money "
    "earns, and where you stand at month {h})",
    "net_position": "where each leaves you at month {h}: what you hold then, less what you owe then and all you "
    "paid from today, every dollar alike",
    "cash_now": "the cash needed today",
    "total_cost": "everything paid through month {h}",
    "credit": "the credit consequence, mildest first",
}

_ASSUMPTION_WORDS = {
    "marginal_tax_rate_percent": "Tax on forgiven debt is taken at {tax} % (the federal rate of the median return; "
    "state tax not included): give your rate, and check whether insolvency excludes it.",
    "private_sale_price": "No buyer's offer was given: a sale is taken to bring the value you gave; a real offer is often lower.",
    "trade_in_share_percent": "The dealer's allowance is taken as a typical share of a private sale: give the allowance you are offered.",
    "auction_price": "The lender's auction is taken to bring a typical share of the value: repossession auctions vary widely.",
    "deficiency_collect_percent": "The lender is taken to collect {collect} % of a deficiency (an assumption: no "
    "published rate was found).",
    "personal_loan_rate": "The personal loan is priced at the average for your credit: lenders quote their own rates.",
    "deferral_fee": "The lender's fee to defer payments is taken as $30, the middle of the fees credit unions "
    "publish ($25 to $50): ask yours.",
}


@dataclass(frozen=True, slots=True)
class Recommendation:
    """What to do, in words: ``alone`` (the best exit the borrower can take without anyone's
    consent), ``ask`` (the best one to ask the lender for, when it beats ``alone`` and leaves
    the lender better off than its alternative) with the ``offer`` (a lump sum, when it is a
    settlement), the ``text`` and the ``assumptions`` that could change it."""

    alone: str | None
    ask: str | None
    offer: Decimal | None
    text: str
    assumptions: tuple[str, ...]

    @property
    def headline(self) -> str:
        """What to do, in a few words: what to ask the lender for, else the best way out alone."""
        if self.ask is not None:
            return "Ask the lender " + _ASK[self.ask]
        if self.alone is not None:
            return _DO[self.alone]
        return "Nothing fits what you can pay"

    @property
    def fallback(self) -> str | None:
        """What to do if the lender says no (``None`` when nothing is asked of it)."""
        if self.ask is None or self.alone is None:
            return None
        return "If the lender says no: " + PHRASES[self.alone] + "."

    def to_json(self) -> dict[str, Any]:
        """Keys: ``alone``, ``ask``, ``offer`` (dollars or null), ``headline``, ``fallback`` (or
        null), ``text``, ``assumptions``."""
        return {
            "alone": self.alone,
            "ask": self.ask,
            "offer": None if self.offer is None else format_money(self.offer),
            "headline": self.headline,
            "fallback": self.fallback,
            "text": self.text,
            "assumptions": list(self.assumptions),
        }


def _pv(e: Exit) -> Decimal:
    assert e.present_value is not None
    return e.present_value


def _figure(e: Exit, f: Facts) -> str:
    """What to ask for, in words."""
    if e.name in ("settlement", "settle_deficiency"):
        lump = e.detail("lump_sum")
        assert isinstance(lump, Decimal)
        return format_money_human(lump)
    if e.name == "short_sale":
        return (
            f"the sale at {format_money_human(f.private.price)}, with the rest of the loan waived in writing"
        )
    if e.name == "deferral":
        n = e.detail("deferral_months")
        return f"a deferral of {n} payment{'s' if n != 1 else ''}, added to the end of the loan"
    if e.name in ("payment_plan", "deficiency_plan", "remainder_plan"):
        return (
            f"a plan of {e.detail('plan_months') if e.name != 'remainder_plan' else f.s.workout.plan_months} monthly "
            "payments for the rest"
        )
    if e.name == "modification":
        payment, term = e.detail("monthly_payment"), e.detail("new_term_months")
        assert isinstance(payment, Decimal)
        forborne = e.detail("principal_forborne")
        aside = (
            f", {format_money_human(forborne)} of principal set aside without interest"
            if isinstance(forborne, Decimal) and forborne
            else ""
        )
        return f"to pay {format_money_human(payment)} a month over {term} months{aside}"
    if e.name == "forbearance":
        return (
            f"no payments for {e.detail('forbearance_months')} months, the missed ones caught up over "
            f"{e.detail('repayment_months')}"
        )
    if e.name == "deed_in_lieu":
        relocation = e.detail("relocation_assistance")
        assert isinstance(relocation, Decimal)
        return "the deed to the home, with any deficiency waived in writing" + (
            f" and {format_money_human(relocation)} of relocation assistance" if relocation else ""
        )
    return PHRASES[e.name]


def _listing(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def recommend(
    ranked: Sequence[Exit], f: Facts, alt: Alternative | None, settlement: SettlementRange | None
) -> Recommendation:
    """The recommendation for exits already ranked (see the module docstring)."""
    top = [e for e in ranked if e.status == "ranked" and e.present_value is not None]
    alone = [e for e in top if not e.consent.needed]
    best = alone[0] if alone else None
    asks = [
        e
        for e in top
        if LENDER in e.consent.needed_from
        and e.consent.lender_better_off
        and (best is None or _pv(e) > _pv(best))
    ]
    ask = max(asks, key=_pv) if asks else None
    parts: list[str] = []
    if best is None:
        reach = [e for e in ranked if e.status == "out_of_reach"]
        parts.append(
            "None of the ways out you can take alone fits the cash and monthly budget given"
            + (f"; the nearest is {PHRASES[reach[0].name]}: {reach[0].reach.why_not}." if reach else ".")
        )
    else:
        line = f"Best you can do on your own: {PHRASES[best.name]}, worth {format_money_human(_pv(best))} in today's dollars"
        runner = next((e for e in alone[1:]), None)
        if runner is not None:
            line += f", {format_money_human(_pv(best) - _pv(runner))} ahead of {PHRASES[runner.name]}"
        parts.append(line + ".")
    if ask is not None:
        assert ask.lender is not None
        gain = _pv(ask) - (_pv(best) if best else 0)
        words = (
            f"Worth asking the lender {_ASK[ask.name]}, offering {_figure(ask, f)}. It nets the lender "
            f"{format_money_human(ask.lender.nets_today)} in today's dollars"
        )
        if alt is not None:
            words += f", against {format_money_human(alt.nets)} from {alt.words}"
        if best is not None:
            words += f", and leaves you {format_money_human(gain)} better off than {PHRASES[best.name]}"
        parts.append(words + ".")
    elif alt is not None:
        refused = [e for e in ranked if e.status == "lender_unlikely"]
        if refused:
            names = _listing([PHRASES[e.name] for e in refused])
            parts.append(
                f"The lender has no reason to agree to {names}: its alternative is {alt.words} ({alt.why}), which "
                f"nets it {format_money_human(alt.nets)}."
            )
    return Recommendation(
        alone=None if best is None else best.name,
        ask=None if ask is None else ask.name,
        offer=_lump(ask),
        text=" ".join(parts),
        assumptions=_assumptions(f, [e for e in (best, ask, *(alone[1:2])) if e is not None]),
    )


def _lump(e: Exit | None) -> Decimal | None:
    if e is None or e.name not in ("settlement", "settle_deficiency"):
        return None
    lump = e.detail("lump_sum")
    return lump if isinstance(lump, Decimal) else None


def _assumptions(f: Facts, leading: Sequence[Exit]) -> tuple[str, ...]:
    out: list[str] = []
    if len(leading) >= 2 and leading[0].present_value is not None and leading[-1].present_value is not None:
        a, b = leading[0], leading[-1]
        if a is not b:
            out.append(
                f"{PHRASES[a.name].capitalize()} and {PHRASES[b.name]} are {format_money_human(abs(_pv(a) - _pv(b)))} "
                "apart in today's dollars: an assumption that moves either by more than that could change the order."
            )
    if not f.opportunity.given:
        out.append(
            f"Your money is taken to earn {f.opportunity.value} % a year (the 1-year Treasury yield): if you carry "
            "dearer debt, give its rate as what your money earns; a higher rate favours keeping cash today."
        )
    if not f.tier.given:
        out.append(f.tier_note())
    if f.cash is None and f.budget is None:
        out.append(
            "Your cash and monthly budget were not given: no way out was ruled out for lack of either."
        )
    seen: set[str] = set()
    for e in leading:
        for name in e.assumes:
            if name in seen or name not in _ASSUMPTION_WORDS:
                continue
            seen.add(name)
            out.append(
                _ASSUMPTION_WORDS[name].format(tax=f.tax_rate.value, collect=f.lender_terms.collect_percent)
            )
    return tuple(out)


def explain(rank_by: str, f: Facts) -> str:
    """How the ways out were compared, in a few sentences."""
    text = (
        f"Ranked by {CRITERION_WORDS[rank_by].format(h=f.horizon)}, among the ways out you can take and the lender "
        f"would agree to. {f.footing.summary if f.stage != 'repossessed' else _gone()}"
    )
    return text


def _gone() -> str:
    return "The asset is already gone in every way out here, so no replacement is counted: it would cost the same in each."
