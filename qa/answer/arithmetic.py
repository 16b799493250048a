"""The arithmetic strategy: numbers the documents imply (changes, percentage changes,
averages, ratios, sums and counts of table figures), computed and shown with their working.

`Arithmetic.propose` reads the question's operation from its words (`operators`), chooses
its operands among the figures of the retrieved rows' tables (`operands`, `counting`),
computes from the unrounded figures, and proposes one candidate per reading, each citing
every row it read with the operand cells highlighted:

    Revenue changed from 4,987 (2018) to 5,123 (2019): (5,123 - 4,987) / 4,987 = 2.73% [1]

A question it cannot support (a year the table lacks, a figure that is not there) gets
no candidate: it never guesses an operand. Until the answer engine takes it into its
registry, `computed_answer` puts its best candidate in front of the first answerer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from qa.answer import corroborate
from qa.answer.counting import Count, counts
from qa.answer.grid import Cell, Grid, Line, is_total, label_of, table_grid
from qa.answer.operands import Reading, Words, readings
from qa.answer.operators import (
    AVERAGE,
    CHANGE_RATIO,
    COUNT,
    DIFFERENCE,
    RATIO,
    SHARE,
    SUM,
    Result,
    count_result,
    execute,
)
from qa.answer.types import (
    Answer,
    Candidate,
    Citation,
    Claim,
    CorpusView,
    Derivation,
    Evidence,
    Operand,
)
from qa.chunk import Chunk
from qa.text.numbers import format_number, round_half_up

# The score (0-1, how well the question names the line, the operands and the operation)
# from which a computed answer is given instead of the first answerer's; counts have their
# own (an item count is named less fully by construction). Lower answers more arithmetic
# questions with a number, higher leaves more span questions that use an arithmetic word
# to the span answer. Fitted by scripts/arith_eval.py on the calibration part of TAT-QA
# dev (it prints the right answers and the accuracy by kind along each threshold).
COMPUTED_WINS = 0.65
COUNT_WINS = 0.5
# How many readings become candidates (the best ones).
MAX_CANDIDATES = 3


@dataclass(frozen=True)
class Arithmetic:
    """The strategy: candidates computed from table figures (see the module docstring)."""

    name: str = "arithmetic"

    def propose(self, question: Any, evidence: Sequence[Evidence],
                corpus: CorpusView) -> list[Candidate]:
        """Computed candidates for the question, best first (none when it asks for no
        computation, or the tables cannot support it)."""
        text = getattr(question, "text", question)
        grids = tables(evidence, corpus)
        if not grids:
            return []
        q = Words.of(text, getattr(corpus, "idf", None))
        found = [count_candidate(c, self.name) for c in counts(q, grids)[:1]]
        if not found:
            prior = {ev.hit.chunk.id: ev.hit.score for ev in evidence}
            found = [c for r in readings(text, grids, getattr(corpus, "idf", None), prior)
                     [:MAX_CANDIDATES] if (c := reading_candidate(r, self.name, evidence, q))]
        return sorted(found, key=lambda c: -c.score)


def tables(evidence: Sequence[Evidence], corpus: CorpusView) -> list[Grid]:
    """The tables of the retrieved rows, the best-retrieved first."""
    seen: dict[tuple[str, int | None], Grid] = {}
    for ev in evidence:
        c = ev.hit.chunk
        key = (c.doc, c.table)
        if c.kind == "table_row" and key not in seen:
            seen[key] = table_grid(corpus.table_of(c) or (c,))
    return list(seen.values())


# --- the working --------------------------------------------------------------------------


def _unit(grid: Grid, cells: Sequence[Cell], percent_result: bool) -> str:
    """The unit a result is stated in: a percentage for ratios of change, the operands'
    percentage sign, or the table's scale."""
    if percent_result or (cells and all(c.percent for c in cells)):
        return "%"
    return grid.scale.describe()


def _suffix(unit: str) -> str:
    return "%" if unit == "%" else (f" ({unit})" if unit else "")


def _name(line: Line, key: str) -> str:
    """What an operand is: "Revenue (2019)" for a row's cell, "2019 (Revenue)" read down a
    column."""
    label = line.label or "The total"
    return f"{label} ({key})" if key else label


