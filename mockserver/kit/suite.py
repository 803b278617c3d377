"""One run of the contract suite: the target, the schemathesis schema built for it, and what was seen.

``contracts/suite`` holds the pytest files; this module does the work so that the
files stay short and the command line (``mockserver kit check``) runs the very
same suite. Every schemathesis check is on; the suite adds the documented rules
(:mod:`mockserver.kit.rules`), keeps live targets safe (:mod:`mockserver.kit.safety`),
and records every case and failure (:mod:`mockserver.kit.results`).
"""

from __future__ import annotations

import json
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
import hypothesis
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.core.result import Ok
from schemathesis.generation.stateful import run_state_machine_as_test

from mockserver.kit import rules
from mockserver.kit.budget import Budget
from mockserver.kit.contract import CONTRACT
from mockserver.kit.inputs import SAMPLE_IMAGE
from mockserver.kit.lifecycle import Decision, LifecycleCheck, LifecycleRun
from mockserver.kit.results import Failure, Results, curl_command, render_summary, simple_curl
from mockserver.kit.safety import UNRESTRICTED, GuardedSession, Ledger, Policy, make_safe
from mockserver.kit.target import Target, open_target
from mockserver.kit.walk import WalkLog, favour_lifecycle, start_from_listings_and_creation
from mockserver.scenario.profiles import ApiProfile

# Runs of the lifecycle check on a kit-made fake: each fixture app, a review approved and
# rejected, and a node job cancelled. Inputs are each app's required ones.
FAKE_LIFECYCLES: tuple[tuple[str, dict[str, Any], Decision], ...] = (
    ("workflow_demo_poster", {"prompt": "a lighthouse at dusk"}, "approve"),
    ("workflow_demo_poster", {"prompt": "a lighthouse at dusk"}, "reject"),
    ("workflow_product_shot", {"prompt": "a red sneaker"}, "cancel-node"),
    ("workflow_upscaler", {"image": SAMPLE_IMAGE}, "approve"),
    ("workflow_bg_remover", {"image": SAMPLE_IMAGE}, "approve"),
)


# How much more often the walk follows a lifecycle link than any other.
LIFECYCLE_WEIGHT = 6

# Operations that change data: on a live API, sent only with --allow-writes.
WRITE_OPERATIONS = ("createWorkflow", "updateWorkflow", "deleteWorkflow", "userApproval", "userSelection", "jobAction")
# Operations that make or delete a project's files: never sent to a live API, whatever it allows.
FILE_WRITE_OPERATIONS = ("uploadAsset", "deleteAssets", "createUpload", "uploadAction", "requestAssetsDownload")
# Methods schemathesis may probe a live API with where the contract declares none.
SAFE_METHODS = ("get", "options", "trace")

# What schemathesis counts as accepting valid data, by default.
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]


@dataclass
class SuiteOptions:
    target: str = "in-process"
    allow_writes: bool = False
    allow_spending: bool = False
    budget: float | None = None  # credits the real runs of a live target may spend, as their dry runs estimate
    examples: int = 20  # fuzzed cases per operation, on top of the examples and coverage phases
    scenarios: int = 60  # stateful walks
    steps: int = 20  # at most this many calls per walk
    project_id: str | None = None
    workflow: str | None = None  # the workflow the lifecycle check runs on a live target
    inputs: dict[str, Any] = field(default_factory=dict)
    clock_step: float = 10.0  # simulated seconds a kit-made fake moves after each call of the walk
    timeout: float = 600.0  # how long the lifecycle check polls a job, in the target's seconds
    # The version of the API the target is held to where the two differ; a kit-made fake answers as it.
    api_profile: ApiProfile = "guide"


