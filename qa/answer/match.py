"""How much of one text's words another holds: the lexical measures the strategies and the
ranker's features share (stemmed words from `qa.text.tokens`)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from functools import lru_cache
from itertools import pairwise

from qa.text.tokens import tokenize

# Stems at least this long that share a prefix count as one word: the stemmer keeps
# "history" and "historical" apart ("histori", "histor").
PREFIX_MATCH = 5


def shared(a: set[str] | frozenset[str], b: set[str] | frozenset[str]) -> set[str]:
    """Words of `a` found in `b`, where stems that share a long prefix match too."""
    out = set(a & b)
    if len(out) == len(a):
        return out
    # `a` is a question's few words, `b` often a text's many: each long word of `a` that `b`
    # lacks is looked up in `b` (the words it begins, and its own long prefixes), not `b`
    # read whole
    ordered = None
    for w in a - out:  # added in this order, as ever: sums over the words found follow it
        if len(w) < PREFIX_MATCH:
            continue
        if ordered is None:
            ordered = _ordered(b if isinstance(b, frozenset) else frozenset(b))
        i = bisect_left(ordered, w)  # `b` lacks `w`: the words it begins follow it
        if (i < len(ordered) and ordered[i].startswith(w)) or not b.isdisjoint(_heads(w)):
            out.add(w)
    return out


@lru_cache(maxsize=1 << 16)
def _heads(word: str) -> tuple[str, ...]:
    """A word's own prefixes at least PREFIX_MATCH long (the shorter words it matches)."""
    return tuple(word[:n] for n in range(PREFIX_MATCH, len(word)))


@lru_cache(maxsize=1 << 14)
def _ordered(words: frozenset[str]) -> tuple[str, ...]:
    """The words of a set, sorted."""
    return tuple(sorted(words))


@lru_cache(maxsize=1 << 16)
def tokens_of(text: str) -> tuple[str, ...]:
    """The stemmed content words of a text in order (cached: answering reads the same
    sentences, rows and headers for many candidates and questions)."""
    return tuple(tokenize(text))


def joined_tokens(*texts: str) -> tuple[str, ...]:
    """The stemmed content words of the texts joined by whitespace, in order: the same as
    `tokens_of(" ".join(texts))` (no word spans a space, and lower-casing and spelling
    folding stop at one), but read from each text's cached words, so that a sentence
    with the one before it, or a chunk with its headers, costs no new reading."""
    out: tuple[str, ...] = ()
    for t in texts:
        out += tokens_of(t)
    return out


def words_of(text: str) -> frozenset[str]:
    """The stemmed content words of a text."""
    return _set_of(tokens_of(text))


def set_of(tokens: tuple[str, ...]) -> frozenset[str]:
    """The words of a tuple of tokens as a set (cached, as `words_of` keeps them)."""
    return _set_of(tokens)


@lru_cache(maxsize=1 << 16)
def _set_of(tokens: tuple[str, ...]) -> frozenset[str]:
    return frozenset(tokens)


def pairs_of(text: str) -> frozenset[tuple[str, str]]:
    """Consecutive pairs of the text's content words ("first album", "second solo")."""
    return pairs_in(tokens_of(text))


@lru_cache(maxsize=1 << 14)
def pairs_in(tokens: tuple[str, ...]) -> frozenset[tuple[str, str]]:
    """Consecutive pairs of a sequence of words (cached: a claim's sentence, alone and with
    the one before it, is measured for many questions)."""
    return frozenset(pairwise(tokens))


def place(phrase: tuple[str, ...], seq: tuple[str, ...]) -> int | None:
    """Where `phrase` (words) first stands in `seq` side by side, word for word (None:
    nowhere)."""
    n = len(phrase)
    return next((i for i in range(len(seq) - n + 1) if seq[i:i + n] == phrase), None)


def coverage(q: frozenset[str] | set[str], phrase: str) -> float:
    """Share of the phrase's words that the question holds (0 for an empty phrase)."""
    w = words_of(phrase)
    return len(shared(w, q)) / len(w) if w else 0.0


def recall(q: frozenset[str] | set[str], text: str) -> float:
    """Share of the question's words that the text holds."""
    return len(shared(q, words_of(text))) / len(q) if q else 0.0


_RAREST: list[tuple[Mapping[str, float], float]] = []


def rarest(idf: Mapping[str, float]) -> float:
    """The largest idf of a corpus (worked out once per index version: the last few are
    kept)."""
    for m, v in _RAREST:
        if m is idf:
            return v
    v = max(idf.values(), default=1.0)
    _RAREST[:] = [(idf, v), *_RAREST[:3]]
    return v


def weighted_recall(q: frozenset[str] | set[str], text: str,
                    idf: Mapping[str, float] | None) -> float:
    """Share of the question's words that the text holds, each weighted by its rarity in
    the corpus (a word most chunks have tells little; a word the corpus lacks weighs as
    the rarest); plain recall without weights."""
    return weighted_share(q, words_of(text) if q else frozenset(), idf)


