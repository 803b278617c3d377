"""Webhooks: when a job of a project ends, the fake POSTs it to the URLs the project registered.

A project registers a URL (fixtures, or ``POST /_mock/webhooks``). When one of its
jobs reaches ``success``, ``failure`` or ``canceled``, a delivery is made and its
first attempt is scheduled, on the fake's scheduler, for the moment the job ended.
When an attempt is due, one background thread sends it, so no request waits for a
receiver. A delivery that fails (no connection, a timeout, any status but 2xx) is
tried again 1, 2, 4, ... seconds later on the fake's clock (``webhook_retry_seconds``
doubled each time) up to ``webhook_max_attempts``: on a manual clock a retry waits
until the clock is advanced past it. Every attempt is kept in the delivery log.

The body is ``{"id", "event", "createdAt", "webhookId", "projectId", "job"}`` with
the job as ``GET /jobs/{jobId}`` shows it; ``contracts/webhooks.openapi.yaml``
documents it. With a ``secret``, ``X-Mockserver-Signature`` carries
``sha256=<hex HMAC-SHA256 of the body>``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import posixpath
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx

from mockserver.core.clock import Clock, iso
from mockserver.core.errors import BadRequest
from mockserver.core.scheduler import Scheduler
from mockserver.scenario.jobs.models import TERMINAL_JOB_STATUSES, Job

EVENTS = tuple(sorted(TERMINAL_JOB_STATUSES))
DEFAULT_JOB_TYPES = ("workflow",)
CONTROL_PATH = "/_mock"
# The name delivery attempts carry on the scheduler.
OWNER = "webhooks"

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
    if targets_control_plane(url):
        raise BadRequest(f"url must not point at a fake's control plane ({CONTROL_PATH}/...)")
    if secret is not None and (not isinstance(secret, str) or not secret):
        raise BadRequest("secret must be a non-empty string")
    events = _string_list(body, "events", list(EVENTS))
    if not events or not set(events) <= set(EVENTS):
        raise BadRequest(f"events must be a non-empty list of: {', '.join(EVENTS)}")
    job_types = _string_list(body, "jobTypes", list(DEFAULT_JOB_TYPES))
    return Webhook(webhook_id, project_id, url, secret, events, job_types)


def targets_control_plane(url: str) -> bool:
    """Whether ``url``'s path, read as a server reads it, is a fake's control plane: a delivery there could
    reset the fake or register more webhooks. Checked on the path alone: any host may be this fake."""
    try:
        path = urlsplit(url.strip()).path
    except ValueError:
        return False
    while (decoded := unquote(path)) != path:
        path = decoded
    path = posixpath.normpath(re.sub(r"/+", "/", "/" + path))
    return path == CONTROL_PATH or path.startswith(CONTROL_PATH + "/")


def _string_list(body: dict, name: str, default: list[str]) -> list[str]:
    value = body.get(name, default)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise BadRequest(f"{name} must be a list of strings")
    return list(value)


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class WebhooksState:
    webhooks: list[Webhook]
    deliveries: list[Delivery]
    next_webhook_id: int
    next_delivery_id: int


class Webhooks:
    """The registered webhooks, the delivery log, the attempts on the fake's scheduler, and the thread that sends."""

    def __init__(
        self,
        render: RenderJob,
        known_project: Callable[[str], bool],
        clock: Clock,
        scheduler: Scheduler,
        lock: threading.RLock,
        fixtures: list[dict[str, Any]],
        retry_seconds: float = 1.0,
        max_attempts: int = 5,
        timeout: float = 5.0,
    ) -> None:
        self._render = render
        self._known_project = known_project
        self._clock = clock
        self._scheduler = scheduler
        self._lock = lock  # the fake's: held to schedule; taken before ``_cond``, never after
        self._fixtures = fixtures
        self.retry_seconds = retry_seconds
        self.max_attempts = max_attempts
        self.timeout = timeout
        self._webhooks: dict[str, Webhook] = {}
        self._deliveries: dict[str, Delivery] = {}
        self._next_webhook_id = 1
        self._next_delivery_id = 1
        self._scheduled: dict[str, datetime] = {}  # delivery id -> when its next attempt is due
        self._outbox: deque[Delivery] = deque()  # attempts due, waiting for the sender
        self._in_flight = 0
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopped = False
        scheduler.add_owner(OWNER, self._attempt_due)
        self.reset()

    # ---- registrations

    def register(self, body: Any) -> Webhook:
        with self._cond:
            webhook = parse_webhook(f"webhook_{self._next_webhook_id}", body, self._known_project)
            self._next_webhook_id += 1
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

    def reset(self) -> None:
        """Forget every webhook, delivery and attempt; register the fixtures' webhooks again."""
        with self._cond:
            self._clear()
        for record in self._fixtures:
            self.register(record)

    # ---- what ends: jobs, orchestrator workflows

    def job_ended(self, job: Job) -> None:
        """Make a delivery to every webhook of the job's project that wants this job; its attempt comes now."""
        with self._lock, self._cond:
            for webhook in self._webhooks.values():
                if webhook.wants(job):
                    self._schedule_first(webhook.id, webhook.url, job.job_id, f"job.{job.status}", None)

    def send(self, url: str, event: str, subject_id: str, payload: dict[str, Any]) -> Delivery:
        """Make a delivery of a ready payload to a URL no registration names; its attempt comes now.

        The orchestrator API's workflows carry their own ``webhook_url``: they are delivered this way, with
        the same retries and the same log (``jobId`` holds the workflow's id, ``webhookId`` is empty).
        """
        with self._lock, self._cond:
            return self._schedule_first("", url, subject_id, event, payload)

    def _schedule_first(
        self, webhook_id: str, url: str, subject_id: str, event: str, payload: dict[str, Any] | None
    ) -> Delivery:
        delivery = Delivery(
            id=f"delivery_{self._next_delivery_id}",
            webhook_id=webhook_id,
            url=url,
            job_id=subject_id,
            event=event,
            created_at=iso(self._clock.now()),
            payload=payload,
        )
        self._next_delivery_id += 1
        self._deliveries[delivery.id] = delivery
        self._schedule(delivery.id, self._scheduler.now())
        return delivery

    # ---- state

    def snapshot(self) -> dict[str, Any]:
        with self._cond:
            return {
                "webhooks": [webhook.as_dict() for webhook in self._webhooks.values()],
                "deliveries": [delivery.as_dict() for delivery in self._deliveries.values()],
                "nextWebhookId": self._next_webhook_id,
                "nextDeliveryId": self._next_delivery_id,
            }

    def parse_snapshot(self, data: Any) -> WebhooksState:
        """Check a snapshot's webhooks part; BadRequest if it is malformed."""
        if not isinstance(data, dict):
            raise BadRequest("webhooks must be an object")
        try:
            webhooks = [parse_webhook(str(item["id"]), item, self._known_project) for item in data["webhooks"]]
            deliveries = [_delivery(item) for item in data["deliveries"]]
            next_webhook, next_delivery = int(data["nextWebhookId"]), int(data["nextDeliveryId"])
        except (KeyError, TypeError, ValueError) as error:
            raise BadRequest(f"webhooks: malformed snapshot ({error!r})") from None
        return WebhooksState(webhooks, deliveries, next_webhook, next_delivery)

    def restore(self, state: WebhooksState) -> None:
        """Put a parsed snapshot in place, after the fake's scheduler was reset; pending deliveries are tried now."""
        with self._lock, self._cond:
            self._clear()
            self._webhooks = {webhook.id: webhook for webhook in state.webhooks}
            self._deliveries = {delivery.id: delivery for delivery in state.deliveries}
            self._next_webhook_id, self._next_delivery_id = state.next_webhook_id, state.next_delivery_id
            for delivery in state.deliveries:
                if delivery.status == "pending":
                    self._schedule(delivery.id, self._scheduler.now())

    def _clear(self) -> None:
        self._webhooks.clear()
        self._deliveries.clear()
        self._scheduled.clear()
        self._outbox.clear()
        self._next_webhook_id = self._next_delivery_id = 1
        self._cond.notify_all()

    # ---- delivery

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until no attempt is due or being sent; False if the timeout came first.

        A retry scheduled later on the fake's clock is not due: on a manual clock it waits for an advance.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._busy():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(min(remaining, 0.02))  # also looks again as the clock reaches a scheduled attempt
        return True

    def close(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=self.timeout + 1)

    def _busy(self) -> bool:
        if self._outbox or self._in_flight:
            return True
        if self._clock.mode == "instant":
            return bool(self._scheduled)
        now = self._clock.now()
        return any(at <= now for at in self._scheduled.values())

    def _schedule(self, delivery_id: str, at: datetime) -> None:
        """Schedule a delivery's next attempt; hold the fake's lock and ``_cond``."""
        self._scheduled[delivery_id] = at
        self._scheduler.schedule(OWNER, at, delivery_id)

    def _attempt_due(self, at: datetime, delivery_id: str) -> None:
        """An attempt is due (the scheduler applies it, under the fake's lock): hand it to the sender."""
        with self._cond:
            if self._scheduled.get(delivery_id) != at:
                return  # forgotten by a reset or a restore
            del self._scheduled[delivery_id]
            delivery = self._deliveries[delivery_id]
            needs_payload = delivery.payload is None
        payload = self._payload(delivery) if needs_payload else delivery.payload
        with self._cond:
            delivery.payload = payload
            self._outbox.append(delivery)
            if self._thread is None and not self._stopped:
                self._thread = threading.Thread(target=self._run, name="mockserver-webhooks", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def _run(self) -> None:
        with httpx.Client(timeout=self.timeout, trust_env=False) as client:
            while True:
                delivery = self._next_to_send()
                if delivery is None:
                    return
                attempt, ok = self._post(client, delivery)
                self._record(delivery, attempt, ok)

    def _next_to_send(self) -> Delivery | None:
        with self._cond:
            while not self._stopped:
                if self._outbox:
                    self._in_flight += 1
                    return self._outbox.popleft()
                self._cond.wait()
            return None

    def _post(self, client: httpx.Client, delivery: Delivery) -> tuple[dict[str, Any], bool]:
        """Send one attempt (no lock held: a slow receiver holds up nothing but the next delivery)."""
        with self._cond:
            webhook = self._webhooks.get(delivery.webhook_id or "")
            number = len(delivery.attempts) + 1
        body = json.dumps(delivery.payload, separators=(",", ":")).encode()
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
        if targets_control_plane(delivery.url):  # an orchestrator workflow's webhook_url is any string
            attempt["error"] = f"not sent: the URL points at a fake's control plane ({CONTROL_PATH}/...)"
            attempt["durationMs"] = 0.0
            return attempt, False
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
        return attempt, ok

    def _record(self, delivery: Delivery, attempt: dict[str, Any], ok: bool) -> None:
        """Log the attempt; after a failure, schedule the next one, ``retry_seconds`` doubled, on the fake's clock."""
        with self._lock, self._cond:
            self._in_flight -= 1
            self._cond.notify_all()
            if self._deliveries.get(delivery.id) is not delivery:
                return  # forgotten by a reset or a restore while it was sent
            delivery.attempts.append(attempt)
            number = len(delivery.attempts)
            if ok:
                delivery.status = "delivered"
            elif number >= self.max_attempts:
                delivery.status = "failed"
            else:
                delay = self._clock.span(self.retry_seconds * 2 ** (number - 1))
                self._schedule(delivery.id, self._clock.now() + delay)

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


def _delivery(item: dict[str, Any]) -> Delivery:
    return Delivery(
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


def _optional_str(value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{value!r} is not a string")
    return value


def _choice(value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"{value!r} is not one of {allowed}")
    return value
