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
import ssl
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack, asynccontextmanager, contextmanager
from datetime import datetime
from functools import partial
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import httpx

from mockserver.core.errors import BadRequest
from mockserver.core.faults import FaultRule
from mockserver.core.journal import Entry
from mockserver.core.principals import ApiKey
from mockserver.core.serving import served
from mockserver.core.tls import TlsFiles, local_certificate
from mockserver.core.transport import SyncASGITransport
from mockserver.kit.target import BASE_URL_VARIABLE, KEY_VARIABLE, SECRET_VARIABLE
from mockserver.server.app import create_app, mcp_server
from mockserver.server.fake import IDLE_MAX_SECONDS, IDLE_MAX_STEPS, Fake, IdleRun
from mockserver.server.guard import is_loopback_host
from mockserver.server.journal_filters import journal_filter
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

    @asynccontextmanager
    async def mcp_session(self, who: str | None = "alice") -> AsyncIterator[Any]:
        """An ``mcp.ClientSession`` connected in memory to this fake's MCP server, as this principal
        (``None``: a caller with no credentials)."""
        from mcp.shared.memory import create_connected_server_and_client_session

        from mockserver.mcp import auth

        credentials = None
        if who is not None:
            key = api_key_for(self.fake, who)
            credentials = auth.basic(key.key, key.secret)
        server = mcp_server(self.fake, auth.fixed(credentials))
        async with create_connected_server_and_client_session(server) as session:
            yield session

    # ---- controls

    def advance(self, seconds: float) -> datetime:
        """Move the clock on and bring every job up to it (webhooks of jobs that end are queued)."""
        self.fake.advance(seconds)
        return self.fake.clock.now()

    def advance_until_idle(self, max_seconds: float = IDLE_MAX_SECONDS, max_steps: int = IDLE_MAX_STEPS) -> IdleRun:
        """Move the clock from job event to job event until every job has ended or waits for a decision.

        Bounded by ``max_seconds`` of simulated time and ``max_steps`` jumps; ``.idle`` says whether it got there.
        """
        return self.fake.advance_until_idle(max_seconds, max_steps)

    def add_fault(self, rule: dict[str, Any] | None = None, **fields: Any) -> FaultRule:
        """A fault rule, as ``POST /_mock/faults`` takes it: ``add_fault(kind="http-error", status=503, ...)``."""
        return self.fake.faults.add({**(rule or {}), **fields})

    def journal(self, since: int = 0) -> list[Entry]:
        return self.fake.journal.entries(since)

    def calls(self, operation: str, **filters: Any) -> list[Entry]:
        """The journaled requests of ``operation`` (an operationId), oldest first, that match ``filters``:
        ``status=404``, ``verdict="violates"``, ``principal="user_alice"``. ValueError names a bad filter."""
        try:
            picked = journal_filter(self.fake, {"operation": operation, **filters})
        except BadRequest as error:
            raise ValueError(error.message) from None
        return self.fake.journal.entries(0, picked)

    def assert_called(self, operation: str, times: int | None = None, **filters: Any) -> list[Entry]:
        """Fail unless ``operation`` was called ``times`` times (at least once if not given) with ``filters``;
        the failure lists what was called instead. Returns the calls."""
        found = self.calls(operation, **filters)
        if (len(found) == times) if times is not None else found:
            return found
        expected = f"{times} time(s)" if times is not None else "at least once"
        condition = "".join(f", {name}={value!r}" for name, value in filters.items())
        lines = [f"expected {operation}{condition} to be called {expected}, it was called {len(found)} time(s)"]
        lines += _what_was_called(self.journal())
        raise AssertionError("\n".join(lines))

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


def _what_was_called(entries: list[Entry]) -> list[str]:
    """The journal in short: each operation with its answers, then each request's unknown fields."""
    if not entries:
        return ["nothing was called (the journal is empty)"]
    called: Counter[tuple[str, int]] = Counter()
    for entry in entries:
        name = entry.operation_id or f"{entry.method} {entry.path} (not in the contract)"
        called[(name, entry.status)] += 1
    lines = ["called instead:"]
    lines += [f"  {name} -> {status or 'dropped'} x{count}" for (name, status), count in called.items()]
    typos = [f"  #{entry.id} {unknown}" for entry in entries for unknown in entry.unknown_fields]
    return lines + (["unknown fields sent:", *typos] if typos else [])


@dataclasses.dataclass
class RunningServer:
    """A fake served by uvicorn in a background thread."""

    fake: Fake
    base_url: str
    # The certificate files when served over HTTPS: ``tls.ca_file`` is what a client must trust.
    tls: TlsFiles | None = None

    @property
    def verify(self) -> ssl.SSLContext | bool:
        """What an httpx client of this server passes as ``verify``: the fake's authority over HTTPS."""
        return self.tls.client_context() if self.tls else True

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/v1"

    @property
    def mcp_url(self) -> str:
        return f"{self.base_url}/mcp"

    @property
    def dashboard_url(self) -> str:
        return f"{self.base_url}/_mock/"

    def environment(self, who: str = "alice") -> dict[str, str]:
        """The variables the SDK reads (base URL, key, secret) for this principal, and ``MOCKSERVER_URL``:
        ``Scenario()`` built with no arguments where they are set talks to this fake."""
        key = api_key_for(self.fake, who)
        return {
            BASE_URL_VARIABLE: self.api_url,
            KEY_VARIABLE: key.key,
            SECRET_VARIABLE: key.secret,
            "MOCKSERVER_URL": self.base_url,
        }

    @property
    def control_token(self) -> str | None:
        """What the control plane asks for in ``X-Mock-Control-Token``; None on loopback unless one was set."""
        return self.fake.settings.control_token

    def control(self) -> httpx.Client:
        """An httpx client of the control plane (``/_mock``), sending its token when it has one."""
        token = self.control_token
        headers = {"X-Mock-Control-Token": token} if token else {}
        return httpx.Client(base_url=f"{self.base_url}/_mock", headers=headers, verify=self.verify)

    def client(self, who: str = "alice", **options: Any) -> Any:
        """``scenario_sdk.Scenario`` as this principal, over the socket."""
        from scenario_sdk import Scenario

        key = api_key_for(self.fake, who)
        if self.tls is not None and "http_client" not in options:
            options["http_client"] = httpx.Client(verify=self.verify)
        return Scenario(base_url=self.api_url, api_key=key.key, api_secret=key.secret, **options)


@contextmanager
def running(
    settings: Settings | None = None,
    *,
    fake: Fake | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    start_timeout: float = 10.0,
    tls: bool = False,
    **options: Any,
) -> Iterator[RunningServer]:
    """Serve a fake on ``host`` (a free port unless ``port`` is given) until the block ends.

    With ``tls``, over HTTPS with a certificate made for the block, signed by an authority of its own
    (``server.tls.ca_file``; ``server.client()`` trusts it).

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
        with ExitStack() as stack:
            files = local_certificate(Path(stack.enter_context(TemporaryDirectory())), [host]) if tls else None
            app = partial(_app_at, fake)
            base_url = stack.enter_context(served(app, host, port, lifespan="off", timeout=start_timeout, tls=files))
            yield RunningServer(fake, base_url, files)
    finally:
        if state_file is not None:
            save_file(fake, state_file)
        if owned:
            fake.close()


def _app_at(fake: Fake, base_url: str) -> Any:
    fake.base_url = base_url
    return create_app(fake)
