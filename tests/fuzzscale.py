"""How many examples the fuzz tests draw: the suite's own count times ``FUZZ_SCALE``.

The suite runs each fuzz test with a count that keeps the whole run well under ten minutes
(``FUZZ_SCALE`` unset or 1). A campaign multiplies every count at once, e.g.
``FUZZ_SCALE=20 uv run pytest tests/test_fuzz_cli.py tests/test_fuzz_web.py
tests/test_fuzz_portfolio.py tests/test_openapi_schemathesis.py -p no:cacheprovider``; without
``CI`` set, Hypothesis draws fresh random inputs on every run, so a campaign tries inputs the
suite never has.
"""

from __future__ import annotations

import os


def scale() -> int:
    """The multiplier from ``FUZZ_SCALE`` (a whole number ≥ 1; default 1).

    >>> scale() >= 1
    True
    """
    text = os.environ.get("FUZZ_SCALE", "1")
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise ValueError(f"FUZZ_SCALE must be a whole number of at least 1, got {text!r}")
    return int(text)


def examples(count: int) -> int:
    """``count`` examples times :func:`scale`.

    >>> examples(40) == 40 * scale()
    True
    """
    return count * scale()
