"""How fast the JSON API answers through a real server, and whether it holds under load.

Starts ``python -m underwater serve`` on a free 127.0.0.1 port (the shipped command, access
log included), then:

1. latency: one keep-alive client asks ``GET /api/equity`` one request after another and
   reports p50/p95/p99 (target: p50 ≤ 2 ms);
2. load: 50 concurrent connections ask as fast as they can for ``--seconds`` (default 30) and
   report requests per second, p50/p95 and the number of errors (target: 0).

Times include the client (httpx, in this process, on the same machine), so they are an upper
bound on the server's own time. The server is stopped at the end, whatever happens.

    .venv/bin/python benchmarks/bench_web.py [--seconds 30] [--requests 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30, help="length of the load test [30]")
    parser.add_argument("--requests", type=int, default=2000, help="sequential requests for latency [2000]")
    parser.add_argument("--connections", type=int, default=50, help="concurrent connections [50]")
    args = parser.parse_args()
    print(f"machine: {machine()}")
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
