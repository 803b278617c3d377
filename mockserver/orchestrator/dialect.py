"""How the orchestrator API speaks on the wire: FastAPI's HTTP Bearer auth, request validation and errors.

- Auth: ``Authorization: Bearer <token>``, resolved like the Scenario side's
  bearer tokens (listed tokens, or a JWT whose ``sub`` is a known user). No
  header, or another scheme: 401 ``Not authenticated`` with
  ``WWW-Authenticate: Bearer`` (403 as FastAPI before 0.122 when the fake is set
  so); a token it does not accept: 401 ``Could not validate credentials``.
- Validation: 422 ``{"detail": [{"type", "loc", "msg", "input", "ctx"?}]}``, query
  parameters first, then the body as pydantic v2 reports it; a body that is not
  JSON is a 422 ``json_invalid``; a body that cannot be read at all, a 400.
- Errors: ``{"detail": "..."}``; a bug in the fake answers 500 with FastAPI's
  plain-text ``Internal Server Error``; a path it does not have, 404 ``Not Found``;
  a method the path does not allow, 405 ``Method Not Allowed`` with ``Allow``.
"""

from __future__ import annotations

import json
from email.message import Message
from typing import Any

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from mockserver.core.contract import Operation, Parameter, UnknownField, Violation
from mockserver.core.errors import ApiError, BadRequest, Unauthorized
from mockserver.core.http.dialect import Dialect, read_limited
from mockserver.core.http.host import Host
from mockserver.core.http.json_body import UnsafeJson, parse_json
from mockserver.core.principals import Principal
from mockserver.orchestrator.backend import OrchestratorBackend

INT_PARSING = "Input should be a valid integer, unable to parse string as an integer"


class RequestValidationError(ApiError):
    status = 422
    reason = "Unprocessable Entity"

    def __init__(self, detail: list[dict[str, Any]]) -> None:
        super().__init__(detail[0]["msg"] if detail else "Validation error")
        self.detail = detail


class NotAuthenticated(ApiError):
    """No usable ``Authorization: Bearer`` header (FastAPI's ``HTTPBearer`` refusal)."""

    status = 401
    reason = "Unauthorized"

    def __init__(self, message: str, legacy: bool) -> None:
        super().__init__(message)
        self.legacy = legacy


class FastAPIDialect(Dialect[OrchestratorBackend]):
    def __init__(self, body_models: dict[str, type[BaseModel]]) -> None:
        self._body_models = body_models

    def admit(
        self, host: Host, backend: OrchestratorBackend, request: Request, query: dict[str, list[str]]
    ) -> Principal:
        legacy = backend.missing_token_status == 403
        header = request.headers.get("authorization")
        scheme, _, credentials = (header or "").partition(" ")
        if not (header and scheme and credentials):
            raise NotAuthenticated("Not authenticated", legacy)
        if scheme.lower() != "bearer":
            raise NotAuthenticated("Invalid authentication credentials" if legacy else "Not authenticated", legacy)
        try:
            return host.directory.authenticate(f"Bearer {credentials.strip()}", None)
        except Unauthorized:
            raise Unauthorized("Could not validate credentials") from None

    async def read_body(self, request: Request, operation: Operation, limit: int) -> tuple[Any, bool]:
        raw = await read_limited(request, limit)
        if operation.body_validator is None or not raw:
            return None, False  # FastAPI reads no body for an operation that takes none
        content_type = request.headers.get("content-type")
        if content_type and not _is_json(content_type):
            return raw.decode("utf-8", "replace"), True  # then refused: not an object
        try:
            return parse_json(raw), True
        except UnsafeJson as error:
            detail = {"type": "value_error", "loc": ["body", *error.location], "msg": f"Value error, {error}"}
            raise RequestValidationError([{**detail, "input": None}]) from None
        except json.JSONDecodeError as error:
            detail = {"type": "json_invalid", "loc": ["body", error.pos], "msg": "JSON decode error"}
            raise RequestValidationError([{**detail, "input": {}, "ctx": {"error": error.msg}}]) from None
        except (ValueError, RecursionError):
            raise BadRequest("There was an error parsing the body") from None

    def check_request(
        self,
        host: Host,
        backend: OrchestratorBackend,
        operation: Operation,
        query: dict[str, list[str]],
        body: Any,
        has_body: bool,
        violations: list[Violation],
    ) -> Any:
        """The parsed body; RequestValidationError lists every problem, as FastAPI would."""
        strict = host.settings.validation == "strict"
        errors = [
            _parameter_error(operation, violation, query)
            for violation in violations
            if violation.location != "body" and strict
        ]
        parsed, body_errors = self._parse_body(operation, body, has_body)
        errors += body_errors
        if not body_errors and strict:
            errors += [_contract_error(violation, body) for violation in violations if violation.location == "body"]
        if errors:
            raise RequestValidationError(errors)
        return parsed

    def _parse_body(self, operation: Operation, body: Any, has_body: bool) -> tuple[Any, list[dict[str, Any]]]:
        model = self._body_models.get(operation.operation_id)
        if model is None:
            return None, []
        if not has_body:
            return None, [{"type": "missing", "loc": ["body"], "msg": "Field required", "input": None}]
        try:
            return model.model_validate(body, from_attributes=True), []
        except ValidationError as error:
            return None, [_pydantic_error(item) for item in error.errors(include_url=False)]

    def error_body(self, status: int, reason: str, message: str) -> dict[str, Any]:
        return {"detail": message}

    def refuse_unknown(self, unknown: list[UnknownField], query: dict[str, list[str]], body: Any) -> ApiError:
        """As a FastAPI model forbidding extra fields refuses them: 422, one ``extra_forbidden`` each."""
        detail = [
            {
                "type": "extra_forbidden",
                "loc": [field.location, field.name],
                "msg": "Extra inputs are not permitted",
                "input": query[field.name][0] if field.location == "query" else body[field.name],
            }
            for field in unknown
        ]
        return RequestValidationError(detail)

    def error_response(self, error: ApiError) -> Response:
        if isinstance(error, RequestValidationError):
            return JSONResponse({"detail": error.detail}, status_code=422)
        if isinstance(error, NotAuthenticated) and error.legacy:
            return JSONResponse({"detail": error.message}, status_code=403)
        headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else {}
        retry_after = getattr(error, "retry_after", None)
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        return JSONResponse({"detail": error.message}, status_code=error.status, headers=headers)

    def internal_error(self) -> Response:
        return PlainTextResponse("Internal Server Error", status_code=500)

    def contract_path(self, prefix: str, path: str) -> str:
        return path  # the contract names every path in full, prefix included

    def unknown_route(self, request: Request, status: int, allowed: list[str], hint: str = "") -> Response:
        # FastAPI's answers are fixed words, with no room for a hint.
        if status == 405:
            allow = {"Allow": ", ".join(allowed)}
            return JSONResponse({"detail": "Method Not Allowed"}, status_code=405, headers=allow)
        return JSONResponse({"detail": "Not Found"}, status_code=404)


