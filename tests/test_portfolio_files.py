"""The files of a run: none it reads is ever written, modes follow the umask, file-system faults
are one line (exit 2), and a run stopped by SIGTERM or SIGINT leaves no temporary file.

Everything here is real: real files, links, a real tmpfs that fills up (where mounting is
allowed), a real file-size limit, a real unprivileged user, and a real process sent a signal.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from underwater import cli
from underwater.errors import InputError
from underwater.portfolio.cli import SUMMARY, adder
from underwater.portfolio.cluster import run_cluster
from underwater.portfolio.engine import run_portfolio
from underwater.portfolio.synth import synth_book, write_synth_book

HEADER = "loan_id,balance,rate_percent,remaining_payments,value\n"
ROWS = "A,18000,6.9,60,15000\nB,18000,6.9,60,15000\n"


@pytest.fixture(autouse=True)
def _registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(cli._EXTRA_COMMANDS, "portfolio", (SUMMARY, adder))


@pytest.fixture
def book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "small.csv"
    path.write_text(HEADER + ROWS)
    return path


def run_underwater(arguments: list[str], **options: Any) -> subprocess.CompletedProcess[str]:
    """``underwater portfolio ARGUMENTS --no-progress`` in a real child process."""
    command = [sys.executable, "-m", "underwater", "portfolio", *arguments, "--no-progress"]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False, **options)


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = cli.main(["portfolio", *args, "--no-progress"])
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    ("arguments", "option"),
    [
        (["small.csv", "-o", "o.parquet", "--rejects", "small.csv"], "--rejects"),
        (["small.csv", "-o", "o.parquet", "--summary-json", "small.csv"], "--summary-json"),
        (["small.csv", "-o", "small.csv"], "--output"),
        (["small.csv", "-o", "o.csv", "--rejects", "o.csv"], "--rejects"),
        (["small.csv", "-o", "o.parquet", "--summary-json", "o.rejects.csv"], "--summary-json"),
        (["small.csv", "-o", "o.parquet", "--rejects", "link.csv"], "--rejects"),
        (["small.csv", "-o", "o.parquet", "--rejects", "hard.csv"], "--rejects"),
        (["small.csv", "-o", "o.parquet", "--summary-json", "./sub/../small.csv"], "--summary-json"),
        (["small.rejects.csv", "-o", "small.parquet"], "--rejects"),
    ],
)
def test_no_file_read_or_written_is_written_twice(
    book: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], option: str
) -> None:
    (book.parent / "link.csv").symlink_to(book)
    os.link(book, book.parent / "hard.csv")
    (book.parent / "sub").mkdir()
    (book.parent / "small.rejects.csv").write_text(HEADER + ROWS)
    before = {p.name: p.read_bytes() for p in book.parent.iterdir() if p.is_file()}
    code, err = _cli(capsys, *arguments)
    assert code == 2 and err.count("\n") == 1 and option in err and "Traceback" not in err
    assert {p.name: p.read_bytes() for p in book.parent.iterdir() if p.is_file()} == before


def test_a_part_directory_cannot_be_its_own_output(tmp_path: Path) -> None:
    parts = tmp_path / "parts"
    parts.mkdir()
    synth_book(50, seed=1).write_parquet(parts / "p0.parquet")
    with pytest.raises(InputError) as same_directory:
        run_cluster(parts, parts, rejects=tmp_path / "r.csv", workers=1)
    assert same_directory.value.field == "output"
    with pytest.raises(InputError) as onto_a_part:
        run_cluster(parts, tmp_path / "out", rejects=parts / "p0.parquet", workers=1)
    assert onto_a_part.value.field == "rejects"
    with pytest.raises(InputError, match="workers: must be 1 to 256"):
        run_cluster(parts, tmp_path / "out", rejects=tmp_path / "r.csv", workers=10**6)
    with pytest.raises(InputError, match="chunk_size"):
        run_cluster(parts, tmp_path / "out", rejects=tmp_path / "r.csv", workers=1, chunk_size=0)
    (parts / "p1.parquet").write_text(HEADER + ROWS)  # text with a Parquet name, among the parts
    with pytest.raises(InputError, match="could not be read") as fake_part:
        run_cluster(parts, tmp_path / "out", rejects=tmp_path / "r.csv", workers=1)
    assert fake_part.value.field == "book"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["parts"]


@pytest.mark.parametrize(
    ("arguments", "option", "rule"),
    [
        (["small.csv", "-o", "."], "--output", "is a directory"),
        (["small.csv", "-o", "sub/"], "--output", "name a file"),
        (["small.csv", "-o", "sub"], "--output", "is a directory"),
        (["small.csv", "-o", "none/o.csv"], "--output", "directory does not exist"),
        (["sub.csv", "-o", "o.csv"], "BOOK", "is a directory"),
        (["fake.parquet", "-o", "o.csv"], "BOOK", "could not be read"),
        (["missing.csv", "-o", "o.csv"], "BOOK", "no such file"),
        (["empty.csv", "-o", "o.csv"], "BOOK", "is empty"),
        (["small.csv", "-o", "o.csv", "--chunk-size", "0"], "--chunk-size", "at least 1"),
        (["small.csv", "-o", "o.csv", "--chunk-size", "9" * 25], "--chunk-size", "at most 1,000,000"),
        (["small.csv", "-o", "o.csv", "--chunk-size", "٦٠"], "--chunk-size", "whole number"),
        (["small.csv", "-o", "o.csv", "--threads", "0"], "--threads", "at least 1"),
        (["small.csv", "-o", "o.csv", "--threads", "100000"], "--threads", "at most 256"),
        (["small.csv", "-o", "o.csv", "--workers", "100000"], "--workers", "at most 256"),
        (["synth", "9" * 12, "-o", "b.parquet"], "N", "at most"),
    ],
)
def test_file_and_option_faults_are_one_line(
    book: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], option: str, rule: str
) -> None:
    (book.parent / "sub").mkdir()
    (book.parent / "sub.csv").mkdir()
    (book.parent / "fake.parquet").write_text(HEADER + ROWS)  # text with a Parquet name
    (book.parent / "empty.csv").write_text("")
    code, err = _cli(capsys, *arguments)
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert option in err and rule in err
    assert sorted(p.name for p in book.parent.iterdir()) == [
        "empty.csv",
        "fake.parquet",
        "small.csv",
        "sub",
        "sub.csv",
    ]


# Run as the unprivileged user once everything is imported (Python itself lives under /root):
# root reads any file, whatever its mode, so only another user sees "Permission denied".
_AS_NOBODY = """
import os, sys
import underwater.cli, underwater.portfolio.cli, underwater.portfolio.engine
import underwater.portfolio.signals, underwater.portfolio.summary, underwater.portfolio.cluster
os.setgid(65534)
os.setuid(65534)
underwater.cli._EXTRA_COMMANDS["portfolio"] = (underwater.portfolio.cli.SUMMARY, underwater.portfolio.cli.adder)
sys.exit(underwater.cli.main(sys.argv[1:]))
"""


@pytest.fixture
def open_directory() -> Iterator[Path]:
    """A temporary directory other users can enter (pytest's own are private to their owner)."""
    path = Path(tempfile.mkdtemp(prefix="underwater-open-"))
    path.chmod(0o755)
    try:
        for parent in path.parents:
            if parent.stat().st_mode & 0o001 == 0:  # pragma: no cover - a private temp root
                pytest.skip(f"{parent} is not open to other users")
        yield path
    finally:
        shutil.rmtree(path)


def test_an_unreadable_book_is_one_line(open_directory: Path) -> None:
    book = open_directory / "locked.csv"
    book.write_text(HEADER + ROWS)
    book.chmod(0)
    out = open_directory / "out"
    out.mkdir()
    out.chmod(0o777)
    if os.geteuid() != 0:
        with pytest.raises(InputError, match="could not be read: Permission denied"):
            run_portfolio(book, out / "o.csv")
        return
    arguments = ["portfolio", str(book), "-o", str(out / "o.csv"), "--no-progress"]
    done = subprocess.run(
        [sys.executable, "-c", _AS_NOBODY, *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "BOOK: could not be read: Permission denied" in done.stderr
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o002])
def test_files_written_take_the_umask_mode(tmp_path: Path, umask: int) -> None:
    book = tmp_path / "book.csv"
    book.write_text(HEADER + ROWS + "A,1,1,1,1\n")
    previous = os.umask(umask)
    try:
        run_portfolio(book, tmp_path / "o.parquet", summary_json=tmp_path / "s.json")
    finally:
        os.umask(previous)
    for name in ("o.parquet", "o.rejects.csv", "s.json"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o666 & ~umask, name


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 64 KiB file system (tmpfs), or a skip where mounting is not allowed."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root and mount(8)")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True, check=False
    )
    if done.returncode:
        pytest.skip("mounting a tmpfs is not allowed here: " + done.stderr.decode(errors="replace"))
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


