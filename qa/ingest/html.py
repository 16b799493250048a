"""HTML pages, through markitdown's HTML converter (BeautifulSoup and markdownify).

markitdown (which imports pandas) is imported on the first conversion, not with the
registry: serving an index converts nothing, and the import took 0.3-0.7 s of `qa serve`'s
start (`python -X importtime`)."""

from __future__ import annotations

from functools import cache
from typing import Any

from qa.corpus import Content, Unreadable, decode

# markdownify options: a table without <th> takes its first row as the header (instead of
# an empty header row above it), and `*` and `_` in the text stay as written (escaped,
# they would reach passages and answers as `\*` and `\_`).
MARKDOWNIFY = {"table_infer_header": True, "escape_asterisks": False,
               "escape_underscores": False}


class Html:
    """`.html` and `.htm` files; scripts and styles are dropped, the body is converted."""

    format = "html"
    extensions = (".html", ".htm")
    version = "1"
    cached = True

    def convert(self, data: bytes) -> Content:
        """The page's body as Markdown."""
        text, problem, how = decode(data)  # the corpus's decoding: BOMs, UTF-16, Windows-1252
        if problem:
            raise Unreadable(problem)
        return Content(html_to_markdown(text), self.format, decoded=how)


def html_to_markdown(html: str) -> str:
    """HTML as Markdown with pipe tables."""
    return pipe_safe_converter().convert_string(html, **MARKDOWNIFY).markdown


def pipe_safe_converter() -> Any:
    """A new markitdown HTML converter that escapes `|` in table cells."""
    return _pipe_safe_class()()


@cache
def _pipe_safe_class() -> type:
    from bs4 import BeautifulSoup
    from markitdown.converters import HtmlConverter

    class PipeSafeHtmlConverter(HtmlConverter):
        """markitdown's HTML converter, with `|` in table cells escaped: markdownify writes
        it as it is, and the cell splits in two."""

        def convert_string(self, html_content: str, **kwargs: object):  # type: ignore[override]
            """As markitdown's, after escaping the pipes inside table cells."""
            soup = BeautifulSoup(html_content, "html.parser")
            for cell in soup.find_all(["td", "th"]):
                for s in cell.find_all(string=True):
                    if "|" in s:
                        s.replace_with(s.replace("|", "\\|"))
            return super().convert_string(str(soup), **kwargs)

    return PipeSafeHtmlConverter
