"""The subject of each document (its title) and the documents a question names.

A question about a document's subject as a whole ("Who wrote To Kill a Mockingbird?", "Where
is the Calder Fell Observatory?") is answered by the document's opening sentence, which
names and defines the subject ("To Kill a Mockingbird is a novel by Harper Lee"), though it
shares few of the question's words: passages that write the question's other words beside
the title ("Lee wrote ...") outrank it in retrieval. Knowing which documents a question
names lets the answer read their opening passage whatever its rank.

Pure functions over chunks and texts; `Retriever.named_leads` applies them to an index.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath

from qa.chunk import Chunk
from qa.text.tokens import tokenize

# A title's asides: "Spectre (2015 film)" is Spectre, whatever the brackets tell apart.
_ASIDE = re.compile(r"\s*[(\[][^)\]]*[)\]]")
# The share of a title's words a question must write to name it: half of "Frédéric Chopin"
# ("When did Chopin die?"), of "The Legend of Zelda: Twilight Princess" ("Twilight
# Princess"), of "2008 Sichuan earthquake" ("the Sichuan earthquake"); a question that
# writes one word of a long title ("Ming" of "Sino-Tibetan relations during the Ming
# dynasty") is about something in it, not about it. Half: how names are shortened.
TITLE_SHARE = 0.5


def title(chunks: Sequence[Chunk]) -> str:
    """A document's title: the first heading of its first chunk (chunks in reading order),
    else its file name's words ("brenmoor-bridge.md" -> "brenmoor bridge")."""
    if chunks and chunks[0].section:
        return chunks[0].section.split(" > ")[0]
    name = PurePosixPath(chunks[0].doc).stem if chunks else ""
    return re.sub(r"[-_]+", " ", name)


def title_words(text: str) -> frozenset[str]:
    """The content words (stems) of a title without its bracketed asides."""
    return frozenset(tokenize(_ASIDE.sub("", text)))


def names(question: str, title_text: str) -> bool:
    """Whether the question writes at least TITLE_SHARE of the title's words."""
    ws = title_words(title_text)
    return bool(ws) and len(ws & frozenset(tokenize(question))) >= TITLE_SHARE * len(ws)


def about(question: str, title_text: str) -> float:
    """How much the question is about the titled subject as a whole: the share of its
    content words that are the title's when it names the title (`names`), else 0. "Who
    directed Spectre?" is half its title; "What did Beyoncé release in 2003 as her debut
    album?" asks about one thing in her story."""
    asked = frozenset(tokenize(question))
    if not asked or not names(question, title_text):
        return 0.0
    return len(asked & title_words(title_text)) / len(asked)


def named(question: str, titles: Mapping[str, str]) -> list[str]:
    """The documents (of `titles`: document -> title) that the question names (`names`),
    by a word of the title that no other document's title holds ("Where is the Calder
    Fell Observatory?" names Calder Fell's observatory, not another observatory's
    document). In `titles` order."""
    asked = frozenset(tokenize(question))
    words = {doc: title_words(t) for doc, t in titles.items()}
    shared: dict[str, int] = {}
    for ws in words.values():
        for w in ws:
            shared[w] = shared.get(w, 0) + 1
    return [doc for doc, t in titles.items() if names(question, t)
            and any(shared[w] == 1 for w in words[doc] & asked)]


def lead(chunks: Sequence[Chunk]) -> Chunk | None:
    """A document's opening passage (chunks in reading order) when it is prose, not a list
    or a table row (as the ranker's `lead_doc` reads it)."""
    first = chunks[0] if chunks else None
    return first if first is not None and first.kind == "passage" and not first.is_list \
        else None
