"""The fake, broken or drifted on purpose: ASGI wrappers that rewrite its JSON answers.

Importable as ``mutants`` (the tests put this folder on ``PYTHONPATH``), so that the contract
suite can target them: ``--kit-target asgi:mutants:created_at_as_number``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from mockserver.kit.target import Credentials
from mockserver.server.app import kit_app

Rewrite = Callable[[str, str, int, Any], Any]


class Rewritten:
    """An ASGI app answering as ``app`` does, with each JSON body under /v1 passed through ``rewrite``."""

    def __init__(self, app: Any, rewrite: Rewrite) -> None:
        self.app = app
        self.rewrite = rewrite

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: dict) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    await send_rewritten()

        async def send_rewritten() -> None:
            body = b"".join(chunks)
            try:
                data = json.loads(body)
            except ValueError:
                data = None
            if data is not None:
                body = json.dumps(self.rewrite(scope["method"], scope["path"], start["status"], data)).encode()
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, capture)


def _workflows(data: Any) -> list[dict]:
    if not isinstance(data, dict):
        return []
    found = [data["workflow"]] if isinstance(data.get("workflow"), dict) else []
    return found + [w for w in data.get("workflows", []) if isinstance(w, dict)]


def _fake_app(rewrite: Rewrite) -> Rewritten:
    return Rewritten(kit_app(), rewrite)


def created_at_as_number() -> Rewritten:
    """A fake whose workflows carry ``createdAt`` as a number of seconds, not the documented string."""

    def rewrite(method: str, path: str, status: int, data: Any) -> Any:
        for workflow in _workflows(data):
            workflow["createdAt"] = 1767225600
        return data

    return _fake_app(rewrite)


def has_flow_dropped() -> Rewritten:
    """A fake whose workflows leave out ``hasFlow``, a required field."""

    def rewrite(method: str, path: str, status: int, data: Any) -> Any:
        for workflow in _workflows(data):
            workflow.pop("hasFlow", None)
        return data

    return _fake_app(rewrite)


def newer_live_api() -> Rewritten:
    """A stand-in for a live API that moved on: a field the contract lacks and a status it does not know."""

    def rewrite(method: str, path: str, status: int, data: Any) -> Any:
        for workflow in _workflows(data):
            workflow["visibilityScore"] = 0.5
            if workflow.get("privacy") == "public":
                workflow["status"] = "featured"
        return data

    return _fake_app(rewrite)


def status_going_back() -> Rewritten:
    """A fake whose finalizing jobs read as warming up again: the lifecycle check must say so."""

    def rewrite(method: str, path: str, status: int, data: Any) -> Any:
        job = data.get("job") if isinstance(data, dict) else None
        if isinstance(job, dict) and job.get("status") == "finalizing":
            job["status"] = "warming-up"
            job["statusHistory"][-1]["status"] = "warming-up"
        return data

    return _fake_app(rewrite)


class _AnyoneIsAlice:
    """An ASGI app that serves a request without credentials as if alice had sent it: auth ignored."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "http" and not any(name.lower() == b"authorization" for name, _ in scope["headers"]):
            alice = Credentials("key_alice", "secret_alice").authorization.encode()
            scope = {**scope, "headers": [*scope["headers"], (b"authorization", alice)]}
        await self.app(scope, receive, send)


def auth_ignored() -> _AnyoneIsAlice:
    """A fake that answers requests without credentials instead of refusing them with 401."""
    return _AnyoneIsAlice(kit_app())


async def _not_a_fake(scope: dict, receive: Callable, send: Callable) -> None:
    if scope["type"] != "http":
        raise RuntimeError("no lifespan")
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"ok"})


def not_a_fake() -> Callable:
    """An ASGI app that is no fake: every request is answered 200 ``ok``, and it has no lifespan."""
    return _not_a_fake
