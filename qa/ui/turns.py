"""The conversation as the page holds it: one `Turn` per question, made from the service's
`Answer`, and its form in the browser's storage (so that it survives a reload).

What comes back from the browser is the user's own storage, not the server's: it is read
field by field into these types, and anything else in it is dropped. Rendering escapes
every text of a turn whatever its origin.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from qa.answer import Answer, Dropped, Final
from qa.chunk import Chunk

log = logging.getLogger(__name__)

# Turns kept in the browser's storage (oldest dropped first). Every turn's sources travel
# in the one page event that restores the conversation, a request body that the server
# caps at QA_MAX_BODY_BYTES (1 MiB by default); a turn with five cited table rows is about
# 5 KB, so 60 turns stay far below it and below the browser's few megabytes of storage.
STORED_TURNS = 60

State = Literal["writing", "done", "stopped", "failed"]
# Said under an answer whose text changed after it was shown (a streamed sentence failed
# verification once the answer was complete): rare, and never silent.
REPLACED = "The text shown while the answer was written has been replaced by the checked answer."


@dataclass(frozen=True)
class Source:
    """One numbered source of an answer: the cited chunk and its cited table cells."""

    n: int
    chunk: Chunk
    highlight: tuple[int, ...] = ()


@dataclass(frozen=True)
class Turn:
    """One question and what the page shows for it. `state`: "writing" while the answer
    streams in, "done" when the service answered, "stopped" when the reader stopped it (or
    left before it was done), "failed" when asking failed (`text` is then the message)."""

    question: str
    doc: str | None = None
    text: str = ""
    state: State = "writing"
    grounded: bool = False
    sources: tuple[Source, ...] = ()
    notes: tuple[str, ...] = field(default=())
    version: str = ""
    dropped: tuple[Dropped, ...] = field(default=())

    @property
    def reply(self) -> str | None:
        """The answer as the service wrote it, for the conversation's history; None unless
        the turn was answered."""
        return self.text if self.state == "done" else None


def answered(question: str, doc: str | None, answer: Answer) -> Turn:
    """The turn for an answer of the service."""
    sources = tuple(Source(c.n, c.chunk, tuple(c.highlight)) for c in answer.citations)
    return Turn(question, doc, answer.answer, "done", answer.grounded and bool(sources),
                sources, tuple(answer.notes), answer.version, tuple(answer.dropped))


def finished(turn: Turn, final: Final, stopped: bool = False) -> Turn:
    """The turn once its streamed answer is complete: `turn` as written so far, `final` the
    service's last event, `stopped` whether the reader stopped it. A stopped answer keeps
    the LLM's sentences verified until then, with their sources; when none stood, only what
    was shown (the extractive answer was not asked for)."""
    done = answered(turn.question, turn.doc, final.answer)
    if final.replaced:
        done = replace(done, notes=(*done.notes, REPLACED))
    if not stopped:
        return done
    if final.answer.composed_by == "llm":
        return replace(done, state="stopped")
    return replace(turn, state="stopped")


def history(turns: list[Turn]) -> list[tuple[str, str]]:
    """Earlier turns as (role, content) for the service, oldest first; turns that were not
    answered (failed, stopped) are left out."""
    out: list[tuple[str, str]] = []
    for t in turns:
        if t.reply is not None:
            out += [("user", t.question), ("assistant", t.reply)]
    return out


def stop_last(turns: list[Turn]) -> list[Turn]:
    """The conversation with its last turn marked stopped if it was still being written."""
    if turns and turns[-1].state == "writing":
        return [*turns[:-1], replace(turns[-1], state="stopped")]
    return turns


# --- browser storage ---------------------------------------------------------------------


def stored(turns: list[Turn]) -> list[dict[str, Any]]:
    """The conversation as JSON for the browser's storage (the last STORED_TURNS turns).
    Its keys are never `path`, `url` or `meta`: the page's guard refuses events holding
    them, and the stored conversation comes back in one."""
    return [{"question": t.question, "doc": t.doc, "text": t.text, "state": t.state,
             "grounded": t.grounded, "notes": list(t.notes), "version": t.version,
             "dropped": [{"text": d.text, "reasons": list(d.reasons)} for d in t.dropped],
             "sources": [{"n": s.n, "highlight": list(s.highlight), "chunk": s.chunk.to_dict()}
                         for s in t.sources]}
            for t in turns[-STORED_TURNS:]]


def selected(index: Any) -> int | None:
    """The message a chat selection names: its index (an integer, or the first of a list of
    them, as Gradio sends it); None for anything else, which a hand-made event may send."""
    if isinstance(index, list | tuple) and index:
        index = index[0]
    return index if type(index) is int else None


def restored(value: Any) -> list[Turn]:
    """The conversation read back from the browser's storage: turns that do not read as
    turns are dropped, and one left "writing" (the page was reloaded meanwhile) is stopped."""
    if not isinstance(value, list):
        return []
    turns = []
    for item in value[-STORED_TURNS:]:
        try:
            turns.append(_turn(item))
        except (TypeError, ValueError, KeyError) as e:
            log.info("a stored turn was dropped: %s", e)
    return [replace(t, state="stopped") if t.state == "writing" else t for t in turns]


def _turn(d: dict[str, Any]) -> Turn:
    state = d["state"]
    if state not in ("writing", "done", "stopped", "failed"):
        raise ValueError(f"unknown state {state!r}")
    return Turn(question=_str(d["question"]), doc=None if d.get("doc") is None else _str(d["doc"]),
                text=_str(d["text"]), state=state, grounded=d["grounded"] is True,
                sources=tuple(_source(s) for s in _list(d["sources"])),
                notes=tuple(_str(n) for n in _list(d["notes"])), version=_str(d["version"]),
                dropped=tuple(_dropped(x) for x in _list(d.get("dropped", []))))


def _dropped(d: dict[str, Any]) -> Dropped:
    return Dropped(_str(d["text"]), tuple(_str(r) for r in _list(d["reasons"])))


def _source(d: dict[str, Any]) -> Source:
    return Source(_int(d["n"]), _chunk(d["chunk"]), tuple(_int(i) for i in _list(d["highlight"])))


def _chunk(d: dict[str, Any]) -> Chunk:
    if d["kind"] not in ("passage", "table_row"):
        raise ValueError(f"unknown chunk kind {d['kind']!r}")
    optional = {k: None if d.get(k) is None else _int(d[k]) for k in ("table", "row", "page")}
    return Chunk(id=_str(d["id"]), kind=d["kind"], doc=_str(d["doc"]), section=_str(d["section"]),
                 text=_str(d["text"]), line_start=_int(d["line_start"]),
                 line_end=_int(d["line_end"]), char_start=_int(d["char_start"]),
                 char_end=_int(d["char_end"]), caption=_str(d.get("caption", "")),
                 group=_str(d.get("group", "")),
                 header=tuple(_str(h) for h in _list(d.get("header", []))),
                 cells=tuple(_str(c) for c in _list(d.get("cells", []))), **optional)


def _str(v: Any) -> str:
    if not isinstance(v, str):
        raise TypeError(f"expected text, got {type(v).__name__}")
    return v


def _int(v: Any) -> int:
    if not isinstance(v, int) or isinstance(v, bool):
        raise TypeError(f"expected a whole number, got {type(v).__name__}")
    return v


def _list(v: Any) -> list[Any]:
    if not isinstance(v, list):
        raise TypeError(f"expected a list, got {type(v).__name__}")
    return v
