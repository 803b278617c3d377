"""The orchestrator API's part of a fake: its contract, its workflows, the engine that runs them, their webhooks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from mockserver.core.clock import Clock
from mockserver.core.contract import Contract, load_contract
from mockserver.core.faults import FaultRules
from mockserver.core.ids import IdFactory
from mockserver.core.store import Store
from mockserver.core.waker import Waker
from mockserver.orchestrator.engine import StepEngine
from mockserver.orchestrator.models import Pipeline
from mockserver.orchestrator.service import PipelineService
from mockserver.orchestrator.views import workflow_view

# (url, event, workflow id, the workflow as the API shows it): queue one webhook delivery; must not block.
Deliver = Callable[[str, str, str, dict[str, Any]], None]


class OrchestratorBackend:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        ids: IdFactory,
        faults: FaultRules,
        contract: Path,
        deliver: Deliver,
        missing_token_status: int = 401,
    ) -> None:
        self.contract: Contract = load_contract(contract)
        # The answer to a request without a bearer token: 401 as FastAPI 0.122 and later, 403 as older FastAPI.
        self.missing_token_status = missing_token_status
        self.engine = StepEngine(store, clock, ids, faults, self._finished)
        self.engine.on_scheduled = self._scheduled
        self.service = PipelineService(store, clock, ids, self.engine)
        self._deliver = deliver
        # A workflow with a webhook ends on time even if nobody polls it.
        self.waker = Waker(clock, store.lock, self.engine.timeline.next_at, self.engine.advance)

    def advance(self) -> None:
        """Bring every workflow up to the clock's now."""
        self.engine.advance()

    def reset(self, ids: IdFactory) -> None:
        """Forget what is scheduled; the store is cleared by the fake."""
        self.engine.ids = self.service.ids = ids
        self.engine.clear()
        self.service.clear()

    def close(self) -> None:
        self.waker.close()

    def _scheduled(self, pipeline: Pipeline) -> None:
        if pipeline.webhook_url:
            self.waker.poke()

    def _finished(self, pipeline: Pipeline) -> None:
        if pipeline.webhook_url:
            event = f"workflow.{pipeline.status.lower()}"
            self._deliver(pipeline.webhook_url, event, pipeline.id, workflow_view(pipeline))
