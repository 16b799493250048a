"""Sentences and clauses of prose, as character spans of the source text."""

from __future__ import annotations

import re

_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "inc", "ltd", "co", "corp", "no",
    "nos", "vs", "etc", "e.g", "i.e", "fig", "approx", "dept", "est", "jan", "feb", "mar",
    "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "u.n",
}
_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+|$)|\s(?=•\s)")


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
    return [text[a:b] for a, b in split_sentences(text)]


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
