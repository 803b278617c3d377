"""One run's budget: what a workflow job and every sub-workflow job it starts, however deep, may use together.

No real workflow comes near it. A dry run or a run whose flow is sure to pass it is refused (400); a run
that passes it while running (a loop over another node's output, a sub-workflow changed since) fails
the node that would pass it.
"""

from __future__ import annotations

# Node runs, a for-each iteration's copies and every sub-workflow's nodes included.
MAX_NODE_RUNS = 2000
# Sub-workflow jobs (workflow nodes run, at any depth).
MAX_SUB_JOBS = 100
HINT = f"A run may use at most {MAX_NODE_RUNS} node runs and {MAX_SUB_JOBS} sub-workflow jobs."


def over_budget(node_runs: int, sub_jobs: int) -> str | None:
    """Why a run using ``node_runs`` and ``sub_jobs`` in all passes its budget, or None when it does not."""
    if sub_jobs > MAX_SUB_JOBS:
        return f"would pass the run's budget of {MAX_SUB_JOBS} sub-workflow jobs"
    if node_runs > MAX_NODE_RUNS:
        return f"would pass the run's budget of {MAX_NODE_RUNS} node runs"
    return None
