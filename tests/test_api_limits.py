"""What one client may hold of a real `qa serve` on loopback (short limits set for the test):
request bodies by size and time (`qa.api.limits`), request heads by time and size, idle
kept-alive connections and the number of connections (`qa.api.server`). Each refusal is in
the API's error shape, and the server answers others afterwards."""

from __future__ import annotations

import gzip
import json
import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from qa.api.server import MAX_HEAD_BYTES
from qa.config import Settings
from qa.service import QAService
from tests.conftest import serving

pytestmark = pytest.mark.slow

HEADER_TIMEOUT = BODY_TIMEOUT = KEEPALIVE_TIMEOUT = 1.5
MAX_BODY = 8192
MAX_CONNECTIONS = 16
SLACK = 6.0  # seconds a loaded machine may add to a timeout before it counts as missed


@pytest.fixture(scope="module")
def server(analysis_settings: Settings, service: QAService) -> Iterator[tuple[str, int]]:
    with serving(analysis_settings.corpus, analysis_settings.index,
                 header_timeout=str(HEADER_TIMEOUT), body_timeout=str(BODY_TIMEOUT),
                 keepalive_timeout=str(KEEPALIVE_TIMEOUT), max_body_bytes=str(MAX_BODY),
                 max_connections=str(MAX_CONNECTIONS)) as url:
        parts = urlsplit(url)
        yield url, parts.port or 80


def connect(port: int) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    return s


def send_until_refused(s: socket.socket, piece: bytes, limit: int) -> int:
    """Send `piece` again and again, up to `limit` bytes or until the server, having answered
    and closed without reading the rest, makes sending fail; the bytes it took."""
    sent = 0
    try:
        while sent < limit:
            s.sendall(piece)
            sent += len(piece)
    except OSError:
        pass
    return sent


def response(s: socket.socket) -> tuple[int, dict, float]:
    """Status, JSON body and seconds until the server answered and closed the connection."""
    t0 = time.monotonic()
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head else 0
    return status, json.loads(body) if body else {}, time.monotonic() - t0


def assert_error(status: int, body: dict, expected: int, word: str) -> None:
    assert status == expected, (status, body)
    assert set(body) == {"error"} and word in body["error"]["message"], body


def assert_alive(url: str) -> None:
    assert httpx.get(url + "/health", timeout=10).status_code == 200


def test_a_declared_huge_body_is_refused_before_it_is_read(server: tuple[str, int]) -> None:
    url, port = server
    s = connect(port)
    s.sendall(b"POST /ask HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
              b"Content-Length: 104857600\r\n\r\n")
    sent = send_until_refused(s, b"x" * 65536, 100 << 20)
    status, body, _ = response(s)
    assert_error(status, body, 413, "QA_MAX_BODY_BYTES")
    assert sent < 32 << 20, f"{sent} bytes were taken before the refusal"
    assert_alive(url)


def test_an_undeclared_body_over_the_limit_is_refused(server: tuple[str, int]) -> None:
    url, _ = server
    def chunks() -> Iterator[bytes]:
        for _ in range(64):
            yield b" " * 1024
    resp = httpx.post(url + "/ask", content=chunks(), timeout=30,
                      headers={"content-type": "application/json"})
    assert_error(resp.status_code, resp.json(), 413, "QA_MAX_BODY_BYTES")
    # Under the limit, the same route answers.
    ok = httpx.post(url + "/ask", json={"question": "What is the military aspect?"}, timeout=60)
    assert ok.status_code == 200


@pytest.mark.parametrize("head", [b"Transfer-Encoding: gzip, chunked",
                                  b"Content-Encoding: gzip\r\nTransfer-Encoding: chunked"])
def test_a_compressed_chunked_body_is_refused(server: tuple[str, int], head: bytes) -> None:
    """A transfer coding besides chunked was dropped unread: a gzip body was a 400, plain
    JSON labelled gzip was answered."""
    url, port = server
    for body in (gzip.compress(b'{"query": "military"}'), b'{"query": "military"}'):
        s = connect(port)
        s.sendall(b"POST /retrieve HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                  + head + b"\r\n\r\n" + b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n")
        status, answer, _ = response(s)
        assert_error(status, answer, 415, "send it uncompressed")
    assert_alive(url)


def test_a_body_that_trickles_is_timed_out(server: tuple[str, int]) -> None:
    url, port = server
    s = connect(port)
    s.sendall(b"POST /retrieve HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
              b"Content-Length: 1000\r\n\r\n{\"query\"")
    status, body, seconds = response(s)
    assert_error(status, body, 408, "QA_BODY_TIMEOUT")
    assert seconds < BODY_TIMEOUT + SLACK
    assert_alive(url)


def test_an_idle_connection_is_answered_408_and_closed(server: tuple[str, int]) -> None:
    _, port = server
    status, body, seconds = response(connect(port))
    assert_error(status, body, 408, "QA_HEADER_TIMEOUT")
    assert HEADER_TIMEOUT - 0.3 < seconds < HEADER_TIMEOUT + SLACK


def test_headers_sent_byte_by_byte_do_not_hold_the_connection(server: tuple[str, int]) -> None:
    url, port = server
    s = connect(port)
    t0 = time.monotonic()
    s.sendall(b"GET /health HTTP/1.1\r\nHost: t\r\n")
    closed = False
    while time.monotonic() - t0 < HEADER_TIMEOUT + SLACK:
        try:
            s.sendall(b"X")
        except OSError:
            closed = True
            break
        time.sleep(0.2)
    assert closed, "the server kept a slowloris connection open"
    assert_alive(url)


