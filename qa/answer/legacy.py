"""The first answerer (to be replaced by the answer engine): compose a short answer from retrieved chunks, with a numbered citation after each claim.

Extractive: every sentence of an answer is a sentence, list item or table cell of the
chunk it cites (condensed, never added to). When the evidence is too weak, it abstains.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise

from qa.answer.support import check
from qa.answer.types import Answer, Citation, Claim, Evidence
from qa.chunk import Chunk
from qa.text.numbers import is_number, parse_number
from qa.text.sentences import split_sentences
from qa.text.tokens import tokenize

NOT_COVERED = "The analysis does not cover this."

# Words that frame a question rather than name what it is about ("What is meant by X?",
# "What role does X play?", "the percentage change in X"); evidence need not contain them.
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


def not_covered(version: str, question: str) -> Answer:
    """The abstention: no claim, no citation."""
    return Answer(NOT_COVERED, False, (), version, question)


# --- shared scoring --------------------------------------------------------------------


def _shared(a: set[str], b: set[str]) -> set[str]:
    """Words of `a` found in `b`, where stems that share a long prefix match too
    ("histori"/"histor": the stemmer keeps history and historical apart)."""
    out = a & b
    for w in a - out:
        if len(w) >= 5 and any(len(v) >= 5 and (v.startswith(w) or w.startswith(v)) for v in b):
            out.add(w)
    return out


def _coverage(q: set[str], text: str) -> float:
    """Share of the phrase's words that the question holds (0 for an empty phrase)."""
    words = set(tokenize(text))
    return len(_shared(words, q)) / len(words) if words else 0.0


def _recall(q: set[str], text: str) -> float:
    """Share of the question's words that the text holds."""
    return len(_shared(q, set(tokenize(text)))) / len(q) if q else 0.0


# --- table rows ------------------------------------------------------------------------


@dataclass(frozen=True)
class _RowReading:
    ev: Evidence
    label_match: float
    columns: tuple[int, ...]  # asked-for columns
    column_match: float
    reverse: int | None  # the column whose value the question gives, for a reverse look-up
    asks_label: bool = False  # the question names the label column ("Which focus area ...")

    label_words: int = 0  # how many words of the label the question holds
    value_match: float = 0.0  # how much of the reverse look-up's value the question holds

    @property
    def fit(self) -> float:
        return self.label_match + self.column_match + 0.01 * self.label_words


def _read_row(q: set[str], ev: Evidence, question: str) -> _RowReading:
    c = ev.hit.chunk
    header, cells = c.header, c.cells
    label_at = next((j for j, v in enumerate(cells) if v), 0)
    label = cells[label_at]
    label_match = max(_coverage(q, label), _coverage(q, c.group) * 0.5 if c.group else 0.0)
    names = [(_coverage(q, header[j]), j) for j in range(len(header))
             if j != label_at and cells[j] and header[j]]
    best = max((m for m, _ in names), default=0.0)
    columns = tuple(j for m, j in names if m >= 0.5 and m == best)
    # Reverse look-up: the question gives a value and asks for the row's label
    # ("Which focus area is expected to reduce the risk of digital escalation?").
    values = [(_coverage(q, cells[j]), j) for j in range(len(cells))
              if j != label_at and cells[j] and not is_number(cells[j])]
    v_best, v_col = max(values, default=(0.0, None))
    asks_label = _coverage(q, header[label_at]) >= 0.5 if header[label_at] else False
    which = bool(re.match(r"\s*(which|what)\b", question, re.IGNORECASE))
    # Naming the label column ("Which aspect ...") makes a reverse reading likely enough
    # to accept a looser match of the value.
    needed = 0.4 if asks_label else 0.6
    reverse = v_col if (v_best >= needed and label_match < 0.5 and (asks_label or which)) else None
    words = len(_shared(set(tokenize(label)), q))
    return _RowReading(ev, label_match, columns, best if columns else 0.0, reverse, asks_label,
                       words, v_best if reverse is not None else 0.0)


