"""The orchestrator contract, fuzzed against the fake in process: every operation with every check, then walks
along its links (create, start, cancel, resume, cleanup, get) with the state they build."""

from __future__ import annotations

import hypothesis
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.stateful import run_state_machine_as_test

from mockserver.kit import orchestrator_rules
from mockserver.server.app import create_app
from mockserver.server.fake import Fake
from mockserver.server.settings import ORCHESTRATOR_CONTRACT, Settings

CONFIG = {
    "generation": {"max-examples": 30, "database": "none", "deterministic": True},
    "phases": {"stateful": {"max-steps": 12}},
    "suppress-health-check": ["all"],
    "auth": {"openapi": {"HTTPBearer": {"bearer": "token_alice"}}},
    **orchestrator_rules.config(),
}

fake = Fake(Settings(clock_mode="manual"))
schema = schemathesis.openapi.from_path(ORCHESTRATOR_CONTRACT, config=SchemathesisConfig.from_dict(CONFIG))
schema.app = create_app(fake)
orchestrator_rules.register(schema)


@schema.parametrize()
def test_operation_keeps_the_contract(case):
    case.call_and_validate()


class Walk(schema.as_state_machine()):  # type: ignore[misc]
    def setup(self):
        super().setup()
        # So that walks also meet failed and paused workflows, which are the ones resume accepts.
        fake.faults.add({"kind": "step-failure", "match": {"taskType": "REFINE"}, "error": "Walk failure"})
        fake.faults.add({"kind": "pause", "match": {"taskType": "UPSCALE"}, "count": 1})

    def after_call(self, response, case):
        super().after_call(response, case)
        fake.clock.advance(4)  # steps move on between calls: walks meet running, finished and failed workflows

    def teardown(self):
        fake.reset()
        super().teardown()


def test_walks_along_the_links_keep_the_contract():
    settings = hypothesis.settings(
        schema.config.get_hypothesis_settings(phase="stateful"),
        max_examples=40,
        stateful_step_count=12,
        phases=[hypothesis.Phase.generate],
        deadline=None,
    )
    run_state_machine_as_test(Walk, settings=settings)


def test_the_fake_answered_within_its_contract():
    assert not [
        (e.method, e.path, e.status, e.response_violations) for e in fake.journal.entries() if e.response_violations
    ]
