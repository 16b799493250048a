"""Whether a claim is supported by its cited chunk: the support check every candidate
passes before it is answered.

STAND-IN: the first answerer's lexical check (`is_supported`), ported behind the agreed
interface so that the engine runs end to end; the support helper's semantic and lexical
check, fitted on data, replaces this module whole.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from qa.answer.match import words_of
from qa.answer.types import Claim, CorpusView, Evidence
from qa.chunk import Chunk
from qa.text.tokens import tokenize


@dataclass(frozen=True)
class Support:
    """The verdict on one claim: whether it is supported, a calibrated probability that it
    answers the question from its chunk, and why not (in words a reader could see)."""

    ok: bool
    score: float
    reasons: tuple[str, ...] = ()


def check(question: str, claim: Claim, evidence: Sequence[Evidence], corpus: CorpusView,
          scoped: bool) -> Support:
    """Whether `claim` answers `question` from its cited chunk (`evidence` holds every
    retrieved chunk, the claim's among them)."""
    cited = claim.chunk
    context = [cited] + [ev.hit.chunk for ev in evidence[:3] if ev.hit.chunk.id != cited.id]
    similarity = max((max(ev.unit_scores, default=0.0) for ev in evidence
                      if ev.hit.chunk.id == cited.id), default=0.0)
    lacks_number, names, missing = support_gaps(question, context, corpus.vocabulary,
                                                corpus.near)
    reasons = []
    if lacks_number:
        reasons.append("the question asks for a quantity and the cited passage gives no number")
    if names:
        reasons.append(f"the documents do not mention {', '.join(names)}")
    ok = is_supported(question, context, similarity, corpus.vocabulary, scoped, corpus.near)
    if not ok and missing and not reasons:
        reasons.append(f"the cited passage does not mention {', '.join(missing)}")
    return Support(ok, float(similarity), tuple(reasons))


# --- the first answerer's check, unchanged ------------------------------------------------

FRAME_WORDS = frozenset(tokenize(
    "meant mean means meaning happen happens happened kind kinds type types sort "
    "way ways role roles play plays goal goals aim aims purpose say says said tell tells "
    "describe described mention mentioned conclusion article analysis text document "
    "author main key specific example examples reason reasons result results involve "
    "involved regard regarding according respect respectively should would could might "
    "must can will shall amount amounts value values figure figures number numbers total "
    "change changes percentage percent average difference ratio proportion increase "
    "decrease rate year years fiscal period respective compared compare listed list "
    "item items detail details table tables show shows shown represent represents provide "
    "provided information data component components consist consists financial largest "
    "larger lowest lower highest higher greater smaller smallest less more most least "
    "exceed exceeded above below between within during respective "
    "put puts get gets got make makes made take takes took give gives gave"))

_QUANTITY = re.compile(r"\b(how (many|much|long|old|far)|what (percentage|year|date)|which year"
                       r"|when (was|were|did|will))\b", re.IGNORECASE)
_NAME = re.compile(r"(?<!^)(?<![.?!] )\b([A-Z][a-zA-Z]+(?:\s+[A-Z][a-zA-Z]+)*)")

EVIDENCE_FOR_WORDS = 1
MIN_SIMILARITY_ONE_MISSING = 0.5
MIN_SIMILARITY_ONE_UNKNOWN = 0.6
MIN_SIMILARITY_MORE_MISSING = 0.6


def _shared(a: set[str], b: set[str]) -> set[str]:
    out = a & b
    for w in a - out:
        if len(w) >= 5 and any(len(v) >= 5 and (v.startswith(w) or w.startswith(v)) for v in b):
            out.add(w)
    return out


def support_gaps(question: str, chunks: list[Chunk], vocabulary: tuple[str, ...] = (),
                 near: Callable[[str, str], bool] | None = None,
                 ) -> tuple[bool, list[str], list[str]]:
    """What the evidence lacks of the question: a number for a quantity question, names
    the corpus does not know, and the question's content words no evidence chunk holds."""
    words: set[str] = set()
    for c in chunks[:EVIDENCE_FOR_WORDS]:
        words |= words_of(c.embed_text() + " " + " ".join(c.header) + " " + c.group)
    lacks_number = bool(_QUANTITY.search(question)) and not re.search(r"\d", chunks[0].text)
    names = []
    for name in _NAME.findall(question):
        parts = set(tokenize(name)) - FRAME_WORDS
        unknown = [w for w in parts if not (vocabulary and _in_vocabulary(w, vocabulary))]
        if parts and not parts <= _shared(parts, words) and unknown:
            names.append(name)
        elif near is not None:
            seq = [w for w in tokenize(name) if w not in FRAME_WORDS]
            if not all(near(a, b) for a, b in pairwise(seq)):
                names.append(name)
    if vocabulary:
        names += [w for w in tokenize(question) if w.isdigit() and not _is_word(w, vocabulary)]
    q = set(tokenize(question)) - FRAME_WORDS
    missing = sorted(q - _shared(q, words))
    return lacks_number, names, missing


def _is_word(word: str, vocabulary: tuple[str, ...]) -> bool:
    i = bisect.bisect_left(vocabulary, word)
    return i < len(vocabulary) and vocabulary[i] == word


def _in_vocabulary(word: str, vocabulary: tuple[str, ...]) -> bool:
    i = bisect.bisect_left(vocabulary, word)
    if i < len(vocabulary) and (vocabulary[i] == word or
                                (len(word) >= 5 and vocabulary[i].startswith(word))):
        return True
    return any(word[:n] in vocabulary for n in range(5, len(word)) if
               (j := bisect.bisect_left(vocabulary, word[:n])) < len(vocabulary)
               and vocabulary[j] == word[:n])


def is_supported(question: str, chunks: list[Chunk], similarity: float,
                 vocabulary: tuple[str, ...] = (), scoped: bool = False,
                 near: Callable[[str, str], bool] | None = None) -> bool:
    """Whether the evidence (the cited chunk first) plausibly answers the question."""
    lacks_number, names, missing = support_gaps(question, chunks, vocabulary, near)
    if lacks_number or names:
        return False
    if not missing or scoped:
        return True
    named = set(tokenize(" ".join(_NAME.findall(question))))
    if len(missing) == 1 and missing[0] not in named:
        known = not vocabulary or _in_vocabulary(missing[0], vocabulary)
        need = MIN_SIMILARITY_ONE_MISSING if known else MIN_SIMILARITY_ONE_UNKNOWN
        return similarity >= need
    return similarity >= MIN_SIMILARITY_MORE_MISSING
