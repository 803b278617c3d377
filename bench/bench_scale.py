"""The store at scale: 100,000 workflows and 100,000 jobs.

    .venv/bin/python bench/bench_scale.py [--records 100000] [--rounds 5]

Reports memory per stored workflow (of the seeded apps' size) and per finished
job, and the latency of a workflow get, list pages and a job poll in a fake
holding 1% of the records and in one holding all of them: they must stay flat
as the store grows. The two fakes take turns, round after round, and each
request goes straight to the app's ASGI callable, so the figures are the app's
own time, not a transport's thread hand-offs.
Targets: under 2 KB a workflow, under 4 KB a finished job, latencies at the
full size within 20% of those at 1%.
"""

from __future__ import annotations

import argparse
import copy
import gc
import json
import statistics
import tracemalloc

from _inprocess import ALICE, DirectCaller, finished_runs

from mockserver.server.app import create_app
from mockserver.server.fake import Fake
from mockserver.server.settings import Settings


def add_workflows(fake: Fake, count: int, template: dict) -> list[str]:
    """Workflows like the seeded pipeline app, each with flow and inputs of its own, as the API would keep."""
    ids = []
    for i in range(count):
        workflow = fake.scenario.workflows.create(ALICE, f"Pipeline {i}", template["description"])
        changes = json.loads(json.dumps({key: template[key] for key in ("inputs", "flow", "tagSet")}))
        changes["shortDescription"] = template["shortDescription"]
        changes["status"] = "ready"
        fake.scenario.workflows.update(ALICE, workflow.id, changes)
        ids.append(workflow.id)
    return ids


def requests(workflow_id: str, job_id: str) -> dict[str, str]:
    return {
        "GET /workflows/{id}": f"/v1/workflows/{workflow_id}",
        "GET /workflows?pageSize=50": "/v1/workflows?pageSize=50",
        "GET /workflows?status=ready&tags=product&pageSize=50": "/v1/workflows?status=ready&tags=product&pageSize=50",
        "GET /jobs/{id}": f"/v1/jobs/{job_id}",
        "GET /jobs?pageSize=50": "/v1/jobs?pageSize=50",
    }


def latencies(sides: list[tuple[DirectCaller, dict[str, str]]], rounds: int, calls: int) -> list[dict[str, float]]:
    """Median milliseconds of each request on each side; the sides take turns, round after round."""
    gc.collect()
    gc.freeze()  # what a long-running server reaches: the loaded records are old and left alone by the GC
    samples: list[dict[str, list[float]]] = [{name: [] for name in urls} for _, urls in sides]
    for _ in range(rounds):
        for side, (caller, urls) in enumerate(sides):
            for name, url in urls.items():
                timings = sorted(caller.seconds(url) for _ in range(calls))
                samples[side][name].append(timings[len(timings) // 2])
    return [{name: statistics.median(values) * 1000 for name, values in side.items()} for side in samples]


def filled(records: int, template: dict) -> tuple[Fake, list[str], list[str]]:
    fake = Fake(Settings(clock_mode="manual", check_responses=False))
    return fake, add_workflows(fake, records, template), finished_runs(fake, records)


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
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    template = copy.deepcopy(Fake().scenario.store.get_workflow("workflow_product_shot").model_dump(by_alias=True))
    small_count = max(args.records // 100, 10)
    small, small_workflows, small_jobs = filled(small_count, template)

    large, large_workflows, large_jobs = filled(small_count, template)
    more_workflows, workflow_bytes = measured(lambda: add_workflows(large, args.records - small_count, template))
    more_jobs, job_bytes = measured(lambda: finished_runs(large, args.records - small_count))
    stored_jobs = len(large.scenario.store.all_jobs())

    sides = [
        (DirectCaller(create_app(fake)), requests(workflows[len(workflows) // 2], jobs[len(jobs) // 2]))
        for fake, workflows, jobs in ((small, small_workflows, small_jobs), (large, large_workflows, large_jobs))
    ]
    at_small, at_full = latencies(sides, args.rounds, calls=101)

    print(f"{'measure':<58}{small_count:>12,}{args.records:>12,}   change")
    for name in at_small:
        change = (at_full[name] / at_small[name] - 1) * 100
        print(f"{name:<58}{at_small[name]:>9.3f} ms{at_full[name]:>9.3f} ms   {change:+.0f}%")
    per_workflow = workflow_bytes / len(more_workflows)
    per_job = job_bytes / (stored_jobs - 2 * small_count)
    print(f"\nmemory per stored workflow (the pipeline app's size): {per_workflow / 1024:.2f} KiB")
    print(f"memory per finished job (workflow and node jobs):     {per_job / 1024:.2f} KiB")


if __name__ == "__main__":
    main()
