"""The JSON response every API answer goes out as."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from mockserver.core.rendering import to_json


class ApiJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return to_json(content)
