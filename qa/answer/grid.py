"""A table's rows read as lines of figures: each row (its label, and the value under each
column), and each column when the rows are periods ("2021 | 2022 | ...") or the question
runs down a column ("ratio of X to Y in 2019").

A `Line` is what one computation reads from: a label (what the figures are) and cells,
each named by a key (the column's name for a row; the row's label for a column). Every
cell keeps the row chunk and column it stands in, so an answer can cite and highlight it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from qa.chunk import Chunk
from qa.text.numbers import Scale, read_number, scale_of, years_in

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_ORDINALS = ("first", "second", "third", "fourth")
_MONTH = re.compile(r"\b(" + "|".join(_MONTHS) + r")[a-z]*\.?(?:\s+(\d{1,2})\b)?", re.IGNORECASE)
_QUARTER = re.compile(r"\bq([1-4])\b|\b(" + "|".join(_ORDINALS) + r")\b", re.IGNORECASE)


def when(key: str) -> tuple[int, int, int] | None:
    """Where a column (or row) name stands in time, for putting figures in order: (year,
    month or quarter, day), with 0 for what it does not say ("December 31, 2019",
    "Q3 2019", "Third Quarter", "2018"); None when it names no time."""
    ys = set(years_in(key))
    year = ys.pop() if len(ys) == 1 else 0
    if len(ys) > 0:
        return None  # "2019 vs 2018": a comparison, not a time
    m = _MONTH.search(key)
    if m:
        return year, _MONTHS.index(m.group(1).lower()[:3]) + 1, int(m.group(2) or 0)
    m = _QUARTER.search(key)
    if m:
        quarter = int(m.group(1)) if m.group(1) else _ORDINALS.index(m.group(2).lower()) + 1
        return year, quarter * 3, 0
    return (year, 0, 0) if year else None


# Row labels that sum the rows above them: counted items and shares leave them out.
TOTAL_WORDS = ("total", "subtotal", "sub-total", "net total")


@dataclass(frozen=True)
class Cell:
    """A figure of a table: the row chunk and column it stands in, as written, its value."""

    chunk: Chunk
    col: int
    text: str
    value: Decimal
    percent: bool


@dataclass(frozen=True)
class Line:
    """Figures read together: a row (keys are column names) or a column (keys are row
    labels). `label` is what they are (a row's label and group, or a column's name)."""

    label: str
    group: str
    keys: tuple[str, ...]
    cells: tuple[Cell, ...]
    across: bool  # True for a row (figures across columns), False for a column

    @cached_property
    def periods(self) -> tuple[int | None, ...]:
        """The one year each key names (None when it names none, or several: "2019 vs
        2018")."""
        out = []
        for k in self.keys:
            ys = set(years_in(k))
            out.append(ys.pop() if len(ys) == 1 else None)
        return tuple(out)

    @cached_property
    def times(self) -> tuple[tuple[int, int, int] | None, ...]:
        """Where each key stands in time (see `when`)."""
        return tuple(when(k) for k in self.keys)


def label_of(chunk: Chunk) -> str:
    """A row's label: its first cell when that is not a figure (a year is a label)."""
    for c in chunk.cells[:1]:
        if c and (read_number(c) is None or re.fullmatch(r"\s*(?:19|20)\d\d\s*", c)):
            return c
    return ""


def is_total(label: str) -> bool:
    """Whether a row label names a total ("Total revenue", "Subtotal", or no label)."""
    t = label.strip().lower()
    return not t or t.startswith(TOTAL_WORDS)


@dataclass(frozen=True)
class Grid:
    """One table's rows (chunks in order), read as lines."""

    rows: tuple[Chunk, ...]

    @property
    def header(self) -> tuple[str, ...]:
        """The column names (every row chunk carries them)."""
        return self.rows[0].header if self.rows else ()

    @cached_property
    def scale(self) -> Scale:
        """The scale the table states in its caption, header or notes."""
        first = self.rows[0] if self.rows else None
        if first is None:
            return Scale()
        return scale_of(first.caption, *first.header)

    @cached_property
    def row_lines(self) -> tuple[Line, ...]:
        """Each row with a label and at least one figure."""
        out = []
        for chunk in self.rows:
            label = label_of(chunk)
            cells = [cell for j in range(1, len(chunk.cells)) if (cell := _cell(chunk, j))]
            if cells:
                out.append(Line(label, chunk.group.rstrip(": "),
                                tuple(chunk.header[c.col] if c.col < len(chunk.header) else ""
                                      for c in cells), tuple(cells), True))
        return tuple(out)

    @cached_property
    def column_lines(self) -> tuple[Line, ...]:
        """Each column with at least two figures, keyed by the rows' labels."""
        out = []
        for j in range(1, len(self.header)):
            cells = [cell for chunk in self.rows if (cell := _cell(chunk, j))]
            if len(cells) >= 2:
                keys = tuple(label_of(c.chunk) for c in cells)
                out.append(Line(self.header[j], "", keys, tuple(cells), False))
        return tuple(out)

    @property
    def lines(self) -> tuple[Line, ...]:
        """Rows, then columns."""
        return self.row_lines + self.column_lines


def table_grid(rows: Sequence[Chunk]) -> Grid:
    """The grid of a table's rows as the index lists them (`CorpusView.table_of`), read
    once per table rather than per question (its lines read every cell's figure). Kept for
    the last CACHED_TABLES tables by the identity of that list: an index version holds one
    list per table, so the tables of a rebuilt index are read afresh, and a kept list stays
    alive, so its id is never another's. Another sequence (an empty table's stand-in row)
    is read anew."""
    if not isinstance(rows, list):
        return Grid(tuple(rows))
    kept = _GRIDS.get(id(rows))
    if kept is not None and kept[0] is rows:
        return kept[1]
    grid = Grid(tuple(rows))
    if len(_GRIDS) >= CACHED_TABLES:
        _GRIDS.clear()
    _GRIDS[id(rows)] = (rows, grid)
    return grid


# Tables whose grids are kept (a few hundred cells each: a report's tables, several times).
CACHED_TABLES = 512
_GRIDS: dict[int, tuple[list[Chunk], Grid]] = {}


def _cell(chunk: Chunk, j: int) -> Cell | None:
    if j >= len(chunk.cells):
        return None
    n = read_number(chunk.cells[j])
    if n is None:
        return None
    return Cell(chunk, j, chunk.cells[j], n.value, n.percent)
