"""The pytest handle verifies a client: ``calls`` and ``assert_called``, and strict requests from the ini
file or a marker, checked as the other settings are."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import scenario_sdk

from mockserver.server.fake import Fake
from mockserver.server.settings import Settings
from mockserver.testing import MockHandle


@pytest.fixture
def handle() -> Iterator[MockHandle]:
    handle = MockHandle(Fake(Settings(clock_mode="manual")))
    yield handle
    handle.close()


def test_calls_picks_the_journaled_requests_of_an_operation(handle):
    client = handle.client("alice", max_retries=0)
    client.jobs.list()
    with pytest.raises(scenario_sdk.NotFoundError):
        client.jobs.retrieve("job_missing")
    handle.client("bob").jobs.list(page_size=2)
    assert [entry.status for entry in handle.calls("getJob")] == [404]
    assert len(handle.calls("listJobs")) == 2
    assert [entry.query for entry in handle.calls("listJobs", principal="user_bob")] == ["pageSize=2"]
    assert handle.calls("listJobs", status=404) == [] and handle.calls("getJob", verdict="conforms")
    with pytest.raises(ValueError, match="did you mean listJobs"):
        handle.calls("listjobs")
    with pytest.raises(ValueError, match="Unknown filters: colour"):
        handle.calls("listJobs", colour="red")
    with pytest.raises(ValueError, match="verdict must be one of"):
        handle.calls("listJobs", verdict="fine")


def test_assert_called_passes_and_returns_the_calls(handle):
    handle.client("alice").jobs.list()
    handle.client("alice").jobs.list()
    assert len(handle.assert_called("listJobs", times=2)) == 2
    assert handle.assert_called("listJobs", status=200)


def test_assert_called_fails_with_what_was_called_instead_and_the_typos(handle):
    http = handle.http("alice")
    http.get("/v1/jobs?pagesize=3")
    http.get("/v1/jobs/job_missing")
    http.get("/v1/nowhere")
    with pytest.raises(AssertionError) as failure:
        handle.assert_called("updateWorkflow", times=1)
    assert str(failure.value).splitlines() == [
        "expected updateWorkflow to be called 1 time(s), it was called 0 time(s)",
        "called instead:",
        "  listJobs -> 200 x1",
        "  getJob -> 404 x1",
        "  GET /v1/nowhere (not in the contract) -> 404 x1",
        "unknown fields sent:",
        "  #1 `pagesize` is not a query parameter of listJobs; did you mean `pageSize`?",
    ]
    with pytest.raises(AssertionError, match="expected listJobs, status=404 to be called at least once"):
        handle.assert_called("listJobs", status=404)


def test_assert_called_on_an_empty_journal_says_so(handle):
    with pytest.raises(AssertionError, match="nothing was called"):
        handle.assert_called("listJobs")


def test_strict_requests_from_the_ini_file_and_a_marker(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nscenario_mock_strict_requests = true\n")
    pytester.makepyfile(
        """
        import pytest

        def test_strict_from_ini(scenario_mock):
            answer = scenario_mock.http().get("/v1/jobs?pagesize=1")
            assert answer.status_code == 400
            assert "did you mean `pageSize`?" in answer.json()["message"]

        @pytest.mark.scenario_mock(strict_requests=False)
        def test_lenient_by_marker(scenario_mock):
            assert scenario_mock.http().get("/v1/jobs?pagesize=1").status_code == 200
            scenario_mock.assert_called("listJobs", times=1, verdict="violates")

        @pytest.mark.scenario_mock(strict_requests="yes")
        def test_not_a_boolean(scenario_mock):
            pass
        """
    )
    result = pytester.runpytest("-q")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*@pytest.mark.scenario_mock: strict_requests must be one of False, True, not 'yes'"])

    pytester.makeini("[pytest]\nscenario_mock_strict_requests = sometimes\n")
    pytester.makepyfile("def test_ini(scenario):\n    pass\n")
    result = pytester.runpytest("-q")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*ini option scenario_mock_strict_requests must be true or false, not 'sometimes'"])