def _reverse_bonus(r: _RowReading) -> float:
    """How much a reverse reading of a row counts over forward ones: more when the question
    names the label column and holds more of the value ("Which focus area ...")."""
    if r.reverse is None:
        return 0.0
    return 1.0 + (r.value_match if r.asks_label else 0.0)


def _row_claim(r: _RowReading) -> Claim:
    c = r.ev.hit.chunk
    header, cells = c.header, c.cells
    label_at = next((j for j, v in enumerate(cells) if v), 0)
    label, kind = cells[label_at], header[label_at]
    group = f"{c.group.rstrip(':')}, " if c.group else ""
    if r.reverse is not None:
        j = r.reverse
        lead = f"{kind}: {label}" if kind else label
        text = f"{lead} ({header[j] or 'value'}: {cells[j]})"
        # The row found by its value, the question may still ask for another column
        # ("What is the expected outcome of expanding cross-border assistance programs?").
        asked = tuple(k for k in r.columns if k not in (j, label_at))
        if asked:
            text += ", " + "; ".join(f"{header[k]}: {cells[k]}" for k in asked)
        return Claim(text, c, r.ev.hit.score, (label_at, j, *asked))
    subject = f"the {label} {kind.lower()}" if kind else f"{group}{label}"
    if kind and group:
        subject = f"{group}{subject}"
    cols = r.columns or tuple(j for j in range(len(cells)) if j != label_at and cells[j])
    parts = "; ".join(f"{header[j]}: {cells[j]}" if header[j] else cells[j] for j in cols)
    return Claim(f"For {subject}, {parts}", c, r.ev.hit.score, tuple(cols))


# --- passages --------------------------------------------------------------------------


def _unit_text(c: Chunk, u: int) -> str:
    """The text a unit of a passage stands for in an answer (unit 0 is the whole chunk)."""
    if not c.is_list:
        return c.quotes()[u]  # the chunk's text (not the heading), or the sentence
    intro, items = c.list_parts()
    if u == 0 or (intro and u == 1):  # the list as a whole: its intro and its items
        return _condensed_list(intro, items)
    return items[u - (2 if intro else 1)]


def _next_sentence(c: Chunk, sentence: str) -> str:
    """The sentence of the chunk that follows `sentence` ("" when it is the last)."""
    spans = split_sentences(c.text)
    texts = [c.text[a:b] for a, b in spans]
    i = texts.index(sentence) if sentence in texts else len(texts)
    return texts[i + 1] if i + 1 < len(texts) else ""


def _condensed_list(intro: str, items: list[str]) -> str:
    """A list in one line; items named "Label: description" are cut to their label."""
    if all(":" in it[:60] for it in items):
        items = [it.split(":", 1)[0] for it in items]
    body = "; ".join(it.rstrip(".") for it in items)
    return f"{intro} {body}." if intro else f"{body}."


def _best_window(sentence: str, q: set[str], limit: int) -> str:
    """An over-long sentence condensed to the run of clauses that matches the question best."""
    if len(sentence) <= limit:
        return sentence
    clauses = re.split(r"(?<=[,;:])\s+", sentence)
    best, best_score = sentence[:limit], -1.0
    for a in range(len(clauses)):
        text = ""
        for b in range(a, len(clauses)):
            nxt = f"{text} {clauses[b]}".strip()
            if len(nxt) > limit - 2:
                break
            text = nxt
            score = len(q & set(tokenize(text))) - 0.001 * len(text)
            if score > best_score:
                best, best_score = text, score
    prefix = "" if sentence.startswith(best) else "… "
    suffix = "" if sentence.endswith(best) else " …"
    return f"{prefix}{best}{suffix}"


# How much the passage's own retrieval score counts when choosing the answering sentence.
CHUNK_WEIGHT = 0.25


def _weighted_recall(q: set[str], text: str, idf: dict[str, float] | None) -> float:
    """Share of the question's words that the text holds, each weighted by its rarity in
    the corpus (a word every chunk has tells little); plain recall without weights."""
    if not idf:
        return _recall(q, text)
    rare = max(idf.values(), default=1.0)
    weight = {w: idf.get(w, rare) for w in q}
    total = sum(weight.values())
    found = _shared(q, set(tokenize(text)))
    return sum(weight[w] for w in found) / total if total else 0.0


