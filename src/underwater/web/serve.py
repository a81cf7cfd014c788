"""``underwater serve``: run the web app and JSON API on this machine.

Only the standard library is imported here, so registering the command costs the CLI nothing;
Starlette and uvicorn load when the command runs.

The server holds clients to :class:`~underwater.web.protocol.Limits` (header, body and
upload timeouts, an idle keep-alive timeout, a cap on connections below the open-file limit: see
:mod:`underwater.web.protocol`) and answers heavy requests in a pool of worker processes
(:mod:`underwater.web.workers`). It refuses a request head (request line plus headers) over
:data:`HEAD_LIMIT` bytes: 414 when the request line alone is too long, 431 when the headers
are, each in the API's error shape and without resetting the connection. The app itself
answers 414 for a path and query string over :data:`underwater.web.app.URL_LIMIT`. An accept
that runs out of descriptors anyway (other files of the process count too) is logged as one
line a minute, not one line per attempt.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable
from typing import Any

__all__ = ["EXAMPLES", "HEAD_LIMIT", "add_arguments", "config", "run"]

HEAD_LIMIT = 16 * 1024
"""The longest request head (request line plus headers) the server reads, in bytes."""

EXAMPLES = (
    "underwater serve",
    "underwater serve --port 8000",
    "underwater serve --host 0.0.0.0 --port 8080",
    "underwater serve --workers 3 --max-connections 500",
)


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port number from 1 to 65535 (got {text!r})")
    return int(text)


def _count(low: int, high: Callable[[], int], what: str) -> Callable[[str], int]:
    def read(text: str) -> int:
        top = high()
        if not text.isdigit() or not low <= int(text) <= top:
            raise argparse.ArgumentTypeError(f"must be {what} from {low} to {top} (got {text!r})")
        return int(text)

    return read


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.1 <= value <= 3600:
        raise argparse.ArgumentTypeError(f"must be a number of seconds from 0.1 to 3600 (got {text!r})")
    return value


def _most_connections() -> int:
    import resource

    from underwater.web.protocol import RESERVED_DESCRIPTORS

    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return 1_000_000 if soft == resource.RLIM_INFINITY else max(1, soft - RESERVED_DESCRIPTORS)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``serve`` options to its subcommand and point it at :func:`run`."""
    parser.epilog = "examples:\n" + "\n".join(f"  {example}" for example in EXAMPLES)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on [default: 127.0.0.1, this machine only; 0.0.0.0 opens it to the network]",
    )
    parser.add_argument("--port", type=_port, default=8000, help="TCP port to listen on [default: 8000]")
    parser.add_argument(
        "--workers",
        type=_count(1, lambda: 64, "a number of processes"),
        help="processes computing the heavy requests (projections, exits, schedules, their pages) "
        "[default: the cores less one, at least 1]",
    )
    parser.add_argument(
        "--max-connections",
        type=_count(1, _most_connections, "a number of connections"),
        help="connections served at once; more are answered 503 [default: 1000, or the open-file "
        "limit less 256 where that is lower]",
    )
    parser.add_argument(
        "--header-timeout",
        type=_seconds,
        help="seconds a request's line and headers may take to arrive [default: 10]",
    )
    parser.add_argument(
        "--body-timeout",
        type=_seconds,
        help="seconds a request's body may take after its headers [default: 15]",
    )
    parser.add_argument(
        "--upload-timeout",
        type=_seconds,
        help="seconds a loan book's upload may take after its headers [default: 120]",
    )
    parser.add_argument(
        "--keep-alive-timeout",
        type=_seconds,
        help="seconds an idle connection stays open between requests [default: 5]",
    )
    parser.set_defaults(_handler=run)


def limits_of(args: argparse.Namespace) -> Any:
    """The :class:`~underwater.web.protocol.Limits` the options ask for (defaults elsewhere)."""
    from underwater.web.protocol import Limits

    given = {
        "header_timeout": args.header_timeout,
        "body_timeout": args.body_timeout,
        "keep_alive_timeout": args.keep_alive_timeout,
        "upload_timeout": args.upload_timeout,
        "max_connections": args.max_connections,
    }
    return Limits(**{name: value for name, value in given.items() if value is not None})


def config(app: Any, host: str = "127.0.0.1", port: int = 8000, limits: Any = None, **options: Any) -> Any:
    """The ``uvicorn.Config`` that ``underwater serve`` runs ``app`` with, holding clients to
    ``limits`` (a :class:`~underwater.web.protocol.Limits`; default: the defaults); a test
    starts the same server on a port of its own. ``options`` go to uvicorn as they are."""
    import uvicorn

    from underwater.web.protocol import BACKLOG, Limits, protocol_with

    held = Limits() if limits is None else limits
    settings: dict[str, Any] = {
        "host": host,
        "port": port,
        "http": protocol_with(held),
        "h11_max_incomplete_event_size": HEAD_LIMIT,
        "timeout_keep_alive": held.keep_alive_timeout,
        "backlog": BACKLOG,
        "server_header": False,
        "log_level": "info",
        **options,
    }
    return uvicorn.Config(app, **settings)


def server(settings: Any) -> Any:
    """A ``uvicorn.Server`` for ``settings`` whose event loop logs an accept that ran out of
    descriptors as one line a minute (asyncio logs it up to a few thousand times a second)."""
    import asyncio
    import logging

    import uvicorn

    from underwater.web.errorlog import CountedLog

    starved = CountedLog(logging.getLogger("underwater.web"), "out of file descriptors: connections wait")

    def handle(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if str(context.get("message", "")).startswith("socket.accept() out of system resource"):
            starved.note(str(context.get("exception", "")))
            return
        loop.default_exception_handler(context)

    class _Server(uvicorn.Server):
        async def serve(self, sockets: Any = None) -> None:
            asyncio.get_running_loop().set_exception_handler(handle)
            await super().serve(sockets)

    return _Server(settings)


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted; exit status 2 when the ``web`` extra is not installed, 3 when
    the server could not start (the port is taken, say: uvicorn has logged why)."""
    try:
        import uvicorn  # noqa: F401

        from underwater.web.app import create_app
        from underwater.web.workers import WorkerPool
    except ImportError:
        sys.stderr.write("underwater serve: the web app needs its extra: pip install 'underwater[web]'\n")
        return 2
    limits = limits_of(args)
    pool = WorkerPool(args.workers)
    sys.stderr.write(
        f"underwater: serving on http://{args.host}:{args.port}/ with {pool.workers} worker "
        f"process{'es' if pool.workers != 1 else ''}, at most {limits.max_connections} connections (Ctrl-C stops)\n"
    )
    # The app's lifespan starts the workers before the server answers and stops them when it
    # shuts down; they also end by themselves if the server is killed outright.
    running = server(config(create_app(pool=pool), args.host, args.port, limits))
    try:
        with contextlib.suppress(KeyboardInterrupt):
            running.run()
    finally:
        pool.close()
    return 0 if running.started else 3
