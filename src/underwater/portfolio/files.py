"""Which files a run reads and writes, and the rule that it never writes over one it reads.

Before any work, every file a run will write (the output, or each part of an output directory;
the reject file; the summary JSON) is compared with every other one and with every file it
reads (the book, or each Parquet part of a book directory). Two names are the same file when
they resolve to the same path (symbolic links followed) or, for files that exist, when they are
the same inode on the same device (hard links). A clash refuses the run with an
:class:`~underwater.errors.InputError` naming the option, before anything is written.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from underwater.errors import InputError

__all__ = ["LABELS", "check_distinct", "check_writable", "input_files"]

LABELS = {
    "book": "the book",
    "output": "the output",
    "rejects": "the reject file",
    "summary_json": "the summary JSON",
}
"""How each option's file is named in a message."""


def input_files(book: str | Path) -> list[Path]:
    """The files a run reads: the book, or the ``*.parquet`` files of a book directory."""
    path = Path(book)
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix.lower() == ".parquet" and p.is_file())
    return [path]


def _identity(path: str | Path) -> tuple[str, tuple[int, int] | None]:
    resolved = os.path.realpath(path)
    try:
        status = os.stat(resolved)
    except OSError:
        return resolved, None
    return resolved, (status.st_dev, status.st_ino)


def check_distinct(reads: Sequence[tuple[str, str | Path]], writes: Sequence[tuple[str, str | Path]]) -> None:
    """Refuse a run that would write a file it reads, or write one file twice. ``reads`` and
    ``writes`` are (option, path) pairs; the message names the writing option.

    >>> check_distinct([("book", "loans.csv")], [("output", "out.parquet"), ("rejects", "loans.csv")])
    Traceback (most recent call last):
    ...
    underwater.errors.InputError: rejects: is the same file as book: a run never writes a file it reads \
(got 'loans.csv')
    """
    seen: list[tuple[str, str, tuple[int, int] | None]] = [(field, *_identity(path)) for field, path in reads]
    read = {field for field, _ in reads}
    for field, path in writes:
        resolved, inode = _identity(path)
        for other, other_resolved, other_inode in seen:
            if resolved == other_resolved or (inode is not None and inode == other_inode):
                if other in read:
                    rule = f"is the same file as `{other}`: a run never writes a file it reads"
                else:
                    rule = f"is the same file as {LABELS.get(other, other)}: each result needs its own file"
                raise InputError(field, rule, got=str(path))
        seen.append((field, resolved, inode))


def check_writable(field: str, path: str | Path) -> None:
    """Refuse a file to write whose directory does not exist or that is itself a directory."""
    text = str(path)
    if not os.path.basename(os.path.normpath(text)) or text.endswith(os.sep):
        raise InputError(field, "must name a file, not a directory", got=text)
    if os.path.isdir(path):
        raise InputError(field, "is a directory; name a file", got=text)
    if not os.path.isdir(os.path.dirname(os.path.abspath(path))):
        raise InputError(field, "its directory does not exist", got=text)