@pytest.mark.parametrize(("output", "option"), [("o.parquet", "output"), ("o.csv", "output")])
def test_a_full_disk_is_one_error_and_leaves_nothing(
    tiny_disk: Path, tmp_path: Path, output: str, option: str
) -> None:
    book = tmp_path / "book.parquet"
    write_synth_book(book, 5000, seed=2)
    with pytest.raises(InputError) as error:
        run_portfolio(book, tiny_disk / output, rejects=tmp_path / "r.csv", chunk_size=1000)
    assert error.value.field == option and "No space left on device" in error.value.rule
    assert list(tiny_disk.iterdir()) == []
    assert not (tmp_path / "r.csv").exists()


def test_a_full_disk_for_the_rejects_is_one_error(tiny_disk: Path, tmp_path: Path) -> None:
    book = tmp_path / "book.csv"
    book.write_text(HEADER + "".join(f"L{k},-5,6.9,60,15000\n" for k in range(5000)))
    with pytest.raises(InputError) as error:
        run_portfolio(book, tmp_path / "o.parquet", rejects=tiny_disk / "r.csv", chunk_size=500)
    assert error.value.field == "rejects" and "No space left on device" in error.value.rule
    assert list(tiny_disk.iterdir()) == [] and not (tmp_path / "o.parquet").exists()


