"""How the portfolio's loops are compiled: numba, without the global lock, cached on disk.

A function decorated with :func:`jit` is compiled to machine code on its first call in a
process (about a second for the kernel) and the result is kept in numba's on-disk cache, so
later processes load it in a fraction of that. :func:`inline` functions are compiled into
their callers. :func:`prefetch` asks the processor to start loading an array element that
will be needed soon.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
from llvmlite import ir  # type: ignore[import-untyped]
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

__all__ = ["inline", "jit", "prefetch"]

F = TypeVar("F", bound=Callable[..., Any])


def jit(function: F) -> F:
    """Compile ``function`` (``nogil``: threads may run it at once; NumPy's rules for division)."""
    return cast(F, numba.njit(nogil=True, cache=True, error_model="numpy")(function))


def inline(function: F) -> F:
    """As :func:`jit`, and compiled into each caller rather than called."""
    return cast(F, numba.njit(nogil=True, cache=True, error_model="numpy", inline="always")(function))


@intrinsic
def _prefetch(typingctx: Any, array: Any, index: Any) -> Any:
    """In compiled code, ``prefetch(array, i)`` starts loading row ``i`` of ``array`` into the
    processor's cache and goes on at once (LLVM's ``llvm.prefetch``: a read, kept in cache).

    A loop that looks elements up at random in an array far larger than the cache, and
    branches on what it finds, otherwise waits for each element in turn; asking a few
    iterations ahead lets the loads overlap.
    """
    if not isinstance(array, types.Array) or not isinstance(index, types.Integer):
        return None
    signature = types.void(array, index)

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        array_type, index_type = sig.args
        view = context.make_array(array_type)(context, builder, args[0])
        zero = context.get_constant(types.intp, 0)
        position = context.cast(builder, args[1], index_type, types.intp)
        pointer = cgutils.get_item_pointer(  # type: ignore[no-untyped-call]
            context, builder, array_type, view, [position] + [zero] * (array_type.ndim - 1)
        )
        byte_pointer = ir.IntType(8).as_pointer()
        word = ir.IntType(32)
        kind = ir.FunctionType(ir.VoidType(), [byte_pointer, word, word, word])
        function = cgutils.get_or_insert_function(  # type: ignore[no-untyped-call]
            builder.module, kind, "llvm.prefetch.p0i8"
        )
        # read (0), keep in every cache level (3), data rather than instructions (1)
        builder.call(function, [builder.bitcast(pointer, byte_pointer), word(0), word(3), word(1)])
        return context.get_dummy_value()

    return signature, codegen


prefetch = cast(Callable[[Any, Any], None], _prefetch)
