"""``mockserver advance|reset|state|faults|journal``: a running fake driven through its control plane.

Each command is one or two requests to ``/_mock/`` on the fake at ``--url`` (``MOCKSERVER_URL``, by
default ``http://127.0.0.1:8000``), with ``--control-token`` (``MOCKSERVER_CONTROL_TOKEN``) sent as
``X-Mock-Control-Token`` when given. A fake that does not answer, or answers with an error, is one
line on stderr and a non-zero exit.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import httpx

DEFAULT_URL = "http://127.0.0.1:8000"
TOKEN_HEADER = "X-Mock-Control-Token"
# Advancing until idle applies every job event in one request: allow it more than a read.
TIMEOUT_SECONDS = 120.0
FAULT_OPTIONS = ("count", "nth", "status", "seconds", "error", "hint", "at_progress")


class ControlError(Exception):
    """The fake could not be reached, or refused: the message is the one line to print."""


class ControlPlane:
    """The control plane of the fake at ``url``."""

    def __init__(self, url: str, token: str | None = None) -> None:
        self.url = root_url(url)
        headers = {TOKEN_HEADER: token} if token else {}
        self._client = httpx.Client(base_url=f"{self.url}/_mock", headers=headers, timeout=TIMEOUT_SECONDS)

    def __enter__(self) -> ControlPlane:
        return self

    def __exit__(self, *exc: object) -> None:
        self._client.close()

    def call(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        """The JSON answer of ``method /_mock{path}``; ControlError when there is none or it is a refusal."""
        try:
            response = self._client.request(method, path, json=body, params=params or None)
        except httpx.ConnectError:
            raise ControlError(f"no fake is running at {self.url} (start one with: mockserver serve)") from None
        except httpx.HTTPError as error:
            raise ControlError(f"the fake at {self.url} did not answer {method} /_mock{path}: {error}") from None
        if response.status_code >= 400:
            raise ControlError(f"{method} /_mock{path} answered {response.status_code}: {_reason(response)}")
        try:
            return response.json()
        except ValueError:
            raise ControlError(f"{self.url} answered {method} /_mock{path} with no JSON: is it a mockserver?") from None


def root_url(url: str) -> str:
    """The fake's root, also from its API root (``.../v1``) as ``SCENARIO_BASE_URL`` holds it."""
    return url.rstrip("/").removesuffix("/v1")


