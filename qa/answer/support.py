"""The support check: does a claim answer the question from the chunk it cites?

The engine asks it of each candidate claim, best first, and abstains only when none is
supported. The check reads signals that do not depend on the wording of particular
questions and weighs them with a small logistic model fitted on the development sets
(`scripts/fit_support.py`; coefficients and threshold in `qa.answer.weights`):

- semantic: the question's similarity to the claim's unit and to the chunk's best unit,
  and how far that chunk stands ahead of the other evidence (no extra encoder call: the
  question vector against the stored unit vectors, as `Evidence.unit_scores` holds them);
- lexical: the rarity-weighted (IDF) share of the question's words that the claim and its
  chunk hold, and of words the corpus never uses;
- names and numbers the question states that the corpus never states, or that the cited
  chunk lacks; a name of several words the corpus never writes together;
- a question that asks for a quantity or a date against a claim without a number, and a
  negated question against a claim that is not;
- retrieval (the chunk's rank and dense score) and whether the question is scoped to one
  document.

A paraphrase (the reader's "embargo" for the text's "sanctions") loses a word but keeps a
high similarity; a near-miss (a swapped name, a date the text does not give) keeps most
words and similarity but trips a name, number or negation signal.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from functools import lru_cache
from itertools import pairwise

import numpy as np

from qa.answer import weights
from qa.answer.match import PREFIX_MATCH, joined_tokens, shared, tokens_of
from qa.answer.operators import comparison
from qa.answer.question import Question, analyze
from qa.answer.tables import cited_naming, label_share
from qa.answer.types import Claim, CorpusView, Evidence
from qa.chunk import Chunk
from qa.text.numbers import spelled_numbers
from qa.text.places import demonyms, places_named
from qa.text.tokens import tokenize


@dataclass(frozen=True)
class Support:
    """The check's verdict on one claim: whether it is supported, the calibrated
    probability that it answers the question from its chunk, and why not (in words a
    reader could see; empty when supported)."""

    ok: bool
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Features:
    """What the check reads of a (question, claim, evidence) triple; every field a number,
    in the order the model's coefficients follow (`weights.SUPPORT_WEIGHTS`)."""

    claim_sim: float  # the question's similarity to the claim's own unit(s)
    chunk_sim: float  # ... to the best unit of the claim's chunk
    sim_margin: float  # chunk_sim minus the best unit of any other retrieved chunk
    claim_recall: float  # IDF-weighted share of the question's words the claim holds
    chunk_recall: float  # ... that the chunk (with its section, caption, header) holds
    missing_top: float  # rarity of the rarest question word the chunk lacks (0..1)
    claim_missing_top: float  # ... that the claim lacks
    pair_share: float  # share of the question's word pairs the claim writes side by side
    unknown_words: float  # IDF-weighted share of the question's words the corpus never uses
    unknown_names: float  # names and numbers the corpus never states (at most 2)
    absent_names: float  # names and numbers the corpus states but the chunk lacks (at most 2)
    claim_names: float  # names and numbers the chunk states but the claim lacks (at most 2)
    number_gap: float  # 1 when a quantity or date is asked and the claim holds no number
    negation_gap: float  # 1 when the question is negated and the claim is not
    rank: float  # 1 / (1 + the claim chunk's rank among the evidence)
    dense: float  # the claim chunk's dense retrieval score
    scoped: float  # 1 when the question is scoped to one document
    sentence_gain: float  # claim_sim minus the question's similarity to the whole chunk
    best_unit_recall: float  # IDF-weighted share of the question's words one unit holds
    plain_missing: float  # share of the question's words (unweighted) the claim lacks
    names_off_claim: float  # share of the question's names and numbers the claim lacks
    numbers_off_chunk: float  # 1 when a number the question states is not in the chunk
    type_gap: float  # the asked-for kind (a name, a number or date) is not in the claim
    claim_negated: float  # 1 when the claim is negated and the question is not
    novel: float  # share of the claim's words the question lacks (what the claim adds)
    # Signals relative to the question and its article rather than absolute word overlap
    # (whose side flips between SQuAD's articles, see scripts/fit_support.py):
    number_other: float  # 1 when the claim lacks a number the question states and states
    #                      another instead (a date the text gives differently)
    near_miss: float  # claim_recall x claim_missing_top: a claim that holds most of the
    #                   question's words but lacks a rare one (an edited word, not a
    #                   paraphrase, which loses several)
    names_near_miss: float  # claim_recall x names_off_claim: ... but lacks a name it states
    # The learned reader's score (`qa.answer.reader`; 0 without a map written): it reads the
    # question against the unit asymmetrically, as an answer, not as a paraphrase.
    claim_learned: float  # its score of the claim's own unit(s)
    learned_margin: float  # that minus its best of any other retrieved chunk's units
    # Each question word aligned to the claim's sentence word by word (`alignment`): 1 for
    # a word it writes, else the model word table's cosine to its closest word (no encoder
    # call). A near-miss differs from the sentence that nearly answers it in one word.
    align_min: float  # the weakest question word's alignment
    align_second: float  # the second weakest's
    align_mean: float  # the IDF-weighted mean alignment
    align_gap: float  # the largest rarity x (1 - alignment) of a question word
    align_swap: float  # the weakest word's alignment when it is a substitute (not written,
    #                    close in the model's space: "major" for "minor", a sibling name)
    #                    and every other question word aligns well (their mean)
    # A word written in place of the question's (`substitutes`): a question word the claim
    # lacks whose two neighbours in the question the claim writes a few words apart with
    # other words between ("filmed in Mexico holds" / "filmed in Morocco holds"): the edit
    # that makes a near-miss of a sentence.
    substitute: float  # 1 when a question word is so replaced
    name_substitute: float  # 1 when the word replaced is one of the question's names or
    #                         numbers ("Ten Eyes" / "Nine Eyes", "2004" / "2014")
    # How the question names a claim on a table row (`row_naming`; 0 for a passage's
    # claim): a reader names a row by its label and a cell by its column's header, in words
    # the sentence-level signals above miss ("the economic side ... the region" for "For the
    # Economic aspect, Regional Impact: ...").
    row_label: float  # share of the row's label words the question holds
    row_column: float  # best share of a cited column's header words it holds
    row_value: float  # best share of a cited value's words it holds (a row found by value)
    row_cell: float  # row_label x row_column: it names both the row and the column
    row_label_lead: float  # row_label minus the best of any other retrieved row's: the
    #                        row the question names rather than one sharing a word with it

    def vector(self) -> tuple[float, ...]:
        """The values in field order."""
        return tuple(getattr(self, name) for name in FEATURES)


