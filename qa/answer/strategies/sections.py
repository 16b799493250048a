"""A section of a document as the answer to a question about the section as a whole
("What does the conclusion say?", "Summarize the policy recommendations"): the heading
the question names is the evidence that the text under it answers, however little the
text repeats the question's words. The answer is the section's leading sentences (for a
summary) or its first list (for a list question), each cited.
"""

from __future__ import annotations

from collections.abc import Sequence

from qa.answer.passages import condensed_list, without_connective
from qa.answer.question import Question
from qa.answer.strategies.sentences import ANSWER_CHARS, MAX_PIECES
from qa.answer.types import Candidate, Claim, CorpusView, Evidence
from qa.chunk import Chunk
from qa.text.sentences import sentences
from qa.text.tokens import tokenize

# Two stems are of one word family when they share this many first letters ("conclus" of
# conclusion, "conclud" of conclude; "recommend" of recommendation and recommended): the
# stemmer keeps such forms apart. Shorter prefixes join unrelated words ("inter" of
# interest and international).
FAMILY = 6


def akin(a: str, b: str) -> bool:
    """Whether two stems are one word or of one family (`FAMILY`)."""
    return a == b or (len(a) >= FAMILY and len(b) >= FAMILY and a[:FAMILY] == b[:FAMILY])


def heading(c: Chunk) -> str:
    """The innermost heading a chunk stands under ("" for text before any heading)."""
    return c.section.rsplit(" > ", 1)[-1]


def names_section(question: Question, c: Chunk) -> bool:
    """Whether every word of what the question is about is a word of the chunk's heading
    (or of its family): the question asks about the section, not about a detail in it."""
    topic = question.topic
    words = set(tokenize(heading(c)))
    return bool(topic) and bool(words) and all(any(akin(t, w) for w in words) for t in topic)


def named(question: Question, evidence: Sequence[Evidence]) -> Chunk | None:
    """A retrieved chunk whose section the question names (the best retrieved first), for a
    question that asks for a summary or a list; None otherwise."""
    if not question.is_list:
        return None
    return next((ev.hit.chunk for ev in evidence if names_section(question, ev.hit.chunk)),
                None)


def section_answer(question: Question, evidence: Sequence[Evidence],
                   corpus: CorpusView) -> Candidate | None:
    """The section the question names, as its leading sentences (a summary) or its first
    list (a list question; the leading sentences when it has none), each cited."""
    found = named(question, evidence)
    if found is None:
        return None
    passages = [c for c in corpus.section_of(found) if c.kind == "passage"]
    score = max((ev.hit.score for ev in evidence if ev.hit.chunk.section == found.section),
                default=0.0)
    lists = [c for c in passages if c.is_list]
    if question.ask == "list" and lists:
        claims = (Claim(condensed_list(*lists[0].list_parts()), lists[0], score),)
    else:
        claims = _leading(passages, score)
    if not claims:
        return None
    return Candidate("section", claims, score, features={"section": 1.0})


def _leading(passages: list[Chunk], score: float) -> tuple[Claim, ...]:
    """The section's first sentences (a list as one line), in order, as many as fit."""
    out: list[Claim] = []
    used = 0
    for c in passages:
        texts = [condensed_list(*c.list_parts())] if c.is_list else sentences(c.text)
        for text in texts:
            text = without_connective(text)
            if used + len(text) + 5 > ANSWER_CHARS:
                continue  # a shorter sentence after it may still fit
            out.append(Claim(text, c, score))
            used += len(text) + 5
            if len(out) == MAX_PIECES:
                return tuple(out)
    return tuple(out)
