"""Time the portfolio kernel's month loop against the same loop at an earlier commit, interleaved.

The machine's speed drifts by a quarter from hour to hour, so two kernels timed in separate runs
cannot be told apart by a tenth. This script loads ``src/underwater/portfolio/paths.py`` as it
was at ``REVISION`` (``git show``) beside the current one, then runs
:func:`underwater.portfolio.kernel.compute` with each loop in turn on the same synthetic book,
for the base case (horizon 0), the 60-month roll-forward, a 10 % shock and three stress presets,
and prints the best of ``--repeat`` for each and their ratio. Before timing, it checks that both
loops give the same figures and roll-forward on that book; a difference stops the script.

The earlier loop must take the arguments the current kernel passes it (true from commit 1c3fc2a
on).

Run:  uv run python benchmarks/bench_kernel_against.py 1c3fc2a [--rows 1000000] [--threads 1]
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import numpy as np
from machine import describe

from underwater.portfolio import kernel
from underwater.portfolio.paths import loan_paths
from underwater.portfolio.scenarios import Scenarios
from underwater.portfolio.schema import validate
from underwater.portfolio.stress import stress_path
from underwater.portfolio.synth import synth_book

PRESETS = ("manheim_2007_09", "manheim_april_2020", "manheim_2022_23")
ROOT = Path(__file__).resolve().parent.parent


def _earlier_loop(revision: str, folder: Path) -> Callable[..., None]:
    # The module as it was, under a name of its own (numba caches it beside the file).
    text = subprocess.run(
        ["git", "show", f"{revision}:src/underwater/portfolio/paths.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = folder / "earlier_paths.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location("earlier_paths", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["earlier_paths"] = module
    spec.loader.exec_module(module)
    earlier: Callable[..., None] = module.loan_paths
    return earlier


def _same(one: kernel.Result, other: kernel.Result, case: str) -> None:
    if one.rechecked != other.rechecked or not (
        np.array_equal(one.rolled.months, other.rolled.months)
        and np.array_equal(one.rolled.moves, other.rolled.moves)
    ):
        raise SystemExit(f"{case}: the two loops' roll-forwards differ")
    for key, scenario in one.scenarios.items():
        for name in scenario.__slots__:
            if not np.array_equal(
                getattr(scenario, name), getattr(other.scenarios[key], name), equal_nan=True
            ):
                raise SystemExit(f"{case}: the two loops differ in {name} of scenario {key}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("revision", help="the commit whose month loop to time against, e.g. 1c3fc2a")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    book, _ = validate(synth_book(args.rows, seed=7))
    paths = tuple(stress_path(name) for name in PRESETS)
    cases = {
        "base, horizon 0": Scenarios(horizon=0),
        "base, horizon 60": Scenarios(horizon=60),
        "base + shock 10, horizon 60": Scenarios((Decimal(10),), horizon=60),
        "base + 3 stress presets, horizon 60": Scenarios(paths=paths, horizon=60),
    }
    with tempfile.TemporaryDirectory() as scratch:
        loops = {"earlier": _earlier_loop(args.revision, Path(scratch)), "current": loan_paths}

        def run(loop: Callable[..., None], scenarios: Scenarios) -> kernel.Result:
            vars(kernel)["loan_paths"] = loop  # the kernel calls the loop by this name
            return kernel.compute(book, scenarios, threads=args.threads)

        for case, scenarios in cases.items():  # compiles or loads each loop, and compares them
            _same(run(loops["earlier"], scenarios), run(loops["current"], scenarios), case)
        print(f"machine: {describe()}")
        print(
            f"{len(book):,} loans, {args.threads} thread(s), best of {args.repeat}, against {args.revision}"
        )
        for case, scenarios in cases.items():
            best: dict[str, float] = dict.fromkeys(loops, float("inf"))
            for _ in range(args.repeat):
                for label, loop in loops.items():
                    started = time.perf_counter()
                    run(loop, scenarios)
                    best[label] = min(best[label], time.perf_counter() - started)
            ratio = best["current"] / best["earlier"]
            print(
                f"{case:<38} earlier {best['earlier']:.3f} s  current {best['current']:.3f} s  ratio {ratio:.2f}"
            )
        vars(kernel)["loan_paths"] = loan_paths


if __name__ == "__main__":
    main()
