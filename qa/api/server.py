"""`qa serve`'s HTTP server: uvicorn with limits on what one client may hold.

uvicorn (checked on 0.54) closes a connection that stays idle after a response
(`timeout_keep_alive`), but has no timeout for a request's line and headers: a connection
that sends nothing, or a header byte every few seconds (slowloris), is held forever, and
it has no cap on open connections (`limit_concurrency` only answers 503 once a request
has arrived). `HeadLimits` adds both to uvicorn's protocols, httptools' when it is
installed (`LimitedHttpToolsProtocol`: its C parser costs less per request than h11's pure
Python one) and h11's otherwise (`LimitedH11Protocol`):

- header timeout: from a connection's opening, and again from the end of each response,
  the client has `header_timeout` seconds to send a complete request line and headers;
  otherwise it gets 408 and the connection is closed. Bytes that trickle in do not reset
  the clock (uvicorn's keep-alive timer is reset by any byte).
- connection cap: beyond `max_connections`, the connection that has waited longest
  without sending a request is answered 503 and closed to make room (so idle or slow
  connections cannot lock new clients out); when all are busy with requests, the new one
  is answered 503 and closed.
- a malformed request, or a request line and headers over `MAX_HEAD_BYTES`, gets 400 in
  the API's error shape (httptools has no limit of its own; h11 refuses a head still
  incomplete after 16 KiB, so it takes a larger one that arrives in one read).

On httptools a response of known length leaves in one write, its head with its body
(`OneWriteCycle`): uvicorn writes them apart, so a client that waits for the head is woken
twice; on a busy machine each wake-up waits for a core (measured against uvicorn's two
writes, servers side by side: /retrieve p50 1.6 ms less on the analysis, 2.8 ms less on
TAT-QA, at load 5.5).

The body's size and time are limited by `qa.api.limits.RequestLimits`, inside the app.
SIGTERM ends the server within `SHUTDOWN_GRACE` seconds even with event streams of the
chat page open.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import h11
import uvicorn
from fastapi import FastAPI
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.utils import get_client_addr, get_path_with_query_string

from qa.api.errors import raw_error
from qa.config import Settings

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle
except ImportError:  # httptools is not installed: h11 serves
    HttpToolsProtocol = RequestResponseCycle = None

# Seconds a SIGTERM waits for open requests (the chat page's event streams never end).
SHUTDOWN_GRACE = 5
# Bytes of a request's line and headers at most on httptools, which would take headers of
# any size: the size of h11's own limit (`max_incomplete_event_size`, uvicorn's default).
MAX_HEAD_BYTES = 16 * 1024
BAD_REQUEST = "invalid HTTP request (malformed, or its line and headers are too large)"


class HeadLimits:
    """The header timeout and the connection cap, for a uvicorn HTTP protocol (mixed in
    before it). The protocol calls `_start_head_clock` when it starts waiting for a
    request's head and `_stop_head_clock` once the head is in, and says in `_awaiting_head`
    whether it is still waiting."""

    header_timeout: float = 10.0
    max_connections: int = 256
    # Of the uvicorn protocol this is mixed into:
    connections: set[Any]
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None
        self._opened = 0.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)  # type: ignore[misc]
        self._opened = self.loop.time()
        if len(self.connections) > self.max_connections:
            # Make room by closing the connection that has waited longest without sending
            # a request (idle, or sending its head slowly), so that held connections cannot
            # lock new clients out; only when every connection is busy is this one refused.
            waiting = [c for c in self.connections if c is not self
                       and isinstance(c, HeadLimits) and c._header_timer is not None]
            if not waiting:
                self._refuse(503, f"the server has {self.max_connections} connections open, "
                             "its limit (QA_MAX_CONNECTIONS), all busy: try again shortly")
                return
            min(waiting, key=lambda c: c._opened)._refuse(
                503, f"closed to make room: the server is at its limit of "
                f"{self.max_connections} connections (QA_MAX_CONNECTIONS) and this one sent "
                "no request")
        self._start_head_clock()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_clock()
        super().connection_lost(exc)  # type: ignore[misc]

    def send_400_response(self, msg: str) -> None:
        self._refuse(400, BAD_REQUEST)

    def _awaiting_head(self) -> bool:
        raise NotImplementedError

    def _start_head_clock(self) -> None:
        """Start the clock for the next request's head."""
        self._stop_head_clock()
        self._header_timer = self.loop.call_later(self.header_timeout, self._header_timeout)

    def _stop_head_clock(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _header_timeout(self) -> None:
        self._header_timer = None
        if self._awaiting_head() and not self.transport.is_closing():
            self._refuse(408, f"no complete request headers within {self.header_timeout:g} s "
                         "(QA_HEADER_TIMEOUT)")

    def _refuse(self, status: int, message: str) -> None:
        """Answer an error before any request reached the app, and close."""
        self._stop_head_clock()
        if not self.transport.is_closing():
            self.transport.write(raw_error(status, message))
            self.transport.close()


class LimitedH11Protocol(HeadLimits, H11Protocol):
    """uvicorn's h11 protocol with a header timeout and a connection cap (set by
    `protocol_for`). h11 limits the head's size itself: 16 KiB still incomplete."""

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:  # a whole request head is in
            self._stop_head_clock()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._start_head_clock()  # the next request's head, on a kept-alive connection

    def _awaiting_head(self) -> bool:
        return self.conn.their_state is h11.IDLE


class HeadTooLarge(Exception):
    """Raised from a parser callback to stop httptools at a head over `MAX_HEAD_BYTES`
    (uvicorn answers the parser's error with `send_400_response`)."""


class Collected:
    """A transport that keeps what is written to it (and whether it was closed) for the
    real one, `inner`; everything else is the real one's."""

    def __init__(self, inner: asyncio.Transport) -> None:
        self.inner = inner
        self.data: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.data.append(data)

    def close(self) -> None:
        self.closed = True

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


if HttpToolsProtocol is not None:

    class OneWriteCycle(RequestResponseCycle):
        """uvicorn's httptools request-response cycle, holding back the head of a response
        whose length is known (`content-length`) to write it with the first of its body.
        Streamed responses (chunked: event streams) have their head written at once. The
        access-log line uvicorn writes before the head is written after it instead, so the
        client does not wait for the log."""

        held = b""  # the head, until the body's first message
        unlogged: int | None = None  # the status whose access-log line is still to write

        async def send(self, message: Any) -> None:
            if self.disconnected or (not self.held and self.response_started):
                await super().send(message)
                if self.unlogged is not None:  # the client left before the body
                    self._log(self.unlogged)
                return
            if message["type"] == "http.response.start" and self.access_log:
                self.access_log, self.unlogged = False, message["status"]
            real = self.transport
            self.transport = out = Collected(real)
            try:
                await super().send(message)
            finally:
                self.transport = real
            data = b"".join([self.held, *out.data])
            self.held = b""
            if message["type"] == "http.response.start" and self.chunked_encoding is False:
                self.held = data  # a body of known length follows: it takes the head along
            elif data and not self.disconnected:
                real.write(data)
            if out.closed:
                real.close()
            if not self.held and self.unlogged is not None:
                self._log(self.unlogged)

        def _log(self, status: int) -> None:
            """uvicorn's access-log line (its format and arguments)."""
            self.unlogged = None
            self.access_logger.info('%s - "%s %s HTTP/%s" %d', get_client_addr(self.scope),
                                    self.scope["method"],
                                    get_path_with_query_string(self.scope),
                                    self.scope["http_version"], status)

    class LimitedHttpToolsProtocol(HeadLimits, HttpToolsProtocol):
        """uvicorn's httptools protocol with a header timeout, a connection cap (set by
        `protocol_for`) and a limit of `MAX_HEAD_BYTES` on a request's line and headers.

        httptools hands over the URL in pieces as they arrive but each header only once
        whole, so the head's size is counted from those callbacks, plus the bytes of reads
        that fell wholly inside one unfinished header line: a header of any length is
        stopped within one read of the limit, and bytes of the previous request read
        together with the start of the next are never counted."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._in_head = False  # a request's first byte is in, its head not yet whole
            self._head_bytes = 0  # of the request line and the headers passed on so far
            self._pending = 0  # bytes of reads inside one header line not yet passed on
            self._head_events = 0

        def data_received(self, data: bytes) -> None:
            in_head, events = self._in_head, self._head_events
            super().data_received(data)
            if not self._in_head or self.transport.is_closing():
                return
            if in_head and self._head_events == events:
                self._pending += len(data)  # all of this read is in one unfinished line
            if self._head_bytes + self._pending > MAX_HEAD_BYTES:
                self.send_400_response(BAD_REQUEST)

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._in_head, self._head_bytes, self._pending = True, 0, 0

        def on_url(self, url: bytes) -> None:
            self._count(len(url))
            super().on_url(url)

        def on_header(self, name: bytes, value: bytes) -> None:
            self._pending = 0
            self._count(len(name) + len(value) + 4)  # ": " and CRLF
            super().on_header(name, value)

        def on_headers_complete(self) -> None:
            self._in_head = False
            self._stop_head_clock()
            super().on_headers_complete()
            if type(self.cycle) is RequestResponseCycle:
                # The same object, with the one-write `send`: uvicorn creates the cycle in
                # the method above and offers no hook for its class.
                self.cycle.__class__ = OneWriteCycle

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing() and self._awaiting_head():
                self._start_head_clock()  # the next request's head, on a kept-alive connection

        def _awaiting_head(self) -> bool:
            # No request in flight nor queued: every head received has been answered.
            return self.cycle is None or (self.cycle.response_complete and not self.pipeline)

        def _count(self, size: int) -> None:
            self._head_events += 1
            self._head_bytes += size
            if self._head_bytes > MAX_HEAD_BYTES:
                raise HeadTooLarge


def protocol_for(settings: Settings) -> type[HeadLimits]:
    """The protocol class with the limits of `settings`: on httptools when it is installed,
    else on h11."""
    base = LimitedH11Protocol if HttpToolsProtocol is None else LimitedHttpToolsProtocol
    return type("QAProtocol", (base,), {
        "header_timeout": settings.header_timeout,
        "max_connections": settings.max_connections})


def server_for(app: FastAPI, settings: Settings) -> uvicorn.Server:
    """The uvicorn server of the app on `settings.host`:`settings.port`, with our protocol
    and limits; the app's service (if any) told how many connections it has open."""
    config = uvicorn.Config(
        app, host=settings.host, port=settings.port, log_level="info",
        http=protocol_for(settings), ws="none",
        timeout_keep_alive=settings.keepalive_timeout,  # type: ignore[arg-type]
        timeout_graceful_shutdown=SHUTDOWN_GRACE)
    server = uvicorn.Server(config)
    service = getattr(app.state, "service", None)
    if service is not None:  # its encoder learns when the asker is the only client
        service.queries.connections = lambda: len(server.server_state.connections)
    return server


def serve(app: FastAPI, settings: Settings, sock: socket.socket | None = None) -> None:
    """Run the app on `settings.host`:`settings.port` (or on `sock`, already bound there)
    until SIGINT or SIGTERM."""
    server_for(app, settings).run(sockets=[sock] if sock is not None else None)
