"""``mockserver kit check``: the contract suite against a target over HTTP, as CI runs it against a live API.

A fresh fake served on a loopback port stands in for the live API; the command runs in a
subprocess with the credentials in the environment, exactly as a team's CI would run it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from contextlib import closing
from urllib.parse import parse_qs

from kit_support import SUMMARIES, kit_env, kit_fake, mockserver_command

from mockserver.kit.commands import SUITE
from mockserver.kit.safety import ABSENT_WORKFLOW_ID, NAME_MARK
from mockserver.testing import running

CREDENTIALS = {"SCENARIO_SDK_API_KEY": "key_alice", "SCENARIO_SDK_API_SECRET": "secret_alice"}
# Enough that no run is refused for the budget: a refusal would change what replays of the stateful walk
# see (test_safety shows the budget stopping runs).
BUDGET = 100_000
LIFECYCLE = ["--workflow", "workflow_upscaler", "--inputs", '{"image": "asset_photo"}']


def check(tmp_path, *arguments: str, base_url: str | None = None) -> tuple[int, dict, str]:
    results = tmp_path / "results.json"
    env = kit_env(**CREDENTIALS, **({"SCENARIO_BASE_URL": base_url} if base_url else {}))
    command = mockserver_command("kit", "check", f"--results={results}", *arguments)
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
    output = done.stdout + done.stderr
    assert results.exists(), output
    return done.returncode, json.loads(results.read_text()), output


def api_requests(fake) -> list[tuple[str, str, dict]]:
    return [
        (e.method, e.path.removeprefix("/v1"), parse_qs(e.query))
        for e in fake.journal.entries()
        if e.path.startswith("/v1")
    ]


def test_against_a_live_api_it_only_reads_and_dry_runs(served_fake, tmp_path):
    fake, base_url = served_fake
    workflows_before = {w.id: w.updated_at for w in fake.scenario.store.all_workflows()}
    junit = tmp_path / "junit.xml"
    status, results, output = check(
        tmp_path, "--examples=10", "--scenarios=30", "--steps=15", f"--junit-xml={junit}", *LIFECYCLE, base_url=base_url
    )
    assert status == 0, output
    assert results["failures"] == [] and results["cases"] > 500
    assert "generated cases" in output and "reads and dry runs only" in output
    suite = ElementTree.parse(junit).getroot().find("testsuite")
    assert int(suite.get("tests")) >= 8 and suite.get("failures") == "0" and suite.get("errors") == "0"
    sent = api_requests(fake)
    writes = [(m, p, q) for m, p, q in sent if m != "GET" and not (p.endswith("/run") and q.get("dryRun") == ["true"])]
    assert writes == [], writes[:5]
    assert {w.id: w.updated_at for w in fake.scenario.store.all_workflows()} == workflows_before
    assert list(fake.scenario.store.all_jobs()) == []
    assert any(m == "PUT" and p == "/workflows/workflow_upscaler/run" for m, p, _ in sent)
    SUMMARIES.append(f"kit check, live target, reads and dry runs: {results['cases']} cases, 0 failures")


def test_with_writes_allowed_it_touches_only_what_it_made_and_cleans_up(served_fake, tmp_path):
    fake, base_url = served_fake
    fixtures = {w.id for w in fake.scenario.store.all_workflows()}
    status, results, output = check(
        tmp_path,
        "--allow-spending",
        f"--budget={BUDGET}",
        "--examples=5",
        "--scenarios=30",
        "--steps=15",
        *LIFECYCLE,
        base_url=base_url,
    )
    assert status == 0, output
    assert results["failures"] == []
    spending = [note for note in results["notes"] if note.startswith("spent ")]
    assert len(spending) == 1 and f"of a budget of {BUDGET:g} credits" in spending[0], results["notes"]
    real_runs = [job for job in fake.scenario.store.all_jobs() if job.is_workflow_job]
    assert real_runs and sum(job.cu_cost for job in real_runs) <= BUDGET
    made = {w.id: w for w in fake.scenario.store.all_workflows() if w.id not in fixtures}
    assert made and all(w.name.startswith(NAME_MARK) for w in made.values())
    assert all(w.status == "deleted" for w in made.values()), "the kit deletes what it created"
    assert any("deleted the" in note for note in results["notes"])
    allowed = set(made) | {ABSENT_WORKFLOW_ID}
    for method, path, query in api_requests(fake):
        parts = path.split("/")
        if method in ("PUT", "DELETE") and parts[1] == "workflows" and len(parts) > 2 and parts[2] != "tags":
            dry = path.endswith("/run") and query.get("dryRun") == ["true"]
            lifecycle = path == "/workflows/workflow_upscaler/run"
            assert dry or lifecycle or parts[2] in allowed, (method, path, query)
    fixture_jobs = [job for job in fake.scenario.store.all_jobs() if job.workflow_id in fixtures]
    assert {job.workflow_id for job in fixture_jobs} <= {"workflow_upscaler"}  # the lifecycle check's own run
    fake.advance()
    left_going = [job.job_id for job in fake.scenario.store.all_jobs() if not job.is_terminal]
    assert left_going == [], "the kit ends every run it made: a run waiting for review holds a slot for good"
    SUMMARIES.append(f"kit check, live target, writes and spending: {results['cases']} cases, 0 failures")


def test_the_walk_and_the_lifecycle_prove_the_fake_over_http(tmp_path):
    """Over HTTP the kit moves the fake's clock and resets it through the control plane."""
    status, results, output = check(tmp_path, "--fake=http", "--only=walk", "--only=lifecycle", "--scenarios=25")
    assert status == 0, output
    assert results["failures"] == [] and results["cases"] > 100
    assert any(note.startswith("lifecycle workflow_demo_poster (reject)") for note in results["notes"])
    assert any(note.startswith("walk: ") and " 0 published workflows run" not in note for note in results["notes"])
    SUMMARIES.append(f"kit check, fake over HTTP: {results['cases']} cases, 0 failures")


