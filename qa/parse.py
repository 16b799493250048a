"""Parse a document into blocks: headings, paragraphs, bullet lists and pipe tables.

Markdown is read by markdown-it-py (CommonMark: fenced and indented code, setext and ATX
headings, nested lists, block quotes, HTML blocks), with three rules of this project on
top, for documents written one block per line without blank lines between (as the
analysis is):
- a line that ends a sentence (or a colon) ends its paragraph;
- a short line without closing punctuation that starts a block is a heading (a title line);
- pipe tables as GitHub writes them, and also without a separator row, ragged, with `\\|`
  in cells and header lines among the first rows (TAT-QA puts the years there).

Every block keeps where it stands in the source (character range; line numbers follow
from `Document.line_at`, pages from `Document.page_at`). Pure functions over text;
reading files is `qa.corpus`'s job, converting other formats `qa.ingest`'s.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Literal

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token

from qa.text.numbers import MONTH, no_value, read_number
from qa.text.sentences import split_sentences, squash, trim

BlockKind = Literal["heading", "paragraph", "list", "table"]


@dataclass(frozen=True)
class Block:
    """One structural unit of a document.

    heading/paragraph: `text` is the source slice (markup around it, such as block-quote
    marks or HTML tags, blanked to spaces). list: `items` (and `intro`, the sentence
    introducing it). table: `header` (column names, header lines merged), `rows` (cells,
    padded to the header's width), `row_chars` (where each row starts), `intro` (the
    sentence introducing it) and `notes` (header text that spans all columns).
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
    """A parsed document: its corpus-relative path, source text and blocks. `pages` holds
    where each page starts in the text, for documents converted from paged formats (PDF)."""

    path: str
    text: str
    blocks: tuple[Block, ...]
    _line_starts: tuple[int, ...] = field(repr=False, default=())
    pages: tuple[int, ...] = ()

    def line_at(self, char: int) -> int:
        """1-based line number of a character offset."""
        return bisect.bisect_right(self._line_starts, char)

    def page_at(self, char: int) -> int | None:
        """1-based page number of a character offset, or None for a document without pages."""
        if not self.pages:
            return None
        return max(1, bisect.bisect_right(self.pages, char))


# --- lines -----------------------------------------------------------------------------

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_SEPARATOR = re.compile(r"^\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?$")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_TERMINAL = re.compile(r"[.!?:;,…]([\"'”’)\]])*$")
# A line ending so ends its paragraph; a comma or semicolon does not, as hard-wrapped
# prose ends lines there mid-sentence.
_BLOCK_END = re.compile(r"[.!?:…]([\"'”’)\]])*$")
# A bullet glyph (as pasted from word processors and PDFs) starts a list item as "-" does;
# replaced by "-" before parsing, one character for one so that offsets stay.
_BULLET_GLYPH = re.compile(r"^([ \t]*)•(?=[ \t])", re.MULTILINE)
_TAG = re.compile(r"<!--.*?(?:-->|$)|<[^>]*>", re.DOTALL)
_YEARISH = re.compile(r"^(?:fy\s*)?(?:19|20)\d\d(?:\s*\(.*\))?$|^q[1-4]\b", re.IGNORECASE)
_DATEISH = re.compile(rf"\b{MONTH}\s+\d", re.IGNORECASE)
_UNITS = re.compile(r"^\(.*\)$|\b(?:thousands?|millions?|billions?)\b|^[$€£¥]\s*m$", re.IGNORECASE)


def _is_separator(line: str) -> bool:
    s = line.strip()
    return "-" in s and bool(_SEPARATOR.match(s)) and ("|" in s or s.count("-") >= 3)


def split_cells(line: str) -> list[str]:
    """Cells of a pipe-table line, each with its runs of whitespace made one space (a
    cell padded to align its column, "$      725", reads "$ 725"); `\\|` is a literal pipe
    inside a cell."""
    s = line.strip()
    s = s.removeprefix("|")
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    return [squash(c).replace("\\|", "|") for c in _CELL_SPLIT.split(s)]


def _table_start(line: str, nxt: str) -> bool:
    """Whether a table starts at `line` (stripped), `nxt` being the line below it."""
    if "|" not in line or _is_separator(line):
        return False
    if _is_separator(nxt) and "|" in nxt:
        return True
    # A table whose separator row is missing: two or more lines framed by pipes.
    framed = line.startswith("|") and line.endswith("|") and line.count("|") >= 3
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


