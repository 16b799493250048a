"""`qa serve`'s HTTP server: uvicorn with limits on what one client may hold.

uvicorn (checked on 0.54) closes a connection that stays idle after a response
(`timeout_keep_alive`), but has no timeout for a request's line and headers: a connection
that sends nothing, or a header byte every few seconds (slowloris), is held forever, and
it has no cap on open connections (`limit_concurrency` only answers 503 once a request
has arrived). `LimitedH11Protocol` adds both to its h11 protocol:

- header timeout: from a connection's opening, and again from the end of each response,
  the client has `header_timeout` seconds to send a complete request line and headers;
  otherwise it gets 408 and the connection is closed. Bytes that trickle in do not reset
  the clock (uvicorn's keep-alive timer is reset by any byte).
- connection cap: beyond `max_connections`, the connection that has waited longest
  without sending a request is answered 503 and closed to make room (so idle or slow
  connections cannot lock new clients out); when all are busy with requests, the new one
  is answered 503 and closed.
- a malformed request (or headers over h11's 16 KB) gets 400 in the API's error shape.

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

from qa.api.errors import raw_error
from qa.config import Settings

# Seconds a SIGTERM waits for open requests (the chat page's event streams never end).
SHUTDOWN_GRACE = 5


class LimitedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a header timeout and a connection cap (set by
    `protocol_for`)."""

    header_timeout: float = 10.0
    max_connections: int = 256

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None
        self._opened = 0.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._opened = self.loop.time()
        if len(self.connections) > self.max_connections:
            # Make room by closing the connection that has waited longest without sending
            # a request (idle, or sending its head slowly), so that held connections cannot
            # lock new clients out; only when every connection is busy is this one refused.
            waiting = [c for c in self.connections if c is not self
                       and isinstance(c, LimitedH11Protocol) and c._header_timer is not None]
            if not waiting:
                self._refuse(503, f"the server has {self.max_connections} connections open, "
                             "its limit (QA_MAX_CONNECTIONS), all busy: try again shortly")
                return
            min(waiting, key=lambda c: c._opened)._refuse(
                503, f"closed to make room: the server is at its limit of "
                f"{self.max_connections} connections (QA_MAX_CONNECTIONS) and this one sent "
                "no request")
        self._arm_header_timer()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:  # a whole request head is in
            self._disarm_header_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._arm_header_timer()  # the next request's head, on a kept-alive connection

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_timer()
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        self._refuse(400, "invalid HTTP request (malformed, or its headers are too large)")

    def _arm_header_timer(self) -> None:
        self._disarm_header_timer()
        self._header_timer = self.loop.call_later(self.header_timeout, self._header_timeout)

    def _disarm_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _header_timeout(self) -> None:
        self._header_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self._refuse(408, f"no complete request headers within {self.header_timeout:g} s "
                         "(QA_HEADER_TIMEOUT)")

    def _refuse(self, status: int, message: str) -> None:
        """Answer an error before any request reached the app, and close."""
        self._disarm_header_timer()
        if not self.transport.is_closing():
            self.transport.write(raw_error(status, message))
            self.transport.close()


def protocol_for(settings: Settings) -> type[LimitedH11Protocol]:
    """The protocol class with the limits of `settings`."""
    return type("QAProtocol", (LimitedH11Protocol,), {
        "header_timeout": settings.header_timeout,
        "max_connections": settings.max_connections})


def serve(app: FastAPI, settings: Settings, sock: socket.socket | None = None) -> None:
    """Run the app on `settings.host`:`settings.port` (or on `sock`, already bound there)
    until SIGINT or SIGTERM."""
    config = uvicorn.Config(
        app, host=settings.host, port=settings.port, log_level="info",
        http=protocol_for(settings), ws="none",
        timeout_keep_alive=settings.keepalive_timeout,  # type: ignore[arg-type]
        timeout_graceful_shutdown=SHUTDOWN_GRACE)
    uvicorn.Server(config).run(sockets=[sock] if sock is not None else None)
