"""Break the fake on purpose and the contract suite must fail, naming the operation, the field and a curl."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from kit_support import ROOT, SUMMARIES, kit_env

SUITE = ROOT / "contracts" / "suite" / "test_contract_operations.py"
# Fakes whose answers break the contract: the field each breaks, and the rule.
BROKEN_ANSWERS = {
    "created_at_as_number": ("/createdAt", "is not of type"),
    "has_flow_dropped": ("hasFlow", "is a required property"),
}
MUTANTS = (*BROKEN_ANSWERS, "auth_ignored")


@pytest.fixture(scope="module")
def suite_runs(tmp_path_factory):
    """The operations suite against each mutant, the runs side by side: (exit status, results) per mutant."""
    folder = tmp_path_factory.mktemp("broken")
    running = {
        name: subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pytest",
                str(SUITE),
                "-q",
                "-p",
                "no:cacheprovider",
                "--tb=no",
                f"--kit-target=asgi:mutants:{name}",
                "--kit-examples=3",
                f"--kit-results={folder / name}.json",
            ],
            cwd=ROOT,
            env=kit_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for name in MUTANTS
    }
    runs = {}
    for name, process in running.items():
        output, _ = process.communicate(timeout=600)
        runs[name] = (process.returncode, json.loads((folder / f"{name}.json").read_text()), output)
    return runs


@pytest.mark.parametrize("mutant", BROKEN_ANSWERS)
def test_the_suite_fails_on_a_broken_fake(suite_runs, mutant):
    status, results, output = suite_runs[mutant]
    field, rule = BROKEN_ANSWERS[mutant]
    assert status == 1, output
    failures = [f for f in results["failures"] if f["title"] == "Response violates schema"]
    assert {f["operation"] for f in failures} >= {"GET /workflows", "POST /workflows"}, failures
    for failure in failures:
        assert field in failure["message"] and rule in failure["message"], failure["message"]
        method = failure["operation"].split()[0]
        assert (
            failure["curl"].startswith(f"curl -X {method} -u") and "${SCENARIO_BASE_URL}/workflows" in failure["curl"]
        )
    SUMMARIES.append(f"broken fake {mutant}: {results['cases']} cases, {len(results['failures'])} failure(s) found")


def test_the_suite_fails_on_a_fake_that_ignores_auth(suite_runs):
    status, results, output = suite_runs["auth_ignored"]
    assert status == 1, output
    ignored = {
        f["operation"] for f in results["failures"] if f["title"] == "API accepts requests without authentication"
    }
    assert ignored >= {"GET /workflows", "POST /workflows", "GET /jobs"}, results["failures"]
    SUMMARIES.append(f"fake ignoring auth: {results['cases']} cases, {len(results['failures'])} failure(s) found")
