"""Describe the machine a benchmark ran on, so every figure says where it was measured, and time
a function the same way in every benchmark."""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable


def median_ms(func: Callable[[], object], runs: int, *, before: Callable[[], None] | None = None) -> float:
    """The median time of ``runs`` calls of ``func`` in milliseconds, after one call to warm up;
    ``before`` runs ahead of each timed call, untimed (to clear a cache)."""
    func()
    times = []
    for _ in range(runs):
        if before is not None:
            before()
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def describe() -> str:
    """One line: CPU model, cores, memory and Python version."""
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = ""
    try:
        with open("/proc/meminfo", encoding="utf-8") as info:
            kib = int(info.readline().split()[1])
            memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{model}, {os.cpu_count()} cores{memory}, Python {platform.python_version()} on {platform.system()}"
    )
