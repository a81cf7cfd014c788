"""The HTTP/1.1 protocol ``underwater serve`` runs: uvicorn's h11 protocol, with the limits a
server facing slow, idle or too many clients needs.

**Connections.** At most :attr:`Limits.max_connections` are served at once, a number kept below
the process's open-file limit (:func:`default_max_connections`), so that accepting never runs
out of descriptors. A connection beyond it is answered ``503`` (``Retry-After: 1``, the API's
error shape) and closed at once; the refusals are logged as one line a minute, with their count,
never one line each.

**Timeouts.** A request's head (request line and headers) must arrive within
:attr:`Limits.header_timeout` seconds — of the connection being made, for the first request,
and of its first byte for later ones; its body within :attr:`Limits.body_timeout` seconds of
the head, or :attr:`Limits.upload_timeout` seconds for a loan book sent to one of
:data:`UPLOAD_PATHS` (up to 50 MB, which a slow link takes longer than a form to send). A connection that sends nothing is closed when the first runs out; one that has sent
part of a request is answered ``408`` and closed. Between requests an idle keep-alive
connection is closed after :attr:`Limits.keep_alive_timeout` seconds (uvicorn's own timer).

**Over-long heads.** uvicorn's h11 protocol refuses a request head longer than
``h11_max_incomplete_event_size`` with a plain 400 and closes the socket at once. When the
client is still sending (a 200 KB URL), the unread bytes make the kernel reset the connection,
so the client sees a reset, not the answer. This protocol answers 414 when the request line
alone is over the limit, 431 when the headers are, and 400 for any other malformed request,
each as a JSON error body, then closes politely: it stops writing, reads and discards what the
client still sends for up to :data:`LINGER_SECONDS` (at most :data:`LINGER_BYTES`), and closes
once the client has read the answer and hung up.
"""

from __future__ import annotations

import asyncio
import json
import logging
import resource
from dataclasses import dataclass, field
from typing import Any, ClassVar

import h11
from h11._connection import DEFAULT_MAX_INCOMPLETE_EVENT_SIZE
from uvicorn.protocols.http.h11_impl import H11Protocol

from underwater.web.errorlog import CountedLog
from underwater.web.errorshape import error_body

__all__ = [
    "BACKLOG",
    "BODY_TIMEOUT",
    "HEADER_TIMEOUT",
    "KEEP_ALIVE_TIMEOUT",
    "LINGER_BYTES",
    "LINGER_SECONDS",
    "MAX_CONNECTIONS",
    "RESERVED_DESCRIPTORS",
    "UPLOAD_PATHS",
    "UPLOAD_TIMEOUT",
    "HeadLimitedProtocol",
    "Limits",
    "default_max_connections",
    "protocol_with",
]

LINGER_SECONDS = 2.0
"""How long a refused connection keeps reading what the client still sends before closing."""
LINGER_BYTES = 4 * 1024 * 1024
"""The most bytes a refused connection reads and discards before closing."""
HEADER_TIMEOUT = 10.0
"""Seconds a request's head may take to arrive."""
BODY_TIMEOUT = 15.0
"""Seconds a request's body (at most 64 KiB) may take to arrive after its head."""
UPLOAD_TIMEOUT = 120.0
"""Seconds the body of an upload (a loan book of up to 50 MB) may take to arrive after its head:
50 MB in two minutes is about 3.5 megabits a second."""
UPLOAD_PATHS = frozenset({"/portfolio", "/api/portfolio", "/api/portfolio.csv"})
"""The paths that take a file: their bodies have :attr:`Limits.upload_timeout`."""
KEEP_ALIVE_TIMEOUT = 5.0
"""Seconds an idle connection is kept open between requests."""
MAX_CONNECTIONS = 1000
"""The most connections served at once, where the open-file limit allows as many."""
BACKLOG = 64
"""Connections the kernel holds waiting to be accepted; asyncio accepts up to this many at a
time, and a few such batches can be open before the ones beyond the cap are refused and closed."""
RESERVED_DESCRIPTORS = 64 + 3 * BACKLOG
"""Descriptors kept free beyond the connections: a batch of connections being accepted (and
refused), the listening socket, the event loop, the worker pool's pipes, log files, a static
file being sent."""

_REASONS = {
    400: b"Bad Request",
    408: b"Request Timeout",
    414: b"URI Too Long",
    431: b"Request Header Fields Too Large",
    503: b"Service Unavailable",
}
log = logging.getLogger("underwater.web")


def default_max_connections() -> int:
    """:data:`MAX_CONNECTIONS`, or fewer: the open-file limit less :data:`RESERVED_DESCRIPTORS`."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return MAX_CONNECTIONS
    return max(1, min(MAX_CONNECTIONS, soft - RESERVED_DESCRIPTORS))


@dataclass(frozen=True, slots=True)
class Limits:
    """What a server holds clients to (seconds, and connections at once)."""

    header_timeout: float = HEADER_TIMEOUT
    body_timeout: float = BODY_TIMEOUT
    keep_alive_timeout: float = KEEP_ALIVE_TIMEOUT
    upload_timeout: float = UPLOAD_TIMEOUT
    max_connections: int = field(default_factory=default_max_connections)


def _answer(status: int, rule: str, *extra: tuple[bytes, bytes]) -> bytes:
    """A whole response, in the API's error shape, that closes the connection."""
    body = json.dumps(error_body(status, rule)).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
        *extra,
    ]
    head = b"HTTP/1.1 %d %s\r\n" % (status, _REASONS[status])
    return head + b"".join(b"%s: %s\r\n" % pair for pair in headers) + b"\r\n" + body


