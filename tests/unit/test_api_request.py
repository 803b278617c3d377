"""An API request's headers read as Starlette's would, from a dict built once."""

from __future__ import annotations

from starlette.requests import Request

from mockserver.core.http.fastpath import ApiRequest


def _scope(raw: list[tuple[bytes, bytes]]) -> dict:
    return {"type": "http", "method": "GET", "path": "/v1/jobs", "headers": raw, "query_string": b""}


def test_headers_are_looked_up_as_starlette_looks_them_up() -> None:
    raw = [(b"host", b"fake.test"), (b"x-repeated", b"first"), (b"x-repeated", b"second"), (b"x-empty", b"")]
    scope = _scope(raw)
    ours, theirs = ApiRequest(scope).headers, Request(scope).headers
    for name in ("host", "x-repeated", "x-empty", "authorization"):
        assert ours.get(name) == theirs.get(name)
        assert (name in ours) == (name in theirs)
    assert ApiRequest(scope).headers is not ours  # built per request, never shared


def test_a_header_is_found_whatever_the_case_of_its_name() -> None:
    scope = _scope([(b"content-type", b"application/json"), (b"authorization", b"Basic a2V5OnNlY3JldA==")])
    ours, theirs = ApiRequest(scope).headers, Request(scope).headers
    for name in ("Content-Type", "CONTENT-TYPE", "content-type", "Authorization", "X-Missing"):
        assert ours.get(name) == theirs.get(name)
        assert (name in ours) == (name in theirs)
    assert ours["Content-Type"] == ours["content-type"] == "application/json"
    assert dict(ours) == {"content-type": "application/json", "authorization": "Basic a2V5OnNlY3JldA=="}
    assert len(ours) == 2 and 42 not in ours
