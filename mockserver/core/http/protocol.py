"""uvicorn's httptools protocol with the limits a server facing untrusted clients needs, refusing in the
API's error envelope.

- a request line's target longer than :data:`MAX_URL_BYTES`: 414;
- a request head (request line and headers) past :data:`MAX_HEAD_BYTES`, or more than :data:`MAX_HEADERS`
  headers: 431;
- a request head not complete :data:`HEAD_TIMEOUT` seconds after its first byte (or after the
  connection opened, for a client that sends nothing), or a body not complete :data:`BODY_TIMEOUT` seconds
  after its head: 408;
- more than :data:`MAX_CONNECTIONS` open connections: 503 to the next one.

Each refusal closes the connection. Bodies are bounded where they are read (the API's and the control
plane's limits), and an idle keep-alive connection closes after uvicorn's ``timeout_keep_alive``.
"""

from __future__ import annotations

import asyncio
import logging

import orjson
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

log = logging.getLogger("mockserver")

MAX_URL_BYTES = 32 * 1024
MAX_HEAD_BYTES = 64 * 1024
MAX_HEADERS = 100
HEAD_TIMEOUT = 10.0
BODY_TIMEOUT = 60.0
MAX_CONNECTIONS = 1000

REASONS = {
    408: "Request Timeout",
    414: "URI Too Long",
    431: "Request Header Fields Too Large",
    503: "Service Unavailable",
}


class Refusal(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def refusal_body(status: int, message: str) -> bytes:
    """The API's error envelope: ``{"statusCode", "error", "message"}``."""
    return orjson.dumps({"statusCode": status, "error": REASONS[status], "message": message})


def refusal_bytes(status: int, message: str) -> bytes:
    """A whole HTTP response closing the connection, the envelope for its body."""
    reason = REASONS[status]
    body = refusal_body(status, message)
    head = (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


class BoundedHttpProtocol(HttpToolsProtocol):
    """:class:`HttpToolsProtocol` refusing over-long URLs and heads, too many headers, slow clients and
    connections past the limit (see the module's text).

    A deadline is armed only while a request is seen incomplete at the end of the data received: a
    request that arrives whole, as nearly all do, costs no timer.
    """

    _refusal: Refusal | None = None
    _phase: str = "idle"  # of the request being read: "idle" (none, or handed to the app), "head", "body"
    _watching: str | None = None  # the phase the armed deadline is for
    _head_bytes = 0
    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > MAX_CONNECTIONS:
            self._refuse(Refusal(503, f"The fake serves at most {MAX_CONNECTIONS} connections at once"))
            return
        self._watch("head")  # a client that connects and sends nothing

    def connection_lost(self, exc: Exception | None) -> None:
        self._watch(None)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._phase != "body":
            self._head_bytes += len(data)
        super().data_received(data)
        phase = self._phase
        if phase == "idle" and self._watching is None:
            return  # every request received was whole: the common case costs no more than this
        if self.transport.is_closing():
            return
        if phase == "head":
            url = self.url if isinstance(self.url, bytes) else b""
            if len(url) > MAX_URL_BYTES:
                self._refuse(Refusal(414, f"The request's URL is longer than {MAX_URL_BYTES} bytes"))
                return
            if self._head_bytes > MAX_HEAD_BYTES:
                self._refuse(Refusal(431, f"The request's head is larger than {MAX_HEAD_BYTES} bytes"))
                return
        self._watch(None if phase == "idle" else phase)

    def send_400_response(self, msg: str) -> None:
        """The parser stopped: at one of this class's refusals, or at a request that is not HTTP."""
        if self._refusal is not None:
            self._refuse(self._refusal)
        else:
            super().send_400_response(msg)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._phase = "head"

    def on_headers_complete(self) -> None:
        # Checked once the head is in: a whole head is already bounded by MAX_HEAD_BYTES, and checking here
        # rather than per URL chunk and per header keeps the parser's callbacks those of uvicorn.
        if len(self.url) > MAX_URL_BYTES:
            self._refusal = Refusal(414, f"The request's URL is longer than {MAX_URL_BYTES} bytes")
            raise self._refusal
        if len(self.headers) > MAX_HEADERS:
            self._refusal = Refusal(431, f"The request has more than {MAX_HEADERS} headers")
            raise self._refusal
        self._phase = "body"
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._phase, self._head_bytes = "idle", 0
        super().on_message_complete()

    def _watch(self, phase: str | None) -> None:
        """Have the deadline of ``phase`` armed (none for None), keeping one already armed for it."""
        if phase == self._watching:
            return
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        self._watching = phase
        if phase is not None:
            seconds, what = (HEAD_TIMEOUT, "head") if phase == "head" else (BODY_TIMEOUT, "body")
            self._deadline = self.loop.call_later(
                seconds, self._timed_out, f"The request's {what} was not received in time"
            )

    def _timed_out(self, message: str) -> None:
        self._deadline, self._watching = None, None
        if not self.transport.is_closing():
            self._refuse(Refusal(408, message))

    def _refuse(self, refusal: Refusal) -> None:
        """Answer ``refusal`` unless a response has begun, and close the connection."""
        self._refusal = None
        self._watch(None)
        log.warning("refused a connection from %s: %s", self.client, refusal.message)
        started = self.cycle is not None and self.cycle.response_started and not self.cycle.response_complete
        if not started and not self.transport.is_closing():
            self.transport.write(refusal_bytes(refusal.status, refusal.message))
        self.transport.close()
