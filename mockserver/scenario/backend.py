"""Scenario's Workflows and Jobs API as one backend: its contract, its services and the job simulation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from mockserver.core.clock import Clock
from mockserver.core.contract import Contract, load_contract
from mockserver.core.errors import ApiError
from mockserver.core.faults import FaultRules
from mockserver.core.ids import IdFactory
from mockserver.core.store import Store
from mockserver.scenario.jobs.cost import CostTable
from mockserver.scenario.jobs.models import Job
from mockserver.scenario.jobs.service import JobService, runnable_workflow
from mockserver.scenario.jobs.simulation import Simulation
from mockserver.scenario.workflows.models import Workflow, with_default_kinds
from mockserver.scenario.workflows.service import WorkflowService


class ScenarioBackend:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        ids: IdFactory,
        faults: FaultRules,
        *,
        contract: Path,
        costs: dict[str, Any],
        max_concurrent_jobs: int,
        cancel_workflow_jobs: bool,
        dry_run_status: int,
    ) -> None:
        self.store = store
        self.contract: Contract = load_contract(contract)
        self.dry_run_status = dry_run_status
        self.costs = CostTable.from_fixtures(costs)
        self.workflows = WorkflowService(store, clock, ids)
        self.simulation = Simulation(
            store, clock, ids, self.costs, faults, self._sub_workflow, max_concurrent=max_concurrent_jobs
        )
        self.jobs = JobService(store, clock, self.simulation, self.costs, cancel_workflow_jobs)

    def on_job_ended(self, listener: Callable[[Job], None]) -> None:
        """Tell ``listener`` of every job that reaches a terminal status, while the store's lock is held."""
        self.simulation.on_job_ended = listener

    def seed(self, workflows: list[dict[str, Any]]) -> None:
        for record in workflows:
            self.store.save_workflow(workflow_from_fixture(record))

    def _sub_workflow(self, workflow_id: str, project_id: str) -> Workflow | None:
        try:
            return runnable_workflow(self.store.get_workflow(workflow_id), project_id, workflow_id)
        except ApiError:
            return None


def workflow_from_fixture(record: dict[str, Any]) -> Workflow:
    data = dict(record)
    for name in ("before", "after", "thumbnail"):
        if isinstance(data.get(name), str):
            data[name] = {"assetId": data[name]}
    data["inputs"] = with_default_kinds(data.get("inputs", []))
    data.setdefault("updatedAt", data["createdAt"])
    return Workflow.model_validate(data)
