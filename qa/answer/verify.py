"""Verification of what an LLM wrote, sentence by sentence, before a reader sees it.

The LLM was shown numbered sources [1..N]. Each sentence it wrote must:

- cite at least one source by a marker within 1..N (markers outside are removed first);
- be supported by a source it cites (the support check, passed in as `check`);
- write only numbers that stand in a source it cites, or that the executor computed.

A sentence that fails is dropped, with its reasons. Everything here is a pure function of
its inputs (the support check is a parameter), so recorded LLM outputs test it exactly.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from qa.answer.types import Citation, Claim, Derivation, Dropped
from qa.chunk import Chunk
from qa.text.numbers import WORD_SCALES, Number, numbers_in
from qa.text.sentences import split_sentences

# "[1]", "[1, 2]", "[1-3]", "[1][2]", "[Source 2]": the ways models write a citation.
MARKER = re.compile(r"\[\s*(?:sources?\s*:?\s*)?(\d+(?:\s*(?:,|;|-|–|and)\s*\d+)*)\s*\]",
                    re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_RANGE_MAX = 20  # "[1-300]" is not a range of sources


class Supports(Protocol):
    """What a support check returns (`qa.answer.support.Support` has these fields)."""

    ok: bool
    score: float
    reasons: Sequence[str]


SupportCheck = Callable[[Claim], Supports]
"""Whether a sentence (a `Claim` on the chunk it cites) is supported by that chunk."""


@dataclass(frozen=True)
class Source:
    """A retrieved chunk as the LLM was shown it, numbered `n` (1-based)."""

    n: int
    chunk: Chunk
    score: float
    highlight: tuple[int, ...] = ()


@dataclass(frozen=True)
class Sentence:
    """One sentence of LLM text: its words without markers, the sources it cites (numbers
    within 1..N, in order of mention) and the markers outside 1..N that were removed."""

    raw: str
    text: str
    cites: tuple[int, ...]
    removed: tuple[int, ...] = ()


@dataclass(frozen=True)
class Verdict:
    """A sentence and why it fails (no reasons: it stands); `supported_by` are the cited
    sources that support it."""

    sentence: Sentence
    reasons: tuple[str, ...]
    supported_by: tuple[int, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.reasons

    def dropped(self) -> Dropped:
        """The sentence as reported to the reader when it fails."""
        return Dropped(self.sentence.raw.strip(), self.reasons)


# --- reading the text -----------------------------------------------------------------


def segments(text: str) -> list[str]:
    """The sentences of LLM text, each with the markers that follow it (a marker written
    after the full stop, "... tensions. [1]", belongs to the sentence before it). Lines
    (list items) are sentences of their own; bullets are removed."""
    out: list[str] = []
    for line in text.splitlines():
        line = _BULLET.sub("", line).strip()
        for a, b in split_sentences(line):
            piece = line[a:b]
            lead = re.match(rf"^(?:\s*{MARKER.pattern})+", piece, re.IGNORECASE)
            if lead and out:
                out[-1] = f"{out[-1]} {lead.group().strip()}"
                piece = piece[lead.end():].strip()
            if piece:
                out.append(piece)
    return out


def settled(text: str) -> int:
    """How many of `segments(text)` can no longer change as more text is appended: all
    but the last (markers may still follow it), and not the one before a last that starts
    with "[" (a marker being written, which will join the sentence before it)."""
    parts = segments(text)
    n = len(parts) - 1
    if n > 0 and parts[-1].startswith("["):
        n -= 1
    return max(0, n)


def _numbers(group: str) -> list[int]:
    """The numbers a marker names: "1, 2" -> [1, 2]; "1-3" -> [1, 2, 3]."""
    found: list[int] = []
    for part in re.split(r"\s*(?:,|;|and)\s*", group):
        ends = [int(x) for x in re.split(r"\s*[-–]\s*", part) if x.strip().isdigit()]
        if len(ends) == 2 and 0 < ends[1] - ends[0] < _RANGE_MAX:
            found.extend(range(ends[0], ends[1] + 1))
        else:
            found.extend(ends)
    return found


def read_markers(raw: str, n_sources: int) -> Sentence:
    """The sentence with its markers read: those within 1..n_sources are its citations,
    the others are removed (and remembered)."""
    cites: list[int] = []
    removed: list[int] = []
    for m in MARKER.finditer(raw):
        for k in _numbers(m.group(1)):
            (cites if 1 <= k <= n_sources else removed).append(k)
    text = MARKER.sub("", raw)
    text = re.sub(r"\s+([.,;:!?])", r"\1", re.sub(r"\s{2,}", " ", text)).strip()
    return Sentence(raw, text, tuple(dict.fromkeys(cites)), tuple(dict.fromkeys(removed)))


# --- numbers --------------------------------------------------------------------------


def source_numbers(chunk: Chunk) -> list[Number]:
    """The numbers a chunk writes: its text, header, cells, caption and section."""
    text = " ".join([chunk.text, chunk.section, chunk.caption, chunk.group, *chunk.header,
                     *chunk.cells])
    return [f.number for f in numbers_in(text)]


def _forms(n: Number) -> set[Decimal]:
    """The values a written number may be compared by: as scaled ("3.4 million" is
    3,400,000) and as written (3.4, how a table "in millions" writes it); no sign."""
    value = abs(n.value)
    forms = {value}
    if n.scale_word:
        forms.add(value / WORD_SCALES[n.scale_word])
    return {f.normalize() for f in forms}


def _rounds_to(written: Number, value: Decimal, text: str) -> bool:
    """Whether a computed value, rounded to the decimals the sentence writes, is the
    written number ("12.35" for 12.3456)."""
    decimals = len(text.split(".")[1].rstrip("%) ").split()[0]) if "." in text else 0
    q = Decimal(1).scaleb(-decimals)
    return any(abs(value).quantize(q) == f.quantize(q) for f in _forms(written))


def number_problems(sentence: Sentence, chunks: Iterable[Chunk],
                    computed: Sequence[Decimal] = ()) -> list[str]:
    """The numbers of the sentence that stand in none of the chunks it cites and are not
    a value the executor computed (rounded as written)."""
    allowed: set[Decimal] = set()
    for c in chunks:
        for n in source_numbers(c):
            allowed |= _forms(n)
    problems = []
    for found in numbers_in(sentence.text):
        written, n = found.text, found.number
        if _forms(n) & allowed:
            continue
        if any(_rounds_to(n, v, written) for v in computed):
            continue
        problems.append(f"the number {written} stands in no source it cites")
    return problems


def computed_values(derivation: Derivation | None) -> tuple[Decimal, ...]:
    """The values an executor's working makes citable: its result and its operands."""
    if derivation is None:
        return ()
    return (derivation.value, *(o.value for o in derivation.operands))


