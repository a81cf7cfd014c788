"""The ``underwater portfolio`` command: a whole loan book in, per-loan figures and a summary out.

The lead registers it with ``_EXTRA_COMMANDS["portfolio"] = (SUMMARY, adder)``; :func:`adder`
adds the arguments and sets ``_handler``. polars and numpy are imported only when the command
runs, so the rest of the CLI starts without them.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import sys
from typing import TYPE_CHECKING

from underwater.errors import InputError

if TYPE_CHECKING:
    from underwater.portfolio.stress import StressPath

__all__ = ["EXAMPLES", "SUMMARY", "adder", "handle"]

SUMMARY = "run a whole loan book (CSV or Parquet): per-loan equity, crossover, stress, deficiency"

EXAMPLES = (
    "underwater portfolio book.parquet -o out.parquet",
    "underwater portfolio book.csv -o out.csv --shock 10 --shock 20 --rejects rejects.csv",
    "underwater portfolio book.parquet -o out.parquet --stress manheim_2007_09 --stress-file dip.csv",
    "underwater portfolio book.parquet -o out.parquet --summary-json summary.json --no-progress",
    "underwater portfolio book.parquet -o out.parquet --default-by-ltv le_80=0.005,80_100=0.01,gt_140=0.05",
    "underwater portfolio parts/ -o out_parts/ --workers 2",
    "underwater portfolio book.parquet -o out.parquet --scheduler tcp://10.0.0.5:8786",
    "underwater portfolio synth 1000000 -o book.parquet --seed 7",
    "underwater portfolio synth 1000 -o abs.parquet --layout regab",
)

_DESCRIPTION = """\
Reads a loan book (CSV or Parquet; columns loan_id, balance, rate_percent, remaining_payments,
value, and optionally payment, asset_class, asset_age_months, other_liens, state) in chunks,
writes one output row per good loan (equity, negative equity, LTV/CLTV, crossover month, peak
negative equity, estimated deficiency, and the same under each --shock) atomically, sends bad
rows to a reject file with the row number and the reason, and prints a summary, with the book
month by month to --horizon (loans open and under water, LTV migration, crossover months)
and each --stress path (a value index over the months ahead; presets from cited history).
'synth N' writes a synthetic book of N loans instead."""


def adder(parser: argparse.ArgumentParser) -> None:
    """Add the ``portfolio`` arguments to ``parser`` and set its handler."""
    parser.description = _DESCRIPTION
    parser.epilog = "examples:\n" + "\n".join(f"  {example}" for example in EXAMPLES)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument(
        "book",
        metavar="BOOK",
        help="the loan book: a .parquet or .csv file (or a directory of .parquet parts)",
    )
    parser.add_argument("rows", metavar="N", nargs="?", help="with 'synth': how many loans to generate")
    parser.add_argument("-o", "--output", required=True, help="output file (.parquet or .csv), or directory")
    parser.add_argument(
        "--shock",
        action="append",
        default=[],
        metavar="PERCENT",
        help="also run a one-time market drop of PERCENT %% in every value (0 to below 100; repeatable)",
    )
    parser.add_argument(
        "--stress",
        action="append",
        default=[],
        metavar="NAME",
        help="also run a named stress path from cited history (repeatable): " + _preset_names(),
    )
    parser.add_argument(
        "--stress-file",
        action="append",
        default=[],
        metavar="CSV",
        help="also run your own stress path: a CSV of month,index (100 = today's values; repeatable)",
    )
    parser.add_argument(
        "--horizon",
        default="60",
        metavar="MONTHS",
        help="follow the book month by month to this month, 0 to 600 (the summary's roll-forward) [default: 60]",
    )
    parser.add_argument(
        "--default-by-ltv",
        metavar="BUCKET=P,...",
        help="your default probability for each CLTV bucket, for loans whose row gives none: "
        "le_80=0.005,80_100=0.01,100_120=0.02,120_140=0.035,gt_140=0.05 (buckets le_80, 80_100, 100_120, "
        "120_140, gt_140, no_value; a bucket left out gives those loans no expected loss)",
    )
    parser.add_argument("--rejects", help="reject file (.csv) [default: OUTPUT's name + .rejects.csv]")
    parser.add_argument("--summary-json", help="also write the summary as JSON to this file")
    parser.add_argument(
        "--chunk-size", default="250000", help="rows per chunk, 1 to 1000000 [default: 250000]"
    )
    parser.add_argument(
        "--compression",
        help="Parquet output compression: snappy, zstd (level 1: a third smaller), lz4 or uncompressed "
        "[default: snappy]",
    )
    parser.add_argument(
        "--threads", help="threads computing each chunk, 1 to 256 [default: the cores this process may use]"
    )
    parser.add_argument("--workers", help="run on a local Dask cluster of N worker processes (1 to 256)")
    parser.add_argument("--scheduler", help="run on the Dask cluster at this address (tcp://HOST:PORT)")
    parser.add_argument(
        "--scheduler-timeout",
        default="10",
        help="seconds to wait for the scheduler to answer, 1 to 600 [default: 10]",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on the terminal")
    parser.add_argument("--seed", default="0", help="with 'synth': the random seed [default: 0]")
    parser.add_argument(
        "--layout",
        default="book",
        choices=("book", "regab"),
        help="the book's column names: this tool's (book) or SEC Regulation AB II auto-loan fields "
        "(regab); with 'synth', the names to write [default: book]",
    )
    parser.set_defaults(_handler=handle)


def _count(text: str, field: str, minimum: int = 1, maximum: int | None = None) -> int:
    # ASCII digits only: int() would also read other scripts' digits ("٦٠" is 60).
    if not re.fullmatch(r"[0-9]{1,30}", text.strip()):
        raise InputError(field, "must be a whole number", got=text)
    number = int(text.strip())
    if number < minimum:
        raise InputError(field, f"must be at least {minimum}", got=text)
    if maximum is not None and number > maximum:
        raise InputError(field, f"must be at most {maximum:,}", got=text)
    return number


def handle(args: argparse.Namespace) -> int:
    """Run the command; returns the exit status (bad input raises InputError: exit 2).

    SIGTERM or Ctrl-C during the run removes its temporary files and exits 143 or 130
    (:mod:`underwater.portfolio.signals`)."""
    from underwater.portfolio.allocators import prepare_for_batch

    prepare_for_batch()  # before numpy and polars load
    if args.book == "synth":
        return _synth(args)
    if args.rows is not None:
        raise InputError("book", "takes one book; N is only for 'synth'", got=args.rows)
    from underwater.portfolio.defaults import parse_default_curve
    from underwater.portfolio.engine import (
        MAX_CHUNK,
        MAX_THREADS,
        Progress,
        default_rejects_path,
        output_path,
        parse_shocks,
        run_portfolio,
    )
    from underwater.portfolio.io import COMPRESSIONS
    from underwater.portfolio.scenarios import Scenarios
    from underwater.portfolio.signals import removing_temporaries_on_signals
    from underwater.portfolio.summary import render_summary

    shocks = parse_shocks(args.shock)
    paths = _stress_paths(args.stress, args.stress_file)
    curve = None if args.default_by_ltv is None else parse_default_curve(args.default_by_ltv)
    compression = COMPRESSIONS[0] if args.compression is None else args.compression
    chunk_size = _count(args.chunk_size, "chunk_size", maximum=MAX_CHUNK)
    horizon = _count(args.horizon, "horizon", minimum=0, maximum=600)
    scenarios = Scenarios(shocks, paths, horizon, curve)
    threads = None if args.threads is None else _count(args.threads, "threads", maximum=MAX_THREADS)
    cluster = args.workers is not None or args.scheduler is not None
    # A directory as the output of one book: the book's own name in it (as a dataset's parts).
    output = args.output if os.path.isdir(args.book) else str(output_path(args.book, args.output))
    rejects = args.rejects if args.rejects is not None else str(default_rejects_path(output))
    if args.stress_file:
        from underwater.portfolio.files import check_distinct

        writes = [("output", output), ("rejects", rejects)]
        writes += [] if args.summary_json is None else [("summary_json", args.summary_json)]
        check_distinct([("stress_file", path) for path in args.stress_file], writes)
    with removing_temporaries_on_signals():
        if cluster:
            from underwater.portfolio.cluster import MAX_WORKERS, run_cluster

            if args.layout != "book":
                raise InputError("layout", "regab runs on one machine: convert the book first for a cluster")
            workers = None if args.workers is None else _count(args.workers, "workers", maximum=MAX_WORKERS)
            if workers is not None and args.scheduler is not None:
                raise InputError("workers", "give either `workers` N or `scheduler` ADDRESS, not both")
            summary = run_cluster(
                args.book,
                output,
                scenarios=scenarios,
                rejects=rejects,
                workers=workers,
                scheduler=args.scheduler,
                connect_timeout=_count(args.scheduler_timeout, "scheduler_timeout", maximum=600),
                chunk_size=chunk_size,
                compression=compression,
                summary_json=args.summary_json,
            )
        else:
            show = not args.no_progress and sys.stderr.isatty()
            summary = run_portfolio(
                args.book,
                args.output,
                scenarios=scenarios,
                rejects=rejects,
                chunk_size=chunk_size,
                threads=threads,
                progress=Progress(None, enabled=show),
                compression=compression,
                summary_json=args.summary_json,
                layout=args.layout,
            )
    sys.stdout.write(render_summary(summary) + "\n")
    sys.stdout.write(f"wrote {output}; rejects in {rejects}\n")
    return 0


def _preset_names() -> str:
    # The data file's names without loading polars (the help is built whenever the CLI starts).
    from underwater.datafiles import load_json

    return ", ".join(load_json("stress_paths.json")["paths"])


def _stress_paths(names: list[str], files: list[str]) -> tuple[StressPath, ...]:
    """The presets named and the paths of the files given, each file's path named by its file
    name (``dip.csv`` → ``dip``); a name used twice is refused."""
    from underwater.portfolio.stress import parse_path_csv, stress_path

    paths = [stress_path(name.strip()) for name in names]
    for file in files:
        try:
            with open(file, encoding="utf-8", newline="") as handle:
                text = handle.read(2 << 20)
        except (OSError, UnicodeDecodeError) as error:
            reason = error.strerror if isinstance(error, OSError) else "is not UTF-8 text"
            raise InputError("stress_file", f"could not be read: {reason}", got=file) from None
        name = re.sub(r"[^a-z0-9_]", "_", os.path.splitext(os.path.basename(file))[0].lower())[:40] or "file"
        path = parse_path_csv(text, name)
        paths.append(dataclasses.replace(path, title=f"your path from {file}", source=f"the file {file}"))
    names_given = [path.name for path in paths]
    repeated = sorted({name for name in names_given if names_given.count(name) > 1})
    if repeated:
        raise InputError("stress", "each stress path must have its own name", got=", ".join(repeated))
    return tuple(paths)


def _synth(args: argparse.Namespace) -> int:
    from underwater.portfolio.files import check_writable
    from underwater.portfolio.io import book_format
    from underwater.portfolio.signals import removing_temporaries_on_signals
    from underwater.portfolio.synth import write_synth_book

    if args.rows is None:
        raise InputError("rows", "synth needs how many loans to write, e.g. 'synth 1000000'")
    rows = _count(args.rows, "rows", maximum=1_000_000_000)
    seed = _count(args.seed, "seed", minimum=0)
    check_writable("output", args.output)
    book_format(args.output, "output")
    with removing_temporaries_on_signals():
        write_synth_book(args.output, rows, seed=seed, layout=args.layout)
    sys.stdout.write(f"wrote {rows:,} synthetic loans to {args.output} (seed {seed})\n")
    return 0
