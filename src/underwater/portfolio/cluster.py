r"""The same kernel on a Dask cluster, for books beyond one machine (``distributed`` extra).

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

The checks are a local run's: options and paths before any work (no file written may be a
file read, or another file written: every part of a book directory counts), unreadable parts
refused in one line, and repeated ``loan_id``\ s across the whole dataset — found once, before
the tasks start, from the ``loan_id`` column alone, and handed to the task of each part — so
a cluster run rejects exactly the rows a local run does. Workers write their parts into a
hidden directory beside the output, which is removed on an error or a signal; parts are
moved into place only when every task has finished.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from underwater.errors import InputError
from underwater.portfolio.ids import KnownRepeats, LoanIds
from underwater.portfolio.io import (
    COMPRESSIONS,
    CsvWriter,
    book_format,
    read_chunks,
    schema_of,
    write_atomic,
    write_frames,
)
from underwater.portfolio.outputs import Outputs, clean_stale, directory_for, temporary_directory
from underwater.portfolio.scenarios import Scenarios
from underwater.portfolio.schema import REJECT_COLUMNS, check_columns, check_types, id_fingerprints
from underwater.portfolio.summary import Summary

__all__ = ["MAX_WORKERS", "SCHEDULER_TIMEOUT", "Part", "dataset_parts", "run_cluster", "run_part"]

MAX_WORKERS = 256
"""The most worker processes a local cluster is started with."""


@dataclass(frozen=True, slots=True)
class Part:
    """One task: rows ``offset`` .. ``offset + length`` of ``source`` (all when ``length`` is
    None), written to ``target``; ``first_row`` is the 1-based row number of its first row."""

    source: str
    target: str
    first_row: int
    offset: int = 0
    length: int | None = None
    repeats: KnownRepeats = field(default_factory=KnownRepeats)
    """The rows of this part whose loan_id an earlier row of the dataset has, and that row."""


def dataset_parts(directory: str | Path) -> list[Path]:
    """The ``*.parquet`` files of a partitioned dataset, in name order."""
    parts = sorted(p for p in Path(directory).iterdir() if p.suffix.lower() == ".parquet" and p.is_file())
    if not parts:
        raise InputError("book", "is a directory with no .parquet files", got=str(directory))
    return parts


def run_part(
    part: Part, scenarios: Scenarios, chunk_size: int, compression: str = COMPRESSIONS[0]
) -> tuple[Summary, pl.DataFrame]:
    """Process one part on a worker for ``scenarios``, ``chunk_size`` rows at a time: returns
    its summary and its rejects (a small frame)."""
    from underwater.portfolio.engine import output_frame, output_schema
    from underwater.portfolio.kernel import compute
    from underwater.portfolio.schema import validate

    summary = Summary(scenarios)
    rejected: list[pl.DataFrame] = []

    def frames() -> Iterator[pl.DataFrame]:
        for chunk in read_chunks(part.source, chunk_size, offset=part.offset, length=part.length):
            if not chunk.rows_in:
                continue
            # read_chunks numbers the file's rows; the dataset's count from part.first_row.
            rows = chunk.rows + (part.first_row - 1 - part.offset)
            good, bad = validate(chunk.frame, rows=rows, ids=part.repeats)
            result = compute(good, scenarios)
            rejected.append(bad)
            summary.add(good, result, bad.height)
            yield output_frame(good, result, scenarios)

    write_atomic(part.target, frames, output_schema(scenarios), compression)
    rejects = (
        pl.concat(rejected) if rejected else pl.DataFrame(schema=dict.fromkeys(REJECT_COLUMNS, pl.String))
    )
    return summary, rejects


def _rows(path: Path) -> int:
    from underwater.portfolio.io import count_rows

    return count_rows(path)


def _repeats(paths: list[Path], chunk_size: int) -> KnownRepeats:
    """Every row of the dataset (parts in order) whose loan_id an earlier row has, found from
    the loan_id column alone with the same rule and table as a local run."""
    ids = LoanIds(sum(_rows(path) for path in paths))
    rows: list[np.ndarray] = []
    firsts: list[np.ndarray] = []
    first_row = 1
    for path in paths:
        for chunk in read_chunks(path, chunk_size, ["loan_id"]):
            first, second, usable = id_fingerprints(chunk.frame)
            numbers = chunk.rows + (first_row - 1)
            found = ids.repeats(first, second, numbers, usable)
            rows.append(numbers[found > 0])
            firsts.append(found[found > 0])
        first_row += _rows(path)
    if not rows:
        return KnownRepeats()
    return KnownRepeats(np.concatenate(rows), np.concatenate(firsts))


_QUIET_TRACKER = "ignore:resource_tracker:UserWarning"


SCHEDULER_TIMEOUT = 10.0
"""Seconds to wait for a ``scheduler`` to answer before the run is refused (one line, exit 2)."""

_ADDRESS = re.compile(r"(?:tcp|tls)://(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):[0-9]{1,5}")


def _connect(scheduler: str, timeout: float) -> Any:
    """A client of the Dask scheduler at ``scheduler``, or one line naming the address when
    none answers within ``timeout`` seconds (dask itself retries for half a minute and then
    raises a long traceback)."""
    from distributed import Client

    if not _ADDRESS.fullmatch(scheduler.strip()):
        raise InputError("scheduler", "must be an address such as tcp://10.0.0.5:8786", got=scheduler)
    try:
        return Client(scheduler.strip(), timeout=timeout, set_as_default=False)  # type: ignore[no-untyped-call]
    except Exception as error:  # a refusal, a timeout, a peer that is no scheduler: all one answer
        detail = str(error).strip().splitlines()[0][:120] if str(error).strip() else type(error).__name__
        why = "" if "timed out" in detail.lower() else f" ({type(error).__name__}: {detail})"
        raise InputError(
            "scheduler",
            f"no Dask scheduler answered at this address within {timeout:g} s{why}",
            got=scheduler,
        ) from None


def _client(workers: int | None, scheduler: str | None, timeout: float = SCHEDULER_TIMEOUT) -> Any:
    from distributed import Client, LocalCluster

    if scheduler is not None:
        return _connect(scheduler, timeout)
    # When a signal ends the run at once (see underwater.portfolio.signals), multiprocessing's
    # resource tracker — a child interpreter that takes these warning options — would report
    # the dead workers' semaphores as "leaked" on stderr: the system frees them, and the one
    # line the run prints is all a person needs.
    if _QUIET_TRACKER not in sys.warnoptions:
        sys.warnoptions.append(_QUIET_TRACKER)
    cluster = LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        host="127.0.0.1",
        # No dashboard; the scheduler's small HTTP service takes any free port rather than
        # fighting for 8787 with another cluster on the machine.
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        # A worker whose scheduler went away with a signal logs "failed to communicate with
        # scheduler" on the shared stderr; the run's one line says what happened, and a task's
        # own error reaches the run as its exception.
        silence_logs=logging.CRITICAL,
    )
    return Client(cluster, set_as_default=False)  # type: ignore[no-untyped-call]


def run_cluster(
    book: str | Path,
    output: str | Path,
    *,
    scenarios: Scenarios = Scenarios(),
    rejects: str | Path,
    workers: int | None = None,
    scheduler: str | None = None,
    chunk_size: int = 250_000,
    part_rows: int = 1_000_000,
    compression: str = COMPRESSIONS[0],
    summary_json: str | Path | None = None,
    connect_timeout: float = SCHEDULER_TIMEOUT,
) -> Summary:
    """Run ``book`` (a Parquet file or a directory of Parquet parts) on a Dask cluster and
    write ``output`` (a file, or a directory of parts for a directory; Parquet compressed with
    ``compression``) for the base case and ``scenarios`` (sent to every task), rejects to the
    CSV ``rejects`` and, if asked, the summary to ``summary_json``. Give ``workers`` (a local
    cluster, 1 to :data:`MAX_WORKERS`) or ``scheduler`` (an address; refused in one line if no
    scheduler answers within ``connect_timeout`` seconds, before anything is written). Options and paths are checked as
    a local run's are, and every file is put in place together at the end, or none is."""
    from underwater.portfolio.engine import check_options, check_outputs, output_path, write_summary_json

    if (workers is None) == (scheduler is None):
        raise InputError("workers", "give either `workers` N or `scheduler` ADDRESS")
    if workers is not None and not 1 <= workers <= MAX_WORKERS:
        raise InputError("workers", f"must be 1 to {MAX_WORKERS}", got=workers)
    check_options(chunk_size, None, compression)
    if part_rows < 1:
        raise InputError("part_rows", "must be at least 1", got=part_rows)
    source = Path(book)
    if not source.exists():
        raise InputError("book", "no such file or directory", got=str(book))
    dataset = source.is_dir()
    with contextlib.ExitStack() as stack:
        if dataset:
            inputs = dataset_parts(source)
            target = Path(output)
            if target.suffix or target.is_file():
                raise InputError(
                    "output", "must be a directory (no extension) for a partitioned dataset", got=str(output)
                )
            writes = [target / path.name for path in inputs]
            reads = [("book", path) for path in inputs]
            check_outputs(reads, None, rejects, summary_json, [("output", path) for path in writes])
        else:
            if book_format(source) != "parquet":
                raise InputError(
                    "book", "must be Parquet (a file or a directory of parts) on a cluster", got=str(book)
                )
            target = output_path(source, output)
            if target != Path(output):  # a directory: the book's own name in it
                stack.enter_context(directory_for(target, "output"))
            inputs, writes = [source], [target]
            check_outputs([("book", source)], target, rejects, summary_json)
        for path in inputs:
            schema = schema_of(path)
            check_columns(schema.names(), str(path) if dataset else "book")
            check_types(schema, str(path) if dataset else "book")
        # The cluster first: an address where no scheduler answers is refused before anything
        # more is made on disk (and a directory made for the output is removed again).
        client = _client(workers, scheduler, connect_timeout)
        stack.callback(_close, client, workers)
        if dataset:
            stack.enter_context(directory_for(target / "parts", "output"))
        clean_stale([*writes, rejects, *([] if summary_json is None else [summary_json])])
        outputs = stack.enter_context(Outputs())
        rejects_temporary = outputs.reserve(rejects, "rejects")
        summary_temporary = None if summary_json is None else outputs.reserve(summary_json, "summary_json")
        output_temporary = None if dataset else outputs.reserve(target, "output")
        repeats = _repeats(inputs, chunk_size)
        scratch = stack.enter_context(temporary_directory(writes[0], "output"))
        parts = _parts(inputs, scratch, repeats, part_rows, dataset)
        summary = _run(client, parts, scenarios, rejects, rejects_temporary, chunk_size, compression)
        if output_temporary is None:
            # Every task has finished: the parts go into place with the other files.
            for part, path in zip(parts, writes, strict=True):
                outputs.adopt(part.target, path, "output")
        else:
            joined = pl.scan_parquet([part.target for part in parts])
            write_frames(
                output_temporary,
                lambda: iter(joined.collect_batches(chunk_size=chunk_size)),
                pl.Schema(joined.collect_schema()),
                compression,
                "output",
                target,
            )
        if summary_json is not None:
            write_summary_json(
                summary_json, summary, target if not dataset else output, rejects, temporary=summary_temporary
            )
        outputs.commit()
    return summary