def _passage_claims(q: set[str], evidence: list[Evidence], limit: int,
                    explain: bool = False, idf: dict[str, float] | None = None,
                    parts: bool = False) -> list[Claim]:
    """The best sentence or list item among the passages, and a second one when it is
    nearly as good (questions that ask for several things). When the question asks for
    the parts of something ("What are the key parts of ...?"), a list answers as a whole
    as soon as one of its items would answer."""
    if not evidence:
        return []
    q = (q - FRAME_WORDS) or q  # "What does X mean for Y?": "mean" picks no sentence
    scored: list[tuple[float, Evidence, int]] = []
    top = evidence[0].hit.score or 1.0
    for ev in evidence:
        c = ev.hit.chunk
        units = c.units()
        is_list = c.is_list
        for u, dense in enumerate(ev.unit_scores):
            if u == 0 and (is_list or len(units) > 1):
                continue  # answer with one sentence or item; a list as a whole via its intro
            score = (0.6 * dense + 0.4 * _weighted_recall(q, units[u], idf)
                     + CHUNK_WEIGHT * ev.hit.score / top)
            term = units[u].split(":", 1)[0] if is_list and ":" in units[u][:60] else ""
            if term and _coverage(q, term) == 1.0:
                score += 0.2  # "What is meant by X?" asked of a list item "X: ..."
            scored.append((score, ev, u))
        if parts and is_list and len(units) > 2:
            whole = 1 if c.list_parts()[0] else 0  # the intro stands for the list
            mine = [sc for sc, e, _ in scored if e is ev]
            scored.append((max(mine) + 0.01, ev, whole))
    if not scored:
        return []
    scored.sort(key=lambda t: -t[0])
    best_score, ev, u = scored[0]
    first = _best_window(_unit_text(ev.hit.chunk, u), q, limit)
    after = _next_sentence(ev.hit.chunk, ev.hit.chunk.quotes()[u])
    if (explain and after and len(first) + len(after) < limit and ev.hit.chunk.kind == "passage"
            and not ev.hit.chunk.is_list):
        first = f"{first} {after}"  # an explanation often runs on into the next sentence
    claims = [Claim(first, ev.hit.chunk, ev.hit.score)]
    for score, ev2, u2 in scored[1:4]:
        if parts and ev2 is ev:
            continue  # an item of the list already given whole
        text = _best_window(_unit_text(ev2.hit.chunk, u2), q, limit)
        fresh = text not in first and first not in text
        if score >= 0.93 * best_score and fresh and len(first) + len(text) <= limit:
            claims.append(Claim(text, ev2.hit.chunk, ev2.hit.score))
            break
    return claims


# --- the answer ------------------------------------------------------------------------


