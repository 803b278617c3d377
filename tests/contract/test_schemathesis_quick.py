"""Every operation of the contract, fuzzed against the fake in process."""

from __future__ import annotations

import base64

import schemathesis
from hypothesis import HealthCheck, settings

from mockserver.fake import Fake
from mockserver.http.app import create_app
from mockserver.kit import rules
from mockserver.settings import DEFAULT_CONTRACT, Settings

fake = Fake(Settings(clock_mode="instant"))
schema = schemathesis.openapi.from_path(DEFAULT_CONTRACT)
schema.app = create_app(fake)
rules.register(schema)
AUTH = {"Authorization": "Basic " + base64.b64encode(b"key_alice:secret_alice").decode()}


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_operation_keeps_the_contract(case):
    case.call_and_validate(headers=AUTH)
