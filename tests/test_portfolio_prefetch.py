"""Running a generator ahead in a thread: order kept, errors passed on, an early stop stops it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from underwater.portfolio.prefetch import prefetch


def test_items_come_in_order_and_all_of_them() -> None:
    assert list(prefetch(lambda: iter(range(1000)), depth=3)) == list(range(1000))


def test_the_producer_runs_ahead_while_the_consumer_works() -> None:
    made: list[float] = []

    def produce() -> Iterator[int]:
        for k in range(3):
            made.append(time.monotonic())
            yield k

    items = prefetch(produce, depth=2)
    assert next(items) == 0
    time.sleep(0.2)
    # While the consumer slept, the producer made the next items.
    assert len(made) == 3
    assert list(items) == [1, 2]


def test_an_error_in_the_producer_is_raised_to_the_consumer_after_the_good_items() -> None:
    def produce() -> Iterator[int]:
        yield 1
        raise ValueError("bad chunk")

    items = prefetch(produce)
    assert next(items) == 1
    with pytest.raises(ValueError, match="bad chunk"):
        next(items)


def test_leaving_early_stops_the_producer() -> None:
    made: list[int] = []

    def produce() -> Iterator[int]:
        for k in range(10_000):
            made.append(k)
            yield k

    def workers() -> set[threading.Thread]:
        # Only the prefetch's own threads: other tests' threads may end meanwhile.
        return {t for t in threading.enumerate() if t.name == "underwater-prefetch"}

    before = workers()
    items = prefetch(produce, depth=2)
    assert next(items) == 0
    items.close()  # the consumer gives up: the worker must not run on to the end
    assert len(made) < 10
    assert workers() == before
