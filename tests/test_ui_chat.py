"""What the page asks of the service: the real service over the analysis, and scripted
stand-ins where a test needs an exact failure or version (said at each)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from qa.answer import Delta, Final
from qa.config import Settings
from qa.errors import BadRequest
from qa.service import QAService
from qa.ui import UNEXPECTED, answer_steps, answer_turn
from qa.ui.chat import page_info, sections, streamed
from qa.ui.turns import Turn, history
from tests.helpers import ScriptedLLM, started

MILITARY_Q = "What is the regional impact of the military aspect?"
# What the scripted LLM writes: two sentences its source [1] (the Military row) says, and
# one with a year no source holds, which verification drops.
NORTH = "For the military aspect, North Korea: Enhances missile and defense tech [1]."
MADE_UP = "The alliance was signed in 1850 [1]."
IMPACT = ("The Military aspect has a regional impact: it escalates arms build-up and "
          "increases tensions [1].")


def test_answer_turn_keeps_the_answer_and_its_sources(service: QAService) -> None:
    turn = answer_turn(service, MILITARY_Q, [])
    assert turn.state == "done" and turn.grounded and "[1]" in turn.text
    assert any(s.chunk.cells[:1] == ("Military",) for s in turn.sources)
    assert turn.version == service.version
    assert history([turn]) == [("user", MILITARY_Q), ("assistant", turn.text)]


def test_answer_steps_show_the_question_before_the_answer(service: QAService) -> None:
    steps = list(answer_steps(service, MILITARY_Q, None, [], threading.Event()))
    assert [s.state for s in steps] == ["writing", "done"]
    assert steps[0].question == MILITARY_Q and steps[0].text == ""


def test_a_scoped_question_is_asked_of_that_document(service: QAService) -> None:
    doc = service.documents().names()[0]
    turn = answer_turn(service, MILITARY_Q, [], doc=doc)
    assert turn.doc == doc and all(s.chunk.doc == doc for s in turn.sources)
    unknown = answer_turn(service, MILITARY_Q, [], doc="no-such.md")
    assert unknown.state == "failed" and "no-such.md" in unknown.text and doc in unknown.text


class _Failing:
    """A stand-in whose ask fails (an exact error is needed): the page shows a message."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def ask_stream(self, *a: object, **k: object) -> Iterator[Delta | Final]:
        raise self.error


def test_failures_become_messages_and_stay_out_of_history() -> None:
    bad = answer_turn(_Failing(BadRequest("question has 9999 characters")), "q", [])  # type: ignore[arg-type]
    assert bad.state == "failed" and "9999 characters" in bad.text and bad.reply is None
    crash = answer_turn(_Failing(RuntimeError("secret internals")), "q", [])  # type: ignore[arg-type]
    assert crash.text == UNEXPECTED
    assert history([bad, crash]) == []


def test_sources_come_from_the_index_version_that_answered(service: QAService) -> None:
    turn = answer_turn(service, MILITARY_Q, [])
    asked: list[str | None] = []

    class Rebuilt:  # a stand-in: a rebuild went live between the answer and its sources
        def context(self, chunk_id: str, version: str | None = None) -> Any:
            asked.append(version)
            return service.context(chunk_id, turn.version)

    found = sections(Rebuilt(), turn)  # type: ignore[arg-type]
    assert asked == [turn.version] * len(turn.sources)
    assert all(found[s.chunk.id] for s in turn.sources)
    gone = sections(service, replace(turn, version="v999999"))
    assert set(gone.values()) == {None}  # a version the server no longer keeps


# --- streamed answers (an LLM behind the service) -----------------------------------------


@pytest.fixture(scope="module")
def scripted() -> Iterator[ScriptedLLM]:
    with ScriptedLLM() as llm:
        yield llm


def _with_llm(settings: Settings, scripted: ScriptedLLM) -> QAService:
    """A started service over the analysis (index built by `service`) with the scripted LLM."""
    return started(Settings.model_validate({**settings.model_dump(), "llm_url": scripted.url,
                                            "llm_model": "scripted"}))


