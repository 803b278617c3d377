"""GET/PUT /_mock/state: the whole state as JSON, so a test can snapshot and restore it."""

from __future__ import annotations

import copy

import pytest

from mockserver.server.fake import Fake
from mockserver.server.settings import Settings


def _busy(http) -> dict[str, str]:
    """A fake with a bit of everything: workflows, running and waiting jobs, assets, a fault rule."""
    made = http("POST", "/v1/workflows", json={"name": "scratch", "description": "d"}).json()["workflow"]["id"]
    http("POST", "/_mock/faults", who=None, json={"kind": "http-error", "match": {"operationId": "getJob"}, "nth": 3})
    shot = http("PUT", "/v1/workflows/workflow_product_shot/run", json={"prompt": "a lamp"}).json()["job"]["jobId"]
    poster = http("PUT", "/v1/workflows/workflow_demo_poster/run", json={"prompt": "Sale"}).json()["job"]["jobId"]
    http("POST", "/_mock/clock/advance", who=None, json={"seconds": 9})
    return {"workflow": made, "shot": shot, "poster": poster}


def test_snapshot_reset_restore_gives_identical_state(http):
    _busy(http)
    snapshot = http("GET", "/_mock/state", who=None).json()
    assert snapshot["jobs"] and snapshot["simulation"]["events"] and snapshot["faults"]["rules"]
    http("POST", "/_mock/reset", who=None)
    assert http("GET", "/_mock/state", who=None).json() != snapshot
    restored = http("PUT", "/_mock/state", who=None, json=snapshot)
    assert restored.status_code == 200 and restored.json() == snapshot
    assert http("GET", "/_mock/state", who=None).json() == snapshot


def test_a_restored_fake_goes_on_exactly_as_the_original(http, fake):
    ids = _busy(http)
    snapshot = http("GET", "/_mock/state", who=None).json()
    twin = Fake(Settings(clock_mode="manual"))
    twin.restore(copy.deepcopy(snapshot))
    for one in (fake, twin):
        one.advance(600)
    assert twin.snapshot() == fake.snapshot()
    job = fake.scenario.store.get_job(ids["shot"])
    assert job is not None and job.status == "success"
    # The id sequence goes on too: both make the same next workflow id.
    assert twin.ids.new("workflow") == fake.ids.new("workflow")


def test_restore_keeps_datetimes_exact(fake):
    fake.clock.advance(0.123456)
    from mockserver.core.principals import Principal

    fake.scenario.jobs.run(
        Principal("user_alice", "proj_demo", "editor"), "workflow_upscaler", {"image": "asset_photo"}, False
    )
    fake.advance(3.5)
    before = fake.snapshot()
    fake.reset()
    fake.restore(before)
    job = next(iter(fake.scenario.store.all_jobs()))
    assert job.started_at is not None and job.started_at.microsecond == 123456
    assert fake.snapshot() == before


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda s: s.update(version=99), "version"),
        (lambda s: s.pop("jobs"), "jobs must be a list"),
        (lambda s: s["jobs"][0].update(status=5), "jobs[0].status"),
        (lambda s: s["jobs"][0].update(surprise=1), "jobs[0]: unknown field surprise"),
        (lambda s: s["jobs"][0].update(startedAt="yesterday"), "jobs[0].startedAt"),
        (lambda s: s["jobs"][0]["nodes"][0].pop("definition"), "definition is required"),
        (lambda s: s["workflows"][0].update(privacy="secret"), "workflows[0].privacy"),
        (lambda s: s["clock"].update(mode="warp"), "clock.mode"),
        (lambda s: s.update(ids=[3, "x", None]), "ids"),
        (lambda s: s["simulation"]["events"].append({"at": "x", "seq": 1, "jobId": "j", "kind": "warm"}), "at"),
        (lambda s: s["faults"]["rules"].append({"id": "f", "kind": "meteor"}), "faults.rules[1]"),
        (lambda s: s["webhooks"].update(webhooks=[{"id": "w", "projectId": "nope", "url": "http://x"}]), "projectId"),
    ],
)
def test_a_malformed_state_is_refused_and_changes_nothing(http, mutate, message):
    _busy(http)
    snapshot = http("GET", "/_mock/state", who=None).json()
    broken = copy.deepcopy(snapshot)
    mutate(broken)
    answer = http("PUT", "/_mock/state", who=None, json=broken)
    assert answer.status_code == 400, answer.text
    assert message in answer.json()["message"] and answer.json()["error"] == "Bad Request"
    assert http("GET", "/_mock/state", who=None).json() == snapshot


