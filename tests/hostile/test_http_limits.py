"""The served fake refuses, in the API's envelope, what a hostile or broken client sends over a socket."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from mockserver.core.http import protocol
from mockserver.core.serving import served
from mockserver.server.app import create_app
from mockserver.server.fake import Fake
from mockserver.server.settings import Settings


@pytest.fixture
def address() -> Iterator[tuple[str, int]]:
    with served(lambda base_url: create_app(Fake(Settings(clock_mode="manual")))) as base_url:
        parts = urlsplit(base_url)
        yield parts.hostname or "", parts.port or 80


def _exchange(address: tuple[str, int], *chunks: bytes, pause: float = 0.0) -> tuple[int, dict]:
    """Send the chunks (pausing between them), read the answer until the server closes; status and JSON body."""
    with socket.create_connection(address, timeout=10) as sock:
        try:
            for chunk in chunks:
                sock.sendall(chunk)
                time.sleep(pause)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused before the client finished: the answer is already there
        answer = b""
        while True:
            try:
                data = sock.recv(65536)
            except ConnectionResetError:
                break
            if not data:
                break
            answer += data
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), json.loads(body)


def _envelope(status: int, body: dict) -> None:
    assert body["statusCode"] == status and body["error"] and body["message"]


def test_an_over_long_url_is_a_414(address: tuple[str, int]) -> None:
    target = b"/v1/workflows?q=" + b"a" * (protocol.MAX_URL_BYTES + 10)
    status, body = _exchange(address, b"GET " + target + b" HTTP/1.1\r\nHost: localhost\r\n\r\n")
    assert status == 414
    _envelope(414, body)


def test_a_huge_header_is_a_431(address: tuple[str, int]) -> None:
    head = b"GET /_mock/clock HTTP/1.1\r\nHost: localhost\r\nX-Big: "
    status, body = _exchange(address, head, b"a" * (protocol.MAX_HEAD_BYTES + 1), b"a" * 1024 * 1024)
    assert status == 431
    _envelope(431, body)


def test_too_many_headers_is_a_431(address: tuple[str, int]) -> None:
    headers = b"".join(b"X-H%d: 1\r\n" % n for n in range(protocol.MAX_HEADERS + 1))
    status, body = _exchange(address, b"GET /_mock/clock HTTP/1.1\r\nHost: localhost\r\n" + headers + b"\r\n")
    assert status == 431
    _envelope(431, body)


def test_a_client_sending_its_head_slowly_is_timed_out(address: tuple[str, int], monkeypatch) -> None:
    monkeypatch.setattr(protocol, "HEAD_TIMEOUT", 0.3)
    started = time.monotonic()
    status, body = _exchange(address, b"GET /_mock/clock HTTP/1.1\r\n", b"Host: local", b"host\r\n", pause=0.2)
    assert status == 408 and time.monotonic() - started < 5
    _envelope(408, body)


def test_a_client_that_sends_nothing_is_timed_out(address: tuple[str, int], monkeypatch) -> None:
    monkeypatch.setattr(protocol, "HEAD_TIMEOUT", 0.3)
    status, body = _exchange(address)
    assert status == 408
    _envelope(408, body)


def test_a_client_sending_its_body_slowly_is_timed_out(address: tuple[str, int], monkeypatch) -> None:
    monkeypatch.setattr(protocol, "BODY_TIMEOUT", 0.3)
    head = (
        b"POST /_mock/faults HTTP/1.1\r\nHost: localhost\r\n"
        b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
    )
    status, body = _exchange(address, head, b"{", b'"k', pause=0.25)
    assert status == 408
    _envelope(408, body)


def test_connections_past_the_limit_are_a_503(address: tuple[str, int], monkeypatch) -> None:
    monkeypatch.setattr(protocol, "MAX_CONNECTIONS", 2)
    held = [socket.create_connection(address, timeout=10) for _ in range(2)]
    try:
        time.sleep(0.2)
        status, body = _exchange(address, b"GET /_mock/clock HTTP/1.1\r\nHost: localhost\r\n\r\n")
        assert status == 503
        _envelope(503, body)
    finally:
        for sock in held:
            sock.close()


def test_a_plain_request_still_answers(address: tuple[str, int]) -> None:
    status, body = _exchange(address, b"GET /_mock/clock HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
    assert status == 200 and "mode" in body


@pytest.mark.parametrize("part", ["path", "query"])
def test_an_over_long_url_is_a_414_in_process_too(http, fake, part: str) -> None:
    before = fake.snapshot()
    long = "a" * (protocol.MAX_URL_BYTES + 10)
    url = f"/v1/workflows/{long}" if part == "path" else f"/v1/workflows?q={long}"
    answer = http("PUT", url, json={"name": "x"})
    assert answer.status_code == 414
    _envelope(414, answer.json())
    assert fake.snapshot() == before


def test_a_url_just_within_the_limit_is_served_in_process(http) -> None:
    padding = "a" * (protocol.MAX_URL_BYTES - len("/v1/workflows?q=") - 1)
    assert http("GET", f"/v1/workflows?q={padding}").status_code != 414
