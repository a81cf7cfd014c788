"""The files of a run: none it reads is ever written, modes follow the umask, file-system faults
are one line (exit 2), and a run stopped by SIGTERM or SIGINT leaves no temporary file.

Everything here is real: real files, links, a real tmpfs that fills up (where mounting is
allowed), a real file-size limit, a real unprivileged user, and a real process sent a signal.
"""

from __future__ import annotations

import contextlib
import fcntl
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
        (["small.csv", "-o", "."], "--output", "is the same file as BOOK"),  # ./small.csv
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
        (
            ["small.csv", "-o", "o.csv", "--scheduler", "tcp://127.0.0.1:1", "--scheduler-timeout", "0"],
            "--scheduler-timeout",
            "at least 1",
        ),
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
import underwater.portfolio.kernel, underwater.portfolio.idtable, underwater.portfolio.tally
import underwater.portfolio.csvscan
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


@pytest.mark.parametrize("directory", ["sub", "sub/", "new/", "new/deeper/"])
def test_a_directory_as_the_output_of_one_book_gets_the_books_name(
    book: Path, capsys: pytest.CaptureFixture[str], directory: str
) -> None:
    # The README allows a directory for -o; for one book it was refused ("name a file").
    (book.parent / "sub").mkdir()
    code, err = _cli(capsys, "small.csv", "-o", directory, "--summary-json", "s.json")
    assert code == 0, err
    written = book.parent / directory
    assert sorted(p.name for p in written.iterdir()) == ["small.csv", "small.rejects.csv"]
    assert pl.read_csv(written / "small.csv")["loan_id"].to_list() == ["A", "B"]


def test_a_failed_run_into_a_new_directory_leaves_no_directory(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (book.parent / "empty.csv").write_text("")
    code, err = _cli(capsys, "empty.csv", "-o", "new/deeper/")
    assert code == 2 and "is empty" in err
    assert not (book.parent / "new").exists()


# -- a book must be a regular file, opened once --------------------------------------------------


def test_a_fifo_named_csv_is_refused_at_once_without_a_writer(tmp_path: Path) -> None:
    # It hung forever: the book was opened twice, and a pipe's second open waits for a writer.
    fifo = tmp_path / "book.csv"
    os.mkfifo(fifo)
    started = time.monotonic()
    done = run_underwater([str(fifo), "-o", str(tmp_path / "o.csv")])
    assert done.returncode == 2, done.stderr
    assert (
        done.stderr.count("\n") == 1
        and "BOOK: must be a regular file, not a named pipe (FIFO)" in done.stderr
    )
    assert time.monotonic() - started < 60
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.csv"]


def test_a_fifo_with_a_writer_is_refused_too_and_the_writer_is_left_alone(tmp_path: Path) -> None:
    fifo = tmp_path / "book.csv"
    os.mkfifo(fifo)
    writer = subprocess.Popen(["sh", "-c", f"printf '{HEADER}{ROWS}' > {fifo}"])
    try:
        done = run_underwater([str(fifo), "-o", str(tmp_path / "o.csv")])
    finally:
        # Nobody reads the pipe: open it for reading once, so the writer can finish.
        with open(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK), "rb") as drain:
            writer.wait(timeout=30)
            drain.read()
    assert done.returncode == 2 and "not a named pipe (FIFO)" in done.stderr


@pytest.mark.parametrize("device", ["/dev/null", "/dev/zero"])
def test_a_device_named_csv_is_refused(tmp_path: Path, device: str) -> None:
    # /dev/zero would be read for ever; a symbolic link with a book's name is followed.
    link = tmp_path / "book.csv"
    link.symlink_to(device)
    with pytest.raises(InputError, match="must be a regular file, not a device") as error:
        run_portfolio(link, tmp_path / "o.csv")
    assert error.value.field == "book"


def test_a_csv_book_is_opened_once(tmp_path: Path) -> None:
    book = tmp_path / "book.csv"
    book.write_text(HEADER + ROWS)
    opened: list[str] = []
    real_open = os.open

    def counting_open(path: Any, *args: Any, **kwargs: Any) -> int:
        if os.fspath(path) == os.fspath(book):
            opened.append(os.fspath(path))
        return real_open(path, *args, **kwargs)

    os.open = counting_open  # type: ignore[assignment]
    try:
        run_portfolio(book, tmp_path / "o.csv", progress=None)
    finally:
        os.open = real_open
    assert len(opened) == 1


# -- a run's files change together or not at all ---------------------------------------------


def _old_files(directory: Path) -> dict[str, bytes]:
    (directory / "o.csv").write_text("old output\n")
    (directory / "o.rejects.csv").write_text("old rejects\n")
    return {p.name: p.read_bytes() for p in directory.iterdir() if p.is_file()}


