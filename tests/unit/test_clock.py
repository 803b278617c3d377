"""The fake's clock: realtime mode is the wall clock at any speed; the speed shortens simulated work instead."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from mockserver.core.clock import Clock
from mockserver.core.scheduler import Scheduler

WALL_START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class Wall:
    """A wall clock the test moves by hand."""

    def __init__(self) -> None:
        self.seconds = WALL_START.timestamp()

    def __call__(self) -> float:
        return self.seconds

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.seconds, UTC)


def test_a_realtime_clock_stays_on_wall_time_at_any_speed():
    wall = Wall()
    clock = Clock("realtime", speed=10, wall=wall)
    assert clock.now() == WALL_START
    wall.seconds += 300
    assert clock.now() == wall.now()  # five minutes on, not fifty
    assert clock.describe()["aheadSeconds"] == 0


def test_the_speed_shortens_simulated_work_in_realtime_mode_only():
    wall = Wall()
    clock = Clock("realtime", speed=10, wall=wall)
    assert clock.span(40) == timedelta(seconds=4)
    clock.configure(mode="manual")
    assert clock.span(40) == timedelta(seconds=40)
    clock.configure(mode="instant")
    assert clock.span(40) == timedelta(seconds=40)


def test_work_of_forty_simulated_seconds_at_speed_ten_ends_four_wall_seconds_later_at_a_real_time():
    wall = Wall()
    clock = Clock("realtime", speed=10, wall=wall)
    scheduler = Scheduler(clock, threading.RLock())
    ended: list[datetime] = []
    scheduler.add_owner("jobs", lambda at, event: ended.append(at))
    scheduler.schedule("jobs", clock.now() + clock.span(40), "done")
    wall.seconds += 3.9
    scheduler.apply_due()
    assert ended == []
    wall.seconds += 0.1
    scheduler.apply_due()
    assert ended == [WALL_START + timedelta(seconds=4)]
    assert ended[0] <= clock.now() == wall.now()  # nothing claims a now that has not come
    scheduler.close()


def test_an_explicit_advance_puts_a_realtime_clock_ahead_and_says_by_how_much():
    wall = Wall()
    clock = Clock("realtime", speed=10, wall=wall)
    clock.advance(30)
    wall.seconds += 5
    assert clock.now() == wall.now() + timedelta(seconds=30)
    assert clock.describe()["aheadSeconds"] == 30


def test_leaving_manual_mode_never_moves_the_clock_back():
    wall = Wall()
    clock = Clock("manual", wall=wall, start=WALL_START)
    clock.advance(60)
    clock.configure(mode="realtime")
    assert clock.now() == WALL_START + timedelta(seconds=60)
    wall.seconds += 100
    assert clock.now() == WALL_START + timedelta(seconds=160)
    assert clock.describe()["aheadSeconds"] == 60


def test_manual_and_instant_clocks_move_only_when_told():
    wall = Wall()
    clock = Clock("manual", wall=wall, start=WALL_START)
    wall.seconds += 100
    assert clock.now() == WALL_START
    assert clock.advance(40) == WALL_START + timedelta(seconds=40)
    assert "aheadSeconds" not in clock.describe()


def test_a_realtime_snapshot_restores_to_wall_time_without_its_lead():
    wall = Wall()
    saved = Clock("realtime", speed=10, wall=wall)
    saved.advance(3600)
    snapshot = Clock.parse_snapshot(saved.snapshot())
    wall.seconds += 120
    restored = Clock("manual", wall=wall, start=WALL_START)
    restored.restore(snapshot)
    assert restored.mode == "realtime" and restored.speed == 10
    assert restored.now() == wall.now()
    manual = Clock("realtime", wall=wall)
    manual.restore({"now": "2025-01-01T00:00:00+00:00", "mode": "manual", "speed": 1})
    assert manual.now() == datetime(2025, 1, 1, tzinfo=UTC)
