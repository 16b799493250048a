"""What an index holds, told to people: its documents (name, title, format, pages, chunks),
the files it skipped, and what a page over it says by default (a title from the document
titles, an introduction, example questions made from its headings and table rows).

Pure functions over one index version; the service picks the version and the settings.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from pathlib import PurePosixPath
from typing import Any

from qa.chunk import Chunk

TITLES_SHOWN = 3  # document titles named in a default title or introduction
EXAMPLES = 3  # example questions a page offers
NAMES_IN_ERROR = 20  # document names listed in an unknown-document message
_YEARISH = re.compile(r"^(?:fy\s*)?(?:19|20)\d\d\b", re.IGNORECASE)


@dataclass(frozen=True)
class DocumentInfo:
    """One indexed document: its name (the corpus path, what `doc` takes), title (its
    first heading, else its file name), format, pages (paged formats) and chunk count."""

    name: str
    title: str
    format: str
    pages: int | None
    chunks: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {"name": self.name, "title": self.title, "format": self.format,
                "pages": self.pages, "chunks": self.chunks}


@dataclass(frozen=True)
class Catalog:
    """The documents of one index version and the corpus files it skipped (path, reason)."""

    version: str
    documents: tuple[DocumentInfo, ...]
    skipped: tuple[tuple[str, str], ...]

    def names(self) -> list[str]:
        """The documents' names, in corpus order."""
        return [d.name for d in self.documents]

    @cached_property
    def known(self) -> frozenset[str]:
        """The documents' names, to look one up (every request scoped to a document does)."""
        return frozenset(d.name for d in self.documents)

    def named(self, doc: str) -> str | None:
        """The document `doc` names: itself, or else the one name that reads the same in
        Unicode's composed form (NFC): a name typed or pasted on macOS comes decomposed,
        "café" as "cafe" and a combining accent, and looks the same as the indexed one.
        None when no document, or more than one, is named so."""
        if doc in self.known:
            return doc
        composed = unicodedata.normalize("NFC", doc)
        same = [n for n in self.names() if unicodedata.normalize("NFC", n) == composed]
        return same[0] if len(same) == 1 else None


@dataclass(frozen=True)
class PageInfo:
    """What a page over the index shows before any question: a title, an introduction,
    example questions, what an answer says when the documents do not cover a question,
    and the documents a question can be scoped to."""

    title: str
    intro: str
    examples: tuple[str, ...]
    not_covered: str
    documents: tuple[DocumentInfo, ...]


def catalog(version: str, manifest: dict[str, Any], chunks: tuple[Chunk, ...]) -> Catalog:
    """The catalog of an index version from its manifest (chunks stand in for the document
    list of an index built before the manifest recorded one)."""
    listed = manifest.get("documents")
    if isinstance(listed, list):
        docs = tuple(DocumentInfo(d["name"], d["title"], d["format"], d.get("pages"),
                                  d["chunks"]) for d in listed)
    else:
        counts: dict[str, int] = {}
        for c in chunks:
            counts[c.doc] = counts.get(c.doc, 0) + 1
        docs = tuple(DocumentInfo(name, PurePosixPath(name).name, "markdown", None, n)
                     for name, n in counts.items())
    skipped = tuple((s["path"], s["reason"]) for s in manifest.get("skipped") or ())
    return Catalog(version, docs, skipped)


def unknown_document_message(doc: str, names: list[str]) -> str:
    """Why `doc` is refused: it names no indexed document; the closest names and the list."""
    close = difflib.get_close_matches(doc, names, n=1, cutoff=0.6)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    shown = ", ".join(names[:NAMES_IN_ERROR])
    more = f" and {len(names) - NAMES_IN_ERROR} more" if len(names) > NAMES_IN_ERROR else ""
    return (f"no document {doc!r} in the index.{hint} The indexed documents are: "
            f"{shown}{more} (GET /documents lists them)")


def default_title(docs: tuple[DocumentInfo, ...]) -> str:
    """A page title from the document titles: the title of a single document, else the
    first few titles."""
    titles = [d.title for d in docs]
    if len(titles) <= 1:
        return titles[0] if titles else "No documents yet"
    if len(titles) <= TITLES_SHOWN:
        return ", ".join(titles[:-1]) + " and " + titles[-1]
    return f"{titles[0]} and {len(titles) - 1} more documents"


def default_intro(docs: tuple[DocumentInfo, ...]) -> str:
    """A page introduction: what the documents are and how answers are given."""
    n = len(docs)
    what = "the document" if n == 1 else f"{n} documents"
    kinds = sorted({d.format.upper() for d in docs if d.format not in ("markdown", "text")})
    if kinds and len(kinds) < n:
        what += f" ({', '.join(kinds)} and text)"
    elif kinds:
        what += f" ({', '.join(kinds)})"
    they = "the document does" if n == 1 else "the documents do"
    return (f"Ask a question about {what}. Every answer cites the passage or table row it "
            f"comes from; when {they} not say, the answer says so.")


def default_not_covered(docs: tuple[DocumentInfo, ...]) -> str:
    """What an answer says when the documents do not cover a question."""
    return "The document does not cover this." if len(docs) == 1 else (
        "The documents do not cover this.")


def example_candidates(chunks: tuple[Chunk, ...], limit: int = 4 * EXAMPLES) -> list[str]:
    """Questions made from the index itself, alternating between table rows (the value of
    a named column in a named row) and section headings, across documents in order. The
    service keeps the ones it can answer."""
    rows: list[str] = []
    sections: list[str] = []
    seen_tables: set[tuple[str, int | None]] = set()
    seen_sections: set[str] = set()
    for c in chunks:
        if c.kind == "table_row" and (c.doc, c.table) not in seen_tables:
            q = _row_question(c)
            if q:
                seen_tables.add((c.doc, c.table))
                rows.append(q)
        section = c.section.split(" > ")[-1] if c.section else ""
        if section and section not in seen_sections and len(section.split()) <= 10:
            seen_sections.add(section)
            sections.append(f"What does it say about {section}?")
    out: list[str] = []
    for pair in zip(rows + [""] * len(sections), sections + [""] * len(rows)):
        out.extend(q for q in pair if q and q not in out)
    return out[:limit]


def _row_question(c: Chunk) -> str:
    """'What is the <column> for <label>?' (or 'What was <label> in <year>?') from the
    last filled column of a table row; "" when the row has no label or column name."""
    label = next((v for v in c.cells if v), "")
    columns = [(name, value) for name, value in zip(c.header[1:], c.cells[1:]) if name and value]
    if not label or not columns or len(label) > 60:
        return ""
    name = columns[0][0] if _YEARISH.match(columns[0][0]) else columns[-1][0]
    if _YEARISH.match(name):
        return f"What was {label} in {name}?"
    of = f"the {label} {c.header[0].lower()}" if c.header and c.header[0] else label
    return f"What is the {name.lower()} for {of}?"
