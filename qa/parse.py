"""Parse a document into blocks: headings, paragraphs, bullet lists and pipe tables.

Every block keeps where it stands in the source (character range; line numbers follow
from `Document.line_at`). Pure functions over text; reading files is `qa.corpus`'s job.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Literal

from qa.text.numbers import no_value, read_number
from qa.text.sentences import split_sentences, squash, trim

BlockKind = Literal["heading", "paragraph", "list", "table"]


@dataclass(frozen=True)
class Block:
    """One structural unit of a document.

    heading/paragraph: `text` is the source slice. list: `items` (and `intro`, the
    sentence introducing it). table: `header` (column names, header lines merged),
    `rows` (cells, padded to the header's width), `row_chars` (where each row starts),
    `intro` (the sentence introducing it) and `notes` (header text that spans all columns).
    """

    kind: BlockKind
    start: int
    end: int
    text: str = ""
    level: int = 0
    intro: str = ""
    items: tuple[str, ...] = ()
    item_chars: tuple[tuple[int, int], ...] = ()
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    row_chars: tuple[tuple[int, int], ...] = ()
    notes: str = ""


@dataclass(frozen=True)
class Document:
    """A parsed document: its corpus-relative path, source text and blocks."""

    path: str
    text: str
    blocks: tuple[Block, ...]
    _line_starts: tuple[int, ...] = field(repr=False, default=())

    def line_at(self, char: int) -> int:
        """1-based line number of a character offset."""
        return bisect.bisect_right(self._line_starts, char)


# --- lines -----------------------------------------------------------------------------

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_LIST_ITEM = re.compile(r"^(\s*)(?:[-*+•]|\d{1,3}[.)])\s+(.*)$")
_SEPARATOR = re.compile(r"^\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?$")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_TERMINAL = re.compile(r"[.!?:;,…]([\"'”’)\]])*$")
_YEARISH = re.compile(r"^(?:fy\s*)?(?:19|20)\d\d(?:\s*\(.*\))?$|^q[1-4]\b", re.IGNORECASE)
_DATEISH = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d", re.IGNORECASE)
_UNITS = re.compile(r"^\(.*\)$|\b(?:thousands?|millions?|billions?)\b|^[$€£¥]\s*m$", re.IGNORECASE)


def _is_separator(line: str) -> bool:
    s = line.strip()
    return "-" in s and bool(_SEPARATOR.match(s)) and ("|" in s or s.count("-") >= 3)


def split_cells(line: str) -> list[str]:
    """Cells of a pipe-table line; `\\|` is a literal pipe inside a cell."""
    s = line.strip()
    s = s.removeprefix("|")
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    return [c.strip().replace("\\|", "|") for c in _CELL_SPLIT.split(s)]


def _table_start(lines: list[str], i: int) -> bool:
    s = lines[i].strip()
    if "|" not in s or _is_separator(s):
        return False
    nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
    if _is_separator(nxt) and "|" in nxt:
        return True
    # A table whose separator row is missing: two or more lines framed by pipes.
    framed = s.startswith("|") and s.endswith("|") and s.count("|") >= 3
    return framed and nxt.startswith("|") and nxt.endswith("|")


def _looks_like_plain_heading(line: str, nxt: str | None) -> bool:
    """A short line without closing punctuation that starts a block: a title line."""
    s = line.strip()
    if not s or len(s) > 120 or len(s.split()) > 16 or "|" in s:
        return False
    if _TERMINAL.search(s) or not (s[0].isupper() or s[0].isdigit()):
        return False
    # A wrapped paragraph goes on in lower case on the next line.
    return not (nxt and nxt.strip() and nxt.strip()[0].islower())


# --- documents -------------------------------------------------------------------------


def parse_document(path: str, text: str) -> Document:
    """Parse the text of the document at corpus-relative `path` into blocks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    starts: list[int] = []
    pos = 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        s = line.strip()
        if not s:
            i += 1
            continue
        m = _MD_HEADING.match(s)
        if m:
            blocks.append(_span_block("heading", text, starts[i], starts[i] + len(line),
                                      text=m.group(2), level=len(m.group(1))))
            i += 1
            continue
        if _table_start(lines, i):
            i = _take_table(lines, starts, i, blocks)
            continue
        if _LIST_ITEM.match(line):
            i = _take_list(lines, starts, i, blocks)
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if _looks_like_plain_heading(line, nxt):
            blocks.append(_span_block("heading", text, starts[i], starts[i] + len(line),
                                      text=s, level=2))
            i += 1
            continue
        i = _take_paragraph(lines, starts, i, blocks, text)
    return Document(path=path, text=text, blocks=tuple(blocks), _line_starts=tuple(starts))


def _span_block(kind: BlockKind, source: str, start: int, end: int, **kw: object) -> Block:
    start, end = trim(source, start, end)
    return Block(kind=kind, start=start, end=end, **kw)  # type: ignore[arg-type]


def _special(lines: list[str], j: int) -> bool:
    s = lines[j].strip()
    return (not s or bool(_MD_HEADING.match(s)) or bool(_LIST_ITEM.match(lines[j]))
            or _table_start(lines, j))


def _take_paragraph(lines: list[str], starts: list[int], i: int, blocks: list[Block],
                    text: str) -> int:
    j = i
    # Lines of a wrapped paragraph continue it; a line ending a sentence ends it, because
    # documents such as the analysis put one paragraph on each line with no blank between.
    while j + 1 < len(lines) and not _special(lines, j + 1) and not _TERMINAL.search(
        lines[j].strip()
    ):
        j += 1
    start, end = starts[i], starts[j] + len(lines[j])
    start, end = trim(text, start, end)
    blocks.append(Block(kind="paragraph", start=start, end=end, text=text[start:end]))
    return j + 1


def _take_list(lines: list[str], starts: list[int], i: int, blocks: list[Block]) -> int:
    items: list[str] = []
    spans: list[tuple[int, int]] = []
    j = i
    while j < len(lines):
        line = lines[j]
        m = _LIST_ITEM.match(line)
        if m:
            nested = len(m.group(1)) >= 2 and items
            if nested:  # a nested item belongs to the item above it
                items[-1] += " " + m.group(2).strip()
                spans[-1] = (spans[-1][0], starts[j] + len(line))
            else:
                items.append(m.group(2).strip())
                spans.append((starts[j] + len(m.group(1)), starts[j] + len(line)))
            j += 1
            continue
        s = line.strip()
        if s and items and line[:1].isspace() and not _table_start(lines, j):
            items[-1] += " " + s  # continuation line of the item above
            spans[-1] = (spans[-1][0], starts[j] + len(line))
            j += 1
            continue
        break
    start, end = spans[0][0], spans[-1][1]
    intro, intro_start = _take_intro(blocks)
    start = intro_start if intro else start
    blocks.append(Block(kind="list", start=start, end=end, intro=intro,
                        items=tuple(squash(t) for t in items), item_chars=tuple(spans)))
    return j


def _take_intro(blocks: list[Block]) -> tuple[str, int]:
    """Detach the sentence that introduces a list or table ("... include:") from the
    paragraph before it, so that it travels with what it introduces. Returns the sentence
    and where it starts, or ("", -1)."""
    prev = blocks[-1] if blocks else None
    if prev is None or prev.kind != "paragraph" or not prev.text.rstrip().endswith(":"):
        return "", -1
    s0, s1 = split_sentences(prev.text)[-1]
    blocks.pop()
    if s0 > 0:
        keep_end = trim(prev.text, 0, s0)[1]
        blocks.append(Block(kind="paragraph", start=prev.start, end=prev.start + keep_end,
                            text=prev.text[:keep_end]))
    return squash(prev.text[s0:s1]), prev.start + s0


def _take_table(lines: list[str], starts: list[int], i: int, blocks: list[Block]) -> int:
    framed = lines[i].strip().startswith("|")
    raw: list[tuple[list[str], int, int]] = []
    j = i
    while j < len(lines):
        s = lines[j].strip()
        if not s or "|" not in s or (framed and not s.startswith("|")):
            break
        if j > i and (_MD_HEADING.match(s)):
            break
        if not _is_separator(s):
            raw.append((split_cells(lines[j]), starts[j], starts[j] + len(lines[j])))
        j += 1
    width = max(len(cells) for cells, _, _ in raw)
    grid = [cells + [""] * (width - len(cells)) for cells, _, _ in raw]
    header_lines = [grid[0]]
    body = 1
    # Leading data rows that are really header lines (TAT-QA puts the years there):
    # no row label, and no value that is a number other than a year.
    figures = any(_is_value(c) for row in grid[1:] for c in row[1:])
    while body < min(len(grid) - 1, 4) and _header_like(grid[body], all(not c for c in grid[0]),
                                                        figures):
        header_lines.append(grid[body])
        body += 1
    header, notes = _merge_header(header_lines)
    intro, _ = _take_intro(blocks)
    blocks.append(Block(
        kind="table", start=raw[0][1], end=raw[-1][2], intro=intro, header=tuple(header),
        rows=tuple(tuple(r) for r in grid[body:]),
        row_chars=tuple((a, b) for _, a, b in raw[body:]), notes=notes,
    ))
    return j


def _header_like(cells: list[str], header_empty: bool, figures: bool) -> bool:
    """A leading data row that is really one more header line: it holds years, dates,
    units or labels, but no values (TAT-QA puts the years there). In a table of figures
    any such row is one; in a table of text, only one without a label, or whose label
    names the unit, or that holds years or dates."""
    filled = [c for c in cells[1:] if c]
    if not filled or any(_is_value(c) or no_value(c) for c in filled):
        return False
    if not cells[0] or header_empty or figures or _UNITS.search(cells[0]):
        return True
    # A row label with years or dates beside it ("For the year ended: | 2019 | 2018").
    return all(_YEARISH.search(c) or _DATEISH.search(c) for c in filled)


def _is_value(cell: str) -> bool:
    """A number, amount or percentage, but not a bare year."""
    return read_number(cell) is not None and not _YEARISH.match(cell)


def _merge_header(header_lines: list[list[str]]) -> tuple[list[str], str]:
    """Column names from one or more header lines, and table-wide header text (a label
    that spans every column, such as "Years Ended September 30," or "(in millions)")."""
    width = len(header_lines[0])
    notes: list[str] = []
    kept: list[list[str]] = []
    densest = max(sum(1 for c in line[1:] if c) for line in header_lines)
    for k, line in enumerate(header_lines):
        filled = [c for c in line[1:] if c]
        if len(header_lines) > 1 and width > 2 and len(filled) <= 1 < densest:
            notes.extend(c for c in line if c)  # one label over all columns
            continue
        if 1 < len(filled) < width - 1 and k < len(header_lines) - 1:
            # Group labels span the columns to their right until the next label.
            line = list(line)
            for c in range(2, width):
                if not line[c] and line[c - 1]:
                    line[c] = line[c - 1]
        kept.append(line)
    names = [" ".join(dict.fromkeys(h[c] for h in kept if h[c])) for c in range(width)]
    if names and _UNITS.search(names[0]):
        notes.append(names[0])  # "(In thousands)" names the unit, not the label column
        names[0] = ""
    return names, " ".join(notes)