# --- markdown-it rules -----------------------------------------------------------------


def _line(state: StateBlock, n: int) -> str:
    """Line `n` inside the current container (list indent, quote marks taken off), or ""
    when it lies outside it or past the end."""
    if n >= state.lineMax or state.sCount[n] < state.blkIndent:
        return ""
    return state.src[state.bMarks[n] + state.tShift[n]:state.eMarks[n]].strip()


def _table_rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """Pipe tables as this project reads them (see `_table_start`); the cells and source
    range of each row go into the token's `meta`."""
    if state.is_code_block(start):
        return False
    first = _line(state, start)
    if not _table_start(first, _line(state, start + 1)):
        return False
    if silent:
        return True
    framed = first.startswith("|")
    rows: list[tuple[list[str], int, int]] = []
    j = start
    while j < end and state.sCount[j] >= state.blkIndent:
        s = _line(state, j)
        if not s or "|" not in s or (framed and not s.startswith("|")):
            break
        if j > start and _MD_HEADING.match(s):
            break
        if not _is_separator(s):
            rows.append((split_cells(s), state.bMarks[j], state.eMarks[j]))
        j += 1
    token = state.push("qa_table", "table", 0)
    token.map = [start, j]
    token.meta = {"rows": rows}
    token.content = " ".join(" ".join(c for c in cells if c) for cells, _, _ in rows)
    state.line = j
    return True


def _plain_heading_rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """A title line at the top level of a document (not in a list or a quote)."""
    # Not state.parentType: a failed lheading leaves it at "paragraph" (markdown-it quirk).
    top = state.blkIndent == 0 and (state.bMarks[start] == 0
                                    or state.src[state.bMarks[start] - 1] == "\n")
    if not top or state.is_code_block(start):
        return False
    line = _line(state, start)
    nxt = _line(state, start + 1) if start + 1 < end else None
    if not _looks_like_plain_heading(line, nxt):
        return False
    # A heading heads something: the last line of a document is text (a closing note).
    if all(state.isEmpty(n) for n in range(start + 1, state.lineMax)):
        return False
    if silent:
        return True
    state.push("heading_open", "h2", 1).map = [start, start + 1]
    inline = state.push("inline", "", 0)
    inline.map, inline.content, inline.children = [start, start + 1], line, []
    state.push("heading_close", "h2", -1)
    state.line = start + 1
    return True


def _line_end_rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """As a paragraph terminator: the line before `start` ended a sentence, so `start`
    begins a new block. Never a block of its own."""
    if not silent or start == 0:
        return False
    before = state.src[state.bMarks[start - 1]:state.eMarks[start - 1]].rstrip()
    return bool(_BLOCK_END.search(before))


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark")
    md.block.ruler.before("code", "qa_table", _table_rule, {"alt": ["paragraph", "reference"]})
    md.block.ruler.before("paragraph", "qa_plain_heading", _plain_heading_rule)
    md.block.ruler.before("paragraph", "qa_line_end", _line_end_rule, {"alt": ["paragraph"]})
    md.core.ruler.disable(["inline", "text_join"])  # blocks only: inline text stays as written
    return md


_MD = _markdown()


# --- documents -------------------------------------------------------------------------


