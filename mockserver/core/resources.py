"""Files shipped inside the package (contracts, default fixtures, the dashboard), found with importlib.resources."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def packaged(package: str, name: str) -> Path:
    """The path of ``name`` shipped in ``package``; the package is installed as files, never zipped."""
    return Path(str(files(package) / name))
