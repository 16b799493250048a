"""Table strategies that answer from a table as a whole: the periods (columns) it covers,
the items (row labels) it lists, what it shows (its caption), and which item or period
has the largest or smallest value (superlatives and comparisons)."""

from __future__ import annotations

from collections.abc import Sequence

from qa.answer.match import coverage, words_of
from qa.answer.question import COMPARATIVES, SUPERLATIVES, Question
from qa.answer.strategies.cells import own_word
from qa.answer.tables import (
    PERIOD,
    UNLABELLED,
    RowReading,
    has_label,
    is_total,
    label,
    label_at,
    value,
)
from qa.answer.types import Candidate, Claim, CorpusView, Evidence
from qa.chunk import Chunk
from qa.text.numbers import is_number
from qa.text.tokens import words

# How many of the retrieved tables (the best first) are read as a whole.
TABLES = 2
# A table listed item by item is read out only up to this many rows (a longer one is no
# answer a reader can take in).
MAX_ITEMS = 12
# Nouns of the columns that name periods (`PERIOD`): "which years" asks for them, the
# one semantic type the table strategies know, since table columns are so often periods.
PERIOD_NOUNS = frozenset(words_of("year years period periods quarter quarters date dates"))
# The noun a question names a table by ("the items listed in the table").
TABLE_NOUN = next(iter(words_of("table")))


def _tables(question: Question) -> list[tuple[RowReading, list[Chunk]]]:
    """The retrieved tables, each with its best-read row, best first: the table whose
    caption, section heading or column names hold the most of the question's topic words
    ("the ridership table": the table under "Ridership"), then the best retrieved."""
    seen: dict[tuple[str, int | None], RowReading] = {}
    for r in question.rows:
        key = (r.chunk.doc, r.chunk.table)
        seen.setdefault(key, r)

    topic = question.topic - {TABLE_NOUN}  # "the table" names no table of several

    def named(r: RowReading) -> int:
        return len(topic & words_of(description([r.chunk])))

    return [(r, []) for r in sorted(seen.values(), key=lambda r: -named(r))]


def _period_columns(c: Chunk) -> list[int]:
    at = label_at(c)
    return [j for j, h in enumerate(c.header) if j != at and h and PERIOD.search(h.strip())]


def _asks_period(question: Question) -> float:
    """1 when the question's asked-for noun is a period ("which years"), -1 when it is
    some other noun ("which items", "what components"), 0 when it has none ("what")."""
    hq = words_of(" ".join(question.head))
    return 0.0 if not hq else 1.0 if hq & PERIOD_NOUNS else -1.0


def _head_features(question: Question, c: Chunk) -> dict[str, float]:
    """How the question's asked-for noun (its wh-phrase or subject) meets the table's
    items: the label column's header, the row group, the caption."""
    head = " ".join(question.head)
    hq = words_of(head)
    at = label_at(c)
    lab_header = c.header[at] if at < len(c.header) else ""
    return {"head_label_header": coverage(hq, lab_header) if hq else 0.0,
            "head_group": coverage(words_of(c.group), head) if c.group and hq else 0.0,
            "head_caption": coverage(words_of(c.caption), head) if c.caption and hq else 0.0}


def holds_stated(question: Question, c: Chunk) -> bool:
    """Whether a row has a cell besides its label that the question states whole: a
    number it writes ("2024"), or words it holds every one of ("Human Resources")."""
    at = label_at(c)
    for j, cell in enumerate(c.cells):
        if j == at or not cell.strip():
            continue
        if is_number(cell):
            if cell.strip() in question.numbers:
                return True
        elif words_of(cell) and coverage(question.words, cell) == 1.0:
            return True
    return False


def description(table: Sequence[Chunk]) -> str:
    """The words a table describes itself with: its caption, the heading of the section it
    stands in ("Ridership"), its column names, its row groups and the labels of the rows
    that sum the others ("Total revenue" says the items above it are revenue)."""
    parts: list[str] = []
    for c in table:
        parts += [c.caption, c.section, c.group, *c.header,
                  label(c) if is_total(c) else ""]
    return " ".join(dict.fromkeys(p for p in parts if p))


