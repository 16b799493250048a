"""Which figures of a table a question computes from.

A question names what the figures are (a row's label, or a column's name) and which of
them to take (the years, or the items, it names). Both are found by aligning each label
with the span of the question's words that matches it best. A reading is one choice: a
line (a row, or a column), the operation the question's remaining words ask for (words
that name a row are not operators: "Total revenue", "Change in fair value"), and its
operands in the order the wording gives. Nothing is guessed: a year the table lacks, or a
figure that is not there, gives no reading.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from qa.answer.grid import Cell, Grid, Line, is_total
from qa.answer.match import PREFIX_MATCH  # stems this long match one they begin (`_same`)
from qa.answer.operators import (
    AVERAGE,
    CHANGE_RATIO,
    COUNT,
    DIFFERENCE,
    LEXICON,
    PERCENT_WORDS,
    RATIO,
    SHARE,
    SUM,
    Asked,
    operation,
    question_words,
)
from qa.text.numbers import years_in
from qa.text.tokens import STOPWORDS, stem

# Words that frame a question about figures rather than name them ("What was the value of
# X in fiscal year 2019?"): a label need not hold them.
FRAME = frozenset(map(stem, str.split(
    "what which how much many was were is are did does do the a an of in for from to by "
    "between and value values amount amounts figure figures number numbers year years "
    "fiscal financial period periods respectively during ended ending end as at on over "
    "company company's its there both all each")))
# How much of a label (weighted by rarity) the question must name for it to count as named.
MIN_LABEL_COVER = 0.5
# The window of question words a label is aligned with may hold this many words it lacks.
SPAN_SLACK = 2
# How well operands count as named when the question leaves them to the table: the two
# latest periods for a change, every period for an average or a sum.
DEFAULT_KEYS = 0.8
# How well the latest period counts as named when a question across rows names none.
DEFAULT_COLUMN = 0.5
_RANGE = re.compile(r"\b((?:19|20)\d\d)\s*(?:-|–|to|through|until)\s*((?:19|20)\d\d)\b")


@dataclass(frozen=True)
class Words:
    """A question's words: each lower-cased word, its stem (None for stopwords), the year
    it names (or None), and the weight of each stem (rarer in the corpus weighs more)."""

    text: str
    words: tuple[str, ...]
    stems: tuple[str | None, ...]
    years: tuple[int | None, ...]
    weight: Mapping[str, float]
    # each label stem met -> the positions of the words it matches (`matching`)
    _matching: dict[str, tuple[int, ...]] = field(default_factory=dict, init=False,
                                                  repr=False, compare=False)

    @classmethod
    def of(cls, text: str, idf: Mapping[str, float] | None = None) -> Words:
        """Read a question."""
        ws = tuple(question_words(text))
        stems = tuple(None if (w in STOPWORDS or (len(w) < 2 and not w.isdigit()) or w == "%")
                      else stem(w) for w in ws)
        years = tuple((ys[0] if re.fullmatch(r"(?:fy|f|cy)?\d{2,4}", w) and (ys := years_in(w))
                       else None) for w in ws)
        rare = max(idf.values(), default=1.0) if idf else 1.0
        weight = {s: (idf.get(s, rare) if idf else 1.0) for s in stems if s}
        return cls(text, ws, stems, years, weight)

    def w(self, s: str) -> float:
        """The weight of a stem (never quite zero)."""
        return max(self.weight.get(s, 1.0), 0.05)

    def matching(self, s: str) -> tuple[int, ...]:
        """The positions of the words whose stem matches the stem `s` (`_same`), read once
        per stem: a question's every reading aligns it with the same labels' stems."""
        got = self._matching.get(s)
        if got is None:
            exact, prefixes = self._stem_index
            if len(s) >= PREFIX_MATCH and s[:PREFIX_MATCH] in prefixes:
                got = tuple(i for i, t in enumerate(self.stems) if t and _same(t, s))
            else:  # no long stem of the question shares its first letters: equal ones only
                got = exact.get(s, ())
            self._matching[s] = got
        return got

    @cached_property
    def _stem_index(self) -> tuple[dict[str, tuple[int, ...]], frozenset[str]]:
        """Each stem's positions, and the first PREFIX_MATCH letters of the long stems."""
        exact: dict[str, list[int]] = {}
        for i, t in enumerate(self.stems):
            if t:
                exact.setdefault(t, []).append(i)
        return ({t: tuple(at) for t, at in exact.items()},
                frozenset(t[:PREFIX_MATCH] for t in exact if len(t) >= PREFIX_MATCH))

    @property
    def everything(self) -> frozenset[int]:
        return frozenset(range(len(self.words)))

    def named_years(self, free: frozenset[int]) -> list[int]:
        """The years the question names at `free` positions, in order of mention, each once."""
        return list(dict.fromkeys(y for i, y in enumerate(self.years) if i in free and y))

    def year_range(self) -> tuple[int, int] | None:
        """A span of years the question names ("from 2017 to 2019", "2017-2019")."""
        m = _RANGE.search(self.text)
        return (int(m.group(1)), int(m.group(2))) if m else None




