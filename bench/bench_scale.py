"""The store at scale: 100,000 workflows and 100,000 jobs.

    .venv/bin/python bench/bench_scale.py [--records 100000]

Reports memory per stored workflow (of the seeded apps' size) and per finished
job, and the latency of a workflow get, a list page and a job poll at 1% of
the records and at all of them: they must stay flat as the store grows.
Targets: under 2 KB a workflow, under 4 KB a finished job, latencies at the
full size within 20% of those at 1%.
"""

from __future__ import annotations

import argparse
import copy
import gc
import json
import tracemalloc

import httpx
from _inprocess import ALICE, finished_runs, timed

from mockserver.fake import Fake
from mockserver.http.app import create_app
from mockserver.settings import Settings
from mockserver.transport import SyncASGITransport


def add_workflows(fake: Fake, count: int, template: dict) -> list[str]:
    """Workflows like the seeded pipeline app, each with flow and inputs of its own, as the API would keep."""
    ids = []
    for i in range(count):
        workflow = fake.workflows.create(ALICE, f"Pipeline {i}", template["description"])
        changes = json.loads(json.dumps({key: template[key] for key in ("inputs", "flow", "tagSet")}))
        changes["shortDescription"] = template["shortDescription"]
        changes["status"] = "ready"
        fake.workflows.update(ALICE, workflow.id, changes)
        ids.append(workflow.id)
    return ids


def latencies(client: httpx.Client, workflow_id: str, job_id: str) -> dict[str, float]:
    gc.collect()
    gc.freeze()  # what a long-running server reaches: the loaded records are old and left alone by the GC
    return {
        "GET /workflows/{id}": timed(client, f"/v1/workflows/{workflow_id}"),
        "GET /workflows?pageSize=50": timed(client, "/v1/workflows?pageSize=50", 50),
        "GET /workflows?status=ready&tags=product&pageSize=50": timed(
            client, "/v1/workflows?status=ready&tags=product&pageSize=50", 50
        ),
        "GET /jobs/{id}": timed(client, f"/v1/jobs/{job_id}"),
        "GET /jobs?pageSize=50": timed(client, "/v1/jobs?pageSize=50", 50),
    }


def measured(action) -> tuple[object, int]:
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    result = action()
    gc.collect()
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return result, used


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    args = parser.parse_args()
    fake = Fake(Settings(clock_mode="manual", check_responses=False))
    template = copy.deepcopy(fake.store.get_workflow("workflow_product_shot").model_dump(by_alias=True))
    transport = SyncASGITransport(create_app(fake))
    client = httpx.Client(transport=transport, base_url="http://testserver")
    small = max(args.records // 100, 10)

    workflows = add_workflows(fake, small, template)
    jobs = finished_runs(fake, small)
    at_small = latencies(client, workflows[len(workflows) // 2], jobs[len(jobs) // 2])

    more_workflows, workflow_bytes = measured(lambda: add_workflows(fake, args.records - small, template))
    more_jobs, job_bytes = measured(lambda: finished_runs(fake, args.records - small))
    stored_jobs = len(fake.store.all_jobs())
    at_full = latencies(client, workflows[len(workflows) // 2], jobs[len(jobs) // 2])
    transport.close()

    print(f"{'measure':<58}{small:>12,}{args.records:>12,}   change")
    for name in at_small:
        change = (at_full[name] / at_small[name] - 1) * 100
        print(f"{name:<58}{at_small[name]:>9.3f} ms{at_full[name]:>9.3f} ms   {change:+.0f}%")
    per_workflow = workflow_bytes / len(more_workflows)
    per_job = job_bytes / (stored_jobs - 2 * small)
    print(f"\nmemory per stored workflow (the pipeline app's size): {per_workflow / 1024:.2f} KiB")
    print(f"memory per finished job (workflow and node jobs):     {per_job / 1024:.2f} KiB")


if __name__ == "__main__":
    main()
