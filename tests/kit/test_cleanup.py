"""``mockserver kit cleanup``: what an interrupted check left on a live API, found by its mark and deleted."""

from __future__ import annotations

import subprocess

import httpx
from kit_support import kit_env, mockserver_command

from mockserver.kit.safety import NAME_MARK
from mockserver.kit.target import Credentials

CREDENTIALS = {"SCENARIO_SDK_API_KEY": "key_alice", "SCENARIO_SDK_API_SECRET": "secret_alice"}


def test_cleanup_deletes_only_the_kits_workflows(served_fake):
    fake, base_url = served_fake
    alice = {"Authorization": Credentials("key_alice", "secret_alice").authorization}
    with httpx.Client(base_url=base_url, headers=alice) as client:
        left = [client.post("/workflows", json={"name": f"{NAME_MARK} left {n}", "description": "d"}) for n in range(3)]
        client.put(f"/workflows/{left[2].json()['workflow']['id']}", json={"privacy": "unlisted"})
        mine = client.post("/workflows", json={"name": "My pipeline", "description": "not the kit's"}).json()
    kit_ids = {answer.json()["workflow"]["id"] for answer in left}
    env = kit_env(**CREDENTIALS, SCENARIO_BASE_URL=base_url)

    listed = subprocess.run(mockserver_command("kit", "cleanup", "--dry-run"), env=env, capture_output=True, text=True)
    assert listed.returncode == 0 and "3 kit workflow(s) found, 0 deleted" in listed.stdout, listed.stdout
    assert all(fake.scenario.store.get_workflow(workflow_id).status != "deleted" for workflow_id in kit_ids)

    done = subprocess.run(mockserver_command("kit", "cleanup"), env=env, capture_output=True, text=True)
    assert done.returncode == 0 and "3 kit workflow(s) found, 3 deleted" in done.stdout, done.stdout
    assert all(fake.scenario.store.get_workflow(workflow_id).status == "deleted" for workflow_id in kit_ids)
    assert fake.scenario.store.get_workflow(mine["workflow"]["id"]).status == "draft"
