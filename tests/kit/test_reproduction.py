"""The curl a failure prints reproduces the request: the same method, target, headers and body."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
import requests

from mockserver.kit.results import curl_command, simple_curl
from mockserver.kit.target import Credentials

ALICE = Credentials("key_alice", "secret_alice")


def run_curl(command: str, base_url: str) -> str:
    env = {**os.environ, "SCENARIO_BASE_URL": base_url, "SCENARIO_SDK_API_KEY": "key_alice"}
    env["SCENARIO_SDK_API_SECRET"] = "secret_alice"
    done = subprocess.run(
        ["bash", "-c", command + " -s -o /dev/null -w '%{http_code}'"], env=env, capture_output=True, text=True
    )
    return done.stdout


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_curl_sends_what_was_sent(served_fake):
    fake, base_url = served_fake
    sent = requests.Request(
        "PUT",
        f"{base_url}/workflows/workflow_product_shot/run",
        params={"dryRun": "true", "note": "it's $HOME"},
        json={"prompt": 'a shoe, "quoted", it\'s $5 `uname`'},
        headers={"Authorization": ALICE.authorization, "X-Trace": "a'b"},
    ).prepare()
    command = curl_command(sent, base_url, ALICE.authorization)
    assert command.startswith('curl -X PUT -u "$SCENARIO_SDK_API_KEY:$SCENARIO_SDK_API_SECRET"')
    assert ALICE.authorization not in command  # the secret never appears in a log
    assert run_curl(command, base_url) == "402"
    entry = fake.journal.entries()[-1]
    assert (entry.method, entry.path) == ("PUT", "/v1/workflows/workflow_product_shot/run")
    assert entry.query == sent.url.split("?", 1)[1] and entry.request_violations == []


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_kits_own_requests_reproduce_too(served_fake):
    _, base_url = served_fake
    assert run_curl(simple_curl("GET", "/workflows/workflow_demo_poster"), base_url) == "200"
    dry_run = simple_curl("PUT", "/workflows/workflow_upscaler/run?dryRun=true", {"image": "asset_photo"})
    assert run_curl(dry_run, base_url) == "402"