def _parts(
    inputs: list[Path], scratch: str, repeats: KnownRepeats, part_rows: int, dataset: bool
) -> list[Part]:
    """One task per part of a dataset, or per ``part_rows`` rows of one file."""
    if dataset:
        parts, first = [], 1
        for path in inputs:
            rows = _rows(path)
            parts.append(
                Part(str(path), os.path.join(scratch, path.name), first, repeats=repeats.within(first, rows))
            )
            first += rows
        return parts
    (source,) = inputs
    total = _rows(source)
    return [
        Part(
            str(source),
            os.path.join(scratch, f"part-{k:05d}.parquet"),
            start + 1,
            start,
            part_rows,
            repeats.within(start + 1, part_rows),
        )
        for k, start in enumerate(range(0, max(total, 1), part_rows))
    ]


def _close(client: Any, workers: int | None) -> None:
    cluster = client.cluster
    client.close()
    if cluster is not None and workers is not None:
        cluster.close()


def _run(
    client: Any,
    parts: list[Part],
    scenarios: Scenarios,
    rejects: str | Path,
    rejects_temporary: str,
    chunk_size: int,
    compression: str,
) -> Summary:
    futures = client.map(
        run_part, parts, scenarios=scenarios, chunk_size=chunk_size, compression=compression, pure=False
    )
    results: list[tuple[Summary, pl.DataFrame]] = client.gather(futures)
    summary = Summary(scenarios)
    with CsvWriter(rejects, REJECT_COLUMNS, "rejects", temporary=rejects_temporary, escape=True) as writer:
        for part_summary, part_rejects in results:
            summary.merge(part_summary)
            writer.write(part_rejects)
    return summary
