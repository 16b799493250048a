"""Figures the documents state that equal a computed result: a cell of the row read (a
"% Change" or "Variance" column) or a number in a retrieved sentence ("revenue increased
$15.6 million"). An answer that names them shows the reader that the report agrees, in
the report's own words and rounding.

A figure states a result when, at the precision it is written with, it equals the result
(its size: prose says "decreased 5%" of a change of -5%), in the same unit (a percentage
for a percentage; an amount converted to the table's scale). Figures written with a
single significant digit are too coarse to count as agreement.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from qa.answer.grid import Cell, Grid, table_grid
from qa.answer.operands import MIN_LABEL_COVER, Reading, Words, align, label_stems
from qa.answer.tables import label, label_at, with_unit
from qa.answer.types import Claim, CorpusView, Evidence
from qa.chunk import Chunk
from qa.text.numbers import WORD_SCALES, Number, numbers_in, read_number, round_half_up, years_in
from qa.text.sentences import sentences

# The most characters of a sentence quoted beside a computed answer.
QUOTE_CHARS = 160


@dataclass(frozen=True)
class Statement:
    """Where the documents state a result: the chunk, the text quoted (a sentence, or the
    cell), the figure as written, and for a cell its column."""

    chunk: Chunk
    quote: str
    written: str
    col: int | None = None


def _decimals(written: str) -> int:
    digits = re.sub(r"[^\d.]", "", written)
    return len(digits.split(".", 1)[1]) if "." in digits else 0


def _significant(written: str) -> int:
    return len(re.sub(r"[^\d]", "", written).lstrip("0"))


def states(written: str, n: Number, result: Decimal, percent: bool, grid: Grid) -> bool:
    """Whether a figure as written states the result (see the module docstring)."""
    if n.percent != percent or _significant(written) < 2:
        return False
    value, result = abs(n.value), abs(result)
    if n.scale_word and not percent:  # compared in the unit written: "$2.9 million" of a
        unit = WORD_SCALES[n.scale_word]  # result of 2,880 in a table in thousands
        value, result = value / unit, result * grid.scale.factor / unit
    return round_half_up(result, _decimals(written)) == value


def in_row(result: Decimal, percent: bool, operands: Sequence[Cell], grid: Grid) -> Cell | None:
    """A cell of a row read, other than an operand, that states the result."""
    used = {(c.chunk.id, c.col) for c in operands}
    for chunk in dict.fromkeys(c.chunk for c in operands):
        for j, text in enumerate(chunk.cells):
            n = read_number(text) if j and (chunk.id, j) not in used else None
            if n is not None and states(text, n, result, percent, grid):
                return Cell(chunk, j, text, n.value, n.percent)
    return None


def named_column(q: Words, r: Reading) -> Cell | None:
    """The figure of the row read under a column the question names by words the reading
    left unused ("What is the change (%) for X between 2018 and 2019?" of a row with a
    "Change (%)" column): the table states what the question asks, whatever it computes."""
    if not r.line.across or len({c.chunk.id for c in r.operands}) != 1:
        return None
    row = r.operands[0].chunk
    used = {c.col for c in r.operands}
    free = frozenset(i for i in q.everything if i not in r.named and q.years[i] is None)
    best: tuple[float, Cell] | None = None
    for j in range(1, min(len(row.cells), len(row.header))):
        n = read_number(row.cells[j]) if j not in used else None
        if n is None or years_in(row.header[j]):
            continue  # a period's figure is an operand's kind, not a stated result
        cover = align(row.header[j], q, free).cover
        if cover >= MIN_LABEL_COVER and (best is None or cover > best[0]):
            best = (cover, Cell(row, j, row.cells[j], n.value, n.percent))
    return best[1] if best else None


def in_prose(result: Decimal, percent: bool, label: str, evidence: Sequence[Evidence],
             grid: Grid) -> Statement | None:
    """A retrieved sentence that names the figures' label and states the result."""
    words = set(label_stems(label))
    for ev in evidence:
        c = ev.hit.chunk
        if c.kind != "passage":
            continue
        for sentence in sentences(c.text):  # split once per passage, not per question
            if not words & set(label_stems(sentence)):
                continue
            for f in numbers_in(sentence):
                if states(f.text, f.number, result, percent, grid):
                    return Statement(c, _window(sentence, f.start, f.end), f.text)
    return None


def _window(sentence: str, start: int, end: int) -> str:
    """The sentence, or the part of it around the figure when it is long."""
    if len(sentence) <= QUOTE_CHARS:
        return sentence
    half = QUOTE_CHARS // 2
    a = max(0, start - half)
    b = min(len(sentence), end + half)
    a = sentence.rfind(" ", 0, a) + 1 if a else 0
    b_space = sentence.find(" ", b)
    b = b_space if b_space != -1 else len(sentence)
    return ("… " if a else "") + sentence[a:b].strip() + (" …" if b < len(sentence) else "")


def of_cells(claim: Claim, evidence: Sequence[Evidence], corpus: CorpusView) -> Statement | None:
    """A retrieved sentence that names the row of a claim on a table row and states one of
    the figures the claim cites ("Amounts due to related parties of $200 (December 31,
    2018: $169)" beside the row's 2018 cell "169"): the report's own words for the figure,
    with the unit and scale the cell leaves to its table."""
    c = claim.chunk
    if c.kind != "table_row":
        return None
    grid = table_grid(corpus.table_of(c) or (c,))
    for j in claim.highlight:
        if j == label_at(c) or j >= len(c.cells):
            continue
        written = with_unit(c, j)  # "22.9" under "Gross margin (%)" is 22.9%
        n = read_number(written)
        if n is None or _significant(written) < 2:
            continue
        said = in_prose(n.value, n.percent, label(c), evidence, grid)
        if said is not None:
            return said
    return None
