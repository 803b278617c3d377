"""Where the contract kit sends its requests: a fake in process, a fake over HTTP, or any live URL.

A target is named by one string, the same for the pytest suite (``--kit-target``) and
the command line:

- ``in-process``: a fresh fake called over ASGI, no socket;
- ``fake-http``: a fresh fake served by uvicorn on a free loopback port;
- ``asgi:package.module:factory``: the ASGI app ``factory()`` returns, in process;
- ``http://...`` or ``https://...``: a live API, its URL ending with the version (``.../v1``).

Credentials for a live target come from the variables the SDK reads:
``SCENARIO_SDK_API_KEY`` and ``SCENARIO_SDK_API_SECRET``.

The kit reaches a target only through a transport: an ASGI app called in process, or a URL.
A fake's clock is moved and the fake reset through its control plane (``/_mock``), over that
same transport; the kit imports nothing of the server, and names the factory of a fresh
fake's app by string.
"""

from __future__ import annotations

import base64
import importlib
import os
import ssl
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any, Literal

import httpx

from mockserver.core.serving import served
from mockserver.core.tls import TlsFiles, local_certificate
from mockserver.core.transport import SyncASGITransport
from mockserver.kit.serving import lifespan

TargetKind = Literal["in-process", "fake-http", "live"]

# The principal a kit-made fake is called as: an editor of proj_demo (see fixtures/principals.yaml).
FAKE_KEY, FAKE_SECRET, FAKE_PROJECT = "key_alice", "secret_alice", "proj_demo"
# The factory of a fresh fake's app: ``factory(base_url=None, **settings)``.
FAKE_APP_FACTORY = "mockserver.server.app:kit_app"
API_PREFIX, CONTROL_PREFIX = "/v1", "/_mock"
IN_PROCESS_ROOT = "http://testserver"
IN_PROCESS_BASE_URL = IN_PROCESS_ROOT + API_PREFIX

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
    control_url: str | None = None  # a fake's control plane, where the kit may move its clock and reset it
    ca_file: Path | None = None  # the authority to trust, for a fake the kit serves over HTTPS
    control_token: str | None = None  # sent as X-Mock-Control-Token, when the fake asks for one
    _control_client: httpx.Client | None = field(default=None, repr=False)

    @property
    def is_fake(self) -> bool:
        """A fake the kit made itself: nothing real can be spent or destroyed on it."""
        return self.kind != "live"

    @property
    def can_move_time(self) -> bool:
        return self.control_url is not None

    @property
    def label(self) -> str:
        return self.kind if self.kind != "live" else self.base_url

    @property
    def verify(self) -> ssl.SSLContext | bool:
        """What httpx checks the target's certificate against: the fake's own authority, or the system's."""
        return ssl.create_default_context(cafile=str(self.ca_file)) if self.ca_file else True

    def client(self, **kwargs: Any) -> httpx.Client:
        """An httpx client bound to the target's API root, authenticated."""
        headers = {"Authorization": self.credentials.authorization}
        if self.app is not None:
            kwargs.setdefault("transport", SyncASGITransport(self.app))
        kwargs.setdefault("verify", self.verify)
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=60, **kwargs)

    def advance_clock(self, seconds: float) -> bool:
        """Move a fake's clock forward; False on a live target, where only real time passes."""
        if self.control_url is None:
            return False
        self._control().post("/clock/advance", json={"seconds": seconds}).raise_for_status()
        return True

    def reset(self) -> bool:
        """Put a fake back to its fixtures; False on a live target."""
        if self.control_url is None:
            return False
        self._control().post("/reset").raise_for_status()
        return True

    def get_control(self, path: str, **params: str) -> httpx.Response:
        """A read of the fake's control plane (``/journal/report``, ``/clock``); TargetError without one."""
        if self.control_url is None:
            raise TargetError(f"{self.label} has no control plane")
        return self._control().get(path, params=params)

    def has_control_plane(self) -> bool:
        """Whether the control plane answers as a fake's does: an ASGI target may be any app."""
        try:
            answer = self.get_control("/clock")
        except (TargetError, httpx.HTTPError):
            return False
        return answer.status_code == 200 and "now" in _json_object(answer)

    def _control(self) -> httpx.Client:
        """One client for the control plane, kept open: the walk calls it after every step."""
        if self._control_client is None:
            transport = SyncASGITransport(self.app) if self.app is not None else None
            headers = {"X-Mock-Control-Token": self.control_token} if self.control_token else {}
            self._control_client = httpx.Client(
                base_url=str(self.control_url), timeout=30, transport=transport, headers=headers, verify=self.verify
            )
        return self._control_client

    def close(self) -> None:
        if self._control_client is not None:
            self._control_client.close()
            self._control_client = None


