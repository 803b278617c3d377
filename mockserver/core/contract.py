"""The contract, loaded once: its operations, and compiled checks for requests and responses.

Checks speak in the contract's own terms: a violation names the parameter or the
JSON pointer into the body, and the rule it broke.
"""

from __future__ import annotations

import difflib
import json
import re
import threading
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jsonschema_rs
import yaml

_METHODS = ("get", "put", "post", "delete", "patch")


# The contract's own URI in its registry: its schemas' references (``#/components/...``) resolve against it.
_CONTRACT_URI = "urn:mockserver:contract"


class Definitions:
    """The contract's paths and components, as a jsonschema-rs registry made on first use and shared by every
    schema compiled from it. Compiled on its own, each schema had carried a copy of the whole contract: 1.4 MiB
    a schema, 33 MiB for the responses of Scenario's API, against under 7 MiB shared."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self._registry: Any = None
        self._lock = threading.Lock()

    def registry(self) -> Any:
        if self._registry is None:
            with self._lock:
                if self._registry is None:
                    resources = [(_CONTRACT_URI, self.document)]
                    self._registry = jsonschema_rs.Registry(resources, draft=jsonschema_rs.Draft202012)
        return self._registry


class Schema:
    """One schema of the contract, by JSON pointer, compiled on first use.

    Compiled with jsonschema-rs: checking a workflow costs microseconds, so
    every request and response can be checked without slowing the fake down.
    """

    def __init__(self, definitions: Definitions, pointer: str) -> None:
        self._definitions = definitions
        self._pointer = pointer
        self._compiled: Any = None
        self._lock = threading.Lock()

    def problems(self, instance: Any, limit: int = 5) -> list[tuple[str, str]]:
        """Up to ``limit`` (JSON pointer, message) pairs; empty when the instance conforms."""
        validator = self._validator()
        if validator.is_valid(instance):
            return []
        found = []
        for error in validator.iter_errors(instance):
            found.append((_pointer(error.instance_path), _message(error)))
            if len(found) == limit:
                break
        return sorted(found, key=_most_specific_first)

    def _validator(self) -> Any:
        if self._compiled is None:
            with self._lock:
                if self._compiled is None:
                    schema = {"$ref": f"{_CONTRACT_URI}#{quote(self._pointer, safe='/~')}"}
                    registry = self._definitions.registry()
                    self._compiled = jsonschema_rs.Draft202012Validator(schema, registry=registry)
        return self._compiled


def _message(error: Any) -> str:
    """The validator's message, except that a value outside an enum lists every allowed value, not two of them."""
    if isinstance(error.kind, jsonschema_rs.ValidationErrorKind.Enum):
        allowed = ", ".join(json.dumps(option) for option in error.kind.options)
        return f"{json.dumps(error.instance)} is not one of {allowed}"
    return error.message


def _most_specific_first(problem: tuple[str, str]) -> tuple[int, str]:
    pointer, message = problem
    return (-pointer.count("/"), message)


@dataclass(frozen=True)
class Violation:
    location: str  # "path", "query", "header", "body" or "response"
    name: str  # parameter name or JSON pointer
    message: str

    def describe(self) -> str:
        if self.location == "body":
            where = f"body at {self.name or '/'}"
        elif self.location == "response":
            where = f"response at {self.name or '/'}"
        else:
            where = f"{self.location} parameter {self.name}"
        return f"Invalid {where}: {self.message}"


@dataclass(frozen=True)
class UnknownField:
    """A body field or query parameter the operation does not have: most often a client's typo."""

    location: str  # "query" or "body"
    name: str
    operation_id: str
    suggestion: str | None

    def describe(self) -> str:
        where = "a field of" if self.location == "body" else "a query parameter of"
        what = f"{self.operation_id}'s body" if self.location == "body" else self.operation_id
        hint = f"; did you mean `{self.suggestion}`?" if self.suggestion else ""
        return f"`{self.name}` is not {where} {what}{hint}"


@dataclass
class Parameter:
    name: str
    location: str
    required: bool
    schema: dict[str, Any]
    validator: Schema
    explode: bool

    @cached_property
    def type(self) -> str:
        declared = self.schema.get("type", "string")
        if isinstance(declared, list):
            declared = next((kind for kind in declared if kind != "null"), "string")
        return declared


