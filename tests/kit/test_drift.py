"""The drift report: a live API that moved on, found field by field; the fake against itself, none."""

from __future__ import annotations

import json
import subprocess

import pytest
from kit_support import SUMMARIES, kit_env, mockserver_command
from mutants import newer_live_api

from mockserver.core.serving import served
from mockserver.kit.drift import SchemaIndex, compare_to_contract, drift_report, http_sender, read_scenario
from mockserver.kit.profile_match import matching_profiles, profile_signals, render_match
from mockserver.kit.target import open_target
from mockserver.server.settings import DEFAULT_CONTRACT
from mockserver.testing import running

CREDENTIALS = {"SCENARIO_SDK_API_KEY": "key_alice", "SCENARIO_SDK_API_SECRET": "secret_alice"}


@pytest.fixture(scope="module")
def index():
    import yaml

    return SchemaIndex(yaml.safe_load(DEFAULT_CONTRACT.read_text()))


def test_the_contract_comparison_names_path_and_kind(index):
    schema = index.response("getJob", 200)
    job = {"jobId": "j", "jobType": "workflow", "status": "succeeded", "progress": "15", "metadata": {"input": {}}}
    job |= {"createdAt": "x", "updatedAt": "x", "statusHistory": [{"date": "x", "status": "queued"}], "extra": 1}
    found = compare_to_contract({"job": job}, schema, index)
    assert ("/job/status", "unknown enum value") in [(path, kind) for path, kind, _ in found]
    assert ("/job/progress", "type differs") in [(path, kind) for path, kind, _ in found]
    assert ("/job/extra", "not in contract") in [(path, kind) for path, kind, _ in found]
    assert not any(path.startswith("/job/metadata/input") for path, _, _ in found)  # a free-form object
    missing = compare_to_contract({"job": {"jobId": "j"}}, schema, index)
    assert ("/job/statusHistory", "required field missing") in [(path, kind) for path, kind, _ in missing]


def test_a_live_api_that_moved_on_is_reported_per_operation_and_field(index):
    with open_target("asgi:mutants:newer_live_api") as live, open_target("in-process") as fake:
        with live.client() as live_client, fake.client() as fake_client:
            live_answers = read_scenario(http_sender(live_client), None, None)
            fake_answers = read_scenario(http_sender(fake_client), None, None)
    report = drift_report(live_answers, fake_answers, index, "newer")
    behind = {(f.step, f.path, f.kind) for f in report.contract_findings}
    assert ("listWorkflows (private)", "/workflows[]/visibilityScore", "not in contract") in behind
    assert ("listWorkflows (public)", "/workflows[]/status", "unknown enum value") in behind
    assert ("getWorkflow", "/workflow/visibilityScore", "not in contract") in behind
    assert ("getWorkflow", "/workflow/visibilityScore", "the fake never sent it") in {
        (f.step, f.path, f.kind) for f in report.findings
    }
    assert all(f.kind != "not in contract" for f in report.findings if f.step == "getJob")


