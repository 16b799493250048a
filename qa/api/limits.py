"""Request-body limits for every route: size and time.

`RequestLimits` is an ASGI layer in front of the whole application (our routers and the
chat page alike). A request that declares a body longer than `max_body_bytes` is answered
413 before any of it is read; one that sends more than that without declaring it (chunked)
is answered 413 once it goes over. Otherwise the whole body is read, within
`body_timeout` seconds of the headers' arrival, and handed to the application: a client
that declares a length and then trickles (or stops) gets 408. Both close the connection,
so an unread rest is never drained. Our bodies are small JSON documents (1 MiB allows a
question and a long history many times over), so reading them whole costs nothing and
lets no route parse a half-received one. The header, keep-alive and connection limits are
the server's (`qa.api.server`): they apply before a request reaches any application.

A body sent compressed (`Content-Encoding` other than `identity`: gzip, deflate, br, ...;
or a `Transfer-Encoding` coding besides `chunked`) is answered 415 before any of it is
read, with `Accept-Encoding: identity` (RFC 7694):
no route decodes one, so it used to be read as if it were the plain body (a gzip body was
a 400 "could not be read"). Refused rather than decoded: the bodies are small JSON, which
compression saves nothing worth having on, and a decoder would be one more thing to bound
(a few kilobytes of gzip inflate to gigabytes) and, for br, one more dependency.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qa.api.errors import send_error


class RequestLimits:
    """Refuse bodies over `max_body_bytes` (413), bodies not received within
    `body_timeout` seconds (408) and compressed bodies (415), in the one error shape."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, body_timeout: float) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.body_timeout = body_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length, chunked, coded = None, False, []
        for name, value in scope["headers"]:
            if name == b"content-length":
                length = value
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
                coded += [(b"Transfer-Encoding", c) for c in _codings(value)
                          if c != b"chunked"]
            elif name == b"content-encoding":
                coded += [(b"Content-Encoding", c) for c in _codings(value)]
        if length is None and not chunked:  # no body (the server checked the framing)
            await self.app(scope, receive, send)
            return
        if coded:
            header, coding = (x.decode("latin-1") for x in coded[0])
            await send_error(send, 415, f"the body is compressed ({header}: {coding[:20]}): "
                             f"send it uncompressed, without that coding", close=True,
                             headers=[(b"accept-encoding", b"identity")])
            return
        if length is not None and not length.strip().isdigit():
            await send_error(send, 400, "Content-Length is not a number", close=True)
            return
        if length is not None and int(length) > self.max_body_bytes:
            await send_error(send, 413, self._too_large(), close=True)
            return
        try:
            async with asyncio.timeout(self.body_timeout):
                body = await self._read(receive)
        except TimeoutError:
            await send_error(send, 408, f"the request body did not arrive within "
                             f"{self.body_timeout:g} s (QA_BODY_TIMEOUT)", close=True)
            return
        if body is None:  # the client went away
            return
        if len(body) > self.max_body_bytes:
            await send_error(send, 413, self._too_large(), close=True)
            return
        await self.app(scope, replay(body, receive), send)

    def _too_large(self) -> str:
        return f"the request body is over {self.max_body_bytes} bytes (QA_MAX_BODY_BYTES)"

    async def _read(self, receive: Receive) -> bytes | None:
        """The body, stopping one chunk past the limit; None if the client disconnected."""
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            chunks.append(chunk)
            size += len(chunk)
            if size > self.max_body_bytes or not message.get("more_body", False):
                return b"".join(chunks)


def _codings(value: bytes) -> list[bytes]:
    """The codings a Content-Encoding or Transfer-Encoding header lists, lower-cased,
    `identity` left out."""
    return [c for c in value.lower().replace(b" ", b"").replace(b"\t", b"").split(b",")
            if c not in (b"", b"identity")]


def replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives the already-read body once, then waits on the client (for its
    disconnect)."""
    return prepend({"type": "http.request", "body": body, "more_body": False}, receive)


def prepend(message: Message, receive: Receive) -> Receive:
    """A `receive` that gives `message` first, then the client's."""
    given = False

    async def again() -> Message:
        nonlocal given
        if not given:
            given = True
            return message
        return await receive()

    return again
