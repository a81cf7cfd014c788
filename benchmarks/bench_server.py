"""Does a cheap request's latency hold while heavy ones run? ``/api/equity`` alone and beside
ten clients looping 600-month ``/api/options`` and ``/api/project``.

For each way of computing the heavy requests — on the event loop (as before the worker pool),
in threads of the server process, and in worker processes (what ``underwater serve`` runs) —
a server is started on a free 127.0.0.1 port, and:

1. **alone**: one keep-alive client asks ``GET /api/equity`` ``--samples`` times, 10 ms apart,
   after a warm-up, and reports p50 and p99;
2. **under load**: ten other clients (threads of a second process, each with its own keep-alive
   connection) loop ``/api/options`` (600 months: 600 payments left) and ``/api/project``
   (600 months) as fast as the server answers, five of each, while the same client measures
   ``/api/equity`` again; the heavy requests answered meanwhile are counted;
3. **one heavy client**: ``/api/project`` (600 months), one request after another, p50 — the
   single-loan path, to see what a trip to a worker costs.

Every server is stopped at the end. The load and the measuring client run on the same cores as
the server, so the figures include them. Ratios to the alone p50 of the same run compare
across runs on a host whose speed varies.

    .venv/bin/python benchmarks/bench_server.py [--samples 400] [--seconds 15] [--modes inline threads processes]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
CHEAP = "/api/equity?owed=150000&owed=30000&value=170000"
OPTIONS = (
    "/api/options?owed=80000&value=60000&offer=58000&rate_percent=9&remaining_payments=600"
    "&asset_class=class8_sleeper&age_months=24&as_of=2026-12-01"
)
PROJECT = "/api/project?owed=300000&rate_percent=6.5&remaining_payments=600&value=320000&asset_class=home"
HEAVY_CLIENTS = 10

_SERVER = """
import sys
from underwater.web.app import create_app
from underwater.web.serve import config, server
from underwater.web.workers import ThreadPool, WorkerPool
mode, workers, port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
pool = None if mode == "inline" else (ThreadPool if mode == "threads" else WorkerPool)(workers)
if pool is not None:
    pool.start()
server(config(create_app(pool=pool), "127.0.0.1", port, log_level="warning", access_log=False)).run()
"""

_LOAD = """
import sys, threading, time, httpx
base, seconds, options, project, clients = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
done = [0] * clients
stop = time.monotonic() + seconds
def loop(k):
    url = options if k % 2 == 0 else project
    with httpx.Client(base_url=base, timeout=60) as client:
        while time.monotonic() < stop:
            if client.get(url).status_code == 200:
                done[k] += 1
threads = [threading.Thread(target=loop, args=(k,)) for k in range(clients)]
for t in threads: t.start()
for t in threads: t.join()
print(sum(done))
"""


def machine() -> str:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from machine import describe

    return describe()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(mode: str, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [sys.executable, "-c", _SERVER, mode, str(workers), str(port)]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the {mode} server exited with status {proc.returncode}")
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return proc, base
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"the {mode} server did not answer within 60 s")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def sample(client: httpx.Client, url: str, count: int, pause: float) -> list[float]:
    times = []
    for _ in range(count):
        began = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - began) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}: {response.text[:200]}")
        time.sleep(pause)
    return times


def measure(mode: str, workers: int, samples: int, seconds: float) -> dict[str, float]:
    proc, base = start(mode, workers)
    try:
        with httpx.Client(base_url=base, timeout=60) as client:
            for url in (CHEAP, OPTIONS, PROJECT):
                for _ in range(20):  # warm up: templates, curves, numba-free caches, the workers
                    client.get(url)
            alone = sample(client, CHEAP, samples, 0.01)
            project = sample(client, PROJECT, 50, 0.0)
            load = subprocess.Popen(
                [sys.executable, "-c", _LOAD, base, str(seconds), OPTIONS, PROJECT, str(HEAVY_CLIENTS)],
                stdout=subprocess.PIPE,
                text=True,
            )
            time.sleep(1.0)  # the heavy clients are running
            loaded: list[float] = []
            finish = time.monotonic() + seconds - 2.0
            while time.monotonic() < finish:
                loaded += sample(client, CHEAP, 1, 0.01)
            heavy_done = int((load.communicate(timeout=seconds + 120)[0] or "0").strip() or 0)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return {
        "alone_p50": statistics.median(alone),
        "alone_p99": percentile(alone, 99),
        "load_p50": statistics.median(loaded),
        "load_p99": percentile(loaded, 99),
        "load_n": len(loaded),
        "heavy_per_s": heavy_done / seconds,
        "project_p50": statistics.median(project),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=400, help="/api/equity requests measured alone [400]")
    parser.add_argument("--seconds", type=float, default=15, help="length of the loaded phase [15]")
    parser.add_argument(
        "--modes",
        nargs="+",
        default=["inline", "threads:2", "threads:1", "processes:1", "processes:2"],
        help="how the heavy requests are computed: inline, threads:N, processes:N",
    )
    args = parser.parse_args()
    print(f"machine: {machine()}; load average before: {os.getloadavg()[0]:.2f}")
    print(
        f"/api/equity alone ({args.samples} requests, 10 ms apart) and beside {HEAVY_CLIENTS} clients "
        f"looping 600-month /api/options and /api/project for {args.seconds:g} s; ms"
    )
    print(
        f"  {'heavy requests in':<16}{'alone p50':>10}{'alone p99':>10}{'load p50':>10}{'load p99':>10}"
        f"{'p99/alone p50':>14}{'heavy/s':>9}{'project p50':>12}"
    )
    for spec in args.modes:
        mode, _, count = spec.partition(":")
        figures = measure(mode, int(count or 1), args.samples, args.seconds)
        label = mode if mode == "inline" else f"{mode} ({count or 1})"
        print(
            f"  {label:<16}{figures['alone_p50']:>10.2f}{figures['alone_p99']:>10.2f}"
            f"{figures['load_p50']:>10.2f}{figures['load_p99']:>10.2f}"
            f"{figures['load_p99'] / figures['alone_p50']:>14.1f}{figures['heavy_per_s']:>9.1f}"
            f"{figures['project_p50']:>12.2f}",
            flush=True,
        )
    print("target: /api/equity p99 <= 10 ms under load (the issue's); inline is the code before the pool")


if __name__ == "__main__":
    main()
