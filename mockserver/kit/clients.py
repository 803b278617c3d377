"""A client's own test command run against a fresh fake, and the conformance report of what it sent.

The command is any program (pytest, node, a shell script). It finds the fake where
the official SDKs look: ``SCENARIO_BASE_URL`` (the API root, ``.../v1``),
``SCENARIO_SDK_API_KEY`` and ``SCENARIO_SDK_API_SECRET``; ``MOCKSERVER_URL`` is the
fake's own root, for its control plane (``$MOCKSERVER_URL/_mock/clock/advance``).

With ``tls`` the fake is served over HTTPS and ``SSL_CERT_FILE`` (with ``REQUESTS_CA_BUNDLE`` and
``NODE_EXTRA_CA_CERTS``) names the authority the command must trust.

The report is the fake's own, read from its control plane once the command has ended.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mockserver.core.conformance import ConformanceReport, render_report
from mockserver.kit.target import API_PREFIX, BASE_URL_VARIABLE, KEY_VARIABLE, SECRET_VARIABLE, Target, open_target

# Requests the journal keeps for the report; a longer client run reports how many fell out.
JOURNAL_SIZE = 200_000
COMMAND_NOT_FOUND = 127


@dataclass
class ClientRun:
    command: list[str]
    validation: str = "strict"
    clock: str = "realtime"
    speed: float = 10.0
    any_key: bool = False
    api_profile: str = "guide"
    cancel_workflow_jobs: bool = False
    fixtures: list[Path] | None = None  # folders added to the default fixtures
    no_default_fixtures: bool = False  # then the fake starts from ``fixtures`` alone
    key: str = "key_alice"
    secret: str = "secret_alice"
    env: dict[str, str] = field(default_factory=dict)  # more variables for the command
    tls: bool = False  # serve the fake over HTTPS; the command is told to trust its authority
    cwd: Path | None = None

    def settings(self) -> dict[str, Any]:
        """The fake's settings (the server's ``Settings`` fields, and ``added_fixtures``): the default fixtures
        and ``fixtures`` on top of them, or ``fixtures`` alone with ``no_default_fixtures``."""
        settings: dict[str, Any] = {
            "any_key": self.any_key,
            "api_profile": self.api_profile,
            "cancel_workflow_jobs": self.cancel_workflow_jobs,
            "clock_mode": self.clock,
            "clock_speed": self.speed,
            "validation": self.validation,
            "journal_size": JOURNAL_SIZE,
        }
        if self.no_default_fixtures:
            settings["fixtures"] = list(self.fixtures or [])
        elif self.fixtures:
            settings["added_fixtures"] = list(self.fixtures)
        return settings


@dataclass
class ClientOutcome:
    command: list[str]
    returncode: int
    report: ConformanceReport

    def exit_status(self, allow_drift: bool = False) -> int:
        """The command's own failure first; then 1 if any request broke the contract."""
        if self.returncode != 0:
            return self.returncode
        return 0 if self.report.passed(allow_drift) else 1

    def text(self, allow_drift: bool = False) -> str:
        if self.returncode == COMMAND_NOT_FOUND:
            ran = f"The client command could not be started: {' '.join(self.command)}"
        else:
            ran = f"The client command exited with status {self.returncode}: {' '.join(self.command)}"
        return f"{ran}\n\n{render_report(self.report, allow_drift)}"


def run_client(run: ClientRun) -> ClientOutcome:
    with open_target("fake-http", settings=run.settings(), tls=run.tls) as fake:
        root = fake.base_url.removesuffix(API_PREFIX)
        env = {
            **os.environ,
            **run.env,
            BASE_URL_VARIABLE: fake.base_url,
            KEY_VARIABLE: run.key,
            SECRET_VARIABLE: run.secret,
            "MOCKSERVER_URL": root,
            **_trust(fake.ca_file),
            **({"MOCKSERVER_CONTROL_TOKEN": fake.control_token} if fake.control_token else {}),
        }
        try:
            returncode = subprocess.run(run.command, env=env, cwd=run.cwd, check=False).returncode
        except OSError:
            returncode = COMMAND_NOT_FOUND
        return ClientOutcome(run.command, returncode, conformance_report(fake))


def _trust(ca_file: Path | None) -> dict[str, str]:
    """The variables that make Python (httpx, the SDK, requests) and Node trust a fake served over HTTPS."""
    if ca_file is None:
        return {}
    return {name: str(ca_file) for name in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS")}


def conformance_report(fake: Target) -> ConformanceReport:
    """The conformance report of every request the fake has journaled, from its control plane."""
    answer = fake.get_control("/journal/report", format="json")
    answer.raise_for_status()
    return ConformanceReport.from_dict(answer.json())
