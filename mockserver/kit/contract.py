"""The contract the kit holds every target to: the document shipped in the package, read with importlib.resources."""

from __future__ import annotations

from typing import Any

from mockserver.core.contract import load_contract
from mockserver.core.resources import packaged

CONTRACT = packaged("mockserver.scenario", "scenario.openapi.yaml")


def contract_document() -> dict[str, Any]:
    """The contract as parsed data, read once."""
    return load_contract(CONTRACT).document