FEATURES = tuple(f.name for f in fields(Features))
MAX_COUNT = 2  # names beyond two add nothing: one unknown name is already decisive

# Names: capitalised words not at the start of a sentence ("What does Iran supply?"), and
# runs of them ("Kim Jong Un"); numbers of digits ("2019", "3.5").
_NAME = re.compile(r"(?<!^)(?<![.?!:] )(?<![.?!:]\s\")\b([A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*)")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# The question asks for a quantity or a date: English interrogatives that ask for one
# (grammar, not the wording of particular questions).
_QUANTITY = re.compile(r"\b(how (many|much|long|old|far|large|big|often)|when|what (year|date|"
                       r"percentage|percent|proportion|share|number|amount)|which year)\b",
                       re.IGNORECASE)
# Negators (a closed class of English): "not", "never", "no", "-n't", "without", ...
_NEGATION = re.compile(r"\b(not|never|no|none|neither|nor|without|cannot)\b|n['’]t\b",
                       re.IGNORECASE)
_DIGIT = re.compile(r"\d")
# The question asks for a name (a person, a place, a body): English interrogatives.
_WHO = re.compile(r"\b(who|whom|whose|where)\b", re.IGNORECASE)


def check(question: str, claim: Claim, evidence: Sequence[Evidence], corpus: CorpusView,
          scoped: bool) -> Support:
    """Whether `claim` answers `question` from its chunk, with the calibrated probability
    that it does and, when not, the reasons. `evidence` holds every retrieved chunk with the
    question's similarity to each of its units; `scoped` means the question was asked of
    one document."""
    f = features(question, claim, evidence, corpus, scoped)
    score = probability(f)
    ok = score >= (weights.SUPPORT_THRESHOLD_SCOPED if scoped else weights.SUPPORT_THRESHOLD)
    return Support(ok, score, () if ok else reasons(question, claim, f, corpus))


def probability(f: Features) -> float:
    """The logistic model over the features."""
    z = weights.SUPPORT_BIAS + sum(weights.SUPPORT_WEIGHTS[name] * x
                                   for name, x in zip(FEATURES, f.vector()))
    return 1.0 / (1.0 + math.exp(-z))


