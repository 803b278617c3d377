"""One fake: its settings, clock, scheduler, store, principals and backends, and how to reset, snapshot and
restore it.

This is the handle tests hold: the HTTP app serves it, the control API and the
pytest plugin drive it. Each part owns its state (reset, snapshot, restore);
the fake composes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from mockserver.core.clock import LATEST, Clock
from mockserver.core.faults import FaultRules
from mockserver.core.ids import IdFactory
from mockserver.core.journal import Journal
from mockserver.core.limits import RateLimiter
from mockserver.core.principals import Directory
from mockserver.core.scheduler import Scheduler
from mockserver.core.store import Store
from mockserver.orchestrator import engine
from mockserver.orchestrator.backend import OrchestratorBackend
from mockserver.scenario.asset_url import AssetUrl
from mockserver.scenario.backend import ScenarioBackend
from mockserver.scenario.jobs import simulation
from mockserver.scenario.jobs.views import job_view
from mockserver.server import state
from mockserver.server.fixtures import FixtureSet, load_fixtures
from mockserver.server.settings import Settings
from mockserver.server.webhooks import Webhooks

# The scheduler's owners whose events move jobs and runs on. With none of theirs scheduled, every job is
# terminal or waits for a decision (an approval, a selection, a paused run) or for a slot such a job holds.
JOB_OWNERS = frozenset({simulation.OWNER, engine.OWNER})
# How far advance_until_idle goes at most, unless told otherwise: a simulated day, or this many jumps.
IDLE_MAX_SECONDS = 86_400.0
IDLE_MAX_STEPS = 10_000


@dataclass(frozen=True)
class IdleRun:
    """What ``advance_until_idle`` did: whether every job ended idle, how many jumps, how far the clock moved."""

    idle: bool
    steps: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {"idle": self.idle, "steps": self.steps, "advancedSeconds": round(self.seconds, 3)}


class Fake:
    def __init__(self, settings: Settings | None = None, fixtures: FixtureSet | None = None) -> None:
        self.settings = settings or Settings()
        self.fixtures = fixtures if fixtures is not None else load_fixtures(self.settings.fixtures)
        self.store = Store()
        self.lock = self.store.lock  # guards every change to the state; held while a request is served
        self.clock = Clock(self.settings.clock_mode, self.settings.clock_speed)
        self.scheduler = Scheduler(self.clock, self.lock)
        self.ids = IdFactory(self.settings.seed)
        self.directory = Directory.from_records(
            self.fixtures.projects,
            self.fixtures.api_keys,
            self.fixtures.bearer_tokens,
            any_key=self.settings.any_key,
        )
        self.journal = Journal(self.settings.journal_size)
        self.limits = RateLimiter(self.clock, self.settings.rate_limit_per_minute, self.settings.rate_limit)
        self.faults = FaultRules()
        self.scenario = ScenarioBackend(
            self.store,
            self.clock,
            self.scheduler,
            self.ids,
            self.faults,
            contract=self.settings.contract,
            costs=self.fixtures.costs,
            fixtures=self.fixtures.workflows,
            asset_fixtures=self.fixtures.assets,
            max_concurrent_jobs=self.settings.max_concurrent_jobs,
            cancel_workflow_jobs=self.settings.cancel_workflow_jobs,
            api_profile=self.settings.api_profile,
        )
        # The second API the fake serves, under /api/v1: a pipeline orchestrator sharing the clock and scheduler.
        self.orchestrator = OrchestratorBackend(
            self.store,
            self.clock,
            self.scheduler,
            self.ids,
            self.faults,
            self.settings.orchestrator_contract,
            self._deliver,
            missing_token_status=self.settings.orchestrator_auth_status,
        )
        # Where the fake is reachable, for the asset URLs of what it sends out on its own (webhooks).
        self.base_url = self.settings.public_url or "http://127.0.0.1:8000"
        self.webhooks = Webhooks(
            self._render_job,
            lambda project_id: project_id in self.directory.projects,
            self.clock,
            self.scheduler,
            self.lock,
            self.fixtures.webhooks,
            retry_seconds=self.settings.webhook_retry_seconds,
            max_attempts=self.settings.webhook_max_attempts,
            timeout=self.settings.webhook_timeout_seconds,
        )
        self.scenario.on_job_ended(self.webhooks.job_ended)
        self._restores = 0

    def advance(self, seconds: float = 0) -> None:
        """Move the clock ``seconds`` on and apply everything due by then.

        The one way time moves: called with no argument before each request is served, to bring
        everything up to now.
        """
        with self.lock:
            if seconds:
                self.clock.advance(seconds)
            self.scheduler.advance()

    def advance_until_idle(self, max_seconds: float = IDLE_MAX_SECONDS, max_steps: int = IDLE_MAX_STEPS) -> IdleRun:
        """Jump the clock from one job event to the next until no job moves on its own any more.

        Stops early, not idle, when the next event lies more than ``max_seconds`` ahead (the clock then
        moves by ``max_seconds``) or after ``max_steps`` jumps: a job that never settles cannot hang the caller.
        Webhook retries do not keep it going; they are sent as the clock passes them.
        """
        with self.lock:
            start = self.clock.now()
            limit = start + timedelta(seconds=min(max_seconds, (LATEST - start).total_seconds()))
            self.scheduler.advance()
            steps = 0
            while (at := self.scheduler.next_at(JOB_OWNERS)) is not None:
                if steps == max_steps or at > limit:
                    if at > limit:
                        self.clock.advance_to(limit)
                        self.scheduler.advance()
                    break
                self.clock.advance_to(at)
                self.scheduler.advance()
                steps += 1
            return IdleRun(at is None, steps, (self.clock.now() - start).total_seconds())

    def version(self) -> str:
        """Changes whenever what the fake shows may have: a request journaled or changing the state, an event
        applied, the clock moved or set, a reset or a restore. What watches the fake asks for this, not the API."""
        return f"{self.journal.revision}.{self.scheduler.applied}.{self.clock.revision}.{self._restores}"

    def reset(self) -> None:
        """Back to the fixtures: every record made since start is gone, the ids start over; the clock goes on."""
        with self.lock:
            self.scheduler.reset()
            self.ids.reset()
            self.scenario.reset()
            self.orchestrator.reset()
            self.faults.reset()
            self.webhooks.reset()
            self.journal.clear()
            self.limits.clear()

    def snapshot(self) -> dict[str, Any]:
        """The whole state as JSON-ready data: ``restore`` of it brings this fake back to this moment."""
        return state.snapshot(self)

    def restore(self, data: Any) -> None:
        """Replace the whole state with a snapshot's; BadRequest (and nothing changed) if it is malformed."""
        state.restore(self, data)
        self._restores += 1

    def close(self) -> None:
        """Stop the background work (the scheduler's waker, webhook deliveries)."""
        self.scheduler.close()
        self.webhooks.close()

    def _render_job(self, job_id: str) -> dict[str, Any] | None:
        with self.lock:
            job = self.scenario.store.get_job(job_id)
            if job is None:
                return None
            return job_view(job, self.scenario.simulation.progress(job), AssetUrl(self.base_url))

    def _deliver(self, url: str, event: str, workflow_id: str, payload: dict[str, Any]) -> None:
        self.webhooks.send(url, event, workflow_id, payload)
