"""The ``underwater`` command: a thin front over the library.

Each job in :func:`underwater.ops.operations` becomes a subcommand whose options are built
from the job's form, so the CLI validates nothing itself. Output is a readable table, or the
same result as JSON with ``--json`` (the keys the web API uses). Bad input prints one line
naming the option and the rule, and exits with status 2; there is never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import json
import stat
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from underwater import __version__
from underwater.errors import InputError, NoSolutionError, name_fields
from underwater.forms import LINES_LIMIT, Kind
from underwater.journal import STYLES
from underwater.ops import Operation, answer_json, operations

__all__ = ["build_parser", "main"]

EXIT_BAD_INPUT = 2
EXIT_NO_SOLUTION = 1


class _Parser(argparse.ArgumentParser):
    """argparse, but every usage error is one line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def _option_naming(parser: argparse.ArgumentParser | None) -> Callable[[str], str]:
    """How an error names a field on this command line: its option (``--selling-costs``), or
    its place holder for a positional argument (``BOOK``), else the field's own name, so a
    message never shows an option that does not exist."""
    shown: dict[str, str] = {}
    for action in [] if parser is None else parser._actions:
        longest = max(action.option_strings, key=len, default=None)
        shown[action.dest] = longest or str(action.metavar or action.dest.upper())

    def naming(name: str) -> str:
        return shown.get(name, name)

    return naming


def _flag_of(name: str) -> str:
    return "--" + name.replace("_", "-")