def features(question: str, claim: Claim, evidence: Sequence[Evidence], corpus: CorpusView,
             scoped: bool) -> Features:
    """The signals the check weighs (see `Features`)."""
    chunk = claim.chunk
    own = next((ev for ev in evidence if ev.hit.chunk.id == chunk.id), None)
    others = [max(ev.unit_scores, default=0.0) for ev in evidence if ev.hit.chunk.id != chunk.id]
    learned_others = [max(ev.unit_learned) for ev in evidence
                      if ev.hit.chunk.id != chunk.id and ev.unit_learned]
    quoted = claim_units(claim) if own is not None else []  # the units the claim quotes
    claim_learned = (max(own.unit_learned[u] for u in quoted)
                     if own is not None and own.unit_learned else None)
    if own is not None and own.unit_scores:
        chunk_sim = max(own.unit_scores)
        claim_sim = max(own.unit_scores[u] for u in quoted)
        rank = evidence.index(own)
        dense = own.hit.dense
    else:  # a claim on a chunk that was not retrieved (another row of a retrieved table)
        kin = [ev for ev in evidence if ev.hit.chunk.doc == chunk.doc
               and ev.hit.chunk.table is not None and ev.hit.chunk.table == chunk.table]
        chunk_sim = claim_sim = max((max(ev.unit_scores, default=0.0) for ev in kin),
                                    default=0.0)
        rank, dense = len(evidence), min((ev.hit.dense for ev in kin), default=0.0)

    asked = asked_of(question, corpus)
    q, weight, total, unknown = asked.words, asked.weight, asked.total, asked.unknown
    chunk_seq = chunk_words(chunk)[0]
    # a row's claim stands for its row: its label and column names belong to it
    claim_seq = tokens_of(claim.text) + (chunk_seq if chunk.kind == "table_row" else ())
    claim_set = frozenset(claim_seq)
    # each question word's presence: 1 when written, else its nearest neighbour's similarity
    in_claim = presence(q, shared(q, claim_set), claim_set, asked.near)
    top = rarest(corpus.idf) or 1.0
    whole = of_chunk(question, asked, chunk, corpus, top)
    off_claim = [weight[w] * (1.0 - x) for w, x in in_claim.items() if x < 1.0]
    _, claim_absent = name_gaps(question, claim_seq, corpus)
    pairs = asked.pairs
    whole_sim = own.unit_scores[0] if own is not None and own.unit_scores else chunk_sim
    stated = asked.names
    off_claim_names = [n for n, parts in zip(stated, asked.parts) if not phrase_in(parts, claim_seq)]
    claim_own = set(tokens_of(claim.text))
    recall = sum(weight[w] * x for w, x in in_claim.items()) / total if q else 1.0
    missing_rare = min(1.0, max(off_claim, default=0.0) / top)
    names_off = len(off_claim_names) / len(stated) if stated else 0.0
    return Features(
        claim_sim=claim_sim,
        chunk_sim=chunk_sim,
        sim_margin=chunk_sim - max(others, default=0.0),
        claim_recall=recall,
        chunk_recall=whole.recall,
        missing_top=whole.missing_top,
        claim_missing_top=missing_rare,
        pair_share=sum(phrase_in(p, claim_seq) for p in pairs) / len(pairs) if pairs else 1.0,
        unknown_words=sum(weight[w] for w in unknown) / total if q else 0.0,
        unknown_names=float(min(MAX_COUNT, len(whole.unknown_names))),
        absent_names=float(min(MAX_COUNT, len(whole.absent_names))),
        claim_names=float(min(MAX_COUNT, len(set(claim_absent) - set(whole.absent_names)))),
        number_gap=float(asked.quantity and not written_numbers(claim.text)),
        negation_gap=float(asked.negated and not _NEGATION.search(claim.text)),
        rank=1.0 / (1.0 + rank),
        dense=dense,
        scoped=float(scoped),
        sentence_gain=claim_sim - whole_sim,
        best_unit_recall=whole.best_unit_recall,
        plain_missing=sum(1.0 - x for x in in_claim.values()) / len(q) if q else 0.0,
        names_off_claim=names_off,
        numbers_off_chunk=whole.numbers_off,
        type_gap=type_gap(question, claim.text),
        claim_negated=float(bool(_NEGATION.search(claim.text)) and not asked.negated),
        novel=len(claim_own - q) / len(claim_own) if claim_own else 0.0,
        number_other=number_other([n for n in stated if _DIGIT.search(n)], claim.text),
        near_miss=recall * missing_rare,
        names_near_miss=recall * names_off,
        claim_learned=claim_learned or 0.0,
        learned_margin=(claim_learned - max(learned_others, default=claim_learned))
        if claim_learned is not None else 0.0,
        **word_by_word(asked, claim, claim_set, top, corpus),
        **row_naming(question, claim, evidence),
    )


