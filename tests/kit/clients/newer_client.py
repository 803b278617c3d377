"""A client written for a newer API than the contract: dryRun=api and the user-selection endpoint."""

from __future__ import annotations

from scenario_sdk import APIStatusError, Scenario


def main() -> None:
    with Scenario(max_retries=0) as client:
        try:
            client.workflows.run("workflow_upscaler", body={"image": "asset_photo"}, dry_run="api")
        except APIStatusError:
            pass
        try:
            client.workflows.user_selection(
                "workflow_demo_poster",
                project_id="proj_demo",
                action="select",
                node_id="node_pick",
                workflow_job_id="job_unknown",
                selected_indices=[0],
            )
        except APIStatusError:
            pass
    print("newer client: done")


if __name__ == "__main__":
    main()
