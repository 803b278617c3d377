"""``mockserver kit client``: real clients run against a fresh fake, and what the report says of them.

Three real clients: the official scenario-sdk (every workflows, jobs, assets and uploads method, sync and async),
the guide's curl examples, and the flows the manage_workflows tool documents. Then a deliberately
wrong client, and one written for a newer API.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from kit_support import CLIENTS, ROOT, SUMMARIES, kit_env, mockserver_command

from mockserver.kit.clients import ClientRun, run_client

PYTHON = [sys.executable, "-W", "ignore::DeprecationWarning"]


def client(script: str, **options) -> object:
    return run_client(ClientRun([*PYTHON, str(CLIENTS / script)], clock="manual", **options))


def test_the_official_sdk_keeps_the_contract_with_every_method():
    outcome = client("sdk_every_method.py")
    report = outcome.report
    assert outcome.returncode == 0, outcome.text()
    assert report.violations == [] and report.fake_errors == [] and report.never_exercised == []
    assert {op: sum(statuses.values()) for op, statuses in report.used.items()}["runWorkflow"] >= 8
    assert report.not_in_contract == []
    assert outcome.exit_status() == 0
    SUMMARIES.append(f"scenario-sdk: {report.requests} requests, 13 of 13 operations, 0 violations")


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_guides_curl_examples_keep_the_contract(tmp_path):
    report_file = tmp_path / "report.json"
    command = mockserver_command(
        "kit", "client", "--any-key", f"--report={report_file}", "--", "bash", str(CLIENTS / "guide_curl.sh")
    )
    done = subprocess.run(command, cwd=ROOT, env=kit_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Verdict: PASS" in done.stdout and "guide curl examples: done" in done.stdout
    report = json.loads(report_file.read_text())
    assert report["violations"] == [] and report["notInContract"] == []
    assert report["used"]["listWorkflows"] == {"200": 4, "401": 3}  # the guide's app searches send no credentials
    assert report["used"]["uploadAsset"] == {"200": 1}  # the run's input, which the guide assumes exists
    asset_reads = {"listAssets", "getAsset", "getAssetsBulk", "deleteAssets", "requestAssetDownload"}
    downloads_and_uploads = {"requestAssetsDownload", "getAssetsDownload", "createUpload", "getUpload", "uploadAction"}
    guide_has_none = asset_reads | downloads_and_uploads
    never = {"userApproval", "userSelection", "searchWorkflows", "listJobs", "jobAction"}
    assert set(report["neverExercised"]) == never | guide_has_none
    SUMMARIES.append(f"guide curl examples: {report['requests']} requests, 0 violations")


def test_the_manage_workflows_flows_keep_the_contract():
    outcome = client("manage_workflows_flows.py")
    assert outcome.exit_status() == 0, outcome.text()
    used = outcome.report.used
    assert used["runWorkflow"][402] == 1 and used["userApproval"][200] == 2 and used["updateWorkflow"][200] == 3
    SUMMARIES.append(f"manage_workflows flows: {outcome.report.requests} requests, 0 violations")


def test_a_wrong_client_is_caught_in_strict_mode():
    outcome = client("wrong_client.py")
    report = outcome.report
    assert outcome.returncode == 0 and outcome.exit_status() == 1  # its own checks pass; the report fails it
    assert [(f.operation, f.status, f.reasons) for f in report.violations] == [
        ("listWorkflows", 400, ("Invalid query parameter pageSize: 500 is greater than the maximum of 100",)),
        ("runWorkflow", 400, ('Invalid body at /: ["asset_photo"] is not of type "object"',)),
    ]
    assert "Verdict: FAIL (2 violation(s)" in outcome.text()


def test_report_mode_lets_a_violating_request_through_and_records_it():
    outcome = client("wrong_client.py", validation="report")
    violations = {f.operation: f for f in outcome.report.violations}
    assert violations["listWorkflows"].status == 200  # served, as the fake serves a valid page
    assert "pageSize" in violations["listWorkflows"].reasons[0]
    assert outcome.exit_status() == 1


def test_a_newer_client_is_drift_not_a_crash():
    outcome = client("newer_client.py")
    report = outcome.report
    assert outcome.returncode == 0 and report.violations == []
    assert [(f.operation, f.reasons) for f in report.not_in_contract] == [
        ("runWorkflow", ("dryRun=api is a value of the newer API, not in the contract",)),
        (None, ("unknown route, looks like searchWorkflows",)),
    ]
    assert outcome.exit_status() == 1 and outcome.exit_status(allow_drift=True) == 0


def test_the_command_passes_the_clients_exit_status_and_finds_a_missing_command(tmp_path):
    failing = mockserver_command("kit", "client", "--", sys.executable, "-c", "raise SystemExit(3)")
    assert subprocess.run(failing, env=kit_env(), capture_output=True, timeout=120).returncode == 3
    missing = mockserver_command("kit", "client", "--", str(tmp_path / "no-such-program"))
    done = subprocess.run(missing, env=kit_env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 127 and "could not be started" in done.stdout
    empty = subprocess.run(mockserver_command("kit", "client"), env=kit_env(), capture_output=True, text=True)
    assert empty.returncode == 2 and "after --" in empty.stderr


def test_a_client_that_insists_on_https_runs_against_the_fake_served_with_tls(tmp_path):
    script = tmp_path / "https_only.py"
    script.write_text(
        "import os, sys\n"
        "from scenario_sdk import Scenario\n"
        "base = os.environ['SCENARIO_BASE_URL']\n"
        "if not base.startswith('https://'):\n"
        "    sys.exit('refusing a base URL that is not https: ' + base)\n"
        "client = Scenario(base_url=base)\n"
        "workflow = client.workflows.retrieve('workflow_upscaler').workflow\n"
        "assert workflow.id == 'workflow_upscaler', workflow\n"
    )
    outcome = run_client(ClientRun([*PYTHON, str(script)], clock="manual", tls=True))
    assert outcome.returncode == 0, outcome.text()
    assert outcome.report.used == {"getWorkflow": {200: 1}} and outcome.report.not_in_contract == []


# The client sees key_alice (a default principal) and key_zoe (from its own fixtures): it exits with
# 10 * (alice's status is 200) + (zoe's is 200), so both are read from its exit status.
SEES_WHO = """
import os, httpx
base = os.environ["SCENARIO_BASE_URL"]
alice = httpx.get(base + "/workflows", auth=("key_alice", "secret_alice")).status_code
zoe = httpx.get(base + "/workflows", auth=("key_zoe", "secret_zoe")).status_code
raise SystemExit(10 * (alice == 200) + (zoe == 200))
"""


def _team_fixtures(root):
    import yaml

    folder = root / "team"
    folder.mkdir()
    principals = {
        "projects": [{"id": "proj_team"}],
        "apiKeys": [{"key": "key_zoe", "secret": "secret_zoe", "userId": "user_zoe", "projectId": "proj_team"}],
    }
    (folder / "principals.yaml").write_text(yaml.safe_dump(principals))
    return folder


def test_client_fixtures_add_to_the_defaults_unless_told_to_replace_them(tmp_path, capsys):
    from mockserver.cli import main

    team = str(_team_fixtures(tmp_path))
    command = ["--", sys.executable, "-c", SEES_WHO]
    assert main(["kit", "client", "--clock", "manual", *command]) == 10
    assert main(["kit", "client", "--clock", "manual", "--fixtures", team, *command]) == 11
    assert main(["kit", "client", "--clock", "manual", "--fixtures", team, "--no-default-fixtures", *command]) == 1
    assert "exited with status 11" in capsys.readouterr().out


def test_an_app_uploads_runs_selects_and_downloads_over_https_with_no_unknown_route():
    """A program as a team writes one on the official SDK, run unchanged against the fake served over HTTPS
    with its generated certificate: every route it calls is in the contract, and every request keeps it."""
    outcome = run_client(ClientRun([*PYTHON, str(CLIENTS / "workflow_app.py")], clock="instant", tls=True))
    report = outcome.report
    assert outcome.returncode == 0, outcome.text()
    assert report.not_in_contract == [] and report.violations == [] and report.fake_errors == []
    used = set(report.used)
    assert {"createUpload", "uploadAction", "getUpload", "runWorkflow", "userSelection"} <= used
    assert {"getAssetsBulk", "getAsset", "getJob"} <= used
    SUMMARIES.append(f"workflow app over https: {report.requests} requests, 0 unknown routes")