@dataclass(frozen=True)
class ChunkReading:
    """What the check reads of a question against a claim's chunk as a whole (`Features`
    of the same names), the same for every claim on the chunk."""

    recall: float  # chunk_recall
    missing_top: float
    unknown_names: tuple[str, ...]
    absent_names: tuple[str, ...]
    best_unit_recall: float
    numbers_off: float  # numbers_off_chunk


# The chunks whose `ChunkReading` a question's `Asked` keeps (its claims stand on a few).
CACHED_CHUNKS = 64


def of_chunk(question: str, asked: Asked, chunk: Chunk, corpus: CorpusView,
             top: float) -> ChunkReading:
    """The question's `ChunkReading` of a chunk (`top`: the corpus's largest idf), kept
    in its `Asked` (which is the corpus version's: `asked_of`) for the claims that follow
    on the same chunk object."""
    kept = asked.chunks.get(chunk.id)
    if kept is not None and kept[0] is chunk:
        return kept[1]
    q, weight, total = asked.words, asked.weight, asked.total
    chunk_seq, units, chunk_set = chunk_words(chunk)
    in_chunk = presence(q, shared(q, chunk_set), chunk_set, asked.near)
    off_chunk = [weight[w] * (1.0 - x) for w, x in in_chunk.items() if x < 1.0]
    unknown_names, absent_names = name_gaps(question, chunk_seq, corpus)
    units = units[1:] or units  # its sentences, cells or items; the whole when it has none
    numbers = [parts for n, parts in zip(asked.names, asked.parts) if _DIGIT.search(n)]
    got = ChunkReading(
        recall=sum(weight[w] * x for w, x in in_chunk.items()) / total if q else 1.0,
        missing_top=min(1.0, max(off_chunk, default=0.0) / top),
        unknown_names=tuple(unknown_names),
        absent_names=tuple(absent_names),
        best_unit_recall=max((sum(weight[w] * x for w, x in
                                  presence(q, shared(q, u), u, asked.near).items()) / total
                              for u in units), default=0.0) if q else 1.0,
        numbers_off=float(any(not phrase_in(parts, chunk_seq) for parts in numbers)))
    if len(asked.chunks) >= CACHED_CHUNKS:
        asked.chunks.clear()
    asked.chunks[chunk.id] = (chunk, got)
    return got


ROW_NAMING = ("row_label", "row_column", "row_value", "row_cell", "row_label_lead")


def row_naming(question: str, claim: Claim, evidence: Sequence[Evidence]) -> dict[str, float]:
    """How the question names the row and the cited columns of a claim on a table row
    (`tables.cited_naming`, as the table strategies read a row), and how far the row's label
    stands ahead of the other retrieved rows'; 0 for each when the claim is on a passage, or
    when no fitted weight reads them (`weights.SUPPORT_ROW_NAMING`: the question's analysis
    and the rows' readings cost for nothing then)."""
    c = claim.chunk
    if not weights.SUPPORT_ROW_NAMING or c.kind != "table_row" or not c.cells:
        return dict.fromkeys(ROW_NAMING, 0.0)
    q = analyzed(question)
    label, column, value = cited_naming(q, c, claim.highlight)
    others = [label_share(q.words, ev.hit.chunk) for ev in evidence
              if ev.hit.chunk.kind == "table_row" and ev.hit.chunk.cells
              and ev.hit.chunk.id != c.id]
    return dict(zip(ROW_NAMING, (label, column, value, label * column,
                                 label - max(others, default=0.0))))


@lru_cache(maxsize=64)
def analyzed(question: str) -> Question:
    """The question as analysed whole (once per question: each of its claims is checked)."""
    return analyze(question, False)


def word_by_word(asked: Asked, claim: Claim, claim_set: frozenset[str], top: float,
                 corpus: CorpusView) -> dict[str, float]:
    """The features that read the question against the claim word by word (`alignment`,
    `substitutes`), or 0 for each when no fitted weight reads them
    (`weights.SUPPORT_WORD_BY_WORD`: they cost some 0.2 ms a claim, more with vectors)."""
    if not weights.SUPPORT_WORD_BY_WORD:
        return dict.fromkeys(WORD_BY_WORD, 0.0)
    q = asked.words
    aligned = alignment({w: asked.weight[w] / top for w in q}, shared(q, claim_set), claim_set,
                        corpus.stem_vectors)
    replaced = substitutes(asked.sequence, tokens_of(claim.text), asked.name_words)
    return dict(zip(WORD_BY_WORD, (*aligned, *replaced)))


