"""The hostile-input invariants of tests/hostile/ (test_invariants.py, test_in_flight.py, test_memory.py), for
longer than CI runs them.

    .venv/bin/python bench/hostile.py [--examples 5000] [--seed 7] [--memory-rounds 2000]

Each property (bodies, run inputs, flows, credentials) tries ``--examples`` generated cases instead of
CI's 25, with a seed of its own instead of CI's fixed derandomized run: no 5xx, every answer within 10 s,
the state always dumps and restores, what a run creates stays within its budget, and a probe is answered
within the bound while that work is in flight (half as many examples). The memory check
sends ``--memory-rounds`` rounds of stateless hostile requests after as many to fill the caches, instead
of CI's 150, and fails if they kept memory. Exits non-zero with Hypothesis's smallest failing case when an
invariant breaks.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=5000, help="generated cases per property")
    parser.add_argument("--seed", type=int, default=None, help="Hypothesis seed (random when not given)")
    parser.add_argument("--memory-rounds", type=int, default=2000, help="rounds of the memory check, each half")
    args = parser.parse_args()
    env = {
        **os.environ,
        "MOCKSERVER_HOSTILE_EXAMPLES": str(args.examples),
        "MOCKSERVER_HOSTILE_MEMORY_ROUNDS": str(args.memory_rounds),
    }
    tests = ["tests/hostile/test_invariants.py", "tests/hostile/test_in_flight.py", "tests/hostile/test_memory.py"]
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests]
    if args.seed is not None:
        command.append(f"--hypothesis-seed={args.seed}")
    return subprocess.call(command, cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main())