def _same(a: str, b: str) -> bool:
    """Stems that match: equal, or sharing a long prefix ("histori"/"histor")."""
    return a == b or (len(a) >= PREFIX_MATCH and len(b) >= PREFIX_MATCH
                      and (a.startswith(b) or b.startswith(a)))


@dataclass(frozen=True)
class Span:
    """Where a label stands in the question: the positions that name it, and how much of
    the label (weighted) they cover."""

    positions: frozenset[int]
    cover: float
    mass: float = 0.0  # the weight of the question's words it names

    @property
    def start(self) -> int:
        """The first position (far away when none)."""
        return min(self.positions) if self.positions else 10**6


NO_SPAN = Span(frozenset(), 0.0)


def label_stems(label: str) -> list[str]:
    """The stems of a label that can be named (no stopwords, no note marks "(1)")."""
    return list(_label_form(label)[0])


@lru_cache(maxsize=1 << 14)
def _label_form(label: str) -> tuple[tuple[str, ...], int]:
    """A label's stems that can be named, and how many words it has (its function words
    included), read once per label: every line of every reading aligns its labels."""
    words = question_words(re.sub(r"\(\d{1,2}\)|\(\w\)$", " ", label))
    return tuple(stem(w) for w in words
                 if w not in STOPWORDS and (len(w) > 1 or w.isdigit()) and w != "%"), len(words)


def align(label: str, q: Words, free: frozenset[int] | None = None) -> Span:
    """The window of the question's words (among `free` positions) that names the label
    best: the share of the label's (weighted) stems it holds, over windows no longer than
    the label plus SPAN_SLACK words."""
    named, size = _label_form(label)
    stems = list(dict.fromkeys(named))
    if not stems:
        return NO_SPAN
    total = sum(q.w(s) for s in stems)
    # the label's words, its function words included: a question may quote it whole
    width = size + SPAN_SLACK
    allowed = free if free is not None else q.everything
    hits: dict[int, str] = {}  # each position -> the last of the label's stems it matches
    for s in stems:
        for i in q.matching(s):
            if i in allowed:
                hits[i] = s
    best = NO_SPAN
    order = sorted(hits)
    for a_i, a in enumerate(order):
        got: dict[str, int] = {}
        for b in order[a_i:]:
            if b - a + 1 > width:
                break
            got.setdefault(hits[b], b)
            mass = sum(q.w(s) for s in got)
            cover = mass / total
            # the better cover; at equal cover the tighter window ("total fees" after
            # "audit fees": not the first "fees" with the later "total")
            if cover > best.cover + 1e-9 or (cover > best.cover - 1e-9 and best.positions
                                             and b - a < _extent(best)):
                best = Span(frozenset(got.values()), cover, mass)
    return best


