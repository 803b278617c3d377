"""The fake's one schedule: events at exact simulated times, applied in time order as its clock reaches them.

Everything that happens later on its own is an event here: a Scenario job's
next phase, an orchestrator step's attempt ending, a webhook delivery attempt.
Each event belongs to an owner, which applies it. Applying an event may
schedule others; ties are applied in the order they were scheduled. In
``instant`` mode the clock jumps to each next event as it is applied.

Events apply before each request is served (``Fake.advance``) and, so that
nothing waits for a request, on their own: the :class:`Waker` sleeps until the
next event is due on the fake's clock and applies it. The scheduler is guarded
by the fake's lock: schedule and apply only while holding it.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any

from mockserver.core.clock import Clock
from mockserver.core.waker import Waker

# (when, the event): what an owner does when one of its events is due.
Apply = Callable[[datetime, Any], None]
# A scheduled event as a snapshot holds it: (when, tie-breaking sequence number, the event).
Entry = tuple[datetime, int, Any]


class Scheduler:
    def __init__(self, clock: Clock, lock: threading.RLock) -> None:
        self.clock = clock
        self._heap: list[tuple[datetime, int, str, Any]] = []
        self._next_seq = 0
        self._owners: dict[str, Apply] = {}
        self._applying: datetime | None = None
        self.applied = 0  # events applied since the fake started; never reset
        self._waker = Waker(clock, lock, self.next_at, self.apply_due)

    def add_owner(self, owner: str, apply: Apply) -> None:
        self._owners[owner] = apply

    def schedule(self, owner: str, at: datetime, event: Any) -> None:
        entry = (at, self._next_seq, owner, event)
        self._next_seq += 1
        heapq.heappush(self._heap, entry)
        if self._heap[0] is entry and self._applying is None:  # while applying, whoever applies looks next
            self._waker.poke(at)

    def now(self) -> datetime:
        """The moment of the event being applied, else the clock's now: when something happening now happens."""
        return self._applying or self.clock.now()

    def advance(self) -> None:
        """Apply every event due by the clock's now, and let the waker know what comes next."""
        self.apply_due()
        if self._heap:
            self._waker.poke(self._heap[0][0])

    def apply_due(self) -> None:
        """Apply every event due by now, earliest first; in instant mode, jump the clock to each next event."""
        heap, clock = self._heap, self.clock
        while heap:
            at = heap[0][0]
            if at > clock.now():
                if clock.mode != "instant":
                    return
                clock.advance_to(at)
            _, _, owner, event = heapq.heappop(heap)
            self._applying = at
            self.applied += 1
            try:
                self._owners[owner](at, event)
            finally:
                self._applying = None

    def next_at(self, owners: Collection[str] | None = None) -> datetime | None:
        """When the next event is due: of any owner, or of one of ``owners``."""
        if owners is None:
            return self._heap[0][0] if self._heap else None
        return min((at for at, _, owner, _ in self._heap if owner in owners), default=None)

    def peek(self) -> tuple[datetime, str, Any] | None:
        """The next event to apply, with its time and owner, left in place."""
        if not self._heap:
            return None
        at, _, owner, event = self._heap[0]
        return at, owner, event

    def __len__(self) -> int:
        return len(self._heap)

    # ---- state

    def entries(self, owner: str) -> list[Entry]:
        """An owner's scheduled events with their times and sequence numbers, earliest first."""
        return [(at, seq, event) for at, seq, name, event in sorted(self._heap) if name == owner]

    def next_seq(self) -> int:
        return self._next_seq

    def restore(self, owner: str, entries: list[Entry], next_seq: int) -> None:
        """Add an owner's events as :meth:`entries` listed them; the sequence goes on from the larger number."""
        for at, seq, event in entries:
            self._heap.append((at, seq, owner, event))
        heapq.heapify(self._heap)
        self._next_seq = max(self._next_seq, next_seq)
        if self._heap:
            self._waker.poke(self._heap[0][0])

    def reset(self) -> None:
        self._heap.clear()
        self._next_seq = 0

    def close(self) -> None:
        self._waker.close()
