"""How a book run from the command line sets up the memory allocators under it, before they load.

A run allocates and frees arrays of the same large sizes chunk after chunk. Two defaults of
the libraries under it make a run pay the operating system again and again for memory it has
just freed. Each can be changed only before its library is imported, through an environment
variable the library documents:

- **numpy** asks Linux for transparent huge pages for every array of 4 MiB or more
  (``NUMPY_MADVISE_HUGEPAGE``, on by default on kernels from 4.6). Where the kernel compacts
  memory to find one on a page fault (``/sys/kernel/mm/transparent_hugepage/defrag`` set to
  ``madvise``, Debian's default), writing a new array costs about three times as much: zeroing
  a new 256 MiB array took 0.46 s with huge pages and 0.15 s without on the development
  machine. The run turns them off (``0``).
- **polars** sets its allocator, jemalloc, to give freed pages back to the system after half a
  second (``dirty_decay_ms:500,muzzy_decay_ms:1000``) and adds whatever ``_RJEM_MALLOC_CONF``
  holds to that. A chunk takes longer than half a second, so each chunk faulted in again the
  pages the one before it freed. The run keeps freed pages ten seconds (jemalloc's own default,
  ``dirty_decay_ms:10000,muzzy_decay_ms:0``).

Measured on 10 M loans (``benchmarks/bench_portfolio.py``): about 15 % less wall time, and the
peak memory about 100 MiB higher (freed pages kept for reuse; still flat in the book's size).
A variable the person has set is left as it is, and nothing is changed once numpy or polars is
loaded: a notebook's own settings are never touched.
"""

from __future__ import annotations

import os
import sys

__all__ = ["BATCH_SETTINGS", "prepare_for_batch"]

BATCH_SETTINGS: dict[str, str] = {
    "NUMPY_MADVISE_HUGEPAGE": "0",
    "_RJEM_MALLOC_CONF": "dirty_decay_ms:10000,muzzy_decay_ms:0",
}
"""The environment variables a batch run sets (see the module docstring), and their values."""

_LIBRARIES = {"NUMPY_MADVISE_HUGEPAGE": "numpy", "_RJEM_MALLOC_CONF": "polars"}


def prepare_for_batch() -> dict[str, str]:
    """Set :data:`BATCH_SETTINGS` in this process's environment where neither the person nor
    an import already settled them: a variable already set, or one whose library is already
    imported, is left alone. Returns the variables it set.

    Call it before anything imports numpy or polars (the ``underwater portfolio`` command does,
    first thing). In a process that has them loaded it changes nothing:

    >>> import numpy, polars
    >>> prepare_for_batch()
    {}
    """
    changed: dict[str, str] = {}
    for name, value in BATCH_SETTINGS.items():
        if name in os.environ or _LIBRARIES[name] in sys.modules:
            continue
        os.environ[name] = value
        changed[name] = value
    return changed
