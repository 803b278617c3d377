"""The fake side by side with Stoplight Prism and a bare Starlette app, under the same load.

    .venv/bin/python bench/compare_prism.py [--rounds 3] [--seconds 5] [--http h11]

Installs wrk (Debian) and Prism (npm, into bench/.tools) when missing, starts
the three servers on loopback ports, and loads them alternately, round after
round, with wrk at 32 connections. Reports medians over the rounds of
requests/s and p50/p99 latency per operation, the time to the first answer
after start, peak resident memory, and the ratio fake/Prism.
"""

from __future__ import annotations

import argparse
import base64
import json
import statistics
import sys
import urllib.request
from dataclasses import dataclass

from _harness import ROOT, Load, Server, ensure_prism, free_port, print_table, wrk, wrk_script

AUTH = "Basic " + base64.b64encode(b"key_alice:secret_alice").decode()
CONTRACT = ROOT / "contracts" / "scenario.openapi.yaml"
PYTHON = sys.executable


@dataclass
class Target:
    label: str
    method: str
    path: str
    body: str | None = None


def targets(job_id: str) -> list[Target]:
    return [
        Target("GET /workflows/{id}", "GET", "/workflows/workflow_bg_remover"),
        Target("GET /workflows?pageSize=50", "GET", "/workflows?privacy=public&pageSize=50"),
        Target(
            "PUT /workflows/{id}/run?dryRun=true",
            "PUT",
            "/workflows/workflow_bg_remover/run?dryRun=true",
            '{"image":"asset_photo123"}',
        ),
        Target("GET /jobs/{id}", "GET", f"/jobs/{job_id}"),
    ]


def servers(http: str) -> dict[str, Server]:
    """The three servers; with ``http="h11"`` the fake and the bare app run under plain uvicorn (h11, asyncio)."""
    fake_port, prism_port, bare_port = free_port(), free_port(), free_port()
    prism = ensure_prism()
    plain = ["--http", "h11", "--loop", "asyncio"] if http == "h11" else []
    fake_command = [PYTHON, "-m", "mockserver", "serve", "--port", str(fake_port), "--log-level", "warning"]
    if http == "h11":
        fake_command = [PYTHON, "-m", "uvicorn", "mockserver.server.app:create_app", "--factory", *plain]
        fake_command += ["--port", str(fake_port), "--log-level", "warning", "--no-access-log"]
    return {
        "fake": Server("fake", fake_command, fake_port, "/v1/workflows/tags"),
        "prism": Server(
            "prism",
            [str(prism), "mock", str(CONTRACT), "-p", str(prism_port), "-v", "error"],
            prism_port,
            "/workflows/tags",
        ),
        "starlette": Server(
            "starlette",
            [
                PYTHON,
                "-m",
                "uvicorn",
                "bare_starlette:app",
                "--port",
                str(bare_port),
                "--log-level",
                "warning",
                "--no-access-log",
                "--app-dir",
                str(ROOT / "bench"),
                *plain,
            ],
            bare_port,
            "/",
        ),
    }


def base_url(name: str, server: Server) -> str:
    return f"http://127.0.0.1:{server.port}" + ("/v1" if name == "fake" else "")


def start_a_job(fake: Server) -> str:
    request = urllib.request.Request(
        base_url("fake", fake) + "/workflows/workflow_bg_remover/run",
        method="PUT",
        data=b'{"image":"asset_photo123"}',
        headers={"Authorization": AUTH, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:
        return json.load(response)["job"]["jobId"]


def load(name: str, server: Server, target: Target, seconds: int) -> Load:
    headers = {"Authorization": AUTH}
    if target.body is not None:
        headers["Content-Type"] = "application/json"
    script = wrk_script(target.method, headers, target.body)
    path = target.path if name != "starlette" else target.path.split("?")[0]
    return wrk(base_url(name, server) + path, script, seconds=seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--http", choices=["httptools", "h11"], default="httptools", help="h11: plain uvicorn")
    args = parser.parse_args()
    running = servers(args.http)
    try:
        for server in running.values():
            server.start()
        job_id = start_a_job(running["fake"])
        results: dict[tuple[str, str], list[Load]] = {}
        for _ in range(args.rounds):
            for target in targets(job_id):
                for name, server in running.items():
                    if name == "starlette" and target.label != "GET /workflows/{id}":
                        continue
                    results.setdefault((name, target.label), []).append(load(name, server, target, args.seconds))
        report(running, results, targets(job_id))
    finally:
        for server in running.values():
            server.stop()


def median(loads: list[Load], field: str) -> float:
    return statistics.median(getattr(item, field) for item in loads)


def report(running: dict[str, Server], results: dict[tuple[str, str], list[Load]], order: list[Target]) -> None:
    rows = []
    for target in order:
        for name in running:
            loads = results.get((name, target.label))
            if not loads:
                continue
            prism = results[("prism", target.label)]
            ratio = median(loads, "requests_per_second") / median(prism, "requests_per_second")
            rows.append(
                [
                    target.label,
                    name,
                    f"{median(loads, 'requests_per_second'):.0f}",
                    f"{median(loads, 'p50_ms'):.2f}",
                    f"{median(loads, 'p99_ms'):.2f}",
                    f"{ratio:.2f}x",
                    sum(item.errors for item in loads),
                ]
            )
    print_table(["operation", "server", "req/s", "p50 ms", "p99 ms", "vs Prism", "socket errors"], rows)
    print()
    print_table(
        ["server", "first answer after start", "peak RSS"],
        [
            [name, f"{server.ready_seconds:.2f} s", f"{server.peak_rss / 2**20:.0f} MiB"]
            for name, server in running.items()
        ],
    )


if __name__ == "__main__":
    main()
