"""Hypothesis strategies shared by the test modules."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

amounts = st.decimals(min_value=Decimal("0"), max_value=Decimal("10000000"), places=2, allow_nan=False)
"""Dollar amounts from 0.00 to ten million, in whole cents."""

positive_amounts = st.decimals(
    min_value=Decimal("0.01"), max_value=Decimal("10000000"), places=2, allow_nan=False
)
"""Dollar amounts from one cent to ten million."""

signed_amounts = st.decimals(
    min_value=Decimal("-10000000"), max_value=Decimal("10000000"), places=2, allow_nan=False
)
"""Dollar amounts that may be negative."""
