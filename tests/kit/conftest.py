from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

# The mutants and the shared helpers are imported by name, here and in the commands' subprocesses.
sys.path.insert(0, str(Path(__file__).parent))

from kit_support import SUMMARIES, kit_fake  # noqa: E402

from mockserver.server.fake import Fake  # noqa: E402
from mockserver.testing import running  # noqa: E402


@pytest.fixture
def served_fake() -> Iterator[tuple[Fake, str]]:
    """A fresh fake over real HTTP, standing in for a live API: (the fake, its API root)."""
    fake = kit_fake(clock_mode="realtime", clock_speed=200.0)
    with closing(fake), running(fake=fake) as server:
        yield fake, server.api_url


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if SUMMARIES:
        terminalreporter.section("contract kit commands")
        for summary in SUMMARIES:
            terminalreporter.write_line(summary)
