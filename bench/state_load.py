"""Loading a large state file: ``mockserver serve --state-file`` must start in under 2 s with 100,000 records.

    .venv/bin/python bench/state_load.py [--records 100000] [--budget 2.0]

Finishes a few upscaler and product-shot runs through the real run path, copies their jobs (workflow
jobs with their node runs, and node jobs) under fresh ids until the state holds at least the asked
number of job records, saves it as ``serve`` does, then times ``load_file`` into a fresh fake. The budget
is on the process's CPU time, which other work on a shared machine does not inflate as it does the
wall-clock time (both are printed). Exits 1 over budget.
"""

from __future__ import annotations

import argparse
import copy
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from mockserver.core.principals import Principal
from mockserver.server.fake import Fake
from mockserver.server.settings import Settings
from mockserver.server.state import load_file, save_file


def large_state(records: int) -> dict[str, Any]:
    fake = Fake(Settings(clock_mode="manual"))
    alice = Principal("user_alice", "proj_demo", "editor")
    for n in range(3):
        fake.scenario.jobs.run(alice, "workflow_product_shot", {"prompt": f"lamp {n}"}, False)
        fake.scenario.jobs.run(alice, "workflow_upscaler", {"image": "asset_photo"}, False)
    fake.advance(3600)
    state = fake.snapshot()
    fake.close()
    templates = state["jobs"]
    jobs = []
    copies = -(-records // len(templates))  # whole copies, so that every reference has its job
    for copy_number in range(copies):
        jobs += [_renamed(template, copy_number) for template in templates]
    state["jobs"] = jobs
    return state


def _renamed(job: dict[str, Any], copy_number: int) -> dict[str, Any]:
    """The job under ids of its own copy, its references to the other jobs of that copy renamed alike."""
    job = copy.deepcopy(job)
    job["jobId"] = f"{job['jobId']}_{copy_number}"
    if job["workflowJobId"]:
        job["workflowJobId"] = f"{job['workflowJobId']}_{copy_number}"
    for run in job["nodes"] or ():
        if run["jobId"]:
            run["jobId"] = f"{run['jobId']}_{copy_number}"
    return job


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--budget", type=float, default=2.0, help="seconds the load may take")
    args = parser.parse_args()
    fake = Fake(Settings(clock_mode="manual"))
    fake.restore(large_state(args.records))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "state.json"
        save_file(fake, path)
        size = path.stat().st_size
        fresh = Fake(Settings(clock_mode="manual"))
        started, cpu_started = time.perf_counter(), time.process_time()
        load_file(fresh, path)
        took, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        loaded = len(fresh.scenario.store.all_jobs())
    verdict = "ok" if cpu <= args.budget else "OVER BUDGET"
    print(
        f"{loaded} jobs, {size / 1e6:.1f} MB: loaded in {cpu:.2f} s of CPU, {took:.2f} s of wall-clock time "
        f"(budget {args.budget:g} s of CPU) {verdict}"
    )
    return 0 if cpu <= args.budget else 1


if __name__ == "__main__":
    sys.exit(main())
