"""Every message names a field the way each front names it (issue 16, finding 11).

Two walks. The first reads every rule text written in the source: a field named in a rule is in
backticks, so each front can spell it its own way (``--next-price`` on the command line,
``next_price`` in the API, its label on a page); a bare ``annual_miles`` would reach a person as
written. The second runs every job from its examples with each field dropped, at its bounds and
at zero, and checks that every error names a field of that job — never one of the library's own
(``principal``, ``balance``) — and reads with no bare field name once the CLI has named it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from underwater.errors import InputError, NoSolutionError
from underwater.forms import Kind
from underwater.ops import Operation, operations
from web_fakes import example_pairs

SRC = Path(__file__).resolve().parent.parent / "src" / "underwater"
OPS = operations()
FIELDS = {f.name for op in OPS.values() for f in op.form.fields}
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
TICKS = re.compile(r"`[^`]*`")


def _rule_texts() -> Iterator[tuple[str, int, str]]:
    """(file, line, text) of each literal part of the rule of an InputError or NoSolutionError."""
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if node.func.id not in ("InputError", "NoSolutionError") or len(node.args) < 2:
                continue
            rule = node.args[1]
            parts = rule.values if isinstance(rule, ast.JoinedStr) else [rule]
            for part in parts:
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    yield str(path.relative_to(SRC)), node.lineno, part.value


def _bare_fields(text: str) -> set[str]:
    return {word for word in SNAKE.findall(TICKS.sub("", text)) if word in FIELDS}


def test_every_rule_written_in_the_source_puts_field_names_in_backticks() -> None:
    found = [(where, line, text) for where, line, text in _rule_texts() if _bare_fields(text)]
    assert found == [], found


def _examples(op: Operation) -> list[dict[str, str]]:
    return [dict(example_pairs(e)[1]) for e in op.examples]


def _bounds(op: Operation, name: str) -> list[str]:
    field = op.form.field(name)
    if field.kind in (Kind.MONEY,):
        return ["0", "1000000000"]
    if field.kind in (Kind.INT, Kind.PERCENT, Kind.DECIMAL):
        values = ["0"]
        for bound in (field.minimum, field.maximum):
            if bound is not None:
                values.append(str(bound))
        return values
    if field.kind is Kind.CHOICE:
        return list(field.choices)
    return []


def _cases(op: Operation) -> Iterator[dict[str, str]]:
    for example in _examples(op):
        yield example
        for name in example:
            yield {k: v for k, v in example.items() if k != name}
        for f in op.form.fields:
            for value in _bounds(op, f.name):
                yield {**example, f.name: value}


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_error_of_every_job_names_one_of_its_own_fields(name: str) -> None:
    op = OPS[name]
    own = {f.name for f in op.form.fields}
    flag = {f.name: f.flag for f in op.form.fields}
    seen = 0
    for case in _cases(op):
        try:
            op.run(case)
        except (InputError, NoSolutionError) as exc:
            problems = exc.problems if isinstance(exc, InputError) else (exc,)
            for p in problems:
                seen += 1
                assert p.field in own, (name, case, p.field, str(p))
                cli = p.describe(lambda n: flag.get(n, n)) if isinstance(p, InputError) else p.rule
                assert not _bare_fields(TICKS.sub("", cli).replace(p.field, "")), (name, case, cli)
    assert seen, name  # the walk did reach some errors
