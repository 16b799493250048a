"""What every document converter provides, and the pipe tables several of them write."""

from __future__ import annotations

from typing import Protocol

from qa.corpus import Content


class Converter(Protocol):
    """Turns one file format into Markdown with pipe tables.

    `format` names the format in the index's document list; `extensions` are the file
    name endings it reads (lower case, with the dot); `version` changes whenever its
    output would, so that cached conversions are redone; `cached` says whether converting
    costs more than reading a cached copy. `convert` raises `qa.corpus.Unreadable` with a
    reason a reader can act on.
    """

    format: str
    extensions: tuple[str, ...]
    version: str
    cached: bool

    def convert(self, data: bytes) -> Content:
        """The file's content as Markdown (and where its pages start, for paged formats)."""
        ...


def cell(value: str) -> str:
    """A value as the text of a pipe-table cell: one line, its pipes escaped."""
    return " ".join(value.replace("|", "\\|").split())


def pipe_table(rows: list[list[str]]) -> str:
    """A Markdown pipe table; the first row is the header. Rows are padded to one width."""
    width = max(len(r) for r in rows)
    lines = ["| " + " | ".join(cell(c) for c in r + [""] * (width - len(r))) + " |"
             for r in rows]
    lines.insert(1, "|" + "---|" * width)
    return "\n".join(lines)


def grid_markdown(rows: list[list[str]]) -> str:
    """Markdown for a grid of cells such as a sheet: one table from the first row with two
    values or more (its header) to the last such row; rows with one value before it (a
    title) and after it (notes) as lines of text. Empty rows and columns go."""
    rows = [[c.strip() for c in r] for r in rows if any(c.strip() for c in r)]
    if not rows:
        return ""
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    used = [k for k in range(width) if any(r[k] for r in rows)]
    rows = [[r[k] for k in used] for r in rows]
    wide = [i for i, r in enumerate(rows) if sum(1 for c in r if c) >= 2]
    if len(wide) < 1 or len(rows[wide[0]:wide[-1] + 1]) < 2:
        return "\n\n".join(" ".join(c for c in r if c) for r in rows)
    a, b = wide[0], wide[-1] + 1
    text = [" ".join(c for c in r if c) for r in rows[:a]]
    notes = [" ".join(c for c in r if c) for r in rows[b:]]
    return "\n\n".join([*text, pipe_table(rows[a:b]), *notes])