def _add_operation(subparsers: Any, op: Operation) -> None:
    epilog = "examples:\n" + "\n".join(f"  {example}" for example in op.examples)
    parser = subparsers.add_parser(
        op.name,
        help=op.summary,
        description=op.summary,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    for f in op.form.fields:
        help_text = name_fields(f.help, _flag_of) + (" (required)" if f.required else "")
        if f.default is not None and f.kind is not Kind.FLAG:
            shown = ("yes" if f.default else "no") if f.kind is Kind.YES_NO else f.default
            help_text += f" [default: {shown}]"
        help_text = help_text.replace("%", "%%")  # argparse treats % as a format directive
        if f.kind is Kind.FLAG:
            parser.add_argument(f.flag, dest=f.name, action="store_true", help=help_text)
        elif f.repeat or f.kind is Kind.LINES:
            parser.add_argument(f.flag, dest=f.name, action="append", metavar=f.name.upper(), help=help_text)
        else:
            words = ("yes", "no") if f.kind is Kind.YES_NO else f.choices
            metavar = "{" + ",".join(words) + "}" if words else f.name.upper()
            parser.add_argument(f.flag, dest=f.name, metavar=metavar, help=help_text)
    parser.add_argument("--json", action="store_true", help="print the result as JSON (the web API's keys)")
    if op.csv is not None:
        parser.add_argument("--csv", action="store_true", help="print the table as CSV")
    if op.journal is not None:
        parser.add_argument(
            "--journal",
            choices=STYLES,
            help="print the schedule as a plain-text accounting journal for hledger or beancount",
        )
    parser.set_defaults(_operation=op, _parser=parser)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser for every subcommand; with ``command`` one of the commands that are
    not a job (``serve``, ``portfolio``), for that one alone: it parses that command's
    arguments exactly as the whole parser does, without importing every job's module first
    (a tenth of a second before a book's first row is read)."""
    parser = _Parser(
        prog="underwater",
        description="How far under water a secured loan is, why, when it surfaces, and what every way out costs.",
        epilog="Run 'underwater COMMAND --help' for a command's options and an example.",
    )
    parser.add_argument("--version", action="version", version=f"underwater {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=_Parser)
    alone = command in _EXTRA_COMMANDS
    for op in () if alone else operations().values():
        _add_operation(subparsers, op)
    for name, (summary, adder) in _EXTRA_COMMANDS.items():
        if alone and name != command:
            continue
        sub = subparsers.add_parser(
            name, help=summary, description=summary, formatter_class=argparse.RawDescriptionHelpFormatter
        )
        adder(sub)
        sub.set_defaults(_parser=sub)
    return parser


def _read_lines_file(value: str, name: str) -> str:
    """The text of ``@PATH`` for a box of lines (a statement's CSV): a regular file of UTF-8 text
    at most a little over :data:`~underwater.forms.LINES_LIMIT` bytes, never opened when it is
    a FIFO, a device or a directory; the form then holds the text to its rules."""
    path = Path(value[1:])
    try:
        info = path.stat()
    except OSError as exc:
        raise InputError(name, f"cannot read the file {str(path)!r}: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise InputError(name, f"{str(path)!r} is not a regular file")
    if info.st_size > 4 * LINES_LIMIT:
        raise InputError(
            name, f"the file {str(path)!r} is {info.st_size:,} bytes: at most {4 * LINES_LIMIT:,}"
        )
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(name, f"the file {str(path)!r} is not UTF-8 text") from None
    except OSError as exc:
        raise InputError(name, f"cannot read the file {str(path)!r}: {exc.strerror}") from None


def _run_operation(op: Operation, args: argparse.Namespace, naming: Callable[[str], str]) -> int:
    raw = {f.name: getattr(args, f.name) for f in op.form.fields if getattr(args, f.name) is not None}
    for f in op.form.fields:
        value = raw.get(f.name)
        if f.kind is Kind.LINES and isinstance(value, list):
            # One line per option, or @FILE for a file of them.
            raw[f.name] = "\n".join(_read_lines_file(v, f.name) if v.startswith("@") else v for v in value)
    if any(f.kind is Kind.FLAG for f in op.form.fields):
        raw = {k: v for k, v in raw.items() if v is not False}
    result, warnings = op.run_checked(raw)
    for name, sentence in warnings:
        sys.stderr.write(f"underwater {op.name}: warning: {naming(name)}: {sentence}\n")
    if args.json:
        sys.stdout.write(json.dumps(answer_json(result, warnings), indent=2) + "\n")
    elif getattr(args, "journal", None) and op.journal is not None:
        sys.stdout.write(op.journal(result, args.journal))
    elif getattr(args, "csv", False) and op.csv is not None:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerows(op.csv(result))
    else:
        sys.stdout.write(name_fields(op.render(result), naming) + "\n")
    return 0


# Commands that are not a single form → result job (serving the web app, batch runs).
# Each entry: name → (summary, function that adds arguments and sets ``_handler``).
_EXTRA_COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None]]] = {}


def _add_serve(parser: argparse.ArgumentParser) -> None:
    from underwater.web.serve import add_arguments  # stdlib only; uvicorn loads when serve runs

    add_arguments(parser)


def _add_portfolio(parser: argparse.ArgumentParser) -> None:
    from underwater.portfolio.cli import adder  # argparse only; polars and numpy load when it runs

    adder(parser)


_EXTRA_COMMANDS["serve"] = ("Serve the web pages and the JSON API (OpenAPI at /openapi.json).", _add_serve)
_EXTRA_COMMANDS["portfolio"] = (
    "Run a whole loan book (CSV or Parquet): per-loan equity, crossover, stress, deficiency.",
    _add_portfolio,
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default: the process arguments); returns the exit status."""
    words = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(words[0] if words else None)
    try:
        args = parser.parse_args(words)
    except SystemExit as exc:  # --help, --version and usage errors (already printed as one line)
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    command: argparse.ArgumentParser | None = getattr(args, "_parser", None)
    prog = "underwater" if command is None else command.prog
    naming = _option_naming(command)
    try:
        op: Operation | None = getattr(args, "_operation", None)
        if op is not None:
            return _run_operation(op, args, naming)
        handler: Callable[[argparse.Namespace], int] | None = getattr(args, "_handler", None)
        if handler is not None:
            return handler(args)
        parser.print_help()
        return EXIT_BAD_INPUT
    except InputError as exc:
        sys.stderr.write(f"{prog}: error: {exc.describe(naming)}\n")
        return EXIT_BAD_INPUT
    except NoSolutionError as exc:
        sys.stderr.write(f"{prog}: no solution: {exc.describe(naming)}\n")
        return EXIT_NO_SOLUTION
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        sys.stderr.write(f"{prog}: interrupted\n")
        return 130
