"""Sentences and clauses of prose, as character spans of the source text."""

from __future__ import annotations

import re
from functools import lru_cache

_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "inc", "ltd", "co", "corp", "no",
    "nos", "vs", "etc", "e.g", "i.e", "fig", "approx", "dept", "est", "jan", "feb", "mar",
    "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "u.n",
}
_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+|$)|\s(?=•\s)")
# Texts whose sentences are kept once split: answering splits the same retrieved passages
# for each of a question's candidates, and again for later questions.
CACHED_TEXTS = 4096


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of `text` (whitespace between them excluded)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _END.finditer(text):
        end = m.end()
        rest = text[end:].lstrip()
        if rest and not (rest[0].isupper() or rest[0].isdigit() or rest[0] in "\"'“‘([•"):
            continue  # "e.g. the", "3.5 million" and the like do not end a sentence
        word = re.search(r"(\S+)$", text[start : m.start()])
        token = word.group(1).lower().rstrip(".").lstrip("\"'“‘([") if word else ""
        if text[m.start()] == "." and (token in _ABBREVIATIONS or re.fullmatch(r"[a-z]", token)):
            continue
        if _inside_brackets(text, start, m.start(), end):
            continue  # "(r. 1735–1796)", "(Op. 10, No. 7)": a parenthesis ends first
        if text[start:end].strip():
            spans.append(trim(text, start, end))
        start = end
    if text[start:].strip():
        spans.append(trim(text, start, len(text)))
    return spans


def _inside_brackets(text: str, start: int, at: int, end: int) -> bool:
    """Whether the mark at `at` stands inside a parenthesis or bracket opened since the
    sentence's `start` that closes after `end`, before any other opens."""
    depth = sum(c in "([" for c in text[start:at]) - sum(c in ")]" for c in text[start:at])
    if depth <= 0 or text[at:end].rstrip("\"'”’").endswith((")", "]")):
        return False
    rest = text[end:]
    close = min((i for i in (rest.find(")"), rest.find("]")) if i >= 0), default=-1)
    opens = min((i for i in (rest.find("("), rest.find("[")) if i >= 0), default=-1)
    return close >= 0 and (opens < 0 or close < opens)


def sentences(text: str) -> list[str]:
    """The sentences of `text` as strings."""
    return list(_sentences(text))


@lru_cache(maxsize=CACHED_TEXTS)
def _sentences(text: str) -> tuple[str, ...]:
    return tuple(text[a:b] for a, b in split_sentences(text))


# Clauses: a sentence longer than CLAUSE_SENTENCE characters is split after commas,
# semicolons, colons and dashes into pieces of at least CLAUSE_MIN characters.
CLAUSE_SENTENCE = 120
CLAUSE_MIN = 40
_CLAUSE_END = re.compile(r"[,;:](?=\s)|(?=\s[—–-]\s)")


def split_clauses(sentence: str) -> list[tuple[int, int]]:
    """Character spans of the clauses of a long sentence; [] for a short one or one that
    does not split into at least two clauses of CLAUSE_MIN characters."""
    if len(sentence) <= CLAUSE_SENTENCE:
        return []
    cuts = [m.end() for m in _CLAUSE_END.finditer(sentence)]
    spans: list[tuple[int, int]] = []
    start = 0
    for end in [*cuts, len(sentence)]:
        if end - start >= CLAUSE_MIN or end == len(sentence):
            spans.append(trim(sentence, start, end))
            start = end
    if len(spans) > 1 and spans[-1][1] - spans[-1][0] < CLAUSE_MIN:
        spans[-2:] = [(spans[-2][0], spans[-1][1])]  # a short tail joins the clause before
    return spans if len(spans) > 1 else []


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """The span narrowed to exclude whitespace at either end."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def squash(text: str) -> str:
    """Collapse runs of whitespace (line breaks of wrapped text) into single spaces."""
    return " ".join(text.split())


# A coordinating conjunction that joins the last member of a series ("A, B and C"; "A from
# X, B from Y or the rest from Z"): a closed class of English.
_JOIN = re.compile(r"(?<=\w)(?:,)?\s+(?:and|or|nor)\s+(?=\S)", re.IGNORECASE)
_PARTS = re.compile(r"[;:]\s+|\s[—–]\s|(?<=[.!?])\s+")
_MEMBER_END = re.compile(r",\s+")


def series(sentence: str) -> tuple[int, int]:
    """How many members the longest coordinated series of a sentence has, and where its
    second member starts: the items a sentence lists when it writes them in one run ("The
    main building has a transit room, a library and a computing room": 3, from "a
    library"; "A came from X, B from Y and the rest from Z": 3; parallel clauses alike);
    (1, len(sentence)) when it joins nothing. A series runs within a clause (sentence ends,
    semicolons, colons and dashes part clauses) and ends at its last conjunction; its members before
    the last are parted by commas (a conjunction inside a member, "Hobday and Sons", is no
    end). What stands before the second member is the series' lead: the first member and
    what it is said of ("The main building has")."""
    best = (1, len(sentence))
    start = 0
    for cut in [*_PARTS.finditer(sentence), None]:
        end = cut.start() if cut else len(sentence)
        part = sentence[start:end]
        joins = list(_JOIN.finditer(part))
        if joins:
            commas = list(_MEMBER_END.finditer(part[:joins[-1].start()]))
            second = (commas[0] if commas else joins[-1]).end()
            if 2 + len(commas) > best[0]:
                best = (2 + len(commas), start + second)
        start = cut.end() if cut else end
    return best
