"""What a workflow job is billed when it ends: the work it did, priced as the cost model prices it.

While the job runs, its ``billing.cuCost`` is the dry run's estimate for the same inputs; when it
ends, the amount is settled to::

    bill(J) = max(0, ceil(work(J)))

    work(J) = workflows[W] * impact(J)          when the price table lists J's workflow W and J succeeded
            = 0                                 when it lists W and J did not succeed
            = sum over J's node runs r that ended success of
                  (node_price(r) + work(sub-workflow job of r)) * impact(J)     otherwise

where ``impact(J)`` is the input impact of J's run values (see :mod:`cost`). Every run of a node
counts once, a for-each iteration's copy included; a node that ended ``skipped`` (the untaken branch
of an if-else, an unmatched ``ref.conditional``, what follows a failure) did no work and costs
nothing, and neither does one that failed, which is refunded. A sub-workflow's work is billed on the
job whose ``workflow`` node ran it.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from mockserver.scenario.jobs.cost import CostTable, node_price, round_up
from mockserver.scenario.jobs.models import Job, NodeRun

JobFinder = Callable[[str], Job | None]


def bill(job: Job, status: str, table: CostTable, find_job: JobFinder) -> int:
    """The whole CU amount ``job``, ending ``status``, is billed."""
    return round_up(_work(job, status, table, find_job))


def _work(job: Job, status: str, table: CostTable, find_job: JobFinder) -> float:
    fixed_price = table.workflows.get(job.workflow_id or "")
    if fixed_price is not None:
        flow = float(fixed_price) if status == "success" else 0.0
    else:
        # fsum is exact, as in the estimate, so the amount does not depend on the order the nodes ran in.
        flow = math.fsum(_run_cost(run, table, find_job) for run in job.nodes or () if run.status == "success")
    return flow * job.cost_factor


def _run_cost(run: NodeRun, table: CostTable, find_job: JobFinder) -> float:
    price = node_price(run.definition, table)
    sub_job = find_job(run.job_id) if run.type == "workflow" and run.job_id else None
    if sub_job is not None:
        price += _work(sub_job, sub_job.status, table, find_job)
    return price
