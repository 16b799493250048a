"""Citations: chunks numbered in order of first use, `[n]` after each claim, the cells a
claim quotes (or a computation used) highlighted."""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa.answer.question import PRONOUNS
from qa.answer.tables import label
from qa.answer.types import Answer, Candidate, Citation, Claim
from qa.chunk import Chunk
from qa.text.tokens import words

_END = (".", "!", "?", "…")


def claims_text(claims: Sequence[Claim], numbers: dict[str, int], preface: str = "",
                closed: bool = False) -> str:
    """The claims with their markers: sentences joined by a space, fragments (table cells,
    list labels) and a claim that continues the one before it (its first word lower-case:
    "the report states ...") by semicolons. A fragment among sentences, or the last of a
    reply another reply follows (`closed`), is closed by a full stop (`closing`): its
    marker would else stand between it and the capital of the next sentence ("Fleet
    Services [1]; The authority expects ..." or "Fleet Services [1] For the ..." read as
    one run-on sentence). A claim that introduces what follows ("... was primarily due
    to:") is followed by a space, not a semicolon, and its marker waits for the claim of
    the same chunk it introduces ("due to: a $572 million decrease ... [1]"). Each claim
    is quoted without the source's artefacts (`tidy`)."""
    names = row_names(claims)
    texts = [tidy(c.shown or c.text, c.chunk, names) for c in claims]
    ends = [ends_sentence(t) for t in texts]
    sentences, fragments = all(ends), not any(ends)
    pieces = []
    for i, c in enumerate(claims):
        text = texts[i].rstrip()
        last = i + 1 == len(claims)
        sep = "" if last else " " if sentences or introduces(text) or not (
            fragments or continues(texts[i + 1])) else "; "
        if not ends[i] and ((closed or not fragments) if last else sep == " "):
            text = closing(text)
        if not last and (ends[i] and ends[i + 1] and runs_on(c, claims[i + 1])
                         or introduces(text) and c.chunk.id == claims[i + 1].chunk.id):
            pieces.append(f"{text}{sep}")
        else:
            pieces.append(f"{text} [{numbers[c.chunk.id]}]{sep}")
    body = "".join(pieces)
    return f"{preface} {body}" if preface else body


# A note mark a source writes against the word or sentence before it, with no space between
# ("in 2006.[citation needed]", "1810[a]", "2016[update]", "Chopin,[n 1]"): a bracketed note
# of plain letters and figures after a word or a closing mark, not followed by a letter.
# Kept: a quotation's own editing ("[t]he", "\"[His] playing"), a bracket spaced off ("on
# [her]"), a transcription ("​[fʁe.de.ʁik ...]").
_NOTES = re.compile(r"(?<=[\w.,;:!?)’”])(?:\[[A-Za-z0-9?][A-Za-z0-9 ?'–-]{0,38}\])+(?!\w)")
# A bullet glyph a list flattened into a paragraph leaves before each item ("were: • Cost
# of revenue increased ..."): a closed class of characters.
_BULLET = re.compile(r"(?:^|(?<=\s))[•▪◦●‣]\s+")
# A footnote mark in a row's label or a column's header, after its words ("Other assets
# (1)", "2019 (1)", "Audit Fees(1)"); a figure in brackets ("$(7)") stands after no word.
_MARK = re.compile(r"(?<=[\w)])\s?\((?:\d{1,2}|[a-z])\)")
# The footnote mark a footnote's own text opens with ("(1) Represents the write-off ...").
_LEADING_MARK = re.compile(r"^\(\d{1,2}\)\s+(?=[A-Z])")
# A full stop standing alone after a word, where a cell or a note was dropped ("Total .",
# "Net sales . (2019)").
_STRAY_STOP = re.compile(r"(?<=\w) \.(?=[\s,;:)]|$)")


def tidy(text: str, chunk: Chunk, names: Sequence[str] = ()) -> str:
    """A claim's text as an answer quotes it: without the marks its source writes for its
    own reader, which say nothing in an answer (the citation shows the source as written):
    note marks (`_NOTES`), bullet glyphs, the footnote marks of the `names` of rows it
    quotes (`without_marks`) or of a footnote's opening, and a full stop left standing
    alone ("Total ." -> "Total", "Net sales . (2019)" -> "Net sales (2019)"; one that
    ends a sentence of prose is kept, closed up). No word or figure changes."""
    text = _NOTES.sub("", text)
    text = _BULLET.sub("", text)
    text = without_marks(text, names)
    if chunk.kind != "passage":  # a row's cells: a lone full stop ends no sentence
        return _STRAY_STOP.sub("", text)
    return _STRAY_STOP.sub(_stop, _LEADING_MARK.sub("", text))


def row_names(claims: Sequence[Claim]) -> tuple[str, ...]:
    """The names of the table rows the claims cite (label, group, column headers): a
    claim may name another row than its own (a computation names each operand's)."""
    return tuple(dict.fromkeys(name for c in claims if c.chunk.kind == "table_row"
                               for name in (label(c.chunk), c.chunk.group, *c.chunk.header)))


