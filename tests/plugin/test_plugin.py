"""The pytest plugin, as a user's suite meets it: each fixture, options and markers, with the real SDK."""

from __future__ import annotations

import json

import pytest

USER_WORKFLOW = {
    "id": "workflow_team_caption",
    "name": "Team caption",
    "description": "Writes a caption",
    "status": "ready",
    "privacy": "private",
    "ownerId": "proj_demo",
    "authorId": "user_alice",
    "createdAt": "2026-01-01T00:00:00.000Z",
    "inputs": [{"name": "topic", "type": "string", "required": {"always": True}}],
    "flow": [
        {
            "id": "node_caption",
            "type": "generate-prompt",
            "inputs": [{"name": "prompt", "type": "string", "ref": {"node": "workflow", "name": "topic"}}],
        }
    ],
}


def test_sync_client_handle_and_a_fresh_fake_per_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from scenario_sdk import APIStatusError, Scenario

        def test_run_to_success(scenario, scenario_mock):
            assert isinstance(scenario, Scenario)
            job = scenario.workflows.run("workflow_product_shot", body={"prompt": "a lamp"}).job
            assert scenario.jobs.retrieve(job.job_id).job.status == "queued"
            scenario_mock.advance(120)
            done = scenario.jobs.retrieve(job.job_id).job
            assert done.status == "success" and done.progress == 1
            assert [e.operation_id for e in scenario_mock.journal()] == ["runWorkflow", "getJob", "getJob"]

        def test_next_test_gets_a_fresh_fake(scenario):
            assert scenario.jobs.list().jobs == []

        def test_fault_rules_and_other_principals(scenario_mock):
            eve = scenario_mock.client("eve", max_retries=0)
            scenario_mock.add_fault(kind="http-error", status=503, match={"operationId": "listWorkflows"}, nth=2)
            eve.workflows.list(privacy="public")
            with pytest.raises(APIStatusError) as refused:
                eve.workflows.list(privacy="public")
            assert refused.value.status_code == 503
            eve.workflows.list(privacy="public")

        def test_snapshot_and_restore(scenario, scenario_mock):
            before = scenario_mock.snapshot()
            scenario.workflows.create(name="scratch", description="d")
            scenario_mock.restore(before)
            assert scenario_mock.snapshot() == before
        """
    )
    pytester.runpytest("-q").assert_outcomes(passed=4)


def test_async_client(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from scenario_sdk import AsyncScenario

        @pytest.fixture
        def anyio_backend():
            return "asyncio"

        @pytest.mark.anyio
        async def test_async_run(async_scenario, scenario_mock):
            assert isinstance(async_scenario, AsyncScenario)
            job = (await async_scenario.workflows.run("workflow_upscaler", body={"image": "asset_photo"})).job
            scenario_mock.advance(300)
            assert (await async_scenario.jobs.retrieve(job.job_id)).job.status == "success"
        """
    )
    pytester.runpytest("-q", "-p", "anyio").assert_outcomes(passed=1)


