"""The journal's conformance report, over the control API and as the kit builds it."""

from __future__ import annotations

import httpx
from kit_support import kit_fake

from mockserver.core.conformance import ConformanceReport, build_report, render_report
from mockserver.core.transport import SyncASGITransport
from mockserver.kit.target import Credentials
from mockserver.server.app import create_app
from mockserver.server.fake import Fake

ALICE = {"Authorization": Credentials("key_alice", "secret_alice").authorization}


def fake_and_client(**settings) -> tuple[Fake, httpx.Client]:
    fake = kit_fake(**settings)
    return fake, httpx.Client(
        transport=SyncASGITransport(create_app(fake)), base_url="http://testserver", headers=ALICE
    )


def test_the_report_lists_use_violations_drift_warnings_and_gaps():
    fake, client = fake_and_client(validation="report", api_profile="current")
    client.get("/v1/workflows", params={"pageSize": 5})
    client.get("/v1/workflows", params={"pageSize": 500})
    client.put("/v1/workflows/workflow_product_shot/run", json={"prompt": "a shoe", "angles": "front"})
    client.put("/v1/workflows/workflow_upscaler/run", params={"dryRun": "api"}, json={"image": "asset_photo"})
    client.post("/v1/search/assets", json={"query": "a poster"})
    client.get("/_mock/clock")  # the control plane is not the API: not in the report
    report = build_report(fake.journal.entries(), fake.scenario.contract)
    assert report.requests == 5
    assert {op: dict(statuses) for op, statuses in report.used.items()} == {
        "listWorkflows": {200: 2},
        "runWorkflow": {200: 1, 269: 1},
    }
    assert [(f.request, f.reasons) for f in report.violations] == [
        (
            "GET /v1/workflows?pageSize=500",
            ("Invalid query parameter pageSize: 500 is greater than the maximum of 100",),
        )
    ]
    assert [f.reasons[0] for f in report.not_in_contract] == [
        "dryRun=api is a value of the newer API, not in the contract",
        "unknown route, looks like searchWorkflows",
    ]
    assert report.warnings[0].reasons == (
        'Input "angles" expects an array (string_array); the scalar value sent was dropped, as the real API does',
    )
    assert "getJob" in report.never_exercised and "listWorkflows" not in report.never_exercised
    assert not report.passed() and not report.passed(allow_drift=True)


def test_the_control_api_prints_the_report_and_answers_json():
    fake, client = fake_and_client()
    client.get("/v1/workflows", params={"pageSize": 0})
    text = client.get("/_mock/journal/report")
    assert text.status_code == 200 and text.headers["content-type"].startswith("text/plain")
    assert "Requests that broke the contract (1):" in text.text
    assert "Invalid query parameter pageSize: 0 is less than the minimum of 1" in text.text
    assert "Verdict: FAIL" in text.text
    data = client.get("/_mock/journal/report", params={"format": "json"}).json()
    assert data["violations"][0]["request"] == "GET /v1/workflows?pageSize=0" and data["requests"] == 1
    later = client.get("/_mock/journal/report", params={"format": "json", "since": 1}).json()
    assert later["requests"] == 0 and later["violations"] == []


def test_the_json_report_reads_back_as_the_report_the_text_renders():
    """The kit reads a fake's report from the control plane: the JSON form is the whole report."""
    _, client = fake_and_client(validation="report", api_profile="current")
    client.get("/v1/workflows", params={"pageSize": 500})
    client.put("/v1/workflows/workflow_upscaler/run", params={"dryRun": "api"}, json={"image": "asset_photo"})
    client.post("/v1/search/assets", json={})
    client.get("/v1/workflows/tags")
    data = client.get("/_mock/journal/report", params={"format": "json"}).json()
    report = ConformanceReport.from_dict(data)
    assert report.as_dict() == data
    assert report.violations and report.not_in_contract and 500 not in report.used["listWorkflows"]
    assert render_report(report) + "\n" == client.get("/_mock/journal/report").text


def test_the_control_api_refuses_a_bad_report_request():
    _, client = fake_and_client()
    for params in ({"since": "x"}, {"format": "xml"}):
        answer = client.get("/_mock/journal/report", params=params)
        assert answer.status_code == 400 and answer.json()["statusCode"] == 400


def test_a_clean_client_passes_and_a_full_journal_says_how_much_it_lost():
    fake, client = fake_and_client(journal_size=3)
    for _ in range(5):
        client.get("/v1/workflows/tags")
    report = build_report(fake.journal.entries(), fake.scenario.contract)
    assert report.passed() and report.requests == 3 and report.lost == 2
