"""How a fake behaves: every option of the server, with its default."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mockserver.core.clock import CLOCK_MODES, ClockMode
from mockserver.core.resources import packaged
from mockserver.scenario.profiles import API_PROFILES, DEFAULT_API_PROFILE, ApiProfile

DEFAULT_FIXTURES = packaged("mockserver.server", "default_fixtures")
DEFAULT_CONTRACT = packaged("mockserver.scenario", "scenario.openapi.yaml")
ORCHESTRATOR_CONTRACT = packaged("mockserver.orchestrator", "orchestrator.openapi.yaml")


# The settings that take one of a few values, and those values.
CHOICES: dict[str, tuple[Any, ...]] = {
    "clock_mode": CLOCK_MODES,
    "validation": ("strict", "report"),
    "api_profile": API_PROFILES,
    "orchestrator_auth_status": (401, 403),
    "strict_requests": (False, True),
}


@dataclass
class Settings:
    fixtures: list[Path] = field(default_factory=lambda: [DEFAULT_FIXTURES])
    contract: Path = DEFAULT_CONTRACT
    orchestrator_contract: Path = ORCHESTRATOR_CONTRACT
    # The orchestrator API's answer to a request without a bearer token: 401 as FastAPI 0.122 and later,
    # 403 as older FastAPI.
    orchestrator_auth_status: int = 401
    # Accept any key:secret; the user is derived from the key, editor of any project.
    any_key: bool = False
    # Which version of Scenario's API the fake answers as: guide (the source documents) or current (the
    # official SDK 2.4.0 and Scenario's own clients); see mockserver/scenario/profiles.py.
    api_profile: ApiProfile = DEFAULT_API_PROFILE
    # The real API cancels only a workflow's node jobs; this lets workflow jobs be cancelled too.
    cancel_workflow_jobs: bool = False
    clock_mode: ClockMode = "realtime"
    # In realtime mode, how many times faster simulated work (jobs, steps, retries) runs; the clock stays on wall time.
    clock_speed: float = 10.0
    # strict: a request that breaks the contract is answered 400 at once;
    # report: it goes through and the journal records the violation.
    validation: str = "strict"
    # A query parameter or body field the operation does not have (a client's typo, most often) is always
    # journaled; strict_requests answers it 400 too.
    strict_requests: bool = False
    # Check every response against the contract and journal what breaks it.
    check_responses: bool = True
    max_body_bytes: int = 5 * 1024 * 1024
    rate_limit: bool = False
    rate_limit_per_minute: int = 100
    max_concurrent_jobs: int = 10
    seed: int | None = 0
    journal_size: int = 1000
    # Webhook deliveries: the first retry comes this many seconds later on the fake's clock, each next twice as long.
    webhook_retry_seconds: float = 1.0
    webhook_max_attempts: int = 5
    webhook_timeout_seconds: float = 5.0
    # The control plane (``/_mock``): the names it may be reached by besides the loopback ones, and the
    # token every call must send as ``X-Mock-Control-Token`` (none: no token asked for).
    control_hosts: list[str] = field(default_factory=list)
    control_token: str | None = None
    # Where ``mockserver serve`` loads the state from on start and saves it to on a clean shutdown.
    state_file: Path | None = None
    # ``scheme://host[:port]`` the fake's URLs (assets, webhooks) name instead of the address a client used,
    # for a fake reached through a proxy or a tunnel.
    public_url: str | None = None

    def __post_init__(self) -> None:
        if self.public_url is not None:
            self.public_url = checked_public_url(self.public_url)
        for name, allowed in CHOICES.items():
            value = getattr(self, name)
            if value not in allowed:
                listed = ", ".join(str(choice) for choice in allowed)
                raise ValueError(f"{name} must be one of {listed}, not {value!r}")


def checked_public_url(url: str) -> str:
    """``url`` without a trailing slash; ValueError unless it is an http(s) URL with a host and nothing after
    its path."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"public_url must look like https://host[:port][/path], not {url!r}")
    return url.rstrip("/")