def reading_candidate(r: Reading, strategy: str = "arithmetic",
                      evidence: Sequence[Evidence] = (), q: Words | None = None
                      ) -> Candidate | None:
    """A candidate from a reading: the computation, its working, and a claim per row read
    (the working in the last), each highlighting the operand cells; a figure the row or a
    retrieved sentence states that equals the result is named and cited beside it, and so
    is the row's figure under a column the question (`q`) names by its remaining words
    ("the change (%)" of a table with a "Change (%)" column)."""
    result = execute(r.op, [c.value for c in r.operands], r.percent)
    if result is None:
        return None
    unit = _unit(r.grid, r.operands, r.op == CHANGE_RATIO or (r.op in (RATIO, SHARE) and r.percent))
    if r.op in (RATIO, SHARE) and not r.percent:
        unit = ""  # a ratio of figures in one unit has none
    text = _working(r, result, unit)
    same = corroborate.in_row(result.value, unit == "%", r.operands, r.grid)
    if same is not None:
        text += f" (the table gives {same.text})"
    elif q is not None and (named := corroborate.named_column(q, r)) is not None:
        same = named  # the question names a column that states a figure of the row
        text += f" (the table gives {same.chunk.header[same.col]}: {same.text})"
    claims = _claims(r.operands, text, r.score, same)
    said = corroborate.in_prose(result.value, unit == "%", r.line.label, evidence, r.grid)
    if said is not None and (same is None or said.written != same.text):
        claims += (Claim(f"the report states {said.written}: \"{said.quote}\"", said.chunk,
                         r.score),)
    operands = tuple(Operand(c.chunk, c.col, c.text, c.value, _name(r.line, k))
                     for c, k in zip(r.operands, r.keys))
    derivation = Derivation(r.op, operands, result.expression, result.value, unit)
    return Candidate(strategy, claims, r.score, round_half_up(result.value), derivation)


def _working(r: Reading, result: Result, unit: str) -> str:
    """The sentence that states the result and how it was computed."""
    line, ks, cells = r.line, r.keys, r.operands
    # a result of figures that are percentages is one too: "(4.5 + 4.6) / 2 = 4.55%" (a
    # percentage change writes its sign itself; a table's scale alone does not make one);
    # the difference of two is in percentage points ("2.80 - 1.90 = 0.90 percentage
    # points": 0.90% would be a share of something)
    bare = unit == "%" and all(c.percent for c in cells) and not result.expression.endswith("%")
    shown = (f"{result.expression} percentage points" if bare and r.op == DIFFERENCE
             else f"{result.expression}%" if bare
             else f"{result.expression}{'' if unit == '%' else _suffix(unit)}")
    what = {DIFFERENCE: "Difference", CHANGE_RATIO: "Change", AVERAGE: "Average",
            RATIO: "Ratio", SHARE: "Share", SUM: "Sum"}[r.op]
    if line.across:  # one row: its figures under the columns (years) the question names
        subject = line.label or "The total"  # a total row often has no label
        if r.timed:
            return (f"{subject} changed from {cells[1].text} ({ks[1]}) to {cells[0].text} "
                    f"({ks[0]}): {shown}")
        parts = ", ".join(f"{k}: {c.text}" for c, k in zip(cells, ks))
        return f"{what} of {subject} ({parts}): {shown}"
    # one column: figures of several rows; the rows cited before state their own figures
    names = [k or "the total" for k in ks]
    joined = (" to ".join(names) if r.op == RATIO else " in ".join(names) if r.op == SHARE
              else " and ".join(names))
    if r.timed:
        return f"{line.label}: {names[1]} to {names[0]}: {shown}"
    return f"{what} of {joined} ({line.label}): {shown}"


def _claims(cells: Sequence[Cell], working: str, score: float,
            also: Cell | None = None) -> tuple[Claim, ...]:
    """One claim per row read, in operand order, each stating the figures it gives and
    highlighting its label and operand cells (and `also`, a cell the working names); the
    working closes the last one (a single row's working names its figures itself)."""
    rows: dict[str, list[Cell]] = {}
    for c in cells:
        rows.setdefault(c.chunk.id, []).append(c)

    def highlight(chunk: Chunk, mine: list[Cell]) -> tuple[int, ...]:
        extra = {also.col} if also is not None and also.chunk.id == chunk.id else set()
        return tuple(sorted({0, *(c.col for c in mine), *extra}))

    if len(rows) == 1:
        chunk = cells[0].chunk
        return (Claim(working, chunk, score, highlight(chunk, cells)),)
    claims = []
    for n, mine in enumerate(rows.values()):
        chunk = mine[0].chunk
        fact = "; ".join(f"{label_of(chunk) or 'Total'} ({chunk.header[c.col]}): {c.text}"
                         for c in mine)
        text = f"{fact}; {working}" if n == len(rows) - 1 else fact
        claims.append(Claim(text, chunk, score, highlight(chunk, mine)))
    return tuple(claims)


def _row_label(chunk: Chunk) -> str:
    return next((c for c in chunk.cells if c), "")


