"""The files a run writes: each to a temporary file beside it, all put in place together.

**Together or not at all.** :class:`Outputs` gives every file a run will write (the output, the
reject file, the summary JSON; the parts of an output directory) a temporary file beside it,
before any work, so a directory that cannot be written to refuses the run at once. When the
run has written them all, :meth:`Outputs.commit` flushes each to disk (fsync), gives it the mode
the umask gives a new file (:func:`file_mode`) and renames them all into place. If anything
fails first — a write, a full disk, an exception, a signal — none is put in place and every
temporary file is removed: a run's files never come from two runs. If a rename itself fails
part way (a directory made read-only during the run), the files already renamed are put back
as they were, from hard links kept until the end (where the file system allows them).

**Temporary names** are the tool's own: ``.NAME.underwater-XXXXXXXX.tmp`` beside a file NAME,
``.underwater-parts-XXXXXXXX`` for the directory a cluster's workers write parts into. Each is
locked (:func:`fcntl.flock`) while its run lives. A run killed outright (SIGKILL, a power cut)
cannot remove them, so :func:`clean_stale` removes, at the start of the next run, every such
file or directory in the directories that run writes to whose lock nobody holds (and, for the
files that run writes, the ``.NAME.XXXXXXXX.tmp`` earlier versions named them). A lock held by
another run that is still going keeps its files.

**Signals.** The temporary files and directories being written are kept in one registry, so
that :func:`remove_temporaries` (called by :mod:`underwater.portfolio.signals` on SIGTERM or
SIGINT) can remove them all and refuse to put any more in place.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import secrets
import shutil
import stat
import tempfile
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from underwater.errors import InputError

__all__ = [
    "Interrupted",
    "Outputs",
    "atomic_path",
    "clean_stale",
    "directory_for",
    "file_mode",
    "problem_text",
    "remove_temporaries",
    "temporary_directory",
    "writing_error",
]

_TAG = "underwater-"
_OURS = re.compile(r"^\..+\.underwater-[a-z0-9_]{8}\.tmp$")
"""A temporary file of this tool (``.out.parquet.underwater-k3j9x0ab.tmp``)."""
_PARTS = re.compile(r"^\.underwater-parts-[a-z0-9_]{8}$")
"""A directory of parts of this tool."""
_EARLIER = re.compile(r"^\.(?P<name>.+)\.[a-z0-9_]{8}\.tmp$")
"""A temporary file as earlier versions named it (``.out.parquet.k3j9x0ab.tmp``)."""

# Temporary files and directories being written, so that a signal handler can remove them
# (see underwater.portfolio.signals); once closing, no temporary file may be renamed into place.
_LOCK = threading.Lock()
_LIVE: set[str] = set()
_LIVE_DIRECTORIES: set[str] = set()
_closing = False


class Interrupted(BaseException):
    """The process is being stopped by a signal: no file may be put in place any more."""


def remove_temporaries() -> list[str]:
    """Remove every temporary file and directory this process is writing, and refuse to put
    any more in place; returns what was removed. Safe to call from any thread (a signal's)."""
    global _closing
    with _LOCK:
        _closing = True
        removed = sorted(_LIVE | _LIVE_DIRECTORIES)
        for path in _LIVE:
            with contextlib.suppress(OSError):
                os.remove(path)
        for path in _LIVE_DIRECTORIES:
            shutil.rmtree(path, ignore_errors=True)
        _LIVE.clear()
        _LIVE_DIRECTORIES.clear()
    return removed


def file_mode() -> int:
    """The mode a new file gets under this process's umask (``0o644`` under ``022``).

    Read from ``/proc/self/status`` where it can be: setting the umask to read it back would
    change it for every thread at that instant.
    """
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("Umask:"):
                return 0o666 & ~int(line.split()[1], 8)
    mask = os.umask(0o022)  # pragma: no cover - a system without /proc
    os.umask(mask)  # pragma: no cover
    return 0o666 & ~mask  # pragma: no cover


def problem_text(error: BaseException) -> str:
    """The useful part of an I/O or polars error, on one line."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text.rpartition("IO error: ")[2] if "IO error: " in text else text


def writing_error(field: str, destination: str | Path, error: BaseException) -> InputError:
    """A failure to write ``destination`` as one line naming the option ``field``."""
    return InputError(field, f"could not be written: {problem_text(error)}", got=str(destination))


def _fsync(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(directory: str) -> None:
    with contextlib.suppress(OSError):  # some file systems cannot sync a directory
        _fsync(directory)


def _locked(path: str, flags: int = 0) -> int:
    fd = os.open(path, os.O_RDONLY | flags)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise
    return fd


def _new_file(directory: str, name: str) -> tuple[str, int]:
    """A new empty ``.NAME.underwater-XXXXXXXX.tmp`` in ``directory``, locked; (path, lock fd).
    It is made under a name the cleaner does not match, locked, then renamed: no other run can
    take it for a stale one in between."""
    fd, fresh = tempfile.mkstemp(prefix=f".{name}.{_TAG}", suffix=".new", dir=directory)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        path = fresh.removesuffix(".new") + ".tmp"
        os.rename(fresh, path)
    except OSError:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.remove(fresh)
        raise
    return path, fd


def _new_directory(parent: str) -> tuple[str, int]:
    fresh = tempfile.mkdtemp(prefix=f".{_TAG}parts-", suffix=".new", dir=parent)
    try:
        fd = _locked(fresh, os.O_DIRECTORY)
    except OSError:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    path = fresh.removesuffix(".new")
    try:
        os.rename(fresh, path)
    except OSError:
        os.close(fd)
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    return path, fd


def clean_stale(files: Iterable[str | Path]) -> list[str]:
    """Remove this tool's temporary files and part directories left by runs that died, in the
    directories of ``files`` (the files a run is about to write): those whose lock nobody holds
    (see the module docstring). Returns what was removed; what cannot be removed stays."""
    targets: dict[str, set[str]] = {}
    for path in files:
        target = os.path.abspath(path)
        targets.setdefault(os.path.dirname(target), set()).add(os.path.basename(target))
    removed: list[str] = []
    for directory, names in targets.items():
        try:
            entries = os.listdir(directory)
        except OSError:
            continue
        for entry in entries:
            earlier = _EARLIER.match(entry)
            ours = _OURS.match(entry) or (earlier is not None and earlier.group("name") in names)
            if not ours and not _PARTS.match(entry):
                continue
            path = os.path.join(directory, entry)
            with contextlib.suppress(OSError):
                kind = os.lstat(path).st_mode
                is_directory = stat.S_ISDIR(kind)
                if not (is_directory or stat.S_ISREG(kind)) or is_directory != bool(_PARTS.match(entry)):
                    continue
                fd = _locked(path, os.O_DIRECTORY if is_directory else 0)  # held: a live run's
                try:
                    if is_directory:
                        shutil.rmtree(path)
                    else:
                        os.remove(path)
                    removed.append(path)
                finally:
                    os.close(fd)
    return removed


@dataclass(slots=True)
class _Entry:
    field: str
    destination: str
    temporary: str
    fd: int


class Outputs:
    """The files one run writes, put in place together by :meth:`commit` (see the module
    docstring). Use it as a context manager: leaving the block without a commit (an error, a
    signal) removes every temporary file and puts nothing in place."""

    def __init__(self) -> None:
        self._entries: list[_Entry] = []

    def __enter__(self) -> Outputs:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.discard()

    def reserve(self, destination: str | Path, field: str = "output") -> str:
        """A new temporary file beside ``destination`` to write it in; a directory that cannot
        be written to is an :class:`~underwater.errors.InputError` naming ``field``, now."""
        target = os.path.abspath(destination)
        with _LOCK:
            if _closing:
                raise Interrupted
            try:
                temporary, fd = _new_file(os.path.dirname(target), os.path.basename(target))
            except OSError as error:
                raise writing_error(field, destination, error) from error
            _LIVE.add(temporary)
        self._entries.append(_Entry(field, target, temporary, fd))
        return temporary

    def adopt(self, temporary: str | Path, destination: str | Path, field: str = "output") -> None:
        """Put ``temporary`` (a file written elsewhere, in a directory of parts this run
        holds) at ``destination`` on :meth:`commit`, with the others."""
        self._entries.append(_Entry(field, os.path.abspath(destination), os.fspath(temporary), -1))

    def commit(self) -> None:
        """Flush every file, give it :func:`file_mode`, and rename them all into place; a
        failure puts back what was renamed and raises an error naming its option."""
        entry = None
        try:
            for entry in self._entries:
                _fsync(entry.temporary)
                os.chmod(entry.temporary, file_mode())
        except OSError as error:
            assert entry is not None
            raise writing_error(entry.field, entry.destination, error) from error
        with _LOCK:
            if _closing:
                raise Interrupted
            kept = [_keep(entry.destination) for entry in self._entries]
            placed = 0
            try:
                for entry in self._entries:
                    os.replace(entry.temporary, entry.destination)
                    placed += 1
            except OSError as error:
                for entry, old in zip(self._entries[:placed], kept, strict=False):
                    with contextlib.suppress(OSError):
                        if old is None:
                            os.remove(entry.destination)
                        else:
                            os.replace(old, entry.destination)
                _drop(kept)
                failed = self._entries[placed]
                raise writing_error(failed.field, failed.destination, error) from error
            _drop(kept)
            for entry in self._entries:
                _LIVE.discard(entry.temporary)
        for directory in sorted({os.path.dirname(entry.destination) for entry in self._entries}):
            _fsync_dir(directory)
        self._close()

    def discard(self) -> None:
        """Remove every temporary file not yet put in place."""
        with _LOCK:
            for entry in self._entries:
                if entry.temporary in _LIVE:
                    _LIVE.discard(entry.temporary)
                    with contextlib.suppress(OSError):
                        os.remove(entry.temporary)
        self._close()

    def _close(self) -> None:
        for entry in self._entries:
            if entry.fd >= 0:
                os.close(entry.fd)
        self._entries = []


def _keep(destination: str) -> str | None:
    """A hard link to the file at ``destination`` (the link itself, for a symbolic link) under
    a temporary name, to put it back if a later rename fails; None when there is none."""
    if not os.path.lexists(destination):
        return None
    directory, name = os.path.split(destination)
    for _ in range(100):
        kept = os.path.join(directory, f".{name}.{_TAG}{secrets.token_hex(4)}.tmp")
        try:
            os.link(destination, kept, follow_symlinks=False)
        except FileExistsError:
            continue
        except OSError:
            return None  # no hard links here: it cannot be put back, only replaced
        return kept
    return None  # pragma: no cover - 100 names taken at random all in use


def _drop(kept: Iterable[str | None]) -> None:
    for path in kept:
        if path is not None:
            with contextlib.suppress(OSError):
                os.remove(path)


@contextlib.contextmanager
def atomic_path(destination: str | Path, field: str = "output") -> Iterator[str]:
    """A temporary path beside ``destination`` to write to; on leaving the ``with`` block it is
    put in place (:meth:`Outputs.commit`), or removed if the block raised. A file-system error
    is an :class:`~underwater.errors.InputError` naming ``field``."""
    with Outputs() as outputs:
        temporary = outputs.reserve(destination, field)
        yield temporary
        outputs.commit()


@contextlib.contextmanager
def temporary_directory(near: str | Path, field: str = "output") -> Iterator[str]:
    """A new, locked ``.underwater-parts-XXXXXXXX`` directory in the directory of ``near``,
    removed on leaving the block, on an error or on a signal."""
    parent = os.path.dirname(os.path.abspath(near))
    try:
        with _LOCK:
            if _closing:
                raise Interrupted
            path, fd = _new_directory(parent)
            _LIVE_DIRECTORIES.add(path)
    except OSError as error:
        raise writing_error(field, near, error) from error
    try:
        yield path
    finally:
        with _LOCK:
            _LIVE_DIRECTORIES.discard(path)
        shutil.rmtree(path, ignore_errors=True)
        os.close(fd)


@contextlib.contextmanager
def directory_for(path: str | Path, field: str = "output") -> Iterator[None]:
    """Make the directories ``path`` is to be written in that do not exist yet; if the block
    raises, remove again those it made that are still empty (a failed run leaves no empty
    output directory behind)."""
    made: list[str] = []
    parent = os.path.dirname(os.path.abspath(path))
    while not os.path.exists(parent):
        made.append(parent)
        parent = os.path.dirname(parent)
    try:
        for directory in reversed(made):
            os.mkdir(directory)
    except OSError as error:
        _remove_empty(made)
        raise writing_error(field, path, error) from error
    try:
        yield
    except BaseException:
        _remove_empty(made)
        raise


def _remove_empty(directories: Iterable[str]) -> None:
    for directory in directories:
        with contextlib.suppress(OSError):
            os.rmdir(directory)
