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
    # user_selection is in the SDK but deliberately not in the contract: drift, reported, not crashed on
    assert [f.reasons for f in report.not_in_contract] == [("unknown route, looks like userApproval",)]
    assert outcome.exit_status(allow_drift=True) == 0 and outcome.exit_status() == 1
    SUMMARIES.append(f"scenario-sdk: {report.requests} requests, 11 of 11 operations, 0 violations")


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
    assert set(report["neverExercised"]) == {"userApproval", "listJobs", "jobAction"} | guide_has_none
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
        (None, ("unknown route, looks like userApproval",)),
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
