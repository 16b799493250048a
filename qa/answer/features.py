"""Named features of a candidate answer, the same for every strategy, so that one fitted
ranker compares a table cell with a sentence with a computed value.

Each is a number in about [0, 1]: how retrieval placed the claim's chunk, how similar the
question is to the unit the claim quotes, how much of the question (weighted by rarity)
the claim and its chunk hold, how long it is, which strategy made it, and what kind of
question meets what kind of claim (a "when" question and a claim with a date the
question does not give, a "who" question and a name, a "how much" and a number). A
strategy adds its own (how well a row's label and column match, ...).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa.answer.match import pairs_of, shared, weighted_recall, words_of
from qa.answer.question import Question
from qa.answer.types import Candidate, Claim, CorpusView, Evidence
from qa.text.numbers import is_number

_NAME_INSIDE = re.compile(r"(?<=\w[ ,(])([A-Z][\w'’-]*)")
_NUMBER = re.compile(r"\d[\d,.]*")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
# The first words of a claim, where a sentence about the question's subject names it.
LEAD_WORDS = 8
# Measures that get a weight of their own for each strategy.
PER_STRATEGY = ("dense", "overlap", "overlap_chunk", "retrieval")
# Measures that get a second weight when table rows are among the evidence (a report's
# tables and prose) rather than prose alone (an article).
MIXED = ("dense", "dense_gap", "overlap", "overlap_chunk", "overlap_start", "retrieval",
         "first_rank", "pairs", "names_match", "years_match", "bias")
_DATE = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b|\b(January|February|March|April|May|June|July|"
                   r"August|September|October|November|December)\b")


def _fresh(question: Question, text: str) -> tuple[float, float, float]:
    """Whether the claim gives what a question of its kind asks for and does not itself
    hold: a number, a name, a date beyond those the question writes."""
    asked = set(question.numbers) | set(question.years)
    numbers = {n.strip(",.") for n in _NUMBER.findall(text)} - {n.strip("$%,.") for n in asked}
    names = {n for n in _NAME_INSIDE.findall(text)
             if not words_of(n) <= question.words}
    dates = {m.group(0) for m in _DATE.finditer(text)} - set(question.years)
    return float(bool(numbers)), float(bool(names)), float(bool(dates))


def claim_dense(claim: Claim, ev: Evidence | None) -> float:
    """The question's similarity to the unit a claim quotes: a sentence (or one of its
    clauses) of a passage, the cells of a row it cites (the whole row when none is text)."""
    if ev is None or not ev.unit_scores:
        return 0.0
    c = claim.chunk
    scores = ev.unit_scores
    if c.kind == "table_row":
        units = [0] + [j for j in range(1, len(c.cells))
                       if j < len(c.header) and c.cells[j] and not is_number(c.cells[j])]
        picked = [k for k, j in enumerate(units) if k and j in claim.highlight]
        return float(max((scores[k] for k in picked if k < len(scores)), default=scores[0]))
    quotes = c.quotes()
    inside = [s for q, s in zip(quotes[1:], scores[1:]) if q and q in claim.text]
    text = claim.text.strip("… ")
    inside += [s for u, s in zip(c.units()[1:], scores[1:]) if text and text in u]
    return float(max(inside, default=scores[0]))


def generic(question: Question, cand: Candidate, evidence: Sequence[Evidence],
            corpus: CorpusView) -> dict[str, float]:
    """The features every candidate has (a strategy's own ones are kept beside them)."""
    first = cand.claims[0]
    by_id = {ev.hit.chunk.id: (i, ev) for i, ev in enumerate(evidence)}
    rank, ev = by_id.get(first.chunk.id, (len(evidence), None))
    top = max((e.hit.score for e in evidence), default=0.0) or 1.0
    best_unit = max((max(e.unit_scores, default=0.0) for e in evidence), default=0.0)
    dense = cand.features.get("dense", claim_dense(first, ev))
    text = " ".join(c.text for c in cand.claims)
    context = " ".join([first.chunk.embed_text(), first.chunk.group, *first.chunk.header])
    kind = cand.strategy.split(":")[0]
    number, name, date = _fresh(question, text)
    wh = question.wh or "-"
    years = list(question.years)
    shown = text if first.chunk.kind == "passage" else " ".join([text, *first.chunk.header])
    lead = " ".join(text.split()[:LEAD_WORDS])
    q_pairs = pairs_of(question.text)
    names = [n for n in question.names if words_of(n)]
    said = words_of(text)
    f = {"retrieval": (ev.hit.score / top) if ev else 0.0,
         # the share of the claim's words the question lacks: an answer says something new
         "novel": (len(said - shared(said, question.words)) / len(said)) if said else 0.0,
         "pairs": len(q_pairs & pairs_of(text)) / len(q_pairs) if q_pairs else 0.0,
         "names_match": (sum(words_of(n) <= words_of(shown) for n in names) / len(names))
         if names else 0.0,
         "years_match": (sum(y in shown for y in years) / len(years)) if years else 0.0,
         "years_other": float(bool(years) and bool(set(_YEAR.findall(text)) - set(years))),
         "overlap_start": weighted_recall(question.words, lead, corpus.idf),
         "first_rank": 1.0 / (1 + rank),
         "dense": dense,
         "dense_gap": dense - best_unit,
         "overlap": weighted_recall(question.words, text, corpus.idf),
         "overlap_chunk": weighted_recall(question.words, context, corpus.idf),
         "chars": min(len(text), 400) / 400,
         "claims": min(len(cand.claims), 5) / 5,
         "chunks": len({c.chunk.id for c in cand.claims}) / 5,
         "bias": 1.0,
         f"s={kind}": 1.0,
         f"s={cand.strategy}": 1.0,
         f"ask={question.ask}&s={kind}": 1.0,
         f"ask={question.ask}&number": number,
         f"wh={wh}&number": number,
         f"wh={wh}&name": name,
         f"wh={wh}&date": date,
         f"wh={wh}&row": float(first.chunk.kind == "table_row"),
         "plural&claims": float(question.plural) * min(len(cand.claims), 5) / 5}
    f = {**f, **{k: float(v) for k, v in cand.features.items()}}
    # how much a measure counts depends on what the claim is (a sentence's words against a
    # list of a table's periods): each strategy weighs them anew
    f.update({f"{cand.strategy}&{k}": f[k] for k in PER_STRATEGY})
    if question.rows:  # tables among the evidence: the measures may weigh otherwise there
        f.update({f"mixed:{k}": f[k] for k in MIXED if k in f})
    return f
