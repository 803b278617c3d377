"""``mockserver``: the command line. Every option can also come from an environment variable."""

from __future__ import annotations

import argparse
import gc
import importlib
import ipaddress
import os
import secrets
import signal
import socket
import sys
from collections.abc import Iterator, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mockserver.control_commands import add_connection_options
from mockserver.core.clock import CLOCK_MODES
from mockserver.core.serving import uvicorn_tls_options
from mockserver.core.tls import TlsFiles, local_certificate
from mockserver.core.tls import default_directory as default_tls_directory
from mockserver.scenario.profiles import API_PROFILES, DEFAULT_API_PROFILE
from mockserver.server.guard import is_loopback_host
from mockserver.server.settings import DEFAULT_FIXTURES, Settings

# Modules adding subcommands: each has ``register(subparsers)``, whose parsers set ``func``.
COMMAND_MODULES: list[str] = ["mockserver.control_commands", "mockserver.kit.commands"]


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
    add_connection_options(parser, on_top=True)
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
        help="how many times faster jobs run in realtime mode; the clock stays on wall time [MOCKSERVER_SPEED]",
    )
    serve.add_argument(
        "--validation",
        choices=("strict", "report"),
        default=_env("VALIDATION", "strict"),
        help="strict: a request breaking the contract gets a 400; report: it is only journaled [MOCKSERVER_VALIDATION]",
    )
    serve.add_argument(
        "--strict-requests",
        action="store_true",
        default=_env_flag("STRICT_REQUESTS"),
        help="a query parameter or body field the operation does not have gets a 400, not only a journal entry "
        "[MOCKSERVER_STRICT_REQUESTS]",
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
        "--control-token",
        default=_env("CONTROL_TOKEN"),
        help="token every control-plane call (/_mock) must send as X-Mock-Control-Token; generated and printed "
        "when --host is not a loopback address [MOCKSERVER_CONTROL_TOKEN] (default: none on loopback)",
    )
    serve.add_argument(
        "--control-host",
        action="append",
        help="a name besides localhost, 127.0.0.1 and [::1] by which the control plane may be reached; repeat "
        "for more; --host counts when it is a name [MOCKSERVER_CONTROL_HOSTS, names separated by ','] "
        "(default: none)",
    )
    serve.add_argument(
        "--state-file",
        type=Path,
        default=_env("STATE_FILE"),
        help="load the whole state from this JSON file on start and save it there (atomically) on a clean "
        "shutdown, so local data survives restarts [MOCKSERVER_STATE_FILE] (default: none, the state is not kept)",
    )
    serve.add_argument(
        "--tls",
        action="store_true",
        default=_env_flag("TLS"),
        help="serve HTTPS with a certificate signed by a local authority, made on first use and kept in "
        "--tls-dir; clients trust it with SSL_CERT_FILE [MOCKSERVER_TLS]",
    )
    serve.add_argument(
        "--tls-dir",
        type=Path,
        default=_env("TLS_DIR", str(default_tls_directory())),
        help="where --tls keeps its authority (ca.pem) and the server certificate [MOCKSERVER_TLS_DIR]",
    )
    serve.add_argument(
        "--public-url",
        default=_env("PUBLIC_URL"),
        help="scheme://host[:port] that asset and webhook URLs name, for a fake reached through a proxy or a "
        "tunnel [MOCKSERVER_PUBLIC_URL] (default: the address each client used)",
    )
    serve.set_defaults(func=serve_command)
    _add_mcp_command(commands, serve)
    for module in COMMAND_MODULES:
        importlib.import_module(module).register(commands)
    for each in _parsers(parser):
        each.formatter_class = ShowingDefaults
    return parser


# The options of serve that shape the fake itself, which `mockserver mcp` takes too.
MCP_OPTIONS = (
    "fixtures",
    "no_default_fixtures",
    "any_key",
    "api_profile",
    "clock",
    "speed",
    "rate_limit",
    "state_file",
)


def _add_mcp_command(commands: argparse._SubParsersAction, serve: argparse.ArgumentParser) -> None:
    mcp = commands.add_parser(
        "mcp",
        help="serve the fake's MCP tools over stdio",
        description="Run a fake in this process and serve its MCP tools (manage_workflows, workflows_list, "
        "workflow_run, jobs_wait, ...) over stdio, for an agent that starts the server itself. The caller is "
        "the SDK's environment: SCENARIO_SDK_API_KEY and SCENARIO_SDK_API_SECRET, or SCENARIO_SDK_JWT.",
    )
    for action in serve._actions:
        if action.dest in MCP_OPTIONS:
            mcp._add_action(action)
    # What serve's other options would give: the stdio server has no socket, no control plane and no REST clients.
    mcp.set_defaults(
        func=mcp_command,
        validation="strict",
        strict_requests=False,
        cancel_workflow_jobs=False,
        orchestrator_auth_status=401,
        host="127.0.0.1",
        control_host=None,
        control_token=None,
        public_url=None,
    )


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
        strict_requests=args.strict_requests,
        rate_limit=args.rate_limit,
        orchestrator_auth_status=args.orchestrator_auth_status,
        state_file=Path(args.state_file).expanduser() if args.state_file else None,
        control_hosts=control_hosts(args),
        control_token=control_token(args),
        public_url=args.public_url,
    )


def control_hosts(args: argparse.Namespace) -> list[str]:
    """The names the control plane answers to besides the loopback ones: ``--control-host``, and ``--host``
    when it is a name rather than an address."""
    given = args.control_host or [name for name in (_env("CONTROL_HOSTS") or "").split(",") if name.strip()]
    names = [name.strip().lower() for name in given]
    if not _is_address(args.host):
        names.append(args.host.lower())
    return names


