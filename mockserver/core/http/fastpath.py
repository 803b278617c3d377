"""The fast request path: an API request goes from the server to its endpoint with as little in between as
the answer allows.

Three shortcuts, each answering exactly as Starlette's own way would:

- :class:`SegmentRouter` finds a request's route by its path segments. Starlette's router
  asks each route (and each route of each mount) in order whether its regular expression
  matches, up to a dozen matches a request. The segment router files every plain route
  under its path segments once and walks them: a literal segment before a
  ``{parameter}``, as the order of the routes (literal paths first) has Starlette do.
  Anything it does not find the plain way (a method the path does not allow, a trailing
  slash, a mount of another app) goes to Starlette's own matching.
- :class:`FastPathApp` calls an endpoint made by :func:`answering_everything` straight away,
  without Starlette's error and exception middleware around it: such an endpoint turns every
  failure into an answer itself.
- :class:`ApiRequest` reads the request's headers once into a dict: Starlette's scan the
  header list on every lookup, and serving an API request looks up several.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.convertors import StringConvertor
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route, Router
from starlette.types import Receive, Scope, Send

from mockserver.core.http.connection import SERVER_SEND
from mockserver.core.http.protocol import MAX_URL_BYTES, refusal_body

log = logging.getLogger("mockserver")

Endpoint = Callable[[Request], Awaitable[Response]]

_ANSWERS_EVERYTHING = "answers_everything"


def answering_everything(endpoint: Endpoint, internal_error: Callable[[], Response]) -> Endpoint:
    """``endpoint``, answering ``internal_error()`` when it fails, so the app may call it without middleware."""

    async def answering(request: Request) -> Response:
        try:
            return await endpoint(request)
        except Exception:  # a bug in the fake's own bookkeeping: still an answer in the API's format
            log.exception("unexpected error serving %s %s", request.method, request.url.path)
            return internal_error()

    answering.__name__ = endpoint.__name__
    setattr(answering, _ANSWERS_EVERYTHING, True)
    return answering


class FastPathApp(Starlette):
    """A Starlette app that finds routes by their path segments and calls an endpoint answering everything
    itself without Starlette's middleware. It keeps the server's ``send`` in the scope, so that a request
    can be dropped."""

    router: SegmentRouter

    def __init__(self, routes: list[BaseRoute], **options: Any) -> None:
        super().__init__(routes=routes, **options)
        self.router = SegmentRouter(routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            if _url_length(scope) > MAX_URL_BYTES:
                # Served, the protocol refuses such a URL before the app; in process, nothing else does.
                message = f"The request's URL is longer than {MAX_URL_BYTES} bytes"
                await Response(refusal_body(414, message), 414, media_type="application/json")(scope, receive, send)
                return
            scope[SERVER_SEND] = send
            found = self.router.find(scope["method"], route_path(scope))
            if found is not None and getattr(found[0].endpoint, _ANSWERS_EVERYTHING, False):
                scope["app"] = self
                route = self.router.enter(scope, found)
                response = await route.endpoint(ApiRequest(scope, receive, send))
                await response(scope, receive, send)
                return
        await super().__call__(scope, receive, send)


def _url_length(scope: Scope) -> int:
    raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
    query: bytes = scope["query_string"]
    # Servers give the path alone; httpx's in-process transport gives the path with its query.
    return len(raw_path) if b"?" in raw_path or not query else len(raw_path) + 1 + len(query)


class ApiRequest(Request):
    """A request whose headers are read once."""

    _read_headers: CaseInsensitiveHeaders | None = None

    @property
    def headers(self) -> CaseInsensitiveHeaders:  # type: ignore[override]
        if self._read_headers is None:
            self._read_headers = CaseInsensitiveHeaders(self.scope["headers"])
        return self._read_headers


class CaseInsensitiveHeaders(Mapping[str, str]):
    """Request headers by name, found whatever the case of the name asked for, as Starlette's are.

    ASGI servers send header names in lower case; where a header is repeated, the first one counts.
    """

    __slots__ = ("_values",)

    def __init__(self, raw: list[tuple[bytes, bytes]]) -> None:
        self._values = {name.decode("latin-1"): value.decode("latin-1") for name, value in reversed(raw)}

    def __getitem__(self, name: str) -> str:
        return self._values[name.lower()]

    def get(self, name: str, default: Any = None) -> Any:
        # The name as asked first: the pipeline asks in lower case, and lower-casing every name costs.
        found = self._values.get(name)
        return found if found is not None else self._values.get(name.lower(), default)

    def __contains__(self, name: object) -> bool:
        return name in self._values or (isinstance(name, str) and name.lower() in self._values)

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def route_path(scope: Scope) -> str:
    """The request's path below the root path the app is served under, as Starlette's routing reads it."""
    path: str = scope["path"]
    root_path = scope.get("root_path", "")
    if not root_path or not path.startswith(root_path):
        return path
    if path == root_path:
        return ""
    return path[len(root_path) :] if path[len(root_path)] == "/" else path


@dataclass
class _Node:
    literals: dict[str, _Node] = field(default_factory=dict)
    parameter: tuple[str, _Node] | None = None
    routes: dict[str, tuple[Route, str]] = field(default_factory=dict)  # by method: the route, its mount prefix

    def child(self, segment: str) -> _Node:
        if segment.startswith("{") and segment.endswith("}"):
            name = segment[1:-1]
            if self.parameter is None:
                self.parameter = (name, _Node())
            elif self.parameter[0] != name:
                raise ValueError(f"two names for one path parameter: {self.parameter[0]} and {name}")
            return self.parameter[1]
        return self.literals.setdefault(segment, _Node())


class SegmentRouter(Router):
    def __init__(self, routes: list[BaseRoute]) -> None:
        super().__init__(routes=routes)
        self._tree = _Node()
        for route, prefix in _plain_routes(self.routes, ""):
            self._file(route, prefix)

    def find(self, method: str, path: str) -> tuple[Route, str, dict[str, str]] | None:
        """The route serving ``method path``, its mount prefix and its path parameters, if found the plain way."""
        segments = path.split("/")
        if segments[0] != "" or len(segments) < 2:
            return None
        params: dict[str, str] = {}
        node = _walk(self._tree, method, segments, 1, params)
        if node is None:
            return None
        route, prefix = node.routes[method]
        return route, prefix, params

    def resolve(self, scope: Scope) -> Route | None:
        """The route of an HTTP request found the plain way, with the scope entered; None if not found."""
        found = self.find(scope["method"], route_path(scope))
        return None if found is None else self.enter(scope, found)

    def enter(self, scope: Scope, found: tuple[Route, str, dict[str, str]]) -> Route:
        """Set the scope up for a route :meth:`find` found, as Starlette's routing would (path parameters,
        the mount's root path)."""
        route, prefix, params = found
        root_path = scope.get("root_path", "")
        scope.setdefault("router", self)
        scope.update(
            route=route,
            endpoint=route.endpoint,
            path_params=params,
            app_root_path=scope.get("app_root_path", root_path),
            root_path=root_path + prefix,
        )
        return route

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = self.resolve(scope) if scope["type"] == "http" else None
        if route is None:
            await super().app(scope, receive, send)
        else:
            await route.handle(scope, receive, send)

    def _file(self, route: Route, prefix: str) -> None:
        node = self._tree
        for segment in (prefix + route.path).split("/")[1:]:
            node = node.child(segment)
        for method in route.methods or ():
            node.routes.setdefault(method, (route, prefix))  # the first route listed wins, as in Starlette


