"""Named features of a candidate answer, the same for every strategy, so that one fitted
ranker compares a table cell with a sentence with a computed value.

Each is a number in about [0, 1]: how retrieval placed the claim's chunk, how similar the
question is to the unit the claim quotes, how much of the question (weighted by rarity)
the claim and its chunk hold, how long it is, which strategy made it, and what kind of
question meets what kind of claim (a "when" question and a claim with a date the
question does not give, a "who" question and a name, a "how much" and a number; the
same by the answer kind the interrogative asks for, `Question.expects`), how close together
a sentence holds the question's words, and how each candidate ranks among the question's
others by a measure. A strategy adds its own (how well a row's label and column match, ...).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from functools import lru_cache
from itertools import repeat

from qa.answer.match import (
    PREFIX_MATCH,
    joined_tokens,
    nearest,
    pairs_in,
    pairs_of,
    places_found,
    question_weights,
    set_of,
    shared,
    tokens_of,
    weighted_share,
    word_places,
    words_of,
)
from qa.answer.question import Question
from qa.answer.types import Candidate, Claim, CorpusView, Evidence
from qa.chunk import Chunk
from qa.text.numbers import spelled_numbers
from qa.text.places import is_place
from qa.text.sentences import sentences, series
from qa.text.tokens import tokenize

_NAME_INSIDE = re.compile(r"(?<=\w[ ,(])([A-Z][\w'’-]*)")
_NUMBER = re.compile(r"\d[\d,.]*")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
# The first words of a claim, where a sentence about the question's subject names it.
LEAD_WORDS = 8
# What each feature measures (the fitted weights in `qa.answer.weights` are commented
# with these; "s=K" is 1 for strategy K, "ask=A&s=K" for a question asking A answered by
# K, "K&m" is measure m for strategy K, "mixed:m" measure m when tables are retrieved).
FEATURES = {
    "retrieval": "the claim's chunk's retrieval score, relative to the best",
    "first_rank": "1 / (1 + the claim's chunk's place in retrieval)",
    "dense": "the question's similarity to the unit the claim quotes",
    "dense_gap": "that similarity minus the best of any retrieved unit",
    "learned": "the learned reader's score of the claim's unit minus its best of any retrieved unit",
    "overlap": "share of the question's words (by rarity) the claim holds",
    "overlap_chunk": "share of the question's words the claim's chunk holds",
    "overlap_start": "share of the question's words in the claim's first words",
    "novel": "share of the claim's words the question lacks",
    "pairs": "share of the question's word pairs the claim holds",
    "overlap_near": "share of the question's words the claim and the sentence before it hold",
    "pairs_near": "share of the question's word pairs the claim and the sentence before hold",
    "top:overlap": "the claim holds the most of the question's words of all candidates",
    "top:overlap_near": "the claim with its sentence before holds the most question words",
    "top:dense": "the claim's unit is the question's most similar of all candidates",
    "top:pairs": "the claim holds the most of the question's word pairs of all candidates",
    "rank:overlap": "1 / (1 + how many candidates hold more of the question's words)",
    "rank:overlap_near": "1 / (1 + how many hold more with their sentence before)",
    "rank:dense": "1 / (1 + how many candidates' units are more similar to the question)",
    "rank:learned": "1 / (1 + how many candidates' units the learned reader scores higher)",
    "rank:pairs": "1 / (1 + how many candidates hold more of the question's word pairs)",
    "head": "share of the wh-phrase's words (\"which singer\": sing) the claim holds",
    "names_match": "share of the question's capitalised names the claim holds",
    "years_match": "share of the question's years the claim (or its columns) holds",
    "years_other": "the claim gives a year the question does not ask",
    "chars": "the claim's length / 400",
    "claims": "how many claims / 5",
    "chunks": "how many cited chunks / 5",
    "bias": "1",
    "plural&claims": "claims / 5 when the question asks for something plural",
    "label_match": "share of the row's label the question holds",
    "label_words": "how many label words the question holds / 4",
    "column_match": "share of the named column's header the question holds",
    "columns_named": "the question names a column",
    "asks_label": "the question names the label column's header",
    "value_match": "share of the cell value the question holds (reverse look-up)",
    "rows_named": "how many rows the question names / 4",
    "rows_left": "share of the rows the question names that a one-row answer leaves out",
    "head_label_header": "the asked-for noun matches the table's label column",
    "head_group": "the asked-for noun matches the row group",
    "head_caption": "the asked-for noun matches the caption",
    "head_period": "the asked-for noun is a period (years) and the columns are periods",
    "head_other": "the asked-for noun is a noun other than a period (items, segments)",
    "total_named": "the question names the total row of the items listed",
    "ordinal": "the row at the place an ordinal word asks for",
    "q_table": "the question names the table",
    "items": "how many items the table answer lists / 12",
    "group_named": "the question names the row group listed",
    "row_named": "the best share of a row label the question holds",
    "values": "how many values were compared / 12",
    "among_named": "compared among the rows the question names",
    "periods": "the row's columns are periods",
    "stated": "share of the question's words the yes/no sentence states",
    "denied": "the verdict is No",
    "is_item": "the claim is a list item",
    "whole_list": "the claim is a whole list, condensed",
    "footnote": "the sentence is the footnote of a row or column the question names",
    "next": "the sentence with the one after it",
    "then": "a sentence giving no value of the asked kind with the next one, which gives one "
            "(`sentences.announces`)",
    "then&expects=date": "the same, for a question asking a date",
    "then&expects=number": "the same, for a question asking a number",
    "then&expects=person": "the same, for a question asking who",
    "then&expects=place": "the same, for a question asking where",
    "proximity": "the most of the question's words (by rarity) within PROXIMITY words of the claim",
    "dense_chunk": "a sentence's similarity minus that of its passage as a whole",
    "dense_before": "the question's similarity to the sentence before the claim's",
    "expects=date&date": "a question asking a date (when, what year) and a claim with a new one",
    "expects=number&number": "a question asking a number (how many, how long) and a new number",
    "expects=person&name": "a question asking who and a claim with a name it does not write",
    "expects=place&name": "a question asking where and a claim with a name it does not write",
    "expects=date&near": "of the question's words, the most (by rarity) within PROXIMITY words "
                         "of a date the claim newly gives (the date is of the asked thing)",
    "expects=number&near": "the same for a number the claim newly gives",
    "expects=person&near": "the same for a name the claim newly gives",
    "expects=place&near": "the same for a name the claim newly gives",
    "pieces": "how many sentences or items / 5",
    "lead_doc": "the claim is its document's first sentence (it names and defines the subject)",
    "lead_section": "the claim is the first sentence under its heading",
    "lead_chunk": "the claim is its passage's first sentence",
    "list&series": "for a list question, the members of the one claim's longest series "
                   "(`sentences.series`: 1 -> 0, 5 or more -> 1)",
    "topic_near": "how near a summary's topic words are to the section's heading in the "
                  "model's word space (`sections.closeness`)",
    "topic_retrieval": "the section's best retrieved chunk's score, relative to the best",
    "topic_found": "how many of the best four retrieved chunks stand in the section / 4",
    "list&series_lead": "list&series times the share of the question's words (by rarity) in "
                        "the series' lead (before its second member)",
}
# Measures that get a weight of their own for each strategy.
PER_STRATEGY = ("dense", "overlap", "overlap_chunk", "retrieval")
# Measures that get a second weight when table rows are among the evidence (a report's
# tables and prose) rather than prose alone (an article).
MIXED = ("dense", "dense_gap", "overlap", "overlap_chunk", "overlap_start", "retrieval",
         "first_rank", "pairs", "names_match", "years_match", "bias")
# A date: a year of four figures from 1000 (a history's "1368" as much as a report's
# "2019"), a month, a decade, a century.
_DATE = re.compile(r"\b(1\d\d\d|20\d\d)\b|\b(January|February|March|April|May|June|July|"
                   r"August|September|October|November|December)\b"
                   r"|\b\d{3,4}s\b|\b\d{1,2}(?:st|nd|rd|th)[- ]century\b")  # 1990s, 19th century


# The kind of value a claim gives that answers each kind of question (`Question.expects`).
_GIVES = {"date": "date", "number": "number", "person": "name", "place": "name"}
# The words of a date as the tokenizer reads them: a year, a decade ("1990s"), a century
# ("19th"), a month (its stem).
_DATE_TOKEN = re.compile(r"1\d\d\d|20\d\d|\d{3,4}s|\d{1,2}(?:st|nd|rd|th)")
_MONTHS = frozenset(tokenize("January February March April May June July August September "
                             "October November December"))


def _typed(token: str, gives: str, names: frozenset[str]) -> bool:
    """Whether a claim's (stemmed) word is a value of the kind a question asks for: a date's
    word, a number, a word of a name (`names`: the stems of the claim's new names)."""
    if gives == "date":
        return token in _MONTHS or bool(_DATE_TOKEN.fullmatch(token))
    if gives == "number":
        return token[:1].isdigit()
    return token in names


def typed_near(question: Question, text: str, gives: str, idf, width: int,
               places: tuple[tuple[int, str], ...] | None = None) -> float:
    """The largest share of the question's words (by rarity) that stand within `width`
    words of a value of the asked kind which the question does not itself write (a date, a
    number, a name): whether the claim's date is the date of the asked thing ("Lee
    published the novel in 1960") or of something else it also says; 0 without one."""
    tokens = tokens_of(text)
    names = frozenset(w for n in asked_names(question, text) if not words_of(n) <= question.words
                      for w in tokens_of(n)) if gives == "name" else frozenset()
    spots = [i for i, t in enumerate(tokens)
             if t not in question.words and _typed(t, gives, names)]
    if not spots:
        return 0.0
    # the `weighted_share` of the words within `width` of each spot, read from where the
    # question's words stand (`word_places`), not from each run's words anew
    hits = places if places is not None else (
        word_places(question.words, tokens) if question.words else ())
    if not hits:
        return 0.0
    weight, total = question_weights(question.words, idf)
    if not total:
        return 0.0
    return max(sum(weight[w] for w in {w for j, w in hits if i - width <= j <= i + width})
               for i in spots) / total


def _fresh(question: Question, text: str) -> tuple[float, float, float]:
    """Whether the claim gives what a question of its kind asks for and does not itself
    hold: a number, a name, a date beyond those the question writes."""
    numbers, _, dates = values_in(text)
    names = asked_names(question, text)
    asked = stated_numbers(question.numbers, question.years, question.text)
    return (float(bool(numbers - asked)),
            float(any(not words_of(n) <= question.words for n in names)),
            float(bool(dates - set(question.years))))


@lru_cache(maxsize=256)
def stated_numbers(numbers: tuple[str, ...], years: tuple[str, ...], text: str
                   ) -> frozenset[str]:
    """The numbers a question writes (its figures, its years, its number words), bare of
    signs and separators; cached for the last questions: every candidate is read against
    them."""
    return frozenset(n.strip("$%,.") for n in (*numbers, *years, *spelled_numbers(text)))


def gives_asked(question: Question) -> Callable[[str], bool] | None:
    """Whether a text gives a value of the kind the question asks for (a date, a number, a
    name; for "who" one that is no place, `asked_names`) that the question does not itself
    write; None for a question asking no kind."""
    gives = _GIVES.get(question.expects)
    if gives is None:
        return None
    at = ("number", "name", "date").index(gives)
    return lambda text: bool(_fresh(question, text)[at])


def asked_names(question: Question, text: str) -> frozenset[str]:
    """The capitalised names of a text (`values_in`) that may answer the question: for one
    asking who, those that are not a place (`places.is_place`: "Sweden", "Dutch")."""
    names = values_in(text)[1]
    if question.expects != "person":
        return names
    return frozenset(n for n in names if not is_place(n))


@lru_cache(maxsize=1 << 14)
def values_in(text: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The numbers (in figures or in words), the capitalised names after a text's first
    word, and the dates a text writes (cached: a sentence is a claim of many candidates
    and questions)."""
    return (frozenset([*(n.strip(",.") for n in _NUMBER.findall(text)),
                       *spelled_numbers(text)]),
            frozenset(_NAME_INSIDE.findall(text)),
            frozenset(m.group(0) for m in _DATE.finditer(text)))


def before(chunk: Chunk, text: str) -> str:
    """The sentence of a passage before the one a claim quotes ("" for the first, a row or a
    list): an answer sentence often names its subject only there ("It was ...")."""
    if chunk.kind != "passage" or chunk.is_list:
        return ""
    return sentence_before(chunk.text, text)


@lru_cache(maxsize=1 << 14)
def sentence_before(passage: str, text: str) -> str:
    """The sentence of `passage` before the first one holding `text` ("" for the first, or
    when none does); cached: the same sentence is a claim of many questions."""
    texts = sentences(passage)
    text = text.strip("… ")
    i = next((k for k, t in enumerate(texts) if text and text in t), 0)
    return texts[i - 1] if i > 0 else ""


def leads(chunk: Chunk, text: str, corpus: CorpusView) -> tuple[float, float, float]:
    """Whether a claim is the first sentence of its document, of its section, of its
    passage: a lead sentence names what the text is about and defines it ("X is a novel by
    Y"), so it answers a question about the subject as a whole, though it shares few of its
    words."""
    if chunk.kind != "passage" or chunk.is_list or not text:
        return 0.0, 0.0, 0.0
    first = sentences(chunk.text)
    if not first or text.strip("… ") not in first[0]:
        return 0.0, 0.0, 0.0
    doc, section = corpus.document_of(chunk), corpus.section_of(chunk)
    return (float(bool(doc) and doc[0].id == chunk.id),
            float(bool(section) and section[0].id == chunk.id), 1.0)


# The width (content words) of the window in which `proximity` counts the question's words:
# an answer sentence holds the question's words together ("won by Beck for his album of the
# year"), a sentence that only mentions them holds them apart. About a clause's length.
PROXIMITY = 8


def unit_dense(chunk: Chunk, ev: Evidence | None, text: str) -> float:
    """The question's similarity to the unit of a chunk that quotes `text` (0 when none
    does, or without scores)."""
    if ev is None or not text:
        return 0.0
    scores = ev.unit_scores
    return float(max((s for q, s in zip(chunk.quotes()[1:], scores[1:]) if q == text),
                     default=0.0))


# Measures on which a candidate that is best of all the question's candidates gets a
# feature of its own (`top:`): the ranker's sum is linear in each, and being first by a
# measure says more than its size (a question's best sentence by its words may hold few).
TOP = ("overlap", "overlap_near", "dense", "pairs")
# Measures that get their `rank:` alone: the learned reader's score is a gap to the best
# retrieved unit (0 for it, below 0 for the others), so its place among the candidates is
# what a `top:` would add.
RANKED = ("learned",)
# Each measure of `mark_tops` with the names of its features ("" for no `top:`).
_MARKS = tuple((k, f"top:{k}" if k in TOP else "", f"rank:{k}") for k in (*TOP, *RANKED))


def mark_tops(features: list[dict[str, float]]) -> None:
    """Add `top:m` (1 for the candidates with the most of measure m, else 0) and `rank:m`
    (1 / (1 + how many candidates have more of it)) in place; `rank:m` alone for the
    measures of RANKED."""
    for k, top, ranked in _MARKS:
        values = sorted(f.get(k, 0.0) for f in features)
        best = values[-1] if values else 0.0
        for f in features:
            v = f.get(k, 0.0)
            if top:
                f[top] = float(best > 0 and v >= best - 1e-9)
            f[ranked] = 1.0 / (1 + len(values) - bisect_right(values, v + 1e-9))


def claim_dense(claim: Claim, ev: Evidence | None) -> float:
    """The question's similarity to the unit a claim quotes: a sentence (or one of its
    clauses) of a passage, the cells of a row it cites (the whole row when none is text)."""
    if ev is None or not ev.unit_scores:
        return 0.0
    return claim_score(claim, ev.unit_scores)


def claim_score(claim: Claim, scores: Sequence[float]) -> float:
    """A claim's unit's score of `scores` (one per unit of its chunk, as `claim_dense`
    reads the cosine and the learned reader's score alike)."""
    c = claim.chunk
    if c.kind == "table_row":
        picked = [k for k, j in enumerate(c.unit_columns) if j is not None and j in claim.highlight]
        return float(max((scores[k] for k in picked if k < len(scores)), default=scores[0]))
    quotes = c.quotes()
    inside = [s for q, s in zip(quotes[1:], scores[1:]) if q and q in claim.text]
    text = claim.text.strip("… ")
    inside += [s for u, s in zip(c.units()[1:], scores[1:]) if text and text in u]
    return float(max(inside, default=scores[0]))


class Measures:
    """What every candidate of one question is measured against, worked out once: the
    evidence by chunk, its best scores, the question's word pairs, names and years, and
    each chunk's share of the question's words."""

    def __init__(self, question: Question, evidence: Sequence[Evidence],
                 corpus: CorpusView) -> None:
        self.question = question
        self.idf = corpus.idf
        self.by_id = {ev.hit.chunk.id: (i, ev) for i, ev in enumerate(evidence)}
        self.size = len(evidence)
        self.top = max((e.hit.score for e in evidence), default=0.0) or 1.0
        self.best_unit = max((max(e.unit_scores, default=0.0) for e in evidence), default=0.0)
        learned = [x for e in evidence for x in e.unit_learned]
        # the learned reader's best unit, and its worst (a claim on a chunk that was not
        # retrieved, another row of a retrieved table, is read as no better than that)
        self.learned_best = max(learned, default=0.0)
        self.learned_floor = min(learned, default=0.0) - self.learned_best
        self.pairs = pairs_of(question.text)
        self.names = [words_of(n) for n in question.names if words_of(n)]
        self.years = list(question.years)
        # the asked-for noun of a "what"/"which" phrase: the answer often stands beside it
        self.head = words_of(" ".join(question.head)) if question.wh in ("what", "which") \
            else frozenset()
        self._chunk_overlap: dict[str, float] = {}
        # the question words' weights, and the words `shared` finds of each set of words
        # measured (by identity: a claim's words are read by several measures)
        self.weight, self.total = question_weights(question.words, corpus.idf)
        self._found: dict[int, tuple[frozenset[str], set[str]]] = {}
        # what `shared(words, question.words)` matches a long word with beside the
        # question's own words: their long prefixes, and the long words it may begin with
        self.q_prefixes = frozenset(v[:n] for v in question.words
                                    for n in range(PREFIX_MATCH, len(v)))
        self.q_long = tuple(v for v in question.words if len(v) >= PREFIX_MATCH)

    def found(self, words: frozenset[str]) -> set[str]:
        """`shared(question.words, words)`, kept for the question's other measures of the
        same set."""
        kept = self._found.get(id(words))
        if kept is not None and kept[0] is words:
            return kept[1]
        got = shared(self.question.words, words)
        self._found[id(words)] = (words, got)  # the set is kept alive: its id is its own
        return got

    def share(self, words: frozenset[str]) -> float:
        """`weighted_share(question.words, words, idf)`, read from `found`."""
        return self.share_of(self.found(words))

    def share_of(self, found: set[str]) -> float:
        """The weighted share of the question's words of those `shared` found (the found
        words of a union of sets being the union of theirs)."""
        weight = self.weight
        return sum(weight[w] for w in found) / self.total if self.total else 0.0

    def novel(self, said: frozenset[str]) -> float:
        """The share of a claim's words the question lacks: those not in
        `shared(said, question.words)`, read word by word against the question's prefixes
        (the same words: see `shared`)."""
        if not said:
            return 0.0
        rest = said - self.question.words
        # a word found as a prefix of a question word's, or beginning with a long one
        held = rest & self.q_prefixes
        lacked = len(rest) - len(held)
        if self.q_long:
            lacked -= sum(map(str.startswith, rest - held, repeat(self.q_long)))
        return lacked / len(said)

    def chunk_overlap(self, c: Chunk) -> float:
        """The share of the question's words (by rarity) a chunk holds with its header."""
        got = self._chunk_overlap.get(c.id)
        if got is None:
            got = self._chunk_overlap[c.id] = self.share(context_words(c))
        return got


@lru_cache(maxsize=4096)
def context_words(c: Chunk) -> frozenset[str]:
    """The words of a chunk in its context (section, row group, column names): the words of
    `" ".join([c.embed_text(), c.group, *c.header])`, read once per chunk."""
    return set_of(joined_tokens(*([c.section] if c.section else []), c.text, c.group,
                                *c.header))


# The most members of a series `list&series` tells apart (a longer run is as much a list).
SERIES_MOST = 5


def listed(question: Question, cand: Candidate, idf) -> tuple[float, float]:
    """For a list question answered by one claim of prose, how many items it lists in one
    run (`sentences.series`), scaled to [0, 1], and that times the share of the question's
    words (by rarity) in the series' lead (what stands before its second member): a
    sentence that writes the items together after what the question asks of ("The lens
    was ground in York, its mount cast in Leeds and its drive built in Ashby") answers a
    list question whole, as a bullet list does; one that lists other things before the
    question's words ("This report reviews ridership, finances and quality, and sets out
    the programs ...") less so; a sentence that lists nothing not at all. (0, 0) for
    other questions and claims."""
    if question.ask != "list" or len(cand.claims) != 1:
        return 0.0, 0.0
    claim = cand.claims[0]
    if claim.chunk.kind != "passage" or claim.chunk.is_list:
        return 0.0, 0.0
    members, second = series(claim.text)
    size = (min(members, SERIES_MOST) - 1) / (SERIES_MOST - 1)
    if not size:
        return 0.0, 0.0
    return size, size * weighted_share(question.words, words_of(claim.text[:second]), idf)


def generic(question: Question, cand: Candidate, evidence: Sequence[Evidence],
            corpus: CorpusView, m: Measures | None = None) -> dict[str, float]:
    """The features every candidate has (a strategy's own ones are kept beside them);
    `m` is what the question's candidates share (worked out here when not given)."""
    m = m or Measures(question, evidence, corpus)
    first = cand.claims[0]
    rank, ev = m.by_id.get(first.chunk.id, (m.size, None))
    # a strategy's own similarity stands; the claim's unit is looked up only without one
    dense = cand.features["dense"] if "dense" in cand.features else claim_dense(first, ev)
    text = " ".join(c.text for c in cand.claims)
    kind = cand.strategy.split(":")[0]
    number, name, date = _fresh(question, text)
    names = _names(cand.strategy, question.ask, question.wh or "-")
    shown = text if first.chunk.kind == "passage" else " ".join([text, *first.chunk.header])
    lead = " ".join(text.split(maxsplit=LEAD_WORDS)[:LEAD_WORDS])
    said = words_of(text)
    # where the question's words stand in the claim (`word_places`), from the words found
    places = places_found(m.found(said), tokens_of(text))
    # the words of `" ".join([before(...), text])` and of `shown`, read from cached parts
    prior = before(first.chunk, first.text)
    near = joined_tokens(prior, text)  # its words: said and the prior's (`overlap_near`)
    shown_words = (said if first.chunk.kind == "passage"
                   else set_of(joined_tokens(text, *first.chunk.header)))
    lead_doc, lead_section, lead_chunk = leads(first.chunk, first.text, corpus) \
        if kind == "sentence" else (0.0, 0.0, 0.0)
    f = {"retrieval": (ev.hit.score / m.top) if ev else 0.0,
         "lead_doc": lead_doc,
         "lead_section": lead_section,
         "lead_chunk": lead_chunk,
         # the share of the claim's words the question lacks: an answer says something new
         "novel": m.novel(said),
         "pairs": len(m.pairs & pairs_of(text)) / len(m.pairs) if m.pairs else 0.0,
         "pairs_near": len(m.pairs & pairs_in(near)) / len(m.pairs) if m.pairs else 0.0,
         "overlap_near": m.share_of(m.found(said) | m.found(words_of(prior))),
         "names_match": (sum(n <= shown_words for n in m.names) / len(m.names))
         if m.names else 0.0,
         "years_match": (sum(y in shown for y in m.years) / len(m.years)) if m.years else 0.0,
         "years_other": float(bool(m.years) and bool(set(_YEAR.findall(text)) - set(m.years))),
         "overlap_start": m.share(words_of(lead)),
         "first_rank": 1.0 / (1 + rank),
         "dense": dense,
         "dense_gap": dense - m.best_unit,
         "learned": (claim_score(first, ev.unit_learned) - m.learned_best)
         if ev and ev.unit_learned else m.learned_floor,
         # a sentence against its passage as a whole (other claims quote their whole chunk)
         "dense_chunk": (dense - ev.unit_scores[0])
         if kind == "sentence" and ev and ev.unit_scores else 0.0,
         "dense_before": unit_dense(first.chunk, ev, prior) if kind == "sentence" else 0.0,
         "head": len(m.head & said) / len(m.head) if m.head else 0.0,
         "proximity": nearest(places, m.weight, m.total, PROXIMITY),
         "overlap": m.share(said),
         "overlap_chunk": m.chunk_overlap(first.chunk),
         "chars": min(len(text), 400) / 400,
         "claims": min(len(cand.claims), 5) / 5,
         "chunks": len({c.chunk.id for c in cand.claims}) / 5,
         "bias": 1.0,
         names[0]: 1.0,  # s=kind
         names[1]: 1.0,  # s=strategy
         names[2]: 1.0,  # ask=A&s=kind
         names[3]: number,  # ask=A&number
         names[4]: number,  # wh=W&number
         names[5]: name,  # wh=W&name
         names[6]: date,  # wh=W&date
         names[7]: float(first.chunk.kind == "table_row"),  # wh=W&row
         "plural&claims": float(question.plural) * min(len(cand.claims), 5) / 5}
    f["list&series"], f["list&series_lead"] = listed(question, cand, m.idf)
    gives = _GIVES.get(question.expects)
    if gives:  # what the interrogative asks for against what the claim newly gives
        f[f"expects={question.expects}&{gives}"] = {"date": date, "number": number,
                                                    "name": name}[gives]
        f[f"expects={question.expects}&near"] = typed_near(question, text, gives, m.idf,
                                                           PROXIMITY, places)
    for k, v in cand.features.items():
        f[k] = float(v)
    # how much a measure counts depends on what the claim is (a sentence's words against a
    # list of a table's periods): each strategy weighs them anew
    for k, named in zip(PER_STRATEGY, names[8]):
        f[named] = f[k]
    if question.rows:  # tables among the evidence: the measures may weigh otherwise there
        for k, named in _MIXED_NAMES:
            if k in f:
                f[named] = f[k]
    return f


@lru_cache(maxsize=1024)
def _names(strategy: str, ask: str, wh: str) -> tuple:
    """The names of `generic`'s features of a strategy, a kind of question and an
    interrogative: s=kind, s=strategy, ask=A&s=kind, ask=A&number, wh=W&number, wh=W&name,
    wh=W&date, wh=W&row, and the PER_STRATEGY ones (made once, not per candidate)."""
    kind = strategy.split(":")[0]
    return (f"s={kind}", f"s={strategy}", f"ask={ask}&s={kind}", f"ask={ask}&number",
            f"wh={wh}&number", f"wh={wh}&name", f"wh={wh}&date", f"wh={wh}&row",
            tuple(f"{strategy}&{k}" for k in PER_STRATEGY))


_MIXED_NAMES = tuple((k, f"mixed:{k}") for k in MIXED)
