"""Using the fake from code: in process with no socket, or served on a free loopback port.

:class:`MockHandle` is what the pytest plugin's ``scenario_mock`` fixture gives:
the fake, clients of the official SDK bound to it in process, and the controls
(clock, fault rules, journal, state). :func:`running` serves a fake for real, for
code outside pytest or for clients that need a URL::

    with mockserver.running(clock_mode="manual") as server:
        client = Scenario(base_url=server.api_url, api_key="key_alice", api_secret="secret_alice")
        ...
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import httpx

from mockserver.core.faults import FaultRule
from mockserver.core.journal import Entry
from mockserver.core.principals import ApiKey
from mockserver.core.serving import served
from mockserver.core.transport import SyncASGITransport
from mockserver.server.app import create_app
from mockserver.server.fake import Fake
from mockserver.server.guard import is_loopback_host
from mockserver.server.settings import Settings

IN_PROCESS_URL = "http://mockserver.test"


def settings_with(settings: Settings | None = None, **options: Any) -> Settings:
    """``Settings`` with some fields changed: ``settings_with(clock_mode="manual", fixtures=[...])``."""
    known = {spec.name for spec in dataclasses.fields(Settings)}
    unknown = set(options) - known
    if unknown:
        raise TypeError(f"unknown settings: {', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}")
    return dataclasses.replace(settings or Settings(), **options)


def api_key_for(fake: Fake, who: str) -> ApiKey:
    """A default principal's key by short name (``"alice"``), user id or key."""
    for key in fake.directory.keys.values():
        if who in (key.key, key.user_id) or key.key == f"key_{who}":
            return key
    if fake.directory.any_key:
        return ApiKey(who, f"secret_{who}", f"user_{who}", "proj_demo")
    raise KeyError(f"no API key for {who!r}; known: {', '.join(fake.directory.keys)}")


class MockHandle:
    """A fake with its app, in-process clients, and the controls a test needs."""

    def __init__(self, fake: Fake) -> None:
        self.fake = fake
        self.app = create_app(fake)
        self.transport = SyncASGITransport(self.app)
        self._closers: list[Any] = []

    # ---- clients

    def client(self, who: str = "alice", **options: Any) -> Any:
        """``scenario_sdk.Scenario`` as this principal, calling the app in process (no socket).

        ``options`` go to the SDK's constructor: it retries as the SDK does (``max_retries=2``) unless told
        otherwise, e.g. ``max_retries=0`` to see every refusal at the first attempt.
        """
        from scenario_sdk import Scenario

        key = api_key_for(self.fake, who)
        client = Scenario(
            base_url=f"{IN_PROCESS_URL}/v1",
            api_key=key.key,
            api_secret=key.secret,
            http_client=httpx.Client(transport=self.transport),
            **options,
        )
        self._closers.append(client.close)
        return client

    def async_client(self, who: str = "alice", **options: Any) -> Any:
        """``scenario_sdk.AsyncScenario`` as this principal, calling the app in process (no socket); ``options``
        as for :meth:`client`."""
        from scenario_sdk import AsyncScenario

        key = api_key_for(self.fake, who)
        return AsyncScenario(
            base_url=f"{IN_PROCESS_URL}/v1",
            api_key=key.key,
            api_secret=key.secret,
            http_client=httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app)),
            **options,
        )

    def http(self, who: str | None = "alice") -> httpx.Client:
        """A plain httpx client of the app (API and control plane), with this principal's Basic auth and the
        control plane's token when the fake has one."""
        auth = None
        if who is not None:
            key = api_key_for(self.fake, who)
            auth = httpx.BasicAuth(key.key, key.secret)
        token = self.fake.settings.control_token
        headers = {"X-Mock-Control-Token": token} if token else {}
        client = httpx.Client(transport=self.transport, base_url=IN_PROCESS_URL, auth=auth, headers=headers)
        self._closers.append(client.close)
        return client

    # ---- controls

    def advance(self, seconds: float) -> datetime:
        """Move the clock on and bring every job up to it (webhooks of jobs that end are queued)."""
        self.fake.advance(seconds)
        return self.fake.clock.now()

    def add_fault(self, rule: dict[str, Any] | None = None, **fields: Any) -> FaultRule:
        """A fault rule, as ``POST /_mock/faults`` takes it: ``add_fault(kind="http-error", status=503, ...)``."""
        return self.fake.faults.add({**(rule or {}), **fields})

    def journal(self, since: int = 0) -> list[Entry]:
        return self.fake.journal.entries(since)

    def snapshot(self) -> dict[str, Any]:
        return self.fake.snapshot()

    def restore(self, state: dict[str, Any]) -> None:
        self.fake.restore(state)

    def reset(self) -> None:
        self.fake.reset()

    def close(self) -> None:
        for close in reversed(self._closers):
            close()
        self._closers.clear()
        self.transport.close()
        self.fake.close()


@dataclasses.dataclass
class RunningServer:
    """A fake served by uvicorn in a background thread."""

    fake: Fake
    base_url: str

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/v1"

    @property
    def dashboard_url(self) -> str:
        return f"{self.base_url}/_mock/"

    @property
    def control_token(self) -> str | None:
        """What the control plane asks for in ``X-Mock-Control-Token``; None on loopback unless one was set."""
        return self.fake.settings.control_token

    def control(self) -> httpx.Client:
        """An httpx client of the control plane (``/_mock``), sending its token when it has one."""
        token = self.control_token
        headers = {"X-Mock-Control-Token": token} if token else {}
        return httpx.Client(base_url=f"{self.base_url}/_mock", headers=headers)

    def client(self, who: str = "alice", **options: Any) -> Any:
        """``scenario_sdk.Scenario`` as this principal, over the socket."""
        from scenario_sdk import Scenario

        key = api_key_for(self.fake, who)
        return Scenario(base_url=self.api_url, api_key=key.key, api_secret=key.secret, **options)


@contextmanager
def running(
    settings: Settings | None = None,
    *,
    fake: Fake | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    start_timeout: float = 10.0,
    **options: Any,
) -> Iterator[RunningServer]:
    """Serve a fake on ``host`` (a free port unless ``port`` is given) until the block ends.

    ``options`` are :class:`Settings` fields (``clock_mode="manual"``, ``fixtures=[...]``). With a
    ``state_file``, the state is loaded from it first and saved to it on exit, as ``mockserver serve`` does.
    On a ``host`` beyond loopback, the control plane asks for a token (``control_token``, else a new one:
    ``server.control_token``).
    """
    from mockserver.server.state import load_file, save_file

    owned = fake is None
    if fake is None:
        fake = Fake(settings_with(settings, **options))
    if not is_loopback_host(host) and fake.settings.control_token is None:
        fake.settings.control_token = secrets.token_urlsafe(24)  # reachable beyond this machine
    state_file: Path | None = fake.settings.state_file
    if state_file is not None:
        load_file(fake, state_file)
    try:
        with served(partial(_app_at, fake), host, port, lifespan="off", timeout=start_timeout) as base_url:
            yield RunningServer(fake, base_url)
    finally:
        if state_file is not None:
            save_file(fake, state_file)
        if owned:
            fake.close()


def _app_at(fake: Fake, base_url: str) -> Any:
    fake.base_url = base_url
    return create_app(fake)