def _extent(span: Span) -> int:
    return max(span.positions) - min(span.positions)


@dataclass(frozen=True)
class Reading:
    """One way to compute the answer: the operation, its operands in order, what each one
    is (its key: a year or an item), the line and table read, and how well the question
    names them (the score, higher is better)."""

    op: str
    percent: bool
    operands: tuple[Cell, ...]
    keys: tuple[str, ...]
    line: Line
    grid: Grid
    score: float
    timed: bool = False  # a change from an earlier operand to a later one (the first)
    named: frozenset[int] = frozenset()  # the question's words that name line and operands


# --- naming a line and its keys -----------------------------------------------------------


def line_span(line: Line, q: Words, latest: int | None) -> Span:
    """How the question names a line: a row by its label (its group helping), a column by
    its name (its year and words). The table's latest period stands for a column the
    question leaves unnamed."""
    if line.across:
        # a row without a label is its table's total (see grid.is_total): "the total" names it
        span = align(line.label or "Total", q)
        if line.group:
            rest = q.everything - span.positions
            group = align(line.group, q, rest)
            if group.cover >= MIN_LABEL_COVER:
                span = Span(span.positions | group.positions,
                            min(1.0, span.cover + 0.1 * group.cover), span.mass + group.mass)
        return span
    years = set(years_in(line.label))
    no_year = frozenset(i for i, y in enumerate(q.years) if y is None)
    if len(years) == 1:
        at = frozenset(i for i, y in enumerate(q.years) if y in years)
        words = align(re.sub(r"(?:19|20)\d\d", " ", line.label), q, no_year)
        if at:
            return Span(at | words.positions, 1.0)
        if latest in years and not q.named_years(q.everything):
            return Span(words.positions, max(DEFAULT_COLUMN, words.cover))
        return NO_SPAN
    return align(line.label, q, no_year)


def key_spans(line: Line, q: Words, free: frozenset[int]) -> list[tuple[Span, Span]]:
    """For each key of a line: how the question names its year, and its other words."""
    no_year = frozenset(i for i in free if q.years[i] is None)
    out = []
    for k, key in enumerate(line.keys):
        year = line.periods[k]
        at = frozenset(i for i in free if year is not None and q.years[i] == year)
        words = align(re.sub(r"(?:19|20)\d\d", " ", key), q, no_year)
        if all(q.words[i] in PERCENT_WORDS for i in words.positions):
            words = NO_SPAN  # "percentage" alone names no column ("ROFE (%)"): it asks a unit
        out.append((Span(at, 1.0) if at else NO_SPAN, words))
    return out


def _amount_first(line: Line, ks: Sequence[int], spans: list[tuple[Span, Span]]) -> int:
    """Of keys naming the same year, the one the question's words name best, then one that
    holds an amount rather than a percentage, then the first."""
    return max(ks, key=lambda k: (round(spans[k][1].cover, 3), not line.cells[k].percent, -k))


def periods(line: Line, spans: list[tuple[Span, Span]]) -> list[int]:
    """The keys of a line that are periods, one per year, latest first."""
    years = sorted({y for y in line.periods if y is not None}, reverse=True)
    return [_amount_first(line, [k for k, y in enumerate(line.periods) if y == year], spans)
            for year in years]


def _disjoint(ks: list[int], spans: list[tuple[Span, Span]]) -> list[int]:
    """Keys named by words whose spans do not overlap, the better named first."""
    kept: list[int] = []
    taken: set[int] = set()
    for k in sorted(ks, key=lambda k: (-round(spans[k][1].cover, 6), -spans[k][1].mass)):
        if spans[k][1].positions & taken:
            continue
        kept.append(k)
        taken |= spans[k][1].positions
    return kept