def _file_size_limit() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))


def test_a_file_size_limit_is_one_line_exit_2(tmp_path: Path) -> None:
    book = tmp_path / "book.parquet"
    write_synth_book(book, 5000, seed=2)  # 300 KB: written before the limit applies
    done = run_underwater([str(book), "-o", str(tmp_path / "o.csv")], preexec_fn=_file_size_limit)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "--output: could not be written: File too large" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.parquet"]


@pytest.fixture(scope="module")
def long_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A book that takes a few seconds to run in small chunks."""
    path = tmp_path_factory.mktemp("long") / "book.parquet"
    write_synth_book(path, 400_000, seed=5)
    return path


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_mid_run_leaves_no_temporary_file(
    long_book: Path, tmp_path: Path, signum: signal.Signals, status: int
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    command = [
        sys.executable,
        "-m",
        "underwater",
        "portfolio",
        str(long_book),
        "-o",
        str(out / "o.parquet"),
        "--summary-json",
        str(out / "s.json"),
        "--chunk-size",
        "2000",
        "--shock",
        "10",
        "--no-progress",
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        # Wait until both temporary files exist (the run is writing), then signal.
        while len(list(out.glob(".*.tmp"))) < 2 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert process.poll() is None, "the run ended before it could be signalled"
        time.sleep(0.3)
        process.send_signal(signum)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:  # pragma: no cover - only if the run hung
            process.kill()
            process.wait()
    assert process.returncode == status, err
    assert f"stopped by {signum.name}" in err and "Traceback" not in err
    assert list(out.iterdir()) == []


def test_a_library_run_keeps_the_callers_signal_handlers(tmp_path: Path) -> None:
    # Only the command installs the clean stop; the library leaves handlers alone.
    book = tmp_path / "book.csv"
    book.write_text(HEADER + ROWS)
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    run_portfolio(book, tmp_path / "o.csv")
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == before
    assert pl.read_csv(tmp_path / "o.csv")["loan_id"].to_list() == ["A", "B"]
