"""Webhooks: a job that ends is POSTed to its project's receivers, in the background, with retries and a log."""

from __future__ import annotations

import base64
import hashlib
import hmac
import socket
import time

import httpx
import yaml
from openapi_spec_validator import validate

from mockserver.core.transport import SyncASGITransport
from mockserver.server.app import create_app
from mockserver.server.fake import Fake
from mockserver.server.settings import DEFAULT_FIXTURES, Settings


def _register(http, url: str, **extra) -> dict:
    answer = http("POST", "/_mock/webhooks", who=None, json={"projectId": "proj_demo", "url": url, **extra})
    assert answer.status_code == 201, answer.text
    return answer.json()["webhook"]


def _run_to_the_end(http) -> str:
    job_id = http("PUT", "/v1/workflows/workflow_upscaler/run", json={"image": "asset_photo"}).json()["job"]["jobId"]
    http("POST", "/_mock/clock/advance", who=None, json={"seconds": 300})
    return job_id


def test_a_finished_job_is_posted_to_the_receiver(http, receiver, fake, wait_until):
    fake.base_url = "http://testserver"  # the asset URLs in the payload point where the fake is served
    webhook = _register(http, receiver.url, secret="s3cret")
    job_id = http("PUT", "/v1/workflows/workflow_upscaler/run", json={"image": "asset_photo"}).json()["job"]["jobId"]
    http("POST", "/_mock/clock/advance", who=None, json={"seconds": 2})
    assert fake.webhooks.wait_idle() and receiver.received == []  # nothing before the job ends
    http("POST", "/_mock/clock/advance", who=None, json={"seconds": 300})
    got = wait_until(lambda: receiver.received, what="the delivery")[0]
    body = got["json"]
    assert body["event"] == "job.success" and body["webhookId"] == webhook["id"] and body["projectId"] == "proj_demo"
    assert body["job"] == http("GET", f"/v1/jobs/{job_id}").json()["job"]
    assert got["headers"]["X-Mockserver-Event"] == "job.success"
    assert got["headers"]["X-Mockserver-Attempt"] == "1"
    expected = "sha256=" + hmac.new(b"s3cret", got["raw"], hashlib.sha256).hexdigest()
    assert got["headers"]["X-Mockserver-Signature"] == expected
    wait_until(lambda: fake.webhooks.deliveries()[0].status == "delivered", what="the log to say delivered")
    log = http("GET", f"/_mock/webhooks/deliveries?jobId={job_id}", who=None).json()["deliveries"]
    assert [(d["status"], len(d["attempts"]), d["attempts"][0]["statusCode"]) for d in log] == [("delivered", 1, 200)]


def test_failed_deliveries_are_retried_with_backoff(receiver):
    fake = Fake(Settings(clock_mode="manual", webhook_retry_seconds=0.05, webhook_max_attempts=4))
    try:
        receiver.statuses = [500, 503]
        fake.webhooks.register({"projectId": "proj_demo", "url": receiver.url, "events": ["failure"]})
        fake.faults.add({"kind": "node-failure", "match": {"workflowId": "workflow_upscaler"}})
        from mockserver.core.principals import Principal

        fake.scenario.jobs.run(
            Principal("user_alice", "proj_demo", "editor"), "workflow_upscaler", {"image": "asset_photo"}, False
        )
        fake.advance(300)
        # Retries follow the fake's clock: 0.05 then 0.1 simulated seconds after each failed attempt.
        for retry_after in (0.05, 0.1):
            assert fake.webhooks.wait_idle(timeout=10)
            fake.advance(retry_after)
        assert fake.webhooks.wait_idle(timeout=10)
        (delivery,) = fake.webhooks.deliveries()
        assert delivery.status == "delivered" and delivery.event == "job.failure"
        assert [a["statusCode"] for a in delivery.attempts] == [500, 503, 200]
        assert [r["headers"]["X-Mockserver-Attempt"] for r in receiver.received] == ["1", "2", "3"]
        assert len({r["json"]["id"] for r in receiver.received}) == 1  # the same delivery each time
    finally:
        fake.close()


def test_an_unreachable_receiver_fails_after_the_last_attempt():
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{unused.getsockname()[1]}/gone"
    fake = Fake(Settings(clock_mode="instant", webhook_retry_seconds=0.01, webhook_max_attempts=3))
    try:
        fake.webhooks.register({"projectId": "proj_demo", "url": url})
        from mockserver.core.principals import Principal

        job = fake.scenario.jobs.run(
            Principal("user_alice", "proj_demo", "editor"), "workflow_upscaler", {"image": "asset_photo"}, False
        )
        fake.advance()
        assert fake.scenario.store.get_job(job.job.job_id).status == "success"
        assert fake.webhooks.wait_idle(timeout=10)
        (delivery,) = fake.webhooks.deliveries()
        assert delivery.status == "failed" and len(delivery.attempts) == 3
        assert all(a["statusCode"] is None and "ConnectError" in a["error"] for a in delivery.attempts)
    finally:
        fake.close()


def test_only_the_projects_jobs_and_the_asked_events(http, receiver, fake):
    _register(http, receiver.url, events=["canceled"])
    http("POST", "/_mock/webhooks", who=None, json={"projectId": "proj_other", "url": receiver.url})
    _run_to_the_end(http)  # success: not asked for; proj_other's webhook: not its job
    assert fake.webhooks.wait_idle() and receiver.received == [] and fake.webhooks.deliveries() == []


