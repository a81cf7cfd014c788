"""How soon ``underwater portfolio`` reads its book's first row: the seconds to the first chunk
the reader yields, counted from the process start (as the kernel recorded it in
``/proc/self/stat``, to 1/100 s: starting the interpreter included) and from this script's
first line (the interpreter already up), and the whole run.

The script runs the CLI's ``main`` as the ``underwater`` command does, with
:meth:`~underwater.portfolio.io.BookFile.chunks` wrapped as its module is imported (an import
hook: the run imports what it would, in its own order). Linux only (``/proc``).

Run:  uv run --all-extras python benchmarks/bench_first_row.py [BOOK.parquet]   (default: the
      1 M-loan book bench_portfolio.py writes under /tmp/uw-bench)
"""

from __future__ import annotations

import time

t0 = time.perf_counter()
import importlib.abc  # noqa: E402
import importlib.util  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from importlib.machinery import ModuleSpec  # noqa: E402
from typing import Any  # noqa: E402


def seconds_since_process_start() -> float:
    """Seconds since this process started, by the boot clock the kernel's start time is on."""
    with open("/proc/self/stat", encoding="ascii") as handle:
        # Field 22 is the start time in clock ticks after boot; the name (field 2) may hold spaces.
        fields = handle.read().rpartition(")")[2].split()
    started = int(fields[19]) / os.sysconf("SC_CLK_TCK")
    return time.clock_gettime(time.CLOCK_BOOTTIME) - started


before_script = seconds_since_process_start() - (time.perf_counter() - t0)

first: list[float] = []


def timed(module: Any) -> None:
    """Wrap ``module.BookFile.chunks`` to note when the first chunk is read."""
    original = module.BookFile.chunks

    def chunks(self: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
        for chunk in original(self, *args, **kwargs):
            if not first:
                first.append(time.perf_counter() - t0)
            yield chunk

    module.BookFile.chunks = chunks


class WhenImported(importlib.abc.MetaPathFinder):
    """Runs ``then`` on a module just after it is imported, wherever the run imports it (so the
    run's own order of imports is kept)."""

    def __init__(self, name: str, then: Callable[[Any], None]) -> None:
        self.name, self.then = name, then

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
        if name != self.name:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.loader is not None
        execute = spec.loader.exec_module

        def exec_module(module: Any) -> None:
            execute(module)
            self.then(module)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


sys.meta_path.insert(0, WhenImported("underwater.portfolio.io", timed))

from underwater.cli import main  # noqa: E402

book = sys.argv[1] if len(sys.argv) > 1 else "/tmp/uw-bench/book_1000000.parquet"
main(["portfolio", book, "-o", "/tmp/uw-first-row-out.parquet", "--no-progress"])
whole = time.perf_counter() - t0
print(
    f"first chunk read {before_script + first[0]:.2f} s after the process start "
    f"({first[0]:.3f} s after the script's start, the interpreter up); "
    f"the whole run {before_script + whole:.2f} s ({whole:.2f} s)"
)
