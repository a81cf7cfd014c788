"""The allocator settings of a book run from the command line: made before numpy and polars
load, taken by both libraries, and never made over a person's own setting or in a process
that has the libraries loaded already."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from underwater.portfolio.allocators import BATCH_SETTINGS, prepare_for_batch

# Runs the command as `underwater` does, then says what each library ended up with.
_RUN = """
import json, os, sys
from underwater.cli import main
status = main(sys.argv[1:])
import numpy
print(json.dumps({
    "status": status,
    "hugepage": bool(numpy._core.multiarray._get_madvise_hugepage()),
    "jemalloc": os.environ.get("_RJEM_MALLOC_CONF"),
}))
"""


def _run(tmp_path: Path, **environment: str) -> dict[str, object]:
    book = tmp_path / "book.csv"
    book.write_text("loan_id,balance,rate_percent,remaining_payments,value\nA,18000,6.9,60,15000\n")
    env = {name: value for name, value in os.environ.items() if name not in BATCH_SETTINGS} | environment
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            _RUN,
            "portfolio",
            str(book),
            "-o",
            str(tmp_path / "out.csv"),
            "--no-progress",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_the_command_sets_both_allocators_before_they_load(tmp_path: Path) -> None:
    result = _run(tmp_path)
    assert result["status"] == 0
    assert result["hugepage"] is False
    # polars puts its own defaults first and the variable's value after them: the later wins.
    jemalloc = str(result["jemalloc"])
    assert jemalloc.startswith("dirty_decay_ms:500,")
    assert jemalloc.endswith("," + BATCH_SETTINGS["_RJEM_MALLOC_CONF"])


def test_a_persons_own_setting_is_kept(tmp_path: Path) -> None:
    result = _run(tmp_path, NUMPY_MADVISE_HUGEPAGE="1", _RJEM_MALLOC_CONF="dirty_decay_ms:0")
    assert result["status"] == 0
    assert result["hugepage"] is True
    assert str(result["jemalloc"]).endswith(",dirty_decay_ms:0")
    assert BATCH_SETTINGS["_RJEM_MALLOC_CONF"] not in str(result["jemalloc"])


def test_nothing_changes_once_the_libraries_are_loaded() -> None:
    import numpy  # noqa: F401
    import polars  # noqa: F401

    before = dict(os.environ)
    assert prepare_for_batch() == {}
    assert dict(os.environ) == before
