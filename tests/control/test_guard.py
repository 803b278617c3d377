"""The control plane refuses what a web page, another machine or a mistake could send it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest

from mockserver.core.transport import SyncASGITransport
from mockserver.server.app import create_app
from mockserver.server.fake import Fake
from mockserver.server.settings import Settings

RULE = {"kind": "http-error", "status": 503}


@pytest.fixture
def control(fake: Fake) -> Iterator[httpx.Client]:
    transport = SyncASGITransport(create_app(fake))
    with httpx.Client(transport=transport, base_url="http://localhost:8000") as client:
        yield client
    transport.close()


def _assert_envelope(answer: httpx.Response, status: int) -> None:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body["statusCode"] == status and isinstance(body["message"], str) and body["error"]


def test_a_form_post_from_a_page_cannot_reset_the_fake(control: httpx.Client, fake: Fake) -> None:
    control.post("/_mock/faults", json=RULE)
    answer = control.post("/_mock/reset", content=b"x", headers={"Content-Type": "text/plain"})
    _assert_envelope(answer, 415)
    assert len(fake.faults.rules()) == 1


def test_a_foreign_origin_is_refused_and_the_own_one_passes(control: httpx.Client, fake: Fake) -> None:
    foreign = control.post("/_mock/faults", json=RULE, headers={"Origin": "https://evil.example"})
    _assert_envelope(foreign, 403)
    assert "evil.example" in foreign.json()["message"]
    assert fake.faults.rules() == []
    same = control.post("/_mock/faults", json=RULE, headers={"Origin": "http://localhost:8000"})
    assert same.status_code == 201
    null = control.get("/_mock/principals", headers={"Origin": "null"})
    _assert_envelope(null, 403)


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.nip.io", ""])
def test_a_host_not_of_the_fake_is_refused(control: httpx.Client, host: str) -> None:
    _assert_envelope(control.get("/_mock/clock", headers={"Host": host}), 403)
    _assert_envelope(control.get("/_mock/", headers={"Host": host}), 403)


@pytest.mark.parametrize("host", ["localhost", "localhost:1", "127.0.0.1:8000", "[::1]:8000", "LOCALHOST"])
def test_loopback_names_pass_on_any_port(control: httpx.Client, host: str) -> None:
    assert control.get("/_mock/clock", headers={"Host": host}).status_code == 200


def test_the_api_is_not_host_checked(control: httpx.Client) -> None:
    answer = control.get("/v1/workflows", headers={"Host": "mockserver.internal"})
    assert answer.status_code == 401  # reached the API: it asks for credentials


def test_configured_names_pass(fake: Fake) -> None:
    fake.settings.control_hosts = ["mock.lan"]
    transport = SyncASGITransport(create_app(fake))
    with httpx.Client(transport=transport, base_url="http://mock.lan:8000") as client:
        assert client.get("/_mock/clock").status_code == 200
    transport.close()


def test_a_token_is_needed_when_the_fake_has_one(fake: Fake) -> None:
    fake.settings.control_token = "s3cret"
    transport = SyncASGITransport(create_app(fake))
    with httpx.Client(transport=transport, base_url="http://localhost") as client:
        _assert_envelope(client.post("/_mock/reset"), 401)
        _assert_envelope(client.get("/_mock/state", headers={"X-Mock-Control-Token": "wrong"}), 401)
        assert client.post("/_mock/reset", headers={"X-Mock-Control-Token": "s3cret"}).status_code == 200
        assert client.get("/_mock/").status_code == 200  # the page itself: its script sends the token
        assert client.get("/_mock/static/dashboard.js").status_code == 200
    transport.close()


def test_secrets_go_only_to_clients_on_this_machine(fake: Fake) -> None:
    app = create_app(fake)

    async def listed(client: tuple[str, int]) -> list[dict]:
        transport = httpx.ASGITransport(app=app, client=client)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
            return (await http.get("/_mock/principals")).json()["apiKeys"]

    remote, local = asyncio.run(listed(("192.0.2.7", 5000))), asyncio.run(listed(("127.0.0.1", 5000)))
    assert remote and all("secret" not in key for key in remote)
    assert local and all(key["secret"] for key in local)


def test_bodies_over_the_limit_are_refused_and_not_stored(control: httpx.Client, fake: Fake) -> None:
    huge = {**RULE, "hint": "x" * (2 * 1024 * 1024)}
    _assert_envelope(control.post("/_mock/faults", json=huge), 413)
    assert fake.faults.rules() == []


@pytest.mark.parametrize("path", ["/_mock/faults", "/_mock/webhooks", "/_mock/clock/advance"])
def test_deep_or_non_strict_json_is_a_400(control: httpx.Client, path: str) -> None:
    deep = b"[" * 5000 + b"]" * 5000
    _assert_envelope(control.post(path, content=deep, headers={"Content-Type": "application/json"}), 400)
    moderately = b"[" * 500 + b"]" * 500
    _assert_envelope(control.post(path, content=moderately, headers={"Content-Type": "application/json"}), 400)
    nan = b'{"seconds": NaN}'
    _assert_envelope(control.post(path, content=nan, headers={"Content-Type": "application/json"}), 400)


def test_deep_state_is_a_400(control: httpx.Client) -> None:
    deep = b"[" * 5000 + b"]" * 5000
    _assert_envelope(control.put("/_mock/state", content=deep, headers={"Content-Type": "application/json"}), 400)


@pytest.mark.parametrize("since", ["9" * 5000, "-1", "1e3", "١٢"])
def test_journal_since_must_be_a_modest_whole_number(control: httpx.Client, since: str) -> None:
    _assert_envelope(control.get("/_mock/journal", params={"since": since}), 400)
    _assert_envelope(control.get("/_mock/journal/report", params={"since": since}), 400)


def test_fault_counts_are_bounded(control: httpx.Client) -> None:
    _assert_envelope(control.post("/_mock/faults", json={**RULE, "count": 10**30}), 400)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/_mock/reset",
        "http://localhost:8000/_mock",
        "http://example.com//_mock/reset",
        "http://127.0.0.1:8000/v1/../_mock/reset",
        "http://127.0.0.1:8000/%5Fmock/reset",
        "http://127.0.0.1:8000/%255Fmock/faults",
    ],
)
def test_a_webhook_may_not_target_the_control_plane(control: httpx.Client, fake: Fake, url: str) -> None:
    project = next(iter(fake.directory.keys.values())).project_id
    answer = control.post("/_mock/webhooks", json={"projectId": project, "url": url, "secret": "s"})
    _assert_envelope(answer, 400)
    assert "url" in answer.json()["message"]
    assert fake.webhooks.webhooks() == []


def test_the_dashboard_and_the_kit_calls_still_pass(control: httpx.Client) -> None:
    assert control.post("/_mock/reset").status_code == 200  # no body, no content type: the kit's reset
    assert control.post("/_mock/clock/advance", json={"seconds": 1}).status_code == 200
    assert control.get("/_mock/").status_code == 200


def test_the_kit_and_the_testing_handle_send_the_token_they_are_given() -> None:
    from mockserver.kit.target import open_target
    from mockserver.testing import MockHandle

    with open_target("in-process", settings={"control_token": "k1t"}) as target:
        assert target.reset() and target.advance_clock(1)
    handle = MockHandle(Fake(Settings(clock_mode="manual", control_token="h4ndle")))
    try:
        assert handle.http().post("/_mock/reset").status_code == 200
    finally:
        handle.close()


def test_an_address_in_host_passes_and_a_name_re_pointed_at_one_does_not(control: httpx.Client) -> None:
    assert control.get("/_mock/clock", headers={"Host": "192.168.1.20:8000"}).status_code == 200
    _assert_envelope(control.get("/_mock/clock", headers={"Host": "192.168.1.20.evil.example"}), 403)


def test_running_beyond_loopback_makes_a_token_and_its_control_client_sends_it() -> None:
    from mockserver.testing import running

    with running(clock_mode="manual", host="0.0.0.0") as server:
        assert server.control_token
        base = server.base_url.replace("0.0.0.0", "127.0.0.1")
        with httpx.Client(base_url=base) as anonymous:
            _assert_envelope(anonymous.post("/_mock/reset"), 401)
        with server.control() as control:
            assert control.get("/clock").status_code == 200


def test_a_delivery_to_the_control_plane_is_not_sent(fake: Fake) -> None:
    """An orchestrator workflow's webhook_url is any string: the check is made again at delivery."""
    fake.faults.add(RULE)
    delivery = fake.webhooks.send("http://127.0.0.1:9/%5Fmock/reset", "workflow.completed", "wf_1", {"ok": True})
    fake.advance(0)
    assert fake.webhooks.wait_idle()
    (sent,) = [each for each in fake.webhooks.deliveries() if each.id == delivery.id]
    assert sent.attempts and all("control plane" in attempt["error"] for attempt in sent.attempts)
    assert all(attempt["statusCode"] is None for attempt in sent.attempts)
    assert len(fake.faults.rules()) == 1
