"""The state file (``serve --state-file``): where it is written, what a crash leaves, and plain errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

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
