"""The package as a user gets it: built into a wheel, installed into a fresh virtualenv outside the repository, then
served from that virtualenv's ``mockserver`` and used through its pytest plugin and its contract kit.

Contracts, default fixtures, the dashboard and the contract suite are package data found with importlib.resources;
only an installed wheel shows whether they were shipped. The fresh virtualenv borrows this one's third-party packages
(a ``.pth`` line), so nothing is downloaded; ``mockserver`` itself must come from the wheel.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import textwrap
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "mockserver"
ALICE = ("key_alice", "secret_alice")

# What the package finds with importlib.resources at run time: without any of these an installed fake cannot start.
PACKAGE_DATA = [
    "mockserver/scenario/scenario.openapi.yaml",
    "mockserver/orchestrator/orchestrator.openapi.yaml",
    "mockserver/server/webhooks.openapi.yaml",
    "mockserver/server/default_fixtures/principals.yaml",
    "mockserver/server/default_fixtures/costs.yaml",
    "mockserver/server/default_fixtures/workflows/upscaler.yaml",
    "mockserver/server/dashboard_static/index.html",
    "mockserver/server/dashboard_static/dashboard.js",
    "mockserver/server/dashboard_static/dashboard.css",
    "mockserver/kit/contract_suite/conftest.py",
    "mockserver/kit/contract_suite/test_contract_operations.py",
    "mockserver/kit/contract_suite/test_contract_walk.py",
    "mockserver/kit/contract_suite/test_job_lifecycle.py",
]

# A user's suite: the plugin's fixtures in process, and the fake served from the installed command over HTTP.
USER_TESTS = """
import os
from pathlib import Path

import httpx
import mockserver
from scenario_sdk import Scenario

SERVED = os.environ["SERVED_URL"]
ALICE = ("key_alice", "secret_alice")


def test_mockserver_is_the_installed_one():
    assert Path(mockserver.__file__).is_relative_to(os.environ["INSTALLED_SITE"]), mockserver.__file__


def test_the_plugin_runs_a_default_workflow_to_success(scenario, scenario_mock):
    assert isinstance(scenario, Scenario)
    job = scenario.workflows.run("workflow_upscaler", body={"image": "asset_photo"}).job
    scenario_mock.advance(300)
    done = scenario.jobs.retrieve(job.job_id).job
    assert done.status == "success" and done.progress == 1
    assert [entry.operation_id for entry in scenario_mock.journal()] == ["runWorkflow", "getJob"]


def test_the_in_process_fake_checks_the_contract_and_serves_the_dashboard(scenario_mock):
    http = scenario_mock.http("alice")
    refused = http.get("/v1/workflows", params={"pageSize": 500})
    assert refused.status_code == 400 and "pageSize" in refused.json()["message"]
    assert "<html" in http.get("/_mock/").text.lower()
    assert http.get("/_mock/openapi.json").json()["paths"]


def test_the_served_fake_answers_with_its_default_fixtures():
    with httpx.Client(base_url=SERVED, auth=ALICE, timeout=10) as client:
        public = client.get("/v1/workflows", params={"privacy": "public"}).json()["workflows"]
        assert {"workflow_bg_remover", "workflow_upscaler", "workflow_product_shot"} <= {w["id"] for w in public}
        assert client.get("/v1/workflows", params={"pageSize": 500}).status_code == 400
        assert client.get("/_mock/static/dashboard.js").status_code == 200
        assert client.get("/_mock/webhooks/openapi.yaml").text.startswith("openapi:")
    pipelines = httpx.get(f"{SERVED}/api/v1/workflows/", headers={"Authorization": "Bearer token_alice"})
    assert pipelines.status_code == 200 and pipelines.json()["total"] == 0
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _isolated_environment(**extra: str) -> dict[str, str]:
    """This process's environment without what would lead Python or pytest back to the repository."""
    leaks = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTEST_ADDOPTS", "PYTEST_PLUGINS", "VIRTUAL_ENV")
    environment = {name: value for name, value in os.environ.items() if name not in leaks}
    environment = {name: value for name, value in environment.items() if not name.startswith("COV_CORE_")}
    return {**environment, **extra}


