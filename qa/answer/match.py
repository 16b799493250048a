"""How much of one text's words another holds: the lexical measures the strategies and the
ranker's features share (stemmed words from `qa.text.tokens`)."""

from __future__ import annotations

from collections.abc import Mapping

from qa.text.tokens import tokenize

# Stems at least this long that share a prefix count as one word: the stemmer keeps
# "history" and "historical" apart ("histori", "histor").
PREFIX_MATCH = 5


def shared(a: set[str] | frozenset[str], b: set[str] | frozenset[str]) -> set[str]:
    """Words of `a` found in `b`, where stems that share a long prefix match too."""
    out = set(a & b)
    for w in a - out:
        if len(w) >= PREFIX_MATCH and any(
                len(v) >= PREFIX_MATCH and (v.startswith(w) or w.startswith(v)) for v in b):
            out.add(w)
    return out


def words_of(text: str) -> frozenset[str]:
    """The stemmed content words of a text."""
    return frozenset(tokenize(text))


def coverage(q: frozenset[str] | set[str], phrase: str) -> float:
    """Share of the phrase's words that the question holds (0 for an empty phrase)."""
    w = words_of(phrase)
    return len(shared(w, q)) / len(w) if w else 0.0


def recall(q: frozenset[str] | set[str], text: str) -> float:
    """Share of the question's words that the text holds."""
    return len(shared(q, words_of(text))) / len(q) if q else 0.0


def weighted_recall(q: frozenset[str] | set[str], text: str,
                    idf: Mapping[str, float] | None) -> float:
    """Share of the question's words that the text holds, each weighted by its rarity in
    the corpus (a word most chunks have tells little; a word the corpus lacks weighs as
    the rarest); plain recall without weights."""
    if not q:
        return 0.0
    if not idf:
        return recall(q, text)
    rare = max(idf.values(), default=1.0)
    weight = {w: max(idf.get(w, rare), 0.0) for w in q}
    total = sum(weight.values())
    found = shared(set(q), words_of(text))
    return sum(weight[w] for w in found) / total if total else 0.0
