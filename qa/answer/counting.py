"""Counting questions over a table: how many of a line's figures pass a threshold ("How
many years did net income exceed $30,000 thousand?"), or how many items a table or one of
its groups lists ("How many components are there under deferred tax assets?").

The items of a group are the rows above the row that sums them (found by its figures, not
its wording), or every labelled row but totals when no row sums them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from qa.answer.grid import Cell, Grid, Line, is_total, label_of
from qa.answer.operands import (
    MIN_LABEL_COVER,
    Words,
    align,
    explained,
    key_spans,
    line_span,
    periods,
)
from qa.answer.operators import COUNT, PERCENT_WORDS, comparison, operation
from qa.chunk import Chunk
from qa.text.numbers import WORD_SCALES, numbers_in, read_number, years_in
from qa.text.tokens import STOPWORDS


@dataclass(frozen=True)
class Count:
    """A counting reading: the figures (or rows) looked at, those that count, the
    threshold and comparison when there is one, and how well the question names them."""

    looked: tuple[Cell, ...]
    kept: tuple[Cell, ...]
    rows: tuple[Chunk, ...]  # the rows counted, for a count of items
    what: str  # what was counted, as the answer names it
    threshold: Decimal | None
    compare: str
    score: float
    grid: Grid
    written: str = ""  # the threshold as the question writes it ("$5 million")


# Nouns that count the entries of a table or group, whatever they are ("How many
# components are there under X?"); any other counted noun must be what the group names.
COLLECTIONS = frozenset(str.split("items item components categories types kinds segments "
                                  "classes elements parts sources periods entries lines "
                                  "members"))


def counts(q: Words, grids: Sequence[Grid]) -> list[Count]:
    """Every counting reading of a "how many" question, best first."""
    asked = operation(q.text)
    if asked is None or asked.op != COUNT:
        return []
    at = asked.cues[0]
    if at + 2 < len(q.words) and q.words[at + 2] in PERCENT_WORDS:
        return []  # "how many percent": a change, not a count
    out: list[Count] = []
    compare = comparison(q.text)
    for grid in grids:
        if not grid.rows:
            continue
        if compare is not None:
            out.extend(_threshold_counts(q, grid, *compare))
        else:
            out.extend(_item_counts(q, grid))
    return sorted(out, key=lambda c: -c.score)


def _threshold(q: Words, after: int, grid: Grid) -> tuple[Decimal, bool, str] | None:
    """The figure a count compares with, in the table's unit ("$2 million" against a table
    in thousands is 2,000), and whether it is a percentage."""
    found = [f for f in numbers_in(q.text[after:]) if not (years_in(f.text) and "$" not in f.text)]
    if not found:
        return None
    n = found[0].number
    value = n.value
    if n.scale_word:
        value /= grid.scale.factor if grid.scale.word else WORD_SCALES[n.scale_word]
    return value, n.percent, found[0].text.strip()


def _threshold_counts(q: Words, grid: Grid, sign: str, after: int) -> list[Count]:
    limit = _threshold(q, after, grid)
    if limit is None:
        return []
    value, percent, written = limit
    out = []
    for line in grid.lines:
        span = line_span(line, q, None)
        if span.cover < MIN_LABEL_COVER:
            continue
        free = q.everything - span.positions
        used = span.positions
        spans = key_spans(line, q, free)
        if line.across:
            ks = periods(line, spans) or [k for k, t in enumerate(line.times) if t]
            years = q.named_years(free)
            rng = q.year_range()
            if rng:
                ks = [k for k in ks if rng[0] <= (line.periods[k] or 0) <= rng[1]]
            elif years and any(line.periods[k] for k in ks):
                ks = [k for k in ks if line.periods[k] in years]
        else:
            ks = [k for k in range(len(line.keys)) if line.keys[k] and not is_total(line.keys[k])]
            named = _named_group(line, q, free)
            if named is not None:
                ks = [k for k in ks if line.cells[k].chunk in named]
            totals = _named_totals(line, q, free)
            if len(totals) >= 2:  # "total X" of a table with a total row per group (year)
                ks = totals
                used = span.positions | align(line.keys[totals[0]], q, free).positions
        ks = [k for k in ks if line.cells[k].percent == percent or not any(
            line.cells[j].percent for j in range(len(line.cells)))]
        if len(ks) < 2:
            continue
        looked = tuple(line.cells[k] for k in ks)
        kept = tuple(c for c in looked if (c.value > value if sign == ">" else c.value < value))
        score = (min(span.cover, 1.0) + 1.0 + explained(q, used, set())) / 3
        noun = _counted_noun(q)
        out.append(Count(looked, kept, (), noun, value, sign, score, grid, written))
    return out


def _named_totals(line: Line, q: Words, free: frozenset[int]) -> list[int]:
    """The keys of a column that are total rows the question names ("the total net
    receivables" of a table with a Total row under each year): the same total, one in each
    row group; none otherwise (different totals are subtotals of what the question counts)."""
    ks = [k for k, key in enumerate(line.keys) if key and is_total(key)
          and align(key, q, free).cover >= MIN_LABEL_COVER]
    groups = [line.cells[k].chunk.group for k in ks]
    parallel = len({line.keys[k] for k in ks}) == 1  # the same total under each group
    return ks if parallel and all(groups) and len(set(groups)) == len(groups) else []


def _named_group(line: Line, q: Words, free: frozenset[int]) -> list[Chunk] | None:
    """The items of the row group the question names, when it names one ("components of
    deferred tax assets"); None when it names none."""
    groups: dict[str, list[Chunk]] = {}
    for c in line.cells:
        groups.setdefault(c.chunk.group.rstrip(": "), []).append(c.chunk)
    best = max(groups, key=lambda g: align(g, q, free).cover if g else 0.0)
    if not best or align(best, q, free).cover < MIN_LABEL_COVER:
        return None
    return _items(groups[best])


def _counted_noun(q: Words) -> str:
    """What a question counts: the word after "how many" ("years", "quarters"), or a
    collection noun among the next few ("how many major components")."""
    for i in range(len(q.words) - 2):
        if q.words[i] == "how" and q.words[i + 1] == "many":
            # "how many of the years": function words are not what is counted
            after = [w for w in q.words[i + 2:i + 6] if w not in STOPWORDS][:3]
            if after:
                return next((w for w in after if w in COLLECTIONS), after[0])
    return "items"


def _item_counts(q: Words, grid: Grid) -> list[Count]:
    """How many items a group of rows, a total row or the whole table lists: the rows a
    total sums, or every labelled row but totals."""
    first = grid.rows[0]
    names = [first.caption, first.section, first.header[0] if first.header else ""]
    if "table" in q.words:  # "How many items are in the table?"
        names.append("table")
    context = max(names, key=lambda n: align(n, q).cover)  # what the table lists
    listed: list[tuple[str, list[Chunk]]] = []
    groups: dict[str, list[Chunk]] = {}
    for row in grid.rows:
        groups.setdefault(row.group.rstrip(": "), []).append(row)
    for name, rows in groups.items():
        listed.append((name or context, _items(rows)))
        start = 0
        for i in range(2, len(rows)):  # a row that sums the rows above it names them
            if label_of(rows[i]) and _sums(rows[i], rows[start:i]):
                listed.append((label_of(rows[i]), [r for r in rows[start:i] if label_of(r)]))
                start = i + 1
    totals = {name for name, _ in listed}
    plain = max((align(label_of(r), q).cover for r in grid.rows if label_of(r) not in totals),
                default=0.0)
    out = []
    noun = _counted_noun(q)
    at = q.words.index(noun) if noun in q.words else -1
    for name, items in listed:
        span = align(name, q)
        if span.cover < MIN_LABEL_COVER or span.cover <= plain or len(items) < 2:
            continue  # a row the question names is looked up, not counted
        if noun not in COLLECTIONS and at not in span.positions:
            continue  # "How many shares ... in the year ended X": the group is a date
        cells = tuple(c for r in items if (c := _first_cell(r) or _label_cell(r)) is not None)
        score = (min(span.cover, 1.0) + 0.5 + explained(q, span.positions, set())) / 3
        out.append(Count(cells, cells, tuple(items), name, None, "", score, grid))
    return out


def _first_cell(row: Chunk) -> Cell | None:
    for j in range(1, len(row.cells)):
        n = read_number(row.cells[j])
        if n is not None:
            return Cell(row, j, row.cells[j], n.value, n.percent)
    return None


def _label_cell(row: Chunk) -> Cell | None:
    """A row without a figure (a table of words: "Arms Control | Renew ... talks") counted
    by its label, as one item."""
    label = label_of(row)  # the first cell
    return Cell(row, 0, label, Decimal(1), False) if label else None


def _items(rows: list[Chunk]) -> list[Chunk]:
    """The rows a group lists: those above the first row whose figures sum them, else every
    labelled row that is not a total."""
    labelled = [r for r in rows if label_of(r)]
    for i in range(2, len(rows)):
        if _sums(rows[i], rows[:i]):
            return [r for r in rows[:i] if label_of(r)]
    return [r for r in labelled if not is_total(label_of(r))]


def _sums(total: Chunk, parts: list[Chunk]) -> bool:
    """Whether the figures of `total` are the sums of the figures above it, in most of its
    columns (a column of changes or percentages does not sum)."""
    held = checked = 0
    for j in range(1, len(total.cells)):
        t = read_number(total.cells[j])
        if t is None:
            continue
        values = [read_number(p.cells[j]) if j < len(p.cells) else None for p in parts]
        got = sum((v.value for v in values if v is not None), Decimal(0))
        exponent = t.value.as_tuple().exponent
        unit = Decimal(1).scaleb(exponent if isinstance(exponent, int) else 0)
        checked += 1
        held += abs(got - t.value) <= unit * len(parts) / 2  # each figure rounded by half a unit
    return checked > 0 and held * 2 > checked