def test_scenario_env_points_a_client_built_from_the_environment_at_the_fake(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCENARIO_SDK_JWT", "a-developers-own-token")
    monkeypatch.delenv("SCENARIO_BASE_URL", raising=False)
    pytester.makepyfile(
        """
        import os
        from scenario_sdk import Scenario

        def test_no_argument_client(scenario_env, scenario_mock):
            assert "SCENARIO_SDK_JWT" not in os.environ
            assert os.environ["MOCKSERVER_URL"] == scenario_env.base_url
            client = Scenario(max_retries=0)
            assert str(client.base_url).rstrip("/") == scenario_env.api_url
            job = client.workflows.run("workflow_upscaler", body={"image": "asset_photo"}).job
            assert scenario_mock.advance_until_idle().idle
            assert client.jobs.retrieve(job.job_id).job.status == "success"
            assert [e.operation_id for e in scenario_mock.journal()] == ["runWorkflow", "getJob"]
            assert scenario_mock.journal()[0].status == 200

        def test_another_principal(scenario_env, monkeypatch):
            for name, value in scenario_env.environment("eve").items():
                monkeypatch.setenv(name, value)
            assert Scenario(max_retries=0).workflows.list(privacy="private").workflows == []

        def test_the_environment_is_given_back(scenario):
            assert "SCENARIO_BASE_URL" not in os.environ
            assert os.environ["SCENARIO_SDK_JWT"] == "a-developers-own-token"
        """
    )
    pytester.runpytest("-q").assert_outcomes(passed=3)


def test_module_scope_shares_one_fake(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_first(scenario):
            scenario.workflows.create(name="kept", description="d")

        def test_second_sees_it(scenario):
            names = [w.name for w in scenario.workflows.list(privacy="private").workflows]
            assert "kept" in names
        """
    )
    pytester.runpytest("-q", "--scenario-mock-scope=module").assert_outcomes(passed=2)
    pytester.runpytest("-q").assert_outcomes(passed=1, failed=1)


def test_user_fixtures_folder_clock_option_and_marker(pytester: pytest.Pytester) -> None:
    folder = pytester.path / "team_fixtures" / "workflows"
    folder.mkdir(parents=True)
    (folder / "caption.json").write_text(json.dumps(USER_WORKFLOW))
    pytester.makeini(
        """
        [pytest]
        scenario_mock_fixtures = team_fixtures
        scenario_mock_clock = instant
        """
    )
    pytester.makepyfile(
        """
        import pytest

        def test_own_workflow_runs_at_once_in_instant_mode(scenario):
            assert scenario.workflows.retrieve("workflow_team_caption").workflow.name == "Team caption"
            job = scenario.workflows.run("workflow_team_caption", body={"topic": "cats"}).job
            assert scenario.jobs.retrieve(job.job_id).job.status == "success"

        @pytest.mark.scenario_mock(clock_mode="manual", api_profile="current")
        def test_marker_changes_settings(scenario_mock):
            assert scenario_mock.fake.clock.mode == "manual"
            assert scenario_mock.fake.settings.api_profile == "current"
        """
    )
    pytester.runpytest("-q").assert_outcomes(passed=2)


def test_dropped_connection_is_a_connection_error_in_process(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from scenario_sdk import APIConnectionError

        @pytest.fixture
        def anyio_backend():
            return "asyncio"

        def test_sync(scenario_mock):
            scenario = scenario_mock.client("alice", max_retries=0)
            scenario_mock.add_fault(kind="drop-connection", match={"operationId": "listWorkflows"}, count=1)
            with pytest.raises(APIConnectionError):
                scenario.workflows.list()
            assert scenario.workflows.list() is not None
            assert scenario_mock.journal()[0].status == 0

        @pytest.mark.anyio
        async def test_async(scenario_mock):
            async_scenario = scenario_mock.async_client("alice", max_retries=0)
            scenario_mock.add_fault(kind="drop-connection", match={"operationId": "listWorkflows"}, count=1)
            with pytest.raises(APIConnectionError):
                await async_scenario.workflows.list()
        """
    )
    pytester.runpytest("-q", "-p", "anyio").assert_outcomes(passed=2)


def test_in_process_clients_retry_as_the_sdk_does_unless_told_otherwise(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from scenario_sdk import APIStatusError

        @pytest.fixture
        def anyio_backend():
            return "asyncio"

        def test_a_503_is_retried_by_default(scenario, scenario_mock):
            scenario_mock.add_fault(kind="http-error", status=503, match={"operationId": "listWorkflows"}, count=2)
            assert scenario.max_retries == 2
            scenario.workflows.list()
            assert [entry.status for entry in scenario_mock.journal()] == [503, 503, 200]

        def test_max_retries_zero_makes_one_attempt(scenario_mock):
            once = scenario_mock.client("alice", max_retries=0)
            scenario_mock.add_fault(kind="http-error", status=503, match={"operationId": "listWorkflows"}, count=1)
            with pytest.raises(APIStatusError):
                once.workflows.list()
            assert [entry.status for entry in scenario_mock.journal()] == [503]

        @pytest.mark.anyio
        async def test_async_retries_too(async_scenario, scenario_mock):
            scenario_mock.add_fault(kind="http-error", status=503, match={"operationId": "listWorkflows"}, count=1)
            await async_scenario.workflows.list()
            assert [entry.status for entry in scenario_mock.journal()] == [503, 200]
        """
    )
    pytester.runpytest("-q", "-p", "anyio").assert_outcomes(passed=3)


def test_marker_and_ini_values_are_checked_at_setup(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.scenario_mock(clock_mode="warp")
        def test_unknown_clock_mode(scenario_mock):
            pass

        @pytest.mark.scenario_mock(clok_mode="manual")
        def test_unknown_setting(scenario_mock):
            pass

        @pytest.mark.scenario_mock(api_profile="newest")
        def test_unknown_api_profile(scenario):
            pass

        @pytest.mark.scenario_mock("instant")
        def test_positional(scenario_mock):
            pass

        @pytest.mark.scenario_mock(fixtures="team_fixtures")
        def test_fixtures_not_a_list(scenario_mock):
            pass
        """
    )
    result = pytester.runpytest("-q")
    result.assert_outcomes(errors=5)
    result.stdout.fnmatch_lines_random(
        [
            "*@pytest.mark.scenario_mock: clock_mode must be one of realtime, manual, instant, not 'warp'",
            "*@pytest.mark.scenario_mock: unknown settings: clok_mode; known: *clock_mode*",
            "*@pytest.mark.scenario_mock: api_profile must be one of guide, current, not 'newest'",
            "*@pytest.mark.scenario_mock takes settings by name, e.g. clock_mode='instant'",
            "*@pytest.mark.scenario_mock: fixtures must be a list of folders, not 'team_fixtures'",
        ]
    )

    pytester.makeini(
        """
        [pytest]
        scenario_mock_clock = warp
        """
    )
    pytester.makepyfile("def test_ini(scenario):\n    pass\n")
    result = pytester.runpytest("-q")
    result.assert_outcomes(errors=1)
    clock_refusal = "*ini option scenario_mock_clock must be one of realtime, manual, instant, not 'warp'"
    result.stdout.fnmatch_lines([clock_refusal])


def test_ini_api_profile_is_the_default_a_marker_overrides(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        """
        [pytest]
        scenario_mock_api_profile = current
        """
    )
    pytester.makepyfile(
        """
        import pytest

        def test_ini_profile(scenario):
            created = scenario.workflows.create(name="n", description="d").workflow
            assert created.id.startswith("wflow_")

        @pytest.mark.scenario_mock(api_profile="guide")
        def test_marker_profile(scenario_mock):
            assert scenario_mock.fake.settings.api_profile == "guide"
        """
    )
    pytester.runpytest("-q").assert_outcomes(passed=2)


def test_unknown_ini_api_profile_fails_naming_the_profiles(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        """
        [pytest]
        scenario_mock_api_profile = newest
        """
    )
    pytester.makepyfile("def test_ini(scenario):\n    pass\n")
    result = pytester.runpytest("-q")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*ini option scenario_mock_api_profile must be one of guide, current, not 'newest'"])
