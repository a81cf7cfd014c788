"""Fuzzing the CLI in-process: whatever is typed, ``underwater <job>`` answers with a result
(exit 0), "no solution" (exit 1) or one line naming a real option (exit 2) — never a traceback.

Each example builds one command line from a job's own fields: some fields get a sensible value,
some a hostile one (digits of other scripts, exponents, huge numbers, odd dates, control
characters), in any order. The invariants are checked on every call.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import shlex
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzzscale import examples
from hostile import HOSTILE_TEXT
from underwater.cli import build_parser, main
from underwater.forms import Field, Kind
from underwater.ops import operations

OPS = operations()

HOSTILE = st.sampled_from(HOSTILE_TEXT)

PLAUSIBLE: dict[Kind, st.SearchStrategy[str]] = {
    Kind.MONEY: st.sampled_from(["0", "1", "250", "18000", "24,000.50", "$80,000", "999999999"]),
    Kind.PERCENT: st.sampled_from(["0", "0.5", "6.9", "9", "25", "99.99", "100"]),
    Kind.DECIMAL: st.sampled_from(["0", "1", "12000", "-10", "50", "0.25"]),
    Kind.INT: st.sampled_from(["0", "1", "12", "36", "48", "360", "600", "601"]),
    Kind.DATE: st.sampled_from(["2026-12-01", "2024-02-29", "1900-01-01", "2199-12-31"]),
    Kind.PAIR: st.sampled_from(["HELOC=30000", "1=50", "2026-12-21=400", "12=36,38000,21000"]),
    Kind.TEXT: st.sampled_from(["CO", "ca", "texas", "zz", "first lien"]),
}


def _edges(field: Field) -> st.SearchStrategy[str]:
    """The field's own bounds and just past them: where valid input is most extreme."""
    edges = [str(b + d) for b in (field.minimum, field.maximum) if b is not None for d in (0, 0, 1, -1)]
    if field.kind is Kind.DECIMAL:
        edges += ["50", "99.99", "-50", "100", "1000000"]
    return st.sampled_from(edges) if edges else st.nothing()


def _value(field: Field, draw: Any) -> str:
    if field.kind is Kind.CHOICE:
        return str(draw(st.one_of(st.sampled_from(field.choices), HOSTILE)))
    plausible = PLAUSIBLE.get(field.kind, st.just("1"))
    return str(draw(st.one_of(plausible, _edges(field), HOSTILE)))


def _pairs(example: str) -> list[list[str]]:
    """An example command line as [flag] or [flag, value] groups (the job name dropped)."""
    words = shlex.split(example)[2:]
    groups: list[list[str]] = []
    for word in words:
        if word.startswith("--") and not re.fullmatch(r"--[0-9.]+", word):
            groups.append([word])
        else:
            groups[-1].append(word)
    return groups


@st.composite
def command_lines(draw: Any) -> tuple[str, list[str]]:
    """A job's documented example, mutated: some values replaced (plausible or hostile), some
    inputs added, some dropped — so most calls get deep into the computation."""
    name = draw(st.sampled_from(sorted(OPS)))
    op = OPS[name]
    by_flag = {f.flag: f for f in op.form.fields}
    groups = [g for g in _pairs(draw(st.sampled_from(op.examples))) if g[0] in by_flag]
    for group in groups:
        field = by_flag[group[0]]
        if len(group) == 2 and draw(st.integers(0, 3)) == 0:
            group[1] = _value(field, draw)
    if groups and draw(st.booleans()):
        groups.pop(draw(st.integers(0, len(groups) - 1)))
    for field in draw(st.lists(st.sampled_from(op.form.fields), max_size=4, unique_by=lambda f: f.name)):
        groups.append([field.flag] if field.kind is Kind.FLAG else [field.flag, _value(field, draw)])
    args = [name, *(word for group in groups for word in group)]
    if draw(st.booleans()):
        args.append("--json")
    return name, args


def _options(name: str) -> set[str]:
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {s for action in commands.choices[name]._actions for s in action.option_strings}


OPTIONS = {name: _options(name) for name in OPS}
_NEGATIVE_ZERO = re.compile(r"(?<![\w.])-0(?:\.0+)?(?![\w.])")
_FLAG_IN_TEXT = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")


