"""Prose strategies: the best sentence or list item (each retrieved sentence is a
candidate, ranked by the fitted ranker), and for list, summary and reason questions
several of them, cited each, within the length of a concise answer."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

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
    passage; for a reason question, and for a sentence that announces the value the
    question asks for (`announces`), also the sentence with the one after it."""

    name = "sentence"

    def propose(self, question: Question, evidence: Sequence[Evidence],
                corpus: CorpusView) -> list[Candidate]:
        """A candidate per quotable piece (none for a summary: one sentence is none)."""
        if question.ask == "summary":
            return []
        out = []
        marks = _footnotes(question)
        gives = gives_asked(question)
        for p in pieces(list(evidence)):
            claim = _claim(p, question)
            out.append(Candidate(self.name, (claim,), 0.0, features=_piece_features(p, marks)))
            if p.chunk.is_list:
                continue
            after = next_sentence(p.chunk, p.text)
            if not after or len(claim.text) + len(after) >= ANSWER_CHARS:
                continue
            pair = (Claim(f"{claim.text} {after}", p.chunk, claim.score),)
            if question.ask == "reason":  # the cause, then its effect
                out.append(Candidate(self.name + ":next", pair, 0.0,
                                     features={**_piece_features(p, marks), "next": 1.0}))
            elif announces(claim.text, after, gives):
                # a strategy of its own, weighed by the kind asked for: a date or a number
                # the next sentence gives is less often the asked one than a name
                out.append(Candidate(self.name + ":then", pair, 0.0, features={
                    **_piece_features(p, marks), "then": 1.0,
                    f"then&expects={question.expects}": 1.0}))
        return out


def announces(sentence: str, after: str, gives) -> bool:
    """Whether a sentence announces what the one after it gives: the question asks for a
    value of a kind (`features.gives_asked`: a person, a date, a number, a place), the
    sentence gives none ("Three comets were discovered at Calder Fell.") and the next one
    does ("The first was found by Lusk in 1879, ..."): the pair answers, the first alone
    only says that there is an answer."""
    return gives is not None and not gives(sentence) and gives(after)


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


# The strategy name of the several sentences the ranker chose one by one (`gathered`).
GATHERED = "sentences:ranked"


def gathered(question: Question, ranked: Sequence[Candidate],
             order: Callable[[Claim], tuple[int, int]]) -> Candidate | None:
    """For a list or summary question, the sentences and list items the fitted ranker puts
    first as answers on their own (`ranked`: every candidate, best first), each whole, as
    many as fit one answer (up to MAX_PIECES; one that does not fit is passed over for a
    shorter one after it), in reading order (`order` of a claim): a list gathers the
    pieces that each answer the question, by everything the ranker weighs (the words
    asked with, the kind of value asked for, where retrieval placed them), not by
    similarity alone as `SeveralSentences` does. A piece is not condensed to the clauses
    that hold the question's words: a paraphrase holds none, and its best piece would lose
    what answers it. None for other questions, when fewer than two pieces are found, or
    when the best piece is a whole list of the source (condensed): the source gathered
    its items itself."""
    if not question.is_list:
        return None
    chosen: list[tuple[Claim, float]] = []
    used = 0
    for c in ranked:
        if c.strategy != BestSentence.name or len(c.claims) != 1:
            continue
        cl = c.claims[0]
        if c.features.get("whole_list"):
            if not chosen:
                return None  # the best piece is a list of the source: its items gathered
            continue  # a whole list is a candidate of its own, as in `SeveralSentences`
        if cl.chunk.kind != "passage":
            continue
        text = cl.text
        if any(text in k.text or k.text in text for k, _ in chosen):
            continue
        if used + len(text) + 5 > ANSWER_CHARS:
            continue
        chosen.append((cl, c.features.get("dense", 0.0)))
        used += len(text) + 5
        if len(chosen) == MAX_PIECES:
            break
    if len(chosen) < 2:
        return None
    chosen.sort(key=lambda x: order(x[0]))
    claims = tuple(cl for cl, _ in chosen)
    return Candidate(GATHERED, claims, 0.0, features={
        "dense": sum(d for _, d in chosen) / len(chosen),
        "pieces": len(chosen) / MAX_PIECES,
        "is_item": sum(cl.chunk.is_list for cl in claims) / len(claims)})