def test_the_command_against_a_drifted_api_and_against_the_fake(tmp_path):
    with served(lambda _: newer_live_api()) as drifted:
        out = tmp_path / "drift.json"
        command = mockserver_command("kit", "drift", f"--base-url={drifted}/v1", f"--json={out}")
        done = subprocess.run(command, env=kit_env(**CREDENTIALS), capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "/workflows[]/visibilityScore: not in contract" in done.stdout and "Verdict: DRIFT" in done.stdout
    assert "'featured', the contract knows draft, ready, deleted" in done.stdout
    assert any(f["kind"] == "unknown enum value" for f in json.loads(out.read_text())["findings"])
    with served(lambda _: newer_live_api().app) as faithful:
        command = mockserver_command("kit", "drift", f"--base-url={faithful}/v1")
        done = subprocess.run(command, env=kit_env(**CREDENTIALS), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "Verdict: NO DRIFT (0 difference(s) from the contract" in done.stdout, done.stdout
    SUMMARIES.append("drift: a drifted API reported per operation and field; the fake against itself, no drift")


def test_a_status_the_fake_does_not_answer_is_drift_with_its_count(monkeypatch):
    from mockserver.kit.drift import render_drift, run_drift
    from mockserver.server.app import KIT_SETTINGS
    from mockserver.server.fake import Fake
    from mockserver.testing import running, settings_with

    monkeypatch.setenv("SCENARIO_SDK_API_KEY", "key_alice")
    monkeypatch.setenv("SCENARIO_SDK_API_SECRET", "secret_alice")
    # A live API whose tags answer 429: a status the fake never gives there unasked.
    unwell = Fake(settings_with(**KIT_SETTINGS))
    unwell.faults.add({"kind": "http-error", "status": 429, "match": {"operationId": "getWorkflowTags"}})
    with running(fake=unwell) as server:
        report = run_drift(server.api_url)
    unwell.close()
    assert report.contract_findings == [] and report.drifted
    assert [(f.operation_id, f.detail) for f in report.status_findings] == [
        ("getWorkflowTags", "the live API answered 429, the fake 200")
    ]
    text = render_drift(report)
    total = len(report.findings)
    assert f"Verdict: DRIFT: {total} difference(s) (0 from the contract, 1 in status and {total - 1} in shape" in text


@pytest.fixture
def no_workflows(tmp_path):
    """A served fake with the default principals and costs, and no workflow at all."""
    import shutil

    import mockserver
    from mockserver.server.settings import DEFAULT_FIXTURES

    folder = tmp_path / "bare"
    folder.mkdir()
    for name in ("principals.yaml", "costs.yaml"):
        shutil.copy(DEFAULT_FIXTURES / name, folder / name)
    with mockserver.running(clock_mode="manual", fixtures=[folder]) as server:
        yield server


def test_with_no_ready_workflow_it_says_the_dry_run_was_not_checked(no_workflows, monkeypatch):
    from mockserver.kit.drift import render_drift, run_drift

    monkeypatch.setenv("SCENARIO_SDK_API_KEY", "key_alice")
    monkeypatch.setenv("SCENARIO_SDK_API_SECRET", "secret_alice")
    report = run_drift(no_workflows.api_url)
    assert "runWorkflow (dry run)" in report.answers
    assert report.answers["runWorkflow (dry run)"][0].status == 0  # not sent to the live side
    assert "Note: the dry run could not be checked: no ready workflow listed" in render_drift(report)
    assert list(no_workflows.fake.scenario.store.all_workflows()) == []


def test_with_spending_allowed_it_makes_a_ready_workflow_for_the_dry_run_and_deletes_it(no_workflows, monkeypatch):
    from mockserver.kit.drift import run_drift
    from mockserver.kit.safety import NAME_MARK

    monkeypatch.setenv("SCENARIO_SDK_API_KEY", "key_alice")
    monkeypatch.setenv("SCENARIO_SDK_API_SECRET", "secret_alice")
    report = run_drift(no_workflows.api_url, allow_spending=True)
    live, fake = report.answers["runWorkflow (dry run)"]
    assert live.status == fake.status == 402 and report.status_findings == []
    made = list(no_workflows.fake.scenario.store.all_workflows())
    assert [(w.name, w.status) for w in made] == [(f"{NAME_MARK} drift", "deleted")]
    assert any(note.startswith(f"created workflow {made[0].id} for the dry run") for note in report.notes)
    assert list(no_workflows.fake.scenario.store.all_jobs()) == []


def test_a_draft_workflow_named_for_the_dry_run_is_read_but_not_dry_run():
    with open_target("in-process") as fake, fake.client() as client:
        draft = client.post("/workflows", json={"name": "draft", "description": "d"}).json()["workflow"]["id"]
        notes: list[str] = []
        answers = read_scenario(http_sender(client), draft, None, notes=notes)
    assert answers["getWorkflow"].status == 200 and "runWorkflow (dry run)" not in answers
    assert notes == [f"the dry run could not be checked: workflow {draft} is draft, not ready"]


@pytest.mark.parametrize("profile", ["guide", "current"])
def test_the_report_says_which_profile_a_fake_matches(index, profile):
    with open_target("in-process", settings={"api_profile": profile}) as live, open_target("in-process") as fake:
        with live.client() as live_client, fake.client() as fake_client:
            live_answers = read_scenario(http_sender(live_client), None, None, allow_writes=True)
            fake_answers = read_scenario(http_sender(fake_client), None, None, allow_writes=True)
    report = drift_report(live_answers, fake_answers, index, profile)
    assert matching_profiles(report.profile_signals) == [profile]
    signals = {signal.name: signal.profiles for signal in report.profile_signals}
    assert signals == {
        "the dry run": {profile},
        "a page of 200 jobs": {"guide", "current"},
        "a created workflow's id": {profile},
    }
    assert live_answers["deleteWorkflow (the one created)"].status == 200
    assert report.as_dict()["profile"]["matches"] == [profile]


def test_signals_that_disagree_match_no_profile():
    class Seen:
        def __init__(self, status: int, body: object) -> None:
            self.status, self.body = status, body

    answers = {
        "runWorkflow (dry run)": Seen(402, {"estimatedCost": 3}),
        "createWorkflow (id prefix)": Seen(200, {"workflow": {"id": "wflow_abc"}}),
        "listJobs (pageSize 200)": Seen(400, {}),
    }
    signals = profile_signals(answers)
    assert matching_profiles(signals) == []
    assert render_match(signals)[0] == "matches profile: none (the signals disagree)"
    assert render_match(signals[2:])[0] == "matches profile: current"
    assert render_match([])[0] == "matches profile: guide or current (the signals seen do not tell them apart)"


def test_the_command_prints_the_profile_a_served_fake_matches(tmp_path):
    with running(clock_mode="realtime", clock_speed=200.0, api_profile="current") as server:
        command = mockserver_command("kit", "drift", f"--base-url={server.api_url}", "--allow-writes")
        done = subprocess.run(command, env=kit_env(**CREDENTIALS), capture_output=True, text=True, timeout=300)
        assert any(
            w.name.startswith("[mockserver-kit]") and w.is_deleted for w in server.fake.scenario.store.all_workflows()
        )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "matches profile: current\n" in done.stdout
    assert "the dry run: answered 269 with creativeUnitsCost, as current" in done.stdout
    assert "a created workflow's id: wflow_..., as current" in done.stdout
    with running(clock_mode="realtime", clock_speed=200.0) as server:
        command = mockserver_command("kit", "drift", f"--base-url={server.api_url}")
        done = subprocess.run(command, env=kit_env(**CREDENTIALS), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "matches profile: guide\n" in done.stdout and "created workflow" not in done.stdout
