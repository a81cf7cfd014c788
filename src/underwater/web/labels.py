"""Plain words for the keys a result carries, as a page shows them.

The JSON keeps its names (``negative_equity_rolled``); a page says "Negative equity rolled into
the new loan". Every key a template shows goes through :func:`plain`; a key with no entry here
is written out in words, but a test checks that no page shows a key spelt with underscores.
"""

from __future__ import annotations

__all__ = ["PLAIN", "plain"]

PLAIN: dict[str, str] = {
    # exits' own figures
    "sale_price": "Sale price",
    "selling_costs": "Selling costs",
    "gap": "Gap to close the sale",
    "cash_at_closing": "Cash to you at closing",
    "trade_in_value": "Trade-in allowance",
    "negative_equity_rolled": "Negative equity rolled into the new loan",
    "equity_applied": "Equity applied to the next deal",
    "taxable_amount": "Price the sales tax is on",
    "trade_in_tax_credit": "Trade-in tax credit",
    "sales_tax": "Sales tax",
    "dealer_fees": "Dealer fees",
    "rebates": "Rebates",
    "down_payment": "Cash down",
    "new_loan_amount": "New loan",
    "new_payment": "New monthly payment",
    "extra_monthly_payment_from_rolled": "Of which the rolled-in debt adds a month",
    "extra_interest_from_rolled": "Extra interest the rolled-in debt costs",
    "new_crossover_month": "New loan surfaces in month",
    "forgiven_debt": "Debt forgiven",
    "estimated_tax_on_forgiven": "Estimated tax on the forgiven debt",
    "deferral_months": "Payments deferred",
    "deferral_fee": "The lender's fee to defer",
    "capitalized": "Interest added to the balance",
    "extra_interest": "Extra interest it costs",
    "last_payment_month": "Month of the last payment",
    "crossover_month_without": "Surfaces without it, month",
    "plan_amount": "Amount of the plan",
    "plan_months": "Months of the plan",
    "plan_rate_percent": "Plan rate, percent a year",
    "plan_payment": "Plan payment a month",
    "plan_total_paid": "Paid over the plan",
    "plan_total_interest": "Interest over the plan",
    "settlement_percent": "Share of the gap offered, percent",
    "lump_sum": "Lump sum",
    "cash_toward_gap": "Your cash toward the gap",
    "personal_loan_amount": "Personal loan",
    "personal_loan_rate_percent": "Personal loan's rate, percent a year",
    "personal_loan_term_months": "Personal loan's term, months",
    "personal_loan_payment": "Personal loan payment a month",
    "tax_rate_percent": "Tax rate on the forgiven debt, percent",
    "catch_up_payments": "Payments to catch up on now",
    "deficiency_collected": "Of it, the lender collects",
    "time_barred_month": "Time to sue runs out in month",
    "borrower_owes": "Left for you to pay",
    "refi_fees": "Refinance fees",
    "cash_to_meet_ltv_cap": "Cash to meet the new lender's LTV cap",
    "cash_to_reach_ltv_100": "Cash to bring the loan down to the value",
    "current_payment": "Current monthly payment",
    "interest_difference_vs_keeping": "Extra interest and fees against keeping the loan",
    "break_even_month": "Pays back its fees from month",
    "current_crossover_month": "The current loan surfaces in month",
    "target_month": "Target month",
    "rate_to_surface_by_target": "Highest rate that surfaces by the target month",
    "term_to_surface_by_target": "Longest term that surfaces by the target month",
    "auction_proceeds": "Auction brings",
    "expenses_total": "Lender's costs",
    "retaking_fee": "Recovery fee",
    "deficiency": "Deficiency",
    "deficiency_barred": "Deficiency barred by state law",
    "state_rule": "State rule",
    "crossover_month": "Surfaces for good in month",
    "first_under_water_month": "First month under water",
    "monthly_payment": "Monthly payment",
    "value_at_horizon": "Value at the end",
    "owed_at_horizon": "Owed at the end",
    "interest_paid_while_under_water": "Interest paid while under water",
    "sale_month": "Sold in month",
    "sale_value": "Sold for",
    "payoff_at_sale": "Payoff at the sale",
    "actual_cash_value": "Insurer's actual cash value",
    "deductible": "Deductible",
    "insurance_payout": "Insurer pays",
    "left_after_insurance": "Left after the insurer",
    "gap_excluded": "GAP leaves out",
    "gap_coverage_pays": "GAP pays",
    "gap_capped_by": "GAP capped by",
    "refunds_credited": "Add-on refunds credited",
    "excluded_deductible": "Left out: the deductible",
    "excluded_past_due": "Left out: payments past due",
    "excluded_late_fees": "Left out: late fees",
    "excluded_addons": "Left out: refundable add-ons",
    "excluded_rolled_negative_equity": "Left out: negative equity rolled in",
    "excluded_ltv_excess": "Left out: the loan above the LTV cap",
    # a repossession's costs, by type (the deficiency worksheet's line 4)
    "retaking": "Repossession fee",
    "storage": "Storage",
    "transport": "Towing",
    "reconditioning": "Getting it ready to sell",
    "sale_fees": "Auction or sale fees",
    "title_admin": "Title and paperwork",
    "attorney_fees": "Attorney fees",
    "other": "Other costs",
}
"""Each key and the words a page uses for it."""


def plain(key: str) -> str:
    """The words for ``key``: its entry, else the key written out in words.

    >>> plain("negative_equity_rolled"), plain("some_new_key")
    ('Negative equity rolled into the new loan', 'Some new key')
    """
    if key in PLAIN:
        return PLAIN[key]
    text = key.replace("_", " ")
    return text[:1].upper() + text[1:]
