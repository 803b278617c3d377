"""``mockserver advance|reset|state|faults|journal`` against a fake served on a loopback port."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import mockserver
from mockserver.cli import main
from mockserver.testing import RunningServer

ALICE = ("key_alice", "secret_alice")


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    with mockserver.running(clock_mode="manual") as served:
        yield served


@pytest.fixture
def fake_url(server: RunningServer) -> Iterator[str]:
    server.fake.reset()
    yield server.base_url
    server.fake.reset()


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def run_upscaler(url: str) -> str:
    response = httpx.put(f"{url}/v1/workflows/workflow_upscaler/run", json={"image": "asset_photo"}, auth=ALICE)
    assert response.status_code == 200, response.text
    return response.json()["job"]["jobId"]


def job_status(url: str, job_id: str) -> str:
    return httpx.get(f"{url}/v1/jobs/{job_id}", auth=ALICE).json()["job"]["status"]


def test_advance_moves_the_clock(capsys, fake_url, server):
    before = server.fake.clock.now()
    status, out, _ = cli(capsys, "--url", fake_url, "advance", "90")
    assert status == 0 and out.startswith("Clock: ") and "(manual)" in out
    assert (server.fake.clock.now() - before).total_seconds() == 90


def test_url_on_the_subcommand_and_from_the_environment(capsys, fake_url, server, monkeypatch):
    before = server.fake.clock.now()
    assert cli(capsys, "advance", "--url", f"{fake_url}/v1/", "5")[0] == 0
    monkeypatch.setenv("MOCKSERVER_URL", fake_url)
    assert cli(capsys, "advance", "5")[0] == 0
    assert (server.fake.clock.now() - before).total_seconds() == 10


def test_advance_until_idle_ends_every_job(capsys, fake_url):
    jobs = [run_upscaler(fake_url) for _ in range(2)]
    status, out, _ = cli(capsys, "--url", fake_url, "advance", "--until-idle")
    assert status == 0 and out.startswith("Idle after ") and "every job has ended" in out
    assert [job_status(fake_url, job_id) for job_id in jobs] == ["success", "success"]


def test_advance_until_idle_says_so_when_it_stops_at_its_bound(capsys, fake_url):
    job_id = run_upscaler(fake_url)
    status, out, _ = cli(capsys, "--url", fake_url, "advance", "--until-idle", "--max-steps", "1")
    assert status == 1 and out.startswith("Not idle: stopped at the bound after 1 step(s)")
    assert job_status(fake_url, job_id) not in ("success", "failure")
    status, out, _ = cli(capsys, "--url", fake_url, "advance", "--until-idle", "--max-seconds", "0.25")
    assert status == 1 and "0.25 simulated seconds" in out


def test_advance_needs_seconds_or_until_idle(capsys, fake_url):
    assert cli(capsys, "--url", fake_url, "advance")[0] == 2
    assert cli(capsys, "--url", fake_url, "advance", "5", "--until-idle")[0] == 2
    status, _, err = cli(capsys, "--url", fake_url, "advance", "5", "--max-steps", "3")
    assert status == 2 and "--until-idle" in err


def test_a_refusal_is_one_line_with_the_fakes_reason(capsys, fake_url):
    status, out, err = cli(capsys, "--url", fake_url, "advance", "--until-idle", "--max-seconds", "-1")
    assert status == 1 and out == ""
    refusal = "maxSeconds must be a number > 0, at most 316224000"
    assert err == f"mockserver: POST /_mock/clock/advance answered 400: {refusal}\n"


def test_no_fake_at_the_url_is_one_clear_line(capsys):
    status, out, err = cli(capsys, "--url", "http://127.0.0.1:9", "reset")
    assert status == 1 and out == ""
    assert err == "mockserver: no fake is running at http://127.0.0.1:9 (start one with: mockserver serve)\n"


def test_reset_goes_back_to_the_fixtures(capsys, fake_url):
    job_id = run_upscaler(fake_url)
    status, out, _ = cli(capsys, "--url", fake_url, "reset")
    assert status == 0 and "back to its fixtures" in out
    assert httpx.get(f"{fake_url}/v1/jobs/{job_id}", auth=ALICE).status_code == 404


def test_state_save_and_load_round_trip(capsys, fake_url, tmp_path: Path):
    job_id = run_upscaler(fake_url)
    saved = tmp_path / "state.json"
    assert cli(capsys, "--url", fake_url, "state", "save", str(saved))[0] == 0
    assert job_id in json.dumps(json.loads(saved.read_text())["jobs"])
    assert cli(capsys, "--url", fake_url, "reset")[0] == 0
    status, out, _ = cli(capsys, "--url", fake_url, "state", "load", str(saved))
    assert status == 0 and "state loaded" in out
    assert job_status(fake_url, job_id) == "queued"


def test_state_load_of_a_file_that_is_not_a_state(capsys, fake_url, tmp_path: Path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    status, _, err = cli(capsys, "--url", fake_url, "state", "load", str(broken))
    assert status == 1 and "is not JSON" in err
    broken.write_text('{"version": "nope"}')
    status, _, err = cli(capsys, "--url", fake_url, "state", "load", str(broken))
    assert status == 1 and err.startswith("mockserver: PUT /_mock/state answered 400: ")
    status, _, err = cli(capsys, "--url", fake_url, "state", "load", str(tmp_path / "absent.json"))
    assert status == 1 and "cannot read" in err


def test_faults_add_list_and_clear(capsys, fake_url, server):
    status, out, _ = cli(
        capsys,
        "--url",
        fake_url,
        "faults",
        "add",
        "http-error",
        "--status",
        "503",
        "--match",
        "operationId=getJob",
        "--nth",
        "2",
    )
    assert status == 0 and out.startswith("added fault_1: http-error on operationId=getJob")
    rule = {"kind": "latency", "seconds": 0.01, "match": {"method": "GET"}}
    assert cli(capsys, "--url", fake_url, "faults", "add", "--json", json.dumps(rule), "--count", "2")[0] == 0
    assert [(r.kind, r.match, r.nth, r.count) for r in server.fake.faults.rules()] == [
        ("http-error", {"operationId": "getJob"}, 2, None),
        ("latency", {"method": "GET"}, None, 2),
    ]
    status, out, _ = cli(capsys, "--url", fake_url, "faults", "list")
    assert status == 0 and out.splitlines()[1].startswith("fault_2: latency on method=GET, 2 time(s)")
    status, out, _ = cli(capsys, "--url", fake_url, "faults", "list", "--json")
    assert [rule["id"] for rule in json.loads(out)] == ["fault_1", "fault_2"]
    status, out, _ = cli(capsys, "--url", fake_url, "faults", "clear")
    assert status == 0 and out == "2 fault rule(s) removed\n"
    assert server.fake.faults.rules() == []


def test_faults_add_refusals(capsys, fake_url):
    assert cli(capsys, "--url", fake_url, "faults", "add")[0] == 2
    assert cli(capsys, "--url", fake_url, "faults", "add", "http-error", "--match", "getJob")[0] == 2
    status, _, err = cli(capsys, "--url", fake_url, "faults", "add", "warp")
    assert status == 1 and "answered 400: kind must be one of" in err


def test_journal_readable_and_as_json(capsys, fake_url):
    run_upscaler(fake_url)
    httpx.post(f"{fake_url}/v1/workflows", json={"name": 5}, auth=ALICE)
    status, out, _ = cli(capsys, "--url", fake_url, "journal")
    lines = out.splitlines()
    assert status == 0 and "PUT    /v1/workflows/workflow_upscaler/run  200  runWorkflow  conforms" in lines[0]
    assert "POST   /v1/workflows  400  createWorkflow  violates" in lines[1]
    assert lines[2].strip().startswith("request: ")
    first = int(lines[0].split()[0])
    status, out, _ = cli(capsys, "--url", fake_url, "journal", "--json", "--since", str(first))
    entries = json.loads(out)
    assert status == 0 and [entry["operationId"] for entry in entries] == ["createWorkflow"]
    assert entries[0]["status"] == 400 and entries[0]["requestViolations"]
    last = str(first + 1)
    assert cli(capsys, "--url", fake_url, "journal", "--since", last)[1] == f"no requests journaled after {last}\n"


def test_the_control_token_is_sent_when_given(capsys, monkeypatch):
    seen: list[str | None] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("X-Mock-Control-Token"))
        return httpx.Response(200, json={"reset": True})

    real_client = httpx.Client
    monkeypatch.setattr(
        httpx, "Client", lambda **options: real_client(transport=httpx.MockTransport(answer), **options)
    )
    monkeypatch.setenv("MOCKSERVER_CONTROL_TOKEN", "from-the-environment")
    assert cli(capsys, "reset", "--control-token", "s3cret")[0] == 0
    assert cli(capsys, "reset")[0] == 0
    monkeypatch.delenv("MOCKSERVER_CONTROL_TOKEN")
    assert cli(capsys, "reset")[0] == 0
    assert seen == ["s3cret", "from-the-environment", None]
