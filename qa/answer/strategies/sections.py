"""A section of a document as the answer to a question about the section as a whole
("What does the conclusion say?", "Summarize the policy recommendations"): the heading
the question names is the evidence that the text under it answers, however little the
text repeats the question's words. The answer is the section's leading sentences (for a
summary) or its first list or table's items (for a list question), each cited.

The engine tries it before the ranked strategies, as it does a computed answer, and it
is not in the registry: a heading the question names is stronger evidence than the
ranker's features, which were fitted without it.
"""

from __future__ import annotations

from collections.abc import Sequence

from qa.answer.passages import condensed_list, without_connective
from qa.answer.question import Question
from qa.answer.strategies.sentences import ANSWER_CHARS, MAX_PIECES
from qa.answer.tables import has_label, is_total, label, label_at
from qa.answer.types import Candidate, Claim, CorpusView, Evidence
from qa.chunk import Chunk
from qa.text.sentences import sentences
from qa.text.tokens import tokenize

# Two stems are of one word family when they share this many first letters ("conclus" of
# conclusion, "conclud" of conclude; "recommend" of recommendation and recommended): the
# stemmer keeps such forms apart. Shorter prefixes join unrelated words ("inter" of
# interest and international). scripts/fit_sections.py prints the choice on the
# calibration parts: 6 answers 8 of engine_analysis's questions by a section, all right
# (3 of them right without it); 7 or more finds 6 (conclusion/conclude apart); 4 or 5
# also routes a squad_train question that the section answers wrongly.
FAMILY = 6


def akin(a: str, b: str) -> bool:
    """Whether two stems are one word or of one family (`FAMILY`)."""
    return a == b or (len(a) >= FAMILY and len(b) >= FAMILY and a[:FAMILY] == b[:FAMILY])


def heading(c: Chunk) -> str:
    """The innermost heading a chunk stands under ("" for text before any heading)."""
    return c.section.rsplit(" > ", 1)[-1]


def names_section(question: Question, c: Chunk) -> bool:
    """Whether every word of what the question is about is a word of the chunk's headings
    (its own and those above it, as the document's title; or of a word's family), one of
    them of its own heading: the question asks about the section, not about a detail in
    it ("the authority's finances" names "Finances" under "Lakeside Transit Authority")."""
    topic = question.topic
    own = set(tokenize(heading(c)))
    path = set(tokenize(c.section))
    return (bool(topic) and any(akin(t, w) for t in topic for w in own)
            and all(any(akin(t, w) for w in path) for t in topic))


# The kinds of question a section answers as a whole: a summary, a list, and a plain "what
# is" question that names nothing but the section ("What is the outlook?"); a reason, a
# comparison, a yes/no or a count asks something of the section instead.
ASKS = ("summary", "list", "fact")


def named(question: Question, evidence: Sequence[Evidence]) -> Chunk | None:
    """A retrieved chunk whose section the question names (the best retrieved first), for a
    question of the kinds a section answers (`ASKS`); None otherwise."""
    if question.ask not in ASKS:
        return None
    return next((ev.hit.chunk for ev in evidence if names_section(question, ev.hit.chunk)),
                None)


def whole_document(question: Question, evidence: Sequence[Evidence]) -> bool:
    """Whether the question asks for a summary of the document as a whole: it names
    nothing but the document ("Summarize the analysis", "Give me a summary"), which its
    opening sentences summarise, and retrieval found one document only (the question is
    scoped to it, or the corpus has no other that it could mean: "this report" of two
    reports is for the ranked strategies to tell apart)."""
    return (question.ask == "summary" and not question.topic
            and len({ev.hit.chunk.doc for ev in evidence}) == 1)


def section_answer(question: Question, evidence: Sequence[Evidence],
                   corpus: CorpusView) -> Candidate | None:
    """The section the question names (or the whole document, for a summary of it), as
    its leading sentences (a summary) or its first list (a list question: a list, else
    the items of its first table, else the leading sentences), each cited."""
    found = named(question, evidence)
    if found is not None:
        chunks = corpus.section_of(found)
        score = max((ev.hit.score for ev in evidence if ev.hit.chunk.section == found.section),
                    default=0.0)
    elif whole_document(question, evidence):
        found = evidence[0].hit.chunk
        chunks, score = corpus.document_of(found), evidence[0].hit.score
    else:
        return None
    passages = [c for c in chunks if c.kind == "passage"]
    lists = [c for c in passages if c.is_list]
    rows = [c for c in chunks if c.kind == "table_row" and has_label(c) and not is_total(c)]
    if question.ask == "list" and lists:
        claims: tuple[Claim, ...] = (Claim(condensed_list(*lists[0].list_parts()), lists[0],
                                           score),)
    elif question.ask == "list" and rows and rows[0].table is not None:
        # a section that lists its items in a table: the items (row labels) of its first
        claims = tuple(Claim(label(c), c, score, (label_at(c),)) for c in rows
                       if c.table == rows[0].table)
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
