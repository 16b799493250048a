"""What the page asks of the service: answers (as they are written), the sections behind
citations, and what the page says about the index. A failure becomes a message on the
page, never a traceback."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import replace

from qa.answer import Answer
from qa.catalog import PageInfo
from qa.chunk import Chunk
from qa.errors import QAError
from qa.service import QAService
from qa.ui.turns import Turn, answered, history

log = logging.getLogger(__name__)

UNEXPECTED = "Something went wrong while answering. It has been logged; please try again."
# What the page shows when the service cannot say what it serves (no index loaded yet).
NO_INDEX = PageInfo(title="Ask the documents", intro="The index is not loaded yet: reload "
                    "the page in a moment.", examples=(),
                    not_covered="The documents do not cover this.", documents=())


def reply_events(service: QAService, question: str, history: list[tuple[str, str]],
                 doc: str | None, stop: threading.Event) -> Iterator[str | Answer]:
    """The answer as the page receives it: the text written so far (each time the whole
    text), then the `Answer`. The one place the page meets the service's answering.

    The service answers whole for now (its streaming ask is on its way): the `Answer`
    alone. `stop` is set when the reader stops the answer.
    """
    yield service.ask(question, history, doc)


def answer_steps(service: QAService, question: str, doc: str | None, turns: list[Turn],
                 stop: threading.Event) -> Iterator[Turn]:
    """The new turn as it grows: first with nothing written, then with each longer text,
    last answered (or failed, with the message)."""
    turn = Turn(question, doc)
    yield turn
    events = reply_events(service, question, history(turns), doc, stop)
    try:
        for event in events:
            if isinstance(event, Answer):
                yield answered(question, doc, event)
                return
            turn = replace(turn, text=event)
            yield turn
    except QAError as e:
        log.warning("ask failed: %s", e.message)
        yield replace(turn, text=e.message, state="failed")
    except Exception:
        log.exception("ask failed unexpectedly for %r", question)
        yield replace(turn, text=UNEXPECTED, state="failed")
    finally:
        events.close()  # a stopped answer stops the service's stream too


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
