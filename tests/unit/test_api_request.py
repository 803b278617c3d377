"""An API request's headers read as Starlette's would, from a dict built once."""

from __future__ import annotations

from starlette.requests import Request

from mockserver.server.app import ApiRequest


def test_headers_are_looked_up_as_starlette_looks_them_up() -> None:
    raw = [(b"host", b"fake.test"), (b"x-repeated", b"first"), (b"x-repeated", b"second"), (b"x-empty", b"")]
    scope = {"type": "http", "method": "GET", "path": "/v1/jobs", "headers": raw, "query_string": b""}
    ours, theirs = ApiRequest(scope).headers, Request(scope).headers
    for name in ("host", "x-repeated", "x-empty", "authorization"):
        assert ours.get(name) == theirs.get(name)
        assert (name in ours) == (name in theirs)
    assert ApiRequest(scope).headers is not ours  # built per request, never shared
