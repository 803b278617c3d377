"""Where the fake serves an asset, as the client that asked addressed the fake."""

from __future__ import annotations


class AssetUrl:
    """Turns an asset id into the URL the fake serves it at."""

    def __init__(self, base: str = "http://127.0.0.1:8000") -> None:
        self.base = base.rstrip("/")

    def __call__(self, asset_id: str) -> str:
        return f"{self.base}/cdn/assets/{asset_id}"
