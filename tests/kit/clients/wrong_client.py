"""A deliberately wrong client: it swallows the errors it provokes, so its own checks pass.

It asks for 500 workflows a page (the contract allows 1 to 100) and sends a run's inputs
as a JSON array instead of an object. The conformance report must catch both.
"""

from __future__ import annotations

from scenario_sdk import APIStatusError, Scenario


def main() -> None:
    with Scenario(max_retries=0) as client:
        try:
            list(client.workflows.list(page_size=500))
        except APIStatusError:
            pass
        try:
            client.workflows.run("workflow_upscaler", body=["asset_photo"])
        except APIStatusError:
            pass
    print("wrong client: my own checks pass")


if __name__ == "__main__":
    main()
