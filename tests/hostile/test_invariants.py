"""The fake's standing invariants under generated hostile input: no 5xx, every answer within a bound, the state
always dumps and restores, and what one request creates stays bounded.

Seeded and short by default; ``bench/hostile.py --examples 5000`` runs the same properties for longer.
"""

from __future__ import annotations

import os
import time
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockserver.scenario.jobs.budget import MAX_NODE_RUNS, MAX_SUB_JOBS
from mockserver.server.fake import Fake
from tests.hostile import strategies

# How many examples each property tries: a few seconds in CI, as many as asked for from bench/hostile.py.
EXAMPLES = int(os.environ.get("MOCKSERVER_HOSTILE_EXAMPLES", "25"))
ANSWER_SECONDS = 10.0
JSON = {"Content-Type": "application/json"}
HOSTILE = settings(
    max_examples=EXAMPLES,
    derandomize="MOCKSERVER_HOSTILE_EXAMPLES" not in os.environ,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)


def answered(send: Any, *args: Any, **kwargs: Any) -> httpx.Response:
    """The response, checked: not a 5xx, and within the bound."""
    started = time.perf_counter()
    response = send(*args, **kwargs)
    assert time.perf_counter() - started < ANSWER_SECONDS, f"{args} took {time.perf_counter() - started:.1f}s"
    assert response.status_code < 500, f"{args}: {response.status_code} {response.text[:300]}"
    return response


def state_survives(http: Any) -> None:
    """The state dumps, and restores as it was dumped."""
    dumped = answered(http, "GET", "/_mock/state", who=None)
    assert dumped.status_code == 200
    restored = answered(http, "PUT", "/_mock/state", who=None, content=dumped.content, headers=JSON)
    assert restored.status_code == 200, restored.text


def fresh(http: Any) -> None:
    assert http("POST", "/_mock/reset", who=None).status_code == 200


def new_workflow(http: Any) -> str:
    created = http("POST", "/v1/workflows", json={"name": "w", "description": "d"})
    return created.json()["workflow"]["id"]


@HOSTILE
@given(body=strategies.BODIES, target=st.sampled_from(["run", "update", "create", "orchestrator", "clock"]))
def test_no_body_breaks_the_fake(http: Any, body: bytes, target: str) -> None:
    fresh(http)
    if target == "orchestrator":
        headers = {**JSON, "Authorization": "Bearer token_alice"}
        answered(http, "POST", "/api/v1/workflows/", who=None, content=body, headers=headers)
    elif target == "clock":
        answered(http, "POST", "/_mock/clock/advance", who=None, content=body, headers=JSON)
    else:
        method, url = {
            "run": ("PUT", "/v1/workflows/workflow_demo_poster/run"),
            "update": ("PUT", "/v1/workflows/workflow_demo_poster"),
            "create": ("POST", "/v1/workflows"),
        }[target]
        answered(http, method, url, content=body, headers=JSON)
    state_survives(http)


@HOSTILE
@given(values=st.dictionaries(st.sampled_from(["prompt", "seed", "scale"]), strategies.json_values(), max_size=3))
def test_no_run_input_poisons_the_project(http: Any, values: dict[str, Any]) -> None:
    fresh(http)
    body = strategies.encoded(values)
    answered(http, "PUT", "/v1/workflows/workflow_demo_poster/run", content=body, headers=JSON)
    answered(http, "PUT", "/v1/workflows/workflow_demo_poster/run?dryRun=true", content=body, headers=JSON)
    assert answered(http, "GET", "/v1/jobs").status_code == 200
    state_survives(http)


@HOSTILE
@given(data=st.data())
def test_no_flow_runs_away(http: Any, fake: Fake, data: st.DataObject) -> None:
    fresh(http)
    own, other = new_workflow(http), new_workflow(http)
    for workflow_id, others in ((other, [own]), (own, [other, "workflow_demo_poster"])):
        flow = data.draw(strategies.flows(workflow_id, others))
        answered(http, "PUT", f"/v1/workflows/{workflow_id}", json={"flow": flow, "status": "ready"})
    for dry_run in ("true", "false"):
        answered(http, "PUT", f"/v1/workflows/{own}/run?dryRun={dry_run}", json={"prompt": "p"})
    answered(http, "POST", "/_mock/clock/advance", who=None, json={"seconds": 3600})
    assert len(fake.scenario.store.all_jobs()) <= 1 + MAX_SUB_JOBS + MAX_NODE_RUNS
    state_survives(http)


@HOSTILE
@given(authorization=strategies.AUTHORIZATION)
def test_no_credentials_break_the_fake(http: Any, authorization: str) -> None:
    headers = {"Authorization": authorization.encode("latin-1")}  # as sent on the wire, any byte
    answered(http, "GET", "/v1/workflows", who=None, headers=headers)
    answered(http, "GET", "/api/v1/workflows/", who=None, headers=headers)
