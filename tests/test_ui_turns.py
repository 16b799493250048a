"""The conversation the page keeps: history for the service, and its round trip through
the browser's storage (which is the user's, so it is read back field by field)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from qa.answer import Answer, Citation, Dropped, Final
from qa.api.page import holds_file_reference
from qa.chunk import Chunk
from qa.ui.turns import (
    REPLACED,
    STORED_TURNS,
    Source,
    Turn,
    finished,
    history,
    restored,
    selected,
    stop_last,
    stored,
)

ROW = Chunk(id="r1", kind="table_row", doc="report.pdf", section="Costs", text="Fuel | 12",
            line_start=3, line_end=3, char_start=0, char_end=9, header=("Item", "Cost"),
            cells=("Fuel", "12"), table=0, row=0, page=4)


def _turns() -> list[Turn]:
    return [Turn("Cost of fuel?", "report.pdf", "12 [1].", "done", True,
                 (Source(1, ROW, (1,)),), ("a note",), "v000002",
                 (Dropped("Fuel cost 99 [1].", ("the number 99 stands in no source",)),)),
            Turn("And parts?", None, "question has 9999 characters", "failed"),
            Turn("And tyres?", None, "Tyres co", "writing")]


def test_history_holds_answered_turns_only() -> None:
    assert history(_turns()) == [("user", "Cost of fuel?"), ("assistant", "12 [1].")]


def test_stop_last_stops_a_turn_being_written() -> None:
    assert stop_last(_turns())[-1].state == "stopped"
    done = _turns()[:1]
    assert stop_last(done) == done


def test_stored_conversation_comes_back_as_it_was() -> None:
    turns = _turns()
    value = json.loads(json.dumps(stored(turns)))  # what the browser keeps is JSON
    back = restored(value)
    assert back[:2] == turns[:2]
    assert back[2].state == "stopped" and back[2].text == "Tyres co"  # reloaded meanwhile
    assert back[0].sources[0].chunk.page == 4 and back[0].sources[0].highlight == (1,)
    assert back[0].dropped == turns[0].dropped


def test_stored_conversation_passes_the_pages_guard_and_stays_small() -> None:
    """It comes back to the server in the page's load event: the guard must not take it
    for a file reference, and only the last STORED_TURNS turns are kept."""
    value = stored(_turns() * STORED_TURNS)
    assert not holds_file_reference(value)
    assert len(value) == STORED_TURNS
    assert len(json.dumps(value)) < 1 << 20


def test_what_does_not_read_as_a_turn_is_dropped() -> None:
    good = stored(_turns()[:1])[0]
    bad = [{**good, "state": "hacked"}, {**good, "question": ["x"]},
           {**good, "sources": [{"n": "1", "highlight": [], "chunk": good["sources"][0]["chunk"]}]},
           {**good, "sources": [{**good["sources"][0], "chunk": {"kind": "script"}}]},
           {**good, "dropped": [{"text": "x", "reasons": "not a list"}]},
           "text", None, {"question": "no other fields"}]
    assert restored([*bad, good]) == _turns()[:1]
    assert restored({"not": "a list"}) == [] and restored(None) == []


def _answer(text: str, by: str = "llm") -> Answer:
    return Answer(text, True, (Citation(1, ROW, 0.9, (1,)),), "v000003", "Cost of fuel?",
                  notes=("1 sentence was left out.",), composed_by=by,
                  dropped=(Dropped("Fuel cost 99 [1].", ("the number 99 stands in no source",)),))


def test_a_finished_answer_carries_sources_notes_and_what_was_dropped() -> None:
    writing = Turn("Cost of fuel?", None, "Fuel costs 12. [1]")
    done = finished(writing, Final(_answer("Fuel costs 12. [1]")))
    assert done.state == "done" and done.text == "Fuel costs 12. [1]" and done.grounded
    assert done.sources[0].chunk == ROW and done.version == "v000003"
    assert done.dropped[0].reasons == ("the number 99 stands in no source",)
    assert REPLACED not in done.notes
    # A final text that is not the shown text continued says so.
    swapped = finished(writing, Final(_answer("Fuel costs 12 a litre. [1]"), replaced=True))
    assert swapped.text == "Fuel costs 12 a litre. [1]" and swapped.notes[-1] == REPLACED


def test_a_stopped_answer_keeps_the_llms_verified_sentences_only() -> None:
    writing = Turn("Cost of fuel?", None, "Fuel costs 12. [1]")
    kept = finished(writing, Final(_answer("Fuel costs 12. [1]")), stopped=True)
    assert kept.state == "stopped" and kept.sources and kept.text == "Fuel costs 12. [1]"
    # Nothing of the LLM's stood: the extractive answer was not asked for, so none is shown.
    nothing = finished(replace(writing, text=""),
                       Final(_answer("Fuel: 12 [1]", by="extractive")), stopped=True)
    assert nothing == Turn("Cost of fuel?", None, "", "stopped")


@pytest.mark.parametrize("index, expected", [
    (3, 3), ([4, 1], 4), ((2, 0), 2), (0, 0), (-1, -1),
    ("x", None), ([], None), (["x"], None), (None, None), (True, None), (1.5, None),
])
def test_selected_reads_only_an_integer_or_a_list_starting_with_one(index: object,
                                                                    expected: int | None) -> None:
    """A hand-made select event's index was divided as it came: "x" and [] were a
    TypeError and an IndexError, with a traceback in the server's log."""
    assert selected(index) == expected