def compose(question: str, evidence: list[Evidence], version: str,
            vocabulary: tuple[str, ...] = (), scoped: bool = False,
            table_of: Callable[[Chunk], list[Chunk]] | None = None,
            near: Callable[[str, str], bool] | None = None,
            idf: dict[str, float] | None = None, limit: int = 380) -> Answer:
    """The answer to `question` from `evidence` (best first), or an abstention.

    Table questions answer with the cells asked for (or the row's label, for a reverse
    look-up); other questions with the best-matching sentence or list item. `vocabulary`
    holds the (stemmed) words of the whole index, sorted, for the abstention decision;
    `table_of` gives all rows of a row's table, for questions about a table as a whole;
    `idf` weighs question words by rarity when choosing a sentence; `near` tells whether
    the corpus writes two words together, for names of several words.
    """
    if not evidence:
        return not_covered(version, question)
    q = set(tokenize(question))
    rows = [_read_row(q, ev, question) for ev in evidence if ev.hit.chunk.kind == "table_row"]
    claims: list[Claim] = []
    if rows:
        best = max(rows, key=lambda r: (r.fit + _reverse_bonus(r), r.ev.hit.score))
        if _names_missing_row(rows):
            return not_covered(version, question)
        top_is_row = evidence[0].hit.chunk.kind == "table_row"
        no_passage = all(ev.hit.chunk.kind != "passage" for ev in evidence[:3])
        # A row answers when the question names it (or gives one of its values); a
        # question that names only columns ("What does Russia supply?") is left to prose.
        names_row = best.label_match >= 0.5 and (best.columns or top_is_row)
        prose = any(ev.hit.chunk.kind == "passage" for ev in evidence)
        # Why-questions, and what-does-X-include questions that name no column, want prose;
        # so does an increase or decrease that the table has no column for.
        change = bool(_CHANGE.search(question)) and not any(
            _CHANGE.search(best.ev.hit.chunk.header[j]) for j in best.columns)
        explains = prose and (bool(re.match(r"\s*why\b", question, re.IGNORECASE)) or (
            not best.columns and bool(_EXPLANATORY.search(question))) or (
            change and _prose_states_number(q, evidence)) or (
            _prose_covers_more(q, best, evidence)))
        whole = _whole_table_claims(question, q, rows, table_of, top_is_row) if table_of else []
        compared = _comparison_claim(question, q, best, table_of) if table_of else None
        if whole:
            claims = whole
        elif compared is not None and (names_row or top_is_row or best.columns):
            claims = [compared]
        elif best.reverse is not None or (not explains and (names_row or (top_is_row and no_passage))):
            claims = [_row_claim(r) for r in _named_rows(best, rows, question)]
    if not claims:
        passages = [ev for ev in evidence[:3] if ev.hit.chunk.kind == "passage"]
        why = bool(re.match(r"\s*why\b|.*\breasons?\b", question, re.IGNORECASE))
        claims = _passage_claims(q, passages, limit, why, idf, bool(_PARTS_ASKED.search(question)))
    if not claims and rows:  # no prose to answer from: the best row is the evidence there is
        claims = [_row_claim(max(rows, key=lambda r: (r.fit, r.ev.hit.score)))]
    corpus = _Corpus(version, vocabulary, idf or {}, near, table_of)
    if not claims or not check(question, claims[0], evidence, corpus, scoped).ok:
        return not_covered(version, question)
    return _cite(claims, version, question)


@dataclass(frozen=True)
class _Corpus:
    """The parts of the index `compose` is handed, as the support check reads them."""

    version: str
    vocabulary: tuple[str, ...]
    idf: dict[str, float]
    _near: Callable[[str, str], bool] | None
    _table_of: Callable[[Chunk], list[Chunk]] | None

    def near(self, a: str, b: str) -> bool:
        return self._near is None or self._near(a, b)

    def table_of(self, chunk: Chunk) -> list[Chunk]:
        return self._table_of(chunk) if self._table_of else []


def _named_rows(best: _RowReading, rows: list[_RowReading],
                question: str) -> list[_RowReading]:
    """The rows a question names: the best one, and others of the same table whose label
    it also names ("... for Japanese Yen and South Korean Won, respectively"; a question
    that asks for several may name a row by part of its label: "Apple and Huawei")."""
    several = bool(re.search(r"\brespectively\b|\band\b|\bboth\b", question, re.IGNORECASE))
    need = 0.5 if several else 1.0
    if best.reverse is not None or best.label_match < need:
        return [best]
    chosen = [best]
    labels = [best.ev.hit.chunk.cells]
    for r in sorted(rows, key=lambda r: -r.fit):
        c = r.ev.hit.chunk
        same_table = c.doc == best.ev.hit.chunk.doc and c.table == best.ev.hit.chunk.table
        if len(chosen) == 3 or not same_table or r.label_match < need or c.cells in labels:
            continue
        words = set(tokenize(c.cells[0] or c.text))
        if any(words <= set(tokenize(x.ev.hit.chunk.cells[0] or x.ev.hit.chunk.text))
               or set(tokenize(x.ev.hit.chunk.cells[0] or "")) <= words for x in chosen):
            continue  # "Net debt" inside "Net debt to EBITDA": one of them is meant
        chosen.append(r)
        labels.append(c.cells)
    return sorted(chosen, key=lambda r: r.ev.hit.chunk.row or 0)