def _walk(node: _Node, method: str, segments: list[str], at: int, params: dict[str, str]) -> _Node | None:
    """The node with a ``method`` route the segments lead to, literal segments tried before parameters."""
    if at == len(segments):
        return node if method in node.routes else None
    segment = segments[at]
    literal = node.literals.get(segment)
    if literal is not None:
        found = _walk(literal, method, segments, at + 1, params)
        if found is not None:
            return found
    if node.parameter is not None and segment:
        name, child = node.parameter
        found = _walk(child, method, segments, at + 1, params)
        if found is not None:
            params[name] = segment
            return found
    return None


def _plain_routes(routes: list[BaseRoute], prefix: str) -> list[tuple[Route, str]]:
    """Every HTTP route whose path is plain (whole-segment string parameters), with its mounts' path."""
    found: list[tuple[Route, str]] = []
    for route in routes:
        if isinstance(route, Mount) and "{" not in route.path:
            found += _plain_routes(route.routes, prefix + route.path)
        elif type(route) is Route and _is_plain(route):
            found.append((route, prefix))
    return found


def _is_plain(route: Route) -> bool:
    if not all(isinstance(convertor, StringConvertor) for convertor in route.param_convertors.values()):
        return False
    segments = route.path.split("/")[1:]
    return all("{" not in s or (s.startswith("{") and s.endswith("}") and ":" not in s) for s in segments)