# The most claim words that may stand between the two neighbours of a replaced question
# word (a name of a few words replaces one; more would be another clause, not an edit).
SUBSTITUTE_SPAN = 3


def substitutes(question: Sequence[str], claim: Sequence[str], name_words: frozenset[str]
                ) -> tuple[float, float]:
    """(1 when the claim writes another word in place of a question word, 1 when that word is
    a name or number of the question's): `question` and `claim` are stemmed words in order;
    a question word the claim lacks is replaced when the question's words on either side of
    it stand in the claim in order, 1 to SUBSTITUTE_SPAN words apart, with none of the
    question's words between them. `name_words`: the stemmed words of the question's names
    and numbers."""
    places: dict[str, list[int]] = {}
    for w in set(question):
        places[w] = [i for i, t in enumerate(claim) if _same(w, t)]
    asked = set(question)
    replaced = named = 0.0
    for k in range(1, len(question) - 1):
        w = question[k]
        if places[w]:
            continue
        left, right = places[question[k - 1]], places[question[k + 1]]
        if any(1 <= j - i - 1 <= SUBSTITUTE_SPAN
               and not any(_same(t, a) for t in claim[i + 1:j] for a in asked)
               for i in left for j in right):
            replaced = 1.0
            named = max(named, float(w in name_words))
    return replaced, named


ALIGNMENT = ("align_min", "align_second", "align_mean", "align_gap", "align_swap")
WORD_BY_WORD = (*ALIGNMENT, "substitute", "name_substitute")


def alignment(rarity: Mapping[str, float], found: set[str], text: frozenset[str],
              vectors) -> tuple[float, float, float, float, float]:
    """How each question word (`rarity`: its stem -> IDF share of the rarest) aligns with
    a claim's words (`text`, stems; `found`: the question words it writes): 1 when written,
    else the largest cosine of its vector to the claim's words' (`vectors(stems)`: their
    unit rows, None for a stem without one; 0 for a word without a vector, a number). Returns
    (the weakest word's alignment, the second weakest's, the rarity-weighted mean, the
    largest rarity x (1 - alignment), the weakest word's alignment when not written times
    the mean of the others'). Without `vectors` (None) a word aligns only when written."""
    if not rarity:
        return 1.0, 1.0, 1.0, 0.0, 0.0
    missing = [w for w in rarity if w not in found]
    best = dict.fromkeys(found & rarity.keys(), 1.0)
    if missing:
        best.update(dict.fromkeys(missing, 0.0))
        if vectors is not None:
            asked = vectors(tuple(missing))
            have = vectors(tuple(sorted(text)))
            rows = [i for i, v in enumerate(asked) if v is not None]
            cols = [v for v in have if v is not None]
            if rows and cols:
                sims = np.stack([asked[i] for i in rows]) @ np.stack(cols).T
                for i, s in zip(rows, sims.max(axis=1)):
                    best[missing[i]] = max(0.0, min(1.0, float(s)))
    order = sorted(rarity, key=lambda w: (best[w], -rarity[w], w))
    total = sum(rarity.values())
    mean = (sum(rarity[w] * best[w] for w in rarity) / total) if total else \
        sum(best.values()) / len(best)
    weakest = order[0]
    others = [best[w] for w in order[1:]]
    swap = best[weakest] * (sum(others) / len(others) if others else 1.0) \
        if weakest not in found else 0.0
    return (best[weakest], best[order[1]] if len(order) > 1 else 1.0, mean,
            max(rarity[w] * (1.0 - best[w]) for w in rarity), swap)



@dataclass(frozen=True)
class Asked:
    """What the check reads of a question alone, worked out once per question and index
    version (every candidate claim is checked against the same): its content words, their
    rarity and its sum, the words the corpus never uses, its word pairs, the names it
    states with their words and whether the corpus never states each, and whether it asks
    a quantity or is negated."""

    words: set[str]
    weight: dict[str, float]
    total: float
    unknown: set[str]
    pairs: list[tuple[str, str]]
    names: list[str]
    parts: list[tuple[str, ...]]  # each name's stemmed words
    never: list[bool]  # each name: the corpus never states it (see `name_gaps`)
    quantity: bool
    negated: bool
    sequence: tuple[str, ...] = ()  # its stemmed words in order (stopwords dropped)
    name_words: frozenset[str] = frozenset()  # the stemmed words of its names and numbers
    # each question word the corpus does not write -> its nearest corpus words (stems) and
    # their similarity in the model's space (`CorpusView.neighbours`)
    near: Mapping[str, Sequence[tuple[str, float]]] = field(default_factory=dict)
    # the chunks read against it so far: chunk id -> (the chunk, its `ChunkReading`)
    chunks: dict[str, tuple[Chunk, ChunkReading]] = field(default_factory=dict, compare=False,
                                                          repr=False)


