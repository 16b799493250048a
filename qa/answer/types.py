"""What flows through the answer engine, shared by its stages and by every strategy.

The contract between the engine, its strategies (table cells, sentences, lists, yes/no,
arithmetic, ...), the support check and the answerers (extractive, LLM):

- `Evidence`: a retrieved chunk with the question's similarity to each of its units.
- `Claim`: one sentence of an answer and the chunk that supports it.
- `Candidate`: what a strategy proposes: claims, one comparable score, and for computed
  answers the value and how it was derived.
- `Answer`: the reply, with numbered `Citation`s, and the sentences an LLM wrote that
  verification dropped (`Dropped`).
- `Delta`, `Final`: the events of a streamed answer.
- `CorpusView`: what answering may read of the index version beyond the evidence.
- `Strategy`: proposes scored candidates for an analysed question.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from qa.chunk import Chunk
from qa.retrieve import Hit


@dataclass(frozen=True)
class Evidence:
    """A retrieved chunk with the query's similarity to each of its units
    (`chunk.units()` order), and the learned reader's score of each (`qa.answer.reader`;
    empty when no map is written)."""

    hit: Hit
    unit_scores: tuple[float, ...]
    unit_learned: tuple[float, ...] = ()


@dataclass(frozen=True)
class Claim:
    """One sentence of an answer and what supports it; `highlight` are the cited cells of a
    table row (column positions); `shown`, when given, the words the answer writes for it
    where they differ from `text`, which the ranker and the support check read (their
    weights were fitted on it)."""

    text: str
    chunk: Chunk
    score: float
    highlight: tuple[int, ...] = ()
    shown: str = ""


@dataclass(frozen=True)
class Operand:
    """A number an answer computed from: where it stands (a row's cell, or prose when `cell`
    is None), as written, and its value."""

    chunk: Chunk
    cell: int | None
    text: str
    value: Decimal
    label: str = ""  # what it is, e.g. "Revenue (2019)"


@dataclass(frozen=True)
class Derivation:
    """How a computed answer was worked out: the operation, its operands in order, the
    expression shown to the reader, and the unrounded result."""

    op: str  # "difference", "change_ratio", "average", "ratio", "sum", "count", ...
    operands: tuple[Operand, ...]
    expression: str
    value: Decimal
    unit: str = ""  # "%" for ratios of change; the table's scale otherwise

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (the operands by chunk id and cell)."""
        return {"op": self.op, "expression": self.expression, "value": str(self.value),
                "unit": self.unit,
                "operands": [{"id": o.chunk.id, "cell": o.cell, "text": o.text,
                              "value": str(o.value), "label": o.label} for o in self.operands]}


@dataclass(frozen=True)
class Candidate:
    """A proposed answer: its claims, a score comparable across strategies (higher is
    better), and for a computed answer its value and derivation.

    `features` are named measures of how well it fits the question (see
    `qa.answer.features`); the engine adds the ones every candidate has and sets `score`
    from them with the fitted ranker, so a strategy may leave `score` at 0. `preface` is
    said before the claims and is no claim itself (a yes/no question's "Yes.")."""

    strategy: str
    claims: tuple[Claim, ...]
    score: float
    value: Decimal | None = None
    derivation: Derivation | None = None
    features: Mapping[str, float] = field(default_factory=dict)
    preface: str = ""
    # The claims as the answer reads them out, when they say more than `claims`, which the
    # ranker and the support check read: a listed item with its cell of the column the
    # question names ("Diplomatic Engagement: Reduced trust in negotiations"), from the
    # same row. The ranker learnt what a list of items is worth from lists of labels.
    said: tuple[Claim, ...] = ()


@dataclass(frozen=True)
class Citation:
    """A cited chunk, numbered in order of first use; `highlight` are the cited table cells."""

    n: int
    chunk: Chunk
    score: float
    highlight: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields; table rows keep header, cells and the highlighted columns."""
        d = self.chunk.public_dict()
        if self.chunk.kind == "table_row":
            d["highlight"] = list(self.highlight)
        return {"n": self.n, **d, "score": round(self.score, 6)}


@dataclass(frozen=True)
class Dropped:
    """A sentence an LLM wrote that verification removed, and why (each reason a short
    sentence a reader can follow, e.g. "the number 1850 stands in no cited source")."""

    text: str
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {"text": self.text, "reasons": list(self.reasons)}


@dataclass(frozen=True)
class Answer:
    """A reply: text with `[n]` markers, whether it is grounded, and its citations. A
    computed answer carries its `value` and `derivation`; `notes` say what the reader may
    want to know about how the answer was made (e.g. that an LLM's sentences were dropped,
    or that the LLM did not answer in time); `dropped` lists those sentences with their
    reasons; `composed_by` says who wrote the text ("extractive" or "llm")."""

    answer: str
    grounded: bool
    citations: tuple[Citation, ...]
    version: str
    question: str  # the question as answered (a follow-up made standalone)
    value: Decimal | None = None
    derivation: Derivation | None = None
    notes: tuple[str, ...] = field(default=())
    dropped: tuple[Dropped, ...] = field(default=())
    composed_by: str = "extractive"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        d: dict[str, Any] = {"answer": self.answer, "grounded": self.grounded,
                             "citations": [c.to_dict() for c in self.citations],
                             "question": self.question, "version": self.version}
        if self.value is not None:
            d["value"] = str(self.value)
        if self.derivation is not None:
            d["derivation"] = self.derivation.to_dict()
        if self.notes:
            d["notes"] = list(self.notes)
        if self.composed_by != "extractive":  # absent: the extractive answer, as before
            d["composed_by"] = self.composed_by
        if self.dropped:
            d["dropped"] = [x.to_dict() for x in self.dropped]
        return d


@dataclass(frozen=True)
class Delta:
    """Streamed text of an answer in the making: verified sentences, appended in order."""

    text: str


@dataclass(frozen=True)
class Final:
    """The last event of a streamed answer: the answer as it stands. `replaced` is True
    when its text is not the streamed text continued (the reader's text must be replaced)."""

    answer: Answer
    replaced: bool = False


class CorpusView(Protocol):
    """What answering may read of the index version beyond the evidence (the Retriever
    provides it)."""

    version: str
    vocabulary: tuple[str, ...]  # every stemmed word of the chunks, sorted
    idf: Mapping[str, float]

    def near(self, a: str, b: str) -> bool:
        """Whether some chunk writes the two stemmed words within a few words of each other."""

    def neighbours(self, question: str) -> Mapping[str, Sequence[tuple[str, float]]]:
        """Each stemmed question word the corpus does not write -> the stems of the corpus
        words nearest it in the model's space, with their similarity (`Retriever.neighbours`)."""

    def stem_vectors(self, stems: tuple[str, ...]) -> list[Any]:
        """Each stemmed word's unit vector in the model's space (a numpy row), or None
        (`Retriever.stem_vectors`)."""

    def table_of(self, chunk: Chunk) -> list[Chunk]:
        """All rows of a row chunk's table, in order (empty for a passage)."""

    def section_of(self, chunk: Chunk) -> list[Chunk]:
        """The chunks under the chunk's heading in its document, in reading order."""

    def document_of(self, chunk: Chunk) -> list[Chunk]:
        """The chunks of the chunk's document, in reading order."""


class Strategy(Protocol):
    """Proposes candidate answers for an analysed question from the evidence."""

    name: str

    def propose(self, question: Any, evidence: Sequence[Evidence],
                corpus: CorpusView) -> list[Candidate]:
        """Scored candidates, any number (none when the strategy does not apply)."""


Similarity = Callable[[Sequence[str]], Sequence[float]]