# --- a sentence -----------------------------------------------------------------------


def check_sentence(raw: str, sources: Sequence[Source], check: SupportCheck,
                   computed: Sequence[Decimal] = ()) -> Verdict:
    """Verify one sentence against the numbered sources it cites."""
    s = read_markers(raw, len(sources))
    if not s.text:
        return Verdict(s, ("it holds no words",))
    if not s.cites:
        why = (f"it cites {', '.join(f'[{k}]' for k in s.removed)}, which no source has "
               f"(there are {len(sources)})" if s.removed else "it cites no source")
        return Verdict(s, (why,))
    cited = [sources[k - 1] for k in s.cites]
    problems = number_problems(s, (x.chunk for x in cited), computed)
    verdicts = [(x.n, check(Claim(s.text, x.chunk, x.score, x.highlight))) for x in cited]
    supported = tuple(n for n, v in verdicts if v.ok)
    if not supported:
        best_n, best = max(verdicts, key=lambda nv: nv[1].score)
        detail = "; ".join(best.reasons) if best.reasons else f"score {best.score:.2f}"
        problems.insert(0, f"[{best_n}] does not support it ({detail})")
    return Verdict(s, tuple(problems), supported)


def verify(text: str, sources: Sequence[Source], check: SupportCheck,
           computed: Sequence[Decimal] = ()) -> list[Verdict]:
    """Every sentence of a whole LLM answer, verified."""
    return [check_sentence(raw, sources, check, computed) for raw in segments(text)]


# --- the verified answer --------------------------------------------------------------


@dataclass
class Numbering:
    """Citations numbered by first use among the sentences that stand, so that the text
    shown while streaming never needs renumbering."""

    sources: Sequence[Source]
    order: dict[int, int] = field(default_factory=dict)  # source n -> citation n

    def render(self, verdict: Verdict) -> str:
        """The sentence as shown: its words, then its citations in the answer's numbering
        (only the sources that support it)."""
        marks = []
        for k in verdict.supported_by or verdict.sentence.cites:
            self.order.setdefault(k, len(self.order) + 1)
            marks.append(f"[{self.order[k]}]")
        return f"{verdict.sentence.text} {''.join(marks)}"

    def citations(self) -> tuple[Citation, ...]:
        """The cited sources, numbered as rendered."""
        by_n = {s.n: s for s in self.sources}
        return tuple(Citation(c, by_n[k].chunk, by_n[k].score, by_n[k].highlight)
                     for k, c in sorted(self.order.items(), key=lambda kv: kv[1]))
