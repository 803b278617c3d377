"""Events at exact simulated times, applied in time order as the fake's clock reaches them.

A simulation schedules what will happen (a node ends, a step's attempt ends) and,
before a request is served, takes every event due by the clock's now. Nothing runs
between requests, so what a client reads depends only on what was asked and on
the clock. In ``instant`` mode the clock jumps to each next event as it is taken,
so everything scheduled happens as soon as anybody looks.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

from mockserver.core.clock import Clock

E = TypeVar("E")


@dataclass(order=True)
class _Entry(Generic[E]):
    at: datetime
    seq: int
    event: E = field(compare=False)


class Timeline(Generic[E]):
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._heap: list[_Entry[E]] = []
        self._seq = itertools.count()

    def schedule(self, at: datetime, event: E) -> None:
        heapq.heappush(self._heap, _Entry(at, next(self._seq), event))

    def due(self) -> Iterator[tuple[datetime, E]]:
        """Each event due by now, earliest first (ties in scheduling order); events scheduled meanwhile count."""
        while self._heap:
            head = self._heap[0]
            if head.at > self.clock.now():
                if self.clock.mode != "instant":
                    return
                self.clock.advance_to(head.at)
            heapq.heappop(self._heap)
            yield head.at, head.event

    def entries(self) -> list[tuple[datetime, int, E]]:
        """Every scheduled event with its time and tie-breaking sequence number, earliest first."""
        return [(entry.at, entry.seq, entry.event) for entry in sorted(self._heap)]

    def next_seq(self) -> int:
        number = next(self._seq)
        self._seq = itertools.count(number)
        return number

    def load(self, entries: list[tuple[datetime, int, E]], next_seq: int) -> None:
        """Replace what is scheduled, as :meth:`entries` and :meth:`next_seq` described it."""
        self._heap = [_Entry(at, seq, event) for at, seq, event in entries]
        heapq.heapify(self._heap)
        self._seq = itertools.count(next_seq)

    def next_at(self) -> datetime | None:
        return self._heap[0].at if self._heap else None

    def clear(self) -> None:
        self._heap.clear()

    def __len__(self) -> int:
        return len(self._heap)