@dataclass
class Operation:
    operation_id: str
    method: str
    path: str
    pattern: re.Pattern[str]
    parameters: list[Parameter]
    body_validator: Schema | None
    body_required: bool
    responses: dict[str, Schema | None] = field(default_factory=dict)
    verdicts: _Verdicts = field(default_factory=lambda: _Verdicts(), repr=False, compare=False)  # the contract's
    # The names a request may use, found once: query parameters, and the body's top-level fields (None when the
    # body is free-form: no declared properties, or additional ones allowed on purpose).
    query_names: frozenset[str] = frozenset()
    body_fields: frozenset[str] | None = None

    def unknown_fields(self, query: dict[str, list[str]], body: Any) -> list[UnknownField]:
        """The query parameters and body fields of a request that the operation does not have."""
        unknown = [("query", name) for name in query if name not in self.query_names]
        if self.body_fields is not None and isinstance(body, dict):
            unknown += [("body", name) for name in body if name not in self.body_fields]
        return [self._unknown(location, name) for location, name in unknown]

    def _unknown(self, location: str, name: str) -> UnknownField:
        known = self.query_names if location == "query" else (self.body_fields or frozenset())
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        if not close:  # a difference of case or separators only (short_description, shortdescription)
            folded = {_folded(candidate): candidate for candidate in known}
            close = [folded[_folded(name)]] if _folded(name) in folded else []
        return UnknownField(location, name, self.operation_id, close[0] if close else None)

    def check_request(
        self, path_params: dict[str, str], query: dict[str, list[str]], body: Any, has_body: bool
    ) -> tuple[dict[str, Any], list[Violation]]:
        """Typed parameter values and the violations found, in contract order."""
        values: dict[str, Any] = {}
        violations: list[Violation] = []
        for parameter in self.parameters:
            raw = _raw_values(parameter, path_params, query)
            if raw is None:
                if parameter.required:
                    violations.append(Violation(parameter.location, parameter.name, "is required"))
                continue
            value, problem = _coerce(parameter, raw)
            problem = problem or _schema_problem(parameter.validator, value)
            if problem:
                violations.append(Violation(parameter.location, parameter.name, problem))
            else:
                values[parameter.name] = value
        if self.body_validator is not None:
            if not has_body:
                if self.body_required:
                    violations.append(Violation("body", "", "a JSON body is required"))
            else:
                violations.extend(_body_violations(self.body_validator, body))
        return values, violations

    def check_sent(self, status: int, sent: bytes) -> list[Violation]:
        """What in a response, as sent, breaks the contract. The same bytes always get the same verdict, so
        each distinct body is parsed and checked once."""
        key = (self.operation_id, status, sent)
        verdict = self.verdicts.get(key)
        if verdict is None:
            verdict = self.verdicts.remember(key, self.check_response(status, _parsed(sent)))
        return list(verdict)

    def check_response(self, status: int, body: Any) -> list[Violation]:
        key = str(status)
        if key not in self.responses:
            key = f"{key[0]}XX" if f"{key[0]}XX" in self.responses else "default"
        if key not in self.responses:
            return [Violation("response", "", f"status {status} is not documented for {self.operation_id}")]
        validator = self.responses[key]
        if validator is None:
            return []
        return [Violation("response", pointer, message) for pointer, message in validator.problems(body)]


def _parsed(sent: bytes) -> Any:
    """A response body as JSON; None for an empty or non-JSON one (which a JSON schema then refuses)."""
    try:
        return json.loads(sent) if sent else None
    except ValueError:
        return None


class _Verdicts:
    """Response verdicts by operation, status and body bytes, for all of a contract's operations, up to a
    memory budget, then forgotten all at once."""

    BUDGET_BYTES = 8 * 1024 * 1024

    def __init__(self) -> None:
        self._known: dict[tuple[str, int, bytes], tuple[Violation, ...]] = {}
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[str, int, bytes]) -> tuple[Violation, ...] | None:
        return self._known.get(key)

    def remember(self, key: tuple[str, int, bytes], problems: list[Violation]) -> tuple[Violation, ...]:
        verdict = tuple(problems)
        with self._lock:
            if self._size + len(key[2]) > self.BUDGET_BYTES:
                self._known = {}
                self._size = 0
            self._known[key] = verdict
            self._size += len(key[2])
        return verdict


