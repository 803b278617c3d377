"""Malformed input gets a clear 4xx in the error envelope; the server stays up and its state unchanged."""

from __future__ import annotations

import pytest


def envelope(response, status):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["statusCode"] == status and body["error"] and body["message"]
    return body["message"]


JSON = {"Content-Type": "application/json"}


@pytest.mark.usefixtures("unchanged")
class TestBodies:
    def test_truncated_json(self, http):
        message = envelope(http("POST", "/v1/workflows", content=b'{"name": "a", "descr', headers=JSON), 400)
        assert "JSON" in message

    def test_wrong_content_type(self, http):
        body = b'{"name": "a", "description": "b"}'
        message = envelope(http("POST", "/v1/workflows", content=body, headers={"Content-Type": "text/xml"}), 400)
        assert "Content-Type" in message

    def test_invalid_utf8(self, http):
        message = envelope(http("POST", "/v1/workflows", content=b'{"name": "\xff\xfe"}', headers=JSON), 400)
        assert "UTF-8" in message

    def test_deep_nesting(self, http):
        deep = b"[" * 100_000 + b"]" * 100_000
        envelope(http("PUT", "/v1/workflows/workflow_demo_poster", content=deep, headers=JSON), 400)
        nested = b'{"editorInfo": ' + b'{"a": ' * 50_000 + b"1" + b"}" * 50_000 + b"}"
        envelope(http("PUT", "/v1/workflows/workflow_demo_poster", content=nested, headers=JSON), 400)

    def test_ten_megabyte_body_is_413(self, http):
        huge = b'{"name": "' + b"a" * (10 * 1024 * 1024) + b'", "description": "b"}'
        message = envelope(http("POST", "/v1/workflows", content=huge, headers=JSON), 413)
        assert "limit" in message

    def test_ten_megabyte_body_without_a_length_is_413(self, http):
        def chunks():
            yield b'{"name": "'
            for _ in range(11):
                yield b"a" * (1024 * 1024)
            yield b'", "description": "b"}'

        envelope(http("POST", "/v1/workflows", content=chunks(), headers=JSON), 413)

    def test_body_of_the_wrong_json_type(self, http):
        envelope(http("POST", "/v1/workflows", json=["name", "description"]), 400)
        envelope(http("PUT", "/v1/workflows/workflow_demo_poster", json="ready"), 400)
        envelope(http("PUT", "/v1/workflows/workflow_upscaler/run", json=[1, 2]), 400)
        envelope(http("POST", "/v1/jobs/job_x/action", json={"action": "explode"}), 400)

    def test_empty_or_null_body_where_one_is_required(self, http):
        envelope(http("POST", "/v1/workflows"), 400)
        envelope(http("POST", "/v1/workflows", content=b"null", headers=JSON), 400)


@pytest.mark.usefixtures("unchanged")
class TestQueryAndPath:
    @pytest.mark.parametrize("size", ["100000000000000000000", "1e3", "-5", "0", " 10", "NaN"])
    def test_huge_or_odd_page_size(self, http, size):
        assert "pageSize" in envelope(http("GET", f"/v1/workflows?pageSize={size}"), 400)

    @pytest.mark.parametrize(
        "token",
        ["eyJsYXN0S2V5IjpbIjIwMjYiLCJ4Il0sInNpZyI6ImZvcmdlZCJ9", "%00%01", "a" * 5000, "e30", "W10"],
    )
    def test_forged_pagination_tokens(self, http, token):
        assert "paginationToken" in envelope(http("GET", f"/v1/workflows?paginationToken={token}"), 400)
        assert "paginationToken" in envelope(http("GET", f"/v1/jobs?paginationToken={token}"), 400)

    @pytest.mark.parametrize(
        "path",
        [
            "/v1/workflows/..%2F..%2Fetc%2Fpasswd",
            "/v1/workflows/%2e%2e/%2e%2e/etc/passwd",
            "/v1/workflows/workflow_bg_remover%00",
            "/v1/jobs/..%2Fworkflows",
            "/v1/workflows/" + "x" * 5000,
        ],
    )
    def test_path_traversal_in_ids(self, http, path):
        envelope(http("GET", path), 404)

    def test_repeated_scalar_parameter(self, http):
        assert "pageSize" in envelope(http("GET", "/v1/workflows?pageSize=1&pageSize=2"), 400)


def test_the_server_keeps_answering_after_all_that(http):
    http("POST", "/v1/workflows", content=b"{", headers=JSON)
    assert http("GET", "/v1/workflows").status_code == 200
