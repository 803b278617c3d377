"""A workflow with a webhook_url is POSTed to it when it ends COMPLETED or FAILED: once per ending."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from mockserver.core.transport import SyncASGITransport
from mockserver.server.app import create_app
from mockserver.server.fake import Fake
from mockserver.server.settings import Settings


@pytest.fixture
def settings() -> Settings:
    return Settings(clock_mode="manual", webhook_retry_seconds=0.05)


@pytest.fixture(autouse=True)
def stop_background_work(fake: Fake) -> Iterator[None]:
    yield
    fake.close()


def _by_workflow(calls: list[dict]) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {}
    for call in calls:
        seen.setdefault(call["json"]["id"], []).append(call["json"]["status"])
    return seen


def test_one_call_per_finished_workflow(orch, create, advance, fault, receiver, fake):
    fault("step-failure", stepId="refine")
    completes = create(webhook_url=receiver.url, steps=[{"id": "only", "task_type": "UPSCALE", "config": {}}])["id"]
    fails = create(webhook_url=receiver.url)["id"]
    cancelled = create(webhook_url=receiver.url)["id"]
    silent = create(steps=[{"id": "only", "task_type": "UPSCALE", "config": {}}])["id"]  # no webhook_url
    orch.delete(f"/workflows/{cancelled}")
    advance(2)
    assert fake.webhooks.wait_idle() and receiver.calls() == []  # nothing has ended yet
    advance(120)
    calls = receiver.wait_for(2)
    assert fake.webhooks.wait_idle()
    assert _by_workflow(receiver.calls()) == {completes: ["COMPLETED"], fails: ["FAILED"]}
    for call in calls:
        workflow = call["json"]
        assert workflow == orch.get(f"/workflows/{workflow['id']}").json()  # the final workflow, as GET shows it
        assert call["headers"]["X-Mockserver-Event"] == f"workflow.{workflow['status'].lower()}"
        assert call["headers"]["Content-Type"] == "application/json"
    assert silent not in _by_workflow(calls)


def test_a_resumed_workflow_is_delivered_again_when_it_ends_again(orch, create, advance, fault, receiver, fake):
    fault("step-failure", count=4, stepId="refine")  # every attempt of the first run
    workflow_id = create(webhook_url=receiver.url)["id"]
    advance(60)
    receiver.wait_for(1)
    orch.post(f"/workflows/{workflow_id}/resume")
    advance(60)
    receiver.wait_for(2)
    assert fake.webhooks.wait_idle()
    assert _by_workflow(receiver.calls()) == {workflow_id: ["FAILED", "COMPLETED"]}


def test_a_failing_receiver_is_retried_with_the_same_delivery(create, advance, receiver, fake):
    receiver.statuses = [500]
    create(webhook_url=receiver.url)
    advance(60)
    receiver.wait_for(1)
    assert fake.webhooks.wait_idle()
    advance(0.05)  # the retry comes webhook_retry_seconds later on the fake's clock
    first, second = receiver.wait_for(2)
    assert fake.webhooks.wait_idle()
    assert first["json"] == second["json"] and len(receiver.calls()) == 2
    assert first["headers"]["X-Mockserver-Delivery"] == second["headers"]["X-Mockserver-Delivery"]
    assert [first["headers"]["X-Mockserver-Attempt"], second["headers"]["X-Mockserver-Attempt"]] == ["1", "2"]
    (delivery,) = fake.webhooks.deliveries()
    assert delivery.status == "delivered" and delivery.event == "workflow.completed"


def test_the_webhook_comes_on_time_without_anybody_polling(receiver):
    """On a real-time clock, nobody asks after the workflow, and it still ends and is delivered."""
    fake = Fake(Settings(clock_mode="realtime", clock_speed=200))
    transport = SyncASGITransport(create_app(fake))
    try:
        with httpx.Client(transport=transport, base_url="http://testserver/api/v1") as client:
            body = {
                "name": "Unwatched",
                "origin_instance": "api-prod",
                "webhook_url": receiver.url,
                "steps": [{"id": "generate", "task_type": "GENERATION", "config": {}}],
            }
            created = client.post("/workflows/", json=body, headers={"Authorization": "Bearer token_alice"})
            assert created.status_code == 200
            started = time.monotonic()
            (call,) = receiver.wait_for(1, timeout=10)
        assert call["json"]["status"] == "COMPLETED" and call["json"]["id"] == created.json()["id"]
        assert time.monotonic() - started < 5  # 8 simulated seconds at x200: about 40 ms
    finally:
        transport.close()
        fake.close()


def test_a_webhook_url_that_is_no_url_fails_its_delivery_and_nothing_else(orch, create, advance, receiver, fake):
    broken = create(webhook_url="http://\x00nowhere/")["id"]
    advance(60)
    for retry_after in (0.05, 0.1, 0.2, 0.4):  # each retry twice as long after the last, on the fake's clock
        assert fake.webhooks.wait_idle()
        advance(retry_after)
    assert fake.webhooks.wait_idle()
    (failed,) = fake.webhooks.deliveries()
    assert failed.job_id == broken and failed.status == "failed"
    assert [attempt["error"].split(":")[0] for attempt in failed.attempts] == ["InvalidURL"] * 5
    fine = create(webhook_url=receiver.url)["id"]  # the delivery thread still works
    advance(60)
    assert receiver.wait_for(1)[0]["json"]["id"] == fine
