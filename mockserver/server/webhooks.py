"""Webhooks: when a job of a project ends, the fake POSTs it to the URLs the project registered.

A project registers a URL (fixtures, or ``POST /_mock/webhooks``). When one of its
jobs reaches ``success``, ``failure`` or ``canceled``, a delivery is queued; one
background thread sends it, so no request waits for a receiver. A delivery that
fails (no connection, a timeout, any status but 2xx) is tried again after 1, 2, 4,
... seconds (wall clock, ``webhook_retry_seconds`` doubled each time) up to
``webhook_max_attempts``; every attempt is kept in the delivery log.

The body is ``{"id", "event", "createdAt", "webhookId", "projectId", "job"}`` with
the job as ``GET /jobs/{jobId}`` shows it; ``contracts/webhooks.openapi.yaml``
documents it. With a ``secret``, ``X-Mockserver-Signature`` carries
``sha256=<hex HMAC-SHA256 of the body>``.
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from mockserver.core.errors import BadRequest
from mockserver.scenario.jobs.models import TERMINAL_JOB_STATUSES, Job

EVENTS = tuple(sorted(TERMINAL_JOB_STATUSES))
DEFAULT_JOB_TYPES = ("workflow",)

# (job id) -> the job as the API shows it, or None if it is gone.
RenderJob = Callable[[str], dict[str, Any] | None]


@dataclass
class Webhook:
    id: str
    project_id: str
    url: str
    secret: str | None = None
    events: list[str] = field(default_factory=lambda: list(EVENTS))
    job_types: list[str] = field(default_factory=lambda: list(DEFAULT_JOB_TYPES))

    def wants(self, job: Job) -> bool:
        return (
            job.owner_id == self.project_id
            and job.status in self.events
            and (not self.job_types or job.job_type in self.job_types)
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "projectId": self.project_id,
            "url": self.url,
            "secret": self.secret,
            "events": list(self.events),
            "jobTypes": list(self.job_types),
        }


@dataclass
class Delivery:
    """One notification: of a job to a registered webhook, or of an orchestrator workflow to its webhook_url."""

    id: str
    webhook_id: str | None
    url: str
    job_id: str | None
    event: str
    created_at: str
    status: str = "pending"  # pending, delivered, failed
    attempts: list[dict[str, Any]] = field(default_factory=list)
    payload: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "webhookId": self.webhook_id,
            "url": self.url,
            "jobId": self.job_id,
            "event": self.event,
            "createdAt": self.created_at,
            "status": self.status,
            "attempts": [dict(attempt) for attempt in self.attempts],
            "payload": self.payload,
        }


def parse_webhook(webhook_id: str, body: Any, known_project: Callable[[str], bool]) -> Webhook:
    """A webhook from its JSON form; BadRequest names what is wrong."""
    if not isinstance(body, dict):
        raise BadRequest("A webhook must be a JSON object")
    unknown = set(body) - {"id", "projectId", "url", "secret", "events", "jobTypes"}
    if unknown:
        raise BadRequest(f"Unknown webhook fields: {', '.join(sorted(unknown))}")
    project_id, url, secret = body.get("projectId"), body.get("url"), body.get("secret")
    if not isinstance(project_id, str) or not known_project(project_id):
        raise BadRequest("projectId must name a project of the fake")
    if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
        raise BadRequest("url must be an http:// or https:// URL")
    if secret is not None and (not isinstance(secret, str) or not secret):
        raise BadRequest("secret must be a non-empty string")
    events = _string_list(body, "events", list(EVENTS))
    if not events or not set(events) <= set(EVENTS):
        raise BadRequest(f"events must be a non-empty list of: {', '.join(EVENTS)}")
    job_types = _string_list(body, "jobTypes", list(DEFAULT_JOB_TYPES))
    return Webhook(webhook_id, project_id, url, secret, events, job_types)


def _string_list(body: dict, name: str, default: list[str]) -> list[str]:
    value = body.get(name, default)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise BadRequest(f"{name} must be a list of strings")
    return list(value)


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class Webhooks:
    """The registered webhooks, the delivery log, and the thread that sends deliveries."""

    def __init__(
        self,
        render: RenderJob,
        known_project: Callable[[str], bool],
        now: Callable[[], str],
        retry_seconds: float = 1.0,
        max_attempts: int = 5,
        timeout: float = 5.0,
    ) -> None:
        self._render = render
        self._known_project = known_project
        self._now = now
        self.retry_seconds = retry_seconds
        self.max_attempts = max_attempts
        self.timeout = timeout
        self._webhooks: dict[str, Webhook] = {}
        self._deliveries: dict[str, Delivery] = {}
        self._webhook_ids = itertools.count(1)
        self._delivery_ids = itertools.count(1)
        self._due: list[tuple[float, int, str]] = []  # (monotonic time, order, delivery id)
        self._order = itertools.count()
        self._in_flight = 0
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopped = False

    # ---- registrations

    def register(self, body: Any) -> Webhook:
        with self._cond:
            webhook = parse_webhook(f"webhook_{next(self._webhook_ids)}", body, self._known_project)
            self._webhooks[webhook.id] = webhook
            return webhook

    def remove(self, webhook_id: str) -> bool:
        with self._cond:
            return self._webhooks.pop(webhook_id, None) is not None

    def webhooks(self) -> list[Webhook]:
        with self._cond:
            return list(self._webhooks.values())

    def deliveries(self, webhook_id: str | None = None, job_id: str | None = None) -> list[Delivery]:
        with self._cond:
            return [
                d
                for d in self._deliveries.values()
                if (webhook_id is None or d.webhook_id == webhook_id) and (job_id is None or d.job_id == job_id)
            ]

    def reset(self, records: list[dict[str, Any]]) -> None:
        """Forget every webhook, delivery and pending attempt; register these (the fixtures') again."""
        with self._cond:
            self._webhooks.clear()
            self._deliveries.clear()
            self._due.clear()
            self._webhook_ids = itertools.count(1)
            self._delivery_ids = itertools.count(1)
        for record in records:
            self.register(record)

    # ---- the simulation tells it about jobs

    def job_ended(self, job: Job) -> None:
        """Queue a delivery to every webhook of the job's project that wants this job; sends nothing now."""
        with self._cond:
            for webhook in self._webhooks.values():
                if webhook.wants(job):
                    delivery = Delivery(
                        id=f"delivery_{next(self._delivery_ids)}",
                        webhook_id=webhook.id,
                        url=webhook.url,
                        job_id=job.job_id,
                        event=f"job.{job.status}",
                        created_at=self._now(),
                    )
                    self._deliveries[delivery.id] = delivery
                    self._queue(delivery.id, 0.0)

    def send(self, url: str, event: str, subject_id: str, payload: dict[str, Any]) -> Delivery:
        """Queue one delivery of a ready payload to a URL no registration names; sends nothing now.

        The orchestrator API's workflows carry their own ``webhook_url``: they are delivered this way, with
        the same retries and the same log (``jobId`` holds the workflow's id, ``webhookId`` is empty).
        """
        with self._cond:
            delivery = Delivery(
                id=f"delivery_{next(self._delivery_ids)}",
                webhook_id="",
                url=url,
                job_id=subject_id,
                event=event,
                created_at=self._now(),
                payload=payload,
            )
            self._deliveries[delivery.id] = delivery
            self._queue(delivery.id, 0.0)
            return delivery

    # ---- snapshot

    def export(self) -> dict[str, Any]:
        with self._cond:
            return {
                "webhooks": [webhook.as_dict() for webhook in self._webhooks.values()],
                "deliveries": [delivery.as_dict() for delivery in self._deliveries.values()],
                "nextWebhookId": _peek(self, "_webhook_ids"),
                "nextDeliveryId": _peek(self, "_delivery_ids"),
            }

    def restore(self, data: Any) -> None:
        """Replace everything with a snapshot's; pending deliveries are sent again. BadRequest if malformed."""
        webhooks, deliveries, next_webhook, next_delivery = self._parse(data)
        with self._cond:
            self._webhooks = {webhook.id: webhook for webhook in webhooks}
            self._deliveries = {delivery.id: delivery for delivery in deliveries}
            self._webhook_ids = itertools.count(next_webhook)
            self._delivery_ids = itertools.count(next_delivery)
            self._due.clear()
            for delivery in deliveries:
                if delivery.status == "pending":
                    self._queue(delivery.id, 0.0)

    def _parse(self, data: Any) -> tuple[list[Webhook], list[Delivery], int, int]:
        if not isinstance(data, dict):
            raise BadRequest("webhooks must be an object")
        try:
            webhooks = [parse_webhook(str(item["id"]), item, self._known_project) for item in data["webhooks"]]
            deliveries = [
                Delivery(
                    id=str(item["id"]),
                    webhook_id=_optional_str(item["webhookId"]),
                    url=str(item["url"]),
                    job_id=_optional_str(item["jobId"]),
                    event=str(item["event"]),
                    created_at=str(item["createdAt"]),
                    status=_choice(item["status"], ("pending", "delivered", "failed")),
                    attempts=[dict(attempt) for attempt in item["attempts"]],
                    payload=item.get("payload"),
                )
                for item in data["deliveries"]
            ]
            next_webhook, next_delivery = int(data["nextWebhookId"]), int(data["nextDeliveryId"])
        except (KeyError, TypeError, ValueError) as error:
            raise BadRequest(f"webhooks: malformed snapshot ({error!r})") from None
        return webhooks, deliveries, next_webhook, next_delivery

    # ---- delivery

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until no delivery is due or being sent; False if the timeout came first."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._due or self._in_flight:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
        return True

    def close(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=self.timeout + 1)

    def _queue(self, delivery_id: str, delay: float) -> None:
        heapq.heappush(self._due, (time.monotonic() + delay, next(self._order), delivery_id))
        if self._thread is None and not self._stopped:
            self._thread = threading.Thread(target=self._run, name="mockserver-webhooks", daemon=True)
            self._thread.start()
        self._cond.notify_all()

    def _run(self) -> None:
        with httpx.Client(timeout=self.timeout, trust_env=False) as client:
            while True:
                delivery = self._next_due()
                if delivery is None:
                    return
                try:
                    self._attempt(client, delivery)
                finally:
                    with self._cond:
                        self._in_flight -= 1
                        self._cond.notify_all()

    def _next_due(self) -> Delivery | None:
        with self._cond:
            while not self._stopped:
                if self._due and self._due[0][0] <= time.monotonic():
                    _, _, delivery_id = heapq.heappop(self._due)
                    delivery = self._deliveries.get(delivery_id)
                    if delivery is None or delivery.status != "pending":
                        continue
                    self._in_flight += 1
                    return delivery
                self._cond.wait(self._due[0][0] - time.monotonic() if self._due else None)
            return None

    def _attempt(self, client: httpx.Client, delivery: Delivery) -> None:
        if delivery.payload is None:
            delivery.payload = self._payload(delivery)
        webhook = self._webhooks.get(delivery.webhook_id or "")
        body = json.dumps(delivery.payload, separators=(",", ":")).encode()
        number = len(delivery.attempts) + 1
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "scenario-mockserver-webhooks",
            "X-Mockserver-Event": delivery.event,
            "X-Mockserver-Delivery": delivery.id,
            "X-Mockserver-Attempt": str(number),
        }
        if webhook is not None and webhook.secret:
            headers["X-Mockserver-Signature"] = signature(webhook.secret, body)
        attempt: dict[str, Any] = {"at": datetime.now(UTC).isoformat(), "statusCode": None, "error": None}
        started = time.perf_counter()
        try:
            answer = client.post(delivery.url, content=body, headers=headers)
            attempt["statusCode"] = answer.status_code
            ok = 200 <= answer.status_code < 300
            if not ok:
                attempt["error"] = f"receiver answered {answer.status_code}"
        except (httpx.HTTPError, httpx.InvalidURL) as error:  # an orchestrator webhook_url may be any string
            attempt["error"] = f"{type(error).__name__}: {error}"
            ok = False
        attempt["durationMs"] = round((time.perf_counter() - started) * 1000, 3)
        with self._cond:
            delivery.attempts.append(attempt)
            if ok:
                delivery.status = "delivered"
            elif number >= self.max_attempts:
                delivery.status = "failed"
            elif delivery.id in self._deliveries:
                self._queue(delivery.id, self.retry_seconds * 2 ** (number - 1))

    def _payload(self, delivery: Delivery) -> dict[str, Any]:
        webhook = self._webhooks.get(delivery.webhook_id or "")
        return {
            "id": delivery.id,
            "event": delivery.event,
            "createdAt": delivery.created_at,
            "webhookId": delivery.webhook_id,
            "projectId": webhook.project_id if webhook is not None else None,
            "job": self._render(delivery.job_id or ""),
        }


def _peek(owner: Webhooks, name: str) -> int:
    number = next(getattr(owner, name))
    setattr(owner, name, itertools.count(number))
    return number


def _optional_str(value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{value!r} is not a string")
    return value


def _choice(value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"{value!r} is not one of {allowed}")
    return value
