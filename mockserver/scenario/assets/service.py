"""Asset operations: upload by data URL, read, list, get in bulk, delete, and downloads.

Knows nothing of HTTP: takes a :class:`Principal` and plain values, returns assets
and raises :mod:`mockserver.core.errors` on refusals.
"""

from __future__ import annotations

import base64
import builtins
from dataclasses import dataclass
from typing import Any

from msgspec.structs import replace

from mockserver.core.clock import Clock, iso, parse_iso
from mockserver.core.errors import BadRequest, Forbidden, NotFound
from mockserver.core.ids import IdFactory
from mockserver.core.pagination import decode_token, encode_token
from mockserver.core.principals import Principal
from mockserver.scenario.assets.files import (
    check_file_size,
    decode_data_url,
    image_dimensions,
    kind_of,
    uploaded_type,
)
from mockserver.scenario.assets.models import Asset, DownloadRequest
from mockserver.scenario.store import ScenarioStore

MAX_BULK_GET = 200
MAX_BULK_DELETE = 100
# The formats an asset can be downloaded in without conversion, by MIME type: the fake converts nothing.
_FORMATS = {
    "image/png": ("png",),
    "image/jpeg": ("jpeg", "jpg"),
    "image/webp": ("webp",),
    "image/gif": ("gif",),
    "image/avif": ("avif",),
    "image/tiff": ("tif", "tiff"),
    "image/svg+xml": ("svg",),
    "model/gltf-binary": ("glb",),
    "audio/mpeg": ("mp3",),
    "video/mp4": ("mp4",),
}


@dataclass(frozen=True)
class AssetQuery:
    sort_by: str = "createdAt"
    sort_direction: str = "desc"
    types: tuple[str, ...] = ()
    author_id: str | None = None
    inference_id: str | None = None
    model_id: str | None = None
    parent_asset_id: str | None = None
    root_asset_id: str | None = None
    collection_id: str | None = None
    privacy: str | None = None
    tags: str | None = None
    created_after: str | None = None
    created_before: str | None = None
    updated_after: str | None = None
    updated_before: str | None = None
    deleted: bool = False
    page_size: int = 50
    pagination_token: str | None = None