def test_webhooks_from_fixtures_and_reset(tmp_path, receiver):
    (tmp_path / "principals.yaml").write_text(
        yaml.safe_dump({"webhooks": [{"projectId": "proj_demo", "url": receiver.url}]})
    )
    fake = Fake(Settings(clock_mode="manual", fixtures=[DEFAULT_FIXTURES, tmp_path]))
    try:
        assert [w.url for w in fake.webhooks.webhooks()] == [receiver.url]
        fake.webhooks.register({"projectId": "proj_demo", "url": "http://127.0.0.1:9/other"})
        fake.reset()
        assert [w.url for w in fake.webhooks.webhooks()] == [receiver.url]
    finally:
        fake.close()


def test_registration_is_checked(http):
    bad = [
        {"url": "http://127.0.0.1:9/x"},
        {"projectId": "proj_nope", "url": "http://127.0.0.1:9/x"},
        {"projectId": "proj_demo", "url": "ftp://example/x"},
        {"projectId": "proj_demo", "url": "http://127.0.0.1:9/x", "events": ["queued"]},
        {"projectId": "proj_demo", "url": "http://127.0.0.1:9/x", "secret": 5},
        {"projectId": "proj_demo", "url": "http://127.0.0.1:9/x", "color": "red"},
        ["not", "an", "object"],
    ]
    for body in bad:
        answer = http("POST", "/_mock/webhooks", who=None, json=body)
        assert answer.status_code == 400 and answer.json()["statusCode"] == 400, body
    assert http("GET", "/_mock/webhooks", who=None).json() == {"webhooks": []}
    made = _register(http, "http://127.0.0.1:9/x")
    assert made["events"] == ["canceled", "failure", "success"] and made["jobTypes"] == ["workflow"]
    assert http("DELETE", f"/_mock/webhooks/{made['id']}", who=None).status_code == 200
    assert http("DELETE", f"/_mock/webhooks/{made['id']}", who=None).status_code == 404
    assert http("GET", "/_mock/webhooks/deliveries?color=red", who=None).status_code == 400


def test_webhooks_and_deliveries_are_part_of_the_state(http, receiver, fake, wait_until):
    _register(http, receiver.url)
    _run_to_the_end(http)
    wait_until(lambda: fake.webhooks.deliveries() and fake.webhooks.deliveries()[0].status == "delivered")
    state = http("GET", "/_mock/state", who=None).json()
    assert state["webhooks"]["webhooks"][0]["url"] == receiver.url
    assert state["webhooks"]["deliveries"][0]["status"] == "delivered"
    http("POST", "/_mock/reset", who=None)
    assert http("PUT", "/_mock/state", who=None, json=state).json() == state
    assert len(receiver.received) == 1  # a delivered delivery is not sent again


def test_the_webhooks_openapi_document_is_served_and_valid(http):
    answer = http("GET", "/_mock/webhooks/openapi.yaml", who=None)
    assert answer.status_code == 200
    document = yaml.safe_load(answer.text)
    validate(document)
    assert "jobEnded" in document["webhooks"]


def test_a_job_ends_and_is_delivered_on_time_without_anybody_polling(receiver):
    """On a real-time clock, nobody asks after the job, and it still ends and its webhook is delivered."""
    fake = Fake(Settings(clock_mode="realtime", clock_speed=200))
    transport = SyncASGITransport(create_app(fake))
    try:
        fake.webhooks.register({"projectId": "proj_demo", "url": receiver.url})
        with httpx.Client(transport=transport, base_url="http://testserver") as client:
            alice = {"Authorization": "Basic " + base64.b64encode(b"key_alice:secret_alice").decode()}
            answer = client.put("/v1/workflows/workflow_upscaler/run", json={"image": "asset_photo"}, headers=alice)
            assert answer.status_code == 200, answer.text
            started = time.monotonic()
            (call,) = receiver.wait_for(1, timeout=10)
        body = call["json"]
        assert body["event"] == "job.success" and body["job"]["jobId"] == answer.json()["job"]["jobId"]
        assert body["job"]["status"] == "success"
        assert time.monotonic() - started < 5  # about 12 simulated seconds at x200: well under a second
    finally:
        transport.close()
        fake.close()


def test_a_retry_waits_for_the_fakes_clock(receiver):
    fake = Fake(Settings(clock_mode="manual", webhook_retry_seconds=2))
    try:
        receiver.statuses = [500]
        fake.webhooks.register({"projectId": "proj_demo", "url": receiver.url})
        from mockserver.core.principals import Principal

        fake.scenario.jobs.run(
            Principal("user_alice", "proj_demo", "editor"), "workflow_upscaler", {"image": "asset_photo"}, False
        )
        fake.advance(300)
        assert fake.webhooks.wait_idle() and len(receiver.calls()) == 1
        time.sleep(0.3)  # wall-clock time does not bring the retry on a manual clock
        fake.advance(1.9)
        assert fake.webhooks.wait_idle() and len(receiver.calls()) == 1
        fake.advance(0.1)
        assert fake.webhooks.wait_idle() and len(receiver.calls()) == 2
        (delivery,) = fake.webhooks.deliveries()
        assert delivery.status == "delivered" and [a["statusCode"] for a in delivery.attempts] == [500, 200]
    finally:
        fake.close()
