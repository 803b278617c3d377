"""Seed data: principals and workflows, read from a folder of YAML or JSON files.

A fixtures folder holds ``principals.yaml`` (projects, API keys, bearer tokens)
and any number of workflow files under ``workflows/`` (one workflow, or a list,
per file, in the API's own camelCase shape plus ``ownerId``/``authorId``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

_SUFFIXES = (".yaml", ".yml", ".json")
_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available


@dataclass
class FixtureSet:
    projects: list[dict[str, Any]] = field(default_factory=list)
    api_keys: list[dict[str, Any]] = field(default_factory=list)
    bearer_tokens: list[dict[str, Any]] = field(default_factory=list)
    workflows: list[dict[str, Any]] = field(default_factory=list)
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
        raise FileNotFoundError(f"fixtures folder {folder} does not exist")
    files = sorted(path for path in folder.rglob("*") if path.suffix in _SUFFIXES)
    return str(folder), tuple((str(path), path.stat().st_mtime_ns) for path in files)


@lru_cache(maxsize=16)
def _load_cached(fingerprints: tuple[tuple[str, tuple[tuple[str, int], ...]], ...]) -> FixtureSet:
    fixtures = FixtureSet()
    for folder, _files in fingerprints:
        _load_folder(Path(folder), fixtures)
    return fixtures


def _load_folder(folder: Path, fixtures: FixtureSet) -> None:
    principals = _first_existing(folder, "principals")
    if principals is not None:
        data = _read(principals) or {}
        fixtures.projects += data.get("projects", [])
        fixtures.api_keys += data.get("apiKeys", [])
        fixtures.bearer_tokens += data.get("bearerTokens", [])
        fixtures.webhooks += data.get("webhooks", [])
    costs = _first_existing(folder, "costs")
    if costs is not None:
        _merge(fixtures.costs, _read(costs) or {})
    workflows_dir = folder / "workflows"
    if workflows_dir.is_dir():
        for path in sorted(workflows_dir.iterdir()):
            if path.suffix in _SUFFIXES:
                content = _read(path)
                fixtures.workflows += content if isinstance(content, list) else [content]


def _first_existing(folder: Path, stem: str) -> Path | None:
    return next((folder / (stem + s) for s in _SUFFIXES if (folder / (stem + s)).is_file()), None)


def _read(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=_YamlLoader)


def _merge(target: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value