def test_a_summary_json_that_cannot_be_written_replaces_nothing(open_directory: Path) -> None:
    # It exited 2 after the output and the reject file were already replaced. The directory
    # for the summary is read-only to the user running (root writes anywhere, so: nobody).
    book = open_directory / "book.csv"
    book.write_text(HEADER + ROWS)
    out = open_directory / "out"
    out.mkdir()
    before = _old_files(out)
    for path in (out, *out.iterdir()):
        os.chown(path, 65534, 65534)
    locked = open_directory / "locked"
    locked.mkdir(mode=0o555)
    arguments = [
        str(book),
        "-o",
        str(out / "o.csv"),
        "--summary-json",
        str(locked / "s.json"),
        "--no-progress",
    ]
    done = subprocess.run(
        [sys.executable, "-c", _AS_NOBODY, "portfolio", *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1
    assert "--summary-json: could not be written: Permission denied" in done.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert list(locked.iterdir()) == []


def test_a_full_disk_for_the_summary_json_replaces_nothing(tiny_disk: Path, tmp_path: Path) -> None:
    # On a full disk an older output was replaced while the old summary stayed.
    book = tmp_path / "book.csv"
    book.write_text(HEADER + ROWS)
    before = _old_files(tmp_path)
    (tiny_disk / "s.json").write_text("old summary\n")
    with contextlib.suppress(OSError), open(tiny_disk / "filler", "wb") as filler:
        while True:
            filler.write(b"x" * 4096)
            filler.flush()
    with pytest.raises(InputError) as error:
        run_portfolio(book, tmp_path / "o.csv", summary_json=tiny_disk / "s.json")
    assert error.value.field == "summary_json" and "No space left on device" in error.value.rule
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["filler", "s.json"]
    assert (tiny_disk / "s.json").read_text() == "old summary\n"


def test_a_successful_run_replaces_every_file(tmp_path: Path) -> None:
    book = tmp_path / "book.csv"
    book.write_text(HEADER + ROWS)
    _old_files(tmp_path)
    run_portfolio(book, tmp_path / "o.csv", summary_json=tmp_path / "s.json")
    assert (tmp_path / "o.csv").read_text().startswith("loan_id,")
    assert (tmp_path / "o.rejects.csv").read_text() == "row,loan_id,field,reason\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.csv", "o.csv", "o.rejects.csv", "s.json"]


# -- temporary files a run that died left behind ---------------------------------------------------


def test_stale_temporaries_are_removed_by_the_next_run_in_that_directory(tmp_path: Path) -> None:
    book = tmp_path / "book.csv"
    book.write_text(HEADER + ROWS)
    stale = [
        tmp_path / ".o.csv.k3j9x0ab.tmp",  # as earlier versions named it, for a file this run writes
        tmp_path / ".o.rejects.csv.underwater-abcdefgh.tmp",
        tmp_path / ".other.parquet.underwater-12345678.tmp",
    ]
    for path in stale:
        path.write_bytes(b"x" * 1000)
    parts = tmp_path / ".underwater-parts-zz99zz99"
    parts.mkdir()
    (parts / "part-0.parquet").write_bytes(b"x")
    kept = [tmp_path / ".notes.txt.k3j9x0ab.tmp", tmp_path / "x.underwater-abcdefgh.tmp"]  # not ours
    for path in kept:
        path.write_text("keep")
    live = tmp_path / ".o.csv.underwater-livelive.tmp"  # a run still going holds its lock
    live.write_text("live")
    with open(live, "rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        run_portfolio(book, tmp_path / "o.csv")
    assert not any(path.exists() for path in [*stale, parts])
    assert all(path.exists() for path in [*kept, live])


def test_a_killed_run_leaves_temporaries_that_the_next_run_removes(long_book: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    arguments = [str(long_book), "-o", str(out / "o.parquet"), "--chunk-size", "2000", "--no-progress"]
    process = subprocess.Popen(
        [sys.executable, "-m", "underwater", "portfolio", *arguments],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while len(list(out.glob(".*.tmp"))) < 2 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert process.poll() is None, "the run ended before it could be killed"
        process.kill()  # SIGKILL: no handler runs, nothing is cleaned
        process.wait(timeout=30)
    finally:
        if process.poll() is None:  # pragma: no cover - only if the kill failed
            process.kill()
            process.wait()
    left = sorted(p.name for p in out.iterdir())
    assert len(left) == 2 and all(".underwater-" in name for name in left)
    small = tmp_path / "small.parquet"
    write_synth_book(small, 100, seed=3)
    done = run_underwater([str(small), "-o", str(out / "o.parquet")])
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["o.parquet", "o.rejects.csv"]


# -- the reject file writes control characters as escapes -----------------------------------------


def test_a_reject_file_escapes_control_characters(tmp_path: Path) -> None:
    # A loan_id with a NUL or a line break was written as it was: a reject file line split in two.
    book = tmp_path / "book.parquet"
    ids = ["A\x00B", "C\nD", "E\rF", "G\tH", "ok"]
    pl.DataFrame(
        {
            "loan_id": ids,
            "balance": ["18000"] * 5,
            "rate_percent": ["6.9"] * 5,
            "remaining_payments": ["60"] * 5,
            "value": ["15000"] * 5,
        }
    ).write_parquet(book)
    run_portfolio(book, tmp_path / "o.parquet", rejects=tmp_path / "r.csv")
    lines = (tmp_path / "r.csv").read_bytes().split(b"\n")
    assert lines[0] == b"row,loan_id,field,reason" and lines[-1] == b""
    assert [line.split(b",")[1] for line in lines[1:-1]] == [b"A\\x00B", b"C\\nD", b"E\\rF", b"G\\tH"]
    assert all(byte >= 0x20 for line in lines for byte in line)