def _is_json(content_type: str) -> bool:
    message = Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (subtype == "json" or subtype.endswith("+json"))


def _pydantic_error(item: Any) -> dict[str, Any]:
    entry = {"type": item["type"], "loc": ["body", *item["loc"]], "msg": item["msg"], "input": item["input"]}
    if "ctx" in item:
        # FastAPI encodes an exception in ctx (a validator's ValueError) as an empty object.
        entry["ctx"] = {key: {} if isinstance(value, Exception) else value for key, value in item["ctx"].items()}
    return entry


def _parameter_error(operation: Operation, violation: Violation, query: dict[str, list[str]]) -> dict[str, Any]:
    """A query or path parameter's problem as pydantic words it for the parameter's type."""
    parameter = next(p for p in operation.parameters if (p.name, p.location) == (violation.name, violation.location))
    values = query.get(parameter.name) if parameter.location == "query" else None
    raw = values[-1] if values else None
    entry: dict[str, Any] = {"loc": [parameter.location, parameter.name]}
    entry.update(_type_error(parameter, raw) or {"type": "value_error", "msg": f"Value error, {violation.message}"})
    entry["input"] = raw
    return {key: entry[key] for key in ("type", "loc", "msg", "input", "ctx") if key in entry}


def _type_error(parameter: Parameter, raw: str | None) -> dict[str, Any] | None:
    schema = parameter.schema
    if "enum" in schema:
        expected = _either([repr(value) for value in schema["enum"]])
        return {"type": "enum", "msg": f"Input should be {expected}", "ctx": {"expected": expected}}
    if parameter.type == "boolean":
        return {"type": "bool_parsing", "msg": "Input should be a valid boolean, unable to interpret input"}
    if parameter.type == "integer":
        try:
            number = int((raw or "").strip())
        except ValueError:
            return {"type": "int_parsing", "msg": INT_PARSING}
        if "minimum" in schema and number < schema["minimum"]:
            bound = schema["minimum"]
            message = f"Input should be greater than or equal to {bound}"
            return {"type": "greater_than_equal", "msg": message, "ctx": {"ge": bound}}
        if "maximum" in schema and number > schema["maximum"]:
            bound = schema["maximum"]
            return {
                "type": "less_than_equal",
                "msg": f"Input should be less than or equal to {bound}",
                "ctx": {"le": bound},
            }
    return None


def _contract_error(violation: Violation, body: Any) -> dict[str, Any]:
    """A body problem the contract found and the model did not (they are kept in step, so this is rare)."""
    parts: list[Any] = [int(part) if part.isdigit() else part for part in violation.name.split("/")[1:]]
    found = body
    for part in parts:
        found = found[part] if isinstance(found, dict | list) else None
    return {"type": "value_error", "loc": ["body", *parts], "msg": f"Value error, {violation.message}", "input": found}


def _either(values: list[str]) -> str:
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " or " + values[-1]
