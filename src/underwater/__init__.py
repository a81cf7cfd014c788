"""underwater: how far under water a secured loan is, why, when it surfaces, what each way out costs.

Money is :class:`decimal.Decimal` in dollars; rates are percent per year as a person types
them (``rate_percent=Decimal("6.9")`` is 6.9 %). Bad input raises
:class:`~underwater.errors.InputError`, which names the field and the rule.

>>> import underwater
>>> underwater.position("18000", "15000").negative_equity
Decimal('3000.00')
"""

from underwater.errors import InputError, NoSolutionError, UnderwaterError
from underwater.money import format_money, format_ratio, parse_money, parse_percent, round_cents
from underwater.position import Lien, Position, Status, ValueSource, position

__version__ = "0.1.0"

__all__ = [
    "InputError",
    "Lien",
    "NoSolutionError",
    "Position",
    "Status",
    "UnderwaterError",
    "ValueSource",
    "__version__",
    "format_money",
    "format_ratio",
    "parse_money",
    "parse_percent",
    "position",
    "round_cents",
]
