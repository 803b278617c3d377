"""``mockserver serve`` as a developer runs it: banner, one log line a request, and --state-file across restarts."""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml

ALICE = ("key_alice", "secret_alice")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Served:
    def __init__(self, *options: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "mockserver", "serve", "--port", str(self.port), *options]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{self.url}/_mock/clock", timeout=1)
                return
            except httpx.TransportError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.process.kill()
                    raise AssertionError("the server did not start:\n" + self.process.communicate()[0]) from None
                time.sleep(0.05)

    def stop(self, how: signal.Signals = signal.SIGTERM) -> tuple[int, str]:
        self.process.send_signal(how)
        output, _ = self.process.communicate(timeout=20)
        return self.process.returncode, output


def test_state_file_survives_a_restart_and_the_console_says_what_happens(tmp_path: Path):
    state_file = tmp_path / "state" / "mock.json"
    first = Served("--clock", "manual", "--state-file", str(state_file))
    try:
        with httpx.Client(base_url=first.url, auth=ALICE) as client:
            made = client.post("/v1/workflows", json={"name": "mine", "description": "kept"}).json()["workflow"]
            done = client.put("/v1/workflows/workflow_upscaler/run", json={"image": "asset_photo"}).json()["job"]
            client.post("/_mock/clock/advance", json={"seconds": 300})
            running = client.put("/v1/workflows/workflow_product_shot/run", json={"prompt": "a vase"}).json()["job"]
            client.post("/_mock/clock/advance", json={"seconds": 5})
            client.get("/v1/workflows?pageSize=500")  # breaks the contract: logged as such
            before = client.get("/_mock/state").json()
    finally:
        code, output = first.stop(signal.SIGTERM)
    assert code == 0, output
    assert f"Scenario mockserver listening on {first.url}" in output
    assert "key_alice:secret_alice" in output and f"{first.url}/_mock/" in output
    assert f"State file: {state_file}" in output and f"state saved to {state_file}" in output
    assert "PUT /v1/workflows/workflow_upscaler/run -> 200 conforms (runWorkflow" in output
    assert "GET /v1/workflows?pageSize=500 -> 400 violates (listWorkflows" in output
    assert "uvicorn.access" not in output and '"GET /v1/workflows' not in output  # no second access-log line
    assert [p.name for p in state_file.parent.iterdir()] == ["mock.json"]  # no temporary file left behind

    second = Served("--clock", "manual", "--state-file", str(state_file))
    try:
        with httpx.Client(base_url=second.url, auth=ALICE) as client:
            assert client.get("/_mock/state").json() == before
            assert client.get(f"/v1/workflows/{made['id']}").json()["workflow"]["description"] == "kept"
            assert client.get(f"/v1/jobs/{done['jobId']}").json()["job"]["status"] == "success"
            assert client.get(f"/v1/jobs/{running['jobId']}").json()["job"]["status"] == "in-progress"
            client.post("/_mock/clock/advance", json={"seconds": 300})
            assert client.get(f"/v1/jobs/{running['jobId']}").json()["job"]["status"] == "success"
    finally:
        code, _ = second.stop(signal.SIGINT)
    assert code == 0