def presence(q: set[str], found: set[str], text: frozenset[str],
             near: Mapping[str, Sequence[tuple[str, float]]]) -> dict[str, float]:
    """Each question word's presence in a text (its stemmed words): 1 for those it holds
    (`found`), else the similarity of the nearest of the word's neighbours it holds, 0
    without one: a reader's "supremacy" counts nearly as present in a sentence of
    "dominance" (similarity 0.61), against a text of neither."""
    return {w: 1.0 if w in found else max((s for n, s in near.get(w, ()) if n in text),
                                          default=0.0) for w in q}


def asked_of(question: str, corpus: CorpusView) -> Asked:
    """The question's `Asked`, kept for the last questions asked of this corpus (one index
    version at a time: a new one starts afresh and keeps no other alive)."""
    global _ASKED
    owner, table = _ASKED
    if owner is not corpus:
        table = {}
        _ASKED = (corpus, table)  # a thread still on the old version fills the old table
    got = table.get(question)
    if got is None:
        if len(table) >= CACHED_QUESTIONS:
            table.clear()
        got = table[question] = _work_out(question, corpus)
    return got


# Questions whose `Asked` is kept: the engine checks a question's claims one after the other
# (and a multi-part question's parts), so a few suffice.
CACHED_QUESTIONS = 64
_ASKED: tuple[object, dict[str, Asked]] = (None, {})


def _work_out(question: str, corpus: CorpusView) -> Asked:
    q = content_words(question)
    weight = word_weights(q, corpus)
    known = corpus.vocabulary
    stated = names(question)
    parts = [as_written(tuple(tokenize(n)), known) for n in stated]
    # a place the corpus names only by its demonym ("Dutch-born" for the Netherlands)
    written = places_written(known) if parts else ()
    never = [bool(p) and p not in written and (any(not is_known(w, known) for w in p)
                                               or not all(corpus.near(a, b) for a, b in pairwise(p)))
             for p in parts]
    return Asked(q, weight, sum(weight.values()) or 1.0, {w for w in q if not is_known(w, known)},
                 list(pairwise(tokenize(question))), stated, parts, never,
                 bool(_QUANTITY.search(question)), bool(_NEGATION.search(question)),
                 tuple(tokenize(question)), frozenset(w for p in parts for w in p),
                 corpus.neighbours(question) if weights.SUPPORT_NEIGHBOURS else {})


def places_written(vocabulary: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """The places (each its stemmed words) a corpus names by a demonym it writes, worked
    out once per vocabulary (per index version: it read every demonym against the
    vocabulary, some 3 ms, for each question that states a name). The last few
    vocabularies are kept, each by identity: a rebuilt index brings a new one, which is
    worked out afresh however alike, and a kept one stays alive, so its id is never
    another's."""
    global _PLACES
    kept = _PLACES  # replaced whole, never changed in place: other threads read it
    for known, places in kept:
        if known is vocabulary:
            return places
    places = places_named(d for d in demonyms() if is_known(d, vocabulary))
    _PLACES = ((vocabulary, places), *kept[:CACHED_VERSIONS - 1])
    return places


# Index versions whose per-version readings are kept: the one served and the one before
# it (a request may still be answering on it after a swap).
CACHED_VERSIONS = 2
_PLACES: tuple[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]], ...] = ()


def number_other(numbers: list[str], claim: str) -> float:
    """1 when the claim lacks a number the question states (`numbers`, as written) and
    states another in its place ("on 8 April" against a sentence of 18 April); else 0."""
    said = set(_NUMBER.findall(claim))
    stated = set(numbers)
    return float(bool(stated - said) and bool(said - stated))


# Where letters meet digits inside one word ("IFRS9").
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")