def asks_of_table(question: Question, table: Sequence[Chunk]) -> bool:
    """Whether the question asks about the table as such: every word of its topic beyond
    what it asks for (its wh-phrase) and the word "table" is one the table describes
    itself with (`description`), and it names none of the items whole ("What are the
    respective dividend yield ..." asks for the Dividend yield row): "What are the
    financial items listed in the table?", "What are the segments of revenue?" over a
    "Total revenue" row, "What does the table show?". Then the table's own reading (its
    items, periods or caption) answers: the table states it as a whole, not in one
    sentence the support check could read."""
    rest = question.topic - words_of(" ".join(question.head)) - {TABLE_NOUN}
    if rest - words_of(description(table)):
        return False
    return not any(has_label(c) and not is_total(c) and coverage(question.words, label(c)) >= 1.0
                   for c in table)


class WholeTable:
    """What a table covers as a whole: its periods, its items, or its caption."""

    name = "table"

    def propose(self, question: Question, evidence: Sequence[Evidence],
                corpus: CorpusView) -> list[Candidate]:
        """For list, summary and count questions: the periods, the items (within a row
        group the question names) and the caption of each of the best retrieved tables."""
        if not question.rows:
            return []
        wants = question.is_list or question.ask == "count" or "tabl" in question.words
        # a plural question that names a row group asks for its items whatever its form
        # ("What items does X consist of?", read as a comparison when X is "amounts due
        # after more than one year"): only the items of a named group are proposed to it
        if not (wants or question.plural):
            return []
        out: list[Candidate] = []
        for best, _ in _tables(question)[:TABLES]:
            out += self._of_table(question, best, corpus, wants)
        return out

    def _of_table(self, question: Question, best: RowReading, corpus: CorpusView,
                  wants: bool = True) -> list[Candidate]:
        top = best.chunk
        score = best.evidence.hit.score
        q_table = float("tabl" in question.words)
        out: list[Candidate] = []
        periods = _period_columns(top)
        asks = _asks_period(question)
        table = corpus.table_of(top) or [r.chunk for r in question.rows
                                         if (r.chunk.doc, r.chunk.table) == (top.doc, top.table)]
        # the table's own reading, which the engine takes without a sentence's support
        read = {"table_reading": 1.0} if wants and asks_of_table(question, table) else {}
        if len(periods) >= 2 and wants:
            names = ", ".join(dict.fromkeys(top.header[j] for j in periods))
            out.append(Candidate(self.name + ":periods",
                                 (Claim(f"The table gives figures for {names}", top, score,
                                        tuple(periods)),),
                                 0.0, features={**read, "head_period": float(asks > 0),
                                     "head_other": float(asks < 0),
                                     "q_table": q_table, "items": len(periods) / MAX_ITEMS}))
        # the row group the question names: the best named of those it half names (two
        # groups may share most words: "due within one year", "due after one year")
        named = {c.group: coverage(question.words, c.group) for c in table if c.group}
        most = max(named.values(), default=0.0)
        groups = {g for g, m in named.items() if m >= 0.5 and m == most}
        members = [c for c in table if (c.group in groups if groups else True)
                   and has_label(c) and not is_total(c)]
        if 2 <= len(members) <= MAX_ITEMS and (wants or groups):
            # "Which programs start in 2024?": the items whose cells hold what the
            # question states, when some do and others do not
            held = [c for c in members if holds_stated(question, c)]
            if held and len(held) < len(members):
                members = held
            same = [r for r in question.rows
                    if (r.chunk.doc, r.chunk.table) == (top.doc, top.table)]
            claims = tuple(Claim(label(c), c, score, (label_at(c),)) for c in members)
            columns = named_columns(same, members)
            said = tuple(item(c, columns, score) for c in members) if columns else ()
            out.append(Candidate(self.name + ":items", claims, 0.0,
                                 features={**read, **_head_features(question, top),
                                           "q_table": q_table,
                                           "items": len(members) / MAX_ITEMS,
                                           "group_named": float(bool(groups)),
                                           "columns_named": max(r.column_match for r in same),
                                           "row_named": max(r.label_match for r in same),
                                           # "the components of total revenue": the row
                                           # it names sums the items listed
                                           "total_named": max((r.label_match for r in same
                                                               if is_total(r.chunk)),
                                                              default=0.0)},
                                 said=said))
        if top.caption and q_table and wants:
            out.append(Candidate(self.name + ":caption",
                                 (Claim(f"The table shows: {top.caption.rstrip(':')}", top,
                                        score, (), shown=shows(top.caption)),), 0.0,
                                 features={**read, "q_table": q_table, "head_caption":
                                           _head_features(question, top)["head_caption"]}))
        return out


