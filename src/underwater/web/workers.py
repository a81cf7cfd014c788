"""Heavy requests answered off the event loop, by a bounded pool of worker processes.

A 600-month projection or the exits comparison is 3 to 30 ms of pure-Python ``Decimal``
arithmetic. Computed on the event loop, ten clients asking for them queue every other request
behind theirs (``/api/equity`` went from 1.2 ms to 98–282 ms). Threads do not help much: the
arithmetic holds Python's global lock, so the loop's thread waits its turn for it (measured in
``benchmarks/bench_server.py``). So :class:`Offload` sends each heavy request — a job's API
endpoint, page or CSV download, and the sheet — to a :class:`WorkerPool` of processes, each
running the same app on the request as it came (method, path, query string, headers, body) and
sending back the response; the event loop only moves bytes. Cheap requests (the home page,
``/api/equity``, static files, the OpenAPI document) are answered on the loop at once.

**Bounds.** The pool has :attr:`WorkerPool.workers` processes; at most
:attr:`WorkerPool.queue_limit` heavy requests wait for one, and beyond that a heavy request is
answered ``503`` with ``Retry-After`` at once rather than held. A body is read in the server
process up to the app's limit (one byte more, so the worker can refuse it with ``413``). A
worker that dies (killed, out of memory) fails the requests it had, which answer ``500``, and
the pool starts anew for the next ones.

:class:`ThreadPool` runs the same requests in threads instead, to measure what the global lock
costs; it is not what ``underwater serve`` runs.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import re
import select
import threading
import time
from collections.abc import Awaitable, Callable, Collection, MutableMapping
from concurrent.futures import BrokenExecutor, Executor, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

__all__ = ["INLINE_JOBS", "Busy", "Offload", "ThreadPool", "WorkerPool", "default_workers", "run_request"]

INLINE_JOBS = frozenset({"equity"})
"""Jobs answered on the event loop: they take microseconds, less than a trip to a worker."""

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_JOB_PATH = re.compile(r"/(?:api/)?(?P<job>[A-Za-z0-9_-]+)(?:\.csv|\.hledger|\.beancount)?")
_PORTABLE: tuple[str, ...] = ("type", "asgi", "http_version", "method", "scheme", "path", "raw_path")
_PORTABLE += ("query_string", "root_path", "headers", "server", "client")
"""The parts of a request's scope a worker needs (all of them plain data, to be pickled)."""


def default_workers() -> int:
    """Worker processes by default: the cores this process may use, less one for the event
    loop (at least one)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        cores = os.cpu_count() or 1
    return max(1, cores - 1)


# -- in a worker ------------------------------------------------------------------------------

_LOCAL = threading.local()


def _worker_app() -> tuple[asyncio.AbstractEventLoop, ASGIApp]:
    """This process's (or thread's) app and event loop, made on first use."""
    found: tuple[asyncio.AbstractEventLoop, ASGIApp] | None = getattr(_LOCAL, "app", None)
    if found is None:
        from underwater.web.app import create_app

        found = (asyncio.new_event_loop(), create_app(guarded=False))
        _LOCAL.app = found
    return found


def run_request(scope: dict[str, Any], body: bytes) -> list[dict[str, Any]]:
    """Answer one request in a worker: the app's response as the ASGI messages it sent."""
    loop, app = _worker_app()
    sent: list[dict[str, Any]] = []
    messages = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> Message:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(dict(message))

    own = {**scope, "state": dict(scope.get("state", {}))}  # the app writes into its scope
    loop.run_until_complete(app(own, receive, send))
    return sent


def _warm() -> int:
    """Build the app in a worker (templates, registry) before the first request needs it."""
    _worker_app()
    return os.getpid()


def _outlive_not(server: int) -> None:
    """In a new worker: end it when the server process ends, however it ends. (A pool's
    workers otherwise wait for work for ever once the server is killed: each holds its own end
    of the queue it reads.)"""

    def watch() -> None:
        try:
            handle = os.pidfd_open(server)
        except (AttributeError, OSError):  # pragma: no cover - a kernel before Linux 5.3
            while True:
                time.sleep(1.0)
                try:
                    os.kill(server, 0)
                except ProcessLookupError:
                    break
                except PermissionError:
                    continue
        else:
            select.select([handle], [], [])  # readable once the process has ended
        os._exit(0)

    threading.Thread(target=watch, name="underwater-watch-server", daemon=True).start()


# -- in the server ------------------------------------------------------------------------------


class Busy(Exception):
    """As many heavy requests wait as the pool's queue takes."""


