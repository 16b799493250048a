"""What the page asks of the service: the real service over the analysis, and scripted
stand-ins where a test needs an exact failure or version (said at each)."""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

from qa.answer import Answer
from qa.errors import BadRequest
from qa.service import QAService
from qa.ui import UNEXPECTED, answer_steps, answer_turn
from qa.ui.chat import sections
from qa.ui.turns import history

MILITARY_Q = "What is the regional impact of the military aspect?"


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

    def ask(self, *a: object, **k: object) -> Answer:
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