def shows(caption: str) -> str:
    """What a table shows, as a claim on its caption: the caption as written when it holds
    the sentence the source introduced the table with (the chunker takes one that ends
    with a colon, `qa.parse`; or a long one, cut "…"), which says so itself ("The
    following table summarizes ...", "Inventories consisted of the following:"): "The
    table shows:" before it would say it twice. A caption of header notes alone after that
    frame ("The table shows: (Dollars in millions)"). What the answer writes: the ranker
    and the support check read the claim with its frame, as their weights were fitted
    (`Claim.shown`)."""
    text = caption.rstrip(":")
    return text if ":" in caption or caption.endswith("…") else f"The table shows: {text}"


def named_columns(rows: Sequence[RowReading], members: Sequence[Chunk]) -> tuple[int, ...]:
    """The columns of words the question names (their best header match over the table's
    read rows): "What are the short-term effects?" asks for each item's short-term effect,
    not for the items alone. A column of figures is not read out beside a list of items
    (which items a table lists is asked of its labels; a figure for each is a comparison
    or several named rows, which other strategies answer)."""
    best = max(rows, key=lambda r: r.column_match, default=None)
    if best is None or not best.column_match:
        return ()
    return tuple(j for j in best.columns
                 if all(j < len(c.cells) and c.cells[j] and not is_number(c.cells[j])
                        for c in members))


def item(c: Chunk, columns: Sequence[int], score: float) -> Claim:
    """A listed item: its label, with its cells of the `columns` the question names
    ("Diplomatic Engagement: Reduced trust in negotiations")."""
    at = label_at(c)
    cells = [c.cells[j] for j in columns if j != at and j < len(c.cells) and c.cells[j]]
    text = f"{label(c)}: {'; '.join(cells)}" if cells else label(c)
    return Claim(text, c, score, (at, *(j for j in columns if j < len(c.cells) and c.cells[j])))


def _graded_by_name(question: Question) -> bool:
    """Whether every comparative or superlative word of the question is one the retrieved
    rows write in their labels or groups: it names an item ("Amounts falling due after
    more than one year"), it compares nothing."""
    graded = {w for w in words(question.text) if w in COMPARATIVES or w in SUPERLATIVES}
    named: set[str] = set()
    for r in question.rows:
        named |= set(words(f"{label(r.chunk)} {r.chunk.group}"))
    return bool(graded) and graded <= named


