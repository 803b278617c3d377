"""A short soak in CI: four client processes against one real server, then every invariant."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SOAK = Path(__file__).resolve().parents[2] / "bench" / "soak.py"


def load_soak():
    spec = importlib.util.spec_from_file_location("soak", SOAK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_four_clients_mixing_every_operation_break_nothing():
    report = load_soak().soak(clients=4, seconds=8)
    assert report["requests"] > 500
    assert report["runs"] > 50
    assert report["server_errors"] == 0, report["statuses"]
    assert report["problems"] == []
