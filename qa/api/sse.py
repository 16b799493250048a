"""Server-sent events: the service's blocking event stream run in worker threads and
written as `text/event-stream`, for `POST /ask` with `"stream": true`."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, TypeVar

from qa.answer import Delta, Final
from qa.errors import QAError

T = TypeVar("T")
log = logging.getLogger(__name__)

HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}  # no proxy buffering


def event(data: Any, name: str | None = None) -> str:
    """One server-sent event: an optional name and one line of JSON."""
    head = f"event: {name}\n" if name else ""
    return f"{head}data: {json.dumps(data, ensure_ascii=False)}\n\n"


Offload = Callable[..., Awaitable[Any]]
"""Runs a blocking call on the service's answer threads (`QAService.offload`)."""


async def in_threads(events: Iterator[T], stop: threading.Event,
                     offload: Offload) -> AsyncIterator[T]:
    """The items of a blocking iterator, each fetched on an answer thread (the event loop
    and the encoding thread stay free). When the reader leaves, the fetch under way is
    abandoned and `stop` is set: the iterator sees it at the model's next words and ends."""
    done: Any = object()
    try:
        while (item := await offload(next, events, done)) is not done:
            yield item
    finally:
        stop.set()


def error_data(exc: QAError | None = None) -> dict[str, Any]:
    """An error in the one error shape, for a stream that has already begun: a domain
    error's message, or (None) an unexpected failure, which the caller logs."""
    if exc is not None:
        return {"error": {"type": type(exc).__name__, "message": exc.message}}
    return {"error": {"type": "InternalError", "message": "the answer failed; see the server log"}}


async def ask_events(question: str, events: Iterator[Delta | Final], stop: threading.Event,
                     offload: Offload) -> AsyncIterator[str]:
    """`POST /ask` streamed: `start` at once (the first byte does not wait for the
    answer), a `delta` per verified piece of text, then `answer` (the /ask reply, with
    `replaced`: whether it replaces the streamed text), or `error`."""
    yield event({"question": question}, "start")
    try:
        async for e in in_threads(events, stop, offload):
            if isinstance(e, Delta):
                yield event({"text": e.text}, "delta")
            else:
                yield event({**e.answer.to_dict(), "replaced": e.replaced}, "answer")
    except QAError as exc:  # the stream has begun: the error is its last event
        yield event(error_data(exc), "error")
    except Exception:
        log.exception("streamed answer to %r failed", question)
        yield event(error_data(), "error")
