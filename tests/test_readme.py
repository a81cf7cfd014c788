"""The README stays true: every ``console`` example runs and prints exactly what it shows,
and every CLI command and option is documented there."""

from __future__ import annotations

import argparse
import doctest
import re
import shlex
from pathlib import Path

import pytest

from underwater.cli import build_parser, main

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def console_examples() -> list[tuple[str, str]]:
    examples: list[tuple[str, str]] = []
    for block in re.findall(r"```console\n(.*?)```", README, flags=re.S):
        command: str | None = None
        output: list[str] = []
        for line in block.splitlines():
            if line.startswith("$ "):
                if command is not None:
                    examples.append((command, "\n".join(output)))
                command, output = line[2:], []
            else:
                output.append(line)
        if command is not None:
            examples.append((command, "\n".join(output)))
    return examples


EXAMPLES = console_examples()


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder shared by the examples, since some read what an earlier one wrote."""
    return tmp_path_factory.mktemp("readme")


def test_readme_has_examples() -> None:
    assert len(EXAMPLES) >= 4


@pytest.mark.parametrize(("command", "expected"), EXAMPLES, ids=[c for c, _ in EXAMPLES])
def test_console_example_output_is_real(
    command: str,
    expected: str,
    capsys: pytest.CaptureFixture[str],
    scratch: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(scratch)  # examples that write files write them there, never in the checkout
    argv = shlex.split(command)
    assert argv[0] == "underwater"
    main(argv[1:])
    out, err = capsys.readouterr()
    assert (out + err).rstrip("\n") == expected.rstrip("\n")


def test_every_command_and_option_is_documented() -> None:
    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in subparsers.choices.items():
        assert f"underwater {name}" in README, f"command {name} missing from README"
        for action in sub._actions:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help":
                    assert f"`{option}" in README, f"{name} {option} missing from README"


def test_python_examples_run() -> None:
    blocks = "\n".join(re.findall(r"```python\n(.*?)```", README, flags=re.S))
    test = doctest.DocTestParser().get_doctest(blocks, {}, "README.md", "README.md", 0)
    assert test.examples, "README has no Python examples"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.summarize(verbose=False).failed == 0
