"""``mockserver``: the command line. Every option can also come from an environment variable."""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import signal
import socket
import sys
from collections.abc import Iterator, Sequence
from importlib.metadata import version
from pathlib import Path

from mockserver.core.clock import CLOCK_MODES
from mockserver.scenario.profiles import API_PROFILES, DEFAULT_API_PROFILE
from mockserver.server.settings import DEFAULT_FIXTURES, Settings

# Modules adding subcommands: each has ``register(subparsers)``, whose parsers set ``func``.
COMMAND_MODULES: list[str] = ["mockserver.kit.commands"]


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"MOCKSERVER_{name}", default)


def _env_flag(name: str) -> bool:
    return (_env(name) or "").lower() in ("1", "true", "yes", "on")


class ShowingDefaults(argparse.HelpFormatter):
    """Help that ends every option's line with its default, as the environment may have set it."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        help = action.help or ""
        shown = action.option_strings and action.default not in (None, argparse.SUPPRESS)
        if shown and "%(default)" not in help:
            help += " (default: %(default)s)"
        return help


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mockserver", description="An offline fake of Scenario's Workflows and Jobs API."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version('scenario-mockserver')}")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="start the fake", description="Start the fake over HTTP.")
    serve.add_argument("--host", default=_env("HOST", "127.0.0.1"), help="address to listen on [MOCKSERVER_HOST]")
    serve.add_argument("--port", type=int, default=int(_env("PORT", "8000")), help="port [MOCKSERVER_PORT]")
    serve.add_argument(
        "--fixtures",
        type=Path,
        action="append",
        help="fixtures folder added to the default ones; repeat to add more "
        "[MOCKSERVER_FIXTURES, paths separated by ':'] (default: the packaged default fixtures alone)",
    )
    serve.add_argument(
        "--no-default-fixtures",
        action="store_true",
        default=_env_flag("NO_DEFAULT_FIXTURES"),
        help="start from the --fixtures folders alone, without the default principals, apps and costs "
        "[MOCKSERVER_NO_DEFAULT_FIXTURES]",
    )
    serve.add_argument(
        "--any-key",
        action="store_true",
        default=_env_flag("ANY_KEY"),
        help="accept any key:secret, as an editor of any project [MOCKSERVER_ANY_KEY]",
    )
    serve.add_argument(
        "--api-profile",
        choices=API_PROFILES,
        default=_env("API_PROFILE", DEFAULT_API_PROFILE),
        help="which version of Scenario's API to answer as: guide as the source documents describe it, "
        "current as the SDK 2.4.0 expects it (docs/api-profiles.md) "
        "[MOCKSERVER_API_PROFILE]",
    )
    serve.add_argument(
        "--cancel-workflow-jobs",
        action="store_true",
        default=_env_flag("CANCEL_WORKFLOW_JOBS"),
        help="let workflow jobs be cancelled directly [MOCKSERVER_CANCEL_WORKFLOW_JOBS]",
    )
    serve.add_argument(
        "--clock", choices=CLOCK_MODES, default=_env("CLOCK", "realtime"), help="clock mode [MOCKSERVER_CLOCK]"
    )
    serve.add_argument(
        "--speed",
        type=float,
        default=float(_env("SPEED", "10")),
        help="simulated seconds per real second in realtime mode [MOCKSERVER_SPEED]",
    )
    serve.add_argument(
        "--validation",
        choices=("strict", "report"),
        default=_env("VALIDATION", "strict"),
        help="strict: a request breaking the contract gets a 400; report: it is only journaled [MOCKSERVER_VALIDATION]",
    )
    serve.add_argument(
        "--rate-limit",
        action="store_true",
        default=_env_flag("RATE_LIMIT"),
        help="enforce 100 requests per minute per project [MOCKSERVER_RATE_LIMIT]",
    )
    serve.add_argument(
        "--orchestrator-auth-status",
        type=int,
        choices=(401, 403),
        default=int(_env("ORCHESTRATOR_AUTH_STATUS", "401")),
        help="status of an orchestrator request without a bearer token: 401 as FastAPI 0.122 and later, "
        "403 as older FastAPI [MOCKSERVER_ORCHESTRATOR_AUTH_STATUS]",
    )
    serve.add_argument(
        "--log-level", default=_env("LOG_LEVEL", "info"), help="uvicorn log level [MOCKSERVER_LOG_LEVEL]"
    )
    serve.add_argument(
        "--log-requests",
        action=argparse.BooleanOptionalAction,
        default=(_env("LOG_REQUESTS") or "true").lower() in ("1", "true", "yes", "on"),
        help="log one line per API request with its contract verdict, instead of uvicorn's access log, "
        "at --log-level info or lower [MOCKSERVER_LOG_REQUESTS]",
    )
    serve.add_argument(
        "--state-file",
        type=Path,
        default=_env("STATE_FILE"),
        help="load the whole state from this JSON file on start and save it there (atomically) on a clean "
        "shutdown, so local data survives restarts [MOCKSERVER_STATE_FILE] (default: none, the state is not kept)",
    )
    serve.set_defaults(func=serve_command)
    for module in COMMAND_MODULES:
        importlib.import_module(module).register(commands)
    for each in _parsers(parser):
        each.formatter_class = ShowingDefaults
    return parser


def _parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """The parser and every subcommand's, however deep."""
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for subparser in action.choices.values():
                yield from _parsers(subparser)


