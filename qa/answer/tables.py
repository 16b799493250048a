"""Table rows read against a question: which row it names by its label, which columns by
their header, which row by one of its values; and the claims a row makes ("For the
Military Aspect, Regional Impact: ..."). Matching is against the evidence's own headers
and labels, never against lists of words."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from qa.answer.grid import when
from qa.answer.match import coverage, place, shared, words_of
from qa.answer.types import Claim, Evidence
from qa.chunk import Chunk
from qa.text.numbers import is_number, parse_number, read_number, scale_of
from qa.text.tokens import tokenize

if TYPE_CHECKING:
    from qa.answer.question import Question


# A column header that names a period: a year (with a fiscal prefix or a month), a quarter.
PERIOD = re.compile(r"^(?:fy\s?)?(?:19|20)\d\d\b|\b(?:19|20)\d\d$|^q[1-4]\b", re.IGNORECASE)

def label_at(c: Chunk) -> int:
    """The column of a row's label: its first non-empty cell that is no number; the first
    column when every cell is a number (a year that names the row, or a total row whose
    label cell is empty: its first figure is a figure, not its label)."""
    return _label_at(c.cells)


@lru_cache(maxsize=1 << 14)
def _label_at(cells: tuple[str, ...]) -> int:
    """`label_at` of a row's cells (cached: the table strategies read every retrieved row's
    label many times a question)."""
    filled = [j for j, v in enumerate(cells) if v]
    return next((j for j in filled if not is_number(cells[j])), 0)


# A row label that is a year ("2020", "FY2021"): a number that names the row, as a period.
YEAR_LABEL = re.compile(r"^\s*(?:fy\s?)?(?:19|20)\d\d\s*$", re.IGNORECASE)


def has_label(c: Chunk) -> bool:
    """Whether a row has a label: a cell that is no number, or a first cell that is a year
    (a table of periods by row: "2020 | 1,204")."""
    return any(v and not is_number(v) for v in c.cells) or bool(
        c.cells and YEAR_LABEL.match(c.cells[0]))


# How a row without a label is named: in a report's table it sums the rows above it (its
# group's, or the table's), as `qa.answer.grid.is_total` reads it too.
UNLABELLED = "Total"


def label(c: Chunk) -> str:
    """A row's label (its first non-empty cell that is no number; "" for none)."""
    return c.cells[label_at(c)] if c.cells else ""


def label_for_matching(c: Chunk) -> str:
    """The words a question may name a row by: its label, or for a row without one the
    total of its group ("Total Diluted earnings per share")."""
    lab = label(c)
    return lab if lab else f"{UNLABELLED} {c.group}".strip()


def is_total(c: Chunk) -> bool:
    """Whether a row sums others (its label starts with total, subtotal or net, or it has
    no label: see `UNLABELLED`), so it is no item of the table's list or comparison."""
    if not label(c):
        return True
    first = tokenize(label(c))[:1]
    return bool(first) and first[0] in ("total", "subtot", "sub")


@dataclass(frozen=True)
class RowReading:
    """One retrieved row read against the question."""

    evidence: Evidence
    rank: int  # its place among the retrieved chunks (0 first)
    label_match: float  # share of the label's words the question holds (the group's, halved)
    label_words: int  # how many words of the label the question holds
    columns: tuple[int, ...]  # the columns the question names (their best header match)
    column_match: float
    reverse: int | None  # the column of a value the question gives (a row found by value)
    value_match: float  # share of that value's words the question holds
    asks_label: bool  # the question names the label column ("Which focus area ...")

    @property
    def chunk(self) -> Chunk:
        """The row."""
        return self.evidence.hit.chunk

    @property
    def names_row(self) -> bool:
        """Whether the question names this row at all (a word of its label or group)."""
        return self.label_match > 0