class Extremes:
    """Which item (row) or which period (column) has the largest or smallest value, for a
    question with a superlative or comparative ("Which route had the most trips in
    2023?", "In which year were sales larger?")."""

    name = "extreme"

    def propose(self, question: Question, evidence: Sequence[Evidence],
                corpus: CorpusView) -> list[Candidate]:
        """Across the rows of the best tables in the column the question names, and
        across the columns of each row it names."""
        if not question.direction or not question.rows or _graded_by_name(question):
            return []
        pick = max if question.direction > 0 else min
        out: list[Candidate] = []
        asks = _asks_period(question)
        for best, _ in _tables(question)[:2]:
            out += self._across_rows(question, best, corpus, pick, asks)
        for r in sorted((r for r in question.rows if r.names_row),
                        key=lambda r: (-r.label_match, r.rank))[:2]:
            out += self._across_columns(r, pick, asks, question.place)
        return out

    def _across_rows(self, question: Question, best: RowReading, corpus: CorpusView,
                     pick, asks: float) -> list[Candidate]:
        c = best.chunk
        at = label_at(c)
        table = [t for t in (corpus.table_of(c) or [c]) if has_label(t) and not is_total(t)]
        # the items the question names of this table: by a word of their own (a word all
        # the rows share, "expenses" of "Pension expenses" and "Restructuring expenses",
        # names the table, not them) and no total (it sums the items, it is none of them)
        named = [r for r in question.rows if r.label_match >= 0.5
                 and (r.chunk.doc, r.chunk.table) == (c.doc, c.table)
                 and has_label(r.chunk) and not is_total(r.chunk)
                 and own_word(r, question, corpus)]
        if len(named) >= 2:  # "Which was larger, X or Y?": among the rows it names
            table = [r.chunk for r in named]
        numeric = [j for j in range(len(c.header)) if j != at
                   and any(value(t.cells[j]) is not None for t in table if j < len(t.cells))]
        named_cols = [(coverage(question.words, c.header[j]), j) for j in numeric if c.header[j]]
        match, j = max(named_cols, default=(0.0, None))
        if j is None or match == 0:
            if len(numeric) != 1:
                return []
            match, j = 0.0, numeric[0]
        values = [(v, t) for t in table
                  if j < len(t.cells) and (v := value(t.cells[j])) is not None]
        if len(values) < 2:
            return []
        # "the second highest": the item at that place, largest (or smallest) first
        if question.place > len(values):
            return []
        _, row = sorted(values, key=lambda vt: vt[0], reverse=pick is max)[question.place - 1]
        claim = Claim(f"{label(row)} ({row.header[j] or 'value'}: {row.cells[j]})", row,
                      best.evidence.hit.score, (label_at(row), j))
        # "Which route ... in 2021?": the question names what the table lists (its label
        # column's header) and the column compared, so the claim is the table's own reading
        kind = c.header[at] if at < len(c.header) else ""
        read = float(match >= 1.0 and bool(kind)
                     and coverage(words_of(" ".join(question.head)), kind) >= 1.0)
        return [Candidate(self.name + ":rows", (claim,), 0.0,
                          features={"column_match": match, "values": min(len(values), 12) / 12,
                                    "among_named": float(len(named) >= 2),
                                    "head_other": float(asks < 0), "table_reading": read})]

    def _across_columns(self, r: RowReading, pick, asks: float,
                        place: int = 1) -> list[Candidate]:
        c = r.chunk
        at = label_at(c)
        cols = _period_columns(c) or [j for j in range(len(c.cells)) if j != at and c.header[j]]
        values = [(v, j) for j in cols if j < len(c.cells) and (v := value(c.cells[j])) is not None]
        if len(values) < max(2, place):
            return []
        _, j = sorted(values, key=lambda vj: vj[0], reverse=pick is max)[place - 1]
        shown = "; ".join(f"{c.header[k]}: {c.cells[k]}" for _, k in values)
        claim = Claim(f"{c.header[j]} ({c.cells[at] or UNLABELLED}: {shown})", c,
                      r.evidence.hit.score, (at, j))
        return [Candidate(self.name + ":columns", (claim,), 0.0,
                          features={"label_match": r.label_match,
                                    "values": min(len(values), 12) / 12,
                                    "periods": float(bool(_period_columns(c))),
                                    # "in which year ...": the columns compared are
                                    # what it asks for, when they are periods
                                    "head_period": float(asks > 0 and bool(_period_columns(c))),
                                    "head_other": float(asks < 0)})]
