"""The words a person may not know, each explained in a sentence or two where it appears.

A page marks a term with :func:`explain`: the term stays in the text and its meaning follows in
a small note (a ``<dfn>`` and the explanation), so it reads on a phone, prints, and needs no hover.
"""

from __future__ import annotations

from html import escape

__all__ = ["TERMS", "explain", "meaning"]

TERMS: dict[str, tuple[str, str]] = {
    "payoff": (
        "payoff",
        "what it takes to clear the loan today: the balance, the interest since your last payment and any "
        "fees. Ask the lender for it in writing.",
    ),
    "equity": (
        "equity",
        "what the asset would fetch, less everything owed on it. Negative means under water.",
    ),
    "negative_equity": (
        "negative equity",
        "how much more you owe than the asset is worth: being under water, or upside down.",
    ),
    "ltv": (
        "LTV",
        "loan-to-value: the loan divided by what the asset is worth. Over 100 % means you owe more than it "
        "is worth.",
    ),
    "cltv": (
        "CLTV",
        "combined loan-to-value: every loan on the asset added up, divided by what it is worth.",
    ),
    "crossover": (
        "crossover",
        "the month from which you owe no more than the asset is worth, and stay that way: you have surfaced.",
    ),
    "gap": (
        "gap",
        "the cash you would need to sell: the payoff, plus what selling costs, less the sale price.",
    ),
    "deficiency": (
        "deficiency",
        "what you still owe after the lender takes the asset back and sells it: the balance plus its costs, "
        "less what the sale brought.",
    ),
    "surplus": (
        "surplus",
        "money left over after a repossession sale pays the debt and costs; it is owed to you.",
    ),
    "buyout": (
        "buyout",
        "what buying your leased vehicle takes today: the lease balance still to pay for, plus the "
        "purchase option fee; at the end of the lease it is the residual.",
    ),
    "residual": (
        "residual",
        "what the lease contract says the vehicle is worth at its end, and the price to buy it then.",
    ),
    "per_diem": (
        "per diem",
        "the interest the loan adds each day; a payoff letter states it so you can work out a later payoff date.",
    ),
    "apr": (
        "APR",
        "annual percentage rate: the yearly cost of the credit, fees in the finance charge included, "
        "worked out the way federal law (Regulation Z) says.",
    ),
    "rule_of_78s": (
        "Rule of 78s",
        "an old way to split a precomputed loan's interest that front-loads it, so paying early saves you "
        "less than it would on a simple-interest loan.",
    ),
    "actuarial": (
        "actuarial rebate",
        "the interest you do not owe when a precomputed loan is paid early, worked out month by month at "
        "the loan's rate.",
    ),
    "balloon": ("balloon", "a large last payment that clears what the regular payments have not."),
    "gap_coverage": (
        "GAP coverage",
        "insurance or a waiver that pays part of what your car insurer does not when the asset is a total "
        "loss and you owe more than it was worth.",
    ),
    "short_sale": (
        "short sale",
        "selling for less than you owe, with the lender agreeing in writing to take the sale price and "
        "release the title.",
    ),
    "settlement": (
        "settlement",
        "the lender agrees to take less than the full amount, usually as one payment, and closes the debt.",
    ),
    "voluntary_surrender": (
        "voluntary surrender",
        "handing the asset back to the lender yourself. It is still reported as a repossession and a "
        "deficiency may still be owed.",
    ),
    "repossession": (
        "repossession",
        "the lender takes the asset back after you miss payments, then sells it, usually at a dealer auction.",
    ),
    "deed_in_lieu": (
        "deed in lieu",
        "a deed in lieu of foreclosure: you sign the home over to the lender, which discharges the loan "
        "instead of foreclosing.",
    ),
    "foreclosure": (
        "foreclosure",
        "the lender has the home sold, by a court or a trustee, after you stop paying; what the sale does not "
        "cover may still be owed, as the state's rule allows.",
    ),
    "modification": (
        "loan modification",
        "the servicer changes the loan's terms for good (a lower rate, a longer term, principal set aside) "
        "to lower the payment.",
    ),
    "forbearance": (
        "forbearance",
        "the servicer lets you pay less or nothing for a few months; the payments missed are still owed "
        "and are caught up later.",
    ),
    "heloc": (
        "HELOC",
        "a home equity line of credit: a second loan on the home you draw on, paying only interest while "
        "you can draw, then level payments.",
    ),
    "ucc_9_616": (
        "9-616 explanation",
        "the written account a lender must give a consumer after a repossession sale (UCC section 9-616): "
        "what was owed, what the sale brought, the costs, the credits, and the deficiency or surplus.",
    ),
    "notice_of_sale": (
        "notice of sale",
        "the letter a lender must send before it sells a repossessed asset, saying when and how, and how "
        "to get it back by paying in full.",
    ),
    "trade_in_credit": (
        "trade-in tax credit",
        "in many states sales tax is charged only on the price less what the dealer allows for your trade-in.",
    ),
    "actual_cash_value": (
        "actual cash value",
        "what your insurer says the asset was worth just before the loss; it pays that, less the deductible.",
    ),
    "depreciation": ("depreciation", "the value an asset loses as it ages and is used."),
    "lender_floor": (
        "lender's floor",
        "the smallest lump sum, on top of what it gets now, that leaves the lender better off than what it "
        "faces otherwise (being paid as agreed, a repossession, or collecting what it can).",
    ),
    "borrower_ceiling": (
        "your ceiling",
        "the largest lump sum that still leaves you better off than the best way out you can take alone.",
    ),
    "present_value": (
        "in today's dollars",
        "every dollar of a way out, paid or received, counted at what it is worth today: a dollar due in a "
        "year is worth less than one today by what your money would earn meanwhile; what you hold and owe "
        "at the end is counted the same way.",
    ),
    "net_position": (
        "net position",
        "what you hold at the end of the comparison, less what you still owe then, less everything you "
        "paid from today.",
    ),
    "finance_charge": (
        "finance charge",
        "the dollar cost of the credit: all the interest, plus the fees that count as finance charges "
        "(a loan fee, points).",
    ),
    "amount_financed": (
        "amount financed",
        "the credit you actually get: the loan amount less any finance charges paid up front or taken "
        "out of it.",
    ),
    "total_of_payments": (
        "total of payments",
        "everything you pay over the loan: the amount financed plus the finance charge.",
    ),
    "unit_period": (
        "unit-period",
        "the time between payments that Regulation Z works the APR in; the APR is the rate for one "
        "unit-period times the unit-periods in a year.",
    ),
    "apr_tolerance": (
        "tolerance",
        "how far a disclosed APR may be from the true one and still count as accurate: 1/8 of a "
        "percentage point, or 1/4 for an irregular loan (Regulation Z, 12 CFR 1026.22).",
    ),
    "precomputed": (
        "precomputed loan",
        "a loan with the interest for its whole term added in when it is made; paying it early earns a "
        "refund (a rebate) of the interest not yet earned.",
    ),
    "amortization": (
        "schedule",
        "every payment split into the interest it pays and the principal it pays off, with the balance "
        "left after it.",
    ),
    "interest_only": (
        "interest-only payment",
        "a payment that covers the interest and pays none of the balance off.",
    ),
    "day_count": (
        "day count",
        "how the contract counts days of interest: actual/365 divides the yearly rate by 365 for each "
        "calendar day; actual/actual by 366 in a leap year; actual/360 by 360 (a banker's year); 30/360 "
        "counts every month as 30 days.",
    ),
    "retention": (
        "share kept",
        "what an asset is still worth as a part of its price new: 0.80 means 80 % kept, 20 % lost.",
    ),
    "comparable": (
        "comparable sale",
        "a recent sale of one like yours (the same make, model and condition), used to fit a curve.",
    ),
    "time_to_sue": (
        "time to sue",
        "how long the lender has to sue you for a deficiency; once it has passed, a court should not make "
        "you pay it if you raise the deadline.",
    ),
    "commercially_reasonable": (
        "commercially reasonable sale",
        "a sale run the way such things are usually sold, with fair notice to you; if it was not, the "
        "deficiency may be cut or lost (UCC 9-626).",
    ),
}
"""Each term: the word as shown, and its meaning in plain words."""


def explain(term: str) -> str:
    """The term and its meaning, as page markup (escaped).

    >>> explain("ltv").startswith('<span class="term"><dfn>LTV</dfn>')
    True
    """
    word, meaning = TERMS[term]
    return f'<span class="term"><dfn>{escape(word)}</dfn><span class="meaning"> ({escape(meaning)})</span></span>'


def meaning(term: str) -> str:
    """The term's meaning alone, in plain words (for a note under a figure).

    >>> meaning("gap").startswith("the cash you would need")
    True
    """
    return TERMS[term][1]
