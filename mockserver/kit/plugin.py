"""The contract suite's pytest hooks: its options, its session and the summary it prints.

``contracts/suite/conftest.py`` imports these hooks; every option also reads an
environment variable, so CI can set them once.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mockserver.kit.results import results_as_json
from mockserver.kit.suite import KitSession, SuiteOptions, SuiteRun, configure, current, parse_inputs
from mockserver.scenario.profiles import API_PROFILES

_RUN = pytest.StashKey[SuiteRun]()


def _flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in ("1", "true", "yes", "on")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("contract kit")
    group.addoption(
        "--kit-target",
        default=os.environ.get("MOCKSERVER_KIT_TARGET", "in-process"),
        help="in-process, fake-http, asgi:module:factory or a live API URL ending in /v1 [MOCKSERVER_KIT_TARGET]",
    )
    group.addoption(
        "--kit-allow-writes",
        action="store_true",
        default=_flag("MOCKSERVER_KIT_ALLOW_WRITES"),
        help="live target: create (tagged) workflows and change or delete only those [MOCKSERVER_KIT_ALLOW_WRITES]",
    )
    group.addoption(
        "--kit-allow-spending",
        action="store_true",
        default=_flag("MOCKSERVER_KIT_ALLOW_SPENDING"),
        help="live target: really run workflows, not only dry runs [MOCKSERVER_KIT_ALLOW_SPENDING]",
    )
    group.addoption(
        "--kit-budget",
        type=float,
        default=os.environ.get("MOCKSERVER_KIT_BUDGET") or None,  # argparse converts a string default with type
        help="live target: credits the real runs may spend, each estimated by a dry run first; "
        "needed with --kit-allow-spending [MOCKSERVER_KIT_BUDGET]",
    )
    group.addoption("--kit-examples", type=int, default=int(os.environ.get("MOCKSERVER_KIT_EXAMPLES", "20")))
    group.addoption("--kit-scenarios", type=int, default=int(os.environ.get("MOCKSERVER_KIT_SCENARIOS", "60")))
    group.addoption("--kit-steps", type=int, default=int(os.environ.get("MOCKSERVER_KIT_STEPS", "20")))
    group.addoption("--kit-project-id", default=os.environ.get("MOCKSERVER_KIT_PROJECT_ID"))
    group.addoption(
        "--kit-workflow",
        default=os.environ.get("MOCKSERVER_KIT_WORKFLOW"),
        help="live target: the workflow the job lifecycle check runs [MOCKSERVER_KIT_WORKFLOW]",
    )
    group.addoption("--kit-inputs", default=os.environ.get("MOCKSERVER_KIT_INPUTS"), help="its inputs, as JSON")
    group.addoption("--kit-timeout", type=float, default=float(os.environ.get("MOCKSERVER_KIT_TIMEOUT", "600")))
    group.addoption("--kit-results", type=Path, default=None, help="write the run's results to this JSON file")
    group.addoption(
        "--kit-api-profile",
        choices=API_PROFILES,
        default=os.environ.get("MOCKSERVER_KIT_API_PROFILE", "guide"),
        help="the version of the API the target is held to where they differ (dry runs, cancel); a kit-made fake "
        "answers as it [MOCKSERVER_KIT_API_PROFILE]",
    )


def options_from(config: pytest.Config) -> SuiteOptions:
    value = config.getoption
    return SuiteOptions(
        target=value("kit_target"),
        allow_writes=value("kit_allow_writes") or value("kit_allow_spending"),
        allow_spending=value("kit_allow_spending"),
        budget=value("kit_budget"),
        examples=value("kit_examples"),
        scenarios=value("kit_scenarios"),
        steps=value("kit_steps"),
        project_id=value("kit_project_id"),
        workflow=value("kit_workflow"),
        inputs=parse_inputs(value("kit_inputs")),
        timeout=value("kit_timeout"),
        api_profile=value("kit_api_profile"),
    )


def pytest_configure(config: pytest.Config) -> None:
    options = options_from(config)
    if options.allow_spending and options.budget is None:
        raise pytest.UsageError("--kit-allow-spending needs --kit-budget CREDITS: real runs spend only within it")
    if options.budget is not None and options.budget < 0:
        raise pytest.UsageError("--kit-budget must be a number of credits >= 0")
    config.stash[_RUN] = configure(options)


def pytest_unconfigure(config: pytest.Config) -> None:
    run = config.stash.get(_RUN, None)
    if run is not None:
        run.close()


@pytest.fixture(scope="session")
def kit() -> KitSession:
    return current()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    run = config.stash.get(_RUN, None)
    if run is None or not run.opened:
        return
    session = run.session()
    session.cleanup()
    session.note_spending()
    terminalreporter.section("contract kit")
    terminalreporter.write_line(session.summary())
    destination = config.getoption("kit_results")
    if destination is not None:
        destination.write_text(results_as_json(session.results), encoding="utf-8")