def _reason(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and body.get("message"):
        return str(body["message"])
    if response.status_code == 404:
        return "not found: is it a mockserver, of this version?"
    return response.reason_phrase or "refused"


# --- registration --------------------------------------------------------------------------------


def add_connection_options(parser: argparse.ArgumentParser, on_top: bool = False) -> None:
    """``--url`` and ``--control-token``: on the top parser with their defaults, on a subcommand only if given."""
    url_default = os.environ.get("MOCKSERVER_URL", DEFAULT_URL) if on_top else argparse.SUPPRESS
    token_default = os.environ.get("MOCKSERVER_CONTROL_TOKEN") if on_top else argparse.SUPPRESS
    parser.add_argument(
        "--url", default=url_default, help="the running fake the control commands drive [MOCKSERVER_URL]"
    )
    parser.add_argument(
        "--control-token",
        default=token_default,
        help=f"sent as {TOKEN_HEADER} when the fake asks for one [MOCKSERVER_CONTROL_TOKEN]",
    )


def register(subparsers: Any) -> None:
    def command(name: str, summary: str, func: Any, parent: Any = subparsers) -> argparse.ArgumentParser:
        parser = parent.add_parser(name, help=summary, description=summary[0].upper() + summary[1:] + ".")
        add_connection_options(parser)
        parser.set_defaults(func=func)
        return parser

    advance = command("advance", "move a running fake's clock on", advance_command)
    advance.add_argument("seconds", type=float, nargs="?", help="simulated seconds to move on")
    advance.add_argument(
        "--until-idle",
        action="store_true",
        help="jump from job event to job event until every job has ended or waits for a decision",
    )
    advance.add_argument("--max-seconds", type=float, help="with --until-idle: simulated seconds at most (a day)")
    advance.add_argument("--max-steps", type=int, help="with --until-idle: jumps at most (10000)")

    command("reset", "put a running fake back to its fixtures", reset_command)

    state = subparsers.add_parser("state", help="save or load a running fake's whole state")
    states = state.add_subparsers(dest="state_command", required=True)
    command("save", "write a running fake's state to FILE (- for stdout)", save_command, states).add_argument(
        "file", help="JSON file"
    )
    command("load", "replace a running fake's state with FILE's (- for stdin)", load_command, states).add_argument(
        "file", help="JSON file, as state save wrote it"
    )

    faults = subparsers.add_parser("faults", help="a running fake's fault rules")
    rules = faults.add_subparsers(dest="faults_command", required=True)
    add = command("add", "add a fault rule", add_fault_command, rules)
    add.add_argument("kind", nargs="?", help="node-failure, http-error, latency, drop-connection, step-failure, pause")
    add.add_argument("--match", action="append", metavar="FIELD=VALUE", help="match on a field; repeat")
    add.add_argument("--count", type=int, help="fire this many times (default: always)")
    add.add_argument("--nth", type=int, help="fire on the n-th matching request only")
    add.add_argument("--status", type=int, help="http-error: the status answered (503)")
    add.add_argument("--seconds", type=float, help="latency: wall-clock seconds to wait")
    add.add_argument("--error", help="node-failure, step-failure: the error message")
    add.add_argument("--hint", help="node-failure: the hint")
    add.add_argument("--at-progress", type=float, help="node-failure: fail when the job reaches this progress (0..1)")
    add.add_argument("--json", dest="rule", help="the whole rule as JSON, as POST /_mock/faults takes it")
    command("list", "list the fault rules", list_faults_command, rules).add_argument(
        "--json", action="store_true", help="print the rules as JSON"
    )
    command("clear", "remove every fault rule", clear_faults_command, rules)

    journal = command("journal", "print a running fake's journal of API requests", journal_command)
    journal.add_argument("--since", type=int, default=0, help="only the entries after this id")
    journal.add_argument("--json", action="store_true", help="print the entries as JSON")


def _run(args: argparse.Namespace, act: Any) -> int:
    """``act(control plane)``'s exit status; a ControlError is one line on stderr and status 1."""
    try:
        with ControlPlane(args.url, args.control_token) as control:
            return int(act(control) or 0)
    except ControlError as error:
        print(f"mockserver: {error}", file=sys.stderr)
        return 1


# --- advance and reset ---------------------------------------------------------------------------


def advance_command(args: argparse.Namespace) -> int:
    if (args.seconds is None) == (not args.until_idle):
        print("mockserver advance: give SECONDS or --until-idle", file=sys.stderr)
        return 2
    if not args.until_idle and (args.max_seconds is not None or args.max_steps is not None):
        print("mockserver advance: --max-seconds and --max-steps go with --until-idle", file=sys.stderr)
        return 2
    if args.until_idle:
        return _run(args, lambda control: _until_idle(control, args.max_seconds, args.max_steps))

    def advance(control: ControlPlane) -> None:
        print(_clock_line(control.call("POST", "/clock/advance", {"seconds": args.seconds})))

    return _run(args, advance)


def _until_idle(control: ControlPlane, max_seconds: float | None, max_steps: int | None) -> int:
    body: dict[str, Any] = {"untilIdle": True}
    if max_seconds is not None:
        body["maxSeconds"] = max_seconds
    if max_steps is not None:
        body["maxSteps"] = max_steps
    answer = control.call("POST", "/clock/advance", body)
    moved = f"{answer['steps']} step(s), {answer['advancedSeconds']:g} simulated seconds"
    if answer["idle"]:
        print(f"Idle after {moved}: every job has ended or waits for a decision. {_clock_line(answer)}")
        return 0
    print(
        f"Not idle: stopped at the bound after {moved} (--max-seconds, --max-steps); "
        f"some jobs are still running. {_clock_line(answer)}"
    )
    return 1


def _clock_line(clock: dict[str, Any]) -> str:
    speed = f" x{clock['speed']:g}" if clock.get("mode") == "realtime" else ""
    return f"Clock: {clock['now']} ({clock['mode']}{speed})"


def reset_command(args: argparse.Namespace) -> int:
    def reset(control: ControlPlane) -> None:
        control.call("POST", "/reset")
        print(f"{control.url}: back to its fixtures")

    return _run(args, reset)


# --- state ---------------------------------------------------------------------------------------


def save_command(args: argparse.Namespace) -> int:
    def save(control: ControlPlane) -> None:
        text = json.dumps(control.call("GET", "/state"), indent=2) + "\n"
        if args.file == "-":
            sys.stdout.write(text)
            return
        Path(args.file).write_text(text, encoding="utf-8")
        print(f"{control.url}: state saved to {args.file}")

    return _run(args, save)


def load_command(args: argparse.Namespace) -> int:
    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
        state = json.loads(text)
    except OSError as error:
        print(f"mockserver: cannot read {args.file}: {error.strerror or error}", file=sys.stderr)
        return 1
    except ValueError as error:
        print(f"mockserver: {args.file} is not JSON: {error}", file=sys.stderr)
        return 1

    def load(control: ControlPlane) -> None:
        control.call("PUT", "/state", state)
        print(f"{control.url}: state loaded from {args.file}")

    return _run(args, load)


# --- faults --------------------------------------------------------------------------------------


def add_fault_command(args: argparse.Namespace) -> int:
    try:
        rule = fault_rule(args)
    except ValueError as error:
        print(f"mockserver faults add: {error}", file=sys.stderr)
        return 2

    def add(control: ControlPlane) -> None:
        print(f"added {_fault_line(control.call('POST', '/faults', rule)['fault'])}")

    return _run(args, add)


def fault_rule(args: argparse.Namespace) -> dict[str, Any]:
    """The rule as ``POST /_mock/faults`` takes it: ``--json`` first, then the kind and the options over it."""
    rule: dict[str, Any] = {}
    if args.rule:
        try:
            rule = json.loads(args.rule)
        except ValueError:
            raise ValueError("--json is not JSON") from None
        if not isinstance(rule, dict):
            raise ValueError("--json must be a JSON object")
    if args.kind:
        rule["kind"] = args.kind
    if "kind" not in rule:
        raise ValueError("give the rule's KIND (or --json with a kind)")
    for pair in args.match or []:
        name, equals, value = pair.partition("=")
        if not equals or not name:
            raise ValueError(f"--match takes FIELD=VALUE, not {pair!r}")
        rule.setdefault("match", {})[name] = value
    for option in FAULT_OPTIONS:
        value = getattr(args, option)
        if value is not None:
            name, *rest = option.split("_")
            rule[name + "".join(part.title() for part in rest)] = value
    return rule


def list_faults_command(args: argparse.Namespace) -> int:
    def show(control: ControlPlane) -> None:
        rules = control.call("GET", "/faults")["faults"]
        if args.json:
            print(json.dumps(rules, indent=2))
            return
        for rule in rules:
            print(_fault_line(rule))
        if not rules:
            print("no fault rules")

    return _run(args, show)


def clear_faults_command(args: argparse.Namespace) -> int:
    def clear(control: ControlPlane) -> None:
        rules = control.call("GET", "/faults")["faults"]
        for rule in rules:
            control.call("DELETE", f"/faults/{rule['id']}")
        print(f"{len(rules)} fault rule(s) removed")

    return _run(args, clear)


def _fault_line(rule: dict[str, Any]) -> str:
    match = ", ".join(f"{name}={value}" for name, value in rule.get("match", {}).items()) or "every request"
    times = f"{rule['count']} time(s)" if rule.get("count") else "always"
    nth = f", the {rule['nth']}th match" if rule.get("nth") else ""
    return f"{rule['id']}: {rule['kind']} on {match}, {times}{nth}; fired {rule.get('fired', 0)}"


# --- journal -------------------------------------------------------------------------------------


def journal_command(args: argparse.Namespace) -> int:
    def show(control: ControlPlane) -> None:
        entries = control.call("GET", "/journal", since=args.since)["entries"]
        if args.json:
            print(json.dumps(entries, indent=2))
            return
        for entry in entries:
            print(journal_line(entry))
        if not entries:
            print(f"no requests journaled after {args.since}" if args.since else "no requests journaled")

    return _run(args, show)


def journal_line(entry: dict[str, Any]) -> str:
    """One request: id, time, method, path, status, operation, verdict; then its violations and warnings."""
    target = entry["path"] + (f"?{entry['query']}" if entry.get("query") else "")
    line = (
        f"{entry['id']:>5}  {entry['at']}  {entry['method']:<6} {target}  {entry['status']}  "
        f"{entry.get('operationId') or '-'}  {entry['verdict']}"
    )
    notes = [
        *(f"request: {text}" for text in entry.get("requestViolations", [])),
        *(f"response: {text}" for text in entry.get("responseViolations", [])),
        *(f"warning: {text}" for text in entry.get("warnings", [])),
    ]
    return "\n".join([line, *(f"         {note}" for note in notes)])
