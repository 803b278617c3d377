"""The orchestrator API's part of a fake: its contract, its workflows, the engine that runs them, their webhooks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from mockserver.core.clock import Clock
from mockserver.core.contract import Contract, load_contract
from mockserver.core.faults import FaultRules
from mockserver.core.ids import IdFactory
from mockserver.core.scheduler import Scheduler
from mockserver.core.store import Store
from mockserver.orchestrator.engine import OWNER, StepEngine
from mockserver.orchestrator.models import Pipeline
from mockserver.orchestrator.service import PipelineService
from mockserver.orchestrator.state import OrchestratorState, state_from_json, state_to_json
from mockserver.orchestrator.store import OrchestratorStore
from mockserver.orchestrator.views import workflow_view

# (url, event, workflow id, the workflow as the API shows it): queue one webhook delivery; must not block.
Deliver = Callable[[str, str, str, dict[str, Any]], None]


class OrchestratorBackend:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        scheduler: Scheduler,
        ids: IdFactory,
        faults: FaultRules,
        contract: Path,
        deliver: Deliver,
        missing_token_status: int = 401,
    ) -> None:
        self.contract: Contract = load_contract(contract)
        # The answer to a request without a bearer token: 401 as FastAPI 0.122 and later, 403 as older FastAPI.
        self.missing_token_status = missing_token_status
        self.store = OrchestratorStore(store)
        self.scheduler = scheduler
        self.engine = StepEngine(self.store, clock, scheduler, ids, faults, self._finished)
        self.service = PipelineService(self.store, clock, ids, self.engine)
        self._deliver = deliver

    def reset(self) -> None:
        """No workflows; the fake's scheduler forgets their attempts."""
        self.store.clear()
        self.service.clear()

    # ---- state

    def snapshot(self) -> dict[str, Any]:
        state = OrchestratorState(
            pipelines=self.store.all_pipelines(),
            next_sequence=self.service.next_sequence(),
            attempts=self.scheduler.entries(OWNER),
            next_seq=self.scheduler.next_seq(),
        )
        return state_to_json(state)

    def parse_snapshot(self, data: Any) -> OrchestratorState:
        return state_from_json(data)

    def restore(self, state: OrchestratorState) -> None:
        """Put a parsed snapshot in place, after the fake's scheduler was reset."""
        self.reset()
        for pipeline in state.pipelines:
            self.store.save_pipeline(pipeline)
        self.service.continue_sequence(state.next_sequence)
        self.scheduler.restore(OWNER, state.attempts, state.next_seq)

    def _finished(self, pipeline: Pipeline) -> None:
        if pipeline.webhook_url:
            event = f"workflow.{pipeline.status.lower()}"
            self._deliver(pipeline.webhook_url, event, pipeline.id, workflow_view(pipeline))
