"""``underwater serve``: run the web app and JSON API on this machine.

Only the standard library is imported here, so registering the command costs the CLI nothing;
Starlette and uvicorn load when the command runs.
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["EXAMPLES", "add_arguments", "run"]

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


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted; exit status 2 when the ``web`` extra is not installed."""
    try:
        import uvicorn

        from underwater.web.app import create_app
    except ImportError:
        sys.stderr.write("underwater serve: the web app needs its extra: pip install 'underwater[web]'\n")
        return 2
    sys.stderr.write(f"underwater: serving on http://{args.host}:{args.port}/ (Ctrl-C stops)\n")
    uvicorn.run(create_app(), host=args.host, port=args.port, server_header=False, log_level="info")
    return 0
