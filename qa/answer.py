"""Compose a short answer from retrieved chunks, with a numbered citation after each claim.

Extractive: every sentence of an answer is a sentence, list item or table cell of the
chunk it cites (condensed, never added to). When the evidence is too weak, it abstains.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from qa.chunk import Chunk
from qa.retrieve import Hit

NOT_COVERED = "The analysis does not cover this."


@dataclass(frozen=True)
class Citation:
    """A cited chunk, numbered in order of first use; `cells` are the cited table cells."""

    n: int
    chunk: Chunk
    score: float
    highlight: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields; table rows keep header, cells and the highlighted columns."""
        d = self.chunk.to_dict()
        if self.chunk.kind != "table_row":
            for key in ("caption", "group", "header", "cells", "table", "row"):
                d.pop(key, None)
        else:
            d["highlight"] = list(self.highlight)
        return {"n": self.n, **d, "score": round(self.score, 6)}


@dataclass(frozen=True)
class Answer:
    """A reply: text with `[n]` markers, whether it is grounded, and its citations."""

    answer: str
    grounded: bool
    citations: tuple[Citation, ...]
    version: str
    question: str  # the question as answered (a follow-up made standalone)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {"answer": self.answer, "grounded": self.grounded,
                "citations": [c.to_dict() for c in self.citations],
                "question": self.question, "version": self.version}


def not_covered(version: str, question: str) -> Answer:
    """The abstention: no claim, no citation."""
    return Answer(NOT_COVERED, False, (), version, question)


def compose(question: str, hits: list[Hit], version: str) -> Answer:
    """The answer to `question` from `hits` (best first)."""
    if not hits:
        return not_covered(version, question)
    top = hits[0]
    return Answer(f"{top.chunk.text} [1]", True, (Citation(1, top.chunk, top.score),),
                  version, question)
