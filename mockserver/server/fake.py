"""One fake: its settings, clock, store, principals and services, and how to reset it.

This is the handle tests hold: the HTTP app serves it, the control API and the
pytest plugin drive it.
"""

from __future__ import annotations

from typing import Any

from mockserver.core.clock import Clock, iso
from mockserver.core.contract import Contract, load_contract
from mockserver.core.errors import ApiError
from mockserver.core.faults import FaultRules
from mockserver.core.ids import IdFactory
from mockserver.core.journal import Journal
from mockserver.core.limits import RateLimiter
from mockserver.core.store import InMemoryStore, Store
from mockserver.orchestrator.backend import Orchestrator
from mockserver.scenario.jobs.cost import CostTable
from mockserver.scenario.jobs.service import JobService, runnable_workflow
from mockserver.scenario.jobs.simulation import Simulation
from mockserver.scenario.jobs.views import job_view
from mockserver.scenario.principals import Directory
from mockserver.scenario.workflows.models import AssetUrl, Workflow, with_default_kinds
from mockserver.scenario.workflows.service import WorkflowService
from mockserver.server.fixtures import FixtureSet, load_fixtures
from mockserver.server.settings import Settings
from mockserver.server.webhooks import Webhooks


class Fake:
    def __init__(self, settings: Settings | None = None, fixtures: FixtureSet | None = None) -> None:
        self.settings = settings or Settings()
        self.fixtures = fixtures if fixtures is not None else load_fixtures(self.settings.fixtures)
        self.clock = Clock(self.settings.clock_mode, self.settings.clock_speed)
        self.ids = IdFactory(self.settings.seed)
        self.store: Store = InMemoryStore()
        self.directory = Directory.from_records(
            self.fixtures.projects,
            self.fixtures.api_keys,
            self.fixtures.bearer_tokens,
            any_key=self.settings.any_key,
        )
        self.contract: Contract = load_contract(self.settings.contract)
        self.journal = Journal(self.settings.journal_size)
        self.limits = RateLimiter(self.clock, self.settings.rate_limit_per_minute, self.settings.rate_limit)
        self.workflows = WorkflowService(self.store, self.clock, self.ids)
        self.costs = CostTable.from_fixtures(self.fixtures.costs)
        self.faults = FaultRules()
        self.simulation = Simulation(
            self.store,
            self.clock,
            self.ids,
            self.costs,
            self.faults,
            self._sub_workflow,
            max_concurrent=self.settings.max_concurrent_jobs,
        )
        self.jobs = JobService(self.store, self.clock, self.simulation, self.costs, self.settings.cancel_workflow_jobs)
        # The second API the fake serves, under /api/v1: a pipeline orchestrator sharing the clock and store.
        self.orchestrator = Orchestrator(
            self.store, self.clock, self.ids, self.faults, self.settings.orchestrator_contract, self._deliver
        )
        # Where the fake is reachable, for the asset URLs of what it sends out on its own (webhooks).
        self.base_url = "http://127.0.0.1:8000"
        self.webhooks = Webhooks(
            self._render_job,
            lambda project_id: project_id in self.directory.projects,
            lambda: iso(self.clock.now()),
            retry_seconds=self.settings.webhook_retry_seconds,
            max_attempts=self.settings.webhook_max_attempts,
            timeout=self.settings.webhook_timeout_seconds,
        )
        self.simulation.on_job_ended = self.webhooks.job_ended
        self._seed()

    def advance_simulation(self) -> None:
        """Bring every job up to the clock's now; called before each request is served."""
        with self.store.lock:
            self.simulation.advance()
            self.orchestrator.advance()

    def _sub_workflow(self, workflow_id: str, project_id: str) -> Workflow | None:
        try:
            return runnable_workflow(self.store.get_workflow(workflow_id), project_id, workflow_id)
        except ApiError:
            return None

    def reset(self) -> None:
        """Back to the fixtures: every record made since start is gone."""
        with self.store.lock:
            self.store.clear()
            self.ids = IdFactory(self.settings.seed)
            self.workflows.ids = self.ids
            self.simulation.ids = self.ids
            self.simulation.clear()
            self.orchestrator.reset(self.ids)
            self.faults.clear()
            self.journal.clear()
            self.limits.clear()
            self._seed()

    def snapshot(self) -> dict[str, Any]:
        """The whole state as JSON-ready data: ``restore`` of it brings this fake back to this moment."""
        from mockserver.server.state import snapshot

        return snapshot(self)

    def restore(self, data: Any) -> None:
        """Replace the whole state with a snapshot's; BadRequest (and nothing changed) if it is malformed."""
        from mockserver.server.state import restore

        restore(self, data)

    def close(self) -> None:
        """Stop the background work (webhook deliveries)."""
        self.orchestrator.close()
        self.webhooks.close()

    def _render_job(self, job_id: str) -> dict[str, Any] | None:
        with self.store.lock:
            job = self.store.get_job(job_id)
            if job is None:
                return None
            return job_view(job, self.simulation.progress(job), AssetUrl(self.base_url))

    def _deliver(self, url: str, event: str, workflow_id: str, payload: dict[str, Any]) -> None:
        self.webhooks.send(url, event, workflow_id, payload)

    def _seed(self) -> None:
        for record in self.fixtures.workflows:
            self.store.save_workflow(workflow_from_fixture(record))
        self.webhooks.reset(self.fixtures.webhooks)


def workflow_from_fixture(record: dict[str, Any]) -> Workflow:
    data = dict(record)
    for name in ("before", "after", "thumbnail"):
        if isinstance(data.get(name), str):
            data[name] = {"assetId": data[name]}
    data["inputs"] = with_default_kinds(data.get("inputs", []))
    data.setdefault("updatedAt", data["createdAt"])
    return Workflow.model_validate(data)