_YEARS_ASKED = re.compile(r"\b(which|what) (are the |were the )?(financial |fiscal )?years?\b"
                          r"(?!.*\b(largest|larger|highest|higher|lowest|lower|less|more|greater|"
                          r"exceed\w*|above|below|smaller|smallest|most|least|increase\w*|"
                          r"decrease\w*|negative|positive)\b)", re.IGNORECASE)
_TABLE_ASKED = re.compile(r"\bwhat (does|do) the table (show|represent|present|describe|contain|"
                          r"depict|provide)|\bwhat (financial )?information does the table\b",
                          re.IGNORECASE)
_PARTS_ASKED = re.compile(r"\b(what|which) (are|were)\b.*\b(components?|items|types|segments|"
                          r"categories|kinds|regions|countries|elements|sources|classes|parts)\b"
                          r"|\b(which|what) \w+( \w+)? (are|were|is) (shown|listed|included)\b",
                          re.IGNORECASE)


def _whole_table_claims(question: str, q: set[str], rows: list[_RowReading],
                        table_of: Callable[[Chunk], list[Chunk]], top_is_row: bool) -> list[Claim]:
    """Answers about a table as a whole: the years (columns) it covers, or the items
    (row labels) it lists, within the row group the question names if any."""
    top = max(rows, key=lambda r: r.ev.hit.score).ev.hit.chunk
    if _TABLE_ASKED.search(question) and top.caption:
        return [Claim(f"The table shows: {top.caption.rstrip(':')}", top, top_score(rows), ())]
    if _YEARS_ASKED.search(question) and (top_is_row or re.search(r"\btable\b", question, re.IGNORECASE)):
        at = next((j for j, v in enumerate(top.cells) if v), 0)
        years = [h for j, h in enumerate(top.header) if j != at and h and re.search(r"\d", h)]
        if years:
            return [Claim(f"The table gives figures for {', '.join(dict.fromkeys(years))}", top,
                          top_score(rows), ())]
    if not (top_is_row and _PARTS_ASKED.search(question)):
        return []
    table = table_of(top)
    groups = {c.group for c in table if c.group and _coverage(q, c.group) >= 0.5}
    members = [c for c in table if (c.group in groups if groups else True)]
    members = [c for c in members if not re.match(r"\s*(total|net|sub-?total)\b",
                                                  c.cells[0] if c.cells else "", re.IGNORECASE)]
    labels = [c for c in members if c.cells and c.cells[0]]
    if not 2 <= len(labels) <= 12:
        return []
    return [Claim(c.cells[0], c, top_score(rows), (0,)) for c in labels]


_MOST = re.compile(r"\b(largest|larger|highest|higher|greatest|greater|most|biggest|bigger|"
                   r"(?<!the )more)\b", re.IGNORECASE)
_LEAST = re.compile(r"\b(smallest|smaller|lowest|lower|least|fewest|fewer|less)\b", re.IGNORECASE)
_WHICH_COLUMN = re.compile(r"\bwhich (year|period|quarter|month|date)s?\b|\bin which (year|period)",
                           re.IGNORECASE)


def number(cell: str) -> float | None:
    """The value of a table cell such as "$ 1,452.4", "(8)%" or "−298"; None if not a number."""
    value = parse_number(cell)
    return None if value is None else float(value)