@dataclass
class AssetService:
    store: ScenarioStore
    clock: Clock
    ids: IdFactory

    def upload(self, principal: Principal, name: str, image: str | None, parent_id: str | None) -> Asset:
        """``POST /assets``: an image sent as a data URL becomes an asset of the caller's project."""
        require_writer(principal)
        if image is None:
            raise BadRequest("image is required: the fake takes uploads as a data URL in image")
        mime_type, data = decode_data_url(image, "image")
        if kind_of(mime_type) not in ("image", "image-hdr"):
            raise BadRequest(f"image must be an image, got a data URL of {mime_type}")
        check_file_size(len(data))
        if parent_id is not None:
            self.usable(principal.project_id, parent_id, "parentId")
        return self.add(principal, name, mime_type, data, parent_id)

    def add(self, principal: Principal, name: str, mime_type: str, data: bytes, parent_id: str | None) -> Asset:
        """Store bytes already checked as a new asset of the caller's project."""
        kind = kind_of(mime_type) or "image"
        width, height = image_dimensions(data) or (None, None)
        now = iso(self.clock.now())
        asset = Asset(
            asset_id=self.ids.new("asset"),
            owner_id=principal.project_id,
            author_id=principal.user_id,
            kind=kind,
            asset_type=uploaded_type(kind),
            source=uploaded_type(kind),
            mime_type=mime_type,
            size=len(data),
            created_at=now,
            updated_at=now,
            name=name,
            width=width,
            height=height,
            parent_id=parent_id,
            content=base64.b64encode(data).decode("ascii"),
        )
        self.store.save_asset(asset)
        return asset

    def get(self, principal: Principal, asset_id: str) -> Asset:
        asset = self.store.get_asset(asset_id)
        if asset is None or asset.is_deleted or asset.owner_id != principal.project_id:
            raise NotFound(f"Asset {asset_id} not found")
        return asset

    def usable(self, project_id: str, asset_id: str, name: str) -> Asset:
        """The asset, if the project may use it as an input; BadRequest naming the field otherwise."""
        problem = asset_problem(self.store, project_id, asset_id)
        if problem is not None:
            raise BadRequest(f"Invalid {name}: {problem}")
        return self.store.get_asset(asset_id)  # type: ignore[return-value]

    def get_bulk(self, principal: Principal, asset_ids: builtins.list[str]) -> builtins.list[Asset]:
        """The assets asked for that the project can read, in the order asked, each once."""
        if len(asset_ids) > MAX_BULK_GET:
            raise BadRequest(f"assetIds holds {len(asset_ids)} ids: at most {MAX_BULK_GET} can be asked at once")
        found: dict[str, Asset] = {}
        for asset_id in asset_ids:
            asset = self.store.get_asset(asset_id)
            if asset is not None and not asset.is_deleted and asset.owner_id == principal.project_id:
                found[asset_id] = asset
        return builtins.list(found.values())

    def delete(self, principal: Principal, asset_ids: builtins.list[str]) -> None:
        """Delete every asset named, or none: an id that names no asset of the project refuses the whole call."""
        require_writer(principal)
        if not asset_ids or len(asset_ids) > MAX_BULK_DELETE:
            raise BadRequest(f"assetIds must hold from 1 to {MAX_BULK_DELETE} ids, got {len(asset_ids)}")
        assets = [self.get(principal, asset_id) for asset_id in dict.fromkeys(asset_ids)]
        now = iso(self.clock.now())
        for asset in assets:
            self.store.save_asset(replace(asset, deleted_at=now, updated_at=now))

    def list(self, principal: Principal, query: AssetQuery) -> tuple[builtins.list[Asset], str | None]:
        _check_query(query)
        if query.deleted:
            scope: tuple = ("assets-deleted", principal.project_id)
        else:
            scope = ("assets", principal.project_id, query.sort_by)
        # Public assets of other teams, tags and collections are not kept by the fake: such a listing is empty.
        if query.privacy == "public" or query.tags or query.collection_id:
            return [], None
        filters = [list(scope), query.sort_direction, *_filter_values(query)]
        after = decode_token(query.pagination_token, filters) if query.pagination_token else None
        outputs_of = self._outputs_of(query.inference_id)
        accept = _acceptor(query, outputs_of, self._descends_from)
        descending = query.deleted or query.sort_direction == "desc"
        assets, last = self.store.asset_page(scope, after, descending, query.page_size, accept)
        return assets, encode_token(last, filters) if last else None

    def request_archive(
        self,
        principal: Principal,
        asset_ids: builtins.list[str],
        inference_ids: builtins.list[str],
        model_ids: builtins.list[str],
        name: str,
    ) -> str:
        """``POST /assets/download``: an archive of the assets named, the jobs' outputs and the models'; its job id."""
        wanted = builtins.list(asset_ids)
        for job_id in inference_ids:
            wanted += self._outputs_of(job_id) or []
        if model_ids:
            wanted += [
                asset.asset_id
                for asset in self.store.all_assets()
                if asset.model_id in model_ids and asset.owner_id == principal.project_id and not asset.is_deleted
            ]
        assets = [self.get(principal, asset_id) for asset_id in dict.fromkeys(wanted)]
        if not assets:
            raise BadRequest("query names no asset: give assetIds, or inferenceIds of jobs that produced assets")
        download = DownloadRequest(
            job_id=self.ids.new("job"),
            owner_id=principal.project_id,
            asset_ids=[asset.asset_id for asset in assets],
            archive_name=name,
            created_at=iso(self.clock.now()),
        )
        self.store.save_download(download)
        return download.job_id

    def download_request(self, principal: Principal, job_id: str) -> DownloadRequest:
        download = self.store.get_download(job_id)
        if download is None or download.owner_id != principal.project_id:
            raise NotFound(f"Download job {job_id} not found")
        return download

    def check_format(self, asset: Asset, target_format: str | None) -> None:
        """The fake serves every asset as stored: a target format it is not stored in is refused."""
        if target_format is None or target_format in _FORMATS.get(asset.mime_type, ()):
            return
        raise BadRequest(
            f"Asset {asset.asset_id} is stored as {asset.mime_type}: the fake does not convert it to {target_format}"
        )

    def _descends_from(self, asset: Asset, root_id: str) -> bool:
        """Whether ``root_id`` is the asset's parent, its parent's parent, and so on."""
        seen: set[str] = set()
        parent_id = asset.parent_id
        while parent_id is not None and parent_id not in seen:
            if parent_id == root_id:
                return True
            seen.add(parent_id)
            parent = self.store.get_asset(parent_id)
            parent_id = parent.parent_id if parent is not None else None
        return False

    def _outputs_of(self, job_id: str | None) -> builtins.list[str] | None:
        """The assets a job produced (a workflow job's, or a node job's), for the inferenceId filter."""
        if job_id is None:
            return None
        job = self.store.get_job(job_id)
        return builtins.list(job.asset_ids) if job is not None else []


