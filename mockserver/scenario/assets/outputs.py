"""The asset a job's node makes: a record of the job's project, whose bytes are the sample file of its kind."""

from __future__ import annotations

from mockserver.scenario.assets.models import Asset
from mockserver.scenario.jobs.samples import sample_file

# metadata.type (and source) of a job's output, by the kind it makes; background removal says so itself.
_OUTPUT_TYPE = {
    "image": "txt2img",
    "image-hdr": "skybox-hdri",
    "video": "txt2video",
    "audio": "txt2audio",
    "3d": "txt23d",
    "text": "txt2txt",
    "json": "txt2txt",
    "document": "unknown",
}


def output_asset(
    asset_id: str,
    kind: str,
    *,
    owner_id: str,
    author_id: str,
    job_id: str,
    node_type: str,
    model_id: str | None,
    output_index: int,
    at: str,
) -> Asset:
    # The kind's MIME type and extension, never the file itself: making it is left to whoever reads it.
    sample = sample_file(kind)
    asset_type = "background-removal" if node_type == "remove-background" else _OUTPUT_TYPE.get(kind, "unknown")
    return Asset(
        asset_id=asset_id,
        owner_id=owner_id,
        author_id=author_id,
        kind=kind,
        asset_type=asset_type,
        source=asset_type,
        mime_type=sample.media_type,
        size=None,
        created_at=at,
        updated_at=at,
        name=f"{asset_id}.{sample.extension}",
        job_id=job_id,
        model_id=model_id,
        output_index=output_index,
    )


def asset_bytes(asset: Asset) -> bytes:
    """What the asset's URL serves: the bytes uploaded, or a job output's sample file."""
    data = asset.data()
    return data if data is not None else sample_file(asset.kind, seed=asset.asset_id).content
