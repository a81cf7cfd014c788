"""Run a generator a few items ahead in a background thread.

The portfolio engine reads, validates and computes chunk k + 1 while the Parquet writer
compresses chunk k: both spend their time in code that lets go of Python's global lock
(polars, the compiled kernel), so on a machine with two cores the two stages overlap.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar, cast

__all__ = ["prefetch"]

T = TypeVar("T")

_DONE = object()
_POLL_SECONDS = 0.1


def prefetch(produce: Callable[[], Iterator[T]], depth: int = 2) -> Iterator[T]:
    """Yield what ``produce()`` yields, in order, computed up to ``depth`` items ahead in a
    background thread. An exception in the producer is raised here, where the item would have
    been; leaving the loop early (or an exception in the consumer) stops the producer.

    >>> list(prefetch(lambda: iter(range(5))))
    [0, 1, 2, 3, 4]
    """
    items: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()
    failure: list[BaseException] = []

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                items.put(item, timeout=_POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for item in produce():
                if not put(item):
                    return
        except BaseException as error:  # handed to the consumer, which raises it
            failure.append(error)
        put(_DONE)

    worker = threading.Thread(target=run, name="underwater-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            item = items.get()
            if item is _DONE:
                break
            yield cast(T, item)
        if failure:
            raise failure[0]
    finally:
        stop.set()
        worker.join()