def _comparison_claim(question: str, q: set[str], best: _RowReading,
                      table_of: Callable[[Chunk], list[Chunk]]) -> Claim | None:
    """Which year (column) or which item (row) has the largest or smallest value, for a
    question that asks so ("In which year was X larger?", "Which segment had the highest
    Y?"); comparisons against a given figure ("less than 100") are left alone."""
    most, least = _MOST.search(question), _LEAST.search(question)
    if not (most or least) or re.search(r"\bthan\b", question, re.IGNORECASE):
        return None
    pick = max if (most and not least) or (most and least and most.start() < least.start()) else min
    c = best.ev.hit.chunk
    at = next((j for j, v in enumerate(c.cells) if v), 0)
    if _WHICH_COLUMN.search(question):  # across the columns of the named row
        if best.label_match < 0.5:
            return None
        values = [(number(c.cells[j]), j) for j in range(len(c.cells))
                  if j != at and c.header[j] and re.search(r"\d", c.header[j])]
        values = [(v, j) for v, j in values if v is not None]
        if len(values) < 2:
            return None
        _, j = pick(values)
        shown = "; ".join(f"{c.header[k]}: {c.cells[k]}" for _, k in values)
        return Claim(f"{c.header[j]} ({c.cells[at]}: {shown})", c, best.ev.hit.score,
                     (at, j))
    if not re.match(r"\s*(which|what|in which|for \w+, what)\b", question, re.IGNORECASE):
        return None
    # Across the rows of the table, in the column the question names (or its only one).
    table = [r for r in table_of(c) if r.cells and r.cells[0]
             and not re.match(r"\s*(total|net|sub-?total)\b", r.cells[0], re.IGNORECASE)]
    columns = list(best.columns)
    if not columns:
        numeric = [j for j in range(len(c.header)) if j != at and number(c.cells[j]) is not None]
        named = [j for j in numeric if c.header[j] and _coverage(q, c.header[j]) > 0]
        columns = named[:1] or numeric[:1]
    if not columns or len(table) < 2:
        return None
    j = columns[0]
    values = [(number(r.cells[j]), i) for i, r in enumerate(table) if j < len(r.cells)]
    values = [(v, i) for v, i in values if v is not None]
    if len(values) < 2:
        return None
    _, i = pick(values)
    row = table[i]
    return Claim(f"{row.cells[0]} ({row.header[j] or 'value'}: {row.cells[j]})", row,
                 best.ev.hit.score, (0, j))


def top_score(rows: list[_RowReading]) -> float:
    """The best retrieval score among the rows read."""
    return max(r.ev.hit.score for r in rows)


def _names_missing_row(rows: list[_RowReading]) -> bool:
    """A table question ("the regional impact of the cultural aspect") whose row is not
    in the table: it names the label column and a column, but no row of that table."""
    if any(r.label_match >= 0.5 or r.reverse is not None for r in rows):
        return False
    return any(r.asks_label and r.columns for r in rows)


def _cite(claims: list[Claim], version: str, question: str) -> Answer:
    """Number the cited chunks in order of first use and put `[n]` after each claim."""
    numbers: dict[str, int] = {}
    citations: list[Citation] = []
    sentences = []
    for cl in claims:
        if cl.chunk.id not in numbers:
            numbers[cl.chunk.id] = len(numbers) + 1
            citations.append(Citation(numbers[cl.chunk.id], cl.chunk, cl.score, cl.highlight))
        text = cl.text.rstrip()
        sentences.append(f"{text} [{numbers[cl.chunk.id]}]")
    joiner = " " if all(c.text.rstrip().endswith((".", "!", "?", "…")) for c in claims) or \
        len(claims) == 1 else "; "
    return Answer(joiner.join(sentences), True, tuple(citations), version, question)


# Questions that ask for an explanation rather than a value.
_EXPLANATORY = re.compile(r"^\s*(why|how (do|does|did|is|are|was|were|will|can)\b)|\b(include[sd]?|"
                          r"consists?|comprises?|represents?|reasons?|caused?|driven)\b",
                          re.IGNORECASE)
_CHANGE = re.compile(r"\b(increase[sd]?|decrease[sd]?|change[sd]?|grow|grew|growth|decline[sd]?|"
                     r"rose|fell|drop(ped)?)\b", re.IGNORECASE)


def _row_words(r: _RowReading) -> str:
    """The text a row offers to match a question: its label, group, caption, section,
    label column and the columns asked for."""
    c = r.ev.hit.chunk
    at = next((j for j, v in enumerate(c.cells) if v), 0)
    names = [c.header[j] for j in (at, *r.columns) if j < len(c.header)]
    return " ".join([c.cells[at], c.group, c.caption, c.section, *names])