def test_state_that_is_not_json_is_a_400(http):
    before = http("GET", "/_mock/state", who=None).json()
    answer = http("PUT", "/_mock/state", who=None, content=b"{nope", headers={"Content-Type": "application/json"})
    assert answer.status_code == 400 and answer.json()["message"] == "The body must be JSON"
    assert http("PUT", "/_mock/state", who=None, json=[1, 2]).status_code == 400
    assert http("GET", "/_mock/state", who=None).json() == before


def _orchestrator_workflow(http, start: bool = True) -> str:
    body = {
        "name": "two steps",
        "origin_instance": "tests",
        "steps": [
            {"id": "generate", "task_type": "GENERATION", "config": {"prompt": "a fox"}},
            {
                "id": "refine",
                "task_type": "REFINE",
                "config": {},
                "depends_on": ["generate"],
                "input_mappings": [{"from_step": "generate", "from_field": "result_image_path", "to_field": "image"}],
            },
        ],
    }
    response = http(
        "POST",
        f"/api/v1/workflows/?start={'true' if start else 'false'}",
        who=None,
        headers={"Authorization": "Bearer token_alice"},
        json=body,
    )
    assert response.status_code == 200, response.text
    return response.json()["id"]


def test_the_orchestrator_api_is_part_of_the_state(http, fake):
    running = _orchestrator_workflow(http)
    waiting = _orchestrator_workflow(http, start=False)
    http("POST", "/_mock/clock/advance", who=None, json={"seconds": 3})
    snapshot = http("GET", "/_mock/state", who=None).json()
    assert {item["id"] for item in snapshot["orchestrator"]["workflows"]} == {running, waiting}
    assert snapshot["orchestrator"]["attempts"]

    twin = Fake(Settings(clock_mode="manual"))
    twin.restore(copy.deepcopy(snapshot))
    assert twin.snapshot() == snapshot
    for one in (fake, twin):
        one.advance(600)
    assert twin.snapshot() == fake.snapshot()
    assert twin.orchestrator.store.get_pipeline(running).status == "COMPLETED"
    assert twin.orchestrator.store.get_pipeline(waiting).status == "PENDING"
    # Workflows made after the restore still sort after those made before it.
    assert twin.orchestrator.service.next_sequence() == fake.orchestrator.service.next_sequence()


def test_a_malformed_orchestrator_state_is_refused(http):
    _orchestrator_workflow(http)
    snapshot = http("GET", "/_mock/state", who=None).json()
    broken = copy.deepcopy(snapshot)
    broken["orchestrator"]["workflows"][0]["status"] = "DANCING"
    refused = http("PUT", "/_mock/state", who=None, json=broken)
    assert refused.status_code == 400 and "orchestrator.workflows[0].status" in refused.json()["message"]
    broken = copy.deepcopy(snapshot)
    broken["orchestrator"]["workflows"][0]["steps"][0]["createdAt"] = "yesterday"
    refused = http("PUT", "/_mock/state", who=None, json=broken)
    assert refused.status_code == 400 and "steps[0].createdAt" in refused.json()["message"]
    assert http("GET", "/_mock/state", who=None).json() == snapshot


def _with_webhook_and_orchestrator(http, fake) -> dict:
    """A busy fake, with a webhook and a running orchestrator workflow too; its snapshot."""
    _busy(http)
    fake.webhooks.register({"projectId": "proj_demo", "url": "http://127.0.0.1:9/hooks"})
    _orchestrator_workflow(http)
    return http("GET", "/_mock/state", who=None).json()


