"""underwater: how far under water a secured loan is, why, when it surfaces, what each way out costs.

Money is :class:`decimal.Decimal` in dollars; rates are percent per year as a person types
them (``rate_percent=Decimal("6.9")`` is 6.9 %). Bad input raises
:class:`~underwater.errors.InputError`, which names the field and the rule.

The most used functions are here; each module holds the rest of its job: ``money``,
``position``, ``loan``, ``payoff``, ``precomputed``, ``apr``, ``tvm`` (spreadsheet functions),
``depreciation``, ``deficiency``, ``state_rules``, ``projection``, ``exits``.

>>> import underwater
>>> underwater.position("18000", "15000").negative_equity
Decimal('3000.00')
>>> underwater.amortize("1000", "12", 2).rows[0].interest
Decimal('10.00')
"""

from underwater.apr import apr_percent, is_apr_accurate, loan_apr
from underwater.deficiency import Expenses, deficiency_worksheet, estimate_deficiency
from underwater.depreciation import constant_rate_curve, custom_curve, fit_comparables, preset, value_path
from underwater.errors import InputError, NoSolutionError, UnderwaterError
from underwater.loan import (
    ExtraPayment,
    Schedule,
    amortize,
    balance_after,
    level_payment,
    solve_rate,
    solve_term,
)
from underwater.money import format_money, format_ratio, parse_money, parse_percent, round_cents
from underwater.payoff import PayoffQuote, payoff_quote
from underwater.position import Lien, Position, Status, ValueSource, position
from underwater.precomputed import PrecomputedPayoff, precomputed_payoff

__version__ = "0.1.0"

__all__ = [
    "Expenses",
    "ExtraPayment",
    "InputError",
    "Lien",
    "NoSolutionError",
    "PayoffQuote",
    "Position",
    "PrecomputedPayoff",
    "Schedule",
    "Status",
    "UnderwaterError",
    "ValueSource",
    "__version__",
    "amortize",
    "apr_percent",
    "balance_after",
    "constant_rate_curve",
    "custom_curve",
    "deficiency_worksheet",
    "estimate_deficiency",
    "fit_comparables",
    "format_money",
    "format_ratio",
    "is_apr_accurate",
    "level_payment",
    "loan_apr",
    "parse_money",
    "parse_percent",
    "payoff_quote",
    "position",
    "precomputed_payoff",
    "preset",
    "round_cents",
    "solve_rate",
    "solve_term",
    "value_path",
]
