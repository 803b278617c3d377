"""pytest fixtures for testing code that uses Scenario's API against the fake, with no server to start.

Installed with the package (entry point ``pytest11``), so the fixtures are there in any suite:

- ``scenario_mock``: a fresh fake for each test (or each module, with ``--scenario-mock-scope=module``
  or ``scenario_mock_scope = module`` in the ini file), as a :class:`~mockserver.testing.MockHandle`:
  ``.advance(seconds)``, ``.add_fault(...)``, ``.journal()``, ``.calls(operation, ...)``,
  ``.assert_called(operation, times=N)``, ``.snapshot()``/``.restore()``,
  ``.reset()``, ``.client(who)``, ``.async_client(who)``, ``.http(who)``, ``.fake``;
- ``scenario``: ``scenario_sdk.Scenario`` as alice, bound to that fake in process;
- ``async_scenario``: ``scenario_sdk.AsyncScenario`` as alice, bound to it in process;
- ``scenario_env``: for code that builds its own client from the environment: that fake served on a
  loopback port, and the SDK's variables (``SCENARIO_BASE_URL``, ``SCENARIO_SDK_API_KEY``,
  ``SCENARIO_SDK_API_SECRET``; ``MOCKSERVER_URL`` for its control plane) pointing at it as alice for
  the test, ``SCENARIO_SDK_JWT`` unset; a :class:`~mockserver.testing.RunningServer`.
- ``scenario_mcp``: an ``mcp.ClientSession`` connected in memory to the fake's MCP server, as alice, or as
  the principal given by indirect parametrization (``@pytest.mark.parametrize("scenario_mcp", ["carol"],
  indirect=True)``). An async fixture: its tests run under anyio (``@pytest.mark.anyio``).

The clients retry as the SDK does by default (``max_retries=2``); ``scenario_mock.client("alice",
max_retries=0)`` makes one that does not.

The fake starts from the default fixtures plus the folders listed in ``scenario_mock_fixtures``
(ini, paths relative to the ini file), with the clock in ``scenario_mock_clock`` mode (``manual``
unless set), answering as the ``scenario_mock_api_profile`` version of the API (``guide`` unless set).
``@pytest.mark.scenario_mock(clock_mode="instant", api_profile="current", ...)`` sets any
:class:`~mockserver.server.settings.Settings` field for one test (or a module, with ``pytestmark``);
``fixtures=[...]`` there adds folders too. ``scenario_mock_strict_requests = true`` (ini) or
``strict_requests=True`` (marker) answers 400 to a query parameter or body field the operation does
not have. An unknown setting, or a value it does not take, fails the test's setup with the setting's
name and what it takes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

SCOPES = ("function", "module")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("scenario-mockserver", "Scenario mockserver")
    group.addoption(
        "--scenario-mock-scope",
        choices=SCOPES,
        default=None,
        help="a fresh fake for each test (function, the default) or for each module",
    )
    parser.addini("scenario_mock_scope", "function or module: how long one fake lives", default="function")
    parser.addini("scenario_mock_clock", "clock mode of the fake: manual, instant or realtime", default="manual")
    parser.addini(
        "scenario_mock_strict_requests",
        "true or false: answer 400 to a query parameter or body field the operation does not have",
        default="false",
    )
    parser.addini(
        "scenario_mock_api_profile",
        "the version of Scenario's API the fake answers as: guide (the source documents) or current (the SDK 2.4.0)",
        default="guide",
    )
    parser.addini(
        "scenario_mock_fixtures", "folders of principals and workflows added to the defaults", type="paths", default=[]
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "scenario_mock(**settings): Settings fields for the fake of this test or module")


def _scope(fixture_name: str, config: pytest.Config) -> str:
    scope = config.getoption("--scenario-mock-scope") or config.getini("scenario_mock_scope")
    if scope not in SCOPES:
        raise pytest.UsageError(f"scenario_mock_scope must be one of {', '.join(SCOPES)}, not {scope!r}")
    return scope


def _settings(request: pytest.FixtureRequest) -> Any:
    """The fake's settings from the ini file and the closest ``scenario_mock`` marker; a setting unknown or
    out of its allowed values fails the test's setup, naming it."""
    from mockserver.core.clock import CLOCK_MODES
    from mockserver.scenario.profiles import API_PROFILES
    from mockserver.server.settings import DEFAULT_FIXTURES
    from mockserver.testing import settings_with

    config = request.config
    strict = str(config.getini("scenario_mock_strict_requests")).strip().lower()
    if strict not in ("true", "false"):
        pytest.fail(f"ini option scenario_mock_strict_requests must be true or false, not {strict!r}", pytrace=False)
    options: dict[str, Any] = {
        "clock_mode": _ini_choice(config, "scenario_mock_clock", CLOCK_MODES),
        "api_profile": _ini_choice(config, "scenario_mock_api_profile", API_PROFILES),
        "strict_requests": strict == "true",
    }
    folders: list[Path] = [DEFAULT_FIXTURES, *(Path(p) for p in config.getini("scenario_mock_fixtures"))]
    marker = request.node.get_closest_marker("scenario_mock")
    if marker is not None:
        marked = _marked_settings(marker)
        folders += marked.pop("fixtures", [])
        options.update(marked)
    try:
        return settings_with(fixtures=folders, **options)
    except (TypeError, ValueError) as error:
        pytest.fail(f"@pytest.mark.scenario_mock: {error}", pytrace=False)