class WorkerPool:
    """``workers`` processes answering heavy requests (see the module docstring). They are
    forked from a clean server process (multiprocessing's forkserver), which imports the app
    once, so a worker starts in milliseconds; :meth:`start` warms each one up."""

    def __init__(self, workers: int | None = None, queue_limit: int | None = None) -> None:
        self.workers = default_workers() if workers is None else workers
        if self.workers < 1:
            raise ValueError("a worker pool needs at least one worker")
        self.queue_limit = 32 * self.workers if queue_limit is None else queue_limit
        self._executor: Executor | None = None
        self._waiting = 0

    def _make(self) -> Executor:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["underwater.web.workers", "underwater.web.app"])
        return ProcessPoolExecutor(
            self.workers, mp_context=context, initializer=_outlive_not, initargs=(os.getpid(),)
        )

    def start(self) -> None:
        """Start the workers and build the app in each (so the first requests wait for none)."""
        if self._executor is None:
            self._executor = self._make()
            for future in [self._executor.submit(_warm) for _ in range(self.workers)]:
                future.result(timeout=120)

    def close(self) -> None:
        """Stop the workers (a request still running finishes first)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    @property
    def full(self) -> bool:
        """Whether as many heavy requests wait as the queue takes."""
        return self._waiting >= self.queue_limit + self.workers

    async def run(self, scope: dict[str, Any], body: bytes) -> list[dict[str, Any]]:
        """The response to one request, computed by a worker; :class:`Busy` at once when
        :attr:`full`."""
        messages: list[dict[str, Any]] = await self.call(run_request, scope, body)
        return messages

    async def call(self, function: Callable[..., Any], *args: Any) -> Any:
        """``function(*args)`` computed by a worker (a module-level function and plain-data
        arguments and result, to be pickled); :class:`Busy` at once when :attr:`full`. The
        lender's page runs an uploaded book this way (:mod:`underwater.web.portfolio_page`).

        >>> import asyncio, operator
        >>> pool = ThreadPool(1)
        >>> asyncio.run(pool.call(operator.add, 2, 3))
        5
        >>> pool.close()
        """
        if self.full:
            raise Busy
        if self._executor is None:
            self._executor = self._make()  # its workers start with their first requests
        executor = self._executor
        self._waiting += 1
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(executor, function, *args)
        except BrokenExecutor:
            # A worker died (killed, out of memory): this request fails (a 500), and the next
            # ones get new workers rather than the same error for ever.
            if self._executor is executor:
                self._executor = None
                executor.shutdown(wait=False, cancel_futures=True)
            raise
        finally:
            self._waiting -= 1


class ThreadPool(WorkerPool):
    """The same requests answered by ``workers`` threads of the server process, for comparison
    (benchmarks/bench_server.py): the global lock keeps them from running beside the loop."""

    def __init__(self, workers: int | None = None, queue_limit: int | None = None) -> None:
        super().__init__(workers, queue_limit)
        self._loops: list[asyncio.AbstractEventLoop] = []

    def _adopt(self) -> None:
        """In a new thread: make its app and event loop, to be closed with the pool."""
        self._loops.append(_worker_app()[0])

    def _make(self) -> Executor:
        return ThreadPoolExecutor(self.workers, thread_name_prefix="underwater-job", initializer=self._adopt)

    def close(self) -> None:
        """Stop the threads and close their event loops."""
        super().close()
        while self._loops:
            self._loops.pop().close()


_BUSY = json.dumps(
    {
        "ok": False,
        "status": 503,
        "error": "the server is busy: try again in a second",
        "errors": [{"field": None, "rule": "the server is busy: try again in a second", "got": None}],
    }
).encode()


class Offload:
    """ASGI middleware sending heavy requests to ``pool`` (see the module docstring); ``jobs``
    are the job names the app serves, ``body_limit`` the most bytes of a body it reads."""

    def __init__(self, app: ASGIApp, pool: WorkerPool, jobs: Collection[str], body_limit: int) -> None:
        self.app = app
        self.pool = pool
        self.jobs = frozenset(jobs) - INLINE_JOBS
        self.body_limit = body_limit

    def heavy(self, path: str) -> bool:
        """Whether a request for ``path`` goes to a worker."""
        if path == "/sheet":
            return True
        found = _JOB_PATH.fullmatch(path)
        return found is not None and found.group("job") in self.jobs

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.heavy(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        body = await self._body(scope, receive)
        if body is None:
            return  # the client has gone
        portable = {key: scope[key] for key in _PORTABLE if key in scope}
        portable["headers"] = [(bytes(k), bytes(v)) for k, v in scope.get("headers", ())]
        portable["state"] = {"request_id": scope.get("state", {}).get("request_id", "-")}
        try:
            messages = await self.pool.run(portable, body)
        except Busy:
            headers = [(b"content-type", b"application/json"), (b"retry-after", b"1")]
            messages = [
                {"type": "http.response.start", "status": 503, "headers": headers},
                {"type": "http.response.body", "body": _BUSY},
            ]
        for message in messages:
            await send(message)

    async def _body(self, scope: Scope, receive: Receive) -> bytes | None:
        """The body, at most one byte past the limit (the worker's app refuses more)."""
        declared = dict(scope.get("headers", ())).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.body_limit:
            return b""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            chunks.append(chunk)
            size += len(chunk)
            if size > self.body_limit or not message.get("more_body", False):
                return b"".join(chunks)
