"""Moves a simulation forward on its own while something outside the fake waits for it.

The simulations are lazy: their events apply when a request comes in. A webhook
receiver does not poll, so while an event that may end in a webhook is pending,
one thread (per fake, and only then) sleeps until that event is due on the
fake's clock, at its speed, and applies it. In ``manual`` mode time moves only
when told, so it does not wait; in ``instant`` mode everything is due at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from mockserver.core.clock import Clock

# Longest sleep between two looks at the clock, so a change of mode or speed is noticed.
MAX_SLEEP_SECONDS = 1.0


class Waker:
    def __init__(
        self,
        clock: Clock,
        lock: Any,
        next_due: Callable[[], datetime | None],
        advance: Callable[[], None],
    ) -> None:
        self._clock = clock
        self._lock = lock  # held while advancing and reading what is due (the store's lock)
        self._next_due = next_due
        self._advance = advance
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._poked = False
        self._stopped = False

    def poke(self) -> None:
        """Something was scheduled that someone outside waits for: make sure it happens on time."""
        if self._clock.mode == "manual":
            return  # it happens when the clock is moved, which applies it
        with self._cond:
            self._poked = True
            if self._thread is None and not self._stopped:
                self._thread = threading.Thread(target=self._run, name="mockserver-waker", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._stopped = True
            thread = self._thread
            self._cond.notify_all()
        if thread is not None:
            thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            with self._cond:
                self._poked = False
            with self._lock:
                self._advance()
                delay = self._delay(self._next_due())
            with self._cond:
                if self._stopped or (delay is None and not self._poked):
                    self._thread = None
                    return
                if not self._poked:
                    self._cond.wait(min(delay or 0.0, MAX_SLEEP_SECONDS))

    def _delay(self, due: datetime | None) -> float | None:
        """Wall-clock seconds until ``due``; None when nothing is due or time does not move by itself."""
        if due is None or self._clock.mode == "manual":
            return None
        if self._clock.mode == "instant":
            return 0.0
        return max((due - self._clock.now()).total_seconds() / self._clock.speed, 0.0)