def count_candidate(c: Count, strategy: str = "arithmetic") -> Candidate:
    """A candidate from a count: how many, of what, and which, each one cited (the rows
    that count; for a count of a row's figures, that row with them highlighted)."""
    result = count_result(len(c.kept))
    if c.threshold is not None:
        op = "more than" if c.compare == ">" else "less than"
        # the threshold as the question wrote it: in the table's unit it would be a
        # number neither the question nor the table states
        lead = (f"{len(c.kept)} {c.what} had {_subject(c)} {op} "
                f"{c.written or format_number(c.threshold, 2)}")
        across = len({x.chunk.id for x in c.looked}) == 1  # a row's figures, or a column's
        named = [(x.chunk, x, f"{_key_of(x, across)} ({x.text})") for x in c.kept]
        if not named:  # none passes: the row (or rows) looked at are what shows it
            named = [(x.chunk, x, f"{_key_of(x, across)} ({x.text})") for x in c.looked]
            lead += ", none did"
    else:
        lead = f"{len(c.rows)} items are listed under {c.what}"
        firsts = {x.chunk.id: x for x in c.kept}
        named = [(r, firsts.get(r.id), _row_label(r)) for r in c.rows]
    across = len({x.chunk.id for x in c.looked}) == 1
    operands = tuple(Operand(x.chunk, x.col, x.text, x.value, _key_of(x, across))
                     for x in c.kept)
    derivation = Derivation(COUNT, operands, result.expression, result.value, "")
    return Candidate(strategy, _count_claims(lead, named, c.score), c.score, result.value,
                     derivation)


def _key_of(x: Cell, across: bool) -> str:
    """A counted figure's name: its column among a row's figures, its row's label among a
    column's."""
    header = x.chunk.header[x.col] if x.col < len(x.chunk.header) else ""
    if across and header:
        return header
    label, group = _row_label(x.chunk), x.chunk.group.rstrip(": ")
    if group and is_total(label):  # a total row per group (year): the group names it
        return f"{label or 'Total'} ({group})"
    return label or "total"


def _subject(c: Count) -> str:
    rows = {x.chunk.id for x in c.looked}
    first = c.looked[0].chunk
    return _row_label(first) if len(rows) == 1 else (first.header[c.looked[0].col] or "values")


def _count_claims(lead: str, named: list[tuple[Chunk, Cell | None, str]],
                  score: float) -> tuple[Claim, ...]:
    """The count's sentence, then what was counted: one claim per row, naming it (and
    its counted figures), each citing its row with those cells highlighted."""
    rows: dict[str, tuple[Chunk, list[Cell], list[str]]] = {}
    for chunk, cell, name in named:
        _, cells, names = rows.setdefault(chunk.id, (chunk, [], []))
        names.append(name)
        if cell is not None:
            cells.append(cell)
    claims = []
    for n, (chunk, cells, names) in enumerate(rows.values()):
        text = ", ".join(names)
        claims.append(Claim(f"{lead}: {text}" if n == 0 else text, chunk, score,
                            tuple(sorted({0, *(c.col for c in cells)}))))
    return tuple(claims)


# --- in front of the first answerer ------------------------------------------------------


def computed_answer(question: str, evidence: Sequence[Evidence], corpus: CorpusView,
                    version: str | None = None) -> Answer | None:
    """The best computed candidate as the answer when it scores COMPUTED_WINS (a count
    COUNT_WINS) or more; None to leave the question to the first answerer."""
    best = computed(question, evidence, corpus)
    return None if best is None else as_answer(best, version or corpus.version, question)


def computed(question: str, evidence: Sequence[Evidence], corpus: CorpusView
             ) -> Candidate | None:
    """The best computed candidate when it scores COMPUTED_WINS (a count COUNT_WINS) or
    more: the engine answers with it before any other strategy's candidate."""
    found = Arithmetic().propose(question, evidence, corpus)
    if not found:
        return None
    d = found[0].derivation
    if found[0].score < (COUNT_WINS if d is not None and d.op == COUNT else COMPUTED_WINS):
        return None
    return found[0]


def as_answer(candidate: Candidate, version: str, question: str) -> Answer:
    """A candidate as the reply: claims with `[n]` markers, citations numbered in order
    of first use, each highlighting the cells its claims (and the derivation) used."""
    numbers: dict[str, int] = {}
    cells: dict[str, set[int]] = {}
    claims: dict[str, Claim] = {}
    for cl in candidate.claims:
        numbers.setdefault(cl.chunk.id, len(numbers) + 1)
        claims.setdefault(cl.chunk.id, cl)
        cells.setdefault(cl.chunk.id, set()).update(cl.highlight)
    for o in candidate.derivation.operands if candidate.derivation else ():
        if o.cell is not None and o.chunk.id in cells:
            cells[o.chunk.id].add(o.cell)
    text = "; ".join(f"{cl.text.rstrip()} [{numbers[cl.chunk.id]}]" for cl in candidate.claims)
    citations = tuple(Citation(numbers[cid], cl.chunk, cl.score, tuple(sorted(cells[cid])))
                      for cid, cl in claims.items())
    return Answer(text, True, citations, version, question, candidate.value,
                  candidate.derivation)

