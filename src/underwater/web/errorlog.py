"""How the web app logs its own failures: one line each, a traceback once per distinct error.

A server error is a bug, and its traceback is what a developer needs, once. A client that
repeats the failing request thousands of times must not turn the log into thousands of copies
of the same 3 KB traceback, so :class:`ServerErrorLog`:

- writes one line per failure, naming the request id the client was given
  (``server error 5f0c…: GET /api/x: RuntimeError: …``);
- adds the traceback only the first time an error is seen at a given place in the code (its
  type and the file and line of every frame), and at most ``tracebacks`` of them per window;
- writes at most ``lines`` lines per window; the first failure of a later window is preceded
  by one line saying how many were left out.

Windows are ``window`` seconds long (60 by default).
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable

from underwater.errors import shown_value

__all__ = ["CountedLog", "ServerErrorLog"]

_MESSAGE_LIMIT = 200
"""The most characters of an exception's message a log line repeats."""


class ServerErrorLog:
    """Logs unexpected exceptions to ``logger`` without letting a flood of them fill the log.

    >>> import logging
    >>> errors = ServerErrorLog(logging.getLogger("doctest"), lines=1, clock=lambda: 0.0)
    >>> errors.record("id1", "GET", "/x", RuntimeError("boom")), errors.record("id2", "GET", "/x", RuntimeError("boom"))
    (True, False)
    """

    def __init__(
        self,
        logger: logging.Logger,
        *,
        lines: int = 30,
        tracebacks: int = 5,
        window: float = 60.0,
        remembered: int = 512,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.logger = logger
        self.lines = lines
        self.tracebacks = tracebacks
        self.window = window
        self.remembered = remembered
        self.clock = clock
        self._lock = threading.Lock()
        self._seen: OrderedDict[tuple[object, ...], str] = OrderedDict()
        self._window_start = clock()
        self._lines_used = 0
        self._tracebacks_used = 0
        self._left_out = 0

    def record(self, request_id: str, method: str, path: str, exc: BaseException) -> bool:
        """Log one failure of request ``request_id``; ``False`` when its line was left out."""
        with self._lock:
            self._roll_window()
            if self._lines_used >= self.lines:
                self._left_out += 1
                return False
            self._lines_used += 1
            key = _site(exc)
            first = self._seen.get(key)
            line = (
                f"server error {request_id}: {method} {shown_value(path)}: "
                f"{type(exc).__name__}: {shown_value(exc)[:_MESSAGE_LIMIT]}"
            )
            if first is not None:
                self._seen.move_to_end(key)
                self.logger.error("%s (the same error as %s; its traceback is logged once)", line, first)
            elif self._tracebacks_used < self.tracebacks:
                self._tracebacks_used += 1
                self._seen[key] = request_id
                if len(self._seen) > self.remembered:
                    self._seen.popitem(last=False)
                self.logger.error("%s", line, exc_info=(type(exc), exc, exc.__traceback__))
            else:
                self.logger.error(
                    "%s (traceback left out: %d already logged this minute)", line, self.tracebacks
                )
            return True

    def _roll_window(self) -> None:
        now = self.clock()
        if now - self._window_start < self.window:
            return
        if self._left_out:
            self.logger.error(
                "%d more server errors were not logged (at most %d lines per %g s)",
                self._left_out,
                self.lines,
                self.window,
            )
        self._window_start = now
        self._lines_used = 0
        self._tracebacks_used = 0
        self._left_out = 0


def _site(exc: BaseException) -> tuple[object, ...]:
    """Where an error happened: its type and every frame's file, line and function."""
    frames = traceback.extract_tb(exc.__traceback__)
    return (type(exc).__qualname__, *((f.filename, f.lineno, f.name) for f in frames))


class CountedLog:
    """Logs an event that can come thousands of times a second (a connection refused, an
    accept that ran out of descriptors) as at most one line per ``window`` seconds: the first
    of a window with ``message``, then, when the next window starts, how many more came.

    >>> times = iter([0.0, 1.0, 2.0, 61.0])
    >>> counted = CountedLog(logging.getLogger("doctest"), "refused", clock=lambda: next(times))
    >>> [counted.note() for _ in range(4)]
    [True, False, False, True]
    """

    def __init__(
        self,
        logger: logging.Logger,
        message: str,
        *,
        window: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.logger = logger
        self.message = message
        self.window = window
        self.clock = clock
        self._lock = threading.Lock()
        self._start: float | None = None
        self._more = 0

    def note(self, detail: str = "") -> bool:
        """Count one event; ``True`` when it was logged (the first of its window)."""
        with self._lock:
            now = self.clock()
            if self._start is not None and now - self._start < self.window:
                self._more += 1
                return False
            if self._more:
                self.logger.warning("%s: %d more in %g s", self.message, self._more, self.window)
            self._start, self._more = now, 0
            self.logger.warning("%s%s", self.message, f" ({detail})" if detail else "")
            return True
