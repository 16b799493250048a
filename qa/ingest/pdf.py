"""PDF files, through pdfplumber: text lines grouped into headings, paragraphs and list
items by their size and spacing, ruled tables as pipe tables, and where each page starts.

markitdown's PDF converter is not used: it joins the pages (the page of a passage is
lost), and reads tables from word positions, which also takes prose in columns for a
table. Here a table is what its rules draw (pdfplumber's "lines" strategy); a table or a
paragraph that runs on over a page break is joined again (a table's repeated header row
dropped); lines repeated at the same height on most pages (running headers, footers and
page numbers) are dropped.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from qa.corpus import Content, Unreadable
from qa.ingest.base import pipe_table

# A line whose characters are this much larger than the body text's is a heading.
# Browsers and word processors set headings at 1.17x (h3) and more; body text that is
# merely bold, or a footnote set smaller, stays text.
HEADING_RATIO = 1.15
# Paragraphs: the gap between the lines of one paragraph (the leading) is taken to be the
# most common gap between lines, at most LEADING_CAP line heights (in a document of
# one-line paragraphs the most common gap is between paragraphs); a gap wider than the
# leading by PARAGRAPH_GAP heights starts a new paragraph. Browsers and word processors
# set lines 0-0.6 heights apart and paragraphs a further 0.7-1.5 heights apart.
LEADING_CAP = 0.6
PARAGRAPH_GAP = 0.3
# A line found at the same height on at least this share of the pages (and on three or
# more) is a running header or footer: the document's title, "Page 3 of 9".
RUNNING_SHARE = 0.5
RUNNING_MIN_PAGES = 3
# A page whose last line ends below this share of its height was full, so its last
# paragraph may run on over the break (margins take 5-10% of a page at the foot; a page
# ending higher up ended its paragraph there).
FULL_PAGE = 0.8
# Glyphs that start a list item when a PDF writes its bullets as text (U+F0B7 and U+F0A7
# are the bullets of the Symbol and Wingdings fonts that Word uses).
_BULLETS = re.compile(r"^[•◦▪●‣∙\uf0b7\uf0a7]\s*")
_SENTENCE_END = re.compile(r"[.!?:…][\"'”’)\]]*$")


@dataclass
class _Line:
    page: int
    top: float
    bottom: float
    x0: float
    size: float
    text: str
    page_height: float
    bullet: bool = False


@dataclass
class _Table:
    page: int
    top: float
    rows: list[list[str]]


@dataclass
class _Block:
    """A heading, paragraph, list item or table being put together: its pieces of text
    (or rows), each with the page it stands on."""

    kind: str  # "heading", "paragraph", "item", "table"
    level: int = 0
    pieces: list[tuple[str, int]] = field(default_factory=list)
    last: _Line | None = None


class Pdf:
    """`.pdf` files with a text layer (a scanned PDF would need OCR, which qa does not do)."""

    format = "pdf"
    extensions = (".pdf",)
    version = "2"
    cached = True

    def convert(self, data: bytes) -> Content:
        """The document as Markdown, with where each page starts."""
        import pdfplumber  # on first use: serving an index converts nothing

        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = []
            for page in pdf.pages:
                pages.append(_read_page(page))
                page.close()
        if not any(lines for lines, _ in pages):
            raise Unreadable("no text in the PDF (a scanned PDF needs OCR, which qa does "
                             "not do)")
        return _render(_blocks(pages), len(pages), self.format)


def _read_page(page: Any) -> tuple[list[_Line], list[_Table]]:
    """The text lines (outside tables) and the ruled tables of a page, top to bottom."""
    number = page.page_number
    tables = []
    for found in page.find_tables():
        rows = [[" ".join((c or "").split()) for c in row] for row in found.extract()]
        rows = [r for r in rows if any(r)]
        if len(rows) >= 2 and max(len(r) for r in rows) >= 2:  # not a box around text
            tables.append((found.bbox, _Table(number, found.bbox[1], rows)))
    boxes = [bbox for bbox, _ in tables]

    def outside(obj: dict[str, Any]) -> bool:
        x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

    text = page.filter(outside) if boxes else page
    marks = [o for o in (*page.curves, *page.rects)
             if o.get("fill") and o["x1"] - o["x0"] < 8 and o["bottom"] - o["top"] < 8]
    lines = []
    for raw in text.extract_text_lines(return_chars=True):
        sizes = sorted(c["size"] for c in raw["chars"])
        size = sizes[len(sizes) // 2] if sizes else 0.0
        line = _Line(number, raw["top"], raw["bottom"], raw["x0"], size, raw["text"],
                     float(page.height))
        line.bullet = bool(_BULLETS.match(line.text)) or any(
            m["x1"] <= line.x0 and line.x0 - m["x1"] < 3 * size
            and line.top <= (m["top"] + m["bottom"]) / 2 <= line.bottom for m in marks)
        line.text = _BULLETS.sub("", line.text)
        if line.text.strip():
            lines.append(line)
    return lines, [t for _, t in tables]


def _running(pages: list[tuple[list[_Line], list[_Table]]]) -> set[tuple[int, str]]:
    """Lines that recur at one height on most pages: (rounded top, text with digits as #)."""
    if len(pages) < RUNNING_MIN_PAGES:
        return set()
    seen: Counter[tuple[int, str]] = Counter()
    for lines, _ in pages:
        seen.update({_running_key(line) for line in lines})
    least = max(RUNNING_MIN_PAGES, RUNNING_SHARE * len(pages))
    return {key for key, n in seen.items() if n >= least}


def _running_key(line: _Line) -> tuple[int, str]:
    return round(line.top), re.sub(r"\d+", "#", line.text.strip())


def _blocks(pages: list[tuple[list[_Line], list[_Table]]]) -> list[_Block]:
    """Headings, paragraphs, list items and tables in reading order, joined over page breaks."""
    running = _running(pages)
    weights: Counter[float] = Counter()
    for lines, _ in pages:
        for line in lines:
            weights[round(line.size, 1)] += len(line.text)
    body = weights.most_common(1)[0][0]
    larger = sorted({round(line.size * 2) / 2 for lines, _ in pages for line in lines
                     if line.size >= body * HEADING_RATIO}, reverse=True)
    levels = {size: min(6, k + 1) for k, size in enumerate(larger)}
    gaps: Counter[float] = Counter()
    for lines, _ in pages:
        for a, b in pairwise(lines):
            if 0 <= b.top - a.bottom:
                gaps[round((b.top - a.bottom) * 2) / 2] += 1
    leading = gaps.most_common(1)[0][0] if gaps else 0.0

    blocks: list[_Block] = []
    for lines, tables in pages:
        items: list[_Line | _Table] = [ln for ln in lines if _running_key(ln) not in running]
        items = sorted([*items, *tables], key=lambda it: it.top)
        first = True
        for item in items:
            prev = blocks[-1] if blocks else None
            if isinstance(item, _Table):
                if first and prev and prev.kind == "table" and _same_table(prev, item):
                    rows = item.rows[1:] if item.rows[0] == prev.pieces[0][0] else item.rows
                    prev.pieces.extend((r, item.page) for r in rows)  # type: ignore[misc]
                else:
                    blocks.append(_Block("table", pieces=[(r, item.page) for r in item.rows]))
                first = False
                continue
            level = levels.get(round(item.size * 2) / 2, 0)
            if prev is not None and _continues(prev, item, level, first, leading):
                prev.pieces.append((item.text, item.page))
                prev.last = item
            else:
                kind = "heading" if level else "item" if item.bullet else "paragraph"
                blocks.append(_Block(kind, level, [(item.text, item.page)], item))
            first = False
    return blocks


def _same_table(prev: _Block, table: _Table) -> bool:
    """Whether a table at the top of a page goes on with the one that ended the last page."""
    return len(prev.pieces[0][0]) == len(table.rows[0])


def _continues(prev: _Block, line: _Line, level: int, first_on_page: bool,
               leading: float) -> bool:
    """Whether `line` goes on with the block before it rather than starting one; `leading`
    is the document's most common gap between lines."""
    last = prev.last
    if (last is None or prev.kind == "table" or line.bullet
            or (prev.kind == "heading") != bool(level) or (level and prev.level != level)):
        return False
    height = max(last.bottom - last.top, 1.0)
    if first_on_page:  # broken by the page: the last page was full, its last line ended no sentence
        return (prev.kind != "heading" and last.bottom >= FULL_PAGE * last.page_height
                and not _SENTENCE_END.search(last.text.strip()))
    gap = line.top - last.bottom
    if gap > min(leading, LEADING_CAP * height) + PARAGRAPH_GAP * height:
        return False
    # A line that starts left of a list item's text is no longer part of the item.
    return not (prev.kind == "item" and line.x0 < last.x0 - line.size / 2)


def _join(text: str, more: str) -> str:
    """Two lines of one paragraph: a word broken at a hyphen is joined without a space."""
    if text.endswith("-") and len(text) > 1 and not text[-2].isspace() and more[:1].islower():
        return text + more
    return f"{text} {more}"


def _render(blocks: list[_Block], n_pages: int, fmt: str) -> Content:
    """Markdown for the blocks, and the offset at which each page's text starts."""
    out: list[str] = []
    pos = 0
    first_at: dict[int, int] = {}

    def emit(piece: str, page: int) -> None:
        nonlocal pos
        first_at.setdefault(page, pos)
        out.append(piece)
        pos += len(piece)

    for k, block in enumerate(blocks):
        if k:
            together = block.kind == "item" and blocks[k - 1].kind == "item"
            emit("\n" if together else "\n\n", block.pieces[0][1])
        if block.kind == "table":
            rows = [r for r, _ in block.pieces]
            lines = pipe_table(rows).split("\n")  # type: ignore[arg-type]
            pages = [p for _, p in block.pieces]
            emit(lines[0] + "\n" + lines[1], pages[0])
            for line, page in zip(lines[2:], pages[1:]):
                emit("\n" + line, page)
            continue
        prefix = "#" * block.level + " " if block.kind == "heading" else (
            "- " if block.kind == "item" else "")
        text = ""
        for n, (piece, page) in enumerate(block.pieces):
            joined = _join(text, piece.strip()) if n else prefix + piece.strip()
            emit(joined[len(text):], page)
            text = joined
    starts, nxt = [], pos
    for page in range(n_pages, 0, -1):  # a page without text starts where the next does
        nxt = first_at.get(page, nxt)
        starts.append(nxt)
    return Content("".join(out), fmt, tuple(reversed(starts)))
