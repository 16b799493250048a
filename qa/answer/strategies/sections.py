"""A section of a document as the answer to a question about the section as a whole
("What does the conclusion say?", "Summarize the policy recommendations"): the heading
the question names is the evidence that the text under it answers, however little the
text repeats the question's words. The answer is the section's leading sentences (for a
summary) or its first list or table's items (for a list question), each cited.

The engine tries it before the ranked strategies, as it does a computed answer, and it
is not in the registry: a heading the question names is stronger evidence than the
ranker's features, which were fitted without it. A summary question that names its topic
in other words than a heading ("Summarize the research done at X" of a section "Research";
"the reasons for its decline" of "Decline and closure") gets the retrieved sections as
ranked candidates (`SectionSummary`), with how near the topic's words are to each
heading's in the model's word space: the fitted ranker weighs them against the sentences.
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


def names_apart(question: Question, c: Chunk, corpus: CorpusView) -> bool:
    """Whether a question names the chunk's section once what names no section is set
    aside: the words every heading path of the document holds (its title's), and the
    words the corpus never writes (no heading can hold them: "Summarize the research done
    at Calder Fell" names "Calder Fell Observatory > Research", "What were the reasons for
    the observatory's decline?" names "Decline and closure"); every other word of the
    topic, one at least, a word of the section's headings or of a word's family."""
    shared = _every_heading(c, corpus)
    topic = {t for t in question.topic if t in corpus.idf} - shared
    heads = set(tokenize(c.section)) - shared
    return bool(topic) and all(any(akin(t, w) for w in heads) for t in topic)


def named(question: Question, evidence: Sequence[Evidence],
          corpus: CorpusView | None = None) -> Chunk | None:
    """A retrieved chunk whose section the question names (the best retrieved first), for a
    question of the kinds a section answers (`ASKS`); None otherwise. With the corpus, a
    summary or list question also names a section as `names_apart` reads it (a fact
    question is not read so: one word the corpus never writes is what a question the
    documents do not answer often asks, "What is North Korea's GDP?")."""
    if question.ask not in ASKS:
        return None
    apart = corpus is not None and question.ask in ("summary", "list")
    return next((ev.hit.chunk for ev in evidence if names_section(question, ev.hit.chunk)
                 or (apart and names_apart(question, ev.hit.chunk, corpus))), None)


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
    found = named(question, evidence, corpus)
    section = found is not None
    if section:
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
        claims = _leading(passages, score, paragraphs=section)
    if not claims:
        return None
    return Candidate("section", claims, score, features={"section": 1.0})


def _leading(passages: list[Chunk], score: float, paragraphs: bool = False
             ) -> tuple[Claim, ...]:
    """The section's first sentences (a list as one line), in order, as many as fit. With
    `paragraphs`, each passage's first sentence comes first (a paragraph's opening
    sentence says what it is about: a section of several paragraphs is summarised by
    their openings rather than by its first paragraph alone), then the sentences after
    them, in reading order; the answer reads them in the section's order."""
    texts = [(i, j, c, without_connective(text)) for i, c in enumerate(passages)
             for j, text in enumerate([condensed_list(*c.list_parts())] if c.is_list
                                      else sentences(c.text))]
    order = sorted(texts, key=lambda x: (x[1] > 0, x[0], x[1])) if paragraphs else texts
    chosen = []
    used = 0
    for x in order:
        if used + len(x[3]) + 5 > ANSWER_CHARS:
            continue  # a shorter sentence after it may still fit
        chosen.append(x)
        used += len(x[3]) + 5
        if len(chosen) == MAX_PIECES:
            break
    chosen.sort(key=lambda x: (x[0], x[1]))
    return tuple(Claim(text, c, score) for _, _, c, text in chosen)


# How many of the best retrieved chunks' sections a summary question gets as candidates.
SUMMARY_SECTIONS = 4


def closeness(topic: frozenset[str], heading_words: set[str], corpus: CorpusView,
              idf) -> float:
    """How near the topic's words (by rarity) are to a heading's words: each topic word
    counts its greatest cosine in the model's word space to a word of the heading path
    (1 for one of its family, `akin`; 0 for a word without a vector), weighted by its
    idf: "research done at Calder Fell" is near "Calder Fell Observatory > Research", "the
    trust's finances" is not near "Public access today". A word the corpus never writes
    ("done") names no heading of it and counts for none (0 when no word is left)."""
    topic = frozenset(t for t in topic if t in idf) if idf else topic
    if not topic or not heading_words:
        return 0.0
    topic_list = tuple(sorted(topic))
    heads = tuple(sorted(heading_words))
    vectors = corpus.stem_vectors(topic_list + heads)
    tv, hv = vectors[:len(topic_list)], [v for v in vectors[len(topic_list):] if v is not None]
    total = got = 0.0
    for t, v in zip(topic_list, tv):
        weight = idf[t] if idf else 1.0
        total += weight
        if any(akin(t, w) for w in heads):
            got += weight
        elif v is not None and hv:
            got += weight * max(0.0, max(float(v @ h) for h in hv))
    return got / total if total else 0.0


def _every_heading(c: Chunk, corpus: CorpusView) -> frozenset[str]:
    """The words every heading path of the chunk's document holds (its title's): they name
    no section apart from the others, so `closeness` reads the topic without them."""
    paths = {d.section for d in corpus.document_of(c)}
    sets = [set(tokenize(p)) for p in paths]
    return frozenset(set.intersection(*sets)) if sets else frozenset()


class SectionSummary:
    """For a summary question, each section of the best retrieved passages summarised by
    its paragraphs' openings (`_leading`), with how near the question's topic is to its
    heading (`closeness`) and how well retrieval found it: the ranker tells a section
    the question names in other words from one it only touches."""

    name = "topic"

    def propose(self, question: Question, evidence: Sequence[Evidence],
                corpus: CorpusView) -> list[Candidate]:
        """One candidate per section of the best retrieved passages (none for other
        questions, or a document without headings)."""
        if question.ask != "summary" or not question.topic:
            return []
        top = max((ev.hit.score for ev in evidence), default=0.0) or 1.0
        out: list[Candidate] = []
        seen: set[tuple[str, str]] = set()
        for ev in evidence:
            c = ev.hit.chunk
            if c.kind != "passage" or not c.section or (c.doc, c.section) in seen:
                continue
            seen.add((c.doc, c.section))
            if len(seen) > SUMMARY_SECTIONS:
                break
            passages = [p for p in corpus.section_of(c) if p.kind == "passage"]
            claims = _leading(passages, ev.hit.score, paragraphs=True)
            if len(claims) < 2:
                continue  # one sentence: the sentence strategies propose it
            key = (c.doc, c.section)
            mine = [e for e in evidence if (e.hit.chunk.doc, e.hit.chunk.section) == key]
            found = sum((e.hit.chunk.doc, e.hit.chunk.section) == key
                        for e in evidence[:SUMMARY_SECTIONS])
            shared = _every_heading(c, corpus)
            out.append(Candidate(self.name, claims, 0.0, features={
                "topic_near": closeness(question.topic - shared,
                                        set(tokenize(c.section)) - shared, corpus, corpus.idf),
                # the section's similarity: its retrieved passages' best as a whole (in
                # their heading's context), not a sentence's, which is the other
                # strategies' `dense`
                "dense": max((e.unit_scores[0] for e in mine if e.unit_scores), default=0.0),
                "topic_retrieval": ev.hit.score / top,
                "topic_found": found / SUMMARY_SECTIONS}))
        return out
