"""Values no JSON client sends, or that the fake could not keep, are refused at the edge in the API's envelope,
and nothing is stored."""

from __future__ import annotations

import pytest

from tests.hostile.conftest import JSON, refusal

RUN = "/v1/workflows/workflow_demo_poster/run"


@pytest.mark.usefixtures("unchanged")
class TestScenarioBodies:
    @pytest.mark.parametrize(
        ("raw", "field", "problem"),
        [
            (b'{"prompt": "lamp \\ud800"}', "prompt", "surrogate"),
            (b'{"prompt": ["a", "\\uDFFF"]}', "prompt[1]", "surrogate"),
            (b'{"prompt": "a", "strength": NaN}', "strength", "NaN"),
            (b'{"prompt": "a", "strength": Infinity}', "strength", "Infinity"),
            (b'{"prompt": "a", "strength": -Infinity}', "strength", "-Infinity"),
            (b'{"prompt": "a", "strength": 1e400}', "strength", "too large"),
            (b'{"prompt": "a", "seed": ' + b"9" * 400 + b"}", "seed", "more than 100 digits"),
            (b'{"prompt": "a", "seed": -' + b"1" * 101 + b"}", "seed", "more than 100 digits"),
        ],
    )
    def test_a_run_with_an_unsafe_value_is_refused_naming_the_field(self, http, raw, field, problem):
        message = refusal(http("PUT", RUN, content=raw, headers=JSON))
        assert f'"{field}"' in message and problem in message

    def test_a_lone_surrogate_in_a_key_is_refused(self, http):
        assert "surrogate" in refusal(http("PUT", RUN, content=b'{"\\ud800": "a"}', headers=JSON))

    def test_nesting_deeper_than_the_limit_is_refused(self, http):
        raw = b'{"prompt": "a", "extra": ' + b"[" * 70 + b"]" * 70 + b"}"
        assert "nesting deeper than 64" in refusal(http("PUT", RUN, content=raw, headers=JSON))


def test_a_surrogate_pair_and_a_hundred_digit_integer_still_parse(http):
    raw = b'{"name": "emoji \\ud83d\\ude00", "description": "d", "editorInfo": {"n": -' + b"9" * 100 + b"}}"
    created = http("POST", "/v1/workflows", content=raw, headers=JSON)
    assert created.status_code == 200, created.text
    assert created.json()["workflow"]["name"] == "emoji \U0001f600"


def test_after_a_refused_surrogate_the_project_still_lists_its_jobs(http, state):
    http("PUT", RUN, content=b'{"prompt": "lamp \\ud800"}', headers=JSON)
    assert http("GET", "/v1/jobs").status_code == 200
    assert state()


@pytest.mark.usefixtures("unchanged")
class TestOrchestratorBodies:
    def test_nan_is_a_validation_error_at_its_field(self, http):
        raw = b'{"name": "a", "steps": [{"id": "s", "max_retries": NaN}]}'
        headers = {**JSON, "Authorization": "Bearer token_alice"}
        response = http("POST", "/api/v1/workflows/", who=None, content=raw, headers=headers)
        assert response.status_code == 422, response.text
        [error] = response.json()["detail"]
        assert error["loc"] == ["body", "steps", 0, "max_retries"] and "NaN" in error["msg"]


@pytest.mark.usefixtures("unchanged")
class TestClock:
    @pytest.mark.parametrize(
        "body",
        [
            {"speed": 1e300},
            {"speed": 0},
            {"speed": 10_001},
            {"seconds": 1e300},
            {"seconds": -1},
            {"seconds": 10 * 366 * 24 * 3600 + 1},
            {"seconds": True},
        ],
    )
    def test_out_of_range_values_are_refused(self, http, body):
        assert "must be a number from" in refusal(http("POST", "/_mock/clock/advance", who=None, json=body))

    @pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"1e400"])
    def test_values_that_are_not_finite_are_refused_in_the_envelope(self, http, literal):
        raw = b'{"seconds": ' + literal + b"}"
        message = refusal(http("POST", "/_mock/clock/advance", who=None, content=raw, headers=JSON))
        assert '"seconds"' in message


def test_the_clock_never_passes_the_latest_moment(http, fake, state):
    decade = {"seconds": 10 * 366 * 24 * 3600}
    for _ in range(1000):  # towards year 9999, until refused
        before = state()
        response = http("POST", "/_mock/clock/advance", who=None, json=decade)
        if response.status_code != 200:
            break
    assert "past 9999-01-01" in refusal(response)
    assert state() == before


def test_after_a_refused_speed_every_request_still_answers(http):
    http("POST", "/_mock/clock/advance", who=None, json={"speed": 1e300, "mode": "realtime"})
    assert http("GET", "/v1/workflows").status_code == 200
    assert http("POST", "/_mock/reset", who=None).status_code == 200


def test_a_workflow_nested_to_the_limit_still_dumps_and_restores(http, state):
    deep: object = "leaf"
    for _ in range(62):  # editorInfo, then 62 levels: the 64th level of the body
        deep = {"d": deep}
    workflow_id = http("POST", "/v1/workflows", json={"name": "w", "description": "d"}).json()["workflow"]["id"]
    assert http("PUT", f"/v1/workflows/{workflow_id}", json={"editorInfo": deep}).status_code == 200
    dumped = http("GET", "/_mock/state", who=None)
    assert http("PUT", "/_mock/state", who=None, content=dumped.content, headers=JSON).status_code == 200
    assert http("GET", f"/v1/workflows/{workflow_id}").json()["workflow"]["editorInfo"] == deep