def asset_problem(store: ScenarioStore, project_id: str, asset_id: str) -> str | None:
    """Why ``project_id`` cannot use ``asset_id`` (unknown, deleted, another project's), or None when it can."""
    asset = store.get_asset(asset_id)
    if asset is None or asset.owner_id != project_id:
        return f"asset {asset_id} not found in project {project_id}"
    if asset.is_deleted:
        return f"asset {asset_id} was deleted"
    return None


def require_writer(principal: Principal) -> None:
    if not principal.can_write:
        raise Forbidden(f"Role {principal.role} can read assets but not upload or delete them")


_SORT_FIELDS = ("createdAt", "updatedAt")


def _check_query(query: AssetQuery) -> None:
    if query.sort_by not in _SORT_FIELDS:
        raise BadRequest(f"sortBy must be one of: {', '.join(_SORT_FIELDS)}")
    for name, value, needs in (
        ("createdAfter", query.created_after, "createdAt"),
        ("createdBefore", query.created_before, "createdAt"),
        ("updatedAfter", query.updated_after, "updatedAt"),
        ("updatedBefore", query.updated_before, "updatedAt"),
    ):
        if value is None:
            continue
        if query.sort_by != needs:
            raise BadRequest(f'{name} requires sortBy to be "{needs}"')
        try:
            parse_iso(value)
        except ValueError:
            raise BadRequest(f"{name} must be an ISO 8601 date, got {value!r}") from None


def _filter_values(query: AssetQuery) -> list[Any]:
    return [
        sorted(query.types),
        query.author_id,
        query.inference_id,
        query.model_id,
        query.parent_asset_id,
        query.root_asset_id,
        query.created_after,
        query.created_before,
        query.updated_after,
        query.updated_before,
    ]


def _acceptor(query: AssetQuery, outputs_of: list[str] | None, descends_from: Any) -> Any:
    bounds = [
        (lambda a: a.created_at, query.created_after, query.created_before),
        (lambda a: a.updated_at, query.updated_after, query.updated_before),
    ]
    dated = [(stamp, _normal(after), _normal(before)) for stamp, after, before in bounds]
    outputs = set(outputs_of or ())

    def accept(asset: Asset) -> bool:
        return (
            (not query.types or asset.asset_type in query.types)
            and (query.author_id is None or asset.author_id == query.author_id)
            and (query.inference_id is None or asset.job_id == query.inference_id or asset.asset_id in outputs)
            and (query.model_id is None or asset.model_id == query.model_id)
            and (query.parent_asset_id is None or asset.parent_id == query.parent_asset_id)
            and (query.root_asset_id is None or descends_from(asset, query.root_asset_id))
            and all(
                (after is None or stamp(asset) > after) and (before is None or stamp(asset) < before)
                for stamp, after, before in dated
            )
        )

    return accept


def _normal(value: str | None) -> str | None:
    return iso(parse_iso(value)) if value is not None else None