def as_written(part: tuple[str, ...], known: tuple[str, ...]) -> tuple[str, ...]:
    """A name's words as the corpus writes them: a word it never writes that runs letters
    into digits ("IFRS9") is its letters and digits apart ("IFRS 9") when the corpus
    writes those, as one report writes a standard's or a quarter's name and a reader
    another."""
    out: list[str] = []
    for w in part:
        apart = tokenize(_LETTER_DIGIT.sub(" ", w))
        if len(apart) > 1 and not is_known(w, known) and all(is_known(a, known) for a in apart):
            out += apart
        else:
            out.append(w)
    return tuple(out)


def written_numbers(text: str) -> list[str]:
    """The numbers a text writes, in figures ("2019", "3.5") or in words ("twelve")."""
    return [*_NUMBER.findall(text), *spelled_numbers(text)]


def type_gap(question: str, claim: str) -> float:
    """1 when the question asks for a kind of thing the claim does not bring beyond the
    question's own words: a name (who, whose, where: a capitalised word the question
    lacks) or a quantity or date (a figure the question does not state); else 0."""
    if _QUANTITY.search(question):
        asked = set(written_numbers(question))
        return float(not any(n not in asked for n in written_numbers(claim)))
    if _WHO.search(question):
        asked = set(tokenize(" ".join(names(question))))
        new = [m.group(1) for m in _NAME.finditer(claim)]
        return float(not any(set(tokenize(n)) - asked for n in new))
    return 0.0


# --- the parts of the features ---------------------------------------------------------


def content_words(text: str) -> set[str]:
    """The stemmed content words of a text (stopwords dropped)."""
    return set(tokenize(text))


def word_weights(words: set[str], corpus: CorpusView) -> dict[str, float]:
    """Each word's rarity in the corpus (IDF); a word the corpus never uses weighs as the
    rarest one does."""
    rare = rarest(corpus.idf)
    return {w: max(corpus.idf.get(w, rare), 0.0) for w in words}


_RAREST: dict[int, tuple[Mapping[str, float], float]] = {}


def rarest(idf: Mapping[str, float]) -> float:
    """The highest IDF of a corpus (worked out once per index version)."""
    known = _RAREST.get(id(idf))
    if known is None or known[0] is not idf:
        known = (idf, max(idf.values(), default=1.0))
        _RAREST.clear()  # one version at a time is served; keep no others alive
        _RAREST[id(idf)] = known
    return known[1]


@lru_cache(maxsize=4096)
def chunk_words(chunk: Chunk) -> tuple[tuple[str, ...], tuple[frozenset[str], ...],
                                       frozenset[str]]:
    """A chunk's stemmed words in order (with its section, caption, row group and column
    names), the words of each of its units, and the chunk's words as a set: read once per
    chunk, not per question."""
    c = chunk
    # the words of " ".join([c.embed_text(), c.caption, c.group, *c.header]) and of each
    # unit (the first is the embedded text), read from the cached words of each part
    whole = joined_tokens(*([c.section] if c.section else []), c.text)
    seq = whole + joined_tokens(c.caption, c.group, *c.header)
    units = [frozenset(whole)] + [frozenset(tokens_of(u)) for u in c.units()[1:]]
    return seq, tuple(units), frozenset(seq)


def is_known(word: str, vocabulary: tuple[str, ...]) -> bool:
    """Whether the corpus (its sorted vocabulary of stems) uses the word, a word it
    begins, or one sharing its first five letters or more."""
    i = bisect.bisect_left(vocabulary, word)
    if i < len(vocabulary) and (vocabulary[i] == word or
                                (len(word) >= 5 and vocabulary[i].startswith(word))):
        return True
    return len(word) >= 5 and any(_holds(vocabulary, word[:n]) for n in range(5, len(word)))


def _holds(vocabulary: tuple[str, ...], word: str) -> bool:
    i = bisect.bisect_left(vocabulary, word)
    return i < len(vocabulary) and vocabulary[i] == word


def names(question: str) -> list[str]:
    """The names a question states: capitalised words (and runs of them) not at the start
    of a sentence, and numbers, but for the figure a comparison sets ("greater than $8,200
    thousand"): the reader chooses it, the documents need not state it."""
    return list(_names(question))


@lru_cache(maxsize=1024)
def _names(question: str) -> tuple[str, ...]:
    found = [m.group(1) for m in _NAME.finditer(question)]
    compared = comparison(question)
    threshold = next((m.start() for m in _NUMBER.finditer(question, compared[1])), None) \
        if compared else None
    return tuple(found + [m.group() for m in _NUMBER.finditer(question)
                          if m.group() not in " ".join(found) and m.start() != threshold])