def settings_from(args: argparse.Namespace) -> Settings:
    fixtures = args.fixtures
    if not fixtures:
        env_paths = _env("FIXTURES")
        fixtures = [Path(p) for p in env_paths.split(":") if p] if env_paths else []
    defaults = [] if args.no_default_fixtures else [DEFAULT_FIXTURES]
    return Settings(
        fixtures=[*defaults, *fixtures],
        any_key=args.any_key,
        api_profile=args.api_profile,
        cancel_workflow_jobs=args.cancel_workflow_jobs,
        clock_mode=args.clock,
        clock_speed=args.speed,
        validation=args.validation,
        rate_limit=args.rate_limit,
        orchestrator_auth_status=args.orchestrator_auth_status,
        state_file=Path(args.state_file) if args.state_file else None,
    )


def banner(
    settings: Settings,
    host: str,
    port: int,
    keys: Sequence[tuple[str, str, str, str, str]],
    tokens: Sequence[str] = (),
) -> str:
    """What a developer needs to start calling the fake; only credentials the fake accepts."""
    base = f"http://{host}:{port}"
    bearer = tokens[0] if tokens else "<a JWT whose sub is a user id>"
    if settings.any_key:
        credentials = ["  Credentials: any key:secret is accepted"]
    elif keys:
        credentials = ["  Credentials:"]
        credentials += [
            f"    {key}:{secret}  ({user}, {role} of {project})" for key, secret, user, role, project in keys
        ]
    else:
        credentials = ["  Credentials: none (no API key in the fixtures)"]
    lines = [
        f"Scenario mockserver listening on {base}",
        f'  API:        {base}/v1   (Scenario(base_url="{base}/v1", api_key=..., api_secret=...))',
        f"  Orchestrator: {base}/api/v1/workflows/   (Authorization: Bearer {bearer})",
        f"  Dashboard:  {base}/_mock/",
        f"  API docs:   {base}/_mock/docs",
        f"  Profile:    {settings.api_profile}",
        f"  Clock:      {settings.clock_mode}"
        + (f" x{settings.clock_speed:g}" if settings.clock_mode == "realtime" else ""),
        *([f"  State file: {settings.state_file}"] if settings.state_file else []),
        *credentials,
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


def serve_command(args: argparse.Namespace) -> int:
    import uvicorn

    from mockserver.server.app import create_app
    from mockserver.server.fake import Fake
    from mockserver.server.fixtures import FixtureError
    from mockserver.server.state import load_file, save_file

    try:
        settings = settings_from(args)
    except ValueError as error:
        print(f"mockserver: {error}", file=sys.stderr)
        return 2
    try:
        listener = listen(args.host, args.port)
    except OSError as error:
        print(f"mockserver: cannot listen on {args.host}:{args.port}: {error.strerror or error}", file=sys.stderr)
        return 1
    try:
        fake = Fake(settings)
    except FixtureError as error:
        listener.close()
        print(f"mockserver: fixtures cannot be loaded: {error}", file=sys.stderr)
        return 2
    fake.base_url = f"http://{args.host}:{args.port}"
    if settings.state_file is not None:
        try:
            loaded = load_file(fake, settings.state_file)
        except ValueError as error:
            listener.close()
            print(f"mockserver: {error}", file=sys.stderr)
            return 2
        if not loaded:
            print(f"mockserver: {settings.state_file} does not exist yet; starting from the fixtures", flush=True)
    keys = (
        []
        if settings.any_key
        else [(k.key, k.secret, k.user_id, k.role, k.project_id) for k in fake.directory.keys.values()]
    )
    print(banner(settings, args.host, args.port, keys, list(fake.directory.tokens)), flush=True)
    if args.log_requests and args.log_level.lower() in ("trace", "debug", "info"):
        _log_requests_to_stdout()  # request lines are information: a quieter --log-level leaves them out
    # uvicorn shuts down cleanly on SIGINT/SIGTERM, then raises the signal again for the previous handler:
    # with the default one the process would die before the state is saved.
    for stop in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop, lambda *_: None)
    app = create_app(fake)
    # The fixtures, the contract and the modules live as long as the server: moved out of the collector's
    # sight, full collections stop walking them, which kept stalling the slowest requests.
    gc.collect()
    gc.freeze()
    config = uvicorn.Config(
        app, host=args.host, port=args.port, log_level=args.log_level, access_log=not args.log_requests
    )
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[listener])
    finally:
        listener.close()
        if settings.state_file is not None:
            save_file(fake, settings.state_file)
            print(f"mockserver: state saved to {settings.state_file}", flush=True)
        fake.close()
    return 0 if server.started else 1


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port``, as uvicorn binds one; OSError when the address is taken or not ours."""
    listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError:
        listener.close()
        raise
    return listener


def _log_requests_to_stdout() -> None:
    import logging

    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    logger = logging.getLogger("mockserver.requests")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


if __name__ == "__main__":
    sys.exit(main())