class _Source:
    """The text being parsed, by line."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.split("\n")
        self.starts: list[int] = []
        pos = 0
        for line in self.lines:
            self.starts.append(pos)
            pos += len(line) + 1

    def end_of(self, n: int) -> int:
        return self.starts[n] + len(self.lines[n])

    def span(self, a: int, b: int) -> tuple[int, int]:
        """Character range of lines a..b-1, surrounding whitespace trimmed."""
        return trim(self.text, self.starts[a], self.end_of(b - 1))

    def masked(self, a: int, b: int, content: str) -> tuple[int, int, str]:
        """Range and text of a block's lines a..b-1 whose content (as markdown-it gives it,
        one line per source line) may follow container marks (`> `) on each line: the
        marks are blanked to spaces, so that offsets into the text stay those of the source."""
        parts = content.split("\n")
        pieces: list[str] = []
        for k in range(a, b):
            line = self.lines[k]
            c = parts[k - a].strip() if k - a < len(parts) else ""
            end = len(line.rstrip())
            begin = end - len(c)
            if not c or line[begin:end] != c:
                begin = len(line) - len(line.lstrip())
            pieces.append(" " * begin + line[begin:])
        body = "\n".join(pieces)
        s, e = trim(body, 0, len(body))
        return self.starts[a] + s, self.starts[a] + e, body[s:e]


def parse_document(path: str, text: str, pages: tuple[int, ...] = ()) -> Document:
    """Parse the text of the document at corpus-relative `path` into blocks. `pages` are
    where the pages of a converted paged document start in `text`."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    src = _Source(text)
    tokens = _MD.parse(_BULLET_GLYPH.sub(r"\1-", text))
    blocks: list[Block] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t.type == "heading_open":
            inline = tokens[i + 1]
            a, b = inline.map
            start, end = src.span(a, b)
            blocks.append(Block(kind="heading", start=start, end=end,
                                text=squash(inline.content), level=int(t.tag[1:])))
        elif t.type == "paragraph_open":
            inline = tokens[i + 1]
            start, end, body = src.masked(*inline.map, inline.content)
            if body:
                blocks.append(Block(kind="paragraph", start=start, end=end, text=body))
        elif t.type in ("bullet_list_open", "ordered_list_open"):
            close = _closing(tokens, i)
            _add_list(src, tokens[i:close + 1], blocks)
            i = close
        elif t.type in ("fence", "code_block", "html_block"):
            _add_verbatim(src, t, blocks)
        elif t.type == "qa_table":
            _add_table(t.meta["rows"], blocks)
        i += 1
    return Document(path=path, text=text, blocks=tuple(blocks), _line_starts=tuple(src.starts),
                    pages=tuple(pages))


def _closing(tokens: list[Token], i: int) -> int:
    """Index of the token that closes the one opened at `i`."""
    depth = 0
    for j in range(i, len(tokens)):
        depth += tokens[j].nesting
        if depth == 0:
            return j
    return len(tokens) - 1


def _add_verbatim(src: _Source, t: Token, blocks: list[Block]) -> None:
    """Code (its lines, without the fences) and HTML blocks (tags and comments blanked) as
    paragraphs of their text."""
    a, b = t.map
    if t.type == "fence":
        inner = t.content.count("\n")
        if not inner:
            return
        a, b = a + 1, a + 1 + inner
    start, end = src.span(a, b)
    body = src.text[start:end]
    if t.type == "html_block":
        body = _TAG.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), body)
        s, e = trim(body, 0, len(body))
        start, end, body = start + s, start + e, body[s:e]
    if body.strip():
        blocks.append(Block(kind="paragraph", start=start, end=end, text=body))


def _add_list(src: _Source, tokens: list[Token], blocks: list[Block]) -> None:
    """A list block from the tokens of one list; nested lists, further paragraphs and
    code in an item belong to that item."""
    items: list[str] = []
    spans: list[tuple[int, int]] = []
    top = tokens[0].level + 1
    for t in tokens:
        if t.type == "list_item_open" and t.level == top:
            a, b = t.map
            while b - 1 > a and not src.lines[b - 1].strip():
                b -= 1
            first = src.lines[a]
            items.append("")
            spans.append((src.starts[a] + len(first) - len(first.lstrip()), src.end_of(b - 1)))
        elif items and (t.type in ("inline", "fence", "code_block", "qa_table")
                        or t.type == "html_block"):
            text = _TAG.sub(" ", t.content) if t.type == "html_block" else t.content
            items[-1] = f"{items[-1]} {text}"
    kept = [(squash(text), span) for text, span in zip(items, spans) if text.strip()]
    if not kept:
        return
    intro, intro_start = _take_intro(blocks)
    start = intro_start if intro else kept[0][1][0]
    blocks.append(Block(kind="list", start=start, end=kept[-1][1][1], intro=intro,
                        items=tuple(t for t, _ in kept), item_chars=tuple(s for _, s in kept)))


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


def _add_table(raw: list[tuple[list[str], int, int]], blocks: list[Block]) -> None:
    """A table block from its rows (cells, start, end), header lines found among the first."""
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
    for lines, first, end in _sections(grid, body, figures):
        if lines:  # a header inside the body: the rows below it are a table of their own
            header, notes = _restated(lines, header)
        blocks.append(Block(
            kind="table", start=raw[first][1], end=raw[end - 1][2], intro=intro,
            header=tuple(header), rows=tuple(tuple(r) for r in grid[first:end]),
            row_chars=tuple((a, b) for _, a, b in raw[first:end]), notes=notes,
        ))


