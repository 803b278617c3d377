"""Finding a request's route by its path segments, instead of trying every route's pattern in turn.

Starlette's router asks each route (and each route of each mount) in order whether
its regular expression matches. With the API's routes that is up to a dozen
matches a request, a sixth of the fake's time on a dry run. :class:`SegmentRouter`
files every plain route under its path segments once, and finds a request's route
by walking them: a literal segment before a ``{parameter}``, as the order of the
routes (literal paths first) has Starlette do. Anything it does not find the plain way (a method the
path does not allow, a trailing slash, a mount of another app) goes to Starlette's
own matching, which answers exactly as it always does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette._utils import get_route_path
from starlette.convertors import StringConvertor
from starlette.routing import BaseRoute, Mount, Route, Router
from starlette.types import Receive, Scope, Send

# Set on an endpoint that answers every request itself, its own errors included: the app calls it
# straight away, without Starlette's error and exception middleware around it.
ANSWERS_EVERYTHING = "answers_everything"


def answers_everything(endpoint: Any) -> Any:
    setattr(endpoint, ANSWERS_EVERYTHING, True)
    return endpoint


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
        found = self.find(scope["method"], get_route_path(scope))
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