def _modifiers(line: Line, ks: list[int], spans: list[tuple[Span, Span]]) -> list[int]:
    """Keys less a bare total ("Total") whose naming words all stand just before another
    key's: in "total financing obligations" the word qualifies the key that follows, it
    does not name the Total column (or row) as well."""
    def bare(k: int) -> bool:
        return is_total(line.keys[k]) and len(label_stems(line.keys[k])) <= 1

    others = {k: frozenset().union(*(spans[j][1].positions for j in ks if j != k)) for k in ks}
    return [k for k in ks if not (bare(k) and spans[k][1].positions and all(
        i + 1 in others[k] for i in spans[k][1].positions))]


@dataclass(frozen=True)
class _Choice:
    keys: list[int]
    named: float  # 1.0 when the question names every operand


def _choose(line: Line, q: Words, asked: Asked, free: frozenset[int],
            context: str, named_by_words: bool) -> _Choice | None:
    """The keys (operands) of a line that the operation reads; None when the question
    names a year the line lacks, or the operation needs operands it does not name.
    `named_by_words`: the question names the line by words, not only by a year."""
    spans = key_spans(line, q, free)
    years = q.named_years(free)
    have = {y for y in line.periods if y is not None}
    rng = q.year_range()
    if asked.op in (AVERAGE, SUM) and rng and have:
        years = [y for y in sorted(have, reverse=True) if rng[0] <= y <= rng[1]] or years
    if have and years and not set(years) <= have:
        return None  # a year the table lacks: nothing to compute from
    if years and not have and not all(str(y) in context for y in years) and \
            years_in(context):
        return None  # the years are another line's (a table without years cannot say)
    by_words = [k for k in range(len(line.keys))
                if spans[k][1].cover >= MIN_LABEL_COVER
                and (line.periods[k] in years if years and have and line.periods[k] else True)]
    by_words = _modifiers(line, _disjoint(by_words, spans), spans)
    by_year = [_amount_first(line, [k for k, y in enumerate(line.periods) if y == year], spans)
               for year in years] if have else []
    op = asked.op
    if op == SHARE and len(by_words) > 2:  # several parts of a whole, each named in full
        whole = by_words[:2] if len([k for k in by_words if spans[k][1].cover >= 0.99]) < 2 \
            else [k for k in by_words if spans[k][1].cover >= 0.99 or is_total(line.keys[k])]
        by_words = whole
    if op == SHARE and len(by_words) == 1 and not line.across and not by_year:
        whole = _total_of(line, q, by_words[0])
        if whole is not None:  # "the share of X in the total": the column's total row
            return _Choice([by_words[0], whole], DEFAULT_KEYS)
    want_two = op in (DIFFERENCE, CHANGE_RATIO, RATIO) or (op == SHARE and len(by_words) < 3)
    if len(by_year) >= 2:
        return _Choice(by_year[:2] if want_two or op == SHARE else by_year, 1.0)
    if len(by_words) >= 2:  # a share of several parts ("A and B over the total") sums them
        return _Choice(sorted(by_words[:2] if want_two else by_words), 1.0)
    if not line.across and asked.op in (AVERAGE, SUM) and not by_year:
        rows = group_rows(line, q, free)
        best = max((spans[k][1].cover for k in rows), default=0.0)
        tied = [k for k in rows if spans[k][1].cover == best]  # rows the same words name
        if best >= MIN_LABEL_COVER and len(tied) >= 2:
            return _Choice(tied, DEFAULT_KEYS)
        items = [k for k in rows if line.keys[k] and not is_total(line.keys[k])]
        if best < MIN_LABEL_COVER and named_by_words and len(items) >= 2:
            return _Choice(items, DEFAULT_KEYS)  # every item of the column (or its group)
    timeline = periods(line, spans)
    if len(by_year) == 1 and line.across and op in (DIFFERENCE, CHANGE_RATIO, AVERAGE):
        # "the change in 2019", "the average balance in 2019": from the period before
        i = timeline.index(by_year[0])
        return _Choice(timeline[i:i + 2], DEFAULT_KEYS) if i + 1 < len(timeline) else None
    if by_year or not line.across or len(timeline) < 2:
        return None
    if op in (DIFFERENCE, CHANGE_RATIO):
        return _Choice(timeline[:2], DEFAULT_KEYS)
    if op in (AVERAGE, SUM):
        return _Choice(timeline, DEFAULT_KEYS)
    return None


