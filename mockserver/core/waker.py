"""Applies the fake's scheduled events on their own, so that nothing waits for a request to come in.

A webhook receiver does not poll: while events are scheduled, one thread (per
fake, and only then) sleeps until the next one is due on the fake's clock (the wall
clock, in realtime mode), and applies every event due. In ``instant`` mode everything is due
at once; in ``manual`` mode time moves only when told, so only events already
due (scheduled for the clock's now) are applied, and the thread never waits
for the future.
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
        apply_due: Callable[[], None],
    ) -> None:
        self._clock = clock
        self._lock = lock  # held while applying and reading what is due (the fake's lock)
        self._next_due = next_due
        self._apply_due = apply_due
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._sleeping_until: datetime | None = None
        self._poked = False
        self._stopped = False

    def poke(self, at: datetime) -> None:
        """An event is scheduled ``at``: make sure it is applied on time."""
        if self._clock.mode == "manual" and at > self._clock.now():
            return  # it is applied when the clock is moved there
        with self._cond:
            if self._stopped:
                return
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="mockserver-waker", daemon=True)
                self._thread.start()
            elif self._sleeping_until is None or at < self._sleeping_until:
                self._poked = True
                self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._stopped = True
            thread = self._thread
            self._cond.notify_all()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            with self._cond:
                self._poked = False
            with self._lock:
                self._apply_due()
                due = self._next_due()
            delay = self._delay(due)
            with self._cond:
                if self._stopped or (delay is None and not self._poked):
                    self._thread = None
                    return
                if not self._poked:
                    self._sleeping_until = due
                    self._cond.wait(min(delay or 0.0, MAX_SLEEP_SECONDS))
                    self._sleeping_until = None

    def _delay(self, due: datetime | None) -> float | None:
        """Wall-clock seconds until ``due``; None when nothing is due or time does not move there by itself."""
        if due is None:
            return None
        mode = self._clock.mode
        if mode == "instant":
            return 0.0
        seconds = (due - self._clock.now()).total_seconds()
        if seconds <= 0:
            return 0.0
        if mode == "manual":
            return None
        return seconds
