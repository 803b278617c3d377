"""In-process cost: a fresh fake, and one SDK call through the in-process transports.

    .venv/bin/python bench/bench_inprocess.py [--rounds 2000]

Targets: a fresh fake in under 5 ms; one in-process SDK call under 1 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import httpx
from scenario_sdk import AsyncScenario, Scenario

from mockserver.core.transport import SyncASGITransport
from mockserver.server.app import create_app
from mockserver.server.fake import Fake
from mockserver.server.settings import Settings


def per_call_ms(action, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def fresh_fake_ms(rounds: int) -> float:
    settings = Settings(clock_mode="manual")
    Fake(settings)  # the first one parses the fixtures and compiles nothing yet
    return per_call_ms(lambda: create_app(Fake(settings)), rounds)


def sync_call_ms(rounds: int) -> float:
    transport = SyncASGITransport(create_app(Fake(Settings(clock_mode="manual"))))
    client = Scenario(
        base_url="http://fake/v1",
        api_key="key_alice",
        api_secret="secret_alice",
        http_client=httpx.Client(transport=transport),
    )
    try:
        client.workflows.retrieve("workflow_bg_remover")
        return per_call_ms(lambda: client.workflows.retrieve("workflow_bg_remover"), rounds)
    finally:
        transport.close()


def async_call_ms(rounds: int) -> float:
    app = create_app(Fake(Settings(clock_mode="manual")))

    async def measure() -> float:
        client = AsyncScenario(
            base_url="http://fake/v1",
            api_key="key_alice",
            api_secret="secret_alice",
            http_client=httpx.AsyncClient(transport=httpx.ASGITransport(app=app)),
        )
        await client.workflows.retrieve("workflow_bg_remover")
        samples = []
        for _ in range(rounds):
            started = time.perf_counter()
            await client.workflows.retrieve("workflow_bg_remover")
            samples.append(time.perf_counter() - started)
        await client.close()
        return statistics.median(samples) * 1000

    return asyncio.run(measure())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args()
    rows = [
        ("fresh fake and app", fresh_fake_ms(args.rounds // 4), 5.0),
        ("one SDK call, sync client, in process", sync_call_ms(args.rounds), 1.0),
        ("one SDK call, async client, in process", async_call_ms(args.rounds), 1.0),
    ]
    print(f"{'measure':<42}{'median':>12}{'target':>10}")
    for name, value, target in rows:
        print(f"{name:<42}{value:>9.3f} ms{'< ' + str(target) + ' ms':>10}")


if __name__ == "__main__":
    main()
