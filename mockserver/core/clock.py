"""The fake's clock: the one source of "now" for every timestamp and every job.

Three modes:
- ``realtime``: the clock is the wall clock (UTC). ``speed`` does not move it ahead: it shortens
  how long simulated work takes (:meth:`Clock.span`), so a job of 40 simulated seconds at speed 10
  ends 4 seconds later, at a real time. Only an explicit :meth:`Clock.advance` puts it ahead of the
  wall clock, and :meth:`Clock.describe` says by how much;
- ``manual``: time moves only when :meth:`Clock.advance` is called; simulated work takes its full length;
- ``instant``: like manual, but the scheduler jumps the clock forward to each
  next scheduled event, so jobs finish at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from mockserver.core.errors import BadRequest

ClockMode = Literal["realtime", "manual", "instant"]
CLOCK_MODES: tuple[ClockMode, ...] = ("realtime", "manual", "instant")
# Seconds since the epoch, as time.time gives them: what "now" is in realtime mode.
WallClock = Callable[[], float]
# Bounds on what the clock can be told: a speed in simulated seconds per real second, one advance's span,
# and the latest moment it reaches (a year short of datetime's end, so events scheduled after it still fit).
MIN_SPEED = 0.001
MAX_SPEED = 10_000.0
MAX_ADVANCE_SECONDS = 10 * 366 * 24 * 3600
LATEST = datetime(9999, 1, 1, tzinfo=UTC)


def iso(moment: datetime) -> str:
    """ISO-8601 in UTC with milliseconds and ``Z``, as the API writes dates."""
    if moment.utcoffset():
        moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def parse_iso(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def fixture_date(name: str, value: object) -> str:
    """A fixture's date as the API writes it; YAML reads an unquoted timestamp as a ``datetime``, taken as
    is. ValueError naming ``name`` when it is not a date."""
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, str):
        try:
            return iso(parse_iso(value))
        except ValueError:
            pass
    raise ValueError(f"{name}: {value!r} is not an ISO 8601 date-time")


class Clock:
    def __init__(
        self,
        mode: ClockMode = "realtime",
        speed: float = 1.0,
        start: datetime | None = None,
        wall: WallClock = time.time,
    ) -> None:
        self._wall = wall
        # Now in manual and instant modes (``start``, else the wall clock's now); a realtime clock has no start.
        self._stopped_at = (start or self._wall_now()).replace(microsecond=0)
        self._ahead = timedelta(0)  # how far an explicit advance put the realtime clock ahead of the wall clock
        self.mode: ClockMode = mode
        self.speed = speed
        self.revision = 0  # counts every move of the clock not made by the wall clock, and changes of mode or speed

    def now(self) -> datetime:
        if self.mode != "realtime":
            return self._stopped_at
        return min(self._wall_now() + self._ahead, LATEST)

    def span(self, seconds: float) -> timedelta:
        """How long ``seconds`` of simulated work takes on this clock: shortened by the speed in realtime mode."""
        if self.mode == "realtime":
            return timedelta(seconds=seconds / self.speed)
        return timedelta(seconds=seconds)

    def advance(self, seconds: float) -> datetime:
        if seconds < 0:
            raise ValueError("the clock never goes back")
        now = self.now()
        room = (LATEST - now).total_seconds()
        self._move_to(LATEST if seconds >= room else now + timedelta(seconds=seconds))
        return self.now()

    def advance_to(self, moment: datetime) -> None:
        if moment > self.now():
            self._move_to(moment)

    def configure(self, mode: ClockMode | None = None, speed: float | None = None) -> None:
        """Change mode or speed; the clock never goes back (leaving manual mode ahead of the wall clock stays ahead)."""
        now = self.now()
        if mode is not None:
            self.mode = mode
        if speed is not None:
            if speed <= 0:
                raise ValueError("speed must be positive")
            self.speed = speed
        self._move_to(now)

    def _move_to(self, moment: datetime) -> None:
        self.revision += 1
        self._stopped_at = min(moment, LATEST)
        self._ahead = max(timedelta(0), self._stopped_at - self._wall_now())

    def _wall_now(self) -> datetime:
        return datetime.fromtimestamp(self._wall(), UTC)

    def describe(self) -> dict[str, object]:
        """The clock as the control API shows it: now as the API writes dates, the mode, the speed, and in
        realtime mode how many seconds an explicit advance put it ahead of the wall clock."""
        described: dict[str, object] = {"now": iso(self.now()), "mode": self.mode, "speed": self.speed}
        if self.mode == "realtime":
            described["aheadSeconds"] = round(self._ahead.total_seconds(), 3)
        return described

    # ---- state

    def snapshot(self) -> dict[str, object]:
        """Now to the microsecond, the mode and the speed."""
        return {"now": self.now().isoformat(), "mode": self.mode, "speed": self.speed}

    @staticmethod
    def parse_snapshot(value: Any) -> dict[str, Any]:
        """A snapshot's clock, checked; BadRequest names what is wrong."""
        if not isinstance(value, dict):
            raise BadRequest("clock must be a JSON object")
        if value.get("mode") not in CLOCK_MODES:
            raise BadRequest(f"clock.mode must be one of: {', '.join(CLOCK_MODES)}")
        speed = value.get("speed")
        if not isinstance(speed, int | float) or not _is_speed(speed):
            raise BadRequest(f"clock.speed must be a number from {MIN_SPEED:g} to {MAX_SPEED:g}")
        now = value.get("now")
        try:
            moment = parse_iso(now) if isinstance(now, str) else None
        except ValueError:
            moment = None
        if moment is None or moment > LATEST:
            raise BadRequest(f"clock.now must be an ISO-8601 date no later than {iso(LATEST)}")
        return {"now": moment.isoformat(), "mode": value["mode"], "speed": float(speed)}

    def restore(self, data: dict[str, Any]) -> None:
        """A snapshot's clock. A realtime clock is restored to the wall clock's now, not to the moment saved:
        the time that passed since is real, and a lead the saved clock had is not carried on."""
        self.mode = data.get("mode", self.mode)
        self.speed = float(data.get("speed", self.speed))
        if self.mode == "realtime":
            self._stopped_at, self._ahead = self._wall_now(), timedelta(0)
            self.revision += 1
        else:
            self._move_to(parse_iso(str(data["now"])))


def check_clock_change(now: datetime, seconds: object, speed: object) -> None:
    """BadRequest unless ``seconds`` is a span the clock may move on from ``now``, and ``speed`` (if any) a speed."""
    if not isinstance(seconds, int | float) or isinstance(seconds, bool) or not 0 <= seconds <= MAX_ADVANCE_SECONDS:
        raise BadRequest(f"seconds must be a number from 0 to {MAX_ADVANCE_SECONDS}")
    if seconds > (LATEST - now).total_seconds():
        raise BadRequest(f"seconds would move the clock past {iso(LATEST)}, the latest moment it reaches")
    if speed is not None and not _is_speed(speed):
        raise BadRequest(f"speed must be a number from {MIN_SPEED:g} to {MAX_SPEED:g}")


def _is_speed(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and MIN_SPEED <= value <= MAX_SPEED
