"""What the kit's tests share: paths, the environment for the kit's commands, and their summaries.

One module, imported by name (this folder is on ``sys.path``), so that the summaries the tests
append are the ones the conftest prints.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from mockserver.server.app import KIT_SETTINGS
from mockserver.server.fake import Fake
from mockserver.server.settings import Settings

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
CLIENTS = HERE / "clients"
# What the kit's command runs printed, shown at the end of the session (the cases they generated).
SUMMARIES: list[str] = []


def kit_env(**variables: str) -> dict[str, str]:
    """The environment for a kit command: this folder importable (the mutants), plus ``variables``."""
    paths = [str(HERE), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p), **variables}


def kit_fake(**settings: Any) -> Fake:
    """A fake as the kit makes one (see ``kit_app``), held by the test: ``settings`` over the kit's."""
    return Fake(Settings(**{**KIT_SETTINGS, **settings}))


def mockserver_command(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "mockserver", *arguments]