def name_gaps(question: str, text: tuple[str, ...], corpus: CorpusView
              ) -> tuple[list[str], list[str]]:
    """(names the corpus never states, names it states but `text` (stemmed words in order)
    does not write as they are written, nor by its demonym: `qa.text.places`). A name of
    several words is unknown when any of
    its words is, or when the corpus never writes two of them near each other ("Korean
    War": both words occur, never together); it is in the text only as a phrase
    ("Twilight Enemies" is not in a text about enemies in Twilight Princess)."""
    unknown, absent = [], []
    asked = asked_of(question, corpus)
    for name, parts, never in zip(asked.names, asked.parts, asked.never):
        if not parts:
            continue
        if never:
            unknown.append(name)
        elif not phrase_in(parts, text) and parts not in places_named(text):
            absent.append(name)
    return unknown, absent


def phrase_in(phrase: Sequence[str], text: tuple[str, ...]) -> bool:
    """Whether `text` (stemmed words in order) holds the words of `phrase` side by side,
    each the same word or one sharing a long prefix. Only the places where the phrase's
    first word can match are tried (`_places`: the text is read once, not per phrase)."""
    n = len(phrase)
    if not n:
        return True
    first = phrase[0]
    exact, by_prefix = _places(text)
    starts = (by_prefix.get(first[:PREFIX_MATCH], ()) if len(first) >= PREFIX_MATCH
              else exact.get(first, ()))
    last = len(text) - n
    for i in starts:  # ascending
        if i > last:
            break
        if _same(first, text[i]) and all(_same(a, b) for a, b in zip(phrase[1:],
                                                                       text[i + 1:i + n])):
            return True
    return False


@lru_cache(maxsize=4096)
def _places(text: tuple[str, ...]) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """Where each word of a text stands, and each long word by its first PREFIX_MATCH
    letters (the only words `_same` can match a long word with)."""
    exact: dict[str, list[int]] = {}
    by_prefix: dict[str, list[int]] = {}
    for i, w in enumerate(text):
        exact.setdefault(w, []).append(i)
        if len(w) >= PREFIX_MATCH:
            by_prefix.setdefault(w[:PREFIX_MATCH], []).append(i)
    return exact, by_prefix


def _same(a: str, b: str) -> bool:
    return a == b or (len(a) >= 5 and len(b) >= 5 and (a.startswith(b) or b.startswith(a)))


def claim_units(claim: Claim) -> list[int]:
    """The units of the claim's chunk (`chunk.units()` order) the claim quotes: those whose
    words the claim holds or that hold the claim's words; the whole chunk when none do."""
    c = claim.chunk
    quotes = c.quotes()
    if len(quotes) == 1:
        return [0]
    words = set(tokens_of(claim.text))
    units = chunk_words(c)[1]
    out = []
    for u in range(1, len(quotes)):
        unit = units[u]
        if not unit or not words:
            continue
        inside = len(unit & words) / len(unit)
        holds = len(unit & words) / len(words)
        if inside >= QUOTE_SHARE or holds >= QUOTE_SHARE:
            out.append(u)
    return out or [0]


# A unit belongs to a claim when this share of its words is in the claim, or of the claim's
# words in it (a claim quotes its sentence or cell, condensed at most).
QUOTE_SHARE = 0.8


# --- reasons ---------------------------------------------------------------------------


def reasons(question: str, claim: Claim, f: Features, corpus: CorpusView) -> tuple[str, ...]:
    """Why a claim is not supported, in words a reader could see, strongest first."""
    out: list[str] = []
    unknown, absent = name_gaps(question, chunk_words(claim.chunk)[0], corpus)
    out += [f"the documents never name '{n}'" for n in unknown]
    out += [f"the cited passage does not mention '{n}'" for n in absent]
    if f.number_gap:
        out.append("the question asks for a number or a date; the cited text gives none")
    if f.negation_gap:
        out.append("the question is negated; the cited text is not")
    lacking = missing_words(question, claim)
    if lacking and f.chunk_recall < 1.0:
        out.append("the cited passage lacks " + ", ".join(f"'{w}'" for w in lacking[:4]))
    if not out:
        out.append(f"the cited passage is not close enough to the question "
                   f"(similarity {f.chunk_sim:.2f})")
    return tuple(out)


def missing_words(question: str, claim: Claim) -> list[str]:
    """The question's words (as written) whose stems the claim's chunk lacks."""
    have = chunk_words(claim.chunk)[2]
    out = []
    for word in re.findall(r"[\w'’-]+", question):
        stems = tokenize(word)
        if stems and not shared(set(stems), have) and word not in out:
            out.append(word)
    return out
