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

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mockserver.core.errors import BadRequest
from mockserver.core.records import json_object

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
    with fake.lock:
        fake.clock.restore(clock)
        fake.ids.restore(ids)
        fake.scheduler.reset()
        fake.scenario.restore(scenario)
        fake.orchestrator.restore(orchestrator)
        fake.faults.restore(faults)
        fake.webhooks.restore(webhooks)


# ---- the state file


def save_file(fake: Fake, path: Path) -> None:
    """Write the state atomically: a reader, or a crash mid-write, sees the old file or the new, never half."""
    path = Path(path)
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
    path = Path(path)
    if not path.exists():
        return False
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        fake.restore(data)
    except (ValueError, BadRequest) as error:
        reason = error.message if isinstance(error, BadRequest) else str(error)
        raise ValueError(f"state file {path} cannot be loaded: {reason}") from None
    return True
