"""Assets a fixtures folder seeds: ids the documented examples use, each a real, small file of its kind."""

from __future__ import annotations

from typing import Any

from mockserver.core.clock import fixture_date
from mockserver.scenario.assets.files import uploaded_type
from mockserver.scenario.assets.models import ASSET_KINDS, Asset
from mockserver.scenario.jobs.samples import sample_file

_FIELDS = frozenset({"id", "ownerId", "authorId", "kind", "name", "createdAt"})


def asset_from_fixture(record: Any, started_at: str) -> Asset:
    """The asset a fixture record describes: an upload of its project whose bytes are its kind's sample file.

    Raises ``ValueError`` as "FIELD: PROBLEM" on an unknown field, a missing or mistyped one, or a bad date.
    """
    if not isinstance(record, dict):
        raise ValueError("asset: must be a mapping")
    unknown = sorted(set(record) - _FIELDS)
    if unknown:
        raise ValueError(f"{unknown[0]}: unknown field; known: {', '.join(sorted(_FIELDS))}")
    asset_id, owner_id = _text(record, "id"), _text(record, "ownerId")
    if not asset_id.startswith("asset_"):
        raise ValueError(f"id: {asset_id!r} must start with asset_")
    kind = record.get("kind", "image")
    if kind not in ASSET_KINDS:
        raise ValueError(f"kind: {kind!r} is not one of {', '.join(ASSET_KINDS)}")
    created_at = fixture_date("createdAt", record.get("createdAt", started_at))
    sample = sample_file(kind)  # its MIME type and extension; the file is made when it is read
    return Asset(
        asset_id=asset_id,
        owner_id=owner_id,
        author_id=_text(record, "authorId") if "authorId" in record else "user_scenario",
        kind=kind,
        asset_type=uploaded_type(kind),
        source=uploaded_type(kind),
        mime_type=sample.media_type,
        size=None,
        created_at=created_at,
        updated_at=created_at,
        name=_text(record, "name") if "name" in record else f"{asset_id}.{sample.extension}",
    )


def _text(record: dict[str, Any], name: str) -> str:
    value = record.get(name)
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name}: {'is required' if value is None else f'must be a non-empty string, got {value!r}'}")
    return value
