"""The stateful walk: sequences of calls along the contract's links.

A workflow is created, published with a flow and made ready, run; its job is polled,
its review step decided, its node job or itself cancelled; a deleted workflow must
answer 404. On a fake the kit made, every such milestone must be reached.
"""

import pytest

from mockserver.kit.suite import SuiteOptions


def test_the_walk_keeps_the_contract(kit):
    kit.walk()


def test_the_walk_reaches_every_milestone(kit):
    if not kit.target.is_fake:
        pytest.skip("a live target's data decides which milestones a walk can reach")
    if kit.options.scenarios < SuiteOptions.scenarios:
        pytest.skip(f"{kit.options.scenarios} scenarios are too few to expect every milestone")
    assert kit.walk_log.scenarios, "the walk did not run"
    assert not kit.walk_log.missing(), f"the walk never reached: {kit.walk_log.missing()}"
