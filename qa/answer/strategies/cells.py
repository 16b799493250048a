"""Table strategies that answer from the rows a question names: the cell of a named row,
several named rows, and a row found by one of its values (reverse look-up)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from qa.answer.match import coverage, words_of
from qa.answer.question import ORDINALS, Question
from qa.answer.tables import (
    RowReading,
    cell_claim,
    earlier_twin,
    has_label,
    is_total,
    label,
    read_row,
    reverse_claim,
)
from qa.answer.types import Candidate, CorpusView, Evidence
from qa.retrieve import Hit

# How many readings of each kind become candidates (the best by how well the question names
# them): more only add near-duplicates for the ranker to sort out.
MAX_ROWS = 4
# Share of a row's label words the question holds for the row to count as named among
# several even without a word only its label has.
NAMED = 0.5


def _row_features(r: RowReading) -> dict[str, float]:
    return {"label_match": r.label_match, "label_words": min(r.label_words, 4) / 4,
            "column_match": r.column_match, "columns_named": float(bool(r.columns)),
            "asks_label": float(r.asks_label)}


def _superseded(r: RowReading, question: Question, corpus: CorpusView) -> bool:
    """A row of an earlier period group when the question names no year (`earlier_twin`)."""
    return not question.years and earlier_twin(r.chunk, corpus.table_of(r.chunk))


class TableCell:
    """The cells a question asks for of a row it names by its label ("What is the
    regional impact of the military aspect?"); every cell when it names no column."""

    name = "cell"

    def propose(self, question: Question, evidence: Sequence[Evidence],
                corpus: CorpusView) -> list[Candidate]:
        """One candidate per named row (the best few)."""
        # a superlative asks for the largest of the items; a total sums them and is none
        rows = sorted((r for r in question.rows if r.names_row
                       and not (question.superlative and is_total(r.chunk))
                       and not _superseded(r, question, corpus)),
                      key=lambda r: (-(r.label_match + r.column_match), r.rank))[:MAX_ROWS]
        out = []
        for r in rows:
            f = _row_features(r)
            f["rows_left"] = rows_left(r, question, corpus)
            out.append(Candidate(self.name, (cell_claim(r.chunk, r.columns, r.evidence.hit.score),),
                                 0.0, features=f))
            if question.ask == "yesno" and r.reverse is not None and r.reverse not in r.columns:
                # the cell a yes/no question paraphrases to have it confirmed ("Does the
                # economic aspect put pressure on South Korea?": Regional Impact, "pressures
                # South Korea & Japan"); to any other question it would only say it back
                claim = cell_claim(r.chunk, (r.reverse,), r.evidence.hit.score)
                out.append(Candidate(self.name + ":value", (claim,), 0.0,
                                     features={**_row_features(r), "value_match": r.value_match}))
        return out


def rows_left(r: RowReading, question: Question, corpus: CorpusView) -> float:
    """The share of the rows of `r`'s table that the question names distinctively which an
    answer of row `r` alone leaves out ("How do the economic and military aspects differ
    in regional impact?": one of two); 0 when it names no other."""
    c = r.chunk
    named = {x.chunk.id for x in question.rows
             if (x.chunk.doc, x.chunk.table) == (c.doc, c.table) and x.names_row
             and distinctive(x, question, corpus)} | {c.id}
    return (len(named) - 1) / len(named)


def distinctive(r: RowReading, question: Question, corpus: CorpusView) -> bool:
    """Whether the question names the row by a word of its label that no other row of
    its table has ("Huawei" of 'Huawei Technologies Co., Ltd. ("Huawei")'), or by most
    of its label (its row group does not name it: "the items under Assets" names none)."""
    if r.label_words == 0:
        return False
    return coverage(question.words, label(r.chunk)) >= NAMED or own_word(r, question, corpus)


def own_word(r: RowReading, question: Question, corpus: CorpusView) -> bool:
    """Whether the question holds a word of the row's label that no other row of its
    table has in its label."""
    others: set[str] = set()
    for c in corpus.table_of(r.chunk):
        if c.id != r.chunk.id:
            others |= words_of(label(c))
    return bool((words_of(label(r.chunk)) & question.words) - others)


class NamedRows:
    """Several rows of one table that the question names ("What are the expected outcomes
    of arms control and of cybersecurity?"), each with the columns asked for."""

    name = "rows"

    def propose(self, question: Question, evidence: Sequence[Evidence],
                corpus: CorpusView) -> list[Candidate]:
        """At most one candidate: the named rows of the best-named row's table."""
        named = sorted((r for r in question.rows if r.names_row
                        and not _superseded(r, question, corpus)
                        and distinctive(r, question, corpus)),
                       key=lambda r: (-(r.label_match + r.column_match), r.rank))
        if len(named) < 2:
            return []
        first = named[0].chunk
        seen = {r.chunk.id for r in named}
        for c in corpus.table_of(first):  # rows it names that retrieval did not bring
            if c.id not in seen:
                r = read_row(question, Evidence(Hit(c, 0.0, 0.0, 0.0), ()), len(evidence))
                if (r.names_row and distinctive(r, question, corpus)
                        and not _superseded(r, question, corpus)):
                    named.append(r)
        chosen: list[RowReading] = []
        for r in named:
            c = r.chunk
            if (c.doc, c.table) != (first.doc, first.table) or len(chosen) == MAX_ROWS:
                continue
            w = words_of(label(c))
            if any(w <= words_of(label(x.chunk)) or words_of(label(x.chunk)) <= w
                   for x in chosen):
                continue  # "Net debt" inside "Net debt to EBITDA": one of them is meant
            chosen.append(r)
        if len(chosen) < 2:
            return []
        chosen.sort(key=lambda r: r.chunk.row or 0)
        columns = _common_columns(chosen)
        claims = tuple(cell_claim(r.chunk, columns, r.evidence.hit.score) for r in chosen)
        f: dict[str, Any] = _row_features(chosen[0])
        f["label_match"] = min(r.label_match for r in chosen)
        f["rows_named"] = len(chosen) / MAX_ROWS
        # the rows stand in the table's order, but retrieval placed the answer as well as
        # its best-placed row (the generic measures read the first claim's)
        best = min(chosen, key=lambda r: r.rank)
        if best.rank < len(evidence):
            f["retrieval"] = best.evidence.hit.score / (max(e.hit.score for e in evidence) or 1.0)
            f["first_rank"] = 1.0 / (1 + best.rank)
        return [Candidate(self.name, claims, 0.0, features=f)]


def _common_columns(rows: list[RowReading]) -> tuple[int, ...]:
    """The columns named for the best row (the same table: the same header)."""
    return rows[0].columns if rows[0].columns else max((r.columns for r in rows), key=len)


class ReverseLookup:
    """A row found by one of its values, answered with its label and the columns the
    question asks for ("Which focus area aims to stabilize vulnerable populations?"), or
    the rest of the row when it asks for no column and not for the label ("What is the
    aim of coordinating targeted sanctions with humanitarian exemptions?")."""

    name = "reverse"

    def propose(self, question: Question, evidence: Sequence[Evidence],
                corpus: CorpusView) -> list[Candidate]:
        """One candidate per row whose value the question holds (the best few)."""
        # a row the question names by its label is no reverse look-up
        rows = sorted((r for r in question.rows
                       if r.reverse is not None and r.value_match > r.label_match),
                      key=lambda r: (-r.value_match, r.rank))[:MAX_ROWS]
        out = []
        for r in rows:
            assert r.reverse is not None
            claim = reverse_claim(r.chunk, r.reverse, r.columns, r.evidence.hit.score,
                                  rest=not r.asks_label)
            f = _row_features(r)
            f["value_match"] = r.value_match
            out.append(Candidate(self.name, (claim,), 0.0, features=f))
        return out


class OrdinalRow:
    """The row at the place an ordinal asks for, of a table whose rows stand in order
    ("the number of shares purchased in the second month": the second of the months the
    table lists), with the columns the question names."""

    name = "ordinal"

    def propose(self, question: Question, evidence: Sequence[Evidence],
                corpus: CorpusView) -> list[Candidate]:
        """At most one candidate per retrieved table (the best two), none when the
        question names a row or when the ordinal word is the table's own ("First
        Quarter": it names a column)."""
        if not question.ordinal or not question.rows or question.place > 1:
            return []  # "the second highest" places a superlative (`Extremes`)
        word = ORDINALS[question.ordinal - 1]
        out: list[Candidate] = []
        seen: set[tuple[str, int | None]] = set()
        for r in question.rows:
            c = r.chunk
            if len(seen) == 2:
                break
            if (c.doc, c.table) in seen:
                continue
            seen.add((c.doc, c.table))
            table = corpus.table_of(c) or [c]
            said = words_of(" ".join([*c.header, c.caption]
                                     + [f"{label(t)} {t.group}" for t in table]))
            items = [t for t in table if has_label(t) and not is_total(t)]
            if (any(x.names_row for x in question.rows if x.chunk.table == c.table)
                    or word in said or len(items) < question.ordinal):
                continue
            row = items[question.ordinal - 1]
            reading = read_row(question, Evidence(r.evidence.hit, ()), r.rank)
            claim = cell_claim(row, reading.columns, r.evidence.hit.score)
            out.append(Candidate(self.name, (claim,), 0.0,
                                 features={"column_match": reading.column_match,
                                           "columns_named": float(bool(reading.columns)),
                                           "ordinal": 1.0}))
        return out
