"""The package's public names are exactly its sorted ``__all__``, and the core stays light."""

from __future__ import annotations

import subprocess
import sys

import underwater


def test_all_is_sorted_and_complete() -> None:
    public = sorted(name for name in dir(underwater) if not name.startswith("_") and name != "annotations")
    exported = sorted(name for name in underwater.__all__ if not name.startswith("__"))
    modules = {name for name in public if type(getattr(underwater, name)).__name__ == "module"}
    assert exported == sorted(set(public) - modules)
    assert underwater.__all__ == sorted(underwater.__all__)


def test_core_imports_no_framework() -> None:
    # The domain core must import without the web, batch or CLI dependencies loaded.
    code = (
        "import sys, underwater, underwater.position, underwater.money, underwater.forms\n"
        "heavy = {'numpy', 'polars', 'starlette', 'uvicorn', 'jinja2', 'dask', 'argparse'}\n"
        "loaded = heavy & set(sys.modules)\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
