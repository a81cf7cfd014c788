"""A partitioned book on a local Dask cluster against one process: the same output, and each
worker's peak memory.

Writes a book of ``--parts`` Parquet files of ``--part-rows`` loans each (default 20 × 1 M =
20 M loans), runs ``underwater portfolio PARTS --workers 2`` (a LocalCluster on 127.0.0.1) with
a shock and the default 60-month roll-forward while a thread samples every process's resident
memory (the run's own and each worker's, through psutil), then runs the same book as one file
in one process and compares: the rows (every column, in order) and the summary JSON.

Run:  .venv/bin/python benchmarks/bench_cluster.py [--parts 20] [--part-rows 1000000]
      [--workers 2] [--dir /tmp/uw-cluster]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import polars as pl
import psutil
from machine import describe

from underwater.portfolio.synth import synth_book


class _Peaks(threading.Thread):
    """The largest resident memory (MiB) of a process and of each of its children, every 0.2 s."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.peaks: dict[int, float] = {}
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            try:
                for proc in [self.root, *self.root.children(recursive=True)]:
                    rss = proc.memory_info().rss / 2**20
                    self.peaks[proc.pid] = max(self.peaks.get(proc.pid, 0.0), rss)
            except psutil.Error:
                pass
            time.sleep(0.2)

    def finish(self) -> dict[int, float]:
        self._halt.set()
        self.join()
        return self.peaks


def _run(command: list[str]) -> tuple[float, dict[int, float], int]:
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peaks = _Peaks(process.pid)
    peaks.start()
    _, err = process.communicate()
    wall = time.perf_counter() - started
    if process.returncode:
        raise SystemExit(f"{command[3:5]} failed: {err}")
    return wall, peaks.finish(), process.pid


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--parts", type=int, default=20)
    parser.add_argument("--part-rows", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--dir", default="/tmp/uw-cluster")
    args = parser.parse_args()
    scratch = Path(args.dir)
    parts = scratch / f"parts_{args.parts}x{args.part_rows}"
    if not parts.exists():
        parts.mkdir(parents=True)
        for k in range(args.parts):
            synth_book(args.part_rows, seed=(7, k)).with_columns(
                pl.format("P{}-{}", pl.lit(k), pl.col("loan_id")).alias("loan_id")
            ).write_parquet(parts / f"part-{k:03d}.parquet")
    whole = scratch / f"whole_{args.parts}x{args.part_rows}.parquet"
    if not whole.exists():
        pl.scan_parquet(sorted(parts.iterdir())).sink_parquet(whole)
    out = scratch / "cluster_out"
    for old in (out, scratch / "local.parquet"):
        if old.is_dir():
            for f in old.iterdir():
                f.unlink()
    cli = [sys.executable, "-m", "underwater", "portfolio"]
    common = ["--shock", "10", "--no-progress"]
    cluster_wall, cluster_peaks, cluster_pid = _run(
        [
            *cli,
            str(parts),
            "-o",
            str(out),
            "--workers",
            str(args.workers),
            *common,
            "--summary-json",
            str(scratch / "cluster_summary.json"),
            "--rejects",
            str(scratch / "cluster_rejects.csv"),
        ]
    )
    local_wall, local_peaks, _ = _run(
        [
            *cli,
            str(whole),
            "-o",
            str(scratch / "local.parquet"),
            *common,
            "--summary-json",
            str(scratch / "local_summary.json"),
            "--rejects",
            str(scratch / "local_rejects.csv"),
        ]
    )
    same_rows = (
        pl.scan_parquet(sorted(out.iterdir())).collect().equals(pl.read_parquet(scratch / "local.parquet"))
    )
    # The summaries name their own output and reject files; every figure must agree.
    summaries = [
        {
            key: value
            for key, value in json.loads((scratch / f"{k}_summary.json").read_text()).items()
            if key not in ("output", "rejects")
        }
        for k in ("cluster", "local")
    ]
    workers = sorted((rss for pid, rss in cluster_peaks.items() if pid != cluster_pid), reverse=True)
    print(f"machine: {describe()}")
    print(f"{args.parts} parts x {args.part_rows:,} loans = {args.parts * args.part_rows:,} loans")
    print(
        f"cluster of {args.workers} workers: {cluster_wall:.1f} s; the run's own process peaked at "
        f"{cluster_peaks[cluster_pid]:.0f} MiB; its other processes (workers, nannies, scheduler) at "
        + ", ".join(f"{rss:.0f}" for rss in workers)
        + " MiB"
    )
    print(f"one process: {local_wall:.1f} s, peak {max(local_peaks.values()):.0f} MiB")
    print(f"same rows, every column: {same_rows}; same summary: {summaries[0] == summaries[1]}")


if __name__ == "__main__":
    main()
