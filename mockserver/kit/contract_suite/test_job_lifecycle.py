"""The job lifecycle: a dry run, then a real run where spending is allowed, its job polled to the end.

Statuses must follow the documented graph, progress never decrease, statusHistory stay
ordered and hold what was observed, and node statuses agree with the job's.
"""

import pytest

from mockserver.kit.suite import current

RUNS = current().lifecycles()


@pytest.mark.parametrize(("workflow_id", "inputs", "decision"), RUNS, ids=[f"{w}-{d}" for w, _, d in RUNS])
def test_job_follows_the_documented_lifecycle(kit, workflow_id, inputs, decision):
    run = kit.lifecycle(workflow_id, inputs, decision)
    assert not run.problems, "\n".join(run.problems)