def read_row(question: Question, ev: Evidence, rank: int) -> RowReading:
    """How the question names this row (see `RowReading`)."""
    q = question.words
    c = ev.hit.chunk
    header, cells = c.header, c.cells
    at = label_at(c)
    lab = label_for_matching(c)
    label_match = label_share(q, c)
    q_cols = column_words(q, c)
    names = [(header_share(question, q_cols, header[j]), j)
             for j in range(len(header)) if j != at and j < len(cells) and cells[j] and header[j]]
    best = max((m for m, _ in names), default=0.0)
    columns = tuple(j for m, j in names if m > 0 and m == best)
    if columns and JOINED.search(question.text):
        # "the short-term and long-term effects": a question that joins headers names each
        # column whose own words (that no other header has) it holds, not the best alone
        own = own_words([header[j] if j != at else "" for j in range(len(header))])
        columns = tuple(sorted({*columns, *(j for m, j in names
                                            if m > 0 and shared(own[j], q_cols))}))
    periods = [j for j in columns if PERIOD.search(header[j])]
    if len(periods) >= 2:  # "from 2017 to 2019": the periods between are asked for too
        between = [j for j in range(min(periods), max(periods) + 1)
                   if j != at and PERIOD.search(header[j]) and j < len(cells) and cells[j]]
        columns = tuple(sorted(set(columns) | set(between)))
    values = [(coverage(q, cells[j]), j) for j in range(len(cells))
              if j != at and cells[j] and not is_number(cells[j])]
    v_best, v_col = max(values, default=(0.0, None))
    asks = bool(at < len(header) and header[at] and coverage(q, header[at]) >= 0.5)
    return RowReading(ev, rank, label_match, len(shared(words_of(lab), set(q))), columns,
                      best if columns else 0.0, v_col if v_best > 0 else None,
                      v_best, asks)


def label_share(q: frozenset[str], c: Chunk) -> float:
    """The share of a row's label words the question's words `q` hold (its group's, halved),
    as `read_row` reads it."""
    return max(coverage(q, label_for_matching(c)), coverage(q, c.group) * 0.5 if c.group else 0.0)


def column_words(q: frozenset[str], c: Chunk) -> frozenset[str]:
    """The question's words that may name a column of row `c`: a word the question names
    the row by does not name a column too ("license and subscription revenue" under "Cost
    of revenue:" names no "% of total revenue")."""
    return q - words_of(label_for_matching(c)) - words_of(c.group)


def header_share(question: Question, q_cols: frozenset[str], header: str) -> float:
    """The share of a column header's words that the question's column words hold, but for
    the words of a name of something else (`other_names`)."""
    return coverage(q_cols - other_names(question.names, header), header)


def cited_naming(question: Question, c: Chunk, cited: Sequence[int]) -> tuple[float, float, float]:
    """How the question names a claim on row `c` citing the columns `cited` (its highlight;
    every column but the label's when empty), as `read_row` reads a row: (the share of the
    row's label words the question holds, the group's halved; the best share of a cited
    column's header it holds, beside the words that name the row; the best share of a cited
    value's words it holds, a value that is no number: a row found by its value)."""
    q = question.words
    header, cells = c.header, c.cells
    at = label_at(c)
    label_match = label_share(q, c)
    q_cols = column_words(q, c)
    cols = [j for j in (cited or range(len(cells))) if j != at and j < len(cells) and cells[j]]
    column = max((header_share(question, q_cols, header[j])
                  for j in cols if j < len(header) and header[j]), default=0.0)
    value = max((coverage(q, cells[j]) for j in cols if not is_number(cells[j])), default=0.0)
    return label_match, column, value


# A question that joins things it names ("X and Y", "both", "X versus Y").
JOINED = re.compile(r"\b(?:and|both|versus|vs)\b", re.IGNORECASE)


def own_words(headers: Sequence[str]) -> list[frozenset[str]]:
    """Each header's words that no other header of the table has ("short" of "Short-Term
    Effect" beside "Long-Term Outlook")."""
    sets = [words_of(h) for h in headers]
    return [w - frozenset().union(*(o for k, o in enumerate(sets) if k != i))
            for i, w in enumerate(sets)]


def other_names(names: Sequence[str], header: str) -> frozenset[str]:
    """The words of the question's names that name something else than the header: a name
    that shares words with the header but neither holds the other whole ("South Korea"
    does not name the column "North Korea", nor "Gross Profit" the column "Gross margin")."""
    head = tuple(tokenize(header))
    out: set[str] = set()
    for name in names:
        mine = tuple(tokenize(name))
        if set(mine) & set(head) and place(mine, head) is None and place(head, mine) is None:
            out |= set(mine)
    return frozenset(out)


def earlier_twin(c: Chunk, table: Sequence[Chunk]) -> bool:
    """Whether the table has the same row (its label) under a later period group ("2019"
    above "2018"): a question that names no period asks for the latest, as a report's
    reader reads its current year first."""
    mine = when(c.group) if c.group else None
    if mine is None:
        return False
    lab = label(c)
    return any(o.id != c.id and label(o) == lab and o.group and (t := when(o.group)) is not None
               and t > mine for o in table)


