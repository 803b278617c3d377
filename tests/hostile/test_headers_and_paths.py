"""Credentials and path parameters no client would send get the API's refusal, never a 500 or a dropped socket."""

from __future__ import annotations

import base64

import pytest

from tests.hostile.conftest import refusal


def jwt_with_payload(payload: bytes) -> str:
    encoded = base64.urlsafe_b64encode(payload).decode().rstrip("=")
    return f"eyJhbGciOiJub25lIn0.{encoded}.signature"


DEEP = jwt_with_payload(b'{"sub": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")
NAN = jwt_with_payload(b'{"sub": "user_alice", "exp": NaN}')


@pytest.mark.parametrize("token", [DEEP, NAN])
def test_a_bearer_token_with_a_hostile_payload_is_a_401(http, token):
    response = http("GET", "/v1/workflows", who=None, headers={"Authorization": f"Bearer {token}"})
    assert refusal(response, 401)


@pytest.mark.parametrize("token", [DEEP, NAN])
def test_the_orchestrator_answers_such_a_token_with_its_401(http, token):
    response = http("GET", "/api/v1/workflows/", who=None, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401, response.text
    assert response.json() == {"detail": "Could not validate credentials"}


@pytest.mark.parametrize(
    "asset_id",
    ["asset_%E2%82%AC", "asset_%00", "asset_%0D%0ASet-Cookie:%20x=1", "asset_%22;%20filename=%22evil.exe", "a" * 201],
)
def test_an_asset_id_that_cannot_be_one_is_a_404(http, asset_id):
    response = http("GET", f"/cdn/assets/{asset_id}", who=None)
    assert "not an asset id" in refusal(response, 404)
    assert "content-disposition" not in response.headers


def test_an_asset_id_the_fake_hands_out_still_downloads(http):
    response = http("GET", "/cdn/assets/asset_GTrL3mq4SXWyMxkOHRxlpw", who=None)
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith('inline; filename="')


def test_a_file_name_given_at_upload_cannot_inject_into_content_disposition(http):
    from mockserver.kit.inputs import SAMPLE_IMAGE

    hostile = 'photo".png\r\nX-Evil: 1'
    made = http("POST", "/v1/assets", json={"image": SAMPLE_IMAGE, "name": hostile})
    assert made.status_code == 200, made.text
    asset = made.json()["asset"]
    response = http("GET", asset["url"].split("://", 1)[1].split("/", 1)[1].join(["/", ""]), who=None)
    disposition = response.headers["content-disposition"]
    assert response.status_code == 200 and "x-evil" not in response.headers
    assert disposition.count('"') == 2 and "\r" not in disposition and "\n" not in disposition