@pytest.fixture(scope="module")
def llm_service(analysis_settings: Settings, service: QAService,
                scripted: ScriptedLLM) -> QAService:
    return _with_llm(analysis_settings, scripted)


def test_the_pages_examples_do_not_wait_for_the_llm(analysis_settings: Settings,
                                                    service: QAService,
                                                    scripted: ScriptedLLM) -> None:
    """The page's first load finds its example questions without asking the LLM."""
    scripted.script, scripted.delay, scripted.silence = NORTH, 0, 0
    fresh = _with_llm(analysis_settings, scripted)
    before = len(scripted.replies)
    info = page_info(fresh)
    assert info.examples == service.page_info().examples and info.examples
    assert len(scripted.replies) == before


def test_a_streamed_answer_grows_by_verified_sentences(llm_service: QAService,
                                                       scripted: ScriptedLLM) -> None:
    scripted.script, scripted.delay, scripted.silence = f"{NORTH} {MADE_UP} {IMPACT}", 0, 0
    steps = list(answer_steps(llm_service, MILITARY_Q, None, [], threading.Event()))
    texts = [s.text for s in steps if s.state == "writing"]
    assert texts[0] == "" and len(texts) == 3  # nothing yet, then one sentence at a time
    assert texts[1].startswith("For the military aspect") and "1850" not in texts[2]
    assert texts[2].startswith(texts[1]) and "escalates arms build-up" in texts[2]
    last = steps[-1]
    assert last.state == "done" and last.text == texts[2]  # the final text is what was shown
    assert [s.chunk.cells[0] for s in last.sources] == ["Military"]
    assert [d.text for d in last.dropped] == [MADE_UP] and last.dropped[0].reasons
    assert any("did not pass verification" in n for n in last.notes)


def _run(steps: Iterator[Turn], stop: threading.Event, service: QAService,
         stop_after: int) -> list[Turn]:
    """The turns `streamed` yields, with Stop pressed once `stop_after` have come."""

    async def go() -> list[Turn]:
        out = []
        async for turn in streamed(steps, stop, service.offload):
            out.append(turn)
            if len(out) == stop_after:
                stop.set()
        return out

    return asyncio.run(go())


def test_stop_ends_the_llm_and_keeps_the_verified_sentences(llm_service: QAService,
                                                            scripted: ScriptedLLM) -> None:
    scripted.script = " ".join([NORTH, IMPACT] * 8)
    scripted.delay, scripted.silence = 0.05, 0
    stop = threading.Event()
    t0 = time.monotonic()
    turns = _run(answer_steps(llm_service, MILITARY_Q, None, [], stop), stop, llm_service,
                 stop_after=2)  # the question, then its first sentence
    assert time.monotonic() - t0 < 15
    last = turns[-1]
    assert last.state == "stopped" and last.text.startswith(turns[1].text)
    assert [s.chunk.cells[0] for s in last.sources] == ["Military"]  # what it said, cited
    time.sleep(0.5)
    reply = scripted.replies[-1]
    assert reply.cut and reply.words < len(scripted.script.split(" ")), reply


def test_stop_while_the_llm_is_silent_stops_at_once(llm_service: QAService,
                                                    scripted: ScriptedLLM) -> None:
    """A model that says nothing for long: after Stop the turn ends within STOP_GRACE,
    as it stands (no answer, no sources)."""
    scripted.script, scripted.delay, scripted.silence = NORTH, 0, 8
    stop = threading.Event()
    t0 = time.monotonic()
    turns = _run(answer_steps(llm_service, MILITARY_Q, None, [], stop), stop, llm_service,
                 stop_after=1)
    assert time.monotonic() - t0 < 5
    assert [t.state for t in turns] == ["writing", "stopped"]
    assert turns[-1].text == "" and not turns[-1].sources
