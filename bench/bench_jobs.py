"""Jobs at scale: memory per job, and poll and list-page latency as the store grows.

    .venv/bin/python bench/bench_jobs.py [--jobs 10000]

Runs the upscaler app N times through the real run path, lets every job
finish on the clock, then times GET /jobs/{id} and a GET /jobs page in
process, at a tenth of N and at N. The page time must not grow with the store.
"""

from __future__ import annotations

import argparse
import gc
import tracemalloc

import httpx
from _inprocess import finished_runs, timed

from mockserver.core.transport import SyncASGITransport
from mockserver.server.app import create_app
from mockserver.server.fake import Fake
from mockserver.server.settings import Settings


def measure(total: int) -> list[tuple[str, str]]:
    fake = Fake(Settings(clock_mode="manual", check_responses=False))
    transport = SyncASGITransport(create_app(fake))
    client = httpx.Client(transport=transport, base_url="http://testserver")
    rows = []
    small = total // 10
    first = finished_runs(fake, small)
    rows += probe(client, first, small, fake)
    stored_before = len(fake.scenario.store.all_jobs())
    gc.collect()
    tracemalloc.start()  # memory is measured on the runs made from here on, timings outside it
    before = tracemalloc.get_traced_memory()[0]
    rest = finished_runs(fake, total - small)
    gc.collect()
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    stored = len(fake.scenario.store.all_jobs()) - stored_before
    rows += probe(client, first + rest, total, fake)
    rows.append(
        (f"memory per stored job ({stored} finished jobs, workflow and node)", f"{used / stored / 1024:.2f} KiB")
    )
    rows.append(("memory per finished run (its workflow job and node job)", f"{used / (total - small) / 1024:.2f} KiB"))
    transport.close()
    return rows


def probe(client: httpx.Client, ids: list[str], runs: int, fake: Fake) -> list[tuple[str, str]]:
    assert all(fake.scenario.store.get_job(job_id).status == "success" for job_id in ids[:50])
    middle = ids[len(ids) // 2]
    return [
        (f"GET /jobs/{{id}} with {runs} runs stored", f"{timed(client, f'/v1/jobs/{middle}'):.3f} ms"),
        (f"GET /jobs?pageSize=50 with {runs} runs stored", f"{timed(client, '/v1/jobs?pageSize=50', 100):.3f} ms"),
        (
            f"GET /jobs?status=success&pageSize=50 with {runs} runs stored",
            f"{timed(client, '/v1/jobs?status=success&pageSize=50', 100):.3f} ms",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=10_000)
    args = parser.parse_args()
    rows = measure(args.jobs)
    width = max(len(name) for name, _ in rows)
    print(f"{'measure':<{width}}  value")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