def _prose_covers_more(q: set[str], best: _RowReading, evidence: list[Evidence]) -> bool:
    """Whether a retrieved sentence holds clearly more of the question than the best row."""
    words = q - FRAME_WORDS - {w for w in q if w.isdigit()}
    if not words:
        return False
    row = _recall(words, _row_words(best))
    for ev in evidence[:5]:
        c = ev.hit.chunk
        if c.kind == "passage" and any(_recall(words, c.text[a:b]) >= row + 0.25
                                       for a, b in split_sentences(c.text)):
            return True
    return False


def _prose_states_number(q: set[str], evidence: list[Evidence]) -> bool:
    """Whether a retrieved passage has a sentence with a number that holds most of the
    question's words (the change a table leaves to its text)."""
    for ev in evidence[:5]:
        c = ev.hit.chunk
        if c.kind != "passage":
            continue
        for a, b in split_sentences(c.text):
            sentence = c.text[a:b]
            if re.search(r"\d", sentence) and _recall(q, sentence) >= 0.6:
                return True
    return False


_QUANTITY = re.compile(r"\b(how (many|much|long|old|far)|what (percentage|year|date)|which year"
                       r"|when (was|were|did|will))\b", re.IGNORECASE)
_NAME = re.compile(r"(?<!^)(?<![.?!] )\b([A-Z][a-zA-Z]+(?:\s+[A-Z][a-zA-Z]+)*)")

# Calibrated on questions about the analysis that it answers and does not answer, and
# checked on TAT-QA (README, "Abstention"): how similar the cited chunk's best unit must be
# to the question when one content word of the question is absent from the chunk (higher
# when the corpus never uses that word at all), and when several are.
EVIDENCE_FOR_WORDS = 1
MIN_SIMILARITY_ONE_MISSING = 0.5
MIN_SIMILARITY_ONE_UNKNOWN = 0.6
MIN_SIMILARITY_MORE_MISSING = 0.6


def support_gaps(question: str, chunks: list[Chunk], vocabulary: tuple[str, ...] = (),
                 near: Callable[[str, str], bool] | None = None,
                 ) -> tuple[bool, list[str], list[str]]:
    """What the evidence lacks of the question: a number for a quantity question (in the
    cited chunk, the first); names the corpus does not know (capitalised words it never
    mentions, names of several words it never writes together, numbers it never states);
    and the question's content words that no evidence chunk holds."""
    words: set[str] = set()
    for c in chunks[:EVIDENCE_FOR_WORDS]:
        words |= set(tokenize(c.embed_text() + " " + " ".join(c.header) + " " + c.group))
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
                names.append(name)  # "Korean War": each word is known, the name is not
    if vocabulary:  # a number the corpus never states ("in 2019") is a name it does not know
        names += [w for w in tokenize(question) if w.isdigit() and not _is_word(w, vocabulary)]
    q = set(tokenize(question)) - FRAME_WORDS
    missing = sorted(q - _shared(q, words))
    return lacks_number, names, missing


def _is_word(word: str, vocabulary: tuple[str, ...]) -> bool:
    """Whether the sorted vocabulary holds exactly this word."""
    i = bisect.bisect_left(vocabulary, word)
    return i < len(vocabulary) and vocabulary[i] == word


def _in_vocabulary(word: str, vocabulary: tuple[str, ...]) -> bool:
    """Whether the sorted vocabulary holds the word, or a word sharing a long prefix."""
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
    """Whether the evidence (the cited chunk first) plausibly answers the question, given
    the cited chunk's best similarity to it (thresholds: see above). A question scoped to
    one document is taken to be about it: only a missing number or name refutes it."""
    lacks_number, names, missing = support_gaps(question, chunks, vocabulary, near)
    if lacks_number or names:
        return False
    if not missing or scoped:
        return True
    named = set(tokenize(" ".join(_NAME.findall(question))))
    if len(missing) == 1 and missing[0] not in named:  # a missing name weighs as two words
        known = not vocabulary or _in_vocabulary(missing[0], vocabulary)
        need = MIN_SIMILARITY_ONE_MISSING if known else MIN_SIMILARITY_ONE_UNKNOWN
        return similarity >= need
    return similarity >= MIN_SIMILARITY_MORE_MISSING