def _sections(grid: list[list[str]], body: int, figures: bool
              ) -> list[tuple[list[list[str]], int, int]]:
    """The body's parts, each (the header lines above it, its first row, its end row): a
    report's table may set a second period's figures under the first's, restating the
    columns ("| | First | Second |", "| | Quarter | Quarter |") below a line naming the
    period. Header lines that name no two columns ("| | Expenses: | |") head a row group
    instead: they become label rows ("Expenses:") of the same part. Only in a table of
    figures, and only after a data row, is such a line a header: elsewhere a row of text
    is data. Rows of `grid` that head a group are rewritten in place."""
    out: list[tuple[list[list[str]], int, int]] = []
    lines: list[list[str]] = []  # the part's header lines
    pending: list[int] = []  # header lines read since the last data row
    first, data = body, False
    for i in range(body, len(grid)):
        if figures and (data or pending) and _restates(grid[i], grid[:body]):
            pending.append(i)
            data = False
            continue
        if pending and _names_columns([grid[j] for j in pending]):
            out.append((lines, first, pending[0]))
            lines, first = [grid[j] for j in pending], i
        else:
            for j in pending:  # a label over the rows below, written in another column
                grid[j] = [" ".join(c for c in grid[j] if c)] + [""] * (len(grid[j]) - 1)
        pending = []
        data = data or any(grid[i])
    out.append((lines, first, len(grid)))
    return out


# A date written in figures ("11/4/2024"): a value of a row, never a column's name.
_NUMERIC_DATE = re.compile(r"\d+/\d+")


def _restates(cells: list[str], header_lines: list[list[str]]) -> bool:
    """Whether a row inside a table of figures is a header line: no figure and no date in
    figures, and either no label (column names, or a period over them), or periods beside
    its label ("Breakup of revenue growth | FY 2019 (%) | FY 2018 (%)"), or the table's
    own header line again with other periods ("(In Millions) | Dec 30, 2017 | Acquisitions
    | ... | Dec 29, 2018" under "(In Millions) | Dec 29, 2018 | Acquisitions | ...")."""
    filled = [c for c in cells[1:] if c]
    if not filled or any(_is_value(c) or no_value(c) or _NUMERIC_DATE.search(c)
                         for c in filled):
        return False
    if not cells[0] or all(_YEARISH.search(c) or _DATEISH.search(c) for c in filled):
        return True
    return len(filled) >= 2 and any(_repeats(cells, line) for line in header_lines)


def _repeats(cells: list[str], line: list[str]) -> bool:
    """Whether a row writes a header line again: each of its cells is that line's cell of
    the same column or a period, and its label and another cell are the line's own."""
    same = [j for j, c in enumerate(cells) if c and j < len(line) and c == line[j]]
    return (0 in same and len(same) >= 2
            and all(j in same or _YEARISH.search(c) or _DATEISH.search(c)
                    for j, c in enumerate(cells) if c))


def _names_columns(lines: list[list[str]]) -> bool:
    """Whether header lines name two columns or more (not one label over them all)."""
    return any(sum(1 for c in line[1:] if c) >= 2 for line in lines)


def _restated(lines: list[list[str]], header: list[str]) -> tuple[list[str], str]:
    """The column names and notes of a part from its header lines (`_merge_header`); a
    column they leave unnamed keeps the table's name for it."""
    names, notes = _merge_header(lines)
    return [n or h for n, h in zip(names, header)], notes


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


_SPACED_YEAR = re.compile(r"(?<!\S)\d \d \d \d(?!\S)")


def _unspaced(name: str) -> str:
    """A column name with a letter-spaced year closed up ("2 0 1 8", as text taken from a
    PDF with spaced lettering writes it, is 2018)."""
    return _SPACED_YEAR.sub(lambda m: m.group().replace(" ", ""), name)


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
    names = [" ".join(dict.fromkeys(_unspaced(h[c]) for h in kept if h[c]))
             for c in range(width)]
    if names and _UNITS.search(names[0]):
        notes.append(names[0])  # "(In thousands)" names the unit, not the label column
        names[0] = ""
    return names, " ".join(notes)

