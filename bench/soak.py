"""Soak: client processes mixing every operation against one fake, then the invariants.

    .venv/bin/python bench/soak.py [--clients 4] [--seconds 60]

Starts the fake under uvicorn on a loopback port (realtime clock, fast), runs
the clients in separate processes for the given time (creates, updates,
runs, polls, cancels, approvals, deletes, lists), then stops the clock and
checks: no request got a 5xx; every listed workflow is retrievable; every job
is listed once, in one status, the same as its own GET says; statusHistory
is ordered and ends with the job's status; the clients' successful runs
add up to the workflow jobs in the store.
"""

from __future__ import annotations

import argparse
import base64
import json
import multiprocessing
import random
import sys
import time
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from _harness import Server, free_port  # noqa: E402

KEYS = [
    ("key_alice", "secret_alice"),
    ("key_bob", "secret_bob"),
    ("key_dave", "secret_dave"),
    ("key_carol", "secret_carol"),
]
APPROVAL_FLOW = [
    {"id": "make", "type": "custom-model", "modelId": "model_x"},
    {"id": "review", "type": "user-approval", "dependsOn": ["make"]},
    {"id": "finish", "type": "remove-background", "dependsOn": ["review"]},
]


def auth(key: tuple[str, str]) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key[0]}:{key[1]}".encode()).decode()}


def client_loop(base_url: str, seconds: float, seed: int, results: multiprocessing.Queue) -> None:
    rng = random.Random(seed)
    statuses: Counter[int] = Counter()
    runs = 0
    workflows: list[str] = []
    jobs: list[str] = []
    deadline = time.monotonic() + seconds
    with httpx.Client(base_url=base_url, timeout=30) as http:
        while time.monotonic() < deadline:
            key = KEYS[rng.randrange(len(KEYS))]
            operation = rng.choices(OPERATIONS, weights=[op[1] for op in OPERATIONS])[0][0]
            response, made = operation(http, auth(key), rng, workflows, jobs)
            if response is not None:
                statuses[response.status_code] += 1
            runs += made
    results.put({"statuses": dict(statuses), "runs": runs})


def create(http, headers, rng, workflows, jobs):
    response = http.post("/workflows", headers=headers, json={"name": f"soak {rng.random()}", "description": "d"})
    if response.status_code == 200:
        workflow_id = response.json()["workflow"]["id"]
        ready = http.put(
            f"/workflows/{workflow_id}",
            headers=headers,
            json={"status": "ready", "flow": APPROVAL_FLOW, "tagSet": ["soak"]},
        )
        if ready.status_code == 200:
            workflows.append(workflow_id)
    return response, 0


def update(http, headers, rng, workflows, jobs):
    if not workflows:
        return None, 0
    body = rng.choice(
        [
            {"name": f"renamed {rng.random()}"},
            {"isLocked": rng.random() < 0.5},
            {"tagSet": ["soak", str(rng.randrange(5))]},
            {"privacy": rng.choice(["private", "unlisted"])},
        ]
    )
    return http.put(f"/workflows/{rng.choice(workflows)}", headers=headers, json=body), 0


def run(http, headers, rng, workflows, jobs):
    if workflows and rng.random() < 0.5:
        response = http.put(f"/workflows/{rng.choice(workflows)}/run", headers=headers, json={})
    else:
        response = http.put("/workflows/workflow_upscaler/run", headers=headers, json={"image": "asset_photo123"})
    if response.status_code == 200:
        jobs.append(response.json()["job"]["jobId"])
        return response, 1
    return response, 0


def poll(http, headers, rng, workflows, jobs):
    if not jobs:
        return None, 0
    return http.get(f"/jobs/{rng.choice(jobs)}", headers=headers), 0


def cancel(http, headers, rng, workflows, jobs):
    if not jobs:
        return None, 0
    job = http.get(f"/jobs/{rng.choice(jobs)}", headers=headers)
    if job.status_code != 200:
        return job, 0
    running = [
        n["jobId"]
        for n in job.json()["job"]["metadata"].get("flow", [])
        if n.get("jobId") and n["status"] == "processing"
    ]
    if not running:
        return job, 0
    return http.post(f"/jobs/{running[0]}/action", headers=headers, json={"action": "cancel"}), 0