def test_an_unreadable_state_file_stops_the_start_with_a_clear_message(tmp_path: Path):
    broken = tmp_path / "state.json"
    broken.write_text('{"version": 1, "jobs": "no"}')
    result = subprocess.run(
        [sys.executable, "-m", "mockserver", "serve", "--port", str(_free_port()), "--state-file", str(broken)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert f"state file {broken} cannot be loaded" in result.stderr


def test_options_come_from_the_environment_too(tmp_path: Path):
    from mockserver.cli import build_parser, settings_from

    with pytest.MonkeyPatch.context() as env:
        env.setenv("MOCKSERVER_STATE_FILE", str(tmp_path / "s.json"))
        env.setenv("MOCKSERVER_LOG_REQUESTS", "false")
        args = build_parser().parse_args(["serve"])
    assert settings_from(args).state_file == tmp_path / "s.json" and args.log_requests is False


def _team_folder(root: Path, tokens: bool) -> Path:
    folder = root / "team"
    folder.mkdir()
    principals = {
        "projects": [{"id": "proj_team"}],
        "apiKeys": [{"key": "key_zoe", "secret": "secret_zoe", "userId": "user_zoe", "projectId": "proj_team"}],
        "bearerTokens": [{"token": "token_zoe", "key": "key_zoe"}] if tokens else [],
    }
    (folder / "principals.yaml").write_text(yaml.safe_dump(principals))
    return folder


def test_fixtures_add_to_the_defaults_and_the_banner_shows_both(tmp_path: Path):
    served = Served("--clock", "manual", "--fixtures", str(_team_folder(tmp_path, tokens=True)))
    try:
        assert httpx.get(f"{served.url}/v1/workflows/workflow_upscaler", auth=ALICE).status_code == 200
        zoe = httpx.get(f"{served.url}/v1/workflows", auth=("key_zoe", "secret_zoe"))
        assert zoe.status_code == 200
    finally:
        code, output = served.stop()
    assert code == 0
    assert "key_alice:secret_alice" in output and "key_zoe:secret_zoe  (user_zoe, editor of proj_team)" in output
    assert "(Authorization: Bearer token_alice)" in output


def test_no_default_fixtures_replaces_them_and_the_banner_offers_no_missing_token(tmp_path: Path):
    served = Served("--clock", "manual", "--no-default-fixtures", "--fixtures", str(_team_folder(tmp_path, False)))
    try:
        assert httpx.get(f"{served.url}/v1/workflows", auth=ALICE).status_code == 401
        assert httpx.get(f"{served.url}/v1/workflows", auth=("key_zoe", "secret_zoe")).status_code == 200
        assert (
            httpx.get(f"{served.url}/v1/workflows/workflow_upscaler", auth=("key_zoe", "secret_zoe")).status_code == 404
        )
    finally:
        code, output = served.stop()
    assert code == 0
    assert "key_zoe:secret_zoe" in output and "key_alice" not in output
    assert "token_" not in output and "(Authorization: Bearer <a JWT whose sub is a user id>)" in output


def test_a_bad_fixtures_folder_stops_the_start_naming_file_and_field(tmp_path: Path):
    folder = tmp_path / "team"
    (folder / "workflows").mkdir(parents=True)
    (folder / "workflows" / "broken.yaml").write_text("id: workflow_broken\nname: Broken\n")
    result = subprocess.run(
        [sys.executable, "-m", "mockserver", "serve", "--port", str(_free_port()), "--fixtures", str(folder)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert f"{folder / 'workflows' / 'broken.yaml'}: workflow 'workflow_broken' description: Field required" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr


def test_strict_requests_from_the_flag_or_the_environment(monkeypatch: pytest.MonkeyPatch):
    from mockserver.cli import build_parser, settings_from

    assert settings_from(build_parser().parse_args(["serve"])).strict_requests is False
    assert settings_from(build_parser().parse_args(["serve", "--strict-requests"])).strict_requests is True
    monkeypatch.setenv("MOCKSERVER_STRICT_REQUESTS", "1")
    assert settings_from(build_parser().parse_args(["serve"])).strict_requests is True


def test_fixtures_from_the_environment_add_to_the_defaults_unless_told_not_to(tmp_path: Path):
    from mockserver.cli import build_parser, settings_from
    from mockserver.server.settings import DEFAULT_FIXTURES

    with pytest.MonkeyPatch.context() as env:
        env.setenv("MOCKSERVER_FIXTURES", f"{tmp_path / 'a'}:{tmp_path / 'b'}")
        assert settings_from(build_parser().parse_args(["serve"])).fixtures == [
            DEFAULT_FIXTURES,
            tmp_path / "a",
            tmp_path / "b",
        ]
        env.setenv("MOCKSERVER_NO_DEFAULT_FIXTURES", "1")
        assert settings_from(build_parser().parse_args(["serve"])).fixtures == [tmp_path / "a", tmp_path / "b"]
    assert settings_from(build_parser().parse_args(["serve"])).fixtures == [DEFAULT_FIXTURES]


def test_the_banner_names_only_credentials_that_exist():
    from mockserver.cli import banner
    from mockserver.server.settings import Settings

    none = banner(Settings(), "127.0.0.1", 8000, [])
    assert "token_alice" not in none and "Credentials: none" in none and "any key:secret" not in none
    any_key = banner(Settings(any_key=True), "127.0.0.1", 8000, [])
    assert "Credentials: any key:secret is accepted" in any_key
    keyed = banner(Settings(), "127.0.0.1", 8000, [("key_zoe", "s", "user_zoe", "reader", "proj_team")], ["tok_z"])
    assert "(Authorization: Bearer tok_z)" in keyed and "key_zoe:s  (user_zoe, reader of proj_team)" in keyed


def test_a_port_in_use_stops_the_start_before_anything_is_announced():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "mockserver", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode == 1
    assert "listening" not in result.stdout and "Credentials" not in result.stdout
    assert f"mockserver: cannot listen on 127.0.0.1:{port}: Address already in use" in result.stderr


def test_version_is_the_installed_package_version(capsys: pytest.CaptureFixture[str]):
    from importlib.metadata import version

    from mockserver.cli import main

    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"mockserver {version('scenario-mockserver')}\n"


def test_help_shows_every_option_default_as_the_environment_sets_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    from mockserver.cli import build_parser

    monkeypatch.setenv("COLUMNS", "400")  # one line per option
    monkeypatch.setenv("MOCKSERVER_PORT", "9001")
    parser = build_parser()
    with pytest.raises(SystemExit):
        parser.parse_args(["serve", "--help"])
    listed = capsys.readouterr().out.split("options:")[1]
    entries = [" ".join(entry.split()) for entry in re.split(r"\n  (?=-)", listed) if entry.strip()]
    options = [entry for entry in entries if not entry.startswith("-h, --help")]
    serve = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices["serve"]
    assert len(options) == len([a for a in serve._actions if a.option_strings and a.dest != "help"])
    for line in options:
        assert "(default: " in line, line
    shown = "\n".join(options)
    assert "[MOCKSERVER_PORT] (default: 9001)" in shown
    assert "(default: realtime)" in shown and "(default: the packaged default fixtures alone)" in shown
    assert shown.count("(default: ") == len(options)  # said once, including by --log-requests' own action

    with pytest.raises(SystemExit):
        parser.parse_args(["kit", "check", "--help"])
    assert "(default: 20)" in capsys.readouterr().out


def test_beyond_loopback_the_control_plane_gets_a_token_and_the_banner_warns():
    from mockserver.cli import banner, build_parser, settings_from

    shared = settings_from(build_parser().parse_args(["serve", "--host", "0.0.0.0"]))
    assert shared.control_token and len(shared.control_token) >= 24
    text = banner(shared, "0.0.0.0", 8000, [])
    assert f"X-Mock-Control-Token: {shared.control_token}" in text and "WARNING" in text
    local = settings_from(build_parser().parse_args(["serve", "--host", "127.0.0.1"]))
    assert local.control_token is None and "WARNING" not in banner(local, "127.0.0.1", 8000, [])
    given = settings_from(build_parser().parse_args(["serve", "--host", "::", "--control-token", "t0k"]))
    assert given.control_token == "t0k"
    named = settings_from(build_parser().parse_args(["serve", "--host", "mock.lan", "--control-host", "Other"]))
    assert named.control_hosts == ["other", "mock.lan"]


def test_the_api_profile_comes_from_the_option_or_the_environment_and_shows_in_help_and_banner(
    capsys: pytest.CaptureFixture[str],
):
    from mockserver.cli import banner, build_parser, settings_from

    parser = build_parser()
    assert settings_from(parser.parse_args(["serve"])).api_profile == "guide"
    assert settings_from(parser.parse_args(["serve", "--api-profile", "current"])).api_profile == "current"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("MOCKSERVER_API_PROFILE", "current")
        env.setenv("COLUMNS", "400")
        from_env = build_parser()
        assert settings_from(from_env.parse_args(["serve"])).api_profile == "current"
        with pytest.raises(SystemExit):
            from_env.parse_args(["serve", "--help"])
    helped = capsys.readouterr().out
    assert "--api-profile {guide,current}" in helped and "[MOCKSERVER_API_PROFILE] (default: current)" in helped
    with pytest.raises(SystemExit):
        parser.parse_args(["serve", "--api-profile", "newest"])
    assert "invalid choice: 'newest' (choose from 'guide', 'current')" in capsys.readouterr().err
    assert "  Profile:    current" in banner(
        settings_from(parser.parse_args(["serve", "--api-profile", "current"])), "h", 1, []
    )


def test_a_bad_api_profile_in_the_environment_stops_the_start_listing_the_profiles():
    env = {**os.environ, "MOCKSERVER_API_PROFILE": "newest"}
    result = subprocess.run(
        [sys.executable, "-m", "mockserver", "serve", "--port", str(_free_port())],
        capture_output=True,
        text=True,
        timeout=30,
        env=env,
    )
    assert result.returncode == 2 and "listening" not in result.stdout
    assert "mockserver: api_profile must be one of guide, current, not 'newest'" in result.stderr


def test_a_served_fake_answers_as_its_profile():
    served = Served("--api-profile", "current", "--clock", "manual")
    try:
        dry_run = httpx.put(
            f"{served.url}/v1/workflows/workflow_bg_remover/run?dryRun=true", json={"image": "asset_photo"}, auth=ALICE
        )
        state = httpx.get(f"{served.url}/_mock/state").json()
    finally:
        _, output = served.stop()
    assert dry_run.status_code == 269 and dry_run.json()["creativeUnitsCost"] == 2
    assert state["apiProfile"] == "current" and "Profile:    current" in output