@contextmanager
def open_target(
    spec: str,
    env: Mapping[str, str] | None = None,
    project_id: str | None = None,
    settings: Mapping[str, Any] | None = None,
    tls: bool = False,
) -> Iterator[Target]:
    """The target ``spec`` names, ready to use, torn down on exit.

    ``settings`` are the fake's settings, for the targets that make one (``in-process``, ``fake-http``);
    ``tls`` serves ``fake-http`` over HTTPS, with an authority made for it (``target.ca_file``).
    """
    env = os.environ if env is None else env
    credentials = Credentials(FAKE_KEY, FAKE_SECRET)
    token = (settings or {}).get("control_token")
    if spec == "in-process":
        app = load_factory(FAKE_APP_FACTORY)(**(settings or {}))
        with lifespan(app), _closing(in_process(app, credentials)) as target:
            target.control_token = token
            yield target
    elif spec == "fake-http":
        with ExitStack() as stack:
            files = local_certificate(Path(stack.enter_context(TemporaryDirectory()))) if tls else None
            root = stack.enter_context(served_fake(settings, files))
            target = Target("fake-http", root + API_PREFIX, credentials, FAKE_PROJECT, None, root + CONTROL_PREFIX)
            target.ca_file = files.ca_file if files else None
            target.control_token = token
            with _closing(target):
                yield target
    elif spec.startswith("asgi:"):
        app = load_factory(spec.removeprefix("asgi:"))()
        with lifespan(app), _closing(in_process(app, credentials)) as target:
            if not target.has_control_plane():
                target.close()
                target.control_url = None
            yield target
    elif spec.startswith(("http://", "https://")):
        yield Target("live", spec.rstrip("/"), Credentials.from_env(env), project_id)
    else:
        raise TargetError(f"unknown target {spec!r}: use in-process, fake-http, asgi:module:factory or a URL")


def in_process(app: Any, credentials: Credentials) -> Target:
    """A target calling ``app`` in process, a fake's control plane taken to be the same app's ``/_mock``."""
    return Target("in-process", IN_PROCESS_BASE_URL, credentials, FAKE_PROJECT, app, IN_PROCESS_ROOT + CONTROL_PREFIX)


@contextmanager
def served_fake(settings: Mapping[str, Any] | None = None, tls: TlsFiles | None = None) -> Iterator[str]:
    """A fresh fake served on a free loopback port until the block ends: its root URL."""
    factory = load_factory(FAKE_APP_FACTORY)
    with served(lambda base_url: factory(base_url=base_url, **(settings or {})), tls=tls) as root:
        yield root


@contextmanager
def _closing(target: Target) -> Iterator[Target]:
    try:
        yield target
    finally:
        target.close()


def load_factory(reference: str) -> Any:
    """The callable ``package.module:name`` names."""
    module_name, _, attribute = reference.partition(":")
    if not module_name or not attribute:
        raise TargetError(f"an ASGI target reads asgi:package.module:factory, not asgi:{reference}")
    return getattr(importlib.import_module(module_name), attribute)


def _json_object(answer: httpx.Response) -> dict[str, Any]:
    try:
        data = answer.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
