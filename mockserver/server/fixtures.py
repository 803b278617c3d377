"""Seed data: principals and workflows, read from a folder of YAML or JSON files.

A fixtures folder holds ``principals.yaml`` (projects, API keys, bearer tokens, webhooks),
``costs.yaml``, ``assets.yaml`` (the assets each project starts with) and any number of workflow
files under ``workflows/`` (one workflow, or a list, per file, in the API's own camelCase shape plus
``ownerId``/``authorId``).

Everything is checked before a fake starts from it, workflows as ``PUT /workflows/{id}`` checks them:
a bad file is a :class:`FixtureError` naming the file, the field and the problem, never a half-loaded fake.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pydantic
import yaml

from mockserver.core.errors import BadRequest
from mockserver.core.principals import ROLES
from mockserver.scenario.assets.fixtures import asset_from_fixture
from mockserver.scenario.backend import workflow_from_fixture
from mockserver.scenario.jobs.cost import CostTable
from mockserver.server.webhooks import parse_webhook

_SUFFIXES = (".yaml", ".yml", ".json")
_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available
_PRINCIPAL_SECTIONS = ("projects", "apiKeys", "bearerTokens", "webhooks")
# Only checked here: a fixture with no ``createdAt`` takes the fake's start time when it is seeded.
_ANY_START = "2000-01-01T00:00:00.000Z"


class FixtureError(ValueError):
    """A fixtures file a fake cannot start from: which file, which field, what is wrong."""

    def __init__(self, path: Path, field: str, problem: str) -> None:
        super().__init__(f"{path}: {field}: {problem}")
        self.path = path
        self.field = field
        self.problem = problem


@dataclass
class FixtureSet:
    projects: list[dict[str, Any]] = field(default_factory=list)
    api_keys: list[dict[str, Any]] = field(default_factory=list)
    bearer_tokens: list[dict[str, Any]] = field(default_factory=list)
    workflows: list[dict[str, Any]] = field(default_factory=list)
    assets: list[dict[str, Any]] = field(default_factory=list)
    costs: dict[str, Any] = field(default_factory=dict)
    webhooks: list[dict[str, Any]] = field(default_factory=list)


def load_fixtures(folders: list[Path]) -> FixtureSet:
    """Read every folder in turn; later folders add to (and may override) earlier ones.

    Parsed sets are kept per folder contents, so a fresh fake per test does not
    parse YAML again; a changed file is read anew. Callers must not mutate the set.
    """
    return _load_cached(tuple(_fingerprint(Path(folder)) for folder in folders))


def _fingerprint(folder: Path) -> tuple[str, tuple[tuple[str, int], ...]]:
    if not folder.is_dir():
        raise FixtureError(folder, "folder", "does not exist")
    files = sorted(path for path in folder.rglob("*") if path.suffix in _SUFFIXES)
    return str(folder), tuple((str(path), path.stat().st_mtime_ns) for path in files)


@lru_cache(maxsize=16)
def _load_cached(fingerprints: tuple[tuple[str, tuple[tuple[str, int], ...]], ...]) -> FixtureSet:
    records = _Records()
    for folder, _files in fingerprints:
        _load_folder(Path(folder), records)
    _check_principals(records)
    owners = _check_assets(records)
    for workflow in records.workflows:
        _check_workflow(workflow, owners)
    return FixtureSet(
        projects=records.values("projects"),
        api_keys=records.values("apiKeys"),
        bearer_tokens=records.values("bearerTokens"),
        workflows=[record.value for record in records.workflows],
        assets=[record.value for record in records.assets],
        costs=records.costs,
        webhooks=records.values("webhooks"),
    )


@dataclass(frozen=True)
class _Record:
    """One record as read, with where it came from."""

    path: Path
    field: str
    value: Any


@dataclass
class _Records:
    sections: dict[str, list[_Record]] = field(default_factory=lambda: {s: [] for s in _PRINCIPAL_SECTIONS})
    workflows: list[_Record] = field(default_factory=list)
    assets: list[_Record] = field(default_factory=list)
    costs: dict[str, Any] = field(default_factory=dict)

    def values(self, section: str) -> list[Any]:
        return [record.value for record in self.sections[section]]


def _load_folder(folder: Path, records: _Records) -> None:
    principals = _first_existing(folder, "principals")
    if principals is not None:
        _read_principals(principals, records)
    assets = _first_existing(folder, "assets")
    if assets is not None:
        _read_assets(assets, records)
    costs = _first_existing(folder, "costs")
    if costs is not None:
        _merge(records.costs, _read_costs(costs))
    workflows_dir = folder / "workflows"
    if workflows_dir.is_dir():
        for path in sorted(workflows_dir.iterdir()):
            if path.suffix in _SUFFIXES:
                _read_workflows(path, records)


def _read_principals(path: Path, records: _Records) -> None:
    data = _mapping(path, "principals", _read(path))
    for section, entries in data.items():
        if section not in _PRINCIPAL_SECTIONS:
            raise FixtureError(path, str(section), f"unknown section; known: {', '.join(_PRINCIPAL_SECTIONS)}")
        if entries is None:  # a section left empty
            continue
        if not isinstance(entries, list):
            raise FixtureError(path, section, "must be a list")
        records.sections[section] += [_Record(path, f"{section}[{i}]", entry) for i, entry in enumerate(entries)]


def _read_assets(path: Path, records: _Records) -> None:
    entries = _mapping(path, "assets", _read(path)).get("assets") or []
    if not isinstance(entries, list):
        raise FixtureError(path, "assets", "must be a list")
    records.assets += [_Record(path, f"assets[{i}]", entry) for i, entry in enumerate(entries)]


def _read_costs(path: Path) -> dict[str, Any]:
    data = _mapping(path, "costs", _read(path))
    try:
        CostTable.from_fixtures(data)
    except ValueError as error:
        raise FixtureError(path, "costs", str(error).removeprefix("costs: ")) from None
    return data


def _read_workflows(path: Path, records: _Records) -> None:
    content = _read(path)
    if isinstance(content, list):
        records.workflows += [_Record(path, f"[{i}]", entry) for i, entry in enumerate(content)]
    else:
        records.workflows.append(_Record(path, "workflow", content))


def _mapping(path: Path, what: str, content: Any) -> dict[str, Any]:
    if content is None:
        return {}
    if not isinstance(content, dict):
        raise FixtureError(path, what, f"must be a mapping, got {type(content).__name__}")
    return content


def _first_existing(folder: Path, stem: str) -> Path | None:
    return next((folder / (stem + s) for s in _SUFFIXES if (folder / (stem + s)).is_file()), None)


def _read(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
        return json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=_YamlLoader)
    except (UnicodeDecodeError, json.JSONDecodeError, yaml.YAMLError) as error:
        raise FixtureError(path, "file", f"cannot be parsed: {error}") from None


# --- Checks --------------------------------------------------------------------------------------


def _check_principals(records: _Records) -> None:
    """Every record well formed; every key in a known project, every token and webhook naming what exists."""
    projects = {_text(record, "id") for record in _entries(records, "projects")}
    keys: set[str] = set()
    for record in _entries(records, "apiKeys"):
        for name in ("secret", "userId"):
            _text(record, name)
        _known(record, "projectId", projects, "project")
        role = record.value.get("role", "editor")
        if role not in ROLES:
            raise FixtureError(record.path, f"{record.field}.role", f"{role!r} is not one of {', '.join(ROLES)}")
        keys.add(_text(record, "key"))
    for record in _entries(records, "bearerTokens"):
        _text(record, "token")
        _known(record, "key", keys, "API key")
    for record in _entries(records, "webhooks"):
        try:
            parse_webhook("", record.value, projects.__contains__)
        except BadRequest as error:
            raise FixtureError(record.path, record.field, error.message) from None


def _entries(records: _Records, section: str) -> list[_Record]:
    for record in records.sections[section]:
        if not isinstance(record.value, dict):
            raise FixtureError(record.path, record.field, "must be a mapping")
    return records.sections[section]


def _text(record: _Record, name: str) -> str:
    value = record.value.get(name)
    if not isinstance(value, str) or not value:
        problem = "is required" if value is None else f"must be a non-empty string, got {value!r}"
        raise FixtureError(record.path, f"{record.field}.{name}", problem)
    return value


def _known(record: _Record, name: str, known: set[str], what: str) -> None:
    value = _text(record, name)
    if value not in known:
        listed = ", ".join(sorted(known)) or "none"
        raise FixtureError(record.path, f"{record.field}.{name}", f"{value!r} names no known {what} (known: {listed})")


def _check_assets(records: _Records) -> dict[str, str]:
    """Every asset well formed, in a known project, its id used once; each asset id with its project."""
    projects = {record.value["id"] for record in records.sections["projects"]}
    owners: dict[str, str] = {}
    for record in records.assets:
        try:
            asset = asset_from_fixture(record.value, _ANY_START)
        except ValueError as error:
            field, _, problem = str(error).partition(": ")
            raise FixtureError(record.path, f"{record.field}.{field}", problem) from None
        if asset.owner_id not in projects:
            listed = ", ".join(sorted(projects)) or "none"
            problem = f"{asset.owner_id!r} names no known project (known: {listed})"
            raise FixtureError(record.path, f"{record.field}.ownerId", problem)
        if asset.asset_id in owners:
            raise FixtureError(record.path, f"{record.field}.id", f"{asset.asset_id!r} is used by another asset")
        owners[asset.asset_id] = asset.owner_id
    return owners


def _check_workflow(record: _Record, asset_owners: dict[str, str]) -> None:
    """The workflow as the API would take it whole: its fields, its dates, its flow and its assets."""
    if not isinstance(record.value, dict):
        raise FixtureError(record.path, record.field, "a workflow must be a mapping")
    workflow_id = record.value.get("id")
    where = f"workflow {workflow_id!r}" if isinstance(workflow_id, str) else record.field
    for name in ("before", "after", "thumbnail"):
        asset_id = record.value.get(name)
        if asset_id is not None and asset_owners.get(asset_id) != record.value.get("ownerId"):
            problem = f"{asset_id!r} names no asset of project {record.value.get('ownerId')!r} in assets.yaml"
            raise FixtureError(record.path, f"{where} {name}", problem)
    try:
        workflow_from_fixture(record.value, _ANY_START)
    except pydantic.ValidationError as error:
        first = error.errors()[0]
        location = ".".join(str(part) for part in first["loc"])
        raise FixtureError(record.path, f"{where} {location}", first["msg"]) from None
    except (ValueError, BadRequest) as error:
        raise FixtureError(record.path, where, str(error)) from None


def _merge(target: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value
