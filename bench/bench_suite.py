"""Contract suite throughput: generated cases a second of the stateless suite against a fake in process.

    .venv/bin/python bench/bench_suite.py [--examples 10 50] [--rounds 3]

Runs ``mockserver kit check --fake in-process --only operations`` (every
operation fuzzed with every schemathesis check on) at each number of fuzzed
examples per operation, several rounds, and reports the median wall time, the
cases the suite sent, and cases a second. The rate between the smallest and the
largest run leaves out what every run pays once (pytest, loading the contract).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _harness import ROOT, print_table


def run_suite(examples: int) -> tuple[float, int]:
    """Wall seconds of one run of the stateless suite, and the cases it sent."""
    with tempfile.TemporaryDirectory() as folder:
        results = Path(folder) / "results.json"
        command = [sys.executable, "-m", "mockserver", "kit", "check", "--fake", "in-process", "--only", "operations"]
        command += ["--examples", str(examples), "--results", str(results)]
        started = time.perf_counter()
        completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        if completed.returncode != 0:
            output = completed.stdout[-3000:] + completed.stderr[-3000:]
            sys.exit(f"the suite failed at --examples {examples}:\n{output}")
        return elapsed, json.loads(results.read_text())["cases"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    runs: dict[int, list[tuple[float, int]]] = {examples: [] for examples in args.examples}
    for _ in range(args.rounds):
        for examples in args.examples:
            runs[examples].append(run_suite(examples))
    rows = []
    medians = {}
    for examples, samples in runs.items():
        seconds = statistics.median(elapsed for elapsed, _ in samples)
        cases = int(statistics.median(cases for _, cases in samples))
        medians[examples] = (seconds, cases)
        rows.append([examples, cases, f"{seconds:.1f}", f"{cases / seconds:.0f}"])
    print_table(["examples per operation", "cases sent", "wall s", "cases/s"], rows)
    low, high = min(medians), max(medians)
    if high != low:
        extra_cases = medians[high][1] - medians[low][1]
        extra_seconds = medians[high][0] - medians[low][0]
        print(f"\nbetween the two: {extra_cases / extra_seconds:.0f} cases/s once the suite is loaded")


if __name__ == "__main__":
    main()
