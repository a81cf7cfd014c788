"""``underwater serve``: run the web app and JSON API on this machine.

Only the standard library is imported here, so registering the command costs the CLI nothing;
Starlette and uvicorn load when the command runs.

The server refuses a request head (request line plus headers) over :data:`HEAD_LIMIT` bytes:
414 when the request line alone is too long, 431 when the headers are, each in the API's
error shape and without resetting the connection (:mod:`underwater.web.protocol`). The app
itself answers 414 for a path and query string over :data:`underwater.web.app.URL_LIMIT`.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from typing import Any

__all__ = ["EXAMPLES", "HEAD_LIMIT", "add_arguments", "config", "run"]

HEAD_LIMIT = 16 * 1024
"""The longest request head (request line plus headers) the server reads, in bytes."""

EXAMPLES = (
    "underwater serve",
    "underwater serve --port 8000",
    "underwater serve --host 0.0.0.0 --port 8080",
)


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port number from 1 to 65535 (got {text!r})")
    return int(text)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--host`` and ``--port`` to the ``serve`` subcommand and point it at :func:`run`."""
    parser.epilog = "examples:\n" + "\n".join(f"  {example}" for example in EXAMPLES)
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on [default: 127.0.0.1, this machine only; 0.0.0.0 opens it to the network]",
    )
    parser.add_argument("--port", type=_port, default=8000, help="TCP port to listen on [default: 8000]")
    parser.set_defaults(_handler=run)


def config(app: Any, host: str = "127.0.0.1", port: int = 8000, **options: Any) -> Any:
    """The ``uvicorn.Config`` that ``underwater serve`` runs ``app`` with (a test starts the
    same server on a port of its own); ``options`` go to uvicorn as they are."""
    import uvicorn

    from underwater.web.protocol import HeadLimitedProtocol

    settings: dict[str, Any] = {
        "host": host,
        "port": port,
        "http": HeadLimitedProtocol,
        "h11_max_incomplete_event_size": HEAD_LIMIT,
        "server_header": False,
        "log_level": "info",
        **options,
    }
    return uvicorn.Config(app, **settings)


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted; exit status 2 when the ``web`` extra is not installed, 3 when
    the server could not start (the port is taken, say: uvicorn has logged why)."""
    try:
        import uvicorn

        from underwater.web.app import create_app
    except ImportError:
        sys.stderr.write("underwater serve: the web app needs its extra: pip install 'underwater[web]'\n")
        return 2
    sys.stderr.write(f"underwater: serving on http://{args.host}:{args.port}/ (Ctrl-C stops)\n")
    server = uvicorn.Server(config(create_app(), args.host, args.port))
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    return 0 if server.started else 3
