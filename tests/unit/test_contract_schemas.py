"""The contract's schemas: compiled on first use, each referring into one registry of the contract rather than
carrying a copy of it, and checking as the contract says, references included."""

from __future__ import annotations

from pathlib import Path

import mockserver
from mockserver.core.contract import Contract, Definitions, Schema, load_contract

SCENARIO = Path(mockserver.__file__).parent / "scenario" / "scenario.openapi.yaml"


def _response_schemas(contract: Contract) -> list[Schema]:
    return [
        schema
        for operation in contract.operations
        for schema in operation.responses.values()
        if isinstance(schema, Schema)
    ]


def test_every_schema_of_a_contract_compiles_against_the_one_registry(monkeypatch) -> None:
    made = []
    registry = Definitions.registry

    def counted(self: Definitions) -> object:
        found = registry(self)
        made.append(id(found))
        return found

    monkeypatch.setattr(Definitions, "registry", counted)
    contract = Contract(load_contract(SCENARIO).document)  # its own schemas, none compiled yet
    schemas = {id(schema): schema for schema in _response_schemas(contract)}  # responses may share one
    assert len(schemas) > 20
    for schema in schemas.values():
        schema.problems({})
    assert len(made) == len(schemas) and len(set(made)) == 1


def test_references_into_the_contract_are_followed() -> None:
    contract = load_contract(SCENARIO)
    schema = contract.by_id["getWorkflow"].responses["200"]
    assert isinstance(schema, Schema)
    problems = schema.problems({"workflow": {"id": 5}}, limit=100)
    assert problems and all(pointer.startswith("/workflow") for pointer, _ in problems), problems
    assert any("/workflow/id" == pointer for pointer, _ in problems), problems