def test_spending_needs_a_budget(served_fake, tmp_path):
    _, base_url = served_fake
    env = kit_env(**CREDENTIALS, SCENARIO_BASE_URL=base_url)
    done = subprocess.run(
        mockserver_command("kit", "check", "--allow-spending"), cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 2 and "--allow-spending needs --budget CREDITS" in done.stderr


def test_the_suite_under_pytest_refuses_spending_without_a_budget(tmp_path):
    suite = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(SUITE / "test_job_lifecycle.py")]
    env = kit_env(MOCKSERVER_KIT_ALLOW_SPENDING="1")
    done = subprocess.run([*suite, "--co"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 4 and "--kit-allow-spending needs --kit-budget CREDITS" in done.stderr
    budgeted = subprocess.run(
        [*suite, "--co", "--kit-budget=7"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert budgeted.returncode == 0, budgeted.stdout + budgeted.stderr


def test_the_lifecycle_holds_a_target_to_the_profile_it_is_told(tmp_path):
    fake = kit_fake(api_profile="current", clock_mode="realtime", clock_speed=200.0)
    with closing(fake), running(fake=fake) as server:
        as_guide = check(tmp_path, "--only=lifecycle", "--api-profile=guide", *LIFECYCLE, base_url=server.api_url)
        as_current = check(tmp_path, "--only=lifecycle", "--api-profile=current", *LIFECYCLE, base_url=server.api_url)
    status, results, output = as_guide
    assert status != 0, output
    assert len(results["failures"]) == 1
    assert results["failures"][0]["message"].startswith("the dry run answered 269, not 402 as the guide API does")
    status, results, output = as_current
    assert status == 0, output
    assert results["failures"] == []
    assert any("dry run 269 (estimate 5)" in note for note in results["notes"]), results["notes"]


def test_a_fake_made_by_the_kit_answers_as_the_profile(tmp_path):
    status, results, output = check(tmp_path, "--fake=in-process", "--only=lifecycle", "--api-profile=current")
    assert status == 0, output
    assert results["failures"] == []
    lifecycles = [note for note in results["notes"] if note.startswith("lifecycle ")]
    assert len(lifecycles) == 5 and all("dry run 269" in note for note in lifecycles), lifecycles


def test_without_a_target_it_says_what_to_give(tmp_path):
    env = {k: v for k, v in kit_env().items() if k != "SCENARIO_BASE_URL"}
    done = subprocess.run(mockserver_command("kit", "check"), cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 2 and "--base-url" in done.stderr
