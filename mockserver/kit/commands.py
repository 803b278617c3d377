"""``mockserver kit ...``: the contract kit on the command line.

- ``check``: the contract suite against a live URL (or the fake), a summary, JUnit XML on request;
- ``client``: a client's own test command against a fresh fake, then its conformance report;
- ``drift``: one read-only scenario against a live URL and the fake, shapes compared, and the API profile it matches;
- ``cleanup``: delete what earlier checks created on a live URL and left behind.

Credentials and the live URL come from the variables the SDK reads: ``SCENARIO_BASE_URL``,
``SCENARIO_SDK_API_KEY`` and ``SCENARIO_SDK_API_SECRET``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from mockserver.core.resources import packaged
from mockserver.kit.target import BASE_URL_VARIABLE, KEY_VARIABLE, SECRET_VARIABLE, TargetError
from mockserver.scenario.profiles import API_PROFILES

DESCRIPTION = (
    "The contract kit: check any API against the contract (check), a client against the fake (client), "
    "the live API against the contract and the fake (drift)."
)
SUITE = packaged("mockserver.kit", "contract_suite")


def register(subparsers: Any) -> None:
    kit = subparsers.add_parser("kit", help="the contract kit", description=DESCRIPTION)
    commands = kit.add_subparsers(dest="kit_command", required=True)
    _register_check(commands)
    _register_client(commands)
    _register_drift(commands)
    _register_cleanup(commands)


# --- check ---------------------------------------------------------------------------------------


def _register_check(commands: Any) -> None:
    check = commands.add_parser(
        "check",
        help="run the contract suite against a live API (or the fake)",
        description="Run the contract suite: every operation fuzzed, the stateful walk, the job lifecycle. Against a "
        "live API it sends only reads and dry runs unless --allow-writes or --allow-spending says otherwise.",
    )
    where = check.add_mutually_exclusive_group()
    where.add_argument(
        "--base-url", default=None, help=f"the API root, e.g. https://api.cloud.scenario.com/v1 [{BASE_URL_VARIABLE}]"
    )
    where.add_argument(
        "--fake", choices=("in-process", "http"), help="check a fresh fake instead, in process or over HTTP"
    )
    check.add_argument(
        "--allow-writes", action="store_true", help="create workflows (tagged) and change or delete only those"
    )
    check.add_argument(
        "--allow-spending",
        action="store_true",
        help="also run the workflows it creates for real, within --budget (implies --allow-writes)",
    )
    check.add_argument(
        "--budget",
        type=float,
        metavar="CREDITS",
        help="with --allow-spending: credits the real runs may spend; each is estimated by a dry run first, and "
        "one that would go over is not made. The summary says what was spent",
    )
    check.add_argument("--junit-xml", type=Path, help="write a JUnit XML report to this file")
    check.add_argument("--results", type=Path, help="write the run's results as JSON to this file")
    check.add_argument("--examples", type=int, default=20, help="fuzzed cases per operation")
    check.add_argument("--scenarios", type=int, default=60, help="stateful walks")
    check.add_argument("--steps", type=int, default=20, help="calls per walk at most")
    check.add_argument("--workflow", help="the workflow the job lifecycle check runs on a live API")
    check.add_argument("--inputs", help="its inputs, as a JSON object")
    check.add_argument("--project-id", help="the project of the API key, when it is not implied")
    check.add_argument("--timeout", type=float, default=600, help="seconds to wait for a job to end")
    check.add_argument(
        "--only", choices=("operations", "walk", "lifecycle"), action="append", help="run only these parts (repeatable)"
    )
    check.add_argument(
        "--api-profile",
        choices=API_PROFILES,
        default="guide",
        help="the version of Scenario's API the target is held to where they differ: guide (dry run 402) or "
        "current (dry run 269, only inference jobs cancelled); a --fake answers as it",
    )
    check.set_defaults(func=check_command)


PARTS = {
    "operations": "test_contract_operations.py",
    "walk": "test_contract_walk.py",
    "lifecycle": "test_job_lifecycle.py",
}


def check_command(args: argparse.Namespace) -> int:
    import pytest

    target = _check_target(args)
    if target is None:
        print(
            f"mockserver kit check: give --base-url, set {BASE_URL_VARIABLE}, or check the fake with --fake",
            file=sys.stderr,
        )
        return 2
    if args.allow_spending and args.budget is None:
        print("mockserver kit check: --allow-spending needs --budget CREDITS", file=sys.stderr)
        return 2
    if args.budget is not None and args.budget < 0:
        print("mockserver kit check: --budget must be a number of credits >= 0", file=sys.stderr)
        return 2
    if target.startswith("http") and not (os.environ.get(KEY_VARIABLE) and os.environ.get(SECRET_VARIABLE)):
        print(f"mockserver kit check: set {KEY_VARIABLE} and {SECRET_VARIABLE} for {target}", file=sys.stderr)
        return 2
    files = [str(SUITE / PARTS[part]) for part in dict.fromkeys(args.only)] if args.only else [str(SUITE)]
    options = [
        *files,
        "-q",
        "--tb=line",
        "-p",
        "no:cacheprovider",
        "-W",
        "ignore::pytest.PytestAssertRewriteWarning",
        f"--kit-target={target}",
        f"--kit-examples={args.examples}",
        f"--kit-scenarios={args.scenarios}",
        f"--kit-steps={args.steps}",
        f"--kit-timeout={args.timeout}",
        f"--kit-api-profile={args.api_profile}",
    ]
    options += ["--kit-allow-writes"] if args.allow_writes else []
    options += ["--kit-allow-spending"] if args.allow_spending else []
    options += [f"--kit-budget={args.budget}"] if args.budget is not None else []
    options += [f"--kit-workflow={args.workflow}"] if args.workflow else []
    options += [f"--kit-inputs={args.inputs}"] if args.inputs else []
    options += [f"--kit-project-id={args.project_id}"] if args.project_id else []
    options += [f"--junitxml={args.junit_xml}"] if args.junit_xml else []
    options += [f"--kit-results={args.results}"] if args.results else []
    return int(pytest.main(options))


def _check_target(args: argparse.Namespace) -> str | None:
    if args.fake:
        return "in-process" if args.fake == "in-process" else "fake-http"
    return args.base_url or os.environ.get(BASE_URL_VARIABLE)


# --- client --------------------------------------------------------------------------------------


def _register_client(commands: Any) -> None:
    client = commands.add_parser(
        "client",
        help="run a client's test command against a fresh fake, then report its conformance",
        description="Start a fresh fake on a free port, run COMMAND with SCENARIO_BASE_URL (and the SDK's key and "
        "secret) pointing at it, then print which operations the client used, which requests broke the contract "
        "and why, and which operations it never exercised. Exits non-zero when the command fails or any request "
        "broke the contract.",
        usage="mockserver kit client [options] -- COMMAND [ARG ...]",
    )
    client.add_argument(
        "--validation",
        choices=("strict", "report"),
        default="strict",
        help="strict: a request that breaks the contract is answered 400 at once; report: it goes through, recorded",
    )
    client.add_argument(
        "--clock", choices=("realtime", "manual", "instant"), default="realtime", help="the fake's clock"
    )
    client.add_argument("--speed", type=float, default=10.0, help="how many times faster jobs run on a realtime clock")
    client.add_argument("--any-key", action="store_true", help="accept any key:secret, as an editor of any project")
    client.add_argument(
        "--api-profile", choices=API_PROFILES, default="guide", help="the version of Scenario's API the fake answers as"
    )
    client.add_argument("--cancel-workflow-jobs", action="store_true", help="let workflow jobs be cancelled directly")
    client.add_argument(
        "--fixtures", type=Path, action="append", help="fixtures folder added to the default ones; repeat to add more"
    )
    client.add_argument(
        "--no-default-fixtures",
        action="store_true",
        help="start from the --fixtures folders alone, without the default principals, apps and costs",
    )
    client.add_argument("--key", default="key_alice", help="the API key handed to the client")
    client.add_argument("--secret", default="secret_alice", help="its secret")
    client.add_argument("--allow-drift", action="store_true", help="requests the contract does not know do not fail")
    client.add_argument("--report", type=Path, help="also write the report as JSON to this file")
    client.add_argument(
        "--tls", action="store_true", help="serve the fake over HTTPS; SSL_CERT_FILE tells the command what to trust"
    )
    client.add_argument("client_command", nargs=argparse.REMAINDER, help="the client's command, after --")
    client.set_defaults(func=client_command)


def client_command(args: argparse.Namespace) -> int:
    from mockserver.kit.clients import ClientRun, run_client

    command = args.client_command[1:] if args.client_command[:1] == ["--"] else args.client_command
    if not command:
        print("mockserver kit client: give the client's command after --", file=sys.stderr)
        return 2
    run = ClientRun(
        command=command,
        validation=args.validation,
        clock=args.clock,
        speed=args.speed,
        any_key=args.any_key,
        api_profile=args.api_profile,
        cancel_workflow_jobs=args.cancel_workflow_jobs,
        fixtures=args.fixtures,
        no_default_fixtures=args.no_default_fixtures,
        key=args.key,
        secret=args.secret,
        tls=args.tls,
    )
    outcome = run_client(run)
    print(outcome.text(args.allow_drift), flush=True)
    if args.report:
        args.report.write_text(json.dumps(outcome.report.as_dict(), indent=2), encoding="utf-8")
    return outcome.exit_status(args.allow_drift)


# --- drift ---------------------------------------------------------------------------------------


def _register_drift(commands: Any) -> None:
    drift = commands.add_parser(
        "drift",
        help="compare the live API's answers with the contract and the fake",
        description="Run one read-only scenario (and one dry run) against the live API and a fresh fake, and list "
        "per operation and field where the live answers leave the contract or differ from the fake's in status or "
        "shape. Exits 1 when there is any such difference (DRIFT).",
    )
    drift.add_argument("--base-url", default=None, help=f"the live API root [{BASE_URL_VARIABLE}]")
    drift.add_argument("--workflow", help="the workflow to read and dry-run (default: the first ready one listed)")
    drift.add_argument("--inputs", help="inputs for its dry run, as a JSON object")
    drift.add_argument(
        "--allow-spending",
        action="store_true",
        help="with no ready workflow listed, create one (marked as the kit's) for the dry run, and delete it after",
    )
    drift.add_argument("--json", type=Path, help="also write the report as JSON to this file")
    drift.add_argument(
        "--allow-writes",
        action="store_true",
        help="also create one workflow (tagged) and delete it, to tell the profile by the ids the API makes",
    )
    drift.set_defaults(func=drift_command)


def drift_command(args: argparse.Namespace) -> int:
    from mockserver.kit.drift import render_drift, run_drift

    base_url = args.base_url or os.environ.get(BASE_URL_VARIABLE)
    if not base_url:
        print(f"mockserver kit drift: give --base-url or set {BASE_URL_VARIABLE}", file=sys.stderr)
        return 2
    try:
        inputs = json.loads(args.inputs) if args.inputs else None
        report = run_drift(
            base_url, args.workflow, inputs, allow_spending=args.allow_spending, allow_writes=args.allow_writes
        )
    except TargetError as error:
        print(f"mockserver kit drift: {error}", file=sys.stderr)
        return 2
    print(render_drift(report), flush=True)
    if args.json:
        args.json.write_text(json.dumps(report.as_dict(), indent=2), encoding="utf-8")
    return 1 if report.drifted else 0


# --- cleanup -------------------------------------------------------------------------------------


def _register_cleanup(commands: Any) -> None:
    cleanup = commands.add_parser(
        "cleanup",
        help="delete the workflows earlier checks created and left behind",
        description="List the project's workflows and delete those whose name carries the kit's tag "
        "([mockserver-kit]); nothing else is touched.",
    )
    cleanup.add_argument("--base-url", default=None, help=f"the API root [{BASE_URL_VARIABLE}]")
    cleanup.add_argument("--dry-run", action="store_true", help="only list what would be deleted")
    cleanup.set_defaults(func=cleanup_command)


def cleanup_command(args: argparse.Namespace) -> int:
    from mockserver.kit.cleanup import delete_kit_workflows

    base_url = args.base_url or os.environ.get(BASE_URL_VARIABLE)
    if not base_url:
        print(f"mockserver kit cleanup: give --base-url or set {BASE_URL_VARIABLE}", file=sys.stderr)
        return 2
    try:
        found, deleted = delete_kit_workflows(base_url, dry_run=args.dry_run)
    except TargetError as error:
        print(f"mockserver kit cleanup: {error}", file=sys.stderr)
        return 2
    for workflow_id, name in found:
        print(
            f"{'would delete' if args.dry_run else 'deleted' if workflow_id in deleted else 'could not delete'} "
            f"{workflow_id} {name}"
        )
    print(f"{len(found)} kit workflow(s) found, {len(deleted)} deleted")
    return 0 if args.dry_run or len(deleted) == len(found) else 1
