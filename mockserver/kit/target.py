"""Where the contract kit sends its requests: a fake in process, a fake over HTTP, or any live URL.

A target is named by one string, the same for the pytest suite (``--kit-target``) and
the command line:

- ``in-process``: a fresh fake called over ASGI, no socket;
- ``fake-http``: a fresh fake served by uvicorn on a free loopback port;
- ``asgi:package.module:factory``: the ASGI app ``factory()`` returns, in process;
- ``http://...`` or ``https://...``: a live API, its URL ending with the version (``.../v1``).

Credentials for a live target come from the variables the SDK reads:
``SCENARIO_SDK_API_KEY`` and ``SCENARIO_SDK_API_SECRET``.
"""

from __future__ import annotations

import base64
import importlib
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from mockserver.server.app import API_PREFIX, create_app
from mockserver.server.fake import Fake
from mockserver.server.settings import Settings
from mockserver.testing import running

TargetKind = Literal["in-process", "fake-http", "live"]

# The principal a kit-made fake is called as: an editor of proj_demo (see fixtures/principals.yaml).
FAKE_KEY, FAKE_SECRET, FAKE_PROJECT = "key_alice", "secret_alice", "proj_demo"
IN_PROCESS_BASE_URL = "http://testserver" + API_PREFIX

KEY_VARIABLE, SECRET_VARIABLE, BASE_URL_VARIABLE = (
    "SCENARIO_SDK_API_KEY",
    "SCENARIO_SDK_API_SECRET",
    "SCENARIO_BASE_URL",
)


class TargetError(ValueError):
    """A target that cannot be used as named."""


@dataclass(frozen=True)
class Credentials:
    key: str
    secret: str

    @property
    def authorization(self) -> str:
        return "Basic " + base64.b64encode(f"{self.key}:{self.secret}".encode()).decode()

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Credentials:
        key, secret = env.get(KEY_VARIABLE), env.get(SECRET_VARIABLE)
        if not key or not secret:
            raise TargetError(f"a live target needs {KEY_VARIABLE} and {SECRET_VARIABLE} in the environment")
        return cls(key, secret)


@dataclass
class Target:
    kind: TargetKind
    base_url: str  # the API root, ending with the version: requests go to base_url + "/workflows"
    credentials: Credentials
    project_id: str | None  # the project the key belongs to, when known
    app: Any = None  # the ASGI app, for in-process targets
    fake: Fake | None = None  # the fake, when the kit can reach it in process
    control_url: str | None = None  # the fake's control plane, for a fake served over HTTP
    _control_client: httpx.Client | None = field(default=None, repr=False)

    @property
    def is_fake(self) -> bool:
        """A fake the kit made itself: nothing real can be spent or destroyed on it."""
        return self.kind != "live"

    @property
    def can_move_time(self) -> bool:
        return self.fake is not None or self.control_url is not None

    @property
    def label(self) -> str:
        return self.kind if self.kind != "live" else self.base_url

    def client(self, **kwargs: Any) -> httpx.Client:
        """An httpx client bound to the target's API root, authenticated."""
        headers = {"Authorization": self.credentials.authorization}
        if self.app is not None:
            from mockserver.core.transport import SyncASGITransport

            kwargs.setdefault("transport", SyncASGITransport(self.app))
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=60, **kwargs)

    def advance_clock(self, seconds: float) -> bool:
        """Move a fake's clock forward; False on a live target, where only real time passes."""
        if self.fake is not None:
            self.fake.advance(seconds)
            return True
        if self.control_url is not None:
            self._control().post("/clock/advance", json={"seconds": seconds}).raise_for_status()
            return True
        return False

    def reset(self) -> bool:
        """Put a fake back to its fixtures; False on a live target."""
        if self.fake is not None:
            self.fake.reset()
            return True
        if self.control_url is not None:
            self._control().post("/reset").raise_for_status()
            return True
        return False

    def _control(self) -> httpx.Client:
        """One client for the control plane, kept open: the walk calls it after every step."""
        if self._control_client is None:
            self._control_client = httpx.Client(base_url=str(self.control_url), timeout=30)
        return self._control_client

    def close(self) -> None:
        if self._control_client is not None:
            self._control_client.close()
            self._control_client = None


def fake_settings(**overrides: Any) -> Settings:
    """How a kit-made fake runs: a manual clock the kit moves, and workflow jobs it may cancel."""
    return Settings(**{"clock_mode": "manual", "cancel_workflow_jobs": True, **overrides})


@contextmanager
def open_target(
    spec: str, env: Mapping[str, str] | None = None, project_id: str | None = None, settings: Settings | None = None
) -> Iterator[Target]:
    """The target ``spec`` names, ready to use, torn down on exit."""
    env = os.environ if env is None else env
    credentials = Credentials(FAKE_KEY, FAKE_SECRET)
    if spec == "in-process":
        with _closing(Fake(settings or fake_settings())) as fake:
            yield Target("in-process", IN_PROCESS_BASE_URL, credentials, FAKE_PROJECT, create_app(fake), fake)
    elif spec == "fake-http":
        with _closing(Fake(settings or fake_settings())) as fake, running(fake=fake) as server:
            target = Target(
                "fake-http", server.api_url, credentials, FAKE_PROJECT, control_url=server.base_url + "/_mock"
            )
            try:
                yield target
            finally:
                target.close()
    elif spec.startswith("asgi:"):
        app = _load_app(spec.removeprefix("asgi:"))
        fake = getattr(getattr(app, "state", None), "fake", None)
        yield Target("in-process", IN_PROCESS_BASE_URL, credentials, FAKE_PROJECT, app, fake)
    elif spec.startswith(("http://", "https://")):
        yield Target("live", spec.rstrip("/"), Credentials.from_env(env), project_id)
    else:
        raise TargetError(f"unknown target {spec!r}: use in-process, fake-http, asgi:module:factory or a URL")


@contextmanager
def _closing(fake: Fake) -> Iterator[Fake]:
    try:
        yield fake
    finally:
        fake.close()


def _load_app(reference: str) -> Any:
    module_name, _, attribute = reference.partition(":")
    if not module_name or not attribute:
        raise TargetError(f"an ASGI target reads asgi:package.module:factory, not asgi:{reference}")
    factory = getattr(importlib.import_module(module_name), attribute)
    return factory()