def _stop(m: re.Match) -> str:
    """A lone full stop of prose closed up when a sentence ends there (the text's end, or
    a capital follows), else dropped."""
    rest = m.string[m.end():]
    return "." if not rest.strip() or rest.lstrip()[:1].isupper() else ""


def without_marks(text: str, names: Sequence[str]) -> str:
    """The text with each of `names` (a row's label, group, column headers) that carries a
    footnote mark written without it ("Other assets (1)" -> "Other assets")."""
    for name in names:
        bare = _MARK.sub("", name).strip()
        if name and bare and bare != name:
            text = text.replace(name, bare)
    return text


def introduces(text: str) -> bool:
    """Whether a claim introduces what follows it: it ends with a colon ("Key changes in
    expenses were:")."""
    return text.rstrip().endswith(":")


def continues(text: str) -> bool:
    """Whether a claim goes on from the one before it rather than starting a sentence: its
    first letter is lower-case."""
    return text.lstrip("…“\"' ")[:1].islower()


def ends_sentence(text: str) -> bool:
    """Whether a claim ends as a sentence: a full stop, question or exclamation mark or cut
    mark, before any closing quotes or brackets ("under “Segment Results.”") and a note
    mark the source puts after it ("in December 2006.[b]", "[citation needed]")."""
    return _NOTE.sub("", text.rstrip()).rstrip("”’\"')]").endswith(_END)


# A note mark a source writes after a sentence's full stop ("[b]", "[citation needed]").
_NOTE = re.compile(r"(?<=[.!?])\[[^\[\]]{1,40}\]$")


def closing(text: str) -> str:
    """A fragment closed as a sentence: its trailing separators replaced by a full stop
    ("Lead Department: Fleet Services" -> "Lead Department: Fleet Services."); one that
    ends with a colon is left open (it introduces what follows: "... was primarily due
    to:")."""
    text = text.rstrip()
    return text if text.endswith(":") else f"{text.rstrip(';,').rstrip()}."


def runs_on(claim: Claim, after: Claim) -> bool:
    """Whether the next claim is the sentence that follows this one in the same passage:
    the two read as one quotation, cited once after both (a marker between them would
    stand inside the passage's own text)."""
    if claim.chunk.id != after.chunk.id or claim.chunk.kind != "passage":
        return False
    text = claim.chunk.text
    first, second = claim.text.rstrip(), after.text.rstrip()
    at = text.find(first)
    return at >= 0 and text[at + len(first):].lstrip().startswith(second)


def in_passage_order(reply: Candidate) -> tuple[Claim, ...]:
    """A hedged reply's two sentences in the order their passage writes them, when both
    are of one passage and the hedge's comes first there ("The main restoration took place
    between 2004 and 2007. It cost £7.2 million, ..." rather than the other way round, its
    "It" before what it stands for); any other reply's claims as they are, and so are two
    whose hedge opens with a pronoun (it would stand first, before any sentence it may
    lean on)."""
    claims = reply.claims
    if not reply.features.get("hedged") or len(claims) != 2:
        return claims
    first, second = claims
    if first.chunk.id != second.chunk.id or first.chunk.kind != "passage":
        return claims
    text = " ".join(first.chunk.text.split())
    at_first = text.find(" ".join(first.text.split()))
    at_second = text.find(" ".join(second.text.split()))
    if not 0 <= at_second < at_first or (words(second.text[:40])[:1] or [""])[0] in PRONOUNS:
        return claims
    return second, first


def cite(replies: Sequence[Candidate | str], version: str, question: str,
         notes: Sequence[str] = ()) -> Answer:
    """One answer from the chosen candidates (one per part of the question) and plain
    sentences that cite nothing (a part the documents do not cover)."""
    numbers: dict[str, int] = {}
    cited: dict[str, tuple[Claim, set[int]]] = {}
    texts = []
    for k, reply in enumerate(replies):
        if isinstance(reply, str):
            texts.append(reply)
            continue
        for cl in reply.claims:
            if cl.chunk.id not in numbers:
                numbers[cl.chunk.id] = len(numbers) + 1
                cited[cl.chunk.id] = (cl, set())
            cited[cl.chunk.id][1].update(cl.highlight)
        if reply.derivation is not None:  # the cells a computation read
            for o in reply.derivation.operands:
                if o.cell is not None and o.chunk.id in cited:
                    cited[o.chunk.id][1].add(o.cell)
        texts.append(claims_text(in_passage_order(reply), numbers, reply.preface,
                                 closed=k + 1 < len(replies)))
    citations = tuple(Citation(numbers[cid], cl.chunk, cl.score, tuple(sorted(cells)))
                      for cid, (cl, cells) in cited.items())
    grounded = bool(citations)
    computed = [r for r in replies if isinstance(r, Candidate) and r.value is not None]
    return Answer(" ".join(texts), grounded, citations, version, question,
                  value=computed[0].value if len(computed) == 1 and len(replies) == 1 else None,
                  derivation=computed[0].derivation if len(computed) == 1 and len(replies) == 1
                  else None, notes=tuple(notes))
