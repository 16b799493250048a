"""Turn parsed blocks into citable chunks: passages of whole sentences and single table rows."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, fields
from functools import cached_property
from typing import Any, Literal

from qa.parse import Block, Document
from qa.rollforward import row_periods
from qa.text.numbers import is_number
from qa.text.sentences import split_clauses, split_sentences, squash

# Bump when chunk boundaries or texts change, or the words BM25 indexes them by
# (qa.text.tokens): the index records it and a mismatch forces a full rebuild.
CHUNKER_VERSION = "17"
# Units embedded per chunk at most (the whole first, then its parts in order, clauses
# last). A pipe-table row of 3,000 cells made 3,000 units: a 40 KB file cost minutes of
# build. The development corpora's largest chunk has 12 units (p99 8-11 per corpus, as
# scripts/units_per_chunk.py prints), so the cap changes no chunk of theirs.
MAX_UNITS = 64

TABLE_FIELDS = ("caption", "group", "header", "cells", "table", "row")

ChunkKind = Literal["passage", "table_row"]
CAPTION_CHARS = 200


@dataclass(frozen=True)
class Chunk:
    """A unit of retrieval and citation, with its place in the source."""

    id: str
    kind: ChunkKind
    doc: str
    section: str
    text: str
    line_start: int
    line_end: int
    char_start: int
    char_end: int
    caption: str = ""
    group: str = ""
    header: tuple[str, ...] = ()
    cells: tuple[str, ...] = ()
    table: int | None = None
    row: int | None = None
    page: int | None = None  # in a document converted from a paged format (PDF)

    def embed_text(self) -> str:
        """What the embedder and BM25 see: the text in its section's context."""
        context = " > ".join(p for p in (self.section,) if p)
        return f"{context}\n{self.text}" if context else self.text

    @cached_property
    def is_list(self) -> bool:
        """Whether the passage is a bullet list (with or without its introducing sentence);
        read once per chunk (answering asks it of every unit of every retrieved passage)."""
        return self.kind == "passage" and (self.text.startswith("- ") or "\n- " in self.text)

    def list_parts(self) -> tuple[str, list[str]]:
        """A list's introducing sentence ("" when it has none) and its items."""
        intro, *items = self.text.split("\n- ")
        if intro.startswith("- "):  # no intro sentence: the first line is an item
            intro, items = "", [intro[2:], *items]
        return intro, items

    def units(self) -> list[str]:
        """Texts embedded for this chunk: the whole in context, then its finer parts
        (sentences and the clauses of long ones, list items, text cells of a row), so that
        a question about one part finds the chunk even when the rest of it is about
        something else."""
        return list(self._texts[0])

    def searched_units(self) -> int:
        """How many of the units (the first ones) score the chunk in retrieval; the
        clauses after them only help choose the sentence that answers."""
        return sum(1 for _, _, searched in self._units if searched)

    def quotes(self) -> list[str]:
        """For each unit (`units()` order), the text an answer quotes for it: the chunk's
        text for the whole, the sentence a clause belongs to, the unit itself otherwise."""
        return list(self._texts[1])

    @cached_property
    def _texts(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The units' embedded texts and quoted texts (answering reads them for every
        candidate of every question)."""
        return tuple(t for t, _, _ in self._units), tuple(q for _, q, _ in self._units)

    @cached_property
    def _units(self) -> tuple[tuple[str, str, bool], ...]:
        """(embedded text, quoted text, whether it scores the chunk in retrieval), worked
        out once per chunk: retrieval, answering and building all ask for them."""
        out = [(self.embed_text(), self.text, True)]
        if self.kind == "table_row":
            out.extend((unit, unit, True) for _, unit in self._cell_units())
        elif self.is_list:
            intro, items = self.list_parts()
            out.extend([(intro, intro, True)] if intro else [])
            out.extend((f"{intro} {item}".strip(),) * 2 + (True,) for item in items)
        else:
            sentences = [self.text[a:b] for a, b in split_sentences(self.text)]
            if len(sentences) > 1:
                out.extend((s, s, True) for s in sentences)
            out.extend((s[a:b], s, False) for s in sentences for a, b in split_clauses(s))
        return tuple(out[:MAX_UNITS])

    def _cell_units(self) -> list[tuple[int, str]]:
        """A table row's text cells after the first, each as a unit of its own with the
        row's label and its header ("Focus Area: Arms Control | Expected Outcome: Lowered
        military buildup"), with its column."""
        label = next((c for c in self.cells if c), "")
        name0 = self.header[0] if self.header else ""
        head = f"{name0}: {label}" if name0 else label
        return [(j, f"{head} | {name}: {value}" if name else f"{head} | {value}")
                for j, (name, value) in enumerate(zip(self.header[1:], self.cells[1:]), 1)
                if value and not is_number(value)]

    @cached_property
    def unit_columns(self) -> tuple[int | None, ...]:
        """For each unit (`units()` order), the column of the table cell it embeds; None
        for the whole and for a passage's units."""
        if self.kind != "table_row":
            return (None,) * len(self._units)
        return ((None,) + tuple(j for j, _ in self._cell_units()))[:len(self._units)]

    def location(self) -> str:
        """Where the chunk stands, for people: `report.pdf, page 3` or `notes.md:12`."""
        if self.page is not None:
            return f"{self.doc}, page {self.page}"
        return f"{self.doc}:{self.line_start}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (every field is a string, a number or a tuple of strings, so a
        shallow copy: `dataclasses.asdict`'s deep copy cost 0.3 ms of each /retrieve)."""
        d = {name: getattr(self, name) for name in _FIELDS}
        d["header"], d["cells"] = list(self.header), list(self.cells)
        return d

    def public_dict(self) -> dict[str, Any]:
        """JSON for API responses: the table fields only for table rows, the page only for
        chunks of paged documents."""
        d = self.to_dict()
        if self.kind != "table_row":
            for key in TABLE_FIELDS:
                d.pop(key, None)
        if self.page is None:
            d.pop("page")
        return d

    @cached_property
    def public_json(self) -> str:
        """`public_dict` as JSON (`json.dumps`, non-ASCII kept), written once per chunk:
        every /retrieve response holds five or more (`qa.api.models.retrieval_body`)."""
        return json.dumps(self.public_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Chunk:
        """Inverse of `to_dict`."""
        return cls(**{**d, "header": tuple(d.get("header", ())), "cells": tuple(d.get("cells", ()))})


# The fields `Chunk.to_dict` copies, in declaration order.
_FIELDS = tuple(f.name for f in fields(Chunk))


def row_text(header: tuple[str, ...], cells: tuple[str, ...], caption: str = "",
             group: str = "") -> str:
    """A table row as text: each value named by its column, after the table's caption
    and the label of the row group it stands in."""
    pairs = []
    for name, value in zip(header, cells):
        if not value:
            continue
        pairs.append(f"{name}: {value}" if name and name != value else value)
    body = " | ".join(pairs)
    if group:
        body = f"{group.rstrip(':')}: {body}"
    return f"{caption}\n{body}" if caption else body


def _caption(block: Block) -> str:
    text = " ".join(p for p in (block.intro, block.notes) if p)
    if len(text) > CAPTION_CHARS:
        text = text[:CAPTION_CHARS].rsplit(" ", 1)[0] + " …"
    return text


def pack_sentences(sentences: list[tuple[int, int]], limit: int) -> list[tuple[int, int]]:
    """Group consecutive sentence spans into spans of at most `limit` characters.

    A sentence longer than the limit stands alone: a passage is never cut mid-sentence.
    A group closes once it reaches the paragraph's mean share, so a paragraph slightly over
    the limit splits into two parts of similar size rather than a long one and a stub.
    """
    if not sentences:
        return []
    total = sentences[-1][1] - sentences[0][0]
    parts = max(1, -(-total // limit))
    target = total / parts
    groups: list[tuple[int, int]] = []
    start, end = sentences[0]
    for s, e in sentences[1:]:
        if e - start <= limit and (end - start) < target:
            end = e
        else:
            groups.append((start, end))
            start, end = s, e
    groups.append((start, end))
    return groups


def chunk_document(doc: Document, passage_chars: int = 500) -> list[Chunk]:
    """All chunks of a parsed document, in reading order."""
    out: list[Chunk] = []
    path: list[tuple[int, str]] = []
    tables = 0
    seen: Counter[tuple[str, str]] = Counter()

    def add(kind: ChunkKind, text: str, start: int, end: int, **kw: Any) -> None:
        section = " > ".join(t for _, t in path)
        key = (kind, text)
        seen[key] += 1
        digest = hashlib.sha1(
            f"{doc.path}\0{kind}\0{section}\0{text}\0{seen[key]}".encode()
        ).hexdigest()[:16]
        out.append(Chunk(id=digest, kind=kind, doc=doc.path, section=section, text=text,
                         line_start=doc.line_at(start), line_end=doc.line_at(max(start, end - 1)),
                         char_start=start, char_end=end, page=doc.page_at(start), **kw))

    for block in doc.blocks:
        if block.kind == "heading":
            while path and path[-1][0] >= block.level:
                path.pop()
            path.append((block.level, squash(block.text)))
        elif block.kind == "paragraph":
            sentences = split_sentences(block.text)
            for s, e in pack_sentences(sentences, passage_chars):
                add("passage", squash(block.text[s:e]), block.start + s, block.start + e)
        elif block.kind == "list":
            for group in _list_groups(block, passage_chars):
                lines = ([block.intro] if block.intro else []) + [f"- {block.items[k]}" for k in group]
                start = block.start if block.intro else block.item_chars[group[0]][0]
                add("passage", "\n".join(lines), start, block.item_chars[group[-1]][1])
        elif block.kind == "table":
            tables += 1
            caption = _caption(block)
            group = ""
            # A roll-forward table's repeated rows ("Granted") read with their period.
            periods = row_periods([cells[0] if cells else "" for cells in block.rows])
            for r, (cells, (s, e)) in enumerate(zip(block.rows, block.row_chars)):
                if not any(cells):
                    continue
                if cells[0] and not any(cells[1:]) and len(cells) > 2:
                    group = cells[0]  # a label row ("Assets:") heads the rows below it
                    continue
                row_group = group or periods[r]
                add("table_row", row_text(block.header, cells, caption, row_group), s, e,
                    caption=caption, group=row_group, header=block.header, cells=cells,
                    table=tables, row=r)
    return out


def _list_groups(block: Block, limit: int) -> list[list[int]]:
    """Items grouped so that each group with the intro stays within the limit."""
    groups: list[list[int]] = [[]]
    size = len(block.intro)
    for k, item in enumerate(block.items):
        if groups[-1] and size + len(item) + 3 > limit:
            groups.append([])
            size = len(block.intro)
        groups[-1].append(k)
        size += len(item) + 3
    return groups
