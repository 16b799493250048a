"""Prose strategies: the best sentence or list item (each retrieved sentence is a
candidate, ranked by the fitted ranker), and for list, summary and reason questions
several of them, cited each, within the length of a concise answer."""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa.answer.features import gives_asked
from qa.answer.passages import Piece, next_sentence, pieces, window, without_connective
from qa.answer.question import Question
from qa.answer.types import Candidate, Claim, CorpusView, Evidence

# The longest answer text (the scorer calls an answer concise up to 400 characters; the
# citation markers take the rest).
ANSWER_CHARS = 380
# The most sentences or list items a list or summary answer gives.
MAX_PIECES = 5
# How many of the best retrieved passages a several-sentence answer draws on.
SUMMARY_CHUNKS = 3


def _claim(p: Piece, q: Question, limit: int = ANSWER_CHARS) -> Claim:
    return Claim(without_connective(window(p.text, q.words, limit, gives_asked(q))), p.chunk,
                 p.evidence.hit.score)


_FOOTNOTE = re.compile(r"^\s*\(?(\d{1,2}|[a-z]|[ivx]{1,4})\)\s")


def _footnotes(question: Question) -> set[str]:
    """The footnote marks ("(1)", "(a)") of the table rows and columns the question names:
    the sentence they mark explains them."""
    marks: set[str] = set()
    for r in question.rows:
        if r.names_row:
            texts = [r.chunk.cells[0] if r.chunk.cells else "",
                     *(r.chunk.header[j] for j in r.columns)]
            for t in texts:
                marks |= set(re.findall(r"\((\d{1,2}|[a-z]|[ivx]{1,4})\)", t))
    return marks


def _piece_features(p: Piece, marks: set[str] = frozenset()) -> dict[str, float]:
    c = p.chunk
    m = _FOOTNOTE.match(p.text)
    return {"dense": p.dense, "is_item": float(c.is_list and p.unit > 1),
            "whole_list": float(c.is_list and p.unit <= 1),
            "footnote": float(bool(m) and m.group(1) in marks)}


class BestSentence:
    """One sentence or list item (or a list as a whole, condensed) of a retrieved
    passage; for a reason question also the sentence with the one after it."""

    name = "sentence"

    def propose(self, question: Question, evidence: Sequence[Evidence],
                corpus: CorpusView) -> list[Candidate]:
        """A candidate per quotable piece (none for a summary: one sentence is none)."""
        if question.ask == "summary":
            return []
        out = []
        marks = _footnotes(question)
        for p in pieces(list(evidence)):
            claim = _claim(p, question)
            out.append(Candidate(self.name, (claim,), 0.0, features=_piece_features(p, marks)))
            if question.ask == "reason" and not p.chunk.is_list:
                after = next_sentence(p.chunk, p.text)
                if after and len(claim.text) + len(after) < ANSWER_CHARS:
                    out.append(Candidate(self.name + ":next",
                                         (Claim(f"{claim.text} {after}", p.chunk, claim.score),),
                                         0.0, features={**_piece_features(p, marks),
                                                        "next": 1.0}))
        return out


class SeveralSentences:
    """Several sentences or list items, each cited, for a question that asks for a list,
    a summary or a reason: the most similar pieces of the best few chunks, in reading
    order, as many as fit."""

    name = "sentences"

    def propose(self, question: Question, evidence: Sequence[Evidence],
                corpus: CorpusView) -> list[Candidate]:
        """Two candidates at most: the best pieces of the best chunks, and the best
        chunk's own pieces."""
        if not (question.is_list or question.ask == "reason"):
            return []
        passages = [ev for ev in evidence if ev.hit.chunk.kind == "passage"][:SUMMARY_CHUNKS]
        found = [p for p in pieces(passages) if not (p.chunk.is_list and p.unit <= 1)]
        if len(found) < 2:  # a summary of one piece, when there is no more
            return [Candidate(f"{self.name}:one", (_claim(p, question),), 0.0,
                              features=_piece_features(p)) for p in found
                    if question.ask == "summary"]
        out = []
        best = sorted(found, key=lambda p: -p.dense)
        first = min(found, key=lambda p: p.rank).chunk
        for variant, pool in (("top", best),
                              ("chunk", [p for p in best if p.chunk.id == first.id])):
            chosen = _fill(pool, question)
            if len(chosen) < 2:
                continue
            chosen.sort(key=lambda p: (p.rank, p.unit))
            claims = tuple(_claim(p, question, ANSWER_CHARS // 2) for p in chosen)
            out.append(Candidate(f"{self.name}:{variant}", claims, 0.0, features={
                "dense": sum(p.dense for p in chosen) / len(chosen),
                "pieces": len(chosen) / MAX_PIECES,
                "is_item": sum(p.chunk.is_list for p in chosen) / len(chosen)}))
        return out


def _fill(pool: list[Piece], question: Question) -> list[Piece]:
    """The best pieces of the pool, in order, while they fit in one answer."""
    chosen: list[Piece] = []
    used = 0
    for p in pool:
        text = window(p.text, question.words, ANSWER_CHARS // 2, gives_asked(question))
        if any(text in c.text or c.text in text for c in chosen):
            continue
        if used + len(text) + 5 > ANSWER_CHARS:
            continue
        chosen.append(p)
        used += len(text) + 5
        if len(chosen) == MAX_PIECES:
            break
    return chosen
