from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from mockserver.fake import Fake
from mockserver.http.app import create_app
from mockserver.kit.server import ServedApp
from mockserver.kit.target import fake_settings

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
CLIENTS = HERE / "clients"
# The mutants are imported by name, in process (asgi:mutants:...) and in the commands' subprocesses.
sys.path.insert(0, str(HERE))
# What the kit's command runs printed, shown at the end of the session (the cases it generated).
SUMMARIES: list[str] = []


def kit_env(**variables: str) -> dict[str, str]:
    """The environment for a kit command: this folder importable (the mutants), plus ``variables``."""
    paths = [str(HERE), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p), **variables}


def mockserver_command(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "mockserver", *arguments]


@pytest.fixture
def served_fake() -> Iterator[tuple[Fake, str]]:
    """A fresh fake over real HTTP, standing in for a live API: (the fake, its API root)."""
    fake = Fake(fake_settings(clock_mode="realtime", clock_speed=200.0))
    with ServedApp(create_app(fake)) as served, closing(fake):
        yield fake, served.url + "/v1"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if SUMMARIES:
        terminalreporter.section("contract kit commands")
        for summary in SUMMARIES:
            terminalreporter.write_line(summary)