@settings(
    max_examples=examples(600),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(command=command_lines())
def test_any_command_line_ends_in_a_result_or_one_clear_line(
    command: tuple[str, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    name, args = command
    try:
        code = main(args)
    except BaseException as exc:  # pragma: no cover - the failure being looked for
        pytest.fail(f"underwater {' '.join(args)!r} raised {exc!r}")
    out, err = capsys.readouterr()
    assert code in (0, 1, 2), (args, code, err)
    assert "Traceback" not in err
    if code == 0:
        assert out, (args, err)
        assert all(line.startswith(f"underwater {name}: warning: ") for line in err.splitlines()), (args, err)
        assert not _NEGATIVE_ZERO.search(out), (args, out)  # no "-0" or "-0.00" in JSON or tables
        return
    assert err.count("\n") == 1 and err.startswith(f"underwater {name}: "), (args, err)
    for flag in _FLAG_IN_TEXT.findall(err):
        assert flag in OPTIONS[name], (args, err, flag)


def test_the_fuzzer_reaches_every_job() -> None:
    # Guard against a generator that silently stops covering a job.
    assert set(OPTIONS) == set(OPS)
    assert all(len(OPTIONS[name]) > 2 for name in OPS)


# Each kind of input the hostile tester found (issue 12), as a fixed case: one clear line, exit 2.
FOUND = [
    (["equity", "--owed", "9" * 27, "--value", "5"], "--owed", "at most 1,000,000,000.00 dollars"),
    (["equity", "--owed", "²", "--value", "5"], "--owed", "amount of money"),
    (["equity", "--owed", "+-5", "--value", "5"], "--owed", "amount of money"),
    (["equity", "--owed", "1 2", "--value", "5"], "--owed", "amount of money"),
    (["loan", "--principal", "1000", "--rate-percent", "5", "--n-payments", "12,5"], "--n-payments", "whole"),
    (
        ["loan", "--principal", "1000", "--rate-percent", "5", "--n-payments", "9" * 4301],
        "--n-payments",
        "whole",
    ),
    (["loan", "--principal", "1000", "--rate-percent", "5", "--n-payments", "²"], "--n-payments", "whole"),
    (
        [
            "loan",
            "--principal",
            "1000",
            "--rate-percent",
            "5",
            "--n-payments",
            "12",
            "--first-payment-date",
            "9999-12-01",
        ],
        "--first-payment-date",
        "2199-12-31",
    ),
    (
        ["payoff", "--balance", "1000", "--rate-percent", "5", "--last-payment-date", "2026-W05-1"],
        "--last-payment-date",
        "YYYY-MM-DD",
    ),
]


@pytest.mark.parametrize(("args", "option", "rule"), FOUND)
def test_each_kind_found_by_the_hostile_tester_is_one_clear_line(
    args: list[str], option: str, rule: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 2
    out, err = capsys.readouterr()
    assert not out and err.count("\n") == 1
    assert err.startswith(f"underwater {args[0]}: error: {option}: ") and rule in err


def _parse(parser: argparse.ArgumentParser, words: list[str]) -> tuple[str, object, str]:
    # What a parse of ``words`` comes to: the namespace (the chosen parser by its name), or
    # the exit status; and what argparse wrote (to a string: a word may hold a lone surrogate,
    # which the terminal's stderr escapes and pytest's capture would refuse).
    written = io.StringIO()
    with contextlib.redirect_stdout(written), contextlib.redirect_stderr(written):
        try:
            found = vars(parser.parse_args(words))
        except SystemExit as exc:
            return "exit", exc.code, written.getvalue()
    chosen = found.pop("_parser", None)
    return "parsed", (None if chosen is None else chosen.prog, found), written.getvalue()


def _command_words() -> st.SearchStrategy[list[str]]:
    options = sorted(
        {
            option
            for command in ("portfolio", "serve")
            for action in next(
                a for a in build_parser(command)._actions if isinstance(a, argparse._SubParsersAction)
            )
            .choices[command]
            ._actions
            for option in action.option_strings
        }
    )
    word = st.one_of(
        st.sampled_from(options),
        st.sampled_from(["synth", "book.parquet", "10", "-1", "1e99", "٦٠", "--", "-", "=", "--shock=5"]),
        st.sampled_from(HOSTILE_TEXT),
        st.text(max_size=12),
    )
    return st.tuples(st.sampled_from(["portfolio", "serve"]), st.lists(word, max_size=8)).map(
        lambda drawn: [drawn[0], *drawn[1]]
    )


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(words=_command_words())
def test_a_command_parsed_alone_comes_to_what_the_whole_parser_gives(words: list[str]) -> None:
    # main parses `underwater portfolio ...` and `underwater serve ...` with that command's
    # parser alone: on any words, the same namespace, or the same exit and message.
    assert _parse(build_parser(words[0]), words) == _parse(build_parser(), words), words