def _build_wheel(into: Path) -> Path:
    """Build from a copy of what the wheel is made of, so no stale ``build/`` folder of the checkout slips in."""
    source = into / "source"
    source.mkdir()
    shutil.copy(ROOT / "pyproject.toml", source)
    shutil.copy(ROOT / "README.md", source)
    shutil.copytree(PACKAGE, source / "mockserver", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--quiet", "-w", str(into / "dist")],
        capture_output=True,
        text=True,
        env=_isolated_environment(),
    )
    assert built.returncode == 0, built.stdout + built.stderr
    [wheel] = (into / "dist").glob("scenario_mockserver-*.whl")
    return wheel


def _make_venv(wheel: Path, where: Path) -> tuple[Path, Path]:
    """A fresh virtualenv holding the wheel, borrowing this one's third-party packages; its bin/ and site-packages."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    python = where / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    # Plain path lines: the directories join sys.path, but their own .pth files (the editable install's finder) do not
    # run, so the checkout's mockserver stays out of reach.
    borrowed = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (site / "borrowed_packages.pth").write_text("".join(f"{path}\n" for path in borrowed))
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q", str(wheel)],
        capture_output=True,
        text=True,
        env=_isolated_environment(),
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return where / "bin", site


class ServedFromVenv:
    """``mockserver serve`` started from the fresh virtualenv's bin/, in a folder outside the repository."""

    def __init__(self, bin_dir: Path, cwd: Path) -> None:
        port = _free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [str(bin_dir / "mockserver"), "serve", "--port", str(port), "--clock", "manual"],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=_isolated_environment(),
        )

    def wait_until_it_answers(self, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while True:
            try:
                if httpx.get(f"{self.url}/v1/workflows", auth=ALICE, timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                output = self.stop()
                raise AssertionError(f"the installed mockserver did not start:\n{output}")
            time.sleep(0.1)

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            output, _ = self.process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            output, _ = self.process.communicate()
        return output


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build_wheel(tmp_path_factory.mktemp("wheel"))


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return _make_venv(wheel, tmp_path_factory.mktemp("installed") / "venv")


@pytest.fixture
def served(installed: tuple[Path, Path], tmp_path: Path) -> Iterator[ServedFromVenv]:
    bin_dir, _ = installed
    server = ServedFromVenv(bin_dir, cwd=tmp_path)
    try:
        server.wait_until_it_answers()
        yield server
    finally:
        server.stop()


def test_the_wheel_ships_every_module_and_the_package_data(wheel: Path) -> None:
    shipped = set(zipfile.ZipFile(wheel).namelist())
    assert set(PACKAGE_DATA) <= shipped, sorted(set(PACKAGE_DATA) - shipped)
    source = {
        path.relative_to(ROOT).as_posix()
        for path in PACKAGE.rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and path.suffix != ".pyc"
        and not path.name.startswith(".")
    }
    assert source <= shipped, sorted(source - shipped)
    metadata = next(name for name in shipped if name.endswith(".dist-info/entry_points.txt"))
    entry_points = zipfile.ZipFile(wheel).read(metadata).decode()
    assert "mockserver = mockserver.cli:main" in entry_points
    assert "scenario_mockserver = mockserver.pytest_plugin" in entry_points


def test_the_installed_package_serves_and_its_plugin_runs_a_users_suite(
    installed: tuple[Path, Path], served: ServedFromVenv, tmp_path: Path
) -> None:
    bin_dir, site = installed
    located = subprocess.run(
        [str(bin_dir / "python"), "-c", "import mockserver; print(mockserver.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=_isolated_environment(),
    )
    assert Path(located.stdout.strip()) == site / "mockserver" / "__init__.py", located.stdout + located.stderr

    user_suite = tmp_path / "user_suite"
    user_suite.mkdir()
    (user_suite / "pytest.ini").write_text("[pytest]\nscenario_mock_clock = manual\n")
    (user_suite / "test_with_the_fake.py").write_text(textwrap.dedent(USER_TESTS))
    run = subprocess.run(
        [str(bin_dir / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_with_the_fake.py"],
        cwd=user_suite,
        capture_output=True,
        text=True,
        env=_isolated_environment(SERVED_URL=served.url, INSTALLED_SITE=str(site)),
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "4 passed" in run.stdout, run.stdout


def test_the_installed_kit_runs_its_contract_suite(installed: tuple[Path, Path], tmp_path: Path) -> None:
    bin_dir, _ = installed
    check = subprocess.run(
        [str(bin_dir / "mockserver"), "kit", "check", "--fake", "in-process", "--only", "lifecycle"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=_isolated_environment(),
        timeout=120,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "lifecycle workflow_upscaler (approve)" in check.stdout and "5 passed" in check.stdout, check.stdout