class KitSession:
    def __init__(self, target: Target, options: SuiteOptions) -> None:
        self.target = target
        self.options = options
        self.policy = UNRESTRICTED if target.is_fake else Policy(options.allow_writes, options.allow_spending)
        self.ledger = Ledger()
        self.budget = Budget(options.budget) if options.budget is not None and self.policy.restricted else None
        self._spending_noted = False
        self.results = Results()
        self.walk_log = WalkLog()
        self.session = (
            None
            if target.app is not None
            else GuardedSession(self.policy, self.ledger, _path(target.base_url), self.budget)
        )
        self.contract_operations: list[str] = []
        self.schema = self._schema()
        self.results.operations = self.contract_operations

    # ---- schemathesis

    def _schema(self) -> Any:
        config: dict[str, Any] = {
            "generation": {"max-examples": self.options.examples, "database": "none", "deterministic": True},
            # The walk follows the contract's own links, not links schemathesis would infer.
            "phases": {"stateful": {"max-steps": self.options.steps, "inference": {"algorithms": []}}},
            "suppress-health-check": ["all"],
            "auth": {
                "openapi": {
                    "basicAuth": {"username": self.target.credentials.key, "password": self.target.credentials.secret}
                }
            },
            "operations": [
                {
                    # A dry run's documented answer is 402 (or 269): valid data, accepted.
                    "include-operation-id": "runWorkflow",
                    "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "402", "269"]}},
                },
                {
                    # Parts over the fake's size limit, from a file size and a parts count each in range: 413.
                    "include-operation-id": "createUpload",
                    "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "413"]}},
                },
            ],
        }
        if self.policy.restricted:
            # Probing undeclared methods on a live API: only methods that cannot change anything.
            config["phases"]["coverage"] = {"unexpected-methods": list(SAFE_METHODS)}
        if self.target.app is None:
            config["base-url"] = self.target.base_url
        schema = schemathesis.openapi.from_path(CONTRACT, config=SchemathesisConfig.from_dict(config))
        if self.target.app is not None:
            schema.app = self.target.app
        rules.register(schema, self.target.project_id or self.options.project_id)
        self.contract_operations = [
            result.ok().label for result in schema.get_all_operations() if isinstance(result, Ok)
        ]
        if not self.policy.restricted:
            return schema
        self.results.note(f"never exercised on a live API: {', '.join(FILE_WRITE_OPERATIONS)}")
        excluded = list(FILE_WRITE_OPERATIONS)
        if not self.policy.allow_writes:
            self.results.note(f"not exercised without --allow-writes: {', '.join(WRITE_OPERATIONS)}")
            excluded += WRITE_OPERATIONS
        return schema.exclude(operation_id=excluded)

    def steer(self, case: Any) -> None:
        """Keep a case within the safety policy before it is sent (a fake the kit made needs nothing)."""
        if not self.policy.restricted:
            return
        operation_id = case.operation.definition.raw.get("operationId", "")
        before = (case.path_parameters or {}, case.query or {}, case.body)
        path, query, body = make_safe(self.policy, self.ledger, operation_id, *before)
        if path != before[0]:
            case.path_parameters = path
        if query != before[1]:
            case.query = query
        if body is not before[2]:
            case.body = body

    def _operations(self) -> list[Any]:
        return [result.ok() for result in self.schema.get_all_operations() if isinstance(result, Ok)]

    def call_kwargs(self) -> dict[str, Any]:
        return {"session": self.session} if self.session is not None else {}

    def call_and_validate(self, case: Any, part: str = "operations") -> Any:
        """Send one generated case and run every check on its answer, recording both."""
        kwargs = self.call_kwargs()
        self.steer(case)
        response = case.call(**kwargs)
        self.results.record_call(case.operation.label, response.status_code)
        self.validate(case, response, part, kwargs)
        return response

    def validate(self, case: Any, response: Any, part: str, kwargs: dict[str, Any]) -> None:
        try:
            case.validate_response(response, transport_kwargs=kwargs or None)
        except BaseException as error:
            self.record_failures(part, case, response, error)
            raise

    def record_failures(self, part: str, case: Any, response: Any, error: BaseException) -> None:
        failures = getattr(error, "exceptions", None) or [error]
        curl = curl_command(response.request, self.target.base_url, self.target.credentials.authorization)
        for failure in failures:
            title = getattr(failure, "title", type(failure).__name__)
            message = getattr(failure, "message", str(failure))
            self.results.record_failure(Failure(part, case.operation.label, str(title), str(message), curl))

    # ---- the stateful walk

    def state_machine(self) -> type:
        session = self
        base = self.schema.as_state_machine()

        class ContractWalk(base):  # type: ignore[misc, valid-type]
            def setup(self) -> None:
                super().setup()
                # Every scenario starts from the fixtures, whatever ran before it (a live target is left as is).
                session.target.reset()
                session.walk_log.start()

            def before_call(self, case: Any) -> None:
                super().before_call(case)
                session.steer(case)

            def get_call_kwargs(self, case: Any) -> dict[str, Any]:
                return session.call_kwargs()

            def after_call(self, response: Any, case: Any) -> None:
                super().after_call(response, case)
                session.results.record_call(case.operation.label, response.status_code, walk=True)
                session.walk_log.observe(case, response)
                session.target.advance_clock(session.options.clock_step)

            def validate_response(self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any) -> None:
                try:
                    super().validate_response(response, case, additional_checks, **kwargs)
                except BaseException as error:
                    session.record_failures("walk", case, response, error)
                    raise

        start_from_listings_and_creation(ContractWalk, self._operations())
        favour_lifecycle(ContractWalk, LIFECYCLE_WEIGHT)
        return ContractWalk

    def walk(self) -> None:
        """Walk the contract's links: created, published, run, polled, cancelled, deleted."""
        settings = hypothesis.settings(
            self.schema.config.get_hypothesis_settings(phase="stateful"),
            max_examples=self.options.scenarios,
            stateful_step_count=self.options.steps,
            phases=[hypothesis.Phase.generate],
        )
        try:
            run_state_machine_as_test(self.state_machine(), settings=settings)
        finally:
            self.results.note("walk: " + self.walk_log.describe())
            self.settle()

    # ---- the job lifecycle

    def lifecycles(self) -> list[tuple[str, dict[str, Any], Decision]]:
        """Which workflows the lifecycle check runs on this target."""
        if self.target.is_fake:
            return list(FAKE_LIFECYCLES) if self.target.can_move_time else []
        if self.options.workflow:
            return [(self.options.workflow, self.options.inputs, "approve")]
        return []

    def lifecycle(self, workflow_id: str, inputs: dict[str, Any], decision: Decision) -> LifecycleRun:
        """A dry run, then a real run where spending is allowed, its job polled and checked."""
        run = LifecycleRun(workflow_id, decision)
        # On a fake, from the fixtures: jobs a walk left waiting for a review would hold the project's run slots.
        self.target.reset()
        with self.target.client() as client:
            check = LifecycleCheck(client, self.wait, poll_interval=self._poll_interval(), timeout=self.options.timeout)
            check.project_id = self.target.project_id or self.options.project_id
            check.api_profile = self.options.api_profile
            check.dry_run(run, inputs)
            if self.policy.allow_spending and self._may_spend(run):
                check.real_run(run, inputs)
                if run.job_id is None and self.budget is not None:
                    self.budget.give_back(run.estimated_cost)
        label = f"{workflow_id} ({decision})"
        dry_run = f"/workflows/{workflow_id}/run?dryRun=true"
        reproduce = simple_curl("GET", f"/jobs/{run.job_id}") if run.job_id else simple_curl("PUT", dry_run, inputs)
        for problem in run.problems:
            self.results.record_failure(Failure("lifecycle", label, "Job lifecycle", problem, reproduce))
        dry = f"dry run {run.dry_run_status} (estimate {run.estimated_cost})"
        seen = f", job {run.job_id}: {' -> '.join(run.statuses)}" if run.job_id else ", no real run"
        self.results.note(f"lifecycle {label}: {dry}{seen}, {len(run.problems)} problem(s)")
        return run

    def _may_spend(self, run: LifecycleRun) -> bool:
        """Whether the run's real run fits in the budget (a fake the kit made has none), counting it if so."""
        if self.budget is None:
            return not self.policy.restricted
        cost = run.estimated_cost
        if not isinstance(cost, int | float) or isinstance(cost, bool):
            self.budget.decline()
            self.results.note(f"lifecycle {run.workflow_id}: no real run, its dry run gave no estimate")
            return False
        if not self.budget.take(cost):
            left = self.budget.limit - self.budget.spent
            self.results.note(
                f"lifecycle {run.workflow_id}: no real run, its estimate of {cost:g} credits is over "
                f"the {left:g} left of the budget"
            )
            return False
        return True

    def note_spending(self) -> None:
        """Note what the real runs spent of the budget, once, at the end."""
        if self.budget is not None and not self._spending_noted:
            self._spending_noted = True
            self.results.note(self.budget.describe())

    def wait(self, seconds: float) -> None:
        if not self.target.advance_clock(seconds):
            time.sleep(seconds)

    def _poll_interval(self) -> float:
        return 1.0 if self.target.is_fake else 2.0

    # ---- the end

    def settle(self, within: float = 300.0) -> list[str]:
        """End every run the kit made on a live target; the workflow jobs it ended.

        A run left waiting for its review would hold one of the project's run slots for good,
        so every review still waiting is rejected and every node job still running cancelled,
        until all the kit's runs have ended (runs queued behind them start, and are ended too).
        """
        if self.session is None or not self.policy.allow_spending:
            return []
        ended: set[str] = set()
        refused: set[str] = set()  # runs the target would not let the kit end: not tried again
        deadline = time.monotonic() + within
        with self.target.client() as client:
            while time.monotonic() < deadline:
                running = [
                    job
                    for job in self._own_workflow_jobs(client)
                    if job["status"] not in _ENDED and job["jobId"] not in refused
                ]
                if not running:
                    break
                for job in running:
                    outcome = self._end_run(client, job)
                    if outcome is True:
                        ended.add(job["jobId"])
                    elif outcome is False:
                        refused.add(job["jobId"])
                self.wait(self._poll_interval())
        if refused:
            self.results.note(f"could not end {len(refused)} run(s) the kit made: {', '.join(sorted(refused))}")
        if ended:
            self.results.note(f"ended the {len(ended)} run(s) the kit left going: {', '.join(sorted(ended))}")
        return sorted(ended)

    def _own_workflow_jobs(self, client: httpx.Client) -> list[dict[str, Any]]:
        jobs = []
        for job_id in sorted(self.ledger.jobs):
            response = client.get(f"/jobs/{job_id}")
            if response.status_code == 200 and response.json()["job"].get("jobType") == "workflow":
                jobs.append(response.json()["job"])
        return jobs

    def _end_run(self, client: httpx.Client, job: dict[str, Any]) -> bool | None:
        """Reject the review a run waits on, or cancel its running node job.

        True when that was done, False when the target refused it, None when there was nothing to
        act on yet (the run is queued, or between nodes).
        """
        nodes = (job.get("metadata") or {}).get("flow") or []
        project = job.get("ownerId") or self.target.project_id or self.options.project_id
        for node in nodes:
            if node.get("type") in ("user-approval", "user-selection") and node.get("status") == "processing":
                body = {"workflowJobId": job["jobId"], "nodeId": node["id"], "action": "reject"}
                url = f"/workflows/{job['metadata']['workflowId']}/{node['type']}"
                return client.put(url, params={"projectId": project} if project else None, json=body).is_success
        for node in nodes:
            if node.get("jobId") and node.get("status") == "processing" and node.get("type") != "workflow":
                return client.post(f"/jobs/{node['jobId']}/action", json={"action": "cancel"}).is_success
        return None

    def cleanup(self) -> list[str]:
        """End the runs and delete the workflows the kit created on a live target; the ids it deleted."""
        if self.session is None or not self.policy.restricted:
            return []
        self.settle()
        removed = []
        for workflow_id in self.ledger.undeleted():
            response = self.session.delete(
                f"{self.target.base_url}/workflows/{workflow_id}",
                headers={"Authorization": self.target.credentials.authorization},
            )
            if response.status_code in (200, 404):
                self.ledger.deleted.add(workflow_id)
                removed.append(workflow_id)
        if removed:
            self.results.note(f"deleted the {len(removed)} workflow(s) the kit created: {', '.join(removed)}")
        return removed

    def summary(self) -> str:
        return render_summary(self.results, self.target.label, self.policy.describe())


_ENDED = ("success", "failure", "canceled")


class SuiteRun:
    """The session of one pytest run, opened when the suite's files first ask for it."""

    def __init__(self, options: SuiteOptions) -> None:
        self.options = options
        self._stack = ExitStack()
        self._session: KitSession | None = None

    def session(self) -> KitSession:
        if self._session is None:
            settings = {"api_profile": self.options.api_profile}
            target = self._stack.enter_context(
                open_target(self.options.target, project_id=self.options.project_id, settings=settings)
            )
            self._session = KitSession(target, self.options)
            self._stack.callback(self._session.cleanup)
        return self._session

    @property
    def opened(self) -> bool:
        return self._session is not None

    def close(self) -> None:
        self._stack.close()


_run: SuiteRun | None = None


def configure(options: SuiteOptions) -> SuiteRun:
    global _run
    if _run is not None:
        _run.close()
    _run = SuiteRun(options)
    return _run


def current() -> KitSession:
    """The session the suite's files use."""
    if _run is None:
        raise RuntimeError("the contract suite runs under pytest with its conftest (contracts/suite/conftest.py)")
    return _run.session()


def parse_inputs(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("--inputs must be a JSON object of input values")
    return value


def _path(url: str) -> str:
    return urlsplit(url).path
