"""The HTTP/1.1 protocol ``underwater serve`` runs: uvicorn's h11 protocol, answering an
over-long request head with 414 or 431 (in the API's error shape) instead of a reset.

uvicorn's h11 protocol refuses a request head (request line plus headers) longer than
``h11_max_incomplete_event_size`` with a plain 400 and closes the socket at once. When the
client is still sending (a 200 KB URL), the unread bytes make the kernel reset the connection,
so the client sees a reset, not the answer. This protocol:

- answers 414 when the request line alone is over the limit, 431 when the headers are, and
  400 for any other malformed request, each as a JSON error body;
- then closes politely: it stops writing, reads and discards what the client still sends
  for up to :data:`LINGER_SECONDS` (at most :data:`LINGER_BYTES`), and closes once the client
  has read the answer and hung up.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import h11
from h11._connection import DEFAULT_MAX_INCOMPLETE_EVENT_SIZE
from uvicorn.protocols.http.h11_impl import H11Protocol

from underwater.web.errorshape import error_body

__all__ = ["LINGER_BYTES", "LINGER_SECONDS", "HeadLimitedProtocol"]

LINGER_SECONDS = 2.0
"""How long a refused connection keeps reading what the client still sends before closing."""
LINGER_BYTES = 4 * 1024 * 1024
"""The most bytes a refused connection reads and discards before closing."""

_REASONS = {400: b"Bad Request", 414: b"URI Too Long", 431: b"Request Header Fields Too Large"}


class HeadLimitedProtocol(H11Protocol):
    """uvicorn's :class:`H11Protocol` with 414/431 answers for an over-long head and a lingering close."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_bytes = 0
        self._line_ended = False
        self._in_head = False
        self._draining = False
        self._drained = 0
        self._linger: asyncio.TimerHandle | None = None

    def data_received(self, data: bytes) -> None:
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

    def send_400_response(self, msg: str) -> None:
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

    def connection_lost(self, exc: Exception | None) -> None:
        if self._linger is not None:
            self._linger.cancel()
        super().connection_lost(exc)