def approve(http, headers, rng, workflows, jobs):
    if not jobs:
        return None, 0
    job_id = rng.choice(jobs)
    job = http.get(f"/jobs/{job_id}", headers=headers)
    if job.status_code != 200:
        return job, 0
    body = job.json()["job"]
    waiting = [
        n["id"]
        for n in body["metadata"].get("flow", [])
        if n["type"] == "user-approval" and n["status"] == "processing"
    ]
    if not waiting:
        return job, 0
    return http.put(
        f"/workflows/{body['metadata']['workflowId']}/user-approval?projectId=proj_demo",
        headers=headers,
        json={"workflowJobId": job_id, "nodeId": waiting[0], "action": rng.choice(["approve", "approve", "reject"])},
    ), 0


def delete(http, headers, rng, workflows, jobs):
    if len(workflows) < 5:
        return None, 0
    workflow_id = workflows.pop(rng.randrange(len(workflows)))
    return http.delete(f"/workflows/{workflow_id}", headers={**headers, "Content-Type": "application/json"}), 0


def listing(http, headers, rng, workflows, jobs):
    url = rng.choice(
        [
            "/workflows?pageSize=20",
            "/workflows?status=ready&tags=soak",
            "/jobs?pageSize=20",
            "/jobs?status=in-progress",
            "/workflows/tags",
        ]
    )
    return http.get(url, headers=headers), 0


OPERATIONS = [(create, 2), (update, 3), (run, 4), (poll, 8), (cancel, 1), (approve, 2), (delete, 1), (listing, 3)]


def pages(http: httpx.Client, url: str, headers: dict[str, str], key: str) -> list[dict]:
    items, token = [], None
    while True:
        page = http.get(url + (f"&paginationToken={token}" if token else ""), headers=headers)
        assert page.status_code == 200, page.text
        items += page.json()[key]
        token = page.json().get("nextPaginationToken")
        if not token:
            return items


def check_invariants(base_url: str, control_url: str, runs: int) -> list[str]:
    problems = []
    headers = auth(KEYS[0])
    with httpx.Client(base_url=base_url, timeout=30) as http:
        http.post(control_url + "/clock/advance", json={"mode": "manual"})  # freeze time: states stop moving
        workflows = pages(http, "/workflows?pageSize=100", headers, "workflows")
        for workflow in workflows:
            if http.get(f"/workflows/{workflow['id']}", headers=headers).status_code != 200:
                problems.append(f"listed workflow {workflow['id']} is not retrievable")
        jobs = pages(http, "/jobs?pageSize=100", headers, "jobs")
        ids = [job["jobId"] for job in jobs]
        if len(ids) != len(set(ids)):
            problems.append("a job is listed twice")
        for job in jobs:
            own = http.get(f"/jobs/{job['jobId']}", headers=headers).json()["job"]
            if own["status"] != job["status"]:
                problems.append(f"job {job['jobId']} is {job['status']} in the list but {own['status']} alone")
            history = [entry["date"] for entry in own["statusHistory"]]
            if history != sorted(history) or own["statusHistory"][-1]["status"] != own["status"]:
                problems.append(f"job {job['jobId']} has a disordered statusHistory")
        workflow_jobs = sum(
            1 for job in jobs if job["jobType"] == "workflow" and "workflowJobId" not in job["metadata"]
        )
        if workflow_jobs != runs:
            problems.append(f"clients made {runs} runs but the store holds {workflow_jobs} workflow jobs")
    return problems


def soak(clients: int, seconds: float) -> dict:
    port = free_port()
    server = Server(
        "fake",
        [sys.executable, "-m", "mockserver", "serve", "--port", str(port), "--log-level", "warning", "--speed", "20"],
        port,
        "/v1/workflows/tags",
    )
    server.start()
    try:
        base_url = f"http://127.0.0.1:{port}/v1"
        queue: multiprocessing.Queue = multiprocessing.Queue()
        processes = [
            multiprocessing.Process(target=client_loop, args=(base_url, seconds, seed, queue))
            for seed in range(clients)
        ]
        for process in processes:
            process.start()
        results = [queue.get(timeout=seconds + 120) for _ in processes]
        for process in processes:
            process.join(timeout=30)
        statuses: Counter[int] = Counter()
        for result in results:
            statuses.update({int(code): count for code, count in result["statuses"].items()})
        runs = sum(result["runs"] for result in results)
        problems = check_invariants(base_url, f"http://127.0.0.1:{port}/_mock", runs)
        return {
            "requests": sum(statuses.values()),
            "statuses": dict(sorted(statuses.items())),
            "runs": runs,
            "server_errors": sum(count for code, count in statuses.items() if code >= 500),
            "problems": problems,
            "peak_rss_mib": round(server.peak_rss / 2**20),
        }
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    report = soak(args.clients, args.seconds)
    print(json.dumps(report, indent=2))
    sys.exit(1 if report["server_errors"] or report["problems"] else 0)


if __name__ == "__main__":
    main()
