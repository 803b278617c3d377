"""The whole state of a fake as JSON, to snapshot and restore it, and to keep it in a file across restarts.

A snapshot holds what makes the fake's future: the clock, where the id sequence
stands, every workflow, job (with its node runs) and asset, the simulation's
scheduled events, queues and slots, the orchestrator API's workflows and their
scheduled step attempts, the fault rules (with how often each fired) and the
webhooks with their delivery log. Restoring it brings a fake, this one or a
fresh one, back to that moment: the same reads answer the same, and the
simulation goes on exactly as it would have. The request journal and the rate
limiter's counts are observations, not state, and are left out.

Each part writes and reads its own keys; this module composes them. Restoring
parses every part before it changes anything: a malformed document is a
:class:`BadRequest` naming what is wrong and where, and the fake is left as it
was. The events of the one scheduler are written in the parts that own them,
with the scheduler's next sequence number in each (``simulation.nextSeq`` and
``orchestrator.nextSeq``); the larger is read back.
"""

from __future__ import annotations

import gc
import glob
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from mockserver.core.errors import BadRequest
from mockserver.core.records import decode_records, json_object, unique_ids
from mockserver.scenario.state import RECORD_LISTS

if TYPE_CHECKING:
    from mockserver.server.fake import Fake

VERSION = 1


def snapshot(fake: Fake) -> dict[str, Any]:
    with fake.lock:
        fake.advance()
        return {
            "version": VERSION,
            # The setting the answers depend on, for whoever reads the state; restore leaves the fake's own.
            "apiProfile": fake.settings.api_profile,
            "clock": fake.clock.snapshot(),
            "ids": fake.ids.snapshot(),
            **fake.scenario.snapshot(),
            "faults": fake.faults.snapshot(),
            "webhooks": fake.webhooks.snapshot(),
            "orchestrator": fake.orchestrator.snapshot(),
        }


def restore(fake: Fake, data: Any) -> None:
    """Parse every part of the document, then put them all in place: a malformed part changes nothing."""
    document = json_object(data, "the state")
    if document.get("version") != VERSION:
        raise BadRequest(f"version must be {VERSION}")
    clock = fake.clock.parse_snapshot(document.get("clock"))
    ids = fake.ids.parse_snapshot(document.get("ids"))
    scenario = fake.scenario.parse_snapshot(document)
    faults = fake.faults.parse_snapshot(document.get("faults"))
    webhooks = fake.webhooks.parse_snapshot(document.get("webhooks"))
    orchestrator = fake.orchestrator.parse_snapshot(document.get("orchestrator"))
    unique_ids((rule.id for rule in faults.rules), "faults.rules")
    unique_ids((webhook.id for webhook in webhooks.webhooks), "webhooks.webhooks")
    unique_ids((delivery.id for delivery in webhooks.deliveries), "webhooks.deliveries")
    unique_ids((pipeline.id for pipeline in orchestrator.pipelines), "orchestrator.workflows")
    with fake.lock:
        fake.clock.restore(clock)
        fake.ids.restore(ids)
        fake.scheduler.reset()
        fake.scenario.restore(scenario)
        fake.orchestrator.restore(orchestrator)
        fake.faults.restore(faults)
        fake.webhooks.restore(webhooks)


# ---- the state file


def state_path(path: Path) -> Path:
    """Where the state is really kept: ``~`` expanded, and a symbolic link followed to the file it names (so
    the link stays a link, and its target is what is written)."""
    return Path(os.path.realpath(Path(path).expanduser()))


def check_state_path(path: Path) -> None:
    """ValueError saying plainly why the state cannot be kept at ``path`` (a folder, no folder to write
    in, no permission), before the fake starts rather than at its shutdown."""
    target = state_path(path)
    if target.is_dir():
        raise ValueError(f"state file {path} is a folder; name a file in it, e.g. {Path(path) / 'state.json'}")
    folder = target.parent
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"state file {path} cannot be created: {folder} is not a folder")
    existing = next((p for p in (folder, *folder.parents) if p.exists()), None)
    if existing is None or not os.access(existing, os.W_OK | os.X_OK):
        raise ValueError(f"state file {path} cannot be written: no permission to write in {existing or folder}")
    if target.exists() and not os.access(target, os.R_OK):
        raise ValueError(f"state file {path} cannot be read: no permission")


def remove_stale_temporaries(path: Path) -> list[Path]:
    """Delete the temporary files a save killed mid-write left beside the state file; the ones deleted."""
    target = state_path(path)
    if not target.parent.is_dir():
        return []
    stale = [p for p in target.parent.glob(f".{glob.escape(target.name)}.*.tmp") if p.is_file()]
    for leftover in stale:
        leftover.unlink(missing_ok=True)
    return stale


def save_file(fake: Fake, path: Path) -> None:
    """Write the state atomically: a reader, or a crash mid-write, sees the old file or the new, never half."""
    path = state_path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(fake.snapshot(), separators=(",", ":"))
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def load_file(fake: Fake, path: Path) -> bool:
    """Restore the state saved in ``path``; False if there is no such file yet. ValueError if it is unusable."""
    target = state_path(path)
    if not target.exists():
        return False
    try:
        with _collector_paused():
            fake.restore(_decoded(target.read_bytes()))
    except (ValueError, RecursionError, BadRequest) as error:
        reason = error.message if isinstance(error, BadRequest) else str(error)
        raise ValueError(f"state file {path} cannot be loaded: {reason}") from None
    except OSError as error:
        raise ValueError(f"state file {path} cannot be read: {error.strerror or error}") from None
    return True


def _decoded(text: bytes) -> dict[str, Any]:
    """The state file's document, its lists of records already read as records (restore takes them as they
    are): read from the text, they cost half what they would as dictionaries read again as records."""
    try:
        parts = msgspec.json.decode(text, type=dict[str, msgspec.Raw])
    except msgspec.ValidationError:
        raise BadRequest("the state must be a JSON object") from None
    return {
        key: decode_records(RECORD_LISTS[key], part, key) if key in RECORD_LISTS else msgspec.json.decode(part)
        for key, part in parts.items()
    }


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Without the cyclic collector: a large state makes millions of objects at once, and each full
    collection on the way walks all of them again (a third of a load's time at 100,000 jobs). The objects
    made are then frozen, moved out of the collector's sight as ``serve`` does with its startup heap: left
    young, the first collection after would walk them all once more (a second of CPU at 100,000 jobs)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