def _total_of(line: Line, q: Words, part: int) -> int | None:
    """The total row of a column that a share's question asks for by a word of totals
    ("... among the total accrued liabilities"), when it names no whole by its label: the
    last total below the part (a grand total follows its subtotals); None without one."""
    if not any(is_total(w) for w in q.words):
        return None
    below = [k for k in range(part + 1, len(line.keys)) if is_total(line.keys[k])]
    return below[-1] if below else None


def group_rows(line: Line, q: Words, free: frozenset[int]) -> list[int]:
    """The keys of a column whose rows stand in the row group the question names ("as at
    31 December 2019", "deferred tax assets"); all of them when it names none."""
    groups: dict[str, list[int]] = {}
    for k, c in enumerate(line.cells):
        groups.setdefault(c.chunk.group.rstrip(": "), []).append(k)
    named = {g: align(g, q, free).cover for g in groups if g}
    best = max(named, key=lambda g: named[g], default="")
    if best and named[best] >= MIN_LABEL_COVER:
        return groups[best]
    return list(range(len(line.keys)))


def _ordered(line: Line, ks: list[int], q: Words, free: frozenset[int], asked: Asked) -> list[int]:
    """Operands in the order the wording gives: for a change, the later one first (by the
    times their names give); for a difference that asks how far apart, the larger first;
    a share's denominator is the whole (a total); otherwise the order of mention."""
    cells = line.cells
    if asked.op in (AVERAGE, SUM):
        return sorted(ks)  # as the table has them
    if asked.op == DIFFERENCE and asked.distance:
        return sorted(ks, key=lambda k: -cells[k].value)
    times = [line.times[k] for k in ks]
    if asked.op in (DIFFERENCE, CHANGE_RATIO) and all(times) and len(set(times)) == len(ks):
        return sorted(ks, key=lambda k: line.times[k] or (0, 0, 0), reverse=True)
    spans = key_spans(line, q, free)
    ks = sorted(ks, key=lambda k: (spans[k][1].start, spans[k][0].start, k))
    if asked.op == SHARE and not all(times):  # the whole is the larger (a part is within it)
        whole = max(ks, key=lambda k: (is_total(line.keys[k]), abs(cells[k].value)))
        return [k for k in ks if k != whole] + [whole]
    return ks


def explained(q: Words, used: frozenset[int], context: set[str],
               cues: tuple[int, ...] = ()) -> float:
    """The weighted share of the question's words that the reading accounts for: its line
    and keys name them, the operation's cue words ask for it, or the table's caption and
    header hold them (`context`). Frames and years do not count."""
    naming = [i for i, s in enumerate(q.stems) if s and s not in FRAME and q.years[i] is None
              and i not in cues]
    total = sum(q.w(q.stems[i]) for i in naming)
    got = sum(q.w(q.stems[i]) for i in naming
              if i in used or any(_same(q.stems[i], s) for s in context))
    return got / total if total else 1.0


def _context(grid: Grid) -> tuple[str, set[str]]:
    first = grid.rows[0]
    text = " ".join((first.caption, first.section, first.header[0] if first.header else ""))
    return text, set(label_stems(text))


