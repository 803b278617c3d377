"""HTTPS: ``serve --tls`` with a local authority a client can trust, asset URLs that follow the scheme and
host a client used, and ``--public-url`` for a fake behind a proxy."""

from __future__ import annotations

import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from mockserver.core.tls import local_certificate
from mockserver.server.fake import Fake
from mockserver.testing import MockHandle, running, settings_with
from tests.control.test_serve import _free_port

ALICE = ("key_alice", "secret_alice")


def _finished_upscale(client: httpx.Client) -> dict:
    job = client.put("/v1/workflows/workflow_upscaler/run", json={"image": "asset_photo"}).json()["job"]
    client.post("/_mock/clock/advance", json={"seconds": 300})
    return client.get(f"/v1/jobs/{job['jobId']}").json()["job"]


class ServedOverTls:
    def __init__(self, tls_dir: Path, *options: str) -> None:
        self.port = _free_port()
        self.url = f"https://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "mockserver", "serve", "--port", str(self.port), "--tls"]
        command += ["--tls-dir", str(tls_dir), "--clock", "manual", *options]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.ca_file = tls_dir / "ca.pem"
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{self.url}/_mock/clock", verify=ssl.create_default_context(cafile=self.ca_file))
                return
            except (httpx.TransportError, OSError):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.process.kill()
                    raise AssertionError("the server did not start:\n" + self.process.communicate()[0]) from None
                time.sleep(0.05)

    def stop(self) -> str:
        self.process.send_signal(signal.SIGTERM)
        return self.process.communicate(timeout=20)[0]


def test_serve_tls_prints_how_to_trust_it_and_serves_assets_over_https(tmp_path: Path):
    served = ServedOverTls(tmp_path / "tls")
    try:
        trust = ssl.create_default_context(cafile=served.ca_file)
        with httpx.Client(base_url=served.url, auth=ALICE, verify=trust) as client:
            job = _finished_upscale(client)
            url = job["metadata"]["flow"][0]["assets"][0]["url"]
            assert url.startswith(f"{served.url}/cdn/assets/asset_")
            assert client.get(url).status_code == 200
        with pytest.raises(httpx.ConnectError):  # an unknown authority is refused, as it should be
            httpx.get(f"{served.url}/_mock/clock")
    finally:
        output = served.stop()
    assert f"listening on {served.url}" in output
    assert f"SSL_CERT_FILE={served.ca_file}" in output


def test_the_authority_is_kept_so_a_client_trusts_the_fake_across_restarts(tmp_path: Path):
    first = local_certificate(tmp_path)
    authority = first.ca_file.read_bytes()
    leaf = first.cert_file.read_bytes()
    second = local_certificate(tmp_path, ["mock.example.test"])
    assert second.ca_file.read_bytes() == authority
    assert second.cert_file.read_bytes() != leaf  # a new certificate, for the names asked for
    assert (tmp_path / "ca-key.pem").stat().st_mode & 0o077 == 0  # the authority's key is the owner's alone


def test_the_sdk_trusts_the_fake_through_ssl_cert_file(monkeypatch: pytest.MonkeyPatch):
    from scenario_sdk import Scenario

    with running(tls=True, clock_mode="manual") as server:
        assert server.tls is not None and server.api_url.startswith("https://")
        monkeypatch.setenv("SSL_CERT_FILE", str(server.tls.ca_file))
        with Scenario(base_url=server.api_url, api_key=ALICE[0], api_secret=ALICE[1]) as client:
            assert client.workflows.retrieve("workflow_upscaler").workflow.id == "workflow_upscaler"


def test_asset_urls_name_the_public_url_when_one_is_set():
    handle = MockHandle(Fake(settings_with(clock_mode="manual", public_url="https://mock.example.test:8443/")))
    try:
        job = _finished_upscale(handle.http())
    finally:
        handle.close()
    assert job["metadata"]["flow"][0]["assets"][0]["url"].startswith("https://mock.example.test:8443/cdn/assets/")


def test_asset_urls_follow_the_address_a_client_used():
    handle = MockHandle(Fake(settings_with(clock_mode="manual")))
    try:
        client = handle.http()
        job_id = client.put("/v1/workflows/workflow_upscaler/run", json={"image": "asset_photo"}).json()["job"]["jobId"]
        handle.advance(300)
        client.base_url = httpx.URL("https://mock.internal:9443")  # the API answers any name it is reached by
        job = client.get(f"/v1/jobs/{job_id}").json()["job"]
    finally:
        handle.close()
    assert job["metadata"]["flow"][0]["assets"][0]["url"].startswith("https://mock.internal:9443/cdn/assets/")


@pytest.mark.parametrize("url", ["ftp://host", "mock.example.test", "https://host/?q=1", "https://"])
def test_a_public_url_that_is_not_one_stops_the_start(url: str):
    done = subprocess.run(
        [sys.executable, "-m", "mockserver", "serve", "--port", str(_free_port()), "--public-url", url],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert "public_url must look like https://host[:port][/path]" in done.stderr
