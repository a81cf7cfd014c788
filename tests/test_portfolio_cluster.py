"""The Dask path: a real LocalCluster on 127.0.0.1 gives the same rows, rejects and summary as
a local run."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from underwater.errors import InputError
from underwater.portfolio.cluster import SCHEDULER_TIMEOUT, run_cluster
from underwater.portfolio.engine import run_portfolio
from underwater.portfolio.scenarios import Scenarios
from underwater.portfolio.stress import stress_path
from underwater.portfolio.synth import synth_book


@pytest.mark.cluster
def test_local_cluster_run_equals_the_local_run(tmp_path: Path) -> None:
    parts = tmp_path / "parts"
    parts.mkdir()
    # With the optional columns the summary counts (default probability, origination date) and
    # other liens, so every figure of the summary is merged across parts.
    frames = [
        synth_book(1500, seed=(21, k)).with_columns(
            pl.format("0.0{}", pl.int_range(pl.len()) % 9).alias("default_probability"),
            pl.format("202{}-0{}-15", pl.int_range(pl.len()) % 5, pl.int_range(pl.len()) % 9 + 1).alias(
                "origination_date"
            ),
        )
        for k in range(3)
    ]
    # One bad row in the second part: its row number counts across the whole dataset.
    frames[1] = frames[1].with_columns(
        pl.when(pl.int_range(pl.len()) == 10).then(None).otherwise(pl.col("value")).alias("value")
    )
    frames = [
        frame.with_columns(pl.format("P{}-{}", pl.lit(k), pl.col("loan_id")).alias("loan_id"))
        for k, frame in enumerate(frames)
    ]
    # Row 4,001 (in the third part) repeats the id of row 7 (in the first): found across parts.
    repeated = frames[0]["loan_id"][6]
    frames[2] = frames[2].with_columns(
        pl.when(pl.int_range(pl.len()) == 1000)
        .then(pl.lit(repeated))
        .otherwise(pl.col("loan_id"))
        .alias("loan_id")
    )
    for k, frame in enumerate(frames):
        frame.write_parquet(parts / f"part-{k}.parquet")
    whole = pl.concat([pl.read_parquet(p) for p in sorted(parts.iterdir())])
    whole.write_parquet(tmp_path / "whole.parquet")
    scenarios = Scenarios((Decimal(15),), (stress_path("manheim_2007_09"),), horizon=30)

    local = run_portfolio(
        tmp_path / "whole.parquet",
        tmp_path / "local.parquet",
        scenarios=scenarios,
        rejects=tmp_path / "lr.csv",
        chunk_size=1000,
    )
    dataset = run_cluster(
        parts,
        tmp_path / "out",
        scenarios=scenarios,
        rejects=tmp_path / "dr.csv",
        workers=2,
        chunk_size=1000,
    )
    single = run_cluster(
        tmp_path / "whole.parquet",
        tmp_path / "single.parquet",
        scenarios=scenarios,
        rejects=tmp_path / "sr.csv",
        workers=2,
        chunk_size=1000,
        part_rows=2000,
    )

    expected = pl.read_parquet(tmp_path / "local.parquet")
    assert pl.concat([pl.read_parquet(p) for p in sorted((tmp_path / "out").iterdir())]).equals(expected)
    assert pl.read_parquet(tmp_path / "single.parquet").equals(expected)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "part-0.parquet",
        "part-1.parquet",
        "part-2.parquet",
    ]
    local_rejects = (tmp_path / "lr.csv").read_text()
    assert local_rejects.splitlines()[1].startswith("1511,P1-")
    assert local_rejects.splitlines()[2] == f"4001,{repeated},loan_id,repeats the loan_id of row 7"
    assert (tmp_path / "dr.csv").read_text() == local_rejects == (tmp_path / "sr.csv").read_text()
    assert dataset.to_json() == local.to_json() == single.to_json()
    assert local.with_probability == 4498 and local.to_json()["scenarios"][2]["stress"] == "manheim_2007_09"
    assert len(local.to_json()["scenarios"][0]["by_month"]) == 31
    assert local.rows_in == 4500 and local.rows_rejected == 2
    assert not [p for p in tmp_path.rglob(".*") if p.name.startswith((".underwater", ".out", ".single"))]


@pytest.mark.cluster
def test_a_signal_ends_a_cluster_run_with_one_line_and_nothing_left(tmp_path: Path) -> None:
    # SIGTERM while the workers write their parts: the scratch directory goes, the worker
    # processes end with the run, and stderr holds the run's one line (no resource-tracker noise).
    import signal
    import subprocess
    import sys
    import time

    import psutil

    parts = tmp_path / "parts"
    parts.mkdir()
    for k in range(4):
        synth_book(60_000, seed=(33, k)).with_columns(
            pl.format("P{}-{}", pl.lit(k), pl.col("loan_id")).alias("loan_id")
        ).write_parquet(parts / f"part-{k}.parquet")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "underwater", "portfolio", str(parts), "-o", str(out)]
    command += ["--workers", "2", "--chunk-size", "500", "--shock", "10", "--no-progress"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        children: list[psutil.Process] = []
        # Wait for the scratch directory and the workers (two, besides multiprocessing's helper).
        while process.poll() is None and time.monotonic() < deadline:
            children = psutil.Process(process.pid).children(recursive=True)
            if list(out.glob(".underwater-parts-*")) and len(children) >= 3:
                break
            time.sleep(0.1)
        time.sleep(2.0)  # the workers are computing their parts
        assert process.poll() is None, "the run ended before it could be signalled"
        children = psutil.Process(process.pid).children(recursive=True)
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:  # pragma: no cover - only if the run hung
            process.kill()
            process.wait()
    assert process.returncode == 143, err
    assert err == "underwater portfolio: stopped by SIGTERM; no output was left half written\n"
    assert [p.name for p in out.iterdir()] == []
    _, alive = psutil.wait_procs(children, timeout=30)
    assert alive == [], alive


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.cluster
def test_an_unreachable_scheduler_is_one_line_naming_it_within_the_timeout(tmp_path: Path) -> None:
    # It was a 58-line traceback after 35-65 s, and an empty output directory left behind.
    parts = tmp_path / "parts"
    parts.mkdir()
    synth_book(20, seed=4).write_parquet(parts / "p0.parquet")
    address = f"tcp://127.0.0.1:{_free_port()}"  # nothing listens there
    command = [sys.executable, "-m", "underwater", "portfolio", str(parts), "-o", str(tmp_path / "out")]
    started = time.monotonic()
    done = subprocess.run(
        [*command, "--scheduler", address, "--scheduler-timeout", "2", "--no-progress"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    took = time.monotonic() - started
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "--scheduler: no Dask scheduler answered at this address within 2 s" in done.stderr
    assert address in done.stderr
    assert took < 2 + 30  # the timeout, plus starting Python and importing dask
    assert sorted(p.name for p in tmp_path.iterdir()) == ["parts"]
    assert SCHEDULER_TIMEOUT == 10  # without --scheduler-timeout, as the README says


def test_a_scheduler_address_that_is_not_one_is_refused_before_connecting(tmp_path: Path) -> None:
    parts = tmp_path / "parts"
    parts.mkdir()
    synth_book(20, seed=4).write_parquet(parts / "p0.parquet")
    with pytest.raises(InputError, match=r"must be an address such as tcp://10\.0\.0\.5:8786") as error:
        run_cluster(parts, tmp_path / "out", rejects=tmp_path / "r.csv", scheduler="foo")
    assert error.value.field == "scheduler"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["parts"]
