"""What the page asks of the service: answers (as they are written), the sections behind
citations, and what the page says about the index. A failure becomes a message on the
page, never a traceback."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import replace
from typing import Any

from qa.answer import Delta, Final
from qa.catalog import PageInfo
from qa.chunk import Chunk
from qa.errors import QAError
from qa.service import QAService
from qa.ui.turns import Turn, finished, history, stop_last

log = logging.getLogger(__name__)

# After Stop, how long the page waits for the answer's final event, which brings the
# sources of the sentences already shown: the LLM ends at its next words, well within this
# while it is writing. Past it (a model silent before its first words) the turn stops as
# it stands, without sources. Longer: the reader may wait longer after Stop; shorter: a
# slow model's sources are lost more often.
STOP_GRACE = 2.0
POLL = 0.1  # seconds between looks at the stop signal while a step is being fetched

UNEXPECTED = "Something went wrong while answering. It has been logged; please try again."
# What the page shows when the service cannot say what it serves (no index loaded yet).
NO_INDEX = PageInfo(title="Ask the documents", intro="The index is not loaded yet: reload "
                    "the page in a moment.", examples=(),
                    not_covered="The documents do not cover this.", documents=())


def answer_steps(service: QAService, question: str, doc: str | None, turns: list[Turn],
                 stop: threading.Event) -> Iterator[Turn]:
    """The new turn as it grows: first with nothing written, then with each verified
    sentence the service streams (`Delta`), last finished from its `Final` (or failed,
    with the message). Setting `stop` (the reader's Stop) ends the LLM at its next words;
    the turn is then finished as stopped (`qa.ui.turns.finished`)."""
    turn = Turn(question, doc)
    yield turn
    events: Iterator[Delta | Final] | None = None
    try:
        events = service.ask_stream(question, history(turns), doc, stop)
        for event in events:
            if isinstance(event, Final):
                yield finished(turn, event, stop.is_set())
                return
            if not stop.is_set():  # after Stop, only the final event is shown
                turn = replace(turn, text=turn.text + event.text)
                yield turn
    except QAError as e:
        log.warning("ask failed: %s", e.message)
        yield replace(turn, text=e.message, state="failed")
    except Exception:
        log.exception("ask failed unexpectedly for %r", question)
        yield replace(turn, text=UNEXPECTED, state="failed")
    finally:
        if events is not None:
            stop.set()  # an abandoned answer (the page was left) stops the LLM too
            events.close()


async def streamed(steps: Iterator[Turn], stop: threading.Event,
                   offload: Callable[..., Awaitable[Any]]) -> AsyncIterator[Turn]:
    """The turns of `answer_steps`, each fetched on one of the service's answer threads
    (`QAService.offload`: the page's event loop never waits on an LLM). Once `stop` is set
    the last steps get STOP_GRACE seconds; after that the turn ends stopped as it stands,
    and the step under way finishes on its thread unseen."""
    done: Any = object()
    last: Turn | None = None
    stopped_at: float | None = None
    while True:
        fetch = asyncio.ensure_future(offload(next, steps, done))
        while not fetch.done():
            await asyncio.wait({fetch}, timeout=POLL)
            if stop.is_set() and not fetch.done():
                stopped_at = stopped_at or time.monotonic()
                if time.monotonic() - stopped_at > STOP_GRACE:
                    if last is not None:
                        yield stop_last([last])[0]
                    return
        item = fetch.result()
        if item is done:
            return
        last = item
        yield item


def answer_turn(service: QAService, question: str, turns: list[Turn],
                doc: str | None = None) -> Turn:
    """The finished turn for a question (answered or failed)."""
    last = None
    for last in answer_steps(service, question, doc, turns, threading.Event()):
        pass
    assert last is not None
    return last


def sections(service: QAService, turn: Turn) -> dict[str, list[Chunk] | None]:
    """The section of each cited chunk, read from the index version that answered (a
    rebuild may have swapped in another since); None where it is no longer available."""
    out: dict[str, list[Chunk] | None] = {}
    for s in turn.sources:
        try:
            out[s.chunk.id] = service.context(s.chunk.id, turn.version)[1]
        except QAError as e:  # a version no longer kept, or a chunk it does not hold
            log.info("no context for chunk %s: %s", s.chunk.id, e.message)
            out[s.chunk.id] = None
        except Exception:
            log.exception("no context for chunk %s", s.chunk.id)
            out[s.chunk.id] = None
    return out


def page_info(service: QAService) -> PageInfo:
    """What the page says about the served index (NO_INDEX when none is loaded)."""
    try:
        return service.page_info()
    except QAError as e:
        log.warning("page information not available: %s", e.message)
        return NO_INDEX