def read_rows(question: Question, evidence: Sequence[Evidence]) -> list[RowReading]:
    """Readings of the retrieved table rows, in retrieval order."""
    return [read_row(question, ev, i) for i, ev in enumerate(evidence)
            if ev.hit.chunk.kind == "table_row" and ev.hit.chunk.cells]


def subject(c: Chunk, as_written: bool = True) -> str:
    """How a claim names a row: "the Military Aspect" (label and label column, the
    column's closing colon dropped, its words as the source writes them: "the Specific
    Allowance at December 31"; lower-cased unless `as_written`, as the ranker and the
    support check read them: see `cell_claim`), or the label alone when it ends with the
    column's words already ("Total BCE operating revenues" under "Operating revenues", not
    "the Total BCE operating revenues operating revenues"); after its row group ("Assets,
    Cash")."""
    at = label_at(c)
    lab = c.cells[at] or UNLABELLED
    kind = (c.header[at] if at < len(c.header) else "").rstrip().rstrip(":").rstrip()
    group = f"{c.group.rstrip(':')}, " if c.group else ""
    named = tokenize(kind)
    if kind and tokenize(lab)[-len(named):] != named:
        return f"{group}the {lab} {kind if as_written else kind.lower()}"
    return f"{group}{lab}"


def with_unit(c: Chunk, j: int) -> str:
    """Cell `j` of a row as a claim writes it: a figure of a row or column that states its
    figures are percentages ("Gross margin (%)", "Weightage (%)") with its percent sign
    ("22.9%"), as the reader of the table reads it; any other cell as written."""
    cell = c.cells[j]
    n = read_number(cell)
    if n is None or n.percent or "%" in cell:
        return cell
    head = c.header[j] if j < len(c.header) else ""
    return f"{cell.strip()}%" if scale_of(label(c), head).percent else cell


def cell_claim(c: Chunk, columns: Sequence[int], score: float) -> Claim:
    """The cells of `columns` of a row (all its cells when none), named by their header:
    "For the Military aspect, Regional Impact: Escalates arms build-up"; a figure with the
    percent sign its row or column states (`with_unit`). The ranker and the support
    check read the row's name with its column's words lower-cased, as their weights were
    fitted (a capitalised word reads as a name: "the Total issuance date"); the answer
    writes them as the source does (`Claim.shown`: "the Total Issuance Date")."""
    at = label_at(c)
    cols = [j for j in columns if j < len(c.cells) and c.cells[j]] or [
        j for j in range(len(c.cells)) if j != at and c.cells[j]]
    parts = "; ".join(f"{c.header[j]}: {with_unit(c, j)}" if j < len(c.header) and c.header[j]
                      else with_unit(c, j) for j in cols)
    read, shown = f"For {subject(c, False)}, {parts}", f"For {subject(c)}, {parts}"
    return Claim(read, c, score, tuple(cols), shown="" if shown == read else shown)


def reverse_claim(c: Chunk, value_col: int, asked: Sequence[int], score: float,
                  rest: bool = False) -> Claim:
    """A row found by one of its values: its label, the value it was found by, and the
    columns the question asks for beside it ("Focus Area: Cybersecurity (Expected
    Outcome: Reduced risk ...)"); every other cell when it names none and `rest`
    ("Aspect: Economic (Regional Impact: Disrupts supply chains, ...); North Korea:
    Seeking resources, sanctions evasion; Russia: ...")."""
    at = label_at(c)
    kind = c.header[at] if at < len(c.header) else ""
    lead = f"{kind}: {c.cells[at]}" if kind else c.cells[at]
    name = c.header[value_col] if value_col < len(c.header) and c.header[value_col] else "value"
    text = f"{lead} ({name}: {c.cells[value_col]})"
    # a question that gives a value and names no column asks for the rest of the row
    # ("What is the aim of coordinating targeted sanctions ...?": the Expected Outcome)
    wanted = asked if asked or not rest else range(len(c.cells))
    more = [j for j in wanted if j not in (value_col, at) and j < len(c.cells) and c.cells[j]]
    if more:  # by semicolons, as `cell_claim` joins cells: a cell may hold commas itself
        text += "; " + "; ".join(f"{c.header[j]}: {c.cells[j]}" for j in more)
    return Claim(text, c, score, (at, value_col, *more))


def value(cell: str) -> float | None:
    """The number a cell writes ("$ 1,452.4", "(8)%"), or None."""
    v = parse_number(cell)
    return None if v is None else float(v)
