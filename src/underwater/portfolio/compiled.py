"""How the portfolio's loops are compiled: numba, without the global lock, cached on disk.

A function decorated with :func:`jit` is compiled to machine code on its first call in a
process (about a second for the kernel) and the result is kept in numba's on-disk cache, so
later processes load it in a fraction of that. :func:`inline` functions are compiled into
their callers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba

__all__ = ["inline", "jit"]

F = TypeVar("F", bound=Callable[..., Any])


def jit(function: F) -> F:
    """Compile ``function`` (``nogil``: threads may run it at once; NumPy's rules for division)."""
    return cast(F, numba.njit(nogil=True, cache=True, error_model="numpy")(function))


def inline(function: F) -> F:
    """As :func:`jit`, and compiled into each caller rather than called."""
    return cast(F, numba.njit(nogil=True, cache=True, error_model="numpy", inline="always")(function))
