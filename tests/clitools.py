"""Run the ``underwater`` CLI in-process and capture what it printed (shared by the CLI tests)."""

from __future__ import annotations

import json

import pytest

from underwater.cli import main


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Exit status, standard output and standard error of ``underwater ARGS``."""
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def run_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object], str]:
    """As :func:`run` with ``--json`` added, the output parsed ({} when there was none)."""
    code, out, err = run([*args, "--json"], capsys)
    return code, (json.loads(out) if out else {}), err