def control_token(args: argparse.Namespace) -> str | None:
    """The token the control plane asks for: the one given, or a new one when the fake listens beyond this
    machine (a control plane anyone on the network could reset is never what was meant)."""
    if args.control_token:
        return str(args.control_token)
    return None if is_loopback_host(args.host) else secrets.token_urlsafe(24)


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def banner(
    settings: Settings,
    host: str,
    port: int,
    keys: Sequence[tuple[str, str, str, str, str]],
    tokens: Sequence[str] = (),
    tls: TlsFiles | None = None,
) -> str:
    """What a developer needs to start calling the fake; only credentials the fake accepts."""
    base = f"{'https' if tls else 'http'}://{host}:{port}"
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
        *([f"  Public URL: {settings.public_url}   (asset and webhook URLs)"] if settings.public_url else []),
        *(_trust_lines(tls) if tls else []),
        *credentials,
        *_control_lines(settings, host, base),
    ]
    return "\n".join(lines)


def _trust_lines(tls: TlsFiles) -> list[str]:
    return [
        f"  TLS:        certificate authority {tls.ca_file}",
        f"              trust it: SSL_CERT_FILE={tls.ca_file} (Python, httpx, the SDK), "
        f"NODE_EXTRA_CA_CERTS={tls.ca_file} (Node), curl --cacert {tls.ca_file}",
    ]


def _control_lines(settings: Settings, host: str, base: str) -> list[str]:
    """The control plane's token, and a plain warning when the fake listens beyond this machine."""
    lines = []
    if settings.control_token:
        lines += [
            f"  Control:    X-Mock-Control-Token: {settings.control_token}",
            f"              dashboard: {base}/_mock/#token={settings.control_token}",
        ]
    if not is_loopback_host(host):
        lines += [
            f"  WARNING: listening on {host}, beyond this machine. Anyone who can reach it may call the API with the",
            "  fixtures' well-known keys; the control plane (/_mock) asks for the token above, and API secrets",
            "  are listed only to clients on this machine. Use --host 127.0.0.1 unless you mean to share it.",
        ]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


def serve_command(args: argparse.Namespace) -> int:
    import uvicorn

    from mockserver.core.http.protocol import BoundedHttpProtocol
    from mockserver.server.app import create_app
    from mockserver.server.fake import Fake
    from mockserver.server.fixtures import FixtureError
    from mockserver.server.state import check_state_path, load_file, remove_stale_temporaries

    try:
        settings = settings_from(args)
    except ValueError as error:
        print(f"mockserver: {error}", file=sys.stderr)
        return 2
    try:
        tls = serving_certificate(args, settings) if args.tls else None
    except OSError as error:
        print(f"mockserver: cannot make the TLS certificate in {args.tls_dir}: {error}", file=sys.stderr)
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
    fake.base_url = settings.public_url or f"{'https' if tls else 'http'}://{args.host}:{args.port}"
    if settings.state_file is not None:
        try:
            check_state_path(settings.state_file)
            for leftover in remove_stale_temporaries(settings.state_file):
                print(f"mockserver: removed {leftover}, left by a save that was interrupted", flush=True)
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
    print(banner(settings, args.host, args.port, keys, list(fake.directory.tokens), tls), flush=True)
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
        app,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        access_log=not args.log_requests,
        http=BoundedHttpProtocol,
        **uvicorn_tls_options(tls),
    )
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[listener])
    finally:
        listener.close()
        saved = settings.state_file is None or _save_state(fake, settings.state_file)
        fake.close()
    return 0 if server.started and saved else 1


def _save_state(fake: Any, path: Path) -> bool:
    from mockserver.server.state import save_file

    try:
        save_file(fake, path)
    except OSError as error:
        print(f"mockserver: the state could not be saved to {path}: {error.strerror or error}", file=sys.stderr)
        return False
    print(f"mockserver: state saved to {path}", flush=True)
    return True


def serving_certificate(args: argparse.Namespace, settings: Settings) -> TlsFiles:
    """The certificate ``serve --tls`` presents: for loopback, the address served and the public host."""
    names = [args.host] if args.host not in ("0.0.0.0", "::") else [socket.gethostname()]
    if settings.public_url:
        names.append(urlsplit(settings.public_url).hostname or "")
    return local_certificate(Path(args.tls_dir).expanduser(), names)


def mcp_command(args: argparse.Namespace) -> int:
    """The fake's MCP server on stdin and stdout: anything else the process says goes to stderr."""
    from mockserver.mcp import auth
    from mockserver.server.app import mcp_server
    from mockserver.server.fake import Fake
    from mockserver.server.fixtures import FixtureError
    from mockserver.server.state import load_file, save_file

    try:
        settings = settings_from(args)
    except ValueError as error:
        print(f"mockserver: {error}", file=sys.stderr)
        return 2
    try:
        fake = Fake(settings)
    except FixtureError as error:
        print(f"mockserver: fixtures cannot be loaded: {error}", file=sys.stderr)
        return 2
    try:
        if settings.state_file is not None:
            load_file(fake, settings.state_file)
        mcp_server(fake, auth.from_environment(os.environ)).run("stdio")
    except ValueError as error:
        print(f"mockserver: {error}", file=sys.stderr)
        return 2
    finally:
        if settings.state_file is not None:
            save_file(fake, settings.state_file)
        fake.close()
    return 0


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
