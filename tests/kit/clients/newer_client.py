"""A client written for a newer API than the contract: dryRun=api, and the asset search the contract leaves out."""

from __future__ import annotations

from scenario_sdk import APIStatusError, Scenario


def main() -> None:
    with Scenario(max_retries=0) as client:
        try:
            client.workflows.run("workflow_upscaler", body={"image": "asset_photo"}, dry_run="api")
        except APIStatusError:
            pass
        try:
            client.search.asset_search(query="a poster")
        except APIStatusError:
            pass
    print("newer client: done")


if __name__ == "__main__":
    main()