def test_an_idle_kept_alive_connection_is_closed(server: tuple[str, int]) -> None:
    _, port = server
    s = connect(port)
    s.sendall(b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
    t0 = time.monotonic()
    first = s.recv(65536)
    assert first.startswith(b"HTTP/1.1 200"), first[:100]
    rest = b""
    while chunk := s.recv(65536):
        rest += chunk
    assert time.monotonic() - t0 < max(HEADER_TIMEOUT, KEEPALIVE_TIMEOUT) + SLACK


def test_connections_over_the_limit_are_closed_and_held_ones_expire(
        server: tuple[str, int]) -> None:
    url, port = server
    held = [connect(port) for _ in range(4 * MAX_CONNECTIONS)]
    closed = 0
    t0 = time.monotonic()
    for s in held:
        status, body, _ = response(s)  # every one is answered and closed
        if status == 503:
            assert_error(status, body, 503, "QA_MAX_CONNECTIONS")
            closed += 1
        else:
            assert_error(status, body, 408, "QA_HEADER_TIMEOUT")
    assert closed >= 3 * MAX_CONNECTIONS - 2  # (a test client's own may count too)
    assert time.monotonic() - t0 < HEADER_TIMEOUT + SLACK
    assert_alive(url)


def test_held_connections_do_not_lock_new_clients_out(server: tuple[str, int]) -> None:
    url, port = server
    held = [connect(port) for _ in range(2 * MAX_CONNECTIONS)]  # idle: no request sent
    t0 = time.monotonic()
    resp = httpx.get(url + "/health", timeout=10)
    assert resp.status_code == 200 and time.monotonic() - t0 < HEADER_TIMEOUT
    for s in held:
        s.close()


def test_the_server_runs_on_httptools_when_it_is_installed(analysis_settings: Settings) -> None:
    pytest.importorskip("httptools")
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    from qa.api.server import protocol_for

    protocol = protocol_for(analysis_settings)
    assert issubclass(protocol, HttpToolsProtocol)
    assert protocol.header_timeout == analysis_settings.header_timeout


# The exact cap is LimitedHttpToolsProtocol's, the server's protocol when httptools is
# installed (h11, the fall-back, caps only a head still incomplete after 16 KiB).
@pytest.mark.parametrize("head", [
    b"X-Big: " + b"a" * (MAX_HEAD_BYTES + 100) + b"\r\n",  # one long header
    b"".join(b"X-H%d: %s\r\n" % (i, b"b" * 100) for i in range(MAX_HEAD_BYTES // 100)),
], ids=["one-header", "many-headers"])
@pytest.mark.parametrize("pieces", [1, 64], ids=["one-write", "trickled"])
def test_a_head_over_the_limit_is_refused(server: tuple[str, int], head: bytes,
                                          pieces: int) -> None:
    pytest.importorskip("httptools")
    url, port = server
    data = b"GET /health HTTP/1.1\r\nHost: t\r\n" + head + b"\r\n"
    s = connect(port)
    step = -(-len(data) // pieces)
    try:  # the server answers and closes once over the limit: sending the rest may fail
        for i in range(0, len(data), step):
            s.sendall(data[i:i + step])
            time.sleep(0.01 if pieces > 1 else 0)
    except OSError:
        pass
    status, body, _ = response(s)
    assert_error(status, body, 400, "too large")
    assert_alive(url)


def test_a_header_of_any_length_is_stopped_near_the_limit(server: tuple[str, int]) -> None:
    """httptools would keep a header that never ends: the server stops reading it."""
    url, port = server
    s = connect(port)
    s.sendall(b"GET /health HTTP/1.1\r\nHost: t\r\nX-Endless: ")
    sent = send_until_refused(s, b"a" * 4096, 64 << 20)
    status, body, _ = response(s)
    assert_error(status, body, 400, "too large")
    assert sent < 16 << 20, f"{sent} bytes of one header were taken"
    assert_alive(url)


def test_heads_under_the_limit_in_pieces_and_pipelined_are_answered(
        server: tuple[str, int]) -> None:
    _, port = server
    head = (b"GET /health HTTP/1.1\r\nHost: t\r\n"
            + b"".join(b"X-H%d: %s\r\n" % (i, b"b" * 100) for i in range(40)) + b"\r\n")
    last = b"GET /health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
    s = connect(port)
    data = head + head + last  # three requests, the first two sent in small pieces
    for i in range(0, len(data), 512):
        s.sendall(data[i:i + 512])
        time.sleep(0.01)
    received = b""
    while chunk := s.recv(65536):
        received += chunk
    assert received.count(b"HTTP/1.1 200 OK") == 3, received[:300]


def test_a_response_of_known_length_leaves_in_one_write(server: tuple[str, int]) -> None:
    # Its head and body arrive together: the first read holds the whole body (a head
    # written apart arrives first on loopback, and the client would wake up twice).
    url, port = server
    s = connect(port)
    for _ in range(3):  # on one kept-alive connection
        s.sendall(b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
        head, _, body = s.recv(65536).partition(b"\r\n\r\n")
        length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:"))
        assert head.startswith(b"HTTP/1.1 200") and len(body) == length
        assert json.loads(body)["status"] == "ok"
    # A response without a body (HEAD) and one that closes the connection are whole too.
    s.sendall(b"HEAD /health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    data = b""
    while chunk := s.recv(65536):
        data += chunk
    assert data.startswith(b"HTTP/1.1 ") and data.endswith(b"\r\n\r\n")
    s.close()
    assert_alive(url)
