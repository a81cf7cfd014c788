"""Stopping a run by a signal (SIGTERM, or SIGINT: Ctrl-C) without leaving temporary files.

A run spends most of its time inside polars and the compiled loop, where Python's own signal
handlers cannot run until the call returns — which, for the writer, is the end of the run. So
:func:`removing_temporaries_on_signals` also asks Python to write each signal's number to a
pipe (:func:`signal.set_wakeup_fd`; the C-level handler does that at once, whatever the main
thread is doing) and a watching thread reads it: it removes every temporary file and directory
the run is writing (:func:`underwater.portfolio.io.remove_temporaries`, which also stops any
from being renamed into place), says so in one line on stderr, and ends the process with the
usual status, 128 + the signal's number (143 for SIGTERM, 130 for SIGINT). Files already
complete stay as they are; none is left half written.

The command installs it (:mod:`underwater.portfolio.cli`); the library's functions do not, so
a program that calls them keeps its own signal handling.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from types import FrameType

from underwater.portfolio.io import remove_temporaries

__all__ = ["SIGNALS", "removing_temporaries_on_signals"]

SIGNALS = (signal.SIGTERM, signal.SIGINT)
"""The signals that stop a run cleanly."""


def _noted(signum: int, frame: FrameType | None) -> None:
    """The Python-level handler: nothing to do here, the watching thread acts."""


def _watch(read_end: int, prog: str) -> None:
    while True:
        try:
            data = os.read(read_end, 64)
        except OSError:
            return
        if not data:
            return
        for signum in data:
            if signum in SIGNALS:
                remove_temporaries()
                name = signal.Signals(signum).name
                with contextlib.suppress(OSError):
                    os.write(2, f"{prog}: stopped by {name}; no output was left half written\n".encode())
                os._exit(128 + signum)


@contextlib.contextmanager
def removing_temporaries_on_signals(prog: str = "underwater portfolio") -> Iterator[None]:
    """Within the block, SIGTERM and SIGINT remove the run's temporary files and end the
    process (see the module docstring). Only the main thread can set signal handlers; called
    from another thread, this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    previous = {signum: signal.getsignal(signum) for signum in SIGNALS}
    for signum in SIGNALS:
        signal.signal(signum, _noted)
    previous_fd = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
    watcher = threading.Thread(target=_watch, args=(read_end, prog), name="underwater-signals", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        signal.set_wakeup_fd(previous_fd)
        for signum, handler in previous.items():
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)
        os.close(write_end)  # the watcher reads the end of the pipe and returns
        watcher.join()
        os.close(read_end)
