"""The kit reaches a target only through a transport: it imports nothing of the server nor the entry points."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from kit_support import ROOT

import mockserver.kit
from mockserver.kit.serving import lifespan
from mockserver.kit.target import open_target
from mockserver.server.app import kit_app

FORBIDDEN = ("mockserver.server", "mockserver.testing", "mockserver.cli", "mockserver.pytest_plugin")
KIT = Path(mockserver.kit.__file__).parent


def _forbidden(name: str) -> bool:
    return any(name == forbidden or name.startswith(forbidden + ".") for forbidden in FORBIDDEN)


def imported_names(source: Path) -> list[str]:
    """Every module a file imports, at its top or inside a function; ``from mockserver import x`` as mockserver.x."""
    names = []
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def test_no_kit_module_imports_the_server_or_an_entry_point():
    files = sorted(KIT.rglob("*.py"))
    assert len(files) > 10
    found = {f"{path.relative_to(KIT)}: {name}" for path in files for name in imported_names(path) if _forbidden(name)}
    assert not found, sorted(found)


def test_importing_every_kit_module_loads_none_of_them():
    modules = [
        "mockserver.kit." + ".".join(path.relative_to(KIT).with_suffix("").parts)
        for path in sorted(KIT.glob("*.py"))
        if path.stem != "__init__"
    ]
    program = "\n".join(
        [
            "import importlib, sys",
            *[f"importlib.import_module({module!r})" for module in modules],
            "print('\\n'.join(sorted(sys.modules)))",
        ]
    )
    done = subprocess.run([sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    loaded = done.stdout.split()
    assert "mockserver.kit.suite" in loaded
    assert [name for name in loaded if _forbidden(name)] == []


def test_a_kit_made_fake_is_closed_when_its_lifespan_ends(monkeypatch):
    app = kit_app()
    closed: list[bool] = []
    monkeypatch.setattr(app.state.fake, "close", lambda: closed.append(True))
    with lifespan(app):
        assert closed == []
    assert closed == [True]


def test_an_asgi_target_without_a_control_plane_cannot_move_time():
    with open_target("asgi:mutants:not_a_fake") as target, target.client() as client:
        assert client.get("/workflows").text == "ok"
        assert not target.can_move_time and not target.advance_clock(5) and not target.reset()


def test_the_kit_moves_a_fakes_clock_through_its_control_plane():
    with open_target("in-process") as target, target.client() as client:
        before = target.get_control("/clock").json()["now"]
        assert target.advance_clock(90)
        assert target.get_control("/clock").json()["now"] > before
        created = client.post("/workflows", json={"name": "gone after the reset", "description": "made by the test"})
        assert created.status_code == 200, created.text
        assert target.reset()
        assert client.get(f"/workflows/{created.json()['workflow']['id']}").status_code == 404
