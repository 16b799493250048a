"""Faithfulness of a sentence an LLM wrote: is the sentence said by the chunk it cites?

Two signals: the share of the sentence's content words that the chunk holds (a made-up
detail brings words the chunk lacks), and the embedding similarity of the sentence to the
chunk's closest unit (a paraphrase keeps the meaning with other words). The service asks
this beside the answer engine's support check (`qa.answer.support.check`: does the cited
chunk answer the question?): an LLM sentence stands only when both accept it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from qa.answer.types import Claim
from qa.chunk import Chunk
from qa.text.tokens import tokenize

# Fitted by scripts/fit_sentence_check.py: a sentence stands when LEXICAL_WEIGHT * words
# + (1 - LEXICAL_WEIGHT) * similarity reaches MIN_SUPPORT. Higher MIN_SUPPORT drops more
# true sentences; lower lets more sentences of a neighbouring chunk (a wrong citation) or
# with a swapped detail through. The fit (calibration | held-out share accepted): said
# 0.442 | 0.812, part 0.977 | 1.000, wrong 0.000 | 0.000, swapped 0.096 | 0.083. One
# swapped word barely moves either signal, so the threshold is high and many true
# paraphrases fall: this check is strict and provisional.
LEXICAL_WEIGHT = 0.7
MIN_SUPPORT = 0.98

# Words a writer uses to attribute a statement to its source ("the analysis notes that"),
# not to make it: a chunk need not hold them.
FRAME_WORDS = frozenset(tokenize(
    "according analysis article document text source sources report passage say says said "
    "state states stated mention mentions mentioned describe describes described note notes "
    "noted show shows shown suggest suggests indicate indicates highlight highlights"))

Similarity = Callable[[str, Chunk], float]
"""The cosine similarity of a text to the closest unit of a chunk."""


@dataclass(frozen=True)
class Support:
    """Whether a claim is supported by its chunk, how strongly (0..1), and why not."""

    ok: bool
    score: float
    reasons: tuple[str, ...] = ()


def chunk_words(chunk: Chunk) -> set[str]:
    """The stemmed words a chunk offers a sentence: its text, section and table fields."""
    return set(tokenize(" ".join([chunk.text, chunk.section, chunk.caption, chunk.group,
                                  *chunk.header, *chunk.cells])))


def _held(word: str, words: set[str]) -> bool:
    """Whether the chunk holds the word, or one sharing a long stem ("histori"/"histor")."""
    return word in words or (len(word) >= 5 and any(
        len(w) >= 5 and (w.startswith(word) or word.startswith(w)) for w in words))


def word_support(sentence: str, chunk: Chunk) -> tuple[float, list[str]]:
    """The share of the sentence's content words the chunk holds, and the missing ones.
    Words that frame a statement rather than make it ("the analysis says") are left out."""
    words = [w for w in dict.fromkeys(tokenize(sentence)) if w not in FRAME_WORDS]
    if not words:
        return 1.0, []
    have = chunk_words(chunk)
    missing = [w for w in words if not _held(w, have)]
    return 1 - len(missing) / len(words), missing


def sentence_check(similarity: Similarity) -> Callable[[Claim], Support]:
    """The check, given how to measure a sentence's similarity to a chunk (the service
    encodes the sentence on its query-encoding thread)."""

    def check(claim: Claim) -> Support:
        share, missing = word_support(claim.text, claim.chunk)
        dense = similarity(claim.text, claim.chunk)
        score = LEXICAL_WEIGHT * share + (1 - LEXICAL_WEIGHT) * dense
        if score >= MIN_SUPPORT:
            return Support(True, score)
        why = [f"score {score:.2f} < {MIN_SUPPORT}"]
        if missing:
            why.append("words it lacks: " + ", ".join(missing[:6]))
        return Support(False, score, tuple(why))

    return check
