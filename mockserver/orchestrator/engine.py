"""Step execution: each workflow's DAG runs on the fake's clock, one attempt of a step at a time.

Starting a workflow runs every step whose dependencies have completed; each
attempt ends at an exact simulated time (an event on the fake's scheduler),
and the scheduler ends every attempt due, in time order, as the clock reaches
it, so what a client reads depends only on what it asked and on the clock.

An attempt fails when a ``step-failure`` fault rule matches it (``workflowId``,
``stepId``, ``taskType``, ``providerType``). A failed attempt is retried up to
``max_retries`` times, then once on the fallback provider if the step has one;
then the step fails and so does the workflow. A ``pause`` rule pauses the
workflow just before the matching step would start. Once a workflow is not
``RUNNING``, no new step starts; steps already running still finish.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from mockserver.core.clock import Clock
from mockserver.core.faults import FaultRules
from mockserver.core.ids import IdFactory
from mockserver.core.records import Record
from mockserver.core.scheduler import Scheduler
from mockserver.orchestrator.dag import DagNode, final_step_id
from mockserver.orchestrator.models import Pipeline, PipelineStep
from mockserver.orchestrator.results import TASK_SECONDS, MappingError, mapped_config, task_result
from mockserver.orchestrator.store import OrchestratorStore

# Simulated seconds between a failed attempt and the next one.
RETRY_SECONDS = 2.0
DEFAULT_TASK_SECONDS = 5.0
# The name the engine's events carry on the scheduler.
OWNER = "orchestrator"


class AttemptEnds(Record):
    pipeline_id: str
    step_id: str
    epoch: int


class StepEngine:
    def __init__(
        self,
        store: OrchestratorStore,
        clock: Clock,
        scheduler: Scheduler,
        ids: IdFactory,
        faults: FaultRules,
        on_finished: Callable[[Pipeline], None],
    ) -> None:
        self.store = store
        self.clock = clock
        self.scheduler = scheduler
        self.ids = ids
        self.faults = faults
        # Told of every workflow that ends COMPLETED or FAILED, while the store's lock is held.
        self.on_finished = on_finished
        scheduler.add_owner(OWNER, self.attempt_ended)

    # ---- what the API asks of it

    def start(self, pipeline: Pipeline) -> None:
        now = self.clock.now()
        pipeline.status, pipeline.started_at = "RUNNING", now
        pipeline.final_step_id = final_step_id(
            [DagNode(step.step_id, tuple(step.dependencies), ()) for step in pipeline.steps]
        )
        self._dispatch(pipeline, now)
        self._touch(pipeline, now)

    def cancel(self, pipeline: Pipeline) -> None:
        now = self.clock.now()
        pipeline.status, pipeline.completed_at = "CANCELLED", now
        for step in pipeline.steps:
            if step.status in ("PENDING", "RUNNING"):
                if step.status == "RUNNING":
                    step.completed_at = now
                step.status = "CANCELLED"
                step.epoch += 1
                step.updated_at = now
        self._touch(pipeline, now)

    def resume(self, pipeline: Pipeline) -> None:
        """Failed and running steps start over; completed ones keep their results."""
        now = self.clock.now()
        for step in pipeline.steps:
            if step.status in ("FAILED", "RUNNING"):
                _reset(step, now)
        pipeline.status, pipeline.error_message, pipeline.completed_at = "RUNNING", None, None
        pipeline.paused_before = pipeline.failed_step = None
        self._dispatch(pipeline, now)
        self._touch(pipeline, now)

    # ---- the DAG

    def _dispatch(self, pipeline: Pipeline, at: datetime) -> None:
        """Start every pending step whose dependencies have completed; complete the workflow when all have."""
        if pipeline.status != "RUNNING":
            return
        completed = {step.step_id for step in pipeline.steps if step.status == "COMPLETED"}
        for step in pipeline.steps:
            if step.status != "PENDING" or not completed.issuperset(step.dependencies):
                continue
            if self.faults.take(("pause",), _facts(pipeline, step)) is not None:
                pipeline.status, pipeline.paused_before = "PAUSED", step.step_id
                return
            try:
                step.config = mapped_config(pipeline, step)
            except MappingError as error:
                step.started_at = at
                self._fail_step(pipeline, step, at, str(error))
                return
            self._begin_attempt(pipeline, step, at)
        if len(completed) == len(pipeline.steps):
            self._complete(pipeline, at)

    def _begin_attempt(self, pipeline: Pipeline, step: PipelineStep, at: datetime, delay: float = 0.0) -> None:
        """Schedule the end of the step's next attempt, which starts ``delay`` seconds after ``at``."""
        if step.status == "PENDING":
            step.status, step.started_at, step.task_id, step.updated_at = "RUNNING", at, self.ids.uuid(), at
        seconds = delay + TASK_SECONDS.get(step.task_type, DEFAULT_TASK_SECONDS)
        ends = AttemptEnds(pipeline.id, step.step_id, step.epoch)
        self.scheduler.schedule(OWNER, at + self.clock.span(seconds), ends)

    def attempt_ended(self, at: datetime, event: AttemptEnds) -> None:
        """What happens when a step's attempt is due to end."""
        pipeline = self.store.get_pipeline(event.pipeline_id)
        step = pipeline.step(event.step_id) if pipeline is not None else None
        if pipeline is None or step is None or step.epoch != event.epoch or step.status != "RUNNING":
            return
        rule = self.faults.take(("step-failure",), _facts(pipeline, step))
        if rule is None:
            step.result = task_result(pipeline, step)
            step.status, step.completed_at, step.error_message, step.updated_at = "COMPLETED", at, None, at
            self._dispatch(pipeline, at)
        else:
            self._retry_or_fail(pipeline, step, at, rule.error)
        self._touch(pipeline, at)

    def _retry_or_fail(self, pipeline: Pipeline, step: PipelineStep, at: datetime, error: str) -> None:
        step.error_message, step.updated_at = error, at
        if step.retry_count < step.max_retries:
            step.retry_count += 1
        elif step.fallback_provider_type and not step.on_fallback:
            step.on_fallback = True
        else:
            self._fail_step(pipeline, step, at, error)
            return
        self._begin_attempt(pipeline, step, at, delay=RETRY_SECONDS)

    def _fail_step(self, pipeline: Pipeline, step: PipelineStep, at: datetime, error: str) -> None:
        step.status, step.completed_at, step.error_message, step.updated_at = "FAILED", at, error, at
        message = f"Step '{step.step_id}' failed: {error}"
        pipeline.errors.append(message)
        if pipeline.status in ("RUNNING", "PAUSED"):
            pipeline.status, pipeline.error_message, pipeline.completed_at = "FAILED", message, at
            pipeline.failed_step, pipeline.paused_before = step.step_id, None
            self._touch(pipeline, at)
            self.on_finished(pipeline)

    def _complete(self, pipeline: Pipeline, at: datetime) -> None:
        final = pipeline.step(pipeline.final_step_id or "")
        pipeline.status, pipeline.completed_at = "COMPLETED", at
        pipeline.final_step_result = dict(final.result) if final is not None and final.result else None
        self._touch(pipeline, at)
        self.on_finished(pipeline)

    def _touch(self, pipeline: Pipeline, at: datetime) -> None:
        if at > pipeline.updated_at:
            pipeline.updated_at = at
        self.store.save_pipeline(pipeline)


def _reset(step: PipelineStep, at: datetime) -> None:
    step.status, step.config = "PENDING", dict(step.defined_config)
    step.task_id = step.result = step.error_message = None
    step.started_at = step.completed_at = None
    step.retry_count, step.on_fallback, step.files_deleted = 0, False, False
    step.epoch += 1
    step.updated_at = at


def _facts(pipeline: Pipeline, step: PipelineStep) -> dict[str, str | None]:
    return {
        "workflowId": pipeline.id,
        "stepId": step.step_id,
        "taskType": step.task_type,
        "providerType": step.provider_type,
    }
