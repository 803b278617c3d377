"""The fake's one scheduler: events of every owner in time order, ties in scheduling order, on the fake's clock."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from mockserver.core.clock import Clock
from mockserver.core.scheduler import Scheduler

START = datetime(2025, 1, 1, tzinfo=UTC)


def _scheduler(mode: str, speed: float = 1.0) -> tuple[Scheduler, list[tuple[str, datetime, str]]]:
    scheduler = Scheduler(Clock(mode, speed, start=START), threading.RLock())  # type: ignore[arg-type]
    applied: list[tuple[str, datetime, str]] = []
    for owner in ("jobs", "steps"):
        scheduler.add_owner(owner, lambda at, event, owner=owner: applied.append((owner, at, event)))
    return scheduler, applied


def test_events_of_every_owner_apply_in_time_order_and_ties_in_scheduling_order():
    scheduler, applied = _scheduler("manual")
    later, sooner = START + timedelta(seconds=5), START + timedelta(seconds=2)
    scheduler.schedule("jobs", later, "a")
    scheduler.schedule("steps", sooner, "b")
    scheduler.schedule("steps", later, "c")
    scheduler.schedule("jobs", sooner, "d")
    scheduler.advance()
    assert applied == []  # manual: nothing moves until the clock does
    scheduler.clock.advance(10)
    scheduler.advance()
    assert [(owner, event) for owner, _, event in applied] == [
        ("steps", "b"),
        ("jobs", "d"),
        ("jobs", "a"),
        ("steps", "c"),
    ]
    assert [at for _, at, _ in applied] == [sooner, sooner, later, later]
    scheduler.close()


def test_an_event_applied_may_schedule_the_next_and_now_is_its_moment():
    scheduler, applied = _scheduler("manual")
    seen: list[datetime] = []

    def chain(at: datetime, event: int) -> None:
        seen.append(scheduler.now())
        if event < 3:
            scheduler.schedule("chain", at + timedelta(seconds=1), event + 1)

    scheduler.add_owner("chain", chain)
    scheduler.schedule("chain", START + timedelta(seconds=1), 1)
    scheduler.clock.advance(60)
    scheduler.advance()
    assert seen == [START + timedelta(seconds=n) for n in (1, 2, 3)]
    assert scheduler.now() == scheduler.clock.now() and len(scheduler) == 0
    scheduler.close()


def test_instant_mode_jumps_the_clock_to_each_event():
    scheduler, applied = _scheduler("instant")
    scheduler.schedule("jobs", START + timedelta(seconds=30), "x")
    scheduler.advance()
    assert applied == [("jobs", START + timedelta(seconds=30), "x")]
    assert scheduler.clock.now() == START + timedelta(seconds=30)
    scheduler.close()


def test_on_a_realtime_clock_the_waker_applies_events_on_time_by_itself():
    scheduler, applied = _scheduler("realtime", speed=100)
    scheduler.schedule("jobs", scheduler.clock.now() + scheduler.clock.span(5), "due in 50 ms")
    deadline = time.monotonic() + 5
    while not applied and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [event for _, _, event in applied] == ["due in 50 ms"]
    scheduler.close()


def test_entries_and_restore_keep_each_owners_events_and_the_larger_sequence():
    scheduler, applied = _scheduler("manual")
    scheduler.schedule("jobs", START + timedelta(seconds=1), "a")
    scheduler.schedule("steps", START + timedelta(seconds=1), "b")
    jobs, steps = scheduler.entries("jobs"), scheduler.entries("steps")
    assert [event for _, _, event in jobs] == ["a"] and [event for _, _, event in steps] == ["b"]
    scheduler.reset()
    assert len(scheduler) == 0 and scheduler.next_seq() == 0
    scheduler.restore("steps", steps, 7)
    scheduler.restore("jobs", jobs, 2)
    assert scheduler.next_seq() == 7
    scheduler.clock.advance(1)
    scheduler.advance()
    assert [event for _, _, event in applied] == ["a", "b"]  # the restored order, across owners
    scheduler.close()
