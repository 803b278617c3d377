"""Who is calling: API keys, bearer tokens, projects and roles.

An API key belongs to one project with one role (``admin``, ``editor`` or
``reader``), as the API's own API-key resource has them. A bearer token maps to
a principal in one of two ways: it is listed in the fixtures against an API key,
or it is a JWT (signature not checked) whose ``sub`` claim is a user id and whose
optional ``projectId`` claim picks among that user's keys.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from mockserver.core.errors import Forbidden, Unauthorized
from mockserver.core.http.json_body import parse_json

# What a refused caller is told after the API's own words: where the fake lists the credentials it accepts.
WHERE_KEYS_ARE = "(mockserver: see GET /_mock/principals on the fake, or the default principals in its README)"
BAD_KEY = f"Invalid or missing API key {WHERE_KEYS_ARE}"
BAD_TOKEN = f"Invalid or expired token {WHERE_KEYS_ARE}"

Role = Literal["admin", "editor", "reader"]
ROLES: tuple[Role, ...] = ("admin", "editor", "reader")


@dataclass(frozen=True)
class ApiKey:
    key: str
    secret: str
    user_id: str
    project_id: str
    role: Role = "editor"


@dataclass(frozen=True)
class Principal:
    """The caller of one request, bound to the project it acts in."""

    user_id: str
    project_id: str
    role: Role
    via: Literal["basic", "bearer"] = "basic"

    @property
    def can_write(self) -> bool:
        return self.role in ("admin", "editor")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass
class Directory:
    """The principals the fake knows, and how a request's credentials resolve to one."""

    keys: dict[str, ApiKey] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # bearer token -> API key
    projects: dict[str, str] = field(default_factory=dict)  # project id -> name
    any_key: bool = False
    # Basic credentials already resolved: a client sends the same header on every request.
    _known_basic: dict[str, Principal] = field(default_factory=dict, repr=False)

    @classmethod
    def from_records(
        cls,
        projects: Iterable[dict],
        api_keys: Iterable[dict],
        bearer_tokens: Iterable[dict] = (),
        any_key: bool = False,
    ) -> Directory:
        keys = {
            record["key"]: ApiKey(
                key=record["key"],
                secret=record["secret"],
                user_id=record["userId"],
                project_id=record["projectId"],
                role=record.get("role", "editor"),
            )
            for record in api_keys
        }
        return cls(
            keys=keys,
            tokens={record["token"]: record["key"] for record in bearer_tokens},
            projects={record["id"]: record.get("name", record["id"]) for record in projects},
            any_key=any_key,
        )

    @property
    def default_project(self) -> str:
        return next(iter(self.projects), "proj_default")

    def authenticate(self, authorization: str | None, project_id: str | None) -> Principal:
        """Resolve an ``Authorization`` header and an optional ``projectId``."""
        scheme, _, credentials = (authorization or "").strip().partition(" ")
        scheme = scheme.lower()
        if scheme == "basic":
            principal = self._from_basic(credentials.strip())
        elif scheme == "bearer":
            principal = self._from_bearer(credentials.strip(), project_id)
        else:
            raise Unauthorized(BAD_KEY)
        return self._in_project(principal, project_id)

    def _from_basic(self, credentials: str) -> Principal:
        known = self._known_basic.get(credentials)
        if known is not None:
            return known
        principal = self._decode_basic(credentials)
        if len(self._known_basic) >= 4096:
            self._known_basic.clear()
        self._known_basic[credentials] = principal
        return principal

    def _decode_basic(self, credentials: str) -> Principal:
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise Unauthorized(BAD_KEY) from None
        key, sep, secret = decoded.partition(":")
        if not sep or not key:
            raise Unauthorized(BAD_KEY)
        if self.any_key:
            return Principal(user_id=f"user_{key}", project_id="", role="editor")
        api_key = self.keys.get(key)
        if api_key is None or api_key.secret != secret:
            raise Unauthorized(BAD_KEY)
        return _principal_of(api_key, "basic")

    def _from_bearer(self, token: str, project_id: str | None) -> Principal:
        if token in self.tokens and self.tokens[token] in self.keys:
            return _principal_of(self.keys[self.tokens[token]], "bearer")
        claims = _jwt_claims(token) or {}
        user_id = claims.get("sub")
        if not isinstance(user_id, str):
            raise Unauthorized(BAD_TOKEN)
        if self.any_key:
            return Principal(user_id=user_id, project_id="", role="editor", via="bearer")
        wanted = claims.get("projectId") or project_id
        for api_key in self.keys.values():
            if api_key.user_id == user_id and (wanted is None or api_key.project_id == wanted):
                return _principal_of(api_key, "bearer")
        raise Unauthorized(BAD_TOKEN)

    def _in_project(self, principal: Principal, project_id: str | None) -> Principal:
        if self.any_key:
            chosen = project_id or self.default_project
            return Principal(principal.user_id, chosen, principal.role, principal.via)
        if project_id and project_id != principal.project_id:
            raise Forbidden(f"This API key does not give access to project {project_id}")
        return principal


def _principal_of(api_key: ApiKey, via: Literal["basic", "bearer"]) -> Principal:
    return Principal(user_id=api_key.user_id, project_id=api_key.project_id, role=api_key.role, via=via)


def _jwt_claims(token: str) -> dict | None:
    parts = token.split(".")
    if len(parts) != 3:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = parse_json(base64.urlsafe_b64decode(payload))
    except (binascii.Error, ValueError):  # UnsafeJson (too deep, NaN...) is a ValueError
        return None
    return claims if isinstance(claims, dict) else None
