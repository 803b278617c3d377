"""Every operation of the contract, fuzzed with every schemathesis check on.

Each operation is one test: its examples, the coverage phase (boundaries, missing and
wrong parameters, missing auth, unexpected methods) and fuzzed cases, positive and
negative. On a live target only what the kit's safety policy allows is sent.
"""

from mockserver.kit.suite import current

schema = current().schema


@schema.parametrize()
def test_operation_keeps_the_contract(case, kit):
    kit.call_and_validate(case)