class Contract:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self._definitions = Definitions({key: document[key] for key in ("paths", "components") if key in document})
        self._verdicts = _Verdicts()
        self.operations = [self._operation(path, method) for path, method in _operation_keys(document)]
        # Literal paths before templated ones, so /workflows/tags never matches /workflows/{workflowId}.
        self.operations.sort(key=lambda op: (op.path.count("{"), -len(op.path)))

    @cached_property
    def by_id(self) -> dict[str, Operation]:
        return {operation.operation_id: operation for operation in self.operations}

    def match(self, method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
        for operation in self.operations:
            if operation.method != method.lower():
                continue
            found = operation.pattern.fullmatch(path)
            if found:
                return operation, found.groupdict()
        return None

    def allowed_methods(self, path: str) -> list[str]:
        """Methods of the most specific contract path matching ``path``."""
        matches = [operation for operation in self.operations if operation.pattern.fullmatch(path)]
        if not matches:
            return []
        best = min(operation.path.count("{") for operation in matches)
        return [op.method.upper() for op in matches if op.path.count("{") == best]

    def closest(self, method: str, path: str) -> Operation | None:
        """The contract operation a request not in the contract most looks like."""
        segments = path.strip("/").split("/")
        best: tuple[int, Operation] | None = None
        for operation in self.operations:
            template = operation.path.strip("/").split("/")
            shared = sum(1 for a, b in zip(segments, template, strict=False) if a == b or b.startswith("{"))
            score = shared * 2 + (operation.method == method.lower()) - abs(len(segments) - len(template))
            if best is None or score > best[0]:
                best = (score, operation)
        return best[1] if best else None

    def _validator(self, pointer: str) -> Schema:
        return Schema(self._definitions, pointer)

    def _operation(self, path: str, method: str) -> Operation:
        spec = self.document["paths"][path][method]
        base = f"/paths/{_escape(path)}/{method}"
        shared = self.document["paths"][path].get("parameters", [])
        parameters = [
            self._parameter(self._resolve(item), item, pointer)
            for item, pointer in _parameter_items(shared, spec, path, method)
        ]
        body_validator, body_required, body_fields = None, False, None
        body = spec.get("requestBody")
        if body is not None:
            body_pointer = f"{base}/requestBody"
            if "$ref" in body:
                body_pointer = body["$ref"].lstrip("#")
                body = self._resolve(body)
            if "application/json" in body.get("content", {}):
                body_validator = self._validator(f"{body_pointer}/content/application~1json/schema")
                body_required = bool(body.get("required", False))
                body_fields = self._declared_fields(body["content"]["application/json"].get("schema", {}))
        responses: dict[str, Schema | None] = {}
        for status, response in spec.get("responses", {}).items():
            pointer = f"{base}/responses/{status}"
            if "$ref" in response:
                pointer = response["$ref"].lstrip("#")
                response = self._resolve(response)
            has_json = "schema" in response.get("content", {}).get("application/json", {})
            responses[str(status)] = (
                self._validator(f"{pointer}/content/application~1json/schema") if has_json else None
            )
        return Operation(
            operation_id=spec.get("operationId", f"{method} {path}"),
            method=method,
            path=path,
            pattern=_path_pattern(path),
            parameters=parameters,
            body_validator=body_validator,
            body_required=body_required,
            responses=responses,
            verdicts=self._verdicts,
            query_names=frozenset(p.name for p in parameters if p.location == "query"),
            body_fields=body_fields,
        )

    def _declared_fields(self, schema: dict[str, Any]) -> frozenset[str] | None:
        """The top-level fields an object schema declares; None when it takes others too on purpose."""
        schema = self._resolve(schema)
        parts = [schema, *(self._resolve(part) for part in schema.get("allOf", []))]
        names: set[str] = set()
        for part in parts:
            extra = part.get("additionalProperties", False)  # true or a schema: more fields are meant
            if extra is not False or any(key in part for key in ("oneOf", "anyOf", "patternProperties")):
                return None
            names.update(part.get("properties", {}))
        return frozenset(names) if names else None

    def _parameter(self, spec: dict[str, Any], item: dict[str, Any], pointer: str) -> Parameter:
        if "$ref" in item:
            pointer = item["$ref"].lstrip("#")
        style_default = spec["in"] in ("query", "cookie")
        return Parameter(
            name=spec["name"],
            location=spec["in"],
            required=bool(spec.get("required", spec["in"] == "path")),
            schema=self._resolve(spec.get("schema", {})),
            validator=self._validator(f"{pointer}/schema"),
            explode=bool(spec.get("explode", style_default and spec.get("style", "form") == "form")),
        )

    def _resolve(self, item: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in item:
            item = _lookup(self.document, item["$ref"])
        return item


@lru_cache(maxsize=8)
def load_contract(path: Path) -> Contract:
    """The contract at ``path``, parsed and compiled once per process (it never changes)."""
    return Contract(yaml.safe_load(path.read_text(encoding="utf-8")))


def _operation_keys(document: dict[str, Any]) -> list[tuple[str, str]]:
    return [(path, method) for path, item in document.get("paths", {}).items() for method in _METHODS if method in item]


def _parameter_items(shared: list, spec: dict, path: str, method: str) -> list[tuple[dict, str]]:
    """Operation parameters override path-level ones of the same name and location."""
    escaped = _escape(path)
    items = {
        (item.get("name"), item.get("in"), "$ref" in item and item["$ref"]): (item, f"/paths/{escaped}/parameters/{i}")
        for i, item in enumerate(shared)
    }
    own = [(item, f"/paths/{escaped}/{method}/parameters/{i}") for i, item in enumerate(spec.get("parameters", []))]
    return list(items.values()) + own


def _folded(name: str) -> str:
    return name.replace("_", "").replace("-", "").lower()


def _escape(path: str) -> str:
    return path.replace("~", "~0").replace("/", "~1")


def _path_pattern(path: str) -> re.Pattern[str]:
    regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(path))
    return re.compile(regex)


def _raw_values(parameter: Parameter, path_params: dict[str, str], query: dict[str, list[str]]) -> list[str] | None:
    if parameter.location == "path":
        return [path_params[parameter.name]] if parameter.name in path_params else None
    if parameter.location == "query":
        return query.get(parameter.name)
    return None


def _coerce(parameter: Parameter, raw: list[str]) -> tuple[Any, str | None]:
    kind = parameter.type
    if kind == "array":
        items = raw if parameter.explode else [part for value in raw for part in value.split(",")]
        item_schema = parameter.schema.get("items", {})
        item_type = item_schema.get("type", "string") if isinstance(item_schema, dict) else "string"
        coerced = [_scalar(item, item_type) for item in items]
        problem = next((problem for _, problem in coerced if problem), None)
        return [value for value, _ in coerced], problem
    if len(raw) > 1:
        return raw, "must be given once"
    return _scalar(raw[0], kind)


def _scalar(text: str, kind: str) -> tuple[Any, str | None]:
    if kind == "integer":
        if re.fullmatch(r"[+-]?\d{1,18}", text):
            return int(text), None
        return text, f"{text!r} is not an integer"
    if kind == "number":
        try:
            return float(text), None
        except ValueError:
            return text, f"{text!r} is not a number"
    if kind == "boolean":
        if text in ("true", "false"):
            return text == "true", None
        return text, f"{text!r} is not a boolean (true or false)"
    return text, None


def _schema_problem(validator: Schema, value: Any) -> str | None:
    problems = validator.problems(value)
    return problems[0][1] if problems else None


def _body_violations(validator: Schema, body: Any) -> list[Violation]:
    problems = validator.problems(body)
    return [Violation("body", *problems[0])] if problems else []


def _lookup(document: dict[str, Any], reference: str) -> Any:
    """The part of the document a local ``#/...`` reference points at."""
    node: Any = document
    for part in reference.lstrip("#").strip("/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _pointer(path: Any) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)
