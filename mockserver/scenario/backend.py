"""Scenario's Workflows and Jobs API as one backend: its contract, its tables, its services and the job simulation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from mockserver.core.clock import Clock, fixture_date, iso
from mockserver.core.contract import Contract, load_contract
from mockserver.core.errors import ApiError
from mockserver.core.faults import FaultRules
from mockserver.core.ids import IdFactory
from mockserver.core.scheduler import Scheduler
from mockserver.core.store import Store
from mockserver.scenario.assets.fixtures import asset_from_fixture
from mockserver.scenario.assets.service import AssetService
from mockserver.scenario.assets.uploads import UploadService
from mockserver.scenario.consistency import check_consistency
from mockserver.scenario.jobs.cost import CostTable
from mockserver.scenario.jobs.models import Job
from mockserver.scenario.jobs.service import JobService, runnable_workflow
from mockserver.scenario.jobs.simulation import OWNER, Simulation
from mockserver.scenario.profiles import WORKFLOW_ID_PREFIXES, ApiProfile
from mockserver.scenario.state import ScenarioState, state_from_json, state_to_json
from mockserver.scenario.store import ScenarioStore
from mockserver.scenario.workflows.models import Workflow, with_default_kinds
from mockserver.scenario.workflows.service import WorkflowService, check_whole


class ScenarioBackend:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        scheduler: Scheduler,
        ids: IdFactory,
        faults: FaultRules,
        *,
        contract: Path,
        costs: dict[str, Any],
        fixtures: list[dict[str, Any]],
        asset_fixtures: list[dict[str, Any]],
        max_concurrent_jobs: int,
        cancel_workflow_jobs: bool,
        api_profile: ApiProfile,
    ) -> None:
        self.store = ScenarioStore(store)
        self.scheduler = scheduler
        self.contract: Contract = load_contract(contract)
        self.api_profile = api_profile
        self.costs = CostTable.from_fixtures(costs)
        self.fixtures = fixtures
        self.asset_fixtures = list(asset_fixtures)
        # A fixture without ``createdAt`` was created when the fake started, and stays so across resets.
        self.started_at = iso(clock.now())
        self.assets = AssetService(self.store, clock, ids)
        self.uploads = UploadService(self.store, clock, ids, self.assets)
        self.workflows = WorkflowService(self.store, clock, ids, WORKFLOW_ID_PREFIXES[api_profile])
        self.simulation = Simulation(
            self.store,
            clock,
            scheduler,
            ids,
            self.costs,
            faults,
            self._sub_workflow,
            max_concurrent=max_concurrent_jobs,
        )
        self.jobs = JobService(self.store, clock, self.simulation, self.costs, api_profile, cancel_workflow_jobs)
        self.reset()

    def on_job_ended(self, listener: Callable[[Job], None]) -> None:
        """Tell ``listener`` of every job that reaches a terminal status, while the fake's lock is held."""
        self.simulation.on_job_ended = listener

    def reset(self) -> None:
        """Back to the fixtures' assets and workflows, with no job; the fake's scheduler forgets the jobs' events."""
        self.store.clear()
        self.simulation.clear()
        for record in self.asset_fixtures:
            self.store.save_asset(asset_from_fixture(record, self.started_at))
        for record in self.fixtures:
            self.store.save_workflow(workflow_from_fixture(record, self.started_at))

    # ---- state

    def snapshot(self) -> dict[str, Any]:
        """Scenario's top-level keys of a snapshot."""
        waiting, holding = self.simulation.queues()
        state = ScenarioState(
            workflows=self.store.all_workflows(),
            jobs=self.store.all_jobs(),
            assets=self.store.all_assets(),
            uploads=self.store.all_uploads(),
            downloads=self.store.all_downloads(),
            events=self.scheduler.entries(OWNER),
            next_seq=self.scheduler.next_seq(),
            waiting=waiting,
            holding=holding,
        )
        return state_to_json(state)

    def parse_snapshot(self, document: dict[str, Any]) -> ScenarioState:
        state = state_from_json(document)
        check_consistency(state, self.simulation.max_concurrent)
        return state

    def restore(self, state: ScenarioState) -> None:
        """Put a parsed snapshot in place, after the fake's scheduler was reset."""
        self.store.clear()
        for workflow in state.workflows:
            self.store.save_workflow(workflow)
        self.store.save_jobs(state.jobs)
        for asset in state.assets:
            self.store.save_asset(asset)
        for upload in state.uploads:
            self.store.save_upload(upload)
        for download in state.downloads:
            self.store.save_download(download)
        self.simulation.restore_queues(state.waiting, state.holding)
        self.scheduler.restore(OWNER, state.events, state.next_seq)

    def _sub_workflow(self, workflow_id: str, project_id: str) -> Workflow | None:
        try:
            return runnable_workflow(self.store.get_workflow(workflow_id), project_id, workflow_id)
        except ApiError:
            return None


def workflow_from_fixture(record: dict[str, Any], started_at: str) -> Workflow:
    """The workflow a fixture record describes, checked as the API checks a workflow sent whole.

    Raises pydantic's ``ValidationError`` on a missing or mistyped field, ``ValueError`` on a date that is
    not ISO 8601, and ``BadRequest`` on what ``PUT /workflows/{id}`` refuses (a broken flow).
    """
    data = dict(record)
    for name in ("before", "after", "thumbnail"):
        if isinstance(data.get(name), str):
            data[name] = {"assetId": data[name]}
    inputs = data.get("inputs", [])
    if isinstance(inputs, list) and all(isinstance(item, dict) for item in inputs):
        data["inputs"] = with_default_kinds(inputs)
    data["createdAt"] = fixture_date("createdAt", data.get("createdAt", started_at))
    data["updatedAt"] = fixture_date("updatedAt", data.get("updatedAt", data["createdAt"]))
    workflow = Workflow.model_validate(data)
    check_whole(workflow)
    return workflow
