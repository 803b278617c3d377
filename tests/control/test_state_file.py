"""The state file (``serve --state-file``): where it is written, what a crash leaves, and plain errors."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mockserver.core.principals import Principal
from mockserver.server.fake import Fake
from mockserver.server.settings import Settings
from mockserver.server.state import check_state_path, load_file, remove_stale_temporaries, save_file


@pytest.fixture
def fake() -> Fake:
    return Fake(Settings(clock_mode="manual"))


def test_a_symbolic_link_stays_a_link_and_its_target_is_written(tmp_path: Path, fake: Fake) -> None:
    target = tmp_path / "kept" / "state.json"
    target.parent.mkdir()
    target.write_text("{}")
    link = tmp_path / "state.json"
    link.symlink_to(target)
    fake.advance(5)
    save_file(fake, link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    fresh = Fake(Settings(clock_mode="manual"))
    assert load_file(fresh, link) and fresh.snapshot()["clock"] == fake.snapshot()["clock"]


def test_a_tilde_means_the_home_folder(tmp_path: Path, fake: Fake, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    save_file(fake, Path("~/fake/state.json"))
    assert (tmp_path / "fake" / "state.json").is_file()
    assert not (Path.cwd() / "~").exists()
    assert load_file(Fake(Settings(clock_mode="manual")), Path("~/fake/state.json"))


def test_temporaries_a_killed_save_left_are_removed_and_others_kept(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    stale = [tmp_path / ".state.json.abc123.tmp", tmp_path / ".state.json.x.tmp"]
    for leftover in stale:
        leftover.write_text("{half")
    unrelated = tmp_path / ".other.json.abc.tmp"
    unrelated.write_text("keep")
    assert sorted(remove_stale_temporaries(path)) == sorted(stale)
    assert not any(leftover.exists() for leftover in stale) and unrelated.exists()


def test_a_folder_or_a_file_in_the_way_is_a_plain_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="is a folder"):
        check_state_path(tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ValueError, match="is not a folder"):
        check_state_path(blocker / "state.json")
    check_state_path(tmp_path / "new" / "state.json")  # a folder that does not exist yet is made on save


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_folder_without_permission_is_a_plain_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(ValueError, match="no permission"):
        check_state_path(locked / "state.json")


def test_serve_refuses_a_folder_as_state_file_without_a_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mockserver", "serve", "--port", "0", "--state-file", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "is a folder" in result.stderr and "Traceback" not in result.stderr


def _busy(fake: Fake) -> None:
    alice = Principal("user_alice", "proj_demo", "editor")
    fake.scenario.jobs.run(alice, "workflow_product_shot", {"prompt": "lamp"}, False)
    fake.scenario.jobs.run(alice, "workflow_upscaler", {"image": "asset_photo"}, False)
    fake.advance(7)


def test_a_saved_state_loads_back_as_it_was(tmp_path: Path, fake: Fake) -> None:
    _busy(fake)
    save_file(fake, tmp_path / "state.json")
    fresh = Fake(Settings(clock_mode="manual"))
    assert load_file(fresh, tmp_path / "state.json")
    assert fresh.snapshot() == fake.snapshot()
    fresh.advance(600)
    fake.advance(600)
    assert fresh.snapshot() == fake.snapshot()


def _job_field(name: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(state: dict[str, Any]) -> None:
        state["jobs"][0][name] = value

    return mutate


def _node_without_definition(state: dict[str, Any]) -> None:
    del state["jobs"][0]["nodes"][0]["definition"]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (_job_field("status", 5), "jobs[0].status must be a string"),
        (_job_field("status", "exploded"), "jobs[0].status must be one of"),
        (_job_field("surprise", 1), "jobs[0]: unknown field surprise"),
        (_job_field("startedAt", "2026-01-02T03:04:05"), "jobs[0].startedAt must be an ISO-8601 date with its offset"),
        (_job_field("statusHistory", [["2026-01-02T03:04:05Z"]]), "jobs[0].statusHistory[0] must be a list of 2"),
        (_job_field("nodes", 3), "jobs[0].nodes must be a list or null"),
        (_node_without_definition, "jobs[0].nodes[0].definition is required"),
    ],
)
def test_a_file_whose_records_are_wrong_names_the_field_and_changes_nothing(
    tmp_path: Path, fake: Fake, mutate: Callable[[dict[str, Any]], None], message: str
) -> None:
    _busy(fake)
    state = fake.snapshot()
    mutate(state)
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state))
    fresh = Fake(Settings(clock_mode="manual"))
    before = fresh.snapshot()
    with pytest.raises(ValueError, match=re.escape(message)):
        load_file(fresh, path)
    assert fresh.snapshot() == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"[1, 2]", "the state must be a JSON object"),
        (b'{"version": 1, "jobs": [', "cannot be loaded"),
        (b'{"version": 1, "jobs": ["\\ud800"]}', "cannot be loaded"),
        (b'{"version": 1, "clock": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "cannot be loaded"),
        (b'{"version": 1, "jobs": [{"jobId": 1e400}]}', "cannot be loaded"),
        (b"\xff\xfe", "cannot be loaded"),
    ],
)
def test_a_file_that_is_not_a_state_is_a_plain_error(tmp_path: Path, fake: Fake, text: bytes, message: str) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(text)
    before = fake.snapshot()
    with pytest.raises(ValueError, match=re.escape(message)):
        load_file(fake, path)
    assert fake.snapshot() == before
