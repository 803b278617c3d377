"""The segment router picks the route Starlette's own matching would pick, for every path of the app."""

from __future__ import annotations

import itertools
import logging
import re
from typing import Any

import pytest
from starlette.routing import Match, Mount, Route

from mockserver.core.http.fastpath import SegmentRouter
from mockserver.server.app import create_app
from mockserver.server.fake import Fake

METHODS = ("GET", "HEAD", "PUT", "POST", "DELETE", "PATCH")


def _starlette_choice(routes: list[Any], scope: dict[str, Any]) -> tuple[Route, dict[str, str]] | None:
    """The route and parameters Starlette's routers would serve a request with, or None (404, 405 or a mount)."""
    for route in routes:
        match, child = route.matches(scope)
        if match is not Match.FULL:
            continue
        if isinstance(route, Mount):
            return _starlette_choice(route.routes, {**scope, **child}) if route.routes else None
        return route, child["path_params"]
    return None


def _sample_paths(router: SegmentRouter) -> set[str]:
    """Every route's path with each parameter replaced by an id or by any literal segment of the app."""
    templates = [route.prefix + route.path for route in _all_routes(router.routes, "")]
    literals = {segment for path in templates for segment in path.split("/") if segment and "{" not in segment}
    values = sorted(literals) + ["job_1", "workflow x", "%2e%2e"]
    paths = set()
    for template in templates:
        segments = template.split("/")
        holes = [i for i, segment in enumerate(segments) if segment.startswith("{")]
        for filling in itertools.product(values, repeat=len(holes)):
            filled = list(segments)
            for hole, value in zip(holes, filling, strict=True):
                filled[hole] = value
            path = "/".join(filled)
            paths.update({path, path + "/", path + "/extra", path.replace("/", "//", 1)})
    return paths


class _Prefixed:
    def __init__(self, route: Route, prefix: str) -> None:
        self.path = route.path
        self.prefix = prefix


def _all_routes(routes: list[Any], prefix: str) -> list[_Prefixed]:
    found = []
    for route in routes:
        if isinstance(route, Mount):
            found += _all_routes(route.routes, prefix + route.path)
        elif isinstance(route, Route):
            found.append(_Prefixed(route, prefix))
    return found


@pytest.fixture(scope="module")
def router() -> SegmentRouter:
    router = create_app().router
    assert isinstance(router, SegmentRouter)
    return router


def test_every_path_of_the_app_gets_the_route_starlette_would_give_it(router: SegmentRouter) -> None:
    found_plainly = 0
    for path in sorted(_sample_paths(router)):
        for method in METHODS:
            scope = {"type": "http", "method": method, "path": path, "root_path": "", "path_params": {}}
            expected = _starlette_choice(router.routes, scope)
            found = router.find(method, path)
            if found is not None:  # otherwise Starlette's own matching serves it
                route, _prefix, params = found
                assert (route, params) == expected, (method, path)
                found_plainly += 1
            elif expected is not None:
                assert not _is_plain(expected[0]), (method, path, expected)
    assert found_plainly


def _is_plain(route: Route) -> bool:
    return all(":" not in part for part in route.path.split("{")[1:])


def test_a_literal_segment_wins_over_a_parameter_only_where_the_rest_of_the_path_allows(
    router: SegmentRouter,
) -> None:
    tags = router.find("GET", "/v1/workflows/tags")
    assert tags is not None and tags[0].path == "/workflows/tags" and tags[2] == {}
    run = router.find("PUT", "/v1/workflows/tags/run")
    assert run is not None and run[0].path == "/workflows/{workflowId}/run" and run[2] == {"workflowId": "tags"}


def test_every_operation_of_both_apis_is_found_the_plain_way(router: SegmentRouter) -> None:
    fake = Fake()
    apis = [("/v1", fake.scenario.contract), ("", fake.orchestrator.contract)]  # the second names its full paths
    for prefix, contract in apis:
        for operation in contract.operations:
            path = prefix + re.sub(r"\{[^}]+\}", "id_1", operation.path)
            assert router.find(operation.method.upper(), path) is not None, (operation.method, path)


def test_what_the_segments_do_not_settle_is_left_to_starlette(router: SegmentRouter) -> None:
    assert router.find("POST", "/v1/workflows/workflow_x") is None  # a 405, with its Allow header
    assert router.find("GET", "/v1/workflows/") is None  # a trailing slash
    assert router.find("GET", "/v1/jobs//") is None  # an empty id


def test_the_api_still_answers_what_starlette_answered(http) -> None:
    assert http("GET", "/v1/workflows/workflow_bg_remover").status_code == 200
    refused = http("POST", "/v1/workflows/workflow_bg_remover")
    assert refused.status_code == 405 and refused.json()["statusCode"] == 405
    assert "GET" in refused.headers["Allow"]
    assert http("GET", "/v1/nowhere").json()["statusCode"] == 404


def test_an_api_endpoint_called_directly_still_answers_its_own_failures(fake: Fake, http, monkeypatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("journal is broken")

    monkeypatch.setattr(fake.journal, "start", broken)
    response = http("GET", "/v1/workflows/workflow_bg_remover")
    assert response.status_code == 500
    assert response.json() == {"statusCode": 500, "error": "Internal Server Error", "message": "Internal server error"}


def test_a_route_outside_the_apis_is_refused_in_scenario_envelope_hinting_at_v1_and_journaled(
    fake: Fake, http, caplog: pytest.LogCaptureFixture
) -> None:
    refused = http("PUT", "/cdn/assets/asset_x")
    assert refused.status_code == 405 and refused.json()["error"] == "Method Not Allowed"
    assert "GET" in refused.headers["Allow"]
    missing = http("GET", "/nowhere")
    assert missing.json() == {
        "statusCode": 404,
        "error": "Not Found",
        "message": "Cannot GET /nowhere. The API is served under /v1.",
    }
    with caplog.at_level(logging.INFO, logger="mockserver.requests"):
        unprefixed = http("GET", "/workflows?pageSize=5")
    assert unprefixed.status_code == 404
    assert unprefixed.json() == {
        "statusCode": 404,
        "error": "Not Found",
        "message": "Cannot GET /workflows. The API is served under /v1: did you mean /v1/workflows?",
    }
    journaled = [(entry.method, entry.path, entry.status, entry.verdict) for entry in fake.journal.entries()]
    assert journaled == [
        ("PUT", "/cdn/assets/asset_x", 405, "not-in-contract"),
        ("GET", "/nowhere", 404, "not-in-contract"),
        ("GET", "/workflows", 404, "not-in-contract"),
    ]
    assert fake.journal.entries()[-1].looks_like == "listWorkflows"
    assert caplog.messages == ["GET /workflows?pageSize=5 -> 404 not-in-contract (like listWorkflows, 0.0 ms)"]
    assert http("GET", "/favicon.ico", who=None).status_code == 404
    assert len(fake.journal.entries()) == 3  # a browser's own request is no client's drift