def weighted_share(q: frozenset[str] | set[str], words: frozenset[str],
                   idf: Mapping[str, float] | None) -> float:
    """`weighted_recall` of a text given by its words."""
    if not q:
        return 0.0
    if not idf:
        return len(shared(q, words)) / len(q)
    weight, total = _weights(frozenset(q), idf)
    found = shared(q, words)
    return sum(weight[w] for w in found) / total if total else 0.0


_WEIGHTS: dict[tuple[frozenset[str], int], tuple[dict[str, float], float]] = {}


def _weights(q: frozenset[str], idf: Mapping[str, float]) -> tuple[dict[str, float], float]:
    """Each question word's weight and their sum (kept for the last questions asked: every
    candidate of a question is weighed with them)."""
    key = (q, id(idf))
    got = _WEIGHTS.get(key)
    if got is None:
        rare = rarest(idf)
        weight = {w: max(idf.get(w, rare), 0.0) for w in q}
        got = (weight, sum(weight.values()))
        if len(_WEIGHTS) > 256:
            _WEIGHTS.clear()
        _WEIGHTS[key] = got
    return got


def nearest_share(q: frozenset[str] | set[str], tokens: tuple[str, ...],
                  idf: Mapping[str, float] | None, width: int) -> float:
    """The largest `weighted_share` of the question's words that any `width` consecutive
    words of a text hold: how close together the text holds them (the whole text's share
    when it is no longer than `width`)."""
    hits = word_places(frozenset(q), tokens) if q else ()
    return nearest(hits, *question_weights(q, idf), width) if hits else 0.0


def nearest(hits: Sequence[tuple[int, str]], weight: Mapping[str, float], total: float,
            width: int) -> float:
    """`nearest_share` of a text given by where the question's words stand in it
    (`word_places`) and their weights (`question_weights`)."""
    if not hits:
        return 0.0
    # the best window starts at a word of the question: any other holds no more
    best = max(sum(weight[w] for w in {w for j, w in hits if i <= j < i + width})
               for i, _ in hits)
    return best / total if total else 0.0


def question_weights(q: frozenset[str] | set[str], idf: Mapping[str, float] | None
                     ) -> tuple[dict[str, float], float]:
    """Each question word's weight and their sum, as `weighted_share` weighs them (by
    rarity; each 1 without `idf`)."""
    if idf:
        return _weights(frozenset(q), idf)
    return dict.fromkeys(q, 1.0), float(len(q))


@lru_cache(maxsize=1 << 12)
def word_places(q: frozenset[str], tokens: tuple[str, ...]) -> tuple[tuple[int, str], ...]:
    """Where the question's words stand in a text's words: (position, question word) for
    each, a long stem matched by prefix as `shared` matches (so that the question words of
    any run of the text are those `shared` finds in the run); cached: a claim's words are
    read by several measures (`nearest_share`, `features.typed_near`)."""
    return places_found(shared(q, set_of(tokens)) if q and tokens else set(), tokens)


def places_found(found: set[str] | frozenset[str], tokens: tuple[str, ...]
                 ) -> tuple[tuple[int, str], ...]:
    """`word_places` given the question words `shared` finds in the text's words."""
    if not found:
        return ()
    # where each found word stands (a long stem matches by prefix, as `shared` matches):
    # only the places of its own word and of words sharing its first letters are read
    exact, by_prefix = positions(tokens)
    hits: list[tuple[int, str]] = []
    for w in found:
        hits.extend((i, w) for i in exact.get(w, ()))
        if len(w) >= PREFIX_MATCH:
            for i in by_prefix.get(w[:PREFIX_MATCH], ()):
                t = tokens[i]
                if t != w and (t.startswith(w) or w.startswith(t)):
                    hits.append((i, w))
    hits.sort(key=_first)
    return tuple(hits)


def _first(hit: tuple[int, str]) -> int:
    return hit[0]


@lru_cache(maxsize=1 << 12)
def positions(tokens: tuple[str, ...]) -> tuple[dict[str, tuple[int, ...]],
                                                dict[str, tuple[int, ...]]]:
    """Where each word of a text stands, and each long word by its first PREFIX_MATCH
    letters (the only words a long word can match by prefix), ascending (cached: a claim's
    words are read for many questions)."""
    exact: dict[str, list[int]] = {}
    by_prefix: dict[str, list[int]] = {}
    for i, w in enumerate(tokens):
        exact.setdefault(w, []).append(i)
        if len(w) >= PREFIX_MATCH:
            by_prefix.setdefault(w[:PREFIX_MATCH], []).append(i)
    return ({w: tuple(v) for w, v in exact.items()},
            {w: tuple(v) for w, v in by_prefix.items()})