@pytest.mark.parametrize(
    ("part", "mutate", "message"),
    [
        ("clock", lambda s: s["clock"].update(speed=0), "clock.speed"),
        ("ids", lambda s: s["ids"][1].append("x"), "ids"),
        ("workflows", lambda s: s["workflows"][0].update(privacy="secret"), "workflows[0].privacy"),
        ("jobs", lambda s: s["jobs"][0]["nodes"][0].update(startedAt=5), "jobs[0].nodes[0].startedAt"),
        ("assets", lambda s: s.update(assets={"asset_x": 1}), "assets"),
        ("simulation", lambda s: s["simulation"].update(nextSeq=-1), "simulation.nextSeq"),
        ("simulation", lambda s: s["simulation"].update(waiting={"proj_demo": [1]}), "simulation.waiting"),
        ("faults", lambda s: s["faults"].update(nextId="one"), "faults.nextId"),
        ("webhooks", lambda s: s["webhooks"]["deliveries"].append({"id": "d"}), "webhooks"),
        ("orchestrator", lambda s: s["orchestrator"]["attempts"][0].update(epoch="x"), "orchestrator.attempts[0]"),
        ("orchestrator", lambda s: s["orchestrator"].update(nextSeq=None), "orchestrator.nextSeq"),
    ],
)
def test_a_malformed_part_changes_no_part(http, fake, part, mutate, message):
    """Every part is checked before any is restored: the fake keeps the state it had, not the snapshot's."""
    snapshot = _with_webhook_and_orchestrator(http, fake)
    # Move every part on from the snapshot, so that a part restored before the refusal would show.
    http("POST", "/_mock/clock/advance", who=None, json={"seconds": 2})
    http("PUT", "/v1/workflows/workflow_upscaler/run", json={"image": "asset_photo"})
    http("POST", "/_mock/faults", who=None, json={"kind": "latency", "match": {"operationId": "nothing"}})
    fake.webhooks.register({"projectId": "proj_demo", "url": "http://127.0.0.1:9/more"})
    _orchestrator_workflow(http, start=False)
    fake.ids.new("job")
    before = fake.snapshot()
    broken = copy.deepcopy(snapshot)
    mutate(broken)
    answer = http("PUT", "/_mock/state", who=None, json=broken)
    assert answer.status_code == 400, answer.text
    assert message in answer.json()["message"], part
    assert fake.snapshot() == before


def test_each_part_comes_back_from_the_composed_snapshot(http, fake):
    snapshot = _with_webhook_and_orchestrator(http, fake)
    twin = Fake(Settings(clock_mode="manual"))
    try:
        twin.restore(copy.deepcopy(snapshot))
        assert twin.clock.snapshot() == snapshot["clock"]
        assert twin.ids.snapshot() == snapshot["ids"]
        assert twin.faults.snapshot() == snapshot["faults"]
        assert twin.webhooks.snapshot() == snapshot["webhooks"]
        assert twin.orchestrator.snapshot() == snapshot["orchestrator"]
        scenario = twin.scenario.snapshot()
        assert {key: scenario[key] for key in ("workflows", "jobs", "assets", "simulation")} == {
            key: snapshot[key] for key in ("workflows", "jobs", "assets", "simulation")
        }
    finally:
        twin.close()


def test_one_scheduler_writes_one_next_sequence_and_reads_the_larger(http, fake):
    snapshot = _with_webhook_and_orchestrator(http, fake)
    assert snapshot["simulation"]["nextSeq"] == snapshot["orchestrator"]["nextSeq"]
    older = copy.deepcopy(snapshot)  # as two schedulers wrote it: each its own count
    older["orchestrator"]["nextSeq"] = snapshot["orchestrator"]["nextSeq"] + 40
    older["simulation"]["nextSeq"] = 3
    fake.restore(older)
    after = fake.snapshot()
    assert (
        after["simulation"]["nextSeq"] == after["orchestrator"]["nextSeq"] == snapshot["orchestrator"]["nextSeq"] + 40
    )


def test_reset_starts_the_same_id_factory_over(fake):
    ids = fake.ids
    first = ids.new("job")
    fake.reset()
    assert fake.ids is ids and fake.scenario.simulation.ids is ids and fake.orchestrator.service.ids is ids
    assert ids.new("job") == first
