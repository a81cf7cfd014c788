"""The same kernel on a Dask cluster, for books beyond one machine (``distributed`` extra).

``--workers N`` starts a local cluster of N single-threaded worker processes on 127.0.0.1 (no
dashboard); ``--scheduler tcp://HOST:PORT`` connects to a running one (its workers need
underwater with the ``portfolio`` extra installed, and must see the same paths).

A **partitioned Parquet dataset** (a directory of ``*.parquet`` files) is processed one task
per part with ``client.map``, each part streamed in chunks through the same validation and
kernel as a local run and written atomically to a part of the same name in the output
directory. A single file is split into row ranges, one task each, whose parts are then
joined (streamed) into the output file, atomically. Row numbers in the reject file count
data rows across the whole dataset (parts in name order), as in a local run; the summary is
the sum of the parts' summaries, so it equals a local run's.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from underwater.errors import InputError
from underwater.portfolio.io import COMPRESSIONS, CsvWriter, book_format, write_atomic
from underwater.portfolio.schema import REJECT_COLUMNS, check_columns
from underwater.portfolio.summary import Summary

__all__ = ["Part", "dataset_parts", "run_cluster", "run_part"]


@dataclass(frozen=True, slots=True)
class Part:
    """One task: rows ``offset`` .. ``offset + length`` of ``source`` (all when ``length`` is
    None), written to ``target``; ``first_row`` is the 1-based row number of its first row."""

    source: str
    target: str
    first_row: int
    offset: int = 0
    length: int | None = None


def dataset_parts(directory: str | Path) -> list[Path]:
    """The ``*.parquet`` files of a partitioned dataset, in name order."""
    parts = sorted(p for p in Path(directory).iterdir() if p.suffix.lower() == ".parquet" and p.is_file())
    if not parts:
        raise InputError("book", "is a directory with no .parquet files", got=str(directory))
    return parts


def run_part(
    part: Part, shocks: Sequence[Decimal], chunk_size: int, compression: str = COMPRESSIONS[0]
) -> tuple[Summary, pl.DataFrame]:
    """Process one part on a worker: returns its summary and its rejects (a small frame)."""
    from underwater.portfolio.engine import output_schema, process_chunk

    summary = Summary(tuple(shocks))
    rejected: list[pl.DataFrame] = []
    lazy = pl.scan_parquet(part.source)
    if part.length is not None:
        lazy = lazy.slice(part.offset, part.length)

    def frames() -> Iterator[pl.DataFrame]:
        first_row = part.first_row
        for raw in lazy.collect_batches(chunk_size=chunk_size):
            if not raw.height:
                continue
            out, bad, good, result = process_chunk(raw, first_row, shocks)
            rejected.append(bad)
            summary.add(good, result, bad.height)
            first_row += raw.height
            yield out

    write_atomic(part.target, frames, output_schema(shocks), compression)
    rejects = (
        pl.concat(rejected) if rejected else pl.DataFrame(schema=dict.fromkeys(REJECT_COLUMNS, pl.String))
    )
    return summary, rejects


def _rows(path: Path) -> int:
    return int(pl.scan_parquet(path).select(pl.len()).collect().item())


def _client(workers: int | None, scheduler: str | None) -> Any:
    from distributed import Client, LocalCluster

    if scheduler is not None:
        return Client(scheduler, set_as_default=False)  # type: ignore[no-untyped-call]
    cluster = LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        host="127.0.0.1",
        # No dashboard; the scheduler's small HTTP service takes any free port rather than
        # fighting for 8787 with another cluster on the machine.
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
    )
    return Client(cluster, set_as_default=False)  # type: ignore[no-untyped-call]


def run_cluster(
    book: str | Path,
    output: str | Path,
    *,
    shocks: Sequence[Decimal] = (),
    rejects: str | Path,
    workers: int | None = None,
    scheduler: str | None = None,
    chunk_size: int = 250_000,
    part_rows: int = 1_000_000,
    compression: str = COMPRESSIONS[0],
) -> Summary:
    """Run ``book`` (a Parquet file or a directory of Parquet parts) on a Dask cluster and
    write ``output`` (a file, or a directory of parts for a directory; Parquet compressed with
    ``compression``), rejects to the CSV ``rejects``. Give ``workers`` (a local cluster) or
    ``scheduler`` (an address)."""
    if (workers is None) == (scheduler is None):
        raise InputError("workers", "give either `workers` N or `scheduler` ADDRESS")
    if workers is not None and workers < 1:
        raise InputError("workers", "must be at least 1", got=workers)
    source = Path(book)
    if not source.exists():
        raise InputError("book", "no such file or directory", got=str(book))
    if Path(rejects).suffix.lower() != ".csv":
        raise InputError("rejects", "must be a .csv file", got=str(rejects))
    shocks = tuple(shocks)
    if source.is_dir():
        inputs = dataset_parts(source)
        target = Path(output)
        if target.suffix:
            raise InputError(
                "output", "must be a directory (no extension) for a partitioned dataset", got=str(output)
            )
        check_columns(pl.scan_parquet(inputs[0]).collect_schema().names())
        target.mkdir(parents=True, exist_ok=True)
        parts, first = [], 1
        for path in inputs:
            parts.append(Part(str(path), str(target / path.name), first))
            first += _rows(path)
        return _run(parts, shocks, rejects, workers, scheduler, chunk_size, compression)
    if book_format(source) != "parquet":
        raise InputError(
            "book", "must be Parquet (a file or a directory of parts) on a cluster", got=str(book)
        )
    book_format(output, "output")
    check_columns(pl.scan_parquet(source).collect_schema().names())
    total = _rows(source)
    scratch = tempfile.mkdtemp(prefix=".underwater-parts-", dir=os.path.dirname(os.path.abspath(output)))
    try:
        parts = [
            Part(str(source), os.path.join(scratch, f"part-{k:05d}.parquet"), start + 1, start, part_rows)
            for k, start in enumerate(range(0, max(total, 1), part_rows))
        ]
        summary = _run(parts, shocks, rejects, workers, scheduler, chunk_size, compression)
        joined = pl.scan_parquet([part.target for part in parts])
        schema = joined.collect_schema()
        write_atomic(
            output,
            lambda: iter(joined.collect_batches(chunk_size=chunk_size)),
            pl.Schema(schema),
            compression,
        )
        return summary
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _run(
    parts: list[Part],
    shocks: tuple[Decimal, ...],
    rejects: str | Path,
    workers: int | None,
    scheduler: str | None,
    chunk_size: int,
    compression: str,
) -> Summary:
    client = _client(workers, scheduler)
    try:
        futures = client.map(
            run_part, parts, shocks=shocks, chunk_size=chunk_size, compression=compression, pure=False
        )
        results: list[tuple[Summary, pl.DataFrame]] = client.gather(futures)
    finally:
        cluster = client.cluster
        client.close()
        if cluster is not None and workers is not None:
            cluster.close()
    summary = Summary(shocks)
    with CsvWriter(rejects, REJECT_COLUMNS) as writer:
        for part_summary, part_rejects in results:
            summary.merge(part_summary)
            writer.write(part_rejects)
    return summary
