"""How fast the pages render and the JSON API answers, how much a page weighs, and whether
the server holds under load.

1. pages, in-process (the app called through ``httpx.ASGITransport``, no socket): each page of
   the path for each of the seeds' situations (``tests/web_fakes.py``: the FreightWaves truck,
   seed 002's car, RV and boat) is rendered ``--renders`` times after a warm-up, and its p50
   and p95 reported, with its weight: the page's bytes plus those of everything it loads
   (stylesheet, script, icon), uncompressed (targets: p50 ≤ 20 ms, ≤ 300 KB);

then, through ``python -m underwater serve`` on a free 127.0.0.1 port (the shipped command,
access log included):

2. latency: one keep-alive client asks ``GET /api/equity`` one request after another and
   reports p50/p95/p99 (target: p50 ≤ 2 ms);
3. load: 50 concurrent connections ask as fast as they can for ``--seconds`` (default 30) and
   report requests per second, p50/p95 and the number of errors (target: 0).

Times include the client (httpx, in this process, on the same machine), so they are an upper
bound on the app's own time. The server is stopped at the end, whatever happens.

    .venv/bin/python benchmarks/bench_web.py [--pages-only] [--renders 50] [--seconds 30] [--requests 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
RENDER_TARGET_MS = 20.0
WEIGHT_TARGET = 300_000
URL = "/api/equity?owed=150000&owed=30000&value=170000"
EXPECTED = '"negative_equity":"10000.00"'
PROJECTION_URL = (
    "/api/project?owed=300000&rate_percent=6.5&remaining_payments=360&value=320000"
    "&asset_class=home&start_date=2026-12-01"
)
PROJECTION_EXPECTED = '"horizon_months":360'


def machine() -> str:
    try:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from machine import describe  # the shared description used by every benchmark

        return describe()
    except ImportError:
        return f"{platform.processor() or 'unknown CPU'}, {os.cpu_count()} cores, Python {platform.python_version()}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_server(port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "underwater", "serve", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with status {proc.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.terminate()
    raise SystemExit("the server did not answer within 30 s")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def latency(base: str, n: int, url: str = URL, expected: str = EXPECTED, label: str = "/api/equity") -> None:
    times: list[float] = []
    with httpx.Client(base_url=base) as client:
        for _ in range(min(200, n)):  # warm up: imports, templates, connection
            client.get(url)
        for _ in range(n):
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
            if response.status_code != 200 or expected not in response.text:
                raise SystemExit(f"wrong answer: {response.status_code} {response.text[:200]}")
    ms = [t * 1000 for t in times]
    print(
        f"latency of {label}, 1 client, {n} sequential requests: p50 {statistics.median(ms):.2f} ms, "
        f"p95 {percentile(ms, 95):.2f} ms, p99 {percentile(ms, 99):.2f} ms, max {max(ms):.2f} ms"
    )


async def load(base: str, seconds: float, connections: int) -> None:
    times: list[float] = []
    errors: dict[str, int] = {}
    deadline = time.monotonic() + seconds

    # One client (one keep-alive connection) per worker: a single shared httpx pool of 50
    # connections costs the client more CPU than the server spends answering.
    async def worker() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=10) as client:
            while time.monotonic() < deadline:
                start = time.perf_counter()
                try:
                    response = await client.get(URL)
                except httpx.HTTPError as exc:
                    errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                    continue
                times.append(time.perf_counter() - start)
                if response.status_code != 200 or EXPECTED not in response.text:
                    errors[str(response.status_code)] = errors.get(str(response.status_code), 0) + 1

    began = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(connections)))
    elapsed = time.monotonic() - began
    ms = [t * 1000 for t in times]
    print(
        f"load, {connections} concurrent connections for {elapsed:.1f} s: {len(times)} requests "
        f"({len(times) / elapsed:.0f}/s), p50 {statistics.median(ms):.1f} ms, p95 {percentile(ms, 95):.1f} ms, "
        f"errors {sum(errors.values())} {errors or ''}"
    )
    if errors:
        raise SystemExit(1)


_ASSET = re.compile(r'<(?:script|img)[^>]* src="(/[^"]*)"|<link[^>]* href="(/[^"]*)"')


async def _pages(renders: int) -> bool:
    """Render every path page of every seed situation in-process; print its p50, p95 and
    weight. True when every page meets both targets."""
    sys.path.insert(0, str(ROOT / "tests"))
    from underwater.web.app import create_app
    from web_fakes import SITUATIONS  # the situations the page tests walk

    app = create_app()
    ok = True
    sizes: dict[str, int] = {}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1"
    ) as client:
        print(
            f"pages, in-process, {renders} renders each after 5 to warm up (p50 / p95 ms; page + assets bytes):"
        )
        print(f"  {'situation':<10}{'step':<14}{'p50':>8}{'p95':>8}{'page':>10}{'assets':>9}{'total':>10}")
        for situation in SITUATIONS:
            for step, url in situation.path().items():
                for _ in range(5):
                    await client.get(url)
                times = []
                for _ in range(renders):
                    start = time.perf_counter()
                    response = await client.get(url)
                    times.append((time.perf_counter() - start) * 1000)
                    if response.status_code != 200:
                        raise SystemExit(f"{url} answered {response.status_code}")
                assets = {a or b for a, b in _ASSET.findall(response.text)}
                for asset in assets - set(sizes):
                    sizes[asset] = len((await client.get(asset)).content)
                weight = sum(sizes[a] for a in assets)
                total = len(response.content) + weight
                p50, p95 = statistics.median(times), percentile(times, 95)
                flag = "" if p50 <= RENDER_TARGET_MS and total <= WEIGHT_TARGET else "  over target"
                ok = ok and not flag
                print(
                    f"  {situation.name:<10}{step:<14}{p50:>8.2f}{p95:>8.2f}{len(response.content):>10,}"
                    f"{weight:>9,}{total:>10,}{flag}"
                )
    print(
        f"targets: p50 <= {RENDER_TARGET_MS:.0f} ms and <= {WEIGHT_TARGET:,} bytes per page with its assets: "
        + ("all met" if ok else "NOT all met")
    )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30, help="length of the load test [30]")
    parser.add_argument("--requests", type=int, default=2000, help="sequential requests for latency [2000]")
    parser.add_argument("--connections", type=int, default=50, help="concurrent connections [50]")
    parser.add_argument("--renders", type=int, default=50, help="renders of each page [50]")
    parser.add_argument("--pages-only", action="store_true", help="only the pages' render times and weights")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    pages_ok = asyncio.run(_pages(args.renders))
    if args.pages_only:
        raise SystemExit(0 if pages_ok else 1)
    port = free_port()
    proc = start_server(port)
    base = f"http://127.0.0.1:{port}"
    try:
        latency(base, args.requests)
        latency(
            base,
            max(args.requests // 10, 50),
            PROJECTION_URL,
            PROJECTION_EXPECTED,
            "a 360-month /api/project",
        )
        asyncio.run(load(base, args.seconds, args.connections))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()
