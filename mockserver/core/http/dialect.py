"""What differs between the APIs the pipeline serves, and how an app is told what it serves.

An API's :class:`Dialect` says how it speaks on the wire: how callers authenticate,
how a body is read, how a request breaking the contract is refused, its error
envelope, its answer to a route it does not have. :func:`serve` gives an app the
host its APIs share and each API's backend, which a handler gets as ``call.backend``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response

from mockserver.core.contract import Operation, UnknownField, Violation
from mockserver.core.errors import ApiError, BadRequest, PayloadTooLarge
from mockserver.core.http.host import Backend, Host
from mockserver.core.principals import Principal

B = TypeVar("B", bound=Backend)
# Where read_limited leaves the raw body in the request's scope, for the journal.
RAW_BODY = "mockserver.raw_body"


@dataclass(frozen=True)
class Served:
    """What an app serves its APIs for: the host they share, and each API's backend by its dialect."""

    host: Host
    backends: Mapping[Dialect[Any], Backend]


def serve(app: Starlette, host: Host, backends: Mapping[Dialect[Any], Backend]) -> None:
    """Have ``app`` serve its API routes for ``host``, each API's calls carrying its own backend."""
    app.state.served = Served(host, dict(backends))


def served_by(app: Starlette) -> Served:
    return app.state.served


class Dialect(Generic[B]):
    """How one API speaks on the wire."""

    def backend(self, served: Served) -> B:
        """This API's backend among what an app serves."""
        return served.backends[self]  # type: ignore[return-value]

    def admit(self, host: Host, backend: B, request: Request, query: dict[str, list[str]]) -> Principal:
        """The authenticated caller, allowed to make this request now; raises ApiError otherwise."""
        raise NotImplementedError

    async def read_body(self, request: Request, operation: Operation, limit: int) -> tuple[Any, bool]:
        """The parsed body and whether there was one."""
        raise NotImplementedError

    def check_request(
        self,
        host: Host,
        backend: B,
        operation: Operation,
        query: dict[str, list[str]],
        body: Any,
        has_body: bool,
        violations: list[Violation],
    ) -> Any:
        """Refuse a request breaking the contract (raises ApiError), or return what goes in ``Call.parsed``."""
        raise NotImplementedError

    def refuse_unknown(self, unknown: list[UnknownField], query: dict[str, list[str]], body: Any) -> ApiError:
        """The error a fake with strict requests answers a request using fields its operation does not have."""
        return BadRequest(unknown[0].describe())

    def error_body(self, status: int, reason: str, message: str) -> dict[str, Any]:
        raise NotImplementedError

    def error_response(self, error: ApiError) -> Response:
        raise NotImplementedError

    def internal_error(self) -> Response:
        """The answer when the fake itself fails."""
        raise NotImplementedError

    def contract_path(self, prefix: str, path: str) -> str:
        """The path of a request to the API mounted at ``prefix``, as the API's contract names paths."""
        return path[len(prefix) :] or "/"

    def unknown_route(self, request: Request, status: int, allowed: list[str], hint: str = "") -> Response:
        """The answer to a path the API does not have (404), or a method the path does not allow (405).

        ``hint`` is a sentence of the fake's own to add to the message, where the API's answer has one.
        """
        raise NotImplementedError


async def read_limited(request: Request, limit: int) -> bytes:
    """The raw body; PayloadTooLarge as soon as it is known to exceed ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is None and "transfer-encoding" not in request.headers:
        return b""
    if declared and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"Request body is larger than the limit of {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"Request body is larger than the limit of {limit} bytes")
        chunks.append(chunk)
    raw = b"".join(chunks)
    request.scope[RAW_BODY] = raw
    return raw