class HeadLimitedProtocol(H11Protocol):
    """uvicorn's :class:`H11Protocol` with a connection cap, header and body timeouts, and
    414/431 answers for an over-long head with a lingering close (see the module docstring).
    :func:`protocol_with` makes one with other :class:`Limits`."""

    limits: ClassVar[Limits] = Limits()
    refusals: ClassVar[CountedLog] = CountedLog(log, "connections refused: the server is at its limit")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_bytes = 0
        self._line_ended = False
        self._in_head = False
        self._draining = False
        self._drained = 0
        self._linger: asyncio.TimerHandle | None = None
        self._refused = False
        self._deadline: asyncio.TimerHandle | None = None
        self._phase = ""

    # -- connections -----------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        if len(self.connections) >= self.limits.max_connections:
            self._refused = True
            self.transport = transport
            rule = f"the server is serving its limit of {self.limits.max_connections} connections: try again"
            transport.write(_answer(503, rule, (b"retry-after", b"1")))
            transport.close()
            self.refusals.note(f"at most {self.limits.max_connections} at once")
            return
        super().connection_made(transport)
        self._watch("head")

    def connection_lost(self, exc: Exception | None) -> None:
        self._watch("")
        if self._linger is not None:
            self._linger.cancel()
        if self._refused:
            return
        super().connection_lost(exc)

    # -- timeouts --------------------------------------------------------------------------

    def _watch(self, phase: str) -> None:
        """Give the request's ``phase`` (``head``, ``body``, ``upload``; ``""``: none) its deadline."""
        if phase == self._phase:
            return
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        self._phase = phase
        if phase:
            seconds = {
                "head": self.limits.header_timeout,
                "body": self.limits.body_timeout,
                "upload": self.limits.upload_timeout,
            }[phase]
            self._deadline = self.loop.call_later(seconds, self._timed_out, phase, seconds)

    def _timed_out(self, phase: str, seconds: float) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        if phase == "head" and not self._in_head:
            self.transport.close()  # nothing of a request came: no one to answer
            return
        what = "request line and headers" if phase == "head" else "body"
        rule = f"the request's {what} must arrive within {seconds:g} s"
        self.transport.write(_answer(408, rule))
        self.transport.close()

    def _follow(self) -> None:
        """Watch the phase the request is in now (after h11 has read what came)."""
        state = self.conn.their_state
        if state is h11.IDLE:
            self._watch("head" if self._in_head or self.cycle is None else self._phase)
        elif state is h11.SEND_BODY:
            scope = getattr(self, "scope", None) or {}
            self._watch("upload" if scope.get("path") in UPLOAD_PATHS else "body")
        else:
            self._watch("")

    # -- data ------------------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        if self._draining:
            self._drained += len(data)
            if self._drained > LINGER_BYTES:
                self.transport.close()
            return
        # Count the bytes of the request head being received, and whether its first line
        # (the request line) has ended, to tell a 414 from a 431 if h11 refuses the head.
        if self.conn.their_state is h11.IDLE:
            if not self._in_head:
                self._in_head, self._head_bytes, self._line_ended = True, 0, False
            self._head_bytes += len(data)
            self._line_ended = self._line_ended or b"\n" in data
        else:
            self._in_head = False
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._in_head = False
        if not self._draining and not self.transport.is_closing():
            self._follow()

    def send_400_response(self, msg: str) -> None:
        self._watch("")
        limit = self.config.h11_max_incomplete_event_size or DEFAULT_MAX_INCOMPLETE_EVENT_SIZE
        if self._head_bytes > limit:
            status = 431 if self._line_ended else 414
            rule = (
                f"the request headers must be at most {limit} bytes in all"
                if status == 431
                else f"the request line (method, path and query string) must be at most {limit} bytes; "
                "send long inputs with POST"
            )
        else:
            status, rule = 400, "the request is not valid HTTP/1.1"
        body = json.dumps(error_body(status, rule)).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        for event in (
            h11.Response(status_code=status, headers=headers, reason=_REASONS[status]),
            h11.Data(data=body),
            h11.EndOfMessage(),
        ):
            self.transport.write(self.conn.send(event))
        self._draining = True
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self._linger = self.loop.call_later(LINGER_SECONDS, self.transport.close)

    def on_response_complete(self) -> None:
        self._watch("")  # idle now: uvicorn's keep-alive timer takes over
        super().on_response_complete()


def protocol_with(limits: Limits) -> type[HeadLimitedProtocol]:
    """:class:`HeadLimitedProtocol` holding clients to ``limits`` (a server's own class, with
    its own count of refusals)."""
    refusals = CountedLog(log, "connections refused: the server is at its limit")
    return type("LimitedProtocol", (HeadLimitedProtocol,), {"limits": limits, "refusals": refusals})
