"""Who may use the control plane (``/_mock``): the machine the fake runs on, not any web page its browser opens.

Every request under ``/_mock`` (the dashboard included) passes these checks, in order, before it reaches
its handler; a refusal is an answer in the API's error envelope:

- its ``Host`` is ``localhost``, an IP address (``127.0.0.1``, ``[::1]``, a LAN address; any port), a
  name the fake was configured to be reached by, or a name only an in-process client uses: else 403. A
  page on another site that re-points its own name at 127.0.0.1 (DNS rebinding) still sends its own name.
- an ``Origin``, when the browser sends one, is this fake's own (scheme, host and port): else 403, so that
  a page of another site cannot reset the fake or register a webhook through its visitor's browser.
- when the fake has a control token, it is sent as ``X-Mock-Control-Token``: else 401. The dashboard's
  page and its static files need none; every call it makes does.
- a request that changes state (POST, PUT, PATCH, DELETE) with a body says ``Content-Type:
  application/json`` (a browser cannot send that across sites without asking first): else 415; its body
  is at most the limit (``PUT /_mock/state`` has a larger one): else 413.

The API under ``/v1`` is not guarded here: it has its own credentials, and clients in containers reach it
by names the fake cannot know.
"""

from __future__ import annotations

import hmac
import ipaddress
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver.core.errors import ApiError, BadRequest, Forbidden, PayloadTooLarge, Unauthorized
from mockserver.core.http.fastpath import route_path
from mockserver.core.http.responses import error_response

CONTROL_PREFIX = "/_mock"
TOKEN_HEADER = "x-mock-control-token"
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "[::1]"})
# The names in-process clients put in the Host header: httpx's and Starlette's test clients, and
# ``mockserver.testing``'s (``.test`` is reserved: no DNS answers for it). No socket is reached by them.
IN_PROCESS_NAMES = frozenset({"testserver", "mockserver.test"})
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# What a browser loads without the token: the dashboard's page and files (its script then sends the
# token), and the API docs with the two public contracts they show.
PAGES = ("", "/", "/docs", "/openapi.json", "/webhooks/openapi.yaml")
PAGE_PREFIXES = ("/static/", "/docs/assets/")


class UnsupportedMediaType(ApiError):
    status = 415
    reason = "Unsupported Media Type"


@dataclass(frozen=True)
class ControlPolicy:
    """What the guard lets through: the names the fake is reached by, its token, and the body limits."""

    hosts: frozenset[str] = field(default_factory=frozenset)
    token: str | None = None
    max_body_bytes: int = 1024 * 1024
    max_state_bytes: int = 512 * 1024 * 1024

    def allows_host(self, host: str) -> bool:
        name = host_name(host)
        return name in LOOPBACK_NAMES or name in IN_PROCESS_NAMES or name in self.hosts or _is_address(name)

    def body_limit(self, method: str, path: str) -> int:
        return self.max_state_bytes if (method, path) == ("PUT", "/_mock/state") else self.max_body_bytes


def host_name(host: str) -> str:
    """The name part of a ``Host`` header, lower case, without the port; IPv6 literals keep their brackets."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _is_address(name: str) -> bool:
    """Whether a Host name is an IP address: a page can only send it when its own address is that one,
    which no re-pointed name does."""
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True


def is_loopback_host(host: str) -> bool:
    """Whether listening on ``host`` keeps the fake to this machine: ``localhost`` or a loopback address."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_loopback_client(scope: Scope) -> bool:
    """Whether the request comes from this machine: a loopback peer address."""
    client = scope.get("client")
    if not client:
        return False
    try:
        return ipaddress.ip_address(client[0]).is_loopback
    except ValueError:
        return False


class ControlGuard:
    """ASGI middleware refusing control-plane requests the policy does not allow (see the module's text)."""

    def __init__(self, app: ASGIApp, policy: ControlPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = route_path(scope) if scope["type"] == "http" else ""
        if path != CONTROL_PREFIX and not path.startswith(CONTROL_PREFIX + "/"):
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        try:
            self._check(scope, path, headers)
            if scope["method"] in STATE_CHANGING:
                receive = await _buffered(receive, headers, self.policy.body_limit(scope["method"], path))
        except ApiError as error:
            await error_response(error)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _check(self, scope: Scope, path: str, headers: dict[str, str]) -> None:
        host = headers.get("host", "")
        if not self.policy.allows_host(host):
            raise Forbidden(f"Host {host_name(host) or '(none)'} is not a name of this fake's control plane")
        origin = headers.get("origin")
        if origin is not None and not _same_origin(origin, scope, host):
            raise Forbidden(f"Requests from {origin} may not use the control plane")
        if self.policy.token is not None and not _is_page(scope["method"], path):
            sent = headers.get(TOKEN_HEADER, "")
            if not hmac.compare_digest(sent.encode(), self.policy.token.encode()):
                raise Unauthorized("The control plane needs its token in the X-Mock-Control-Token header")
        if scope["method"] in STATE_CHANGING:
            _check_media_type(headers)


def _headers(scope: Scope) -> dict[str, str]:
    """The request's headers by lower-case name; the first of a repeated header counts."""
    return {name.decode("latin-1"): value.decode("latin-1") for name, value in reversed(scope["headers"])}


def _same_origin(origin: str, scope: Scope, host: str) -> bool:
    parts = urlsplit(origin)
    scheme = scope.get("scheme", "http")
    return parts.scheme == scheme and parts.netloc.lower() == host.strip().lower() and not parts.path


def _is_page(method: str, path: str) -> bool:
    below = path[len(CONTROL_PREFIX) :]
    return method in ("GET", "HEAD") and (below in PAGES or below.startswith(PAGE_PREFIXES))


def _check_media_type(headers: dict[str, str]) -> None:
    declared = headers.get("content-type")
    has_body = headers.get("content-length", "0") != "0" or "transfer-encoding" in headers
    if declared is None:
        if has_body:
            raise UnsupportedMediaType("A control request with a body must be Content-Type: application/json")
        return
    media_type = declared.split(";", 1)[0].strip().lower()
    if media_type != "application/json":
        raise UnsupportedMediaType(f"The control plane takes application/json, not {media_type or '(none)'}")


async def _buffered(receive: Receive, headers: dict[str, str], limit: int) -> Receive:
    """Read the whole body (PayloadTooLarge past ``limit`` bytes), and a ``receive`` that replays it."""
    declared = headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise BadRequest("Content-Length must be a whole number")
        if int(declared) > limit:
            raise PayloadTooLarge(f"Request body is larger than the limit of {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"Request body is larger than the limit of {limit} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if replayed:
            return await receive()
        replayed = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