def _ini_choice(config: pytest.Config, name: str, allowed: tuple[str, ...]) -> str:
    value = config.getini(name)
    if value not in allowed:
        pytest.fail(f"ini option {name} must be one of {', '.join(allowed)}, not {value!r}", pytrace=False)
    return value


def _marked_settings(marker: pytest.Mark) -> dict[str, Any]:
    if marker.args:
        pytest.fail("@pytest.mark.scenario_mock takes settings by name, e.g. clock_mode='instant'", pytrace=False)
    marked = dict(marker.kwargs)
    if "fixtures" in marked:
        folders = marked["fixtures"]
        if not isinstance(folders, list | tuple) or not all(isinstance(f, str | Path) for f in folders):
            refusal = f"@pytest.mark.scenario_mock: fixtures must be a list of folders, not {folders!r}"
            pytest.fail(refusal, pytrace=False)
        marked["fixtures"] = [Path(folder) for folder in folders]
    return marked


@pytest.fixture(scope=_scope)
def scenario_mock(request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh fake with its controls and in-process clients (a :class:`mockserver.testing.MockHandle`)."""
    from mockserver.server.fake import Fake
    from mockserver.testing import MockHandle

    handle = MockHandle(Fake(_settings(request)))
    yield handle
    handle.close()


@pytest.fixture
def scenario(scenario_mock: Any) -> Any:
    """``scenario_sdk.Scenario`` as alice (``key_alice``, editor of ``proj_demo``), bound to the fake."""
    return scenario_mock.client("alice")


@pytest.fixture
def async_scenario(scenario_mock: Any) -> Any:
    """``scenario_sdk.AsyncScenario`` as alice, bound to the fake through httpx's ASGI transport."""
    return scenario_mock.async_client("alice")


# A token from the developer's own environment would go along with the fake's key: the test runs without it.
AMBIENT_SDK_VARIABLES = ("SCENARIO_SDK_JWT",)


@pytest.fixture
def scenario_env(scenario_mock: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The fake served on a loopback port, with the SDK's environment variables pointing at it as alice.

    ``scenario_sdk.Scenario()`` built with no arguments, in the test or the code it calls, talks to the
    same fake as ``scenario_mock``. Another principal: ``monkeypatch.setenv`` each of
    ``scenario_env.environment("bob")``.
    """
    from mockserver.testing import running

    with running(fake=scenario_mock.fake) as server:
        for name in AMBIENT_SDK_VARIABLES:
            monkeypatch.delenv(name, raising=False)
        for name, value in server.environment("alice").items():
            monkeypatch.setenv(name, value)
        yield server


@pytest.fixture
async def scenario_mcp(scenario_mock: Any, request: pytest.FixtureRequest) -> AsyncIterator[Any]:
    """``mcp.ClientSession`` in memory to the fake's MCP server, as alice or the indirect parameter's principal."""
    async with scenario_mock.mcp_session(getattr(request, "param", "alice")) as session:
        yield session