def readings(text: str, grids: Sequence[Grid], idf: Mapping[str, float] | None = None,
             prior: Mapping[str, float] | None = None) -> list[Reading]:
    """Every reading of the question over the tables, best first. `prior` gives a row
    chunk's retrieval score, which breaks ties between lines named equally well."""
    q = Words.of(text, idf)
    out: list[Reading] = []
    stated = [(line, line_span(line, q, None)) for grid in grids for line in grid.row_lines]
    for grid in grids:
        if not grid.rows:
            continue
        context, context_stems = _context(grid)
        years = [y for line in grid.row_lines for y in line.periods if y]
        latest = max(years) if years else None
        for line in grid.lines:
            reading = _read(line, grid, q, latest, context, context_stems, prior)
            if reading is not None and not _stated(reading, q, stated):
                out.append(reading)
    out.sort(key=lambda r: -r.score)
    return out



def _stated(reading: Reading, q: Words, rows: Sequence[tuple[Line, Span]]) -> bool:
    """Whether a row states what the reading would compute: its label holds the words
    that ask for the operation and every word that names the reading's figures ("Net
    decrease in cash" asked of a table with that row and a row of cash balances)."""
    asked = operation(q.text)
    if asked is None:
        return False
    need = set(asked.cues) | {i for i in reading.named if q.years[i] is None}
    # compared by the words, not their places: a repeated word ("cash and cash
    # equivalents") may name the row at one place and the reading's line at the other
    words = {q.stems[i] or q.words[i] for i in need}
    return any(words <= {q.stems[i] or q.words[i] for i in s.positions}
               and s.cover >= MIN_LABEL_COVER and line is not reading.line  # not its own
               for line, s in rows)


def _asked(q: Words, ignore: frozenset[int]) -> Asked | None:
    """The operation the question's words outside `ignore` ask for; a sum when a word of
    a total that names the line ("Total cost of revenue") is the only operation word and
    the question names several years ("from 2017 to 2019", "in 2019 and 2018"): the
    line's total over them (one year is a look-up: "What was the total revenue in 2019?")."""
    asked = operation(q.text, ignore=ignore)
    if asked is not None:
        return asked
    whole = operation(q.text)
    years = q.year_range() or len(q.named_years(q.everything)) >= 2
    if whole is not None and whole.op == SUM and years:
        return whole
    return None


def _read(line: Line, grid: Grid, q: Words, latest: int | None, context: str,
          context_stems: set[str], prior: Mapping[str, float] | None) -> Reading | None:
    """The reading of one line, if the question names it and asks for an operation its
    figures can give."""
    span = line_span(line, q, latest)
    if span.cover < MIN_LABEL_COVER:
        return None
    asked = _asked(q, span.positions)
    free = q.everything - span.positions
    groups = " ".join(dict.fromkeys(c.chunk.group for c in line.cells))
    where = f"{context} {line.group} {line.label} {groups}"
    for _ in range(2):  # the keys chosen may name words read as operators: ask again
        if asked is None or asked.op == COUNT:
            return None
        by_words = any(q.years[i] is None and q.words[i] not in LEXICON
                       and q.stems[i] not in FRAME for i in span.positions)
        choice = _choose(line, q, asked, free, where, by_words)
        if choice is None:
            return None
        spans = key_spans(line, q, free)
        keys = frozenset().union(*(spans[k][1].positions for k in choice.keys))
        again = _asked(q, span.positions | keys)
        if again == asked:
            break
        asked = again
    else:
        return None
    ks = _ordered(line, choice.keys, q, free, asked)
    used = span.positions.union(*(spans[k][0].positions | spans[k][1].positions for k in ks))
    tie = 0.0
    if prior:
        tie = 0.01 * max((prior.get(c.chunk.id, 0.0) for c in line.cells), default=0.0)
    score = (min(span.cover, 1.0) + choice.named + explained(q, used, set(), asked.cues)
             + explained(q, used, context_stems, asked.cues)) / 4 + tie
    times = [line.times[k] for k in ks]
    timed = (asked.op in (DIFFERENCE, CHANGE_RATIO) and not asked.distance and all(times)
             and len(set(times)) == len(ks))
    return Reading(asked.op, asked.percent, tuple(line.cells[k] for k in ks),
                   tuple(line.keys[k] for k in ks), line, grid, score, timed, used)
