"""How soon ``underwater portfolio`` reads its book's first row: the seconds from this script's
start (the interpreter already up) to the first chunk the reader yields, and the whole run.

Run:  .venv/bin/python benchmarks/bench_first_row.py [BOOK.parquet]   (default: the 1 M-loan book
      bench_portfolio.py writes under /tmp/uw-bench)
"""

from __future__ import annotations

import sys
import time

t0 = time.perf_counter()
from collections.abc import Iterator  # noqa: E402
from typing import Any  # noqa: E402

from underwater.portfolio import io as uio  # noqa: E402

original = uio.BookFile.chunks
first: list[float] = []


def chunks(self: uio.BookFile, *args: Any, **kwargs: Any) -> Iterator[Any]:
    for chunk in original(self, *args, **kwargs):
        if not first:
            first.append(time.perf_counter() - t0)
        yield chunk


uio.BookFile.chunks = chunks  # type: ignore[method-assign]

from underwater.cli import main  # noqa: E402

book = sys.argv[1] if len(sys.argv) > 1 else "/tmp/uw-bench/book_1000000.parquet"
main(["portfolio", book, "-o", "/tmp/uw-first-row-out.parquet", "--no-progress"])
print(f"first chunk read {first[0]:.3f} s after the start; the whole run {time.perf_counter() - t0:.2f} s")
